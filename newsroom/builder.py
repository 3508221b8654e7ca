"""The build, start to end, in one straight line: load, check, model, render, write.

Work that an earlier build already did is skipped: articles whose files did not change
come from the :class:`~newsroom.cache.BuildCache`, and pages whose fingerprint did not
change are left as they are in the output instead of rendered. Reading and rendering
run on every core (:mod:`newsroom.workers`) when there is enough of it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from . import faults, workers
from .cache import BuildCache, Entry, cache_key
from .config import Config
from .content import Article, walk_articles
from .errors import BuildFailed, SiteError
from .files import walk
from .fingerprint import page_fingerprint, template_keys
from .incremental import Session
from .model import SiteModel, build_model
from .output import MANIFEST, Output, recover
from .progress import Progress
from .render import Renderer
from .urls import output_file

IGNORED_STATIC = frozenset({".DS_Store", "Thumbs.db", ".git", ".gitkeep"})


@dataclass(frozen=True)
class BuildResult:
    pages: int
    articles: int
    drafts_skipped: int
    files_written: int  # files whose bytes changed
    files_kept: int  # files the output already had, left untouched
    articles_read: int  # article files read and rendered; the rest came from the cache
    pages_rendered: int  # pages rendered; the rest were unchanged and reused
    seconds: float
    output: Path | None  # None for a check, which writes nothing
    warnings: tuple[SiteError, ...] = ()  # slips the site survives, sorted


def build(config: Config, *, write: bool = True, preview: bool = False, cache: BuildCache | None = None,
          output: Path | None = None, jobs: int | None = None, progress: Progress | None = None,
          session: Session | None = None, take_over: bool = False, strict: bool = False) -> BuildResult:
    """Build the site of ``config``; raises :class:`BuildFailed` with every mistake found.

    With ``write=False`` everything is read, checked and rendered, and nothing is
    written. The output (default: the config's output folder) changes only when the
    whole build succeeded, and then only in the files whose bytes changed (see
    :mod:`newsroom.output`). ``cache`` defaults to the one stored in the site folder
    (none for a check); ``jobs`` is the number of processes (default: one per core);
    a ``session`` is filled with what a later :func:`~newsroom.patch.patch_articles` needs;
    ``take_over`` replaces whatever else the output folder holds (``--clean-output``);
    ``strict`` makes every warning an error.
    """
    started = time.perf_counter()
    progress = progress or Progress(enabled=False)
    jobs = jobs or workers.default_jobs()
    target = output if output is not None else config.dir("output")
    if cache is None:
        folder = BuildCache.folder_for(config, target) if write else None
        cache = BuildCache.open(folder, cache_key(config), config.root)

    entries, articles, errors, reads = _load(config, cache, jobs, progress)
    if errors:
        raise BuildFailed(errors)
    workers.check_stop()
    published = [a for a in articles if config.drafts or not a.draft]
    model = build_model(config, published)
    copies = _copies(config, published)
    warnings = _warnings(articles, published, model, copies)
    if strict and warnings:
        raise BuildFailed([w.as_error() for w in warnings])
    renderer = Renderer(config, preview=preview)

    if not write:
        errors = workers.render_pages(renderer, list(model.pages), None, jobs, progress)
        if errors:
            raise BuildFailed(errors)
        return _result(model, published, articles, reads, len(model.pages), None, None, started, warnings=warnings)

    keys = template_keys(renderer.env, config.dir("templates"))
    bases = {kind: f"{cache.key}:{preview}:{key}" for kind, key in keys.items()}
    files = [output_file(p.url) for p in model.pages]
    manifest = {f: page_fingerprint(p, bases[p.kind]) for f, p in zip(files, model.pages, strict=True)}
    if session is not None:
        session.remember(model, renderer, bases)
    manifest.update((rel, _copy_print(source)) for rel, (source, _) in copies.items())
    recover(target)  # a build killed while applying its journal is finished first
    if manifest == cache.outputs and not take_over and os.path.isfile(target / MANIFEST):
        cache.remember(entries, manifest)  # nothing to write; records may have new mtimes
        cache.save()
        return _result(model, published, articles, reads, 0, None, target, started, kept=len(manifest),
                       warnings=warnings)

    with Output(target, keep=config.build.keep, take_over=take_over, refused=config.output_error,
                name=config.relpath(target), known=cache.known_outputs) as out:
        fresh = []
        for relative, page in zip(files, model.pages, strict=True):
            if out.claim(relative, page.url) is None:
                continue
            if cache.outputs.get(relative) == manifest[relative] and out.keep(relative):
                continue
            fresh.append(page)
        for relative, (source, owner) in copies.items():
            out.copy(relative, source, owner)
        if out.errors:
            raise BuildFailed(out.errors)
        errors = workers.render_pages(renderer, fresh, out.writer(), jobs, progress)
        if errors:
            raise BuildFailed(errors)
        workers.check_stop()  # Ctrl-C or SIGTERM: stop before the commit, never during it
        out.commit()
    faults.point("after-commit")
    cache.remember(entries, manifest)
    cache.save()
    return _result(model, published, articles, reads, len(fresh), out, target, started, warnings=warnings)


def _load(config: Config, cache: BuildCache, jobs: int,
          progress: Progress) -> tuple[dict[str, Entry], list[Article], list[SiteError], int]:
    """Every article: from the cache when its file is unchanged, else read (in parallel)."""
    content = config.dir("content")
    prefix, cut = config.relpath(content) + "/", len(str(content)) + 1
    entries: dict[str, Entry] = {}
    todo: list[tuple[Path, str, os.stat_result]] = []
    errors: list[SiteError] = []
    for path in walk_articles(content, prefix.rstrip("/"), errors):
        shown = prefix + path[cut:].replace(os.sep, "/")
        try:
            stat = os.stat(path)
        except OSError:
            continue  # deleted while we looked
        article = cache.article(shown, stat)
        if article is not None:
            entries[shown] = Entry(stat.st_mtime_ns, stat.st_size, article)
        else:
            todo.append((Path(path), shown, stat))
    read = workers.read_articles(config, todo, jobs, progress, keep=cache.keep_body)
    for (path, shown, stat), result in zip(todo, read, strict=True):
        if isinstance(result, BuildFailed):
            if path.exists():
                errors.extend(result.errors)
            # else: deleted while the build read it; the next build (or the preview's next event) sees that
        else:
            entries[shown] = Entry(stat.st_mtime_ns, stat.st_size, result)
    ordered = [entries[k].article for k in sorted(entries)]
    return entries, ordered, errors, len(todo)


def _copies(config: Config, published: list[Article]) -> dict[str, tuple[Path, str]]:
    """Files copied as they are: article images beside the articles, then static/.

    Raises :class:`BuildFailed` for a static file that is also an article image, and for
    symlinks in static/ or templates/ that lead nowhere or outside their folder (the
    templates are read by Jinja; only their links are checked here).
    """
    content = config.dir("content")
    copies: dict[str, tuple[Path, str]] = {}
    for article in reversed(published):
        for asset in article.assets:
            copies[asset] = (content / asset, article.path)
    static = config.dir("static")
    shown = config.build.static_dir.rstrip("/")
    errors: list[SiteError] = []
    static_files: dict[str, tuple[Path, str]] = {}
    cut = len(str(static)) + 1
    for path in walk(static, shown, hidden=IGNORED_STATIC.__contains__, wanted=bool, errors=errors):
        relative = path[cut:].replace(os.sep, "/")
        static_files[relative] = (Path(path), f"{shown}/{relative}")
    walk(config.dir("templates"), config.build.templates_dir.rstrip("/"), hidden=lambda n: n.startswith("."),
         wanted=bool, errors=errors)
    errors.extend(SiteError(static_files[r][1], None, None, f"{r} is also an article image of {copies[r][1]}")
                  for r in sorted(set(copies) & set(static_files)))
    if errors:
        raise BuildFailed(errors)
    return dict(sorted(copies.items())) | static_files


def _warnings(articles: list[Article], published: list[Article], model: SiteModel,
              copies: dict[str, tuple[Path, str]]) -> tuple[SiteError, ...]:
    """Every warning of the build: those found reading articles, drafts too (kept in their
    records), and links in published bodies to paths that are no page or file of this site."""
    found = [w for a in articles for w in a.warnings]
    if any(a.links for a in published):
        files = set(copies) | {output_file(p.url) for p in model.pages}
        for article in published:
            for path, line in article.links:
                if not _on_site(path, files):
                    found.append(SiteError(article.path, line, "link", f"{path!r} not found: no page or file of this "
                                           "site has that path; left as written", warning=True))
    return tuple(sorted(set(found), key=lambda e: (e.path, e.line or 0, e.field or "", e.message)))


def _on_site(path: str, files: set[str]) -> bool:
    relative = path.lstrip("/")
    if not relative or relative.endswith("/"):
        return relative + "index.html" in files
    return relative in files or relative + "/index.html" in files


def _copy_print(source: Path) -> str:
    try:
        stat = source.stat()
    except OSError:
        return "missing"
    return f"copy:{stat.st_size}:{stat.st_mtime_ns}"


def _result(model, published, articles, reads, rendered, out, output, started, kept=0,  # noqa: ANN001
            warnings=()) -> BuildResult:  # noqa: ANN001
    return BuildResult(
        pages=len(model.pages), articles=len(published), drafts_skipped=len(articles) - len(published),
        files_written=out.written if out else 0, files_kept=out.kept if out else kept,
        articles_read=reads, pages_rendered=rendered, seconds=time.perf_counter() - started, output=output,
        warnings=warnings,
    )
