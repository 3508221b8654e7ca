"""The URL scheme: permalink patterns, slugs and the files that serve site paths."""

from __future__ import annotations

from datetime import datetime

import pytest

from newsroom.urls import (
    PermalinkError,
    check_permalink,
    output_file,
    page_path,
    permalink,
    slug_problem,
    slugify,
)

# -- check_permalink ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        "/{channel}/{section}/{year}/{month}/{slug}/",  # the default
        "/{channel}/{section}/{year}/{month}/{day}/{slug}/",
        "/{slug}/",
        "/{slug}.html",
        "/{channel}/{slug}.html",
        "/archive/{year}/{slug}/",
        "/{section}/{year}-{month}-{day}-{slug}/",
    ],
)
def test_check_permalink_accepts_good_patterns(pattern):
    assert check_permalink(pattern) is None


BAD_PATTERNS = [
    # (pattern, words the message must contain)
    ("{channel}/{slug}/", ["'{channel}/{slug}/'", "must start with '/'"]),
    ("news/{slug}/", ["must start with '/'"]),
    ("/{channel}/{slug}", ["must end with '/' or '.html'"]),
    ("/{slug}.htm", ["must end with '/' or '.html'"]),
    ("/{slug}/index.php", ["must end with '/' or '.html'"]),
    ("/{author}/{slug}/", ["unknown placeholder {author}", "{channel}", "{slug}"]),
    ("/{Channel}/{slug}/", ["unknown placeholder {Channel}"]),
    ("/{}/{slug}/", ["unknown placeholder"]),
    ("/{channel}/{year}/{month}/", ["must contain {slug}"]),
    ("/news/index.html", ["must contain {slug}"]),
    ("//{slug}/", ["'//{slug}/'", "empty, '.' or '..' path segment"]),
    ("/{channel}//{slug}/", ["empty, '.' or '..' path segment"]),
    ("/{channel}/../{slug}/", ["empty, '.' or '..' path segment"]),
    ("/../{slug}/", ["empty, '.' or '..' path segment"]),
    ("/{slug}/./", ["empty, '.' or '..' path segment"]),
    ("/{slug/", ["'/{slug/'"]),  # unbalanced brace
    ("/{slug!r}/", ["write placeholders plainly, as {slug}"]),
    ("/{channel}/{slug:>10}/", ["write placeholders plainly, as {slug}"]),
]


@pytest.mark.parametrize(("pattern", "words"), BAD_PATTERNS, ids=[p for p, _ in BAD_PATTERNS])
def test_check_permalink_says_what_is_wrong(pattern, words):
    with pytest.raises(PermalinkError) as caught:
        check_permalink(pattern)
    for word in words:
        assert word in str(caught.value)


def test_permalink_error_is_a_value_error():
    with pytest.raises(ValueError):
        check_permalink("no-slash/{slug}/")


# -- permalink ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "when", "expected"),
    [
        (
            "/{channel}/{section}/{year}/{month}/{slug}/",
            datetime(2021, 3, 5, 7, 8),
            "/changzhi/news/2021/03/greenway/",
        ),
        (
            "/{channel}/{section}/{year}/{month}/{day}/{slug}/",
            datetime(2021, 3, 5),
            "/changzhi/news/2021/03/05/greenway/",
        ),
        (
            "/{year}/{month}/{day}/{slug}.html",
            datetime(2021, 12, 31, 23, 59),
            "/2021/12/31/greenway.html",
        ),
        ("/{slug}/", datetime(2021, 8, 25), "/greenway/"),
    ],
)
def test_permalink_fills_in_zero_padded_fields(pattern, when, expected):
    url = permalink(pattern, channel="changzhi", section="news", date=when, slug="greenway")
    assert url == expected


