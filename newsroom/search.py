"""Site search: a Pagefind index of the articles, built by Pagefind's own binary (the
extended one, which segments Chinese) and kept in shards, one per language and month.

Only what a reader searches is indexed: each article becomes a small search document (its
headline, dek and body, with its date, channel and section as Pagefind meta, filters and
sort keys), never the page with its navigation, cards and related links. A shard is indexed
again only when one of its documents changed, so an edit re-indexes one month of one
language; the search page merges the shards of its language in the browser
(``pagefind.mergeIndex``). The documents and each shard's index are kept in the build
cache folder (``search/``); the build links the index files into the output under
``/pagefind/<shard>/``. A quick path starts Pagefind (:class:`Indexing`) and takes its
files while its pages render.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from .config import Config
from .errors import BuildFailed, SiteError
from .records import Article

#: The output folder of the index; each shard is a folder in it.
SEARCH_FOLDER = "pagefind"
#: Who writes the index files, as messages name it.
SEARCH_OWNER = "the search index"
_STATE = "state.pickle"
#: What a shard is to hold: each document's article, or the digest of the one it holds already.
Wanted = dict[str, "Article | str"]
#: Pagefind at work on a shard, and the folder it writes.
Running = tuple[subprocess.Popen[str], Path]
#: A file that says the index changed since a build last wrote it into the output (and saved
#: its cache): the quick paths, which copy only the shards they change, leave such an index to
#: a full build, which compares every file.
PENDING = "pending"
#: Pagefind's own search interfaces, which every index carries and the site's search page does
#: not use (about 400 kB a shard).
_UI = ("pagefind-ui.", "pagefind-component-ui.", "pagefind-modular-ui.", "pagefind-highlight.")
FORMAT = 2


def documents_key(config: Config) -> str:
    """Everything besides an article's own bytes that decides its search document: its
    address, its edition, the names of its channel and section, its time zone, and the code.
    A change of anything else (a theme, ``per_page``, the feeds) indexes nothing again."""
    from .cache import code_digest

    editions = [(e.lang, e.prefix, [(c.slug, c.name) for c in e.channels], [(s.slug, s.name) for s in e.sections])
                for e in config.editions]
    shape = (FORMAT, config.site.base_url, config.site.timezone, config.build.permalink, editions, code_digest())
    return hashlib.sha1(repr(shape).encode(), usedforsecurity=False).hexdigest()


def shard_of(article: Article, lang: str) -> str:
    """The shard an article of the edition in ``lang`` is searched in, one per language and
    month: ``en-2021-08`` (about 0.75 ms of indexing per story: an edit re-indexes one month)."""
    return f"{lang.lower()}-{article.date.year:04d}-{article.date.month:02d}"


def shards_of(articles: Iterable[Article], lang: str) -> list[str]:
    """The shards of an edition's ``articles``, newest month first (the search page loads the
    first, merges the rest)."""
    return sorted({shard_of(article, lang) for article in articles}, reverse=True)


def document(article: Article, lang: str) -> bytes:
    """The search document of ``article``: what Pagefind indexes, and the meta its results show
    (each meta, filter and sort key on an empty element of its own: their values are no text)."""
    day = article.date.strftime("%Y-%m-%d")
    tags = [("meta", "title", article.title), ("meta", "date", day), ("meta", "channel", article.channel.name),
            ("meta", "section", article.section.name), ("filter", "channel", article.channel.name),
            ("filter", "section", article.section.name), ("sort", "date", article.date.strftime("%Y-%m-%dT%H:%M"))]
    keys = "".join(f'<span data-pagefind-{kind}="{escape(name)}:{escape(value)}"></span>' for kind, name, value in tags)
    return (f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f"<title>{escape(article.title)}</title></head><body><main data-pagefind-body>{keys}"
            f"<h1>{escape(article.title)}</h1>"
            + (f"<p>{escape(article.dek)}</p>" if article.dek else "")
            + f"{article.body.text}</main></body></html>").encode("utf-8")


@dataclass
class _State:
    format: int = FORMAT
    key: str = ""  # what the documents were made with (documents_key)
    documents: dict[str, dict[str, str]] = field(default_factory=dict)  # shard -> site path -> article digest
    files: dict[str, tuple[str, ...]] = field(default_factory=dict)  # shard -> its index files, relative
    whole: bool = True  # False after a failed indexing: only a full update may patch it then


class SearchIndex:
    """The shards of one output folder's index, kept in ``folder`` (in the build cache)."""

    def __init__(self, folder: Path, config: Config):
        key = documents_key(config)
        self.folder = folder
        self.base_path = config.base_path
        self.lang = lambda article: (config.edition_of(article.lang) or config.editions[0]).lang
        try:
            with open(folder / _STATE, "rb") as stream:
                state = pickle.load(stream)
            if not isinstance(state, _State) or state.format != FORMAT or state.key != key:
                raise ValueError("another format or key")
        except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError):
            shutil.rmtree(folder, ignore_errors=True)
            state = _State(key=key, whole=False)  # nothing to patch: a full update makes it
        self.state = state

    def update(self, articles: Iterable[Article], indexer: Indexer | None = None) -> set[str]:
        """Bring the index to ``articles``, every published article of the site: shards whose
        documents changed are indexed again (several at once, or by ``indexer``, which runs
        :func:`index_shard` on each shard elsewhere: a build's executor), shards with no story
        left go. Returns the shards that changed."""
        wanted: dict[str, dict[str, Article]] = {}
        for article in articles:
            wanted.setdefault(shard_of(article, self.lang(article)), {})[article.url] = article
        plans = self._plans({shard: wanted.get(shard, {}) for shard in set(wanted) | set(self.state.documents)})
        documents = self._open(plans, write=False)
        try:
            todo = [(shard, documents.get(shard, [])) for shard, (_, now) in plans.items() if now]
            made = dict(zip((shard for shard, _ in todo), (indexer or index_here)(self.folder, todo), strict=True))
        except BaseException:
            self._drop(plans)
            raise
        self._close(plans, made, True)
        if not self.state.whole:  # a new index, or one an indexing left unfinished: whole now
            self.state.whole = True
            self._save()
        return set(plans)

    def patch(self, gone: Iterable[Article], come: Iterable[Article]) -> Indexing | None:
        """The quick paths' update: the documents of the ``gone`` records leave, those of ``come``
        (published now) take their places. Pagefind runs while the caller goes on; the
        :class:`Indexing` it returns gives the files. None when the index is not whole (an
        indexing failed since the last full update)."""
        if not self.state.whole:
            return None
        touched: dict[str, dict[str, Article | None]] = {}
        for article in gone:
            touched.setdefault(shard_of(article, self.lang(article)), {})[article.url] = None
        for article in come:
            touched.setdefault(shard_of(article, self.lang(article)), {})[article.url] = article
        wanted: dict[str, dict[str, Article | str]] = {}
        for shard, changes in touched.items():
            now: dict[str, Article | str] = dict(self.state.documents.get(shard, {}))  # unchanged: their digest
            for url, article in changes.items():
                if article is None:
                    now.pop(url, None)
                else:
                    now[url] = article
            wanted[shard] = now
        plans = self._plans(wanted)
        before = {shard: self.state.files.get(shard, ()) for shard in plans}
        self._open(plans)
        try:
            running = {shard: self._run(shard) for shard, (_, now) in plans.items() if now}
        except BaseException:
            self._drop(plans)
            raise
        return Indexing(self, plans, running, before)

    def _plans(self, wanted: dict[str, dict[str, Article | str]]) -> dict[str, tuple[dict[str, str], Wanted]]:
        """The shards of ``wanted`` whose documents change: each with the digests it holds and
        what it is to hold (an article, or the digest of a document it holds already)."""
        plans = {}
        for shard in sorted(wanted):
            now = {url: a if isinstance(a, str) else a.digest for url, a in wanted[shard].items()}
            before = self.state.documents.get(shard, {})
            if now != before:
                plans[shard] = (before, wanted[shard])
        return plans

    def _open(self, plans: dict[str, tuple[dict[str, str], Wanted]], write: bool = True) -> dict[str, Documents]:
        """Write the documents of the ``plans``' shards (or, unless ``write``, return them by
        shard, for :func:`index_shard` to write: a full update's are many). Before a file is
        touched, the state on disk forgets those shards and is not whole, so that a build
        killed meanwhile leaves them to be made anew."""
        documents: dict[str, Documents] = {}
        if not plans:
            return documents
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / PENDING).touch()  # the output's copy is behind until a build has written it
        for shard in plans:
            self.state.documents.pop(shard, None)
            self.state.files.pop(shard, None)
        self.state.whole = False
        self._save()
        try:
            for shard, (before, wanted) in plans.items():
                if not before or not wanted:  # a shard the state does not know: whatever is on disk goes
                    shutil.rmtree(self.folder / shard, ignore_errors=True)
                docs = self.folder / shard / "docs"
                for url in before.keys() - wanted.keys():
                    (docs / self._doc(url)).unlink(missing_ok=True)
                documents[shard] = [(self._doc(url), article, self.lang(article)) for url, article in wanted.items()
                                    if not isinstance(article, str) and before.get(url) != article.digest]
                if write:
                    write_documents(self.folder, shard, documents[shard])
        except BaseException:
            self._drop(plans)
            raise
        return documents

    def _close(self, plans: dict[str, tuple[dict[str, str], Wanted]], made: dict[str, tuple[str, ...]],
               whole: bool) -> None:
        """The ``plans``' shards are indexed (``made``: each one's files): the state says so."""
        if not plans:
            return
        for shard, files in made.items():
            self.state.files[shard] = files
            self.state.documents[shard] = {url: a if isinstance(a, str) else a.digest
                                           for url, a in plans[shard][1].items()}
        self.state.whole = whole
        self._save()

    def _drop(self, plans: dict[str, tuple[dict[str, str], Wanted]]) -> None:
        """After a failure: the ``plans``' shards are not what the state says, and go."""
        for shard in plans:
            shutil.rmtree(self.folder / shard, ignore_errors=True)

    def files(self, shards: Iterable[str] | None = None) -> dict[str, Path]:
        """The output files of the index (``pagefind/<shard>/...``), each with the file it is copied from."""
        chosen = self.state.files if shards is None else {s: self.state.files.get(s, ()) for s in shards}
        return {f"{SEARCH_FOLDER}/{shard}/{name}": self.folder / shard / "index" / name
                for shard, names in sorted(chosen.items()) for name in names}

    def _doc(self, url: str) -> str:
        """A document's file: where Pagefind finds it gives the result's address."""
        path = (self.base_path + url).lstrip("/")
        return path + "index.html" if path.endswith("/") or not path else path

    def _run(self, shard: str) -> Running:
        return _start(self.folder, shard)

    def _take(self, shard: str, running: Running) -> tuple[str, ...]:
        return _collect(self.folder, shard, running)

    def _save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f"{_STATE}.{os.getpid()}.tmp"
        with open(temporary, "wb") as stream:
            pickle.dump(self.state, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.folder / _STATE)


