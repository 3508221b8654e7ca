"""Archives migrated from Jekyll, Hugo, Hexo and WordPress, built as a news desk builds them.

Each folder of ``tests/fixtures/imports/`` is a complete site in the shapes one tool
exports (see docs/IMPORTING.md); ``broken/`` holds one mistake per file. A test copies
a site into its temporary folder and runs ``build.py`` on the copy as a real process,
so the repository is never written to.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from conftest import REPO, article, run_build, snapshot
from htmlq import Element, parse

IMPORTS = REPO / "tests" / "fixtures" / "imports"
TOOLS = ("jekyll", "hugo", "hexo", "wordpress")
THEME = 'templates_dir = "../../../../templates"'  # as committed: the repository's theme, relative


def copy_site(name: str, into: Path, templates: Path = REPO / "templates") -> Path:
    """A copy of the fixture site ``name`` in ``into``, its theme path made absolute."""
    site = into / name
    shutil.copytree(IMPORTS / name, site, ignore=shutil.ignore_patterns(".cache", "public", ".*.staging-*"))
    config = site / "site.toml"
    text = config.read_text(encoding="utf-8")
    assert THEME in text
    config.write_text(text.replace(THEME, f'templates_dir = "{templates.as_posix()}"'), encoding="utf-8")
    return site


def line_of(site: Path, file: str, needle: str) -> int:
    """The file line of the first ``needle``, counting LF only (a CRLF file counts the same)."""
    raw = (site / file).read_bytes()
    return raw.count(b"\n", 0, raw.index(needle.encode())) + 1


def story(public: Path, url: str) -> Element:
    return parse(public / url.strip("/") / "index.html").one("article", "story")


# What each archive means once imported: for every published article, its URL from the
# default permalink (a `permalink:`, `url:` or `aliases:` field changes nothing), its date
# in the site's zone, its byline and its tags.
ARTICLES: dict[str, dict[str, tuple[str, str, str | None, list[str]]]] = {
    "jekyll": {
        # date string with +0800; author a mapping (display_name); permalink ignored; 2 blank lines first
        "content/changzhi/2019-03-04-route-12-depot.md":
            ("/changzhi/news/2019/03/route-12-depot/", "2019-03-04T10:15:00+08:00", "Li Na", ["buses", "transport"]),
        # no date: from the file name; CRLF; `tags: 2019` (an integer); `categories: News City`
        "content/changzhi/2019-05-17-qinzhou-millet-sowing.md":
            ("/changzhi/news/2019/05/qinzhou-millet-sowing/", "2019-05-17T00:00:00+08:00", "Wu Jia", ["2019"]),
        # author mapping with only login and email: the login is the name
        "content/changzhi/2019-08-22-how-we-counted-trail-walkers.md":
            ("/changzhi/news/2019/08/how-we-counted-trail-walkers/", "2019-08-22T16:40:00+08:00", "zhaomin",
             ["data", "hiking", "Taihang"]),
        "content/taiyuan/2019-06-30-vinegar-exports.md":
            ("/taiyuan/business/2019/06/vinegar-exports/", "2019-06-30T11:00:00+08:00", "Guo Hui",
             ["vinegar", "exports", "2019"]),
        "content/taiyuan/2019-10-01-national-day-lanterns.md":
            ("/taiyuan/news/2019/10/national-day-lanterns/", "2019-10-01T19:30:00+08:00", "Li Na", ["festivals", "Jinci"]),
        # author: {name: Wang Fang}
        "content/taiyuan/2019-12-12-metro-line-2-test-runs.md":
            ("/taiyuan/news/2019/12/metro-line-2-test-runs/", "2019-12-12T08:05:00+08:00", "Wang Fang",
             ["metro", "transport"]),
    },
    "hugo": {
        # TOML +++ with a TOML datetime; a page bundle with its photo
        "content/changzhi/old-mine-museum/index.md":
            ("/changzhi/news/2020/06/old-mine-museum/", "2020-06-01T08:00:00+08:00", "Zhao Min",
             ["museums", "mining heritage"]),
        # YAML with slug, lastmod, aliases, description, images, weight; its photo was not copied
        "content/changzhi/reservoir-water-levels/index.md":
            ("/changzhi/news/2020/07/reservoir-levels-rise/", "2020-07-20T10:00:00+08:00", None, ["water", "weather"]),
        "content/changzhi/night-bus-pilot.md":
            ("/changzhi/news/2020/09/night-bus-pilot/", "2020-09-14T21:30:00+08:00", "Li Na", ["buses", "transport"]),
        "content/taiyuan/coal-to-hydrogen-plant.md":
            ("/taiyuan/business/2020/11/coking-plant-hydrogen/", "2020-11-03T14:00:00+08:00", None,
             ["energy", "hydrogen", "buses"]),
        "content/taiyuan/jinci-temple-restoration/index.md":
            ("/taiyuan/news/2020/10/jinci-temple-restoration/", "2020-10-12T09:00:00+08:00", "Wang Fang and Guo Hui",
             ["heritage", "Jinci"]),
    },
    "hexo": {
        # YAML datetimes without a zone are in the site's zone; tags with integers
        "content/taiyuan/winter-heating-starts.md":
            ("/taiyuan/news/2018/11/winter-heating-starts/", "2018-11-20T09:00:00+08:00", None, ["heating", "2018"]),
        "content/changzhi/airport-new-routes.md":
            ("/changzhi/business/2018/10/airport-new-routes/", "2018-10-08T07:45:00+08:00", None, ["aviation", "2018"]),
        "content/changzhi/pingshun-walnut-harvest.md":
            ("/changzhi/news/2018/09/pingshun-walnut-harvest/", "2018-09-25T11:20:00+08:00", "Wu Jia",
             ["farming", "walnuts"]),
        "content/changzhi/shangdang-opera-troupe.md":
            ("/changzhi/news/2018/08/shangdang-opera-troupe/", "2018-08-30T19:00:00+08:00", None, ["opera", "culture"]),
        "content/taiyuan/jinyang-lake-park.md":
            ("/taiyuan/news/2018/12/jinyang-lake-park/", "2018-12-02T15:00:00+08:00", None,
             ["parks", "2018", "Jinyang Lake"]),
        "content/taiyuan/spring-festival-rail-tickets.md":
            ("/taiyuan/news/2019/01/spring-festival-rail-tickets/", "2019-01-15T08:30:00+08:00", None,
             ["rail", "Spring Festival", "2019"]),
    },
    "wordpress": {
        # quoted date strings; categories and tags as strings; HTML bodies
        "content/changzhi/2017-05-02-coal-yard-park.md":
            ("/changzhi/news/2017/05/coal-yard-park/", "2017-05-02T14:30:00+08:00", "Li Na",
             ["parks", "urban renewal", "coal"]),
        "content/changzhi/2017-06-07-gaokao-exam-day.md":
            ("/changzhi/news/2017/06/gaokao-exam-day/", "2017-06-07T18:05:00+08:00", "Wu Jia", ["gaokao", "education"]),
        "content/changzhi/2017-09-08-ginseng-trade-fair.md":
            ("/changzhi/business/2017/09/ginseng-trade-fair/", "2017-09-08T10:00:00+08:00", "Guo Hui",
             ["dangshen", "farming", "trade"]),
        "content/taiyuan/2017-07-11-fen-river-flood-drill.md":
            ("/taiyuan/news/2017/07/fen-river-flood-drill/", "2017-07-11T16:45:00+08:00", "Wang Fang",
             ["floods", "emergency services"]),
        "content/taiyuan/2017-10-24-steel-mill-emissions.md":
            ("/taiyuan/business/2017/10/steel-mill-emissions/", "2017-10-24T09:20:00+08:00", "Guo Hui",
             ["steel", "air quality"]),
        "content/taiyuan/2017-12-05-first-snow-traffic.md":
            ("/taiyuan/news/2017/12/first-snow-traffic/", "2017-12-05T08:40:00+08:00", "Li Na", ["weather", "traffic"]),
    },
}

# Drafts (Jekyll's `published: false`, Hugo's `draft: true`): built only with --drafts.
DRAFTS = {
    "jekyll": {"content/taiyuan/2019-04-09-fen-river-cleanup.md": "/taiyuan/news/2019/04/fen-river-cleanup/"},
    "hugo": {"content/taiyuan/marathon-route-changes.md": "/taiyuan/news/2021/04/marathon-route-changes/"},
    "hexo": {},
    "wordpress": {},
}

# Addresses of the old site, set by `permalink:` (Jekyll) and `url:` (WordPress): ignored.
OLD_ADDRESSES = {
    "jekyll": ["2019/03/route-12-depot"],
    "hugo": [],
    "hexo": [],
    "wordpress": ["2017/05/02/coal-yard-park", "2017/12/05/first-snow-traffic"],
}
# Hugo's `aliases:`: each old address redirects to the article's new URL.
ALIASES = {
    "hugo": {"posts/reservoir-levels": "content/changzhi/reservoir-water-levels/index.md",
             "2020/07/reservoir": "content/changzhi/reservoir-water-levels/index.md",
             "news/jinci-restoration": "content/taiyuan/jinci-temple-restoration/index.md"},
}

# Other slips of the archives, (file, line, field, start of the message): warnings too.
SLIPS = {
    "hugo": [("content/changzhi/night-bus-pilot.md", 7, "image", "the lead photo has neither alt text nor caption")],
}

# Dead local targets in bodies, (file, kind, target as written): warnings, never errors.
DEAD = {
    "jekyll": [
        ("content/changzhi/2019-03-04-route-12-depot.md", "image", "/wp-content/uploads/2019/03/depot-gates.jpg"),
        ("content/changzhi/2019-05-17-qinzhou-millet-sowing.md", "link", "/wp-content/uploads/2019/05/sowing-guide.pdf"),
    ],
    "hugo": [("content/changzhi/reservoir-water-levels/index.md", "image", "missing.jpg")],
    "hexo": [("content/changzhi/airport-new-routes.md", "image", "/images/old-logo.png")],
    "wordpress": [],
}


def expected_warnings(tool: str, site: Path) -> list[tuple[str, str]]:
    """(line prefix, target) of each warning the archive must print."""
    return [(f"{file}:{line_of(site, file, f']({target}')}: {kind}: warning: ", target)
            for file, kind, target in DEAD[tool]]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """Each archive copied and built once for the module: ``built(tool) -> (site, result)``."""
    done = {}

    def get(tool: str):
        if tool not in done:
            site = copy_site(tool, tmp_path_factory.mktemp(tool))
            done[tool] = (site, run_build(cwd=site))
        return done[tool]

    return get


def built_ok(built, tool: str) -> Path:
    site, result = built(tool)
    assert result.returncode == 0, result.stderr
    return site / "public"


# -- the fixtures themselves ---------------------------------------------------------------


@pytest.mark.parametrize("name", [*TOOLS, "broken"])
def test_each_fixture_is_a_site_on_the_repository_theme(name: str) -> None:
    folder = IMPORTS / name
    config = tomllib.loads((folder / "site.toml").read_text(encoding="utf-8"))
    assert (folder / config["build"]["templates_dir"]).resolve() == (REPO / "templates").resolve()
    assert [c["slug"] for c in config["channels"]] == ["changzhi", "taiyuan"]
    assert [s["slug"] for s in config["sections"]] == ["news", "business"]
    articles = {p.relative_to(folder).as_posix() for p in (folder / "content").rglob("*.md")
                if not any(part.startswith("_") for part in p.relative_to(folder).parts)}
    if name == "broken":
        assert articles == set(BROKEN) - {"content/taiyuan/nul-byte.md"} | {
            "content/changzhi/good-story.md", "content/taiyuan/library-hours.md"}
        return
    assert 5 <= len(articles) <= 8
    assert articles == set(ARTICLES[name]) | set(DRAFTS[name])
    for path in folder.rglob("*.md"):  # a clean archive is UTF-8 without control characters
        text = path.read_bytes().decode("utf-8")
        assert not [c for c in text if ord(c) < 32 and c not in "\t\r\n"], path


# -- clean archives ------------------------------------------------------------------------


@pytest.mark.parametrize("tool", TOOLS)
def test_archive_builds_and_reports_dead_targets_as_warnings(built, tool: str) -> None:
    """Exit 0; one `path:line: image|link: warning: ...not found...` line per dead target,
    the line counted in the file (through the leading blank lines and CRLF endings of
    two Jekyll files); the summary says there were warnings."""
    site, result = built(tool)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    expected = expected_warnings(tool, site)
    slips = [f"{file}:{line}: {field}: warning: {message}" for file, line, field, message in SLIPS.get(tool, [])]
    lines = [line for line in result.stderr.splitlines() if not line.startswith(tuple(slips))]
    assert len(result.stderr.splitlines()) == len(lines) + len(slips), result.stderr
    assert len(lines) == len(expected), lines
    for (prefix, target), line in zip(sorted(expected), sorted(lines), strict=True):
        assert line.startswith(prefix), (line, prefix)
        assert "not found" in line and target in line, line
    (summary,) = result.stdout.splitlines()
    drafts = len(DRAFTS[tool])
    counted = f"from {len(ARTICLES[tool])} articles" + (f", {drafts} draft{'s' if drafts != 1 else ''} skipped" if drafts else "")
    assert counted in summary, summary
    assert ("warning" in summary) == bool(expected), summary


@pytest.mark.parametrize("tool", TOOLS)
def test_every_article_at_its_default_permalink_with_date_byline_and_tags(built, tool: str) -> None:
    public = built_ok(built, tool)
    for file, (url, iso, byline, tags) in ARTICLES[tool].items():
        page = story(public, url)
        assert page.one("span", "story-time").one("time").attrs["datetime"] == iso, file
        bylines = page.all("p", "byline")
        assert [b.text for b in bylines] == ([f"By {byline}"] if byline else []), file
        assert [li.text for li in page.all("div", "tags")[0].all("li")] == tags, file
    for url in DRAFTS[tool].values():
        assert not (public / url.strip("/")).exists()
    for old in OLD_ADDRESSES[tool]:  # `permalink:` and `url:` are ignored
        assert not (public / old).exists(), old
    for old, file in ALIASES.get(tool, {}).items():  # `aliases:` redirect
        target = ARTICLES[tool][file][0]
        redirect = (public / old / "index.html").read_text(encoding="utf-8")
        assert f'http-equiv="refresh" content="0; url={target}"' in redirect, old
        assert f"/{old}/ {target} 301" in (public / "_redirects").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("tool", ["jekyll", "hugo", "hexo"])
def test_dead_targets_are_left_in_the_page_as_written(built, tool: str) -> None:
    public = built_ok(built, tool)
    for file, kind, target in DEAD[tool]:
        body = story(public, ARTICLES[tool][file][0]).one("div", "story-body")
        if kind == "image":
            assert [img.attrs["src"] for img in body.all("img") if img.attrs["src"] == target] == [target], file
        else:
            assert [a.attrs["href"] for a in body.all("a") if a.attrs["href"] == target] == [target], file


def test_files_that_exist_are_published_and_linked(built) -> None:
    """Hugo bundles publish their photos beside the article; static/ uploads stay where they were."""
    public = built_ok(built, "hugo")
    for bundle in ("changzhi/old-mine-museum", "taiyuan/jinci-temple-restoration"):
        assert (public / bundle / "photo.jpg").read_bytes()[:2] == b"\xff\xd8"  # re-made without its metadata
    museum = story(public, "/changzhi/news/2020/06/old-mine-museum/")
    assert museum.one("figure").one("img").attrs["src"].startswith("/_img/")
    assert museum.one("span", "credit").text == "Photo: Zhao Min/Eshanxi"
    lead = story(public, "/changzhi/news/2020/09/night-bus-pilot/").one("figure")
    assert lead.one("img").attrs["src"].startswith("/_img/")
    public = built_ok(built, "jekyll")
    assert (public / "wp-content/uploads/2019/03/route-12-timetable.pdf").is_file()
    depot = story(public, "/changzhi/news/2019/03/route-12-depot/").one("div", "story-body")
    assert any(img.attrs["src"].startswith("/_img/") for img in depot.all("img"))  # the upload, as variants
    assert (public / "wp-content/uploads/2019/03/route-12-bus.jpg").is_file()  # its old address still serves it
    assert "/wp-content/uploads/2019/03/route-12-timetable.pdf" in [a.attrs["href"] for a in depot.all("a")]


def test_underscore_files_of_hugo_and_hexo_are_not_articles(built) -> None:
    """Hugo's `_index.md` (a list page's front matter) and Hexo's `_drafts/` are skipped, not refused."""
    for tool in ("hugo", "hexo"):
        site, result = built(tool)
        assert result.returncode == 0, result.stderr
        assert "_index" not in result.stderr and "_drafts" not in result.stderr
    assert not list((built("hexo")[0] / "public").rglob("city-library-app"))


