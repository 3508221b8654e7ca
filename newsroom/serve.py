"""Live preview: build, serve on loopback, rebuild on save, reload every open tab.

* watchdog watches content/, templates/, static/ and site.toml; a burst of events
  from one save is settled (:data:`newsroom.watch.SETTLE`) into one rebuild, done on a worker thread
  while the server keeps serving the last good site. Editors' temporary files
  (:func:`is_editor_temporary`) are not changes.
* The site is built in a temporary folder; a rebuild renders only the pages whose
  fingerprint changed and moves each changed file in whole (write beside, then
  rename), so a browser never sees a half-written page. Articles whose files did not change are not
  read again (the build cache, kept in ``.cache/newsroom/preview`` between sessions).
* After each rebuild, livereload's WebSocket protocol tells every open page to reload.
  While the site has mistakes, every HTML page is served with an overlay listing
  them as ``path:line: field: message``; fixing them brings the site back by itself.
* Nothing a save does stops the server: an unexpected exception during a rebuild is
  reported on stderr, the last good site stays up, and the next change is built anew.
* Only files inside the preview folder are served, whatever the URL or a symlink says.
* The livereload script and the overlay are added to responses, never to files, so
  ``python build.py`` output never contains them.
"""

from __future__ import annotations

import errno
import html
import mimetypes
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from . import workers
from .builder import BuildResult, build
from .cache import BuildCache, cache_key
from .config import Config, load_config
from .errors import BuildFailed, SiteError, count
from .incremental import Session
from .patch import patch_articles
from .restructure import restructure_preview
from .watch import Watcher


@dataclass(frozen=True)
class PreviewState:
    """What the server shows: the site folder (None before the first good build) and the
    mistakes of the last build."""

    root: Path | None
    errors: tuple[SiteError, ...] = ()


