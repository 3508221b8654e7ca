"""Smart punctuation (curly quotes, en and em dashes, ellipses) as one pass over the tree.

Python-Markdown's ``smarty`` extension does this with a second inline processor of 19
patterns, which doubles the cost of rendering an English article. This tree processor
gives the same output for a fraction of that: the same regular expressions (taken from
``markdown.extensions.smarty``), applied in the same order to the same text nodes, with
the same rule for what a later pattern sees where an earlier one matched (a placeholder
bounded by STX and ETX). Each substitution is written as smarty writes it, an HTML entity
kept in Markdown's stash, so pages are byte for byte what ``smarty`` made.
``tests/test_quotes.py`` compares the two on generated and sample text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from functools import cache
from typing import Any

_TOKEN = re.compile("\x02q([0-9]+)\x03")


@cache
def _rules() -> tuple[tuple[str, re.Pattern[str], tuple[int | str, ...]], ...]:
    """(needle, pattern, replacement parts) in smarty's order: dashes (priorities 50, 45), quotes
    (30 down to 16), ellipses (10). A part is a group number or a substitution's name."""
    from markdown.extensions import smarty as s

    q, d = "'", '"'  # each rule's needle: a string every match contains, so no search without it
    rules = (
        ("--", r"(?<!-)---(?!-)", ("mdash",)),
        ("--", r"(?<!-)--(?!-)", ("ndash",)),
        (q, s.singleQuoteStartRe, ("right-single-quote",)),
        (d, s.doubleQuoteStartRe, ("right-double-quote",)),
        (q, s.doubleQuoteSetsRe, (("left-double-quote", "left-single-quote"),)),
        (q, s.singleQuoteSetsRe, (("left-single-quote", "left-double-quote"),)),
        (q, s.doubleQuoteSetsRe2, (("right-single-quote", "right-double-quote"),)),
        (q, s.singleQuoteSetsRe2, (("right-double-quote", "right-single-quote"),)),
        (q, s.decadeAbbrRe, ("right-single-quote",)),
        (q, s.openingSingleQuotesRegex, (1, "left-single-quote")),
        (q, s.closingSingleQuotesRegex, ("right-single-quote",)),
        (q, s.closingSingleQuotesRegex2, ("right-single-quote", 1)),
        (q, s.remainingSingleQuotesRegex, ("left-single-quote",)),
        (d, s.openingDoubleQuotesRegex, (1, "left-double-quote")),
        (d, s.closingDoubleQuotesRegex, ("right-double-quote",)),
        (d, s.closingDoubleQuotesRegex2, ("right-double-quote",)),
        (d, s.remainingDoubleQuotesRegex, ("left-double-quote",)),
        ("...", r"(?<!\.)\.{3}(?!\.)", ("ellipsis",)),
    )

    def entity(part: int | str | tuple[str, ...]) -> int | str:
        if isinstance(part, int):
            return part
        return "".join(s.substitutions[name] for name in ((part,) if isinstance(part, str) else part))

    return tuple((needle, re.compile(pattern, re.DOTALL | re.UNICODE), tuple(entity(p) for p in parts))
                 for needle, pattern, parts in rules)


#: Text without any of these has nothing to educate.
_CANDIDATE = re.compile(r"['\"]|--|\.\.\.")


def educate(text: str, store: Any) -> str:
    """``text`` with smart punctuation; ``store(html)`` keeps an entity in Markdown's stash
    and returns its placeholder. Each match becomes a placeholder token while the later
    patterns run, as in Python-Markdown's inline processor, and is expanded at the end."""
    if not _CANDIDATE.search(text):
        return text
    made: list[str] = []
    for needle, pattern, parts in _rules():
        if needle not in text:
            continue
        start = 0
        while (match := pattern.search(text, start)) is not None:
            made.append("".join(match.group(p) if isinstance(p, int) else store(p) for p in parts))
            token = f"\x02q{len(made) - 1}\x03"
            text = text[:match.start()] + token + text[match.end():]
            start = match.start() + len(token)
    return _TOKEN.sub(lambda m: made[int(m.group(1))], text) if made else text


@cache
def extension() -> type:
    """The Markdown extension's class, made on first use (importing Markdown takes time)."""
    from markdown.extensions import Extension
    from markdown.treeprocessors import Treeprocessor
    from markdown.util import AtomicString

    class SmartPunctuation(Treeprocessor):
        def run(self, root: etree.Element) -> None:
            store = self.md.htmlStash.store
            for element in root.iter():
                if element is root:
                    continue
                text = element.text
                if text and not isinstance(text, AtomicString):
                    element.text = educate(text, store)
                tail = element.tail
                if tail and not isinstance(tail, AtomicString):
                    element.tail = educate(tail, store)

    class SmartPunctuationExtension(Extension):
        def extendMarkdown(self, md: Any) -> None:  # noqa: N802 (Markdown's API)
            md.treeprocessors.register(SmartPunctuation(md), "newsroom_smart", 6)  # where smarty's runs
            md.ESCAPED_CHARS.extend(['"', "'"])  # \" and \' stay straight, as with smarty

    return SmartPunctuationExtension
