"""Feeds, sitemaps and robots.txt, read as a feed reader (feedparser) and a crawler (XML) read them."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from conftest import JPEG, SITE_TOML, article
from htmlq import parse

from newsroom import BuildResult, build, load_config, sitemaps

BASE = "https://www.eshanxi.example"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
MEDIA = "{http://search.yahoo.com/mrss/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
ATOM = "{http://www.w3.org/2005/Atom}"
W3C_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")

PHOTO = JPEG
LEAD = "\n  src: /images/photo.jpg\n  caption: Walkers cross the bridge\n  credit: 'Photo: Zhao Min/Eshanxi'"

# Four stories, newest first: bridge, library, market (updated later than all), old.
STORIES = {
    "static/images/photo.jpg": PHOTO,
    "content/changzhi/bridge.md": article(
        "Old bridge reopens", date="2021-08-25 09:30", dek="Foot traffic returns", author="[Li Na, Wu Jia]",
        tags="[news, bridges, Heritage]", image=LEAD,
        body="The bridge is open.\n\n![Masons at work](/images/photo.jpg)\n\nSee [Changzhi](/changzhi/)."),
    "content/taiyuan/library.md": article("Library hours", date="2021-08-24 18:00", tags="[libraries]"),
    "content/changzhi/market.md": article(
        "Market report", date="2021-08-24 08:00", section="business", author="Wu Jia",
        updated="2021-08-26 10:15", body="Prices rose at the market."),
    "content/changzhi/old.md": article("Older story", date="2021-08-20 07:00"),
}
URLS = {
    "bridge": "/changzhi/news/2021/08/bridge/",
    "library": "/taiyuan/news/2021/08/library/",
    "market": "/changzhi/business/2021/08/market/",
    "old": "/changzhi/news/2021/08/old/",
}
NEWEST_FIRST = ["bridge", "library", "market", "old"]

# A third channel, with no stories.
THREE_CHANNELS = SITE_TOML.replace("[[sections]]", '[[channels]]\nslug = "jincheng"\nname = "Jincheng"\n\n[[sections]]', 1)


def feeds_toml(items: int = 50, full_content: bool = False, toml: str = SITE_TOML) -> str:
    return f"{toml}\n[feeds]\nitems = {items}\nfull_content = {'true' if full_content else 'false'}\n"


def built(make_site, files: dict[str, str | bytes], site_toml: str | None = None, folder: str = "site",
          **overrides: str) -> tuple[Path, BuildResult]:
    """Write a site, build it (``overrides`` as on the command line) and return its output folder."""
    site = make_site(files, site_toml=site_toml, folder=folder)
    config = load_config(site / "site.toml", **overrides)
    return config.dir("output"), build(config)


def rss(path: Path) -> feedparser.FeedParserDict:
    """A feed as a feed reader gets it; it must be well-formed."""
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, f"{path.name}: {feed.get('bozo_exception')}"
    return feed


def xml(path: Path) -> ET.Element:
    return ET.fromstring(path.read_bytes())


def urlset(path: Path) -> dict[str, str | None]:
    """A sitemap's ``<url>`` entries: loc -> lastmod (None when absent); a loc listed twice fails."""
    root = xml(path)
    assert root.tag == f"{SM}urlset"
    entries: dict[str, str | None] = {}
    for url in root.findall(f"{SM}url"):
        loc = url.findtext(f"{SM}loc")
        assert loc not in entries, f"{loc} listed twice"
        entries[loc] = url.findtext(f"{SM}lastmod")
    return entries


def html_pages(public: Path) -> list[Path]:
    return sorted(public.rglob("*.html"))


def page_url(public: Path, page: Path) -> str:
    """The absolute URL of an ``index.html`` page of the output."""
    return BASE + "/" + page.relative_to(public).as_posix().removesuffix("index.html")


# -- RSS ------------------------------------------------------------------------------------


