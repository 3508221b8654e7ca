"""Fingerprints: which template edits and which article edits reach which pages.

``template_keys`` is checked on a throwaway copy of the repository's templates, parsed by
the environment a real :class:`~newsroom.render.Renderer` builds; ``page_fingerprint`` on
a small model made from articles read with ``load_article``. A key or fingerprint that
changes too rarely leaves stale pages; one that changes too often only costs time, so
both directions are asserted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import fields, is_dataclass
from typing import Any

import pytest
from conftest import REPO, SITE_TOML, article

from newsroom import load_config
from newsroom.config import Config
from newsroom.content import Article, load_article
from newsroom.fingerprint import page_fingerprint, template_keys
from newsroom.markup import Markdown
from newsroom.model import build_model
from newsroom.render import Renderer

HTML_KINDS = {"home", "index", "article", "notfound", "tag", "author", "archive", "terms", "search"}  # extend base.html
KINDS = HTML_KINDS | {"rss", "atom", "sitemap", "sitemapindex", "newssitemap", "robots", "redirect", "redirects",
                      "headers", "nojekyll", "cname"}


# -- template keys -----------------------------------------------------------------------


class Templates:
    """A copy of the repository's templates in a site of its own, and its keys."""

    def __init__(self, make_site) -> None:
        site = make_site(site_toml=SITE_TOML.replace('"{templates}"', '"templates"'))
        shutil.copytree(REPO / "templates", site / "templates")
        self.config = load_config(site / "site.toml")
        self.folder = self.config.dir("templates")
        self.env = Renderer(self.config).env

    def keys(self) -> dict[str, str]:
        return template_keys(self.env, self.folder)

    def write(self, name: str, text: str) -> None:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def append(self, name: str, text: str) -> None:
        self.write(name, (self.folder / name).read_text(encoding="utf-8") + text)

    def changed_by(self, name: str) -> set[str]:
        """The page kinds whose key changes when template ``name`` is edited."""
        before = self.keys()
        self.append(name, "\n<!-- edited -->\n")
        after = self.keys()
        return {kind for kind in before if before[kind] != after[kind]}


@pytest.fixture
def templates(make_site) -> Templates:
    return Templates(make_site)


def test_every_page_kind_has_a_key_and_keys_are_stable(templates: Templates) -> None:
    """Two reads of unchanged templates, even through a new environment, give the same keys."""
    keys = templates.keys()
    assert set(keys) == KINDS
    assert templates.keys() == keys
    assert template_keys(Renderer(templates.config).env, templates.folder) == keys


def test_editing_the_article_template_changes_only_the_article_key(templates: Templates) -> None:
    assert templates.changed_by("article.html") == {"article"}


def test_editing_a_partial_of_lists_changes_only_the_list_pages(templates: Templates) -> None:
    """A partial that only the home and index templates include: article pages keep their key."""
    templates.write("partials/lists.html", "<p>lists</p>\n")
    templates.append("home.html", '{% include "partials/lists.html" %}\n')
    templates.append("index.html", '{% include "partials/lists.html" %}\n')
    assert templates.changed_by("partials/lists.html") == {"home", "index"}


def test_editing_the_base_template_changes_every_html_key(templates: Templates) -> None:
    assert templates.changed_by("base.html") == HTML_KINDS


def test_a_site_template_that_replaces_a_built_in_one_changes_its_key(templates: Templates) -> None:
    """Feeds, sitemaps and robots.txt come from newsroom's own templates (covered by the cache
    key) until the site has a file of the same name: then that file is what the key follows."""
    before = templates.keys()
    templates.write("newsroom/robots.txt", "User-agent: *\nDisallow: /drafts/\n")
    after = templates.keys()
    assert {kind for kind in before if before[kind] != after[kind]} == {"robots"}
    assert templates.changed_by("newsroom/robots.txt") == {"robots"}


def test_replacing_a_partial_of_the_built_in_feeds_changes_the_feed_keys(templates: Templates) -> None:
    """The built-in feeds import ``newsroom/media.xml``: a site's own copy of it is followed."""
    before = templates.keys()
    templates.write("newsroom/media.xml", "{% macro media(photo) %}<media:content/>{% endmacro %}\n")
    after = templates.keys()
    assert {kind for kind in before if before[kind] != after[kind]} == {"rss", "atom"}
    assert templates.changed_by("newsroom/media.xml") == {"rss", "atom"}


def test_a_template_no_page_uses_changes_no_key(templates: Templates) -> None:
    templates.write("partials/unused.html", "<p>unused</p>\n")
    assert templates.changed_by("partials/unused.html") == set()


def test_a_dynamic_include_makes_its_kinds_depend_on_every_template(templates: Templates) -> None:
    """``{% include some_variable %}`` cannot be followed: the kinds that reach it (here through
    a partial) fall back to a hash of every template; the other kinds are unaffected."""
    templates.write("partials/unused.html", "<p>unused</p>\n")
    templates.write("partials/dynamic.html", "{% include some_variable %}\n")
    templates.append("index.html", '{% include "partials/dynamic.html" %}\n')
    assert templates.changed_by("partials/unused.html") == {"index"}
    assert templates.changed_by("404.html") == {"index", "notfound"}


def test_a_template_with_a_syntax_error_falls_back_instead_of_raising(templates: Templates) -> None:
    """A template Jinja cannot parse is not an error here (rendering reports it with its line):
    the kinds that use it depend on every template, the others keep their own key."""
    templates.write("partials/unused.html", "<p>unused</p>\n")
    templates.write("partials/broken.html", "{% if %}\n")
    templates.append("index.html", '{% include "partials/broken.html" %}\n')
    templates.keys()  # does not raise
    assert templates.changed_by("partials/unused.html") == {"index"}
    templates.write("partials/orphan.html", "{% for %}\n")  # used by no page: no kind falls back for it
    assert templates.changed_by("partials/unused.html") == {"index"}


