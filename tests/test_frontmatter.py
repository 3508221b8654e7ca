"""Front matter: YAML, TOML and JSON blocks, and mistakes reported at the right FILE line."""

from __future__ import annotations

from datetime import date

import pytest

from newsroom.frontmatter_io import FrontMatterError, Parsed, split_front_matter


def body_line_of(parsed: Parsed, needle: str) -> int:
    """The file line on which ``needle`` appears in the body, as error messages compute it."""
    index = parsed.body.index(needle)
    return parsed.body_line + parsed.body.count("\n", 0, index)


def meta_line_of(parsed: Parsed, needle: str) -> int:
    """The file line on which ``needle`` appears in the front matter block."""
    index = parsed.meta_text.index(needle)
    return parsed.meta_line + parsed.meta_text.count("\n", 0, index)


def error_of(text: str) -> FrontMatterError:
    with pytest.raises(FrontMatterError) as caught:
        split_front_matter(text)
    return caught.value


# -- the three formats ----------------------------------------------------------------------

YAML_FILE = """\
---
title: Greenway opens
tags: [parks, city]
---
The greenway opened on Wednesday.
"""

TOML_FILE = """\
+++
title = "Greenway opens"
tags = ["parks", "city"]
+++
The greenway opened on Wednesday.
"""

JSON_FILE = """\
{
  "title": "Greenway opens",
  "tags": ["parks", "city"]
}
The greenway opened on Wednesday.
"""


@pytest.mark.parametrize(
    ("text", "fmt"), [(YAML_FILE, "yaml"), (TOML_FILE, "toml"), (JSON_FILE, "json")], ids=["yaml", "toml", "json"]
)
def test_each_format_is_read(text, fmt):
    parsed = split_front_matter(text)
    assert parsed.fmt == fmt
    assert parsed.meta == {"title": "Greenway opens", "tags": ["parks", "city"]}
    assert parsed.body.strip() == "The greenway opened on Wednesday."
    assert meta_line_of(parsed, "title") == 2
    assert meta_line_of(parsed, "tags") == 3
    assert body_line_of(parsed, "The greenway") == 5


def test_yaml_dates_arrive_as_dates():
    parsed = split_front_matter("---\ntitle: Hi\ndate: 2021-08-25\n---\nBody\n")
    assert parsed.meta["date"] == date(2021, 8, 25)


def test_empty_front_matter_is_an_empty_mapping():
    parsed = split_front_matter("---\n---\nBody\n")
    assert parsed.meta == {}
    assert body_line_of(parsed, "Body") == 3


def test_a_thematic_break_in_the_body_stays_in_the_body():
    parsed = split_front_matter("---\ntitle: Hi\n---\nPart one\n\n---\n\nPart two\n")
    assert parsed.meta == {"title": "Hi"}
    assert "Part one" in parsed.body and "Part two" in parsed.body
    assert body_line_of(parsed, "Part two") == 8


# -- encodings, line endings and blank lines ------------------------------------------------

PLAIN = "---\ntitle: Hi\n---\nBody\n"


@pytest.mark.parametrize(
    ("text", "title_line", "body_line"),
    [
        (PLAIN, 2, 4),
        ("\ufeff" + PLAIN, 2, 4),
        (PLAIN.replace("\n", "\r\n"), 2, 4),
        (PLAIN.replace("\n", "\r"), 2, 4),  # old Mac line endings
        ("\n\n" + PLAIN, 4, 6),
        (" \n\t\n\n" + PLAIN, 5, 7),  # blank lines holding whitespace
        ("\ufeff\r\n\r\n" + PLAIN.replace("\n", "\r\n"), 4, 6),
        ("\n\n+++\ntitle = \"Hi\"\n+++\nBody\n", 4, 6),
        ("\n\n{\n\"title\": \"Hi\"\n}\nBody\n", 4, 6),
    ],
    ids=["plain", "bom", "crlf", "cr", "2 blank lines", "whitespace lines", "bom+crlf+blank", "toml+blank",
         "json+blank"],
)
def test_lines_point_at_the_file(text, title_line, body_line):
    parsed = split_front_matter(text)
    assert parsed.meta == {"title": "Hi"}  # no BOM in the key, no '\r' in the value
    assert "\r" not in parsed.body
    assert parsed.body.strip() == "Body"
    assert meta_line_of(parsed, "title") == title_line
    assert body_line_of(parsed, "Body") == body_line


