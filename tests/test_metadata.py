"""What machines read about a page: JSON-LD, Open Graph and Twitter cards, canonical links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from conftest import REPO, SITE_TOML, article
from htmlq import Element, parse
from PIL import Image

from newsroom import build, load_config
from newsroom.cache import BuildCache, cache_key
from newsroom.errors import BuildFailed
from newsroom.metadata import HEADLINE_LIMIT, headline, jsonld

BASE = "https://www.eshanxi.example/"
SUB = "https://example.org/shanxi/"
RAIL = "changzhi/news/2026/11/rail-timetable/"  # the sample article with a lead photo and a body figure
RAIL_TITLE = "New winter rail timetable cuts Changzhi to Taiyuan trip below an hour"
RAIL_DEK = "Eight extra bullet trains a day will run from Dec 1, including an early service for commuters"
RAIL_PUBLISHED = "2026-11-25T08:00:00+08:00"
RAIL_UPDATED = "2026-11-26T16:20:00+08:00"
STORY = "changzhi/news/2021/08/{}/"  # where a make_site article dated 2021-08-25 lands
UNSAFE = ("<", ">", "&", "\u2028", "\u2029")  # never literal in a script's JSON


# -- helpers ---------------------------------------------------------------------------------


def page_at(public: Path, path: str = "") -> Element:
    """The parsed page of a site path ("" for the home page)."""
    return parse(public / path / "index.html")


def raw_text(element: Element) -> str:
    """The text of an element as written (a script's JSON), whitespace untouched."""
    return "".join(child for child in element.children if isinstance(child, str))


def ld_scripts(page: Element) -> list[Element]:
    return page.all("script", type="application/ld+json")


def structured(page: Element) -> list[dict[str, Any]]:
    """Every JSON-LD object of a page, in order."""
    return [json.loads(raw_text(script)) for script in ld_scripts(page)]


def of_type(page: Element, kind: str) -> dict[str, Any]:
    """The one JSON-LD object of ``@type`` ``kind``."""
    found = [data for data in structured(page) if data["@type"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def meta(page: Element, key: str) -> list[str]:
    """The content of every ``<meta property=key>`` or ``<meta name=key>``."""
    return [m.attrs["content"] for m in page.all("meta", property=key) + page.all("meta", name=key)]


def one_meta(page: Element, key: str) -> str:
    (value,) = meta(page, key)
    return value


def urls_in(data: Any) -> list[str]:
    """Every URL-valued field (``url``, ``@id``, ``contentUrl``, ``item``) of JSON-LD, nested ones too."""
    if isinstance(data, list):
        return [url for item in data for url in urls_in(item)]
    if not isinstance(data, dict):
        return []
    found = [v for k, v in data.items() if k in ("url", "@id", "contentUrl", "item") and isinstance(v, str)]
    return found + [url for v in data.values() for url in urls_in(v)]


def visible_crumbs(page: Element, base: str) -> list[tuple[str, str]]:
    """The breadcrumb a reader sees: (name, absolute URL) of each link of ``nav.breadcrumb``."""
    return [(a.text, urljoin(base, a.attrs["href"])) for a in page.one("nav", "breadcrumb").all("a")]


def build_site(make_site, files: dict[str, str | bytes], site_toml: str = SITE_TOML, **overrides: str):
    """Build a throwaway site; returns (output folder, build result)."""
    site = make_site(files, site_toml=site_toml)
    config = load_config(site / "site.toml", **overrides)
    return config.dir("output"), build(config)


def with_logo(logo: str) -> str:
    """The default test site.toml with ``[site] logo``."""
    return SITE_TOML.replace('base_url = "https://www.eshanxi.example/"\n',
                             f'base_url = "https://www.eshanxi.example/"\nlogo = "{logo}"\n')


@pytest.fixture(scope="module")
def sub_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built for a base URL with a sub-path."""
    out = tmp_path_factory.mktemp("sub") / "public"
    config = load_config(REPO / "site.toml", output_dir=str(out), base_url=SUB)
    build(config, cache=BuildCache(None, cache_key(config), config.root))  # no cache folder in the repository
    return out


# -- 1. NewsArticle of the sample article ----------------------------------------------------


def test_news_article_of_sample_story(sample_public: Path) -> None:
    data = of_type(page_at(sample_public, RAIL), "NewsArticle")
    url = BASE + RAIL
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == RAIL_TITLE
    assert data["description"] == RAIL_DEK
    assert data["datePublished"] == RAIL_PUBLISHED
    assert data["dateModified"] == RAIL_UPDATED
    assert data["author"] == [{"@type": "Person", "name": "Wu Jia"}]
    assert data["contributor"] == [{"@type": "Person", "name": "Li Na"}]
    publisher = data["publisher"]
    assert publisher["@type"] == "NewsMediaOrganization"
    assert (publisher["name"], publisher["url"]) == ("Eshanxi", BASE)
    assert publisher["logo"]["url"] == BASE + "images/logo.png"
    for image in data["image"]:  # the size of what the photo's address serves
        with Image.open(sample_public / image["url"].removeprefix(BASE)) as published:
            assert (image.pop("width"), image.pop("height")) == published.size
    assert data["image"] == [
        {"@type": "ImageObject", "contentUrl": BASE + "images/news/changzhi-rail-viaduct.jpg",
         "url": BASE + "images/news/changzhi-rail-viaduct.jpg",
         "caption": "A bullet train crosses a viaduct north of Changzhi on Nov 23.",
         "creditText": "Photo: Kang Bo/Eshanxi"},
        {"@type": "ImageObject", "contentUrl": BASE + "images/news/taihang-trail.jpg",
         "url": BASE + "images/news/taihang-trail.jpg",
         "caption": "Hikers walk a switchback trail above the Taihang canyon in autumn.",
         "creditText": "Photo: Shi Lan/Eshanxi"},
    ]
    assert data["articleSection"] == "News"
    assert data["inLanguage"] == "en"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["url"] == url
    assert data["dateline"] == "Changzhi, Shanxi"
    assert data["keywords"] == ["rail", "transport", "Changzhi", "Taiyuan"]


# -- 2. headline length, and the organisation as author --------------------------------------


def test_headline_cut_for_long_titles_and_kept_for_short(make_site) -> None:
    long_title = " ".join(["Shanxi coal towns turn to solar farms and tourism"] * 4)
    public, _ = build_site(make_site, {"content/changzhi/long.md": article(long_title),
                                       "content/changzhi/short.md": article("Short title")})
    cut = of_type(page_at(public, STORY.format("long")), "NewsArticle")["headline"]
    assert len(cut) <= HEADLINE_LIMIT
    assert cut.endswith("…") and long_title.startswith(cut[:-1])
    assert of_type(page_at(public, STORY.format("short")), "NewsArticle")["headline"] == "Short title"


def test_no_author_credits_the_organisation(make_site) -> None:
    public, _ = build_site(make_site, {"content/changzhi/a.md": article("Unsigned")})
    data = of_type(page_at(public, STORY.format("a")), "NewsArticle")
    assert data["author"] == [{"@type": "NewsMediaOrganization", "name": "Eshanxi", "url": BASE}]
    assert "contributor" not in data and "keywords" not in data and "image" not in data
    assert data["dateline"] == "Changzhi"  # no [[channels]] dateline: the channel's name


# -- 3. breadcrumbs, and the home page -------------------------------------------------------


@pytest.mark.parametrize("path", [RAIL, "changzhi/news/", "news/", "changzhi/"])
def test_breadcrumb_list_matches_visible_trail(sample_public: Path, path: str) -> None:
    page = page_at(sample_public, path)
    items = of_type(page, "BreadcrumbList")["itemListElement"]
    assert [(item["name"], item["item"]) for item in items] == visible_crumbs(page, BASE)
    assert [item["position"] for item in items] == list(range(1, len(items) + 1))
    assert all(item["@type"] == "ListItem" for item in items)


def test_home_page_has_website_and_publisher(sample_public: Path) -> None:
    page = page_at(sample_public)
    assert sorted(data["@type"] for data in structured(page)) == ["NewsMediaOrganization", "WebSite"]
    website, publisher = of_type(page, "WebSite"), of_type(page, "NewsMediaOrganization")
    assert (website["url"], website["name"], website["inLanguage"]) == (BASE, "Eshanxi", "en")
    assert website["publisher"] == {"@id": publisher["@id"]}
    assert (publisher["name"], publisher["url"]) == ("Eshanxi", BASE)
    assert publisher["logo"]["url"] == BASE + "images/logo.png"
    assert not page.all("nav", "breadcrumb")
    assert one_meta(page, "og:type") == "website"


# -- 4. share tags ---------------------------------------------------------------------------


def test_share_tags_of_article_with_photo(sample_public: Path) -> None:
    page = page_at(sample_public, RAIL)
    url = BASE + RAIL
    photo = BASE + "images/news/changzhi-rail-viaduct.jpg"
    assert page.one("link", rel="canonical").attrs["href"] == url
    assert one_meta(page, "description") == RAIL_DEK
    assert one_meta(page, "og:type") == "article"
    assert one_meta(page, "og:title") == RAIL_TITLE
    assert one_meta(page, "og:description") == RAIL_DEK
    assert one_meta(page, "og:url") == url
    assert one_meta(page, "og:site_name") == "Eshanxi"
    assert one_meta(page, "og:image") == photo
    assert one_meta(page, "og:image:alt") == "A white high-speed train on a long concrete viaduct above autumn fields"
    assert one_meta(page, "article:published_time") == RAIL_PUBLISHED
    assert one_meta(page, "article:modified_time") == RAIL_UPDATED
    assert one_meta(page, "article:section") == "News"
    assert meta(page, "article:tag") == ["rail", "transport", "Changzhi", "Taiyuan"]
    assert one_meta(page, "twitter:card") == "summary_large_image"
    assert one_meta(page, "twitter:image") == photo


@pytest.mark.parametrize("logo", ["", "/images/logo.png"])
def test_share_tags_of_article_without_photo_or_dek(make_site, logo: str) -> None:
    files = {"content/changzhi/a.md": article("Plain", summary="What the story says.")}
    if logo:
        files["static/images/logo.png"] = b"\x89PNG\r\n\x1a\n"
    public, _ = build_site(make_site, files, with_logo(logo) if logo else SITE_TOML)
    page = page_at(public, STORY.format("a"))
    assert one_meta(page, "description") == one_meta(page, "og:description") == "What the story says."
    assert one_meta(page, "twitter:card") == "summary"
    assert meta(page, "og:image") == ([BASE + "images/logo.png"] if logo else [])
    assert meta(page, "og:image:alt") == []
    assert of_type(page, "NewsArticle")["description"] == "What the story says."


# -- 5. escaping -----------------------------------------------------------------------------

EVIL_TITLE = "</script><script>alert(1)</script> & \"quotes\" 'apos' \u2028 line"
SHOWN_TITLE = " ".join(EVIL_TITLE.split())  # as articles keep titles: whitespace runs (U+2028 too) become one space
EVIL_DEK = "<b>&amp;</b>"
EVIL_SUMMARY = "Line one\u2028line two\u2029 </script><!-- & -->"  # summaries keep their line breaks


@pytest.fixture
def evil_public(make_site) -> Path:
    """A site whose article texts try to break out of every context (JSON written as YAML strings)."""
    public, _ = build_site(make_site, {
        "content/changzhi/evil.md": article(json.dumps(EVIL_TITLE), dek=json.dumps(EVIL_DEK)),
        "content/changzhi/breaks.md": article("Breaks", summary=json.dumps(EVIL_SUMMARY)),
    })
    return public


def test_title_cannot_open_a_script(evil_public: Path) -> None:
    html = (evil_public / STORY.format("evil") / "index.html").read_text(encoding="utf-8")
    page = parse(html)
    scripts = page.all("script")
    assert len(scripts) == len(ld_scripts(page)) == 2  # NewsArticle and BreadcrumbList, nothing else
    assert html.lower().count("<script") == 2
    for script in scripts:
        text = raw_text(script)
        assert not [c for c in UNSAFE if c in text], text
        json.loads(text)


def test_escaped_texts_round_trip(evil_public: Path) -> None:
    page = page_at(evil_public, STORY.format("evil"))
    data = of_type(page, "NewsArticle")
    assert data["headline"] == SHOWN_TITLE
    assert data["description"] == EVIL_DEK
    assert one_meta(page, "og:title") == one_meta(page, "twitter:title") == SHOWN_TITLE
    assert one_meta(page, "og:description") == one_meta(page, "description") == EVIL_DEK
    assert page.one("h1").text == SHOWN_TITLE


def test_line_separators_escaped_in_json(evil_public: Path) -> None:
    page = page_at(evil_public, STORY.format("breaks"))
    (script,) = [s for s in ld_scripts(page) if '"NewsArticle"' in raw_text(s)]
    text = raw_text(script)
    assert "\\u2028" in text and "\\u2029" in text and "\\u003c/script\\u003e" in text
    assert not [c for c in UNSAFE if c in text]
    assert json.loads(text)["description"] == EVIL_SUMMARY
    assert one_meta(page, "description") == EVIL_SUMMARY


# -- 6. base URL with a sub-path -------------------------------------------------------------


@pytest.mark.parametrize("path", ["", RAIL, "changzhi/news/"])
def test_sub_path_base_url_everywhere(sub_public: Path, path: str) -> None:
    page = page_at(sub_public, path)
    assert page.one("link", rel="canonical").attrs["href"] == SUB + path
    assert one_meta(page, "og:url") == SUB + path
    assert all(image.startswith(SUB) for image in meta(page, "og:image") + meta(page, "twitter:image"))
    urls = urls_in(structured(page))
    assert urls and all(url.startswith(SUB) for url in urls), urls
    if path:
        items = of_type(page, "BreadcrumbList")["itemListElement"]
        assert [(item["name"], item["item"]) for item in items] == visible_crumbs(page, SUB)


def test_sub_path_photo_and_logo(sub_public: Path) -> None:
    page = page_at(sub_public, RAIL)
    data = of_type(page, "NewsArticle")
    assert data["publisher"]["logo"]["url"] == SUB + "images/logo.png"
    assert [image["contentUrl"] for image in data["image"]] == [
        SUB + "images/news/changzhi-rail-viaduct.jpg", SUB + "images/news/taihang-trail.jpg"]
    assert one_meta(page, "og:image") == SUB + "images/news/changzhi-rail-viaduct.jpg"
    assert of_type(page_at(sub_public), "NewsMediaOrganization")["logo"]["url"] == SUB + "images/logo.png"


# -- 7. updated: -----------------------------------------------------------------------------


def test_updated_time_shown_and_used(sample_public: Path) -> None:
    page = page_at(sample_public, RAIL)
    line = page.one("p", "story-meta")
    assert line.one("span", "story-time").text.startswith("Time:")
    updated = line.one("span", "story-updated")
    assert updated.text.startswith("Updated:")
    assert updated.one("time").attrs["datetime"] == RAIL_UPDATED
    assert one_meta(page, "article:modified_time") == RAIL_UPDATED


def test_no_or_earlier_updated_means_modified_is_published(make_site) -> None:
    public, result = build_site(make_site, {
        "content/changzhi/plain.md": article("Plain"),
        "content/changzhi/slip.md": article("Slip", updated="2021-08-24 09:30"),
        "content/changzhi/later.md": article("Later", updated="2021-08-26 10:00"),
    })
    for slug in ("plain", "slip"):
        page = page_at(public, STORY.format(slug))
        assert not page.all("span", "story-updated")
        assert one_meta(page, "article:modified_time") == one_meta(page, "article:published_time")
        assert of_type(page, "NewsArticle")["dateModified"] == "2021-08-25T09:30:00+08:00"
    later = page_at(public, STORY.format("later"))
    assert one_meta(later, "article:modified_time") == "2021-08-26T10:00:00+08:00"
    assert later.one("span", "story-updated").one("time").attrs["datetime"] == "2021-08-26T10:00:00+08:00"
    assert [w.field for w in result.warnings] == ["updated"]


# -- 8. jsonld() and headline() --------------------------------------------------------------

TRICKY = ["</script><script>alert(1)</script>", "<!-- comment -->", "a\u2028b\u2029c", "a & b > c",
          "emoji 🚄🏔️", "长治到太原不到一小时", "quote \" backslash \\ tab \t", "\\u003c already escaped"]


@pytest.mark.parametrize("text", TRICKY)
def test_jsonld_round_trips_and_stays_inert(text: str) -> None:
    data = {"@type": "Thing", "name": text, "list": [text, {"nested": text}]}
    written = str(jsonld(data))
    assert json.loads(written) == data
    assert not [c for c in UNSAFE if c in written]
    assert "</" not in written and "<!--" not in written


def test_jsonld_is_markup_and_keeps_non_ascii_readable() -> None:
    written = jsonld({"name": "长治 🚄"})
    assert hasattr(written, "__html__")  # templates must not HTML-escape it again
    assert str(written) == '{"name":"长治 🚄"}'


@pytest.mark.parametrize("length", [1, HEADLINE_LIMIT - 1, HEADLINE_LIMIT])
def test_headline_keeps_titles_that_fit(length: int) -> None:
    title = ("word " * HEADLINE_LIMIT)[:length - 1] + "x"
    assert len(title) == length
    assert headline(title) == title


@pytest.mark.parametrize("title", ["word " * 60, "长" * 300, "x" * 111, "Shanxi, " * 30])
def test_headline_cuts_long_titles(title: str) -> None:
    title = title.strip()
    cut = headline(title)
    assert len(cut) <= HEADLINE_LIMIT
    assert cut.endswith("…") and title.startswith(cut[:-1])


# -- 9. a logo that is not a static file -----------------------------------------------------


def test_missing_logo_is_a_warning_and_strict_fails(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article()}, site_toml=with_logo("/images/missing.png"))
    config = load_config(site / "site.toml")
    (warning,) = build(config).warnings
    assert (warning.field, warning.warning, warning.line) == ("site.logo", True, 4)
    assert "/images/missing.png" in warning.message
    with pytest.raises(BuildFailed) as failed:
        build(config, strict=True)
    assert [(e.field, e.warning) for e in failed.value.errors] == [("site.logo", False)]


@pytest.mark.parametrize("logo", ["/images/logo.png", "https://cdn.example.org/logo.png"])
def test_logo_in_static_or_a_url_is_fine(make_site, logo: str) -> None:
    public, result = build_site(make_site, {"content/changzhi/a.md": article(),
                                            "static/images/logo.png": b"\x89PNG\r\n\x1a\n"}, with_logo(logo))
    assert result.warnings == ()
    expected = urljoin(BASE, logo)
    assert of_type(page_at(public, STORY.format("a")), "NewsArticle")["publisher"]["logo"]["url"] == expected
