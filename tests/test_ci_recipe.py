"""The CI recipe in docs/examples/github-pages.yml: a valid workflow whose cache restores
what the build keeps, so that a run on a fresh clone reads and renders nothing that did
not change, and gives the same site as a clean build."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import REPO, snapshot

WORKFLOW = REPO / "docs" / "examples" / "github-pages.yml"
SOURCES = ("content", "templates", "static", "site.toml")


def _steps() -> list[dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert {"build", "deploy"} <= workflow["jobs"].keys()
    return workflow["jobs"]["build"]["steps"]


def _cached_paths() -> list[str]:
    caches = [step for step in _steps() if str(step.get("uses", "")).startswith("actions/cache@")]
    assert len(caches) == 1, "one cache step"
    assert caches[0]["with"]["restore-keys"].strip(), "a run must restore the newest earlier cache"
    return caches[0]["with"]["path"].split()


def _build_command() -> list[str]:
    runs = [shlex.split(step["run"]) for step in _steps() if "build.py" in step.get("run", "")]
    assert len(runs) == 1, "one build step"
    assert runs[0][:2] == ["python", "build.py"]
    return [sys.executable, str(REPO / "build.py"), *runs[0][2:]]


def _clone(target: Path) -> None:
    """What ``git clone`` gives: the sources with new modification times."""
    target.mkdir()
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name, copy_function=shutil.copy)  # no metadata: new mtimes
        else:
            shutil.copy(source, target / name)


def _run(site: Path) -> str:
    done = subprocess.run(_build_command(), cwd=site, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_workflow_caches_the_build_cache_and_the_output_folder() -> None:
    output = re.search(r'(?m)^output_dir = "([^"]+)"', (REPO / "site.toml").read_text(encoding="utf-8"))
    assert output is not None
    assert sorted(_cached_paths()) == sorted([".cache", output.group(1)])
    uploads = [step for step in _steps() if str(step.get("uses", "")).startswith("actions/upload-pages-artifact@")]
    assert [step["with"]["path"] for step in uploads] == [output.group(1)]


def _next_run(site: Path, stash: Path, paths: list[str]) -> None:
    """The runner's next job: the same checkout folder, cloned afresh, ``paths`` restored."""
    stash.mkdir()
    for path in paths:  # the cache action saves these after a run (keeping their mtimes)...
        shutil.copytree(site / path, stash / path, symlinks=True)
    shutil.rmtree(site)
    _clone(site)
    for path in paths:  # ...and restores them into the next run's fresh clone
        shutil.copytree(stash / path, site / path, symlinks=True)


def test_a_run_on_a_fresh_clone_with_the_cache_restored_reads_and_renders_nothing(tmp_path: Path) -> None:
    site = tmp_path / "checkout"
    _clone(site)
    assert re.search(r"\(\d+ read, \d+ rendered", _run(site))
    first = snapshot(site / "public")
    _next_run(site, tmp_path / "saved", _cached_paths())
    summary = _run(site)
    assert "(0 read, 0 rendered, 0 files written" in summary, summary
    assert snapshot(site / "public") == first


def test_a_fresh_clone_without_the_output_renders_it_again_from_the_cache(tmp_path: Path) -> None:
    site = tmp_path / "checkout"
    _clone(site)
    _run(site)
    first = snapshot(site / "public")
    _next_run(site, tmp_path / "saved", [".cache"])
    summary = _run(site)
    assert "(0 read, " in summary, summary  # every page is written again, no article is read again
    assert snapshot(site / "public") == first