def test_site_rss_as_a_feed_reader_sees_it(make_site) -> None:
    """Titles, absolute links newest first, +0800 dates, authors, categories, dek, lead photo."""
    public, _ = built(make_site, STORIES)
    feed = rss(public / "feed.xml")
    assert feed.version == "rss20"
    assert (feed.feed.title, feed.feed.link) == ("Eshanxi", BASE + "/")
    assert [e.link for e in feed.entries] == [BASE + URLS[k] for k in NEWEST_FIRST]
    assert [e.title for e in feed.entries] == ["Old bridge reopens", "Library hours", "Market report", "Older story"]
    # the newest change of any item: the market report's update
    assert feed.feed.updated == "Thu, 26 Aug 2021 10:15:00 +0800"

    bridge = feed.entries[0]
    assert bridge.published == "Wed, 25 Aug 2021 09:30:00 +0800"
    assert parsedate_to_datetime(bridge.published) == datetime(2021, 8, 25, 9, 30, tzinfo=SHANGHAI)
    assert tuple(bridge.published_parsed)[:5] == (2021, 8, 25, 1, 30)  # in UTC
    assert [a["name"] for a in bridge.authors] == ["Li Na", "Wu Jia"]
    assert [t.term for t in bridge.tags] == ["Changzhi", "News", "bridges", "Heritage"]  # "news" tag: once
    assert bridge.summary == "Foot traffic returns"
    assert bridge.media_content == [{"url": BASE + "/images/photo.jpg", "medium": "image", "type": "image/jpeg"}]
    assert bridge.media_credit == [{"content": "Photo: Zhao Min/Eshanxi"}]
    item = xml(public / "feed.xml").find("channel/item")
    assert item is not None
    assert item.findtext(f"{MEDIA}content/{MEDIA}description") == "Walkers cross the bridge"

    market = feed.entries[2]
    assert market.summary == "Prices rose at the market."  # no dek: the summary
    assert market.author == "Wu Jia"
    assert [t.term for t in market.tags] == ["Changzhi", "Business"]
    assert "media_content" not in market
    assert [e.published for e in feed.entries] == [
        "Wed, 25 Aug 2021 09:30:00 +0800", "Tue, 24 Aug 2021 18:00:00 +0800",
        "Tue, 24 Aug 2021 08:00:00 +0800", "Fri, 20 Aug 2021 07:00:00 +0800"]


