"""What both structural quick paths (:mod:`newsroom.restructure`) share: the site laid out
again from every record, each group of pages kept from the last build where its articles
are the same, in the same order, with the same :func:`~newsroom.model.placement_key`, and
made, fingerprinted and written where not.

The last build comes as a :class:`Before` (from the page store on the command line, from
the session in the preview); :meth:`Rebuild.relay` returns the new pages as a
:class:`Relaid`: indices of the last build's pages where kept, new pages where made.
"""

from __future__ import annotations

import gc
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .builder import _dead_links, _later_clashes, _on_site, _published
from .config import Config
from .content import Article
from .errors import SiteError
from .fingerprint import last_articles, page_fingerprint
from .model import (
    EVERY_TIME,
    Layout,
    nested_files,
    page_articles,
    placement_key,
    sitemap_lastmod,
    swap_articles,
)
from .pages import Page
from .patch import write_pages
from .progress import Progress
from .render import Renderer
from .search import Indexing, quick_update
from .sitemaps import sitemap_entries
from .urls import output_file

GONE = 0xFFFFFFFF  # a page of the old store that is no page any more


@contextmanager
def collector_paused() -> Iterator[None]:
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


class Rebuild:
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
        if not _same_terms(before.terms, layout.terms) or layout.updates != before.updates:
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
        new_of = array("I", [GONE]) * stored
        for index, slot in enumerate(slots):
            if type(slot) is int:
                if files[index] not in outputs:
                    return None
                new_of[slot] = index
        refs: dict[str, array[int]] = {}
        for path, held in self.before.refs().items():
            kept = array("I", [new_of[i] for i in held])
            if GONE in kept:
                kept = array("I", [i for i in kept if i != GONE])
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
        others = [a for a in published if a.links and a.path not in fresh
                  and any(_on_site(path, delta) for path, _ in a.links)] if delta else []  # links to what came or went
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
        todo = [(relaid.files[index], page, relaid.fingerprints[relaid.files[index]]) for index, page in relaid.todo]
        return write_pages(renderer, todo, outputs, target, gone=relaid.gone, keep=self.config.build.keep,
                           progress=progress, search=self.search)[1]

    def search_update(self, folder: Path | None, relaid: Relaid, fresh: dict[str, Article],
                      previous: dict[str, Article]) -> bool:
        """The search index after this edit (``self.search``: files to copy and to delete);
        False when only the full build can bring it up to date."""
        come = [a for a in relaid.published if a.path in fresh]
        found = quick_update(folder, self.config, previous.values(), come)
        if found is None:
            return False
        self.search: Indexing = found
        return True


def _same_terms(old: tuple[dict[str, str], ...], new: tuple[dict[str, str], ...]) -> bool:
    """Whether every tag and person both layouts know is shown and paged as it was."""
    return len(old) == len(new) and all(all(before.get(name, value) == value for name, value in now.items())
                                        for before, now in zip(old, new, strict=True))


def _clash(files: list[str]) -> bool:
    """Two pages on one file, or a page where another's file would need a folder."""
    return len(set(files)) != len(files) or bool(nested_files(files))
