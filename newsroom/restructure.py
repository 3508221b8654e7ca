"""The structural quick path: articles added, deleted, re-dated or moved.

An edit that changes where an article goes (its date, channel, section, tags, or the
article itself coming or going) changes the lists the model pages, but rarely more than
a few of them. The last full build stored, beside its pages (:mod:`newsroom.pagestore`),
every record it read, and the model's groups of pages (:data:`newsroom.model.Group`):
what each list's or article's pages were made from; the preview keeps the same in
memory (its ``Session`` and cache). This path (:func:`restructure` for the command line,
:func:`restructure_preview` for the preview) brings those records up to date with the
files changed since, lays the site out
again from them (:class:`newsroom.model.Layout`: sorting and grouping, no pages), and
keeps every group whose articles are the same, in the same order, with the same
:func:`~newsroom.model.placement_key`; only the other groups' pages are made,
fingerprinted and, where their fingerprint changed, rendered with the full records
of what they show. Files of pages that are gone are deleted, the sitemaps and the
warnings (the model's, the edited articles', dead links) are made again, and the new
pages are appended to the store.

Whatever it cannot decide as the full build would (a photo or file to publish or drop,
a scheduled story, a taxonomy whose names change address, two pages on one URL, a
mistake) returns None, and the caller runs the full build; the tests compare the two.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import os
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from . import faults, pagestore, workers
from .builder import BuildResult, _dead_links, _later_clashes, _published, warning_order
from .cache import BuildCache, Entry, Header, LastBuild
from .config import Config
from .content import Article, load_article
from .errors import BuildFailed, SiteError
from .fingerprint import last_articles, page_fingerprint
from .images import remember_sources
from .incremental import Inputs, Session
from .markup import Markdown
from .model import EVERY_TIME, Layout, page_articles, placement_key, sitemap_entries, sitemap_lastmod, swap_articles
from .output import Output
from .pages import Page, SiteModel
from .progress import Progress
from .render import Renderer
from .urls import output_file

_GONE = 0xFFFFFFFF  # a page of the old store that is no page any more
OVERLAY = 512  # records changed since the store was written, at most: past it, the full build writes a new one


def restructure(config: Config, folder: Path, header: Header, inputs: Inputs, target: Path, now: datetime, *,
                preview: bool, strict: bool, links: bool, progress: Progress,
                read: dict[str, Entry] | None = None) -> BuildResult | None:
    """Rebuild after articles came, went or moved since the last build, or None when a full
    build is needed (see the module). ``read``: records of changed files already read, by path."""
    started = time.perf_counter()
    last = header.last
    if last is None or last.pages is None or last.head != inputs.head or inputs.problems:
        return None
    if not isinstance(last.result, BuildResult) or (last.result.next_change is not None
                                                    and now >= last.result.next_change[0]):
        return None
    if not _only_articles(config, {p for p, s in inputs.stamps.items() if last.stamps.get(p) != s}
                          | (last.stamps.keys() - inputs.stamps.keys())):
        return None  # a template, a static file, a photo: the full build's stages
    store = pagestore.PageStore.open(folder, last.pages)
    if store is None:
        return None
    try:
        with _collector_paused():
            return _CommandLine(config, folder, header, last, inputs, target, now, store, strict, links,
                                read or {}).run(preview, progress, started)
    finally:
        store.close()


def _only_articles(config: Config, changed: set[str]) -> bool:
    """Whether the files ``changed`` are all articles, and few enough for a quick path."""
    content = str(config.dir("content")) + os.sep
    if not changed or len(changed) > workers.PARALLEL_READS:
        return False
    for path in changed:
        if not path.startswith(content) or not path.endswith(".md"):
            return False
        if any(part.startswith((".", "_")) for part in path[len(content):].split(os.sep)):
            return False
    return True


def restructure_preview(config: Config, cache: BuildCache, session: Session, changed: set[Path],
                        output: Path) -> BuildResult | None:
    """The preview's structural quick path: as the command line's, from the model its
    ``session`` keeps and the records of its ``cache``; None when a full build is needed."""
    started = time.perf_counter()
    model = session.model
    if model is None or session.renderer is None or not model.groups or not output.is_dir():
        return None
    pages = model.pages
    before = Before(
        {k: e.article for k, e in cache.state.entries.items()}, model.groups, [p.url for p in pages], model.files,
        model.lastmods, model.terms, any(a.updated is not None for a in model.articles), model.warnings,
        session.provided, session.failed_drafts, session.bases, lambda indices: [pages[i] for i in indices],
        session.pages_showing, lambda: session.refs, lambda: session.site_files)
    with _collector_paused():
        return _Preview(config, cache, session, output, datetime.now(UTC), before).run(changed, started)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cycle collection while the site is laid out again: it makes a million small objects
    beside a hundred thousand records, none of them garbage in a cycle, and the collector's
    passes over them cost as much as the work (at 100,000 articles, about half of the time
    spent naming the groups)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class Before:
    """The last build, as the structural path needs it: from the page store (the command line)
    or the preview's session."""

    records: dict[str, Article]  # every record it read, drafts too
    groups: tuple[tuple[tuple[str, str], tuple[str, ...], object, int], ...]
    urls: Sequence[str]  # of its pages, in order
    files: Sequence[str]
    lastmods: Sequence[str | None]
    terms: tuple[dict[str, str], ...]
    updates: bool
    warnings: tuple[SiteError, ...]  # the model's
    provided: frozenset[str]
    failed_drafts: int
    bases: dict[str, str]
    pages: Callable[[list[int]], list[Page] | None]  # pages by index
    showing: Callable[[str], list[int]]  # the indices of the pages that hold an article
    refs: Callable[[], dict[str, array[int]]]  # those of every article
    site_files: Callable[[], frozenset[str]]  # every output file


