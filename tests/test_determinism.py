"""Same input, same bytes: whatever order the file system lists files in, however many workers."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from conftest import REPO, snapshot

from newsroom import build, load_config, workers
from newsroom.cache import BuildCache, cache_key


class Shuffled:
    """``os.scandir`` listing entries in a random order, as some file systems do."""

    real = os.scandir

    def __init__(self, path: object = ".", rng: random.Random | None = None):
        with Shuffled.real(path) as listing:
            self.entries = list(listing)
        (rng or random.Random(0)).shuffle(self.entries)

    def __enter__(self) -> Shuffled:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def __iter__(self) -> Shuffled:
        return self

    def __next__(self) -> os.DirEntry:  # os.walk calls next() on it
        if not self.entries:
            raise StopIteration
        return self.entries.pop(0)

    def close(self) -> None:
        pass


def sample_build(output: Path, jobs: int) -> dict[str, bytes]:
    config = load_config(REPO / "site.toml", output_dir=str(output))
    build(config, jobs=jobs, cache=BuildCache(None, cache_key(config), config.root))  # writes no cache in the repo
    return snapshot(output)


@pytest.mark.parametrize("seed", [1, 2])
def test_listing_order_and_workers_do_not_change_a_byte(tmp_path: Path, monkeypatch, seed: int) -> None:
    plain = sample_build(tmp_path / "plain", jobs=1)
    listed = [e.name for e in Shuffled(REPO / "content", random.Random(seed))]
    assert listed != sorted(listed), "the shuffle must change the order"
    rng = random.Random(seed)
    monkeypatch.setattr(os, "scandir", lambda path=".": Shuffled(path, rng))
    monkeypatch.setattr(workers, "PARALLEL_READS", 1)  # the pool, even for a small site
    monkeypatch.setattr(workers, "PARALLEL_PAGES", 1)
    shuffled = sample_build(tmp_path / "shuffled", jobs=2)
    assert shuffled.keys() == plain.keys()
    assert [name for name in plain if plain[name] != shuffled[name]] == []
