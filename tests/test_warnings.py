"""Warnings that catch slips: near-miss field names, photos without alt text or caption, and
the hints the YAML reader adds for the two commonest slips in front matter.

A warning is printed and the site is built (exit 0); ``--strict`` makes it an error. Each
is checked through a real build (``build()`` and its ``BuildResult.warnings``) and once
through the command line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import JPEG, REPO, article, run_build

from newsroom import build, load_config
from newsroom.content import find_articles, load_article
from newsroom.errors import BuildFailed
from newsroom.markup import Markdown

F = "content/changzhi/a.md"
PHOTO = {"content/changzhi/photo.jpg": JPEG}


def warnings(site: Path) -> list[str]:
    """The warnings of a real build of ``site``, as the command line prints them."""
    result = build(load_config(site / "site.toml"))
    return [str(w) for w in result.warnings]


def strict_errors(site: Path) -> list[str]:
    with pytest.raises(BuildFailed) as caught:
        build(load_config(site / "site.toml"), strict=True)
    return [str(e) for e in caught.value.errors]


def build_errors(site: Path) -> list[str]:
    with pytest.raises(BuildFailed) as caught:
        build(load_config(site / "site.toml"))
    return [str(e) for e in caught.value.errors]


def loaded(site: Path, name: str = F):
    return load_article(load_config(site / "site.toml"), site / name, Markdown())


# -- near-miss field names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "meant"),
    [("tag", "tags"), ("Dek", "dek"), ("TAGS", "tags"), ("auther", "author"), ("tgas", "tags"), ("lnag", "lang"),
     ("chanel", "channel"), ("sumary", "summary"), ("expirydate", "expiryDate"), ("last_modified", "last_modified_at"),
     ("alias", "aliases"), ("contributor", "contributors"), ("imgae", "image"), ("dates", "date")],
)
def test_an_unknown_field_close_to_a_known_one_is_a_warning(make_site, key: str, meant: str) -> None:
    site = make_site({F: article(**{key: "x"})})
    assert warnings(site) == [f"{F}:4: {key}: warning: unknown field; did you mean {meant!r}?"]
    assert loaded(site).extra == {key: "x"}  # kept, as every unknown field is


def test_the_warning_names_the_line_of_the_key(make_site) -> None:
    text = article("Parks", dek="A dek", section="business", tag="parks", body="One.\n\nTwo.")
    site = make_site({F: text})
    assert warnings(site) == [f"{F}:6: tag: warning: unknown field; did you mean 'tags'?"]


def test_a_near_miss_in_toml_front_matter(make_site) -> None:
    site = make_site({F: '+++\ntitle = "Parks"\ndate = 2021-08-25\nTitle = "Parks"\n+++\nBody.\n'})
    assert warnings(site) == [f"{F}:4: Title: warning: unknown field; did you mean 'title'?"]


def test_strict_makes_a_near_miss_an_error(make_site) -> None:
    site = make_site({F: article(tag="parks")})
    assert strict_errors(site) == [f"{F}:4: tag: unknown field; did you mean 'tags'?"]


DELIBERATE = ["layout", "categories", "permalink", "excerpt", "description", "weight", "url", "type", "status",
              "comments", "images", "params", "guid", "meta", "wordpress_id", "category", "keywords", "toc", "math",
              "publishDate", "redirect_to", "subtitle", "resources", "updated_at", "mood", "data", "language",
              "Categories", "Layout"]


@pytest.mark.parametrize("key", DELIBERATE)
def test_fields_other_generators_use_on_purpose_stay_silent(make_site, key: str) -> None:
    site = make_site({F: article(**{key: "x"})})
    assert warnings(site) == []
    assert loaded(site).extra == {key: "x"}


@pytest.mark.parametrize("tool", ["jekyll", "hugo", "hexo", "wordpress"])
def test_imported_archives_have_no_near_miss_fields(tool: str) -> None:
    """Every field the import fixtures carry is one of newsroom's or another generator's on purpose."""
    folder = REPO / "tests" / "fixtures" / "imports" / tool
    config = load_config(folder / "site.toml")
    renderer = Markdown()
    found = []
    for path in find_articles(folder / "content"):
        found += [str(w) for w in load_article(config, path, renderer).warnings if "unknown field" in w.message]
    assert found == []


# -- photos without alt text or caption ------------------------------------------------------

LEAD_WARNING = ("image: warning: the lead photo has neither alt text nor caption; add 'alt:' (what the photo "
                "shows, for readers who cannot see it) or 'caption:' under 'image:'")


def test_a_lead_photo_without_alt_text_or_caption_is_a_warning(make_site) -> None:
    site = make_site({F: article(image="photo.jpg"), **PHOTO})
    assert warnings(site) == [f"{F}:4: {LEAD_WARNING}"]
    assert loaded(site).image is not None  # the photo is shown all the same
    assert strict_errors(site) == [f"{F}:4: {LEAD_WARNING.replace('warning: ', '')}"]


def test_a_lead_photo_block_with_only_a_credit_is_a_warning(make_site) -> None:
    text = article(section="news", image='\n  src: photo.jpg\n  credit: "Photo: Li Na"')
    site = make_site({F: text, **PHOTO})
    assert warnings(site) == [f"{F}:5: {LEAD_WARNING}"]


@pytest.mark.parametrize("fields", ["{src: photo.jpg, alt: A stone bridge}", "{src: photo.jpg, caption: The bridge.}"])
def test_a_lead_photo_with_alt_text_or_caption_is_fine(make_site, fields: str) -> None:
    site = make_site({F: article(image=fields), **PHOTO})
    assert warnings(site) == []


@pytest.mark.parametrize(
    "image",
    ['{src: "", caption: "", credit: "", alt: ""}', "", "{}", '""', "\n  src:\n  caption:\n  credit:\n  alt:",
     '\n  src: ""\n  caption: " "'],
    ids=["as new writes it", "nothing", "empty mapping", "empty text", "empty block", "blank caption"],
)
def test_an_image_block_whose_fields_are_all_empty_is_no_photo(make_site, image: str) -> None:
    site = make_site({F: article(image=image)})
    assert warnings(site) == []
    assert loaded(site).image is None


def test_an_image_block_with_a_caption_but_no_src_is_still_an_error(make_site) -> None:
    site = make_site({F: article(image='{src: "", caption: The bridge., credit: "", alt: ""}')})
    assert build_errors(site) == [f"{F}:4: image.src: missing; the image file, e.g. /images/photo.jpg"]


FIGURE_WARNING = ("image: warning: 'photo.jpg' has neither caption nor alt text; write what the photo shows "
                  "between the brackets of ![]")


@pytest.mark.parametrize("figure", ["![](photo.jpg)", '![](photo.jpg "Photo: Li Na/Eshanxi")', "![ ](photo.jpg)",
                                    "![][bridge]\n\n[bridge]: photo.jpg"])
def test_a_body_figure_without_caption_is_a_warning_on_its_line(make_site, figure: str) -> None:
    site = make_site({F: article(body=f"First paragraph.\n\n{figure}\n\nLast paragraph."), **PHOTO})
    assert warnings(site) == [f"{F}:7: {FIGURE_WARNING}"]
    assert [photo.caption for photo in loaded(site).figures] == [""]


def test_an_inline_image_without_alt_text_is_a_warning_on_its_line(make_site) -> None:
    body = "First paragraph.\n\nThe new logo\n![](photo.jpg) hangs over the gate."
    site = make_site({F: article(body=body), **PHOTO})
    assert warnings(site) == [f"{F}:8: image: warning: 'photo.jpg' has no alt text; write what the image shows "
                              "between the brackets of ![]"]


def test_images_with_alt_text_and_images_in_code_are_fine(make_site) -> None:
    body = ("![The bridge at dawn.](photo.jpg)\n\nThe logo ![Eshanxi](photo.jpg) is new.\n\n"
            "Write `![](photo.jpg)` for a photo.\n\n```\n![](photo.jpg)\n```\n\n    ![](photo.jpg)\n")
    site = make_site({F: article(body=body), **PHOTO})
    assert warnings(site) == []


def test_a_dead_figure_without_caption_gets_both_warnings(make_site) -> None:
    site = make_site({F: article(body="![](lost.jpg)")})
    assert warnings(site) == [
        f"{F}:5: image: warning: 'lost.jpg' has neither caption nor alt text; write what the photo shows between "
        "the brackets of ![]",
        f"{F}:5: image: warning: 'lost.jpg' not found: no file content/changzhi/lost.jpg; left as written",
    ]


# -- through the command line ----------------------------------------------------------------


def test_the_command_line_prints_the_warnings_and_strict_fails(make_site) -> None:
    body = "The greenway opened.\n\n![](photo.jpg)"
    site = make_site({F: article("Greenway", tag="parks", image="photo.jpg", body=body), **PHOTO})
    result = run_build(cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{F}:4: tag: warning: unknown field; did you mean 'tags'?",
        f"{F}:5: {LEAD_WARNING}",
        f"{F}:9: {FIGURE_WARNING}",
    ]
    assert "3 warnings (--strict makes them errors)" in result.stdout
    strict = run_build("--strict", cwd=site)
    assert strict.returncode == 1
    assert strict.stderr.splitlines() == [
        f"{F}:4: tag: unknown field; did you mean 'tags'?",
        f"{F}:5: {LEAD_WARNING.replace('warning: ', '')}",
        f"{F}:9: {FIGURE_WARNING.replace('warning: ', '')}",
        "build failed: 3 errors; the output folder was left as it was",
    ]


# -- hints for the commonest YAML slips --------------------------------------------------------

LIBYAML = getattr(yaml, "__with_libyaml__", False)
COLON = "mapping values are not allowed in this context" if LIBYAML else "mapping values are not allowed here"
QUOTES = ("while parsing a block mapping, did not find expected key" if LIBYAML
          else "while parsing a block mapping, expected <block end>, but found '<scalar>'")


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("title: Taiyuan: a city of vinegar\ndate: 2021-08-25",
         f'{F}:2: title: invalid YAML: {COLON}; put the whole value in quotes: title: "Taiyuan: a city of vinegar"'),
        ("title: Opening hours\ndate: 2021-08-25\ndek: Open: 9:30 to 22:00  # new hours",
         f'{F}:4: dek: invalid YAML: {COLON}; put the whole value in quotes: dek: "Open: 9:30 to 22:00"'),
        ('title: Hours\ndate: 2021-08-25\ndek: He said "open: always"',
         f"{F}:4: dek: invalid YAML: {COLON}; put the whole value in quotes: dek: 'He said \"open: always\"'"),
        ("title: Greenway\ndate: 2021-08-25\nimage:\n  src: photo.jpg\n  caption: Changzhi: the greenway",
         f'{F}:6: invalid YAML: {COLON}; put the whole value in quotes: caption: "Changzhi: the greenway"'),
        ('title: "The "best" vinegar"\ndate: 2021-08-25',
         f"{F}:2: title: invalid YAML: {QUOTES}; put the whole title in quotes of the other kind, or write the "
         "inner ones as \\\": title: 'The \"best\" vinegar'"),
        ('date: 2021-08-25\ntitle: "The best" vinegar',
         f"{F}:3: title: invalid YAML: {QUOTES}; put the whole title in quotes of the other kind, or write the "
         "inner ones as \\\": title: '\"The best\" vinegar'"),
        ("title: 'Taiyuan's best vinegar'\ndate: 2021-08-25",
         f"{F}:2: title: invalid YAML: {QUOTES}; put the whole title in quotes of the other kind, or double the "
         "inner ones: title: \"Taiyuan's best vinegar\""),
    ],
    ids=["colon", "colon and comment", "colon and quotes", "colon in a nested field", "double quotes inside",
         "quoted start", "single quotes inside"],
)
def test_yaml_slips_come_with_a_hint(make_site, front: str, expected: str) -> None:
    site = make_site({F: f"---\n{front}\n---\nBody.\n"})
    assert build_errors(site) == [expected]


def test_the_hint_keeps_the_file_line_after_blank_lines(make_site) -> None:
    site = make_site({F: "\n\n---\ndate: 2021-08-25\ntitle: Taiyuan: a city of vinegar\n---\nBody.\n"})
    assert build_errors(site) == [
        f'{F}:5: title: invalid YAML: {COLON}; put the whole value in quotes: title: "Taiyuan: a city of vinegar"']


def test_the_hinted_fixes_are_valid_yaml(make_site) -> None:
    for value in ['"Taiyuan: a city of vinegar"', "'The \"best\" vinegar'", "\"Taiyuan's best vinegar\"",
                  "'He said \"open: always\"'"]:
        site = make_site({F: f"---\ntitle: {value}\ndate: 2021-08-25\n---\nBody.\n"}, folder="fixed")
        assert loaded(site).title == yaml.safe_load(value)


def test_other_yaml_mistakes_get_no_hint(make_site) -> None:
    site = make_site({F: '---\ntitle: "Greenway opens\ndate: 2021-08-25\n---\nBody.\n'})
    (error,) = build_errors(site)
    assert error.startswith(f"{F}:2: title: invalid YAML: ") and "put the whole" not in error


def test_a_build_from_the_cache_repeats_the_warnings(make_site) -> None:
    site = make_site({F: article(tag="parks", body="![](photo.jpg)"), **PHOTO})
    first = build(load_config(site / "site.toml"))
    again = build(load_config(site / "site.toml"))
    assert again.articles_read == 0  # every record came from the cache
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings] == [
        f"{F}:4: tag: warning: unknown field; did you mean 'tags'?", f"{F}:6: {FIGURE_WARNING}"]
