"""The pages of the last command-line build, kept in the build cache for the next build's quick path.

A command-line build cannot keep its model in memory for the next one, as the preview
does, and building the model again means loading and sorting every article. So a full
build stores its page records in ``pages-<token>.pickle`` in the cache folder, in chunks
of about :data:`CHUNK` pages (by a hash of their output file) with every Article in them
pickled as a reference by path, after an index: which pages hold each article (the
fingerprint pass finds that for free), where each page and chunk is, and the fingerprint
base of each page kind; then the site's file names (to check an edited article's links),
every record the build read and the :class:`Layout` the structural quick path starts
from. A quick build reads the index and the chunks of the pages it renders, their
articles stand-ins with only a path; :func:`newsroom.model.swap_articles` puts the
current records in and renews what pages copy out of them. At 10,000 articles the file
holds about 40 MB (21 of pages, 13 of records, the layout and index the rest), of which
an edit reads a few hundred kB and a structural edit the records and the layout. A structural build writes
the next store by :func:`extend`: what it keeps is copied, what it made appended.
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
from .errors import SiteError
from .pages import Page

FORMAT = 4
CHUNK = 16  # pages per chunk, about: a chunk is read whole; pickling one shares what its pages share
_LENGTH = struct.Struct("<Q")

def _article(path: str) -> Article:
    """An article of a stored page: a stand-in that has only its path, until
    :func:`newsroom.model.swap_articles` puts the record in its place."""
    stand_in = object.__new__(Article)
    object.__setattr__(stand_in, "path", path)
    return stand_in


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
    """Unpickling builds objects by the hundred thousand, none of them garbage (and none in a
    cycle): the cycle collector's passes over them cost a third of the time. They are then
    moved out of its sight for good (``gc.freeze``): it would only look at them again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class _Index:
    format: int
    bases: dict[str, str]  # page kind -> fingerprint base (see newsroom.incremental.Plan)
    refs: dict[str, bytes]  # article path -> indices of the pages that hold it, as an array("I")
    chunk_of: bytes  # the chunk of each page, by index, as an array("I")
    place_of: bytes  # its place in its chunk
    chunks: tuple[tuple[int, int, str], ...]  # (offset, length, digest of its pages' files and fingerprints)
    files: tuple[int, int]  # (offset, length) of the site's file names
    records: tuple[int, int]  # (offset, length) of the records, by path (see Layout.overlay)
    layout: tuple[int, int]  # (offset, length) of the Layout
    stored: int  # pages in the chunks, those of no page any more among them


@dataclass(frozen=True)
class Layout:
    """What the command line's structural quick path (:mod:`newsroom.restructure`) needs of a
    build besides its pages: every record it read (drafts too; their bodies are files of the
    cache), stored once by the full build that wrote the store and then changed by the
    ``overlay`` of later builds (a path's new record, or None when it is gone), so that those
    do not pickle ten thousand records again; the model's groups; each page's URL, output
    file and sitemap date; what the taxonomies made of names; the model's warnings; and the
    files the site provides itself."""

    overlay: dict[str, Article | None]
    stamps: dict[str, tuple[int, int] | None]  # of the source files when the records were read (Inputs.stamps)
    failed_drafts: int  # drafts not read for their mistakes
    groups: tuple[tuple[tuple[str, str], tuple[str, ...], object, int], ...]  # SiteModel.groups
    urls: tuple[str, ...]  # the URL of each page
    files: tuple[str, ...]  # its output file
    lastmods: tuple[str | None, ...]  # its sitemap date, None for a page not in the sitemap
    terms: tuple[dict[str, str], ...]  # names and page paths of tags, then of people (see taxonomy.Taxonomy)
    updates: bool  # some published article has an updated: time
    warnings: tuple[SiteError, ...]  # the model's
    provided: frozenset[str]


def _chunk_count(pages: int) -> int:
    count = 1
    while count * CHUNK < pages:
        count *= 2
    return count


