"""The preview server's quick path: an edit that moves no article redoes only its pages.

When every changed file is an existing article whose :func:`~newsroom.model.placement_key`
stays the same, no list on the site changes order or membership. The new records then
replace the old ones in the pages that show them (``Session.pages_showing``), and only
those pages are fingerprinted, rendered and written. Anything else returns None and the caller runs a full build,
which is always exact; this path must give the same bytes, which the tests check.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from .builder import BuildResult
from .cache import BuildCache, Entry
from .config import Config
from .content import Article, load_article
from .errors import BuildFailed
from .fingerprint import page_fingerprint
from .incremental import Session
from .markup import Markdown
from .model import map_articles, placement_key
from .output import Output
from .urls import output_file


def patch_articles(config: Config, cache: BuildCache, session: Session, changed: set[Path],
                   output: Path) -> BuildResult | None:
    """Rebuild after edits of ``changed`` article files, or None when a full build is needed."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    model = session.model
    content = config.dir("content")
    if model is None or session.renderer is None or not changed or not output.is_dir():
        return None
    entries = dict(cache.state.entries)
    renderer = Markdown()
    swaps: dict[str, Article] = {}
    for path in sorted(changed):
        if not path.is_relative_to(content):
            return None  # templates, static files, site.toml
        if path.suffix != ".md" and not path.exists():
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
        article = cache.keep_body(load_article(config, path, renderer, shown=key))  # BuildFailed goes up
        if placement_key(entry.article) != placement_key(article):
            return None  # it may move in its lists: a full build's job
        if article.date > now or (article.expires is not None and article.expires <= now):
            return None  # scheduled (marked on its pages) or gone: a full build decides
        if _photos(article) != _photos(entry.article):
            return None  # photos to make (or files to drop): the build's photo stage does that
        entries[key] = Entry(stat.st_mtime_ns, stat.st_size, article)
        swaps[key] = article

    affected = sorted({i for key in swaps for i in session.pages_showing(key)})
    pages = list(model.pages)
    outputs = dict(cache.outputs)
    with Output(output, partial=True) as out:
        fresh = []
        errors = []
        for index in affected:
            page = pages[index] = map_articles(pages[index], lambda a: swaps.get(a.path, a))
            relative = output_file(page.url)
            outputs[relative] = page_fingerprint(page, session.bases[page.kind])
            fresh.append(page)
            try:
                html = session.renderer.render(page)
            except BuildFailed as failed:
                errors.extend(failed.errors)
                continue
            out.write(relative, html.encode("utf-8"), page.url)
        if errors:
            raise BuildFailed(errors)
        out.commit()  # no file comes or goes
    session.update(replace(model, pages=tuple(pages), articles=tuple(swaps.get(a.path, a) for a in model.articles)))
    cache.remember(entries, outputs)
    cache.save()
    return BuildResult.of(session.model, len(entries), reads=len(swaps), rendered=len(fresh), written=out.written,
                          kept=len(outputs) - out.written, started=started, output=output,
                          warnings=tuple(w for article in swaps.values() for w in article.warnings))


def _photos(article: Article) -> set[tuple[str, str, tuple[float, float] | None]]:
    """Every photo an article shows, as (file, content hash, focus): the same set, the same variants."""
    photos = [article.image, *article.figures, *article.gallery]
    return {(p.file, p.source.key, p.focus) for p in photos if p is not None and p.source is not None}
