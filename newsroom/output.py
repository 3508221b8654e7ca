"""Write a build beside the output folder, then swap it in whole.

A build is written into ``.public.staging-PID`` next to ``public/``. A file whose
bytes did not change is hard-linked from the previous output, so it keeps its mtime
and inode (cheap deploys, cheap builds). Only when everything is written does
:meth:`Output.commit` swap the folders; a failure or Ctrl-C before that removes the
staging folder and leaves the previous output byte-identical. Two files claiming one
path, or a path that would leave the folder, are errors.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import TracebackType

from .errors import BuildFailed, SiteError

IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", ".git", ".gitkeep"})


class Output:
    """Stage a build for ``final``; unchanged files are linked from ``previous`` (default: ``final``)."""

    def __init__(self, final: Path, previous: Path | None = None):
        self.final = final
        self.previous = previous if previous is not None else final
        self.staging = final.parent / f".{final.name}.staging-{os.getpid()}"
        self.owners: dict[str, str] = {}
        self.errors: list[SiteError] = []
        self.written = 0  # files whose bytes changed
        self.kept = 0  # files linked unchanged from the previous output

    def __enter__(self) -> Output:
        recover(self.final)
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.staging.exists():  # not committed: throw the half-made build away
            shutil.rmtree(self.staging, ignore_errors=True)

    def _claim(self, relative: str, owner: str) -> Path | None:
        parts = relative.split("/")
        if not relative or relative.startswith("/") or any(p in ("", ".", "..") for p in parts):
            self.errors.append(SiteError(owner, None, None, f"output path {relative!r} would leave the output folder"))
            return None
        other = self.owners.setdefault(relative, owner)
        if other != owner:
            self.errors.append(SiteError(owner, None, None, f"{relative} is also written by {other}"))
            return None
        target = self.staging.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, relative: str, data: bytes, owner: str) -> None:
        """Write ``data`` at ``relative`` ('/'-separated), reusing an identical old file."""
        target = self._claim(relative, owner)
        if target is None:
            return
        previous = self.previous.joinpath(*relative.split("/"))
        try:
            if previous.stat().st_size == len(data) and previous.read_bytes() == data:
                os.link(previous, target)
                self.kept += 1
                return
        except OSError:
            pass
        target.write_bytes(data)
        self.written += 1

    def copy(self, relative: str, source: Path, owner: str) -> None:
        """Copy a file, linking the previous output's copy when size and mtime match."""
        target = self._claim(relative, owner)
        if target is None:
            return
        previous = self.previous.joinpath(*relative.split("/"))
        try:
            old, new = previous.stat(), source.stat()
            if old.st_size == new.st_size and int(old.st_mtime) == int(new.st_mtime):
                os.link(previous, target)
                self.kept += 1
                return
        except OSError:
            pass
        shutil.copy2(source, target)
        self.written += 1

    def copy_tree(self, folder: Path, shown: str) -> None:
        """Copy every file below ``folder`` to the same place in the output."""
        if not folder.is_dir():
            return
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in IGNORED_NAMES)
            for name in sorted(files):
                if name in IGNORED_NAMES:
                    continue
                source = Path(root, name)
                relative = source.relative_to(folder).as_posix()
                self.copy(relative, source, f"{shown}/{relative}")

    def commit(self) -> None:
        """Swap the staging folder in; raises :class:`BuildFailed` if any write was refused."""
        if self.errors:
            raise BuildFailed(self.errors)
        old = self.final.parent / f".{self.final.name}.old-{os.getpid()}"
        if self.final.exists():
            os.rename(self.final, old)
        os.rename(self.staging, self.final)
        shutil.rmtree(old, ignore_errors=True)


def recover(final: Path) -> None:
    """Clean up after a build that was killed: restore or drop its leftovers."""
    parent = final.parent
    if not parent.is_dir():
        return
    for leftover in sorted(parent.glob(f".{final.name}.old-*")):
        if not final.exists():
            os.rename(leftover, final)  # killed between the two renames of commit()
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for leftover in parent.glob(f".{final.name}.staging-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and _alive(int(pid))):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