LITERAL = [
    # (tool, article URL, text that must appear in the story body as written)
    ("jekyll", "/changzhi/news/2019/08/how-we-counted-trail-walkers/", "{% highlight python %}"),
    ("jekyll", "/changzhi/news/2019/08/how-we-counted-trail-walkers/", "{% endhighlight %}"),
    ("jekyll", "/changzhi/news/2019/08/how-we-counted-trail-walkers/", "at {{ site.url }}/data/trail-counts.csv for"),
    ("jekyll", "/changzhi/news/2019/08/how-we-counted-trail-walkers/", "saw {% raw %}{{ page.title }}{% endraw %} instead"),
    ("hugo", "/changzhi/news/2020/06/old-mine-museum/",
     '{{< figure src="cage.jpg" caption="The cage that carried miners down the shaft" >}}'),
    ("hugo", "/changzhi/news/2020/06/old-mine-museum/",
     "{{% note %}} The museum is closed on Tuesdays except during public holidays. {{% /note %}}"),
    ("hugo", "/changzhi/news/2020/09/night-bus-pilot/", "this page showed {{ .Title }} where the headline"),
    ("hexo", "/taiyuan/news/2018/11/winter-heating-starts/",
     "{% asset_img photo.jpg Steam rises over the Taiyuan No. 2 heating plant %}"),
    ("hexo", "/taiyuan/news/2018/11/winter-heating-starts/", "{% blockquote Wang Fang, Taiyuan Heating Company %}"),
    ("hexo", "/taiyuan/news/2018/11/winter-heating-starts/", "{% endblockquote %}"),
    ("wordpress", "/changzhi/news/2017/05/coal-yard-park/",
     '[caption id="attachment_1413" align="aligncenter" width="640"]'),
]


