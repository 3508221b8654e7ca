"""The URL scheme: one source of truth for every address the site has.

All functions are pure. A *site path* is what these functions return: it starts with
``/``, is relative to the site's base URL and ends with ``/`` (a folder served as
``index.html``) or with a file name. Pages, feeds and sitemaps all get their
addresses from here; templates turn a site path into a link with the ``url``
filter, which adds the base URL's path.
"""

from __future__ import annotations

import re
import string
import unicodedata
from datetime import datetime
from urllib.parse import urlsplit

#: A channel's or section's slug: its folder under the site root.
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: URL path segments that the site's own pages (tags, authors, archives, search, feeds) own.
RESERVED_SLUGS = frozenset({"page", "tags", "authors", "archive", "search", "feeds", "404"})

#: What a permalink pattern may contain, each documented in the README.
PERMALINK_FIELDS = ("channel", "section", "year", "month", "day", "slug")

_PLAIN = re.compile(r"^/(?:[^/.][^/]*/)*$")  # folders only, no empty, "." or ".." segment
_UNUSUAL = re.compile(r"[^/]{64}|\x00")  # a segment that may be too long for a file name, or a NUL
_UNSAFE_SLUG = re.compile(r"[\s/\\?#%<>\"'`|*:^{}\[\]\x00-\x1f\x7f-\x9f]")
NAME_MAX = 255  # bytes in a file name, on Linux and most file systems


class PermalinkError(ValueError):
    pass


def check_permalink(pattern: str) -> None:
    """Raise :class:`PermalinkError` saying what is wrong with a permalink pattern."""
    if not pattern.startswith("/"):
        raise PermalinkError(f"{pattern!r} must start with '/'")
    if not (pattern.endswith("/") or pattern.endswith(".html")):
        raise PermalinkError(f"{pattern!r} must end with '/' or '.html'")
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(pattern) if name is not None]
    except ValueError as exc:
        raise PermalinkError(f"{pattern!r}: {exc}") from None
    names = [name for name, _, _ in fields]
    for name, spec, conv in fields:
        if spec or conv:
            raise PermalinkError(f"write placeholders plainly, as {{{name}}}, without '!' or ':'")
    for name in names:
        if name not in PERMALINK_FIELDS:
            known = ", ".join("{" + f + "}" for f in PERMALINK_FIELDS)
            raise PermalinkError(f"unknown placeholder {{{name}}}; use {known}")
    if "slug" not in names:
        raise PermalinkError(f"{pattern!r} must contain {{slug}} so that every article gets its own URL")
    if "//" in pattern or "/../" in pattern or "/./" in pattern:
        raise PermalinkError(f"{pattern!r} has an empty, '.' or '..' path segment")


def permalink(pattern: str, *, channel: str, section: str, date: datetime, slug: str) -> str:
    """The site path of an article. ``date`` is in the site's time zone."""
    return pattern.format(
        channel=channel,
        section=section,
        year=f"{date.year:04d}",
        month=f"{date.month:02d}",
        day=f"{date.day:02d}",
        slug=slug,
    )


def slugify(text: str) -> str:
    """A URL-safe slug: lowercase words joined by hyphens; letters of any script kept."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[\W_]+", "-", text)
    return text.strip("-")


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot be one URL segment, or None when it can."""
    if not slug:
        return "must not be empty"
    if slug in (".", "..") or "/" in slug or "\\" in slug:
        return f"{slug!r} would leave its folder; a slug is one path segment without '/'"
    if _UNSAFE_SLUG.search(slug):
        return f"{slug!r} has spaces or characters that are not safe in a URL"
    return None


def output_file(site_path: str) -> str:
    """The file (relative to the output folder, '/'-separated) that serves a site path.

    Raises ValueError for a path that would leave the output folder.
    """
    if _PLAIN.match(site_path) and not _UNUSUAL.search(site_path):  # the usual "/a/b/": no check below can fail
        return site_path[1:] + "index.html"
    if not site_path.startswith("/"):
        raise ValueError(f"{site_path!r} is not a site path")
    parts = site_path[1:].removesuffix("/").split("/") if site_path != "/" else []
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"{site_path!r} would leave the output folder")
    if "\0" in site_path:
        raise ValueError(f"{site_path!r} has a NUL character, which no file name can hold")
    for part in parts:
        size = len(part.encode("utf-8", "surrogatepass"))
        if size > NAME_MAX:
            raise ValueError(f"the URL segment {part[:40] + '…'!r} is {size} bytes long; a file name holds {NAME_MAX}")
    if site_path.endswith("/"):
        parts.append("index.html")
    return "/".join(parts)


