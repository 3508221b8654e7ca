"""The language fields of front matter: ``lang:`` and ``translation_key:``, and the edition
an article goes to.

:class:`EditionFields` is a part of the article reader (:mod:`newsroom.content`), kept apart
as :mod:`newsroom.photo_fields` is: an article's language decides its edition (its URL's
prefix, the names of its channel and section), and a ``lang`` no edition has is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .config import Channel, Config, Section
from .editions import Edition, is_language_tag
from .markup import is_cjk

TRANSLATION_FIELDS = ("translation_key", "translationKey")  # newsroom and Hugo


class EditionFields:
    """What the reader provides: its config and how it reports a mistake."""

    config: Config
    error: Callable[..., None]

    def lang(self, meta: dict[str, Any], title: str | None) -> str:
        value = meta.get("lang")
        if value is None:
            if title and is_cjk(title):
                return "zh"
            return self.config.site.language
        if not is_language_tag(value):
            self.error("lang", f"{value!r} is not a language tag like 'en' or 'zh-CN'")
            return self.config.site.language
        return value

    def translation_key(self, meta: dict[str, Any]) -> str:
        """``translation_key:`` (Hugo's ``translationKey``): one story's versions in several
        languages share it."""
        present = [key for key in TRANSLATION_FIELDS if key in meta]
        if len(present) > 1:
            self.error(present[1], f"both {present[0]!r} and {present[1]!r} are set; keep one")
        if not present:
            return ""
        value = meta[present[0]]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(present[0], "must be a short text that the story's versions in other languages share")
            return ""
        return value.strip()

    def edition(self, lang: str, channel: Channel | None, section: Section | None
                ) -> tuple[Edition | None, Channel | None, Section | None]:
        """The edition of an article in ``lang``, with its channel and section as that edition
        names them (``长治`` in Chinese); no edition is an error."""
        edition = self.config.edition_of(lang)
        if edition is None:
            known = ", ".join(e.lang for e in self.config.editions)
            self.error("lang", f"{lang!r} is none of the site's languages ({known}); add it to site.toml as "
                       f"[[languages]] code = {lang!r}, or give the article one of them")
        elif channel is not None and section is not None:
            channel = next(c for c in edition.channels if c.slug == channel.slug)
            section = next(s for s in edition.sections if s.slug == section.slug)
        return edition, channel, section
