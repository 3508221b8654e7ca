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