def save(folder: Path, pages: tuple[Page, ...], fingerprints: dict[str, str], refs: dict[str, array[int]],
         bases: dict[str, str], site_files: frozenset[str], records: dict[str, Article], layout: Layout,
         previous: str | None = None) -> str:
    """Store the pages (``layout.files``: the output file of each, whose ``fingerprints`` tell
    what it shows) in ``folder`` under a new name, which is returned (the cache header names it).
    A page belongs to a chunk by its file name, so an edit leaves most chunks as they were:
    a chunk whose pages and fingerprints are those of a chunk of the ``previous`` store is
    copied from it rather than pickled again (at 10,000 articles pickling them all costs 0.25 s)."""
    import hashlib
    import zlib

    files = layout.files
    count = _chunk_count(len(pages))
    members: list[list[int]] = [[] for _ in range(count)]
    chunk_of, place_of = array("I", bytes(4 * len(pages))), array("I", bytes(4 * len(pages)))
    for index, file in enumerate(files):
        number = zlib.crc32(file.encode()) % count
        chunk_of[index], place_of[index] = number, len(members[number])
        members[number].append(index)
    old = PageStore.open(folder, previous) if previous else None
    known = {} if old is None else {place[2]: place for place in old._index.chunks}
    blobs, places, offset = [], [], 0
    try:
        for indices in members:
            lines = "\n".join(f"{files[i]} {fingerprints[files[i]]}" for i in indices)
            digest = hashlib.sha1(lines.encode(), usedforsecurity=False).hexdigest()
            blob = None
            if old is not None and digest in known:
                try:
                    blob = old._read(known[digest][:2])
                except (OSError, EOFError):  # damaged: pickled again
                    pass
            if blob is None:
                blob = _dumps(tuple(pages[i] for i in indices), by_path=True)
            blobs.append(blob)
            places.append((offset, len(blob), digest))
            offset += len(blob)
    finally:
        if old is not None:
            old.close()
    return _write(folder, blobs, places, offset, bases, refs, chunk_of, place_of, site_files, _dumps(records), layout,
                  len(pages))


def _write(folder: Path, blobs: list[bytes], places: list[tuple[int, int, str]], offset: int, bases: dict[str, str],
           refs: dict[str, array[int]], chunk_of: array[int], place_of: array[int], site_files: frozenset[str],
           records: bytes | tuple[BinaryIO, int, int], layout: Layout, stored: int,
           copied: tuple[BinaryIO, int, int] | None = None) -> str:
    """Write a store of the chunks ``blobs`` (after those ``copied`` from an old store: its
    stream, where they start and how many bytes) at ``places``, and the pickled ``records``;
    returns its name."""
    names = _dumps(site_files)
    shape = _dumps(layout)
    size = len(records) if isinstance(records, bytes) else records[2]
    index = _dumps(_Index(FORMAT, bases, {path: found.tobytes() for path, found in refs.items()},
                          chunk_of.tobytes(), place_of.tobytes(), tuple(places), (offset, len(names)),
                          (offset + len(names), size), (offset + len(names) + size, len(shape)), stored))
    name = f"pages-{os.urandom(6).hex()}.pickle"
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f"{name}.{os.getpid()}.tmp"
    with open(temporary, "wb") as stream:
        stream.write(_LENGTH.pack(len(index)))
        stream.write(index)
        if copied is not None:
            _copy(copied, stream)
        stream.writelines(blobs)
        stream.write(names)
        if isinstance(records, bytes):
            stream.write(records)
        else:
            _copy(records, stream)
        stream.write(shape)
    os.replace(temporary, folder / name)
    return name


