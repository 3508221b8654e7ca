"""Markdown -> HTML with Python-Markdown, plus newsroom's figure extension.

The figure extension turns a paragraph that holds only an image into::

    <figure><img src=... alt="Caption"><figcaption>Caption
      <span class="credit">Photo: Name</span></figcaption></figure>

(alt text is the caption, the image title the photo credit), and passes every image
``src`` and root-relative link through a resolver, so that article folders, static
files and sub-path base URLs are handled in one place (:mod:`newsroom.content`).
Article bodies are never evaluated as templates.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

#: Template syntax of other generators, kept literally in bodies: Liquid tags and output
#: (Jekyll, Hexo), Hugo shortcodes and Go templates, WordPress shortcodes (``[caption
#: id="x"]``, ``[/caption]``); never inside a link target, where the resolver reports it.
TEMPLATE_SYNTAX = re.compile(
    r"(?<!\]\()(?:\{%.*?%\}|\{\{.*?\}\}"
    r"|\[(?:/[A-Za-z_][\w-]*|[A-Za-z_][\w-]*\s+[^\]\n]*=[^\]\n]*)\](?![(\[:]))"
)

#: Resolves an image src; returns the URL to write, or None when the src is wrong
#: (the resolver has recorded why).
Resolver = Callable[[str], "str | None"]

EXTENSIONS = ["tables", "footnotes", "attr_list", "fenced_code", "sane_lists", "def_list", "abbr"]
SUMMARY_LIMIT = 320


@dataclass(frozen=True)
class Rendered:
    html: str
    summary: str
    figures: tuple[tuple[str, str, str, str], ...] = ()  # (src, caption, credit, alt) of each figure made


@cache
def _figure_extension() -> type:
    """The figure extension's class, made on first use: importing Python-Markdown costs
    time that a build with nothing to read does not need to spend."""
    from markdown.extensions import Extension
    from markdown.preprocessors import Preprocessor
    from markdown.treeprocessors import Treeprocessor

    class LiteralPreprocessor(Preprocessor):
        """Template syntax of other generators stays as written (see :data:`TEMPLATE_SYNTAX`):
        stashed before Markdown reads the text, so that no attribute list, smart quote or
        emphasis changes it, and put back as escaped text."""

        def run(self, lines: list[str]) -> list[str]:
            text = "\n".join(lines)
            if "{" not in text and "[" not in text:
                return lines
            stash = self.md.htmlStash
            return TEMPLATE_SYNTAX.sub(lambda m: stash.store(html.escape(m.group(), quote=False)), text).split("\n")

    class FigureProcessor(Treeprocessor):
        def __init__(self, md: Any):
            super().__init__(md)
            self.resolve_image: Resolver = lambda src: src
            self.resolve_link: Resolver = lambda href: None
            self.describe: Callable[[str], Any] = lambda src: None
            self.figures: list[tuple[str, str, str, str]] = []

        def run(self, root: etree.Element) -> None:
            for img in root.iter("img"):
                src = img.get("src", "")
                resolved = self.resolve_image(src)
                if resolved is not None:
                    img.set("src", resolved)
                img.set("loading", "lazy")
                img.set("decoding", "async")
            originals: dict[int, str] = {}  # the src of each <img> that became a <picture>
            for parent in list(root.iter()):  # a processed photo: a <picture> of its variants
                for index, img in enumerate(list(parent)):
                    if img.tag == "img" and (found := self.describe(img.get("src", ""))) is not None:
                        originals[id(img)] = img.get("src", "")
                        parent[index] = _picture(img, found)
            for link in root.iter("a"):
                resolved = self.resolve_link(link.get("href", ""))
                if resolved is not None:
                    link.set("href", resolved)
            for index, child in enumerate(list(root)):
                if _only_image(child):
                    root[index] = figure = _figure(child[0])
                    img, caption = figure.find(".//img"), figure.find("figcaption")
                    parts = {} if caption is None else {span.get("class"): span.text or "" for span in caption}
                    src = originals.get(id(img), img.get("src", ""))
                    self.figures.append((src, parts.get("caption", ""), parts.get("credit", ""),
                                         img.get("alt", "")))

    class FigureExtension(Extension):
        def extendMarkdown(self, md: Any) -> None:  # noqa: N802 (Markdown's API)
            processor = FigureProcessor(md)
            md.treeprocessors.register(processor, "newsroom_figure", 5)  # after attr_list (8)
            md.preprocessors.register(LiteralPreprocessor(md), "newsroom_literal", 15)  # after fenced code, HTML
            md.newsroom_figure = processor

    return FigureExtension


def _picture(img: etree.Element, found: Any) -> etree.Element:
    """``<picture><source type="image/webp" srcset sizes><img srcset sizes width height></picture>``
    in place of ``img``; ``found`` is a :class:`newsroom.images.PictureSet` with its ``sizes``."""
    picture = etree.Element("picture")
    etree.SubElement(picture, "source", {"type": "image/webp", "srcset": found.webp, "sizes": found.sizes})
    img.set("src", found.src)
    img.set("srcset", found.own)
    img.set("sizes", found.sizes)
    img.set("width", str(found.width))
    img.set("height", str(found.height))
    picture.tail, img.tail = img.tail, None
    picture.append(img)
    return picture


def _only_image(p: etree.Element) -> bool:
    return (
        p.tag == "p"
        and len(p) == 1
        and p[0].tag in ("img", "picture")
        and not (p.text or "").strip()
        and not (p[0].tail or "").strip()
    )


def _figure(element: etree.Element) -> etree.Element:
    figure = etree.Element("figure", {"class": "figure"})
    img = element.find("img") if element.tag == "picture" else element
    assert img is not None
    credit = img.attrib.pop("title", "").strip()
    element.tail = None
    figure.append(element)
    caption = img.get("alt", "").strip()
    if caption or credit:
        figcaption = etree.SubElement(figure, "figcaption")
        if caption:
            text = etree.SubElement(figcaption, "span", {"class": "caption"})
            text.text = caption
            text.tail = " " if credit else None
        if credit:
            span = etree.SubElement(figcaption, "span", {"class": "credit"})
            span.text = credit
    return figure


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def is_cjk(text: str) -> bool:
    """True when at least half of the text (spaces aside) is Chinese characters."""
    return bool(text) and len(_CJK.findall(text)) * 2 >= len(text.replace(" ", ""))


def uses_smart_quotes(lang: str) -> bool:
    """Smart quotes misjudge quote direction in unspaced CJK text: only elsewhere."""
    return lang.split("-")[0].lower() not in ("zh", "ja", "ko")


class Markdown:
    """Reusable Markdown converters (building one is costly), one per quote style."""

    def __init__(self) -> None:
        self._converters: dict[bool, Any] = {}

    def _converter(self, smart: bool) -> Any:
        md = self._converters.get(smart)
        if md is None:
            import markdown

            extensions: list[Any] = [*EXTENSIONS, _figure_extension()()]
            if smart:  # smarty's output, in one tree pass rather than smarty's 19 inline patterns
                from newsroom.quotes import extension

                extensions.append(extension()())
            md = markdown.Markdown(extensions=extensions, output_format="html")
            self._converters[smart] = md
        return md

    def render(self, text: str, *, lang: str, resolve_image: Resolver, resolve_link: Resolver | None = None,
               base_path: str = "", describe: Callable[[str], Any] | None = None) -> Rendered:
        """``resolve_link`` gives the href to write for a link, or None to keep it; without
        one, root-relative links get the ``base_path``. Raises :class:`MarkupError` for a text
        Python-Markdown cannot render."""
        smart = uses_smart_quotes(lang)
        md = self._converter(smart)
        md.reset()
        processor = md.newsroom_figure
        processor.resolve_image = resolve_image
        processor.resolve_link = resolve_link or _base_path_links(base_path)
        processor.figures = []
        processor.describe = describe or (lambda src: None)
        try:
            body = md.convert(text)
        except BaseException as exc:
            # A converter stopped midway can keep broken state (after a RecursionError it no
            # longer renders inline Markdown at all): never use it again.
            self._converters.pop(smart, None)
            if isinstance(exc, RecursionError):  # e.g. lists inside lists some 400 levels deep
                raise MarkupError("lists or quotes are nested too deeply to render") from None
            raise
        figures = tuple(tuple(_plain(part) for part in figure) for figure in processor.figures)
        return Rendered(html=body, summary=summarize(body), figures=figures)  # type: ignore[arg-type]


_STASHED = re.compile("\x02[^\x03]*\x03")


def _plain(text: str) -> str:
    """An attribute's text as a reader sees it: Python-Markdown keeps entities written in the
    source (``&amp;``) and its placeholders in the tree, and writes the entities as they are."""
    from markdown.util import AMP_SUBSTITUTE

    if "\x02" in text:
        text = _STASHED.sub("", text.replace(AMP_SUBSTITUTE, "&"))
    return html.unescape(text) if "&" in text else text


class MarkupError(ValueError):
    """A body that cannot be rendered; the message says why."""


def _base_path_links(base_path: str) -> Resolver:
    def resolve(href: str) -> str | None:
        return base_path + href if base_path and href.startswith("/") and not href.startswith("//") else None

    return resolve


_FIRST_P = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL)
_FOOTNOTE_REF = re.compile(r"<sup\b[^>]*>.*?</sup>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def summarize(body_html: str, limit: int = SUMMARY_LIMIT) -> str:
    """Plain text of the first paragraph, cut at a word boundary past ``limit``."""
    match = _FIRST_P.search(body_html)
    if not match:
        return ""
    text = _TAG.sub("", _FOOTNOTE_REF.sub("", match.group(1)))
    text = " ".join(html.unescape(text).split())
    return shorten(text, limit)


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.，、") + "…"
