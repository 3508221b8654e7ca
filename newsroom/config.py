"""site.toml -> a validated, typed, frozen :class:`Config`.

The schema *is* the dataclasses below: each field's type and default say what the
key accepts. Unknown keys, wrong types and bad values are reported all together as
:class:`~newsroom.errors.SiteError` with the line of the key in site.toml.
"""

from __future__ import annotations

import re
import tomllib
import types
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .editions import Edition, Language, edition_of, is_language_tag, language_problems, make_editions
from .errors import BuildFailed, SiteError, toml_problem
from .executors import ClusterSettings, cluster_mistakes
from .fronts import ChannelFront, HomeSettings
from .labels import Labels
from .urls import RESERVED_SLUGS, SLUG_RE, PermalinkError, check_permalink


@dataclass(frozen=True)
class SiteInfo:
    title: str
    base_url: str
    language: str = "en"
    timezone: str = "Asia/Shanghai"
    date_format: str = "%m %d,%Y"
    home_label: str = "首页"
    description: str = ""
    copyright: str = ""
    address: str = ""
    icp: str = ""
    logo: str = ""  # the publisher's logo for structured data: a site path ("/images/logo.png") or a URL


@dataclass(frozen=True)
class BuildSettings:
    content_dir: str = "content"
    output_dir: str = "public"
    templates_dir: str = "templates"
    static_dir: str = "static"
    per_page: int = 20
    permalink: str = "/{channel}/{section}/{year}/{month}/{slug}/"
    keep: tuple[str, ...] = ()  # output paths never deleted (besides .git, CNAME and .nojekyll)
    minify: bool = False  # minify HTML pages and the fingerprinted stylesheets (minify-html)
    search: bool = True  # a Pagefind index and a search page in each edition
    executor: str = "local"  # where reading and rendering run: "local" (this machine's cores) or "dask"
    cluster: ClusterSettings = ClusterSettings()  # [build.cluster]: the Dask cluster of executor = "dask"


#: The Content-Security-Policy of ``_headers`` unless ``[deploy] content_security_policy`` says
#: otherwise: the theme's own files only (search compiles Pagefind's WebAssembly), photos and
#: embedded media from any https host.
DEFAULT_CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data: https:; "
               "media-src 'self' https:; frame-src https:; object-src 'none'; base-uri 'self'; form-action 'self'; "
               "frame-ancestors 'self'")


@dataclass(frozen=True)
class DeploySettings:
    target: str = ""  # where `deploy` copies the output with rsync: a folder, or user@host:/path/
    cname: str = ""  # the custom domain a GitHub Pages site answers to, written to the output's CNAME
    content_security_policy: str = DEFAULT_CSP  # sent with every file by _headers; "" for none


@dataclass(frozen=True)
class Feeds:
    items: int = 50  # the newest stories in each feed
    full_content: bool = False  # whole article bodies in feeds, not only the summary


@dataclass(frozen=True)
class Channel:
    slug: str
    name: str
    name_zh: str = ""
    dateline: str = ""  # where its stories are filed from, e.g. "Changzhi, Shanxi"; default: the name


@dataclass(frozen=True)
class Section:
    slug: str
    name: str
    name_zh: str = ""


