"""Builds on a Dask cluster (``--executor dask``) give the bytes and the cache of a local build.

One real ``LocalCluster`` of two worker processes serves the module and is closed however
the tests end. Tests that change a worker (a library version it reports, a task that
fails or kills it) get a cluster of their own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import cloudpickle
import distributed
import pytest
from conftest import REPO, SITE_TOML, article, run_build, snapshot, write_site

from newsroom import cluster as cluster_module
from newsroom.builder import build
from newsroom.cache import BuildCache, cache_key
from newsroom.config import load_config
from newsroom.errors import BuildFailed
from newsroom.executors import ClusterSettings, open_executor

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this module


@contextlib.contextmanager
def local_cluster() -> Iterator[distributed.Client]:
    """A real cluster of two worker processes, closed however the test ends."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.ERROR) as local, \
            distributed.Client(local, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=120)
        yield client


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.Client]:
    """The module's cluster, for the tests that leave its workers as they found them."""
    with local_cluster() as client:
        yield client
    from multiprocessing import resource_tracker

    if getattr(resource_tracker._resource_tracker, "_pid", None) is not None:  # which the workers shared
        resource_tracker._resource_tracker._stop()


@pytest.fixture
def own_cluster(cluster: distributed.Client) -> Iterator[distributed.Client]:
    """A cluster for one test that changes its workers (kills one, makes tasks fail)."""
    with local_cluster() as client:
        yield client


def sample_site(root: Path) -> Path:
    """A copy of the repository's sample site, theme included."""
    for name in ("content", "templates", "static"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "site.toml", root / "site.toml")
    return root


GENERATED_TOML = SITE_TOML.replace("per_page = 2", "per_page = 10") + """
[[channels]]
slug = "datong"
name = "Datong"

[[sections]]
slug = "culture"
name = "Culture"

[[languages]]
code = "zh"
"""


def generated_site(root: Path) -> Path:
    """A few hundred articles: channels of exactly 10 pages of 10, one story more and one
    fewer; a Chinese edition; tags and bylines."""
    files: dict[str, str | bytes] = {}
    for channel, count in (("changzhi", 100), ("taiyuan", 101), ("datong", 99)):
        for n in range(count):
            files[f"content/{channel}/story-{n:03}.md"] = article(
                f"{channel.title()} story {n}", f"2025-{1 + n % 12:02}-{1 + n % 28:02} {8 + n % 10:02}:{n % 60:02}",
                f"Paragraph {n} about {channel}, with *emphasis* and a [link](https://example.org/{n}).\n\n"
                f"## Part two\n\nMore of story {n}.",
                section="news" if n % 3 else "culture", tags=f"[roads, year-{n % 4}]", byline=f"Reporter {n % 5}")
    for n in range(40):
        files[f"content/taiyuan/zh-{n:02}.md"] = article(
            f"太原新闻第{n}条", f"2025-{1 + n % 12:02}-{1 + n % 28:02} 10:{n:02}",
            f"这是第{n}条中文新闻，讲述太原的街道与剪纸。\n\n第二段：市民参观了展览。", lang="zh", section="culture")
    return write_site(root, files, GENERATED_TOML)


def on_cluster(config, client: distributed.Client | None, **settings):
    """An executor on the test's cluster (``client``), or on one it starts (None)."""
    config = replace(config, build=replace(config.build, cluster=ClusterSettings(**settings)))
    return open_executor(config, "dask", client.scheduler.address if client is not None else None)


def cache_state(config) -> tuple[dict, dict, dict]:
    """What the build cache holds: each article's record (its body as text), the fingerprint
    of every page and of every copied file but its mtime, and the body files."""
    folder = BuildCache.folder_for(config, config.dir("output"))
    cache = BuildCache.open(folder, cache_key(config), config.root)
    records = {path: (e.mtime_ns, e.size, repr(replace(e.article, body=str(e.article.body))))
               for path, e in cache.state.entries.items()}
    bodies = {p.name: p.read_bytes() for p in folder.rglob("*.html")}
    prints = {name: print_.rpartition(":")[0] if print_.startswith("copy:") else print_  # a copy's mtime: when made
              for name, print_ in cache.state.outputs.items() if not name.startswith("pagefind/")}  # see snapshot()
    return records, prints, bodies


