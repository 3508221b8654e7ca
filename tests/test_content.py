"""Articles: what front matter is accepted, and how each mistake is reported."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import JPEG, article

from newsroom.config import load_config
from newsroom.content import Article, find_articles, load_article
from newsroom.errors import BuildFailed
from newsroom.markup import Markdown

SHANGHAI = ZoneInfo("Asia/Shanghai")


def load(site: Path, name: str) -> Article:
    config = load_config(site / "site.toml")
    return load_article(config, site / name, Markdown())


def errors(site: Path, name: str) -> list[str]:
    with pytest.raises(BuildFailed) as caught:
        load(site, name)
    return [str(e) for e in caught.value.errors]


def test_full_article(make_site) -> None:
    site = make_site({
        "content/changzhi/greenway.md": """\
---
title: Changzhi opens riverside greenway
date: 2021-08-25 09:30
section: business
dek: The path links three parks
author: [Li Na, Wu Jia]
contributors: Zhao Min
tags: [transport, parks]
image:
  src: photo.jpg
  caption: Cyclists on the greenway.
  credit: "Photo: Zhao Min/Eshanxi"
  alt: Cyclists under willow trees
mood: sunny
---
First paragraph of the story.

Second paragraph.
""",
        "content/changzhi/photo.jpg": JPEG,
    })
    a = load(site, "content/changzhi/greenway.md")
    assert a.title == "Changzhi opens riverside greenway"
    assert a.date == datetime(2021, 8, 25, 9, 30, tzinfo=SHANGHAI)
    assert (a.channel.slug, a.section.slug) == ("changzhi", "business")
    assert a.source == "Eshanxi-changzhi"
    assert a.slug == "greenway"
    assert a.url == "/changzhi/business/2021/08/greenway/"
    assert a.authors == ("Li Na", "Wu Jia")
    assert a.contributors == ("Zhao Min",)
    assert a.tags == ("transport", "parks")
    assert a.summary == "First paragraph of the story."
    assert a.image is not None
    assert (a.image.src, a.image.caption, a.image.credit, a.image.alt) == (
        "/changzhi/photo.jpg", "Cyclists on the greenway.", "Photo: Zhao Min/Eshanxi", "Cyclists under willow trees")
    assert a.assets == ()  # a photo is published as its variants, not as a file beside the article
    assert a.image is not None and a.image.file == "content/changzhi/photo.jpg" and a.image.source is not None
    assert a.extra == {"mood": "sunny"}
    assert a.lang == "en" and a.draft is False


def test_defaults_and_migrated_forms(make_site) -> None:
    """Jekyll file names give date and slug; tags may be a string; CRLF, BOM and blank lines are fine."""
    text = "\n\n" + article("Library hours", date="", tags='"libraries, evenings, libraries"')
    text = text.replace("date: \n", "")
    site = make_site({"content/taiyuan/2021-08-20-library-hours.md": ("\ufeff" + text).replace("\n", "\r\n")})
    a = load(site, "content/taiyuan/2021-08-20-library-hours.md")
    assert a.date == datetime(2021, 8, 20, tzinfo=SHANGHAI)
    assert a.slug == "library-hours"
    assert a.channel.slug == "taiyuan"
    assert a.section.slug == "news"  # the first configured section
    assert a.tags == ("libraries", "evenings")


def test_toml_front_matter_and_explicit_fields(make_site) -> None:
    site = make_site({"content/misc/story.md": """\
