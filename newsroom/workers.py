"""Reading articles and rendering pages on every core.

Work is handed to a pool of forked processes, which inherit the config, the cache and
the site model instead of receiving them pickled; only small results travel back
(article records whose bodies are in the cache folder, counts and errors). Small
batches run in this process: starting workers costs more than they would save.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from . import faults
from .config import Config
from .content import Article, load_article
from .errors import BuildFailed, SiteError
from .images import ImageProblem, Variant, make
from .markup import Markdown
from .output import Writer
from .pages import Page
from .progress import Progress
from .render import Renderer
from .urls import output_file

PARALLEL_READS = 64  # fewer articles than this are read in this process
PARALLEL_PAGES = 256  # fewer pages than this are rendered in this process
CHUNK = 32

_job: dict[str, Any] = {}  # what forked workers inherit; set just before a pool starts
_stop = threading.Event()  # set by a signal handler: Ctrl-C or SIGTERM


def request_stop() -> None:
    """Ask the build to stop at its next step (what Ctrl-C and SIGTERM do).

    A signal handler that raised KeyboardInterrupt could land anywhere: inside the pool's
    fork handlers (where Python swallows it), or in a worker just forked. This flag is
    checked after every batch of work and before the commit instead.
    """
    _stop.set()


def check_stop() -> None:
    if _stop.is_set():
        raise KeyboardInterrupt


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _run(function: Callable[[list[int]], Any], count: int, jobs: int, minimum: int,
         progress: Progress, stage: str, sizes: Callable[[Any], int], chunk: int = CHUNK) -> Iterator[Any]:
    """Apply ``function`` to chunks of ``range(count)``, in order, on a pool when worth it."""
    chunks = [list(range(start, min(start + chunk, count))) for start in range(0, count, chunk)]
    progress.stage(stage, count)
    pool = None
    try:
        if jobs <= 1 or count < minimum or not _can_fork():
            results: Iterable[Any] = map(function, chunks)
        else:
            pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_worker_started, initargs=(os.getpid(),))
            results = pool.map(function, chunks)
        for number, result in enumerate(results):
            check_stop()
            if number == 0:
                faults.point(stage.removesuffix("ing"))  # "read", "render"
            progress.advance(sizes(result))
            yield result
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        progress.finish()


def _worker_started(parent: int) -> None:
    """In each worker: die with the build, however the build dies.

    A worker blocks on a pipe that its own copy of the pool keeps open, so it would
    wait forever after a SIGKILL of the build (a CI time-out, the OOM killer). On Linux
    the kernel kills it when its parent dies (``PR_SET_PDEATHSIG``); elsewhere a thread
    watches the parent. Ctrl-C or SIGTERM sent to the whole process group are the
    build's to handle (it stops the pool after the batches under way), so a worker
    ignores them instead of dying midway or printing a traceback.
    """
    for signum in (signal.SIGINT, signal.SIGTERM):  # sent to the whole group: the build decides
        signal.signal(signum, signal.SIG_IGN)
    if not _kill_with_parent():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the build died before the line above took effect
        os._exit(1)


def _kill_with_parent() -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) == 0
    except (OSError, AttributeError):  # not Linux
        return False


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        threading.Event().wait(0.2)
    os._exit(1)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


# -- reading --------------------------------------------------------------------------


def read_articles(config: Config, todo: list[tuple[Path, str, os.stat_result]], jobs: int, progress: Progress,
                  keep: Callable[[Article], Article] = lambda article: article) -> list[Article | BuildFailed]:
    """Read the articles of ``todo``; ``keep`` runs on each record in the worker that read
    it (the build cache stores the body there, so that only a small record travels back)."""
    _job.clear()
    _job.update(config=config, keep=keep, todo=todo)
    try:
        results: list[Article | BuildFailed] = []
        for chunk in _run(_read_chunk, len(todo), jobs, PARALLEL_READS, progress, "reading", len):
            results.extend(chunk)
        return results
    finally:
        _job.clear()


def _read_chunk(indices: list[int]) -> list[Article | BuildFailed]:
    config: Config = _job["config"]
    keep: Callable[[Article], Article] = _job["keep"]
    renderer = _job.setdefault("markdown", Markdown())
    results: list[Article | BuildFailed] = []
    for index in indices:
        path, key, _ = _job["todo"][index]
        try:
            results.append(keep(load_article(config, path, renderer, shown=key)))
        except BuildFailed as failed:
            results.append(failed)
    return results


# -- photos ---------------------------------------------------------------------------


def make_photos(todo: list[tuple[Path, list[Variant], Path]], jobs: int, progress: Progress) -> list[str | None]:
    """Make the variants of each photo of ``todo`` (its file, the variants, the folder to write
    them to), one photo a task: a photo costs more than starting a worker. Each result is
    None, or why the photo could not be made."""
    _job.clear()
    _job.update(photos=todo)
    try:
        results: list[str | None] = []
        for chunk in _run(_photo_chunk, len(todo), jobs, 2, progress, "making photos", len, chunk=1):
            results.extend(chunk)
        return results
    finally:
        _job.clear()


def _photo_chunk(indices: list[int]) -> list[str | None]:
    results: list[str | None] = []
    for index in indices:
        source, wanted, folder = _job["photos"][index]
        try:
            made = make(source.read_bytes(), wanted)
        except (ImageProblem, OSError) as exc:
            results.append(str(exc) if isinstance(exc, ImageProblem) else f"cannot be read: {exc.strerror}")
            continue
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in made.items():
            temporary = folder / f".{name}.{os.getpid()}.tmp"
            temporary.write_bytes(data)
            os.replace(temporary, folder / name)
        results.append(None)
    return results


# -- rendering ------------------------------------------------------------------------


def render_pages(renderer: Renderer, pages: list[Page], writer: Writer | None, jobs: int,
                 progress: Progress) -> list[SiteError]:
    """Render ``pages`` and, with a ``writer``, write them; returns the template mistakes."""
    _job.clear()
    _job.update(renderer=renderer, pages=pages, writer=writer)
    errors: list[SiteError] = []
    try:
        for chunk_errors, written, kept, _ in _run(_render_chunk, len(pages), jobs, PARALLEL_PAGES, progress,
                                                   "rendering", lambda r: r[3]):
            errors.extend(chunk_errors)
            if writer is not None:
                writer.written += written
                writer.kept += kept
        return errors
    finally:
        _job.clear()


def _render_chunk(indices: list[int]) -> tuple[list[SiteError], int, int, int]:
    renderer: Renderer = _job["renderer"]
    writer: Writer | None = _job["writer"]
    errors: list[SiteError] = []
    written = kept = 0
    seen: set[str] = set()
    for index in indices:
        page = _job["pages"][index]
        try:
            html = renderer.render(page)
        except BuildFailed as failed:
            for error in failed.errors:
                if str(error) not in seen:  # one template mistake fails many pages: say it once
                    seen.add(str(error))
                    errors.append(error)
            continue
        if writer is not None:
            if writer.put(output_file(page.url), html.encode("utf-8")):
                written += 1
            else:
                kept += 1
    return errors, written, kept, len(indices)
