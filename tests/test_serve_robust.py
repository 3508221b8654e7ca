"""The live preview under abuse: hostile URLs, bursts of saves, files vanishing mid-build,
editors' temporary files and exceptions nobody planned for. Each test runs a real
`build.py serve` process (helpers from test_serve.py) and stops it however the test ends."""

from __future__ import annotations

import http.client
import os
import random
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import SITE_TOML, article
from test_serve import ARTICLE_URL, fetch, start, stop, until
from test_serve import Preview as Server

SECRET = "TOP-SECRET-do-not-serve-7f3a"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
       b"\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82")  # 1x1, grey
ROOMY_SITE_TOML = SITE_TOML.replace("per_page = 2", "per_page = 50")  # fewer index pages for big sites
RESULTS = ("built ", "build failed", "internal error during rebuild")  # how a rebuild ends, in the log


@contextmanager
def serving(site: Path, tmp_path: Path, *args: str) -> Iterator[Server]:
    """A running `build.py serve` on ``site``, stopped with Ctrl-C (killed if it does not
    stop) however the block ends; it must leave no temporary folder behind."""
    process, log, tmpdir, port = start(site, tmp_path, *args)
    server = Server(f"http://127.0.0.1:{port}", site, process, log, tmpdir)
    try:
        until(lambda: process.poll() is not None or fetch(server.url + "/")[0] == 200, "the server to start")
        assert process.poll() is None, server.output()
        yield server
    finally:
        stop(process)
    assert not list(tmpdir.glob("newsroom-preview-*")), "the preview left its temporary folder behind"