def local_then_cluster(root: Path, client: distributed.Client | None, **settings) -> tuple:
    """The output and cache of a local build of ``root``, then of a build on the cluster from
    nothing; returns both, and the cluster's executor."""
    config = load_config(root / "site.toml")
    build(config)
    local = snapshot(config.dir("output")), cache_state(config)
    shutil.rmtree(config.dir("output"))
    shutil.rmtree(root / ".cache")
    with on_cluster(config, client, **settings) as executor:
        result = build(config, executor=executor)
    assert result.articles_read > 0
    return local, (snapshot(config.dir("output")), cache_state(config)), executor


@pytest.mark.parametrize("batch", [1, 7])
def test_sample_site_on_the_cluster_is_the_local_build(tmp_path: Path, cluster: distributed.Client, batch: int):
    root = sample_site(tmp_path / "site")
    local, remote, executor = local_then_cluster(root, cluster, batch=batch, shared=str(tmp_path))
    assert remote[0] == local[0]
    assert remote[1] == local[1]
    reading, rendering = executor.traffic["reading"], executor.traffic["rendering"]
    assert reading.tasks == -(-reading.items // batch) and reading.items >= 35  # every article went out
    assert rendering.tasks == -(-rendering.items // batch) and rendering.items >= 300
    assert rendering.back < 200 * rendering.tasks  # written by the workers: counts came back, not pages
    assert executor.traffic["indexing"].tasks >= 4  # Pagefind on the workers, a shard a task


def test_generated_site_without_a_shared_folder(tmp_path: Path, cluster: distributed.Client):
    """Bytes out, records and pages back: a cluster that sees none of this machine's files."""
    root = generated_site(tmp_path / "site")
    local, remote, executor = local_then_cluster(root, cluster, batch=7)
    assert remote == local
    pages = local[0]
    assert "changzhi/page/10/index.html" in pages and "changzhi/page/11/index.html" not in pages
    assert "taiyuan/page/11/index.html" in pages and "datong/page/10/index.html" in pages
    assert any("剪纸".encode() in data for name, data in pages.items() if name.startswith("zh/"))
    assert executor.traffic["rendering"].back > sum(len(d) for n, d in pages.items() if n.endswith(".html")) / 2
    assert "indexing" not in executor.traffic  # Pagefind's folder is this machine's: indexed here


def test_an_edit_renders_the_same_pages_on_the_cluster(tmp_path: Path, cluster: distributed.Client):
    sites = [sample_site(tmp_path / name) for name in ("local", "remote")]
    configs = [load_config(root / "site.toml") for root in sites]
    executors = [None, on_cluster(configs[1], cluster, batch=3, shared=str(tmp_path))]
    for config, executor in zip(configs, executors, strict=True):
        build(config, executor=executor)
    rendered = executors[1].traffic["rendering"].items
    results = []
    for root, config, executor in zip(sites, configs, executors, strict=True):
        story = root / "content/changzhi/greenway-opens.md"
        story.write_text(story.read_text(encoding="utf-8").replace("greenway", "green way", 1), encoding="utf-8")
        cache = BuildCache.open(BuildCache.folder_for(config, config.dir("output")), cache_key(config), root)
        results.append(build(config, cache=cache, executor=executor))  # the full build: the quick paths are local
    executors[1].close()
    local, remote = results
    assert executors[1].traffic["rendering"].items - rendered == remote.pages_rendered  # on the workers
    assert local.articles_read == remote.articles_read == 1
    assert 1 < local.pages_rendered == remote.pages_rendered
    assert local.files_written == remote.files_written
    assert snapshot(configs[1].dir("output")) == snapshot(configs[0].dir("output"))


def test_a_theme_change_sends_no_reading(tmp_path: Path, cluster: distributed.Client):
    sites = [sample_site(tmp_path / name) for name in ("local", "remote")]
    configs = [load_config(root / "site.toml") for root in sites]
    build(configs[0])
    with on_cluster(configs[1], cluster, batch=16) as executor:
        build(configs[1], executor=executor)
    for root in sites:
        template = root / "templates/article.html"
        template.write_text(template.read_text(encoding="utf-8").replace("</article>", "</article><!-- v2 -->"),
                            encoding="utf-8")
    local = build(configs[0])
    with on_cluster(configs[1], cluster, batch=16) as executor:
        remote = build(configs[1], executor=executor)
    assert "reading" not in executor.traffic
    assert executor.traffic["rendering"].tasks > 0
    assert remote.articles_read == local.articles_read == 0
    assert remote.pages_rendered == local.pages_rendered > 30
    output = snapshot(configs[1].dir("output"))
    assert output == snapshot(configs[0].dir("output"))
    assert sum(b"<!-- v2 -->" in data for data in output.values()) > 30  # every article page


def _kill_at_first_render() -> int:
    def dying(job, batch):
        os.kill(os.getpid(), 9)

    cluster_module._render = dying
    return os.getpid()


def test_a_worker_killed_midway_is_replaced_and_the_output_is_the_same(tmp_path: Path,
                                                                       own_cluster: distributed.Client):
    client = own_cluster
    doomed = sorted(client.nthreads())[0]
    pid = client.run(_kill_at_first_render, workers=[doomed])[doomed]
    root = sample_site(tmp_path / "site")
    local, remote, executor = local_then_cluster(root, client, batch=5, shared=str(tmp_path))
    assert remote == local
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # it did die, and the build went on without it


def _fail_first_read() -> None:
    original = cluster_module._read

    def failing(job, batch):
        if not getattr(cluster_module, "_failed_once", False):
            cluster_module._failed_once = True
            raise RuntimeError("disk hiccup")
        return original(job, batch)

    cluster_module._read = failing


def test_a_failed_task_is_tried_again(tmp_path: Path, own_cluster: distributed.Client):
    own_cluster.run(_fail_first_read)
    root = generated_site(tmp_path / "site")
    local, remote, executor = local_then_cluster(root, own_cluster, batch=50, retries=2)
    assert remote == local


def test_a_task_that_keeps_failing_is_a_clear_error(tmp_path: Path, own_cluster: distributed.Client):
    own_cluster.run(_fail_first_read)
    root = generated_site(tmp_path / "site")
    config = load_config(root / "site.toml")
    with on_cluster(config, own_cluster, batch=50, retries=0) as executor, \
            pytest.raises(BuildFailed) as failed:
        build(config, executor=executor)
    message = str(failed.value.errors[0])
    assert "reading: task" in message and "failed on the cluster after 0 retries" in message
    assert "disk hiccup" in message
    assert not config.dir("output").exists()


def _pretend_old_jinja() -> None:
    original = cluster_module._package_version
    cluster_module._package_version = lambda package: "2.0.0" if package == "jinja2" else original(package)


def test_a_worker_with_other_libraries_is_refused(tmp_path: Path, own_cluster: distributed.Client):
    odd = sorted(own_cluster.nthreads())[1]
    own_cluster.run(_pretend_old_jinja, workers=[odd])
    root = sample_site(tmp_path / "site")
    config = load_config(root / "site.toml")
    with on_cluster(config, own_cluster, shared=str(tmp_path), batch=1) as executor, \
            pytest.raises(BuildFailed) as failed:
        build(config, executor=executor)
    messages = [str(e) for e in failed.value.errors]
    assert len(messages) == 1
    assert f"worker {odd}: jinja2 is '2.0.0', here " in messages[0]
    assert not config.dir("output").exists()


def test_a_shared_folder_without_the_site_is_refused(tmp_path: Path, cluster: distributed.Client):
    """Workers read the articles and the theme from the shared folder: one that does not hold
    the site is refused before any work is sent."""
    root = sample_site(tmp_path / "site")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    config = load_config(root / "site.toml")
    with on_cluster(config, cluster, shared=str(elsewhere), batch=1) as executor, \
            pytest.raises(BuildFailed) as failed:
        build(config, executor=executor)
    assert "does not hold the site folder" in str(failed.value.errors[0])
    assert failed.value.errors[0].field == "build.cluster.shared"


def test_the_command_line_builds_on_a_scheduler_and_on_its_own_cluster(tmp_path: Path,
                                                                       cluster: distributed.Client):
    stories = {f"content/changzhi/s{n}.md": article(f"Story {n}", f"2024-03-{1 + n:02} 08:00") for n in range(12)}
    toml = GENERATED_TOML.replace("[[languages]]\ncode = \"zh\"\n", "") + "\n[build.cluster]\nbatch = 4\n"
    local = write_site(tmp_path / "local", stories, toml)
    assert run_build(cwd=local).returncode == 0
    remote = write_site(tmp_path / "remote", stories, toml)
    done = run_build("--executor", "dask", "--scheduler", cluster.scheduler.address, cwd=remote)
    assert done.returncode == 0, done.stderr
    assert "cluster: 2 workers; reading 3 tasks" in done.stdout
    assert snapshot(remote / "public") == snapshot(local / "public")
    own = write_site(tmp_path / "own", stories, toml.replace("[build]\n", "[build]\nexecutor = \"dask\"\n"))
    done = run_build(cwd=own)
    assert done.returncode == 0, done.stderr
    assert "cluster: " in done.stdout and "rendering" in done.stdout
    assert snapshot(own / "public") == snapshot(local / "public")


@pytest.mark.parametrize("build_keys, cluster_keys, fields", [
    ('executor = "spark"\n', 'batch = -1\nshared = "relative/folder"\n',
     ("build.executor", "build.cluster.batch", "build.cluster.shared")),
    ("", 'retries = "twice"\nspeed = 3\nworkers = -2\n', ("build.cluster.retries", "build.cluster.speed")),
])
def test_cluster_settings_mistakes_are_reported_with_their_lines(tmp_path: Path, build_keys: str, cluster_keys: str,
                                                                 fields: tuple[str, ...]):
    toml = GENERATED_TOML.replace("per_page = 10\n", "per_page = 10\n" + build_keys) + (
        "\n[build.cluster]\n" + cluster_keys)
    root = write_site(tmp_path / "site", {"content/changzhi/a.md": article()}, toml)
    done = run_build("check", cwd=root)
    assert done.returncode == 1
    lines = {line.split(": ", 2)[1]: line for line in done.stderr.splitlines() if line.startswith("site.toml:")}
    assert sorted(lines) == sorted(fields), done.stderr
    text = (root / "site.toml").read_text().splitlines()
    for field in fields:
        number = int(lines[field].split(":")[1])
        assert text[number - 1].startswith(field.rpartition(".")[2] + " ="), (field, number)
    assert "Traceback" not in done.stderr
    if "build.executor" in lines:
        assert "'spark' is no executor; expected one of: local, dask" in lines["build.executor"]
        assert "must be the absolute path of a folder every worker sees" in lines["build.cluster.shared"]


def test_a_scheduler_needs_the_dask_executor(tmp_path: Path):
    root = write_site(tmp_path / "site", {"content/changzhi/a.md": article()})
    done = run_build("--scheduler", "tcp://127.0.0.1:1", cwd=root)
    assert done.returncode == 1
    assert "--scheduler: only a build on a cluster has a scheduler; add --executor dask" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_dask_the_executor_says_how_to_install_it(tmp_path: Path):
    root = write_site(tmp_path / "site", {"content/changzhi/a.md": article()})
    code = ("import sys; sys.modules['distributed'] = None; from newsroom.cli import main; "
            "sys.exit(main(['--executor', 'dask']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "--executor: 'dask' needs Dask (distributed is missing); install it with " \
           "python -m pip install -e '.[dask]'" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (root / "public").exists()


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path):
    root = write_site(tmp_path / "site", {"content/changzhi/a.md": article()},
                      GENERATED_TOML + "\n[build.cluster]\nbatch = 1\n")
    done = run_build("--executor", "dask", "--scheduler", "tcp://127.0.0.1:9", cwd=root)
    assert done.returncode == 1
    assert "--scheduler: cannot reach the Dask scheduler at tcp://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr


def test_template_mistakes_on_the_workers_are_the_local_ones(tmp_path: Path, cluster: distributed.Client):
    sites = [sample_site(tmp_path / name) for name in ("local", "remote")]
    for root in sites:
        template = root / "templates/article.html"
        template.write_text(template.read_text(encoding="utf-8").replace("</article>", "{{ no_such_thing }}</article>"),
                            encoding="utf-8")
    found = []
    for root, client in zip(sites, (None, cluster), strict=True):
        config = load_config(root / "site.toml")
        for write in (True, False):  # a build, and a check
            with pytest.raises(BuildFailed) as failed:
                if client is None:
                    build(config, write=write)
                else:
                    with on_cluster(config, client, batch=4, shared=str(tmp_path)) as executor:
                        build(config, write=write, executor=executor)
            found.append([str(e).replace(str(root), "SITE") for e in failed.value.errors])
        assert not config.dir("output").exists()
    assert found[0] == found[2] and found[1] == found[3]
    assert "no_such_thing" in found[0][0] and "article.html" in found[0][0]


def test_a_second_cold_build_on_the_same_workers(tmp_path: Path, cluster: distributed.Client):
    """The same workers build the site from nothing twice, with jobs of the same bytes: the
    second build stores every body again and gives the first one's output and cache."""
    root = generated_site(tmp_path / "site")
    config = load_config(root / "site.toml")
    outputs = []
    for _ in range(2):
        with on_cluster(config, cluster, batch=20, shared=str(tmp_path)) as executor:
            result = build(config, executor=executor)
        assert result.articles_read == 340 and executor.traffic["reading"].tasks == 17
        outputs.append((snapshot(config.dir("output")), cache_state(config)))
        shutil.rmtree(config.dir("output"))
        shutil.rmtree(root / ".cache")
    assert outputs[0] == outputs[1]


def _slow_render(started: str) -> None:
    def slow(job, batch):
        Path(started).touch()
        time.sleep(60)

    cluster_module._render = slow


def test_ctrl_c_stops_a_build_waiting_on_the_cluster(tmp_path: Path, own_cluster: distributed.Client):
    """Ctrl-C (or SIGTERM) while the workers render: the build stops within a second, not when
    the tasks end, and the output folder is left as it was."""
    import threading

    from newsroom import workers

    started = tmp_path / "rendering"
    own_cluster.run(_slow_render, str(started))
    root = sample_site(tmp_path / "site")
    config = load_config(root / "site.toml")

    interrupted: list[float] = []

    def interrupt_when_rendering() -> None:
        deadline = time.monotonic() + 120
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        interrupted.append(time.monotonic())
        workers.request_stop()  # what Ctrl-C and SIGTERM do

    watcher = threading.Thread(target=interrupt_when_rendering, daemon=True)
    watcher.start()
    try:
        with on_cluster(config, own_cluster, batch=10, shared=str(tmp_path)) as executor, \
                pytest.raises(KeyboardInterrupt):
            build(config, executor=executor)
        stopped = time.monotonic()
        assert started.exists()
    finally:
        watcher.join()
        workers._stop.clear()
    assert stopped - interrupted[0] < 10  # not the minute a task sleeps
    assert not config.dir("output").exists()
