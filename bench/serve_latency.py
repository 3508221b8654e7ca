"""How long after a save the preview server has the changed pages on disk.

    python bench/serve_latency.py --site bench/.work/site.toml [--edits 5] [--add]

Starts ``build.py serve`` on the site, waits for its first build, then edits one
article's title and body several times; for each save it measures the time until the
article page as written in the preview folder, shows the new title (the server
writes all changed pages of a rebuild at once). Prints the median and the worst. Restores the article afterwards.
With ``--add``, each save is a new article instead (a structural edit: its channel's,
section's, tag and archive lists change), timed until its page is in the preview folder;
the added articles are deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, seconds: float, step: float = 0.001):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise SystemExit("timed out")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", required=True, help="the site.toml of a corpus (e.g. from bench/corpus.py)")
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--add", action="store_true", help="add a new article at each save instead of editing one")
    args = parser.parse_args()
    site = Path(args.site).resolve().parent
    articles = sorted((site / "content").rglob("*.md"))
    article = articles[len(articles) // 2]
    original = article.read_text(encoding="utf-8")
    tmp = Path(tempfile.mkdtemp(prefix="serve-latency-"))
    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp)}
    log = open(tmp / "serve.log", "w")  # noqa: SIM115
    started = time.monotonic()
    server = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--config", str(site / "site.toml"),
                               "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        def up() -> bool:
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status == 200
            except OSError:
                return False

        wait_for(up, 3600, 0.2)
        print(f"first build and start: {time.monotonic() - started:.1f} s")
        root = next(tmp.glob("newsroom-preview-*")) / "site"
        page = None
        latencies = []
        added: list[Path] = []
        for n in range(args.edits if args.add else 0):
            title = f"Added probe {n} {time.time_ns()}"
            slug = f"latency-probe-{n}"
            text = "\n".join(f"title: {title}" if line.startswith("title:") else line
                             for line in original.splitlines()) + f"\n\nProbe paragraph {n}.\n"
            time.sleep(0.5)
            saved = time.monotonic()
            added.append(article.with_name(f"{slug}.md"))
            added[-1].write_text(text, encoding="utf-8")
            found = wait_for(lambda s=slug: next(iter(root.rglob(f"{s}/index.html")), None), 60, 0.005)
            wait_for(lambda p=found, t=title: t in p.read_text(encoding="utf-8"), 30)
            latencies.append(time.monotonic() - saved)
            print(f"add {n}: new article's page on disk {latencies[-1] * 1000:.0f} ms after the save")
        for n in range(0 if args.add else args.edits):
            title = f"Latency probe {n} {time.time_ns()}"
            lines = original.splitlines()
            text = "\n".join(f"title: {title}" if line.startswith("title:") else line for line in lines)
            text += f"\n\nProbe paragraph {n}.\n"
            time.sleep(0.5)
            saved = time.monotonic()
            article.write_text(text, encoding="utf-8")
            if page is None:
                page = wait_for(lambda t=title: next((p for p in root.rglob("index.html")
                                                      if t in p.read_text(encoding="utf-8")), None), 30, 0.01)
            wait_for(lambda t=title, p=page: t in p.read_text(encoding="utf-8"), 30)
            first = time.monotonic() - saved
            if n:  # the first save also has to find which file is the article's page
                latencies.append(first)
            print(f"edit {n}: article page on disk {first * 1000:.0f} ms after the save")
        print(f"median {statistics.median(latencies) * 1000:.0f} ms, worst {max(latencies) * 1000:.0f} ms "
              f"over {len(latencies)} edits")
    finally:
        article.write_text(original, encoding="utf-8")
        for path in locals().get("added", []):
            path.unlink(missing_ok=True)
        server.terminate()
        server.wait(timeout=30)
        log.close()
        print((tmp / "serve.log").read_text(encoding="utf-8")[-1500:])


if __name__ == "__main__":
    main()
