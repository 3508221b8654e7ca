"""The writer: whole swaps, kept files, refused collisions, and cleanup after a killed build."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import article, run_build, snapshot

from newsroom.errors import BuildFailed
from newsroom.output import MANIFEST, Output, recover


def manifest_of(*files: str) -> bytes:
    header = b"# newsroom: the files its last build wrote here; nothing else in this folder is touched\n"
    return header + b"".join(f.encode() + b"\n" for f in files)


def test_interrupted_build_leaves_previous_output_and_no_staging(tmp_path: Path) -> None:
    final = tmp_path / "public"
    with Output(final) as out:
        out.write("index.html", b"old", "home")
        out.commit()
    with pytest.raises(KeyboardInterrupt), Output(final) as out:
        out.write("index.html", b"new", "home")
        raise KeyboardInterrupt
    assert snapshot(final) == {"index.html": b"old", MANIFEST: manifest_of("index.html")}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_two_writers_of_one_path_are_refused(tmp_path: Path) -> None:
    with Output(tmp_path / "public") as out:
        out.write("news/index.html", b"a", "/news/")
        out.write("news/index.html", b"b", "static/news/index.html")
        out.write("../escape.html", b"c", "content/x.md")
        with pytest.raises(BuildFailed) as caught:
            out.commit()
    assert [str(e) for e in caught.value.errors] == [
        "content/x.md: output path '../escape.html' would leave the output folder",
        "static/news/index.html: news/index.html is also written by /news/",
    ]
    assert not (tmp_path / "public").exists()


def test_a_build_killed_while_applying_its_journal_is_finished_by_the_next(tmp_path: Path) -> None:
    final = tmp_path / "public"
    (final / "news").mkdir(parents=True)
    (final / "index.html").write_text("old home", encoding="utf-8")
    (final / "news/gone.html").write_text("stale", encoding="utf-8")
    staging = tmp_path / ".public.staging-999999999"
    (staging / "a").mkdir(parents=True)
    (staging / "a/new.html").write_text("new page", encoding="utf-8")
    # the killed build had already moved index.html in when it died
    (final / "index.html").write_text("new home", encoding="utf-8")
    (tmp_path / ".public.journal-999999999").write_text(json.dumps(
        {"staging": staging.name, "moves": ["a/new.html", "index.html"], "deletes": ["news/gone.html"]}))
    recover(final)
    assert snapshot(final) == {"a/new.html": b"new page", "index.html": b"new home"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_an_unfinished_journal_is_dropped_and_the_output_kept(tmp_path: Path) -> None:
    final = tmp_path / "public"
    final.mkdir()
    (final / "index.html").write_text("old home", encoding="utf-8")
    (tmp_path / ".public.staging-999999999").mkdir()
    (tmp_path / ".public.journal-999999999.tmp").write_text('{"staging": ".public.staging-9', encoding="utf-8")
    recover(final)
    assert snapshot(final) == {"index.html": b"old home"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_an_update_touches_only_changed_files_and_removes_stale_ones(tmp_path: Path) -> None:
    final = tmp_path / "public"
    with Output(final) as out:
        for name in ("index.html", "a/one.html", "b/two.html"):
            out.write(name, name.encode(), name)
        out.commit()
    os.utime(final / "index.html", (1_000_000_000, 1_000_000_000))
    with Output(final) as out:
        out.write("index.html", b"index.html", "home")
        out.write("a/one.html", b"changed", "one")
        out.commit()
    assert snapshot(final) == {"index.html": b"index.html", "a/one.html": b"changed",
                               MANIFEST: manifest_of("a/one.html", "index.html")}
    assert (final / "index.html").stat().st_mtime == 1_000_000_000
    assert not (final / "b").exists()
    assert (out.written, out.kept) == (1, 1)


def test_an_update_lands_every_path_however_it_is_spelled(tmp_path: Path) -> None:
    """An update stages files under one flat name each; names with "%" in them, ones that
    look like the escapes, and paths too long for one name all land where they belong."""
    final = tmp_path / "public"
    deep = "/".join(["a-rather-long-folder-name-for-a-news-archive"] * 7) + "/index.html"
    names = ["index.html", "news/100%.html", "news/a%2Fb/index.html", "%25.txt", "new/x/y/z/page.html", deep,
             "%2F"]
    with Output(final) as out:
        out.write("index.html", b"old", "home")
        out.commit()
    with Output(final) as out:
        for name in names:
            out.write(name, f"bytes of {name}".encode(), name)
        out.commit()
    assert snapshot(final) == {**{name: f"bytes of {name}".encode() for name in names}, MANIFEST: manifest_of(
        *sorted(names))}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_static_file_that_would_overwrite_a_page_is_an_error(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article(), "static/changzhi/index.html": "<p>mine</p>"})
    result = run_build(cwd=site)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "static/changzhi/index.html: changzhi/index.html is also written by /changzhi/"


def test_unchanged_static_files_are_not_touched(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article(), "static/css/x.css": "p{}"})
    assert run_build(cwd=site).returncode == 0
    before = os.stat(site / "public/css/x.css").st_ino
    (site / "content/changzhi/a.md").write_text(article("Changed title"), encoding="utf-8")
    assert run_build(cwd=site).returncode == 0
    assert os.stat(site / "public/css/x.css").st_ino == before
    assert "Changed title" in (site / "public/changzhi/index.html").read_text(encoding="utf-8")


def test_a_killed_build_leaves_the_old_output_or_a_journal_that_finishes_it(make_site, tmp_path: Path) -> None:
    """SIGKILL at several moments of a real incremental build by build.py."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import REPO

    site = make_site({f"content/changzhi/s{n}.md": article(f"Story {n}", body="Text.\n" * 40) for n in range(120)})
    assert run_build(cwd=site).returncode == 0
    old = snapshot(site / "public")
    for n in range(120):
        (site / f"content/changzhi/s{n}.md").write_text(article(f"Changed {n}", body="New.\n" * 40), encoding="utf-8")
    assert run_build("--output", str(tmp_path / "new"), cwd=site).returncode == 0
    new = snapshot(tmp_path / "new")
    seen = set()
    for delay in (0.2, 0.5, 0.8, 1.2, 1.8):
        process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "--quiet"], cwd=site)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if list(site.glob(".public.journal-*")):
            seen.add("journal")
            recover(site / "public")  # what the next build does first
            assert snapshot(site / "public") == new
        now = snapshot(site / "public")
        assert now in (old, new), "a kill must leave one whole build, never a mix"
        seen.add("old" if now == old else "new")
        if now == new:
            break
    assert "old" in seen, "no kill landed before the commit: make the site bigger"
    assert run_build(cwd=site).returncode == 0
    assert snapshot(site / "public") == new
    assert not [p.name for p in site.iterdir() if ".journal-" in p.name or ".staging-" in p.name]


