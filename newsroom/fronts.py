"""Fronts: what the editors put on the home page, beyond the order of dates.

``[home]`` in site.toml sizes the home page's blocks (:class:`HomeSettings`); an article's
``placement: lead|top`` pins it to the lead or the top stories, ``breaking: true`` puts
it in the bar above every page's masthead, and ``until:`` ends both. The newest claim of
the lead wins; an older claim with an ``until:`` still ahead is displaced, with a warning.
A pin without ``until:`` lasts until a newer story takes its place. Pure: the build has
already dropped the pins whose time has passed (:func:`lapse`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING

from .errors import SiteError

if TYPE_CHECKING:
    from .records import Article

PLACEMENTS = ("lead", "top")


@dataclass(frozen=True)
class ChannelFront:
    """``[channel_front]``: the blocks above the list of a channel's first page (``/changzhi/``)."""

    lead: bool = True
    top_stories: int = 0


@dataclass(frozen=True)
class HomeSettings:
    """``[home]``: how many stories each block of the home page shows; 0 leaves it out."""

    lead: bool = True  # the big story at the top
    top_stories: int = 4
    latest: int = 12
    per_channel: int = 5
    per_section: int = 4
    photos: int = 8


def pinned(article: Article) -> bool:
    """Whether the article asks for a place on a front or in the breaking bar."""
    return bool(article.placement) or bool(article.channel_placement) or article.breaking


def at(article: Article, now: datetime) -> tuple[Article, list[tuple[datetime, str, str]]]:
    """The record of ``article`` at ``now``: once its pins and breaking bar have ended
    (``until:`` passed), without them and told apart from the pinned record; with the time
    they end while it is ahead (the build's next change)."""
    if article.until is None or not pinned(article):
        return article, []
    if article.until > now:
        return article, [(article.until, article.path, "leaves the front page")]
    return replace(article, placement="", channel_placement="", breaking=False,
                   digest=article.digest + ":lapsed"), []


@dataclass(frozen=True)
class Front:
    lead: Article | None
    top: tuple[Article, ...]
    rest: tuple[Article, ...]  # the others, newest first
    displaced: tuple[SiteError, ...]


def front(ordered: Sequence[Article], settings: HomeSettings | ChannelFront, field: str = "placement") -> Front:
    """The lead and the top stories of the newest-first ``ordered`` stories: pinned ones first
    (the newest claims of ``field``), then by date; the lead without a claim is the newest
    story with a photo (else the newest)."""
    place = attrgetter(field)
    claims = [a for a in ordered if place(a) == "lead"]
    where = "the lead" if field == "placement" else "the lead of its channel"
    displaced = [SiteError(a.path, None, field, f"{where} is also claimed by {claims[0].path}, which is "
                           f"newer: this story is shown by its date, not as the lead", warning=True)
                 for a in claims[1:] if a.until is not None]
    lead = None
    if settings.lead:
        lead = claims[0] if claims else next((a for a in ordered if a.image is not None),
                                             ordered[0] if ordered else None)
    tops = [a for a in ordered if place(a) == "top" and a is not lead][: settings.top_stories]
    for a in ordered:
        if len(tops) >= settings.top_stories:
            break
        if a is not lead and a not in tops:
            tops.append(a)
    top = tuple(sorted(tops, key=lambda a: (place(a) != "top", -a.date.timestamp(), a.path)))
    shown = {id(lead), *(id(a) for a in top)}
    return Front(lead, top, tuple(a for a in ordered if id(a) not in shown), tuple(displaced))


def breaking_story(ordered: tuple[Article, ...]) -> Article | None:
    """The story of the breaking bar: the newest with ``breaking: true``."""
    return next((a for a in ordered if a.breaking), None)