@pytest.mark.parametrize(("tool", "url", "literal"), LITERAL,
                         ids=[f"{t}:{lit[:28]}" for t, _, lit in LITERAL])
def test_liquid_shortcodes_and_go_templates_stay_literal(built, tool: str, url: str, literal: str) -> None:
    """Bodies are never run as templates: the page shows the tag as the file has it (the
    text after HTML unescaping, spaces collapsed), neither evaluated nor reshaped by
    Markdown (attribute lists, smart quotes)."""
    body = story(built_ok(built, tool), url).one("div", "story-body")
    assert literal in body.text, body.text


def test_html_bodies_pass_through(built) -> None:
    public = built_ok(built, "wordpress")
    drill = story(public, "/taiyuan/news/2017/07/fen-river-flood-drill/").one("div", "story-body")
    caption = drill.one("div", "wp-caption")
    assert caption.one("img").attrs["src"] == "/wp-content/uploads/2017/07/flood-drill-640x427.jpg"
    assert caption.one("p", "wp-caption-text").text == "A rescue boat in the Yingze Street underpass during the drill."
    raw = (public / "taiyuan/news/2017/07/fen-river-flood-drill/index.html").read_text(encoding="utf-8")
    assert "27&nbsp;centimetres" in raw
    park_page = story(public, "/changzhi/news/2017/05/coal-yard-park/")
    assert park_page.one("h1").text == "Former coal yard reopens as Changzhi's largest park"  # '' in a quoted title
    park = park_page.one("div", "story-body")
    assert park.one("img").attrs["src"] == "/wp-content/uploads/2017/05/coal-yard-park-640x427.jpg"
    raw = (public / "taiyuan/news/2017/12/first-snow-traffic/index.html").read_text(encoding="utf-8")
    assert "Taiyuan&#8217;s first snow" in raw or "Taiyuan\u2019s first snow" in raw


