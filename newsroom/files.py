"""Walking the site's source folders (content/, static/, templates/) safely and in order.

A symlink inside a folder is followed when it leads to a file or folder inside that
same folder; one that leads outside it, one that leads nowhere and one that loops back
to a folder above it are errors naming the link. Entries are listed sorted by name,
whatever order the file system gives, so builds do not depend on it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .errors import SiteError


def walk(folder: Path, shown: str, *, hidden: Callable[[str], bool], wanted: Callable[[str], bool],
         errors: list[SiteError]) -> list[str]:
    """The files below ``folder`` whose names are ``wanted``, as paths below ``folder``
    (not resolved: a file reached through a link keeps the link's name).

    ``shown`` is the folder as messages name it (``content``). Files and folders whose
    names are ``hidden`` are neither listed, entered nor checked (an editor's lock
    file may well be a dangling link). Problems are appended to ``errors``.
    """
    found: list[str] = []
    root = os.path.realpath(folder)
    if not os.path.isdir(root):
        return found

    def visit(path: str, relative: str, above: frozenset[str]) -> None:
        try:
            with os.scandir(path) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            errors.append(SiteError(f"{shown}/{relative}".rstrip("/"), None, None,
                                    f"cannot read this folder: {exc.strerror}"))
            return
        for entry in entries:
            name = entry.name
            if hidden(name):
                continue
            inner = relative + name
            real = None
            if entry.is_symlink():
                real = os.path.realpath(entry.path)
                problem = _link_problem(entry.path, real, root, above, shown)
                if problem:
                    errors.append(SiteError(f"{shown}/{inner}", None, None, problem))
                    continue
            if entry.is_dir():  # follows a link
                visit(entry.path, inner + "/", above | {real or os.path.realpath(entry.path)})
            elif wanted(name):
                found.append(entry.path)

    visit(str(folder), "", frozenset({root}))
    return found


def _link_problem(link: str, real: str, root: str, above: frozenset[str], shown: str) -> str | None:
    target = os.readlink(link)
    if not os.path.exists(real):
        return f"symlink to {target!r} leads nowhere: there is no such file"
    if real != root and not real.startswith(root + os.sep):
        return f"symlink to {target!r} leads outside {shown}/; copy the file in instead"
    if real in above:
        return f"symlink to {target!r} loops back to a folder above it"
    return None
