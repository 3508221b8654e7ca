"""However a build dies, nothing is left running and nothing is left half-made.

Real ``build.py`` processes with real worker pools are killed (SIGKILL, SIGTERM, Ctrl-C,
an unexpected exception) and their process trees watched; builds are stopped dead at
each named point of :mod:`newsroom.faults`, and the next build must restore exactly
what a clean build makes, with the cache still usable.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import REPO, article, processes_with, run_build, snapshot

from newsroom import load_config
from newsroom.cache import BuildCache, cache_key
from newsroom.faults import POINTS


def big_site(make_site, count: int = 320) -> Path:
    """Enough articles and pages that reading and rendering both use the worker pool."""
    return make_site({f"content/{'changzhi' if n % 2 else 'taiyuan'}/s{n:03d}.md":
                      article(f"Story {n}", date=f"2021-08-{n % 28 + 1:02d} 09:30", body="A sentence of text.\n" * 30)
                      for n in range(count)})


def marked(mark: str) -> list[int]:
    """Processes carrying ``mark`` in their environment: a build and every process it forked."""
    return processes_with(f"NEWSROOM_BUILD_MARK={mark}")


def start(site: Path, mark: str, **extra: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(NEWSROOM_BUILD_MARK=mark, **extra)
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), "--quiet"], cwd=site, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def gone_within(mark: str, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def finish(process: subprocess.Popen[bytes], mark: str) -> tuple[int, str]:
    """Wait for the build, then make sure nothing of it runs any more (killing strays)."""
    try:
        _, err = process.communicate(timeout=60)
    finally:
        for pid in marked(mark):
            os.kill(pid, signal.SIGKILL)
    return process.returncode, err.decode("utf-8", "replace")


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads process trees from /proc (Linux)")
@pytest.mark.parametrize("how", ["SIGKILL", "exception", "SIGTERM", "Ctrl-C"])
def test_workers_die_with_the_build(make_site, how: str) -> None:
    site = big_site(make_site)
    assert run_build(cwd=site).returncode == 0
    before = snapshot(site / "public")
    for path in (site / "content").rglob("*.md"):  # every article changed: reading and rendering use the pool
        path.write_text(path.read_text(encoding="utf-8").replace("A sentence", "An edited sentence"), encoding="utf-8")
    mark = uuid.uuid4().hex
    extra = {"SIGKILL": {"NEWSROOM_KILL_AT": "render"}, "exception": {"NEWSROOM_RAISE_AT": "render"}}.get(how, {})
    process = start(site, mark, **extra)
    try:
        if how in ("SIGTERM", "Ctrl-C"):
            deadline = time.monotonic() + 30
            while len(marked(mark)) < 3 and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)  # the build and at least two workers
            assert process.poll() is None, "the build ended before its workers started"
            if how == "SIGTERM":
                process.send_signal(signal.SIGTERM)
            else:
                os.killpg(process.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the whole group
        process.wait(timeout=60)
        left = gone_within(mark, 2.0)
        assert left == [], f"processes of the build still running 2 s after it died: {left}"
    finally:
        code, err = finish(process, mark)
    if how == "SIGKILL":
        assert code == -signal.SIGKILL
    elif how == "exception":
        assert code == 1 and "InjectedFault" in err
    else:
        assert code == 130, err
        assert err.strip().splitlines() == ["interrupted; the output folder was left as it was"]
    assert snapshot(site / "public") == before, "a build that died must leave the output as it was"
    leftovers = [p.name for p in site.iterdir() if ".staging-" in p.name or ".journal-" in p.name]
    if how != "SIGKILL":  # nothing can clean up after SIGKILL: the next build does
        assert leftovers == []
    assert run_build(cwd=site).returncode == 0
    assert not [p.name for p in site.iterdir() if ".staging-" in p.name or ".journal-" in p.name]


def edit(site: Path) -> None:
    """Changes that rewrite pages, add a page and remove one: every kind of journal entry."""
    for n in range(0, 30, 3):
        path = site / f"content/changzhi/s{n:02d}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("Story", "Retold story"), encoding="utf-8")
    (site / "content/changzhi/s01.md").unlink()
    (site / "content/taiyuan").mkdir(exist_ok=True)
    (site / "content/taiyuan/new.md").write_text(article("A new story", date="2021-09-01"), encoding="utf-8")


@pytest.mark.parametrize("point", [p for p in POINTS if p not in ("read", "render")])
def test_a_build_killed_at_any_point_is_whole_and_repaired_by_the_next(make_site, tmp_path: Path, point: str) -> None:
    site = make_site({f"content/changzhi/s{n:02d}.md": article(f"Story {n}", date=f"2021-08-{n % 28 + 1:02d}")
                      for n in range(30)})
    first_build = point == "before-rename"
    if not first_build:
        assert run_build(cwd=site).returncode == 0
    old = snapshot(site / "public") if not first_build else {}
    edit(site)
    assert run_build("--output", str(tmp_path / "clean"), cwd=site).returncode == 0
    new = snapshot(tmp_path / "clean")

    mark = uuid.uuid4().hex
    code, err = finish(start(site, mark, NEWSROOM_KILL_AT=point), mark)
    assert code == -signal.SIGKILL, f"the build never reached {point!r}: {err}"

    now = snapshot(site / "public") if (site / "public").exists() else {}
    torn = [name for name, data in now.items() if data not in (old.get(name), new.get(name))]
    assert torn == [], f"files neither old nor new after a kill at {point!r}"
    if point in ("before-rename", "before-journal"):
        assert now == old, "nothing may change before the journal exists"
    config = load_config(site / "site.toml")
    cache = BuildCache.open(BuildCache.folder_for(config, config.dir("output")), cache_key(config), config.root)
    if not first_build:
        assert cache.dropped == "" and cache.state.entries, f"the cache did not survive: {cache.dropped}"

    result = run_build(cwd=site)
    assert result.returncode == 0, result.stderr
    assert snapshot(site / "public") == new
    assert not [p.name for p in site.iterdir() if ".staging-" in p.name or ".journal-" in p.name]
