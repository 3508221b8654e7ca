"""When a story is on the site: scheduled dates, expiry, drafts that never block a release, and the
old addresses (aliases) that lead to it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import SITE_TOML, article, run_build, snapshot
from htmlq import parse

from newsroom import BuildResult, build, load_config
from newsroom.errors import BuildFailed, SiteError

BASE = "https://www.eshanxi.example"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DRAFT_SUFFIX = "(in a draft, which is skipped)"

NOW = datetime(2026, 11, 30, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
LATER = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, after the scheduled story below

LIVE_URL = "/changzhi/news/2026/11/live/"
SOON_URL = "/changzhi/news/2026/12/soon/"
SITE = {
    "content/changzhi/live.md": article("Greenway opens", date="2026-11-20 09:30", tags="[parks]", author="Li Na"),
    "content/taiyuan/old.md": article("Older story", date="2026-11-10 08:00", section="business"),
    # goes live on Dec 1 at 08:00 in Shanghai; its tag, author and month are its own
    "content/changzhi/soon.md": article("Bridge reopens soon", date="2026-12-01 08:00", tags="[bridges]",
                                        author="Zhao Min", dek="Masons finish the arches", aliases="[/bridge.htm]"),
}


def built(make_site, files: dict[str, str | bytes], *, now: datetime = NOW, site_toml: str | None = None,
          folder: str = "site", **overrides: object) -> tuple[Path, BuildResult]:
    """Write a site, build it at ``now`` (``overrides`` as ``load_config`` takes them); its output and result."""
    site = make_site(files, site_toml=site_toml, folder=folder)
    config = load_config(site / "site.toml", **overrides)
    return config.dir("output"), build(config, now=now)


def failure(make_site, files: dict[str, str | bytes], *, now: datetime = NOW, strict: bool = False,
            site_toml: str | None = None, **overrides: object) -> tuple[SiteError, ...]:
    """The errors of a build that must fail; the output folder must not have been created."""
    site = make_site(files, site_toml=site_toml)
    config = load_config(site / "site.toml", **overrides)
    with pytest.raises(BuildFailed) as failed:
        build(config, now=now, strict=strict)
    assert not config.dir("output").exists()
    assert all(not e.warning for e in failed.value.errors)
    return failed.value.errors


def text_of(public: Path) -> str:
    """Every file of the output as one text, to prove that something appears nowhere."""
    return "\n".join(data.decode("utf-8", "replace") for data in snapshot(public).values())


def sitemap_locs(public: Path) -> list[str]:
    return [loc.text or "" for loc in ET.fromstring((public / "sitemap.xml").read_bytes()).iter(f"{SM}loc")]


# -- scheduled articles ------------------------------------------------------------------------------


def test_an_article_dated_after_now_is_nowhere_on_the_site(make_site) -> None:
    public, result = built(make_site, SITE)
    assert (public / LIVE_URL.strip("/") / "index.html").is_file()
    assert not (public / SOON_URL.strip("/")).exists()
    everything = text_of(public)
    for trace in (SOON_URL, "Bridge reopens soon", "Masons finish the arches", "Zhao Min", "bridges"):
        assert trace not in everything, f"{trace!r} leaked into the output"
    for gone in ("tags/bridges", "authors/zhao-min", "archive/2026/12", "bridge.htm", "_redirects"):
        assert not (public / gone).exists(), gone
    assert (public / "archive/2026/11/index.html").is_file()
    assert BASE + SOON_URL not in sitemap_locs(public)
    assert (result.articles, result.scheduled_skipped, result.drafts_skipped, result.expired_skipped) == (2, 1, 0, 0)
    assert result.next_change == (datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI), "content/changzhi/soon.md",
                                  "goes live")
    when = result.next_change[0]
    assert when.utcoffset() is not None and when == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


def test_future_builds_it_with_a_scheduled_badge(make_site) -> None:
    public, result = built(make_site, SITE, future=True)
    page = parse(public / SOON_URL.strip("/") / "index.html")
    badge = page.one("p", cls="badge-scheduled")
    assert badge.one("time").attrs["datetime"] == "2026-12-01T08:00:00+08:00"
    assert page.one("h1").text == "Bridge reopens soon"
    assert (result.articles, result.scheduled_skipped) == (3, 0)
    assert parse(public / LIVE_URL.strip("/") / "index.html").all("p", cls="badge-scheduled") == []
    assert (public / "tags/bridges/index.html").is_file()

    public, result = built(make_site, SITE, folder="without")  # the same site without future
    assert not (public / SOON_URL.strip("/")).exists()
    assert "badge-scheduled" not in text_of(public)


@pytest.mark.parametrize(("now", "live"), [
    (datetime(2026, 11, 30, 2, 30, tzinfo=UTC), True),  # 10:30 in Shanghai
    (datetime(2026, 11, 30, 1, 30, tzinfo=UTC), False),  # 09:30 in Shanghai
    (datetime(2026, 11, 30, 10, 30, tzinfo=SHANGHAI), True),
    (datetime(2026, 11, 30, 9, 59, 59, tzinfo=SHANGHAI), False),
], ids=["02:30Z", "01:30Z", "10:30+08", "09:59:59+08"])
def test_a_date_without_a_zone_is_in_the_site_time_zone(make_site, now: datetime, live: bool) -> None:
    files = {"content/changzhi/opening.md": article("Opening", date="2026-11-30 10:00"),
             "content/taiyuan/other.md": article("Other", date="2026-11-01 10:00")}
    public, result = built(make_site, files, now=now)
    assert (public / "changzhi/news/2026/11/opening/index.html").is_file() == live
    assert result.scheduled_skipped == (0 if live else 1)
    if not live:
        assert result.next_change == (datetime(2026, 11, 30, 2, 0, tzinfo=UTC), "content/changzhi/opening.md",
                                      "goes live")


def test_the_site_time_zone_decides_not_a_fixed_one(make_site) -> None:
    """10:00 in UTC is after 02:30 UTC: the same file, in a UTC site, is still to come."""
    toml = SITE_TOML.replace('base_url = "https://www.eshanxi.example/"',
                             'base_url = "https://www.eshanxi.example/"\ntimezone = "UTC"')
    files = {"content/changzhi/opening.md": article("Opening", date="2026-11-30 10:00")}
    public, result = built(make_site, files, site_toml=toml)
    assert not (public / "changzhi/news/2026/11/opening").exists()
    assert result.scheduled_skipped == 1
    assert result.next_change == (datetime(2026, 11, 30, 10, 0, tzinfo=UTC), "content/changzhi/opening.md",
                                  "goes live")


def test_a_scheduled_article_s_url_clash_is_reported_before_it_goes_live(make_site) -> None:
    """Left out today, the story must still not be able to break the build that publishes it: the clash
    of its URL with a live story's is reported now (as an error or a warning), not first on its date."""
    files = {"content/changzhi/a.md": article("Greenway opens", date="2026-11-20 09:00", slug="greenway"),
             "content/changzhi/b.md": article("Greenway, part two", date="2026-11-30 20:00", slug="greenway")}
    site = make_site(files)
    config = load_config(site / "site.toml")
    with pytest.raises(BuildFailed):  # on its date, the clash is an error...
        build(config, now=LATER)
    try:  # ...so it must be known today
        found = build(config, now=NOW, write=False).warnings
    except BuildFailed as failed:
        found = failed.errors
    clashes = [e for e in found if e.field == "slug"]
    assert {e.path for e in clashes} | {p for e in clashes for p in re.findall(r"content/\S+\.md", e.message)} == {
        "content/changzhi/a.md", "content/changzhi/b.md"}, found


