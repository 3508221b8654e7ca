"""Site search: the Pagefind index the build makes, searched in Chromium as a reader does,
and kept up to date by every kind of build without indexing again what did not change."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from conftest import REPO, article, run_build, snapshot, static_server

from newsroom import build, load_config

GREENWAY = "Changzhi opens riverside greenway to cyclists"


def results(page) -> list[str]:
    page.wait_for_function("document.getElementById('search-status').textContent !== ''")
    return page.locator(".search-result h2").all_inner_texts()


def test_a_reader_finds_a_story_from_the_masthead_and_narrows_by_channel(sample_public: Path, browser) -> None:
    with static_server(sample_public) as origin:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        try:
            page.goto(origin + "/")
            page.fill("#masthead-q", "greenway")
            page.press("#masthead-q", "Enter")
            page.wait_for_url("**/search/?q=greenway")
            found = results(page)
            assert GREENWAY in found
            hit = page.locator(".search-result", has_text=GREENWAY)
            assert "greenway" in hit.locator(".search-excerpt mark").first.inner_text().lower()
            assert hit.locator(".search-meta").inner_text().endswith("· Changzhi")
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", hit.locator("time").inner_text())
            hit.locator("h2 a").click()
            page.wait_for_load_state("load")
            assert page.locator("h1").first.inner_text() == GREENWAY

            page.goto(origin + "/search/?q=greenway")
            results(page)
            page.select_option("select[name=channel]", "Taiyuan")
            page.wait_for_url("**channel=Taiyuan**")
            page.wait_for_function(f"![...document.querySelectorAll('.search-result h2')].some("
                                   f"h => h.textContent === {json.dumps(GREENWAY)})")
            assert GREENWAY not in results(page)
        finally:
            page.close()
    assert not errors


STORIES = {"content/changzhi/a.md": article("Lantern makers of Changzhi", "2020-02-01", body="Paper lanterns."),
           "content/taiyuan/b.md": article("Vinegar season in Taiyuan", "2021-03-01", body="Aged vinegar."),
           "content/taiyuan/c.md": article("Rail bridge opens", "2021-06-01", body="A bridge over the Fen.")}


def shard_files(public: Path) -> dict[str, bytes]:
    return {name: data for name, data in snapshot(public).items() if name.startswith("pagefind/")}


def test_the_index_has_a_shard_per_month_and_only_a_changed_one_is_made_again(make_site) -> None:
    site = make_site(STORIES)
    assert run_build(cwd=site).returncode == 0
    public = site / "public"
    before = shard_files(public)
    assert {name.split("/")[1] for name in before} == {"en-2020-02", "en-2021-03", "en-2021-06"}
    search = (public / "search/index.html").read_text(encoding="utf-8")
    assert ("&#34;/pagefind/en-2021-06/&#34;, &#34;/pagefind/en-2021-03/&#34;, &#34;/pagefind/en-2020-02/&#34;"
            in search)  # newest first
    kept = [public / "pagefind/en-2020-02", public / "pagefind/en-2021-06"]
    stamps = {p: p.stat().st_mtime_ns for folder in kept for p in folder.rglob("*") if p.is_file()}
    assert not any(name.startswith(("pagefind-ui", "pagefind-component-ui")) for name in
                   (p.name for folder in kept for p in folder.iterdir()))  # the site has its own search page

    (site / "content/taiyuan/b.md").write_text(article("Vinegar season in Taiyuan", "2021-03-01",
                                                        body="Aged vinegar, and noodles."), encoding="utf-8")
    assert run_build(cwd=site).returncode == 0
    after = shard_files(public)
    unchanged = ("pagefind/en-2020-02/", "pagefind/en-2021-06/")
    assert {n: d for n, d in after.items() if n.startswith(unchanged)} == \
        {n: d for n, d in before.items() if n.startswith(unchanged)}
    assert stamps == {p: p.stat().st_mtime_ns for folder in kept for p in folder.rglob("*") if p.is_file()}
    assert after != before  # the March 2021 shard was made again
    clean = make_site({**STORIES, "content/taiyuan/b.md": (site / "content/taiyuan/b.md").read_text()},
                      folder="clean")
    assert run_build(cwd=clean).returncode == 0
    assert snapshot(public) == snapshot(clean / "public")


def test_a_build_with_the_cache_in_memory_writes_the_same_index(make_site, tmp_path: Path) -> None:
    from newsroom.cache import BuildCache, cache_key

    site = make_site(STORIES)
    assert run_build(cwd=site).returncode == 0
    config = load_config(site / "site.toml", output_dir=str(tmp_path / "out"))
    build(config, cache=BuildCache(None, cache_key(config), config.root))
    assert shard_files(tmp_path / "out") == shard_files(site / "public")


def test_only_headlines_deks_and_bodies_are_indexed(make_site, browser) -> None:
    """A word of the footer of every page finds nothing; words of a headline, a dek and a
    body each find their story."""
    site = make_site({**STORIES, "content/changzhi/d.md": article(
        "Quillwort survey", "2021-07-01", body="Botanists counted marshwort by the reservoir.",
        dek="Volunteers logged fernbrake in the hills.")})
    toml = site / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'base_url = "https://www.eshanxi.example/"',
        'base_url = "https://www.eshanxi.example/"\ncopyright = "Zephyrine Press"').replace(
        "[build]", f'[build]\nstatic_dir = "{(REPO / "static").as_posix()}"'), encoding="utf-8")  # the search script
    assert run_build(cwd=site).returncode == 0
    assert "Zephyrine" in (site / "public/index.html").read_text(encoding="utf-8")
    with static_server(site / "public") as origin:
        page = browser.new_page()
        try:
            for word, found in (("zephyrine", []), ("quillwort", ["Quillwort survey"]),
                                ("fernbrake", ["Quillwort survey"]), ("marshwort", ["Quillwort survey"])):
                page.goto(origin + f"/search/?q={word}")
                assert results(page) == found, word
        finally:
            page.close()


def test_only_what_search_documents_show_makes_the_index_again(make_site) -> None:
    """A theme edit or another page size leaves every shard as it was; another base URL (the
    results' addresses) makes them again."""
    site = make_site(STORIES)
    assert run_build(cwd=site).returncode == 0
    index = site / "public/pagefind"

    def stamps() -> dict[Path, int]:
        return {p: p.stat().st_mtime_ns for p in index.rglob("*") if p.is_file()}

    before = stamps()
    toml = site / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("per_page = 2", "per_page = 3"), encoding="utf-8")
    assert run_build(cwd=site).returncode == 0
    assert stamps() == before
    toml.write_text(toml.read_text(encoding="utf-8").replace("https://www.eshanxi.example/",
                                                             "https://www.eshanxi.example/shanxi/"), encoding="utf-8")
    assert run_build(cwd=site).returncode == 0
    fragments = [p.read_bytes() for p in index.rglob("*.pf_fragment")]
    assert fragments and all(b"/shanxi/" in gzip.decompress(f) for f in fragments)