# -- the output folder is newsroom's alone ------------------------------------------------


def tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below ``folder`` with its bytes and mtime: to prove they were not touched."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_folder_of_someone_elses_files_is_refused_and_left_alone(make_site) -> None:
    """``--output docs``, the GitHub Pages layout, where docs/ holds the repository's own files."""
    site = make_site({"content/changzhi/a.md": article(), "docs/guide.md": "# Our guide\n",
                      "docs/img/logo.png": b"\x89PNG"})
    before = tree(site / "docs")
    result = run_build("--output", "docs", cwd=site)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "--output: docs holds files that newsroom did not write (guide.md, img/logo.png); build into "
        "a new or empty folder, or pass --clean-output to replace its contents (.git, CNAME, .nojekyll and "
        "[build] keep are left alone)")
    assert tree(site / "docs") == before
    assert sorted(p.name for p in site.iterdir()) == [".cache", "content", "docs", "site.toml"]


def test_the_refusal_names_the_line_of_site_toml_that_chose_the_folder(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article(), "docs/guide.md": "# Our guide\n"})
    config = site / "site.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("per_page = 2", 'per_page = 2\noutput_dir = "docs"'),
                      encoding="utf-8")
    result = run_build(cwd=site)
    assert result.returncode == 1
    assert result.stderr.startswith("site.toml:8: build.output_dir: docs holds files that newsroom did "
                                    "not write (guide.md)")


