"""The photo fields of front matter: ``image:`` (the lead photo) and ``gallery:``.

:class:`PhotoFields` is a part of the article reader (:mod:`newsroom.content`), kept apart
because photos have their own fields, checks and slips: each photo is a path or the
fields of :data:`IMAGE_FIELDS`, its file is found and probed through the reader's
:class:`~newsroom.references.References`, and a photo without alt text or caption is a
warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .config import Config
from .images import PictureSet, picture
from .records import Photo
from .references import References

IMAGE_FIELDS = ("src", "caption", "credit", "alt", "focus")


class PhotoFields:
    """What the reader provides: its config and references, how it reports, reads text and
    finds a field's line. Also the photos of the body: their variants (``describe``, for a
    ``<picture>``) and a record's photo with its probed source (``with_source``)."""

    refs: References
    error: Callable[..., None]
    warn: Callable[[str, str, int | None], None]
    text: Callable[..., str | None]
    key_line: Callable[[str], int | None]
    config: Config

    def describe(self, src: str) -> PictureSet | None:
        """A body image that is a processed photo: its variants, for a ``<picture>``."""
        found = self.refs.photos.get(src)
        if found is None:
            return None
        return picture(found[1], "full", None, self.config.base_path)

    def with_source(self, photo: Photo) -> Photo:
        file, source = self.refs.photos.get(photo.src, ("", None))
        return replace(photo, file=file, source=source) if source is not None else photo

    def image(self, meta: dict[str, Any]) -> Photo | None:
        value = meta.get("image")
        if value is None:
            return None
        photo = self.photo(value, "image")
        if photo is not None and not photo.alt:
            self.warn("image", "the lead photo has neither alt text nor caption; add 'alt:' (what the photo "
                      "shows, for readers who cannot see it) or 'caption:' under 'image:'", self.key_line("image"))
        return photo

    def gallery(self, meta: dict[str, Any]) -> tuple[Photo, ...]:
        """``gallery:``, a list of photos (each a path, or src, caption, credit, alt, focus)."""
        value = meta.get("gallery")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error("gallery", "must be a list of photos, each a path or fields src, caption, credit and alt")
            return ()
        photos = [self.photo(item, f"gallery[{n}]") for n, item in enumerate(value)]
        for n, photo in enumerate(photos):
            if photo is not None and not photo.alt:
                self.warn("gallery", f"photo {n + 1} has neither alt text nor caption", self.key_line("gallery"))
        return tuple(p for p in photos if p is not None)

    def photo(self, value: object, where: str) -> Photo | None:
        """One photo of the front matter: its fields checked, its file found and probed."""
        if isinstance(value, str):
            value = {"src": value}
        if not isinstance(value, dict):
            self.error(where, "must be a path, or fields src, caption, credit and alt")
            return None
        for key in value:
            if key not in IMAGE_FIELDS:
                self.error(f"{where}.{key}", f"unknown field; a photo has {', '.join(IMAGE_FIELDS)}")
        focus = self.focus(value.get("focus"), f"{where}.focus")
        fields = {k: self.text(value, k, where=f"{where}.{k}") or "" for k in IMAGE_FIELDS if k != "focus"}
        if not any(fields.values()):  # `image: {src: "", caption: "", ...}` as `new` writes it: no photo
            return None
        if not fields["src"]:
            self.error(f"{where}.src", "missing; the image file, e.g. /images/photo.jpg")
            return None
        src = self.refs.image(fields["src"], lambda message: self.error(f"{where}.src", message))
        if src is None:
            return None
        file, source = self.refs.photos.get(src, ("", None))
        return Photo(src=src, caption=fields["caption"], credit=fields["credit"],
                     alt=fields["alt"] or fields["caption"], file=file, source=source, focus=focus)

    def focus(self, value: object, where: str) -> tuple[float, float] | None:
        """``focus: [x, y]``: fractions of the width and height that crops keep in view."""
        if value is None:
            return None
        if (isinstance(value, list) and len(value) == 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1 for v in value)):
            return (float(value[0]), float(value[1]))
        self.error(where, f"{value!r} must be [x, y], fractions from 0 to 1 of the width and height, "
                          "e.g. [0.5, 0.3] for the middle of the upper third")
        return None