def test_guids_are_permalinks_stable_across_builds_and_edits(make_site, tmp_path: Path) -> None:
    """Readers key items by GUID: two clean builds, and an edit of the body, keep every one."""
    site = make_site(STORIES)
    one, two = tmp_path / "one", tmp_path / "two"
    build(load_config(site / "site.toml", output_dir=str(one)))
    build(load_config(site / "site.toml", output_dir=str(two)))

    def guids(public: Path) -> list[str]:
        items = xml(public / "feed.xml").findall("channel/item")
        assert {item.find("guid").get("isPermaLink") for item in items} == {"true"}
        return [item.findtext("guid") for item in items]

    expected = [BASE + URLS[k] for k in NEWEST_FIRST]
    assert guids(one) == guids(two) == expected
    assert [e.id for e in rss(one / "feed.xml").entries] == expected
    bridge = site / "content/changzhi/bridge.md"
    bridge.write_text(bridge.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    build(load_config(site / "site.toml", output_dir=str(one)))
    assert guids(one) == expected
    assert [e.id for e in rss(one / "atom.xml").entries] == expected


def test_feed_items_limit_and_full_content(make_site) -> None:
    """``items`` caps every feed; ``full_content`` adds the body with absolute image URLs."""
    public, _ = built(make_site, STORIES, site_toml=feeds_toml(items=2, full_content=True), folder="full")
    for name in ("feed.xml", "atom.xml", "changzhi/feed.xml", "news/feed.xml"):
        assert len(rss(public / name).entries) == 2, name
    assert [e.link for e in rss(public / "changzhi/feed.xml").entries] == [BASE + URLS["bridge"], BASE + URLS["market"]]
    for name in ("feed.xml", "atom.xml"):
        bridge = rss(public / name).entries[0]
        bodies = [c.value for c in bridge.content if c.type == "text/html"]
        assert len(bodies) == 1, name
        assert "The bridge is open." in bodies[0]
        assert f'src="{BASE}/_img/' in bodies[0]  # the photo's variant, absolute
        assert f'href="{BASE}/changzhi/"' in bodies[0]
        assert 'src="/' not in bodies[0] and 'href="/' not in bodies[0]

    public, _ = built(make_site, STORIES, site_toml=feeds_toml(items=50, full_content=False), folder="summary")
    assert len(rss(public / "feed.xml").entries) == 4
    assert xml(public / "feed.xml").findall(f"channel/item/{CONTENT}encoded") == []
    assert xml(public / "atom.xml").findall(f"{ATOM}entry/{ATOM}content") == []
    assert "The bridge is open" not in (public / "feed.xml").read_text(encoding="utf-8")


def test_channel_and_section_feeds_hold_their_own_stories(make_site) -> None:
    """Each channel and section has a feed of its stories; an empty channel's feed is valid and empty."""
    public, _ = built(make_site, STORIES, site_toml=THREE_CHANNELS)
    changzhi = rss(public / "changzhi/feed.xml")
    assert (changzhi.feed.title, changzhi.feed.link) == ("Changzhi - Eshanxi", BASE + "/changzhi/")
    assert [e.link for e in changzhi.entries] == [BASE + URLS[k] for k in ("bridge", "market", "old")]
    taiyuan = rss(public / "taiyuan/feed.xml")
    assert [e.link for e in taiyuan.entries] == [BASE + URLS["library"]]
    news = rss(public / "news/feed.xml")
    assert (news.feed.title, news.feed.link) == ("News - Eshanxi", BASE + "/news/")
    assert [e.link for e in news.entries] == [BASE + URLS[k] for k in ("bridge", "library", "old")]
    assert [e.link for e in rss(public / "business/feed.xml").entries] == [BASE + URLS["market"]]

    empty = rss(public / "jincheng/feed.xml")
    assert empty.version == "rss20"
    assert empty.entries == []
    assert (empty.feed.title, empty.feed.link) == ("Jincheng - Eshanxi", BASE + "/jincheng/")


# -- Atom -----------------------------------------------------------------------------------


def test_atom_entries(make_site) -> None:
    """Atom ids are permalinks; ``updated`` follows ``updated:`` front matter, else the date."""
    public, _ = built(make_site, STORIES)
    feed = rss(public / "atom.xml")
    assert feed.version == "atom10"
    assert feed.feed.updated == "2021-08-26T10:15:00+08:00"
    assert feed.feed.link == BASE + "/"
    assert [e.id for e in feed.entries] == [BASE + URLS[k] for k in NEWEST_FIRST]
    assert [e.link for e in feed.entries] == [BASE + URLS[k] for k in NEWEST_FIRST]
    entries = dict(zip(NEWEST_FIRST, feed.entries, strict=True))
    market, bridge = entries["market"], entries["bridge"]
    assert market.published == "2021-08-24T08:00:00+08:00"
    assert market.updated == "2021-08-26T10:15:00+08:00"
    assert tuple(market.updated_parsed)[:5] == (2021, 8, 26, 2, 15)
    assert (bridge.published, bridge.updated) == ("2021-08-25T09:30:00+08:00", "2021-08-25T09:30:00+08:00")
    assert [a["name"] for a in bridge.authors] == ["Li Na", "Wu Jia"]
    assert [a["name"] for a in market.authors] == ["Wu Jia"]
    assert bridge.summary == "Foot traffic returns"
    assert bridge.media_content[0]["url"] == BASE + "/images/photo.jpg"


# -- feed discovery -------------------------------------------------------------------------


def test_every_page_links_the_site_feed_and_indexes_their_own(make_site) -> None:
    """``<link rel="alternate">`` on every HTML page; channel and section indexes add their feed."""
    public, _ = built(make_site, STORIES)

    def feeds(page: Path) -> list[str]:
        return [link.attrs["href"] for link in parse(page).all("link", rel="alternate", type="application/rss+xml")]

    pages = html_pages(public)
    assert len(pages) > 10
    for page in pages:
        hrefs = feeds(page)
        assert BASE + "/feed.xml" in hrefs, page
        for href in hrefs:
            assert href.startswith(BASE + "/") and (public / href.removeprefix(BASE + "/")).is_file(), href
    for page in ("changzhi/index.html", "changzhi/page/2/index.html"):
        assert BASE + "/changzhi/feed.xml" in feeds(public / page), page
    for page in ("news/index.html", "news/page/2/index.html"):
        assert BASE + "/news/feed.xml" in feeds(public / page), page
    assert BASE + "/taiyuan/feed.xml" in feeds(public / "taiyuan/index.html")
    assert BASE + "/business/feed.xml" in feeds(public / "business/index.html")
    assert BASE + "/changzhi/feed.xml" not in feeds(public / "index.html")


# -- sitemaps -------------------------------------------------------------------------------


def test_sitemap_lists_every_page_with_its_last_change(make_site) -> None:
    """Every home, index and article page, once, absolute, with lastmod; no 404 page, no feed, no
    search page (it asks robots not to index it)."""
    public, _ = built(make_site, STORIES)
    entries = urlset(public / "sitemap.xml")
    pages = {page_url(public, p) for p in html_pages(public) if p.name == "index.html"} - {BASE + "/search/"}
    assert set(entries) == pages
    for url in [BASE + "/", *(BASE + u for u in URLS.values()), BASE + "/changzhi/page/2/", BASE + "/news/page/2/",
                BASE + "/changzhi/news/", BASE + "/business/"]:
        assert url in entries, url
    assert all(loc.startswith(BASE + "/") for loc in entries)
    assert not [loc for loc in entries if "404" in loc or loc.endswith((".xml", ".txt"))]

    assert entries[BASE + URLS["market"]] == "2021-08-26T10:15:00+08:00"  # updated:
    assert entries[BASE + URLS["bridge"]] == "2021-08-25T09:30:00+08:00"  # its date
    assert entries[BASE + URLS["old"]] == "2021-08-20T07:00:00+08:00"
    assert entries[BASE + "/"] == "2021-08-26T10:15:00+08:00"
    assert entries[BASE + "/changzhi/"] == "2021-08-26T10:15:00+08:00"  # bridge and market
    assert entries[BASE + "/changzhi/page/2/"] == "2021-08-20T07:00:00+08:00"  # old
    assert entries[BASE + "/news/"] == "2021-08-25T09:30:00+08:00"  # bridge and library
    assert entries[BASE + "/taiyuan/business/"] is None  # an empty list
    assert all(W3C_DATETIME.match(lastmod) for lastmod in entries.values() if lastmod is not None)
    assert not (public / "sitemap-1.xml").exists()


def test_sitemap_index_past_the_limit(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over ``SITEMAP_URLS`` pages: an index of numbered sitemaps, each URL in exactly one."""
    monkeypatch.setattr(sitemaps, "SITEMAP_URLS", 5)
    public, _ = built(make_site, STORIES)
    index = xml(public / "sitemap.xml")
    assert index.tag == f"{SM}sitemapindex"
    parts = [(s.findtext(f"{SM}loc"), s.findtext(f"{SM}lastmod")) for s in index.findall(f"{SM}sitemap")]
    pages = {page_url(public, p) for p in html_pages(public) if p.name == "index.html"} - {BASE + "/search/"}
    assert len(parts) == -(-len(pages) // 5) >= 3
    assert [loc for loc, _ in parts] == [f"{BASE}/sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
    listed: list[str] = []
    for loc, lastmod in parts:
        entries = urlset(public / loc.removeprefix(BASE + "/"))
        assert 1 <= len(entries) <= 5
        listed += entries
        dates = [datetime.fromisoformat(d) for d in entries.values() if d is not None]
        if dates:
            assert lastmod is not None and datetime.fromisoformat(lastmod) == max(dates), loc
            assert W3C_DATETIME.match(lastmod)
        else:
            assert lastmod is None, loc
    assert sorted(listed) == sorted(pages)  # each once
    assert not (public / f"sitemap-{len(parts) + 1}.xml").exists()


NEWS_STORIES = {
    "content/changzhi/newest.md": article("Newest story", date="2021-08-25 09:30"),
    "content/taiyuan/chinese.md": article("Vinegar festival", date="2021-08-24 12:00", lang="zh"),
    "content/changzhi/edge.md": article("Exactly two days", date="2021-08-23 09:30"),
    "content/changzhi/past.md": article("Two days and a minute", date="2021-08-23 09:29"),
    "content/taiyuan/ancient.md": article("Last year", date="2020-08-25 09:30"),
}


def news_entries(public: Path) -> list[dict[str, str | None]]:
    root = xml(public / "sitemap-news.xml")
    assert root.tag == f"{SM}urlset"
    return [{
        "loc": url.findtext(f"{SM}loc"),
        "name": url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}name"),
        "language": url.findtext(f"{NEWS}news/{NEWS}publication/{NEWS}language"),
        "date": url.findtext(f"{NEWS}news/{NEWS}publication_date"),
        "title": url.findtext(f"{NEWS}news/{NEWS}title"),
    } for url in root.findall(f"{SM}url")]


def test_news_sitemap_lists_the_last_two_days(make_site) -> None:
    """Stories within two days of the newest (boundary included), with Google News fields."""
    public, _ = built(make_site, NEWS_STORIES)
    entries = news_entries(public)
    assert [e["title"] for e in entries] == ["Newest story", "Vinegar festival", "Exactly two days"]
    assert entries[0] == {"loc": BASE + "/changzhi/news/2021/08/newest/", "name": "Eshanxi", "language": "en",
                          "date": "2021-08-25T09:30:00+08:00", "title": "Newest story"}
    assert entries[1]["language"] == "zh-cn"
    assert entries[1]["loc"] == BASE + "/taiyuan/news/2021/08/chinese/"
    assert [e["date"] for e in entries] == [
        "2021-08-25T09:30:00+08:00", "2021-08-24T12:00:00+08:00", "2021-08-23T09:30:00+08:00"]
    assert all(W3C_DATETIME.match(e["date"] or "") for e in entries)


def test_sitemap_lastmod_without_any_updated(make_site) -> None:
    """A site where no story has ``updated:``: lists take their newest story's date."""
    public, _ = built(make_site, NEWS_STORIES)
    entries = urlset(public / "sitemap.xml")
    assert entries[BASE + "/"] == "2021-08-25T09:30:00+08:00"
    assert entries[BASE + "/changzhi/"] == "2021-08-25T09:30:00+08:00"  # newest and edge
    assert entries[BASE + "/changzhi/page/2/"] == "2021-08-23T09:29:00+08:00"  # past
    assert entries[BASE + "/taiyuan/"] == "2021-08-24T12:00:00+08:00"
    assert entries[BASE + "/taiyuan/news/2020/08/ancient/"] == "2020-08-25T09:30:00+08:00"
    assert entries[BASE + "/business/"] is None


def test_news_sitemap_cap_keeps_the_newest(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemaps, "NEWS_SITEMAP_URLS", 2)
    public, _ = built(make_site, NEWS_STORIES)
    assert [e["title"] for e in news_entries(public)] == ["Newest story", "Vinegar festival"]


def test_empty_site_has_valid_feeds_and_sitemaps(make_site) -> None:
    """No stories yet: every feed and sitemap is still well-formed."""
    public, _ = built(make_site, {})
    for name in ("feed.xml", "atom.xml", "changzhi/feed.xml", "news/feed.xml"):
        assert rss(public / name).entries == [], name
    assert news_entries(public) == []
    assert set(urlset(public / "sitemap.xml").values()) == {None}


# -- robots.txt -----------------------------------------------------------------------------


def test_robots_txt_names_both_sitemaps(make_site) -> None:
    public, _ = built(make_site, STORIES)
    lines = (public / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.startswith("Sitemap:")] == [
        f"Sitemap: {BASE}/sitemap.xml", f"Sitemap: {BASE}/sitemap-news.xml"]
    assert "User-agent: *" in lines


def test_static_robots_txt_replaces_the_generated_one(make_site) -> None:
    mine = b"User-agent: *\nDisallow: /drafts/\n\nSitemap: https://cdn.example.org/sitemap.xml\n"
    public, result = built(make_site, {**STORIES, "static/robots.txt": mine})
    assert (public / "robots.txt").read_bytes() == mine
    assert not result.warnings


def test_a_robots_txt_kept_in_the_output_replaces_the_generated_one(make_site) -> None:
    """A desk that put its own robots.txt in the output and listed it in ``[build] keep``
    keeps it: the build neither overwrites it nor refuses to run."""
    site = make_site(STORIES, site_toml=SITE_TOML.replace("[build]", '[build]\nkeep = ["robots.txt"]', 1))
    config = load_config(site / "site.toml")
    build(config)
    mine = b"User-agent: *\nDisallow: /\n"
    (site / "public/robots.txt").write_bytes(mine)
    build(config)
    (site / "content/changzhi/late.md").write_text(article("Late story", date="2021-08-27 09:00"), encoding="utf-8")
    build(config)
    assert (site / "public/robots.txt").read_bytes() == mine


# -- base URL with a path -------------------------------------------------------------------


def urls_in_xml(path: Path) -> list[str]:
    """Every address an XML file of the output holds: links, ids, locs, media and body URLs."""
    found: list[str] = []
    for element in xml(path).iter():
        found += [value for key, value in element.attrib.items() if key in ("href", "url")]
        local = element.tag.rpartition("}")[2]
        text = (element.text or "").strip()
        if local in ("link", "guid", "id", "loc") and text:
            found.append(text)
        if local in ("encoded", "content") and text:  # an article body, HTML
            found += re.findall(r'(?:src|href)="([^"]*)"', text)
    return found


def test_sub_path_base_url_in_feeds_sitemaps_and_robots(make_site) -> None:
    """With ``base_url = https://example.org/shanxi/`` every machine-read URL lives under it."""
    base = "https://example.org/shanxi/"
    public, _ = built(make_site, STORIES, site_toml=feeds_toml(full_content=True), base_url=base)
    every: list[str] = []
    for path in public.rglob("*.xml"):
        urls = urls_in_xml(path)
        assert urls, path
        assert all(url.startswith(base) for url in urls), (path, [u for u in urls if not u.startswith(base)])
        every += urls
    for url in every:  # and leads to a file of the site
        relative = public / url.removeprefix(base)
        assert relative.is_file() or (relative / "index.html").is_file(), url
    robots = [line.partition(": ")[2] for line in (public / "robots.txt").read_text(encoding="utf-8").splitlines()
              if line.startswith("Sitemap:")]
    assert robots == [base + "sitemap.xml", base + "sitemap-news.xml"]
    for expected in (base, base + "feed.xml", base + "atom.xml", base + "changzhi/feed.xml",
                     base + URLS["bridge"].lstrip("/"), base + "images/photo.jpg", base + "changzhi/"):
        assert expected in every, expected
    assert base + "changzhi/page/2/" in urlset(public / "sitemap.xml")
    assert [e["loc"] for e in news_entries(public)] == [base + URLS[k].lstrip("/") for k in NEWEST_FIRST[:3]]


# -- escaping -------------------------------------------------------------------------------


TRICKY = 'Fish & chips <b>"quoted"</b> </script><script>alert(1)</script>'


def test_markup_in_titles_and_tags_round_trips(make_site) -> None:
    """Ampersands, tags and quotes are text: feeds and the news sitemap stay well-formed."""
    story = article("'" + TRICKY.replace("'", "''") + "'", tags='["Arts & Crafts", "<i>x</i>"]',
                    dek="Salt & vinegar")
    public, _ = built(make_site, {"content/changzhi/fish.md": story})
    for name in ("feed.xml", "atom.xml", "changzhi/feed.xml", "news/feed.xml"):
        (entry,) = rss(public / name).entries
        assert entry.title == TRICKY, name
        assert {"Arts & Crafts", "<i>x</i>"} <= {t.term for t in entry.tags}, name
        assert entry.summary == "Salt & vinegar", name
    (news,) = news_entries(public)
    assert news["title"] == TRICKY
    assert xml(public / "feed.xml").findtext("channel/item/title") == TRICKY
    for name in ("feed.xml", "atom.xml", "sitemap-news.xml"):
        assert "<script>" not in (public / name).read_text(encoding="utf-8"), name
    page = (public / "changzhi/news/2021/08/fish/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page
    assert parse(page).one("h1").text == " ".join(TRICKY.split())


# -- incremental builds ---------------------------------------------------------------------


def test_incremental_builds_touch_feeds_and_sitemap_only_when_they_change(make_site) -> None:
    """An unchanged site writes nothing; a body edit rewrites feeds, not sitemap.xml; ``updated:`` does."""
    site = make_site(STORIES)
    config = load_config(site / "site.toml")
    public = site / "public"
    build(config)
    assert build(config).files_written == 0

    old = 1_000_000_000_000_000_000
    sitemap = public / "sitemap.xml"
    feeds = [public / name for name in ("feed.xml", "atom.xml", "changzhi/feed.xml", "business/feed.xml")]
    others = [public / name for name in ("taiyuan/feed.xml", "news/feed.xml")]  # without the market report
    for path in [sitemap, *feeds, *others]:
        os.utime(path, ns=(old, old))
    before = sitemap.read_bytes()
    market = site / "content/changzhi/market.md"  # no dek: the body's first paragraph is its summary
    market.write_text(market.read_text(encoding="utf-8").replace("Prices rose", "Prices fell"), encoding="utf-8")
    result = build(config)
    assert result.files_written > 0
    for path in feeds:
        assert path.stat().st_mtime_ns != old, path
        assert "Prices fell at the market." in path.read_text(encoding="utf-8"), path
    for path in [sitemap, *others]:
        assert path.stat().st_mtime_ns == old, path
    assert sitemap.read_bytes() == before
    assert build(config).files_written == 0

    old_story = site / "content/changzhi/old.md"
    old_story.write_text(article("Older story", date="2021-08-20 07:00", updated="2021-08-21 08:00"),
                         encoding="utf-8")
    build(config)
    assert sitemap.stat().st_mtime_ns != old
    assert urlset(sitemap)[BASE + URLS["old"]] == "2021-08-21T08:00:00+08:00"
    assert urlset(sitemap)[BASE + "/changzhi/page/2/"] == "2021-08-21T08:00:00+08:00"


# -- updated: front matter ------------------------------------------------------------------


@pytest.mark.parametrize("key", ["updated", "lastmod", "last_modified_at"])
def test_updated_before_the_date_is_a_warning_and_ignored(make_site, key: str) -> None:
    public, result = built(make_site, {"content/changzhi/a.md": article(**{key: "2021-08-20 09:00"})})
    (warning,) = result.warnings
    assert (warning.path, warning.field, warning.warning) == ("content/changzhi/a.md", key, True)
    assert "before the publication date" in warning.message
    page = parse(public / "changzhi/news/2021/08/a/index.html")
    assert page.all("span", "story-updated") == []
    assert "Updated" not in page.one("p", "story-meta").text
    assert urlset(public / "sitemap.xml")[BASE + "/changzhi/news/2021/08/a/"] == "2021-08-25T09:30:00+08:00"
    (entry,) = rss(public / "atom.xml").entries
    assert entry.updated == "2021-08-25T09:30:00+08:00"


def test_updated_equal_to_the_date_is_no_update(make_site) -> None:
    public, result = built(make_site, {"content/changzhi/a.md": article(updated="2021-08-25 09:30")})
    assert result.warnings == ()
    assert parse(public / "changzhi/news/2021/08/a/index.html").all("span", "story-updated") == []
    assert urlset(public / "sitemap.xml")[BASE + "/changzhi/news/2021/08/a/"] == "2021-08-25T09:30:00+08:00"


@pytest.mark.parametrize("key", ["updated", "lastmod", "last_modified_at"])
def test_updated_after_the_date_shows_on_the_page(make_site, key: str) -> None:
    public, result = built(make_site, {"content/changzhi/a.md": article(**{key: "2021-08-26 10:15"})})
    assert result.warnings == ()
    page = parse(public / "changzhi/news/2021/08/a/index.html")
    updated = page.one("span", "story-updated")
    assert updated.text == "Updated: 08 26,2021 10:15"
    assert updated.one("time").attrs["datetime"] == "2021-08-26T10:15:00+08:00"
    assert urlset(public / "sitemap.xml")[BASE + "/changzhi/news/2021/08/a/"] == "2021-08-26T10:15:00+08:00"
    (entry,) = rss(public / "atom.xml").entries
    assert entry.updated == "2021-08-26T10:15:00+08:00"
