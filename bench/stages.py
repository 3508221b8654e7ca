"""Where a cold build's CPU time goes, per article, by stage.

    python bench/stages.py --articles 2000

Writes the benchmark corpus (bench/corpus.py), builds it cold in one process (``jobs=1``)
once without a profiler for the total CPU time, and once under cProfile to split that
time between stages: each stage is the cumulative time of the functions named below,
scaled so that the stages and "everything else" add up to the unprofiled total. The
profiler inflates small Python calls more than C code, so the split is an estimate; the
total is measured.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402

from newsroom import load_config  # noqa: E402
from newsroom.builder import build  # noqa: E402

#: (stage, [(file suffix, function name)]): the functions whose cumulative time is the stage's.
#: Listed so that no stage's functions call another's; "of which" rows are parts of the row
#: above (smart punctuation and resolving images and links run inside the Markdown converter,
#: the lead photo's outside it) and are not added to the total.
STAGES = (
    ("front matter (split, YAML, checks)", [("frontmatter_io.py", "split_front_matter")]),
    ("Markdown (Python-Markdown, figures)", [("markdown/core.py", "convert")]),
    ("  of which smart punctuation", [("newsroom/quotes.py", "run")]),
    ("  of which images and links (and the lead photo)", [("newsroom/references.py", "image"),
                                                         ("newsroom/references.py", "link")]),
    ("article bodies into the cache", [("newsroom/cache.py", "_store_body")]),
    ("model (lists, pages, taxonomies)", [("newsroom/builder.py", "_model")]),
    ("fingerprints (what to render)", [("newsroom/incremental.py", "of")]),
    ("Jinja rendering", [("newsroom/render.py", "render")]),
    ("writing pages", [("newsroom/output.py", "put")]),
    ("commit and cache save", [("newsroom/output.py", "commit"), ("newsroom/cache.py", "save")]),
)


def cumulative(stats: pstats.Stats, wanted: list[tuple[str, str]]) -> float:
    total = 0.0
    for (filename, _, name), (_, _, _, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        if any(filename.endswith(suffix) and name == function for suffix, function in wanted):
            total += cum
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="newsroom-stages-"))
    try:
        corpus.generate(args.articles, work, args.seed, theme=True)
        config = load_config(work / "site.toml")

        def cold() -> None:
            shutil.rmtree(work / "public", ignore_errors=True)
            shutil.rmtree(work / ".cache", ignore_errors=True)
            build(config, jobs=1)

        cold()  # warm the OS file cache and imports
        started = time.process_time()
        cold()
        total = time.process_time() - started
        profile = cProfile.Profile()
        shutil.rmtree(work / "public", ignore_errors=True)
        shutil.rmtree(work / ".cache", ignore_errors=True)
        profile.runcall(build, config, jobs=1)
        stats = pstats.Stats(profile)
        profiled = stats.total_tt  # type: ignore[attr-defined]
        scale = total / profiled
        n = args.articles
        print(f"{n} articles, cold build in one process: {total:.2f} s CPU, {total / n * 1000:.2f} ms per article")
        print()
        print("| stage | ms per article | share |")
        print("| --- | ---: | ---: |")
        counted = 0.0
        for stage, wanted in STAGES:
            seconds = cumulative(stats, wanted) * scale
            if stage.startswith("  of which"):
                print(f"| {stage.strip()} | ({seconds / n * 1000:.2f}) | ({seconds / total:.0%}) |")
                continue
            counted += seconds
            print(f"| {stage} | {seconds / n * 1000:.2f} | {seconds / total:.0%} |")
        rest = total - counted
        print(f"| everything else (walking, cache lookups, photos, start-up) | {rest / n * 1000:.2f} | "
              f"{rest / total:.0%} |")
        print(f"| **total** | **{total / n * 1000:.2f}** | 100% |")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
