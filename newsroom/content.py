"""content/ -> Article records: find the files, read front matter, render Markdown.

:func:`load_article` is a pure function of one file and the config: everything an
article's pages need is decided here, each field checked and every mistake reported
with the file line of the field. Unknown fields are kept in ``Article.extra``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Channel, Config, Section
from .dates import date_from_filename, parse_date
from .edition_fields import TRANSLATION_FIELDS, EditionFields
from .errors import BuildFailed, SiteError, line_of_key
from .front_fields import FRONT_FIELDS, FrontFields
from .markup import Markdown, MarkupError, shorten
from .photo_fields import PhotoFields
from .records import Article, Body, Photo
from .references import References
from .slips import EMPTY_ALT, images_without_alt, near_miss
from .urls import alias_path, name_slug, output_file, permalink, slug_problem

if TYPE_CHECKING:
    from .frontmatter_io import Parsed

UPDATED_FIELDS = ("updated", "lastmod", "last_modified_at")  # newsroom and Hexo, Hugo, Jekyll
EXPIRES_FIELDS = ("expires", "expiryDate")  # newsroom and Hugo
ALIAS_FIELDS = ("aliases", "redirect_from")  # newsroom and Hugo, jekyll-redirect-from
KNOWN_FIELDS = frozenset({
    "title", "date", "channel", "section", "source", "dek", "author", "authors",
    "contributors", "tags", "slug", "draft", "published", "summary", "image", "lang",
    "gallery", *UPDATED_FIELDS, *EXPIRES_FIELDS, *ALIAS_FIELDS, *TRANSLATION_FIELDS, *FRONT_FIELDS,
})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # C0 controls but tab, LF and CR: never text
_NAME_KEYS = ("display_name", "name", "login")  # an author as jekyll-import writes one
_UNPUBLISHED = frozenset({"draft", "pending", "private", "future", "trash", "auto-draft"})  # WordPress


def find_articles(content_dir: Path) -> list[Path]:
    """Every ``*.md`` below ``content_dir``, skipping names that start with ``.`` or ``_``."""
    return [Path(p) for p in walk_articles(content_dir, "content", [])]


def walk_articles(content_dir: Path, shown: str, errors: list[SiteError]) -> list[str]:
    """:func:`find_articles` as path strings, which are cheaper by the ten thousand; links
    that lead nowhere or outside the folder are added to ``errors``."""
    from .files import walk

    return walk(content_dir, shown, hidden=lambda name: name.startswith((".", "_")),
                wanted=lambda name: name.endswith(".md"), errors=errors)


def load_article(config: Config, path: Path, renderer: Markdown, raw: bytes | None = None,
                 shown: str | None = None) -> Article:
    """Read one article (``raw``: its bytes, when already read; ``shown``: its name in
    messages, when known); raises :class:`BuildFailed` with all of its mistakes."""
    return _ArticleReader(config, path, renderer, shown).read(raw)


def digest_of(shown: str, raw: bytes) -> str:
    """What identifies an article's source: its path in the site and its bytes."""
    return hashlib.sha1(shown.encode() + b"\0" + raw, usedforsecurity=False).hexdigest()


