"""site.toml: every mistake reported at once, each naming its key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsroom.config import load_config
from newsroom.errors import BuildFailed

GOOD = """\
[site]
title = "Eshanxi"
base_url = "https://www.eshanxi.example/"

[[channels]]
slug = "changzhi"
name = "Changzhi"

[[sections]]
slug = "news"
name = "News"
"""


def write(tmp_path: Path, text: str) -> Path:
    for folder in ("content", "templates"):
        (tmp_path / folder).mkdir(exist_ok=True)
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path, **overrides) -> list[str]:
    with pytest.raises(BuildFailed) as caught:
        load_config(path, **overrides)
    return [str(e).replace(str(path), "site.toml") for e in caught.value.errors]


def test_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.site.timezone == "Asia/Shanghai"
    assert config.site.date_format == "%m %d,%Y"
    assert config.site.home_label == "首页"
    assert config.build.output_dir == "public"
    assert config.build.per_page == 20
    assert config.build.permalink == "/{channel}/{section}/{year}/{month}/{slug}/"
    assert config.channel("changzhi").name == "Changzhi"
    assert config.section("news").name == "News"
    assert config.base_path == ""
    assert config.dir("output") == (tmp_path / "public").resolve()


def test_sub_path_base_url(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), base_url="https://example.org/shanxi/")
    assert config.site.base_url == "https://example.org/shanxi/"
    assert config.base_path == "/shanxi"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('title = "Eshanxi"', 'title = 42'), "site.toml:2: site.title: must be a string, not an integer"),
        (('[site]', '[site]\ncolour = "red"'), "site.toml:2: site.colour: unknown key; expected one of: title, base_url, language, timezone, date_format, home_label, description, copyright, address, icp, logo"),
        (('"https://www.eshanxi.example/"', '"www.eshanxi.example"'), "site.toml:3: site.base_url: 'www.eshanxi.example' is not an absolute http(s) URL like 'https://www.example.org/' (base_url)"),
        (('[site]', '[site]\ntimezone = "Asia/Taiyuan"'), "site.toml:2: site.timezone: unknown time zone 'Asia/Taiyuan'; use an IANA name such as 'Asia/Shanghai'"),
        (('[site]', '[site]\ndate_format = "today"'), "site.toml:2: site.date_format: 'today' has no date fields; try '%m %d,%Y'"),
        (('[site]', '[build]\nper_page = 0\n[site]'), "site.toml:2: build.per_page: must be at least 1"),
        (('[site]', '[build]\nper_page = "ten"\n[site]'), "site.toml:2: build.per_page: must be an integer, not a string"),
        (('[site]', '[build]\npermalink = "/{city}/{slug}/"\n[site]'), "site.toml:2: build.permalink: unknown placeholder {city}; use {channel}, {section}, {year}, {month}, {day}, {slug}"),
        (('[site]', '[build]\npermalink = "/{channel}/{year}/"\n[site]'), "site.toml:2: build.permalink: '/{channel}/{year}/' must contain {slug} so that every article gets its own URL"),
        (('slug = "changzhi"', 'slug = "Chang Zhi"'), "site.toml:6: channels[0].slug: 'Chang Zhi' must be lowercase letters, digits and hyphens"),
        (('slug = "changzhi"', 'slug = "page"'), "site.toml:6: channels[0].slug: 'page' is reserved for the site's own pages"),
        (('slug = "changzhi"', 'slug = "news"'), "site.toml:10: sections[0].slug: 'news' is also a channel slug; both would own /news/"),
        (('name = "Changzhi"\n', ''), "site.toml:5: channels[0].name: missing; this key is required"),
        (('[site]', '[theme]\nname = "x"\n[site]'), "site.toml:1: theme: unknown table; expected [site], [build], [feeds], [labels], [deploy], [home], [channel_front], [[channels]], [[sections]] or [[languages]]"),
        (('[site]', '[site]\nlogo = "images/logo.png"'), "site.toml:2: site.logo: 'images/logo.png' must be a path on the site like '/images/logo.png' or an http(s) URL"),
        (('[site]', '[feeds]\nitems = 0\n[site]'), "site.toml:2: feeds.items: must be at least 1"),
        (('[site]', '[feeds]\nfull_content = "yes"\n[site]'), "site.toml:2: feeds.full_content: must be true or false, not a string"),
        (('[site]', '[feeds]\ncount = 5\n[site]'), "site.toml:2: feeds.count: unknown key; expected one of: items, full_content"),
        (('name = "Changzhi"\n', 'name = "Changzhi"\ndateline = 3\n'), "site.toml:8: channels[0].dateline: must be a string, not an integer"),
        (('[site]', '[build]\noutput_dir = "content"\n[site]'), None),
        (('[site]', '[build]\noutput_dir = "."\n[site]'), None),
        (('[site]', '[build]\ncontent_dir = "articles"\n[site]'), None),
    ],
)
def test_each_mistake_is_named_with_its_line(tmp_path: Path, change: tuple[str, str], expected: str | None) -> None:
    path = write(tmp_path, GOOD.replace(*change, 1))
    errors = errors_of(path)
    if expected is not None:
        assert errors == [expected]
    else:
        assert len(errors) == 1 and errors[0].startswith("site.toml:2: build.")


def test_an_output_folder_from_the_command_line_is_blamed_on_the_command_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert errors_of(path, output_dir=".") == [
        f"--output: '.' would hold the site folder {tmp_path.resolve()}; the output must be a folder of its own"]
    (tmp_path / "content").mkdir(exist_ok=True)
    assert errors_of(path, output_dir="content/public") == [
        f"--output: 'content/public' overlaps the content folder {(tmp_path / 'content').resolve()}; "
        "the output must be a folder of its own, e.g. 'public'"]


def test_output_dir_in_site_toml_is_blamed_on_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("[site]", '[build]\noutput_dir = "static"\n[site]', 1))
    assert errors_of(path) == [
        f"site.toml:2: build.output_dir: 'static' overlaps the static folder {(tmp_path / 'static').resolve()}; "
        "the output must be a folder of its own, e.g. 'public'"]


def test_keep_lists_paths_inside_the_output_folder(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("[site]", '[build]\nkeep = ["robots.txt", "../x", "/etc"]\n[site]', 1))
    assert errors_of(path) == [
        "site.toml:2: build.keep: '../x' must be a path inside the output folder, e.g. 'robots.txt' or 'downloads/'",
        "site.toml:2: build.keep: '/etc' must be a path inside the output folder, e.g. 'robots.txt' or 'downloads/'"]
    path = write(tmp_path, GOOD.replace("[site]", '[build]\nkeep = "robots.txt"\n[site]', 1))
    assert errors_of(path) == ["site.toml:2: build.keep: must be an array of strings, not a string"]


def test_all_mistakes_are_reported_in_one_run(tmp_path: Path) -> None:
    text = GOOD.replace('title = "Eshanxi"', 'title = ""\ntimezone = "Mars/Base"').replace(
        'name = "News"', 'name = "News"\nicon = "x"')
    errors = errors_of(write(tmp_path, text))
    assert len(errors) == 3
    assert any("site.title: must not be empty" in e for e in errors)
    assert any("site.timezone: unknown time zone 'Mars/Base'" in e for e in errors)
    assert any("sections[0].icon: unknown key" in e for e in errors)


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace('name = "News"', 'name = News'))
    (error,) = errors_of(path)
    assert error.startswith("site.toml:11: invalid TOML: ")


def test_missing_file(tmp_path: Path) -> None:
    (error,) = errors_of(tmp_path / "site.toml")
    assert error.endswith("site.toml: no such file; is this a newsroom site folder?")


def test_duplicate_channel(tmp_path: Path) -> None:
    text = GOOD.replace("[[sections]]", '[[channels]]\nslug = "changzhi"\nname = "Again"\n\n[[sections]]')
    (error,) = errors_of(write(tmp_path, text))
    assert error == "site.toml:10: channels[1].slug: 'changzhi' is declared twice (also channels[0])"


def test_no_channels(tmp_path: Path) -> None:
    text = GOOD.split("[[channels]]")[0] + '[[sections]]\nslug = "news"\nname = "News"\n'
    (error,) = errors_of(write(tmp_path, text))
    assert error == "site.toml: channels: missing; declare at least one [[channels]] with slug and name"


def test_labels_default_to_english(tmp_path: Path) -> None:
    labels = load_config(write(tmp_path, GOOD)).labels
    assert (labels.time, labels.source, labels.by, labels.contributed) == (
        "Time", "Source", "By", "contributed to this story.")
    assert (labels.top_stories, labels.no_stories, labels.skip, labels.not_found_title) == (
        "Top stories", "No stories yet.", "Skip to main content", "Page not found")


def test_a_label_overrides_its_default_and_leaves_the_others(tmp_path: Path) -> None:
    text = GOOD + '\n[labels]\ntime = "时间"\nsource = "来源"\n'
    labels = load_config(write(tmp_path, text)).labels
    assert (labels.time, labels.source, labels.updated) == ("时间", "来源", "Updated")


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('[labels]\ntime = "Time"\nwhen = "When"\n',
         "site.toml:15: labels.when: unknown key; expected one of: time, source, updated, tags, by, "),
        ('[labels]\n\ntime = 3\n', "site.toml:15: labels.time: must be a string, not an integer"),
    ],
)
def test_a_wrong_label_is_an_error_with_its_line(tmp_path: Path, table: str, expected: str) -> None:
    (error,) = errors_of(write(tmp_path, GOOD + "\n" + table))  # GOOD is 11 lines, then a blank one
    assert error.startswith(expected)


def test_a_label_appears_on_the_built_page(make_site) -> None:
    from conftest import SITE_TOML, article, run_build

    toml = SITE_TOML + '\n[labels]\ntime = "时间"\nsource = "来源"\nno_stories = "暂无新闻。"\n'
    root = make_site({"content/changzhi/story.md": article(title="Greenway opens")}, site_toml=toml)
    result = run_build(cwd=root)
    assert result.returncode == 0, result.stderr
    page = (root / "public/changzhi/news/2021/08/story/index.html").read_text(encoding="utf-8")
    assert "时间: <time" in page and "来源: Eshanxi-changzhi" in page and "Time:" not in page
    empty = (root / "public/taiyuan/index.html").read_text(encoding="utf-8")
    assert '<p class="empty">暂无新闻。</p>' in empty
