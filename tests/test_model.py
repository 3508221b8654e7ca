"""The site model: which pages exist, what they list, in which order, and URL clashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsroom.config import Config, load_config
from newsroom.content import Article
from newsroom.errors import BuildFailed
from newsroom.model import build_model
from newsroom.pages import ArticlePage, Crumb, IndexPage, Pager, paginate
from newsroom.urls import permalink

SITE_TOML = """\
[site]
title = "Test Portal"
base_url = "https://www.example.org/"
home_label = "Home"

[build]
per_page = {per_page}

[[channels]]
slug = "changzhi"
name = "Changzhi"

[[channels]]
slug = "datong"
name = "Datong"

[[sections]]
slug = "news"
name = "News"

[[sections]]
slug = "culture"
name = "Culture"
"""


def make_config(tmp_path: Path, per_page: int = 20) -> Config:
    (tmp_path / "content").mkdir(exist_ok=True)
    (tmp_path / "templates").mkdir(exist_ok=True)
    site_toml = tmp_path / "site.toml"
    site_toml.write_text(SITE_TOML.format(per_page=per_page), encoding="utf-8")
    return load_config(site_toml)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path)


def make_article(config: Config, slug: str, when: datetime | str, *, channel: str = "changzhi",
                 section: str = "news", path: str | None = None, url: str | None = None) -> Article:
    """An Article as content.load_article would make it, without a file."""
    if isinstance(when, str):
        when = datetime.fromisoformat(when)
    if when.tzinfo is None:
        when = when.replace(tzinfo=config.tz)
    url = url or permalink(config.build.permalink, channel=channel, section=section, date=when, slug=slug)
    return Article(
        path=path or f"content/{channel}/{slug}.md", url=url, title=slug.replace("-", " ").title(),
        date=when, channel=config.channel(channel), section=config.section(section),
        source="Test Portal", slug=slug, lang="en", body="<p>Body.</p>", summary="Body.",
    )


def pages_by_url(model) -> dict:
    return {page.url: page for page in model.pages}


def slugs(articles) -> list[str]:
    return [a.slug for a in articles]


# -- paginate ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "per_page", "sizes"),
    [
        (0, 20, [0]),
        (1, 20, [1]),
        (20, 20, [20]),
        (21, 20, [20, 1]),
        (40, 20, [20, 20]),
        (45, 20, [20, 20, 5]),
        (3, 1, [1, 1, 1]),
    ],
)
def test_paginate_page_sizes(count, per_page, sizes):
    items = list(range(count))
    pages = paginate(items, "/x/", per_page)
    assert [len(p.items) for p in pages] == sizes
    assert [item for p in pages for item in p.items] == items  # nothing lost, nothing repeated
    assert all(p.count == len(sizes) and p.total == count for p in pages)
    assert [p.number for p in pages] == list(range(1, len(sizes) + 1))


def test_an_empty_list_still_has_one_empty_page():
    (page,) = paginate([], "/x/", 20)
    assert page.items == ()
    assert page.url == "/x/"
    assert page.prev_url is None and page.next_url is None


def test_45_items_on_20_per_page():
    items = list(range(45))
    first, second, third = paginate(items, "/x/", 20)
    assert first.items == tuple(range(0, 20))
    assert second.items == tuple(range(20, 40))
    assert third.items == tuple(range(40, 45))
    assert [p.url for p in (first, second, third)] == ["/x/", "/x/page/2/", "/x/page/3/"]
    assert [p.prev_url for p in (first, second, third)] == [None, "/x/", "/x/page/2/"]
    assert [p.next_url for p in (first, second, third)] == ["/x/page/2/", "/x/page/3/", None]
    assert second.page_url(1) == "/x/"
    assert second.page_url(3) == "/x/page/3/"


# -- Pager.window -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "count", "size", "expected"),
    [
        (1, 1, 2, [1]),
        (2, 3, 2, [1, 2, 3]),
        (1, 10, 2, [1, 2, 3, None, 10]),
        (5, 10, 2, [1, None, 3, 4, 5, 6, 7, None, 10]),
        (10, 10, 2, [1, None, 8, 9, 10]),
        (4, 10, 2, [1, 2, 3, 4, 5, 6, None, 10]),
        (7, 10, 2, [1, None, 5, 6, 7, 8, 9, 10]),
        (5, 10, 1, [1, None, 4, 5, 6, None, 10]),
        (3, 5, 2, [1, 2, 3, 4, 5]),
    ],
)
def test_pager_window_shows_ends_and_neighbours_with_gaps(number, count, size, expected):
    pager = Pager("/x/", number, count, (), count * 10)
    assert pager.window(size) == expected


# -- build_model: which pages exist ---------------------------------------------------------


def test_every_listing_page_exists_even_when_empty(config):
    model = build_model(config, [])
    assert sorted((page.kind, page.url) for page in model.pages) == sorted([
        ("home", "/"),
        ("index", "/changzhi/"),
        ("index", "/changzhi/news/"),
        ("index", "/changzhi/culture/"),
        ("index", "/datong/"),
        ("index", "/datong/news/"),
        ("index", "/datong/culture/"),
        ("index", "/news/"),
        ("index", "/culture/"),
        ("notfound", "/404.html"),
        ("search", "/search/"),
        ("terms", "/tags/"),
        ("terms", "/authors/"),
        ("terms", "/archive/"),
        ("rss", "/feed.xml"),
        ("atom", "/atom.xml"),
        ("rss", "/changzhi/feed.xml"),
        ("rss", "/datong/feed.xml"),
        ("rss", "/news/feed.xml"),
        ("rss", "/culture/feed.xml"),
        ("sitemap", "/sitemap.xml"),
        ("newssitemap", "/sitemap-news.xml"),
        ("robots", "/robots.txt"),
        ("headers", "/_headers"),
        ("nojekyll", "/.nojekyll"),
    ])


def test_every_article_gets_its_page(config):
    articles = [
        make_article(config, "greenway", "2021-08-25 09:30"),
        make_article(config, "opera", "2021-08-20 18:00", section="culture"),
        make_article(config, "mines", "2021-07-01 08:00", channel="datong"),
    ]
    model = build_model(config, articles)
    article_pages = {p.url: p for p in model.pages if p.kind == "article"}
    assert set(article_pages) == {
        "/changzhi/news/2021/08/greenway/",
        "/changzhi/culture/2021/08/opera/",
        "/datong/news/2021/07/mines/",
    }
    for article in articles:
        page = article_pages[article.url]
        assert isinstance(page, ArticlePage)
        assert page.article is article
        assert page.title == article.title
    # listings, articles, feeds, sitemaps, robots.txt and the host files, tag, author and archive
    # indexes, the archive of 2021 and of July and August 2021, the search page
    assert len(model.pages) == 10 + 3 + 9 + 2 + 3 + 3 + 1
    assert len({p.url for p in model.pages}) == len(model.pages)


def test_listings_hold_the_right_articles(config):
    articles = [
        make_article(config, "greenway", "2021-08-25 09:30"),
        make_article(config, "opera", "2021-08-20 18:00", section="culture"),
        make_article(config, "mines", "2021-07-01 08:00", channel="datong"),
    ]
    pages = pages_by_url(build_model(config, articles))

    def listed(url):
        page = pages[url]
        assert isinstance(page, IndexPage)
        return slugs(page.pager.items)

    assert listed("/changzhi/") == ["greenway", "opera"]
    assert listed("/changzhi/news/") == ["greenway"]
    assert listed("/changzhi/culture/") == ["opera"]
    assert listed("/datong/") == ["mines"]
    assert listed("/datong/news/") == ["mines"]
    assert listed("/datong/culture/") == []
    assert listed("/news/") == ["greenway", "mines"]
    assert listed("/culture/") == ["opera"]


def test_long_listings_are_paginated(tmp_path):
    config = make_config(tmp_path, per_page=2)
    start = datetime(2021, 8, 1, 9, 0, tzinfo=config.tz)
    articles = [make_article(config, f"story-{n}", start + timedelta(days=n)) for n in range(5)]
    pages = pages_by_url(build_model(config, articles))
    assert [slugs(pages[url].pager.items) for url in ("/changzhi/", "/changzhi/page/2/", "/changzhi/page/3/")] == [
        ["story-4", "story-3"], ["story-2", "story-1"], ["story-0"],
    ]
    assert "/changzhi/page/4/" not in pages
    assert "/datong/page/2/" not in pages
    assert pages["/changzhi/page/2/"].title == pages["/changzhi/"].title == "Changzhi"


def test_index_page_titles(config):
    pages = pages_by_url(build_model(config, []))
    assert pages["/"].title == "Test Portal"
    assert pages["/changzhi/"].title == "Changzhi"
    assert pages["/changzhi/culture/"].title == "Culture - Changzhi"
    assert pages["/culture/"].title == "Culture"
    assert pages["/404.html"].title == "Page not found"


# -- ordering ---------------------------------------------------------------------------------


def test_newest_first_with_ties_broken_by_path(config):
    same_time = "2021-08-25 09:30"
    articles = [
        make_article(config, "old", "2021-08-01 09:30"),
        make_article(config, "tie-b", same_time, path="content/changzhi/b.md"),
        make_article(config, "newest", "2021-08-25 09:31"),
        make_article(config, "tie-a", same_time, path="content/changzhi/a.md"),
        make_article(config, "tie-c", same_time, path="content/changzhi/c.md"),
    ]
    expected = ["newest", "tie-a", "tie-b", "tie-c", "old"]
    model = build_model(config, articles)
    assert slugs(model.articles) == expected
    assert slugs(pages_by_url(model)["/changzhi/"].pager.items) == expected
    # the order does not depend on the order the files were read in
    assert slugs(build_model(config, list(reversed(articles))).articles) == expected


def test_ordering_compares_instants_not_wall_clock(config):
    # 09:00 in Shanghai is 01:00 UTC: an article at 02:00 UTC is newer
    articles = [
        make_article(config, "shanghai-nine", "2021-08-25 09:00"),
        make_article(config, "utc-two", datetime(2021, 8, 25, 2, 0, tzinfo=UTC)),
        make_article(config, "utc-one", datetime(2021, 8, 25, 1, 0, tzinfo=UTC),
                     path="content/changzhi/0-first-by-path.md"),
    ]
    # utc-one and shanghai-nine are the same instant: the path decides
    assert slugs(build_model(config, articles).articles) == ["utc-two", "utc-one", "shanghai-nine"]


# -- article pages: neighbours and breadcrumbs --------------------------------------------------


def test_older_and_newer_stay_within_the_channel(config):
    articles = [
        make_article(config, "cz-1", "2021-08-01 09:00"),
        make_article(config, "dt-1", "2021-08-02 09:00", channel="datong"),
        make_article(config, "cz-2", "2021-08-03 09:00", section="culture"),
        make_article(config, "dt-2", "2021-08-04 09:00", channel="datong"),
        make_article(config, "cz-3", "2021-08-05 09:00"),
    ]
    pages = {p.article.slug: p for p in build_model(config, articles).pages if isinstance(p, ArticlePage)}

    def neighbours(slug):
        page = pages[slug]
        return (page.newer.slug if page.newer else None, page.older.slug if page.older else None)

    assert neighbours("cz-3") == (None, "cz-2")
    assert neighbours("cz-2") == ("cz-3", "cz-1")  # across sections, skipping Datong's stories
    assert neighbours("cz-1") == ("cz-2", None)
    assert neighbours("dt-2") == (None, "dt-1")
    assert neighbours("dt-1") == ("dt-2", None)


def test_a_lone_article_has_no_neighbours(config):
    model = build_model(config, [make_article(config, "only", "2021-08-25 09:30")])
    (page,) = [p for p in model.pages if isinstance(p, ArticlePage)]
    assert page.newer is None and page.older is None


def test_article_breadcrumbs(config):
    article = make_article(config, "opera", "2021-08-20 18:00", section="culture")
    page = pages_by_url(build_model(config, [article]))[article.url]
    assert page.crumbs == (
        Crumb("Home", "/"),
        Crumb("Changzhi", "/changzhi/"),
        Crumb("Culture", "/changzhi/culture/"),
    )
    assert page.channel == config.channel("changzhi")
    assert page.section == config.section("culture")


@pytest.mark.parametrize(
    ("url", "crumbs"),
    [
        ("/changzhi/", [("Home", "/"), ("Changzhi", "/changzhi/")]),
        ("/changzhi/news/", [("Home", "/"), ("Changzhi", "/changzhi/"), ("News", "/changzhi/news/")]),
        ("/news/", [("Home", "/"), ("News", "/news/")]),
        ("/404.html", [("Home", "/")]),
    ],
)
def test_listing_breadcrumbs(config, url, crumbs):
    page = pages_by_url(build_model(config, []))[url]
    assert page.crumbs == tuple(Crumb(label, href) for label, href in crumbs)


# -- URL clashes ------------------------------------------------------------------------------


def test_two_articles_on_one_url_fail_naming_both_files(config):
    url = "/changzhi/news/2021/08/greenway/"
    first = make_article(config, "greenway", "2021-08-25 09:30", path="content/changzhi/greenway.md")
    second = make_article(config, "greenway", "2021-08-26 10:00", path="content/changzhi/2021-08-26-greenway.md")
    assert first.url == second.url == url
    with pytest.raises(BuildFailed) as caught:
        build_model(config, [first, second])
    errors = caught.value.errors
    assert {e.path for e in errors} == {first.path, second.path}
    for error in errors:
        other = second.path if error.path == first.path else first.path
        assert other in error.message
        assert url in error.message
        assert error.field == "slug"
    assert first.path in str(caught.value) and second.path in str(caught.value)


def test_an_article_on_a_listing_url_fails_naming_the_file(config):
    clash = make_article(config, "news", "2021-08-25 09:30", url="/changzhi/news/")
    with pytest.raises(BuildFailed) as caught:
        build_model(config, [clash])
    (error,) = caught.value.errors
    assert error.path == clash.path
    assert "/changzhi/news/" in error.message
    assert "index page" in error.message


def test_an_article_inside_a_feed_file_fails_naming_the_file(config):
    """``/changzhi/feed.xml/`` would need a folder where the channel's feed is a file."""
    clash = make_article(config, "feed.xml", "2021-08-25 09:30", url="/changzhi/feed.xml/")
    with pytest.raises(BuildFailed) as caught:
        build_model(config, [clash])
    (error,) = caught.value.errors
    assert (error.path, error.field) == (clash.path, "slug")
    assert "/changzhi/feed.xml" in error.message and "which is a file" in error.message


