#!/usr/bin/env python3
"""What a build on a Dask cluster costs, measured here and projected to an archive of 1M articles.

    python bench/cluster.py [--sizes 10000,100000] [--workers 2] [--workdir DIR] [--json out.json]

Needs the extra: ``pip install -e '.[dask]'``. Starts a local Dask cluster of ``--workers``
processes in a process of its own (so that its CPU is not the client's), writes the benchmark
corpus (bench/corpus.py) at each size and builds it cold on the cluster, in this process,
with the workers seeing the corpus in a shared folder. It measures:

* the scheduler's cost per task (no-op tasks through the same cluster);
* reading and rendering CPU per article and per page, in one process, without the cluster;
* bytes sent to the workers and back per article, and the model blob per page;
* the efficiency of the cluster: the one-process CPU of the work it did, over workers x wall;
* the client's serial time (its own CPU, and Pagefind's, which it runs), split by step.

From these it prints the projected wall time of a cold build of 1M articles on 8 to 256
cores, with the formula (see bench/README.md, "Builds on a cluster").
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402

from newsroom import builder, cluster, incremental  # noqa: E402
from newsroom.config import load_config  # noqa: E402
from newsroom.executors import ClusterSettings, open_executor  # noqa: E402

PROJECTED = 1_000_000
CORES = (8, 16, 32, 64, 128, 256)
LINK = 125e6  # bytes a second a worker receives the model blob at (1 Gbit/s), an assumption
#: The client's steps, timed by wrapping these functions of newsroom.builder (cumulative wall).
STEPS = (("walk and cache lookups", "_load"), ("model", "_model"), ("photos", "_photos"),
         ("search (Pagefind)", "search_files"), ("render (blob, results)", "_render"),
         ("page store", "_remember"))

CLUSTER_SCRIPT = """
import logging, sys
from distributed import LocalCluster
cluster = LocalCluster(n_workers=int(sys.argv[1]), threads_per_worker=1, processes=True,
                       dashboard_address=":0", silence_logs=logging.ERROR, memory_limit=0)
print(cluster.scheduler_address, flush=True)
sys.stdin.read()
cluster.close()
"""


class Cluster:
    """A local cluster in a process of its own, stopped however the bench ends."""

    def __init__(self, workers: int):
        self.process = subprocess.Popen([sys.executable, "-c", CLUSTER_SCRIPT, str(workers)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        self.address = self.process.stdout.readline().strip()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _noop(x: int) -> int:
    return x


def task_overhead(address: str, tasks: int = 3000) -> float:
    """Seconds of wall per task for tasks that do nothing, on the whole cluster."""
    import distributed

    with distributed.Client(address, set_as_default=False) as client:
        client.gather(client.map(_noop, range(200), pure=False))  # warm
        started = time.perf_counter()
        client.gather(client.map(_noop, range(tasks), pure=False))
        return (time.perf_counter() - started) / tasks


def unit_costs(site: Path, sample: int = 400) -> dict[str, float]:
    """CPU seconds per article read and per page rendered, in this one process."""
    from newsroom.content import load_article
    from newsroom.markup import Markdown
    from newsroom.model import build_model
    from newsroom.render import Renderer

    config = load_config(site / "site.toml")
    files = sorted((site / "content").rglob("*.md"))
    markdown = Markdown()
    articles = [load_article(config, path, markdown) for path in files[:50]]  # warm
    started = time.process_time()
    articles = [load_article(config, path, markdown) for path in files[:sample]]
    read = (time.process_time() - started) / len(articles)
    articles = [load_article(config, path, markdown) for path in files]
    model = build_model(config, articles)
    renderer = Renderer(config)
    pages = list(model.pages)
    step = max(1, len(pages) // (sample * 3))
    chosen = pages[::step]
    for page in chosen[:30]:
        renderer.render(page)  # warm: templates compiled
    started = time.process_time()
    for page in chosen:
        renderer.render(page)
    render = (time.process_time() - started) / len(chosen)
    index = _index_cost(config, articles[:sample * 5])
    return {"read": read, "render": render, "index": index, "pages_per_article": len(pages) / len(files)}


def _index_cost(config, articles) -> float:
    """CPU seconds per article that Pagefind spends indexing, in the shards of ``articles``."""
    from newsroom.search import SearchIndex

    with tempfile.TemporaryDirectory() as scratch:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        SearchIndex(Path(scratch), config).update(articles)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / len(articles)


def timed_steps() -> tuple[dict[str, float], list[tuple[object, str, object]]]:
    """Wrap the client's steps (see :data:`STEPS`) to add up this process's CPU time in each
    (threads included: the Dask client's own thread; not the time spent waiting)."""
    spent: dict[str, float] = defaultdict(float)
    undo = []
    for label, name in STEPS:
        original = getattr(builder, name)

        def wrapper(*args, _original=original, _label=label, **kwargs):
            started = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] += time.process_time() - started

        setattr(builder, name, wrapper)
        undo.append((builder, name, original))
    original_plan = incremental.Plan.of.__func__

    def plan(cls, *args, **kwargs):
        started = time.process_time()
        try:
            return original_plan(cls, *args, **kwargs)
        finally:
            spent["fingerprints"] += time.process_time() - started

    incremental.Plan.of = classmethod(plan)
    undo.append((incremental.Plan, "of", classmethod(original_plan)))
    return spent, undo