class Preview:
    """Builds the site into a temporary folder, replacing changed pages one by one.

    ``log`` gets progress lines, ``warn`` (default: ``log``) mistakes and problems.
    """

    def __init__(self, config_path: Path, *, base_url: str, drafts: bool, log: Callable[[str], None],
                 warn: Callable[[str], None] | None = None):
        self.config_path = config_path
        self.base_url = base_url
        self.drafts = drafts
        self.log = log
        self.warn = warn or log
        self.workdir = Path(tempfile.mkdtemp(prefix="newsroom-preview-"))
        self.site = self.workdir / "site"
        self.cache: BuildCache | None = None
        self.session = Session(search=self.workdir / "search")
        self.config: Config | None = None
        self.state = PreviewState(root=None)
        self._lock = threading.Lock()
        self._closed = False
        self.jobs: int | None = None  # one per core (with threads running, workers come from a fork server)

    def rebuild(self, changed: set[Path] | None = None) -> PreviewState:
        """Rebuild after ``changed`` files (None: everything); returns the new state.

        Mistakes in the site are shown over the last good site; any other exception is
        reported and the last good site stays as it is, until the next rebuild.
        KeyboardInterrupt and SystemExit go up: they stop the server.
        """
        with self._lock:
            if self._closed:
                return self.state
            started = time.perf_counter()
            try:
                result = self._build(changed)
            except BuildFailed as failed:
                self._show_errors(failed)
                return self.state
            except Exception as exc:  # a file gone mid-build, a bug: the preview must live on
                self._internal_error(exc)
                return self.state
            self.state = PreviewState(self.site, ())
            for warning in result.warnings:
                self.warn(f"  {warning}")
            seconds = time.perf_counter() - started
            self.log(f"built {result.pages} pages from {result.articles} articles in {seconds:.2f} s "
                     f"({result.articles_read} read, {result.pages_rendered} rendered, "
                     f"{result.files_written} files changed)")
            return self.state

    def _build(self, changed: set[Path] | None) -> BuildResult:
        """The quick paths of :mod:`newsroom.patch` and :mod:`newsroom.restructure` when one
        applies, else a full (incremental) build."""
        config = self._config(changed)
        assert self.cache is not None
        try:
            if changed and self.session.model is not None:
                result = patch_articles(config, self.cache, self.session, changed, self.site)
                if result is None:
                    result = restructure_preview(config, self.cache, self.session, changed, self.site)
                if result is not None:
                    return result
            return build(config, preview=True, cache=self.cache, output=self.site, jobs=self.jobs,
                         session=self.session)
        except BaseException:
            # build() fills the session before it is done, and a quick path that failed knows only
            # its own changes: the next rebuild looks at every file (those of this batch too)
            self.session.forget()
            raise

    def _show_errors(self, failed: BuildFailed) -> None:
        self.state = PreviewState(self.state.root, failed.errors)
        for error in failed.errors:
            self.warn(f"  {error}")
        self.warn(f"build failed: {count(len(failed.errors), 'error')}; "
                  "the preview shows them until they are fixed")

    def _internal_error(self, exc: Exception) -> None:
        """Report an unexpected exception; the next rebuild starts over from the config, as
        whatever this one left half done (session, cache, output) is not to be trusted."""
        self.config = None
        keeps = ("the preview keeps the last good site" if self.state.root is not None
                 else "the preview has no site to show until a change builds it")
        report_exception(self.warn, exc, f"internal error during rebuild: {type(exc).__name__}: {exc}; {keeps}")

    def _config(self, changed: set[Path] | None) -> Config:
        if self.config is None or changed is None or self.config_path.resolve() in changed:
            config = load_config(self.config_path, base_url=self.base_url, drafts=self.drafts, future=True)
            self._save_cache()
            self.cache = BuildCache.open(_cache_folder(config), cache_key(config), config.root)
            self.cache.forget_outputs()  # they describe the folder of another session or config
            self.session = Session(search=self.workdir / "search")
            self.cache.autosave = False  # saving a large cache on every keystroke costs more than it saves
            self.config = config
        return self.config

    def _save_cache(self) -> None:
        """Keep the cache for next time; one that cannot be written only makes next time slower."""
        if self.cache is None:
            return
        try:
            self.cache.save(force=True)
        except OSError as exc:
            self.warn(f"saving the preview cache failed: {exc}; the next start reads every article again")

    def close(self) -> None:
        """Keep the cache for next time and remove the temporary folder (waits for a rebuild)."""
        with self._lock:
            self._closed = True
            try:
                self._save_cache()
            finally:
                shutil.rmtree(self.workdir, ignore_errors=True)


def _cache_folder(config: Config) -> Path:
    return config.root / ".cache" / "newsroom" / "preview"


# -- serving ----------------------------------------------------------------------------


def overlay(errors: tuple[SiteError, ...]) -> str:
    """The error overlay put over every page while the site has mistakes."""
    lines = "\n".join(html.escape(str(e)) for e in errors)
    counted = count(len(errors), "error")
    return (
        '<div id="newsroom-errors" role="alert" style="position:fixed;inset:0;z-index:2147483647;'
        "overflow:auto;margin:0;padding:2rem;background:rgba(25,25,28,.96);color:#fff;"
        'font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace">'
        f'<h1 style="font-size:1.3rem;margin:0 0 1rem;color:#ff8787">Build failed: {counted}</h1>'
        f'<pre style="white-space:pre-wrap;margin:0 0 1rem">{lines}</pre>'
        "<p>Fix the file and save: this page reloads by itself.</p></div>"
    )


