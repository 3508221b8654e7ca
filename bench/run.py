#!/usr/bin/env python3
"""Benchmark newsroom's build against Hugo and Pelican on one generated corpus.

    python bench/run.py --articles 10000 [--runs 3] [--skip-hugo] [--skip-pelican]
                        [--workdir DIR] [--plot out.svg] [--plot-sizes 1000,10000,100000]

Generates the corpus once (bench/corpus.py) into the work folder, then times each step
as a new process: newsroom's cold build, no-op rebuild, rebuild after editing one
article, after editing the article template and after adding an article; then cold
builds of the same corpus with Hugo and Pelican. Prints one Markdown table (median
time, peak memory of the process tree, HTML pages per second) and the ratios.
See bench/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import corpus
import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BUILD_PY = REPO / "build.py"
HUGO_DIR = BENCH / "hugo"
PELICAN_CONF = BENCH / "pelican" / "pelicanconf.py"
PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_EVERY = 0.02  # seconds between memory samples
BUSY_SHARE = 0.2  # other processes using more than this share of one core make a step "busy"
TICK = os.sysconf("SC_CLK_TCK")
EDIT_MARKER = "Benchmark edit marker: the council confirmed the new figures on Tuesday."
TEMPLATE_MARKER = "<!-- bench: article template edited -->"
NEW_ARTICLE_DATE = "2026-11-21T08:00:00+08:00"  # newer than every corpus article
STEPS = (
    ("cold", "cold build (no output, no .cache)"),
    ("noop", "no-op rebuild"),
    ("edit", "rebuild after editing one article"),
    ("template", "rebuild after editing article.html"),
    ("add", "rebuild after adding one article"),
    ("redate", "rebuild after changing one article's date"),
    ("delete", "rebuild after deleting one article"),
    ("checkout", "fresh checkout, .cache/ and output restored"),
)
REDATE_TO = "2024-02-29T10:30:00+08:00"  # another month, so the article's address moves


# -- running and measuring one process --------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    peak_rss: int  # bytes: the highest sum of RSS over the process and its descendants
    peak_pss: int  # bytes: the highest sum of PSS (shared pages divided between the processes)
    returncode: int | None  # None: killed after the timeout
    pages: int = 0  # HTML files in the output after the run
    problem: str = ""  # why the output is wrong, when a check failed
    other_cpu: float = 0.0  # CPU seconds used meanwhile by processes that are not ours
    code_changed: bool = False  # newsroom's source changed since the run's cold build

    @property
    def busy(self) -> bool:
        """Other processes used more than a fifth of a core on average: the time is not trustworthy."""
        return self.other_cpu > BUSY_SHARE * self.seconds


def _children_of(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                kids.extend(int(k) for k in fh.read().split())
        except OSError:
            pass
    return kids


def _children_by_scan() -> Callable[[int], list[int]]:
    """Children from a scan of /proc (for kernels without /proc/PID/task/TID/children)."""
    parents: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(name))
    return lambda pid: parents.get(pid, [])


HAVE_CHILDREN_FILE = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def tree_rss(root: int) -> tuple[int, int]:
    """The sums of the resident set sizes and of the proportional set sizes of ``root`` and
    all its descendants, in bytes. RSS counts a page that forked processes share once per
    process; PSS divides it between them, so its sum is what the processes hold together
    (where /proc/PID/smaps_rollup is missing, PSS is taken to be RSS)."""
    children = _children_of if HAVE_CHILDREN_FILE else _children_by_scan()
    total = proportional = 0
    todo = [root]
    seen: set[int] = set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/statm") as fh:
                rss = int(fh.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        total += rss
        proportional += _pss(pid, rss)
        todo.extend(children(pid))
    return total, proportional


def _pss(pid: int, rss: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return rss


class _Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.peak_pss = 0
        self.done = threading.Event()

    def run(self) -> None:
        while True:
            rss, pss = tree_rss(self.pid)
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            if self.done.wait(SAMPLE_EVERY):
                return


def _machine_cpu() -> float:
    """CPU seconds every process of the machine has used (from /proc/stat), idle and I/O wait aside."""
    with open("/proc/stat") as fh:
        fields = [int(v) for v in fh.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / TICK


def _own_cpu() -> float:
    """CPU seconds of this process and of its waited-for descendants (the builds and their workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def wait_until_idle(limit: float) -> None:
    """Wait (at most ``limit`` seconds) for a half second in which other processes use < a tenth of a core."""
    deadline = time.monotonic() + limit
    while True:
        machine0, own0 = _machine_cpu(), _own_cpu()
        time.sleep(0.5)
        other = (_machine_cpu() - machine0) - (_own_cpu() - own0)
        if other < 0.05 or time.monotonic() >= deadline:
            return


IDLE_WAIT = 0.0  # --wait-idle


def measure(cmd: Sequence[str], log: Path, cwd: Path, timeout: float) -> Sample:
    """Run ``cmd`` as a new process (in its own session); wall time and peak tree RSS."""
    log.parent.mkdir(parents=True, exist_ok=True)
    os.sync()  # write back what earlier steps left dirty, so that it does not slow this one
    if IDLE_WAIT > 0:
        wait_until_idle(IDLE_WAIT)
    with open(log, "wb") as out:
        machine0, own0 = _machine_cpu(), _own_cpu()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        sampler = _Sampler(proc.pid)
        sampler.start()
        try:
            code: int | None = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group this process leads, nothing else
            proc.wait()
            code = None
        seconds = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        other = max(0.0, (_machine_cpu() - machine0) - (_own_cpu() - own0))
    return Sample(seconds, sampler.peak, sampler.peak_pss, code, other_cpu=other)


def count_html(folder: Path) -> int:
    count = 0
    todo = [str(folder)]
    while todo:
        try:
            entries = os.scandir(todo.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    todo.append(entry.path)
                elif entry.name.endswith(".html"):
                    count += 1
    return count


def remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


def log_tail(log: Path, lines: int = 25) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


# -- the corpus in the work folder ---------------------------------------------------------


@dataclass
class Corpus:
    work: Path
    articles: list[Path]  # content files in generation order
    seed: int

    @property
    def site_toml(self) -> Path:
        return self.work / "site.toml"

    @property
    def public(self) -> Path:
        return self.work / "public"

    @property
    def cache(self) -> Path:
        return self.work / ".cache"

    @property
    def template(self) -> Path:
        return self.work / "theme" / "article.html"


def make_corpus(work: Path, articles: int, seed: int) -> Corpus:
    work.mkdir(parents=True, exist_ok=True)
    remove(work / "public", work / ".cache", work / "hugo", work / "pelican", work / "logs")
    started = time.perf_counter()
    paths = corpus.generate(articles, work, seed, theme=True)
    print(f"corpus: {articles} articles in {_shown(work)} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return Corpus(work, paths, seed)


def split_front_matter(text: str) -> tuple[dict, str]:
    _, meta, body = text.split("---\n", 2)
    return yaml.load(meta, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), body


def article_page(c: Corpus, path: Path, text: str | None = None) -> Path:
    """The output file newsroom writes for the article at ``path`` (permalink of site.toml)."""
    meta, _ = split_front_matter(path.read_text(encoding="utf-8") if text is None else text)
    date: datetime = meta["date"]
    channel = path.parent.name
    return c.public / channel / meta["section"] / f"{date:%Y}" / f"{date:%m}" / path.stem / "index.html"


# -- newsroom ------------------------------------------------------------------------------


def code_digest() -> str:
    """A hash of newsroom's source: a rebuild after it changed may rightly start over."""
    digest = hashlib.sha1(usedforsecurity=False)
    for path in sorted([BUILD_PY, *(REPO / "newsroom").rglob("*.py")]):
        try:
            digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
        except OSError:
            pass
    return digest.hexdigest()


def newsroom_cmd(c: Corpus) -> list[str]:
    return [sys.executable, str(BUILD_PY), "--config", str(c.site_toml), "--output", str(c.public), "--quiet"]


def _sample_articles(c: Corpus, count: int) -> list[Path]:
    step = max(1, len(c.articles) // count)
    return c.articles[::step][:count]


def _check_contains(files: list[Path], needle: str) -> str:
    missing = [f for f in files if not f.is_file() or needle not in f.read_text(encoding="utf-8", errors="replace")]
    if missing:
        return f"{len(missing)} of {len(files)} checked pages are missing or lack {needle!r}, e.g. {_shown(missing[0])}"
    return ""


class Edits:
    """The three changes of a run, each undone by :meth:`restore`."""

    def __init__(self, c: Corpus):
        self.c = c
        self.edited = c.articles[len(c.articles) // 2]
        self.edited_text = self.edited.read_bytes()
        self.template_text = c.template.read_bytes()
        channel, slug, text = corpus.article(c.seed, len(c.articles))  # the article after the last
        text = re.sub(r"(?m)^date: .*$", f"date: {NEW_ARTICLE_DATE}", text, count=1)
        self.added = c.work / "content" / channel / f"bench-added-{slug}.md"
        self.added_text = text
        self.redated = c.articles[len(c.articles) // 3]
        self.redated_text = self.redated.read_bytes()
        self.deleted = c.articles[2 * len(c.articles) // 3]
        self.deleted_text = self.deleted.read_bytes()
        self.deleted_page = article_page(c, self.deleted)

    def edit_article(self) -> None:
        text = self.edited_text.decode("utf-8")
        head, sep, rest = text.partition("\n---\n")
        first, _, others = rest.partition("\n\n")
        self.edited.write_text(f"{head}{sep}{first} {EDIT_MARKER}\n\n{others}", encoding="utf-8")

    def edit_template(self) -> None:
        text = self.template_text.decode("utf-8")
        # content outside blocks is ignored in a child template: insert inside the last block
        at = text.rindex("{% endblock %}")
        self.c.template.write_text(text[:at] + TEMPLATE_MARKER + "\n" + text[at:], encoding="utf-8")

    def add_article(self) -> None:
        self.added.write_text(self.added_text, encoding="utf-8")

    def redate(self) -> None:
        text = re.sub(r"(?m)^date: .*$", f"date: {REDATE_TO}", self.redated_text.decode("utf-8"), count=1)
        self.redated.write_text(text, encoding="utf-8")

    def delete(self) -> None:
        remove(self.deleted)

    def checkout(self) -> None:
        """What a CI runner's clone gives: every source file with a new mtime, the same bytes
        (the restored .cache/ and output folder keep theirs, as a cache restore does)."""
        stamp = time.time_ns() + 1_000_000_000  # a second ahead: surely a new mtime
        for folder in ("content", "theme", "static"):
            for path in (self.c.work / folder).rglob("*"):
                if path.is_file():
                    os.utime(path, ns=(stamp, stamp))
        os.utime(self.c.site_toml, ns=(stamp, stamp))

    def restore(self) -> None:
        self.edited.write_bytes(self.edited_text)
        self.c.template.write_bytes(self.template_text)
        self.redated.write_bytes(self.redated_text)
        self.deleted.write_bytes(self.deleted_text)
        remove(self.added)

    # checks that a rebuild really shows the change: a fast but stale rebuild is wrong
    def check(self, step: str) -> str:
        c = self.c
        if step in ("cold", "noop", "checkout"):
            return _check_contains([article_page(c, p) for p in _sample_articles(c, 20)], "<h1>")
        if step == "edit":
            return _check_contains([article_page(c, self.edited)], EDIT_MARKER.split(":")[0])
        if step == "template":
            return _check_contains([article_page(c, p) for p in _sample_articles(c, 50)], TEMPLATE_MARKER)
        if step == "add":
            title = split_front_matter(self.added_text)[0]["title"]
            channel_index = c.public / self.added.parent.name / "index.html"
            return (_check_contains([article_page(c, self.added, self.added_text)], "<h1>")
                    or _check_contains([channel_index, c.public / "index.html"], title))
        if step == "redate":
            moved = article_page(c, self.redated)
            before = article_page(c, self.redated, self.redated_text.decode("utf-8"))
            return (_check_contains([moved], "<h1>")
                    or (f"the old page {_shown(before)} is still there" if before.exists() else ""))
        if step == "delete":
            return f"the deleted article's page {_shown(self.deleted_page)} is still there" \
                if self.deleted_page.exists() else ""
        return ""


def bench_newsroom(c: Corpus, runs: int, timeout: float) -> dict[str, list[Sample]]:
    results: dict[str, list[Sample]] = {step: [] for step, _ in STEPS}
    edits = Edits(c)
    actions: dict[str, Callable[[], None]] = {
        "cold": lambda: remove(c.public, c.cache), "noop": lambda: None, "edit": edits.edit_article,
        "template": edits.edit_template, "add": edits.add_article, "redate": edits.redate,
        "delete": edits.delete, "checkout": edits.checkout,
    }
    try:
        for run in range(1, runs + 1):
            edits.restore()
            code = code_digest()
            for step, label in STEPS:
                actions[step]()
                log = c.work / "logs" / f"newsroom-{step}-{run}.log"
                sample = measure(newsroom_cmd(c), log, c.work, timeout)
                sample.pages = count_html(c.public)
                sample.code_changed = code_digest() != code
                if sample.returncode != 0:
                    what = "timed out" if sample.returncode is None else f"exit code {sample.returncode}"
                    sample.problem = f"{what}; log {_shown(log)}"
                    print(f"newsroom {label} (run {run}) failed: {what}\n{log_tail(log)}", file=sys.stderr)
                else:
                    sample.problem = edits.check(step)
                    if sample.problem:
                        print(f"newsroom {label} (run {run}): WRONG OUTPUT: {sample.problem}", file=sys.stderr)
                results[step].append(sample)
                _progress(f"newsroom {step}", run, sample)
                if sample.returncode != 0 and step == "cold":
                    return results  # nothing else can be measured on a failed cold build
    finally:
        edits.restore()
    return results


def _progress(what: str, run: int, s: Sample) -> None:
    print(f"  {what:<18} run {run}: {s.seconds:8.2f} s  {s.peak_rss / 2**20:8.1f} MB "
          f"(PSS {s.peak_pss / 2**20:.0f})  {s.pages} pages  "
          f"(others: {s.other_cpu / s.seconds:.0%} of a core)" + (f"  [{s.problem}]" if s.problem else "")
          + ("  [newsroom/ changed]" if s.code_changed else ""), file=sys.stderr)


# -- Hugo and Pelican ------------------------------------------------------------------------


def hugo_available() -> bool:
    return shutil.which("hugo") is not None


def pelican_available() -> bool:
    try:
        import pelican  # noqa: F401
    except ImportError:
        return False
    return True


def _walk_articles(c: Corpus) -> list[tuple[Path, dict, str]]:
    out = []
    for path in c.articles:
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        out.append((path, meta, body))
    return out


def prepare_hugo(c: Corpus) -> Path:
    """work/hugo: Hugo's config and layouts, the articles as they are, _index.md per channel."""
    site = c.work / "hugo"
    remove(site)
    site.mkdir()
    shutil.copy2(HUGO_DIR / "hugo.toml", site / "hugo.toml")
    shutil.copytree(HUGO_DIR / "layouts", site / "layouts")
    shutil.copytree(c.work / "static", site / "static")
    for slug, name, _ in corpus.CHANNELS:
        folder = site / "content" / slug
        folder.mkdir(parents=True)
        (folder / "_index.md").write_text(f'---\ntitle: "{name}"\n---\n', encoding="utf-8")
    for path in c.articles:  # YAML front matter works in Hugo as it is
        shutil.copyfile(path, site / "content" / path.parent.name / path.name)
    return site


def _pelican_line(key: str, value: object) -> str:
    return f"{key}: {' '.join(str(value).split())}\n"


def prepare_pelican(c: Corpus) -> Path:
    """work/pelican/content: the articles with Pelican's metadata lines; category = channel."""
    site = c.work / "pelican"
    remove(site)
    content = site / "content"
    names = {slug: name for slug, name, _ in corpus.CHANNELS}
    for slug in names:
        (content / slug).mkdir(parents=True)
    shutil.copytree(c.work / "static" / "images", content / "images")
    (content / "pages").mkdir()
    (content / "pages" / "404.md").write_text(
        "Title: Page not found\nSlug: 404\nSave_as: 404.html\nStatus: hidden\n\n"
        "[Go to the Eshanxi Bench home page](/)\n", encoding="utf-8")
    for path, meta, body in _walk_articles(c):
        lines = [
            _pelican_line("Title", meta["title"]),
            _pelican_line("Date", meta["date"].isoformat()),
            _pelican_line("Category", names[path.parent.name]),
            _pelican_line("Tags", ", ".join(meta.get("tags", []))),
            _pelican_line("Summary", meta["dek"]),
            _pelican_line("Author", meta["author"]),
            _pelican_line("Slug", path.stem),
        ]
        image = meta.get("image")
        if image:
            lines += [_pelican_line(f"Image_{k}", image[k]) for k in ("src", "caption", "credit", "alt")]
        (content / path.parent.name / path.name).write_text("".join(lines) + "\n" + body, encoding="utf-8")
    return site


def bench_hugo(c: Corpus, site: Path, runs: int, timeout: float) -> list[Sample]:
    samples = []
    for run in range(1, runs + 1):
        out, cache = site / "public", site / ".hugo_cache"
        remove(out, cache, site / "resources", site / ".hugo_build.lock")
        cmd = ["hugo", "--quiet", "-s", str(site), "-d", str(out), "--cacheDir", str(cache)]
        log = c.work / "logs" / f"hugo-cold-{run}.log"
        sample = measure(cmd, log, site, timeout)
        sample.pages = count_html(out)
        if sample.returncode != 0:
            sample.problem = f"exit code {sample.returncode}; log {_shown(log)}"
            print(f"hugo failed:\n{log_tail(log)}", file=sys.stderr)
        samples.append(sample)
        _progress("hugo cold", run, sample)
    return samples


def bench_pelican(c: Corpus, site: Path, runs: int, timeout: float) -> list[Sample]:
    samples = []
    for run in range(1, runs + 1):
        out = site / "output"
        remove(out, site / "cache")
        cmd = [sys.executable, "-m", "pelican", str(site / "content"), "-o", str(out), "-s", str(PELICAN_CONF), "-q"]
        log = c.work / "logs" / f"pelican-cold-{run}.log"
        sample = measure(cmd, log, site, timeout)
        sample.pages = count_html(out)
        if sample.returncode != 0:
            sample.problem = f"exit code {sample.returncode}; log {_shown(log)}"
            print(f"pelican failed:\n{log_tail(log)}", file=sys.stderr)
        samples.append(sample)
        _progress("pelican cold", run, sample)
    return samples


# -- reporting ---------------------------------------------------------------------------------


@dataclass
class Row:
    generator: str
    step: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.returncode == 0]

    @property
    def seconds(self) -> float | None:
        return statistics.median(s.seconds for s in self.ok) if self.ok else None

    @property
    def peak_rss(self) -> float | None:
        return statistics.median(s.peak_rss for s in self.ok) if self.ok else None

    @property
    def peak_pss(self) -> float | None:
        return statistics.median(s.peak_pss for s in self.ok) if self.ok else None

    @property
    def pages(self) -> int | None:
        return self.ok[-1].pages if self.ok else None

    @property
    def note(self) -> str:
        problems = sorted({s.problem for s in self.samples if s.problem})
        if any(s.code_changed for s in self.samples):
            problems.append("newsroom/ was edited during the run: the cache may have started over")
        busy = [s for s in self.samples if s.busy]
        if busy:
            share = max(s.other_cpu / s.seconds for s in busy)
            problems.append(f"machine busy: other processes used up to {share:.0%} of a core")
        return "; ".join(problems)


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def table(rows: list[Row], runs: int) -> str:
    out = [
        f"| generator | step | time (median of {runs}, s) | peak RSS (MB) | peak PSS (MB) | HTML pages | pages/s "
        "| note |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        rate = row.pages / row.seconds if row.seconds and row.pages is not None else None
        mb = row.peak_rss / 2**20 if row.peak_rss is not None else None
        pss = row.peak_pss / 2**20 if row.peak_pss is not None else None
        note = row.note or ("" if row.samples else "not run")
        out.append(f"| {row.generator} | {row.step} | {_fmt(row.seconds, '.2f')} | {_fmt(mb, '.0f')} | "
                   f"{_fmt(pss, '.0f')} | {row.pages if row.pages is not None else '-'} | {_fmt(rate, '.0f')} | "
                   f"{note} |")
    return "\n".join(out)


def ratios(by_key: dict[str, Row]) -> str:
    def t(key: str) -> float | None:
        return by_key[key].seconds if key in by_key else None

    return "\n".join([
        f"- ours cold / Hugo cold: {_ratio(t('newsroom cold'), t('hugo cold'))}",
        f"- Pelican cold / ours cold: {_ratio(t('pelican cold'), t('newsroom cold'))}",
        f"- ours no-op / Hugo cold: {_ratio(t('newsroom noop'), t('hugo cold'))}",
        f"- ours template edit / Hugo cold: {_ratio(t('newsroom template'), t('hugo cold'))}",
        f"- ours fresh checkout / Hugo cold: {_ratio(t('newsroom checkout'), t('hugo cold'))}",
    ])


#: issue 13's targets: (what, row, compared with, at most); "hugo" ratios, or seconds when None
TARGETS = (
    ("cold build <= 2x Hugo", "newsroom cold", "hugo cold", 2.0),
    ("cold build >= 3x faster than Pelican", "newsroom cold", "pelican cold", 1 / 3),
    ("fresh checkout <= 0.25x Hugo", "newsroom checkout", "hugo cold", 0.25),
    ("base layout edited <= 1x Hugo", "newsroom template", "hugo cold", 1.0),
    ("no-op <= 0.1x Hugo", "newsroom noop", "hugo cold", 0.1),
    ("one article edited <= 0.5 s", "newsroom edit", None, 0.5),
    ("article added <= 0.5 s", "newsroom add", None, 0.5),
    ("date changed <= 0.5 s", "newsroom redate", None, 0.5),
    ("article deleted <= 0.5 s", "newsroom delete", None, 0.5),
)
MEMORY_TARGET = 300 * 2**20  # summed over all processes, at 10k articles


def targets(by_key: dict[str, Row], articles: int) -> str:
    out = []
    for what, key, base, limit in TARGETS:
        ours = by_key[key].seconds if key in by_key else None
        other = by_key[base].seconds if base in by_key else None
        if ours is None or (base is not None and other is None):
            out.append(f"- {what}: not measured")
            continue
        value = ours / other if base is not None and other else ours
        shown = f"{value:.2f}x" if base is not None else f"{value:.2f} s"
        if limit < 1 and base == "pelican cold" and value:  # "N times faster than": shown as Pelican / ours
            shown = f"{1 / value:.2f}x faster"
        out.append(f"- {what}: {shown} ({'met' if value <= limit else 'MISSED'})")
    peak = max((row.peak_rss or 0 for key, row in by_key.items() if key.startswith("newsroom")), default=0)
    pss = max((row.peak_pss or 0 for key, row in by_key.items() if key.startswith("newsroom")), default=0)
    if peak:
        verdict = ("met" if peak <= MEMORY_TARGET else "MISSED") if articles == 10000 else "target is for 10k"
        out.append(f"- peak memory <= 300 MB (RSS summed over all processes): {peak / 2**20:.0f} MB ({verdict}; "
                   f"PSS summed, shared pages counted once: {pss / 2**20:.0f} MB)")
    return "\n".join(out)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    hugo = "not installed"
    if hugo_available():
        version = subprocess.run(["hugo", "version"], capture_output=True, text=True, timeout=60).stdout
        match = re.search(r"v\d+\.\d+\.\d+\S*", version)
        hugo = match.group(0) if match else version.strip()
    pelican = "not installed"
    if pelican_available():
        pelican = subprocess.run([sys.executable, "-m", "pelican", "--version"], capture_output=True, text=True,
                                 timeout=60).stdout.strip()
    return (f"machine: {os.cpu_count()} cores, {model}, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; hugo {hugo}; pelican {pelican}")



# -- the plot ----------------------------------------------------------------------------------

COLORS = {"newsroom": "#c0392b", "hugo": "#2471a3", "pelican": "#229954"}


def write_svg(path: Path, series: dict[str, list[tuple[int, float]]]) -> None:
    """A log-log line chart of build time against article count, one line per generator."""
    width, height = 720, 460
    left, right, top, bottom = 80, 150, 50, 60
    points = [p for line in series.values() for p in line]
    if not points:
        raise SystemExit("nothing to plot: every build failed")
    xs = [math.log10(n) for n, _ in points]
    ys = [math.log10(max(s, 1e-3)) for _, s in points]
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    y0, y1 = math.floor(min(ys)), math.ceil(max(ys))
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)

    def px(n: float) -> float:
        return left + (math.log10(n) - x0) / (x1 - x0) * (width - left - right)

    def py(s: float) -> float:
        return height - bottom - (math.log10(max(s, 1e-3)) - y0) / (y1 - y0) * (height - top - bottom)

    def count(n: float) -> str:
        return f"{n / 1000:g}k" if n >= 1000 else f"{n:g}"

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{width / 2:.1f}" y="24" text-anchor="middle" font-size="15">'
        "Cold build time against article count (log-log)</text>",
    ]
    for e in range(x0, x1 + 1):
        for m in (1, 2, 5):
            n = m * 10**e
            if e == x1 and m > 1:
                break
            x = px(n)
            out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" '
                       f'stroke="{"#cccccc" if m == 1 else "#eeeeee"}"/>')
            if m == 1 or x1 - x0 <= 2:  # label 2 and 5 too when there are few decades
                out.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle">{count(n)}</text>')
    for e in range(y0, y1 + 1):
        for m in (1, 2, 5):
            s = m * 10.0**e
            if e == y1 and m > 1:
                break
            y = py(s)
            out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                       f'stroke="{"#cccccc" if m == 1 else "#eeeeee"}"/>')
            if m == 1 or y1 - y0 <= 2:
                out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{s:g} s</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" '
               'fill="none" stroke="#333333"/>')
    out.append(f'<text x="{(left + width - right) / 2:.1f}" y="{height - 15}" text-anchor="middle">articles</text>')
    out.append(f'<text x="18" y="{(top + height - bottom) / 2:.1f}" text-anchor="middle" '
               f'transform="rotate(-90 18 {(top + height - bottom) / 2:.1f})">cold build time (s)</text>')
    for i, (name, line) in enumerate(series.items()):
        color = COLORS.get(name, "#555555")
        coords = " ".join(f"{px(n):.1f},{py(s):.1f}" for n, s in sorted(line))
        out.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>')
        for n, s in sorted(line):
            out.append(f'<circle cx="{px(n):.1f}" cy="{py(s):.1f}" r="3.5" fill="{color}">'
                       f"<title>{name}: {n} articles, {s:.2f} s</title></circle>")
        ly = top + 10 + 22 * i
        out.append(f'<line x1="{width - right + 15}" y1="{ly}" x2="{width - right + 40}" y2="{ly}" '
                   f'stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{width - right + 46}" y="{ly + 4}">{name}</text>')
    out.append("</svg>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def cold_only(work: Path, articles: int, args: argparse.Namespace) -> dict[str, float]:
    """Median cold build time of each available generator on a corpus of ``articles``."""
    c = make_corpus(work, articles, args.seed)
    times: dict[str, float] = {}
    ours = []
    for run in range(1, args.plot_runs + 1):
        remove(c.public, c.cache)
        log = work / "logs" / f"newsroom-cold-{run}.log"
        sample = measure(newsroom_cmd(c), log, work, args.timeout)
        sample.pages = count_html(c.public)
        _progress(f"newsroom {articles}", run, sample)
        if sample.returncode == 0:
            ours.append(sample.seconds)
        else:
            print(f"newsroom failed at {articles} articles:\n{log_tail(log)}", file=sys.stderr)
            break
    if ours:
        times["newsroom"] = statistics.median(ours)
    if args.hugo:
        row = Row("hugo", "cold", bench_hugo(c, prepare_hugo(c), args.plot_runs, args.timeout))
        if row.seconds is not None:
            times["hugo"] = row.seconds
    if args.pelican:
        row = Row("pelican", "cold", bench_pelican(c, prepare_pelican(c), args.plot_runs, args.timeout))
        if row.seconds is not None:
            times["pelican"] = row.seconds
    return times


# -- main ----------------------------------------------------------------------------------------


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="Rows and columns are explained in bench/README.md.")
    p.add_argument("--articles", type=int, default=10000, metavar="N", help="corpus size (default 10000)")
    p.add_argument("--runs", type=int, default=3, help="repetitions of every step; the median is shown (default 3)")
    p.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED, help="corpus seed")
    p.add_argument("--skip-hugo", action="store_true", help="do not build with Hugo")
    p.add_argument("--skip-pelican", action="store_true", help="do not build with Pelican")
    p.add_argument("--workdir", type=Path, default=BENCH / ".work", metavar="DIR",
                   help="where the corpus and the outputs go (default bench/.work/)")
    p.add_argument("--timeout", type=float, default=3600, metavar="S",
                   help="kill a build after S seconds (default 3600)")
    p.add_argument("--wait-idle", type=float, default=0, metavar="S",
                   help="before each build, wait up to S seconds for other processes to leave the CPU idle")
    p.add_argument("--plot", type=Path, metavar="SVG", help="also time cold builds at --plot-sizes and draw them")
    p.add_argument("--plot-sizes", default="1000,10000,100000", metavar="N,N,...",
                   help="article counts for --plot (default 1000,10000,100000)")
    p.add_argument("--plot-runs", type=int, default=1, help="cold builds per point of the plot (default 1)")
    args = p.parse_args(argv)
    if args.articles < 1 or args.runs < 1 or args.plot_runs < 1:
        p.error("--articles, --runs and --plot-runs must be at least 1")
    try:
        args.sizes = sorted({int(n) for n in args.plot_sizes.split(",") if n.strip()})
    except ValueError:
        p.error("--plot-sizes takes article counts separated by commas, e.g. 1000,10000")
    if any(n < 1 for n in args.sizes):
        p.error("--plot-sizes must be positive")
    args.hugo = not args.skip_hugo and hugo_available()
    args.pelican = not args.skip_pelican and pelican_available()
    if not args.skip_hugo and not args.hugo:
        print("hugo is not installed: skipping it", file=sys.stderr)
    if not args.skip_pelican and not args.pelican:
        print("pelican is not installed: skipping it", file=sys.stderr)
    return args


def main(argv: list[str] | None = None) -> int:
    global IDLE_WAIT
    args = parse_args(argv)
    IDLE_WAIT = args.wait_idle
    work = args.workdir.resolve()
    c = make_corpus(work, args.articles, args.seed)

    rows: list[Row] = []
    print(f"newsroom: {args.runs} run(s) of {len(STEPS)} steps", file=sys.stderr)
    ours = bench_newsroom(c, args.runs, args.timeout)
    rows += [Row("newsroom", label, ours[step]) for step, label in STEPS]
    keys = {f"newsroom {step}": row for (step, _), row in zip(STEPS, rows, strict=True)}
    if args.hugo:
        print("hugo: preparing input", file=sys.stderr)
        row = Row("hugo", "cold build", bench_hugo(c, prepare_hugo(c), args.runs, args.timeout))
        rows.append(row)
        keys["hugo cold"] = row
    if args.pelican:
        print("pelican: preparing input", file=sys.stderr)
        row = Row("pelican", "cold build", bench_pelican(c, prepare_pelican(c), args.runs, args.timeout))
        rows.append(row)
        keys["pelican cold"] = row

    print()
    print(f"{args.articles} articles, seed {args.seed}")
    print()
    print(table(rows, args.runs))
    print()
    print(ratios(keys))
    print()
    print(targets(keys, args.articles))
    print()
    print(machine())
    busy = [row for row in rows if any(s.busy for s in row.samples)]
    if busy:
        print(f"warning: other processes kept the CPU busy during {len(busy)} row(s) (see the notes): "
              "their times are inflated; run again on an idle machine")

    if args.plot:
        series: dict[str, list[tuple[int, float]]] = {}
        for n in args.sizes:
            if n == args.articles:
                times = {name: keys[f"{name} cold"].seconds for name in ("newsroom", "hugo", "pelican")
                         if f"{name} cold" in keys and keys[f"{name} cold"].seconds is not None}
            else:
                plot_work = work / f"plot-{n}"
                print(f"plot: {n} articles", file=sys.stderr)
                times = cold_only(plot_work, n, args)
                remove(plot_work)  # 100k articles and three outputs take gigabytes
            for name, seconds in times.items():
                series.setdefault(name, []).append((n, seconds))
        write_svg(args.plot, series)
        print()
        print("| articles | " + " | ".join(series) + " |")
        print("| ---: |" + " ---: |" * len(series))
        for n in args.sizes:
            cells = [next((f"{s:.2f} s" for m, s in series[name] if m == n), "-") for name in series]
            print(f"| {n} | " + " | ".join(cells) + " |")
        print(f"\nplot: {_shown(args.plot)}")
    failed = any(s.returncode != 0 or s.problem for row in rows for s in row.samples)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