EXTRA = {
    # (tool, file): {field: its value as a template prints it, or None to check only that it is there}
    ("jekyll", "content/changzhi/2019-03-04-route-12-depot.md"): {
        "layout": "post", "type": "post", "status": "publish", "categories": None, "permalink": "/2019/03/route-12-depot/",
        "excerpt": "Forty electric buses now charge overnight at the Yingxiong Road site.", "wordpress_id": "123",
        "meta": None},
    ("jekyll", "content/changzhi/2019-05-17-qinzhou-millet-sowing.md"): {"layout": "post", "categories": "News City"},
    ("jekyll", "content/taiyuan/2019-06-30-vinegar-exports.md"): {"category": "Business", "wordpress_id": "2211"},
    ("hugo", "content/changzhi/reservoir-water-levels/index.md"): {
        "description": "Zhangze and Houwan reservoirs are both above their flood-season limits.",
        "images": None, "weight": "10"},
    ("hugo", "content/changzhi/old-mine-museum/index.md"): {"categories": None, "images": None},
    ("hugo", "content/taiyuan/coal-to-hydrogen-plant.md"): {"params": None, "weight": "3"},
    ("hexo", "content/taiyuan/winter-heating-starts.md"): {"categories": None, "comments": "True"},
    ("wordpress", "content/changzhi/2017-05-02-coal-yard-park.md"): {
        "type": "post", "status": "publish", "guid": "http://news.example.org/?p=1412",
        "url": "/2017/05/02/coal-yard-park/", "categories": "Local News"},
}


