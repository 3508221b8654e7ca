"""Shared helpers: throwaway sites written inline, and build.py run as a real process."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Every process the tests start inherits this mark, so that the session can prove at its
# end that it left nothing running (see pytest_sessionfinish).
SESSION_MARK = f"NEWSROOM_TEST_SESSION={uuid.uuid4().hex}"
os.environ["NEWSROOM_TEST_SESSION"] = SESSION_MARK.partition("=")[2]


def processes_with(mark: str) -> list[int]:
    """Live processes (not zombies, not this one) whose environment holds ``mark``."""
    found = []
    if not os.path.isdir("/proc"):
        return found
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as stream:
                if mark.encode() not in stream.read():
                    continue
            with open(f"/proc/{entry}/stat", "rb") as stat:
                if stat.read().rsplit(b") ", 1)[-1][:1] == b"Z":
                    continue
        except OSError:
            continue
        found.append(int(entry))
    return found


@pytest.fixture(autouse=True)
def _stop_fork_server() -> Iterator[None]:
    """A build run while another thread runs (a test's HTTP server) takes its workers from a
    fork server (see newsroom.workers), which would live as long as this process, as would
    the resource tracker it starts: both stopped after the test that started them."""
    yield
    import multiprocessing
    from multiprocessing import forkserver, resource_tracker

    if getattr(forkserver._forkserver, "_forkserver_pid", None) is not None:
        forkserver._forkserver._stop()
        if getattr(resource_tracker._resource_tracker, "_pid", None) is not None \
                and not multiprocessing.active_children():  # else shared with them (a Dask cluster's workers)
            resource_tracker._resource_tracker._stop()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any test left a process running (a server, a build, a worker)."""
    deadline = time.monotonic() + 5
    while (left := processes_with(SESSION_MARK)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if not left:
        return
    lines = []
    for pid in left:
        try:
            lines.append(f"  {pid}: {Path(f'/proc/{pid}/cmdline').read_bytes().replace(bytes(1), b' ').decode()}")
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    print("\nthe tests left processes running (now killed):\n" + "\n".join(lines), file=sys.stderr)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
FIXTURE_SITE = REPO / "tests" / "fixtures" / "site"


def _photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 40)) -> bytes:
    """A small real photo (a gradient), for sites whose articles show one: photos are probed
    and resized, so made-up bytes are a broken photo."""
    import io

    from PIL import Image

    image = Image.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


JPEG = _photo()  # bytes of a 64x40 JPEG
PNG = _photo("PNG")

SITE_TOML = """\
[site]
title = "Eshanxi"
base_url = "https://www.eshanxi.example/"

[build]
templates_dir = "{templates}"
per_page = 2

[[channels]]
slug = "changzhi"
name = "Changzhi"

[[channels]]
slug = "taiyuan"
name = "Taiyuan"

[[sections]]
slug = "news"
name = "News"

[[sections]]
slug = "business"
name = "Business"
"""


