"""The incremental machinery behind one boundary: what to render again, and what to keep.

* :class:`Plan` — a fingerprint for every output file of a build; from it, whether the
  build changes nothing at all, and which pages must be rendered again.
* :func:`input_signature` — a digest of everything a build reads, so that a build whose
  inputs are those of the last one returns that build's result without reading any more.
* :class:`Session` — what a long-running process (the preview server) keeps between
  builds: the last model, its renderer, the fingerprint base of each page kind, and
  which pages show each article. :func:`newsroom.builder.build`
  fills it; :func:`newsroom.patch.patch_articles` reads and updates it.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from .assets import digest as assets_digest
from .cache import BuildCache
from .config import Config
from .errors import SiteError
from .files import walk
from .fingerprint import last_articles, page_fingerprint, template_facts, template_sources
from .output import MANIFEST, Output
from .pages import Page, SiteModel
from .render import Renderer


@dataclass(frozen=True)
class Inputs:
    """What a build reads, as far as names, sizes and mtimes tell (see :func:`input_signature`)."""

    head: str  # a digest of the cache key, the build's options and the folders
    stamps: dict[str, tuple[int, int] | None]  # every source file -> (size, mtime), None if it vanished
    signature: str  # a digest of it all
    problems: int  # links that lead nowhere or outside their folder: the build reports them


def input_signature(config: Config, key: str, target: Path, options: object) -> Inputs:
    """What a build of ``config`` into ``target`` reads: the cache ``key`` (the config,
    newsroom's code, the library versions), the build's ``options`` and the name, size and
    mtime of every file under the content, templates and static folders, as the build
    walks them (:func:`newsroom.files.walk`: editors' temporary files are no sources). Two
    builds with the same signature read the same bytes (as far as sizes and mtimes tell, as for
    every cached article) and write the same output, until the clock passes the first
    scheduled or expiring story: the caller checks that. Two with the same ``head`` differ in
    the files whose stamps differ (the command line's quick path starts from there)."""
    flags = (config.drafts, config.future, config.expired, config.build.keep, str(target), options)
    head = repr((key, flags, [str(config.dir(name)) for name in ("content", "templates", "static")]))
    digest = hashlib.sha1(head.encode(), usedforsecurity=False)
    stamps: dict[str, tuple[int, int] | None] = {}
    trouble = 0
    for name in ("content", "templates", "static"):
        folder = config.dir(name)
        digest.update(f"\0{name}\n".encode())
        problems: list[SiteError] = []  # the build proper reports them, and stores no digest then
        for path in walk(folder, name, hidden=lambda _: False, wanted=lambda _: True, errors=problems):
            try:
                stat = os.stat(path)
                stamp = stamps[path] = (stat.st_size, stat.st_mtime_ns)
                line = f"{path} {stamp[0]} {stamp[1]}\n"
            except OSError:
                stamps[path] = None
                line = f"{path} ?\n"
            digest.update(line.encode(errors="surrogateescape"))
        digest.update(f"{len(problems)} problems\n".encode())
        trouble += len(problems)
    return Inputs(hashlib.sha1(head.encode(), usedforsecurity=False).hexdigest(), stamps, digest.hexdigest(),
                  trouble)


@dataclass
class Session:
    model: SiteModel | None = None
    renderer: Renderer | None = None
    bases: dict[str, str] = field(default_factory=dict)  # page kind -> fingerprint base
    refs: dict[str, array[int]] = field(default_factory=dict)  # article path -> indices of the pages that show it

    site_files: frozenset[str] = frozenset()  # every output file: pages and copies
    provided: frozenset[str] = frozenset()  # output files the site supplies itself (robots.txt)
    search: Path | None = None  # where the preview keeps its search index (newsroom.search), for the session

    def remember(self, model: SiteModel, renderer: Renderer, plan: Plan, *, site_files: frozenset[str] = frozenset(),
                 provided: frozenset[str] = frozenset()) -> None:
        """What a full build made, and which pages hold each article (``plan.refs``)."""
        self.model, self.renderer, self.bases, self.refs = model, renderer, plan.bases, plan.refs
        self.site_files, self.provided = site_files, provided

    def forget(self) -> None:
        """The last build failed midway: what is here is not what the output shows."""
        self.model, self.renderer, self.bases, self.refs = None, None, {}, {}

    def pages_showing(self, path: str) -> list[int]:
        """Indices in ``model.pages`` of the pages whose records hold the article ``path``."""
        return list(self.refs.get(path, ()))

    def update(self, model: SiteModel) -> None:
        """The model after a quick path: the same pages, in the same places, with new records."""
        self.model = model

    def moved(self, model: SiteModel, refs: dict[str, array[int]], site_files: frozenset[str]) -> None:
        """The model after the structural quick path: some pages new, some gone, some moved."""
        self.model, self.refs, self.site_files = model, refs, site_files


@dataclass(frozen=True)
class Plan:
    """What each output file of this build is made from: its fingerprint (see
    :mod:`newsroom.fingerprint`); a file whose fingerprint is the one the cache kept
    from the last build has the same bytes, and is neither rendered nor written."""

    bases: dict[str, str]  # page kind -> what every page of that kind depends on besides its record
    files: tuple[str, ...]  # the output file of each page, in the model's order
    fingerprints: dict[str, str]  # output file -> fingerprint, pages and copied files
    refs: dict[str, array[int]] = field(default_factory=dict)  # article -> indices of pages that hold it, if asked

    @classmethod
    def of(cls, cache: BuildCache, renderer: Renderer, model: SiteModel, copies: dict[str, tuple[Path, str]],
           *, preview: bool, refs: bool = False, sources: tuple[dict[str, bytes], str] | None = None) -> Plan:
        """The plan of a build of ``model``; with ``refs``, also which pages hold each article
        (found by the fingerprint pass, which visits every article of every page anyway)."""
        sources = sources or template_sources(renderer.templates_dir)
        keys = template_facts(cache, renderer.templates_dir, sources)[0]
        assets = assets_digest(renderer.assets)  # the fingerprinted names every page links to
        bases = {kind: f"{cache.key}:{preview}:{assets}:{key}" for kind, key in keys.items()}
        files = model.files
        found: dict[str, array[int]] = {}  # arrays: a tenth of the memory of lists of ints, before workers fork
        if refs:
            prints = {}
            for index, (file, page) in enumerate(zip(files, model.pages, strict=True)):
                prints[file] = page_fingerprint(page, bases[page.kind])
                for path in last_articles():
                    held = found.get(path)
                    if held is None:
                        held = found[path] = array("I")
                    held.append(index)
        else:
            prints = {f: page_fingerprint(p, bases[p.kind]) for f, p in zip(files, model.pages, strict=True)}
        prints.update((relative, copy_print(source)) for relative, (source, _) in copies.items())
        return cls(bases, files, prints, found)

    def unchanged(self, cache: BuildCache, target: Path) -> bool:
        """Nothing to write: every output file is what the last build of ``target`` wrote."""
        return self.fingerprints == cache.outputs and os.path.isfile(target / MANIFEST)

    def pages_to_render(self, cache: BuildCache, out: Output, model: SiteModel) -> list[Page]:
        """Claim every page's file in ``out``; the pages whose files are not up to date."""
        fresh = []
        for relative, page in zip(self.files, model.pages, strict=True):
            if out.claim(relative, page.url) is None:
                continue
            if cache.outputs.get(relative) == self.fingerprints[relative] and out.keep(relative):
                continue
            fresh.append(page)
        return fresh


def copy_print(source: Path | bytes) -> str:
    """The fingerprint of a file copied into the output (or made in memory)."""
    if isinstance(source, bytes):  # a file made in memory (a fingerprinted stylesheet)
        return "made:" + hashlib.sha1(source, usedforsecurity=False).hexdigest()
    try:
        stat = source.stat()
    except OSError:
        return "missing"
    return f"copy:{stat.st_size}:{stat.st_mtime_ns}"
