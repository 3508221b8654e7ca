"""The front fields of front matter: ``placement:``, ``breaking:`` and ``until:``.

:class:`FrontFields` is a part of the article reader (:mod:`newsroom.content`), kept apart
as :mod:`newsroom.photo_fields` is: where the editors pin a story (:mod:`newsroom.fronts`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from .fronts import PLACEMENTS

FRONT_FIELDS = ("placement", "channel_placement", "breaking", "until")


class FrontFields:
    """What the reader provides: how it reports, reads a date and a flag."""

    error: Callable[..., None]
    one_date: Callable[..., tuple[str, datetime] | None]
    flag: Callable[..., bool]

    def placement(self, meta: dict[str, Any], key: str = "placement") -> str:
        value = meta.get(key)
        if value is None or value == "":
            return ""
        if not isinstance(value, str) or value.strip().lower() not in PLACEMENTS:
            self.error(key, f"{value!r} is no place on the front; write {' or '.join(PLACEMENTS)}")
            return ""
        return value.strip().lower()

    def until(self, meta: dict[str, Any], date: datetime | None, pinned: bool) -> datetime | None:
        """``until:``: when the pin and the breaking bar end; after ``date``, and only with one of them."""
        found = self.one_date(meta, ("until",))
        if found is None:
            return None
        key, value = found
        if not pinned:
            self.error(key, "ends a placement or a breaking bar, and this story has neither; add "
                       "'placement: lead' or 'top', or 'breaking: true', or remove it")
            return None
        if date is not None and value <= date:
            self.error(key, f"{value.isoformat()} is not after the publication date {date.isoformat()}: "
                       "the pin would never show")
            return None
        return value