@dataclass(frozen=True)
class Config:
    """Everything that decides what a build produces."""

    path: Path  # the site.toml file
    site: SiteInfo
    build: BuildSettings
    channels: tuple[Channel, ...]
    sections: tuple[Section, ...]
    feeds: Feeds = Feeds()
    labels: Labels = Labels()
    deploy: DeploySettings = DeploySettings()
    home: HomeSettings = HomeSettings()
    channel_front: ChannelFront = ChannelFront()
    languages: tuple[Language, ...] = ()  # [[languages]]: the editions besides the site's own language
    language_labels: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # each one's [languages.labels]
    editions: tuple[Edition, ...] = field(default=(), init=False)  # every edition, the site's own first
    drafts: bool = False  # include drafts (--drafts, the preview)
    future: bool = False  # include articles dated after the build's time (--future, the preview)
    expired: bool = False  # include articles past their ``expires:`` time (--expired)
    output_from: str = ""  # where the output folder was chosen: "site.toml:17", "--output" or "site.toml"

    def output_error(self, message: str) -> SiteError:
        """A mistake about the output folder, naming where the folder was chosen."""
        where, _, line = self.output_from.partition(":")
        if where == "--output":
            return SiteError(where, None, None, message)
        return SiteError(where or self.path.name, int(line) if line else None, "build.output_dir", message)

    @cached_property
    def _channels(self) -> dict[str, Channel]:
        return {c.slug: c for c in self.channels}

    @cached_property
    def _sections(self) -> dict[str, Section]:
        return {s.slug: s for s in self.sections}

    @property
    def root(self) -> Path:
        return self.path.parent

    def dir(self, name: str) -> Path:
        """An absolute folder from [build]: ``dir("content")``, ``dir("output")``..."""
        found = self._dirs.get(name)
        if found is None:  # resolved once: readers ask for every image and link
            found = self._dirs[name] = (self.root / getattr(self.build, f"{name}_dir")).resolve()
        return found

    @cached_property
    def _dirs(self) -> dict[str, Path]:
        return {}

    @cached_property
    def _resolved_root(self) -> Path:
        return self.root.resolve()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)

    @property
    def base_path(self) -> str:
        """The path part of base_url without its trailing slash: "" or "/news"."""
        return urlsplit(self.site.base_url).path.rstrip("/")

    def __post_init__(self) -> None:
        object.__setattr__(self, "editions", make_editions(  # made anew by replace(): they follow the settings
            self.site, self.labels, self.channels, self.sections, self.languages,
            {code: dict(words) for code, words in self.language_labels}))

    def edition_of(self, lang: str) -> Edition | None:
        """The edition that shows articles in ``lang`` (see :func:`newsroom.editions.edition_of`)."""
        return edition_of(self.editions, lang, bool(self.languages))

    def edition_named(self, lang: str) -> Edition:
        """The edition whose language is ``lang`` exactly (the site's own for "")."""
        return next((e for e in self.editions if e.lang == lang), self.editions[0])

    def channel(self, slug: str) -> Channel | None:
        return self._channels.get(slug)

    def section(self, slug: str) -> Section | None:
        return self._sections.get(slug)

    def relpath(self, path: Path) -> str:
        """How a file is named in messages: relative to the site folder when inside it."""
        try:
            return path.resolve().relative_to(self._resolved_root).as_posix()
        except ValueError:
            return str(path)