@dataclass
class Relaid:
    """The site laid out again: its pages, as indices of the last build's where kept."""

    slots: list[int | Page]
    counts: list[int]  # pages of each group
    groups: list
    layout: Layout
    urls: list[str]
    files: list[str]
    lastmods: list[str | None]
    fingerprints: dict[str, str]  # of the pages made, by file
    refs: dict[str, array[int]]
    todo: list[tuple[int, Page]]  # the pages whose file is not up to date, by index
    gone: set[str]  # files of pages that are no more
    site_files: set[str]
    published: list[Article]


class _Rebuild:
    """What both structural paths share: laying out, keeping groups, fingerprinting, writing."""

    config: Config
    now: datetime
    before: Before

    def relay(self, records: dict[str, Article], fresh: dict[str, Article], previous: dict[str, Article],
              outputs: dict[str, str]) -> tuple[Relaid, object] | None:
        """The site from ``records``, where ``fresh`` are the new records of changed files
        and ``previous`` the last build's of them; None for a case of the full build."""
        config, before = self.config, self.before
        ordered = [records[k] for k in sorted(records)]
        now_shown = _published(config, ordered, self.now)
        published = now_shown.articles
        if _later_clashes(ordered, published) or not self._same_photos(records, set(fresh) | set(previous)):
            return None
        layout = Layout(config, published)
        groups = layout.groups()
        if not _same_terms(before.terms, (layout.tags.names, layout.tags.urls, layout.people.names,
                                          layout.people.urls)) or layout.updates != before.updates:
            return None  # a name's page moves, or every list's sitemap date: the full build's
        moved = {k for k in fresh.keys() | previous.keys()
                 if k not in records or k not in before.records or placement_key(records[k]) != placement_key(
                     before.records[k])}
        slots, counts = self._assemble(layout, groups, moved)
        urls = [slot.url if type(slot) is not int else before.urls[slot] for slot in slots]
        lastmods = [sitemap_lastmod(slot, layout.updates) if type(slot) is not int else before.lastmods[slot]
                    for slot in slots]
        closing = layout.closing(sitemap_entries(urls, lastmods), before.provided)
        slots += closing
        urls += (page.url for page in closing)
        lastmods += (None for _ in closing)
        files = [output_file(slot.url) if type(slot) is not int else before.files[slot] for slot in slots]
        if _clash(files):
            return None  # the full build names the articles that claim one address
        if not self._swap_edited(slots, [k for k in fresh if k not in moved], {a.path: a for a in published}):
            return None
        found = self._fingerprints(slots, files, outputs, len(before.files))
        if found is None:
            return None
        fingerprints, refs, todo = found
        gone = set(before.files) - set(files)
        site_files = (before.site_files() - gone) | set(files)
        return Relaid(slots, counts, groups, layout, urls, files, lastmods, fingerprints, refs, todo, gone,
                      site_files, published), now_shown

    def _remove(self, records: dict[str, Article], key: str) -> bool:
        """Take the deleted article ``key`` out of ``records``; False for a case of the full build."""
        old = records.pop(key, None)
        return old is None or not old.assets  # files beside it to delete: the full build's

    def _take(self, records: dict[str, Article], fresh: dict[str, Article], key: str, article: Article) -> bool:
        """Put the new record of ``key`` in ``records`` and ``fresh``; False for a case of the full build."""
        now = self.now
        if not article.draft and (article.date > now or (article.expires is not None and article.expires <= now)):
            return False  # scheduled, or gone: the full build decides, and marks its pages
        old = self.before.records.get(key)
        if article.assets != (old.assets if old is not None else ()):
            return False  # files beside it to copy or drop
        records[key] = fresh[key] = article
        return True

    def _same_photos(self, records: dict[str, Article], keys: set[str]) -> bool:
        """Whether the site publishes the same photo variants as the last build did."""
        if all(self._photos(self.before.records.get(k)) == self._photos(records.get(k)) for k in keys):
            return True  # each changed story shows what it showed, where it did
        return self._photo_set(self.before.records) == self._photo_set(records)

    def _photos(self, article: Article | None) -> tuple[object, ...]:
        """The photos ``article`` publishes (as a story shown now, or later), or () for none."""
        if article is None:
            return ()
        photos = tuple((place, p.file, p.source.key, p.focus) for place, found in (
            ("lead", (article.image,)), ("figure", article.figures), ("gallery", article.gallery))
            for p in found if p is not None and p.source is not None)
        if not photos:
            return ()
        shown = _published(self.config, [article], self.now)
        return (bool(shown.articles), bool(shown.later), photos)

    def _photo_set(self, records: dict[str, Article]) -> tuple[set[tuple[object, ...]], set[str]]:
        shown = _published(self.config, [records[k] for k in sorted(records)], self.now)
        placed, now_shown = set(), set()
        for now, article in (*((True, a) for a in shown.articles), *((False, a) for a in shown.later)):
            for place, photos in (("lead", (article.image,)), ("figure", article.figures),
                                  ("gallery", article.gallery)):
                for photo in photos:
                    if photo is not None and photo.source is not None:
                        placed.add((photo.file, photo.source.key, place, photo.focus))
                        if now:
                            now_shown.add(photo.file)
        return placed, now_shown

    def _assemble(self, layout: Layout, groups: list, moved: set[str]) -> tuple[list[int | Page], list[int]]:
        """The pages of each group: the old store's (by index) where the group is as it was,
        else made."""
        old = {}
        first = 0
        for name, members, key, count in self.before.groups:
            old[name] = (members, key, first, count)
            first += count
        slots: list[int | Page] = []
        counts = []
        for name, members, key in groups:
            was = old.get(name)
            if was is not None and name[0] not in EVERY_TIME and was[0] == members and was[1] == key \
                    and (not moved or moved.isdisjoint(members)):
                slots.extend(range(was[2], was[2] + was[3]))
                counts.append(was[3])
            else:
                made = layout.make(name)
                slots += made
                counts.append(len(made))
        return slots, counts

    def _swap_edited(self, slots: list[int | Page], edited: list[str], shown: dict[str, Article]) -> bool:
        """Make the kept pages that show the articles ``edited`` again, with the records ``shown``
        in place of every article in them."""
        showing = {i for key in edited for i in self.before.showing(key)}
        if not showing:
            return True
        places = {slot: n for n, slot in enumerate(slots) if type(slot) is int and slot in showing}
        indices = sorted(places)
        stored = self.before.pages(indices)
        if stored is None:
            return False
        for index, page in zip(indices, stored, strict=True):
            page = swap_articles(page, shown)
            if any(a.path not in shown for a in page_articles(page)):
                return False  # not published now: its group should have been made again
            slots[places[index]] = page
        return True

    def _fingerprints(self, slots: list[int | Page], files: list[str], outputs: dict[str, str], stored: int
                      ) -> tuple[dict[str, str], dict[str, array[int]], list[tuple[int, Page]]] | None:
        """The fingerprints of the pages made (by file), which pages hold each article (by new
        index), and the pages whose file is not up to date."""
        bases = self.before.bases
        new_of = array("I", [_GONE]) * stored
        for index, slot in enumerate(slots):
            if type(slot) is int:
                if files[index] not in outputs:
                    return None
                new_of[slot] = index
        refs: dict[str, array[int]] = {}
        for path, held in self.before.refs().items():
            kept = array("I", [new_of[i] for i in held])
            if _GONE in kept:
                kept = array("I", [i for i in kept if i != _GONE])
            if kept:
                refs[path] = kept
        prints: dict[str, str] = {}
        todo: list[tuple[int, Page]] = []
        for index, slot in enumerate(slots):
            if type(slot) is int:
                continue
            file = files[index]
            prints[file] = fingerprint = page_fingerprint(slot, bases[slot.kind])
            for path in last_articles():
                held = refs.get(path)
                if held is None:
                    held = refs[path] = array("I")
                held.append(index)
            if outputs.get(file) != fingerprint:
                todo.append((index, slot))
        return prints, refs, todo

    def _warnings(self, last: tuple[SiteError, ...], relaid: Relaid, fresh: dict[str, Article],
                  previous: dict[str, Article]) -> set[SiteError]:
        """The ``last`` build's warnings with the model's, the changed articles' and the dead
        links that changed made again."""
        before, layout, published = self.before, relaid.layout, relaid.published
        old_files, new_files = before.site_files(), relaid.site_files
        shown = {a.path for a in published}
        delta = old_files ^ new_files
        others = [a for a in published if a.links and a.path not in fresh and _links_to(a, delta)] if delta else []
        gone, come = set(before.warnings), set(layout.warnings)
        for key, article in previous.items():
            gone.update(article.warnings)
            if before.showing(key):  # it was published: its links were checked
                gone.update(_dead_links(article, old_files))
        for key, article in fresh.items():
            come.update(article.warnings)
            if key in shown:
                come.update(_dead_links(article, new_files))
        for article in others:
            gone.update(_dead_links(article, old_files))
            come.update(_dead_links(article, new_files))
        return (set(last) - gone) | come

    def _write(self, renderer: Renderer, relaid: Relaid, outputs: dict[str, str], target: Path,
               progress: Progress) -> int:
        """Render the pages to do into ``target``, delete the files of pages that are gone;
        updates ``outputs``. Returns how many files were written."""
        with Output(target, partial=True, keep=self.config.build.keep) as out:
            for file in relaid.gone:
                out.drop(file)
            fresh = []
            for index, page in relaid.todo:
                file = relaid.files[index]
                outputs[file] = relaid.fingerprints[file]
                if out.claim(file, page.url) is not None:
                    fresh.append(page)
            errors = workers.render_pages(renderer, fresh, out.writer(), workers.default_jobs(), progress)
            if errors:
                raise BuildFailed(errors)
            workers.check_stop()  # Ctrl-C or SIGTERM: stop before the commit, never during it
            out.commit()
        faults.point("after-commit")
        for file in relaid.gone:
            outputs.pop(file, None)
        return out.written


