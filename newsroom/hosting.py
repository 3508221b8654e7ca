"""The files static hosts read beside the pages: ``_headers`` (Netlify, Cloudflare Pages),
``.nojekyll`` and ``CNAME`` (GitHub Pages). Records only; the built-in templates
``newsroom/headers.txt``, ``nojekyll.txt`` and ``cname.txt`` write them. A site that has its
own (in static/ or kept by ``[build] keep``; ``.nojekyll`` and ``CNAME`` also when a gh-pages
checkout in the output folder already has them) keeps it.
"""

from __future__ import annotations

import os
from pathlib import Path

from .config import Config
from .output import kept_by, manifest_lists
from .pages import HeadersPage, Page
from .urls import ATOM_PATH, CNAME_PATH, HEADERS_PATH, NOJEKYLL_PATH, channel_path, feed_path, section_path


def host_pages(config: Config, sitemaps: list[Page], provided: frozenset[str]) -> list[Page]:
    """The host files of a site whose sitemaps are ``sitemaps``, but those it ``provided``."""
    pages: list[Page] = []
    if "_headers" not in provided:
        feeds = [*(e.path(path) for e in config.editions for path in (
                     feed_path(), ATOM_PATH, *(feed_path(channel_path(c.slug)) for c in config.channels),
                     *(feed_path(section_path(s.slug)) for s in config.sections))),
                 *(page.url for page in sitemaps)]
        pages.append(HeadersPage(url=HEADERS_PATH, kind="headers", title="_headers", feeds=tuple(feeds)))
    if ".nojekyll" not in provided:
        pages.append(Page(url=NOJEKYLL_PATH, kind="nojekyll", title=".nojekyll"))
    if config.deploy.cname and "CNAME" not in provided:
        pages.append(Page(url=CNAME_PATH, kind="cname", title="CNAME"))
    return pages


#: Files newsroom makes unless the site has its own: in static/, kept by ``[build] keep``, or
#: (for the host files a gh-pages checkout has) found in the output folder, not written by newsroom.
SUPPLIED = ("robots.txt", "_headers", ".nojekyll", "CNAME")


def provided(config: Config, copies: dict[str, tuple[Path, str]], target: Path | None = None) -> frozenset[str]:
    """The output files the site supplies itself, which newsroom does not make (see :data:`SUPPLIED`):
    ``copies`` are the files copied as they are, ``target`` the output folder."""
    own = {f for f in SUPPLIED if kept_by(f, config.build.keep)}
    if target is not None:
        found = [f for f in (".nojekyll", "CNAME") if os.path.lexists(target / f)]
        if found:
            own.update(set(found) - manifest_lists(target, found))
    return frozenset(copies).union(own)