# -- expiry ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["expires", "expiryDate"])
def test_an_expired_article_is_left_out_unless_asked_for(make_site, field: str) -> None:
    files = {"content/changzhi/live.md": SITE["content/changzhi/live.md"],
             "content/changzhi/notice.md": article("Road closed for the weekend", date="2026-11-20 08:00",
                                                   tags="[closures]", **{field: "2026-11-29 20:00"})}
    public, result = built(make_site, files)
    assert not (public / "changzhi/news/2026/11/notice").exists()
    assert "Road closed for the weekend" not in text_of(public)
    assert not (public / "tags/closures").exists()
    assert (result.articles, result.expired_skipped, result.scheduled_skipped, result.drafts_skipped) == (1, 1, 0, 0)
    assert result.next_change is None

    public, result = built(make_site, files, folder="expired", expired=True)
    assert (public / "changzhi/news/2026/11/notice/index.html").is_file()
    assert (result.articles, result.expired_skipped) == (2, 0)
    assert BASE + "/changzhi/news/2026/11/notice/" in sitemap_locs(public)


def test_next_change_is_the_earliest_of_expiries_and_go_live_dates(make_site) -> None:
    expiring = article("Exhibition closes", date="2026-11-01 09:00", expires="2026-12-01 00:00")
    public, result = built(make_site, {**SITE, "content/taiyuan/show.md": expiring})
    assert (public / "taiyuan/news/2026/11/show/index.html").is_file()  # not expired yet
    assert result.next_change == (datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI), "content/taiyuan/show.md", "expires")

    expiring = article("Exhibition closes", date="2026-11-01 09:00", expires="2026-12-02 00:00")
    _, result = built(make_site, {**SITE, "content/taiyuan/show.md": expiring}, folder="later")
    assert result.next_change == (datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI), "content/changzhi/soon.md",
                                  "goes live")


