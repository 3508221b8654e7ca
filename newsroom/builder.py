"""The build, start to end, in one straight line: load, check, model, render, write."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .content import Article, ArticleCache, load_articles
from .errors import BuildFailed, SiteError
from .model import build_model
from .output import Output
from .render import Renderer
from .urls import output_file


@dataclass(frozen=True)
class BuildResult:
    pages: int
    articles: int
    drafts_skipped: int
    files_written: int
    files_kept: int
    articles_read: int  # files read and rendered; the rest came from the cache
    seconds: float
    output: Path | None  # None for a check, which writes nothing


def build(config: Config, *, write: bool = True, preview: bool = False, cache: ArticleCache | None = None,
          changed: set[Path] | None = None, output: Path | None = None, previous: Path | None = None) -> BuildResult:
    """Build the site of ``config``; raises :class:`BuildFailed` with every mistake found.

    With ``write=False`` everything is read, checked and rendered, and nothing is
    written. The output (default: the config's output folder) is only replaced when
    the whole build succeeded; files that did not change are linked from ``previous``
    (default: the output itself). ``cache`` carries articles over from an earlier build;
    ``changed`` names the files changed since then.
    """
    started = time.perf_counter()
    cache = cache if cache is not None else ArticleCache()
    errors: list[SiteError] = []
    articles: list[Article] = []
    for item in load_articles(config, cache, changed):
        if isinstance(item, BuildFailed):
            errors.extend(item.errors)
        else:
            articles.append(item)
    if errors:
        raise BuildFailed(errors)

    published = [a for a in articles if config.drafts or not a.draft]
    model = build_model(config, published)
    renderer = Renderer(config, preview=preview)

    if not write:
        for page in model.pages:
            try:
                renderer.render(page)
            except BuildFailed as failed:
                errors.extend(failed.errors)
        if errors:
            raise BuildFailed(errors)
        return _result(model.pages, published, articles, cache, None, None, started)

    target = output if output is not None else config.dir("output")
    with Output(target, previous) as out:
        for page in model.pages:
            try:
                html = renderer.render(page)
            except BuildFailed as failed:
                errors.extend(failed.errors)
                continue
            if not errors:
                out.write(output_file(page.url), html.encode("utf-8"), page.url)
        if errors:
            raise BuildFailed(errors)
        content_dir = config.dir("content")
        assets = {asset: article.path for article in reversed(published) for asset in article.assets}
        for asset, owner in sorted(assets.items()):
            out.copy(asset, content_dir / asset, owner)
        out.copy_tree(config.dir("static"), config.build.static_dir.rstrip("/"))
        out.commit()
        return _result(model.pages, published, articles, cache, out, target, started)


def _result(pages: tuple, published: list[Article], articles: list[Article], cache: ArticleCache,
            out: Output | None, output: Path | None, started: float) -> BuildResult:
    return BuildResult(
        pages=len(pages), articles=len(published), drafts_skipped=len(articles) - len(published),
        files_written=out.written if out else 0, files_kept=out.kept if out else 0,
        articles_read=cache.reads, seconds=time.perf_counter() - started, output=output,
    )