+++
title = "Hugo-style story"
date = 2016-07-26T13:00:00-07:00
channel = "Taiyuan"
slug = "hugo-story"
source = "Shanxi Evening Wire"
authors = ["Li Na"]
+++
Body.
"""})
    a = load(site, "content/misc/story.md")
    assert a.channel.slug == "taiyuan"
    assert a.date == datetime(2016, 7, 27, 4, 0, tzinfo=SHANGHAI)
    assert a.url == "/taiyuan/news/2016/07/hugo-story/"
    assert a.source == "Shanxi Evening Wire"
    assert a.authors == ("Li Na",)


def test_chinese_title_sets_language_and_keeps_quotes(make_site) -> None:
    site = make_site({"content/taiyuan/vinegar.md": article("太原老陈醋文化节开幕", body='"老陈醋"文化节开幕。')})
    a = load(site, "content/taiyuan/vinegar.md")
    assert a.lang == "zh"
    assert '"老陈醋"' in a.body


def test_body_is_never_a_template(make_site) -> None:
    site = make_site({"content/taiyuan/t.md": article(body="{{ site.title }} {% if x %}")})
    assert "{{ site.title }} {% if x %}" in load(site, "content/taiyuan/t.md").body


def test_index_md_takes_its_folders_name(make_site) -> None:
    site = make_site({"content/changzhi/night-market/index.md": article()})
    assert load(site, "content/changzhi/night-market/index.md").slug == "night-market"


def test_hidden_and_underscore_files_are_not_articles(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article(), "content/changzhi/_index.md": "x",
                      "content/_drafts/b.md": "x", "content/changzhi/.c.md": "x",
                      "content/changzhi/notes.txt": "x"})
    found = [p.relative_to(site).as_posix() for p in find_articles(site / "content")]
    assert found == ["content/changzhi/a.md"]


F = "content/changzhi/a.md"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no front matter here\n", [f"{F}:1: no front matter: an article starts with a '---' line, then 'title:' and 'date:', then '---'"]),
        ("---\ntitle: A\ndate: 2021-08-25\nBody\n", [f"{F}:1: front matter opened here is never closed: did you forget the closing '---'?"]),
        ("\n\n---\ntitle: A\ndate: 2021-08-25\ndek: [unclosed\n---\nBody\n", None),
        (article(title=""), [f"{F}:2: title: missing; every article needs one"]),
        (article(title="yes"), [f"{F}:2: title: True is not text; put it in quotes if you mean the word"]),
        (article(date="yesterday"), [f"{F}:3: date: 'yesterday' is not a date newsroom understands; write it as 2021-08-25, 2021-08-25 09:30 or 2021-08-25T09:30:00+08:00"]),
        (article(date="08/25/2021"), [f"{F}:3: date: '08/25/2021' is ambiguous (day or month first?); write it as 2021-08-25, 2021-08-25 09:30 or 2021-08-25T09:30:00+08:00"]),
        (article(date="2021-02-30"), [f"{F}:3: date: '2021-02-30' is not a real date (day is out of range for month)"]),
        (article(channel="beijing"), [f"{F}:4: channel: unknown channel 'beijing'; site.toml declares: changzhi, taiyuan"]),
        (article(section="weather"), [f"{F}:4: section: unknown section 'weather'; site.toml declares: news, business"]),
        (article(slug="../../etc"), [f"{F}:4: slug: '../../etc' would leave its folder; a slug is one path segment without '/'"]),
        (article(slug='"a b"'), [f"{F}:4: slug: 'a b' has spaces or characters that are not safe in a URL"]),
        (article(draft="maybe"), [f"{F}:4: draft: must be true or false, not 'maybe'"]),
        (article(tags="{a: 1}"), [f"{F}:4: tags: must be a list ([a, b]) or a comma-separated string"]),
        (article(author="Li Na", authors="[Wu Jia]"), [f"{F}:5: authors: both 'author' and 'authors' are set; keep one"]),
        (article(lang="chinese!"), [f"{F}:4: lang: 'chinese!' is not a language tag like 'en' or 'zh-CN'"]),
        (article(image="/images/missing.jpg"), [f"{F}:4: image.src: '/images/missing.jpg' not found: no file static/images/missing.jpg"]),
        (article(image="../../../etc/passwd"), [f"{F}:4: image.src: '../../../etc/passwd' would leave the content folder"]),
        (article(image="{src: a.jpg, size: big}"), [f"{F}:4: image.size: unknown field; a photo has src, caption, credit, alt, focus",
                                                    f"{F}:4: image.src: 'a.jpg' not found: no file content/changzhi/a.jpg"]),
        ("---\ntitle: A\ntitle: B\ndate: 2021-08-25\n---\n", [f"{F}:3: title: duplicate key 'title': which value is meant?"]),
        ("---\ntitle: A\ndate: 2021-08-25\n  dek: indented\n---\n", None),
    ],
)
def test_each_mistake_names_file_line_and_field(make_site, text: str, expected: list[str] | None) -> None:
    site = make_site({F: text})
    found = errors(site, F)
    if expected is None:  # YAML syntax errors: only the location is ours to promise
        assert len(found) == 1 and found[0].startswith(f"{F}:") and "invalid YAML" in found[0]
        line = int(found[0].split(":")[1])
        assert text.splitlines()[line - 1].strip() in ("dek: [unclosed", "---", "dek: indented")
    else:
        assert found == expected


def test_all_mistakes_of_a_file_at_once(make_site) -> None:
    site = make_site({F: article(date="soon", channel="nowhere", section="gossip")})
    assert [e.split(": ")[1] for e in errors(site, F)] == ["date", "channel", "section"]


def test_file_outside_any_channel_needs_a_channel(make_site) -> None:
    site = make_site({"content/misc/a.md": article()})
    assert errors(site, "content/misc/a.md") == [
        "content/misc/a.md:2: channel: missing; set 'channel:' or put the file in a channel folder (changzhi, taiyuan)"]


def test_not_utf8(make_site) -> None:
    site = make_site({F: article().encode("utf-8") + "\n\nCaf\u00e9".encode("latin-1")})
    assert errors(site, F) == [f"{F}:8: not UTF-8 text; save the file as UTF-8"]


def test_slips_are_kept_in_the_record_as_warnings(make_site) -> None:
    """Near-miss field names and photos without alt text or caption: warnings the record keeps
    (so a build from the cache repeats them), the article itself read as usual."""
    site = make_site({F: article(tag="parks", image="photo.jpg", body="![](photo.jpg)"),
                      "content/changzhi/photo.jpg": JPEG})
    a = load(site, F)
    assert [(w.line, w.field, w.warning) for w in a.warnings] == [(4, "tag", True), (5, "image", True),
                                                                    (7, "image", True)]
    assert a.extra == {"tag": "parks"} and a.image is not None and len(a.figures) == 1


def test_an_empty_image_block_is_no_photo(make_site) -> None:
    site = make_site({F: article(image='\n  src: ""\n  caption: ""\n  credit: ""\n  alt: ""')})
    a = load(site, F)
    assert a.image is None and a.warnings == ()
