"""The fixture site built end to end, with assertions on the HTML a reader gets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, article, snapshot
from htmlq import parse

from newsroom import build, load_config
from newsroom.cache import BuildCache, cache_key
from newsroom.errors import BuildFailed


def fixture_build(**overrides: str) -> None:
    """Build the committed fixture site; its cache stays in memory, not in the repository."""
    config = load_config(FIXTURE_SITE / "site.toml", **overrides)
    build(config, cache=BuildCache(None, cache_key(config), config.root))


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixture") / "public"
    fixture_build(output_dir=str(out))
    return out


def test_article_page(public: Path) -> None:
    page = parse(public / "changzhi/news/2021/08/bridge-reopens/index.html")
    assert page.one("title").text == "Old Zhang River bridge reopens after repairs - Changzhi - Eshanxi"
    assert page.one("p", "brand").text == "Changzhi - Eshanxi"
    story = page.one("article", "story")
    assert story.one("h1").text == "Old Zhang River bridge reopens after repairs"
    assert story.one("p", "dek").text == "The stone bridge carries foot traffic again after eight months"
    assert story.one("p", "story-meta").text == "Time: 08 25,2021 Source: Eshanxi-changzhi"
    assert story.one("time").attrs["datetime"] == "2021-08-25T09:30:00+08:00"
    assert story.one("p", "byline").text == "By Li Na"
    assert story.one("p", "contributors").text == "Wu Jia contributed to this story."
    assert [li.text for li in story.one("div", "tags").all("li")] == ["bridges", "heritage"]


def test_breadcrumb_links(public: Path) -> None:
    page = parse(public / "changzhi/news/2021/08/bridge-reopens/index.html")
    crumbs = [(a.text, a.attrs["href"]) for a in page.one("nav", "breadcrumb").all("a")]
    assert crumbs == [("首页", "/"), ("Changzhi", "/changzhi/"), ("News", "/changzhi/news/")]
    for _, href in crumbs:
        assert (public / href.lstrip("/") / "index.html").is_file()


def test_lead_and_inline_figures_with_caption_and_credit(public: Path) -> None:
    page = parse(public / "changzhi/news/2021/08/bridge-reopens/index.html")
    lead, inline = page.all("figure")
    assert lead.one("img").attrs["src"].startswith("/_img/")  # the photo's variants (see test_images)
    assert lead.one("img").attrs["alt"] == "A stone bridge over a river"
    assert lead.one("span", "caption").text == "Walkers cross the repaired bridge on Aug 24."
    assert lead.one("span", "credit").text == "Photo: Zhao Min/Eshanxi"
    assert inline.one("span", "caption").text == "Masons reset the parapet stones in June."
    assert inline.one("span", "credit").text == "Photo: Wu Jia/Eshanxi"
    assert "title" not in inline.one("img").attrs
    from PIL import Image  # the photo's own address still serves it, re-made without its metadata

    with Image.open(public / "changzhi/photos/bridge.jpg") as published, \
            Image.open(FIXTURE_SITE / "content/changzhi/photos/bridge.jpg") as uploaded:
        assert published.format == uploaded.format and published.size == uploaded.size


def test_smart_quotes_in_english_not_in_chinese(public: Path) -> None:
    english = (public / "changzhi/news/2021/08/bridge-reopens/index.html").read_text(encoding="utf-8")
    assert "&ldquo;less than planned&rdquo;" in english
    chinese = parse(public / "taiyuan/news/2021/08/vinegar-festival/index.html")
    assert chinese.one("article", "story").attrs["lang"] == "zh"
    assert '"老陈醋"文化节在太原开幕。' in chinese.one("div", "story-body").text


def test_titles_captions_and_deks_are_escaped(public: Path) -> None:
    html = (public / "taiyuan/news/2021/08/library-hours/index.html").read_text(encoding="utf-8")
    assert "<b>extends</b>" not in html
    assert "Taiyuan library &lt;b&gt;extends&lt;/b&gt; evening hours" in html
    assert "22:00 &amp; later" in html
    page = parse(html)
    assert page.one("h1").text == "Taiyuan library <b>extends</b> evening hours"


def test_channel_pagination(public: Path) -> None:
    first = parse(public / "changzhi/index.html")
    titles = [h.text for h in first.all("h2", "card-title")]  # the channel's lead above them ([channel_front])
    assert [h.text for h in first.all("h2", "top-story-title")] == ["Old Zhang River bridge reopens after repairs"]
    assert titles == ["Changzhi market report number 6", "Changzhi market report number 5"]
    pages = first.one("nav", "pagination")
    assert [(a.text, a.attrs["href"]) for a in pages.all("a")] == [
        ("1", "/changzhi/"), ("2", "/changzhi/page/2/"), ("3", "/changzhi/page/3/"),
        ("Next", "/changzhi/page/2/"), ("Last", "/changzhi/page/3/")]
    assert pages.one("a", aria_current="page").text == "1"
    second = parse(public / "changzhi/page/2/index.html")
    nav = second.one("nav", "pagination")
    assert nav.one("a", rel="prev").attrs["href"] == "/changzhi/"
    assert nav.one("a", rel="next").attrs["href"] == "/changzhi/page/3/"
    assert nav.one("a", aria_current="page").text == "2"
    last = parse(public / "changzhi/page/3/index.html")
    assert [h.text for h in last.all("h2", "card-title")] == ["Changzhi market report number 1"]
    assert not (public / "changzhi/page/4").exists()


def test_section_indexes(public: Path) -> None:
    across = parse(public / "news/index.html")
    assert [h.text for h in across.all("h2", "card-title")] == [
        "Old Zhang River bridge reopens after repairs", "Taiyuan library <b>extends</b> evening hours",
        "太原老陈醋文化节开幕"]
    within = parse(public / "changzhi/business/index.html")
    crumbs = [(a.text, a.attrs["href"]) for a in within.one("nav", "breadcrumb").all("a")]
    assert crumbs == [("首页", "/"), ("Changzhi", "/changzhi/"), ("Business", "/changzhi/business/")]
    card = within.all("article", "card")[0]
    assert card.one("time").text == "07 06,2021"
    assert (public / "changzhi/business/page/2/index.html").is_file()
    assert parse(public / "taiyuan/business/index.html").one("p", "empty").text == "No stories yet."


def test_home_page(public: Path) -> None:
    home = parse(public / "index.html")
    top = home.one("section", "top-story")
    assert top.one("h2").text == "Old Zhang River bridge reopens after repairs"
    blocks = {b.one("h3").text: [a.text for a in b.all("a")][1:] for b in home.all("section", "channel-block")}
    assert list(blocks) == ["Changzhi", "Taiyuan"]
    assert blocks["Taiyuan"] == ["Taiyuan library <b>extends</b> evening hours", "太原老陈醋文化节开幕"]


def test_previous_and_next_in_channel(public: Path) -> None:
    page = parse(public / "changzhi/business/2021/07/market-3/index.html")
    nav = page.one("nav", "story-pager")
    assert nav.one("a", rel="prev").attrs["href"] == "/changzhi/business/2021/07/market-2/"
    assert nav.one("a", rel="next").attrs["href"] == "/changzhi/business/2021/07/market-4/"


def test_drafts_static_and_footer(public: Path) -> None:
    assert not list(public.rglob("*not-ready*")) and not (public / "taiyuan/news/2021/08/draft-story").exists()
    assert (public / "css/site.css").is_file() and (public / "404.html").is_file()
    footer = parse(public / "index.html").one("footer")
    assert footer.one("p", "icp").text == "晋ICP备00000001号"
    assert footer.one("p", "copyright").text == "Copyright © 2026 Eshanxi"


def test_sub_path_base_url(tmp_path: Path) -> None:
    out = tmp_path / "public"
    fixture_build(output_dir=str(out), base_url="https://example.org/shanxi/")
    page = parse(out / "changzhi/news/2021/08/bridge-reopens/index.html")
    assert [a.attrs["href"] for a in page.one("nav", "breadcrumb").all("a")] == [
        "/shanxi/", "/shanxi/changzhi/", "/shanxi/changzhi/news/"]
    assert {img.attrs["src"][:13] for img in page.all("img")} == {"/shanxi/_img/"}  # the photo's variants
    assert page.one("link", rel="canonical").attrs["href"] == (
        "https://example.org/shanxi/changzhi/news/2021/08/bridge-reopens/")


def test_rebuild_removes_stale_pages_and_keeps_unchanged_files(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article("First"), "content/changzhi/b.md": article("Second")})
    config = load_config(site / "site.toml")
    build(config)
    public = site / "public"
    page_b = public / "changzhi/news/2021/08/b/index.html"
    untouched = public / "taiyuan/index.html"  # lists neither article
    os.utime(untouched, (1_000_000_000, 1_000_000_000))
    (site / "content/changzhi/b.md").unlink()
    result = build(config)
    assert not page_b.exists()
    assert "Second" not in (public / "changzhi/index.html").read_text(encoding="utf-8")
    assert untouched.stat().st_mtime == 1_000_000_000  # same bytes: not rewritten
    assert result.files_kept > 0
    assert not [p for p in site.iterdir() if p.name.startswith(".public.")]


def test_failed_build_leaves_output_untouched(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article("First")})
    config = load_config(site / "site.toml")
    build(config)
    before = snapshot(site / "public")
    (site / "content/changzhi/b.md").write_text(article(date="someday"), encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(config)
    assert snapshot(site / "public") == before
    assert not [p for p in site.iterdir() if p.name.startswith(".public.")]


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    fixture_build(output_dir=str(one))
    fixture_build(output_dir=str(two))
    assert snapshot(one) == snapshot(two)
