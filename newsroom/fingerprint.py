"""Fingerprints: what an output page was made from, so an unchanged page is not rendered again.

A page's fingerprint hashes the cache key (config and newsroom itself), the templates
its page kind uses (the template and everything it extends, includes or imports) and
the page record with every Article in it replaced by the article's digest. A template
sees nothing but its page record and the config, so two builds that give a page the
same fingerprint render it to the same bytes: reusing the old file is exact.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from .assets import referenced
from .cache import BuildCache
from .config import Channel, Section
from .content import Article
from .files import walk
from .pages import Crumb, Page, SitemapEntry, Term
from .render import BUILTIN_TEMPLATES, TEMPLATES


def template_sources(folder: Path) -> tuple[dict[str, bytes], str]:
    """Every template by name, from the site's ``folder`` or, where it has no file of that
    name, newsroom's built-in ones; and a digest of them all."""
    sources: dict[str, bytes] = {}
    for root in (BUILTIN_TEMPLATES, folder):  # the site's own replace built-in ones of the same name
        cut = len(str(root)) + 1
        listed = walk(root, "templates", hidden=lambda name: name.startswith("."), wanted=bool, errors=[])
        sources.update((path[cut:].replace(os.sep, "/"), Path(path).read_bytes()) for path in listed)  # links followed
    digest = hashlib.sha1(b"".join(k.encode() + b"\0" + v for k, v in sorted(sources.items())),
                          usedforsecurity=False).hexdigest()
    return sources, digest


def template_keys(env: Any, folder: Path, sources: tuple[dict[str, bytes], str] | None = None) -> dict[str, str]:
    """For each page kind, a hash of its template and every template that one uses
    (``sources``: :func:`template_sources` of ``folder``, when already read)."""
    from jinja2 import TemplateSyntaxError, meta
    from jinja2.loaders import split_template_path

    sources, everything = sources or template_sources(folder)
    uses: dict[str, set[str] | None] = {}
    for name, source in sources.items():
        try:
            found = set(meta.find_referenced_templates(env.parse(source.decode("utf-8"))))
        except (TemplateSyntaxError, UnicodeDecodeError):
            found = None
        uses[name] = None if found is None or None in found else _loader_names(found, split_template_path)

    keys: dict[str, str] = {}
    for kind, name in TEMPLATES.items():
        closure, todo, known = set(), [name], True
        while todo:
            current = todo.pop()
            if current in closure:
                continue
            closure.add(current)
            used = uses.get(current, set())
            if used is None:
                known = False
                break
            todo.extend(used)
        if not known:
            keys[kind] = everything
            continue
        digest = hashlib.sha1(usedforsecurity=False)
        for current in sorted(closure):
            digest.update(current.encode() + b"\0" + sources.get(current, b"<missing>") + b"\0")
        keys[kind] = digest.hexdigest()
    return keys


def template_facts(cache: BuildCache, folder: Path,
                   sources: tuple[dict[str, bytes], str]) -> tuple[dict[str, str], frozenset[str]]:
    """The template keys of the templates ``sources`` (of ``folder``) and the site paths they
    give ``url`` as constants (:func:`newsroom.assets.referenced`), from the cache when its
    templates are these."""
    found = cache.template_facts(sources[1])
    if found is None:
        import jinja2

        found = template_keys(jinja2.Environment(), folder, sources), frozenset(referenced(sources[0]))
        cache.remember_template_facts(sources[1], *found)
    return found


def _loader_names(names: set[str], split: Any) -> set[str] | None:
    """Names as Jinja's loader resolves them ("/partials/x.html" and "./partials/x.html" are
    partials/x.html); None, for "depends on every template", if one cannot be resolved."""
    try:
        return {"/".join(split(name)) for name in names}
    except Exception:  # noqa: BLE001 - e.g. "../x.html", which the loader refuses: rendering reports it
        return None


def page_fingerprint(page: Page, base: str) -> str:
    """``base`` is the cache key plus the template key of the page's kind."""
    _seen.clear()
    return hashlib.sha1((base + _encode(page)).encode(), usedforsecurity=False).hexdigest()


def last_articles() -> set[str]:
    """The paths of the articles in the page :func:`page_fingerprint` was last given."""
    return {article.path for article in _seen}


_seen: list[Article] = []  # every article _encode met, since page_fingerprint began


_FIELDS: dict[type, tuple[str, ...]] = {}


def _encode(value: Any) -> str:
    """A string that differs whenever anything a template could read differs.

    This is the hot loop of a no-op build (every page, every build), so it walks the
    record itself instead of through :func:`newsroom.model.map_articles`: the generic
    visitor measured three times slower here (114 against 39 ms for 3,483 pages).
    Articles stand for their digest. Channels, sections and breadcrumbs come from the
    config, which the cache key covers, so their URL or slug is enough to tell them apart.
    """
    kind = type(value)
    if kind is Article:
        _seen.append(value)
        return value.digest
    if kind is str:
        return value
    if value is None or kind is int or kind is bool:
        return repr(value)
    if kind is tuple or kind is list:
        if all(type(v) is Article for v in value):  # the common case, by the hundred thousand
            _seen.extend(value)
            return "[" + ",".join([v.digest for v in value]) + "]"
        if value and type(value[0]) is SitemapEntry and all(type(v) is SitemapEntry for v in value):  # sitemaps
            return "[" + ",".join([v.url + " " + v.lastmod for v in value]) + "]"
        return "[" + ",".join([_encode(v) for v in value]) + "]"
    if kind is Channel or kind is Section:
        return "@" + value.slug
    if kind is Crumb:
        return "^" + value.url
    if kind is Term:  # tags and bylines on every article page: by the ten thousand
        return "~" + value.name + "\x1f" + value.url
    names = _FIELDS.get(kind)
    if names is None:
        if not is_dataclass(value):
            return repr(value)
        names = _FIELDS[kind] = tuple(f.name for f in fields(value))
    return kind.__name__ + "(" + "|".join([_encode(getattr(value, n)) for n in names]) + ")"