@pytest.mark.parametrize("tool", TOOLS)
def test_ignored_fields_reach_templates_as_extra(tmp_path: Path, tool: str) -> None:
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "templates", theme)
    template = theme / "article.html"
    listing = ('{% block main %}<dl class="import-extra">{% for key, value in article.extra | dictsort %}'
               '<dt>{{ key }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>')
    template.write_text(template.read_text(encoding="utf-8").replace("{% block main %}", listing, 1), encoding="utf-8")
    site = copy_site(tool, tmp_path, templates=theme)
    result = run_build(cwd=site)
    assert result.returncode == 0, result.stderr
    for (which, file), fields in EXTRA.items():
        if which != tool:
            continue
        extra = parse(site / "public" / ARTICLES[tool][file][0].strip("/") / "index.html").one("dl", "import-extra")
        shown = dict(zip([dt.text for dt in extra.all("dt")], [dd.text for dd in extra.all("dd")], strict=True))
        for name, value in fields.items():
            assert name in shown, (file, name, sorted(shown))
            if value is not None:
                assert shown[name] == value, (file, name)


def test_published_false_is_a_draft_until_drafts(built, tmp_path: Path) -> None:
    """Jekyll's `published: false`: skipped (and counted) by default, built with --drafts."""
    site, result = built("jekyll")
    assert result.returncode == 0, result.stderr
    assert "1 draft skipped" in result.stdout
    assert not (site / "public/taiyuan/news/2019/04/fen-river-cleanup").exists()
    site = copy_site("jekyll", tmp_path)
    result = run_build("--drafts", cwd=site)
    assert result.returncode == 0, result.stderr
    draft = story(site / "public", "/taiyuan/news/2019/04/fen-river-cleanup/")
    assert draft.one("p", "badge-draft").text == "Draft"
    assert draft.one("time").attrs["datetime"] == "2019-04-09T00:00:00+08:00"


