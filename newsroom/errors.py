"""The one error type of newsroom: a user's mistake, located as precisely as we can.

Every stage reports mistakes as :class:`SiteError` values carrying the file, line,
field and a message; a warning (a slip the site survives, such as a dead image link in
an imported article) is the same type with ``warning=True``. Stages collect them
instead of stopping at the first one; the orchestrator raises :class:`BuildFailed`
with all of them, and the command line prints them as ``path:line: field: message``,
one per line, never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(unsafe_hash=True)
class SiteError(Exception):
    """One mistake in content, configuration or templates.

    ``path`` is relative to the site folder where possible; ``line`` is 1-based.
    Not frozen: Python assigns ``__traceback__`` on raised exceptions.
    """

    path: str
    line: int | None
    field: str | None
    message: str
    warning: bool = False  # a slip the site survives; ``--strict`` makes it an error

    def __reduce__(self) -> tuple[type, tuple[str, int | None, str | None, str, bool]]:
        return (SiteError, (self.path, self.line, self.field, self.message, self.warning))  # for workers

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        message = f"warning: {self.message}" if self.warning else self.message
        if self.field:
            return f"{where}: {self.field}: {message}"
        return f"{where}: {message}"

    def as_error(self) -> SiteError:
        """This warning as an error (``--strict``)."""
        return SiteError(self.path, self.line, self.field, self.message.removesuffix("; left as written"))


class BuildFailed(Exception):
    """Raised once a stage is over when it found mistakes; carries all of them."""

    def __init__(self, errors: Iterable[SiteError]):
        unique = sorted(set(errors), key=_sort_key)
        self.errors: tuple[SiteError, ...] = tuple(unique)
        super().__init__("\n".join(str(e) for e in self.errors))

    def __reduce__(self) -> tuple[type, tuple[tuple[SiteError, ...]]]:
        return (BuildFailed, (self.errors,))


def _sort_key(error: SiteError) -> tuple[str, int, str, str]:
    return (error.path, error.line or 0, error.field or "", error.message)


def count(number: int, noun: str) -> str:
    """``1 error``, ``3 errors``: how every message counts mistakes."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def line_of_key(text: str, key: str, start_line: int = 1) -> int | None:
    """Find the line on which a top-level ``key:`` (YAML) or ``key =`` (TOML) is set.

    ``text`` is the front matter or config text, ``start_line`` the file line of its
    first line. Only used to locate an error, so a miss just means "line unknown".
    """
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[:=]", re.MULTILINE)
    match = pattern.search(text)
    if match is None:
        return None
    return start_line + text.count("\n", 0, match.start())


_TOML_AT = re.compile(r"\s*\(at line (\d+), column \d+\)")


def toml_problem(exc: Exception) -> tuple[int | None, str]:
    """The line (of the TOML text, 1-based) and message of a ``tomllib`` error."""
    match = _TOML_AT.search(str(exc))
    return (int(match.group(1)) if match else None), _TOML_AT.sub("", str(exc))
