"""The writer: whole swaps, kept files, refused collisions, and cleanup after a killed build."""

from __future__ import annotations

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


def test_leftovers_of_a_killed_build_are_cleaned_or_restored(tmp_path: Path) -> None:
    final = tmp_path / "public"
    dead = tmp_path / ".public.staging-999999999"
    dead.mkdir()
    old = tmp_path / ".public.old-999999999"
    old.mkdir()
    (old / "index.html").write_text("previous", encoding="utf-8")
    recover(final)  # killed between the two renames: the previous output comes back
    assert (final / "index.html").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_static_file_that_would_overwrite_a_page_is_an_error(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article(), "static/changzhi/index.html": "<p>mine</p>"})
    result = run_build(cwd=site)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "static/changzhi/index.html: changzhi/index.html is also written by /changzhi/"


def test_unchanged_static_files_keep_their_inode(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article(), "static/css/x.css": "p{}"})
    assert run_build(cwd=site).returncode == 0
    before = os.stat(site / "public/css/x.css").st_ino
    (site / "content/changzhi/a.md").write_text(article("Changed title"), encoding="utf-8")
    assert run_build(cwd=site).returncode == 0
    assert os.stat(site / "public/css/x.css").st_ino == before
    assert "Changed title" in (site / "public/changzhi/index.html").read_text(encoding="utf-8")
