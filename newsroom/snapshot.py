"""The site's files for workers that do not see this machine's folders (a cluster without
a shared folder, see :mod:`newsroom.cluster`): everything a reader or renderer opens
besides the articles themselves, which go out one by one.
"""

from __future__ import annotations

import os
import pickle
import shutil
from dataclasses import replace
from pathlib import Path

from .config import Config
from .errors import BuildFailed
from .executors import cluster_error

#: Where a snapshot keeps the templates, wherever the site's own folder of them is.
TEMPLATES = ".newsroom-templates"

_unpacked: dict[str, Path] = {}  # snapshot digest -> the folder it was unpacked in, in this process


def site_snapshot(config: Config) -> bytes:
    """``site.toml``, the static files, the photos and files beside the articles (each with its
    mtime: photo records keep it) and the templates, pickled. Raises :class:`BuildFailed`
    when the static or content folder is outside the site folder."""
    root = config.root.resolve()
    files: dict[str, tuple[int, bytes]] = {config.path.name: (0, config.path.read_bytes())}
    for folder in (config.dir("static"), config.dir("content")):
        if not folder.is_relative_to(root):
            raise BuildFailed([cluster_error(config, "shared", f"{config.relpath(folder)} is outside the site "
                                             "folder; a cluster without a shared folder is sent the site folder")])
        files.update(_files(folder, root, skip=".md"))
    templates = config.dir("templates")
    files.update((f"{TEMPLATES}/{name}", data) for name, data in _files(templates, templates).items())
    return pickle.dumps(files, protocol=pickle.HIGHEST_PROTOCOL)


def _files(folder: Path, root: Path, skip: str = "\0") -> dict[str, tuple[int, bytes]]:
    return {path.relative_to(root).as_posix(): (path.stat().st_mtime_ns, path.read_bytes())
            for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.name.endswith(skip) and not path.name.startswith(".")}


def unpack(data: bytes, digest: str, base: Path) -> Path:
    """The snapshot ``data`` (of that ``digest``) as a site folder in ``base``, unpacked once
    (a worker's own folder, removed with it)."""
    folder = _unpacked.get(digest)
    if folder is not None:
        return folder
    folder = base / f"site-{digest[:16]}"
    if not folder.is_dir():
        partial = base / f".site-{digest[:16]}-{os.getpid()}"
        for relative, (mtime, content) in pickle.loads(data).items():
            path = partial / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            if mtime:
                os.utime(path, ns=(mtime, mtime))
        try:
            os.rename(partial, folder)
        except OSError:  # another process unpacked it first
            shutil.rmtree(partial, ignore_errors=True)
    _unpacked[digest] = folder
    return folder


def rooted(config: Config, root: Path) -> Config:
    """``config`` for the site as a snapshot unpacked in ``root`` holds it."""
    return replace(config, path=root / config.path.name,
                   build=replace(config.build, templates_dir=str(root / TEMPLATES)))
