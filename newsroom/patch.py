"""The quick paths: an edit that moves no article redoes only the pages that show it.

When every changed file is an existing article whose :func:`~newsroom.model.placement_key`
stays the same, no list on the site changes order or membership. The new records then
replace the old ones in the pages that show them (:func:`~newsroom.model.swap_articles`),
and only those pages are fingerprinted, rendered and written. The preview's
(:func:`patch_articles`) takes the pages from the model its ``Session`` keeps; the command
line's (:func:`quick_build`) from the page store the last full build kept
(:mod:`newsroom.pagestore`). Anything else returns None and the caller runs a full build,
which is always exact; these paths must give the same bytes, which the tests check.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from . import faults, pagestore, workers
from .builder import BuildResult
from .cache import BuildCache, Entry, Header
from .config import Config
from .content import Article, load_article
from .errors import BuildFailed, SiteError
from .fingerprint import page_fingerprint
from .images import remember_sources
from .incremental import Inputs, Session, copy_print
from .markup import Markdown
from .model import page_articles, placement_key, swap_articles
from .output import MANIFEST, Output, recover
from .pages import Page
from .progress import Progress
from .render import Renderer
from .search import SEARCH_OWNER, Indexing, index_folder, quick_update
from .search import written as index_written
from .urls import output_file


def patch_articles(config: Config, cache: BuildCache, session: Session, changed: set[Path],
                   output: Path) -> BuildResult | None:
    """Rebuild after edits of ``changed`` article files, or None when a full build is needed."""
    started = time.perf_counter()
    model = session.model
    if model is None or session.renderer is None or not changed or not output.is_dir():
        return None
    entries = dict(cache.state.entries)
    swaps = _swaps(config, cache, entries, changed, datetime.now(UTC), preview=True)
    if swaps is None:
        return None
    pages = list(model.pages)
    affected = sorted({i for key in swaps for i in session.pages_showing(key)})
    for index in affected:
        pages[index] = swap_articles(pages[index], swaps)
    shown = {a.path for a in model.articles}
    folder = index_folder(cache.folder, session.search)
    search = quick_update(folder, config, [cache.state.entries[k].article for k in swaps],
                          [a for k, a in swaps.items() if k in shown])
    if search is None:  # no index on disk to patch, or not whole: a full build's job
        return None
    outputs = dict(cache.outputs)
    fresh, written = _write(session.renderer, [pages[i] for i in affected], session.bases, outputs, output,
                            search=search)
    session.update(replace(model, pages=tuple(pages), articles=tuple(swaps.get(a.path, a) for a in model.articles)))
    cache.remember(entries, outputs)
    cache.save()
    index_written(folder)
    return BuildResult.of(session.model, len(entries), reads=len(swaps), rendered=fresh, written=written,
                          kept=len(outputs) - written, started=started, output=output,
                          warnings=tuple(w for article in swaps.values() for w in article.warnings))


def quick_build(config: Config, folder: Path, header: Header | None, inputs: Inputs, target: Path, now: datetime,
                *, preview: bool, strict: bool, links: bool, progress: Progress,
                read: dict[str, Entry] | None = None) -> BuildResult | None:
    """The command line's quick path: when every file that changed since the last build is an
    existing article whose edit keeps its :func:`~newsroom.model.placement_key` (and its photos
    and files), only the pages that show it are rendered, from the pages the last full
    build stored (:mod:`newsroom.pagestore`) and the records those pages show, instead of
    every record and a model made again. None when a full build is needed; the full build
    is always exact, and this path gives its bytes (the tests check)."""
    from .builder import _published

    started = time.perf_counter()
    last = header.last if header is not None else None
    if header is None or last is None or last.pages is None or last.head != inputs.head or inputs.problems:
        return None
    result = last.result
    if not isinstance(result, BuildResult) or (result.next_change is not None and now >= result.next_change[0]):
        return None
    if inputs.stamps.keys() != last.stamps.keys():
        return None  # a file came or went
    changed = {Path(p) for p, stamp in inputs.stamps.items() if stamp != last.stamps[p]}
    if not changed or len(changed) > workers.PARALLEL_READS:
        return None  # nothing but the clock or the options changed, or so much that a full build reads faster
    if recover(target) or not os.path.isfile(target / MANIFEST):
        return None
    cache = BuildCache.open(folder, header.key, config.root, only=[config.relpath(p) for p in changed], header=header)
    entries = dict(cache.state.entries)
    swaps = _swaps(config, cache, entries, changed, now, preview=False, read=read)
    store = pagestore.PageStore.open(folder, last.pages) if swaps is not None else None
    if swaps is None or store is None:
        return None
    try:
        stored = store.pages(sorted({i for k in swaps for i in store.showing(k)}))
        if stored is None:
            return None
        cache.load({a.path for page in stored for a in page_articles(page)})  # the records those pages show
        entries = {**cache.state.entries, **entries}
        shown = {a.path: a for a in _published(config, [entries[k].article for k in sorted(entries)], now).articles}
        pages = [swap_articles(page, shown) for page in stored]
        if any(a is not shown.get(a.path) for page in pages for a in page_articles(page)):
            return None  # a page shows an article that is not published now: the full build knows better
        warnings = _warnings(result.warnings, {k: cache.state.entries[k].article for k in swaps}, swaps,
                             set(shown), store, strict=strict, links=links)
        if warnings is None:
            return None
        search = quick_update(folder / "search", config,
                              [cache.state.entries[k].article for k in swaps], [shown[k] for k in swaps if k in shown])
        if search is None:
            return None
        outputs = dict(cache.outputs)
        renderer = Renderer(config, preview=preview, compiled=Renderer.compiled_folder(config), assets=last.assets)
        fresh, written = _write(renderer, pages, store.bases, outputs, target, progress=progress, search=search)
    finally:
        store.close()
    result = replace(result, articles_read=len(swaps), pages_rendered=fresh, files_written=written,
                     files_kept=len(outputs) - written, output=target, warnings=warnings)
    cache.remember(entries, outputs)
    cache.remember_build(replace(last, signature=inputs.signature, stamps=inputs.stamps,
                                 result=replace(result, articles_read=0, pages_rendered=0, files_written=0,
                                                files_kept=len(outputs), output=None, seconds=0.0)))
    cache.save()
    index_written(folder / "search")
    return replace(result, seconds=time.perf_counter() - started)


def _warnings(before: tuple[SiteError, ...], old: dict[str, Article], new: dict[str, Article], published: set[str],
              store: pagestore.PageStore, *, strict: bool, links: bool) -> tuple[SiteError, ...] | None:
    """The last build's warnings ``before``, with those of the ``old`` records of edited articles
    replaced by those of the ``new`` ones (dead links in published bodies included); None when
    the full build would fail on them (``strict``, or ``links`` and a dead link)."""
    from .builder import _dead_links, warning_order

    warnings = set(before)
    files = None
    for path, article in new.items():
        warnings.difference_update(old[path].warnings)
        warnings.update(article.warnings)
        if path in published and (old[path].links or article.links):  # published bodies' links are checked
            try:
                files = files if files is not None else store.files()
            except Exception:  # noqa: BLE001 - damaged: the full build writes a new store
                return None
            warnings.difference_update(_dead_links(old[path], files))
            warnings.update(_dead_links(article, files))
    if (strict and warnings) or (links and any(w.field in ("link", "image") and " not found" in w.message
                                               for w in warnings)):
        return None  # the full build raises them as errors
    return tuple(sorted(warnings, key=warning_order))


def _swaps(config: Config, cache: BuildCache, entries: dict[str, Entry], changed: set[Path], now: datetime,
           *, preview: bool, read: dict[str, Entry] | None = None) -> dict[str, Article] | None:
    """The new records of the ``changed`` files, read and put in ``entries``, when each is an
    edit a quick path can take; None when a full build is needed. For the ``preview``, a file
    other than an article that is gone is an editor's temporary file, and an article's mistakes
    are raised (:class:`BuildFailed`) to be shown; the command line leaves them to the full build.
    The records read are put in ``read``, by path, with the stamps of their files."""
    content = config.dir("content")
    renderer = Markdown()
    swaps: dict[str, Article] = {}
    for path in sorted(changed):
        if not path.is_relative_to(content):
            return None  # templates, static files, site.toml
        if preview and path.suffix != ".md" and not path.exists():
            if any(config.relpath(path) in e.article.depends for e in entries.values()):
                return None  # an image an article shows is gone
            continue  # an editor's temporary file, come and gone
        if path.suffix != ".md" or not path.is_file():
            return None
        if any(part.startswith((".", "_")) for part in path.relative_to(content).parts):
            return None
        key = config.relpath(path)
        entry = entries.get(key)
        if entry is None:
            return None  # a new article
        stat = os.stat(path)
        remember_sources(entry.article, config.root)  # its photos, if unchanged, are not read again
        try:
            article = cache.keep_body(load_article(config, path, renderer, shown=key))
        except BuildFailed:
            if preview:
                raise  # the preview shows the mistakes
            return None  # the full build reports them, with every other file's
        before = entry.article
        if read is not None:
            read[key] = Entry(stat.st_mtime_ns, stat.st_size, article)  # for the structural path, if it comes to that
        if placement_key(before) != placement_key(article):
            return None  # it may move in its lists: a full build's job
        if article.date > now or (article.expires is not None and article.expires <= now):
            return None  # scheduled (marked on its pages) or gone: a full build decides
        if _photos(article) != _photos(before) or article.assets != before.assets:
            return None  # photos to make, files to copy (or to drop): the full build's stages do that
        if (article.depends, article.absent) != (before.depends, before.absent):
            return None  # what it must be read again for changed
        entries[key] = Entry(stat.st_mtime_ns, stat.st_size, article)
        swaps[key] = article
    return swaps


def _write(renderer: Renderer, pages: list[Page], bases: dict[str, str], outputs: dict[str, str], target: Path,
           progress: Progress | None = None, search: Indexing | None = None) -> tuple[int, int]:
    """Render those of ``pages`` whose fingerprint changed into ``target``, no page coming or
    going, with the ``search`` index's files to copy and to delete; updates ``outputs``.
    Returns (rendered, written)."""
    todo = []
    for page in pages:
        relative = output_file(page.url)
        fingerprint = page_fingerprint(page, bases[page.kind])
        if outputs.get(relative) != fingerprint:
            todo.append((relative, page, fingerprint))
    return write_pages(renderer, todo, outputs, target, progress=progress, search=search)


def write_pages(renderer: Renderer, todo: list[tuple[str, Page, str]], outputs: dict[str, str], target: Path, *,
                gone: Iterable[str] = (), keep: tuple[str, ...] = (), progress: Progress | None = None,
                search: Indexing | None = None) -> tuple[int, int]:
    """A quick path's commit: render the pages of ``todo`` (file, page, fingerprint) into
    ``target`` as a build does (on every core when there are many), copy in the files of the
    ``search`` index (Pagefind runs while the pages render) and delete the files ``gone`` and
    the index's stale ones, changing nothing else; updates ``outputs``. Returns (rendered,
    written)."""
    gone = set(gone)
    try:
        with Output(target, partial=True, keep=keep) as out:
            for file in gone:
                out.drop(file)
            fresh = []
            for file, page, fingerprint in todo:
                outputs[file] = fingerprint
                if out.claim(file, page.url) is not None:
                    fresh.append(page)
            errors = workers.render_pages(renderer, fresh, out.writer(), workers.default_jobs(),
                                          progress or Progress(enabled=False))
            if errors:
                raise BuildFailed(errors)
            copies, stale = search.files() if search is not None else ({}, set())
            gone |= stale
            for file in stale:
                out.drop(file)
            for file, source in copies.items():
                out.copy(file, source, SEARCH_OWNER, link=True)
                outputs[file] = copy_print(source)
            if out.errors:
                raise BuildFailed(out.errors)
            workers.check_stop()  # Ctrl-C or SIGTERM: stop before the commit, never during it
            out.commit()
    finally:
        if search is not None:
            search.cancel()  # when anything failed before its files were taken
    faults.point("after-commit")
    for file in gone:
        outputs.pop(file, None)
    return len(fresh), out.written


def _photos(article: Article) -> set[tuple[str, str, tuple[float, float] | None]]:
    """Every photo an article shows, as (file, content hash, focus): the same set, the same variants."""
    photos = [article.image, *article.figures, *article.gallery]
    return {(p.file, p.source.key, p.focus) for p in photos if p is not None and p.source is not None}
