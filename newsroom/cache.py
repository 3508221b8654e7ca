"""What the last build knew, kept between builds so that unchanged work is skipped.

The cache lives in ``.cache/newsroom/<output name>-<tag>/`` in the site folder
(``.cache/`` is ignored by git) and holds:

* ``state.pickle`` — a header (format, key), the names of the shard files and, for each
  output file, the fingerprint of what made it (see :mod:`newsroom.fingerprint`) in the
  last good build;
* ``articles-NN-<token>.pickle`` — shards holding, for each article file, its size, mtime
  and the Article record read from it; a build rewrites only the shards that changed,
  and the header is replaced last, so a build killed while saving leaves the old cache;
* ``bodies-<key>/<digest>.html`` — article bodies, read only by the pages that show them.

The header also keeps the last build's result with a digest of its inputs
(:class:`LastBuild`, see :func:`newsroom.incremental.input_signature`): a build whose
inputs have that digest changes nothing, and returns that result having read only the
header.

The key covers everything besides the files themselves that decides a record or a page:
the config, newsroom's own source and built-in templates, and the versions of Python-Markdown, PyYAML, Jinja2
and MarkupSafe. A cache
with another key, another format, or that cannot be read (truncated, corrupt) is
dropped and the build starts from nothing: it is never trusted blindly.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import shutil
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import faults
from .config import Config
from .content import Article, Body
from .executors import ClusterSettings
from .pagestore import without_gc

FORMAT = 4
SHARDS = 32


@dataclass(frozen=True)
class LastBuild:
    signature: str  # the digest of the inputs of the build that stored it
    result: object  # its BuildResult, as a build that changes nothing returns it
    head: str = ""  # the digest of its key, options and folders (Inputs.head)
    stamps: dict[str, tuple[int, int] | None] = field(default_factory=dict)  # its source files (Inputs.stamps)
    pages: str | None = None  # the file of its pages (see newsroom.pagestore), for the quick path
    assets: dict[str, str] = field(default_factory=dict)  # its fingerprinted names (see newsroom.assets)


@dataclass
class Entry:
    mtime_ns: int
    size: int
    article: Article


@dataclass
class State:
    format: int
    key: str
    entries: dict[str, Entry] = field(default_factory=dict)  # by site-relative path
    outputs: dict[str, str] = field(default_factory=dict)  # output file -> fingerprint
    templates: tuple[str, dict[str, str], frozenset[str]] | None = None  # digest, keys, url's constants
    last: LastBuild | None = None


@dataclass
class Header:
    format: int
    key: str
    shards: list[str]  # file names, one per shard
    outputs: dict[str, str]
    templates: tuple[str, dict[str, str], frozenset[str]] | None = None
    last: LastBuild | None = None


def _store_body(folder: Path, stored: set[str], article: Article) -> bool:
    """Write ``article``'s body to ``folder`` unless ``stored`` (the folder's listing, kept up
    to date) or the folder has it; True if written."""
    target = folder / f"{article.digest}.html"
    if target.name in stored or target.is_file():
        return False
    if not stored:
        folder.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(article.body.text, encoding="utf-8")
    os.replace(temporary, target)
    stored.add(target.name)
    return True


@dataclass
class BodyKeeper:
    """Stores bodies in the cache folder from a worker process: lists the folder once there."""

    folder: Path | None
    _listed: set[str] | None = None

    def __call__(self, article: Article) -> Article:
        if self.folder is None:
            return article
        if self._listed is None:
            self._listed = set(os.listdir(self.folder)) if self.folder.is_dir() else set()
        _store_body(self.folder, self._listed, article)
        return replace(article, body=Body(file=str(self.folder / f"{article.digest}.html")))


def _shard(path: str, count: int = SHARDS) -> int:
    return zlib.crc32(path.encode()) % count


def shard_count(articles: int) -> int:
    """How many shards to keep ``articles`` records in: some 8 records a shard from 256
    articles on, so that the command line's quick path loads the few hundred records the
    pages of an edit show and not every record; at least :data:`SHARDS`."""
    count = SHARDS
    while count * 8 < articles and count < 8192:
        count *= 2
    return count


def cache_key(config: Config) -> str:
    """Everything besides an article's own bytes that decides what reading it gives."""
    from importlib.metadata import version

    neutral = replace(config, build=replace(config.build, output_dir="", keep=(), executor="local",
                                            cluster=ClusterSettings()), drafts=False, future=False,
                      expired=False, output_from="", deploy=replace(config.deploy, target=""))
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(repr(neutral).encode())
    for package in ("markdown", "pyyaml", "jinja2", "markupsafe"):  # what reads, renders and escapes
        digest.update(f"{package} {version(package)}\n".encode())
    digest.update(str(FORMAT).encode())
    digest.update(code_digest().encode())
    return digest.hexdigest()