# -- mistakes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Just a story without front matter.\n", "", "\n\n", "# Heading\n---\ntitle: Hi\n---\n", "title: Hi\n---\n"],
    ids=["prose", "empty", "blank", "heading first", "no opening delimiter"],
)
def test_no_front_matter_is_reported_on_line_1(text):
    error = error_of(text)
    assert error.line == 1
    assert "no front matter" in str(error)
    assert "'---'" in str(error)  # says how to start one


@pytest.mark.parametrize(
    ("text", "line", "delimiter"),
    [
        ("---\ntitle: Hi\n\nBody\n", 1, "'---'"),
        ("\n\n---\ntitle: Hi\n\nBody\n", 3, "'---'"),
        ("\n\n+++\ntitle = \"Hi\"\n\nBody\n", 3, "'+++'"),
        ("\n{\n  \"title\": \"Hi\"\nBody\n", 2, "'}'"),
    ],
    ids=["yaml", "yaml after blank lines", "toml", "json"],
)
def test_unclosed_front_matter_names_the_opening_line_and_the_missing_delimiter(text, line, delimiter):
    error = error_of(text)
    assert error.line == line
    assert "never closed" in str(error)
    assert f"closing {delimiter}" in str(error)


BROKEN = [
    # (file text, file line of the mistake, words in the message)
    ("\n\n---\ntitle: a: b\ndate: 2021-08-25\n---\nBody\n", 4, ["invalid YAML"]),
    ("\n\n---\n\ttitle: Hi\ndate: 2021-08-25\n---\nBody\n", 4, ["invalid YAML"]),
    ("---\ntitle: Hi\ndate: 2021-08-25\nauthor: a: b\n---\nBody\n", 4, ["invalid YAML"]),
    ("\r\n\r\n---\r\ntitle: Hi\r\nbad: : :\r\n---\r\nBody\r\n", 5, ["invalid YAML"]),
    # the quote opened on line 4 is never closed: line 4 is where the author must look
    ("\n\n---\ntitle: \"Greenway opens\ndate: 2021-08-25\nauthor: A\n---\nBody\n", 4, ["invalid YAML"]),
    ("\n\n+++\ntitle = \"Hi\"\ndate =\n+++\nBody\n", 5, ["invalid TOML"]),
    ("\n\n{\n  \"title\": \"Hi\",\n}\nBody\n", 5, ["invalid JSON"]),
]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    BROKEN,
    ids=["yaml line 4 after 2 blank lines", "yaml tab indent", "yaml last field", "yaml crlf",
         "yaml unclosed quote", "toml", "json trailing comma"],
)
def test_invalid_front_matter_names_the_file_line(text, line, words):
    error = error_of(text)
    assert error.line == line, str(error)
    for word in words:
        assert word in str(error)
    assert "(at line" not in str(error)  # TOML's own block-relative line is not repeated


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("---\ntitle: Hi\ndate: 2021-08-25\ntitle: Again\n---\nBody\n", 4, "'title'"),
        ("\n\n---\ntitle: Hi\nimage:\n  src: a.jpg\n  src: b.jpg\n---\nBody\n", 7, "'src'"),
        ("+++\ntitle = \"Hi\"\ntitle = \"Again\"\n+++\nBody\n", 3, None),
    ],
    ids=["yaml", "yaml nested", "toml"],
)
def test_a_key_given_twice_is_rejected_on_its_second_line(text, line, key):
    error = error_of(text)
    assert error.line == line
    if key is not None:
        assert "duplicate key" in str(error)
        assert key in str(error)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("---\n- title\n- date\n---\nBody\n", 2),
        ("\n\n---\n- title\n- date\n---\nBody\n", 4),
        ("---\njust a sentence\n---\nBody\n", 2),
    ],
    ids=["yaml list", "yaml list after blank lines", "yaml scalar"],
)
def test_front_matter_that_is_not_fields_is_rejected(text, line):
    error = error_of(text)
    assert error.line == line
    assert "'field: value'" in str(error)


