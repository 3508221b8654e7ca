"""Slips the site survives, found in an article's text: front matter field names that look
like a known one (``tag:``, ``auther:``), and Markdown images without alt text. The
reader of :mod:`newsroom.content` reports them as warnings.
"""

from __future__ import annotations

import difflib
import re
from functools import cache

#: Fields other generators write on purpose (Jekyll, Hugo, Hexo, WordPress exports, themes):
#: kept in ``extra`` without a warning, even those that look like one of newsroom's.
_OTHER_FIELDS = frozenset(name.lower() for name in (
    "layout", "permalink", "categories", "category", "excerpt", "excerpt_separator", "redirect_to",  # Jekyll
    "description", "weight", "url", "type", "images", "params", "keywords", "toc", "math", "publishDate",  # Hugo
    "linkTitle", "markup", "outputs", "resources", "series", "headless", "isCJKLanguage", "translationKey",
    "sitemap", "menu", "menus", "build", "cascade", "audio", "videos", "kind", "subtitle",
    "comments", "photos", "thumbnail", "cover",  # Hexo
    "status", "guid", "meta", "wordpress_id", "password", "parent_id", "menu_order", "post_id", "id",  # WordPress
    "dsq_thread_id", "format", "sticky", "template",
    "created", "modified", "created_at", "updated_at", "published_at",  # database exports
    "featured_image", "hero", "banner", "header", "sidebar", "author_profile", "share", "related",  # themes
))
def near_miss(key: str, fields: frozenset[str]) -> str | None:
    """The one of ``fields`` an unknown ``key`` was probably meant to be: the same but for case
    (``Title``), two letters swapped (``tgas``), or close enough to be a typo (``tag``, ``auther``)."""
    lower = key.lower()
    if key in fields or lower in _OTHER_FIELDS:
        return None
    known_lower = _lowered(fields)
    if lower in known_lower:
        return known_lower[lower]
    for known, name in known_lower.items():
        if len(known) == len(lower) and _swapped(known, lower):
            return name
    close = difflib.get_close_matches(lower, list(known_lower), n=1, cutoff=0.8)
    return known_lower[close[0]] if close else None


@cache
def _lowered(fields: frozenset[str]) -> dict[str, str]:
    return {name.lower(): name for name in sorted(fields)}


def _swapped(a: str, b: str) -> bool:
    """``b`` is ``a`` with two neighbouring letters swapped."""
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


EMPTY_ALT = re.compile(r"<img\b[^>]*\balt=\"\s*\"")
#: A Markdown image: ``![alt](src "title"){attributes}`` or ``![alt][reference]``.
_IMAGE = re.compile(
    r"(?<!\\)!\[(?P<alt>[^\]\n]*)\]"
    r"(?:\(\s*(?:<(?P<bracketed>[^>\n]*)>|(?P<src>[^\s)]*))(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?\s*\)"
    r"(?P<attrs>\{[^}\n]*\})?|\[(?P<ref>[^\]\n]*)\])"
)
_REFERENCE = re.compile(r"^ {0,3}\[(?P<name>[^\]\n]+)\]:[ \t]*(?:<(?P<bracketed>[^>\n]*)>|(?P<src>\S+))", re.MULTILINE)
#: What is not text that Markdown reads: fenced and indented code, code spans, HTML comments.
_NOT_PROSE = re.compile(
    r"^ {0,3}(?P<fence>`{3,}|~{3,}).*?(?:^ {0,3}(?P=fence)[`~]*[ \t]*$|\Z)"
    r"|(?:(?<=\n\n)|\A)(?:(?: {4}|\t)[^\n]*(?:\n|\Z))+"
    r"|(?P<ticks>`+)(?:(?!\n\n).)+?(?P=ticks)|<!--.*?-->",
    re.MULTILINE | re.DOTALL,
)


def images_without_alt(body: str) -> list[tuple[str, int, bool]]:
    """(src as written, index in ``body``, alone in its paragraph) of each Markdown image
    with empty alt text, outside code."""
    prose = _NOT_PROSE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), body)
    references = {m["name"].strip().lower(): m["src"] or m["bracketed"] for m in _REFERENCE.finditer(prose)}
    found: list[tuple[str, int, bool]] = []
    for image in _IMAGE.finditer(prose):
        if image["alt"].strip() or re.search(r"\balt=", image["attrs"] or ""):
            continue
        if image["ref"] is None:
            src = image["src"] if image["bracketed"] is None else image["bracketed"]
        else:
            src = references.get(image["ref"].strip().lower())
        if src is None:  # ![][nothing]: Markdown leaves it as text
            continue
        start = prose.rfind("\n\n", 0, image.start())
        end = prose.find("\n\n", image.end())
        paragraph = prose[start + 2 if start >= 0 else 0:end if end >= 0 else len(prose)]
        found.append((src, image.start(), paragraph.strip() == image.group()))
    return found
