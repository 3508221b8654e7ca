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


class Writer:
    """Puts files into the staging folder; small and picklable, so workers can use it.

    ``in_place``: the staging folder is the live folder; each file is replaced whole.
    """

    def __init__(self, staging: Path, previous: Path, in_place: bool = False):
        self.staging = staging
        self.previous = previous
        self.in_place = in_place
        self.written = 0  # files whose bytes changed
        self.kept = 0  # files linked unchanged from the previous output
        self._folders: set[str] = set()

    def _target(self, relative: str) -> Path:
        folder, _, _ = relative.rpartition("/")
        if folder not in self._folders:
            (self.staging / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        return self.staging / relative

    def put(self, relative: str, data: bytes) -> bool:
        """Write ``data``, or link the previous output's identical file; True if the bytes are new."""
        target = self._target(relative)
        previous = self.previous / relative
        try:
            if previous.stat().st_size == len(data) and previous.read_bytes() == data:
                if not self.in_place:
                    os.link(previous, target)
                return False
        except OSError:
            pass
        if self.in_place:
            temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, target)
        else:
            target.write_bytes(data)
        return True

    def link(self, relative: str) -> bool:
        """Link the previous output's file unchanged; False if there is none."""
        if self.in_place:
            return (self.staging / relative).is_file()
        try:
            os.link(self.previous / relative, self._target(relative))
        except FileNotFoundError:
            return False
        return True


class Output:
    """Stage a build for ``final``; unchanged files are linked from ``previous`` (default: ``final``).

    ``in_place`` (the preview server's mode) updates ``final`` itself instead, replacing
    each changed file whole and deleting stale ones at commit: no folder-wide copy.
    """

    def __init__(self, final: Path, previous: Path | None = None, in_place: bool = False):
        self.final = final
        self.in_place = in_place
        self.staging = final if in_place else final.parent / f".{final.name}.staging-{os.getpid()}"
        self._writer = Writer(self.staging, previous if previous is not None else final, in_place)
        self.owners: dict[str, str] = {}
        self.errors: list[SiteError] = []

    @property
    def written(self) -> int:
        return self._writer.written

    @property
    def kept(self) -> int:
        return self._writer.kept

    def __enter__(self) -> Output:
        if self.in_place:
            self.final.mkdir(parents=True, exist_ok=True)
            return self
        recover(self.final)
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self.in_place and self.staging.exists():  # not committed: throw the half-made build away
            shutil.rmtree(self.staging, ignore_errors=True)

    def writer(self) -> Writer:
        return self._writer

    def claim(self, relative: str, owner: str) -> str | None:
        """Reserve an output path for ``owner``; None (and an error) if it is taken or unsafe."""
        parts = relative.split("/")
        if not relative or relative.startswith("/") or any(p in ("", ".", "..") for p in parts):
            self.errors.append(SiteError(owner, None, None, f"output path {relative!r} would leave the output folder"))
            return None
        other = self.owners.setdefault(relative, owner)
        if other != owner:
            self.errors.append(SiteError(owner, None, None, f"{relative} is also written by {other}"))
            return None
        return relative

    def write(self, relative: str, data: bytes, owner: str) -> None:
        """Write ``data`` at ``relative`` ('/'-separated), reusing an identical old file."""
        if self.claim(relative, owner) is not None:
            if self._writer.put(relative, data):
                self._writer.written += 1
            else:
                self._writer.kept += 1

    def link(self, relative: str) -> bool:
        """Reuse the previous output's file (already claimed); False if there is none."""
        if self._writer.link(relative):
            self._writer.kept += 1
            return True
        return False

    def copy(self, relative: str, source: Path, owner: str) -> None:
        """Copy a file, linking the previous output's copy when size and mtime match."""
        if self.claim(relative, owner) is None:
            return
        target = self._writer._target(relative)
        previous = self._writer.previous / relative
        try:
            old, new = previous.stat(), source.stat()
            if old.st_size == new.st_size and int(old.st_mtime) == int(new.st_mtime):
                if not self.in_place:
                    os.link(previous, target)
                self._writer.kept += 1
                return
        except OSError:
            pass
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp") if self.in_place else target
        shutil.copy2(source, temporary)
        if self.in_place:
            os.replace(temporary, target)
        self._writer.written += 1

    def commit(self, stale: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        """Swap the staging folder in; raises :class:`BuildFailed` if any write was refused.

        In place, the files named in ``stale`` (output paths of the last build that this
        one does not have) are deleted instead.
        """
        if self.errors:
            raise BuildFailed(self.errors)
        if self.in_place:
            for relative in stale - self.owners.keys():
                (self.final / relative).unlink(missing_ok=True)
            return
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
