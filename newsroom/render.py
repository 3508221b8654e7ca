"""Pages -> HTML through the Jinja templates of templates/, one function per page kind.

Templates see frozen records and a few filters; a missing value is an error
(``StrictUndefined``), never an empty string. Template mistakes are reported with
the template's file and line.
"""

from __future__ import annotations

import contextlib
import functools
import mimetypes
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urljoin

import jinja2

from .config import Config
from .errors import BuildFailed, SiteError
from .images import picture
from .markup import is_cjk
from .metadata import Metadata, jsonld, published_size
from .model import last_modified
from .pages import ArticlePage, IndexPage, Page
from .urls import ATOM_PATH, NEWS_SITEMAP_PATH, SITEMAP_PATH, channel_path, feed_path, section_path

#: The template of each page kind; :mod:`newsroom.fingerprint` hashes the same ones. Those
#: named ``newsroom/…`` are built in (:data:`BUILTIN_TEMPLATES`); a site may override any
#: of them with a file of the same name in its templates folder.
TEMPLATES = {
    "home": "home.html", "index": "index.html", "article": "article.html", "notfound": "404.html",
    "rss": "newsroom/rss.xml", "atom": "newsroom/atom.xml", "sitemap": "newsroom/sitemap.xml",
    "sitemapindex": "newsroom/sitemap-index.xml", "newssitemap": "newsroom/sitemap-news.xml",
    "robots": "newsroom/robots.txt", "tag": "list.html", "author": "list.html", "archive": "list.html",
    "terms": "terms.html", "redirect": "redirect.html", "redirects": "newsroom/redirects.txt",
    "search": "search.html", "headers": "newsroom/headers.txt", "nojekyll": "newsroom/nojekyll.txt",
    "cname": "newsroom/cname.txt",
}
#: Templates every site has: feeds, sitemaps, robots.txt and the ``<head>`` metadata.
BUILTIN_TEMPLATES = Path(__file__).parent / "templates"


