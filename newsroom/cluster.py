"""A build's reading and rendering on a Dask cluster (``--executor dask``).

The client (the build's own process) keeps everything that decides the site: it walks the
sources, looks every article up in the cache, builds the model, fingerprints the pages,
deletes stale files and writes the manifest and the cache. The workers do the work that
grows with the archive, in tasks of about half a second each (a scheduler spends
0.2–1.6 ms on a task: one task per article would be slower than one process):

* **reading** — only the articles the cache does not have go out, as paths when the
  workers see the site in a shared folder (they store each body in the cache, which is
  content-addressed, and send back the small record), else as bytes, with the site's other
  files (photos, templates, ``site.toml``) sent once as a snapshot;
* **indexing** — with a shared folder, Pagefind runs on the workers, a task per search
  shard whose stories changed (the client writes the shards' documents);
* **rendering** — the pages to render, sorted by file, and what they need (config, pages,
  records) are pickled once into one blob that each worker unpickles once; each task then
  names a range of it. Workers write the pages into the output's staging folder when it is
  in the shared folder (``write_pages``), else send them back to be written here.

Results are taken in task order. A task that fails is tried again (``retries``), and one
whose worker died is given to another by the scheduler. Before any work is sent, every
worker's Python, newsroom code, libraries and (with a shared folder) theme and
``site.toml`` are compared with this process's; a difference is an error, never a site
built with two versions of the code.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import platform
import time
import uuid
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import workers
from .cache import code_digest
from .errors import BuildFailed, SiteError
from .executors import ClusterSettings, LocalExecutor, cluster_error
from .progress import Progress
from .records import Body
from .snapshot import rooted, site_snapshot, unpack
from .urls import output_file

if TYPE_CHECKING:
    from collections.abc import Callable

    import distributed

    from .config import Config
    from .content import Article
    from .images import Variant
    from .output import Writer
    from .pages import Page
    from .render import Renderer
    from .search import Documents

#: Seconds of CPU one task should hold (see the module's notes).
TASK_SECONDS = 0.5
#: Seconds of CPU per article read and per page rendered, as ``bench/cluster.py`` measures them.
READ_COST = 0.003
RENDER_COST = 0.0011
#: What reads, renders and escapes: a worker with another version would build another site.
PACKAGES = ("markdown", "pyyaml", "jinja2", "markupsafe", "python-frontmatter", "pillow", "pypinyin",
            "minify-html", "pagefind-bin-extended", "dask", "distributed")


@dataclass
class Traffic:
    """What one stage of a build sent to the cluster and got back."""

    tasks: int = 0
    items: int = 0
    sent: int = 0  # bytes of the tasks' own arguments
    blob: int = 0  # bytes sent once for every task (the model, or the site's snapshot)
    back: int = 0  # bytes of the results
    seconds: float = 0.0


class DaskExecutor:
    """Reads and renders on a Dask cluster; started (or reached) at the first work to send."""

    name = "dask"

    def __init__(self, config: Config, settings: ClusterSettings, scheduler: str, jobs: int | None = None,
                 scheduler_from: str = ""):
        self.config = config
        self.settings = settings
        self.scheduler = scheduler
        self.scheduler_from = scheduler_from  # "--scheduler", or "" for site.toml
        self.jobs = jobs or workers.default_jobs()
        self.local = LocalExecutor(self.jobs)
        self.client: distributed.Client | None = None
        self.cluster: distributed.LocalCluster | None = None
        self.traffic: dict[str, Traffic] = {}
        self.workers = 0
        self._snapshot: tuple[Any, str, int] | None = None
        if scheduler and settings.shared:
            self.shared: Path | None = Path(settings.shared).resolve()
        elif scheduler:
            self.shared = None  # another machine's workers see nothing of this one
        else:
            self.shared = config.root.resolve()  # a local cluster sees this machine's files

    # -- the cluster ------------------------------------------------------------------

    def _client(self) -> distributed.Client:
        if self.client is not None:
            return self.client
        import distributed  # here, not at the top: a build with nothing to send never pays for importing it

        logging.getLogger("distributed").setLevel(logging.ERROR)  # its chatter is not the build's
        try:
            if self.scheduler:
                self.client = distributed.Client(self.scheduler, timeout=10, set_as_default=False)
            else:
                self.cluster = distributed.LocalCluster(
                    n_workers=self.settings.workers or self.jobs, threads_per_worker=1, processes=True,
                    dashboard_address=":0", silence_logs=logging.ERROR, memory_limit=0)
                self.client = distributed.Client(self.cluster, set_as_default=False)
            self.client.wait_for_workers(1, timeout=60)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise BuildFailed([self._error("scheduler", f"cannot reach the Dask scheduler at "
                                           f"{self.scheduler or 'a local cluster'}: {exc}")]) from None
        self._check_environments(self.client)
        return self.client

    def _error(self, key: str, message: str) -> SiteError:
        if key == "scheduler" and self.scheduler_from:
            return SiteError(self.scheduler_from, None, None, message)
        return cluster_error(self.config, key, message)

    def _check_environments(self, client: distributed.Client) -> None:
        """Every worker runs the code and libraries of this process and, with a shared folder,
        sees the same site.toml and theme; else a clear error, before any work is sent."""
        site = self._site_paths() if self.shared is not None else None
        if self.shared is not None and not self.config.root.resolve().is_relative_to(self.shared):
            raise BuildFailed([self._error("shared", f"{self.shared} does not hold the site folder "
                                           f"{self.config.root.resolve()}; workers would not see it")])
        here = environment(site)
        try:
            reports = client.run(environment, site)
        except Exception as exc:  # noqa: BLE001 - a worker without newsroom, say
            raise BuildFailed([self._error("scheduler", f"the workers cannot run newsroom's code: "
                                           f"{type(exc).__name__}: {exc}; install this newsroom on every "
                                           "worker")]) from None
        problems = []
        for worker, theirs in sorted(reports.items()):
            for what in here:
                if theirs.get(what) != here[what]:
                    problems.append(self._error("scheduler", f"worker {worker}: {what} is {theirs.get(what)!r}, "
                                                f"here {here[what]!r}; every worker needs the same newsroom, "
                                                "libraries and (in the shared folder) the same site files"))
        if problems:
            raise BuildFailed(problems)
        self.workers = len(client.nthreads())

    def _site_paths(self) -> tuple[str, str]:
        return str(self.config.path), str(self.config.dir("templates"))

    def close(self) -> None:
        for part in (self.client, self.cluster):
            if part is not None:
                try:
                    part.close()
                except Exception:  # noqa: BLE001 - closing what may already be gone
                    pass
        self.client = self.cluster = None

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def summary(self) -> str | None:
        """One line on what went to the cluster and back, or None if nothing did."""
        parts = [f"{stage} {t.tasks} tasks ({_size(t.blob)} once, {_size(t.sent)} in tasks, {_size(t.back)} back)"
                 for stage, t in self.traffic.items() if t.tasks]
        return f"cluster: {self.workers} workers; " + "; ".join(parts) if parts else None

    # -- the work ---------------------------------------------------------------------

    def batch(self, cost: float) -> int:
        """Items per task: ``[build.cluster] batch``, else about :data:`TASK_SECONDS` of work."""
        return self.settings.batch or max(1, round(TASK_SECONDS / cost))

    def read(self, config: Config, todo: list[tuple[Path, str, os.stat_result]],
             keep: Callable[[Article], Article], progress: Progress) -> list[Article | BuildFailed]:
        size = self.batch(READ_COST)
        if len(todo) < size:  # less than one task's work: not worth a trip
            return self.local.read(config, todo, keep, progress)
        client = self._client()
        if self.shared is None:
            self._site_snapshot(client, "reading")  # checks that the site's folders can be sent
        if self.shared is not None:
            shared = pickle.dumps((config, keep), protocol=pickle.HIGHEST_PROTOCOL)
            items: list[Any] = [(str(path), key) for path, key, _ in todo]
        else:
            shared = pickle.dumps((config, None), protocol=pickle.HIGHEST_PROTOCOL)
            root = config.root.resolve()
            items = [(key, path.resolve().relative_to(root).as_posix(), path.read_bytes()) for path, key, _ in todo]
        results: list[Article | BuildFailed] = []
        for chunk in self._run(client, "reading", shared, items, size, progress):
            results.extend(chunk)
        if self.shared is None:  # bodies came back with their records: into the cache here
            results = [r if isinstance(r, BuildFailed) else keep(r) for r in results]
        return results

    def photos(self, todo: list[tuple[Path, list[Variant], Path]], progress: Progress) -> list[str | None]:
        return self.local.photos(todo, progress)  # cached by content: an archive's photos are made once

    def index(self, folder: Path, shards: list[tuple[str, Documents]]) -> list[tuple[str, ...]]:
        """Each shard's documents written and Pagefind run on it, a task a shard, where the
        workers see the index's folder (in the build cache). The shards' records go out once,
        in one blob, as the pages to render do."""
        if len(shards) < 2 or self.shared is None or not folder.resolve().is_relative_to(self.shared):
            return self.local.index(folder, shards)
        client = self._client()
        shared = pickle.dumps((str(folder), shards), protocol=pickle.HIGHEST_PROTOCOL)
        return [files for chunk in self._run(client, "indexing", shared, list(range(len(shards))), 1,
                                             Progress(enabled=False)) for files in chunk]

    def render(self, renderer: Renderer, pages: list[Page], writer: Writer | None,
               progress: Progress) -> list[SiteError]:
        size = self.batch(RENDER_COST)
        if len(pages) < size:
            return self.local.render(renderer, pages, writer, progress)
        client = self._client()
        ordered = sorted(pages, key=lambda page: output_file(page.url))
        there = writer is not None and self.settings.write_pages and self.shared is not None \
            and writer.staging.resolve().is_relative_to(self.shared)
        job = {"config": renderer.config, "preview": renderer.preview, "assets": renderer.assets,
               "compiled": renderer.compiled if self.shared is not None else None,
               "pages": ordered, "writer": writer if there else None, "send": writer is not None and not there}
        shared = _pickled(job, inline_bodies=self.shared is None)
        ranges = [(start, min(start + size, len(ordered))) for start in range(0, len(ordered), size)]
        errors: list[SiteError] = []
        for chunk_errors, written, kept, files in self._run(client, "rendering", shared, ranges, 1, progress,
                                                             weight=lambda r: r[1] - r[0]):
            errors.extend(chunk_errors)
            if writer is not None:
                writer.written += written
                writer.kept += kept
                for relative, data in files:
                    if writer.put(relative, data):
                        writer.written += 1
                    else:
                        writer.kept += 1
        return errors

    def _run(self, client: distributed.Client, stage: str, shared: bytes, items: list[Any], size: int,
             progress: Progress, weight: Callable[[Any], int] = lambda item: 1) -> Any:
        """The results of ``stage`` on each batch of ``size`` items, in order. ``shared`` is
        sent once (see :func:`_held`); each task carries its own batch, pickled."""
        started = time.perf_counter()
        traffic = self.traffic.setdefault(stage, Traffic())
        kind = {"reading": "read", "indexing": "index"}.get(stage, "render")
        snapshot = self._site_snapshot(client, stage) if self.shared is None else None
        blob_id = uuid.uuid4().hex  # this build's: a worker's unpickled job (a body keeper's listing) is not reused
        blob = _held(client, shared, f"job-{blob_id}")
        traffic.blob += len(shared)
        batches = [items[start:start + size] for start in range(0, len(items), size)]
        progress.stage(stage, sum(weight(item) for item in items))
        futures = []
        for number, batch in enumerate(batches):
            payload = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
            traffic.sent += len(payload)
            futures.append(client.submit(run_task, kind, blob, blob_id, payload, snapshot,
                                         key=f"newsroom-{kind}-{blob_id[:12]}-{number}",
                                         retries=self.settings.retries, pure=False))
        traffic.tasks += len(futures)
        traffic.items += sum(weight(item) for item in items)
        try:
            for number, (future, batch) in enumerate(zip(futures, batches, strict=True)):
                try:
                    data = _result(future)
                except Exception as exc:  # noqa: BLE001 - whatever the cluster raised, said plainly
                    raise BuildFailed([self._error("retries", f"{stage}: task {number + 1} of {len(futures)} "
                                                   f"failed on the cluster after {self.settings.retries} "
                                                   f"retries: {type(exc).__name__}: {exc}")]) from None
                future.release()
                workers.check_stop()
                traffic.back += len(data)
                progress.advance(sum(weight(item) for item in batch))
                yield pickle.loads(data)
        finally:
            client.cancel([f for f in futures if not f.done()])
            blob.release()
            traffic.seconds += time.perf_counter() - started
            progress.finish()

    def _site_snapshot(self, client: distributed.Client, stage: str) -> tuple[Any, str] | None:
        """The site's files but its articles, for workers that do not see this machine's
        folders: sent once per build."""
        if self._snapshot is None:
            data = site_snapshot(self.config)
            digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()
            self._snapshot = (_held(client, data, f"site-{digest}"), digest, len(data))
            self.traffic.setdefault(stage, Traffic()).blob += len(data)  # counted where first sent
        return self._snapshot[0], self._snapshot[1]


def _result(future: distributed.Future) -> bytes:
    """A task's result; Ctrl-C and SIGTERM (see :func:`workers.request_stop`) are heard meanwhile."""
    while True:
        try:
            return future.result(timeout=0.5)
        except TimeoutError:
            if future.status == "error":  # the task's own time-out
                raise
            workers.check_stop()  # pending, or finished just now: asked again