#: A shard's documents to write: each one's file in the shard's ``docs/``, article and language.
Documents = list[tuple[str, Article, str]]
#: Runs :func:`index_shard` on each (shard, documents) of a folder, somewhere; the files of each, in order.
Indexer = Callable[[Path, list[tuple[str, Documents]]], Iterable[tuple[str, ...]]]


def index_shard(folder: Path, shard: str, documents: Documents | None = None) -> tuple[str, ...]:
    """Write a shard's new ``documents``, then run Pagefind on it; the index files it holds now."""
    write_documents(folder, shard, documents or [])
    return _collect(folder, shard, _start(folder, shard))


def index_here(folder: Path, shards: list[tuple[str, Documents]]) -> list[tuple[str, ...]]:
    """:func:`index_shard` on every shard, several at once, in this process."""
    if not shards:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(len(shards), os.cpu_count() or 1))) as pool:
        return list(pool.map(lambda job: index_shard(folder, *job), shards))


def write_documents(folder: Path, shard: str, documents: Documents) -> None:
    docs = folder / shard / "docs"
    for name, article, lang in documents:
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(document(article, lang))


def _start(folder: Path, shard: str) -> Running:
    """Start Pagefind on a shard's documents, into a folder of this process's."""
    from pagefind_bin_extended import get_executable

    fresh = folder / shard / f"fresh-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    command = [str(get_executable()), "--site", str(folder / shard / "docs"), "--output-path", str(fresh),
               "--silent"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace"), fresh