@pytest.mark.parametrize("expires", ["2026-11-20 09:30", "2026-11-19 23:00"])
def test_an_expiry_not_after_the_date_is_an_error(make_site, expires: str) -> None:
    files = {"content/changzhi/live.md": article("Greenway", date="2026-11-20 09:30", expires=expires)}
    (error,) = failure(make_site, files)
    assert (error.path, error.line, error.field) == ("content/changzhi/live.md", 4, "expires")
    assert "not after the publication date" in error.message


def test_expires_and_expiry_date_together_are_an_error(make_site) -> None:
    files = {"content/changzhi/live.md": article("Greenway", date="2026-11-20 09:30", expires="2026-12-20 00:00",
                                                 expiryDate="2026-12-21 00:00")}
    (error,) = failure(make_site, files)
    assert error.path == "content/changzhi/live.md"
    assert error.field in ("expires", "expiryDate") and error.line in (4, 5)
    assert "expires" in error.message and "expiryDate" in error.message


# -- going live and expiring: incremental builds are exact -----------------------------------------


def home_links(public: Path) -> set[str]:
    return {a.attrs.get("href", "") for a in parse(public / "index.html").all("a")}


def test_going_live_on_a_rebuild_equals_a_clean_build(make_site, tmp_path: Path) -> None:
    site = make_site(SITE)
    config = load_config(site / "site.toml")
    public = config.dir("output")
    before = build(config, now=NOW)
    assert before.scheduled_skipped == 1
    assert SOON_URL not in home_links(public)

    after = build(config, now=LATER)  # nothing in the files changed, only the time
    assert (after.scheduled_skipped, after.articles, after.next_change) == (0, 3, None)
    assert after.files_written > 0
    clean = tmp_path / "clean"
    build(load_config(site / "site.toml", output_dir=str(clean)), now=LATER)
    assert snapshot(public) == snapshot(clean)
    assert SOON_URL in home_links(public)
    assert (public / "tags/bridges/index.html").is_file()
    assert BASE + SOON_URL in sitemap_locs(public)


def test_a_scheduled_badge_goes_away_on_a_rebuild_after_the_date(make_site, tmp_path: Path) -> None:
    """With ``future`` the story is shown before its time, marked; once live, every page of it is as in a
    clean build (no badge left behind by the cache)."""
    site = make_site(SITE)
    config = load_config(site / "site.toml", future=True)
    public = config.dir("output")
    build(config, now=NOW)
    assert parse(public / SOON_URL.strip("/") / "index.html").all("p", cls="badge-scheduled")
    build(config, now=LATER)
    assert parse(public / SOON_URL.strip("/") / "index.html").all("p", cls="badge-scheduled") == []
    clean = tmp_path / "clean"
    build(load_config(site / "site.toml", output_dir=str(clean), future=True), now=LATER)
    assert snapshot(public) == snapshot(clean)


