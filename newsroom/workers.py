"""Reading articles and rendering pages on every core.

Work is handed to a pool of forked processes, which inherit the config, the cache and
the site model instead of receiving them pickled; only small results travel back
(article records whose bodies are in the cache folder, counts and errors). Small
batches run in this process: starting workers costs more than they would save.

Forking a process that runs other threads is not safe (a lock another thread held stays
locked in the child), and the preview server runs threads. There, workers come from a
fork server started for the purpose (``forkserver``): they receive the job's shared part
(the renderer, the writer, the config) once, pickled, and each batch its own pages or
files rather than their indices.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
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
PARALLEL_PAGES = 1024  # fewer pages than this are rendered in this process (about 0.35 s of work:
#: less than forking workers that each touch the whole model costs, in time and memory)
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


#: A batch of work: indices into the job's list, and (sent to a fork server's workers, which
#: do not inherit the job) the items themselves.
Task = tuple[list[int], "list[Any] | None"]


def _items(task: Task, key: str) -> list[Any]:
    indices, items = task
    return items if items is not None else [_job[key][index] for index in indices]


def _run(function: Callable[[Task], Any], key: str, jobs: int, minimum: int,
         progress: Progress, stage: str, sizes: Callable[[Any], int], chunk: int = CHUNK,
         own_share: bool = False, ahead: int = 16) -> Iterator[Any]:
    """Apply ``function`` to batches of the job's list ``_job[key]``, in order, on a pool when
    worth it. With ``own_share``, forked workers are one fewer and this process does the
    batches they have not started, each worker having ``ahead`` batches queued (see
    :func:`_shared_with_pool`)."""
    count = len(_job[key])
    chunks = [list(range(start, min(start + chunk, count))) for start in range(0, count, chunk)]
    progress.stage(stage, count)
    pool = None
    frozen = False
    try:
        method = _start_method()
        if jobs <= 1 or count < minimum or method is None:
            results: Iterable[Any] = map(function, ((indices, None) for indices in chunks))
        elif method == "fork" and own_share:
            gc.freeze()  # this process works on too: its collector must not walk (and copy) the pages it shares
            frozen = True
            pool = ProcessPoolExecutor(max_workers=jobs - 1, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_worker_started, initargs=(os.getpid(),))
            results = _shared_with_pool(pool, function, chunks, jobs - 1, ahead)
        elif method == "fork":
            pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                       initializer=_worker_started, initargs=(os.getpid(),))
            results = pool.map(function, ((indices, None) for indices in chunks))
        else:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            shared = pickle.dumps({k: v for k, v in _job.items() if k != key}, protocol=pickle.HIGHEST_PROTOCOL)
            pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                                       initializer=_server_worker_started, initargs=(shared,))
            items = _job[key]
            results = pool.map(function, ((indices, [items[i] for i in indices]) for indices in chunks))
        for number, result in enumerate(results):
            check_stop()
            if number == 0:
                faults.point(stage.removesuffix("ing"))  # "read", "render"
            progress.advance(sizes(result))
            yield result
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if frozen:
            gc.unfreeze()  # what became garbage since (in cycles) can be collected again
        progress.finish()


def _shared_with_pool(pool: ProcessPoolExecutor, function: Callable[[Task], Any], chunks: list[list[int]],
                      workers: int, ahead: int = 16) -> Iterator[Any]:
    """The results of ``function`` on every batch, in order: the ``workers`` of ``pool`` take
    batches from the front, this process takes them from the back. A forked worker counts
    every page of the build it shares in its RSS; one worker fewer is a third less memory
    summed over the processes at the same speed. Each worker has ``ahead`` batches queued:
    many for short batches (pages), so that it never waits for this process; one for long
    ones (a photo each), so that this process is not left without any."""
    from concurrent.futures import FIRST_COMPLETED, wait

    futures: dict[int, Any] = {}
    done: dict[int, Any] = {}
    front, back, emitted = 0, len(chunks), 0
    while emitted < len(chunks):
        while front < back and len(futures) < ahead * workers:
            futures[front] = pool.submit(function, (chunks[front], None))
            front += 1
        for number in [n for n, future in futures.items() if future.done()]:
            done[number] = futures.pop(number).result()
        if front < back:
            back -= 1
            done[back] = function((chunks[back], None))
        elif emitted not in done:
            wait(list(futures.values()), return_when=FIRST_COMPLETED)
        while emitted in done:
            yield done.pop(emitted)
            emitted += 1


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


def _server_worker_started(shared: bytes) -> None:
    """In each worker of a fork server: the job's shared part; dies with the server, which
    ends when the build's process does."""
    _worker_started(os.getppid())
    _job.clear()
    _job.update(pickle.loads(shared))


def _start_method() -> str | None:
    """How to start workers: forked from this process while it runs no other thread, else from
    a fork server; None where neither exists (not POSIX): the work is done here."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" not in methods:
        return None
    if threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else None


# -- reading --------------------------------------------------------------------------


def read_articles(config: Config, todo: list[tuple[Path, str, os.stat_result]], jobs: int, progress: Progress,
                  keep: Callable[[Article], Article] = lambda article: article) -> list[Article | BuildFailed]:
    """Read the articles of ``todo``; ``keep`` runs on each record in the worker that read
    it (the build cache stores the body there, so that only a small record travels back)."""
    _job.clear()
    _job.update(config=config, keep=keep, todo=todo)
    try:
        results: list[Article | BuildFailed] = []
        for chunk in _run(_read_chunk, "todo", jobs, PARALLEL_READS, progress, "reading", len):
            results.extend(chunk)
        return results
    finally:
        _job.clear()


def _read_chunk(task: Task) -> list[Article | BuildFailed]:
    config: Config = _job["config"]
    keep: Callable[[Article], Article] = _job["keep"]
    renderer = _job.setdefault("markdown", Markdown())
    results: list[Article | BuildFailed] = []
    for path, key, _ in _items(task, "todo"):
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
        for chunk in _run(_photo_chunk, "photos", jobs, 2, progress, "making photos", len, chunk=1,
                          own_share=True, ahead=1):  # forked beside a build that holds the model: one worker fewer
            results.extend(chunk)
        return results
    finally:
        _job.clear()


def _photo_chunk(task: Task) -> list[str | None]:
    results: list[str | None] = []
    for source, wanted, folder in _items(task, "photos"):
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
        for chunk_errors, written, kept, _ in _run(_render_chunk, "pages", jobs, PARALLEL_PAGES, progress,
                                                   "rendering", lambda r: r[3], own_share=True):
            errors.extend(chunk_errors)
            if writer is not None:
                writer.written += written
                writer.kept += kept
        return errors
    finally:
        _job.clear()


def _render_chunk(task: Task) -> tuple[list[SiteError], int, int, int]:
    renderer: Renderer = _job["renderer"]
    writer: Writer | None = _job["writer"]
    errors: list[SiteError] = []
    written = kept = 0
    seen: set[str] = set()
    pages = _items(task, "pages")
    for page in pages:
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
    return errors, written, kept, len(pages)
