"""Tag, author and archive pages: their addresses (slugs), what they list, how articles link to them,
and how they look in a real browser."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ARTIFACTS, REPO, SITE_TOML, article, snapshot, static_server
from htmlq import parse

from newsroom import BuildResult, build, load_config
from newsroom.urls import name_slug, slug_problem

BASE = "https://www.eshanxi.example"

# per_page is 2 in SITE_TOML. Newest first: viaduct, market, station, tunnel, library.
STORIES = {
    "content/changzhi/viaduct.md": article("Rail viaduct finished", date="2021-08-25 09:30", tags="[Rail, bridges]",
                                           author="Li Na", contributors="[Wu Jia]"),
    "content/changzhi/market.md": article("Market report", date="2021-08-24 08:00", section="business"),
    "content/taiyuan/station.md": article("Station reopens", date="2021-08-20 08:00", tags="[rail]", author="Wu Jia"),
    "content/changzhi/tunnel.md": article("Tunnel dug", date="2021-07-02 10:00", tags="[Rail transport, rail]",
                                          author="[Li Na, Zhao Min]"),
    "content/taiyuan/library.md": article("Library hours", date="2020-12-31 18:00", tags="[libraries]",
                                          author="Li Na"),
}
URLS = {
    "viaduct": "/changzhi/news/2021/08/viaduct/",
    "market": "/changzhi/business/2021/08/market/",
    "station": "/taiyuan/news/2021/08/station/",
    "tunnel": "/changzhi/news/2021/07/tunnel/",
    "library": "/taiyuan/news/2020/12/library/",
}


def built(make_site, files: dict[str, str | bytes], site_toml: str | None = None, folder: str = "site",
          **overrides: object) -> tuple[Path, BuildResult]:
    site = make_site(files, site_toml=site_toml, folder=folder)
    config = load_config(site / "site.toml", **overrides)
    return config.dir("output"), build(config)


def page_file(public: Path, url: str) -> Path:
    return public / url.lstrip("/") / "index.html"


def listed(public: Path, url: str) -> list[str]:
    """The story links of one list page, in order."""
    cards = parse(page_file(public, url)).one("div", cls="card-list")
    return [title.one("a").attrs["href"] for title in cards.all(cls="card-title")]


def whole_list(public: Path, first: str) -> tuple[list[list[str]], str, str]:
    """Every page of a paginated list: the story links of each page, the heading and the count line;
    the page after the last must not exist, and every page names the same heading."""
    pages, number = [], 1
    heading = count = ""
    while True:
        url = first if number == 1 else f"{first}page/{number}/"
        if not page_file(public, url).is_file():
            break
        doc = parse(page_file(public, url))
        if number == 1:
            heading, count = doc.one("h1").text, doc.one("p", cls="index-count").text
        assert doc.one("h1").text == heading, url
        pages.append(listed(public, url))
        number += 1
    assert pages, f"no page at {first}"
    return pages, heading, count


def terms_of(public: Path, url: str) -> list[tuple[str, str, int]]:
    """An index of terms (``/tags/``, ``/authors/``): name, link and story count of each."""
    found = []
    for item in parse(page_file(public, url)).one("ul", cls="term-list").all("li"):
        link = item.one("a")
        count = re.fullmatch(r"\((\d+)\)", item.one("span", cls="count").text)
        assert count, item.text
        found.append((link.text, link.attrs["href"], int(count.group(1))))
    return found


# -- slugs: unit ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "known", "slug"), [
    ("Rail transport", None, "rail-transport"),
    ("Rail", None, "rail"),
    ("  Fenhe   FC ", None, "fenhe-fc"),
    ("老陈醋", None, "laochencu"),
    ("李娜", None, "lina"),
    ("Yungang 石窟", None, "yungang-shiku"),
    ("长治", {"长治": "changzhi"}, "changzhi"),
    ("C++", None, "c"),
    ("C", None, "c"),
    ("ＡＢＣ", None, "abc"),  # full-width letters
    ("a/b", None, "a-b"),
    ("!!!", None, ""),  # the caller decides what then
])
def test_name_slug(name: str, known: dict[str, str] | None, slug: str) -> None:
    assert name_slug(name, known) == slug


def test_name_slug_known_names_win_over_pinyin() -> None:
    assert name_slug("长治", {"长治": "changzhi", "Taiyuan": "taiyuan"}) == "changzhi"
    assert name_slug("长治", {"Taiyuan": "taiyuan"}) == name_slug("长治")
    assert name_slug("Taiyuan", {}) == "taiyuan"


# -- tag pages -------------------------------------------------------------------------------------


def test_tag_pages_are_paginated_newest_first(make_site) -> None:
    public, result = built(make_site, STORIES)
    pages, heading, count = whole_list(public, "/tags/rail/")
    assert pages == [[URLS["viaduct"], URLS["station"]], [URLS["tunnel"]]]
    assert heading == "rail"  # as most stories write it: 'rail' twice, 'Rail' once
    assert count.startswith("3 stories")
    second = parse(page_file(public, "/tags/rail/page/2/"))
    assert second.one("nav", cls="pagination").one("a", aria_current="page").text == "2"
    assert parse(page_file(public, "/tags/rail/")).one("link", rel="next").attrs["href"] == "/tags/rail/page/2/"
    assert whole_list(public, "/tags/rail-transport/")[0] == [[URLS["tunnel"]]]
    assert whole_list(public, "/tags/bridges/")[0] == [[URLS["viaduct"]]]
    assert not (public / "tags/Rail").exists()
    assert result.warnings == ()


def test_tags_index_lists_every_tag_with_its_count(make_site) -> None:
    public, _ = built(make_site, STORIES)
    assert terms_of(public, "/tags/") == [
        ("bridges", "/tags/bridges/", 1), ("libraries", "/tags/libraries/", 1), ("rail", "/tags/rail/", 3),
        ("Rail transport", "/tags/rail-transport/", 1)]
    for _, url, _ in terms_of(public, "/tags/"):
        assert page_file(public, url).is_file(), url


def test_article_pages_link_their_tags_to_pages_that_list_them(make_site) -> None:
    public, _ = built(make_site, STORIES)
    seen = {}
    for key, url in URLS.items():
        doc = parse(page_file(public, url))
        boxes = doc.all("div", cls="tags")
        links = [(a.text, a.attrs["href"]) for box in boxes for a in box.all("a", rel="tag")]
        seen[key] = links
        for _, href in links:
            pages, _, _ = whole_list(public, href)
            assert url in [story for page in pages for story in page], (url, href)
    assert seen["viaduct"] == [("rail", "/tags/rail/"), ("bridges", "/tags/bridges/")]
    assert seen["tunnel"] == [("Rail transport", "/tags/rail-transport/"), ("rail", "/tags/rail/")]
    assert seen["market"] == []  # no tags: no tag box


def test_tag_links_under_a_sub_path(make_site) -> None:
    public, _ = built(make_site, STORIES, base_url="https://example.org/shanxi/")
    doc = parse(page_file(public, URLS["viaduct"]))
    assert [a.attrs["href"] for a in doc.one("div", cls="tags").all("a", rel="tag")] == [
        "/shanxi/tags/rail/", "/shanxi/tags/bridges/"]
    cards = parse(page_file(public, "/tags/rail/")).one("div", cls="card-list").all(cls="card-title")
    assert [h.one("a").attrs["href"] for h in cards] == ["/shanxi" + URLS["viaduct"], "/shanxi" + URLS["station"]]
    assert ("rail", "/shanxi/tags/rail/", 3) in terms_of(public, "/tags/")


# -- author pages -----------------------------------------------------------------------------------


def test_author_pages_for_authors_and_contributors(make_site) -> None:
    public, _ = built(make_site, STORIES)
    pages, heading, _ = whole_list(public, "/authors/li-na/")
    assert heading == "Li Na"
    assert pages == [[URLS["viaduct"], URLS["tunnel"]], [URLS["library"]]]
    pages, heading, _ = whole_list(public, "/authors/wu-jia/")  # a contributor of the viaduct story
    assert (heading, pages) == ("Wu Jia", [[URLS["viaduct"], URLS["station"]]])
    assert whole_list(public, "/authors/zhao-min/")[0] == [[URLS["tunnel"]]]
    assert terms_of(public, "/authors/") == [("Li Na", "/authors/li-na/", 3), ("Wu Jia", "/authors/wu-jia/", 2),
                                             ("Zhao Min", "/authors/zhao-min/", 1)]


def test_the_byline_and_the_contributed_line_link_to_author_pages(make_site) -> None:
    public, _ = built(make_site, STORIES)
    viaduct = parse(page_file(public, URLS["viaduct"]))
    assert [(a.text, a.attrs["href"]) for a in viaduct.one("p", cls="byline").all("a")] == [
        ("Li Na", "/authors/li-na/")]
    contributed = viaduct.one("p", cls="contributors")
    assert [(a.text, a.attrs["href"]) for a in contributed.all("a")] == [("Wu Jia", "/authors/wu-jia/")]
    assert contributed.text.endswith("contributed to this story.")
    tunnel = parse(page_file(public, URLS["tunnel"]))
    assert [(a.text, a.attrs["href"]) for a in tunnel.one("p", cls="byline").all("a")] == [
        ("Li Na", "/authors/li-na/"), ("Zhao Min", "/authors/zhao-min/")]
    assert tunnel.one("p", cls="byline").text == "By Li Na and Zhao Min"
    market = parse(page_file(public, URLS["market"]))
    assert market.all("p", cls="byline") == [] and market.all("p", cls="contributors") == []


# -- archives --------------------------------------------------------------------------------------


def test_archive_years_and_months(make_site) -> None:
    public, _ = built(make_site, STORIES)
    pages, heading, count = whole_list(public, "/archive/2021/")
    assert heading == "2021" and count.startswith("4 stories")
    assert pages == [[URLS["viaduct"], URLS["market"]], [URLS["station"], URLS["tunnel"]]]
    pages, heading, _ = whole_list(public, "/archive/2021/08/")
    assert heading == "August 2021"
    assert pages == [[URLS["viaduct"], URLS["market"]], [URLS["station"]]]
    assert whole_list(public, "/archive/2021/07/")[0] == [[URLS["tunnel"]]]
    assert whole_list(public, "/archive/2020/12/")[0] == [[URLS["library"]]]
    assert not (public / "archive/2021/09").exists() and not (public / "archive/2021/06").exists()

    index = parse(page_file(public, "/archive/"))
    years = []
    for year in index.one("ul", cls="archive-years").children:
        if isinstance(year, str):
            continue
        title = year.one("h2", cls="archive-year")
        months = [(li.one("a").text, li.one("a").attrs["href"], li.one("span", cls="count").text)
                  for li in year.one("ul", cls="term-list").all("li")]
        years.append((title.one("a").text, title.one("a").attrs["href"], title.one("span", cls="count").text, months))
    assert years == [
        ("2021", "/archive/2021/", "(4)", [("August 2021", "/archive/2021/08/", "(3)"),
                                           ("July 2021", "/archive/2021/07/", "(1)")]),
        ("2020", "/archive/2020/", "(1)", [("December 2020", "/archive/2020/12/", "(1)")]),
    ]


def test_archive_months_are_months_in_the_site_time_zone(make_site) -> None:
    """Offsets in front matter do not move a story out of its Shanghai month."""
    files = {
        "content/changzhi/late.md": article("Late on the 31st", date="2021-08-31T23:30:00+08:00"),
        "content/changzhi/early.md": article("Just after midnight", date="2021-09-01T00:30:00+08:00"),
        # 18:00 in California on Aug 31 is 09:00 on Sep 1 in Shanghai
        "content/changzhi/west.md": article("Filed from California", date="2021-08-31 18:00:00 -0700"),
        # 00:10 in Tokyo on Sep 1 is 23:10 on Aug 31 in Shanghai
        "content/changzhi/east.md": article("Filed from Tokyo", date="2021-09-01T00:10:00+09:00"),
    }
    public, _ = built(make_site, files)
    august = [u for page in whole_list(public, "/archive/2021/08/")[0] for u in page]
    september = [u for page in whole_list(public, "/archive/2021/09/")[0] for u in page]
    assert august == ["/changzhi/news/2021/08/late/", "/changzhi/news/2021/08/east/"]
    assert september == ["/changzhi/news/2021/09/west/", "/changzhi/news/2021/09/early/"]


# -- slugs of tags in a site -------------------------------------------------------------------------

ZH_CHANNEL = SITE_TOML.replace('name = "Changzhi"', 'name = "Changzhi"\nname_zh = "长治"')


def test_a_channel_s_chinese_name_is_its_tag(make_site) -> None:
    files = {"content/changzhi/a.md": article("First", date="2021-08-25 09:30", tags="[长治]"),
             "content/changzhi/b.md": article("Second", date="2021-08-24 09:30", tags="[Changzhi]"),
             "content/taiyuan/c.md": article("Third", date="2021-08-23 09:30", tags="[老陈醋]")}
    public, result = built(make_site, files, site_toml=ZH_CHANNEL)
    assert result.warnings == ()
    for url in ("/changzhi/news/2021/08/a/", "/changzhi/news/2021/08/b/"):
        assert parse(page_file(public, url)).one("a", rel="tag").attrs["href"] == "/tags/changzhi/"
    assert [u for page in whole_list(public, "/tags/changzhi/")[0] for u in page] == [
        "/changzhi/news/2021/08/a/", "/changzhi/news/2021/08/b/"]
    assert parse(page_file(public, "/taiyuan/news/2021/08/c/")).one("a", rel="tag").attrs["href"] == "/tags/laochencu/"
    assert sorted(p.name for p in (public / "tags").iterdir()) == ["changzhi", "index.html", "laochencu"]


def test_a_channel_s_name_in_any_case_is_one_tag(make_site) -> None:
    """'Rail' and 'rail' are one tag; so are 'Changzhi' (a channel's name) and 'changzhi'."""
    files = {"content/changzhi/a.md": article("First", date="2021-08-25 09:30", tags="[changzhi]"),
             "content/changzhi/b.md": article("Second", date="2021-08-24 09:30", tags="[Changzhi]"),
             "content/changzhi/c.md": article("Third", date="2021-08-23 09:30", tags="[长治]")}
    public, result = built(make_site, files, site_toml=ZH_CHANNEL)
    assert result.warnings == ()
    assert sorted(p.name for p in (public / "tags").iterdir()) == ["changzhi", "index.html"]
    assert [count for _, _, count in terms_of(public, "/tags/")] == [3]


def test_names_that_differ_in_case_are_one_tag(make_site) -> None:
    files = {"content/changzhi/a.md": article("First", date="2021-08-25 09:30", tags="[Rail]"),
             "content/changzhi/b.md": article("Second", date="2021-08-24 09:30", tags="[Rail]"),
             "content/changzhi/c.md": article("Third", date="2021-08-23 09:30", tags="[RAIL]")}
    public, result = built(make_site, files)
    assert result.warnings == ()
    assert terms_of(public, "/tags/") == [("Rail", "/tags/rail/", 3)]
    assert [u for page in whole_list(public, "/tags/rail/")[0] for u in page] == [
        f"/changzhi/news/2021/08/{key}/" for key in "abc"]
    for key in "abc":
        tags = parse(page_file(public, f"/changzhi/news/2021/08/{key}/")).one("div", cls="tags").all("a", rel="tag")
        assert [(a.text, a.attrs["href"]) for a in tags] == [("Rail", "/tags/rail/")], key


def test_one_tag_written_in_two_cases_on_one_article_is_linked_once(make_site) -> None:
    """The feed gives such a story one category; its page must not show the tag twice either."""
    files = {"content/changzhi/a.md": article("First", date="2021-08-25 09:30", tags="[Rail, RAIL, rail]")}
    public, _ = built(make_site, files)
    ((shown, _, count),) = terms_of(public, "/tags/")
    assert count == 1
    tags = parse(page_file(public, "/changzhi/news/2021/08/a/")).one("div", cls="tags").all("a", rel="tag")
    assert [(a.text, a.attrs["href"]) for a in tags] == [(shown, "/tags/rail/")]


@pytest.mark.parametrize("more", ["C++", "C"])
def test_two_tags_on_one_slug_the_one_with_more_stories_keeps_it(make_site, more: str) -> None:
    fewer = "C" if more == "C++" else "C++"
    files = {"content/changzhi/a.md": article("First", date="2021-08-25 09:30", tags=f"['{more}']"),
             "content/changzhi/b.md": article("Second", date="2021-08-24 09:30", tags=f"['{more}']"),
             "content/changzhi/c.md": article("Third", date="2021-08-23 09:30", tags=f"['{fewer}']")}
    public, result = built(make_site, files)
    assert whole_list(public, "/tags/c/")[1] == more
    assert whole_list(public, "/tags/c-2/")[1] == fewer
    assert [u for page in whole_list(public, "/tags/c-2/")[0] for u in page] == ["/changzhi/news/2021/08/c/"]
    (warning,) = result.warnings
    assert warning.warning and warning.field == "tags"
    assert repr(more) in warning.message and repr(fewer) in warning.message
    assert "/tags/c-2/" in warning.message
    assert warning.path == "content/changzhi/c.md"


def test_a_tag_of_punctuation_only_gets_a_valid_slug(make_site) -> None:
    files = {"content/changzhi/a.md": article("First", date="2021-08-25 09:30", tags="['!!!']"),
             "content/changzhi/b.md": article("Second", date="2021-08-24 09:30", tags="['???', '!!!']")}
    public, result = built(make_site, files)
    links = {a.text: a.attrs["href"]
             for a in parse(page_file(public, "/changzhi/news/2021/08/b/")).one("div", cls="tags").all("a", rel="tag")}
    assert set(links) == {"!!!", "???"}
    assert links["!!!"] != links["???"]
    for name, href in links.items():
        slug = re.fullmatch(r"/tags/([^/]+)/", href)
        assert slug and slug_problem(slug.group(1)) is None, href
        assert whole_list(public, href)[1] == name
    assert terms_of(public, "/tags/") == sorted([("!!!", links["!!!"], 2), ("???", links["???"], 1)])
    assert result.warnings == ()
    public2, _ = built(make_site, files, folder="again")
    assert snapshot(public2) == snapshot(public)


def test_slugs_do_not_depend_on_file_order(make_site) -> None:
    """Two tags of one slug with as many stories each: the same one keeps it, whichever file comes first."""
    def site(first: str, second: str) -> dict[str, str]:
        return {"content/changzhi/a.md": article("First", date="2021-08-25 09:30", tags=f"['{first}', rail]"),
                "content/changzhi/b.md": article("Second", date="2021-08-24 09:30", tags=f"['{second}', Rail]")}

    one, _ = built(make_site, site("C++", "C"), folder="one")
    two, _ = built(make_site, site("C", "C++"), folder="two")
    for public in (one, two):
        assert [(name, url) for name, url, _ in terms_of(public, "/tags/")] == [
            ("C", "/tags/c/"), ("C++", "/tags/c-2/"), ("Rail", "/tags/rail/")]


def test_clean_builds_are_identical_across_processes(make_site, tmp_path: Path) -> None:
    """Two clean builds, in processes with different hash seeds, give the same bytes."""
    files = {**STORIES, "content/changzhi/zh.md": article("Vinegar", tags="[老陈醋, '!!!', C++, C, 长治]",
                                                          author="[李娜, Li Na]")}
    site = make_site(files, site_toml=ZH_CHANNEL)
    outputs = []
    for seed in ("1", "2"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | {"PYTHONHASHSEED": seed}
        out = tmp_path / f"out-{seed}"
        done = subprocess.run([sys.executable, str(REPO / "build.py"), "--quiet", "--output", str(out)], cwd=site,
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        outputs.append(snapshot(out))
    assert outputs[0] == outputs[1]
    assert "tags/c-2/index.html" in outputs[0] and "tags/laochencu/index.html" in outputs[0]


# -- incremental ---------------------------------------------------------------------------------


def test_adding_a_tag_then_rebuilding_equals_a_clean_build(make_site, tmp_path: Path) -> None:
    site = make_site(STORIES)
    config = load_config(site / "site.toml")
    public = config.dir("output")
    build(config)
    market = site / "content/changzhi/market.md"
    market.write_text(article("Market report", date="2021-08-24 08:00", section="business", tags="[Rail, markets]"),
                      encoding="utf-8")
    result = build(config)
    assert result.articles_read == 1
    clean = tmp_path / "clean"
    build(load_config(site / "site.toml", output_dir=str(clean)))
    assert snapshot(public) == snapshot(clean)
    assert whole_list(public, "/tags/rail/")[0] == [[URLS["viaduct"], URLS["market"]],
                                                     [URLS["station"], URLS["tunnel"]]]
    assert page_file(public, "/tags/markets/").is_file()


@pytest.mark.parametrize(("field", "value"), [("tags", "[Rail, bridges, markets]"), ("contributors", "[Zhao Min]")])
def test_the_preview_quick_path_after_a_tag_or_byline_edit_equals_a_clean_build(make_site, tmp_path: Path, field: str,
                                                                                value: str) -> None:
    from newsroom.cache import BuildCache, cache_key
    from newsroom.incremental import Session
    from newsroom.patch import patch_articles

    site = make_site(STORIES)
    config = load_config(site / "site.toml")
    output = tmp_path / "preview"
    cache = BuildCache(None, cache_key(config), config.root)
    session = Session(search=tmp_path / "search")  # as the preview keeps its search index
    build(config, preview=True, cache=cache, output=output, session=session)
    viaduct = site / "content/changzhi/viaduct.md"
    lines = [f"{field}: {value}" if line.startswith(f"{field}:") else line
             for line in viaduct.read_text(encoding="utf-8").splitlines()]
    viaduct.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if patch_articles(config, cache, session, {viaduct.resolve()}, output) is None:
        build(config, preview=True, cache=cache, output=output, session=session)
    clean = tmp_path / "clean"
    build(config, preview=True, output=clean, cache=BuildCache(None, cache_key(config), config.root))
    assert snapshot(output) == snapshot(clean)


# -- in a browser ---------------------------------------------------------------------------------------

PHOTO = "/images/news/changzhi-rail-viaduct.jpg"
BROWSER_SITE = {
    "content/changzhi/viaduct.md": article(
        "Changzhi finishes the longest rail viaduct of the Taihang line", date="2021-08-25 09:30",
        tags="[Rail transport, bridges, 长治]", author="Li Na", contributors="[Wu Jia]",
        dek="The 4.6-kilometre viaduct carries the new line over the Zhuozhang valley",
        image=f"\n  src: {PHOTO}\n  alt: A concrete viaduct crossing a valley\n  caption: The viaduct\n  credit: 'Photo: Zhao Min'"),
    "content/taiyuan/station.md": article("Taiyuan South station adds night trains", date="2021-08-20 08:00",
                                          tags="[Rail transport]", author="[Li Na, Wu Jia]"),
    "content/changzhi/tunnel.md": article("Crews hole through the Taihang tunnel", date="2021-07-02 10:00",
                                          tags="[Rail transport, tunnels]", author="Li Na",
                                          image=f"\n  src: {PHOTO}\n  alt: Workers in a tunnel"),
    "content/taiyuan/library.md": article("Library extends its hours", date="2021-06-30 18:00", tags="[libraries]",
                                          author="Zhao Min"),
}
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}
LISTS = {"tag": ("/tags/rail-transport/", "Rail transport"), "author": ("/authors/li-na/", "Li Na")}
SHOTS = ARTIFACTS / "screenshots"


@pytest.fixture(scope="module")
def taxonomy_server(tmp_path_factory: pytest.TempPathFactory):
    """A small site with the repository's theme and static files, served on loopback."""
    root = tmp_path_factory.mktemp("taxonomy-site")
    toml = ZH_CHANNEL.replace("{templates}", (REPO / "templates").as_posix()).replace(
        "per_page = 2", f'per_page = 2\nstatic_dir = "{(REPO / "static").as_posix()}"')
    (root / "site.toml").write_text(toml, encoding="utf-8")
    for name, text in BROWSER_SITE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    public = tmp_path_factory.mktemp("taxonomy-public")
    build(load_config(root / "site.toml", output_dir=str(public)))

    with static_server(public) as url:
        yield url


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("kind", LISTS)
def test_tag_and_author_pages_in_a_browser(browser, taxonomy_server: str, kind: str, size: str) -> None:
    first, name = LISTS[kind]
    viewport = VIEWPORTS[size]
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        page.goto(taxonomy_server + first)
        assert page.locator("h1").inner_text() == name
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"{kind}-list-{size}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 5_000

        titles = page.locator(".card-list .card-title a")
        assert titles.count() == 2
        seen = []
        for n in range(2):
            link = titles.nth(n)
            assert link.is_visible()
            box = link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
            seen.append((link.inner_text(), link.get_attribute("href")))
        assert all(href.startswith(("/changzhi/", "/taiyuan/")) for _, href in seen)

        page.locator(".pagination").get_by_role("link", name="2", exact=True).click()
        assert page.url == taxonomy_server + first + "page/2/"
        assert page.locator(".pagination [aria-current=page]").inner_text() == "2"
        assert page.locator("h1").inner_text() == name
        assert page.locator(".card-list .card-title a").count() == 1
        assert page.locator(".card-list .card-title a").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        page.locator(".pagination").get_by_role("link", name="1", exact=True).click()
        assert page.url == taxonomy_server + first

        title, href = seen[0]
        page.locator(".card-list .card-title a").first.click()
        assert page.url == taxonomy_server + href
        assert page.locator("h1").inner_text() == title
    finally:
        context.close()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_tag_link_on_an_article_leads_to_a_list_holding_it(browser, taxonomy_server: str, size: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    try:
        article_url = "/changzhi/news/2021/07/tunnel/"
        page.goto(taxonomy_server + article_url)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        tags = page.locator("div.tags a[rel=tag]")
        assert tags.all_inner_texts() == ["Rail transport", "tunnels"]
        tags.first.click()
        assert page.url == taxonomy_server + "/tags/rail-transport/"
        assert page.locator("h1").inner_text() == "Rail transport"
        found = []
        while True:  # through every page of the list
            found += page.locator(".card-list .card-title a").evaluate_all("links => links.map(a => a.pathname)")
            following = page.locator(".pagination a[rel=next]")
            if not following.count():
                break
            following.click()
        assert article_url in found
        assert len(found) == 3

        page.goto(taxonomy_server + article_url)
        page.locator("p.byline a").first.click()
        assert page.url == taxonomy_server + "/authors/li-na/"
        page.goto(taxonomy_server + "/changzhi/news/2021/08/viaduct/")
        page.locator("p.contributors a").click()
        assert page.url == taxonomy_server + "/authors/wu-jia/"
        assert page.locator("h1").inner_text() == "Wu Jia"
        assert page.locator(".card-list .card-title a").first.get_attribute("href") == "/changzhi/news/2021/08/viaduct/"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"author-contributor-{size}.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_index_pages_of_tags_authors_and_archive_fit(browser, taxonomy_server: str, size: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[size])
    page = context.new_page()
    try:
        for url, heading in (("/tags/", "Tags"), ("/authors/", "Authors"), ("/archive/", "Archive"),
                             ("/archive/2021/08/", "August 2021")):
            page.goto(taxonomy_server + url)
            assert page.locator("h1").inner_text() == heading, url
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), url
        page.goto(taxonomy_server + "/tags/")
        page.locator(".term-list").get_by_role("link", name="长治", exact=True).click()
        assert page.url == taxonomy_server + "/tags/changzhi/"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"tag-zh-{size}.png"), full_page=True)
    finally:
        context.close()
