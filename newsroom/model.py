"""Articles -> the site model: every page the site has, with its URL and what it lists.

Pure functions over frozen records: no templates, no files. The model decides
ordering (newest first), grouping (channels, sections, channel sections), pagination,
breadcrumbs and neighbours, and refuses two things claiming one URL.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import fields, is_dataclass, replace
from datetime import datetime
from typing import Any

from .config import Config
from .content import Article
from .errors import BuildFailed, SiteError
from .layout import (  # re-exported: the structural paths lay the site out again
    EVERY_TIME,
    Group,
    Layout,
    newest_first,
)
from .pages import ArticlePage, HomePage, Page, RedirectPage, SiteModel
from .sitemaps import sitemap_entries
from .urls import output_file

__all__ = ["EVERY_TIME", "Group", "Layout", "build_model", "check_urls", "map_articles", "nested_files",
           "newest_first", "page_articles", "placement_key", "sitemap_lastmod", "swap_articles"]


def placement_key(article: Article) -> Hashable:
    """Everything :func:`build_model` groups, orders, pages or picks articles by.

    Two records of one article with the same key sit in the same places of every list
    and on the same pages, so an edit that keeps the key only changes what those pages
    show (the preview's quick path relies on this). Extend it with every field the model
    learns to sort or select by.
    """
    return (article.url, article.date, article.updated, article.channel.slug, article.section.slug,
            article.draft, article.image is None, len(article.gallery), article.tags, article.authors,
            article.contributors, article.aliases, article.expires, article.scheduled, article.lang,
            article.translation_key, article.placement, article.channel_placement, article.breaking)


def map_articles(value: Any, change: Callable[[Article], Article]) -> Any:
    """``value`` (a page record, or anything in one) with every article replaced by
    ``change(article)``; parts in which nothing changed are the very same objects."""
    if type(value) is Article:
        return change(value)
    if isinstance(value, tuple):
        new = tuple(map_articles(v, change) for v in value)
        return new if any(a is not b for a, b in zip(new, value, strict=True)) else value
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in fields(value):
            old = getattr(value, f.name)
            new = map_articles(old, change)
            if new is not old:
                changes[f.name] = new
        return replace(value, **changes) if changes else value
    return value


def swap_articles(page: Page, records: dict[str, Article]) -> Page:
    """``page`` with each article whose path is in ``records`` replaced by that record, and
    what the model copies out of records (an article page's title, the home page's photos)
    taken from the new ones. Exact only for records that keep their :func:`placement_key`."""
    page = map_articles(page, lambda article: records.get(article.path, article))
    kind = type(page)
    if kind is ArticlePage or kind is RedirectPage:
        article = page.article  # type: ignore[attr-defined]
        if article is not None and page.title != article.title:
            page = replace(page, title=article.title)
    elif kind is HomePage and page.photos:  # type: ignore[attr-defined]
        old = page.photos  # type: ignore[attr-defined]
        shown = list(dict.fromkeys(a for a, _ in old))  # a prefix of the newest stories with photos
        photos = tuple((a, p) for a in shown for p in (a.image, *a.gallery) if p is not None)[: len(old)]
        if photos != old:
            page = replace(page, photos=photos)
    return page


def page_articles(value: Any) -> list[Article]:
    """Every article a page record holds, anywhere in it (with repeats)."""
    found: list[Article] = []
    map_articles(value, lambda article: found.append(article) or article)
    return found


def last_modified(article: Article) -> datetime:
    """When a story last changed: ``updated:``, else its publication date."""
    return article.updated or article.date


def build_model(config: Config, articles: Iterable[Article], provided: frozenset[str] = frozenset()) -> SiteModel:
    """All pages of the site. Raises :class:`BuildFailed` when two claim one URL.

    ``provided`` names the output files the site supplies itself (in static/, or kept in
    the output by ``[build] keep``): a ``robots.txt`` among them replaces newsroom's."""
    layout = Layout(config, articles)
    groups = layout.groups()
    pages: list[Page] = []
    counts = []
    for group in groups:
        made = layout.make(group[0])
        pages += made
        counts.append(len(made))
    lastmods = [sitemap_lastmod(page, layout.updates) for page in pages]
    closing = layout.closing(sitemap_entries([page.url for page in pages], lastmods), provided)
    pages += closing
    lastmods += (None for _ in closing)  # sitemaps and robots.txt are no HTML pages
    files = check_urls(pages)
    return SiteModel(
        articles=layout.ordered, pages=tuple(pages), files=files, warnings=layout.warnings,
        by_channel={k: tuple(v) for k, v in layout.by_channel.items()},
        by_section={k: tuple(v) for k, v in layout.by_section.items()},
        groups=tuple((*group, count) for group, count in zip(groups, counts, strict=True)),
        lastmods=tuple(lastmods), terms=layout.terms,
    )


def sitemap_lastmod(page: Page, updates: bool) -> str | None:
    """When ``page`` last changed, as its sitemap entry says it ("" when unknown); None for a page
    the sitemap does not list (``updates``: whether any article has an ``updated:`` time)."""
    kind = page.kind
    if kind == "article":
        article = page.article  # type: ignore[attr-defined]
        return (article.updated or article.date).isoformat()
    if kind in ("index", "tag", "author", "archive"):
        return _newest(page.pager.items, updates)  # type: ignore[attr-defined]
    if kind == "home":
        return _newest(newest_first(page_articles(page)), updates)
    if kind == "terms":
        return ""
    return None


def _newest(items: Sequence[Article], updates: bool) -> str:  # items are newest first: without updates, the first
    if not items:
        return ""
    return max(a.updated or a.date for a in items).isoformat() if updates else items[0].date.isoformat()


def check_urls(pages: Iterable[Page]) -> tuple[str, ...]:
    """The output file of each page; two pages on one URL is an error naming both
    (articles by their files)."""
    owners: dict[str, Page] = {}
    errors: list[SiteError] = []
    for page in pages:
        key = output_file(page.url)
        other = owners.setdefault(key, page)
        if other is page:
            continue
        first, second = sorted((other, page), key=_owner)
        for mine, theirs in ((first, second), (second, first)):
            if isinstance(mine, RedirectPage) and mine.article is not None:
                errors.append(SiteError(mine.article.path, None, "aliases",
                                        f"alias {page.url} is also the URL of {_owner(theirs)}; remove the alias"))
            elif isinstance(mine, ArticlePage) and mine.article is not None:
                errors.append(SiteError(mine.article.path, None, "slug",
                                        f"URL {page.url} is also the URL of {_owner(theirs)}; "
                                        "give one of them another slug"))
    for leaf, inside in nested_files(owners):
        page, other = owners[inside], owners[leaf]  # a page would need a folder where another is a file
        for mine in (page, other):
            if isinstance(mine, ArticlePage | RedirectPage) and mine.article is not None:
                alias = isinstance(mine, RedirectPage)
                errors.append(SiteError(mine.article.path, None, "aliases" if alias else "slug",
                                        f"{page.url} would be inside {other.url}, which is a file; "
                                        + ("remove the alias" if alias else "give the article another slug")))
    if errors:
        raise BuildFailed(errors)
    return tuple(owners)


def nested_files(files: Iterable[str]) -> list[tuple[str, str]]:
    """Each output file (not a folder's index.html) with a file that would have to be inside it."""
    keys = sorted(files)
    found = []
    for leaf in keys:
        if leaf.endswith("/index.html") or leaf == "index.html":
            continue  # a folder's page
        at = bisect.bisect_left(keys, leaf + "/")
        if at < len(keys) and keys[at].startswith(leaf + "/"):
            found.append((leaf, keys[at]))
    return found


def _owner(page: Page) -> str:
    if isinstance(page, RedirectPage) and page.article is not None:
        return f"an alias of {page.article.path}"
    if isinstance(page, ArticlePage) and page.article is not None:
        return page.article.path
    return f"the {page.title!r} index page"
