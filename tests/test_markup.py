"""Markdown bodies -> HTML: figures, quotes, tables, footnotes, links, images and summaries."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from newsroom.markup import Markdown, MarkupError, Rendered, summarize


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.parts: list[Node | str] = []  # text and child elements, in document order

    @property
    def children(self) -> list[Node]:
        return [part for part in self.parts if isinstance(part, Node)]

    def find_all(self, tag: str, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if child.tag == tag and (cls is None or cls in (child.attrs.get("class") or "").split()):
                found.append(child)
            found.extend(child.find_all(tag, cls))
        return found

    def find(self, tag: str, cls: str | None = None) -> Node:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag}{' class=' + cls if cls else ''}> in the HTML"
        return found[0]

    def all_text(self) -> str:
        return "".join(part if isinstance(part, str) else part.all_text() for part in self.parts)


class _TreeBuilder(HTMLParser):
    VOID = {"img", "br", "hr", "input", "meta", "link"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.parts.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.parts.append(data)


def tree(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@pytest.fixture(scope="module")
def renderer() -> Markdown:
    return Markdown()


def render(renderer: Markdown, text: str, *, lang: str = "en", base_path: str = "",
           resolve=lambda src: src) -> Rendered:
    return renderer.render(text, lang=lang, resolve_image=resolve, base_path=base_path)


# -- figures ----------------------------------------------------------------------------------


def test_a_paragraph_holding_only_an_image_becomes_a_figure(renderer):
    html = render(renderer, 'Intro.\n\n![Greenway at dusk](greenway.jpg "Photo: Li Wei")\n\nAfter.\n').html
    doc = tree(html)
    figure = doc.find("figure")
    img = figure.find("img")
    assert img.attrs["src"] == "greenway.jpg"
    assert img.attrs["alt"] == "Greenway at dusk"
    assert "title" not in img.attrs  # the credit is shown, not hidden in a tooltip
    figcaption = figure.find("figcaption")
    assert figcaption.find("span", "caption").all_text() == "Greenway at dusk"
    assert figcaption.find("span", "credit").all_text() == "Photo: Li Wei"
    # the figure replaces the paragraph: no <p> wraps it
    assert all(p.find_all("img") == [] for p in doc.find_all("p"))
    assert [p.all_text() for p in doc.find_all("p")] == ["Intro.", "After."]


@pytest.mark.parametrize(
    ("markdown", "caption", "credit"),
    [
        ("![Only a caption](x.jpg)", "Only a caption", None),
        ('![](x.jpg "Only a credit")', None, "Only a credit"),
    ],
)
def test_figure_caption_holds_only_what_was_given(renderer, markdown, caption, credit):
    figure = tree(render(renderer, markdown).html).find("figure")
    spans = figure.find("figcaption")
    assert [s.all_text() for s in spans.find_all("span", "caption")] == ([caption] if caption else [])
    assert [s.all_text() for s in spans.find_all("span", "credit")] == ([credit] if credit else [])


def test_an_image_without_caption_or_credit_has_no_empty_figcaption(renderer):
    figure = tree(render(renderer, "![](x.jpg)").html).find("figure")
    assert figure.find_all("figcaption") == []
    assert figure.find_all("img") != []


@pytest.mark.parametrize(
    "markdown",
    [
        'Look at ![the map](map.png "Map: City") before you go.',
        '![the map](map.png "Map: City") shows the route.',
        'The route is shown here: ![the map](map.png "Map: City")',
    ],
)
def test_an_image_inside_a_sentence_stays_inline(renderer, markdown):
    doc = tree(render(renderer, markdown).html)
    assert doc.find_all("figure") == []
    assert doc.find_all("figcaption") == []
    img = doc.find("p").find("img")
    assert img.attrs["alt"] == "the map"


# -- quotes -----------------------------------------------------------------------------------

QUOTED = "He said \"the greenway is open\" and it's 3 km -- finally..."


@pytest.mark.parametrize("lang", ["en", "en-GB", "fr"])
def test_english_text_gets_smart_quotes(renderer, lang):
    text = tree(render(renderer, QUOTED, lang=lang).html).find("p").all_text()
    assert "\u201cthe greenway is open\u201d" in text
    assert "it\u2019s" in text
    assert '"' not in text and "'" not in text


@pytest.mark.parametrize("lang", ["zh", "zh-CN", "ja", "ko"])
def test_cjk_text_keeps_straight_quotes(renderer, lang):
    text = tree(render(renderer, '他说"绿道开放了"。It\'s open.', lang=lang).html).find("p").all_text()
    assert text == '他说"绿道开放了"。It\'s open.'


def test_quote_style_does_not_leak_between_renders(renderer):
    render(renderer, QUOTED, lang="en")
    zh = tree(render(renderer, '他说"你好"', lang="zh").html).find("p").all_text()
    en = tree(render(renderer, QUOTED, lang="en").html).find("p").all_text()
    assert zh == '他说"你好"'
    assert "\u201c" in en


# -- tables, footnotes ------------------------------------------------------------------------


def test_tables_render(renderer):
    markdown = "| City | Km |\n|------|---:|\n| Changzhi | 3.5 |\n| Datong | 12 |\n"
    table = tree(render(renderer, markdown).html).find("table")
    assert [th.all_text() for th in table.find_all("th")] == ["City", "Km"]
    assert [td.all_text() for td in table.find_all("td")] == ["Changzhi", "3.5", "Datong", "12"]


def test_footnotes_render(renderer):
    markdown = "The route was approved in 2019.[^plan]\n\n[^plan]: City planning bureau, notice 12.\n"
    doc = tree(render(renderer, markdown).html)
    ref = doc.find("sup").find("a")
    assert ref.attrs["href"].startswith("#fn")
    notes = doc.find("div", "footnote")
    assert "City planning bureau, notice 12." in notes.all_text()
    assert "[^plan]" not in doc.all_text()


# -- images and links -------------------------------------------------------------------------


def test_the_resolver_sees_every_image_src_and_its_answer_is_written(renderer):
    seen: list[str] = []

    def resolve(src: str) -> str:
        seen.append(src)
        return {"lead.jpg": "/news/changzhi/lead.jpg", "../icons/bus.png": "/news/icons/bus.png",
                "/images/list.jpg": "https://cdn.example.org/list.jpg"}[src]

    markdown = (
        "![Lead photo](lead.jpg)\n\n"
        "Inline ![icon](../icons/bus.png) here.\n\n"
        "* ![in a list](/images/list.jpg)\n"
    )
    doc = tree(render(renderer, markdown, resolve=resolve).html)
    assert seen == ["lead.jpg", "../icons/bus.png", "/images/list.jpg"]
    assert [img.attrs["src"] for img in doc.find_all("img")] == [
        "/news/changzhi/lead.jpg",
        "/news/icons/bus.png",
        "https://cdn.example.org/list.jpg",
    ]


def test_a_src_the_resolver_refuses_is_left_as_written(renderer):
    html = render(renderer, "![missing](nowhere.jpg)", resolve=lambda src: None).html
    assert tree(html).find("img").attrs["src"] == "nowhere.jpg"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/changzhi/news/", "/portal/changzhi/news/"),
        ("/about/#contact", "/portal/about/#contact"),
        ("https://example.com/x", "https://example.com/x"),
        ("//cdn.example.com/x.js", "//cdn.example.com/x.js"),
        ("mailto:desk@example.org", "mailto:desk@example.org"),
        ("#section-2", "#section-2"),
        ("relative/page/", "relative/page/"),
    ],
)
def test_root_relative_links_get_the_base_path(renderer, href, expected):
    html = render(renderer, f"See [this page]({href}).", base_path="/portal").html
    assert tree(html).find("a").attrs["href"] == expected


def test_links_are_untouched_without_a_base_path(renderer):
    html = render(renderer, "See [this page](/changzhi/news/).").html
    assert tree(html).find("a").attrs["href"] == "/changzhi/news/"


@pytest.mark.parametrize("body", ["{{ 7*7 }}", "{% if true %}yes{% endif %}", "{# note #}"])
def test_template_syntax_in_a_body_stays_literal_text(renderer, body):
    rendered = render(renderer, f"Price: {body} yuan.")
    assert tree(rendered.html).find("p").all_text() == f"Price: {body} yuan."
    assert "49" not in rendered.html


# -- summaries --------------------------------------------------------------------------------


def test_summary_is_the_first_paragraph_as_plain_text(renderer):
    markdown = (
        "![Lead](lead.jpg)\n\n"
        "The **greenway** opens in [Changzhi](/changzhi/) on *Wednesday*.\n\n"
        "Second paragraph.\n"
    )
    assert render(renderer, markdown).summary == "The greenway opens in Changzhi on Wednesday."


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Tom &amp; Jerry &lt;3 caf&eacute; &#8212; ok</p>", "Tom & Jerry <3 café — ok"),
        ("<p>Fares rise<sup id=\"fnref:1\"><a href=\"#fn:1\">1</a></sup> in May.</p>", "Fares rise in May."),
        ("<p>  spread\n   over   lines </p>", "spread over lines"),
        ("<h2>Heading</h2><p>First</p><p>Second</p>", "First"),
        ("<pre>code</pre><p>Text</p>", "Text"),
        ("<h2>Only a heading</h2>", ""),
    ],
)
def test_summarize(html, expected):
    assert summarize(html) == expected


def test_summary_drops_footnote_markers_from_rendered_markdown(renderer):
    markdown = "Fares rise[^1] in May.\n\n[^1]: Bureau notice.\n"
    assert render(renderer, markdown).summary == "Fares rise in May."


def test_summary_has_typographic_quotes_unescaped(renderer):
    assert render(renderer, 'He said "yes" & left.').summary == "He said \u201cyes\u201d & left."


def test_long_first_paragraph_is_cut_at_a_word_with_an_ellipsis():
    words = [f"word{n}" for n in range(100)]
    text = summarize("<p>" + " ".join(words) + "</p>", limit=60)
    assert text.endswith("…")
    assert len(text) <= 61
    kept = text[:-1].split()
    assert kept == words[: len(kept)]  # whole words only, from the start
    assert len(kept) >= 5


def test_cut_does_not_leave_punctuation_before_the_ellipsis():
    text = summarize("<p>" + "alpha, beta; gamma. " * 30 + "</p>", limit=40)
    assert text.endswith("…")
    assert text[-2] not in ",;:. "


def test_short_paragraph_is_not_cut():
    text = "A short first paragraph."
    assert summarize(f"<p>{text}</p>") == text


def test_long_unspaced_chinese_is_cut_too():
    text = summarize("<p>" + "长治绿道正式开放" * 100 + "</p>", limit=50)
    assert text.endswith("…")
    assert text[:-1] == ("长治绿道正式开放" * 100)[:50]


# -- text Python-Markdown cannot render -------------------------------------------------------------


@pytest.mark.parametrize("text", ["- " * 1000 + "x\n", "".join("  " * i + "- x\n" for i in range(1000)),
                                  "1. " * 1000 + "x\n"], ids=["one line", "indented", "ordered"])
def test_lists_nested_too_deeply_raise_markup_error(text):
    with pytest.raises(MarkupError) as caught:  # not a RecursionError
        render(Markdown(), text)
    assert "nested too deeply" in str(caught.value)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_failed_render_does_not_spoil_the_next_one(lang):
    """After a RecursionError, Python-Markdown's converter rendered no inline Markdown at
    all, nor figures, for every later article of the process."""
    renderer = Markdown()
    with pytest.raises(MarkupError):
        render(renderer, "- " * 1000 + "x\n", lang=lang)
    html = render(renderer, "*fine* [a](/b)\n\n![Caption](x.jpg)\n", lang=lang, base_path="/sub").html
    assert "<em>fine</em>" in html
    assert 'href="/sub/b"' in html
    assert "<figure" in html


def test_an_error_of_the_image_resolver_does_not_spoil_the_next_render():
    renderer = Markdown()

    def broken(src: str) -> str:
        raise OSError("disk gone")

    with pytest.raises(OSError):
        render(renderer, "![a](x.jpg)\n", resolve=broken)
    assert render(renderer, "*fine*").html == "<p><em>fine</em></p>"
