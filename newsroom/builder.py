"""The build, start to end, in one straight line: load, check, model, render, write.

Work that an earlier build already did is skipped: articles whose files did not change
come from the :class:`~newsroom.cache.BuildCache`, and pages whose fingerprint did not
change are left as they are in the output instead of rendered. Reading and rendering
run on every core (:mod:`newsroom.workers`) when there is enough of it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from . import faults, pagestore, workers
from .assets import NONE, Assets, fingerprint
from .cache import BuildCache, Entry, LastBuild, cache_key
from .config import Config
from .content import Article, walk_articles
from .errors import BuildFailed, SiteError, line_of_key
from .executors import Executor, LocalExecutor
from .files import walk
from .fingerprint import template_facts, template_sources
from .fronts import at
from .hosting import provided
from .images import FOLDER, Source, Variant, variants
from .incremental import Inputs, Plan, Session, input_signature
from .model import build_model
from .output import MANIFEST, Output, Writer, recover
from .pages import Page, SiteModel
from .progress import Progress
from .render import Renderer
from .search import SEARCH_OWNER, index_folder, search_files, written

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
    next_change: tuple[datetime, str, str] | None = None  # (when, article file, "goes live" or "expires")

    scheduled_skipped: int = 0  # dated after the build's time
    expired_skipped: int = 0  # past their ``expires:`` time

    @classmethod
    def of(cls, model: SiteModel, articles: int, *, reads: int, rendered: int, written: int, kept: int,
           started: float, output: Path | None, warnings: tuple[SiteError, ...],
           next_change: tuple[datetime, str, str] | None = None, drafts: int | None = None, scheduled: int = 0,
           expired: int = 0) -> BuildResult:
        """The result of a build (or of the preview's quick path) of ``model`` from ``articles``
        files, of which ``drafts``, ``scheduled`` and ``expired`` were left out (default: all
        that are not in the model, as drafts)."""
        return cls(pages=len(model.pages), articles=len(model.articles),
                   drafts_skipped=articles - len(model.articles) if drafts is None else drafts,
                   files_written=written, files_kept=kept, articles_read=reads, pages_rendered=rendered,
                   seconds=time.perf_counter() - started, output=output, warnings=warnings, next_change=next_change,
                   scheduled_skipped=scheduled, expired_skipped=expired)


def build(config: Config, *, write: bool = True, preview: bool = False, cache: BuildCache | None = None,
          output: Path | None = None, jobs: int | None = None, progress: Progress | None = None,
          session: Session | None = None, take_over: bool = False, strict: bool = False,
          links: bool = False, now: datetime | None = None, warnings: tuple[SiteError, ...] = (),
          executor: Executor | None = None) -> BuildResult:
    """Build the site of ``config``; raises :class:`BuildFailed` with every mistake found.

    With ``write=False`` everything is read, checked and rendered, and nothing is written.
    The output (default: the config's output folder) changes only when the whole build
    succeeded, and then only in the files whose bytes changed (see :mod:`newsroom.output`).
    ``cache`` defaults to the one in the site folder (none for a check); ``executor`` reads,
    indexes and renders (:mod:`newsroom.executors`; default: ``jobs`` local processes);
    a ``session`` is filled with what a later :func:`~newsroom.patch.patch_articles` needs;
    ``take_over`` replaces whatever else the output folder holds (``--clean-output``);
    ``strict`` makes every warning an error; ``links`` makes every dead link or image in an
    article body one (``check --links``). ``now`` is the time that decides which articles
    are scheduled or expired (default: the clock). ``warnings`` are the caller's own (an
    example ``base_url`` in a real build), reported and made errors by ``strict`` like the rest.
    A build (with its own cache, no session) whose inputs are those of the last build of
    ``target`` returns that build's result, read from the cache header alone.
    """
    started = time.perf_counter()
    progress = progress or Progress(enabled=False)
    executor = executor or LocalExecutor(jobs)
    target = output if output is not None else config.dir("output")
    now = now or datetime.now(UTC)
    inputs = header = None
    if cache is None:
        key = cache_key(config)
        folder = BuildCache.folder_for(config, target) if write else None
        if folder is not None and session is None and not take_over:
            from .patch import quick_build  # which builds on this module, as restructure does

            inputs = input_signature(config, key, target, (preview, strict, links, [str(w) for w in warnings]))
            header = BuildCache.header(folder, key)
            same = _same_as_last(header.last if header else None, inputs.signature, target, now)
            if same is not None:
                return replace(same, seconds=time.perf_counter() - started, output=target)
            read: dict[str, Entry] = {}  # articles the quick path read before it found them moved
            quick = quick_build(config, folder, header, inputs, target, now, preview=preview, strict=strict,
                                links=links, progress=progress, read=read)
            if quick is None and header is not None:
                from .restructure import restructure

                quick = restructure(config, folder, header, inputs, target, now, preview=preview, strict=strict,
                                    links=links, progress=progress, read=read)
            if quick is not None:
                return replace(quick, seconds=time.perf_counter() - started)
        cache = BuildCache.open(folder, key, config.root, header=header)  # the header read once
        header = None
    stored = cache.state.last.pages if cache.state.last is not None else None  # the last build's pages
    cache.remember_build(None)  # what the last build stored about itself is of no more use (its stamps: MBs)

    loaded = _load(config, cache, executor, progress)  # load
    entries, articles = loaded.entries, loaded.articles
    now_shown = _published(config, articles, now)  # not scheduled, expired or a draft
    published = now_shown.articles
    clashes = _later_clashes(articles, published)  # a scheduled story's URL is checked before its day
    copies, model, supplied = _model(config, published, [*loaded.errors, *clashes], target if write else None)
    copies.update(_photos(config, published, now_shown.later, executor, progress, write))  # photos: made or cached
    sources = template_sources(config.dir("templates"))
    assets = NONE if preview else fingerprint({r: source for r, (source, _) in copies.items()},
                                              template_facts(cache, config.dir("templates"), sources)[1],
                                              minify=config.build.minify)
    copies.update(_asset_copies(assets, copies))  # type: ignore[arg-type]  # bytes are written, not copied
    if write and config.build.search:
        copies.update(search_files(config, cache.folder, published,  # type: ignore[arg-type]
                                   session.search if session is not None else None, executor.index))
    found = [*warnings, *loaded.warnings, *(w for a in articles for w in a.warnings), *model.warnings]
    reported = _warnings(config, found, published, model, copies, strict, links)
    renderer = Renderer(config, preview=preview, compiled=Renderer.compiled_folder(config) if write else None,
                        assets=assets.names)
    left_out = now_shown.left_out
    done = functools.partial(BuildResult.of, model, len(articles) + loaded.failed_drafts, reads=loaded.reads,
                             started=started, warnings=reported, next_change=now_shown.next_change,
                             drafts=left_out["draft"] + loaded.failed_drafts, scheduled=left_out["scheduled"],
                             expired=left_out["expired"])
    if not write:
        _render(renderer, list(model.pages), None, executor, progress)  # render, to check every page
        return done(rendered=len(model.pages), written=0, kept=0, output=None)

    plan = Plan.of(cache, renderer, model, copies, preview=preview, refs=inputs is not None or session is not None,
                   sources=sources)
    if session is not None:
        session.remember(model, renderer, plan, site_files=frozenset(copies).union(model.files), provided=supplied)
    recover(target)  # a build killed while applying its journal is finished first
    if not take_over and plan.unchanged(cache, target):
        cache.remember(entries, plan.fingerprints)  # nothing to write; records may have new mtimes
        _remember(cache, inputs, done(reads=0, rendered=0, written=0, kept=len(plan.fingerprints), output=None),
                  model, plan, copies, loaded, supplied, stored, renderer.assets, same=True)
        cache.save()
        written(index_folder(cache.folder, session.search if session is not None else None))
        return done(rendered=0, written=0, kept=len(plan.fingerprints), output=target)
    with Output(target, keep=config.build.keep, take_over=take_over, refused=config.output_error,
                name=config.relpath(target), known=cache.known_outputs) as out:
        fresh = plan.pages_to_render(cache, out, model)
        for relative, (source, owner) in copies.items():
            if isinstance(source, bytes):
                out.write(relative, source, owner)  # a fingerprinted stylesheet, its references renamed
            else:
                out.copy(relative, source, owner, link=owner == SEARCH_OWNER)  # the index: the cache's own
        if out.errors:
            raise BuildFailed(out.errors)
        _render(renderer, fresh, out.writer(), executor, progress)  # render
        workers.check_stop()  # Ctrl-C or SIGTERM: stop before the commit, never during it
        out.commit()  # commit
    faults.point("after-commit")
    cache.remember(entries, plan.fingerprints)
    _remember(cache, inputs, done(reads=0, rendered=0, written=0, kept=len(plan.fingerprints), output=None),
              model, plan, copies, loaded, supplied, stored, renderer.assets, same=False)
    cache.save()
    written(index_folder(cache.folder, session.search if session is not None else None))
    return done(rendered=len(fresh), written=out.written, kept=out.kept, output=target)


def _same_as_last(last: LastBuild | None, signature: str, target: Path, now: datetime) -> BuildResult | None:
    """The last build's result when this one would change nothing: the same inputs (see
    :func:`~newsroom.incremental.input_signature`), no scheduled or expiring story whose time
    has come since, and the output folder as that build left it."""
    if last is None or last.signature != signature or not isinstance(last.result, BuildResult):
        return None
    if last.result.next_change is not None and now >= last.result.next_change[0]:
        return None
    if recover(target) or not os.path.isfile(target / MANIFEST):  # a killed build finished: look again
        return None
    return last.result


def _remember(cache: BuildCache, inputs: Inputs | None, result: BuildResult, model: SiteModel, plan: Plan,
              copies: dict[str, tuple[Path, str]], loaded: Loaded, supplied: frozenset[str],
              stored: str | None, assets: dict[str, str], *, same: bool) -> None:
    """Keep what a later build with the same inputs returns (what this one would write again:
    nothing, timed afresh), and the pages for the quick path of a later build whose inputs
    differ in edited articles (``stored``: the last build's, kept as they are if the pages
    are the ``same``, else the start of the new ones)."""
    if inputs is None or cache.folder is None:
        cache.remember_build(None)
        return
    if not same or stored is None or not (cache.folder / stored).is_file():
        layout = pagestore.Layout({}, inputs.stamps,
                                  loaded.failed_drafts, model.groups, tuple(p.url for p in model.pages), plan.files,
                                  model.lastmods, model.terms, any(a.updated is not None for a in model.articles),
                                  model.warnings, supplied)
        stored = pagestore.save(cache.folder, model.pages, plan.fingerprints, plan.refs, plan.bases,
                                frozenset(copies).union(model.files), {a.path: a for a in loaded.articles}, layout,
                                previous=stored)
    cache.remember_build(LastBuild(inputs.signature, replace(result, seconds=0.0), inputs.head, inputs.stamps,
                                   stored, assets))


def _render(renderer: Renderer, pages: list[Page], writer: Writer | None, executor: Executor,
            progress: Progress) -> None:
    errors = executor.render(renderer, pages, writer, progress)
    if errors:
        raise BuildFailed(errors)


@dataclass
class Loaded:
    entries: dict[str, Entry]  # by article path, for the cache
    articles: list[Article]  # sorted by path
    reads: int  # files read; the others came from the cache
    errors: list[SiteError]  # the mistakes of every file
    warnings: list[SiteError]  # the mistakes of drafts, which are skipped
    failed_drafts: int


def _load(config: Config, cache: BuildCache, executor: Executor, progress: Progress) -> Loaded:
    """Every article: from the cache when its file is unchanged, else read (in parallel), with
    the mistakes of every file. A draft with mistakes is skipped, its mistakes warnings
    (unless drafts are built: see :meth:`content._ArticleReader.failed`)."""
    cache.begin()
    content = config.dir("content")
    prefix, cut = config.relpath(content) + "/", len(str(content)) + 1
    entries: dict[str, Entry] = {}
    todo: list[tuple[Path, str, os.stat_result]] = []
    errors: list[SiteError] = []
    for path in walk_articles(content, prefix.rstrip("/"), errors):
        key = prefix + path[cut:].replace(os.sep, "/")  # an article's identity: its path as messages name it
        try:
            stat = os.stat(path)
        except OSError:
            continue  # deleted while we looked
        article = cache.article(key, stat)
        if article is not None:
            entries[key] = Entry(stat.st_mtime_ns, stat.st_size, article)
        else:
            todo.append((Path(path), key, stat))
    read = executor.read(config, todo, cache.keeper(), progress)
    warnings: list[SiteError] = []
    failed_drafts = 0
    for (path, key, stat), result in zip(todo, read, strict=True):
        if isinstance(result, BuildFailed):
            if not path.exists():
                continue  # deleted while the build read it; the next build (or the preview's next event) sees that
            if all(e.warning for e in result.errors):
                warnings.extend(result.errors)
                failed_drafts += 1
            else:
                errors.extend(result.errors)
        else:
            entries[key] = Entry(stat.st_mtime_ns, stat.st_size, result)
    workers.check_stop()
    return Loaded(entries, [entries[k].article for k in sorted(entries)], len(todo), errors, warnings, failed_drafts)


@dataclass
class Published:
    articles: list[Article]  # what the site shows now
    later: list[Article]  # scheduled or expired stories it does not show (drafts aside)
    left_out: Counter[str]  # how many drafts, scheduled and expired stories
    next_change: tuple[datetime, str, str] | None  # when a story next goes live or expires


def _published(config: Config, articles: list[Article], now: datetime) -> Published:
    """The articles the site shows at ``now``: not drafts, not dated later (scheduled), not past
    their ``expires:`` time, unless the config asks for them (the preview shows scheduled
    stories, marked). Also those left out, and the next time this changes."""
    shown: list[Article] = []
    later: list[Article] = []
    left_out: Counter[str] = Counter()
    upcoming: list[tuple[datetime, str, str]] = []
    for article in articles:
        if article.draft and not config.drafts:
            left_out["draft"] += 1
            continue
        if article.expires is not None:
            if article.expires <= now:
                if not config.expired:
                    left_out["expired"] += 1
                    later.append(article)
                    continue
            else:
                upcoming.append((article.expires, article.path, "expires"))
        if article.date > now:
            upcoming.append((article.date, article.path, "goes live"))
            if not config.future:
                left_out["scheduled"] += 1
                later.append(article)
                continue
            # marked, and told apart from the live record: pages that show it change when it goes live
            article = replace(article, scheduled=True, digest=article.digest + ":scheduled")
        article, ends = at(article, now)  # pins and breaking bars end with until:
        upcoming += ends
        shown.append(article)
    return Published(shown, later, left_out, min(upcoming) if upcoming else None)


def _later_clashes(articles: list[Article], published: list[Article]) -> list[SiteError]:
    """Two articles on one URL where one of them is left out now (scheduled, or expired): the
    model only sees the published ones, and the build that publishes the story must not be
    the first to say so."""
    shown = {a.path for a in published}
    owners: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        if not article.draft:
            owners[article.url.removesuffix("index.html")].append(article)
    errors = []
    for url, group in owners.items():
        if len(group) > 1 and any(a.path not in shown for a in group):
            for article in group:
                others = ", ".join(a.path for a in group if a is not article)
                errors.append(SiteError(article.path, None, "slug", f"URL {url} is also the URL of {others} "
                                        "(one of them not published yet, or expired); give one of them another slug"))
    return errors


#: The places each kind of photo is shown in (see :data:`newsroom.images.PLACES`).
LEAD_PLACES = ("full", "wide", "card", "strip")
FIGURE_PLACES = ("full",)
GALLERY_PLACES = ("full", "strip")


def _photos(config: Config, published: list[Article], later: list[Article], executor: Executor, progress: Progress,
            write: bool) -> dict[str, tuple[Path, str]]:
    """The variants of every photo the published articles show, made (on every core) unless
    the cache folder has them, as files to copy to ``/_img/``; and at each photo's own
    address, its largest variant in its own format (the file as uploaded, with its camera's
    metadata, is never published). The photos of ``later`` stories (scheduled, expired)
    are made too, so that a damaged one is found now, not on the day the story goes live;
    a check (``write=False``) makes them in a folder it then removes. Raises
    :class:`BuildFailed` for a photo that is damaged."""
    cached = config.root / ".cache" / "newsroom" / "images"  # names are content hashes: shared by every build
    wanted: dict[str, tuple[Source, dict[str, Variant], str]] = {}  # photo file -> variants, first article
    shown_now: set[str] = set()
    done: set[tuple[str, str, tuple[float, float] | None]] = set()
    for now, article in (*((True, a) for a in published), *((False, a) for a in later)):
        shown = [(article.image, LEAD_PLACES), *((f, FIGURE_PLACES) for f in article.figures),
                 *((g, GALLERY_PLACES) for g in article.gallery)]
        for photo, places in shown:
            if photo is None or photo.source is None:
                continue  # no photo, or one on another site
            _, found, _ = wanted.setdefault(photo.file, (photo.source, {}, article.path))
            if now:
                shown_now.add(photo.file)
            for place in places:
                if (photo.file, place, photo.focus) not in done:  # a photo many stories show: once
                    done.add((photo.file, place, photo.focus))
                    found.update((v.name, v) for v in variants(photo.source, place, photo.focus))
    present = set(os.listdir(cached)) if cached.is_dir() else set()  # one listing, not a stat a variant
    todo = [(file, [v for name, v in found.items() if name not in present]) for file, (_, found, _) in wanted.items()]
    todo = [(file, missing) for file, missing in todo if missing]
    with tempfile.TemporaryDirectory(prefix="newsroom-check-") if todo and not write \
            else contextlib.nullcontext(str(cached)) as made:
        problems = executor.photos([(config.root / file, missing, Path(made)) for file, missing in todo], progress)
    errors = [SiteError(wanted[file][2], None, "image", f"{file}: {problem}")
              for (file, _), problem in zip(todo, problems, strict=True) if problem is not None]
    if errors:
        raise BuildFailed(errors)
    copies: dict[str, tuple[Path, str]] = {}
    folder = cached
    for file, (source, found, owner) in wanted.items():
        if file not in shown_now:
            continue
        for name in found:
            copies[f"{FOLDER}/{name}"] = (folder / name, owner)
        largest = [v for v in variants(source, "full") if v.mime != "image/webp"][-1]
        path = config.root / file
        for root in (config.dir("static"), config.dir("content")):
            if path.is_relative_to(root):
                copies[path.relative_to(root).as_posix()] = (folder / largest.name, owner)
                break
    return dict(sorted(copies.items()))


def _model(config: Config, published: list[Article], errors: list[SiteError],
           target: Path | None) -> tuple[dict[str, tuple[Path, str]], SiteModel, frozenset[str]]:
    """The files to copy, the model and the files the site supplies (see :func:`provided`; ``target``
    is the output folder), or :class:`BuildFailed` with ``errors`` and every mistake these find
    (two articles on one URL among them), so that one run reports them all."""
    found = list(errors)
    copies: dict[str, tuple[Path, str]] = {}
    try:
        copies = _copies(config, published)
    except BuildFailed as failed:
        found += failed.errors
    supplied = provided(config, copies, target)
    try:
        model = build_model(config, published, provided=supplied)
    except BuildFailed as failed:
        found += failed.errors
    if found:
        raise BuildFailed(found)
    return copies, model, supplied


def _asset_copies(assets: Assets, copies: dict[str, tuple[Path, str]]) -> dict[str, tuple[Path | bytes, str]]:
    """The fingerprinted copies of ``assets`` to publish, each owned by the file it copies:
    the file itself, or the bytes of a stylesheet whose references were renamed."""
    owners = {named[1:]: copies[original[1:]][1] for original, named in assets.names.items()}
    return {named: (copy, owners[named]) for named, copy in assets.files.items()}


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


def _warnings(config: Config, found: list[SiteError], published: list[Article], model: SiteModel,
              copies: dict[str, tuple[Path, str]], strict: bool, links: bool) -> tuple[SiteError, ...]:
    """Every warning of the build: ``found`` (those of reading articles, drafts too, kept in their
    records, and of the model), links in published bodies to paths that are no page or file
    of this site, and a site logo that is no file of it. With ``strict`` they are errors, and
    with ``links`` the dead links and images: raises :class:`BuildFailed`."""
    found = list(found)
    logo = config.site.logo
    if logo.startswith("/") and logo.lstrip("/") not in copies:
        line = line_of_key(config.path.read_text(encoding="utf-8-sig"), "logo")
        found.append(SiteError(config.relpath(config.path), line, "site.logo",
                               f"{logo!r} not found in {config.build.static_dir}/; structured data names it anyway",
                               warning=True))
    if any(a.links for a in published):
        files = set(copies).union(model.files)
        for article in published:
            found += _dead_links(article, files)
    if strict and found:
        raise BuildFailed([w.as_error() for w in found])
    dead = [w for w in found if w.field in ("link", "image") and " not found" in w.message]
    if links and dead:
        raise BuildFailed([w.as_error() for w in dead])
    return tuple(sorted(set(found), key=warning_order))


def warning_order(error: SiteError) -> tuple[str, int, str, str]:
    """Warnings are reported by file, line, field and message."""
    return error.path, error.line or 0, error.field or "", error.message


def _dead_links(article: Article, files: set[str] | frozenset[str]) -> list[SiteError]:
    """Warnings for the links in ``article``'s body to paths that are none of the site's ``files``."""
    return [SiteError(article.path, line, "link", f"{path!r} not found: no page or file of this site has that "
                      "path; left as written", warning=True)
            for path, line in article.links if not _on_site(path, files)]


def _on_site(path: str, files: set[str] | frozenset[str]) -> bool:
    relative = path.lstrip("/")
    if not relative or relative.endswith("/"):
        return relative + "index.html" in files
    return relative in files or relative + "/index.html" in files
