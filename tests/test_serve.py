"""The live preview as an editor uses it: a real `build.py serve` process, edited files, a browser."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, article, run_build

ARTICLE_URL = "/changzhi/news/2021/08/a/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""  # not listening yet


def until(check: Callable[[], object], what: str, seconds: float = 15) -> object:
    """Poll ``check`` until it returns something true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


@dataclass
class Preview:
    url: str
    site: Path
    process: subprocess.Popen[str]
    log: Path
    tmp: Path

    def get(self, path: str) -> tuple[int, str]:
        return fetch(self.url + path)

    def write(self, name: str, text: str) -> None:
        (self.site / name).write_text(text, encoding="utf-8")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")


def stop(process: subprocess.Popen[str]) -> None:
    """Ctrl-C, as an editor stops it; a server that does not stop is killed and fails the test."""
    process.send_signal(signal.SIGINT)
    try:
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def start(site: Path, tmp: Path, *args: str) -> tuple[subprocess.Popen[str], Path, Path, int]:
    port = free_port()
    tmpdir = tmp / "tmpdir"
    tmpdir.mkdir(exist_ok=True)
    log = tmp / "serve.log"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}, "TMPDIR": str(tmpdir)}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--port", str(port), *args],
                                   cwd=site, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    return process, log, tmpdir, port


@pytest.fixture
def preview(make_site, tmp_path: Path) -> Iterator[Preview]:
    site = make_site({"content/changzhi/a.md": article("First title"),
                      "content/changzhi/b.md": article("Second story", date="2021-08-24"),
                      "content/taiyuan/draft.md": article("Unfinished draft", draft="true"),
                      "content/taiyuan/later.md": article("A story for later", date="2099-01-01 08:00")})
    process, log, tmpdir, port = start(site, tmp_path)
    url = f"http://127.0.0.1:{port}"
    server = Preview(url, site, process, log, tmpdir)
    try:
        until(lambda: process.poll() is not None or fetch(url + "/")[0] == 200, "the server to start")
        assert process.poll() is None, server.output()
        yield server
        process.send_signal(signal.SIGINT)  # Ctrl-C
        assert process.wait(timeout=15) == 0, server.output()
        assert list(tmpdir.iterdir()) == [], "preview left temporary folders behind"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serves_on_loopback_with_livereload_only_in_preview(preview: Preview) -> None:
    status, page = preview.get(ARTICLE_URL)
    assert status == 200 and "<title>First title - Changzhi - Eshanxi</title>" in page
    assert '<script src="/livereload.js' in page
    assert preview.get("/livereload.js")[0] == 200
    assert f"serving {preview.url}/ with live reload" in preview.output()
    result = run_build("--output", str(preview.tmp.parent / "built"), cwd=preview.site)
    assert result.returncode == 0
    built = "".join(p.read_text(encoding="utf-8") for p in (preview.tmp.parent / "built").rglob("*.html"))
    assert "livereload" not in built and "newsroom-errors" not in built


def test_an_edit_is_served_and_only_that_file_is_read_again(preview: Preview) -> None:
    preview.write("content/changzhi/a.md", article("Edited title"))
    until(lambda: "Edited title" in preview.get(ARTICLE_URL)[1], "the new title")
    assert "Edited title" in preview.get("/changzhi/")[1]
    until(lambda: "(1 read," in preview.output(), "the rebuild line")


def test_a_burst_of_saves_is_one_rebuild(preview: Preview) -> None:
    before = preview.output().count("built ")
    for n in range(5):
        preview.write("content/changzhi/a.md", article(f"Burst {n}"))
    until(lambda: "Burst 4" in preview.get(ARTICLE_URL)[1], "the last title")
    time.sleep(0.5)
    assert preview.output().count("built ") == before + 1


def test_a_mistake_shows_an_overlay_and_fixing_it_brings_the_site_back(preview: Preview) -> None:
    preview.write("content/changzhi/a.md", "---\ntitle: [unclosed\ndate: 2021-08-25\n---\nBody\n")
    status, page = until(lambda: (r := preview.get(ARTICLE_URL)) and "newsroom-errors" in r[1] and r,
                         "the error overlay")
    assert "content/changzhi/a.md:2: title: invalid YAML" in page
    assert '<script src="/livereload.js' in page
    assert "newsroom-errors" in preview.get("/taiyuan/")[1]  # every page, newly opened ones too
    assert preview.process.poll() is None, "a mistake must not stop the server"

    preview.write("content/changzhi/a.md", article("Fixed title"))
    page = until(lambda: (p := preview.get(ARTICLE_URL)[1]) and "Fixed title" in p and p, "the fixed page")
    assert "newsroom-errors" not in page