def alias_path(address: str, base_url: str) -> str:
    """The site path of an old address of an article (``aliases:``): written as a site path or
    in full on this site's host (any scheme); a last part without an extension is a folder
    (``/old-story`` is served as ``/old-story/``). Raises ValueError saying what is wrong."""
    path = address
    if "://" in path or path.startswith("//"):
        site, old = urlsplit(base_url), urlsplit(path)
        base = site.path.rstrip("/") + "/"
        if (old.hostname or "") != (site.hostname or "") or not (old.path + "/").startswith(base):
            raise ValueError(f"{path!r} is on another site; an alias is an address of this one, like '/old/path/'")
        path = "/" + old.path[len(base):]
    if not path.startswith("/"):
        path = "/" + path
    path = path.split("#")[0].split("?")[0]
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[1]:
        path += "/"
    if any(c.isspace() for c in path):
        raise ValueError(f"{path!r} has spaces; write them as %20, as the old address did")
    output_file(path)  # one that would leave the output folder, or cannot be a file name, raises
    return path


def edition_path(prefix: str, site_path: str) -> str:
    """``site_path`` in the edition at ``prefix``: ``/zh`` and ``/changzhi/`` make ``/zh/changzhi/``;
    the site's own language has no prefix."""
    return prefix + site_path


def page_path(first: str, number: int) -> str:
    """Site path of page ``number`` of a paginated list whose first page is ``first``."""
    return first if number == 1 else f"{first}page/{number}/"


def channel_path(channel: str) -> str:
    return f"/{channel}/"


def section_path(section: str, channel: str | None = None) -> str:
    """``/news/`` across all channels, or ``/changzhi/news/`` within one."""
    return f"/{channel}/{section}/" if channel else f"/{section}/"


#: The site's own machine-read files, at the root of the site.
ATOM_PATH = "/atom.xml"
SITEMAP_PATH = "/sitemap.xml"
NEWS_SITEMAP_PATH = "/sitemap-news.xml"
ROBOTS_PATH = "/robots.txt"


def feed_path(folder: str = "/") -> str:
    """The RSS feed of the list whose first page is ``folder``: ``/feed.xml``, ``/changzhi/feed.xml``."""
    return f"{folder}feed.xml"


def sitemap_part_path(number: int) -> str:
    """Numbered sitemap ``number`` (from 1) of a site too large for one: ``/sitemap-1.xml``."""
    return f"/sitemap-{number}.xml"


#: Tag, author and date archive pages.
TAGS_PATH = "/tags/"
AUTHORS_PATH = "/authors/"
ARCHIVE_PATH = "/archive/"
#: Redirects from ``aliases:``, for hosts that read a ``_redirects`` file (Netlify, Cloudflare Pages).
REDIRECTS_PATH = "/_redirects"
#: The search page.
SEARCH_PATH = "/search/"
#: Response headers for hosts that read a ``_headers`` file (Netlify, Cloudflare Pages).
HEADERS_PATH = "/_headers"
#: For GitHub Pages: serve the folder as it is (no Jekyll), and the custom domain.
NOJEKYLL_PATH = "/.nojekyll"
CNAME_PATH = "/CNAME"


def tag_path(slug: str) -> str:
    return f"{TAGS_PATH}{slug}/"


def author_path(slug: str) -> str:
    return f"{AUTHORS_PATH}{slug}/"


def archive_path(year: int, month: int | None = None) -> str:
    """``/archive/2021/`` or ``/archive/2021/08/``."""
    return f"{ARCHIVE_PATH}{year:04d}/" if month is None else f"{ARCHIVE_PATH}{year:04d}/{month:02d}/"


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def name_slug(name: str, known: dict[str, str] | None = None) -> str:
    """The URL slug of a tag or a person: ``Rail transport`` → ``rail-transport``; Chinese in
    pinyin, the syllables of a run of characters joined (``老陈醋`` → ``laochencu``) as
    Chinese portals write their addresses. ``known`` maps names to slugs decided elsewhere
    (a channel's ``name_zh`` to its slug: ``长治`` → ``changzhi``, which no dictionary
    reads right). May be empty (a name of punctuation only): the caller decides what then."""
    if known and name in known:
        return known[name]
    if _HAN.search(name):
        from pypinyin import lazy_pinyin  # only for names that need it: importing it takes a while

        words: list[str] = []
        for part in re.split(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)", name):
            words.append("".join(lazy_pinyin(part)) if _HAN.match(part) else part)
        name = " ".join(words)
    return slugify(name)