class _CommandLine(_Rebuild):
    def __init__(self, config: Config, folder: Path, header: Header, last: LastBuild, inputs: Inputs, target: Path,
                 now: datetime, store: pagestore.PageStore, strict: bool, links: bool, read: dict[str, Entry]):
        self.config, self.folder, self.header, self.last, self.inputs = config, folder, header, last, inputs
        self.target, self.now, self.store, self.strict, self.links = target, now, store, strict, links
        self.read = read

    def run(self, preview: bool, progress: Progress, started: float) -> BuildResult | None:
        config, store, last = self.config, self.store, self.last
        shape = store.layout()
        if shape is None or store.dead > len(shape.files) or len(shape.overlay) > OVERLAY:
            return None  # damaged, or grown by many quick builds: the full build writes it anew
        stored = store.records(shape)
        if stored is None:
            return None
        self.before = Before(stored, shape.groups, shape.urls, shape.files, shape.lastmods, shape.terms,
                             shape.updates, shape.warnings, shape.provided, shape.failed_drafts, store.bases,
                             store.pages, store.showing, store.refs, store.files)
        changed = {p for p, s in self.inputs.stamps.items() if shape.stamps.get(p) != s} \
            | (shape.stamps.keys() - self.inputs.stamps.keys())  # since the records were stored
        if not _only_articles(config, changed):
            return None
        read = self._read(changed)
        if read is None:
            return None
        records, fresh, previous = read  # every record now, the new ones, the last build's of those files
        bodies = self.cache.stored_bodies
        if any(a.body.file is not None and os.path.basename(a.body.file) not in bodies for a in records.values()):
            return None  # bodies gone from the cache: the full build reads those articles again
        outputs = dict(self.cache.outputs)
        found = self.relay(records, fresh, previous, outputs)
        if found is None:
            return None
        relaid, now_shown = found
        warnings = self._warnings(last.result.warnings, relaid, fresh, previous)  # type: ignore[attr-defined]
        if (self.strict and warnings) or (self.links and any(w.field in ("link", "image") and " not found" in w.message
                                                             for w in warnings)):
            return None  # the full build raises them as errors
        renderer = Renderer(config, preview=preview, compiled=Renderer.compiled_folder(config))
        written = self._write(renderer, relaid, outputs, self.target, progress)
        layout = relaid.layout
        name = pagestore.extend(self.folder, store, relaid.slots, relaid.fingerprints, relaid.refs,
                                frozenset(relaid.site_files), pagestore.Layout(
            {**shape.overlay, **fresh, **dict.fromkeys(self.removed)}, self.inputs.stamps, shape.failed_drafts,
            tuple((*group, count) for group, count in zip(relaid.groups, relaid.counts, strict=True)),
            tuple(relaid.urls), tuple(relaid.files), tuple(relaid.lastmods),
            (layout.tags.names, layout.tags.urls, layout.people.names, layout.people.urls), layout.updates,
            layout.warnings, shape.provided))
        left_out = now_shown.left_out  # type: ignore[attr-defined]
        result = replace(last.result, pages=len(relaid.slots), articles=len(relaid.published),  # type: ignore
                         drafts_skipped=left_out["draft"] + shape.failed_drafts,
                         scheduled_skipped=left_out["scheduled"], expired_skipped=left_out["expired"],
                         next_change=now_shown.next_change,  # type: ignore[attr-defined]
                         articles_read=self.reads, pages_rendered=len(relaid.todo), files_written=written,
                         files_kept=len(outputs) - written, output=self.target,
                         warnings=tuple(sorted(warnings, key=warning_order)))
        entries = {**self.cache.state.entries, **self.entries}
        for key in self.removed:
            entries.pop(key, None)
        self.cache.remember(entries, outputs)
        self.cache.remember_build(LastBuild(self.inputs.signature, replace(
            result, articles_read=0, pages_rendered=0, files_written=0, files_kept=len(outputs), output=None,
            seconds=0.0), self.inputs.head, self.inputs.stamps, name))
        self.cache.save()
        _drop_bodies(previous, fresh)
        return replace(result, seconds=time.perf_counter() - started)

    def _read(self, changed: set[str]) -> tuple[dict[str, Article], dict[str, Article], dict[str, Article]] | None:
        """Every record as it is now (those of unchanged files from the store), the records of
        the ``changed`` files that exist, and the last build's records of those that it read;
        None when one of them is a case for the full build."""
        config, last = self.config, self.last
        keys = {path: config.relpath(Path(path)) for path in changed}
        self.cache = cache = BuildCache.open(self.folder, self.header.key, config.root, only=keys.values(),
                                             header=self.header)
        self.entries = dict(cache.state.entries)
        self.removed: set[str] = set()
        self.reads = 0
        records = dict(self.before.records)
        fresh: dict[str, Article] = {}
        previous: dict[str, Article] = {}
        renderer = Markdown()
        for path in sorted(changed):
            key = keys[path]
            entry = cache.state.entries.get(key)
            if last.stamps.get(path) is not None:
                if entry is None:
                    return None  # a file the last build could not read: its mistakes are the full build's to report
                previous[key] = entry.article
            stamp = self.inputs.stamps.get(path)
            if stamp is None:
                if not self._remove(records, key):
                    return None
                self.entries.pop(key, None)
                self.removed.add(key)
                continue
            known = self.read.get(key)
            if entry is not None and (entry.size, entry.mtime_ns) == stamp:
                article = entry.article  # read since the records were stored (the quick path of an edit)
            elif known is not None and (known.size, known.mtime_ns) == stamp:
                article = known.article  # read by the quick path of this build, which found it moved
                self.entries[key] = known
                self.reads += 1
            else:
                if entry is not None:
                    remember_sources(entry.article, config.root)  # its photos, if unchanged, are not read again
                try:
                    article = cache.keep_body(load_article(config, Path(path), renderer, shown=key))
                except BuildFailed:
                    return None  # the full build reports every mistake of every file
                faults.point("read")
                self.entries[key] = Entry(stamp[1], stamp[0], article)
                self.reads += 1
            if not self._take(records, fresh, key, article):
                return None
        return records, fresh, previous