@functools.cache
def code_digest() -> str:
    """A digest of newsroom's code and built-in templates, read once per process."""
    digest = hashlib.sha1(usedforsecurity=False)
    here = Path(__file__).parent
    for source in sorted([*here.glob("*.py"), *here.glob("templates/**/*.*")]):
        digest.update(source.read_bytes())
    return digest.hexdigest()


class BuildCache:
    """Articles and output fingerprints of the last build; in memory only if ``folder`` is None."""

    def __init__(self, folder: Path | None, key: str, root: Path = Path(".")):
        self.folder = folder
        self.key = key
        self.root = root  # the site folder, which dependencies are relative to
        self._seen: dict[str, bool] = {}
        self._stamps: dict[str, tuple[int, int]] = {}  # photo file -> (size, mtime), this build
        self._bodies_listed: set[str] | None = None
        self._changed = True
        self.state = State(FORMAT, key)
        self.dropped = ""  # why a stored cache was not used, for messages
        self.autosave = True  # save after every build; the preview server saves when it stops
        self._saved: dict[str, Entry] = {}  # the entries as they are on disk
        self._shard_files: list[str] = []
        self._loaded: set[int] = set()  # the shards read
        self._partial = False  # only some shards were read (see open(only=...))
        #: files an earlier build wrote into this output folder, even one of another version
        #: of newsroom: the output folder's own manifest did not exist before version 0.2
        self.known_outputs: frozenset[str] = frozenset()

    @classmethod
    def open(cls, folder: Path | None, key: str, root: Path = Path("."), only: Iterable[str] | None = None,
             header: Header | None = None) -> BuildCache:
        """The cache in ``folder`` (``header``: its header, when already read); with ``only``,
        just the records of those article paths and of the others that share their shards
        (:meth:`load` reads more): such a cache saves what changed in them, and no more."""
        cache = cls(folder, key, root)
        if folder is None:
            return cache
        try:
            if header is None:
                with open(folder / "state.pickle", "rb") as stream, without_gc():
                    header = pickle.load(stream)
            if not isinstance(header, Header) or header.format != FORMAT:
                cache.dropped = "written by another version of newsroom"
                return cache
            cache.known_outputs = frozenset(header.outputs)
            if header.key != key:
                cache.dropped = "made with another config or newsroom version"
                return cache
            cache._shard_files = list(header.shards)
            cache._partial = only is not None
            entries = cache._read_shards(range(len(header.shards)) if only is None else cache._shards_of(only))
        except FileNotFoundError:
            if (folder / "state.pickle").exists():
                cache.dropped = "incomplete"
            return cache._reset()
        except Exception as exc:  # noqa: BLE001 - any unreadable cache is rebuilt, never trusted
            cache.dropped = f"unreadable ({type(exc).__name__})"
            return cache._reset()
        cache.state = State(FORMAT, key, entries, header.outputs, header.templates, header.last)
        cache._saved = dict(entries)
        cache._changed = False
        return cache

    def _reset(self) -> BuildCache:
        self._shard_files, self._loaded, self._partial = [], set(), False
        return self

    def _shards_of(self, paths: Iterable[str]) -> set[int]:
        count = len(self._shard_files)
        return {_shard(path, count) for path in paths} - self._loaded

    def _read_shards(self, numbers: Iterable[int]) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        assert self.folder is not None
        with without_gc():
            for number in numbers:
                with open(self.folder / self._shard_files[number], "rb") as stream:
                    entries.update(pickle.loads(stream.read()))  # faster than pickle.load(stream)
                self._loaded.add(number)
        return entries

    def load(self, paths: Iterable[str]) -> None:
        """Add the records of the article ``paths`` (and of their shards) to a cache opened with ``only``."""
        found = self._read_shards(sorted(self._shards_of(paths)))
        self._saved.update(found)
        self.state.entries = {**found, **self.state.entries}

    @staticmethod
    def header(folder: Path, key: str) -> Header | None:
        """The header of the cache in ``folder`` if it was made with this ``key`` and its
        shards are all there; else None (the build proper deals with what is there)."""
        try:
            with open(folder / "state.pickle", "rb") as stream, without_gc():
                header = pickle.load(stream)
        except Exception:  # noqa: BLE001 - absent or unreadable: the build proper deals with it
            return None
        if not isinstance(header, Header) or header.format != FORMAT or header.key != key:
            return None
        if not all(os.path.isfile(folder / name) for name in header.shards):  # incomplete: the build rebuilds it
            return None
        return header

    def remember_build(self, last: LastBuild | None) -> None:
        if self.state.last != last:
            self.state.last = last
            self._changed = True

    @staticmethod
    def folder_for(config: Config, output: Path) -> Path:
        """In the site folder (never beside an output folder elsewhere, such as a web root),
        one per output folder."""
        tag = hashlib.sha1(str(output.resolve()).encode(), usedforsecurity=False).hexdigest()[:8]
        return config.root / ".cache" / "newsroom" / f"{output.name}-{tag}"

    # -- articles -------------------------------------------------------------------------

    def article(self, key: str, stat: os.stat_result) -> Article | None:
        """The stored record of a file that has not changed since, or None. A file with another
        mtime but the same bytes (a fresh checkout with the cache folder restored, as CI
        builds run) is unchanged: its bytes are compared by their hash."""
        entry = self.state.entries.get(key)
        if entry is None or entry.size != stat.st_size:
            return None
        article = entry.article
        if entry.mtime_ns != stat.st_mtime_ns and not self._same_bytes(key, article.source_digest):
            return None
        if not all(map(self._exists, article.depends)) or any(map(self._exists, article.absent)):
            return None  # an image it showed is gone, or a missing one has come: read it again
        if article.stamps and not all(self._same_photo(*stamp) for stamp in article.stamps):
            return None  # a photo it shows has changed: its variants, sizes and markup change
        if article.body.file is not None and os.path.basename(article.body.file) not in self.stored_bodies:
            return None
        return article

    def _same_bytes(self, key: str, digest: str) -> bool:
        from .content import digest_of

        try:
            return bool(digest) and digest_of(key, (self.root / key).read_bytes()) == digest
        except OSError:
            return False

    def _same_photo(self, path: str, size: int, mtime_ns: int, content: str) -> bool:
        """The photo file is as it was: same size and mtime, or same bytes (a fresh checkout)."""
        known = self._stamps.get(path)
        if known is None:
            try:
                stat = os.stat(self.root / path)
                known = self._stamps[path] = (stat.st_size, stat.st_mtime_ns)
            except OSError:
                return False
        if known == (size, mtime_ns):
            return True
        if known[0] != size:
            return False
        from .images import content_key

        try:
            return content_key((self.root / path).read_bytes()) == content
        except OSError:
            return False

    def _exists(self, dependency: str) -> bool:
        known = self._seen.get(dependency)
        if known is None:
            known = self._seen[dependency] = os.path.isfile(self.root / dependency)
        return known

    @property
    def stored_bodies(self) -> set[str]:
        """The names of the bodies in the cache folder, listed once a build."""
        if self._bodies_listed is None:
            folder = self._bodies
            self._bodies_listed = set(os.listdir(folder)) if folder is not None and folder.is_dir() else set()
        return self._bodies_listed

    @property
    def _bodies(self) -> Path | None:
        return self.folder / f"bodies-{self.key[:16]}" if self.folder is not None else None

    def keep_body(self, article: Article) -> Article:
        """Store the body in the cache folder; the returned record reads it from there."""
        if self._bodies is None:
            return article
        if _store_body(self._bodies, self.stored_bodies, article):
            self._changed = True
        return replace(article, body=Body(file=str(self._bodies / f"{article.digest}.html")))

    def keeper(self) -> BodyKeeper:
        """:meth:`keep_body` for worker processes, small to send to them."""
        return BodyKeeper(self._bodies)

    def begin(self) -> None:
        """A new build's lookups start afresh: files may have come and gone since the last
        one, which may have failed before :meth:`remember`."""
        self._seen.clear()
        self._stamps.clear()
        self._bodies_listed = None

    def remember(self, entries: dict[str, Entry], outputs: dict[str, str]) -> None:
        """What this build knew; the next one compares with it. Starts a new build's lookups."""
        if entries != self.state.entries or outputs != self.state.outputs or self.state.last is not None:
            self._changed = True
        self.state = State(FORMAT, self.key, entries, outputs, self.state.templates)  # last: see remember_build
        self._seen.clear()
        self._stamps.clear()
        self._bodies_listed = None

    # -- outputs --------------------------------------------------------------------------

    def forget_outputs(self) -> None:
        """The output folder is a new one: its files are not the ones fingerprinted."""
        self.state = State(FORMAT, self.key, self.state.entries, {}, self.state.templates)

    def template_facts(self, digest: str) -> tuple[dict[str, str], frozenset[str]] | None:
        """The template keys and the site paths given to ``url`` as constants that the last
        build found in templates of this ``digest``: parsing two dozen templates again costs
        more than the rest of a build that changes nothing."""
        memo = self.state.templates
        return (dict(memo[1]), memo[2]) if memo is not None and memo[0] == digest else None

    def remember_template_facts(self, digest: str, keys: dict[str, str], referenced: frozenset[str]) -> None:
        if self.state.templates != (digest, keys, referenced):
            self.state.templates = (digest, dict(keys), referenced)
            self._changed = True

    @property
    def outputs(self) -> dict[str, str]:
        return self.state.outputs

    def save(self, force: bool = False) -> None:
        """Write the state (atomically) and drop bodies no record points at any more."""
        if self.folder is None or not (self.autosave or force) or not self._changed:
            return
        self._changed = False
        self.folder.mkdir(parents=True, exist_ok=True)
        entries = self.state.entries
        saved = self._saved  # Entry equality: same stamps and the very same Article record
        count = len(self._shard_files)
        if not self._partial and count != shard_count(len(entries)):  # a partial cache keeps its shards
            count = shard_count(len(entries))
            self._shard_files = [""] * count
        changed = [p for p in entries.keys() | saved.keys() if entries.get(p) != saved.get(p)]
        dirty = {_shard(p, count) for p in changed} if all(self._shard_files) else set(range(count))
        assert not self._partial or dirty <= self._loaded, "a partial cache saves only the shards it read"
        if dirty:
            shards: list[dict[str, Entry]] = [{} for _ in range(count)]
            for path, entry in entries.items():
                shards[_shard(path, count)][path] = entry
            token = os.urandom(6).hex()
            for number in sorted(dirty):
                name = f"articles-{number:02d}-{token}.pickle"
                with open(self.folder / name, "wb") as stream:
                    pickle.dump(shards[number], stream, protocol=pickle.HIGHEST_PROTOCOL)
                self._shard_files[number] = name
        faults.point("before-cache-header")
        header = Header(FORMAT, self.key, list(self._shard_files), self.state.outputs, self.state.templates,
                        self.state.last)
        temporary = self.folder / f"state.pickle.{os.getpid()}.tmp"
        with open(temporary, "wb") as stream:
            pickle.dump(header, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.folder / "state.pickle")  # the new cache exists from here on
        self._saved = dict(entries)
        keep = {*self._shard_files, self.state.last.pages if self.state.last is not None else None}
        for old in [*self.folder.glob("articles-*.pickle"), *self.folder.glob("pages-*.pickle")]:
            if old.name not in keep:
                old.unlink(missing_ok=True)
        for other in self.folder.glob("bodies-*"):
            if other != self._bodies:
                shutil.rmtree(other, ignore_errors=True)  # made with another key
        bodies = self._bodies
        if bodies is not None and bodies.is_dir() and not self._partial:  # a partial cache knows only some
            wanted = {f"{e.article.digest}.html" for e in self.state.entries.values()}
            for name in os.listdir(bodies):
                if name not in wanted:
                    (bodies / name).unlink(missing_ok=True)
        self._bodies_listed = None  # listed again when next needed