# -- warnings in CI: --strict ---------------------------------------------------------------


@pytest.mark.parametrize("tool", ["jekyll", "hugo", "hexo"])
def test_strict_makes_warnings_errors_and_keeps_the_output(tmp_path: Path, tool: str) -> None:
    """The strict run comes after a normal build, so its articles come from the cache:
    their warnings must still be known."""
    site = copy_site(tool, tmp_path)
    first = run_build(cwd=site)
    assert first.returncode == 0, first.stderr
    before = snapshot(site / "public")
    result = run_build("--strict", cwd=site)
    assert result.returncode == 1, result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert sorted(lines[:-1]) == sorted(line.replace(": warning: ", ": ", 1).removesuffix("; left as written")
                                        for line in first.stderr.splitlines())
    assert all("warning" not in line for line in lines[:-1])
    count = len(DEAD[tool]) + len(SLIPS.get(tool, []))
    assert lines[-1].startswith(f"build failed: {count} error{'s' if count != 1 else ''}"), lines[-1]
    assert "the output folder was left as it was" in lines[-1]
    assert snapshot(site / "public") == before


def test_strict_on_a_first_build_writes_nothing(tmp_path: Path) -> None:
    site = copy_site("hexo", tmp_path)
    result = run_build("--strict", cwd=site)
    assert result.returncode == 1
    (error, summary) = result.stderr.splitlines()
    assert error.startswith(f"content/changzhi/airport-new-routes.md:{line_of(site, DEAD['hexo'][0][0], '](/images/old-logo.png')}: image: ")
    assert "not found" in error and "warning" not in error
    assert summary.startswith("build failed: 1 error")
    assert not (site / "public").exists()