def _collect(folder: Path, shard: str, running: Running) -> tuple[str, ...]:
    """Wait for Pagefind on ``shard``; the index files it wrote. A file whose bytes did not
    change is left as it was (its copy in the output too: an edit rewrites a handful of a
    shard's files, not its every fragment)."""
    process, fresh = running
    said, _ = process.communicate()
    if process.returncode != 0:
        detail = " / ".join(line for line in said.splitlines() if line.strip())[-300:]
        raise BuildFailed([SiteError("search", None, None, f"Pagefind could not index {shard}: {detail}")])
    index = folder / shard / "index"
    for name in os.listdir(fresh):
        if name.startswith(_UI):
            os.unlink(fresh / name)
    made = _files(fresh)
    if not index.is_dir():
        os.replace(fresh, index)
        return made
    for name in set(_files(index)) - set(made):
        os.unlink(index / name)
    for name in made:
        old, new = index / name, fresh / name
        same = old.is_file() and old.stat().st_size == new.stat().st_size and old.read_bytes() == new.read_bytes()
        if not same:
            old.parent.mkdir(parents=True, exist_ok=True)
            os.replace(new, old)
    shutil.rmtree(fresh)
    return made


def _files(folder: Path) -> tuple[str, ...]:
    """The files below ``folder``, '/'-separated, in name order."""
    cut = len(str(folder)) + 1
    return tuple(sorted(os.path.join(root, name)[cut:].replace(os.sep, "/")
                        for root, _, names in os.walk(folder) for name in names))


