"""``python build.py deploy``: the output copied with the real rsync, and every refusal."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import REPO, article, files_of, run_build, snapshot

from newsroom.output import MANIFEST

STORIES = {f"content/{'changzhi' if n < 6 else 'taiyuan'}/s{n}.md": article(
    f"Story {n}", f"2021-{7 + n // 6:02d}-{10 + n:02d} 09:00", body=f"Words {n}.") for n in range(12)}

if shutil.which("rsync") is None and not os.environ.get("CI"):
    pytest.skip("no rsync (apt-get install rsync)", allow_module_level=True)


def deployed(site: Path, *args: str):
    return run_build("deploy", *args, cwd=site)


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_a_second_deploy_sends_only_what_changed_and_deletes_what_left(make_site, tmp_path: Path) -> None:
    site = make_site(STORIES)
    target = tmp_path / "www" / "site"
    assert run_build(cwd=site).returncode == 0
    first = deployed(site, "--target", str(target))
    assert first.returncode == 0, first.stderr
    files = len(snapshot(site / "public"))
    assert f"{files} files sent ({files} new), 0 deleted, 0 unchanged" in first.stdout
    built = files_of(site / "public")  # as rsync sees them
    assert files_of(target) == built
    before = inodes(target)

    # one story edited, one deleted: its page, the lists and feeds change; the rest stays put
    (site / "content/changzhi/s2.md").write_text(article("Story 2", "2021-08-12 09:00", body="New words."),
                                                 encoding="utf-8")
    gone = next((site / "public/changzhi").rglob("s5/index.html")).relative_to(site / "public").as_posix()
    (site / "content/changzhi/s5.md").unlink()
    assert run_build(cwd=site).returncode == 0
    dry = deployed(site, "--target", str(target), "--dry-run")
    assert dry.returncode == 0 and f"would delete {gone}" in dry.stdout and "nothing was copied" in dry.stdout
    assert inodes(target) == before  # a dry run changes nothing
    second = deployed(site, "--target", str(target))
    assert second.returncode == 0, second.stderr
    assert files_of(target) == files_of(site / "public")
    after = inodes(target)
    changed = {f for f in after if f in before and after[f] != before[f]}
    rebuilt = files_of(site / "public")
    # exactly the files whose bytes changed were sent again; the rest kept their inode
    assert changed == {f for f in rebuilt if f in built and rebuilt[f] != built[f]} and gone not in after
    assert changed and len(changed) < len(after) - 10 and all(f"would send {f}" in dry.stdout for f in changed)
    new, left = rebuilt.keys() - built.keys(), built.keys() - rebuilt.keys()
    assert gone in left and all(f"would delete {f}" in dry.stdout for f in left)
    assert f"{len(changed) + len(new)} files sent ({len(new)} new), {len(left)} deleted, " \
        f"{len(rebuilt) - len(changed) - len(new)} unchanged" in second.stdout
    again = deployed(site, "--target", str(target))
    assert "0 files sent (0 new), 0 deleted" in again.stdout and inodes(target) == after


def test_deploy_goes_to_the_target_of_site_toml(make_site, tmp_path: Path) -> None:
    site = make_site(STORIES)
    (site / "site.toml").write_text((site / "site.toml").read_text(encoding="utf-8")
                                    + f'\n[deploy]\ntarget = "{(tmp_path / "web").as_posix()}/"\n', encoding="utf-8")
    assert run_build(cwd=site).returncode == 0
    done = deployed(site)
    assert done.returncode == 0, done.stderr
    assert snapshot(tmp_path / "web") == snapshot(site / "public")


def refused(site: Path, *args: str) -> str:
    done = deployed(site, *args)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.rstrip().endswith("deploy failed: 1 error")
    return done.stderr


def test_deploy_refuses_a_site_that_did_not_build(make_site, tmp_path: Path) -> None:
    site = make_site(STORIES)
    target = str(tmp_path / "web")
    assert "public/ holds no build; run python build.py first" in refused(site, "--target", target)
    assert run_build(cwd=site).returncode == 0
    (site / "content/changzhi/s1.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    assert run_build(cwd=site).returncode == 1
    assert "the last build failed (1 error, " in refused(site, "--target", target)
    (site / "content/changzhi/s1.md").write_text(article("Story 1 again"), encoding="utf-8")
    assert run_build(cwd=site).returncode == 0
    (site / "content/changzhi/s3.md").write_text(article("Story 3, edited"), encoding="utf-8")
    assert "the output is older than the sources (content/changzhi/s3.md changed since the last build)" in refused(
        site, "--target", target)
    assert run_build("--drafts", cwd=site).returncode == 0
    assert "built with --drafts: it holds stories that are not published" in refused(site, "--target", target)
    assert not (tmp_path / "web").exists()
    assert run_build(cwd=site).returncode == 0
    status = next((site / ".cache/newsroom").glob("public-*/status.json"))
    status.write_text("[1, 2]", encoding="utf-8")  # damaged: as if no build had been recorded
    assert "no record of a build into public/ with this config" in refused(site, "--target", target)
    assert run_build(cwd=site).returncode == 0
    assert deployed(site, "--target", target).returncode == 0


def test_deploy_says_how_to_get_rsync_when_it_is_missing(make_site, tmp_path: Path) -> None:
    site = make_site(STORIES)
    assert run_build(cwd=site).returncode == 0
    bare = tmp_path / "bin"  # a PATH without rsync (python is run by its full path)
    bare.mkdir()
    import subprocess

    done = subprocess.run([sys.executable, str(REPO / "build.py"), "deploy", "--target", str(tmp_path / "web")],
                          cwd=site, env={"PATH": str(bare), "NEWSROOM_TEST_SESSION": os.environ["NEWSROOM_TEST_SESSION"]},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "rsync is not installed; install it (Debian and Ubuntu: apt-get install rsync" \
        in done.stderr and "Traceback" not in done.stderr


def test_deploy_refuses_targets_that_rsync_would_empty(make_site, tmp_path: Path) -> None:
    site = make_site(STORIES)
    assert run_build(cwd=site).returncode == 0
    assert "no target: set [deploy] target in site.toml" in refused(site)
    others = tmp_path / "someone-elses"
    others.mkdir()
    (others / "precious.txt").write_text("keep me", encoding="utf-8")
    assert "holds files that no deploy put there" in refused(site, "--target", str(others))
    assert (others / "precious.txt").read_text(encoding="utf-8") == "keep me"
    assert "overlaps the output or the site folder" in refused(site, "--target", str(site))
    assert "overlaps the output or the site folder" in refused(site, "--target", str(site / "public"))
    assert (site / "public" / MANIFEST).is_file()


def test_a_remote_target_that_cannot_be_reached_is_a_clear_error(make_site) -> None:
    site = make_site(STORIES)
    assert run_build(cwd=site).returncode == 0
    stderr = refused(site, "--target", "nobody@127.0.0.1:/srv/www/", "--dry-run")
    assert "rsync failed (exit" in stderr and "copying to nobody@127.0.0.1:/srv/www/" in stderr
