"""The sample site deployed with rsync under a sub-path and served by a real nginx with the
configuration of docs/examples/nginx.conf: every link answers, the fingerprinted assets are
cached for a year as _headers says, an unknown address gets the site's own 404 page, and the
theme passes the Content-Security-Policy in Chromium."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import REPO, headers_rules, run_build

NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
if NGINX is None or shutil.which("rsync") is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI must have nginx and rsync: .ci/run installs Debian's packages")
    pytest.skip("no nginx or rsync (apt-get install nginx rsync)", allow_module_level=True)

EXAMPLE = REPO / "docs/examples/nginx.conf"
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never through a proxy


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def nginx(www: Path, port: int, work: Path) -> Iterator[str]:
    """nginx with the example server block, serving ``www`` on ``port``; stopped however the block ends."""
    server = EXAMPLE.read_text(encoding="utf-8")
    assert "listen 80;" in server and "root /srv/www;" in server
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};").replace("root /srv/www;", f"root {www};")
    (work / "logs").mkdir(parents=True, exist_ok=True)
    conf = work / "nginx.conf"
    conf.write_text("\n".join([
        "user root;" if os.geteuid() == 0 else "", "daemon off;", "master_process off;", "worker_processes 1;",
        f"pid {work}/nginx.pid;", f"error_log {work}/logs/error.log;", "events { worker_connections 64; }",
        "http {", "include /etc/nginx/mime.types;", "default_type application/octet-stream;", "access_log off;",
        *(f"{kind}_temp_path {work}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
        server, "}"]), encoding="utf-8")
    process = subprocess.Popen([NGINX, "-p", str(work), "-c", str(conf), "-e", str(work / "logs/error.log")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                raise AssertionError("nginx did not start: " + (work / "logs/error.log").read_text(errors="replace")
                                     + process.stdout.read().decode(errors="replace"))
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if time.monotonic() > deadline:
                raise AssertionError("nginx did not listen within 10 s")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with DIRECT.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


class Links(HTMLParser):
    ATTRIBUTES = {"href", "src", "poster"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in self.ATTRIBUTES:
                self.found.append(value)
            elif name == "srcset":
                self.found += [part.split()[0] for part in value.split(",") if part.strip()]
            elif name == "content" and tag == "meta" and value.startswith("http"):
                self.found.append(value)  # share cards' images and addresses


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The sample site built for http://127.0.0.1:PORT/en/, deployed to www/en/ and served by nginx."""
    root = tmp_path_factory.mktemp("hosted")
    site = root / "site"
    for name in ("content", "templates", "static"):
        shutil.copytree(REPO / name, site / name)
    shutil.copy(REPO / "site.toml", site / "site.toml")
    port = free_port()
    built = run_build("--base-url", f"http://127.0.0.1:{port}/en/", cwd=site)
    assert built.returncode == 0, built.stderr
    www = root / "www"
    done = run_build("deploy", "--target", str(www / "en"), cwd=site)
    assert done.returncode == 0, done.stderr
    with nginx(www, port, root / "nginx") as origin:
        yield origin, site / "public"


def test_every_link_of_the_hosted_site_answers(hosted: tuple[str, Path]) -> None:
    origin, public = hosted
    rules = headers_rules((public / "_headers").read_text(encoding="utf-8"))
    seen: dict[str, tuple[int, dict[str, str]]] = {}
    todo = [f"{origin}/en/"]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        status, headers, body = fetch(url)
        seen[url] = (status, headers)
        assert status == 200, f"{url}: {status}"
        kind = headers.get("Content-Type", "")
        if kind.startswith("text/html"):
            parser = Links()
            parser.feed(body.decode("utf-8"))
            found = parser.found
        elif "xml" in kind:
            found = re.findall(rb"<(?:loc|link)>([^<]+)</", body) + re.findall(rb'(?:href|url)="([^"]+)"', body)
            found = [f.decode().replace("&amp;", "&") for f in found]
        else:
            continue
        for link in found:
            target = urljoin(url, link).split("#")[0]
            if urlsplit(target).netloc == urlsplit(origin).netloc:
                assert urlsplit(target).path.startswith("/en/"), f"{url} links {link}, outside the sub-path"
                todo.append(target)
    pages = [u for u, (_, h) in seen.items() if h.get("Content-Type", "").startswith("text/html")]
    assert len(pages) > 150, len(pages)
    for url, (_, headers) in seen.items():
        path = urlsplit(url).path
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Content-Security-Policy"] == rules[
            "/en/*"]["Content-Security-Policy"], url
        expected = rules.get(path, {}).get("Cache-Control") or (
            rules["/en/_img/*"]["Cache-Control"] if path.startswith("/en/_img/") else "no-cache")
        assert headers["Cache-Control"] == expected, url
    styles = [u for u in seen if u.endswith(".css")]
    assert styles and all(re.search(r"\.[0-9a-f]{12}\.css$", u) for u in styles)  # only the fingerprinted names
    # every feed and sitemap _headers names answers, with the caching it says (robots.txt names the sitemaps)
    feeds = {p for p, r in rules.items() if r.get("Cache-Control") == "public, max-age=300"}
    assert {"/en/feed.xml", "/en/sitemap.xml", "/en/sitemap-news.xml"} <= feeds
    assert {urlsplit(u).path for u in seen} & feeds, "no feed is linked from the pages"
    robots = fetch(f"{origin}/en/robots.txt")[2].decode()
    assert f"Sitemap: {origin}/en/sitemap.xml" in robots
    for path in feeds:
        status, headers, _ = fetch(origin + path)
        assert status == 200 and headers["Cache-Control"] == "public, max-age=300", path


def test_an_unknown_address_gets_the_site_s_own_404_page(hosted: tuple[str, Path]) -> None:
    origin, public = hosted
    status, headers, body = fetch(f"{origin}/en/changzhi/no-such-story/")
    assert status == 404 and body == (public / "404.html").read_bytes()
    assert headers["Content-Type"].startswith("text/html") and b"Page not found" in body
    for hidden in ("_headers", ".newsroom-manifest"):
        assert fetch(f"{origin}/en/{hidden}")[0] == 404


def test_the_theme_passes_its_content_security_policy_in_chromium(hosted: tuple[str, Path], browser) -> None:
    origin, public = hosted
    article = next(p for p in (public / "changzhi").rglob("index.html") if "/20" in p.as_posix())
    page = browser.new_page()
    problems: list[str] = []  # CSP refusals and script errors, as the console reports them
    failed: list[str] = []  # anything a page asked for that did not come
    page.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning")
            and not message.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: failed.append(f"{request.url}: {request.failure}")
            if request.failure != "net::ERR_ABORTED" else None)  # not a failure: cancelled by leaving the page
    page.on("response", lambda response: failed.append(response.url) if response.status >= 400
            and response.request.resource_type != "document" else None)
    try:
        for path, status in (("/en/", 200), ("/en/changzhi/", 200), ("/en/no-such-page/", 404),
                             ("/en/" + article.relative_to(public).parent.as_posix() + "/", 200)):
            response = page.goto(origin + path)
            assert response is not None and response.status == status, path
            page.wait_for_load_state("networkidle")  # the lazy photos in view, too
            rules = page.evaluate("[...document.styleSheets].map(s => s.cssRules.length)")
            assert rules and all(count > 0 for count in rules), path  # the fingerprinted stylesheets applied
            assert page.evaluate("getComputedStyle(document.body).margin") == "0px", path  # the theme's, not the UA's
    finally:
        page.close()
    assert not problems and not failed, (problems, failed)