def test_expiring_on_a_rebuild_equals_a_clean_build(make_site, tmp_path: Path) -> None:
    files = {**SITE, "content/taiyuan/show.md": article("Exhibition closes", date="2026-11-25 09:00",
                                                        tags="[museums]", expires="2026-11-30 12:00")}
    site = make_site(files)
    config = load_config(site / "site.toml")
    public = config.dir("output")
    build(config, now=NOW)
    assert "/taiyuan/news/2026/11/show/" in home_links(public)

    after = build(config, now=datetime(2026, 11, 30, 5, 0, tzinfo=UTC))  # 13:00 in Shanghai
    assert after.expired_skipped == 1
    clean = tmp_path / "clean"
    build(load_config(site / "site.toml", output_dir=str(clean)), now=datetime(2026, 11, 30, 5, 0, tzinfo=UTC))
    assert snapshot(public) == snapshot(clean)
    assert "/taiyuan/news/2026/11/show/" not in home_links(public)
    assert not (public / "taiyuan/news/2026/11/show").exists()
    assert not (public / "tags/museums").exists()


# -- drafts never block a release ------------------------------------------------------------------

GOOD = {"content/changzhi/live.md": SITE["content/changzhi/live.md"]}
BROKEN_DRAFTS = {
    "unknown channel": (article("Half written", channel="nowhere", draft="true"), "channel"),
    "bad date": (article("Half written", date="25.08.2021", draft="true"), "date"),
    "broken YAML": ("---\ntitle: [oops\ndraft: true\ndate: 2026-11-20\n---\nNotes.\n", "title"),
    "Jekyll published false": (article("Half written", section="sport", published="false"), "section"),
}


@pytest.mark.parametrize("case", BROKEN_DRAFTS)
def test_a_draft_with_mistakes_is_skipped_with_warnings(make_site, case: str) -> None:
    text, field = BROKEN_DRAFTS[case]
    files = {**GOOD, "content/changzhi/draft.md": text}
    public, result = built(make_site, files)
    assert (public / LIVE_URL.strip("/") / "index.html").is_file()
    assert (result.articles, result.drafts_skipped) == (1, 1)
    mine = [w for w in result.warnings if w.path == "content/changzhi/draft.md"]
    assert mine and all(w.warning and w.message.endswith(DRAFT_SUFFIX) for w in mine)
    assert field in {w.field for w in mine}
    assert "Half written" not in text_of(public) and "Notes." not in text_of(public)


@pytest.mark.parametrize("case", BROKEN_DRAFTS)
def test_the_same_draft_fails_a_build_with_drafts(make_site, case: str) -> None:
    text, field = BROKEN_DRAFTS[case]
    errors = failure(make_site, {**GOOD, "content/changzhi/draft.md": text}, drafts=True)
    assert errors and {e.path for e in errors} == {"content/changzhi/draft.md"}
    assert field in {e.field for e in errors}
    assert not any(DRAFT_SUFFIX in e.message for e in errors)


@pytest.mark.parametrize("case", BROKEN_DRAFTS)
def test_strict_makes_a_draft_s_mistakes_errors(make_site, case: str) -> None:
    text, field = BROKEN_DRAFTS[case]
    errors = failure(make_site, {**GOOD, "content/changzhi/draft.md": text}, strict=True)
    assert field in {e.field for e in errors if e.path == "content/changzhi/draft.md"}


def test_a_good_draft_and_a_published_false_article_are_both_drafts(make_site) -> None:
    files = {**GOOD, "content/changzhi/d1.md": article("Draft one", draft="true"),
             "content/changzhi/d2.md": article("Draft two", published="false")}
    public, result = built(make_site, files)
    assert (result.articles, result.drafts_skipped, result.warnings) == (1, 2, ())
    assert not (public / "changzhi/news/2021").exists()
    public, result = built(make_site, files, folder="with", drafts=True)
    assert (result.articles, result.drafts_skipped) == (3, 0)
    assert (public / "changzhi/news/2021/08/d2/index.html").is_file()