def raw_get(server: Server, path: str) -> tuple[int, bytes]:
    """GET ``path`` exactly as written: http.client neither normalises nor encodes it."""
    connection = http.client.HTTPConnection("127.0.0.1", urlsplit(server.url).port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def preview_folder(server: Server) -> Path:
    """The folder the preview builds into, inside the TMPDIR the test gave it."""
    [folder] = server.tmp.glob("newsroom-preview-*/site")
    return folder


def log_length(server: Server) -> int:
    """How many lines the log has: what comes later is what an action caused."""
    return len(server.output().splitlines())


def rebuilt_after(server: Server, since: int, marker: str) -> str:
    """Wait for the end of the rebuild that follows the first log line after line ``since``
    holding ``marker``; returns the line that ends it (built, build failed or internal error)."""
    def result() -> str | None:
        lines = server.output().splitlines()[since:]
        start = next((n for n, line in enumerate(lines) if marker in line), None)
        return None if start is None else next((x for x in lines[start + 1:] if x.startswith(RESULTS)), None)

    return until(result, f"a rebuild after {marker!r}")


def alive_and_well(server: Server) -> None:
    """The process runs and no thread of it died (a dead thread leaves its traceback)."""
    assert server.process.poll() is None, server.output()
    assert "Exception in thread" not in server.output(), server.output()


# -- path safety --------------------------------------------------------------------------


def traversal_paths() -> list[str]:
    """Ways of writing 'go up and read secret.txt', beside the preview's folder or in the site folder."""
    ups = ["..", "%2e%2e", "%2E%2e", ".%2e", "%252e%252e", "%25%32%65%25%32%65"]
    separators = ["/", "%2f", "%2F", "\\", "%5c", "%5C", "%252f"]
    targets = ["secret.txt", "site/secret.txt", "site/site.toml"]
    paths = [f"/{(up + sep) * depth}{target}"
             for up in ups for sep in separators for depth in (1, 2, 3, 4) for target in targets]
    return paths + [
        "/../../../../../../../../etc/passwd", "//etc/passwd", "///etc/passwd", "/%2Fetc%2Fpasswd",
        "/%2f%2fetc%2fpasswd", "/%2e%2e%2f%2e%2e%2f%2e%2e%2fsite%2fsecret.txt", "/..%2f..%2f..%2fsite/secret.txt",
        "/%2f..%2f..%2fsecret.txt", "/changzhi/../../../secret.txt", "/changzhi/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/..\\..\\..\\site\\secret.txt", "/%00", "/secret.txt%00", "/index.html%00", "/%00/../secret.txt",
        "/404.html%00.txt", "/%0a", "/%0d%0a", "/%1b", "/%7f", "/" + "a" * 300, "/" + "a/" * 2000,
        "/leak.txt", "/up/secret.txt", "/up/site.toml", "/up/", "/up", "/loop", "/loop/", "/outside/",
        "/outside/secret.txt",
    ]


def test_no_request_reads_a_file_outside_the_preview_folder(make_site, tmp_path: Path) -> None:
    site = make_site({"content/changzhi/a.md": article("First title"), "secret.txt": SECRET})
    with serving(site, tmp_path) as server:
        (server.tmp / "secret.txt").write_text(SECRET, encoding="utf-8")  # beside the preview's folder
        folder = preview_folder(server)
        (folder / "leak.txt").symlink_to(site / "secret.txt")  # symlinks in the preview that lead out
        (folder / "up").symlink_to(site)
        (folder / "outside").symlink_to(server.tmp)
        (folder / "loop").symlink_to(folder / "loop")
        status, not_found = raw_get(server, "/no-such-page/")
        assert status == 404 and b"Page not found" in not_found

        for path in traversal_paths():
            status, body = raw_get(server, path)
            assert (status, body) == (404, not_found), f"{path} answered {status}"
            assert SECRET.encode() not in body and b"root:" not in body

        assert raw_get(server, "/")[0] == 200
        assert raw_get(server, ARTICLE_URL)[0] == 200
        alive_and_well(server)
        assert "Traceback" not in server.output()  # no request ended in an error 500


# -- bursts, vanishing files, editors ----------------------------------------------------------


def test_a_thousand_file_events_neither_kill_nor_wedge_the_server(make_site, tmp_path: Path) -> None:
    site = make_site({"content/changzhi/a.md": article("First title")}, site_toml=ROOMY_SITE_TOML)
    folder = site / "content/taiyuan"
    folder.mkdir()
    temporaries = [".{}.md.swp", "{}.md~", "#{}.md#", "{}.md.tmp", "{}.md___jb_tmp___", ".goutputstream-{}"]
    with serving(site, tmp_path) as server:
        for n in range(1000):  # new articles, editors' temporary files and rewrites of a.md, in turn
            if n % 3 == 0:
                (folder / f"n{n:04d}.md").write_text(article(f"New story {n}"), encoding="utf-8")
            elif n % 3 == 1:
                (folder / temporaries[n % len(temporaries)].format(n)).write_text("scratch", encoding="utf-8")
            else:
                server.write("content/changzhi/a.md", article(f"Rewrite {n}"))
            if n % 100 == 99:
                time.sleep(0.1)  # a rebuild starts; the next hundred events come while it runs
        server.write("content/changzhi/a.md", article("Final title"))

        until(lambda: "Final title" in server.get(ARTICLE_URL)[1], "the final edit")
        new = range(0, 1000, 3)
        until(lambda: server.get(f"/taiyuan/news/2021/08/n{new[-1]:04d}/")[0] == 200, "the last new article")
        missing = [n for n in new if server.get(f"/taiyuan/news/2021/08/n{n:04d}/")[0] != 200]
        assert missing == [], server.output()[-3000:]
        assert server.get("/")[0] == 200
        alive_and_well(server)
        assert "internal error" not in server.output(), server.output()
        named = {name for line in server.output().splitlines() if line.startswith("changed: ")
                 for name in line.removeprefix("changed: ").removesuffix(" ...").split(", ")}
        assert {Path(name).name for name in named} - {"a.md"} <= {f"n{n:04d}.md" for n in new}  # no temporaries


def test_files_deleted_during_rebuilds_leave_a_site_that_matches_the_disk(make_site, tmp_path: Path) -> None:
    count, kept = 120, 20
    files: dict[str, str | bytes] = {"content/changzhi/a.md": article("First title")}
    for n in range(count):
        files[f"content/changzhi/s{n:03d}.md"] = article(f"Story {n:03d}", image=f"s{n:03d}.png")
        files[f"content/changzhi/s{n:03d}.png"] = PNG
    site = make_site(files)
    content = site / "content/changzhi"
    chance = random.Random(7)
    with serving(site, tmp_path) as server:
        assert server.get("/changzhi/news/2021/08/s000/")[0] == 200
        assert raw_get(server, "/changzhi/s000.png")[0] == 200
        for n in range(count - kept):  # an article and its photo, in either order
            for path in [content / f"s{n:03d}.png", content / f"s{n:03d}.md"][:: chance.choice((1, -1))]:
                path.unlink()
            if n % 4 == 3:
                time.sleep(chance.uniform(0.06, 0.2))  # long enough for a rebuild to start: delete under it
        server.write("content/changzhi/a.md", article("Final title"))

        until(lambda: "Final title" in server.get(ARTICLE_URL)[1], "the final edit")
        assert "newsroom-errors" not in server.get("/")[1]
        for n in range(count):
            expected = 404 if n < count - kept else 200
            assert server.get(f"/changzhi/news/2021/08/s{n:03d}/")[0] == expected, n
            assert raw_get(server, f"/changzhi/s{n:03d}.png")[0] == expected, n
        alive_and_well(server)


def test_editor_temporary_files_are_not_changes(make_site, tmp_path: Path) -> None:
    site = make_site({"content/changzhi/a.md": article("First title"), "static/robots.txt": "User-agent: *\n"})
    names = [".a.md.swp", ".a.md.swx", ".a.md.swo", "a.md~", "4913", "5036", "#a.md#", "a.md___jb_tmp___",
             "a.md___jb_old___", ".goutputstream-X3ZQ2Y", ".a.md.kate-swp", "a.md.tmp", "a.md.part",
             "photo.jpg.crdownload", ".DS_Store"]
    with serving(site, tmp_path) as server:
        builds = server.output().count("built ")
        for folder in (site / "content/changzhi", site / "static"):
            for name in names:
                (folder / name).write_text("scratch", encoding="utf-8")
            (folder / ".#a.md").symlink_to("editor@host.4242:1700000000")  # emacs's lock is a dangling symlink
            for name in ("4913", ".a.md.swx", ".#a.md"):  # written and removed at once, as editors do
                (folder / name).unlink()
        time.sleep(1)  # a rebuild they caused would start, as a batch of its own, in this time
        since = log_length(server)
        server.write("content/changzhi/a.md", article("Edited title"))
        assert rebuilt_after(server, since, "changed: content/changzhi/a.md").startswith("built ")
        assert "Edited title" in server.get(ARTICLE_URL)[1]

        changes = [line for line in server.output().splitlines() if line.startswith("changed:")]
        assert changes == ["changed: content/changzhi/a.md"], server.output()
        assert server.output().count("built ") == builds + 1

        (site / "static/.well-known").mkdir()  # a dot folder that is no editor's is a change, and published
        (site / "static/.well-known/security.txt").write_text("Contact: mailto:desk@example.org\n", encoding="utf-8")
        until(lambda: "desk@example.org" in server.get("/.well-known/security.txt")[1], "the security.txt")
        alive_and_well(server)


# -- exceptions nobody planned for --------------------------------------------------------


def test_an_unexpected_exception_keeps_the_last_good_site_until_a_change_builds(
        make_site, tmp_path: Path, monkeypatch) -> None:
    # newsroom.faults: every build that reads an article raises; this site starts with none
    monkeypatch.setenv("NEWSROOM_RAISE_AT", "read")
    site = make_site({"static/robots.txt": "User-agent: *\n"})
    (site / "content/changzhi").mkdir()
    with serving(site, tmp_path) as server:
        server.write("content/changzhi/a.md", article("First title"))
        assert rebuilt_after(server, 0, "changed: content/changzhi/a.md") == (
            "internal error during rebuild: InjectedFault: injected fault at 'read'; "
            "the preview keeps the last good site")
        assert "Traceback (most recent call last)" in server.output()  # for the bug report
        assert server.get("/")[0] == 200 and server.get("/robots.txt")[0] == 200  # the last good site
        assert server.get(ARTICLE_URL)[0] == 404
        alive_and_well(server)

        server.write("static/notes.txt", "the new notes\n")  # tried again, and fails again: a.md is read
        assert rebuilt_after(server, 0, "changed: static/notes.txt").startswith("internal error during rebuild")
        since = log_length(server)
        (site / "content/changzhi/a.md").unlink()  # now nothing is read: the build goes through
        assert rebuilt_after(server, since, "changed: content/changzhi/a.md").startswith("built ")
        assert server.get("/notes.txt") == (200, "the new notes\n")  # with the change of the failed one
        assert "newsroom-errors" not in server.get("/")[1]
        alive_and_well(server)


def test_a_file_name_that_is_not_utf8_does_not_stop_the_preview(make_site, tmp_path: Path) -> None:
    site = make_site({"content/changzhi/a.md": article("First title")})
    bad = os.path.join(os.fsencode(site / "content/changzhi"), b"caf\xe9.md")  # a Latin-1 name
    with serving(site, tmp_path) as server:
        with open(bad, "w", encoding="utf-8") as stream:
            stream.write(article("Strange name"))
        rebuilt_after(server, 0, "changed: content/changzhi/caf")
        assert server.get(ARTICLE_URL)[0] == 200
        alive_and_well(server)

        os.unlink(bad)
        server.write("content/changzhi/a.md", article("Edited title"))
        until(lambda: "Edited title" in server.get(ARTICLE_URL)[1], "the edit")
        alive_and_well(server)


def test_a_symlink_loop_in_content_does_not_stop_the_watching(make_site, tmp_path: Path) -> None:
    site = make_site({"content/changzhi/a.md": article("First title")})
    with serving(site, tmp_path) as server:
        (site / "content/changzhi/loop.md").symlink_to("loop.md")
        rebuilt_after(server, 0, "changed: content/changzhi/loop.md")
        (site / "content/changzhi/loop.md").unlink()
        server.write("content/changzhi/a.md", article("Edited title"))
        until(lambda: "Edited title" in server.get(ARTICLE_URL)[1], "the edit")
        alive_and_well(server)


def test_an_edit_does_not_hide_a_mistake_that_is_still_there(make_site, tmp_path: Path) -> None:
    site = make_site({"content/changzhi/a.md": article("First title"), "static/robots.txt": "User-agent: *\n"})
    with serving(site, tmp_path) as server:
        (site / "static/changzhi").mkdir()
        server.write("static/changzhi/index.html", "<p>a page of its own</p>")  # where the channel page goes
        until(lambda: "newsroom-errors" in server.get(ARTICLE_URL)[1], "the error overlay")
        since = log_length(server)
        server.write("content/changzhi/a.md", article("Edited title"))
        assert rebuilt_after(server, since, "changed: content/changzhi/a.md").startswith("build failed")
        page = server.get(ARTICLE_URL)[1]
        assert "newsroom-errors" in page and "changzhi/index.html is also written by" in page

        (site / "static/changzhi/index.html").unlink()
        until(lambda: "Edited title" in (p := server.get(ARTICLE_URL)[1]) and "newsroom-errors" not in p,
              "the edit, without errors")
        alive_and_well(server)


def first_build_at(tmpdir: Path, moment: str) -> bool:
    """Has the first build reached ``moment``: "start" (its folder is made) or "render" (a page
    is in its staging folder, written by a worker), or is it done?"""
    for preview in tmpdir.glob("newsroom-preview-*"):
        if moment == "start" or (preview / "site").exists():
            return True
        for staging in preview.glob(".site.staging-*"):
            if any("index.html" in files for _, _, files in os.walk(staging)):
                return True
    return False


@pytest.mark.parametrize("moment", ["start", "render"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_stopping_during_the_first_build_leaves_nothing_behind(make_site, tmp_path: Path, signum: int,
                                                                moment: str) -> None:
    site = make_site({f"content/changzhi/s{n:03d}.md": article(f"Story {n}", body="Words. " * 200)
                      for n in range(400)}, site_toml=ROOMY_SITE_TOML)
    process, log, tmpdir, port = start(site, tmp_path)
    try:  # most likely while the build runs; fine if it is just over
        until(lambda: process.poll() is not None or first_build_at(tmpdir, moment), f"the first build's {moment}")
        process.send_signal(signum)
        assert process.wait(timeout=30) == 0, log.read_text(encoding="utf-8")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in log.read_text(encoding="utf-8")
    assert list(tmpdir.iterdir()) == [], "the preview left its temporary folder behind"


# -- the same, in-process --------------------------------------------------------------------


def test_rebuild_survives_an_unexpected_exception_and_builds_again(make_site, monkeypatch) -> None:
    from newsroom import serve

    site = make_site({"content/changzhi/a.md": article("First title")})
    lines: list[str] = []
    preview = serve.Preview(site / "site.toml", base_url="http://127.0.0.1:1/", drafts=True, log=lines.append)
    real_build = serve.build

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("disk on fire")

    def interrupted(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    try:
        good = preview.rebuild()
        assert good.root is not None and good.errors == ()
        monkeypatch.setattr(serve, "build", broken)
        monkeypatch.setattr(serve, "restructure_preview", broken)  # a new story: the structural quick path
        (site / "content/changzhi/b.md").write_text(article("Second story"), encoding="utf-8")
        assert preview.rebuild({(site / "content/changzhi/b.md").resolve()}) == good  # the last good site
        assert lines[-1] == ("internal error during rebuild: RuntimeError: disk on fire; "
                             "the preview keeps the last good site")
        assert "  Traceback (most recent call last):" in lines

        monkeypatch.setattr(serve, "build", real_build)
        monkeypatch.undo()  # the structural quick path too
        (site / "content/changzhi/a.md").write_text(article("Edited title"), encoding="utf-8")
        state = preview.rebuild({(site / "content/changzhi/a.md").resolve()})  # b.md, added meanwhile, too
        assert state == good and lines[-1].startswith("built ")
        assert "Edited title" in (state.root / "changzhi/news/2021/08/a/index.html").read_text(encoding="utf-8")
        assert (state.root / "changzhi/news/2021/08/b/index.html").is_file()

        monkeypatch.setattr(serve, "build", interrupted)
        with pytest.raises(KeyboardInterrupt):  # Ctrl-C still stops everything
            preview.rebuild({(site / "site.toml").resolve()})
        monkeypatch.setattr(serve, "build", real_build)
        assert preview.rebuild() == good  # and left nothing locked
    finally:
        preview.close()
    assert not preview.workdir.exists()


def test_the_watcher_goes_on_after_an_exception_and_ends_after_system_exit(tmp_path: Path) -> None:
    from newsroom.watch import Watcher

    batches: list[set[Path]] = []
    problems: list[BaseException] = []

    def on_change(paths: set[Path]) -> None:
        batches.append(paths)
        if len(batches) == 1:
            raise RuntimeError("a bug")
        if len(batches) == 3:
            raise SystemExit(3)

    watcher = Watcher([tmp_path], [], on_change, problems.append)
    watcher.thread.start()  # the worker alone: paths are noticed by hand, not by watchdog
    try:
        for number, name in enumerate(["a.md", "b.md", "c.md"], start=1):
            watcher.notice(tmp_path / name)
            until(lambda number=number: len(batches) == number, f"batch {number}")
        watcher.thread.join(timeout=5)
        assert not watcher.thread.is_alive()
        assert [type(p) for p in problems] == [RuntimeError, SystemExit]
        assert batches == [{tmp_path.resolve() / name} for name in ("a.md", "b.md", "c.md")]
    finally:
        watcher.stop()


@pytest.mark.parametrize("name, ignored", [
    (".a.md.swp", True), (".a.md.swo", True), (".a.md.swx", True), ("a.md~", True), ("4913", True),
    ("5036", True), ("#a.md#", True), (".#a.md", True), ("a.md___jb_tmp___", True), ("a.md___jb_old___", True),
    (".goutputstream-ABC123", True), (".a.md.kate-swp", True), ("x.tmp", True), ("x.part", True),
    ("x.crdownload", True), (".DS_Store", True),
    ("a.md", False), ("4914", False), ("1234", False), ("#hashtag.md", False), ("_draft.md", False),
    (".well-known", False), (".htaccess", False), ("game.swf", False), ("photo.jpg", False),
])
def test_editor_temporary_names(name: str, ignored: bool) -> None:
    from newsroom.files import is_editor_temporary

    assert is_editor_temporary(name) is ignored


def test_stories_added_in_a_failed_rebuild_appear_once_it_is_fixed(make_site, tmp_path: Path) -> None:
    """A batch that adds a story and breaks another fails; the next batch fixes the broken one
    only: the story of the failed batch is built too (the quick paths knew only their batch)."""
    site = make_site({"content/changzhi/a.md": article("First title")}, site_toml=ROOMY_SITE_TOML)
    with serving(site, tmp_path) as server:
        (site / "content/changzhi/b.md").write_text(article("Second story"), encoding="utf-8")
        server.write("content/changzhi/a.md", "no front matter here\n")
        until(lambda: "build failed" in server.output(), "the failed rebuild")
        server.write("content/changzhi/a.md", article("Fixed title"))
        until(lambda: "Fixed title" in server.get(ARTICLE_URL)[1], "the fix")
        assert server.get("/changzhi/news/2021/08/b/")[0] == 200, server.output()