class Indexing:
    """A quick path's index update under way (:meth:`SearchIndex.patch`): Pagefind runs while
    the pages render; :meth:`files` waits for it and gives what to copy into the output and
    what to delete there. :meth:`cancel` stops it when the build fails first."""

    def __init__(self, index: SearchIndex | None, plans: dict[str, tuple[dict[str, str], Wanted]],
                 running: dict[str, Running], before: dict[str, tuple[str, ...]]):
        self.index, self.plans, self.running, self.before = index, plans, running, before
        self.found: tuple[dict[str, Path], set[str]] | None = None

    def files(self) -> tuple[dict[str, Path], set[str]]:
        """The index files of the shards that changed, to copy into the output, and their
        files to delete."""
        if self.found is None and self.index is None:  # nothing to index
            self.found = {}, set()
        if self.found is None:
            index, plans = self.index, self.plans
            assert index is not None
            try:
                made = {shard: index._take(shard, running) for shard, running in self.running.items()}
            except BaseException:
                self.cancel()
                raise
            index._close(plans, made, True)
            after = index.files(plans)
            self.found = after, {f"{SEARCH_FOLDER}/{shard}/{name}" for shard in plans
                                 for name in self.before.get(shard, ())} - after.keys()
            self.running = {}
        return self.found

    def cancel(self) -> None:
        """Stop Pagefind; the shards it was making are left to the next full build."""
        for process, _ in self.running.values():
            process.kill()
            process.communicate()
        if self.running and self.index is not None:
            self.index._drop(self.plans)
        self.running = {}


def quick_update(folder: Path | None, config: Config, gone: Iterable[Article], come: Iterable[Article]
                 ) -> Indexing | None:
    """A quick path's part of the index (:meth:`SearchIndex.patch`), under way (nothing to do
    for a site without search); None when only a full build can bring the index up to date:
    it is not on disk (``folder`` None: a build made it in a folder of its own), or a build
    left it unwritten."""
    if not config.build.search:
        return Indexing(None, {}, {}, {})
    if folder is None or (folder / PENDING).exists():
        return None
    return SearchIndex(folder, config).patch(gone, come)


def index_folder(cache_folder: Path | None, session_folder: Path | None) -> Path | None:
    """Where a build keeps the search index: in the build cache's folder, else (a preview with
    its cache in memory) in its session's; None when neither is on disk."""
    return cache_folder / "search" if cache_folder is not None else session_folder


def search_files(config: Config, cache_folder: Path | None, published: list[Article],
                 session_folder: Path | None, indexer: Indexer | None = None) -> dict[str, tuple[Path | bytes, str]]:
    """A full build's search index of the ``published`` articles: its output files, each with
    the file it is copied from (or its bytes) and its owner. The shards are kept in the cache
    folder (the preview's in its session's folder) and indexed again only when one of their
    stories changed; a cache held in memory without a session (a test's) indexes into a
    folder of its own, read back."""
    folder = index_folder(cache_folder, session_folder)
    if folder is not None:
        index = SearchIndex(folder, config)
        index.update(published, indexer)
        return {relative: (path, SEARCH_OWNER) for relative, path in index.files().items()}
    with tempfile.TemporaryDirectory(prefix="newsroom-search-") as scratch:
        index = SearchIndex(Path(scratch), config)
        index.update(published)
        return {relative: (path.read_bytes(), SEARCH_OWNER) for relative, path in index.files().items()}


def written(folder: Path | None) -> None:
    """The output holds the index as it is now: a build wrote it there and saved its cache."""
    if folder is not None:
        (folder / PENDING).unlink(missing_ok=True)