def load_config(
    path: Path,
    *,
    output_dir: str | None = None,
    base_url: str | None = None,
    drafts: bool = False,
    future: bool = False,
    expired: bool = False,
) -> Config:
    """Read and validate site.toml; command-line overrides are validated the same way."""
    path = Path(path)
    shown = path.name if not path.is_absolute() else str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BuildFailed([SiteError(shown, None, None, "no such file; is this a newsroom site folder?")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildFailed([SiteError(shown, None, None, f"cannot read: {exc}")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, message = toml_problem(exc)
        raise BuildFailed([SiteError(shown, line, None, f"invalid TOML: {message}")]) from None

    reader = _Reader(shown, text)
    config = reader.read(path.resolve(), data, output_dir=output_dir, base_url=base_url, drafts=drafts)
    if reader.errors or config is None:
        raise BuildFailed(reader.errors)
    return replace(config, future=future, expired=expired)


class _Reader:
    def __init__(self, shown: str, text: str):
        self.shown = shown
        self.text = text
        self.errors: list[SiteError] = []

    def error(self, table: str, index: int | None, key: str | None, message: str) -> None:
        name = table if index is None else f"{table}[{index}]"
        dotted = f"{name}.{key}" if key else name
        self.errors.append(SiteError(self.shown, self._line(table, index, key), dotted, message))

    def _line(self, table: str, index: int | None, key: str | None) -> int | None:
        """Line of ``key`` inside the ``index``-th ``[table]``/``[[table]]`` of site.toml."""
        lines = self.text.splitlines()
        header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$")
        starts = [n for n, line in enumerate(lines) if header.match(line)]
        if not starts:
            return None
        start = starts[index or 0] if (index or 0) < len(starts) else starts[-1]
        if key is None:
            return start + 1
        key_re = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for n in range(start + 1, len(lines)):
            if re.match(r"^\s*\[", lines[n]):
                break
            if key_re.match(lines[n]):
                return n + 1
        return start + 1

    def read(self, path: Path, data: dict[str, Any], *, output_dir: str | None,
             base_url: str | None, drafts: bool) -> Config | None:
        for key in data:
            if key not in ("site", "build", "feeds", "labels", "deploy", "home", "channel_front", "channels",
                           "sections", "languages"):
                self.error(key, None, None, "unknown table; expected [site], [build], [feeds], [labels], "
                           "[deploy], [home], [channel_front], [[channels]], [[sections]] or [[languages]]")

        site = self.table(data, "site", SiteInfo, required=True)
        cluster = data["build"].pop("cluster", {}) if isinstance(data.get("build"), dict) else {}
        build = self.table(data, "build", BuildSettings, required=False)
        cluster = self.table({"build.cluster": cluster}, "build.cluster", ClusterSettings, required=False)
        build = replace(build, cluster=cluster) if build is not None and cluster is not None else build
        feeds = self.table(data, "feeds", Feeds, required=False)
        labels = self.table(data, "labels", Labels, required=False)
        deploy = self.table(data, "deploy", DeploySettings, required=False)
        home = self.table(data, "home", HomeSettings, required=False)
        channel_front = self.table(data, "channel_front", ChannelFront, required=False)
        for table, found in (("home", home), ("channel_front", channel_front)):
            for key in [k for k, v in vars(found or {}).items() if not isinstance(v, bool) and v < 0]:
                self.error(table, None, key, "must be 0 (no such block) or more")
        channels = self.array(data, "channels", Channel)
        sections = self.array(data, "sections", Section)
        languages, own_labels = self.languages(data)
        if site is not None and base_url is not None:
            site = replace(site, base_url=base_url)
        if build is not None and output_dir is not None:
            build = replace(build, output_dir=output_dir)

        if site is not None:
            self.check_site(site, overridden=base_url is not None)
        if build is not None:
            self.check_build(build, path.parent, overridden=output_dir is not None)
        if feeds is not None and feeds.items < 1:
            self.error("feeds", None, "items", "must be at least 1")
        if deploy is not None:
            self.check_deploy(deploy, site, overridden=base_url is not None)
        self.check_slugs("channels", channels)
        self.check_slugs("sections", sections)
        if site is not None:
            self.check_languages(languages, site, {*(c.slug for c in channels), *(s.slug for s in sections)})
        both = {c.slug for c in channels} & {s.slug for s in sections}
        for slug in sorted(both):
            index = [s.slug for s in sections].index(slug)
            self.error("sections", index, "slug", f"{slug!r} is also a channel slug; both would own /{slug}/")
        if self.errors or site is None or build is None or feeds is None or labels is None or deploy is None \
                or home is None or channel_front is None:
            return None
        if output_dir is not None:
            output_from = "--output"
        else:
            line = self._line("build", None, "output_dir") if "output_dir" in data.get("build", {}) else None
            output_from = f"{self.shown}:{line}" if line else self.shown
        return Config(path=path, site=site, build=build, channels=tuple(channels),
                      sections=tuple(sections), feeds=feeds, labels=labels, deploy=deploy, home=home, drafts=drafts,
                      channel_front=channel_front,
                      output_from=output_from, languages=tuple(languages),
                      language_labels=tuple((code, tuple(sorted(words.items()))) for code, words in own_labels.items()))

    # -- generic, type-driven reading -------------------------------------------------

    def table(self, data: dict[str, Any], name: str, cls: type, *, required: bool) -> Any:
        raw = data.get(name)
        if raw is None:
            if required:
                self.error(name, None, None, f"missing; site.toml needs a [{name}] table")
                return None
            raw = {}
        if not isinstance(raw, dict):
            self.error(name, None, None, "must be a table")
            return None
        return self.record(raw, name, None, cls)

    def array(self, data: dict[str, Any], name: str, cls: type) -> list[Any]:
        raw = data.get(name)
        if raw is None:
            self.error(name, None, None, f"missing; declare at least one [[{name}]] with slug and name")
            return []
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            self.error(name, None, None, f"must be an array of tables: [[{name}]]")
            return []
        if not raw:
            self.error(name, None, None, f"declare at least one [[{name}]]")
        records = [self.record(item, name, n, cls) for n, item in enumerate(raw)]
        return [r for r in records if r is not None]

    def record(self, raw: dict[str, Any], table: str, index: int | None, cls: type) -> Any:
        hints = get_type_hints(cls)
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        ok = True
        for key, value in raw.items():
            if key not in known:
                self.error(table, index, key, f"unknown key; expected one of: {', '.join(known)}")
                ok = False
                continue
            expected = hints[key]
            if not _is_instance(value, expected):
                self.error(table, index, key, f"must be {_type_name(expected)}, not {_type_name(type(value))}")
                ok = False
                continue
            values[key] = tuple(value) if isinstance(value, list) else value
        for name, spec in known.items():
            if name not in values and spec.default is MISSING and name not in raw:
                self.error(table, index, name, "missing; this key is required")
                ok = False
        return cls(**values) if ok else None

    def languages(self, data: dict[str, Any]) -> tuple[list[Language], dict[str, dict[str, str]]]:
        """``[[languages]]``, and each one's ``[languages.labels]`` by its code."""
        raw = data.get("languages", [])
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            self.error("languages", None, None, "must be an array of tables: [[languages]]")
            return [], {}
        found, labels, tables = [], {}, 0
        for n, item in enumerate(raw):
            words = item.get("labels", {})
            language = self.record({k: v for k, v in item.items() if k != "labels"}, "languages", n, Language)
            if not isinstance(words, dict):
                self.error("languages", n, "labels", "must be a table: [languages.labels]")
            elif "labels" in item:
                tables += 1  # the line of a mistake is in the tables-th [languages.labels]
                if self.record(words, "languages.labels", tables - 1, Labels) is not None and language is not None:
                    labels[language.code.lower()] = dict(words)
            if language is not None:
                found.append(language)
        return found, labels

    # -- semantic checks --------------------------------------------------------------

    def check_languages(self, languages: list[Language], site: SiteInfo, slugs: set[str]) -> None:
        for index, key, message in language_problems(languages, site.language, slugs):
            self.error("languages", index, key, message)

    def check_site(self, site: SiteInfo, *, overridden: bool) -> None:
        url = urlsplit(site.base_url)
        if url.scheme not in ("http", "https") or not url.netloc or url.query or url.fragment:
            where = "--base-url" if overridden else "base_url"
            self.error("site", None, "base_url",
                       f"{site.base_url!r} is not an absolute http(s) URL like "
                       f"'https://www.example.org/' ({where})")
        try:
            ZoneInfo(site.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.error("site", None, "timezone",
                       f"unknown time zone {site.timezone!r}; use an IANA name such as 'Asia/Shanghai'")
        try:
            sample = datetime(2021, 8, 25).strftime(site.date_format)
        except ValueError as exc:
            self.error("site", None, "date_format", f"invalid strftime pattern: {exc}")
        else:
            if sample == site.date_format or not sample.strip():
                self.error("site", None, "date_format", f"{site.date_format!r} has no date fields; try '%m %d,%Y'")
        if not site.title.strip():
            self.error("site", None, "title", "must not be empty")
        if site.logo and not (site.logo.startswith("/") and not site.logo.startswith("//")) \
                and urlsplit(site.logo).scheme not in ("http", "https"):
            self.error("site", None, "logo", f"{site.logo!r} must be a path on the site like '/images/logo.png' "
                       "or an http(s) URL")
        if not is_language_tag(site.language):
            self.error("site", None, "language", f"{site.language!r} is not a language tag like 'en' or 'zh-CN'")

    def check_build(self, build: BuildSettings, root: Path, *, overridden: bool) -> None:
        if build.per_page < 1:
            self.error("build", None, "per_page", "must be at least 1")
        for table, key, message in cluster_mistakes(build.executor, build.cluster):
            self.error(table, None, key, message)
        try:
            check_permalink(build.permalink)
        except PermalinkError as exc:
            self.error("build", None, "permalink", str(exc))
        dirs = {name: (root / getattr(build, f"{name}_dir")).resolve()
                for name in ("content", "templates", "static", "output")}
        output = dirs.pop("output")
        problem = None
        if output == Path(output.anchor) or output == Path.home():
            problem = "is not a safe output folder"
        elif output == root.resolve() or output in root.resolve().parents:
            problem = f"would hold the site folder {root.resolve()}; the output must be a folder of its own"
        else:
            for name, folder in dirs.items():
                if output == folder or output in folder.parents or folder in output.parents:
                    problem = (f"overlaps the {name} folder {folder}; the output must be a folder of its own, "
                               "e.g. 'public'")
                    break
        if problem:
            if overridden:
                self.errors.append(SiteError("--output", None, None, f"{build.output_dir!r} {problem}"))
            else:
                self.error("build", None, "output_dir", f"{build.output_dir!r} {problem}")
        for pattern in build.keep:
            if not pattern.strip("/ ") or ".." in pattern.split("/") or pattern.startswith(("/", "\\")) \
                    or ":" in pattern:
                self.error("build", None, "keep", f"{pattern!r} must be a path inside the output folder, "
                           "e.g. 'robots.txt' or 'downloads/'")
        for name, folder in dirs.items():
            if name != "static" and not folder.is_dir():
                self.error("build", None, f"{name}_dir", f"folder {folder} does not exist")

    def check_deploy(self, deploy: DeploySettings, site: SiteInfo | None, *, overridden: bool) -> None:
        if deploy.cname:
            if not _HOST.fullmatch(deploy.cname):
                self.error("deploy", None, "cname", f"{deploy.cname!r} must be a host name like "
                           "'www.example.gov.cn' (no https://, no path)")
            elif site is not None and not overridden and (urlsplit(site.base_url).hostname or "") \
                    != deploy.cname.lower():
                self.error("deploy", None, "cname", f"{deploy.cname!r} is not the host of base_url "
                           f"{site.base_url!r}; pages would link to one address and be served at the other")
        if any(c in deploy.content_security_policy for c in "\r\n"):
            self.error("deploy", None, "content_security_policy", "must be one line")
        if deploy.target.startswith("-"):
            self.error("deploy", None, "target", f"{deploy.target!r} must be a folder or user@host:/path/, "
                       "not an option")

    def check_slugs(self, table: str, items: list[Channel] | list[Section]) -> None:
        seen: dict[str, int] = {}
        for n, item in enumerate(items):
            if not SLUG_RE.match(item.slug):
                self.error(table, n, "slug", f"{item.slug!r} must be lowercase letters, digits and hyphens")
            elif item.slug in RESERVED_SLUGS:
                self.error(table, n, "slug", f"{item.slug!r} is reserved for the site's own pages")
            if item.slug in seen:
                self.error(table, n, "slug", f"{item.slug!r} is declared twice (also {table}[{seen[item.slug]}])")
            seen.setdefault(item.slug, n)
            if not item.name.strip():
                self.error(table, n, "name", "must not be empty")


_HOST = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")


def _is_instance(value: Any, expected: Any) -> bool:
    origin = get_origin(expected)
    if origin in (Union, types.UnionType):
        return any(_is_instance(value, arg) for arg in get_args(expected))
    if expected is type(None):
        return value is None
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is tuple:  # tuple[str, ...]: a TOML array of that type
        return isinstance(value, list) and all(_is_instance(v, get_args(expected)[0]) for v in value)
    return isinstance(value, expected)


def _type_name(tp: Any) -> str:
    names = {str: "a string", int: "an integer", bool: "true or false", float: "a number",
             list: "an array", dict: "a table", type(None): "empty"}
    if get_origin(tp) in (Union, types.UnionType):
        return " or ".join(_type_name(arg) for arg in get_args(tp))
    if get_origin(tp) is tuple:
        return f"an array of {_type_name(get_args(tp)[0]).removeprefix('a ').removeprefix('an ')}s"
    return names.get(tp, getattr(tp, "__name__", str(tp)))
