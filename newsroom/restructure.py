"""The command line's structural quick path: articles added, deleted, re-dated or moved.

An edit that changes where an article goes (its date, channel, section, tags, or the
article itself coming or going) changes the lists the model pages, but rarely more than
a few of them. The last full build stored, beside its pages (:mod:`newsroom.pagestore`),
every record it read without its text, and the model's groups of pages
(:data:`newsroom.model.Group`): what each list's or article's pages were made from. This
path brings those records up to date with the files changed since, lays the site out
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
import os
import time
from array import array
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from . import faults, pagestore, workers
from .builder import BuildResult, _dead_links, _later_clashes, _published, warning_order
from .cache import BuildCache, Entry, Header, LastBuild
from .config import Config
from .content import Article, load_article
from .errors import BuildFailed, SiteError
from .fingerprint import last_articles, page_fingerprint
from .images import remember_sources
from .incremental import Inputs
from .markup import Markdown
from .model import EVERY_TIME, Layout, page_articles, placement_key, sitemap_entries, sitemap_lastmod, swap_articles
from .output import Output
from .pages import Page
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
        return _Rebuild(config, folder, header, last, inputs, target, now, store, strict, links, read or {}).run(
            preview, progress, started)
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


class _Rebuild:
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
        self.stored = store.records(shape)
        if self.stored is None:
            return None
        changed = {p for p, s in self.inputs.stamps.items() if shape.stamps.get(p) != s} \
            | (shape.stamps.keys() - self.inputs.stamps.keys())  # since the records were stored
        if not _only_articles(config, changed):
            return None
        read = self._read(shape, changed)
        if read is None:
            return None
        records, fresh, before = read  # every record now, the new full ones, the last build's full ones
        bodies = self.cache.stored_bodies
        if any(a.body.file is not None and os.path.basename(a.body.file) not in bodies for a in records.values()):
            return None  # bodies gone from the cache: the full build reads those articles again
        ordered = [records[k] for k in sorted(records)]
        now_shown = _published(config, ordered, self.now)
        published = now_shown.articles
        if _later_clashes(ordered, published) or not self._same_photos(records, set(fresh) | set(before)):
            return None
        layout = Layout(config, published)
        groups = layout.groups()
        if not _same_terms(shape.terms, (layout.tags.names, layout.tags.urls, layout.people.names,
                                         layout.people.urls)) or layout.updates != shape.updates:
            return None  # a name's page moves, or every list's sitemap date: the full build's
        moved = {k for k in fresh.keys() | before.keys()
                 if k not in records or k not in self.stored or placement_key(records[k]) != placement_key(
                     self.stored[k])}
        slots, counts = self._assemble(shape, layout, groups, moved)
        urls = [slot.url if type(slot) is not int else shape.urls[slot] for slot in slots]
        lastmods = [sitemap_lastmod(slot, layout.updates) if type(slot) is not int else shape.lastmods[slot]
                    for slot in slots]
        closing = layout.closing(sitemap_entries(urls, lastmods), shape.provided)
        slots += closing
        urls += (page.url for page in closing)
        lastmods += (None for _ in closing)
        files = [output_file(slot.url) if type(slot) is not int else shape.files[slot] for slot in slots]
        if _clash(files):
            return None  # the full build names the articles that claim one address
        if not self._swap_edited(slots, [k for k in fresh if k not in moved], {a.path: a for a in published}):
            return None
        outputs = dict(self.cache.outputs)
        found = self._fingerprints(slots, files, outputs, len(shape.files))
        if found is None:
            return None
        fingerprints, refs, todo = found
        old_files = store.files()
        gone = set(shape.files) - set(files)
        site_files = (old_files - gone) | set(files)
        warnings = self._warnings(shape, layout, fresh, before, published, old_files, site_files)
        if warnings is None:
            return None
        renderer = Renderer(config, preview=preview, compiled=Renderer.compiled_folder(config))
        written = self._write(renderer, todo, files, gone, outputs, fingerprints, progress)
        for file in gone:
            outputs.pop(file, None)
        overlay = {**shape.overlay, **fresh, **dict.fromkeys(self.removed)}
        name = pagestore.extend(self.folder, store, slots, fingerprints, refs, frozenset(site_files), pagestore.Layout(
            overlay, self.inputs.stamps, shape.failed_drafts,
            tuple((*group, count) for group, count in zip(groups, counts, strict=True)), tuple(urls), tuple(files),
            tuple(lastmods), (layout.tags.names, layout.tags.urls, layout.people.names, layout.people.urls),
            layout.updates, layout.warnings, shape.provided))
        left_out = now_shown.left_out
        result = replace(last.result, pages=len(slots), articles=len(published),  # type: ignore[type-var]
                         drafts_skipped=left_out["draft"] + shape.failed_drafts,
                         scheduled_skipped=left_out["scheduled"], expired_skipped=left_out["expired"],
                         next_change=now_shown.next_change,
                         articles_read=self.reads, pages_rendered=len(todo), files_written=written,
                         files_kept=len(outputs) - written, output=self.target, warnings=warnings)
        entries = {**self.cache.state.entries, **self.entries}
        for key in self.removed:
            entries.pop(key, None)
        self.cache.remember(entries, outputs)
        self.cache.remember_build(LastBuild(self.inputs.signature, replace(
            result, articles_read=0, pages_rendered=0, files_written=0, files_kept=len(outputs), output=None,
            seconds=0.0), self.inputs.head, self.inputs.stamps, name))
        self.cache.save()
        for key, article in before.items():  # a partial cache leaves the bodies of other records alone
            if article.body.file is not None and (key not in fresh or fresh[key].body.file != article.body.file):
                with contextlib.suppress(OSError):
                    os.unlink(article.body.file)
        return replace(result, seconds=time.perf_counter() - started)

    def _read(self, shape: pagestore.Layout, changed: set[str]
              ) -> tuple[dict[str, Article], dict[str, Article], dict[str, Article]] | None:
        """Every record as it is now (those of unchanged files from the store, without their
        text), the full records of the ``changed`` files that exist, and the last build's full
        records of those that it read; None when one of them is a case for the full build."""
        config, last, now = self.config, self.last, self.now
        keys = {path: config.relpath(Path(path)) for path in changed}
        self.cache = cache = BuildCache.open(self.folder, self.header.key, config.root, only=keys.values(),
                                             header=self.header)
        self.entries = dict(cache.state.entries)
        self.removed: set[str] = set()
        self.reads = 0
        records = dict(self.stored)
        fresh: dict[str, Article] = {}
        before: dict[str, Article] = {}
        renderer = Markdown()
        for path in sorted(changed):
            key = keys[path]
            entry = cache.state.entries.get(key)
            if last.stamps.get(path) is not None:
                if entry is None:
                    return None  # a file the last build could not read: its mistakes are the full build's to report
                before[key] = entry.article
            stamp = self.inputs.stamps.get(path)
            if stamp is None:
                old = records.pop(key, None)
                if old is not None and old.assets:
                    return None  # files beside it to delete
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
                self.entries[key] = Entry(stamp[1], stamp[0], article)
                self.reads += 1
            if not article.draft and (article.date > now or (article.expires is not None and article.expires <= now)):
                return None  # scheduled, or gone: the full build decides, and marks its pages
            old = self.stored.get(key)
            if article.assets != (old.assets if old is not None else ()):
                return None  # files beside it to copy or drop
            records[key] = fresh[key] = article
        return records, fresh, before

    def _same_photos(self, records: dict[str, Article], keys: set[str]) -> bool:
        """Whether the site publishes the same photo variants as the last build did."""
        if all(self._photos(self.stored.get(k)) == self._photos(records.get(k)) for k in keys):
            return True  # each changed story shows what it showed, where it did
        return self._photo_set(self.stored) == self._photo_set(records)

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

    def _assemble(self, shape: pagestore.Layout, layout: Layout, groups: list, moved: set[str]
                  ) -> tuple[list[int | Page], list[int]]:
        """The pages of each group: the old store's (by index) where the group is as it was,
        else made."""
        old = {}
        first = 0
        for name, members, key, count in shape.groups:
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
        showing = {i for key in edited for i in self.store.showing(key)}
        if not showing:
            return True
        places = {slot: n for n, slot in enumerate(slots) if type(slot) is int and slot in showing}
        indices = sorted(places)
        stored = self.store.pages(indices)
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
        bases = self.store.bases
        new_of = array("I", [_GONE]) * stored
        for index, slot in enumerate(slots):
            if type(slot) is int:
                if files[index] not in outputs:
                    return None
                new_of[slot] = index
        refs: dict[str, array[int]] = {}
        for path, held in self.store.refs().items():
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

    def _warnings(self, shape: pagestore.Layout, layout: Layout, fresh: dict[str, Article],
                  before: dict[str, Article], published: list[Article], old_files: frozenset[str],
                  new_files: set[str]) -> tuple[SiteError, ...] | None:
        """The last build's warnings with the model's, the changed articles' and the dead links
        that changed made again; None when the full build would fail on them (``--strict``,
        or ``--links`` and a dead link)."""
        shown = {a.path for a in published}
        delta = old_files ^ new_files
        others = [a for a in published if a.links and a.path not in fresh and _links_to(a, delta)] if delta else []
        gone, come = set(shape.warnings), set(layout.warnings)
        for key, article in before.items():
            gone.update(article.warnings)
            if self.store.showing(key):  # it was published: its links were checked
                gone.update(_dead_links(article, old_files))
        for key, article in fresh.items():
            come.update(article.warnings)
            if key in shown:
                come.update(_dead_links(article, new_files))
        for article in others:
            gone.update(_dead_links(article, old_files))
            come.update(_dead_links(article, new_files))
        warnings = (set(self.last.result.warnings) - gone) | come  # type: ignore[attr-defined]
        if (self.strict and warnings) or (self.links and any(w.field in ("link", "image") and " not found" in w.message
                                                             for w in warnings)):
            return None  # the full build raises them as errors
        return tuple(sorted(warnings, key=warning_order))

    def _write(self, renderer: Renderer, pages: list[tuple[int, Page]], files: list[str], gone: set[str],
               outputs: dict[str, str], fingerprints: dict[str, str], progress: Progress) -> int:
        """Render ``pages`` into the output, delete the files of pages that are ``gone``; updates
        ``outputs``. Returns how many files were written."""
        with Output(self.target, partial=True) as out:
            for file in gone:
                out.drop(file)
            fresh = []
            for index, page in pages:
                file = files[index]
                outputs[file] = fingerprints[file]
                if out.claim(file, page.url) is not None:
                    fresh.append(page)
            errors = workers.render_pages(renderer, fresh, out.writer(), workers.default_jobs(), progress)
            if errors:
                raise BuildFailed(errors)
            workers.check_stop()  # Ctrl-C or SIGTERM: stop before the commit, never during it
            out.commit()
        faults.point("after-commit")
        return out.written


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
