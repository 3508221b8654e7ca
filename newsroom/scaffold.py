"""What ``new`` and ``init`` write: an article to fill, and a new site to start from.

Pure text first (:func:`article_text`, :func:`site_toml`), then the two writers, which
raise :class:`~newsroom.errors.BuildFailed` for a user's mistake and never overwrite a
file. The command line (:mod:`newsroom.cli`) parses the flags and prints.
"""

from __future__ import annotations

import json
import shlex
import shutil
import unicodedata
from dataclasses import MISSING, fields, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from .config import BuildSettings, Channel, Config, DeploySettings, Feeds, Section, SiteInfo
from .dates import date_from_filename
from .editions import Language
from .errors import BuildFailed, SiteError
from .executors import ClusterSettings
from .fronts import ChannelFront, HomeSettings
from .urls import name_slug, slug_problem, slugify

#: A slug made from a long title is cut at a hyphen before this length (file names have limits).
MAX_SLUG = 80

BODY_PLACEHOLDER = ("Write the story here, in Markdown. The first paragraph is the summary that index pages\n"
                    "and feeds show, unless `summary:` or `dek:` says otherwise.\n")


# -- new --------------------------------------------------------------------------------


def yaml_text(value: str) -> str:
    """``value`` as a double-quoted YAML scalar on one line: colons, quotes, ``#`` and
    leading dashes read back as the same text."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=float("inf")).strip()


def title_slug(title: str) -> str:
    """The file name (without ``.md``) for ``title``: :func:`~newsroom.urls.name_slug` (pinyin
    for Chinese), cut at a hyphen when longer than :data:`MAX_SLUG`. May be empty."""
    slug = name_slug(title)
    if len(slug) > MAX_SLUG:
        cut = slug[:MAX_SLUG + 1]
        slug = cut[:cut.rfind("-")] if "-" in cut[1:] else slug[:MAX_SLUG]
        slug = slug.strip("-")
    return slug


def slug_mistake(slug: str) -> str | None:
    """Why ``slug`` cannot name an article file whose URL slug is ``slug``, or None."""
    problem = slug_problem(slug)
    if problem:
        return problem
    if slugify(slug) != slug:
        return f"{slug!r} is not a slug; use lowercase words joined by hyphens, like 'greenway-opens'"
    if date_from_filename(slug)[0] is not None:
        return f"{slug!r} starts with a date, which a file name would give the article; leave the date out"
    return None


def article_text(title: str, date: datetime, section: str, lang: str | None = None) -> str:
    """The article file ``new`` writes: front matter with every field to fill, then a placeholder body."""
    lines = [
        "---",
        f"title: {yaml_text(title)}",
        f"date: {date.replace(microsecond=0).isoformat()}",
        f"section: {section}",
    ]
    if lang:
        lines.append(f"lang: {lang}")
    lines += [
        'dek: ""',
        'author: ""',
        "tags: []",
        "image:",
        '  src: ""',
        '  caption: ""',
        '  credit: ""',
        '  alt: ""',
        "---",
        BODY_PLACEHOLDER,
    ]
    return "\n".join(lines)


def new_article(config: Config, title: str, *, channel: str, section: str, lang: str | None, slug: str,
                now: datetime | None = None) -> Path:
    """Write ``content/<channel>/<slug>.md`` for ``title`` and return its path.

    ``channel`` and ``section`` must be declared in site.toml; an existing file is never
    replaced. Raises :class:`BuildFailed` naming the mistake."""
    errors = []
    toml = config.relpath(config.path)
    if config.channel(channel) is None:
        known = ", ".join(c.slug for c in config.channels)
        errors.append(SiteError("--channel", None, None, f"unknown channel {channel!r}; {toml} declares: {known}"))
    if config.section(section) is None:
        known = ", ".join(s.slug for s in config.sections)
        errors.append(SiteError("--section", None, None, f"unknown section {section!r}; {toml} declares: {known}"))
    if errors:
        raise BuildFailed(errors)
    folder = config.dir("content") / channel
    path = folder / f"{slug}.md"
    date = (now or datetime.now(config.tz)).astimezone(config.tz).replace(second=0, microsecond=0)
    text = article_text(title, date, section, lang)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except FileExistsError:
        raise BuildFailed([SiteError(config.relpath(path), None, None,
                                     "exists; choose another title or --slug")]) from None
    except OSError as exc:
        raise BuildFailed([SiteError(config.relpath(path), None, None,
                                     f"cannot write: {exc.strerror or exc}")]) from None
    return path


# -- init -------------------------------------------------------------------------------

#: What each site.toml key means, as the written file explains it.
KEY_DOCS = {
    "site.title": "required: the portal's name",
    "site.base_url": "required: the public address; may include a sub-path",
    "site.language": "the site's language: a tag like \"en\" or \"zh-CN\"",
    "site.timezone": "IANA time zone of dates written without one",
    "site.date_format": "strftime pattern of shown dates (08 25,2021)",
    "site.home_label": "the first breadcrumb",
    "site.description": "tagline; the meta description of pages without their own",
    "site.copyright": "footer line",
    "site.address": "footer line",
    "site.icp": "footer line: the ICP licence number",
    "site.logo": "the publisher's logo in structured data: a file of static/ or a URL",
    "build.content_dir": "articles: content/<channel>/*.md",
    "build.output_dir": "the built site; a folder of newsroom's own",
    "build.templates_dir": "the theme's Jinja templates",
    "build.static_dir": "copied as it is to the output root",
    "build.per_page": "items per index page",
    "build.permalink": "article URLs: {channel} {section} {year} {month} {day} {slug}",
    "build.keep": "output paths never deleted, e.g. [\"downloads/\", \"google0123.html\"]",
    "build.minify": "true: minify pages and stylesheets",
    "build.search": "false: no search index and no search page",
    "build.executor": "\"dask\": read and render on a Dask cluster",
    "build.cluster.scheduler": "tcp://host:8786; empty: a local cluster",
    "build.cluster.shared": "a folder all workers see, holding this one",
    "build.cluster.write_pages": "false: workers send pages back",
    "build.cluster.batch": "items per task; 0: half a second of work",
    "build.cluster.retries": "tries again of a failed task",
    "build.cluster.workers": "local cluster's processes; 0: one a core",
    "feeds.items": "the newest stories in each feed",
    "feeds.full_content": "true: whole articles in feeds, not only the dek or summary",
    "deploy.target": "where `deploy` copies the site: a folder, or user@host:/path/",
    "deploy.cname": "a GitHub Pages site's custom domain (base_url's host)",
    "deploy.content_security_policy": "sent with every file by _headers; \"\" for none",
    "home.lead": "the big story at the top: a pinned one (placement: lead), else the newest with a photo",
    "home.top_stories": "the top stories row (placement: top first); 0 leaves a block out",
    "home.latest": "headlines after the top stories",
    "home.per_channel": "stories per city block",
    "home.per_section": "stories per section block",
    "home.photos": "photos in the photo news block",
    "channel_front.lead": "a lead story above a channel's first page (channel_placement: lead)",
    "channel_front.top_stories": "top stories there (channel_placement: top)",
    "channels.slug": "required: the channel's URL, /city/, and its folder, content/city/",
    "channels.name": "required: shown in navigation",
    "channels.name_zh": "the Chinese name; also read as the channel's slug in Chinese tags",
    "channels.dateline": "where its stories are filed from; default: the name",
    "sections.slug": "required: /news/ across channels, /city/news/ in one",
    "sections.name": "required: shown in navigation",
    "sections.name_zh": "the Chinese name",
    "languages.code": "required: the edition's language tag",
    "languages.name": "as the language switcher shows it; default by code (中文)",
    "languages.title": "the edition's site title; default: [site] title",
    "languages.description": "the edition's tagline",
    "languages.date_format": "default: %Y年%m月%d日 for Chinese, else [site]'s",
    "languages.home_label": "the first breadcrumb; default: [site]'s",
    "languages.prefix": "where the edition lives; default: /<code>",
}

#: The tables of site.toml: name, dataclass, whether it is an array of tables.
TABLES: tuple[tuple[str, type, bool], ...] = (
    ("site", SiteInfo, False), ("build", BuildSettings, False), ("build.cluster", ClusterSettings, False),
    ("feeds", Feeds, False),
    ("deploy", DeploySettings, False), ("home", HomeSettings, False), ("channel_front", ChannelFront, False),
    ("channels", Channel, True), ("sections", Section, True),
)

INIT_CHANNEL = {"slug": "city", "name": "City"}
INIT_SECTION = {"slug": "news", "name": "News"}
INIT_SITE = {"title": "My Newsroom", "base_url": "https://www.example.org/"}

WELCOME_BODY = """\
This site was started by `newsroom init`. This article is a file, `{path}`: edit it,
or delete it once the site has stories of its own.