def test_permalink_uses_the_date_as_given_not_utc():
    # 2021-08-25 01:00 in Shanghai is still the 24th in UTC: the site's day counts
    from zoneinfo import ZoneInfo

    when = datetime(2021, 8, 25, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    url = permalink("/{year}/{month}/{day}/{slug}/", channel="c", section="s", date=when, slug="x")
    assert url == "/2021/08/25/x/"


# -- slugify / slug_problem -----------------------------------------------------------------

SLUGIFY = [
    ("Greenway Opens in Changzhi", "greenway-opens-in-changzhi"),
    ("Hello, World!", "hello-world"),
    ("It's a \"test\" -- really?", "it-s-a-test-really"),
    ("Greenway opens: 3.5 km of trails!", "greenway-opens-3-5-km-of-trails"),
    ("C++ & Rust", "c-rust"),
    ("  spaces   around  ", "spaces-around"),
    ("a--b", "a-b"),
    ("长治绿道开放", "长治绿道开放"),
    ("长治 绿道 开放", "长治-绿道-开放"),
    ("长治：绿道开放！", "长治-绿道开放"),
    ("Café Déjà Vu", "café-déjà-vu"),
    ("ＦＵＬＬＷＩＤＴＨ　２０２１", "fullwidth-2021"),
    ("snake_case_name", "snake-case-name"),
    ("_draft_", "draft"),
    ("__init__", "init"),
    ("-- leading and trailing --", "leading-and-trailing"),
]


@pytest.mark.parametrize(("text", "expected"), SLUGIFY, ids=[t for t, _ in SLUGIFY])
def test_slugify(text, expected):
    assert slugify(text) == expected


@pytest.mark.parametrize("text", [t for t, _ in SLUGIFY])
def test_slugify_makes_slugs_that_slug_problem_accepts(text):
    assert slug_problem(slugify(text)) is None


BAD_SLUGS = [
    # (slug, words the message must contain)
    ("", ["must not be empty"]),
    ("..", ["'..'", "would leave its folder"]),
    (".", ["would leave its folder"]),
    ("a/b", ["'a/b'", "without '/'"]),
    ("../etc", ["would leave its folder"]),
    ("a\\b", ["would leave its folder"]),
    ("has space", ["'has space'", "spaces"]),
    ("tab\there", ["spaces"]),
    ("what?", ["not safe in a URL"]),
    ("part#2", ["not safe in a URL"]),
    ("100%", ["not safe in a URL"]),
    ("<b>", ["not safe in a URL"]),
    ("{slug}", ["not safe in a URL"]),
    ("a\x00b", ["not safe in a URL"]),  # no file name can hold a NUL
    ("a\x01b", ["not safe in a URL"]),
    ("a\x7fb", ["not safe in a URL"]),
    ("a\x85b", ["not safe in a URL"]),
]


@pytest.mark.parametrize(("slug", "words"), BAD_SLUGS, ids=[repr(s) for s, _ in BAD_SLUGS])
def test_slug_problem_explains_bad_slugs(slug, words):
    problem = slug_problem(slug)
    assert problem is not None
    for word in words:
        assert word in problem


@pytest.mark.parametrize("slug", ["greenway", "greenway-2021", "长治绿道", "snake_case", "v1.2", "2021"])
def test_slug_problem_accepts_good_slugs(slug):
    assert slug_problem(slug) is None


# -- output_file / page_path ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("site_path", "expected"),
    [
        ("/", "index.html"),
        ("/a/", "a/index.html"),
        ("/a/b/", "a/b/index.html"),
        ("/changzhi/news/2021/08/greenway/", "changzhi/news/2021/08/greenway/index.html"),
        ("/404.html", "404.html"),
        ("/2021/08/greenway.html", "2021/08/greenway.html"),
        ("/长治/绿道/", "长治/绿道/index.html"),
        pytest.param("/a/" + "x" * 255 + "/", "a/" + "x" * 255 + "/index.html", id="255-byte segment"),
        pytest.param("/a/" + "长" * 85 + "/", "a/" + "长" * 85 + "/index.html", id="255 bytes of UTF-8"),
    ],
)
def test_output_file(site_path, expected):
    assert output_file(site_path) == expected


@pytest.mark.parametrize(
    ("site_path", "words"),
    [
        ("/a/../b/", ["would leave the output folder"]),
        ("/../b/", ["would leave the output folder"]),
        ("/a/..", ["would leave the output folder"]),
        ("/./", ["would leave the output folder"]),
        ("/a//b/", ["would leave the output folder"]),
        ("//", ["would leave the output folder"]),
        ("a/", ["'a/'", "is not a site path"]),
        pytest.param("/a/" + "x" * 256 + "/", ["256 bytes long", "a file name holds 255"], id="256-byte segment"),
        pytest.param("/a/" + "ﷺ" * 86 + ".html", ["263 bytes long"], id="263-byte file name"),  # 3 bytes a char
        pytest.param("/a\x00b/", ["NUL"], id="NUL"),
        ("index.html", ["is not a site path"]),
        ("", ["is not a site path"]),
    ],
)
def test_output_file_refuses_paths_that_leave_the_output_folder(site_path, words):
    with pytest.raises(ValueError) as caught:
        output_file(site_path)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize(
    ("first", "number", "expected"),
    [
        ("/x/", 1, "/x/"),
        ("/x/", 2, "/x/page/2/"),
        ("/x/", 10, "/x/page/10/"),
        ("/", 1, "/"),
        ("/", 3, "/page/3/"),
        ("/changzhi/news/", 2, "/changzhi/news/page/2/"),
    ],
)
def test_page_path(first, number, expected):
    assert page_path(first, number) == expected


def test_later_pages_are_served_from_their_own_folder():
    assert output_file(page_path("/changzhi/", 2)) == "changzhi/page/2/index.html"
