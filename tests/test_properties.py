"""Properties that hold for any input: it builds, or it fails with newsroom's own error naming the file.

Hypothesis makes front matter values (written as YAML, TOML and JSON), raw files (text and
bytes), Markdown bodies, file names and slugs. Whatever it makes, reading an article gives
an ``Article`` or raises ``BuildFailed`` whose every error names that file with a message,
and a whole build succeeds or raises ``BuildFailed`` naming article files, writes nothing
outside its output folder and build cache, and puts nothing in the output folder that lies
outside it. Any other exception is a bug: the user would get a traceback.

Inputs that once crashed a build are kept at the end of this module as plain examples.

``--hypothesis-seed=N`` runs other examples; ``--hypothesis-show-statistics`` shows how
many examples built and how many failed.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import hypothesis
import pytest
import yaml
from conftest import JPEG, REPO, SITE_TOML
from hypothesis import HealthCheck, currently_in_test_context, example, given, settings
from hypothesis import strategies as st

from newsroom import build, load_config
from newsroom.config import Config
from newsroom.content import KNOWN_FIELDS, Article, load_article
from newsroom.errors import BuildFailed
from newsroom.markup import Markdown

# Reading one article takes a few milliseconds, a whole build of a tiny site about 0.1 s: the module
# runs in about 20 s. PROPERTY_SCALE=20 makes twenty times as many examples, to search harder.
SCALE = float(os.environ.get("PROPERTY_SCALE", "1"))
FAST = settings(deadline=None, max_examples=int(150 * SCALE), suppress_health_check=[HealthCheck.too_slow])
BUILDS = settings(deadline=None, max_examples=int(40 * SCALE), suppress_health_check=[HealthCheck.too_slow])

RENDERER = Markdown()  # shared, as a worker shares one: a failed render must not spoil the next


def write_site(root: Path) -> Path:
    """A tiny site: the test config, an image in static/ and one beside the articles."""
    (root / "content" / "changzhi").mkdir(parents=True)
    (root / "static" / "images").mkdir(parents=True)
    (root / "static" / "images" / "x.jpg").write_bytes(JPEG)
    (root / "content" / "changzhi" / "photo.jpg").write_bytes(JPEG)
    (root / "site.toml").write_text(SITE_TOML.replace("{templates}", (REPO / "templates").as_posix()),
                                    encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return load_config(write_site(tmp_path_factory.mktemp("properties") / "site") / "site.toml")


def event(name: str) -> None:
    """Count what happened, for ``--hypothesis-show-statistics`` (outside hypothesis: nothing)."""
    if currently_in_test_context():
        hypothesis.event(name)


def unexpected(what: str, exc: Exception) -> AssertionError:
    return AssertionError(f"{what} raised {type(exc).__name__}: {exc} -- not newsroom's BuildFailed, "
                          "so the user gets a traceback")


# -- the property every article file has -------------------------------------------------------------


def read(config: Config, data: bytes, name: str = "fuzz.md") -> Article | None:
    """Write ``data`` as an article and read it: an Article, or None after checking the errors."""
    path = config.dir("content") / "changzhi" / name
    path.write_bytes(data)
    shown = f"content/changzhi/{name}"
    try:
        article = load_article(config, path, RENDERER, shown=shown)
    except BuildFailed as failed:
        assert failed.errors, "BuildFailed without any error"
        for error in failed.errors:
            assert error.path == shown, f"the error names {error.path!r}, not the file {shown!r}: {error}"
            assert error.message.strip(), f"an error without a message: {error!r}"
        event(f"BuildFailed ({failed.errors[0].field or failed.errors[0].message[:30]})")
        return None
    except Exception as exc:
        raise unexpected("load_article", exc) from exc
    assert isinstance(article, Article), f"load_article returned {article!r}"
    assert article.path == shown
    for name, text in texts_of(article):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise AssertionError(f"article.{name} cannot be written to a page: {exc}") from exc
    event("Article")
    return article


def texts_of(article: Article) -> Iterator[tuple[str, str]]:
    """Every text of an article that a page shows."""
    for name in ("title", "url", "source", "slug", "lang", "summary", "dek"):
        yield name, getattr(article, name)
    for name in ("authors", "contributors", "tags"):
        for item in getattr(article, name):
            yield name, item
    if article.image is not None:
        for name in ("src", "caption", "credit", "alt"):
            yield f"image.{name}", getattr(article.image, name)
    yield "body", str(article.body)


# -- values -----------------------------------------------------------------------------------------

PRINTABLE = st.characters(exclude_categories=("Cc", "Cs"))  # control characters come from the token lists
TRICKY_TEXT = [
    "", " ", "---", "+++", "{", "}", "[", "'", '"', "\\", "\n", "\r\n", "\r", "\t", "\ufeff", ":", ": ", "- x",
    "# x", "title: x", "a = 1", "---\ntitle: x\n---", "2021-08-25", "08/25/2021", "Aug 25, 2021", "\x00", "\x1f",
    "\x85", "\u2028", "中文标题", "{{ 7*7 }}", "{% raw %}", "../../x", "%2e%2e", "/etc/passwd", "http://[::1",
    "yes", "null", "~", "&a", "*a", "!!python/object:os.system", "\ud800", "a\ud800b", "x" * 300,
]
texts = st.one_of(
    st.text(PRINTABLE, max_size=20),
    st.sampled_from(TRICKY_TEXT),
    st.lists(st.one_of(st.sampled_from(TRICKY_TEXT), st.text(max_size=4)), max_size=5).map("".join),
)


class Huge:
    """A number of more than 4300 digits, as a file can hold and Python refuses to convert by
    default; a stand-in, since hypothesis cannot print such an int."""

    DIGITS = "9" * 4400

    def __repr__(self) -> str:
        return "Huge()"


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Huge, lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:int", Huge.DIGITS))
integers = st.one_of(st.integers(), st.sampled_from([2**63, -(2**63) - 1, 10**100, Huge()]))
offsets = st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-23, minutes=-59),
                                            max_value=timedelta(hours=23, minutes=59)))
datetimes = st.one_of(
    st.datetimes(),
    st.datetimes(timezones=offsets),
    st.datetimes(timezones=st.timezones()),
    st.sampled_from([datetime.min, datetime.max, datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
                     datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-12)))]),
)
scalars = st.one_of(st.none(), st.booleans(), integers, st.floats(), texts, st.dates(), datetimes)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4), max_leaves=12
)

GOOD = {
    "title": st.sampled_from(["A story", "长治绿道向骑行者开放", "Quotes \"and\" 'such'", "Title: with colon"]),
    "date": st.one_of(
        st.sampled_from(["2021-08-25", "2021-8-25", "2021-08-25 09:30", "2021-08-25T09:30:00+08:00",
                         "2016-07-26 13:00:00 -0700", "Aug 25, 2021", "25 August 2021", "2021/08/25"]),
        st.dates(), st.datetimes(), st.datetimes(timezones=offsets),
    ),
    "channel": st.sampled_from(["changzhi", "taiyuan", " Taiyuan "]),
    "section": st.sampled_from(["news", "business", "News"]),
    "slug": st.sampled_from(["greenway", "长治绿道", "v1.2", "2021"]),
    "tags": st.one_of(st.lists(st.sampled_from(["parks", "transport", "城市"]), max_size=3),
                      st.just("parks, transport")),
    "image": st.one_of(
        st.sampled_from(["/images/x.jpg", "photo.jpg", "https://example.org/x.jpg"]),
        st.fixed_dictionaries({"src": st.sampled_from(["/images/x.jpg", "photo.jpg"])},
                              optional={k: st.sampled_from(["A caption", "Photo: Li Na"])
                                        for k in ("caption", "credit", "alt")}),
    ),
    "draft": st.booleans(),
    "lang": st.sampled_from(["en", "zh", "zh-CN", "ja"]),
}
for _key in ("source", "dek", "author", "authors", "contributors", "summary"):
    GOOD[_key] = st.sampled_from(["Li Na", "王小明", "A line of text"])
BAD_IMAGES = st.sampled_from(["../../../etc/passwd", "/../x.jpg", "missing.jpg", "", "%2e%2e/x.jpg", "photo.jpg?x#y",
                              "http://[::1", "a%00b.jpg", "//host/x.jpg", "data:x", "/" + "a" * 300])


def field_value(key: str) -> st.SearchStrategy[object]:
    """A value that is right for the field, or anything at all."""
    bad = st.one_of(values, BAD_IMAGES) if key == "image" else values
    return st.one_of(GOOD[key], bad)


@st.composite
def front_matter(draw: st.DrawFn) -> dict[object, object]:
    """Front matter with title and date and some other known fields, and unknown ones.

    Half of the time every known field has a right value (those should build), else
    any field may have any value."""
    sane = draw(st.booleans())
    keys = ["title", "date"] + [k for k in sorted(GOOD) if k not in ("title", "date") and draw(st.booleans())]
    if sane and "author" in keys and "authors" in keys:
        keys.remove("authors")
    meta = {key: draw(GOOD[key] if sane else field_value(key)) for key in keys}
    extra = draw(st.dictionaries(st.text(min_size=1, max_size=12).filter(lambda k: k not in KNOWN_FIELDS), values,
                                 max_size=3))
    return {**extra, **meta}


odd_keys = st.dictionaries(st.one_of(st.integers(), st.none(), st.booleans(), st.dates(), st.floats()), values,
                           max_size=2)


def as_yaml(meta: dict, flow: bool | None, unicode: bool) -> str:
    dumped = yaml.dump(meta, Dumper=_Dumper, allow_unicode=unicode, sort_keys=False, default_flow_style=flow)
    return f"---\n{dumped}---\n"


def as_json(meta: dict, ascii_only: bool) -> str:
    def default(value: object) -> str:
        if isinstance(value, Huge):
            return "<huge>"
        return value.isoformat() if isinstance(value, date) else str(value)

    dumped = json.dumps(_str_keys(meta), indent=2, ensure_ascii=ascii_only, default=default)
    return dumped.replace('"<huge>"', Huge.DIGITS) + "\n"


def as_toml(meta: dict) -> str:
    lines = [f"{_toml_string(k)} = {_toml(v)}" for k, v in _str_keys(meta).items() if v is not None]
    return "+++\n" + "".join(line + "\n" for line in lines) + "+++\n"


def _str_keys(value: object) -> object:
    if isinstance(value, dict):
        return {str(k): _str_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_str_keys(v) for v in value]
    return value


def _toml(value: object) -> str:
    """A TOML value (None is left out: TOML has no null)."""
    if isinstance(value, Huge):
        return Huge.DIGITS
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, datetime):
        offset = value.utcoffset()
        if offset is not None and (offset.seconds % 60 or offset.microseconds):
            return _toml_string(value.isoformat())  # TOML offsets are whole minutes
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_string(k)} = {_toml(v)}" for k, v in value.items() if v is not None) + "}"
    raise TypeError(value)


def _toml_string(text: str) -> str:
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


# 1. front matter values ---------------------------------------------------------------------------


def written(fmt: str, **meta: object) -> dict[str, object]:
    """An explicit example: ``meta`` (besides a title and a date) written as ``fmt``."""
    return {"meta": {"title": "T", "date": "2021-08-25", **meta}, "extra_keys": {}, "fmt": fmt, "flow": None,
            "unicode": False, "body": ""}


@FAST
@given(meta=front_matter(), extra_keys=odd_keys, fmt=st.sampled_from(["yaml", "toml", "json"]),
       flow=st.sampled_from([None, True, False]), unicode=st.booleans(), body=texts)
@example(**written("toml", x=Huge()))  # ValueError: over 4300 digits (fixed)
@example(**written("json", x=Huge()))  # the same (fixed)
@example(**written("yaml", date=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))))  # OverflowError (fixed)
@example(**written("json", date="9999-12-31 23:00 -05:00"))  # OverflowError (fixed)
@example(**written("json", title="a\ud800b"))  # an Article that cannot be written as UTF-8 (fixed)
def test_any_front_matter_reads_or_fails_naming_the_file(config, meta, extra_keys, fmt, flow, unicode, body):
    if fmt == "yaml":
        head = as_yaml({**extra_keys, **meta}, flow, unicode)  # only YAML has keys that are not text
    elif fmt == "toml":
        head = as_toml(meta)
    else:
        head = as_json(meta, ascii_only=unicode)
    read(config, (head + body).encode("utf-8", "surrogatepass"))


# 2. raw files -------------------------------------------------------------------------------------

RAW_TOKENS = [
    "---", "+++", "{", "}", "\n", "\r\n", "\r", "\ufeff", "\t", " ", ":", "title: T", "date: 2021-08-25",
    'title = "T"', "date = 2021-08-25", '"title": "T",', '"date": "2021-08-25"', "- ", "[", "]", "&a ", "*a",
    "!!int ", "!!bool ", "!!float ", "!!timestamp ", "!!map ", "!!set ", "!!omap ", "!!binary ", "!!python/name:x ",
    "? ", "<<: ", "#", "'", '"', "\\", "\x00", "\x85", "\u2028", "%YAML 1.1", "...", "中文", "9" * 4400, "[" * 60,
    "- " * 60, "{a: " * 60,
]
raw_text = st.lists(st.one_of(st.sampled_from(RAW_TOKENS), st.text(max_size=6)), max_size=30).map("".join)
framed_text = st.tuples(
    st.sampled_from(["---\n", "+++\n", "{\n", "\ufeff---\r\n", "\n\n---\n", "\r---\r"]),
    raw_text,
    st.sampled_from(["\n---\n", "\n+++\n", "\n}\n", "\r---\r", ""]),
    raw_text,
).map("".join)


@FAST
@given(text=st.one_of(raw_text, framed_text))
def test_any_text_file_reads_or_fails_naming_the_file(config, text):
    read(config, text.encode("utf-8"))


# 2b. YAML front matter built from the constructs that YAML readers get wrong

YAML_KEYS = ["? [a, b]", "[a]", "{a: 1}", "1", "null", "true", "<<", "&k key", "*k", "? a", '"q"', "'s'", "2021-08-25",
             "", "- x", "title", "x y"]
YAML_VALUES = [
    "T", "2021-08-25", "2021-08-25 09:30", "2021-02-30", "2021-08-25 10:00:00 +25:00", "0001-01-01 00:00 +09:00",
    "!!int abc", "!!int ''", "!!int 0x", "!!bool maybe", "!!float ''", "!!float 1:2:x", "!!timestamp soon",
    "!!timestamp 2021-13-45", "!!map x", "!!seq x", "!!str [a]", "!!set {a}", "!!set [a]", "!!omap [a: 1]",
    "!!pairs [a]", "!!binary x", "!!binary aGk=", "!!python/object:os.system x", "!foo x", "&a [1, *a]", "&a x", "*a",
    "*nowhere", "{<<: *a}", "[" * 60 + "]" * 60, "{a: " * 60 + "}" * 60, "9" * 4400, "'unclosed", '"unclosed', "|",
    ">-", "- x", "[a, b", "{a: b", "~", "null", ".nan", "-.inf", "0o17", "0b101", "1_000", "190:20:30", "yes", "on",
    '"\\ud800"', '"\\x00"', '"\\U0010FFFF"', "\ufeff", "\t", "", "#comment", "x: y: z", "- - - x", "? x",
    "\n  - a\n  - b", "\n  src: /images/x.jpg\n  alt: A", "\n  ? [a]\n  : b", "\n  k: !!bool maybe",
]
yaml_values = st.one_of(st.sampled_from(YAML_VALUES), st.text(PRINTABLE, max_size=6))
yaml_line = st.one_of(
    st.builds("{}: {}".format, st.sampled_from(["x", "y", "tags", "image", "slug", "extra"]), yaml_values),
    st.builds("{}: {}".format, st.sampled_from(YAML_KEYS), yaml_values),
    st.tuples(st.sampled_from(["", "  ", "\t", "- "]), st.sampled_from(YAML_KEYS),
              st.sampled_from([": ", ":", " : ", "", ":\n  "]), yaml_values).map("".join),
)
yaml_text = st.builds(lambda lines, body: "---\ntitle: T\ndate: 2021-08-25\n" + "\n".join(lines) + "\n---\n" + body,
                      st.lists(yaml_line, min_size=1, max_size=4).map(  # one line a key: no duplicate-key errors
                          lambda lines: list({line.partition(":")[0]: line for line in lines}.values())),
                      st.text(PRINTABLE, max_size=10))
YAML_HEAD = "---\ntitle: T\ndate: 2021-08-25\n"


@FAST
@given(text=yaml_text)
@example(text=YAML_HEAD + "? [a, b]\n: c\n---\n")  # TypeError: unhashable key (fixed)
@example(text=YAML_HEAD + "x: !!bool maybe\n---\n")  # KeyError (fixed)
@example(text=YAML_HEAD + "x: !!int ''\n---\n")  # IndexError (fixed)
@example(text=YAML_HEAD + "x: !!timestamp soon\n---\n")  # AttributeError (fixed)
@example(text=YAML_HEAD + "x: !!map text\n---\n")  # ValueError from the duplicate-key check (fixed)
@example(text=YAML_HEAD + "x: " + "9" * 4400 + "\n---\n")  # ValueError: over 4300 digits (fixed)
@example(text=YAML_HEAD + "date: 0001-01-01 00:00:00 +09:00\n---\n")  # OverflowError in the site zone (fixed)
def test_any_yaml_front_matter_reads_or_fails_naming_the_file(config, text):
    read(config, text.encode("utf-8"))


@FAST
@given(data=st.one_of(
    st.binary(max_size=200),
    st.tuples(framed_text, st.binary(min_size=1, max_size=4), st.integers(0, 400)).map(
        lambda t: t[0].encode()[:t[2]] + t[1] + t[0].encode()[t[2]:]),
))
def test_any_bytes_read_or_fail_naming_the_file(config, data):
    read(config, data)


# 3. Markdown bodies -------------------------------------------------------------------------------

MARKDOWN_TOKENS = [
    "*", "**", "_", "[", "]", "(", ")", "!", "<", ">", "#", "`", "|", "-", "{", "}", "%", ":", "~", "^", "=", "+", ".",
    "&", ";", "\\", "'", '"', "\n", "\n\n", "    ", "\t", "1. ", "- ", "> ", "# ", "***", "---", "===", "```", "~~~",
    "x", "word ", "中文", "\u00a0", "\x00", "\x0b", "\x7f", "\u2028",
    '![x](y "z")', "![](photo.jpg)", "![a](/images/x.jpg 'Photo: b')", "![](missing.png)", "![](../../x.jpg)",
    "![](/../x.jpg)", "![]()", "![x](<a b.jpg>)", "[a](/b)", "[a](b.pdf)", "[a](../x/)", "[a](other.md)",
    "[a]: /ref", "<http://example.org>", "<a@b.example>", "<div>", "</div>", "<img src=x>", "<script>",
    "<!--", "-->", "{% raw %}", "{% endraw %}", "{{< x >}}", "{{ .Title }}", "{{ 7*7 }}", "{% if true %}",
    "[^1]", "[^1]: note", "[^n]:", "*[HTML]: Hyper Text", "HTML", "term\n: def", "{: .cls #id }", "{: }",
    "&amp;", "&#0;", "&#x110000;", "| a | b |\n|---|---|\n| 1 | 2 |\n", "    code\n",
    "\n" + "- " * 1000 + "x\n", "\n" + "> " * 600, "[" * 300, "*" * 300,
    "\n" + "".join("  " * i + "- x\n" for i in range(60)),
]
markdown = st.lists(st.one_of(st.sampled_from(MARKDOWN_TOKENS), st.text(PRINTABLE, max_size=5)),
                    max_size=60).map("".join)


@FAST
@given(body=markdown, lang=st.sampled_from(["en", "zh", "ja"]))
@example(body="- " * 1000 + "x\n", lang="en")  # RecursionError, and then a converter that renders nothing (fixed)
def test_any_markdown_body_reads_or_fails_naming_the_file(config, body, lang):
    head = f"---\ntitle: A story\ndate: 2021-08-25 09:30\nlang: {lang}\n---\n"
    try:
        read(config, (head + body).encode("utf-8"))
    finally:  # also after a crash: the next article of the process must render as well
        canary = RENDERER.render("*fine*", lang=lang, resolve_image=lambda src: src).html
        assert canary == "<p><em>fine</em></p>", f"the renderer is spoiled for the next article: {canary!r}"


# Builds ------------------------------------------------------------------------------------------


def tree(top: Path, skip: tuple[str, ...]) -> dict[str, object]:
    """Every folder, file (with its bytes) and link below ``top`` but the ``skip`` folders."""
    found: dict[str, object] = {}
    for folder, dirs, files in os.walk(top):
        relative = os.path.relpath(folder, top)
        dirs[:] = [d for d in dirs if os.path.normpath(os.path.join(relative, d)) not in skip]
        for name in dirs + files:
            path = os.path.join(folder, name)
            key = os.path.normpath(os.path.join(relative, name))
            if os.path.islink(path):
                found[key] = ("link", os.readlink(path))
            elif os.path.isdir(path):
                found[key] = ("folder",)
            else:
                with open(path, "rb") as stream:
                    found[key] = ("file", stream.read())
    return found


def spellings(name: str) -> set[str]:
    """The ways a message may show a file name: as it is, or (when it is not UTF-8, and
    ``name`` holds the surrogates of os.fsdecode()) with U+FFFD or ``\\xe9`` for its bytes."""
    raw = name.encode("utf-8", "surrogateescape")
    return {name, raw.decode("utf-8", "replace"), raw.decode("utf-8", "backslashreplace")}


def differences(before: dict[str, object], after: dict[str, object]) -> list[str]:
    return ([f"created {k!r}" for k in sorted(after.keys() - before.keys())]
            + [f"deleted {k!r}" for k in sorted(before.keys() - after.keys())]
            + [f"changed {k!r}" for k in sorted(before.keys() & after.keys()) if before[k] != after[k]])


def build_site(top: Path, articles: dict[str, bytes], static: tuple[str, ...] = ()) -> Path | None:
    """Build a site in ``top/site`` holding ``articles`` (content-relative path -> bytes)
    and ``static`` files (static-relative paths).

    Returns the output folder, or None when the build failed with errors naming those
    files; checks that nothing outside the output folder and the cache changed, and that
    everything in the output folder lies inside it.
    """
    site = write_site(top / "site")
    files = {f"content/{name}": data for name, data in articles.items()}
    files.update((f"static/{name}", b"/* a static file */") for name in static)
    for name, data in files.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    folders = {str(folder) for name in files for folder in Path(name).parents if len(folder.parts) > 1}
    shown = set().union(*(spellings(name) for name in [*files, *folders]))  # a folder may be what is wrong
    skip = ("site/public", "site/.cache")
    before = tree(top, skip)
    public = site / "public"
    try:
        build(load_config(site / "site.toml"), jobs=1)
    except BuildFailed as failed:
        assert failed.errors, "BuildFailed without any error"
        for error in failed.errors:
            assert error.path in shown, f"the error names {error.path!r}, not one of {sorted(files)} or their folders"
            assert error.message.strip(), f"an error without a message: {error!r}"
        assert not public.exists(), "a failed first build left an output folder"
        event(f"BuildFailed ({failed.errors[0].field or failed.errors[0].message[:30]})")
        built = False
    except Exception as exc:
        raise unexpected("build", exc) from exc
    else:
        event("built")
        built = True
    changed = differences(before, tree(top, skip))
    assert not changed, "the build touched files outside its output folder and cache:\n" + "\n".join(changed)
    if not built:
        return None
    inside = os.path.realpath(public) + os.sep
    for folder, dirs, files in os.walk(public):
        for name in dirs + files:
            path = os.path.join(folder, name)
            assert not os.path.islink(path), f"a link in the output folder: {path}"
            assert os.path.realpath(path).startswith(inside), f"{path} is outside the output folder"
    assert (public / "index.html").is_file()
    return public


def front(title: str = "A story", **fields: object) -> bytes:
    meta = {"title": title, "date": "2021-08-25 09:30", **fields}
    return as_yaml(meta, None, True).encode("utf-8", "surrogatepass") + b"Body text.\n"


# 1b. ... and through a whole build: model, templates, cache and output see every value that reads

serialized = st.builds(
    lambda meta, fmt, unicode: (as_yaml(meta, None, unicode) if fmt == "yaml" else as_toml(meta) if fmt == "toml"
                                else as_json(meta, ascii_only=unicode)),
    front_matter(), st.sampled_from(["yaml", "toml", "json"]), st.booleans(),
)


@BUILDS
@given(heads=st.lists(serialized, min_size=1, max_size=3), bodies=st.lists(markdown, min_size=3, max_size=3))
@example(heads=['{\n"title": "a\\ud800b", "date": "2021-08-25"\n}\n'], bodies=["", "", ""])  # UnicodeEncodeError (fixed)
@example(heads=['{\n"title": "a", "date": "2021-08-25", "x": ' + "[" * 600 + "]" * 600 + "\n}\n"],
         bodies=["", "", ""])  # RecursionError while pickling the article for the cache (fixed)
def test_any_front_matter_builds_or_fails_naming_files(heads, bodies):
    articles = {f"changzhi/story-{i}.md": (head + body).encode("utf-8", "surrogatepass")
                for i, (head, body) in enumerate(zip(heads, bodies, strict=False))}
    with tempfile.TemporaryDirectory() as tmp:
        build_site(Path(tmp), articles)


# 3b. article text is never run as a template ------------------------------------------------------

PAYLOADS = "{{ 7*7 }} {{ 'eva' ~ 'luated' }} {% if true %}eva{{ '' }}luated{% endif %} ${{ 7*7 }} {{< x >}} {{ .Title }}"
# Digit-free, so that a 49 in the page can only come from evaluating 7*7.
digit_free = st.lists(st.one_of(st.sampled_from([t for t in MARKDOWN_TOKENS if not re.search(r"\d", t) and len(t) < 100]),
                                st.text(st.characters(exclude_categories=("Nd", "No", "Cc", "Cs")), max_size=5)),
                      max_size=30).map("".join)
_STORY = re.compile(r'<div class="story-body">(.*?)</div>\s*(?:<p class="contributors">|<div class="tags">|</article>)',
                    re.DOTALL)


@BUILDS
@given(before=digit_free, after=digit_free, in_title=st.booleans())
def test_article_text_is_never_run_as_a_template(before, after, in_title):
    body = f"{before}\n\n{PAYLOADS}\n\n{after}\n"
    title = PAYLOADS if in_title else "A story"
    with tempfile.TemporaryDirectory() as tmp:
        public = build_site(Path(tmp), {"changzhi/fuzz.md": front(title, slug="fuzz") + body.encode()})
        if public is None:
            return
        page = (public / "changzhi/news/2021/08/fuzz/index.html").read_text(encoding="utf-8")
    assert "evaluated" not in page, "template syntax in the article was evaluated"
    story = _STORY.search(page)
    assert story is not None, "no story body in the article page"
    text = html.unescape(re.sub(r"<[^>]*>", "", story.group(1)))
    assert "49" not in text, f"'{{{{ 7*7 }}}}' in the body was evaluated: {text!r}"
    if in_title:
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.DOTALL)
        assert heading is not None and "{{ 7*7 }}" in html.unescape(heading.group(1)), "the title was altered"


# 4. file names and slugs --------------------------------------------------------------------------

NAME_CHARS = st.characters(exclude_characters="/\x00", exclude_categories=("Cs",))
SPECIAL_STEMS = [
    "index", "-leading-dash", "--", "a b", "...", "..md", ". hidden", "_draft", "%2e%2e", "%00", "#1?", "?q=1",
    "2021-08-25-jekyll-name", "2021-02-30-not-a-date", "2021-08-25-", "2021-08-25", "ﷺ" * 80, "a" * 252,
    "长治" * 40, "名" * 84, "tab\there", "new\nline", "\u202eevil", "\ufeffbom", " ", "-", "'", '"', "\\", "*",
    "page", "404", "CON", "x.html", "x.md",
    "caf\udce9", "\udcb3\udca4\udcd6\udcce",  # not UTF-8: Latin-1 "café" and GBK "长治", as os.fsdecode() gives them
]
stems = st.one_of(st.text(NAME_CHARS, min_size=1, max_size=30), st.sampled_from(SPECIAL_STEMS))
file_names = stems.map(lambda stem: stem + ".md").filter(lambda name: len(os.fsencode(name)) <= 255)
folders = st.one_of(st.just(""), st.sampled_from(SPECIAL_STEMS), st.text(NAME_CHARS, min_size=1, max_size=12)).filter(
    lambda name: name not in (".", "..") and len(os.fsencode(name)) <= 255)
SLUGS = st.one_of(
    st.sampled_from(["../../x", "..", ".", "%2e%2e", "%2E%2E%2F", "/etc/passwd", "/abs", "a/b", "a\\b", "C:\\x", "~",
                     "...", ".hidden", "index.html", "page", "x" * 300, "ﷺ" * 20, "a\x00b", "a\x01b", "\u202e",
                     "ok-slug", "长治", " ../x ", "\u2215etc", "．．"]),
    st.text(max_size=20),
)
article_files = st.lists(
    st.tuples(st.sampled_from(["changzhi", "taiyuan"]), folders, file_names,
              st.one_of(st.none(), SLUGS)),
    min_size=1, max_size=3, unique_by=lambda t: (t[0], t[1], t[2]),
)


static_names = st.lists(st.tuples(folders, stems).map(lambda t: "/".join(p for p in (t[0], t[1] + ".css") if p)),
                        max_size=2, unique=True).filter(lambda names: all(len(os.fsencode(n)) < 250 for n in names))


@BUILDS
@given(files=article_files, static=static_names)
@example(files=[("changzhi", "", "ﷺ" * 80 + ".md", None)], static=[])  # OSError: file name too long (NFKC) (fixed)
@example(files=[("changzhi", "", "a.md", "x" * 300)], static=[])  # OSError: file name too long (fixed)
@example(files=[("changzhi", "", "a.md", "a\x00b")], static=[])  # ValueError: embedded null byte (fixed)
def test_any_file_names_and_slugs_build_or_fail_naming_files_and_stay_in_the_output(files, static):
    articles = {}
    for channel, folder, name, slug in files:
        fields = {} if slug is None else {"slug": slug}
        articles["/".join(p for p in (channel, folder, name) if p)] = front(**fields)
    with tempfile.TemporaryDirectory() as tmp:
        build_site(Path(tmp), articles, tuple(static))


@pytest.mark.parametrize(("article", "static"), [
    ("changzhi/" + os.fsdecode(b"caf\xe9.md"), None),
    ("changzhi/" + os.fsdecode("长治".encode("gbk") + b".md"), None),
    ("changzhi/" + os.fsdecode(b"caf\xe9") + "/a.md", None),
    ("changzhi/a.md", os.fsdecode(b"caf\xe9.css")),
], ids=["latin-1 article", "gbk article", "latin-1 folder", "latin-1 static file"])
def test_file_names_that_are_not_utf8_fail_naming_the_file(article, static):
    """Found here: UnicodeEncodeError in content.digest_of() and output._write_manifest()."""
    with tempfile.TemporaryDirectory() as tmp:
        assert build_site(Path(tmp), {article: front()}, (static,) if static else ()) is None


@pytest.mark.parametrize("slug", ["../../x", "..", "%2e%2e", "/etc/passwd", "a\\..\\..\\x", "．．", "x" * 300],
                         ids=["../../x", "..", "%2e%2e", "/etc/passwd", "backslashes", "fullwidth dots", "300 bytes"])
def test_slugs_that_leave_the_folder_never_write_outside(slug):
    with tempfile.TemporaryDirectory() as tmp:
        build_site(Path(tmp), {"changzhi/a.md": front(slug=slug)})


# -- reproducers of the known bugs -----------------------------------------------------------------


def reads_or_fails(config: Config, text: str) -> None:
    """Reading ``text`` as an article gives an Article or BuildFailed; else AssertionError."""
    path = config.dir("content") / "changzhi" / "known.md"
    path.write_text(text, encoding="utf-8")
    try:
        load_article(config, path, Markdown(), shown="content/changzhi/known.md")
    except BuildFailed as failed:
        assert all(e.path == "content/changzhi/known.md" for e in failed.errors)
    except Exception as exc:
        raise AssertionError(f"{type(exc).__name__}: {exc}") from exc


HEAD = "---\ntitle: T\ndate: 2021-08-25\n"
CRASHED_ONCE = [  # inputs that crashed content.py before it caught them
    HEAD + "image: 'http://[x'\n---\nBody\n",  # urlsplit: Invalid IPv6 URL
    HEAD + "---\n![a](http://[x)\n",
    HEAD + "---\n[a](http://[x)\n",
    HEAD + "---\n![a](a%00b.jpg)\n",  # a NUL in a path
    HEAD + 'image: "a\\0b.jpg"\n---\nBody\n',
    HEAD + "---\n![a](" + "a" * 300 + ".jpg)\n",  # a name longer than the file system allows
    HEAD + "---\n" + "- " * 1000 + "x\n",  # lists too deeply nested to render
]


@pytest.mark.parametrize("text", CRASHED_ONCE, ids=range(len(CRASHED_ONCE)))
def test_inputs_that_once_crashed_read_or_fail(config, text):
    reads_or_fails(config, text)
