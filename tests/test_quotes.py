"""Smart punctuation: newsroom's one-pass tree processor writes what Python-Markdown's
smarty extension writes, on the sample site, on the benchmark's prose and on random text
made of the characters the rules look at."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import markdown
import pytest

from newsroom.markup import EXTENSIONS, Markdown
from newsroom.quotes import extension

ROOT = Path(__file__).resolve().parent.parent


def _converters() -> tuple[markdown.Markdown, markdown.Markdown]:
    return (markdown.Markdown(extensions=[*EXTENSIONS, "smarty"], output_format="html"),
            markdown.Markdown(extensions=[*EXTENSIONS, extension()()], output_format="html"))


def _same(texts: list[str]) -> list[str]:
    smarty, ours = _converters()
    differ = []
    for text in texts:
        smarty.reset()
        ours.reset()
        if smarty.convert(text) != ours.convert(text):
            differ.append(text)
    return differ


def _body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[3:].split("\n---", 1)[1] if text.startswith("---") else text


def test_sample_articles_render_as_smarty_renders_them() -> None:
    texts = [_body(path) for path in sorted((ROOT / "content").rglob("*.md"))]
    assert texts
    assert _same(texts) == []


def test_benchmark_prose_renders_as_smarty_renders_it(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import corpus
    finally:
        sys.path.remove(str(ROOT / "bench"))
    corpus.generate(60, tmp_path / "site", seed=7, theme=False)
    texts = [_body(path) for path in sorted((tmp_path / "site" / "content").rglob("*.md"))]
    assert len(texts) == 60
    assert _same(texts) == []


FEATURES = [  # every extension newsroom uses, with quotes, dashes and ellipses in and around it
    'The "HTML" spec -- and the W3C\'s "CSS"...\n\n*[HTML]: Hyper "Text" Markup\n*[W3C]: World Wide Web\'s Consortium',
    'A note[^1] "quoted" -- yes.\n\n[^1]: The "footnote" isn\'t--really...',
    'Term "one"\n:   Definition \'two\' -- three...',
    '| a "b" | c -- d |\n|---|---|\n| \'e\' | f... |',
    '```\n"code" -- block...\n```\n\nAfter "it".',
    '<div markdown="1">"raw" -- html</div>\n\n"After" <span>"inline" html</span> \'x\'',
    '![A "photo" -- caption](/x.jpg "Photo: \'credit\'") and [a "link"](/y \'t\')',
    'Title {: #id .class }\n\n"Para" with attr {: .x }',
]


def test_every_extension_renders_as_smarty_renders_it() -> None:
    assert _same(FEATURES) == []


PIECES = ["'", '"', "-", "--", "---", ".", "...", " ", "a", "s", "80s", "*", "_", "`", "\\", "\n", "x", "(",
          ")", "[", "]", "&nbsp;", "&mdash;", "<b>", "</b>", "1", ",", "\n\n", "> ", "- ", "[a](/b 'c')",
          "![d](e.jpg)", "    ", "\t", "{", "&#8212;", "\u2014"]


def test_random_text_renders_as_smarty_renders_it() -> None:
    rng = random.Random(2026)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40))) for _ in range(6000)]
    assert _same(texts) == []


@pytest.mark.parametrize(("source", "html"), [
    ('"Coal," she said, "is not the whole story."',
     "<p>&ldquo;Coal,&rdquo; she said, &ldquo;is not the whole story.&rdquo;</p>"),
    ("The line's '80s rolling stock -- mostly -- ran... until 2019---then stopped.",
     "<p>The line&rsquo;s &rsquo;80s rolling stock &ndash; mostly &ndash; ran&hellip; until 2019&mdash;then "
     "stopped.</p>"),
    ('Write \\"straight\\" and `"code"`.', '<p>Write "straight" and <code>"code"</code>.</p>'),
])
def test_quotes_dashes_and_ellipses_read_as_typeset(source: str, html: str) -> None:
    converter = Markdown()
    rendered = converter.render(source, lang="en", resolve_image=lambda src: src)
    assert rendered.html == html


def test_chinese_text_keeps_its_quotes() -> None:
    rendered = Markdown().render('他说"好"--然后...', lang="zh", resolve_image=lambda src: src)
    assert rendered.html == '<p>他说"好"--然后...</p>'