Add a story with `python -m newsroom new "Your headline" --channel {channel}`, which
writes a file to fill in `content/{channel}/`. Preview the site with
`python -m newsroom serve`: every save rebuilds it and reloads the page. Build it
into `public/` with `python -m newsroom build`, and copy that folder to any web host.

The settings are in `site.toml`, where every key is listed and explained. The theme is
yours to change: `templates/` holds the pages, `static/` the stylesheets and images.
"""


def toml_value(value: Any) -> str:
    """A TOML literal for a default of the config dataclasses."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string for these texts
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML literal for {value!r}")


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(name: str, cls: type, values: dict[str, Any], *, array: bool) -> list[str]:
    lines = [f"[[{name}]]" if array else f"[{name}]"]
    for spec in fields(cls):
        if is_dataclass(spec.default):
            continue  # a table of its own
        doc = KEY_DOCS.get(f"{name}.{spec.name}", "")
        if spec.name in values:
            line = f"{spec.name} = {toml_value(values[spec.name])}"
        elif spec.default is MISSING:
            raise ValueError(f"no value for the required key {name}.{spec.name}")
        else:
            line = f"# {spec.name} = {toml_value(spec.default)}"
        pad = " " * max(1, 45 - _width(line))
        lines.append(f"{line}{pad}# {doc}" if doc else line)
    return lines


