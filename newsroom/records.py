"""The records of an article that the later stages read: ``Article``, its ``Photo``s and its
``Body``. Frozen data only; :mod:`newsroom.content` makes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .config import Channel, Section
from .errors import SiteError
from .images import Source


@dataclass(frozen=True)
class Photo:
    src: str  # the URL to write in HTML: base path included, or an absolute URL
    caption: str = ""
    credit: str = ""
    alt: str = ""
    file: str = ""  # the photo file, site-relative, when it is a local photo: published as its variants
    source: Source | None = None  # what the file is (size, format, hash); None for a remote image
    focus: tuple[float, float] | None = None  # where crops centre, fractions of width and height


class Body:
    """An article's HTML: held in memory, or in a file of the build cache read when used.

    Templates use it like a string (``{{ article.body | safe }}``); only the pages that
    show a body read it, so a large archive does not sit in memory.
    """

    __slots__ = ("_text", "file")

    def __init__(self, text: str | None = None, file: str | None = None):
        self._text = text
        self.file = file  # a str, not a Path: a cache holds tens of thousands, loaded on every build

    @property
    def text(self) -> str:
        if self._text is not None:
            return self._text
        assert self.file is not None
        with open(self.file, encoding="utf-8") as stream:
            return stream.read()

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return self.text

    def __contains__(self, part: str) -> bool:
        return part in self.text

    def __repr__(self) -> str:
        return f"Body(file={self.file})" if self._text is None else f"Body({self.text[:40]!r}...)"

    def __getstate__(self) -> tuple[str | None, str | None]:
        return (None, self.file) if self.file is not None else (self._text, None)

    def __setstate__(self, state: tuple[str | None, str | None]) -> None:
        self._text, self.file = state


@dataclass(frozen=True, eq=False)
class Article:
    path: str  # the source file as named in messages, e.g. "content/changzhi/greenway.md"
    url: str  # site path from the permalink pattern, e.g. "/changzhi/news/2021/08/greenway/"
    title: str
    date: datetime  # aware, in the site's time zone
    channel: Channel
    section: Section
    source: str
    slug: str
    lang: str
    body: Body  # HTML
    summary: str  # plain text
    dek: str = ""
    authors: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    draft: bool = False
    image: Photo | None = None
    updated: datetime | None = None  # when the story last changed, if after ``date``
    expires: datetime | None = None  # when the story leaves the site
    aliases: tuple[str, ...] = ()  # old site paths that redirect to ``url``
    translation_key: str = ""  # shared by the versions of one story in several languages
    placement: str = ""  # "lead" or "top": pinned to the home page's lead or top stories
    channel_placement: str = ""  # the same on its channel's first page
    breaking: bool = False  # in the breaking-news bar above every page
    until: datetime | None = None  # when the placement and the breaking bar end
    scheduled: bool = False  # dated after the build's time, shown only by --future and the preview
    figures: tuple[Photo, ...] = ()  # the photos of the body's figures, in order
    gallery: tuple[Photo, ...] = ()  # ``gallery:``, shown after the body
    stamps: tuple[tuple[str, int, int, str], ...] = ()  # each photo's (site path, size, mtime, hash), for the cache
    extra: dict[str, Any] = field(default_factory=dict)  # unknown front matter fields
    assets: tuple[str, ...] = ()  # files beside the articles to publish, content-relative
    depends: tuple[str, ...] = ()  # other files whose presence was checked (images), site-relative
    digest: str = ""  # identifies the source: same path and bytes, same digest (with the same config)
    source_digest: str = ""  # of the path and bytes alone: a file with a new mtime and these bytes is unchanged
    absent: tuple[str, ...] = ()  # files whose absence was noticed (dead images), site-relative
    links: tuple[tuple[str, int | None], ...] = ()  # site paths the body links to, with their lines
    warnings: tuple[SiteError, ...] = ()  # slips the site survives (a dead image), reported every build
