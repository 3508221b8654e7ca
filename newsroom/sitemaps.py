"""The sitemap files: ``sitemap.xml`` (past :data:`SITEMAP_URLS` pages, an index of numbered
sitemaps) and the Google News sitemap, made from each HTML page's entry (its URL and the date
:func:`newsroom.model.sitemap_lastmod` gives it). Records only; built-in templates write them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from .pages import NewsSitemapPage, Page, SitemapEntry, SitemapPage
from .records import Article
from .urls import NEWS_SITEMAP_PATH, SITEMAP_PATH, sitemap_part_path

SITEMAP_URLS = 50_000  # the most one sitemap file may list (sitemaps.org); past it, an index of numbered ones
NEWS_SITEMAP_WINDOW = timedelta(days=2)  # Google News lists articles of the last two days...
NEWS_SITEMAP_URLS = 1_000  # ...at most this many


def sitemap_entries(urls: Iterable[str], lastmods: Iterable[str | None]) -> list[SitemapEntry]:
    """The sitemap's entries: each page's URL with its :func:`newsroom.model.sitemap_lastmod`,
    if it is listed."""
    return [SitemapEntry(url, lastmod) for url, lastmod in zip(urls, lastmods, strict=True) if lastmod is not None]


def sitemaps(entries: list[SitemapEntry], ordered: tuple[Article, ...]) -> list[Page]:
    """``sitemap.xml`` listing every HTML page's ``entries`` (past :data:`SITEMAP_URLS`, an
    index of numbered sitemaps), and the Google News sitemap."""
    if len(entries) <= SITEMAP_URLS:
        made: list[Page] = [SitemapPage(url=SITEMAP_PATH, kind="sitemap", title="Sitemap", entries=tuple(entries))]
    else:
        parts = [SitemapPage(url=sitemap_part_path(n + 1), kind="sitemap", title=f"Sitemap {n + 1}",
                             entries=tuple(entries[start : start + SITEMAP_URLS]))
                 for n, start in enumerate(range(0, len(entries), SITEMAP_URLS))]
        index = tuple(SitemapEntry(part.url, max((e.lastmod for e in part.entries), default="", key=_instant))
                      for part in parts)
        made = [SitemapPage(url=SITEMAP_PATH, kind="sitemapindex", title="Sitemap", entries=index), *parts]
    recent: tuple[Article, ...] = ()
    if ordered:
        since = ordered[0].date.astimezone(UTC) - NEWS_SITEMAP_WINDOW  # 48 real hours, across DST too
        recent = tuple(a for a in ordered[:NEWS_SITEMAP_URLS] if a.date >= since)
    return [*made, NewsSitemapPage(url=NEWS_SITEMAP_PATH, kind="newssitemap", title="News sitemap",
                                       items=recent)]


def _instant(lastmod: str) -> float:
    return datetime.fromisoformat(lastmod).timestamp() if lastmod else float("-inf")
