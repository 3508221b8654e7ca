"""Golden output: the fixture site ``tests/fixtures/site/`` builds to exactly the committed files.

``tests/golden/site/`` holds every text file the build makes (pages and the
``.newsroom-manifest``), byte for byte at the same relative paths; binary files (photos)
and files copied from static/ (the theme's CSS, as it is or fingerprinted) are listed by SHA-256 in
``tests/golden/site.binaries.json`` instead of being committed.
A mismatch fails with the files missing, the files extra and a unified diff of each
changed text file.

When a change of output is intended, rewrite the golden files, then review them in git::

    NEWSROOM_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
    git diff --stat tests/golden/

With the variable set to 1 the test replaces ``tests/golden/site/`` (files no longer
produced are removed) and ``site.binaries.json`` with this build's output, then compares
as usual and passes. Without it the test writes nothing into the repository: the site is
built into a temporary folder with an in-memory build cache.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, snapshot

from newsroom import build, load_config
from newsroom.cache import BuildCache, cache_key

FINGERPRINTED = re.compile(r"\.[0-9a-f]{12}\.\w+$")  # a theme file under its fingerprinted name

GOLDEN = Path(__file__).resolve().parent / "golden"
EXPECTED = GOLDEN / "site"
BINARIES = GOLDEN / "site.binaries.json"
UPDATE = os.environ.get("NEWSROOM_UPDATE_GOLDEN") == "1"
HOW_TO_UPDATE = "If the change is intended: NEWSROOM_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py"
MAX_FILES, MAX_LINES = 10, 60  # diffs shown in a report, lines of each diff

Files = dict[str, bytes | str]  # relative path -> the bytes of a text file, or "sha256:…" of a binary one


def is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\0" not in data


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def built_files(out: Path) -> Files:
    """Build the fixture site into ``out``, as tests/test_build.py does, writing no cache in the repo."""
    config = load_config(FIXTURE_SITE / "site.toml", output_dir=str(out))
    build(config, cache=BuildCache(None, cache_key(config), config.root))
    static = config.dir("static")

    def copied(name: str, data: bytes) -> bool:  # a theme file, copied or fingerprinted, or Pagefind's
        return ((static / name).is_file() and (static / name).read_bytes() == data) or FINGERPRINTED.search(name) \
            or (name.startswith("pagefind/") and name.endswith(".js"))  # runtime: its hash is enough

    return {name: data if is_text(data) and not copied(name, data) else sha256(data)
            for name, data in snapshot(out).items()}


def golden_files() -> Files:
    files: Files = dict(snapshot(EXPECTED)) if EXPECTED.is_dir() else {}
    if BINARIES.is_file():
        files.update(json.loads(BINARIES.read_text(encoding="utf-8")))
    return files


def write_golden(files: Files) -> None:
    shutil.rmtree(EXPECTED, ignore_errors=True)
    for name, data in files.items():
        if isinstance(data, bytes):
            (EXPECTED / name).parent.mkdir(parents=True, exist_ok=True)
            (EXPECTED / name).write_bytes(data)
    binaries = {name: data for name, data in sorted(files.items()) if isinstance(data, str)}
    BINARIES.write_text(json.dumps(binaries, indent=2) + "\n", encoding="utf-8")


def describe(name: str, expected: bytes | str, got: bytes | str) -> list[str]:
    """How one file changed: a capped unified diff for text, the hashes for anything else."""
    if not (isinstance(expected, bytes) and isinstance(got, bytes)):
        kind = {bytes: "a text file"}
        return [f"--- {name}: was {kind.get(type(expected), expected)}, now {kind.get(type(got), got)}"]
    diff = list(difflib.unified_diff(expected.decode("utf-8").splitlines(), got.decode("utf-8").splitlines(),
                                     f"golden/site/{name}", f"built/{name}", n=3, lineterm=""))
    if not diff:
        return [f"--- {name}: same lines, other bytes (line endings or the final newline)"]
    if len(diff) > MAX_LINES:
        diff = diff[:MAX_LINES] + [f"... {len(diff) - MAX_LINES} more diff lines of {name}"]
    return diff


def report(expected: Files, got: Files) -> str:
    """Empty when the files match; else what is missing, extra and changed, readably."""
    missing = sorted(expected.keys() - got.keys())
    extra = sorted(got.keys() - expected.keys())
    changed = sorted(name for name in expected.keys() & got.keys() if expected[name] != got[name])
    if not (missing or extra or changed):
        return ""
    lines = [f"the fixture site's output differs from tests/golden/: {len(missing)} missing, "
             f"{len(extra)} extra, {len(changed)} changed"]
    lines += [f"missing (in the golden files, not built): {name}" for name in missing]
    lines += [f"extra (built, not in the golden files): {name}" for name in extra]
    for name in changed[:MAX_FILES]:
        lines += describe(name, expected[name], got[name])
    if len(changed) > MAX_FILES:
        lines.append(f"... and {len(changed) - MAX_FILES} more changed files not shown")
    return "\n".join([*lines, HOW_TO_UPDATE])


def test_fixture_site_matches_golden_output(tmp_path: Path) -> None:
    got = built_files(tmp_path / "public")
    if UPDATE:
        write_golden(got)
    problems = report(golden_files(), got)
    if problems:
        pytest.fail(problems, pytrace=False)
