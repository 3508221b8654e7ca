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

import contextlib
import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from . import faults, pagestore, workers
from .builder import BuildResult, warning_order
from .cache import BuildCache, Entry, Header, LastBuild
from .config import Config
from .content import Article, load_article
from .errors import BuildFailed
from .images import remember_sources
from .incremental import Inputs, Session
from .markup import Markdown
from .pages import SiteModel
from .progress import Progress
from .relayout import Before, Rebuild, collector_paused
from .render import Renderer
from .search import index_folder
from .search import written as index_written

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
        with collector_paused():
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
        session.provided, session.bases, lambda indices: [pages[i] for i in indices],
        session.pages_showing, lambda: session.refs, lambda: session.site_files)
    with collector_paused():
        return _Preview(config, cache, session, output, datetime.now(UTC), before).run(changed, started)


class _CommandLine(Rebuild):
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
                             shape.updates, shape.warnings, shape.provided, store.bases,
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
        if not self.search_update(self.folder / "search", relaid, fresh, previous):
            return None
        renderer = Renderer(config, preview=preview, compiled=Renderer.compiled_folder(config), assets=last.assets)
        written = self._write(renderer, relaid, outputs, self.target, progress)
        layout = relaid.layout
        name = pagestore.extend(self.folder, store, relaid.slots, relaid.fingerprints, relaid.refs,
                                frozenset(relaid.site_files), pagestore.Layout(
            {**shape.overlay, **fresh, **dict.fromkeys(self.removed)}, self.inputs.stamps, shape.failed_drafts,
            tuple((*group, count) for group, count in zip(relaid.groups, relaid.counts, strict=True)),
            tuple(relaid.urls), tuple(relaid.files), tuple(relaid.lastmods),
            layout.terms, layout.updates,
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
            seconds=0.0), self.inputs.head, self.inputs.stamps, name, last.assets))
        self.cache.save()
        index_written(self.folder / "search")
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

class _Preview(Rebuild):
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
                if any(config.relpath(path) in a.depends for a in records.values()):
                    return None  # an image an article shows is gone
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
        if not self.search_update(index_folder(cache.folder, session.search), relaid, fresh, previous):
            return None
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
            terms=layout.terms)
        session.moved(model, relaid.refs, frozenset(relaid.site_files))
        cache.remember(entries, outputs)
        cache.save()
        index_written(index_folder(cache.folder, session.search))
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