def test_strict_passes_an_archive_without_warnings(tmp_path: Path) -> None:
    site = copy_site("wordpress", tmp_path)
    result = run_build("--strict", cwd=site)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("built ")


def test_warnings_are_repeated_by_a_rebuild_from_the_cache(tmp_path: Path) -> None:
    site = copy_site("jekyll", tmp_path)
    first = run_build(cwd=site)
    again = run_build(cwd=site)
    assert first.returncode == again.returncode == 0, first.stderr
    assert again.stderr == first.stderr != ""
    assert "warning" in again.stdout


# -- archives that cannot be built ----------------------------------------------------------

# file of broken/ -> (line of the mistake, its field (None: the file as a whole), words of the message)
BROKEN = {
    "content/changzhi/duplicate-title.md": (5, "title", ["duplicate"]),
    "content/changzhi/ambiguous-date.md": (3, "date", ["'03/04/2019'", "ambiguous"]),
    "content/changzhi/unclosed-tags-list.md": (4, "tags", ["invalid YAML"]),
    "content/changzhi/missing-lead-photo.md": (4, "image", ["'/images/nope.jpg'", "not found"]),  # or image.src
    "content/taiyuan/unclosed-toml.md": (1, None, ["never closed", "'+++'"]),
    "content/taiyuan/gbk-encoded.md": (5, None, ["UTF-8"]),
    "content/taiyuan/pasted-from-word.md": (7, None, ["control character"]),
    "content/taiyuan/nul-byte.md": (7, None, ["control character"]),  # written by the test
}
NUL_ARTICLE = b"""\
---
title: Taiyuan night market opens for the summer
date: 2019-06-01 18:00:00 +0800
---
Stalls on Shifu Street open at 18:00 from Saturday.

The last stall closes at 23:00.\x00
"""


def test_broken_archive_reports_every_file_once_and_keeps_the_output(tmp_path: Path) -> None:
    """Each broken file gives exactly one error for itself, all in one run; the good
    files give none; the output of the last good build is left byte for byte."""
    site = copy_site("broken", tmp_path)
    (site / "content/taiyuan/nul-byte.md").write_bytes(NUL_ARTICLE)
    held = tmp_path / "held"
    for name in BROKEN:  # first a good build, with the broken files set aside
        (held / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).rename(held / name)
    first = run_build(cwd=site)
    assert (first.returncode, first.stderr) == (0, "")
    before = snapshot(site / "public")
    for name in BROKEN:
        (held / name).rename(site / name)

    result = run_build(cwd=site)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1] == f"build failed: {len(BROKEN)} errors; the output folder was left as it was"
    errors = lines[:-1]
    for name, (line, field, words) in BROKEN.items():
        mine = [e for e in errors if e.startswith(f"{name}:")]
        assert len(mine) == 1, (name, mine)
        assert mine[0].startswith(f"{name}:{line}: {field or ''}"), mine[0]
        for word in words:
            assert word in mine[0], (word, mine[0])
        assert "warning" not in mine[0]
    assert len(errors) == len(BROKEN), errors
    assert snapshot(site / "public") == before


