"""Fingerprinted assets: the theme's stylesheets, scripts and images under names that change
with their bytes, so a host can let browsers keep them for a year.

A static file becomes an asset when a template names it as a constant through the ``url``
filter (``{{ '/css/site.css' | url }}``), or a stylesheet that is an asset names it in a
``url(...)`` or an ``@import``. Each asset is published twice: under its own name, as every
static file is, and under a name with a digest of its bytes (``/css/site.1f2e3d4c5b6a.css``),
which the ``url`` filter then gives instead. A stylesheet's copy names the fingerprinted
copies of what it uses, so its digest changes with theirs. The preview fingerprints nothing:
a saved stylesheet is shown at once, under its own name.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: Files that may be fingerprinted: what a theme links from its pages and stylesheets.
KINDS = frozenset({".css", ".js", ".mjs", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico",
                   ".woff", ".woff2", ".ttf", ".otf"})
#: Hex digits of the digest in a fingerprinted name (docs/examples/nginx.conf matches them).
DIGITS = 12

_CSS_REFERENCE = re.compile(r"""url\(\s*(["']?)([^"')\s]+)\1\s*\)|@import\s+(["'])([^"']+)\3""")


@dataclass(frozen=True)
class Assets:
    """``names``: each asset's site path and its fingerprinted one; ``files``: each
    fingerprinted copy's output path, with the file it is copied from or, for a stylesheet
    whose references were renamed (or which was minified), its bytes."""

    names: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, Path | bytes] = field(default_factory=dict)



NONE = Assets()


def digest(names: Mapping[str, str]) -> str:
    """What every page's fingerprint depends on: the fingerprinted ``names`` pages link to."""
    text = "\n".join(f"{k} {v}" for k, v in sorted(names.items()))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def referenced(sources: Mapping[str, bytes]) -> set[str]:
    """Site paths the templates pass as a constant to the ``url`` filter."""
    import jinja2
    from jinja2 import nodes

    env = jinja2.Environment()
    found: set[str] = set()
    for source in sources.values():
        if b"url" not in source:
            continue
        try:
            tree = env.parse(source.decode("utf-8"))
        except (jinja2.TemplateSyntaxError, UnicodeDecodeError):
            continue  # rendering reports it
        for node in tree.find_all(nodes.Filter):
            if node.name == "url" and isinstance(node.node, nodes.Const) and isinstance(node.node.value, str):
                found.add(node.node.value)
    return found


def fingerprint(static: Mapping[str, Path], named: Iterable[str], *, minify: bool = False) -> Assets:
    """The assets of a site whose static files are ``static`` (output path → file) and whose
    templates give ``url`` the site paths ``named`` (:func:`referenced`); ``minify`` also
    minifies the stylesheets' copies."""
    wanted = sorted(path[1:] for path in named if path.startswith("/") and path[1:] in static
                    and _kind(path) in KINDS)
    names: dict[str, str] = {}
    files: dict[str, Path | bytes] = {}
    making: set[str] = set()

    def make(relative: str) -> str | None:
        """The fingerprinted output path of ``relative``, made first if need be."""
        done = names.get("/" + relative)
        if done is not None:
            return done[1:]
        if relative in making:
            return None  # stylesheets that import each other: the loop keeps its own names
        making.add(relative)
        source = static[relative]
        data = source.read_bytes()
        copy: Path | bytes = source
        if _kind(relative) == ".css":
            text = data.decode("utf-8", errors="surrogateescape")
            renamed = _CSS_REFERENCE.sub(lambda m: _renamed(m, relative, static, make), text)
            if minify:
                renamed = minify_css(renamed)
            if renamed != text:
                data = copy = renamed.encode("utf-8", errors="surrogateescape")
        digest = hashlib.sha256(data).hexdigest()[:DIGITS]
        stem, ext = posixpath.splitext(relative)
        fingerprinted = f"{stem}.{digest}{ext}"
        names["/" + relative] = "/" + fingerprinted
        files[fingerprinted] = copy
        return fingerprinted

    for relative in wanted:
        make(relative)
    return Assets(names, files)


def _renamed(match: re.Match[str], css: str, static: Mapping[str, Path], make: Callable[[str], str | None]) -> str:
    """A stylesheet's reference with its target's fingerprinted name, when that is an asset."""
    href = match[2] if match[2] is not None else match[4]
    if not href or href.startswith(("data:", "#", "//")) or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", href):
        return match[0]
    path, cut, rest = href.partition("?") if "?" in href else href.partition("#")
    target = posixpath.normpath(posixpath.join(posixpath.dirname("/" + css), path))[1:] if not path.startswith("/") \
        else path[1:]
    if target not in static or _kind(target) not in KINDS:
        return match[0]
    named = make(target)
    if named is None:
        return match[0]
    new = path[: len(path) - len(posixpath.basename(path))] + posixpath.basename(named) + cut + rest
    return match[0].replace(href, new, 1)


def minify_css(css: str) -> str:
    """A stylesheet minified by minify-html (as the CSS of a ``<style>`` element)."""
    import minify_html

    wrapped = minify_html.minify(f"<style>{css}</style>", minify_css=True)
    return wrapped.removeprefix("<style>").removesuffix("</style>")


def _kind(path: str) -> str:
    return posixpath.splitext(path)[1].lower()