@pytest.mark.parametrize("written", ["/partials/lists.html", "./partials/lists.html"])
def test_a_partial_named_with_a_leading_slash_or_dot_is_followed(templates: Templates, written: str) -> None:
    templates.write("partials/lists.html", "<p>lists</p>\n")
    templates.append("index.html", f'{{% include "{written}" %}}\n')
    templates.env.get_template("index.html")  # Jinja finds it under that name
    assert templates.changed_by("partials/lists.html") == {"index"}


def test_a_partial_in_a_symlinked_folder_is_followed(templates: Templates) -> None:
    (templates.folder / "partials").rename(templates.folder / "shared")
    try:
        os.symlink("shared", templates.folder / "partials", target_is_directory=True)
    except (OSError, NotImplementedError):
        pytest.skip("no symlinks here")
    templates.env.get_template("index.html")  # Jinja finds partials/ through the link
    before = templates.keys()
    templates.append("shared/pagination.html", "\n<!-- edited -->\n")
    assert templates.keys()["index"] != before["index"]


# -- page fingerprints -------------------------------------------------------------------

STORIES = {
    "content/changzhi/bridge.md": article("Bridge", date="2021-08-20 09:00", section="news"),
    "content/changzhi/market.md": article("Market", date="2021-08-21 09:00", section="news"),
    "content/changzhi/festival.md": article("Festival", date="2021-08-22 09:00", section="news"),
    "content/changzhi/bank.md": article("Bank", date="2021-08-23 09:00", section="business"),
    "content/taiyuan/rail.md": article("Rail", date="2021-08-24 09:00", section="news"),
    "content/taiyuan/mine.md": article("Mine", date="2021-08-25 09:00", section="business"),
}


def read_all(config: Config) -> list[Article]:
    markdown = Markdown()
    return [load_article(config, config.root / name, markdown, shown=name) for name in sorted(STORIES)]


def fingerprints(config: Config, articles: list[Article], base: str = "base") -> dict[str, str]:
    return {page.url: page_fingerprint(page, base) for page in build_model(config, articles).pages}


def holds(value: Any, target: Article) -> bool:
    """Whether a page record holds ``target`` anywhere (its article, a neighbour, a list...)."""
    if value is target:
        return True
    if isinstance(value, tuple | list):
        return any(holds(v, target) for v in value)
    if is_dataclass(value) and not isinstance(value, type | Article):
        return any(holds(getattr(value, f.name), target) for f in fields(value))
    return False


@pytest.fixture
def stories(make_site) -> Config:
    return load_config(make_site(STORIES) / "site.toml")


def test_the_same_page_and_base_give_the_same_fingerprint(stories: Config) -> None:
    """Across calls, and across records read again from the same files (new objects)."""
    articles = read_all(stories)
    first = fingerprints(stories, articles)
    assert fingerprints(stories, articles) == first
    assert fingerprints(stories, read_all(stories)) == first
    assert len(set(first.values())) == len(first)  # and no two pages share one


def test_another_digest_changes_exactly_the_pages_that_show_the_article(stories: Config) -> None:
    """A body edit (same title, date and place) changes the fingerprint of each page whose
    record holds the article (its page, its neighbours', the lists and home page showing it)
    and of no other page."""
    articles = read_all(stories)
    old = next(a for a in articles if a.path == "content/changzhi/market.md")
    pages = build_model(stories, articles).pages
    showing = {page.url for page in pages if holds(page, old)}

    path = stories.root / old.path
    path.write_text(article("Market", date="2021-08-21 09:00", section="news", body="Another body."), encoding="utf-8")
    new = load_article(stories, path, Markdown(), shown=old.path)
    assert new.digest != old.digest and new.url == old.url
    before = fingerprints(stories, articles)
    after = fingerprints(stories, [new if a is old else a for a in articles])

    assert before.keys() == after.keys()
    assert {url for url in before if before[url] != after[url]} == showing
    # per_page = 2: 3rd of Changzhi's 4 stories and of the 4 news stories, 2nd of Changzhi's news
    assert {old.url, "/", "/changzhi/page/2/", "/news/page/2/", "/changzhi/news/"} <= showing
    assert not {"/404.html", "/changzhi/", "/news/", "/taiyuan/", "/changzhi/business/"} & showing


def test_another_base_changes_every_fingerprint(stories: Config) -> None:
    """The base stands for the cache key and the template key of the page's kind."""
    articles = read_all(stories)
    one, other = fingerprints(stories, articles, "key-1:tpl"), fingerprints(stories, articles, "key-2:tpl")
    assert all(one[url] != other[url] for url in one)


FINGERPRINTS_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[1] + "/tests")
from pathlib import Path
from test_fingerprint import fingerprints, read_all
from newsroom import load_config
config = load_config(Path(sys.argv[2]))
print(json.dumps(fingerprints(config, read_all(config))))
"""


def test_fingerprints_are_the_same_in_another_process(stories: Config) -> None:
    """The next build compares with fingerprints saved by this one: they may not depend on
    object identity or on the hash seed of the process."""
    ours = fingerprints(stories, read_all(stories))
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", FINGERPRINTS_SCRIPT, str(REPO), str(stories.path)],
                              env=env, capture_output=True, text=True, timeout=60, check=True)
        assert json.loads(done.stdout) == ours