def extend(folder: Path, old: PageStore, slots: list[int | Page], fingerprints: dict[str, str],
           refs: dict[str, array[int]], site_files: frozenset[str], layout: Layout) -> str:
    """A new store of the pages ``slots``: each the index of a page of the ``old`` store, kept
    where it is, or a new page, pickled into chunks appended after the old ones (whose dead
    pages are dropped by the next full build: see :attr:`PageStore.dead`). ``fingerprints``
    are those of the new pages' files (``layout.files``), ``refs`` the new indices of the
    pages that hold each article; the old store's records are kept as they are, and
    ``layout.overlay`` says what changed since."""
    import hashlib

    old_chunk_of, old_place_of = old._arrays()
    chunk_of, place_of = array("I", bytes(4 * len(slots))), array("I", bytes(4 * len(slots)))
    places = list(old._index.chunks)
    offset = places[-1][0] + places[-1][1] if places else 0
    copied = (old._stream, old._start, offset)
    fresh: list[int] = []
    for index, slot in enumerate(slots):
        if type(slot) is int:
            chunk_of[index], place_of[index] = old_chunk_of[slot], old_place_of[slot]
        else:
            fresh.append(index)
    blobs = []
    for start in range(0, len(fresh), CHUNK):
        indices = fresh[start : start + CHUNK]
        for place, index in enumerate(indices):
            chunk_of[index], place_of[index] = len(places), place
        lines = "\n".join(f"{layout.files[i]} {fingerprints[layout.files[i]]}" for i in indices)
        blob = _dumps(tuple(slots[i] for i in indices), by_path=True)
        blobs.append(blob)
        places.append((offset, len(blob), hashlib.sha1(lines.encode(), usedforsecurity=False).hexdigest()))
        offset += len(blob)
    return _write(folder, blobs, places, offset, old.bases, refs, chunk_of, place_of, site_files,
                  (old._stream, old._start + old._index.records[0], old._index.records[1]), layout,
                  old._index.stored + len(fresh), copied)


def _copy(part: tuple[BinaryIO, int, int], stream: BinaryIO) -> None:
    """Copy ``length`` bytes of ``source`` from ``start`` to the end of ``stream``, in the kernel."""
    source, start, length = part
    stream.flush()
    done = 0
    while done < length:
        copied = os.copy_file_range(source.fileno(), stream.fileno(), length - done, start + done)
        if copied == 0:
            raise EOFError("truncated")
        done += copied


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

    def _arrays(self) -> tuple[array[int], array[int]]:
        chunk_of, place_of = array("I"), array("I")
        chunk_of.frombytes(self._index.chunk_of)
        place_of.frombytes(self._index.place_of)
        return chunk_of, place_of

    @property
    def dead(self) -> int:
        """How many stored pages are no page of the build any more (replaced by quick paths)."""
        return self._index.stored - len(self._index.chunk_of) // 4

    def refs(self) -> dict[str, array[int]]:
        """For each article, the indices of the pages that hold it."""
        found = {}
        for path, held in self._index.refs.items():
            found[path] = indices = array("I")
            indices.frombytes(held)
        return found

    def layout(self) -> Layout | None:
        """The stored :class:`Layout`, or None if the file is damaged."""
        try:
            with without_gc():
                found = pickle.loads(self._read(self._index.layout))
        except Exception:  # noqa: BLE001 - a damaged file: the full build writes a new one
            return None
        return found if isinstance(found, Layout) else None

    def records(self, layout: Layout) -> dict[str, Article] | None:
        """Every record the builds of this store read, by path (``layout``: :meth:`layout`), or
        None if the file is damaged."""
        try:
            with without_gc():
                found = pickle.loads(self._read(self._index.records))
        except Exception:  # noqa: BLE001 - a damaged file: the full build writes a new one
            return None
        for path, record in layout.overlay.items():
            if record is None:
                found.pop(path, None)
            else:
                found[path] = record
        return found

    def pages(self, indices: list[int]) -> list[Page] | None:
        """The pages at ``indices``, each article in them a stand-in with only its path
        (:func:`newsroom.model.swap_articles` puts the records in); None if the file is damaged."""
        chunk_of, place_of = self._arrays()
        chunks: dict[int, tuple[Page, ...]] = {}
        try:
            with without_gc():
                for number in sorted({chunk_of[i] for i in indices}):
                    chunks[number] = pickle.loads(self._read(self._index.chunks[number][:2]))
        except Exception:  # noqa: BLE001 - a damaged file: the full build writes a new one
            return None
        return [chunks[chunk_of[i]][place_of[i]] for i in indices]

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