def cold_on_cluster(site: Path, address: str, workers: int) -> dict[str, object]:
    """A cold build of ``site`` on the cluster: wall, the client's CPU, traffic, steps."""
    for name in ("public", ".cache"):
        shutil.rmtree(site / name, ignore_errors=True)
    config = load_config(site / "site.toml")
    from dataclasses import replace

    config = replace(config, build=replace(config.build, cluster=ClusterSettings(shared=str(site.parent))))
    spent, undo = timed_steps()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        with open_executor(config, "dask", address) as executor:
            result = builder.build(config, executor=executor)
            wall = time.perf_counter() - wall
            cpu = time.process_time() - cpu
    finally:
        for owner, name, original in undo:
            setattr(owner, name, original)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    pagefind = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    traffic = {stage: vars(t) for stage, t in executor.traffic.items()}
    return {"articles": result.articles, "pages": result.pages, "wall": wall, "client_cpu": cpu,
            "children_cpu": pagefind, "traffic": traffic, "steps": dict(spent), "workers": workers}


def blob_unpickle(site: Path) -> float:
    """Seconds a worker spends unpickling the rendering blob of ``site``'s last build (made again here)."""
    from newsroom.cache import BuildCache, cache_key
    from newsroom.model import build_model

    config = load_config(site / "site.toml")
    cache = BuildCache.open(BuildCache.folder_for(config, config.dir("output")), cache_key(config), config.root)
    articles = [entry.article for entry in cache.state.entries.values()]
    model = build_model(config, sorted(articles, key=lambda a: a.path))
    blob = cluster._pickled({"pages": list(model.pages)}, inline_bodies=False)
    started = time.perf_counter()
    pickle.loads(blob)
    return time.perf_counter() - started


def project(runs: list[dict[str, object]], costs: dict[str, float], overhead: float,
            efficiency: float) -> tuple[list[str], dict[int, float], float]:
    """The projected cold build of :data:`PROJECTED` articles on each of :data:`CORES`."""
    small, large = runs[0], runs[-1]

    def serial(run: dict[str, object]) -> float:
        return run["client_cpu"] + run["children_cpu"]

    slope = (serial(large) - serial(small)) / (large["articles"] - small["articles"])
    serial_1m = serial(large) + slope * (PROJECTED - large["articles"])
    pages_1m = PROJECTED * large["pages"] / large["articles"]
    work = PROJECTED * (costs["read"] + costs["index"]) + pages_1m * costs["render"]
    blob_1m = large["traffic"]["rendering"]["blob"] * PROJECTED / large["articles"]
    unpickle_1m = large["unpickle"] * PROJECTED / large["articles"]
    times = {}
    for cores in CORES:
        times[cores] = serial_1m + work / (cores * efficiency) + blob_1m * math.log2(cores) / LINK + unpickle_1m
    lines = [
        f"T(P) = S + W / (P * e) + B * log2(P) / L + U, for N = {PROJECTED:,} articles:",
        f"  S = client's serial time at N = {serial_1m:,.0f} s (linear from {small['articles']:,} and "
        f"{large['articles']:,} articles: {serial(small):.1f} s and {serial(large):.1f} s)",
        f"  W = N * (r + i) + pages * p = {PROJECTED:,} * ({costs['read'] * 1e3:.2f} + {costs['index'] * 1e3:.2f}) "
        f"ms + {pages_1m:,.0f} * {costs['render'] * 1e3:.2f} ms = {work:,.0f} CPU s (reading, indexing, rendering)",
        f"  e = {efficiency:.2f} (measured on the local cluster), P = worker cores",
        f"  B = model blob = {blob_1m / 1e9:.2f} GB, sent from worker to worker in log2(P) rounds over "
        f"L = {LINK / 1e6:.0f} MB/s",
        f"  U = unpickling it on each worker = {unpickle_1m:.0f} s",
        f"  ceiling (P -> infinity): S = {serial_1m:,.0f} s; one process: S + W = {serial_1m + work:,.0f} s",
        f"  per task the scheduler adds {overhead * 1e3:.2f} ms of wall (W is split into "
        f"{work / cluster.TASK_SECONDS:,.0f} tasks of {cluster.TASK_SECONDS} s)",
    ]
    return lines, times, serial_1m