def test_a_folder_url_and_its_index_html_are_one_url(config):
    first = make_article(config, "a", "2021-08-25 09:30", url="/changzhi/special/")
    second = make_article(config, "b", "2021-08-25 09:30", url="/changzhi/special/index.html")
    with pytest.raises(BuildFailed) as caught:
        build_model(config, [first, second])
    assert {e.path for e in caught.value.errors} == {first.path, second.path}


# -- placement key: what the preview's quick path may patch in place ----------------------------


def placements(model) -> list[tuple[str, list[str]]]:
    """Each page's URL with the paths of the articles it shows, in the order it shows them."""
    from newsroom.model import page_articles

    return [(page.url, [a.path for a in page_articles(page)]) for page in model.pages]


def corpus(config: Config) -> list[Article]:
    return [make_article(config, f"story-{n}", datetime(2021, 8, 1 + n % 27, n % 24, tzinfo=config.tz),
                         channel=("changzhi", "datong")[n % 2], section=("news", "culture")[n % 3 % 2])
            for n in range(30)]


def test_an_edit_that_keeps_the_placement_key_moves_nothing(tmp_path: Path) -> None:
    """Every field outside the key may change without any page listing the article elsewhere:
    the invariant that lets the quick path swap records into the pages that show them."""
    from dataclasses import replace

    from newsroom.content import Photo
    from newsroom.model import placement_key

    config = make_config(tmp_path, per_page=4)
    articles = corpus(config)
    before = placements(build_model(config, articles))
    edited = replace(articles[7], title="A new title", summary="Another summary", dek="A dek",
                     body="<p>Other.</p>", digest="other")
    assert placement_key(edited) == placement_key(articles[7])
    assert placements(build_model(config, [*articles[:7], edited, *articles[8:]])) == before
    with_photo = replace(articles[7], image=Photo(src="/images/a.jpg"))
    photo_too = replace(articles[7], image=Photo(src="/images/b.jpg", caption="Another"))
    assert placement_key(with_photo) == placement_key(photo_too)
    assert (placements(build_model(config, [*articles[:7], with_photo, *articles[8:]]))
            == placements(build_model(config, [*articles[:7], photo_too, *articles[8:]])))


@pytest.mark.parametrize("change", ["date", "channel", "section", "photo", "tags", "authors", "aliases"])
def test_each_field_of_the_placement_key_can_move_an_article(tmp_path: Path, change: str) -> None:
    from dataclasses import replace

    from newsroom.content import Photo
    from newsroom.model import placement_key

    config = make_config(tmp_path, per_page=4)
    articles = corpus(config)
    old = articles[7]
    new = {"date": lambda a: replace(a, date=a.date - timedelta(days=20)),
           "channel": lambda a: replace(a, channel=config.channel("changzhi" if a.channel.slug == "datong"
                                                                   else "datong")),
           "section": lambda a: replace(a, section=config.section("culture" if a.section.slug == "news" else "news")),
           "photo": lambda a: replace(a, image=Photo(src="/images/a.jpg")),
           "tags": lambda a: replace(a, tags=("bridges",)),  # a tag page lists it
           "authors": lambda a: replace(a, authors=("Li Na",)),  # an author page lists it
           "aliases": lambda a: replace(a, aliases=("/old/address.htm",))}[change](old)  # a redirect page
    assert placement_key(new) != placement_key(old)
    assert placements(build_model(config, [*articles[:7], new, *articles[8:]])) != \
        placements(build_model(config, articles))