def test_every_mistake_of_a_site_in_one_failure(make_site) -> None:
    """A URL clash is found by the model, a bad date by the reader: one run reports both."""
    files = {"content/changzhi/a.md": article("First"), "content/changzhi/c.md": article("Second", slug="a"),
             "content/taiyuan/d.md": article("Third", date="25.08.2021")}
    errors = failure(make_site, files)
    clashes = [e for e in errors if e.field == "slug"]
    assert clashes, errors
    named = {e.path for e in clashes} | {p for e in clashes for p in re.findall(r"content/\S+\.md", e.message)}
    assert named == {"content/changzhi/a.md", "content/changzhi/c.md"}
    assert all("/changzhi/news/2021/08/a/" in e.message for e in clashes)
    dates = [e for e in errors if e.field == "date"]
    assert [(e.path, e.line) for e in dates] == [("content/taiyuan/d.md", 3)]


# -- aliases -------------------------------------------------------------------------------------------

ALIASED = {
    "content/changzhi/a.md": article("Greenway opens", aliases="[/2021-08/25/content_1234.htm, /old/story/, old-path]"),
    "content/taiyuan/b.md": article("Library hours", redirect_from="/library/hours.html"),
}
A_URL = "/changzhi/news/2021/08/a/"
B_URL = "/taiyuan/news/2021/08/b/"
REDIRECT_FILES = {"2021-08/25/content_1234.htm": A_URL, "old/story/index.html": A_URL,
                  "old-path/index.html": A_URL, "library/hours.html": B_URL}


def redirect_of(page: Path) -> tuple[str, str, str]:
    """A redirect page's meta refresh target, canonical link and the link a reader can follow."""
    doc = parse(page)
    refresh = doc.one("meta", http_equiv="refresh").attrs["content"]
    match = re.fullmatch(r"0; ?url=(\S+)", refresh)
    assert match, refresh
    (link,) = [a.attrs["href"] for a in doc.one("body").all("a")]
    return match.group(1), doc.one("link", rel="canonical").attrs["href"], link


def test_aliases_are_redirect_pages_to_the_article(make_site) -> None:
    public, result = built(make_site, ALIASED)
    for name, target in REDIRECT_FILES.items():
        assert redirect_of(public / name) == (target, BASE + target, target), name
    assert "Greenway opens" in parse(public / "old/story/index.html").one("body").text
    lines = (public / "_redirects").read_text(encoding="utf-8").split("\n")
    assert sorted(line for line in lines if line.strip()) == sorted([
        f"/2021-08/25/content_1234.htm {A_URL} 301", f"/old/story/ {A_URL} 301", f"/old-path/ {A_URL} 301",
        f"/library/hours.html {B_URL} 301"])
    locs = sitemap_locs(public)
    assert BASE + A_URL in locs
    assert not [loc for loc in locs if "old" in loc or "content_1234" in loc or "library" in loc]
    assert result.articles == 2


