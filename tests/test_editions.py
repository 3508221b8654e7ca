"""Editions: a Chinese edition beside the English one, each under its own prefix with its
own pages, words and feeds; translations linked both ways (hreflang and the switcher)."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from conftest import SITE_TOML, article, run_build, snapshot

from newsroom import build, load_config
from newsroom.errors import BuildFailed

ZH_TOML = SITE_TOML.replace('name = "Changzhi"', 'name = "Changzhi"\nname_zh = "长治"').replace(
    'name = "News"', 'name = "News"\nname_zh = "新闻"') + '\n[[languages]]\ncode = "zh"\n'

STORIES = {
    "content/changzhi/bridge.md": article("Bridge opens", "2021-08-25 09:30", body="A new bridge over the river.",
                                          translation_key="bridge", tags="[bridges]"),
    "content/changzhi/bridge-zh.md": article("新桥通车", "2021-08-25 10:00", body="新桥今天通车。", lang="zh",
                                             translation_key="bridge", slug="xinqiao"),
    "content/changzhi/剪纸.md": article("剪纸进课堂", "2021-08-26 10:00", body="孩子们学习剪纸。", tags="[剪纸]"),
    "content/taiyuan/market.md": article("Market day", "2021-08-24 08:00", tags="[markets]"),
}

BRIDGE_EN = "/changzhi/news/2021/08/bridge/"
BRIDGE_ZH = "/zh/changzhi/news/2021/08/xinqiao/"
PAPER_CUT = "/zh/changzhi/news/2021/08/jianzhi/"  # the file 剪纸.md, in pinyin


def page(public: Path, path: str) -> str:
    return (public / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))).read_text(encoding="utf-8")


def hreflang(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="https://www\.eshanxi\.example([^"]+)">',
                           html))


def switcher(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="languages".*?</nav>', html, re.S)
    return dict((lang, href) for href, lang in re.findall(r'<a href="([^"]+)" hreflang="([^"]+)"', nav.group(0))) \
        if nav else {}


@pytest.fixture
def public(make_site) -> Path:
    site = make_site(STORIES, site_toml=ZH_TOML)
    build(load_config(site / "site.toml"))
    return site / "public"


def test_each_language_is_an_edition_with_its_own_pages_words_and_feeds(public: Path) -> None:
    english, chinese = page(public, "/"), page(public, "/zh/")
    assert '<html lang="en">' in english and '<html lang="zh">' in chinese
    assert "Bridge opens" in english and "Market day" in english and "新桥通车" not in english
    assert "新桥通车" in chinese and "剪纸进课堂" in chinese and "Bridge opens" not in chinese
    assert ">2021年08月26日</time>" in chinese and ">08 25,2021</time>" in english  # in cards' macros too

    story = page(public, BRIDGE_ZH)
    assert "时间：<time" in story and "来源：" in story and "2021年08月25日" in story
    assert '<a href="/zh/changzhi/">长治</a>' in story  # the breadcrumb, in the edition and its language
    assert (public / PAPER_CUT.lstrip("/") / "index.html").is_file()
    assert "<title>长治 - Eshanxi</title>" in page(public, "/zh/changzhi/")
    assert "新闻 - 长治" in page(public, "/zh/changzhi/news/")

    assert (public / "zh/tags/jianzhi/index.html").is_file() and not (public / "tags/jianzhi").exists()
    assert (public / "tags/markets/index.html").is_file() and not (public / "zh/tags/markets").exists()

    zh_feed, en_feed = (feedparser.parse((public / name).read_bytes()) for name in ("zh/feed.xml", "feed.xml"))
    assert not zh_feed.bozo and not en_feed.bozo
    assert zh_feed.feed.language == "zh" and en_feed.feed.language == "en"
    assert [e.title for e in zh_feed.entries] == ["剪纸进课堂", "新桥通车"]
    assert [e.title for e in en_feed.entries] == ["Bridge opens", "Market day"]
    assert zh_feed.feed.link == "https://www.eshanxi.example/zh/"
    atom = feedparser.parse((public / "zh/atom.xml").read_bytes())
    assert [e.link for e in atom.entries] == [f"https://www.eshanxi.example{PAPER_CUT}",
                                              f"https://www.eshanxi.example{BRIDGE_ZH}"]

    sitemap = (public / "sitemap.xml").read_text(encoding="utf-8")
    for path in ("/", "/zh/", BRIDGE_EN, BRIDGE_ZH, PAPER_CUT, "/zh/changzhi/"):
        assert f"<loc>https://www.eshanxi.example{path}</loc>" in sitemap, path
    shards = re.search(r'data-shards="([^"]*)"', page(public, "/zh/search/")).group(1)
    assert "/pagefind/zh-2021-08/" in shards and "en-" not in shards
    assert "/pagefind/en-2021-08/" in page(public, "/search/")
    assert 'action="/zh/search/"' in chinese and 'action="/search/"' in english


def test_translations_and_parallel_pages_link_each_other_both_ways(public: Path) -> None:
    both = {"en": BRIDGE_EN, "zh": BRIDGE_ZH, "x-default": BRIDGE_EN}
    for path in (BRIDGE_EN, BRIDGE_ZH):
        assert hreflang(page(public, path)) == both, path
    english = page(public, BRIDGE_EN)
    assert switcher(english) == {"zh": BRIDGE_ZH}
    assert re.search(rf'<p class="translations">Also in:\s*<a href="{BRIDGE_ZH}" hreflang="zh" lang="zh">中文</a>',
                     english)
    assert switcher(page(public, BRIDGE_ZH)) == {"en": BRIDGE_EN}

    for en, zh in (("/", "/zh/"), ("/changzhi/", "/zh/changzhi/"), ("/changzhi/news/", "/zh/changzhi/news/"),
                   ("/search/", "/zh/search/"), ("/archive/2021/08/", "/zh/archive/2021/08/")):
        expected = {"en": en, "zh": zh, "x-default": en}
        assert hreflang(page(public, en)) == expected == hreflang(page(public, zh)), en
        assert switcher(page(public, en)) == {"zh": zh}

    lone = page(public, PAPER_CUT)  # no English version: no alternates, the switcher goes home
    assert hreflang(lone) == {} and switcher(lone) == {"en": "/"}
    assert 'class="translations"' not in lone
    assert hreflang(page(public, "/tags/markets/")) == {}


def test_a_translation_key_no_other_language_shares_is_a_warning(make_site) -> None:
    site = make_site({**STORIES, "content/taiyuan/market.md": article("Market day", "2021-08-24 08:00",
                                                                      translation_key="market"),
                      "content/taiyuan/fair.md": article("Fair", "2021-08-23 08:00", translation_key="bridge")},
                     site_toml=ZH_TOML)
    done = run_build(cwd=site)
    assert done.returncode == 0, done.stderr
    assert ("content/taiyuan/market.md: translation_key: warning: no article in another language has 'market'"
            in done.stderr)
    assert ("content/taiyuan/fair.md: translation_key: warning: 'bridge' is also the key of "
            "content/changzhi/bridge.md, in the same language") in done.stderr
    assert hreflang(page(site / "public", BRIDGE_ZH))["en"] == BRIDGE_EN  # the newer one keeps the link
    strict = run_build("--strict", cwd=site)
    assert strict.returncode != 0 and "translation_key" in strict.stderr


def test_an_article_in_a_language_the_site_has_no_edition_for_is_an_error(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article("Un pont", lang="fr")}, site_toml=ZH_TOML)
    done = run_build(cwd=site)
    assert done.returncode != 0
    assert "content/changzhi/a.md:4: lang: 'fr' is none of the site's languages (en, zh)" in done.stderr
    assert not (site / "public").exists()


def test_a_site_without_languages_is_one_edition_whatever_its_articles_say(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article("新桥通车", lang="zh", slug="xinqiao"),
                      "content/changzhi/b.md": article("Bridge opens")})
    build(load_config(site / "site.toml"))
    public = site / "public"
    assert not (public / "zh").exists()
    home = page(public, "/")
    assert "新桥通车" in home and "Bridge opens" in home and '<nav class="languages"' not in home
    assert '<article class="story" lang="zh">' in page(public, "/changzhi/news/2021/08/xinqiao/")


def test_an_edition_takes_its_title_prefix_date_format_and_words_from_site_toml(make_site) -> None:
    toml = ZH_TOML.replace('[[languages]]\ncode = "zh"\n', '''[[languages]]
code = "zh-CN"
name = "简体中文"
title = "山西新闻中文版"
prefix = "/cn"
date_format = "%Y/%m/%d"
[languages.labels]
search = "查找"
''')
    site = make_site({"content/changzhi/a.md": article("新桥通车", lang="zh", slug="xinqiao"),
                      "content/changzhi/b.md": article("Bridge opens")}, site_toml=toml)
    build(load_config(site / "site.toml"))
    public = site / "public"
    home = page(public, "/cn/")
    assert '<html lang="zh-CN">' in home and "山西新闻中文版" in home and 'placeholder="查找"' in home
    assert "2021/08/25" in page(public, "/cn/changzhi/news/2021/08/xinqiao/")  # lang: zh is the zh-CN edition
    assert switcher(page(public, "/")) == {"zh-CN": "/cn/"}
    assert ">简体中文</a>" in page(public, "/")


@pytest.mark.parametrize(("languages", "field", "message"), [
    ('[[languages]]\ncode = "chinese!"\n', "languages[0].code", "is not a language tag"),
    ('[[languages]]\ncode = "zh"\n[[languages]]\ncode = "ZH"\n', "languages[1].code", "is declared twice"),
    ('[[languages]]\ncode = "zh"\nprefix = "/changzhi"\n', "languages[0].prefix", "is also a channel's"),
    ('[[languages]]\ncode = "en"\nprefix = "/en"\n', "languages[0].prefix", "whose edition is at the root"),
    ('[[languages]]\ncode = "zh"\nprefix = "/zh/cn"\n', "languages[0].prefix", "must be one path segment"),
    ('[[languages]]\ncode = "zh"\ndate_format = "today"\n', "languages[0].date_format", "has no date fields"),
    ('[[languages]]\ncode = "zh"\ntitel = "x"\n', "languages[0].titel", "unknown key"),
    ('[[languages]]\ncode = "zh"\n[languages.labels]\nserch = "x"\n', "languages.labels[0].serch", "unknown key"),
])
def test_language_mistakes_are_reported_with_their_lines(make_site, languages: str, field: str,
                                                         message: str) -> None:
    site = make_site({"content/changzhi/a.md": article()}, site_toml=SITE_TOML + "\n" + languages)
    with pytest.raises(BuildFailed) as failed:
        load_config(site / "site.toml")
    (error,) = [e for e in failed.value.errors if e.field == field]
    assert message in error.message
    lines = (site / "site.toml").read_text(encoding="utf-8").splitlines()
    assert error.line is not None and field.rsplit(".", 1)[1].split("[")[0] in lines[error.line - 1] + "code", \
        (error.line, lines[error.line - 1])


def test_giving_an_article_its_translation_changes_both_pages_as_a_clean_build_would(make_site, tmp_path) -> None:
    stories = {**STORIES, "content/taiyuan/market.md": article("Market day", "2021-08-24 08:00"),
               "content/taiyuan/market-zh.md": article("集市", "2021-08-24 09:00", lang="zh", slug="jishi")}
    site = make_site(stories, site_toml=ZH_TOML)
    build(load_config(site / "site.toml"))
    public = site / "public"
    assert hreflang(page(public, "/zh/taiyuan/news/2021/08/jishi/")) == {}
    for name, key in (("market.md", "market"), ("market-zh.md", "market")):
        path = site / "content/taiyuan" / name
        path.write_text(path.read_text(encoding="utf-8").replace("---\n", f"---\ntranslation_key: {key}\n", 1),
                        encoding="utf-8")
        build(load_config(site / "site.toml"))
        clean = tmp_path / f"clean-{name}"
        build(load_config(site / "site.toml", output_dir=str(clean)))
        assert snapshot(public) == snapshot(clean), name
    assert hreflang(page(public, "/zh/taiyuan/news/2021/08/jishi/"))["en"] == "/taiyuan/news/2021/08/market/"
    assert switcher(page(public, "/taiyuan/news/2021/08/market/")) == {"zh": "/zh/taiyuan/news/2021/08/jishi/"}
