"""Publication dates as Jekyll, Hugo and Hexo sites write them, read into aware datetimes.

Accepted: YAML/TOML dates and datetimes; strings ``2021-08-25``, ``2021-8-25``,
``2021/08/25``, ``2021-08-25 09:30``, ``2021-08-25T09:30:00``, with optional seconds,
fractions and a zone (``Z``, ``+08:00``, ``+0800``, `` -0700``), and spelled-out
forms ``Aug 25, 2021`` / ``25 August 2021``. A time without a zone is in the site's
time zone. Day-first or month-first numeric forms (``08/25/2021``) are ambiguous
and rejected.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

_ISO = re.compile(
    r"""^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})
        (?:[T\s]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6})\d*)?)?)?
        \s*(?P<z>Z|UTC|[+-]\d{2}(?::?\d{2})?)?$""",
    re.VERBOSE | re.IGNORECASE,
)
_SPELLED = ("%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y")

HINT = "write it as 2021-08-25, 2021-08-25 09:30 or 2021-08-25T09:30:00+08:00"


def parse_date(value: object, tz: tzinfo) -> datetime:
    """An aware datetime for a front matter value; ValueError says what is wrong.

    The result can be converted to ``tz``: ``0001-01-01 00:00 +09:00`` cannot be shown
    in a zone eight hours ahead of UTC (it would fall in year 0), so it is refused.
    """
    result = _parse(value, tz)
    try:
        result.astimezone(tz)
        result.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01 00:00 +09:00 is 0000-12-31 in UTC
        shown = repr(value.isoformat() if isinstance(value, date) else value)
        raise ValueError(f"{shown} is too close to year 1 or year 9999 to be a publication date") from None
    return result


def _parse(value: object, tz: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=tz)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date; {HINT}")
    text = value.strip()
    match = _ISO.match(text)
    if match:
        return _from_match(match, text, tz)
    for pattern in _SPELLED:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=tz)
        except ValueError:
            continue
    if re.match(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}", text):
        raise ValueError(f"{text!r} is ambiguous (day or month first?); {HINT}")
    raise ValueError(f"{text!r} is not a date newsroom understands; {HINT}")


def _from_match(match: re.Match[str], text: str, tz: tzinfo) -> datetime:
    g = match.groupdict()
    try:
        result = datetime(
            int(g["y"]), int(g["m"]), int(g["d"]),
            int(g["H"] or 0), int(g["M"] or 0), int(g["S"] or 0),
            int((g["f"] or "0").ljust(6, "0")),
        )
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date ({exc})") from None
    zone = g["z"]
    if not zone:
        return result.replace(tzinfo=tz)
    if zone.upper() in ("Z", "UTC"):
        return result.replace(tzinfo=UTC)
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} has an impossible time zone offset {zone}")
    offset = timedelta(hours=hours, minutes=minutes)
    return result.replace(tzinfo=timezone(-offset if zone[0] == "-" else offset))


def date_from_filename(stem: str) -> tuple[date | None, str]:
    """Jekyll names posts ``2021-08-25-title``: return the date and the rest."""
    match = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$", stem)
    if not match:
        return None, stem
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None, stem
    return day, match[4]