ERROR_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Build failed - newsroom preview</title></head>
<body></body></html>
"""
NO_SITE = b"No site to show yet: the first build stopped on an internal error (see the terminal).\n"


def make_app(preview: Preview, port: int):  # noqa: ANN201 - tornado's Application
    from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
    from livereload.watcher import Watcher as LiveWatcher
    from tornado import web

    LiveReloadHandler.watcher = LiveWatcher()  # only read for its log lines; we decide when to reload
    script = f'<script src="/livereload.js?port={port}"></script>'.encode()

    class Page(web.RequestHandler):
        def compute_etag(self) -> None:
            return None

        def get(self, path: str) -> None:  # ``path`` is percent-decoded (once) by Tornado
            state = preview.state
            status, body, kind = 200, None, "text/html"
            if state.root is not None:
                file, body = _read(state.root, path)
                if body is None and path and not path.endswith("/") and _read(state.root, path + "/")[1] is not None:
                    from urllib.parse import quote  # /changzhi -> /changzhi/, as static hosts do; never //host

                    self.redirect("/" + quote("/".join(p for p in path.split("/") if p)) + "/")
                    return
                if body is None:
                    status, (file, body) = 404, _read(state.root, "404.html")
                if file is not None and body is not None:
                    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if body is None:
                if state.errors:
                    status, body = 500, ERROR_PAGE.encode()
                elif state.root is None:
                    status, body, kind = 500, NO_SITE, "text/plain"
                else:
                    status, body, kind = 404, b"Not found", "text/plain"
            if kind == "text/html":
                body = body.replace(b"</head>", script + b"</head>", 1)
                if state.errors:
                    body = _after_body(body, overlay(state.errors).encode())
                kind += "; charset=utf-8"
            self.set_status(status)
            self.set_header("Content-Type", kind)
            self.set_header("Cache-Control", "no-store")
            self.write(body)

    return web.Application([
        (r"/livereload", LiveReloadHandler),
        (r"/livereload.js", LiveReloadJSHandler),
        (r"/(.*)", Page),
    ])


def _resolve(root: Path, path: str) -> Path | None:
    """The file serving the (decoded) URL path ``path`` inside ``root``, or None.

    Never a file outside ``root``: ``.`` and ``..`` segments, backslashes and control
    characters (NUL among them) are refused, and the real path, symlinks followed,
    must stay inside the real ``root``. A folder is served by its ``index.html`` when
    the URL ends with ``/``.
    """
    if "\\" in path or any(ord(c) < 32 or ord(c) == 127 for c in path):
        return None
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") for p in parts):
        return None
    top = root.resolve()
    try:
        file = top.joinpath(*parts)
        if file.is_dir():
            if path and not path.endswith("/"):
                return None
            file = file / "index.html"
        real = file.resolve()
        return real if real.is_relative_to(top) and real.is_file() else None
    except (OSError, RuntimeError, ValueError):  # a name too long; a symlink loop (RuntimeError before 3.13)
        return None


def _read(root: Path, path: str) -> tuple[Path | None, bytes | None]:
    """The file serving ``path`` (see :func:`_resolve`) and its bytes, or None for both;
    a file that a rebuild deletes meanwhile is not there."""
    file = _resolve(root, path)
    if file is None:
        return None, None
    try:
        return file, file.read_bytes()
    except OSError:
        return None, None


def _after_body(page: bytes, fragment: bytes) -> bytes:
    start = page.find(b"<body")
    end = page.find(b">", start) if start >= 0 else -1
    return page[: end + 1] + fragment + page[end + 1 :] if end >= 0 else fragment + page


def serve(config_path: Path, *, host: str, port: int, drafts: bool, quiet: bool = False) -> int:
    """Run the preview server until Ctrl-C; returns the exit code."""
    import logging

    def log(line: str) -> None:
        if not quiet:
            _say(line, sys.stdout)

    def warn(line: str) -> None:  # mistakes and problems, shown even with --quiet
        _say(line, sys.stderr)

    try:  # read the config once to learn the folders to watch
        first = load_config(config_path)
    except BuildFailed as failed:
        for error in failed.errors:
            print(error, file=sys.stderr)
        print(f"serve failed: {count(len(failed.errors), 'error')} in the config", file=sys.stderr)
        return 1

    logging.getLogger("tornado.access").setLevel(logging.ERROR)  # a 404 in preview is not news
    display_host = f"[{host}]" if ":" in host else host
    url = f"http://{display_host}:{port}/"
    preview: Preview | None = None
    with _stop_requests():  # until the loop handles them, Ctrl-C and kill stop the first build at its next step
        try:  # however it ends, the temporary folder goes
            preview = Preview(config_path, base_url=url, drafts=drafts, log=log, warn=warn)
            server = _listen(make_app(preview, port), host, port, warn)
            if server is None:
                return 1
            try:
                code = _run(preview, first, url, log, warn)
            finally:
                server.stop()
        except KeyboardInterrupt:  # the first build stopped (workers.check_stop)
            code = 0
        finally:
            if preview is not None:
                preview.close()
    log("stopped")
    return code


def _listen(app, host: str, port: int, warn: Callable[[str], None]):  # noqa: ANN001, ANN202 - tornado's types
    """Tornado's HTTP server on ``host:port``, or None after a one-line error."""
    try:
        return app.listen(port, address=host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            warn(f"serve failed: port {port} on {host} is already in use; choose another with --port")
        else:
            warn(f"serve failed: cannot listen on {host}:{port}: {exc.strerror}")
        return None


def _run(preview: Preview, first: Config, url: str, log: Callable[[str], None],
         warn: Callable[[str], None]) -> int:
    """The first build, then a rebuild after every change, serving until Ctrl-C or kill."""
    from livereload.handlers import LiveReloadHandler
    from tornado.ioloop import IOLoop

    loop = IOLoop.current()
    preview.rebuild()
    for signum in (signal.SIGINT, signal.SIGTERM):  # from now on Ctrl-C and kill end the loop, then clean up
        loop.asyncio_loop.add_signal_handler(signum, loop.stop)
    workers.check_stop()  # Ctrl-C during the first build, too late for the build to see it
    code = 0

    def changed(paths: set[Path]) -> None:
        log(f"changed: {_names(first, paths)}")
        preview.rebuild(paths)
        loop.add_callback(LiveReloadHandler.reload_waiters, "/")

    def trouble(exc: BaseException) -> None:
        nonlocal code
        if isinstance(exc, Exception):
            report_exception(warn, exc, f"internal error while watching files: {type(exc).__name__}: {exc}; "
                                        "the preview goes on")
        else:  # KeyboardInterrupt, SystemExit: stop, rather than serve on without rebuilds
            warn(f"serve failed: {type(exc).__name__} during a rebuild; stopping")
            code = 1
            loop.add_callback(loop.stop)

    folders = [first.dir("content"), first.dir("templates"), first.dir("static")]
    watcher = Watcher(folders, [preview.config_path.resolve()], changed, trouble)
    watcher.start()
    try:
        log(f"serving {url} with live reload (drafts {'shown' if preview.drafts else 'hidden'}); Ctrl-C to stop")
        loop.start()
    finally:
        watcher.stop()
    return code


def _names(config: Config, paths: set[Path]) -> str:
    """The first three of ``paths`` (resolved already), relative to the site folder when inside it."""
    root = config.root.resolve()
    names = sorted(p.relative_to(root).as_posix() if p.is_relative_to(root) else str(p) for p in paths)
    return ", ".join(names[:3]) + (" ..." if len(names) > 3 else "")


@contextmanager
def _stop_requests() -> Iterator[None]:
    """Make Ctrl-C and kill (SIGTERM) ask the build to stop at its next step, as they do for
    ``build.py`` (:func:`newsroom.workers.request_stop`); while the loop runs, its own
    handlers take over."""

    def stop(signum: int, frame: object) -> None:
        workers.request_stop()

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def report_exception(warn: Callable[[str], None], exc: BaseException, message: str) -> None:
    """An unexpected exception: its traceback, indented, then ``message``."""
    for line in "".join(traceback.format_exception(exc)).rstrip("\n").splitlines():
        warn(f"  {line}")
    warn(message)


def _say(line: str, stream: TextIO) -> None:
    """Print a log line; a file name that is not valid text (not UTF-8 on disk) is escaped."""
    encoding = stream.encoding or "utf-8"
    try:
        line.encode(encoding)
    except UnicodeEncodeError:
        line = line.encode(encoding, "backslashreplace").decode(encoding)
    print(line, file=stream, flush=True)
