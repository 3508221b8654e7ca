"""Write a build so that the output folder only ever holds a whole build.

Two ways, chosen by whether the output folder exists:

* **fresh** — everything is written into ``.public.staging-PID`` beside ``public/``,
  which is renamed into place at the end.
* **update** — only files whose bytes changed are written into the staging folder;
  unchanged files are not touched (they keep their mtime: cheap deploys). At the end a
  journal listing the files to move in and the stale files to delete is written, then
  applied; a build killed while applying it is finished by the next one (see
  :func:`recover`), so the folder never stays half old, half new.

Until :meth:`Output.commit`, the output folder is not touched: a failed, interrupted or
killed build leaves it byte-identical. Two files claiming one path, or a path that
would leave the folder, are errors.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from .errors import BuildFailed, SiteError


class Writer:
    """Puts new or changed files into the staging folder; small and picklable, for workers."""

    def __init__(self, staging: Path, final: Path, fresh: bool):
        self.staging = staging
        self.final = final
        self.fresh = fresh
        self.written = 0  # files whose bytes are new
        self.kept = 0  # files left as they were
        self._folders: set[str] = set()

    def _target(self, relative: str) -> Path:
        folder, _, _ = relative.rpartition("/")
        if folder not in self._folders:
            (self.staging / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        return self.staging / relative

    def put(self, relative: str, data: bytes) -> bool:
        """Stage ``data`` unless the output already has these bytes; True if staged."""
        if not self.fresh:
            try:
                current = self.final / relative
                if current.stat().st_size == len(data) and current.read_bytes() == data:
                    return False
            except OSError:
                pass
        self._target(relative).write_bytes(data)
        return True

    def unchanged(self, relative: str) -> bool:
        """True if the output already has this file (its inputs did not change)."""
        return not self.fresh and os.path.isfile(os.path.join(self.final, relative))

    def copy(self, relative: str, source: Path) -> bool:
        """Stage a copy of ``source`` unless the output has one of the same size and mtime."""
        if not self.fresh:
            try:
                old, new = os.stat(self.final / relative), os.stat(source)
                if old.st_size == new.st_size and old.st_mtime_ns == new.st_mtime_ns:
                    return False
            except OSError:
                pass
        shutil.copy2(source, self._target(relative))
        return True


class Output:
    """One build's writes into ``final``, in a fresh folder or as an update of the old one."""

    def __init__(self, final: Path):
        self.final = final
        self.staging = final.parent / f".{final.name}.staging-{os.getpid()}"
        self.fresh = not final.is_dir()
        self._writer = Writer(self.staging, final, self.fresh)
        self.owners: dict[str, str] = {}
        self.errors: list[SiteError] = []

    @property
    def written(self) -> int:
        return self._writer.written

    @property
    def kept(self) -> int:
        return self._writer.kept

    def __enter__(self) -> Output:
        recover(self.final)
        self.fresh = self._writer.fresh = not self.final.is_dir()
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.staging.exists():  # not committed: throw the half-made build away
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
        """Claim and write ``data`` at ``relative`` ('/'-separated)."""
        if self.claim(relative, owner) is not None:
            self._count(self._writer.put(relative, data))

    def keep(self, relative: str) -> bool:
        """Keep the output's file as it is (already claimed); False if there is none."""
        if self._writer.unchanged(relative):
            self._writer.kept += 1
            return True
        return False

    def copy(self, relative: str, source: Path, owner: str) -> None:
        if self.claim(relative, owner) is not None:
            self._count(self._writer.copy(relative, source))

    def _count(self, changed: bool) -> None:
        if changed:
            self._writer.written += 1
        else:
            self._writer.kept += 1

    def commit(self, previous: Iterable[str] | None = None) -> None:
        """Make the build the output; raises :class:`BuildFailed` if any write was refused.

        ``previous`` lists the files of the last build, to find the stale ones; without
        it the output folder is walked.
        """
        if self.errors:
            raise BuildFailed(self.errors)
        if self.fresh:
            os.rename(self.staging, self.final)
            return
        old = set(previous) if previous is not None else set(_walk(self.final))
        moves = sorted(_walk(self.staging))
        journal = self.final.parent / f".{self.final.name}.journal-{os.getpid()}"
        temporary = journal.parent / (journal.name + ".tmp")
        temporary.write_text(json.dumps({"staging": self.staging.name, "moves": moves,
                                         "deletes": sorted(old - self.owners.keys())}), encoding="utf-8")
        os.replace(temporary, journal)
        _apply(journal, self.final)


def _walk(folder: Path) -> list[str]:
    files: list[str] = []
    cut = len(str(folder)) + 1
    for root, _, names in os.walk(folder):
        files.extend(os.path.join(root, name)[cut:].replace(os.sep, "/") for name in names)
    return files


def _apply(journal: Path, final: Path) -> None:
    """Carry out a journal: move staged files in, delete stale ones. Safe to repeat."""
    plan = json.loads(journal.read_text(encoding="utf-8"))
    staging = final.parent / plan["staging"]
    made: set[str] = set()
    for relative in plan["moves"]:
        source = staging / relative
        if not source.exists():
            continue  # moved by an earlier, interrupted run of this journal
        folder = relative.rpartition("/")[0]
        if folder not in made:
            (final / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        os.replace(source, final / relative)
    for relative in plan["deletes"]:
        target = final / relative
        target.unlink(missing_ok=True)
        parent = target.parent
        while parent != final and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    journal.unlink()
    shutil.rmtree(staging, ignore_errors=True)


def recover(final: Path) -> None:
    """Clean up after a build that was killed: finish its journal, drop its leftovers."""
    parent = final.parent
    if not parent.is_dir():
        return
    for journal in sorted(parent.glob(f".{final.name}.journal-*")):
        if journal.name.endswith(".tmp"):
            journal.unlink(missing_ok=True)  # killed before the journal was complete: never applied
        else:
            _apply(journal, final)
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
