"""Split an article file into front matter and body, with file line numbers kept.

python-frontmatter finds and splits the block (YAML ``---``, TOML ``+++``, JSON
``{``); newsroom loads it itself so that errors can name the file line, YAML is
read with the C loader when there is one, duplicate keys are rejected and a BOM,
CRLF or leading blank lines do not matter.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml
from frontmatter.default_handlers import JSONHandler, YAMLHandler

from .errors import line_of_key, toml_problem

try:
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML that refuses a key given twice: which value was meant is unclear."""


def _mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    if not isinstance(node, yaml.MappingNode):  # e.g. "!!map text"
        raise _Refused(None, None, f"expected 'field: value' lines, but found {node.id}", node.start_mark)
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:  # "? [a, b]": a list or a set of fields as a field name
            raise _Refused(None, None, "a field name must be a single value, not a list or a set of fields",
                           key_node.start_mark) from None
        if key in seen:
            raise _Refused(
                None, None, f"duplicate key {key!r}: which value is meant?", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:  # e.g. 2021-02-30
        raise _Refused(
            None, None, f"{_short(node.value)!r} is not a real date ({exc})", node.start_mark
        ) from None
    except (AttributeError, TypeError):  # "!!timestamp soon": PyYAML assumes its pattern matched
        raise _Refused(None, None, f"{_short(node.value)!r} is not a date", node.start_mark) from None


def _scalar(construct: Any, what: str) -> Any:
    """PyYAML's constructor for an ``int``, ``float`` or ``bool``, refusing what it cannot read.

    With an explicit tag (``!!int abc``, ``!!bool maybe``, ``!!float ''``) PyYAML's own
    constructors fail with whatever Python raised; a number of more than 4300 digits fails
    even untagged.
    """

    def checked(loader: Any, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            if isinstance(exc, ValueError) and "digits" in str(exc):
                message = f"{_short(str(node.value))!r} is too long a number (more than 4300 digits)"
            else:
                message = f"{_short(str(node.value))!r} is not {what}"
            raise _Refused(None, None, message, node.start_mark) from None

    return checked


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
for _tag, _what in (("int", "a whole number"), ("float", "a number"), ("bool", "true or false")):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}",
                            _scalar(getattr(yaml.constructor.SafeConstructor, f"construct_yaml_{_tag}"), _what))


class FrontMatterError(ValueError):
    def __init__(self, line: int | None, message: str, field: str | None = None):
        super().__init__(message)
        self.line = line
        self.field = field


class _Refused(yaml.constructor.ConstructorError):
    """Valid YAML that newsroom will not guess the meaning of."""


_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


@dataclass(frozen=True)
class Parsed:
    meta: dict[str, Any]
    meta_text: str  # the raw block, to locate fields in messages
    meta_line: int  # file line of the block's first line
    body: str
    body_line: int  # file line of the body's first line
    fmt: str  # "yaml", "toml" or "json"


class _TOMLHandler(YAMLHandler):
    """Hugo's ``+++`` front matter, read with the standard library's tomllib."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"


_HANDLERS = (("yaml", YAMLHandler()), ("toml", _TOMLHandler()), ("json", JSONHandler()))


def split_front_matter(text: str) -> Parsed:
    """Find, split and load the front matter of ``text`` (already decoded)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    stripped = text.lstrip("\n \t")
    skipped = text[: len(text) - len(stripped)].count("\n")  # leading blank lines
    open_line = skipped + 1
    found = next(((fmt, handler) for fmt, handler in _HANDLERS if handler.detect(stripped)), None)
    if found is None:
        raise FrontMatterError(
            1, "no front matter: an article starts with a '---' line, then 'title:' and 'date:', then '---'"
        )
    fmt, handler = found
    try:
        meta_text, body = handler.split(stripped)
    except ValueError:
        delim = handler.END_DELIMITER or "}"
        raise FrontMatterError(
            open_line, f"front matter opened here is never closed: did you forget the closing '{delim}'?"
        ) from None
    meta_line = open_line if fmt == "json" else open_line + 1
    if fmt != "json" and meta_text.startswith("\n"):
        meta_text = meta_text[1:]
    head_lines = stripped[: len(stripped) - len(body)].count("\n")
    body_line = open_line + head_lines
    meta = _load(fmt, handler, meta_text, meta_line)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError(meta_line, "front matter must be 'field: value' lines, not a single value or a list")
    _check_values(meta, meta_text, meta_line)
    return Parsed(meta, meta_text, meta_line, body, body_line, fmt)


#: Front matter nested deeper than this is refused: no article needs it, and deeper values
#: overflow the stack of the YAML reader (a crash, not an exception) or of pickle (the cache).
MAX_DEPTH = 50
_NESTING = "[{-?:"  # every YAML list or mapping starts with one of these
_SURROGATE = re.compile("[\ud800-\udfff]")
_LONG_NUMBER = re.compile(r"\d{4301}")
_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"