class _ArticleReader(PhotoFields, EditionFields, FrontFields):
    def __init__(self, config: Config, path: Path, renderer: Markdown, shown: str | None = None):
        self.config = config
        self.file = path
        self.shown = shown or config.relpath(path)
        self.renderer = renderer
        self.content_dir = config.dir("content")
        self.errors: list[SiteError] = []
        self.parsed: Parsed | None = None
        self.warnings: list[SiteError] = []
        self.refs = References(config, path)

    # -- reporting ------------------------------------------------------------------

    def error(self, key: str | None, message: str, line: int | None = None) -> None:
        if line is None and key and self.parsed is not None:
            line = line_of_key(self.parsed.meta_text, key.split(".")[0], self.parsed.meta_line)
        self.errors.append(SiteError(self.shown, line, key, message))

    def warn(self, key: str, message: str, line: int | None) -> None:
        self.warnings.append(SiteError(self.shown, line, key, message, warning=True))

    def read(self, raw: bytes | None) -> Article:
        if raw is None:
            try:
                raw = self.file.read_bytes()
            except OSError as exc:
                raise BuildFailed([SiteError(self.shown, None, None, f"cannot read: {exc.strerror}")]) from None
        self.digest = digest_of(self.shown, raw)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise BuildFailed([SiteError(self.shown, line, None, "not UTF-8 text; save the file as UTF-8")]) from None
        if _CONTROL.search(text):
            raise self.failed(_control_characters(self.shown, text), _DRAFT_LINE.search(text) is not None)
        from .frontmatter_io import FrontMatterError, split_front_matter  # YAML: only when reading

        try:
            self.parsed = split_front_matter(text)
        except FrontMatterError as exc:
            raise self.failed([SiteError(self.shown, exc.line, exc.field, str(exc))],
                              _DRAFT_LINE.search(text) is not None) from None
        article = self.build(self.parsed)
        if self.errors or article is None:
            raise self.failed(self.errors, _is_draft(self.parsed.meta))
        return article

    def failed(self, errors: list[SiteError], draft: bool) -> BuildFailed:
        """The mistakes of this file; a draft's are warnings unless drafts are built, so that one
        reporter's unfinished story never stops a release."""
        if not draft or self.config.drafts:
            return BuildFailed(errors)
        return BuildFailed([SiteError(e.path, e.line, e.field, f"{e.message} (in a draft, which is skipped)",
                                      warning=True) for e in errors])

    # -- fields ---------------------------------------------------------------------

    def build(self, parsed: Parsed) -> Article | None:
        meta = parsed.meta
        for key in meta:
            if not isinstance(key, str):
                self.error(None, f"field names must be text, not {key!r}", parsed.meta_line)
        extra = {k: v for k, v in meta.items() if isinstance(k, str) and k not in KNOWN_FIELDS}
        self.near_misses(meta)

        title = self.text(meta, "title", required=True)
        date = self.date(meta)
        updated = self.updated(meta, date)
        expires = self.expires(meta, date)
        aliases = self.aliases(meta)
        channel = self.channel(meta)
        section = self.section(meta)
        slug = self.slug(meta)
        lang = self.lang(meta, title)
        translation_key = self.translation_key(meta)
        edition, channel, section = self.edition(lang, channel, section)
        dek = self.text(meta, "dek")
        summary = self.text(meta, "summary")
        for other in ("excerpt", "description"):  # Jekyll's and Hugo's words for it
            if summary is None and isinstance(meta.get(other), str) and meta[other].strip():
                summary = self.text(meta, other)
        source = self.text(meta, "source")
        authors = self.authors(meta)
        contributors = self.names(meta, "contributors")
        tags = self.tags(meta)
        draft = self.flag(meta, "draft")
        if "published" in meta and meta["published"] is not True:  # Jekyll's way of saying draft
            draft = draft or not self.flag(meta, "published")
        draft = self.wordpress_status(meta) or draft
        image = self.image(meta)
        gallery = self.gallery(meta)
        placement, breaking = self.placement(meta), self.flag(meta, "breaking")
        channel_placement = self.placement(meta, "channel_placement")
        until = self.until(meta, date, bool(placement or channel_placement) or breaking)
        if date is not None and channel is not None and section is not None and slug is not None:
            url = permalink(self.config.build.permalink, channel=channel.slug, section=section.slug,
                            date=date, slug=slug)
            if edition is not None:
                url = edition.path(url)
            try:
                output_file(url)
                self.refs.url = url
            except ValueError as exc:
                self.error("slug", str(exc))
        try:
            rendered = self.renderer.render(
                parsed.body, lang=lang, resolve_image=self.refs.in_body(parsed, "image", self.warn),
                resolve_link=self.refs.in_body(parsed, "link", self.warn), base_path=self.config.base_path,
                describe=self.describe,
            )
        except MarkupError as exc:
            self.error("body", str(exc), line=parsed.body_line)
            return None
        for message, line in self.refs.problems:  # files named as photos that are none
            self.error("image", message, line=line or self.key_line("image") or self.key_line("gallery"))
        if self.errors or title is None or self.refs.url is None or date is None or channel is None \
                or section is None or slug is None:
            return None
        self.body_images(parsed, rendered.html)  # the photos of Article.figures, and inline images
        url, refs = self.refs.url, self.refs
        figures = tuple(self.with_source(Photo(*figure)) for figure in rendered.figures)
        return Article(
            path=self.shown, url=url, title=title, date=date, channel=channel, section=section,
            source=source or f"{(edition or self.config.editions[0]).site.title}-{channel.slug}", slug=slug, lang=lang,
            translation_key=translation_key, placement=placement, breaking=breaking, until=until,
            channel_placement=channel_placement,
            body=Body(rendered.html), summary=shorten(summary, 600) if summary else rendered.summary,
            dek=dek or "", authors=authors, contributors=contributors, tags=tags, draft=draft,
            image=image, updated=updated, expires=expires, aliases=aliases,
            figures=figures, gallery=gallery, stamps=tuple(dict.fromkeys(refs.stamps)),
            extra=extra, assets=tuple(dict.fromkeys(refs.assets)),
            depends=tuple(dict.fromkeys(refs.depends)), digest=self._digest(), source_digest=self.digest,
            absent=tuple(dict.fromkeys(refs.absent)), links=tuple(dict.fromkeys(refs.links)),
            warnings=tuple(self.warnings),
        )

    def _digest(self) -> str:
        """Path and bytes decide the record, and which referenced files were missing, and the
        photos it shows (their variants' names come from their bytes)."""
        photos = sorted(source.key for _, source in self.refs.photos.values())
        if not self.refs.absent and not photos:
            return self.digest
        return hashlib.sha1("\0".join([self.digest, *self.refs.absent, "|", *photos]).encode(),
                            usedforsecurity=False).hexdigest()

    def text(self, meta: dict[str, Any], key: str, *, required: bool = False, where: str | None = None) -> str | None:
        name = where or key
        value = meta.get(key)
        if value is None:
            if required:
                self.error(name, "missing; every article needs one")
            return None
        if isinstance(value, bool):
            self.error(name, f"{value} is not text; put it in quotes if you mean the word")
            return None
        if isinstance(value, int | float):
            value = str(value)
        if not isinstance(value, str):
            self.error(name, f"must be text, not {_kind(value)}")
            return None
        value = " ".join(value.split()) if key != "summary" else value.strip()
        if required and not value:
            self.error(name, "must not be empty")
            return None
        return value

    def date(self, meta: dict[str, Any]) -> datetime | None:
        tz = self.config.tz
        value = meta.get("date")
        if value is None:
            from_name, _ = date_from_filename(self.file.stem)
            if from_name is None:
                self.error("date", "missing; every article needs one, e.g. 'date: 2021-08-25 09:30'")
                return None
            value = from_name
        try:
            return parse_date(value, tz).astimezone(tz)
        except ValueError as exc:
            self.error("date", str(exc))
            return None

    def updated(self, meta: dict[str, Any], date: datetime | None) -> datetime | None:
        """``updated:`` (or Hugo's ``lastmod``, Jekyll's ``last_modified_at``): kept when later than
        the publication date; earlier is a slip the site survives, and is ignored."""
        found = self.one_date(meta, UPDATED_FIELDS)
        if found is None:
            return None
        key, value = found
        if date is None or value > date:
            return value
        if value < date:
            line = line_of_key(self.parsed.meta_text, key, self.parsed.meta_line) if self.parsed else None
            self.warn(key, f"{value.isoformat()} is before the publication date {date.isoformat()}; ignored", line)
        return None

    def one_date(self, meta: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, datetime] | None:
        """The date of whichever of ``keys`` (one field's names in several generators) is set,
        in the site's time zone; None, with an error if it is wrong or two are set."""
        found = [key for key in keys if meta.get(key) is not None]
        if not found:
            return None
        if len(found) > 1:
            self.error(found[1], f"both {found[0]!r} and {found[1]!r} are set; keep one")
            return None
        try:
            return found[0], parse_date(meta[found[0]], self.config.tz).astimezone(self.config.tz)
        except ValueError as exc:
            self.error(found[0], str(exc))
            return None

    def expires(self, meta: dict[str, Any], date: datetime | None) -> datetime | None:
        """``expires:`` (Hugo: ``expiryDate``): when the story leaves the site; it must be after ``date``."""
        found = self.one_date(meta, EXPIRES_FIELDS)
        if found is None:
            return None
        key, value = found
        if date is not None and value <= date:
            self.error(key, f"{value.isoformat()} is not after the publication date {date.isoformat()}: "
                                "the story would never be shown")
            return None
        return value

    def aliases(self, meta: dict[str, Any]) -> tuple[str, ...]:
        """``aliases:`` (jekyll-redirect-from: ``redirect_from``): old site paths of the story, each
        redirected to its URL. A path whose last part has no file extension is a folder."""
        found: list[str] = []
        for key in ALIAS_FIELDS:
            value = meta.get(key)
            if value is None:
                continue
            items = value if isinstance(value, list) else [value]
            for item in items:
                path = self.alias(key, item)
                if path is not None and path not in found:
                    found.append(path)
        return tuple(found)

    def alias(self, key: str, item: object) -> str | None:
        if not isinstance(item, str) or not item.strip():
            self.error(key, f"{item!r} is not an address; write old addresses like '/2021-08/25/content_1234.htm'")
            return None
        try:
            return alias_path(item.strip(), self.config.site.base_url)
        except ValueError as exc:
            self.error(key, str(exc))
            return None

    def channel(self, meta: dict[str, Any]) -> Channel | None:
        known = ", ".join(c.slug for c in self.config.channels)
        value = meta.get("channel")
        if value is None:
            folder = self.file.relative_to(self.content_dir).parts[0]
            channel = self.config.channel(folder)
            if channel is None:
                self.error("channel", f"missing; set 'channel:' or put the file in a channel folder ({known})",
                           line=self.parsed.meta_line if self.parsed else None)
            return channel
        channel = self.config.channel(str(value).strip().lower()) if isinstance(value, str) else None
        if channel is None:
            self.error("channel", f"unknown channel {value!r}; site.toml declares: {known}")
        return channel

    def section(self, meta: dict[str, Any]) -> Section | None:
        value = meta.get("section")
        if value is None:
            return self.config.sections[0]
        section = self.config.section(str(value).strip().lower()) if isinstance(value, str) else None
        if section is None:
            known = ", ".join(s.slug for s in self.config.sections)
            self.error("section", f"unknown section {value!r}; site.toml declares: {known}")
        return section

    def slug(self, meta: dict[str, Any]) -> str | None:
        if "slug" in meta:
            value = meta["slug"]
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                self.error("slug", f"must be text, not {_kind(value)}")
                return None
            value = value.strip()
            problem = slug_problem(value)
            if problem:
                self.error("slug", problem)
                return None
            return value
        stem = self.file.parent.name if self.file.stem == "index" else self.file.stem
        _, rest = date_from_filename(stem)
        slug = name_slug(rest)  # Chinese in pinyin: 晋城剪纸 is jinchengjianzhi
        problem = slug_problem(slug)
        if problem:
            self.error("slug", f"cannot make a URL slug from the file name {self.file.name!r}; set 'slug:'",
                       line=self.parsed.meta_line if self.parsed else None)
            return None
        return slug

    def names(self, meta: dict[str, Any], key: str, where: str | None = None) -> tuple[str, ...]:
        value = meta.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return ()  # `author: ""`, as `new` writes it to fill in
        items = value if isinstance(value, list) else [value]
        names = [_person(i) for i in items]
        if not all(names):
            self.error(where or key, "must be a name or a list of names")
            return ()
        return tuple(" ".join(n.split()) for n in names if n)

    def authors(self, meta: dict[str, Any]) -> tuple[str, ...]:
        if "author" in meta and "authors" in meta:
            self.error("authors", "both 'author' and 'authors' are set; keep one")
            return ()
        return self.names(meta, "authors" if "authors" in meta else "author")

    def wordpress_status(self, meta: dict[str, Any]) -> bool:
        """True for a post a WordPress export marks unpublished (or protected by a password):
        it stays a draft, however its other fields read."""
        status = meta.get("status")
        if isinstance(status, str) and status.strip().lower() in _UNPUBLISHED:
            return True
        if meta.get("password"):
            line = line_of_key(self.parsed.meta_text, "password", self.parsed.meta_line) if self.parsed else None
            self.warn("password", "a static site cannot protect a password-protected post: it is kept as "
                      "a draft (remove 'password' to publish it)", line)
            return True
        return False

    def tags(self, meta: dict[str, Any]) -> tuple[str, ...]:
        value = meta.get("tags")
        if value is None:
            return ()
        if isinstance(value, str):
            value = value.split(",")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = [value]  # tags: 2019
        if not isinstance(value, list):
            self.error("tags", "must be a list ([a, b]) or a comma-separated string")
            return ()
        tags: list[str] = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.error("tags", f"{item!r} is not a tag; tags are words or phrases")
                continue
            tag = " ".join(str(item).split())
            if tag and tag not in tags:
                tags.append(tag)
        return tuple(tags)

    def flag(self, meta: dict[str, Any], key: str) -> bool:
        value = meta.get(key, False)
        if not isinstance(value, bool):
            self.error(key, f"must be true or false, not {value!r}")
            return False
        return value

    # -- slips the site survives ------------------------------------------------------

    def key_line(self, key: str) -> int | None:
        return line_of_key(self.parsed.meta_text, key, self.parsed.meta_line) if self.parsed else None

    def near_misses(self, meta: dict[str, Any]) -> None:
        """An unknown field that looks like a known one (``tag:``, ``Title:``, ``auther:``) is a slip.
        Other unknown fields, those other generators use on purpose among them, go to ``extra`` unremarked."""
        for key in meta:
            meant = near_miss(key, KNOWN_FIELDS) if isinstance(key, str) else None
            if meant is not None:
                self.warn(key, f"unknown field; did you mean {meant!r}?", self.key_line(key))

    def body_images(self, parsed: Parsed, html: str) -> None:
        """Images of the body without alt text: a figure (an image alone in its paragraph, whose
        alt text is its caption) without caption, or an image inside a paragraph's text."""
        if not EMPTY_ALT.search(html):  # what was rendered has none: none in code blocks need looking for
            return
        for src, index, alone in images_without_alt(parsed.body):
            line = parsed.body_line + parsed.body.count("\n", 0, index)
            if alone:
                self.warn("image", f"{src!r} has neither caption nor alt text; write what the photo shows "
                          "between the brackets of ![]", line)
            else:
                self.warn("image", f"{src!r} has no alt text; write what the image shows between the brackets "
                          "of ![]", line)