# -- values PyYAML, json and tomllib fail on with other exceptions than their own -------------------

UNREADABLE = [
    # (file text, file line of the mistake, field, words in the message)
    ("---\ntitle: Hi\n? [a, b]\n: c\n---\nBody\n", 3, None, ["field name must be a single value"]),
    ("---\ntitle: Hi\n{a: 1}: c\n---\nBody\n", 3, None, ["field name must be a single value"]),
    ("---\ntitle: Hi\ndraft: !!bool maybe\n---\nBody\n", 3, "draft", ["'maybe'", "true or false"]),
    ("---\ntitle: Hi\nx: !!int abc\n---\nBody\n", 3, "x", ["'abc'", "whole number"]),
    ("---\ntitle: Hi\nx: !!int ''\n---\nBody\n", 3, "x", ["whole number"]),
    ("---\ntitle: Hi\nx: !!float ''\n---\nBody\n", 3, "x", ["a number"]),
    ("---\ntitle: Hi\ndate: !!timestamp soon\n---\nBody\n", 3, "date", ["'soon'", "not a date"]),
    ("---\ntitle: Hi\nimage: !!map photo.jpg\n---\nBody\n", 3, "image", ["'field: value'"]),
    ("---\ntitle: Hi\nx: " + "9" * 4400 + "\n---\nBody\n", 3, "x", ["more than 4300 digits"]),
    ("+++\ntitle = \"Hi\"\nx = " + "9" * 4400 + "\n+++\nBody\n", 3, None, ["more than 4300 digits"]),
    ("{\n\"title\": \"Hi\",\n\"x\": " + "9" * 4400 + "\n}\nBody\n", 3, None, ["more than 4300 digits"]),
]


@pytest.mark.parametrize(
    ("text", "line", "field", "words"), UNREADABLE,
    ids=["list as key", "mapping as key", "!!bool", "!!int", "empty !!int", "empty !!float", "!!timestamp", "!!map",
         "huge int yaml", "huge int toml", "huge int json"],
)
def test_values_the_readers_choke_on_are_mistakes_with_their_line(text, line, field, words):
    error = error_of(text)  # not a TypeError, KeyError, IndexError, AttributeError or ValueError
    assert (error.line, error.field) == (line, field), str(error)
    for word in words:
        assert word in str(error)
    assert len(str(error)) < 200  # a 4400-digit number is not repeated


NESTED = [
    ("---\ntitle: Hi\nx: " + "[" * 51 + "]" * 51 + "\n---\nBody\n", 3, "x"),
    ("+++\ntitle = \"Hi\"\nx = " + "[" * 51 + "]" * 51 + "\n+++\nBody\n", 3, "x"),
    ("{\n\"title\": \"Hi\",\n\"x\": " + "[" * 51 + "]" * 51 + "\n}\nBody\n", 3, "x"),
    ("+++\ntitle = \"Hi\"\nx = " + "[" * 5000 + "]" * 5000 + "\n+++\nBody\n", 2, None),  # RecursionError in tomllib
    ("{\n\"title\": \"Hi\",\n\"x\": " + "[" * 5000 + "]" * 5000 + "\n}\nBody\n", 1, None),  # ... and in json
    # aliases nest deeper than the text: each line adds 10 levels
    ("---\ntitle: Hi\n" + "".join(f"a{i}: &a{i} [[[[[[[[[[*a{i - 1}]]]]]]]]]]\n" if i else "a0: &a0 [x]\n"
                              for i in range(8)) + "---\nBody\n", 8, "a5"),
]


@pytest.mark.parametrize(("text", "line", "field"), NESTED,
                         ids=["yaml", "toml", "json", "toml 5000", "json 5000", "yaml aliases"])
def test_values_nested_more_than_50_deep_are_refused(text, line, field):
    error = error_of(text)  # else pickling the article for the cache fails with a RecursionError
    assert (error.line, error.field) == (line, field), str(error)
    assert "nested more than 50 levels deep" in str(error)


