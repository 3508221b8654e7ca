"""Walking the site's source folders (content/, static/, templates/) safely and in order.

A symlink inside a folder is followed when it leads to a file or folder inside that
same folder; one that leads outside it, one that leads nowhere and one that loops back
to a folder above it are errors naming the link, and so is a name that is not UTF-8.
Editors' temporary files (:func:`is_editor_temporary`) are never sources. Entries are
listed sorted by name, whatever order the file system gives, so builds do not depend
on it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .errors import SiteError

# What editors and browsers write beside the file being saved; see is_editor_temporary().
EDITOR_SUFFIXES = (".swp", ".swo", ".swn", ".swx", "~", ".kate-swp", "___jb_tmp___", "___jb_old___",
                   ".tmp", ".part", ".crdownload")
EDITOR_PREFIXES = (".#", ".goutputstream-")
EDITOR_NAMES = frozenset({".DS_Store"})
VIM_PROBE, VIM_PROBE_STEP = 4913, 123  # vim's "may I write here?" file: 4913, or 5036, 5159... if taken


def is_editor_temporary(name: str) -> bool:
    """Is ``name`` a file that an editor or a download writes beside the real one?

    vim swap, backup and probe files, emacs locks (``.#a.md``) and autosaves
    (``#a.md#``), JetBrains, gedit and kate temporaries, partial downloads and macOS
    folder settings. Only such clear cases: other names starting with ``.`` or ``_``
    may be real files (``static/.well-known/``, an article's ``_photos/``).
    """
    return (name.endswith(EDITOR_SUFFIXES) or name.startswith(EDITOR_PREFIXES) or name in EDITOR_NAMES
            or (len(name) > 2 and name.startswith("#") and name.endswith("#"))
            or (name.isascii() and name.isdigit() and int(name) >= VIM_PROBE
                and (int(name) - VIM_PROBE) % VIM_PROBE_STEP == 0))


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
            if hidden(name) or (is_editor_temporary(name) and not entry.is_dir(follow_symlinks=False)):
                continue
            inner = relative + name
            if not _is_text(name):
                errors.append(SiteError(f"{shown}/{relative}{_printable(name)}", None, None,
                                        "the file name is not UTF-8 text; rename it"))
                continue
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


def _is_text(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8, kept by Python as lone surrogates
        return False
    return True


def _printable(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _link_problem(link: str, real: str, root: str, above: frozenset[str], shown: str) -> str | None:
    target = os.readlink(link)
    if not os.path.exists(real):
        return f"symlink to {target!r} leads nowhere: there is no such file"
    if real != root and not real.startswith(root + os.sep):
        return f"symlink to {target!r} leads outside {shown}/; copy the file in instead"
    if real in above:
        return f"symlink to {target!r} loops back to a folder above it"
    return None
