"""File events -> settled batches of changes, for the live preview.

watchdog reports every event of every save; :class:`Watcher` drops what is no change
(:func:`ignored_change`: editors' temporary files, ``.git``), waits until a burst has
been quiet for :data:`SETTLE`, and hands the batch to ``on_change`` on its own thread.
Nothing that a batch or an event raises ends the watching.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .files import is_editor_temporary

SETTLE = 0.05  # seconds without new events before a rebuild starts


def ignored_change(path: Path) -> bool:
    """The one rule for file events that are not changes: editors' temporaries, and ``.git``."""
    return is_editor_temporary(path.name) or ".git" in path.parts


class Watcher:
    """watchdog events -> settled batches of changed paths -> ``on_change(paths)`` on a worker.

    Whatever ``on_change`` or the handling of an event raises goes to ``on_error`` and
    the watching goes on; after a KeyboardInterrupt or SystemExit the worker ends.
    """

    def __init__(self, folders: list[Path], files: list[Path], on_change: Callable[[set[Path]], None],
                 on_error: Callable[[BaseException], None]):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self.on_change = on_change
        self.on_error = on_error
        self.files = {f.resolve() for f in files}
        self.folders = sorted({f.resolve() for f in folders if f.is_dir()})
        self._pending: set[Path] = set()
        self._last = 0.0
        self._lock = threading.Lock()  # _pending is filled by watchdog's thread and emptied by the worker
        self._wake = threading.Event()
        self._stop = threading.Event()
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:  # noqa: ANN001 - watchdog's event type
                if event.event_type in ("opened", "closed_no_write") or (
                        event.is_directory and event.event_type in ("modified", "closed")):
                    return  # reads, and a folder's own mtime, which moves with every file in it
                try:
                    for raw in (event.src_path, getattr(event, "dest_path", "")):
                        if raw:
                            watcher.notice(Path(raw if isinstance(raw, str) else os.fsdecode(raw)))
                except Exception as exc:  # raised here, it would end watchdog's thread: no more events
                    watcher.on_error(exc)

        self.observer = Observer()
        handler = Handler()
        for folder in self.folders:
            self.observer.schedule(handler, str(folder), recursive=True)
        for parent in {f.parent for f in self.files}:
            self.observer.schedule(handler, str(parent), recursive=False)
        self.thread = threading.Thread(target=self._run, name="newsroom-rebuild", daemon=True)

    def notice(self, path: Path) -> None:
        """Add ``path`` to the next batch, unless it is no change (:func:`ignored_change`) or
        is not watched (another file beside site.toml)."""
        if ignored_change(path):
            return
        path = self._watched(path)
        if path is None:
            return
        with self._lock:
            self._pending.add(path)
            self._last = time.monotonic()
            self._wake.set()

    def _watched(self, path: Path) -> Path | None:
        """``path`` as the rebuild knows it (site.toml resolved; a file in a folder by its own
        name, even a symlink that leads elsewhere), or None if it is not watched."""
        real = _real(path)
        if real in self.files:
            return real
        near = _real(path.parent) / path.name
        return near if any(near.is_relative_to(f) for f in self.folders) else None

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
            batch = self._take()
            if batch and not self._deliver(batch):
                return

    def _take(self) -> set[Path]:
        """The pending paths; events from now on make the next batch."""
        with self._lock:
            self._wake.clear()
            batch, self._pending = self._pending, set()
        return batch

    def _deliver(self, batch: set[Path]) -> bool:
        """``on_change(batch)``; False when the worker must end (KeyboardInterrupt, SystemExit)."""
        try:
            self.on_change(batch)
        except Exception as exc:  # reported; the next change is handled as usual
            self.on_error(exc)
        except BaseException as exc:
            self.on_error(exc)
            return False
        return True

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self.observer.stop()
        if self.observer.is_alive():
            self.observer.join(timeout=5)


def _real(path: Path) -> Path:
    """``path`` resolved, or only made absolute when it is a symlink loop."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError before Python 3.13
        return path.absolute()
