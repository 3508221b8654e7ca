"""The preview server's quick path: an edit that moves no article redoes only its pages.

When every changed file is an existing article whose URL, date, channel, section,
draft flag and photo-or-not stay the same, no list on the site changes order or
membership. The new records then replace the old ones in the pages that show them
(found through an index of the last model), and only those pages are fingerprinted,
rendered and written. Anything else returns None and the caller runs a full build,
which is always exact; this path must give the same bytes, which the tests check.
"""

from __future__ import annotations

import os
import time
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from .builder import BuildResult, Session
from .cache import BuildCache, Entry
from .config import Config
from .content import Article, load_article
from .errors import BuildFailed
from .fingerprint import page_fingerprint
from .markup import MarkdownRenderer
from .output import Output
from .urls import output_file


def patch_articles(config: Config, cache: BuildCache, session: Session, changed: set[Path],
                   output: Path) -> BuildResult | None:
    """Rebuild after edits of ``changed`` article files, or None when a full build is needed."""
    started = time.perf_counter()
    model = session.model
    content = config.dir("content")
    if model is None or session.renderer is None or not changed or not output.is_dir():
        return None
    entries = dict(cache.state.entries)
    renderer = MarkdownRenderer()
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
        shown = config.relpath(path)
        entry = entries.get(shown)
        if entry is None:
            return None  # a new article
        stat = os.stat(path)
        article = cache.keep_body(load_article(config, path, renderer, shown=shown))  # BuildFailed goes up
        if not _same_place(entry.article, article):
            return None
        entries[shown] = Entry(stat.st_mtime_ns, stat.st_size, article)
        swaps[shown] = article

    if session.refs is None:
        session.refs = index_pages(model.pages)
    affected = sorted({i for shown in swaps for i in session.refs.get(shown, ())})
    pages = list(model.pages)
    outputs = dict(cache.outputs)
    with Output(output, partial=True) as out:
        fresh = []
        errors = []
        for index in affected:
            page = pages[index] = _swap(pages[index], swaps)
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
    session.model = replace(model, pages=tuple(pages),
                            articles=tuple(swaps.get(a.path, a) for a in model.articles))
    cache.remember(entries, outputs)
    cache.save()
    published = len(model.articles)
    return BuildResult(
        pages=len(pages), articles=published, drafts_skipped=len(entries) - published,
        files_written=out.written, files_kept=len(outputs) - out.written, articles_read=len(swaps),
        pages_rendered=len(fresh), seconds=time.perf_counter() - started, output=output,
        warnings=tuple(w for article in swaps.values() for w in article.warnings),
    )


def _same_place(old: Article, new: Article) -> bool:
    """Does ``new`` sit in every list exactly where ``old`` did? (Every field the model
    groups, orders or picks by: extend this when the model learns a new one.)"""
    return (old.url == new.url and old.date == new.date and old.channel == new.channel
            and old.section == new.section and old.draft == new.draft
            and (old.image is None) == (new.image is None))


def index_pages(pages: tuple[Any, ...]) -> dict[str, list[int]]:
    """For each article path, the indices of the pages whose records hold the article."""
    refs: dict[str, list[int]] = {}
    for index, page in enumerate(pages):
        for path in {a.path for a in _articles(page)}:
            refs.setdefault(path, []).append(index)
    return refs


def _articles(value: Any) -> list[Article]:
    if type(value) is Article:
        return [value]
    if isinstance(value, tuple | list):
        return [a for v in value for a in _articles(v)]
    if is_dataclass(value) and not isinstance(value, type):
        return [a for f in fields(value) for a in _articles(getattr(value, f.name))]
    return []


def _swap(value: Any, swaps: dict[str, Article]) -> Any:
    """``value`` with every article in ``swaps`` (by path) replaced by its new record."""
    if type(value) is Article:
        return swaps.get(value.path, value)
    if isinstance(value, tuple):
        new = tuple(_swap(v, swaps) for v in value)
        return new if any(a is not b for a, b in zip(new, value, strict=True)) else value
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in fields(value):
            old = getattr(value, f.name)
            new = _swap(old, swaps)
            if new is not old:
                changes[f.name] = new
        return replace(value, **changes) if changes else value
    return value