def test_an_empty_folder_is_fine(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article()})
    (site / "public").mkdir()
    assert run_build(cwd=site).returncode == 0
    assert (site / "public/changzhi/index.html").is_file()


def test_a_gh_pages_checkout_is_taken_over_keeping_git_cname_and_kept_paths(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article(),
                      "public/.git/HEAD": "ref: refs/heads/gh-pages\n", "public/.git/objects/ab/cdef": b"\x00\x01",
                      "public/CNAME": "news.example.org\n", "public/.nojekyll": "",
                      "public/downloads/report.pdf": b"%PDF-1.4", "public/index.html": "<p>the old site</p>",
                      "public/2019/old-story.html": "<p>old</p>"})
    config = site / "site.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("per_page = 2", 'per_page = 2\nkeep = ["downloads/"]'),
                      encoding="utf-8")
    kept = {k: v for k, v in tree(site / "public").items() if k.startswith((".git/", "CNAME", ".nojekyll", "downloads/"))}
    refused = run_build(cwd=site)
    assert refused.returncode == 1 and "--clean-output" in refused.stderr
    result = run_build("--clean-output", cwd=site)
    assert result.returncode == 0, result.stderr
    after = tree(site / "public")
    assert {k: v for k, v in after.items() if k in kept} == kept, ".git, CNAME, .nojekyll and keep must be untouched"
    assert "2019/old-story.html" not in after and not (site / "public/2019").exists()
    assert b"A story" in after["index.html"][0]
    # from now on the folder is ours: an ordinary build works and still leaves them alone
    (site / "content/changzhi/a.md").write_text(article("Second title"), encoding="utf-8")
    assert run_build(cwd=site).returncode == 0
    assert {k: v for k, v in tree(site / "public").items() if k in kept} == kept


def test_files_added_to_the_output_by_hand_survive_later_builds(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article(), "content/changzhi/b.md": article("Other", date="2021-08-20")})
    assert run_build(cwd=site).returncode == 0
    (site / "public/google1234.html").write_text("google-site-verification", encoding="utf-8")
    (site / "public/changzhi/news/2021/08/b/notes.txt").write_text("mine", encoding="utf-8")
    mine = {k: v for k, v in tree(site / "public").items() if k.endswith(("google1234.html", "notes.txt"))}
    (site / "content/changzhi/b.md").unlink()  # its page goes; the folder holding notes.txt stays
    assert run_build(cwd=site).returncode == 0
    after = tree(site / "public")
    assert not (site / "public/changzhi/news/2021/08/b/index.html").exists()
    assert {k: v for k, v in after.items() if k in mine} == mine


def test_a_page_that_would_overwrite_a_file_put_there_by_hand_is_an_error(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article()})
    assert run_build(cwd=site).returncode == 0
    hand_made = site / "public/changzhi/news/2021/08/c/index.html"
    hand_made.parent.mkdir(parents=True)
    hand_made.write_text("<p>hand-made</p>", encoding="utf-8")
    before = tree(site / "public")
    (site / "content/changzhi/c.md").write_text(article("Third story"), encoding="utf-8")
    result = run_build(cwd=site)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "/changzhi/news/2021/08/c/: changzhi/news/2021/08/c/index.html exists in the output folder and was not "
        "written by newsroom; move it away, or pass --clean-output to replace it")
    assert tree(site / "public") == before
    assert run_build("--clean-output", cwd=site).returncode == 0
    assert b"Third story" in hand_made.read_bytes()


def test_without_manifest_or_cache_the_folder_is_someone_elses(make_site) -> None:
    import shutil

    site = make_site({"content/changzhi/a.md": article()})
    assert run_build(cwd=site).returncode == 0
    (site / "public" / MANIFEST).unlink()
    shutil.rmtree(site / ".cache")
    result = run_build(cwd=site)
    assert result.returncode == 1 and "holds files that newsroom did not write" in result.stderr