def site_toml(*, site: dict[str, Any] | None = None, channel: dict[str, Any] | None = None,
              section: dict[str, Any] | None = None) -> str:
    """A site.toml naming every key newsroom reads: the required ones set, the others
    commented out with their defaults, each with what it means."""
    values = {"site": site or INIT_SITE, "build": {}, "build.cluster": {}, "feeds": {}, "deploy": {}, "home": {},
              "channel_front": {}, "channels": channel or INIT_CHANNEL,
              "sections": section or INIT_SECTION}
    parts = [
        "# The settings of this news site. Every key newsroom reads is here: the commented-out ones",
        "# show their defaults; remove the '#' to change one. Unknown keys are errors. Folders are",
        "# relative to this file. Add a [[channels]] block per city and a [[sections]] block per section.",
    ]
    for name, cls, array in TABLES:
        parts.append("")
        parts.extend(_table(name, cls, values[name], array=array))
    parts += ["", "# Editions in other languages: one [[languages]] block each, its pages under /<code>/.",
              "# Every key but code is optional; a Chinese edition has Chinese labels built in."]
    for spec in fields(Language):
        default = "\"zh\"" if spec.name == "code" else toml_value(spec.default)
        parts.append(f"#   {spec.name} = {default}".ljust(47) + f"# {KEY_DOCS[f'languages.{spec.name}']}")
    parts.insert(-len(fields(Language)), "#   [[languages]]")
    return "\n".join(parts) + "\n"


def theme_folders() -> tuple[Path, Path]:
    """The repository's ``templates/`` and ``static/``, beside the newsroom package."""
    import newsroom

    root = Path(newsroom.__file__).resolve().parent.parent
    return root / "templates", root / "static"


def init_site(folder: Path, *, now: datetime | None = None) -> list[str]:
    """Start a site in ``folder`` (new or empty): site.toml, one article, the theme's
    templates and static files, a .gitignore. Returns what was written, relative to
    ``folder``. Raises :class:`BuildFailed` when the folder holds files or the theme
    cannot be found."""
    shown = str(folder)
    if folder.exists() and not folder.is_dir():
        raise BuildFailed([SiteError(shown, None, None, "exists and is not a folder; init starts a site in a new "
                                     "or empty folder")])
    if folder.is_dir() and any(folder.iterdir()):
        raise BuildFailed([SiteError(shown, None, None, "exists and is not empty; init starts a site in a new "
                                     "or empty folder")])
    templates, static = theme_folders()
    missing = [p for p in (templates, static) if not p.is_dir()]
    if missing:
        raise BuildFailed([SiteError(str(p), None, None, "not found: init copies the theme from the folders beside "
                                     "the newsroom package; install newsroom from its source folder "
                                     "(python -m pip install -e .)") for p in missing])

    from zoneinfo import ZoneInfo

    tz = ZoneInfo(SiteInfo.timezone)
    date = (now or datetime.now(tz)).astimezone(tz).replace(second=0, microsecond=0)
    channel = INIT_CHANNEL["slug"]
    article_path = f"content/{channel}/welcome.md"
    article = "\n".join([
        "---",
        f"title: {yaml_text('Welcome to your news site')}",
        f"date: {date.isoformat()}",
        f"section: {INIT_SECTION['slug']}",
        'dek: "How to add stories, preview the site and publish it"',
        'author: "The newsdesk"',
        "tags: [newsroom]",
        "# image:                 # a lead photo: a file of static/ or beside this article",
        "#   src: /images/photo.jpg",
        '#   caption: "What the photo shows."',
        '#   credit: "Photo: Name/Agency"',
        '#   alt: "A description for readers who cannot see it"',
        "---",
        WELCOME_BODY.format(path=article_path, channel=channel),
    ])
    written: list[str] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        files = {"site.toml": site_toml(), article_path: article, ".gitignore": "/public/\n/.cache/\n"}
        for relative, text in files.items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            written.append(relative)
        ignore = shutil.ignore_patterns("__pycache__", ".DS_Store", "Thumbs.db", ".*.swp")
        for source in (templates, static):
            shutil.copytree(source, folder / source.name, ignore=ignore)
            written.append(source.name + "/")
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else shown
        raise BuildFailed([SiteError(where, None, None, f"cannot write: {exc.strerror or exc}")]) from None
    return written


def next_steps(folder: str) -> list[str]:
    """What to do after ``init``, as lines to print."""
    channel = INIT_CHANNEL["slug"]
    steps = [
        (f"cd {shlex.quote(folder)}", ""),
        ("python -m newsroom serve", "preview on http://127.0.0.1:8000/; every save reloads it"),
        (f'python -m newsroom new "Your headline" --channel {channel}', f"an article to fill in content/{channel}/"),
        ("python -m newsroom build", "the site, into public/"),
    ]
    width = max(len(command) for command, _ in steps)
    return [f"  {command:<{width}}  # {what}" if what else f"  {command}" for command, what in steps]