class _Preview(_Rebuild):
    def __init__(self, config: Config, cache: BuildCache, session: Session, output: Path, now: datetime,
                 before: Before):
        self.config, self.cache, self.session, self.target, self.now, self.before = \
            config, cache, session, output, now, before

    def run(self, changed: set[Path], started: float) -> BuildResult | None:
        config, cache, session = self.config, self.cache, self.session
        content = config.dir("content")
        records = dict(self.before.records)
        entries = dict(cache.state.entries)
        fresh: dict[str, Article] = {}
        previous: dict[str, Article] = {}
        renderer = Markdown()
        for path in sorted(changed):
            if not path.is_relative_to(content):
                return None
            if path.suffix != ".md" and not path.exists():
                continue  # an editor's temporary file, come and gone
            if path.suffix != ".md" or any(p.startswith((".", "_")) for p in path.relative_to(content).parts):
                return None
            key = config.relpath(path)
            entry = entries.get(key)
            if entry is not None:
                previous[key] = entry.article
            try:
                stat = os.stat(path)
            except FileNotFoundError:
                if entry is None or not self._remove(records, key):
                    return None
                del entries[key]
                continue
            try:
                article = cache.keep_body(load_article(config, path, renderer, shown=key))
            except BuildFailed:
                return None  # the full build shows every mistake
            faults.point("read")
            entries[key] = Entry(stat.st_mtime_ns, stat.st_size, article)
            if not self._take(records, fresh, key, article):
                return None
        if not fresh and not previous:
            return None
        outputs = dict(cache.outputs)
        found = self.relay(records, fresh, previous, outputs)
        if found is None:
            return None
        relaid, _ = found
        written = self._write(session.renderer, relaid, outputs, self.target,  # type: ignore[arg-type]
                              Progress(enabled=False))
        pages = self.before.pages([i for i in relaid.slots if type(i) is int])
        assert pages is not None
        kept = iter(pages)
        layout = relaid.layout
        model = SiteModel(
            articles=layout.ordered, pages=tuple(next(kept) if type(s) is int else s for s in relaid.slots),
            files=tuple(relaid.files), warnings=layout.warnings,
            by_channel={k: tuple(v) for k, v in layout.by_channel.items()},
            by_section={k: tuple(v) for k, v in layout.by_section.items()},
            groups=tuple((*group, count) for group, count in zip(relaid.groups, relaid.counts, strict=True)),
            lastmods=tuple(relaid.lastmods),
            terms=(layout.tags.names, layout.tags.urls, layout.people.names, layout.people.urls))
        session.moved(model, relaid.refs, frozenset(relaid.site_files))
        cache.remember(entries, outputs)
        cache.save()
        warnings = self._warnings((), relaid, fresh, previous)
        return BuildResult.of(model, len(entries), reads=len(fresh), rendered=len(relaid.todo), written=written,
                              kept=len(outputs) - written, started=started, output=self.target,
                              warnings=tuple(sorted(warnings, key=warning_order)))