def test_aliases_under_a_sub_path(make_site) -> None:
    files = {"content/changzhi/a.md": article(
        "Greenway opens", aliases="[/old/story/, 'https://example.org/shanxi/2021-08/25/content_1234.htm']")}
    public, _ = built(make_site, files, base_url="https://example.org/shanxi/")
    target = "/shanxi" + A_URL
    for name in ("old/story/index.html", "2021-08/25/content_1234.htm"):
        assert redirect_of(public / name) == (target, "https://example.org" + target, target), name
    lines = [line for line in (public / "_redirects").read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sorted(lines) == [f"/shanxi/2021-08/25/content_1234.htm {target} 301", f"/shanxi/old/story/ {target} 301"]


def test_an_alias_written_as_a_full_address_of_this_site(make_site) -> None:
    files = {"content/changzhi/a.md": article("Greenway opens", aliases=f"[{BASE}/very/old.html]")}
    public, _ = built(make_site, files)
    assert redirect_of(public / "very/old.html") == (A_URL, BASE + A_URL, A_URL)


def test_no_redirects_file_without_aliases(make_site) -> None:
    public, _ = built(make_site, {"content/changzhi/a.md": article("Greenway opens")})
    assert not (public / "_redirects").exists()


ALIAS_CLASHES = {
    "another article's URL": ({"content/taiyuan/b.md": article("Other", aliases=f"[{A_URL}]")},
                              "content/taiyuan/b.md", "content/changzhi/a.md"),
    "a listing page": ({"content/taiyuan/b.md": article("Other", aliases="[/changzhi/]")},
                       "content/taiyuan/b.md", "'Changzhi'"),
    "another article's alias": ({"content/taiyuan/b.md": article("Other", aliases="[/old/story/]")},
                                "content/taiyuan/b.md", "content/changzhi/a.md"),
}


@pytest.mark.parametrize("case", ALIAS_CLASHES)
def test_an_alias_on_a_taken_address_is_an_error(make_site, case: str) -> None:
    extra, owner, other = ALIAS_CLASHES[case]
    files = {"content/changzhi/a.md": article("Greenway opens", aliases="[/old/story/]"), **extra}
    errors = failure(make_site, files)
    mine = [e for e in errors if e.field == "aliases" and e.path == owner]
    assert mine, errors
    assert any(other in e.message for e in mine), mine
    assert {e.path for e in errors} <= {"content/changzhi/a.md", "content/taiyuan/b.md"}


NO_SLASH = SITE_TOML.replace('base_url = "https://www.eshanxi.example/"', 'base_url = "https://www.eshanxi.example"')


def test_a_base_url_without_its_final_slash_still_accepts_full_addresses_of_this_site(make_site) -> None:
    """site.toml accepts ``base_url`` without the final slash; an alias written in full must not care."""
    files = {"content/changzhi/a.md": article("Greenway opens", aliases=f"[{BASE}/very/old.html]")}
    public, _ = built(make_site, files, site_toml=NO_SLASH)
    assert redirect_of(public / "very/old.html") == (A_URL, BASE + A_URL, A_URL)


def test_a_base_url_without_its_final_slash_still_refuses_other_hosts(make_site) -> None:
    """``https://www.eshanxi.example.evil/x`` starts with ``https://www.eshanxi.example`` but is another site."""
    files = {"content/changzhi/a.md": article("Greenway opens", aliases="['https://www.eshanxi.example.evil/x']")}
    (error,) = failure(make_site, files, site_toml=NO_SLASH)
    assert (error.path, error.field) == ("content/changzhi/a.md", "aliases")


def test_an_alias_on_the_redirects_file_is_an_error_not_a_crash(make_site) -> None:
    """``/_redirects`` is a file of the site (with no dot in its name); an alias there is a folder inside it."""
    errors = failure(make_site, {"content/changzhi/a.md": article("Greenway opens", aliases="[/_redirects]")})
    assert {(e.path, e.field) for e in errors} == {("content/changzhi/a.md", "aliases")}


@pytest.mark.parametrize("alias", ["https://other.example/x", "//other.example/x", "https://www.eshanxi.example.evil/x"])
def test_an_alias_on_another_host_is_an_error(make_site, alias: str) -> None:
    (error,) = failure(make_site, {"content/changzhi/a.md": article("Greenway opens", aliases=f"['{alias}']")})
    assert (error.path, error.line, error.field) == ("content/changzhi/a.md", 4, "aliases")
    assert "another site" in error.message


# -- the command line --------------------------------------------------------------------------------


def test_build_py_says_when_the_site_changes_next(make_site) -> None:
    site = make_site({"content/changzhi/live.md": article("Greenway opens"),
                      "content/changzhi/later.md": article("A story for later", date="2099-06-01 08:00")})
    result = run_build(cwd=site)
    assert result.returncode == 0, result.stderr
    assert "next: content/changzhi/later.md goes live at 2099-06-01 08:00 +0800" in result.stdout.splitlines()
    assert not (site / "public/changzhi/news/2099").exists()
    assert (site / "public/changzhi/news/2021/08/live/index.html").is_file()