def test_a_folder_built_before_manifests_existed_is_still_newsrooms(make_site) -> None:
    """An older newsroom left no manifest, and its cache has another key; it still names
    the files it wrote, so upgrading does not lock a desk out of its own output."""
    import pickle

    from newsroom import load_config
    from newsroom.cache import BuildCache, Header

    site = make_site({"content/changzhi/a.md": article(), "content/changzhi/b.md": article("Second", date="2021-08-20")})
    assert run_build(cwd=site).returncode == 0
    (site / "public" / MANIFEST).unlink()
    config = load_config(site / "site.toml")
    state = BuildCache.folder_for(config, config.dir("output")) / "state.pickle"
    header = pickle.loads(state.read_bytes())
    state.write_bytes(pickle.dumps(Header(header.format, "made by an older newsroom", header.shards, header.outputs)))
    (site / "public/notes.txt").write_text("mine", encoding="utf-8")
    (site / "content/changzhi/b.md").unlink()
    refused = run_build(cwd=site)
    assert refused.returncode == 1 and "(notes.txt)" in refused.stderr  # only that file is someone else's
    (site / "public/notes.txt").unlink()
    result = run_build(cwd=site)
    assert result.returncode == 0, result.stderr
    assert not (site / "public/changzhi/news/2021/08/b").exists()
    assert MANIFEST in snapshot(site / "public")


def test_a_damaged_manifest_never_deletes_outside_the_output_folder(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article()})
    assert run_build(cwd=site).returncode == 0
    (site / "precious.txt").write_text("keep me", encoding="utf-8")
    manifest = site / "public" / MANIFEST
    manifest.write_text(manifest.read_text(encoding="utf-8") + "../precious.txt\n/etc/hostname\n", encoding="utf-8")
    (site / "content/changzhi/a.md").write_text(article("Changed"), encoding="utf-8")
    assert run_build(cwd=site).returncode == 0
    assert (site / "precious.txt").read_text(encoding="utf-8") == "keep me"
    assert "../precious.txt" not in manifest.read_text(encoding="utf-8")


@pytest.mark.parametrize("line", ["../up.txt", "/etc/hostname", "a/../../up.txt", "a//b.html", "./a.html", "a/.",
                                  "dir/", "nul\0.html", ".."])
def test_a_manifest_line_outside_the_folder_is_dropped_and_the_rest_kept(tmp_path: Path, line: str) -> None:
    from newsroom.output import read_manifest

    good = ["index.html", ".well-known/security.txt", "a/.b/c..d.html", "..x/y.html", "a/.../b.html"]
    (tmp_path / MANIFEST).write_bytes(manifest_of(*good[:2], line, *good[2:]))
    assert read_manifest(tmp_path) == set(good)
    (tmp_path / MANIFEST).write_bytes(manifest_of(*good))
    assert read_manifest(tmp_path) == set(good)


def test_a_journal_that_is_not_newsrooms_is_dropped_not_followed(make_site, tmp_path: Path) -> None:
    site = make_site({"content/changzhi/a.md": article()})
    assert run_build(cwd=site).returncode == 0
    (tmp_path / "precious.txt").write_text("keep me", encoding="utf-8")
    (site / ".public.journal-999999999").write_text(json.dumps(
        {"staging": ".public.staging-999999999", "moves": [], "deletes": ["../../precious.txt"]}), encoding="utf-8")
    (site / ".public.journal-999999998").write_text("{not json", encoding="utf-8")
    (site / "content/changzhi/a.md").write_text(article("Changed"), encoding="utf-8")
    result = run_build(cwd=site)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "precious.txt").read_text(encoding="utf-8") == "keep me"
    assert not list(site.glob(".public.journal-*"))
    assert "Changed" in (site / "public/changzhi/index.html").read_text(encoding="utf-8")