def test_a_template_mistake_names_the_template_line(make_site, tmp_path: Path) -> None:
    files = {f"templates/{p.relative_to(REPO / 'templates').as_posix()}": p.read_text(encoding="utf-8")
             for p in (REPO / "templates").rglob("*.html")}
    site = make_site({"content/changzhi/a.md": article("First title"), **files}, site_toml=(
        "[site]\ntitle = 'Eshanxi'\nbase_url = 'https://x.example/'\n"
        "[[channels]]\nslug = 'changzhi'\nname = 'Changzhi'\n[[sections]]\nslug = 'news'\nname = 'News'\n"))
    process, log, tmpdir, port = start(site, tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        until(lambda: fetch(url + "/")[0] == 200, "the server to start")
        (site / "templates/article.html").write_text(
            "{% extends 'base.html' %}\n{% block main %}\n{{ article.nope }}\n{% endblock %}\n", encoding="utf-8")
        page = until(lambda: (p := fetch(url + ARTICLE_URL)[1]) and "newsroom-errors" in p and p, "the overlay")
        assert "templates/article.html:3: template error: " in page
    finally:
        stop(process)
    assert list(tmpdir.iterdir()) == []


def test_deleting_an_article_removes_its_page_and_headline(preview: Preview) -> None:
    assert "Second story" in preview.get("/changzhi/")[1]
    (preview.site / "content/changzhi/b.md").unlink()
    until(lambda: preview.get("/changzhi/news/2021/08/b/")[0] == 404, "the deleted page to 404")
    assert "Second story" not in preview.get("/changzhi/")[1]


def test_renaming_an_article_moves_its_page(preview: Preview) -> None:
    (preview.site / "content/changzhi/b.md").rename(preview.site / "content/changzhi/c.md")
    until(lambda: preview.get("/changzhi/news/2021/08/c/")[0] == 200, "the renamed page")
    assert preview.get("/changzhi/news/2021/08/b/")[0] == 404


def test_drafts_are_shown_with_a_badge(preview: Preview) -> None:
    status, page = preview.get("/taiyuan/news/2021/08/draft/")
    assert status == 200 and 'class="badge badge-draft"' in page


def test_scheduled_stories_are_shown_with_their_time(preview: Preview) -> None:
    """Editors check a scheduled story before it goes live; a build leaves it out."""
    status, page = preview.get("/taiyuan/news/2099/01/later/")
    assert status == 200 and 'class="badge badge-scheduled"' in page and "2099" in page
    assert "A story for later" in preview.get("/")[1]
    result = run_build("--output", str(preview.tmp.parent / "built"), cwd=preview.site)
    assert result.returncode == 0, result.stderr
    assert not (preview.tmp.parent / "built/taiyuan/news/2099/01/later").exists()


def test_no_drafts_flag_hides_them(make_site, tmp_path: Path) -> None:
    site = make_site({"content/taiyuan/draft.md": article("Unfinished draft", draft="true")})
    process, log, tmpdir, port = start(site, tmp_path, "--no-drafts")
    try:
        until(lambda: fetch(f"http://127.0.0.1:{port}/")[0] == 200, "the server to start")
        assert fetch(f"http://127.0.0.1:{port}/taiyuan/news/2021/08/draft/")[0] == 404
    finally:
        stop(process)


def test_a_port_in_use_is_a_one_line_error(make_site, tmp_path: Path) -> None:
    site = make_site({"content/changzhi/a.md": article()})
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_build("serve", "--port", str(port), cwd=site)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"serve failed: port {port} on 127.0.0.1 is already in use; choose another with --port"]


def test_an_open_page_reloads_by_itself(preview: Preview, browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(preview.url + ARTICLE_URL)
    page.wait_for_function("window.LiveReload !== undefined", timeout=10_000)
    assert page.locator("h1").inner_text() == "First title"
    time.sleep(0.3)  # let livereload.js finish its handshake
    preview.write("content/changzhi/a.md", article("Reloaded by itself"))
    page.wait_for_function("document.querySelector('h1').textContent === 'Reloaded by itself'", timeout=15_000)
    preview.write("content/changzhi/a.md", "---\ntitle: A\ndate: someday\n---\n")
    page.wait_for_selector("#newsroom-errors", timeout=15_000)
    assert "content/changzhi/a.md:3: date:" in page.locator("#newsroom-errors").inner_text()
    context.close()


def test_a_site_broken_from_the_start_shows_an_error_page(make_site, tmp_path: Path) -> None:
    site = make_site({"content/changzhi/a.md": article(date="someday")})
    process, log, tmpdir, port = start(site, tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        status, page = until(lambda: (r := fetch(url + "/"))[0] and r, "the server to start")
        assert status == 500
        assert "content/changzhi/a.md:3: date: &#x27;someday&#x27; is not a date" in page
        (site / "content/changzhi/a.md").write_text(article("Now fine"), encoding="utf-8")
        until(lambda: "Now fine" in fetch(url + "/")[1], "the site to come back")
    finally:
        stop(process)
    assert list(tmpdir.iterdir()) == []


def test_a_config_change_rebuilds_every_page(preview: Preview) -> None:
    config = preview.site / "site.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('title = "Eshanxi"', 'title = "Renamed Portal"'),
                      encoding="utf-8")
    until(lambda: "Renamed Portal" in preview.get(ARTICLE_URL)[1], "the article page with the new site title")
    assert "Renamed Portal" in preview.get("/taiyuan/")[1]
    config.write_text(config.read_text(encoding="utf-8").replace('title = "Renamed Portal"', 'title = "Eshanxi"'),
                      encoding="utf-8")
    until(lambda: "Renamed Portal" not in preview.get("/taiyuan/")[1], "the old title back on the channel page")
    until(lambda: "Renamed Portal" not in preview.get(ARTICLE_URL)[1], "the old title back on the article page")


def test_a_folder_without_its_slash_redirects_to_it(preview: Preview) -> None:
    import http.client

    for asked in ("/changzhi", "//changzhi"):
        connection = http.client.HTTPConnection(preview.url.removeprefix("http://"), timeout=5)
        try:
            connection.request("GET", asked)
            response = connection.getresponse()
            assert (response.status, response.getheader("Location")) == (302, "/changzhi/"), asked
        finally:
            connection.close()
    assert preview.get("/nowhere")[0] == 404