def test_a_site_can_do_without_search(make_site, tmp_path: Path) -> None:
    """``[build] search = false``: no index, no search page, no search box; every kind of
    build still gives what a clean build gives."""
    from newsroom.cache import BuildCache, cache_key
    from newsroom.incremental import Session
    from newsroom.patch import patch_articles

    site = make_site(STORIES)
    toml = site / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[build]", "[build]\nsearch = false"), encoding="utf-8")
    assert run_build(cwd=site).returncode == 0
    public = site / "public"
    assert not (public / "pagefind").exists() and not (public / "search").exists()
    assert "masthead-search" not in (public / "index.html").read_text(encoding="utf-8")
    story = site / "content/taiyuan/b.md"
    story.write_text(article("Vinegar season in Taiyuan", "2021-03-01", body="Aged vinegar."), encoding="utf-8")
    done = run_build(cwd=site)
    assert done.returncode == 0 and "1 read" in done.stdout
    clean = tmp_path / "clean"
    assert run_build("--output", str(clean), cwd=site).returncode == 0
    assert snapshot(public) == snapshot(clean)

    config = load_config(toml, drafts=True)
    cache, session = BuildCache(None, cache_key(config), config.root), Session(search=tmp_path / "search")
    build(config, preview=True, cache=cache, output=tmp_path / "preview", session=session)
    story.write_text(article("Vinegar season in Taiyuan", "2021-03-01", body="Old vinegar."), encoding="utf-8")
    assert patch_articles(config, cache, session, {story.resolve()}, tmp_path / "preview") is not None
    build(config, preview=True, output=tmp_path / "clean-preview", cache=BuildCache(None, cache_key(config),
                                                                                  config.root))
    assert snapshot(tmp_path / "preview") == snapshot(tmp_path / "clean-preview")
