"""Live preview: build, serve on loopback, rebuild on save, reload every open tab.

* watchdog watches content/, templates/, static/ and site.toml; a burst of events
  from one save is settled (:data:`SETTLE`) into one rebuild, done on a worker thread
  while the server keeps serving the last good site.
* The site is built in a temporary folder; a rebuild renders only the pages whose
  fingerprint changed and moves each changed file in whole (write beside, then
  rename), so a browser never sees a half-written page. Articles whose files did not change are not
  read again (the build cache, kept in ``.cache/newsroom/preview`` between sessions).
* After each rebuild, livereload's WebSocket protocol tells every open page to reload.
  While the site has mistakes, every HTML page is served with an overlay listing
  them as ``path:line: field: message``; fixing them brings the site back by itself.
* The livereload script and the overlay are added to responses, never to files, so
  ``python build.py`` output never contains them.
"""

from __future__ import annotations

import errno
import html
import mimetypes
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .builder import Session, build
from .cache import BuildCache, cache_key
from .config import Config, load_config
from .errors import BuildFailed, SiteError
from .patch import index_pages, patch_articles

SETTLE = 0.05  # seconds without new events before a rebuild starts
IGNORED_SUFFIXES = (".swp", ".swx", ".tmp", "~", ".part", ".crdownload")


@dataclass(frozen=True)
class State:
    """What the server shows: the site folder (None before the first good build) and the
    mistakes of the last build."""

    root: Path | None
    errors: tuple[SiteError, ...] = ()


class Preview:
    """Builds the site into a temporary folder, replacing changed pages one by one."""

    def __init__(self, config_path: Path, *, base_url: str, drafts: bool, log: Callable[[str], None]):
        self.config_path = config_path
        self.base_url = base_url
        self.drafts = drafts
        self.log = log
        self.workdir = Path(tempfile.mkdtemp(prefix="newsroom-preview-"))
        self.site = self.workdir / "site"
        self.cache: BuildCache | None = None
        self.session = Session()
        self.config: Config | None = None
        self.state = State(root=None)
        self._lock = threading.Lock()
        self._closed = False
        self.jobs: int | None = None  # 1 once other threads run: forking then is not safe

    def rebuild(self, changed: set[Path] | None = None) -> State:
        """Rebuild after ``changed`` files (None: everything); returns the new state."""
        with self._lock:
            if self._closed:
                return self.state
            started = time.perf_counter()
            try:
                config = self._config(changed)
                assert self.cache is not None
                result = None
                if changed and self.session.model is not None:
                    result = patch_articles(config, self.cache, self.session, changed, self.site)
                if result is None:
                    result = build(config, preview=True, cache=self.cache, output=self.site, jobs=self.jobs,
                                   session=self.session)
                    self.session.refs = index_pages(self.session.model.pages) if self.session.model else None
            except BuildFailed as failed:
                self.state = State(self.state.root, failed.errors)
                for error in failed.errors:
                    self.log(f"  {error}")
                self.log(f"build failed: {len(failed.errors)} error{'s' if len(failed.errors) != 1 else ''}; "
                         "the preview shows them until they are fixed")
                return self.state
            self.state = State(self.site, ())
            seconds = time.perf_counter() - started
            self.log(f"built {result.pages} pages from {result.articles} articles in {seconds:.2f} s "
                     f"({result.articles_read} read, {result.pages_rendered} rendered, "
                     f"{result.files_written} files changed)")
            return self.state

    def _config(self, changed: set[Path] | None) -> Config:
        if self.config is None or changed is None or self.config_path.resolve() in changed:
            config = load_config(self.config_path, base_url=self.base_url, drafts=self.drafts)
            if self.cache is not None:
                self.cache.save(force=True)
            self.cache = BuildCache.open(_cache_folder(config), cache_key(config), config.root)
            self.cache.forget_outputs()  # they describe the folder of another session or config
            self.session = Session()
            self.cache.autosave = False  # saving a large cache on every keystroke costs more than it saves
            self.config = config
        return self.config

    def close(self) -> None:
        """Keep the cache for next time and remove the temporary folder (waits for a rebuild)."""
        with self._lock:
            self._closed = True
            if self.cache is not None:
                self.cache.save(force=True)
            shutil.rmtree(self.workdir, ignore_errors=True)


def _cache_folder(config: Config) -> Path:
    return config.root / ".cache" / "newsroom" / "preview"


# -- watching -------------------------------------------------------------------------------


class Watcher:
    """watchdog events -> settled batches of changed paths -> ``on_change(paths)`` on a worker."""

    def __init__(self, folders: list[Path], files: list[Path], on_change: Callable[[set[Path]], None]):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self.on_change = on_change
        self.files = {f.resolve() for f in files}
        self.folders = sorted({f.resolve() for f in folders if f.is_dir()})
        self._pending: set[Path] = set()
        self._last = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:  # noqa: ANN001 - watchdog's event type
                if event.event_type in ("opened", "closed_no_write") or (
                        event.is_directory and event.event_type in ("modified", "closed")):
                    return  # reads, and a folder's own mtime, which moves with every file in it
                for raw in (event.src_path, getattr(event, "dest_path", "")):
                    if raw:
                        watcher.notice(Path(raw if isinstance(raw, str) else raw.decode()))

        self.observer = Observer()
        handler = Handler()
        for folder in self.folders:
            self.observer.schedule(handler, str(folder), recursive=True)
        for parent in {f.parent for f in self.files}:
            self.observer.schedule(handler, str(parent), recursive=False)
        self.thread = threading.Thread(target=self._run, name="newsroom-rebuild", daemon=True)

    def notice(self, path: Path) -> None:
        name = path.name
        if name.startswith((".#", "#")) or name.endswith(IGNORED_SUFFIXES) or "/.git/" in path.as_posix():
            return
        path = path.resolve()
        if path not in self.files and not any(path.is_relative_to(f) for f in self.folders):
            return  # another file beside site.toml
        self._pending.add(path)
        self._last = time.monotonic()
        self._wake.set()

    def start(self) -> None:
        self.observer.start()
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.is_set():
                return
            while time.monotonic() - self._last < SETTLE:  # let the burst of one save settle
                time.sleep(SETTLE / 4)
            self._wake.clear()
            batch, self._pending = self._pending, set()
            if batch:
                self.on_change(batch)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self.observer.stop()
        self.observer.join(timeout=5)