def _drop_bodies(previous: dict[str, Article], fresh: dict[str, Article]) -> None:
    """Delete the bodies of the last build's records of files deleted or rewritten since (a
    partial cache leaves those of other records alone)."""
    for key, article in previous.items():
        if article.body.file is not None and (key not in fresh or fresh[key].body.file != article.body.file):
            with contextlib.suppress(OSError):
                os.unlink(article.body.file)


def _same_terms(old: tuple[dict[str, str], ...], new: tuple[dict[str, str], ...]) -> bool:
    """Whether every tag and person both layouts know is shown and paged as it was."""
    return len(old) == len(new) and all(all(before.get(name, value) == value for name, value in now.items())
                                        for before, now in zip(old, new, strict=True))


def _clash(files: list[str]) -> bool:
    """Two pages on one file, or a page where another's file would need a folder."""
    if len(set(files)) != len(files):
        return True
    ordered = sorted(files)
    for file in ordered:
        if file.endswith("/index.html") or file == "index.html":
            continue  # a folder's page
        at = bisect.bisect_left(ordered, file + "/")
        if at < len(ordered) and ordered[at].startswith(file + "/"):
            return True
    return False


def _links_to(article: Article, files: set[str] | frozenset[str]) -> bool:
    """Whether a link of ``article``'s body may name one of ``files``."""
    for path, _ in article.links:
        relative = path.lstrip("/")
        if not relative or relative.endswith("/"):
            if relative + "index.html" in files:
                return True
        elif relative in files or relative + "/index.html" in files:
            return True
    return False
