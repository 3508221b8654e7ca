"""The pages of the last command-line build, kept in the build cache for the next build's quick path.

A command-line build cannot keep its model in memory for the next one, as the preview
does, and building the model again means loading and sorting every article. So a full
build stores its page records in ``pages-<token>.pickle`` in the cache folder, in chunks
of :data:`CHUNK` pages with every Article in them pickled as a reference by path, after
an index: which pages hold each article (the fingerprint pass finds that for free), the
fingerprint base of each page kind, and where each chunk starts; the site's file names
(to check an edited article's links) come last. A quick build reads the index and the
chunks of the pages it renders, each reference resolved to the article's current record;
:func:`newsroom.model.swap_articles` then renews what pages copy out of records. At
10,000 articles the file holds about 7 MB, of which an edit reads a few hundred kB.
"""

from __future__ import annotations

import gc
import os
import pickle
import struct
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .content import Article
from .pages import Page

FORMAT = 2
CHUNK = 64  # pages per chunk: a chunk is read whole; pickling one shares what its pages share
_LENGTH = struct.Struct("<Q")

_records: dict[str, Article] | None = None  # while loading: the records the references stand for


def _article(path: str) -> Article:
    record = _records.get(path) if _records is not None else None
    if record is None:  # not asked for (a page of the chunk that is not wanted): a stand-in with its path
        record = object.__new__(Article)
        object.__setattr__(record, "path", path)
    return record


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: object) -> object:
        if type(obj) is Article:  # by path: pages stay valid while records change under them
            return _article, (obj.path,)  # type: ignore[attr-defined]
        return NotImplemented


def _dumps(value: object, by_path: bool = False) -> bytes:
    import io

    stream = io.BytesIO()
    (_Pickler if by_path else pickle.Pickler)(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return stream.getvalue()


@contextmanager
def without_gc() -> Iterator[None]:
    """Unpickling builds objects by the hundred thousand, none of them garbage: the cycle
    collector's passes over them cost a third of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class _Index:
    format: int
    bases: dict[str, str]  # page kind -> fingerprint base (see newsroom.incremental.Plan)
    refs: dict[str, bytes]  # article path -> indices of the pages that hold it, as an array("I")
    chunks: tuple[tuple[int, int], ...]  # (offset, length) of each chunk, after the index
    files: tuple[int, int]  # (offset, length) of the site's file names


def save(folder: Path, pages: tuple[Page, ...], refs: dict[str, tuple[int, ...]], bases: dict[str, str],
         files: frozenset[str]) -> str:
    """Store the pages in ``folder`` under a new name, which is returned (the cache header names it)."""
    blobs = [_dumps(pages[start : start + CHUNK], by_path=True) for start in range(0, len(pages), CHUNK)]
    blobs.append(_dumps(files))
    places, offset = [], 0
    for blob in blobs:
        places.append((offset, len(blob)))
        offset += len(blob)
    index = _dumps(_Index(FORMAT, bases, {path: array("I", found).tobytes() for path, found in refs.items()},
                          tuple(places[:-1]), places[-1]))
    name = f"pages-{os.urandom(6).hex()}.pickle"
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f"{name}.{os.getpid()}.tmp"
    with open(temporary, "wb") as stream:
        stream.write(_LENGTH.pack(len(index)))
        stream.write(index)
        stream.writelines(blobs)
    os.replace(temporary, folder / name)
    return name


class PageStore:
    """One stored build's pages, read as they are asked for."""

    def __init__(self, stream: BinaryIO, index: _Index, start: int):
        self._stream = stream
        self._index = index
        self._start = start  # where the chunks begin
        self.bases = index.bases

    @classmethod
    def open(cls, folder: Path, name: str) -> PageStore | None:
        """The store, or None when it is gone, damaged or of another format."""
        try:
            stream = open(folder / name, "rb")  # noqa: SIM115 - closed by close()
        except OSError:
            return None
        try:
            (length,) = _LENGTH.unpack(stream.read(_LENGTH.size))
            index = pickle.loads(stream.read(length))
            if not isinstance(index, _Index) or index.format != FORMAT:
                raise ValueError("another format")
        except Exception:  # noqa: BLE001 - damaged: the full build writes a new one
            stream.close()
            return None
        return cls(stream, index, _LENGTH.size + length)

    def close(self) -> None:
        self._stream.close()

    def showing(self, path: str) -> list[int]:
        """The indices of the pages that hold the article ``path``."""
        found = array("I")
        found.frombytes(self._index.refs.get(path, b""))
        return found.tolist()

    def articles(self, indices: list[int]) -> set[str]:
        """The paths of the articles the pages at ``indices`` show (none if the file is damaged)."""
        from .model import page_articles

        pages = self.pages(indices, None)
        return {article.path for page in pages or () for article in page_articles(page)}

    def pages(self, indices: list[int], records: dict[str, Article] | None) -> list[Page] | None:
        """The pages at ``indices``, every article in them the record of its path in ``records``
        (None: a stand-in that has only its path); None if one holds an article ``records``
        lacks, or the file is damaged."""
        from .model import page_articles

        global _records
        chunks: dict[int, tuple[Page, ...]] = {}
        _records = records
        try:
            with without_gc():
                for number in sorted({i // CHUNK for i in indices}):
                    chunks[number] = pickle.loads(self._read(self._index.chunks[number]))
            pages = [chunks[i // CHUNK][i % CHUNK] for i in indices]
        except Exception:  # noqa: BLE001 - a damaged file: the full build writes a new one
            return None
        finally:
            _records = None
        if records is not None and any(a is not records.get(a.path) for p in pages for a in page_articles(p)):
            return None  # an article the records lack: the full build knows better
        return pages

    def files(self) -> frozenset[str]:
        """Every output file of the stored build: its pages and the files it copied."""
        return pickle.loads(self._read(self._index.files))

    def _read(self, place: tuple[int, int]) -> bytes:
        offset, length = place
        self._stream.seek(self._start + offset)
        data = self._stream.read(length)
        if len(data) != length:
            raise EOFError("truncated")
        return data
