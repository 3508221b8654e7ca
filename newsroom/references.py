"""What an article refers to: the images it shows and the files and pages it links to.

Image sources and link targets, in the lead photo and in the body, are resolved here:
``/images/x.jpg`` is a file of static/; ``photo.jpg`` or ``../files/map.pdf`` is relative
to the article's folder, must stay inside content/ and is published at the same path
under the site root; a URL with a scheme is used as it is. The files found
(``depends``), missed (``absent``) and to publish (``assets``), and the site paths the
body links to (``links``, checked once every page is known), go into the article's
record, so that a cached record is reused only while they still hold.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

from .config import Config
from .images import ImageProblem, Source, is_photo, known_source, probe
from .markup import Resolver

if TYPE_CHECKING:
    from .frontmatter_io import Parsed

_PAGE_SUFFIXES = ("", ".html", ".htm", ".php", ".asp", ".aspx")  # a link to a page, not to a file


class References:
    """The references of one article file, resolved as its reader meets them."""

    def __init__(self, config: Config, file: Path):
        self.config = config
        self.file = file
        self.content_dir = config.dir("content")
        self.assets: list[str] = []  # files beside the articles to publish, content-relative
        self.depends: list[str] = []  # files found, site-relative
        self.absent: list[str] = []  # files missed, site-relative
        self.links: list[tuple[str, int | None]] = []  # site paths the body links to, with their lines
        self.url: str | None = None  # the article's own URL, once known: relative page links start there
        self.line: int | None = None  # the body line of the reference being resolved
        self.photos: dict[str, tuple[str, Source]] = {}  # URL -> the photo file (site-relative) and what it is
        self.stamps: list[tuple[str, int, int, str]] = []  # each photo's size, mtime and hash: read again when changed
        self.problems: list[tuple[str, int | None]] = []  # photos that are no photos, with their body line

    def in_body(self, parsed: Parsed, kind: str, warn: Callable[[str, str, int | None], None]) -> Resolver:
        """The resolver of ``kind`` ("image" or "link") for the body: a dead reference is a
        warning (``warn(field, message, line)``), with the line where the body has it, and
        is left as written."""
        resolve = self.image if kind == "image" else self.link

        def at(src: str) -> int | None:
            index = parsed.body.find(src)
            return parsed.body_line + parsed.body.count("\n", 0, index) if index >= 0 else None

        def resolved(src: str) -> str | None:
            self.line = at(src)
            return resolve(src, lambda message: warn(kind, f"{message}; left as written", self.line))

        return resolved

    def link(self, href: str, report: Callable[[str], None]) -> str | None:
        """The href to write for a link in the body, or None to leave it as written.

        A link to a file (``report.pdf``, ``../files/map.png``) is relative to the
        article's folder, like an image: the file is published and the link pointed at
        it. Links to pages (``/changzhi/``, ``../other-story/``) are checked against
        the site once every page is known (:attr:`Article.links`).
        """
        parts = _split(href, report)
        if parts is None or parts.scheme or href.startswith("//") or not parts.path:
            return None  # another site, mailto:, or a #fragment of this page
        path = unquote(parts.path)
        base = self.config.base_path
        if path.startswith("/"):
            self.links.append((path, self.line))
            return base + href if base else None
        extension = os.path.splitext(path.rstrip("/"))[1].lower()
        if path.endswith("/") or extension in _PAGE_SUFFIXES:
            if self.url is not None:
                self.links.append((urljoin(self.url, path), self.line))
            return None
        if extension == ".md":
            report(f"{href!r} links to an article's source file, not to its page; link to the page's URL")
            return None
        return self.image(href, report, what="link")

    def image(self, src: str, report: Callable[[str], None], what: str = "image") -> str | None:
        """The URL for an image ``src``; publishes files that sit beside articles.

        ``/images/x.jpg`` is a file of static/; ``photo.jpg`` or ``../photos/x.jpg``
        is relative to the article's folder and must stay inside content/; a URL
        with a scheme is used as it is.
        """
        parts = _split(src, report)
        if parts is None:
            return None
        if parts.scheme or src.startswith("//"):
            return src
        path = unquote(parts.path)
        if not path:
            report(f"empty {what} path")
            return None
        if "\0" in path:
            report(f"{src!r} holds a NUL character; no file is named so")
            return None
        try:
            return self._file(src, parts.path, path, report, what)
        except OSError as exc:  # e.g. a name longer than the file system allows
            report(f"{src!r} cannot be a file here: {exc.strerror}")
            return None

    def _file(self, src: str, written: str, path: str, report: Callable[[str], None], what: str) -> str | None:
        base = self.config.base_path
        if path.startswith("/"):
            static = self.config.dir("static")
            target = (static / path.lstrip("/")).resolve()
            if not target.is_relative_to(static):
                report(f"{src!r} would leave the static folder")
            elif not target.is_file():
                self.absent.append(self.config.relpath(target))
                report(f"{src!r} not found: no file {self.config.relpath(target)}")
            else:
                self.depends.append(self.config.relpath(target))
                if what == "image":
                    self._photo(base + src, target, self.config.relpath(target), src)
                return base + src
            return None
        target = Path(os.path.normpath(self.file.parent / path))  # published where the author sees it
        if not target.is_relative_to(self.content_dir) or not target.resolve().is_relative_to(self.content_dir):
            report(f"{src!r} would leave the content folder")
            return None
        shown = self.config.relpath(self.content_dir) + "/" + target.relative_to(self.content_dir).as_posix()
        if not target.is_file():
            self.absent.append(shown)
            report(f"{src!r} not found: no file {shown}")
            return None
        self.depends.append(shown)
        relative = target.relative_to(self.content_dir).as_posix()
        suffix = src[len(written):]  # keep any ?query or #fragment
        url = f"{base}/{relative}{suffix}"
        if what != "image" or not self._photo(url, target, shown, src):
            self.assets.append(relative)  # a photo is published as its variants (see newsroom.images)
        return url

    def _photo(self, url: str, target: Path, shown: str, src: str) -> bool:
        """Read and probe a photo the article shows; False when it is no photo by its name
        (an SVG, say), which is published as it is."""
        if not is_photo(target.name):
            return False
        try:
            stat = target.stat()
            source = known_source(target, stat.st_size, stat.st_mtime_ns)
            if source is None:
                source = probe(target.read_bytes())
            self.photos[url] = (shown, source)
            self.stamps.append((shown, stat.st_size, stat.st_mtime_ns, source.key))
        except ImageProblem as exc:
            self.problems.append((f"{src!r} ({shown}): {exc}", self.line))
        except OSError as exc:
            self.problems.append((f"{src!r} ({shown}) cannot be read: {exc.strerror}", self.line))
        return True


def _split(reference: str, report: Callable[[str], None]) -> SplitResult | None:
    try:
        return urlsplit(reference)
    except ValueError as exc:  # e.g. "http://[x": an unclosed IPv6 address
        report(f"{reference!r} is not a valid URL ({exc})")
        return None