#: A draft as a line of front matter says it, for a file whose front matter cannot be read.
_DRAFT_LINE = re.compile(r"^(?:draft\s*[:=]\s*(?:true|yes)|published\s*[:=]\s*(?:false|no))\s*(?:#.*)?$",
                         re.MULTILINE | re.IGNORECASE)


def _is_draft(meta: dict[str, Any]) -> bool:
    """A draft, as its front matter says it (``draft: true``, Jekyll's ``published: false``, a
    WordPress status), even when other fields have mistakes."""
    status = meta.get("status")
    return (meta.get("draft") is True or meta.get("published") is False or bool(meta.get("password"))
            or (isinstance(status, str) and status.strip().lower() in _UNPUBLISHED))


def _person(value: object) -> str | None:
    """A name from a string, or from an author record as jekyll-import writes one."""
    if isinstance(value, dict):
        value = next((value[k] for k in _NAME_KEYS if isinstance(value.get(k), str) and value[k].strip()), None)
    return value if isinstance(value, str) and value.strip() else None


def _control_characters(shown: str, text: str) -> list[SiteError]:
    """One error for each line (the first five) that holds a control character."""
    errors: list[SiteError] = []
    seen: set[int] = set()
    for match in _CONTROL.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if line not in seen:
            seen.add(line)
            name = "NUL" if match.group() == "\0" else f"U+{ord(match.group()):04X}"
            errors.append(SiteError(shown, line, None, f"a control character ({name}) is not text; remove it"))
        if len(errors) == 5:
            break
    return errors


def _kind(value: object) -> str:
    return {dict: "a set of fields", list: "a list"}.get(type(value), type(value).__name__)