def report(runs: list[dict[str, object]], costs: dict[str, float], overhead: float) -> str:
    out = ["| articles | pages | cold wall | client CPU | its children's CPU | read tasks | render tasks | "
           "sent / article | back / article | model blob / page | efficiency |",
           "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    efficiencies = []
    for run in runs:
        t = run["traffic"]
        reading, rendering = t.get("reading", {}), t.get("rendering", {})
        parallel = reading.get("seconds", 0) + rendering.get("seconds", 0)  # indexing: shards vary too much
        serial_work = reading.get("items", 0) * costs["read"] + rendering.get("items", 0) * costs["render"]
        efficiency = serial_work / (run["workers"] * parallel) if parallel else float("nan")
        efficiencies.append(efficiency)
        sent = reading.get("sent", 0) + reading.get("blob", 0) + rendering.get("sent", 0) + rendering.get("blob", 0)
        back = reading.get("back", 0) + rendering.get("back", 0)
        out.append(f"| {run['articles']:,} | {run['pages']:,} | {run['wall']:.1f} s | {run['client_cpu']:.1f} s | "
                   f"{run['children_cpu']:.1f} s | {reading.get('tasks', 0)} | {rendering.get('tasks', 0)} | "
                   f"{sent / run['articles']:.0f} B | {back / run['articles']:.0f} B | "
                   f"{rendering.get('blob', 0) / max(1, rendering.get('items', 1)):.0f} B | {efficiency:.2f} |")
    out += ["", f"Per article read: {costs['read'] * 1e3:.2f} ms CPU; indexed (Pagefind): "
            f"{costs['index'] * 1e3:.2f} ms; per page rendered: "
            f"{costs['render'] * 1e3:.2f} ms; {costs['pages_per_article']:.2f} pages per article; "
            f"scheduler: {overhead * 1e3:.2f} ms of wall per task.", "",
            "Client's CPU by step (s): " + "; ".join(
                f"{run['articles']:,}: " + ", ".join(f"{k} {v:.1f}" for k, v in run["steps"].items())
                for run in runs), ""]
    lines, times, serial_1m = project(runs, costs, overhead, efficiencies[-1])
    out += ["```", *lines, "```", "", "| cores | projected cold build of 1M articles | of which the client |",
            "| ---: | ---: | ---: |"]
    out += [f"| {cores} | {seconds / 60:.1f} min | {serial_1m / seconds:.0%} |" for cores, seconds in times.items()]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000", help="corpus sizes, comma-separated (default: 10000,100000)")
    p.add_argument("--workers", type=int, default=2, help="worker processes of the local cluster (default: 2)")
    p.add_argument("--workdir", type=Path, help="where corpora are written (default: a temporary folder)")
    p.add_argument("--json", type=Path, help="also write the measurements to this file")
    args = p.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    work = args.workdir or Path(tempfile.mkdtemp(prefix="newsroom-cluster-bench-"))
    runs = []
    with Cluster(args.workers) as local:
        overhead = task_overhead(local.address)
        print(f"scheduler: {overhead * 1e3:.2f} ms per task", file=sys.stderr)
        for size in sizes:
            site = work / f"corpus-{size}"
            if not (site / corpus.MARKER).is_file() or \
                    f"articles={size} " not in (site / corpus.MARKER).read_text(encoding="utf-8"):
                corpus.generate(size, site)
            run = cold_on_cluster(site, local.address, args.workers)
            run["unpickle"] = blob_unpickle(site)
            print(f"{size}: {run['wall']:.1f} s wall, client {run['client_cpu']:.1f} s CPU, Pagefind "
                  f"{run['children_cpu']:.1f} s", file=sys.stderr)
            runs.append(run)
    costs = unit_costs(work / f"corpus-{sizes[0]}")
    print(report(runs, costs, overhead))
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "costs": costs, "overhead": overhead}, indent=1))
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