def _check_depth(meta_text: str, meta_line: int) -> None:
    """Refuse YAML nested too deeply before libyaml, which recurses in C, reads it."""
    if sum(map(meta_text.count, _NESTING)) <= MAX_DEPTH:  # cannot be deeper than that
        return
    depth = 0
    try:
        for event in yaml.parse(meta_text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    _too_deep(meta_text, meta_line, event.start_mark.line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        if "nesting depth" not in str(exc):  # another mistake: loading the text reports it
            return
        mark = getattr(exc, "problem_mark", None)  # PyYAML 6.0.4 and later stop at a depth of their own
        _too_deep(meta_text, meta_line, mark.line if mark is not None else 0)


def _too_deep(meta_text: str, meta_line: int, line: int) -> None:
    key = _KEY.match(meta_text.splitlines()[line]) if line < meta_text.count("\n") + 1 else None
    raise FrontMatterError(meta_line + line, _TOO_DEEP, key.group(1) if key else None)


def _check_values(meta: dict[Any, Any], meta_text: str, meta_line: int) -> None:
    """Refuse values nested more than MAX_DEPTH deep (aliases can nest what the text does not)
    and text that cannot be written as UTF-8 (JSON's unpaired ``\\ud800`` escapes)."""
    heights: dict[int, int | None] = {}

    def height(value: Any, level: int) -> int:
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise ValueError(f"{_short(value)!r} is not text: it has an unpaired surrogate escape")
            return 0
        if isinstance(value, dict):
            children: Any = [*value.keys(), *value.values()]
        elif isinstance(value, list | tuple | set | frozenset):
            children = value
        else:
            return 0
        if level > MAX_DEPTH:
            raise ValueError(_TOO_DEEP)
        known = heights.get(id(value), -1)
        if known is None:  # a value that holds itself (YAML aliases): no deeper than its first visit
            return 0
        if known < 0:
            heights[id(value)] = None
            known = heights[id(value)] = 1 + max((height(c, level + 1) for c in children), default=0)
        if level - 1 + known > MAX_DEPTH:
            raise ValueError(_TOO_DEEP)
        return known

    for key, value in meta.items():
        try:
            height(key, 2)
            height(value, 2)  # the front matter itself is level 1
        except ValueError as exc:
            line = line_of_key(meta_text, key, meta_line) if isinstance(key, str) else None
            raise FrontMatterError(line or meta_line, str(exc), key if isinstance(key, str) else None) from None


#: ``key: value`` on one line of YAML, the key perhaps indented (not a list's ``- item``: which was meant?).
_KEY_VALUE = re.compile(r"^\s*(?P<key>[^\s'\"#:\-][^:#]*?):[ \t]+(?P<value>\S.*?)\s*$")
_COMMENT = re.compile(r"\s+#.*")


def _yaml_hint(problem: str, line: str) -> str | None:
    """How to fix the two commonest slips in YAML front matter, told from the line PyYAML
    stopped on: a colon in an unquoted value (``title: Taiyuan: a city of vinegar``) and
    quotes inside quotes (``title: "The "best" vinegar"``)."""
    found = _KEY_VALUE.match(line)
    value = _COMMENT.sub("", found["value"]) if found else ""
    if not value:
        return None
    key, first, last = found["key"], value[0], value[-1]
    if problem.startswith("mapping values are not allowed"):  # libyaml: "in this context", PyYAML: "here"
        if first in "\"'[{|>&*!%@`" or not re.search(r":(\s|$)", value):
            return None
        kind = "'" if '"' in value or "\\" in value else '"'
        return f"put the whole value in quotes: {key}: {_quoted(value, kind)}"
    if ("did not find expected key" in problem or "expected <block end>" in problem) \
            and first in "\"'" and first in value[1:-1]:
        inner = value[1:-1] if last == first else value  # "The "best" vinegar" or "The best" vinegar
        how, kind = ('write the inner ones as \\"', "'") if first == '"' else ("double the inner ones", '"')
        return f"put the whole {key} in quotes of the other kind, or {how}: {key}: {_quoted(inner, kind)}"
    return None


def _quoted(text: str, kind: str) -> str:
    """``text`` as one YAML scalar in quotes of ``kind`` (``'`` or ``"``)."""
    if kind == "'":
        return "'" + text.replace("'", "''") + "'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _load(fmt: str, handler: Any, meta_text: str, meta_line: int) -> Any:
    try:
        if fmt == "yaml":
            _check_depth(meta_text, meta_line)
            return yaml.load(meta_text, Loader=_Loader)  # noqa: S506 (a SafeLoader)
        if fmt == "toml":
            return tomllib.loads(meta_text)
        return handler.load(meta_text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        # An unclosed [list] or "quote" is noticed lines later: point at where it opened.
        # A block mapping opens on the first line, so there the problem's line says more.
        mark = getattr(exc, "problem_mark", None)
        if context and "block" not in context and getattr(exc, "context_mark", None) is not None:
            mark = exc.context_mark
        line = meta_line + mark.line if mark is not None else meta_line
        lines = meta_text.splitlines()
        text = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
        key = _KEY.match(text)
        field = key.group(1) if key else None
        if isinstance(exc, _Refused):
            raise FrontMatterError(line, problem, field) from None
        detail = f"{context}, {problem}" if context else problem
        hint = _yaml_hint(problem, text)
        raise FrontMatterError(line, f"invalid YAML: {detail}" + (f"; {hint}" if hint else ""), field) from None
    except tomllib.TOMLDecodeError as exc:
        line, message = toml_problem(exc)
        raise FrontMatterError(meta_line + line - 1 if line else meta_line, f"invalid TOML: {message}") from None
    except json.JSONDecodeError as exc:
        raise FrontMatterError(meta_line + exc.lineno - 1, f"invalid JSON: {exc.msg}") from None
    except FrontMatterError:
        raise
    except RecursionError:  # JSON or TOML nested hundreds of levels deep
        raise FrontMatterError(meta_line, _TOO_DEEP) from None
    except ValueError as exc:  # e.g. a number of more than 4300 digits (sys.get_int_max_str_digits())
        long = _LONG_NUMBER.search(meta_text) if "digits" in str(exc) else None
        if long is None:
            raise FrontMatterError(meta_line, f"invalid {fmt.upper()}: {exc}") from None
        line = meta_line + meta_text.count("\n", 0, long.start())
        raise FrontMatterError(line, "a number of more than 4300 digits is too long to read") from None