def article(title: str = "A story", date: str = "2021-08-25 09:30", body: str = "Body text.",
            **fields: str) -> str:
    """The text of an article file with YAML front matter."""
    lines = [f"title: {title}", f"date: {date}"] + [f"{k}: {v}" for k, v in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


@pytest.fixture
def make_site(tmp_path: Path):
    """Write a site (site.toml + files) into a temporary folder and return its path.

    ``files`` maps paths to text or bytes; ``site_toml`` replaces the default config,
    in which ``{templates}`` stands for the project's templates folder.
    """

    def make(files: dict[str, str | bytes] | None = None, site_toml: str | None = None,
             folder: str = "site") -> Path:
        config = textwrap.dedent(site_toml) if site_toml is not None else SITE_TOML
        return write_site(tmp_path / folder, files or {}, config)

    return make


def write_site(root: Path, files: dict[str, str | bytes], site_toml: str = SITE_TOML) -> Path:
    """A site in ``root``: ``site_toml`` (``{templates}`` is the project's templates folder) and ``files``."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "site.toml").write_text(site_toml.replace("{templates}", (REPO / "templates").as_posix()),
                                    encoding="utf-8")
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def run_build(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python build.py ARGS`` in ``cwd``, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes, to compare outputs (the search index's
    files as :func:`pagefind_canonical` gives them)."""
    return pagefind_canonical(files_of(folder))


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes, as they are."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


_FILTER = re.compile(r"^(pagefind/[^/]+/)filter/(\w+?)_([0-9a-f]+)\.pf_filter$")
_META = re.compile(r"^(pagefind/[^/]+/)pagefind\.(\w+?)_([0-9a-f]+)\.pf_meta$")


def pagefind_canonical(files: dict[str, bytes]) -> dict[str, bytes]:
    """``files`` with the parts of a Pagefind index that differ from run to run made comparable.

    Pagefind writes its filter files from hash maps, in an order that changes every run, so
    their names (hashes of their bytes), the meta file that names them and the entry file
    that names the meta file change too (Pagefind issue #638). Everything else it writes
    (fragments, word index, runtime) is compared as it is. A filter file becomes its
    decompressed bytes in sorted order (the same entries in any order give the same bytes),
    named by a hash of those; the meta file names the filters so, and is itself sorted and
    named by its hash; the entry file and the manifest name them all so."""
    out = dict(files)
    names: dict[str, str] = {}  # a file's real name -> its canonical name
    renames: dict[str, dict[bytes, bytes]] = {}  # shard -> hash in a name -> canonical one
    for name, data in files.items():
        if m := _FILTER.match(name):
            canonical = bytes(sorted(gzip.decompress(data)))
            tag = f"{m.group(2)}_f{hashlib.sha256(canonical).hexdigest()[:10]}"
            renames.setdefault(m.group(1), {})[f"{m.group(2)}_{m.group(3)}".encode()] = tag.encode()
            names[name] = f"{m.group(1)}filter/{tag}.pf_filter"
            del out[name]
            out[names[name]] = canonical
    for name, data in files.items():
        if m := _META.match(name):
            meta = gzip.decompress(data)
            for old, new in renames.get(m.group(1), {}).items():
                meta = meta.replace(old, new)
            canonical = bytes(sorted(meta))
            tag = f"{m.group(2)}_m{hashlib.sha256(canonical).hexdigest()[:10]}"
            names[name] = f"{m.group(1)}pagefind.{tag}.pf_meta"
            del out[name]
            out[names[name]] = canonical
            entry = f"{m.group(1)}pagefind-entry.json"
            if entry in out:
                out[entry] = out[entry].replace(f"{m.group(2)}_{m.group(3)}".encode(), tag.encode())
    manifest = out.get(".newsroom-manifest")
    if manifest is not None and names:  # it names the files, in the order of their real names
        lines = sorted(names.get(line, line) for line in manifest.decode("utf-8").split("\n"))
        out[".newsroom-manifest"] = "\n".join(lines).encode("utf-8")
    return dict(sorted(out.items()))


def headers_rules(text: str) -> dict[str, dict[str, str]]:
    """A _headers file as Netlify and Cloudflare Pages read it: path, then indented headers."""
    rules: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            assert line not in rules, f"{line} twice"
            current = rules[line] = {}
        else:
            name, _, value = line.strip().partition(":")
            assert current is not None and name not in current
            current[name] = value.strip()
    return rules


ARTIFACTS = REPO / "test-artifacts"  # screenshots and other things to look at; not committed


@pytest.fixture(scope="session")
def sample_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's sample site, built once for the session."""
    from newsroom import build, load_config

    out = tmp_path_factory.mktemp("sample") / "public"
    build(load_config(REPO / "site.toml", output_dir=str(out)))
    return out


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """``folder`` served over HTTP on loopback by a real web server, stopped however the
    block ends; yields its root URL."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="session")
def sample_server(sample_public: Path) -> Iterator[str]:
    """The sample site served over HTTP on loopback by a real web server; yields its root URL."""
    with static_server(sample_public) as url:
        yield url


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Headless system Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must have /usr/bin/chromium: .ci/run installs Debian's chromium package")
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