class Renderer:
    """Renders pages with the site's templates. ``compiled`` is a folder in which Jinja keeps
    the templates compiled (keyed by each template's source): a build that renders a dozen
    pages then compiles none."""

    def __init__(self, config: Config, *, preview: bool = False, compiled: Path | None = None,
                 assets: Mapping[str, str] | None = None):
        self.config = config
        self.preview = preview
        self.compiled = compiled
        self.assets = assets = dict(assets or {})  # site path -> fingerprinted site path (newsroom.assets)
        self.minify = config.build.minify and not preview
        self.templates_dir = config.dir("templates")
        if compiled is not None and not compiled.is_dir():
            compiled.mkdir(parents=True, exist_ok=True)
            _forget_old(compiled)
        self.env = jinja2.Environment(
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled is not None else None,
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(self.templates_dir),
                                        jinja2.FileSystemLoader(BUILTIN_TEMPLATES)]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        base_path = config.base_path
        base_url = config.site.base_url.rstrip("/")
        self.env.filters.update(
            url=_unfolded(lambda path: base_path + assets.get(path, path)),
            channel_url=jinja2.pass_context(  # {{ c | channel_url }}, in the page's edition
                lambda context, channel: base_path + context["edition"].path(channel_path(channel.slug))),
            section_url=jinja2.pass_context(  # {{ s | section_url(c) }}
                lambda context, section, channel=None: base_path + context["edition"].path(section_path(
                    section.slug, channel.slug if channel else None))),
            abs_url=_unfolded(lambda path: base_url + path),  # a site path, as a full URL
            absolute=_unfolded(lambda href: urljoin(base_url + "/", href)),  # an href as written in HTML
            date=jinja2.pass_context(lambda context, value, fmt=None: self.format_date(
                value, fmt or context["site"].date_format)),
            isodate=lambda value: value.isoformat(),
            names=join_names,
            rfc822=format_datetime,  # RSS dates: "Wed, 25 Aug 2021 09:30:00 +0800"
            lastmod=last_modified,
            jsonld=jsonld,
            mimetype=lambda src: mimetypes.guess_type(src.split("?")[0])[0] or "image/jpeg",
            absolute_links=self.absolute_links,
            news_language=news_language,
        )
        self.metadata = Metadata(config)
        self.edition = ""  # the edition self.env renders (see show_edition)
        self._environments = {"": self.env}
        self.env.tests["cjk"] = is_cjk
        self.env.globals.update(
            site=config.site,  # these five are the page's edition's (see show_edition())
            channels=config.channels,
            sections=config.sections,
            labels=config.labels,  # the interface's words: {{ labels.time }}
            edition=config.editions[0],  # its language, prefix, home and search page: {{ edition.home | url }}
            editions=config.editions,
            site_search=config.build.search,  # whether the editions have search pages
            preview=preview,
            feeds=config.feeds,
            structured_data=self.metadata.structured_data,
            photo_size=published_size,  # (width, height) of a photo's own address, or None
            photo_set=lambda photo, place: (  # a processed photo's variants for a place, or None
                picture(photo.source, place, photo.focus, base_path) if photo.source is not None else None),
            logo_src=self.metadata.logo_src(),
            feed_url=jinja2.pass_context(  # the edition's, a channel's, a section's
                lambda context, channel=None, section=None: base_url + context["edition"].path(feed_path(
                    channel_path(channel.slug) if channel else section_path(section.slug) if section else "/"))),
            atom_url=jinja2.pass_context(lambda context: base_url + context["edition"].path(ATOM_PATH)),
            sitemap_url=base_url + SITEMAP_PATH,
            news_sitemap_url=base_url + NEWS_SITEMAP_PATH,
            fingerprinted=tuple(sorted(assets.values())),  # the assets' fingerprinted site paths
            deploy=config.deploy,
        )

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled as what makes it (a fork server's workers make their own)."""
        return functools.partial(Renderer, preview=self.preview, compiled=self.compiled, assets=self.assets), \
            (self.config,)

    @staticmethod
    def compiled_folder(config: Config) -> Path:
        """Where a site's builds keep compiled templates: beside the build cache, one folder per
        newsroom code (compiled templates call the filters as that code defined them)."""
        from .cache import code_digest

        return config.root / ".cache" / "newsroom" / "jinja" / code_digest()[:16]

    def absolute_links(self, body: object) -> str:
        """An article body for a feed: root-relative ``src`` and ``href`` made absolute, since
        a feed reader shows it away from the site."""
        origin = self.origin
        html = _ROOT_RELATIVE.sub(lambda m: m.group(1) + origin + "/", str(body))
        return _SRCSET.sub(lambda m: m.group(1) + _ROOT_CANDIDATE.sub(r"\1" + origin + "/", m.group(2)) + m.group(3),
                           html)

    @property
    def origin(self) -> str:
        scheme, _, rest = self.config.site.base_url.partition("://")
        return f"{scheme}://{rest.split('/')[0]}"

    def show_edition(self, lang: str) -> None:
        """Render the next pages in the edition of ``lang`` ("" for the site's own), whose ``site``,
        ``labels``, ``channels``, ``sections`` and ``edition`` the templates see: an environment of
        its own, since Jinja keeps an imported macro's globals as they were when it was first
        imported (the page's context would not reach macros imported without context)."""
        env = self._environments.get(lang)
        if env is None:  # the same templates and filters, its own globals and loaded templates
            env = self._environments[""].overlay()
            edition = self.config.edition_named(lang)
            env.globals = {**env.globals, "site": edition.site, "labels": edition.labels, "channels": edition.channels,
                           "sections": edition.sections, "edition": edition}
            self._environments[lang] = env
        self.env = env
        self.edition = lang

    def format_date(self, value: datetime, fmt: str | None = None) -> str:
        return value.astimezone(self.config.tz).strftime(fmt or self.config.site.date_format)

    # -- pages ---------------------------------------------------------------------------

    def render(self, page: Page) -> str:
        """The HTML of ``page`` through the template of its kind (:data:`TEMPLATES`); raises
        :class:`BuildFailed` for a template mistake."""
        context: dict[str, Any] = {"page": page}
        if page.edition != self.edition:
            self.show_edition(page.edition)
        if isinstance(page, IndexPage):
            context["pager"] = page.pager
        elif isinstance(page, ArticlePage):
            context["article"] = page.article
        name = TEMPLATES[page.kind]
        html = self._template(name, **context)
        return minify_page(html) if self.minify and name.endswith(".html") else html

    def _template(self, name: str, **context: Any) -> str:
        try:
            return self.env.get_template(name).render(**context)
        except jinja2.TemplateSyntaxError as exc:
            path = self._shown(exc.filename) if exc.filename else f"templates/{exc.name or name}"
            raise BuildFailed([SiteError(path, exc.lineno, None, f"template syntax: {exc.message}")]) from None
        except jinja2.TemplateNotFound as exc:
            path, line = self._where(name)
            folder = self._shown(str(self.templates_dir))
            raise BuildFailed([SiteError(path, line, None, f"template {exc.name!r} not found in {folder}/")]) from None
        except Exception as exc:  # noqa: BLE001 - any failure inside a template is the template's
            path, line = self._where(name)
            raise BuildFailed([SiteError(path, line, None, f"template error: {_describe(exc)}")]) from None

    def _where(self, name: str) -> tuple[str, int | None]:
        """File and line of the template line that was running when an exception rose."""
        where = _template_frame(sys.exc_info()[2], self.templates_dir)
        return (self._shown(where[0]), where[1]) if where else (f"templates/{name}", None)

    def _shown(self, filename: str) -> str:
        return self.config.relpath(Path(filename))


def _template_frame(tb: TracebackType | None, templates_dir: Path) -> tuple[str, int] | None:
    """The innermost traceback frame that is a line of one of our templates."""
    found = None
    folder = str(templates_dir)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(folder):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _describe(exc: Exception) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return f"{exc.message}"
    return f"{type(exc).__name__}: {exc}"


_ROOT_RELATIVE = re.compile(r"""(\s(?:src|href|poster)=["'])/(?!/)""")
_SRCSET = re.compile(r"""(\ssrcset=")([^"]*)(")""")  # "/_img/a.webp 480w, /_img/b.webp 960w"
_ROOT_CANDIDATE = re.compile(r"(^|,\s*)/(?!/)")


def _forget_old(compiled: Path) -> None:
    """Remove the compiled templates of other newsroom code, unused for an hour (a build that
    still runs with them keeps its own)."""
    cutoff = time.time() - 3600
    for other in compiled.parent.iterdir():
        with contextlib.suppress(OSError):
            if other != compiled and other.stat().st_mtime < cutoff:
                if other.is_dir():
                    shutil.rmtree(other, ignore_errors=True)
                else:
                    other.unlink()


def _unfolded(function: Callable[..., str]) -> Callable[..., str]:
    """A filter that depends on the config (the base URL, the fingerprinted names, the time
    zone), which Jinja must not work out while compiling: it would fold ``'/css/site.css' | url``
    into a constant, and the compiled template, cached by its source alone, would keep the
    address of the build that compiled it. Filters given the context are never folded."""

    @jinja2.pass_context
    def filter(_context: object, *args: Any, **kwargs: Any) -> str:
        return function(*args, **kwargs)

    return filter


def minify_page(html: str) -> str:
    """An HTML page minified by minify-html, still valid HTML (its defaults keep to the spec):
    whitespace and quotes that change nothing go; every element's tags stay."""
    import minify_html

    return minify_html.minify(html, minify_css=True, minify_js=True, keep_html_and_head_opening_tags=True,
                              keep_closing_tags=True)


def news_language(lang: str) -> str:
    """A language tag as Google News wants it: ISO 639 (``en``), but ``zh-cn`` or ``zh-tw``."""
    parts = lang.lower().replace("_", "-").split("-")
    if parts[0] == "zh":
        return "zh-tw" if any(p in ("tw", "hk", "mo", "hant") for p in parts[1:]) else "zh-cn"
    return parts[0]


def join_names(names: Iterable[str]) -> str:
    """"Li Na", "Li Na and Wu Jia", "Li Na, Wu Jia and Zhao Min"."""
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