# -- serving ----------------------------------------------------------------------------


def overlay(errors: tuple[SiteError, ...]) -> str:
    """The error overlay put over every page while the site has mistakes."""
    lines = "\n".join(html.escape(str(e)) for e in errors)
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    return (
        '<div id="newsroom-errors" role="alert" style="position:fixed;inset:0;z-index:2147483647;'
        "overflow:auto;margin:0;padding:2rem;background:rgba(25,25,28,.96);color:#fff;"
        'font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace">'
        f'<h1 style="font-size:1.3rem;margin:0 0 1rem;color:#ff8787">Build failed: {count}</h1>'
        f'<pre style="white-space:pre-wrap;margin:0 0 1rem">{lines}</pre>'
        "<p>Fix the file and save: this page reloads by itself.</p></div>"
    )


ERROR_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Build failed - newsroom preview</title></head>
<body></body></html>
"""


def make_app(preview: Preview, port: int):  # noqa: ANN201 - tornado's Application
    from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
    from livereload.watcher import Watcher as LiveWatcher
    from tornado import web

    LiveReloadHandler.watcher = LiveWatcher()  # only read for its log lines; we decide when to reload
    script = f'<script src="/livereload.js?port={port}"></script>'.encode()

    class Page(web.RequestHandler):
        def compute_etag(self) -> None:
            return None

        def get(self, path: str) -> None:
            state = preview.state
            status, body, kind = 200, None, "text/html"
            if state.root is not None:
                file = _resolve(state.root, path)
                if file is None:
                    status, file = 404, state.root / "404.html"
                if file.is_file():
                    body = file.read_bytes()
                    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if body is None:
                status, body = (500, ERROR_PAGE.encode()) if state.errors else (404, b"Not found")
                kind = "text/html" if state.errors else "text/plain"
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
    """The file serving URL ``path`` inside ``root``, or None (never outside ``root``)."""
    from urllib.parse import unquote

    parts = [p for p in unquote(path).split("/") if p]
    if any(p in (".", "..") or "\\" in p for p in parts):
        return None
    file = root.joinpath(*parts)
    if file.is_dir():
        if path and not path.endswith("/"):
            return None
        file = file / "index.html"
    return file if file.is_file() else None


def _after_body(page: bytes, fragment: bytes) -> bytes:
    start = page.find(b"<body")
    end = page.find(b">", start) if start >= 0 else -1
    return page[: end + 1] + fragment + page[end + 1 :] if end >= 0 else fragment + page


def serve(config_path: Path, *, host: str, port: int, drafts: bool, quiet: bool = False) -> int:
    """Run the preview server until Ctrl-C; returns the exit code."""
    import logging
    import signal

    from livereload.handlers import LiveReloadHandler
    from tornado.ioloop import IOLoop

    def log(line: str) -> None:
        problem = line.startswith("  ") or "failed" in line
        if problem or not quiet:
            print(line, file=sys.stderr if problem else sys.stdout, flush=True)

    try:  # read the config once to learn the folders to watch
        first = load_config(config_path)
    except BuildFailed as failed:
        for error in failed.errors:
            print(error, file=sys.stderr)
        print(f"serve failed: {len(failed.errors)} error(s) in the config", file=sys.stderr)
        return 1

    logging.getLogger("tornado.access").setLevel(logging.ERROR)  # a 404 in preview is not news
    display_host = f"[{host}]" if ":" in host else host
    url = f"http://{display_host}:{port}/"
    preview = Preview(config_path, base_url=url, drafts=drafts, log=log)
    loop = IOLoop.current()
    app = make_app(preview, port)
    try:
        server = app.listen(port, address=host)
    except OSError as exc:
        preview.close()
        if exc.errno == errno.EADDRINUSE:
            print(f"serve failed: port {port} on {host} is already in use; choose another with --port",
                  file=sys.stderr)
        else:
            print(f"serve failed: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        return 1

    preview.rebuild()
    preview.jobs = 1

    def changed(paths: set[Path]) -> None:
        shown = ", ".join(sorted(first.relpath(p) for p in paths)[:3]) + (" ..." if len(paths) > 3 else "")
        log(f"changed: {shown}")
        preview.rebuild(paths)
        loop.add_callback(LiveReloadHandler.reload_waiters, "/")

    folders = [first.dir("content"), first.dir("templates"), first.dir("static")]
    watcher = Watcher(folders, [config_path.resolve()], changed)
    watcher.start()
    log(f"serving {url} with live reload (drafts {'shown' if drafts else 'hidden'}); Ctrl-C to stop")

    for signum in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C and kill end the loop, then clean up
        loop.asyncio_loop.add_signal_handler(signum, loop.stop)
    try:
        loop.start()
    finally:
        watcher.stop()
        server.stop()
        preview.close()
    log("stopped")
    return 0


