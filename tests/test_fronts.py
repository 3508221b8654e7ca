"""Editors decide the front page: pinned lead and top stories, the breaking-news bar, ``until:``
times that end them at the build's clock, and ``[home]`` block sizes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SITE_TOML, article, run_build, snapshot

from newsroom import build, load_config
from newsroom.errors import BuildFailed

JPEG_FREE = {  # newest first: d (photo-less), c, b, a
    "content/changzhi/a.md": article("Main story of the day", "2021-08-25 08:00"),
    "content/changzhi/b.md": article("Bridge repairs", "2021-08-25 09:00"),
    "content/taiyuan/c.md": article("Market prices", "2021-08-25 10:00"),
    "content/taiyuan/d.md": article("Minor note", "2021-08-25 23:50"),
}
NOW = datetime(2021, 8, 26, 12, 0, tzinfo=UTC)


def lead(public: Path) -> str:
    html = (public / "index.html").read_text(encoding="utf-8")
    found = re.search(r'<h2 id="top-story-title" class="top-story-title"><a href="[^"]+">([^<]+)</a>', html)
    return found.group(1) if found else ""


def top_stories(public: Path) -> list[str]:
    html = (public / "index.html").read_text(encoding="utf-8")
    block = re.search(r'<section class="block top-stories".*?</section>', html, re.S)
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', block.group(0)) if block else []


def with_fields(text: str, **fields: str) -> str:
    return text.replace("---\n", "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()), 1)


def test_a_pinned_lead_beats_a_newer_story_and_pinned_tops_come_first(make_site) -> None:
    site = make_site({**JPEG_FREE,
                      "content/changzhi/a.md": with_fields(JPEG_FREE["content/changzhi/a.md"], placement="lead"),
                      "content/changzhi/b.md": with_fields(JPEG_FREE["content/changzhi/b.md"], placement="top")})
    build(load_config(site / "site.toml"), now=NOW)
    public = site / "public"
    assert lead(public) == "Main story of the day"
    assert top_stories(public) == ["Bridge repairs", "Minor note", "Market prices"]


def test_without_pins_the_newest_story_leads(make_site) -> None:
    site = make_site(JPEG_FREE)
    build(load_config(site / "site.toml"), now=NOW)
    assert lead(site / "public") == "Minor note"


def test_the_newest_claim_of_the_lead_wins_and_a_displaced_timed_claim_is_a_warning(make_site) -> None:
    site = make_site({**JPEG_FREE,
                      "content/changzhi/a.md": with_fields(JPEG_FREE["content/changzhi/a.md"], placement="lead",
                                                           until="2099-08-30 00:00"),
                      "content/changzhi/b.md": with_fields(JPEG_FREE["content/changzhi/b.md"], placement="lead")})
    done = run_build(cwd=site)
    assert done.returncode == 0, done.stderr
    assert lead(site / "public") == "Bridge repairs"
    assert "content/changzhi/a.md: placement: warning: the lead is also claimed by content/changzhi/b.md" \
        in done.stderr


def test_pins_and_the_breaking_bar_end_at_their_time(make_site, tmp_path: Path) -> None:
    files = {**JPEG_FREE,
             "content/changzhi/a.md": with_fields(JPEG_FREE["content/changzhi/a.md"], placement="lead",
                                                  breaking="true", until="2021-08-27 18:00")}
    site = make_site(files)
    config = load_config(site / "site.toml")
    before = build(config, now=NOW)
    public = site / "public"
    assert lead(public) == "Main story of the day"
    assert before.next_change is not None and before.next_change[1:] == ("content/changzhi/a.md",
                                                                         "leaves the front page")
    for page in (public / "index.html", public / "taiyuan/news/2021/08/d/index.html", public / "404.html"):
        html = page.read_text(encoding="utf-8")
        assert '<aside class="breaking" aria-label="Breaking">' in html, page
        assert '<a href="/changzhi/news/2021/08/a/">Main story of the day</a>' in html
    later = datetime(2021, 8, 27, 18, 0, 1, tzinfo=UTC)
    build(config, now=later)
    assert lead(public) == "Minor note"
    assert "breaking" not in (public / "index.html").read_text(encoding="utf-8").split("<header")[0]
    clean = tmp_path / "clean"
    build(load_config(site / "site.toml", output_dir=str(clean)), now=later)
    assert snapshot(public) == snapshot(clean)


def test_home_blocks_follow_the_home_table(make_site) -> None:
    stories = {**JPEG_FREE, **{f"content/changzhi/e{n}.md": article(f"Earlier story {n}", f"2021-08-2{n} 08:00")
                               for n in range(1, 4)}}  # more than the lead and top stories take
    site = make_site(stories)
    build(load_config(site / "site.toml"), now=NOW)
    html = (site / "public/index.html").read_text(encoding="utf-8")  # the defaults: every block with stories
    assert 'class="block latest"' in html and 'class="block section-block"' in html and "channel-blocks" in html
    toml = SITE_TOML + "\n[home]\ntop_stories = 2\nlatest = 0\nper_section = 0\nper_channel = 0\n"
    site = make_site(stories, site_toml=toml, folder="sized")
    build(load_config(site / "site.toml"), now=NOW)
    html = (site / "public/index.html").read_text(encoding="utf-8")
    assert len(top_stories(site / "public")) == 2
    assert 'class="block latest"' not in html and "section-block" not in html and "channel-blocks" not in html


@pytest.mark.parametrize(("text", "field", "message"), [
    ("placement: sidebar", "placement", "no place on the front"),
    ("until: 2021-08-30", "until", "neither"),
    ("placement: top\nuntil: 2020-01-01", "until", "not after the publication date"),
    ("breaking: maybe", "breaking", "true or false"),
])
def test_front_mistakes_are_errors_with_their_lines(make_site, text: str, field: str, message: str) -> None:
    site = make_site({"content/changzhi/a.md": article("A story", "2021-08-25 08:00").replace(
        "---\n", "---\n" + text + "\n", 1)})
    with pytest.raises(BuildFailed) as failed:
        build(load_config(site / "site.toml"), now=NOW)
    (error,) = [e for e in failed.value.errors if e.field == field]
    assert message in error.message and error.line is not None


def test_a_home_size_below_zero_is_an_error(make_site) -> None:
    site = make_site(JPEG_FREE, site_toml=SITE_TOML + "\n[home]\nlatest = -1\n")
    with pytest.raises(BuildFailed) as failed:
        load_config(site / "site.toml")
    assert [e.field for e in failed.value.errors] == ["home.latest"]


def test_pinning_a_story_rebuilds_as_a_clean_build_would(make_site, tmp_path: Path) -> None:
    site = make_site(JPEG_FREE)
    config = load_config(site / "site.toml")
    build(config, now=NOW)
    path = site / "content/changzhi/a.md"
    for fields in ({"placement": "lead"}, {"placement": "top", "breaking": "true"}, {}):
        path.write_text(with_fields(JPEG_FREE["content/changzhi/a.md"], **fields), encoding="utf-8")
        build(config, now=NOW)
        clean = tmp_path / f"clean-{len(fields)}-{fields.get('placement', '')}"
        build(load_config(site / "site.toml", output_dir=str(clean)), now=NOW)
        assert snapshot(site / "public") == snapshot(clean), fields


def test_a_channel_front_has_its_own_pins(make_site) -> None:
    toml = SITE_TOML + "\n[channel_front]\ntop_stories = 1\n"
    site = make_site({**JPEG_FREE,
                      "content/changzhi/a.md": with_fields(JPEG_FREE["content/changzhi/a.md"],
                                                           channel_placement="lead"),
                      "content/taiyuan/c.md": with_fields(JPEG_FREE["content/taiyuan/c.md"], channel_placement="top")},
                     site_toml=toml)
    build(load_config(site / "site.toml"), now=NOW)
    changzhi = (site / "public/changzhi/index.html").read_text(encoding="utf-8")
    assert re.search(r'class="top-story-title"><a href="[^"]+">Main story of the day<', changzhi)
    assert lead(site / "public") == "Minor note"  # the home page keeps its own order
    taiyuan = (site / "public/taiyuan/index.html").read_text(encoding="utf-8")
    assert re.search(r'class="top-story-title"><a href="[^"]+">Minor note<', taiyuan)
    block = re.search(r'<section class="block top-stories".*?</section>', taiyuan, re.S).group(0)
    assert "Market prices" in block
    assert "Market prices" not in taiyuan.split("</section>")[-1].split('class="pagination"')[0]  # not listed twice


@pytest.mark.parametrize(("fields", "fronts"), [
    ({"placement": "lead"}, {"index.html"}),
    ({"placement": "top"}, {"index.html"}),
    ({"channel_placement": "lead"}, {"changzhi/index.html"}),
])
def test_pinning_a_story_rewrites_the_front_that_shows_it_and_no_other_page(make_site, fields: dict[str, str],
                                                                            fronts: set[str]) -> None:
    site = make_site(JPEG_FREE)
    config = load_config(site / "site.toml")
    build(config, now=NOW)
    public = site / "public"

    def pages() -> dict[str, bytes]:
        return {p.relative_to(public).as_posix(): p.read_bytes() for p in public.rglob("*.html")}

    before = pages()
    path = site / "content/changzhi/a.md"
    path.write_text(with_fields(JPEG_FREE["content/changzhi/a.md"], **fields), encoding="utf-8")
    build(config, now=NOW)
    after = pages()
    assert {name for name in after if after[name] != before.get(name)} == fronts