def _held(client: distributed.Client, data: bytes, name: str) -> distributed.Future:  # name: unique
    """``data`` on the cluster, once: the result of a task that returns it. Scattered data
    lives on one worker and is lost with it; a task's result is made again elsewhere."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Sending large graph": this is the one large thing sent
        return client.submit(_carry, data, key=f"newsroom-{name}", pure=False)  # no hash of a blob of GBs


def _carry(data: bytes) -> bytes:
    return data


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 1e5 else f"{count / 1e3:.1f} KB"


def _pickled(job: dict[str, Any], *, inline_bodies: bool) -> bytes:
    """``job`` pickled; with ``inline_bodies``, each article body kept in this machine's cache
    goes in with its text (the workers cannot open this machine's files)."""
    import io

    class Inlining(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if inline_bodies and type(obj) is Body and obj.file is not None:
                return Body, (obj.text,)
            return NotImplemented

    stream = io.BytesIO()
    Inlining(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(job)
    return stream.getvalue()


# -- in the workers ---------------------------------------------------------------------

_unpacked: dict[str, Any] = {}  # blob id -> the job, unpickled once per worker process


def environment(site: tuple[str, str] | None) -> dict[str, str]:
    """What a worker builds with: Python, newsroom's code, the libraries that read and render,
    and (``site``: site.toml and the templates folder, in a shared folder) the site's theme."""
    found = {"python": platform.python_version(), "newsroom code": code_digest()[:12]}
    for package in PACKAGES:
        found[package] = _package_version(package)
    if site is not None:
        config, templates = Path(site[0]), Path(site[1])
        found["site.toml"] = _digest([config]) if config.is_file() else "missing"
        found["theme"] = _digest(sorted(p for p in templates.rglob("*") if p.is_file())) if templates.is_dir() \
            else "missing"
    return found


def _package_version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def run_task(kind: str, blob: bytes, blob_id: str, payload: bytes, snapshot: tuple[bytes, str] | None) -> bytes:
    """One task on a worker: the job's shared part (unpickled once), its own batch; pickled back."""
    job = _unpacked.get(blob_id)
    if job is None:
        _unpacked.clear()  # one build's job at a time: a worker holds one model
        job = _unpacked[blob_id] = _unpack(kind, pickle.loads(blob), snapshot)
    batch = pickle.loads(payload)
    if kind == "index":
        from .search import index_shard

        folder, shards = job
        result = [index_shard(Path(folder), *shards[number]) for number in batch]
    else:
        result = _read(job, batch) if kind == "read" else _render(job, batch)
    return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)


def _unpack(kind: str, job: Any, snapshot: tuple[bytes, str] | None) -> dict[str, Any]:
    from .markup import Markdown
    from .render import Renderer

    if kind == "index":
        return job  # the index's folder and each shard's documents
    from distributed import get_worker

    root = unpack(*snapshot, Path(get_worker().local_directory)) if snapshot is not None else None
    config = job[0] if kind == "read" else job["config"]
    if root is not None:
        config = rooted(config, root)
    if kind == "read":
        return {"config": config, "keep": job[1], "markdown": Markdown(), "root": root}
    renderer = Renderer(config, preview=job["preview"], compiled=job["compiled"], assets=job["assets"])
    return {"renderer": renderer, "pages": job["pages"], "writer": job["writer"], "send": job["send"]}


def _read(job: dict[str, Any], batch: list[Any]) -> list[Article | BuildFailed]:
    from .content import load_article

    config, keep, markdown, root = job["config"], job["keep"], job["markdown"], job["root"]
    results: list[Article | BuildFailed] = []
    for item in batch:
        if root is None:
            path, key = item
            path, raw = Path(path), None
        else:
            key, relative, raw = item
            path = root / relative
        try:
            article = load_article(config, path, markdown, raw=raw, shown=key)
            results.append(keep(article) if keep is not None else article)
        except BuildFailed as failed:
            results.append(failed)
    return results


def _render(job: dict[str, Any], batch: list[tuple[int, int]]) -> tuple[list[SiteError], int, int, list[Any]]:
    renderer, writer = job["renderer"], job["writer"]
    pages: list[Page] = job["pages"]
    errors: list[SiteError] = []
    seen: set[str] = set()
    written = kept = 0
    files: list[tuple[str, bytes]] = []
    for start, end in batch:
        for page in pages[start:end]:
            try:
                html = renderer.render(page)
            except BuildFailed as failed:
                for error in failed.errors:
                    if str(error) not in seen:
                        seen.add(str(error))
                        errors.append(error)
                continue
            data = html.encode("utf-8")
            if job["send"]:
                files.append((output_file(page.url), data))
            elif writer is None:
                continue  # a check: rendered, and that is all
            elif writer.put(output_file(page.url), data):
                written += 1
            else:
                kept += 1
    return errors, written, kept, files
