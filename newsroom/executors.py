"""Where a build's heavy work runs: one interface, two backends.

A build hands four kinds of work to an :class:`Executor`: reading the articles the cache
does not have, making photo variants, indexing the search shards whose stories changed,
and rendering the pages whose fingerprint changed.
Every result comes back in the order the work was given, never in the order it finished,
so the output never depends on timing.

* :class:`LocalExecutor` — this machine: a pool of forked processes (:mod:`newsroom.workers`).
* ``DaskExecutor`` (:mod:`newsroom.cluster`, imported only when asked for) — a Dask
  cluster: a local one sized to this machine, or an existing one (``--scheduler``).

What decides the choice is ``--executor`` or ``[build] executor``; ``[build.cluster]``
(:class:`ClusterSettings`) says where the cluster is and how it sees the site.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import BuildFailed, SiteError, line_of_key

if TYPE_CHECKING:
    from collections.abc import Callable

    from .config import Config
    from .content import Article
    from .images import Variant
    from .output import Writer
    from .pages import Page
    from .progress import Progress
    from .render import Renderer
    from .search import Documents

EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class ClusterSettings:
    """``[build.cluster]``: how a build on a Dask cluster reaches it. None of it changes the output."""

    scheduler: str = ""  # "tcp://host:8786"; "" starts a local cluster sized to this machine
    shared: str = ""  # a folder every worker sees at the same path, holding the site folder; "": none
    write_pages: bool = True  # workers write pages into the shared folder; false: they return them
    batch: int = 0  # articles or pages per task; 0: about half a second of work each
    retries: int = 2  # how many times a failed task is tried again
    workers: int = 0  # worker processes of a local cluster; 0: one per core


def cluster_mistakes(executor: str, settings: ClusterSettings) -> list[tuple[str, str, str]]:
    """The mistakes of ``[build] executor`` and ``[build.cluster]``: (table, key, message)."""
    found = []
    if executor not in EXECUTORS:
        found.append(("build", "executor", f"{executor!r} is no executor; expected one of: {', '.join(EXECUTORS)}"))
    found += [("build.cluster", key, "must be 0 or more") for key in ("batch", "retries", "workers")
              if getattr(settings, key) < 0]
    shared = settings.shared
    if shared and not (Path(shared).is_absolute() and Path(shared).is_dir()):
        found.append(("build.cluster", "shared", f"{shared!r} must be the absolute path of a folder every worker "
                      "sees"))
    return found


class Executor(Protocol):
    """Runs a build's reading, photos, search indexing and rendering; results in the order given."""

    name: str

    def read(self, config: Config, todo: list[tuple[Path, str, os.stat_result]],
             keep: Callable[[Article], Article], progress: Progress) -> list[Article | BuildFailed]: ...

    def photos(self, todo: list[tuple[Path, list[Variant], Path]], progress: Progress) -> list[str | None]: ...

    def render(self, renderer: Renderer, pages: list[Page], writer: Writer | None,
               progress: Progress) -> list[SiteError]: ...

    def index(self, folder: Path, shards: list[tuple[str, Documents]]) -> list[tuple[str, ...]]: ...

    def summary(self) -> str | None: ...

    def close(self) -> None: ...


class LocalExecutor:
    """This machine's cores: forked workers, or this process for small jobs."""

    name = "local"

    def __init__(self, jobs: int | None = None):
        from . import workers

        self.jobs = jobs or workers.default_jobs()

    def read(self, config: Config, todo: list[tuple[Path, str, os.stat_result]],
             keep: Callable[[Article], Article], progress: Progress) -> list[Article | BuildFailed]:
        from .workers import read_articles

        return read_articles(config, todo, self.jobs, progress, keep=keep)

    def photos(self, todo: list[tuple[Path, list[Variant], Path]], progress: Progress) -> list[str | None]:
        from .workers import make_photos

        return make_photos(todo, self.jobs, progress)

    def render(self, renderer: Renderer, pages: list[Page], writer: Writer | None,
               progress: Progress) -> list[SiteError]:
        from .workers import render_pages

        return render_pages(renderer, pages, writer, self.jobs, progress)

    def index(self, folder: Path, shards: list[tuple[str, Documents]]) -> list[tuple[str, ...]]:
        """Each shard's documents written and Pagefind run on it (see :mod:`newsroom.search`)."""
        from .search import index_here

        return index_here(folder, shards)

    def summary(self) -> str | None:
        return None

    def close(self) -> None:
        pass

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def open_executor(config: Config, name: str | None = None, scheduler: str | None = None,
                  jobs: int | None = None) -> Any:
    """The executor a build runs on: ``name`` (``--executor``) or ``[build] executor``, with
    ``scheduler`` (``--scheduler``) before ``[build.cluster] scheduler``. Dask is imported
    here, and only for a build that asks for it; raises :class:`BuildFailed` when it is not
    installed. Use it as a context manager: a cluster it starts is stopped at the end."""
    chosen = name or config.build.executor
    if chosen != "dask":
        if scheduler:
            raise BuildFailed([SiteError("--scheduler", None, None, "only a build on a cluster has a scheduler; "
                                         "add --executor dask")])
        return LocalExecutor(jobs)
    from importlib.util import find_spec

    missing = [package for package in ("dask", "distributed") if find_spec(package) is None]
    if missing:  # the extra is not installed (imported only once there is work to send: a no-op build is quick)
        where = SiteError("--executor", None, None, "") if name else cluster_error(config, "executor", "")
        raise BuildFailed([SiteError(where.path, where.line, where.field,
                                     f"'dask' needs Dask ({missing[-1]} is missing); install it with "
                                     "python -m pip install -e '.[dask]'")])
    from .cluster import DaskExecutor
    return DaskExecutor(config, config.build.cluster, scheduler if scheduler else config.build.cluster.scheduler,
                        jobs, scheduler_from="--scheduler" if scheduler else "")


def cluster_error(config: Config, key: str, message: str) -> SiteError:
    """A mistake about ``[build] key`` or ``[build.cluster] key``, at its line in site.toml."""
    try:
        line = line_of_key(config.path.read_text(encoding="utf-8-sig"), key)
    except OSError:
        line = None
    field = "build.executor" if key == "executor" else f"build.cluster.{key}"
    return SiteError(config.relpath(config.path), line, field, message)