def test_a_missing_lead_photo_is_an_error_on_its_own(tmp_path: Path) -> None:
    """Unlike a dead image in a body: the lead photo is part of every list the article is in."""
    site = copy_site("wordpress", tmp_path)
    name = "content/changzhi/missing-lead-photo.md"
    shutil.copy(IMPORTS / "broken" / name, site / name)
    result = run_build(cwd=site)
    assert result.returncode == 1
    error, summary = result.stderr.splitlines()
    assert error.startswith(f"{name}:4: image"), error
    assert "not found" in error and "warning" not in error
    assert summary.startswith("build failed: 1 error")
    assert not (site / "public").exists()


CONTROL = {
    # name: (file bytes, line of the control character)
    "NUL in the body": (b"---\ntitle: A\ndate: 2021-08-25\n---\nOne.\n\nTwo\x00three.\n", 7),
    "vertical tab in the body": (b"---\ntitle: A\ndate: 2021-08-25\n---\nHours:\x0bMonday\x0bFriday\n", 5),
    "form feed in the body": (b"---\ntitle: A\ndate: 2021-08-25\n---\nPage one.\n\x0c\nPage two.\n", 6),
    "escape in the body of a CRLF file": (b"---\r\ntitle: A\r\ndate: 2021-08-25\r\n---\r\nOne.\r\n\x1b[1mTwo\r\n", 6),
    "escape in a YAML title": (b"---\ntitle: A \x1b[1mbold\x1b[0m title\ndate: 2021-08-25\n---\nBody.\n", 2),
    "NUL in TOML front matter": (b'+++\ntitle = "A"\ndate = 2021-08-25\ndek = "x\x00y"\n+++\nBody.\n', 4),
    "STX, which Markdown uses inside": (b"---\ntitle: A\ndate: 2021-08-25\n---\nOne \x02two\x03 three.\n", 5),
}


@pytest.mark.parametrize("case", CONTROL)
def test_control_characters_are_refused_with_their_line(make_site, case: str) -> None:
    """C0 control characters other than tab, CR and LF are refused wherever they are, in
    one single-line error that names the line (lines counted at LF, not at the vertical
    tab or form feed that str.splitlines() would also break at)."""
    data, line = CONTROL[case]
    name = "content/changzhi/c.md"
    site = make_site({name: data, "content/taiyuan/ok.md": article("Fine")})
    result = run_build(cwd=site)
    assert result.returncode == 1
    error, summary = result.stderr.splitlines()
    assert error.startswith(f"{name}:{line}: "), error
    assert "control character" in error
    assert summary.startswith("build failed: 1 error")


def test_tabs_and_crlf_are_not_control_characters(make_site) -> None:
    text = "---\r\ntitle: A\r\ndate: 2021-08-25\r\n---\r\nName\tCount\r\n\r\n\tcode line\r\n"
    site = make_site({"content/changzhi/c.md": text.encode("utf-8")})
    result = run_build(cwd=site)
    assert (result.returncode, result.stderr) == (0, "")


def test_wordpress_unpublished_posts_stay_drafts_and_excerpts_are_summaries(make_site) -> None:
    site = make_site({
        "content/changzhi/pending.md": article("Pending review", status="pending"),
        "content/changzhi/private.md": article("Staff only", status="private"),
        "content/changzhi/locked.md": article("Members only", password="hunter2"),
        "content/changzhi/live.md": article("Published post", status="publish",
                                            excerpt="'A short excerpt from the old site.'"),
        "content/taiyuan/hugo.md": article("Hugo post", description="'Hugo wrote this summary.'"),
    })
    result = run_build(cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "content/changzhi/locked.md:4: password: warning: a static site cannot protect a password-protected post: "
        "it is kept as a draft (remove 'password' to publish it)"]
    assert "3 drafts skipped" in result.stdout
    home = (site / "public/index.html").read_text(encoding="utf-8")
    assert "Published post" in home and "Hugo post" in home
    assert not any(title in home for title in ("Pending review", "Staff only", "Members only"))
    channel = (site / "public/changzhi/index.html").read_text(encoding="utf-8")
    assert "A short excerpt from the old site." in channel
    assert "Hugo wrote this summary." in (site / "public/taiyuan/index.html").read_text(encoding="utf-8")
