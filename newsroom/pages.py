"""The page records of the site model: frozen data that templates read, one class per kind
of page (and the pieces they hold). :mod:`newsroom.model` makes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .config import Channel, Section
from .errors import SiteError
from .records import Article, Photo
from .urls import page_path


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list. ``number`` counts from 1."""

    first: str  # site path of page 1
    number: int
    count: int  # how many pages the list has
    items: tuple[Article, ...]
    total: int  # how many items the whole list has

    @property
    def url(self) -> str:
        return page_path(self.first, self.number)

    def page_url(self, number: int) -> str:
        return page_path(self.first, number)

    @property
    def prev_url(self) -> str | None:
        return page_path(self.first, self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return page_path(self.first, self.number + 1) if self.number < self.count else None

    def window(self, size: int = 2) -> list[int | None]:
        """Page numbers to show: first, last and ``size`` around the current; None is a gap."""
        wanted = {1, self.count, *range(self.number - size, self.number + size + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.count)
        shown: list[int | None] = []
        for n in numbers:
            if shown and n - (shown[-1] or 0) > 1:
                shown.append(None)
            shown.append(n)
        return shown


def paginate(items: Sequence[Article], first: str, per_page: int) -> list[Pager]:
    """Split ``items`` into pages; an empty list still has one (empty) page."""
    count = max(1, -(-len(items) // per_page))
    return [
        Pager(first, n, count, tuple(items[(n - 1) * per_page : n * per_page]), len(items))
        for n in range(1, count + 1)
    ]


@dataclass(frozen=True)
class Page:
    url: str
    kind: str  # "home", "index", "article" or "notfound": names the render function
    title: str
    crumbs: tuple[Crumb, ...] = ()
    channel: Channel | None = None
    section: Section | None = None
    edition: str = ""  # the language of the edition the page is in; "" for the site's own
    alternates: tuple[tuple[str, str], ...] = ()  # (language, site path) of this page in every edition that has it
    breaking: Article | None = None  # the story of the breaking-news bar above the masthead


@dataclass(frozen=True)
class Term:
    """A tag or a person, with the site path of its page."""

    name: str
    url: str


@dataclass(frozen=True)
class ArticlePage(Page):
    article: Article | None = None
    older: Article | None = None
    newer: Article | None = None
    related: tuple[Article, ...] = ()
    tags: tuple[Term, ...] = ()  # the article's tags, linked to their pages
    authors: tuple[Term, ...] = ()  # its byline, linked to the authors' pages
    contributors: tuple[Term, ...] = ()


@dataclass(frozen=True)
class IndexPage(Page):
    pager: Pager | None = None
    lead: Article | None = None  # a channel's first page: its lead story (channel_placement, [channel_front])
    top_stories: tuple[Article, ...] = ()


@dataclass(frozen=True)
class HomePage(Page):
    top: Article | None = None
    top_stories: tuple[Article, ...] = ()
    latest: tuple[Article, ...] = ()
    channels: tuple[tuple[Channel, tuple[Article, ...]], ...] = ()
    sections: tuple[tuple[Section, tuple[Article, ...]], ...] = ()
    photos: tuple[tuple[Article, Photo], ...] = ()  # lead and gallery photos of the newest stories


@dataclass(frozen=True)
class TermCount:
    """A tag, a person, a year or a month on an index of them: its page and how many stories."""

    name: str
    url: str
    count: int
    month: datetime | None = None  # archive months: the first day, for a template to name it


@dataclass(frozen=True)
class SearchPage(Page):
    """``/search/`` (kind "search"): the search form and its results, found in the browser in
    the index ``shards`` of its edition's language (their folders, newest month first)."""

    shards: tuple[str, ...] = ()


@dataclass(frozen=True)
class TermsPage(Page):
    """``/tags/``, ``/authors/`` or ``/archive/`` (kind "terms"): every term with its count;
    ``groups`` holds the months of each year on the archive's index."""

    terms: tuple[TermCount, ...] = ()
    groups: tuple[tuple[TermCount, tuple[TermCount, ...]], ...] = ()


@dataclass(frozen=True)
class RedirectPage(Page):
    """An old address of an article (kind "redirect"): a page that sends readers on to ``target``."""

    target: str = "/"
    article: Article | None = None


@dataclass(frozen=True)
class RedirectsPage(Page):
    """``/_redirects`` (kind "redirects"): every alias and its target, for hosts that read one."""

    redirects: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FeedPage(Page):
    """An RSS 2.0 (kind "rss") or Atom 1.0 (kind "atom") feed: the newest stories of a list."""

    link: str = "/"  # site path of the HTML page the feed follows
    items: tuple[Article, ...] = ()


@dataclass(frozen=True)
class SitemapEntry:
    url: str  # site path
    lastmod: str = ""  # W3C date-time with offset; "" when unknown (an empty list)


@dataclass(frozen=True)
class HeadersPage(Page):
    """``/_headers`` (kind "headers"): response headers for hosts that read one. ``feeds``
    are the site paths of the feeds and sitemaps, which readers should fetch fresh."""

    feeds: tuple[str, ...] = ()


@dataclass(frozen=True)
class SitemapPage(Page):
    """A sitemap (kind "sitemap": pages) or a sitemap index (kind "sitemapindex": sitemaps).
    Plain values, not articles: an edit that keeps every address and date keeps it."""

    entries: tuple[SitemapEntry, ...] = ()


@dataclass(frozen=True)
class NewsSitemapPage(Page):
    """The Google News sitemap (kind "newssitemap"): the stories of the last two days."""

    items: tuple[Article, ...] = ()


@dataclass(frozen=True)
class SiteModel:
    articles: tuple[Article, ...]  # newest first
    pages: tuple[Page, ...]
    files: tuple[str, ...] = ()  # the output file of each page, in the same order
    by_channel: dict[str, tuple[Article, ...]] = field(default_factory=dict)
    by_section: dict[str, tuple[Article, ...]] = field(default_factory=dict)
    warnings: tuple[SiteError, ...] = ()  # slips the site survives: two tags on one slug
    #: The groups of pages (see :data:`newsroom.model.Group`), each with its number of pages, in order
    groups: tuple[tuple[tuple[str, str], tuple[str, ...], Any, int], ...] = ()
    lastmods: tuple[str | None, ...] = ()  # the sitemap date of each page (see newsroom.model.sitemap_lastmod)
    terms: tuple[dict[str, str], ...] = ()  # tags' names as shown and page paths by name, then people's