def test_values_nested_50_deep_are_read():
    value = split_front_matter("---\nx: " + "[" * 49 + "]" * 49 + "\n---\n").meta["x"]  # 50 with the front matter
    for _ in range(48):
        value = value[0]
    assert value == []


def test_a_yaml_value_that_holds_itself_is_read():
    meta = split_front_matter("---\nx: &a [1, *a]\n---\n").meta
    assert meta["x"][1] is meta["x"]


def test_yaml_nested_deeper_than_libyaml_can_read_fails_instead_of_crashing_the_process():
    """libyaml builds the node tree recursively in C: some 30,000 levels kill the process."""
    import subprocess
    import sys

    code = ("from newsroom.frontmatter_io import FrontMatterError, split_front_matter\n"
            "try:\n    split_front_matter('---\\nx: ' + '[' * 100000 + ']' * 100000 + '\\n---\\n')\n"
            "except FrontMatterError as e:\n    print(e.line, e.field, e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr or f"killed by signal {-done.returncode}"
    assert done.stdout.strip() == "2 x nested more than 50 levels deep"


@pytest.mark.parametrize("text", ['{\n"title": "a\\ud800b"\n}\n', '{\n"tags": ["\\udc00"]\n}\n',
                                  '{\n"\\ud800": 1\n}\n'])
def test_json_text_with_an_unpaired_surrogate_escape_is_refused(text):
    error = error_of(text)  # else writing the page fails with a UnicodeEncodeError
    assert "unpaired surrogate" in str(error)


# -- hints for the commonest YAML slips ---------------------------------------------------------

HINTS = [
    # (file text, file line, field, the hint that ends the message)
    ("---\ntitle: Taiyuan: a city of vinegar\n---\n", 2, "title",
     'put the whole value in quotes: title: "Taiyuan: a city of vinegar"'),
    ("\r\n---\r\ndate: 2021-08-25\r\ndek: Doors open: 9:30\r\n---\r\n", 4, "dek",
     'put the whole value in quotes: dek: "Doors open: 9:30"'),
    ("---\nimage:\n  src: a.jpg\n  caption: Taiyuan: a city\n---\n", 4, None,
     'put the whole value in quotes: caption: "Taiyuan: a city"'),
    ("---\nsource: C:\\wire: Xinhua\n---\n", 2, "source", "put the whole value in quotes: source: 'C:\\wire: Xinhua'"),
    ('---\ntitle: "The "best" vinegar"\n---\n', 2, "title",
     "put the whole title in quotes of the other kind, or write the inner ones as \\\": title: 'The \"best\" vinegar'"),
    ("---\ntitle: 'It's 'best''\n---\n", 2, "title",
     "put the whole title in quotes of the other kind, or double the inner ones: title: \"It's 'best'\""),
]


@pytest.mark.parametrize(("text", "line", "field", "hint"), HINTS,
                         ids=["colon", "colon crlf", "colon nested", "backslash", "double quotes", "single quotes"])
def test_yaml_slips_are_told_how_to_fix(text, line, field, hint):
    error = error_of(text)
    assert (error.line, error.field) == (line, field), str(error)
    assert str(error).startswith("invalid YAML: ")
    assert str(error).endswith(f"; {hint}")


@pytest.mark.parametrize("text", ["---\ntitle: a\n  b: c\n---\n", "---\ntitle: [a: b\n---\n", "---\nx: |\n y\nz\n---\n",
                                  '---\ntitle: "unclosed\n---\n', "---\ntitle: Hi\nbad: : :\n---\n",
                                  "---\ntags:\n  - a\n  - Taiyuan: a city: of vinegar\n---\n"])
def test_other_yaml_mistakes_are_not_given_a_wrong_hint(text):
    message = str(error_of(text))
    assert "invalid YAML" in message
    assert "quotes of the other kind" not in message
    if "put the whole value in quotes" in message:  # only ever for a value holding ': '
        assert ": " in message.rsplit("in quotes: ", 1)[1].split(": ", 1)[1]
