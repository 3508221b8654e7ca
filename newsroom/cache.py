"""What the last build knew, kept between builds so that unchanged work is skipped.

The cache lives in ``.cache/newsroom/<output name>/`` beside the output folder
(``.cache/`` is ignored by git) and holds:

* ``state.pickle`` — a header (format, key) and, for each article file, its size,
  mtime and the Article record read from it; for each output file, the fingerprint of
  what made it (see :mod:`newsroom.fingerprint`) in the last good build;
* ``bodies-<key>/<digest>.html`` — article bodies, read only by the pages that show them.

The key covers everything besides the files themselves that decides a record: the
config, newsroom's own source, and the versions of Python-Markdown and PyYAML. A cache
with another key, another format, or that cannot be read (truncated, corrupt) is
dropped and the build starts from nothing: it is never trusted blindly.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import Config
from .content import Article, Body

FORMAT = 1


@dataclass
class Entry:
    mtime_ns: int
    size: int
    article: Article


@dataclass
class State:
    format: int
    key: str
    entries: dict[str, Entry] = field(default_factory=dict)  # by site-relative path
    outputs: dict[str, str] = field(default_factory=dict)  # output file -> fingerprint


def cache_key(config: Config) -> str:
    """Everything besides an article's own bytes that decides what reading it gives."""
    import markdown
    import yaml

    neutral = replace(config, build=replace(config.build, output_dir=""), drafts=False)
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(repr(neutral).encode())
    digest.update(f"{FORMAT} {markdown.__version__} {yaml.__version__}".encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


class BuildCache:
    """Articles and output fingerprints of the last build; in memory only if ``folder`` is None."""

    def __init__(self, folder: Path | None, key: str, root: Path = Path(".")):
        self.folder = folder
        self.key = key
        self.root = root  # the site folder, which dependencies are relative to
        self._seen: dict[str, bool] = {}
        self._bodies_listed: set[str] | None = None
        self._changed = True
        self.state = State(FORMAT, key)
        self.dropped = ""  # why a stored cache was not used, for messages
        self.autosave = True  # save after every build; the preview server saves when it stops
        self._bodies_made: set[str] = set()

    @classmethod
    def open(cls, folder: Path | None, key: str, root: Path = Path(".")) -> BuildCache:
        cache = cls(folder, key, root)
        if folder is None:
            return cache
        try:
            with open(folder / "state.pickle", "rb") as stream:
                state = pickle.load(stream)
        except FileNotFoundError:
            return cache
        except Exception as exc:  # noqa: BLE001 - any unreadable cache is rebuilt, never trusted
            cache.dropped = f"unreadable ({type(exc).__name__})"
            return cache
        if not isinstance(state, State) or state.format != FORMAT:
            cache.dropped = "written by another version of newsroom"
        elif state.key != key:
            cache.dropped = "made with another config or newsroom version"
        else:
            cache.state = state
            cache._changed = False
        return cache

    @staticmethod
    def folder_for(config: Config, output: Path) -> Path:
        return output.parent / ".cache" / "newsroom" / output.name

    # -- articles -------------------------------------------------------------------------

    def article(self, shown: str, stat: os.stat_result) -> Article | None:
        """The stored record of a file that has not changed since, or None."""
        entry = self.state.entries.get(shown)
        if entry is None or entry.mtime_ns != stat.st_mtime_ns or entry.size != stat.st_size:
            return None
        article = entry.article
        if not all(map(self._exists, article.depends)):
            return None  # an image it checked is gone: read it again to report that
        if article.body.file is not None and os.path.basename(article.body.file) not in self._stored_bodies:
            return None
        return article

    def _exists(self, dependency: str) -> bool:
        known = self._seen.get(dependency)
        if known is None:
            known = self._seen[dependency] = os.path.isfile(self.root / dependency)
        return known

    @property
    def _stored_bodies(self) -> set[str]:
        if self._bodies_listed is None:
            folder = self._bodies
            self._bodies_listed = set(os.listdir(folder)) if folder is not None and folder.is_dir() else set()
        return self._bodies_listed

    def body_file(self, digest: str) -> Path | None:
        return self._bodies / f"{digest}.html" if self._bodies is not None else None

    @property
    def _bodies(self) -> Path | None:
        return self.folder / f"bodies-{self.key[:16]}" if self.folder is not None else None

    def keep_body(self, article: Article) -> Article:
        """Store the body in the cache folder; the returned record reads it from there."""
        target = self.body_file(article.digest)
        if target is None:
            return article
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            self._changed = True
            temporary = target.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(article.body.text, encoding="utf-8")
            os.replace(temporary, target)
        return replace(article, body=Body(file=str(target)))

    def remember(self, entries: dict[str, Entry], outputs: dict[str, str]) -> None:
        """What this build knew; the next one compares with it. Starts a new build's lookups."""
        if entries != self.state.entries or outputs != self.state.outputs:
            self._changed = True
        self.state = State(FORMAT, self.key, entries, outputs)
        self._seen.clear()
        self._bodies_listed = None

    # -- outputs --------------------------------------------------------------------------

    @property
    def outputs(self) -> dict[str, str]:
        return self.state.outputs

    def save(self, force: bool = False) -> None:
        """Write the state (atomically) and drop bodies no record points at any more."""
        if self.folder is None or not (self.autosave or force) or not self._changed:
            return
        self._changed = False
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f"state.pickle.{os.getpid()}.tmp"
        with open(temporary, "wb") as stream:
            pickle.dump(self.state, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.folder / "state.pickle")
        for other in self.folder.glob("bodies-*"):
            if other != self._bodies:
                shutil.rmtree(other, ignore_errors=True)  # made with another key
        bodies = self._bodies
        if bodies is not None and bodies.is_dir():
            wanted = {f"{e.article.digest}.html" for e in self.state.entries.values()}
            for name in os.listdir(bodies):
                if name not in wanted:
                    (bodies / name).unlink(missing_ok=True)

    def clear(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.state = State(FORMAT, self.key)
