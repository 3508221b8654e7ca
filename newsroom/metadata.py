"""What machines read about a page: schema.org structured data, as plain dicts.

Pure functions of the config and a page record (no templates, no files). The
templates write the result with the ``jsonld`` filter, which makes it safe inside a
``<script>`` element whatever the text holds. Every URL is absolute: the base URL,
with its sub-path, comes first.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin

from markupsafe import Markup

from .config import Config
from .content import Article, Photo
from .images import variants
from .markup import shorten
from .model import last_modified
from .pages import ArticlePage, Crumb, Page

SCHEMA = "https://schema.org"
HEADLINE_LIMIT = 110  # characters; search engines cut longer headlines

#: Characters that could end a ``<script>`` element or an HTML comment, or that some
#: JavaScript engines read as a line break: written as JSON escapes, which mean the same.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def jsonld(data: Any) -> Markup:
    """``data`` as JSON that stays inert inside ``<script type="application/ld+json">``."""
    return Markup(json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE))


def published_size(photo: Photo) -> tuple[int, int] | None:
    """Width and height of what a processed photo's own address serves (its largest variant),
    or None for a photo on another site."""
    if photo.source is None:
        return None
    largest = [v for v in variants(photo.source, "full") if v.mime != "image/webp"][-1]
    return largest.width, largest.height


def headline(title: str) -> str:
    """A title cut, at a word where it can, to :data:`HEADLINE_LIMIT` characters (ellipsis included)."""
    return title if len(title) <= HEADLINE_LIMIT else shorten(title, HEADLINE_LIMIT - 1)


class Metadata:
    def __init__(self, config: Config):
        self.config = config
        self.base_url = config.site.base_url.rstrip("/")

    def url(self, site_path: str) -> str:
        """A site path as an absolute URL."""
        return self.base_url + site_path

    def href(self, href: str) -> str:
        """An address as written in HTML (base path included, or a URL) as an absolute URL."""
        return urljoin(self.base_url + "/", href)

    def structured_data(self, page: Page) -> list[dict[str, Any]]:
        """The JSON-LD objects of a page: ``NewsArticle`` on articles, ``WebSite`` and the
        publisher on the home page, and a ``BreadcrumbList`` that matches the visible trail."""
        found: list[dict[str, Any]] = []
        if page.kind == "home":
            found += [self.website(page.edition), self.publisher(full=True)]
        if isinstance(page, ArticlePage) and page.article is not None:
            found.append(self.news_article(page.article))
        if len(page.crumbs) > 1:  # the trail base.html shows
            found.append(self.breadcrumbs(page.crumbs))
        return found

    def website(self, lang: str = "") -> dict[str, Any]:
        """The site, or its edition in ``lang`` ("" for the site's own language)."""
        edition = self.config.edition_named(lang)
        site, home = edition.site, edition.home
        data = {"@context": SCHEMA, "@type": "WebSite", "@id": self.url(home + "#website"), "url": self.url(home),
                "name": site.title, "inLanguage": site.language, "publisher": {"@id": self.url("/#publisher")}}
        if site.description:
            data["description"] = site.description
        return data

    def publisher(self, *, full: bool = False) -> dict[str, Any]:
        """The site as a ``NewsMediaOrganization``; ``full`` with its context, for a script of its own."""
        site = self.config.site
        data: dict[str, Any] = {"@type": "NewsMediaOrganization", "@id": self.url("/#publisher"),
                                "name": site.title, "url": self.url("/")}
        if site.logo:
            data["logo"] = {"@type": "ImageObject", "url": self.href(self.logo_src())}
        if full:
            data = {"@context": SCHEMA, **data}
            if site.description:
                data["description"] = site.description
            if site.address:
                data["address"] = site.address
        return data

    def logo_src(self) -> str:
        logo = self.config.site.logo
        return self.config.base_path + logo if logo.startswith("/") else logo

    def news_article(self, article: Article) -> dict[str, Any]:
        url = self.url(article.url)
        data: dict[str, Any] = {
            "@context": SCHEMA,
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "url": url,
            "headline": headline(article.title),
            "description": article.dek or article.summary,
            "datePublished": article.date.isoformat(),
            "dateModified": last_modified(article).isoformat(),
            "author": ([{"@type": "Person", "name": name} for name in article.authors]
                       or [{"@type": "NewsMediaOrganization", "name": self.config.site.title, "url": self.url("/")}]),
            "publisher": self.publisher(),
            "articleSection": article.section.name,
            "inLanguage": article.lang,
            "dateline": article.channel.dateline or article.channel.name,
        }
        if article.contributors:
            data["contributor"] = [{"@type": "Person", "name": name} for name in article.contributors]
        if article.tags:
            data["keywords"] = list(article.tags)
        photos = [article.image, *article.figures] if article.image else list(article.figures)
        if photos:
            data["image"] = [self.image(photo) for photo in photos]
        return data

    def image(self, photo: Photo) -> dict[str, Any]:
        src = self.href(photo.src)
        data: dict[str, Any] = {"@type": "ImageObject", "contentUrl": src, "url": src}
        size = published_size(photo)
        if size is not None:
            data["width"], data["height"] = size
        if photo.caption:
            data["caption"] = photo.caption
        if photo.credit:
            data["creditText"] = photo.credit
        return data

    def breadcrumbs(self, crumbs: tuple[Crumb, ...]) -> dict[str, Any]:
        return {"@context": SCHEMA, "@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": n, "name": crumb.label, "item": self.url(crumb.url)}
            for n, crumb in enumerate(crumbs, 1)]}
