"""The writer: whole swaps, kept files, refused collisions, and cleanup after a killed build."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import article, run_build, snapshot

from newsroom.errors import BuildFailed
from newsroom.output import Output, recover


def test_interrupted_build_leaves_previous_output_and_no_staging(tmp_path: Path) -> None:
    final = tmp_path / "public"
    with Output(final) as out:
        out.write("index.html", b"old", "home")
        out.commit()
    with pytest.raises(KeyboardInterrupt), Output(final) as out:
        out.write("index.html", b"new", "home")
        raise KeyboardInterrupt
    assert snapshot(final) == {"index.html": b"old"}
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
    assert snapshot(final) == {"index.html": b"index.html", "a/one.html": b"changed"}
    assert (final / "index.html").stat().st_mtime == 1_000_000_000
    assert not (final / "b").exists()
    assert (out.written, out.kept) == (1, 1)


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
