"""Work on every core, also in a process that runs other threads (the preview server): there,
workers come from a fork server, and the output is the same as a build in one process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import JPEG, REPO, article, snapshot

from newsroom import build, load_config, workers


@pytest.fixture
def other_thread() -> Iterator[None]:
    """A second thread, as the preview server has, for the length of a test (conftest stops
    the fork server a build starts meanwhile)."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@pytest.fixture
def everything_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "PARALLEL_READS", 1)
    monkeypatch.setattr(workers, "PARALLEL_PAGES", 1)


def _site(make_site) -> Path:  # noqa: ANN001 - the conftest fixture
    files = {f"templates/{p.relative_to(REPO / 'templates').as_posix()}": p.read_text(encoding="utf-8")
             for p in (REPO / "templates").rglob("*.html")}
    stories = {f"content/{'changzhi' if n % 2 else 'taiyuan'}/story-{n}.md":
               article(f"Story {n}", date=f"2021-0{1 + n % 9}-1{n % 10} 08:00", image="/images/photo.jpg",
                       body=f"Paragraph {n} with \"quotes\" -- and a dash.\n\n![A photo](/images/photo.jpg)")
               for n in range(40)}
    site = make_site({**files, **stories, "static/images/photo.jpg": JPEG})
    text = (site / "site.toml").read_text(encoding="utf-8").replace(
        f'templates_dir = "{(REPO / "templates").as_posix()}"', 'templates_dir = "templates"')
    (site / "site.toml").write_text(text, encoding="utf-8")
    return site


def test_with_other_threads_running_workers_come_from_a_fork_server(other_thread) -> None:
    assert threading.active_count() > 1
    assert workers._start_method() == "forkserver"


def test_without_other_threads_workers_are_forked() -> None:
    """In a process of one thread, as ``build.py build`` is (this test process may run others)."""
    code = "from newsroom import workers; print(workers._start_method())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "fork"


def test_a_build_on_fork_server_workers_writes_what_one_process_writes(make_site, tmp_path: Path, other_thread,
                                                                        everything_parallel) -> None:
    site = _site(make_site)
    config = load_config(site / "site.toml")
    result = build(config, jobs=2)
    assert (result.articles_read, result.pages_rendered) == (40, result.pages)
    alone = build(load_config(site / "site.toml", output_dir=str(tmp_path / "alone")), jobs=1)
    assert alone.pages == result.pages
    assert snapshot(site / "public") == snapshot(tmp_path / "alone")

    base = site / "templates" / "base.html"  # the layout: every page again, on every core
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- layout edit --></body>"),
                    encoding="utf-8")
    edited = build(load_config(site / "site.toml"), jobs=2)
    html = [name for name in snapshot(site / "public") if name.endswith(".html")]
    assert (edited.pages_rendered, edited.articles_read) == (len(html), 0)
    build(load_config(site / "site.toml", output_dir=str(tmp_path / "clean")), jobs=1)
    assert snapshot(site / "public") == snapshot(tmp_path / "clean")
    assert "<!-- layout edit -->" in (site / "public" / "index.html").read_text(encoding="utf-8")


def _where(task: workers.Task) -> list[tuple[int, int]]:
    """Each item of the batch with the process that did it."""
    return [(item, os.getpid()) for item in workers._items(task, "items")]


@pytest.mark.parametrize(("items", "jobs"), [(1, 2), (7, 2), (100, 2), (100, 3), (257, 4)])
def test_the_build_does_a_share_of_the_batches_beside_its_workers(items: int, jobs: int, monkeypatch) -> None:
    """With ``own_share`` (rendering), forked workers are one fewer and the build's process
    works too: every batch is done once, results come in order, and both kinds of process work."""
    from newsroom.progress import Progress

    monkeypatch.setattr(workers, "_start_method", lambda: "fork")  # as in a build from the command line

    workers._job.update(items=list(range(1000, 1000 + items)))
    try:
        done = [pair for batch in workers._run(_where, "items", jobs, 1, Progress(enabled=False), "testing",
                                               len, chunk=3, own_share=True) for pair in batch]
    finally:
        workers._job.clear()
    assert [item for item, _ in done] == list(range(1000, 1000 + items))
    doers = {pid for _, pid in done}
    if items >= 100:
        assert os.getpid() in doers and len(doers) >= 2
    assert len(doers) <= jobs


def test_long_batches_are_shared_too(monkeypatch) -> None:
    """Photos are one long batch each, a few per build: with one batch queued ahead for the
    worker, the build's own process makes some of them instead of waiting for it."""
    from newsroom.progress import Progress

    monkeypatch.setattr(workers, "_start_method", lambda: "fork")
    workers._job.update(items=list(range(4)))
    try:
        done = [pair for batch in workers._run(_where, "items", 2, 2, Progress(enabled=False), "testing", len,
                                               chunk=1, own_share=True, ahead=1) for pair in batch]
    finally:
        workers._job.clear()
    assert [item for item, _ in done] == list(range(4))
    assert os.getpid() in {pid for _, pid in done} and len({pid for _, pid in done}) == 2
