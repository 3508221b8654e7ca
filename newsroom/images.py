"""Photos: what a photo file is (``probe``), which resized and cropped variants of it the
theme uses (``variants``), and making one (``make``), with Pillow.

Every local photo an article shows is published only as variants: resized (never
upscaled) in WebP and in its own format, cropped around a focal point for the places
that need a fixed aspect ratio, EXIF orientation applied, every metadata block (EXIF,
GPS, XMP, IPTC) left out and the colour profile converted to sRGB. A variant's file
name holds the source's content hash and every parameter that makes it, so a host may
cache it forever and an unchanged photo is never made twice (the build keeps them in
its cache folder). Pure functions of bytes and parameters: no config, no templates.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Where the theme shows photos: the aspect ratio of the crop (None: the photo's own) and
#: the widths made for it. The CSS of the theme uses the same ratios.
PLACES: dict[str, tuple[tuple[int, int] | None, tuple[int, ...]]] = {
    "full": (None, (480, 960, 1600)),  # article lead photo, body figures, gallery
    "wide": ((16, 10), (640, 960, 1600)),  # the home page's top story
    "card": ((16, 10), (320, 640)),  # cards in lists
    "strip": ((4, 3), (240, 480)),  # the home page's photo strip
}
FOLDER = "_img"  # the output folder of variants: /_img/<name>
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp"),
           "GIF": ("gif", "image/gif")}
#: Files that are photos by their name: published only as variants. Those Pillow cannot read or
#: the web cannot show (HEIC, TIFF…) are refused with a message rather than published as they are.
SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".heif", ".avif", ".tif", ".tiff", ".bmp")
MAX_PIXELS = 80_000_000  # past this, a file is refused as a decompression bomb (80 MP: a large camera's 2x)
QUALITY = {"JPEG": 82, "WEBP": 80}


class ImageProblem(ValueError):
    """A file that cannot be a photo of the site; the message says why."""


@dataclass(frozen=True)
class Source:
    """What the build knows of a photo file."""

    key: str  # hash of its bytes: its variants' names start with it
    width: int  # as shown, after its EXIF orientation
    height: int
    format: str  # "JPEG", "PNG", "WEBP" or "GIF"
    alpha: bool = False  # has transparency: PNG stays PNG


@dataclass(frozen=True)
class Variant:
    name: str  # file name under /_img/
    width: int
    height: int
    mime: str
    box: tuple[int, int, int, int] | None = None  # the crop, in the oriented photo's pixels


def content_key(data: bytes) -> str:
    """A photo's content hash: the start of its variants' names."""
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()[:16]


def is_photo(path: str) -> bool:
    return path.lower().endswith(SUFFIXES)


#: Photos whose Source this process already knows, by (absolute path, size, mtime): reading
#: an edited article again need not read, hash and decode the photos it shows again.
_known: dict[tuple[str, int, int], Source] = {}


def known_source(path: Path, size: int, mtime_ns: int) -> Source | None:
    return _known.get((os.path.abspath(path), size, mtime_ns))


def remember_sources(article: Any, root: Path) -> None:
    """Know the photos of an article record (an Article) of the site in ``root`` by the
    stamps it keeps of them."""
    photos = (article.image, *article.figures, *article.gallery)
    sources = {p.file: p.source for p in photos if p is not None and p.source is not None}
    for path, size, mtime_ns, key in article.stamps:
        source = sources.get(path)
        if source is not None and source.key == key:
            _known[os.path.abspath(root / path), size, mtime_ns] = source


def probe(data: bytes, max_pixels: int | None = None) -> Source:
    """What ``data`` is as a photo, from its header; raises :class:`ImageProblem` for a file
    that is not one Pillow reads (a text file named .jpg, HEIC) or one too large. A file
    damaged further in is found by :func:`make`."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    max_pixels = max_pixels or MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise ImageProblem(f"{image.format} images are not supported; save it as JPEG, PNG or WebP")
            width, height = image.size
            if width * height > max_pixels:
                raise ImageProblem(f"{width}x{height} pixels is more than the {max_pixels:,} a photo may have")
            oriented = ImageOps.exif_transpose(image) if _orientation(image) in (5, 6, 7, 8) else image
            alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            return Source(content_key(data), oriented.width,
                          oriented.height, image.format, alpha)
    except ImageProblem:
        raise
    except UnidentifiedImageError:
        raise ImageProblem("not an image Pillow can read (JPEG, PNG, WebP or GIF); HEIC photos must be "
                           "converted first") from None
    except Image.DecompressionBombError as exc:
        raise ImageProblem(f"too large to open safely ({exc})") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageProblem(f"damaged or truncated ({exc})") from None


def _orientation(image: object) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - unreadable EXIF: shown as stored
        return 1


def crop_box(source: Source, ratio: tuple[int, int], focus: tuple[float, float] | None) -> tuple[int, int, int, int]:
    """The largest box of ``ratio`` inside the photo, centred on ``focus`` (fractions of
    width and height) as far as the edges allow; by default the centre of a landscape
    photo and the upper third of a portrait one, where faces usually are."""
    if focus is None:
        focus = (0.5, 1 / 3) if source.height > source.width else (0.5, 0.5)
    want = ratio[0] / ratio[1]
    if source.width / source.height > want:  # wider than wanted: cut the sides
        height, width = source.height, round(source.height * want)
    else:
        width, height = source.width, round(source.width / want)
    left = min(max(round(focus[0] * source.width - width / 2), 0), source.width - width)
    top = min(max(round(focus[1] * source.height - height / 2), 0), source.height - height)
    return (left, top, left + width, top + height)


def variants(source: Source, place: str, focus: tuple[float, float] | None = None) -> list[Variant]:
    """The files made of ``source`` for ``place`` (see :data:`PLACES`), narrowest first, each
    width in WebP and then in the photo's own format; no width larger than the photo."""
    ratio, widths = PLACES[place]
    box = crop_box(source, ratio, focus) if ratio else None
    full = (box[2] - box[0], box[3] - box[1]) if box else (source.width, source.height)
    sizes = sorted({min(w, full[0]) for w in widths})
    own = "PNG" if source.alpha and source.format != "WEBP" else ("JPEG" if source.format == "GIF" else source.format)
    found = []
    for width in sizes:
        height = max(1, round(full[1] * width / full[0]))
        crop = f"-{box[0]}.{box[1]}.{box[2]}.{box[3]}" if box else ""
        for fmt in dict.fromkeys(("WEBP", own)):
            ext, mime = FORMATS[fmt]
            found.append(Variant(f"{source.key}-{width}x{height}{crop}.{ext}", width, height, mime, box))
    return found


def make(data: bytes, wanted: list[Variant]) -> dict[str, bytes]:
    """The bytes of each variant of the photo ``data`` (decoded once, at the smallest scale
    that serves the largest variant): oriented, cropped, resized, in sRGB, without any
    metadata. Raises :class:`ImageProblem` for a file that turns out damaged."""
    from PIL import Image, ImageCms, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as opened:
            oriented_width = opened.height if _orientation(opened) in (5, 6, 7, 8) else opened.width
            scale = max((v.width / ((v.box[2] - v.box[0]) if v.box else oriented_width) for v in wanted), default=1)
            if opened.format == "JPEG" and scale < 0.5:  # let libjpeg decode at 1/2, 1/4 or 1/8 of the size
                opened.draft("RGB", (max(1, int(opened.width * scale) + 1), max(1, int(opened.height * scale) + 1)))
            profile = opened.info.get("icc_profile")
            image = ImageOps.exif_transpose(opened)  # a copy, without the orientation tag
            image.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageProblem(f"damaged or truncated ({exc})") from None
    if profile:
        try:
            image = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                              ImageCms.createProfile("sRGB"),
                                              outputMode="RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a profile lcms cannot read: the pixels as they are
    factor = image.width / oriented_width  # < 1 when decoded at a reduced scale
    made: dict[str, bytes] = {}
    for variant in wanted:
        part = image
        if variant.box is not None:
            part = image.crop(tuple(round(edge * factor) for edge in variant.box))
        fmt = next(name for name, (ext, _) in FORMATS.items() if variant.name.endswith("." + ext))
        keep_alpha = fmt in ("PNG", "WEBP") and part.mode in ("RGBA", "LA", "PA", "P")
        part = part.convert("RGBA" if keep_alpha else "RGB")
        if part.size != (variant.width, variant.height):
            part = part.resize((variant.width, variant.height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        out = io.BytesIO()
        options: dict[str, object] = {"optimize": True} if fmt in ("JPEG", "PNG") else {"method": 4}
        if fmt in QUALITY:
            options["quality"] = QUALITY[fmt]
        if fmt == "JPEG":
            options["progressive"] = True
        part.save(out, fmt, **options)  # no exif=, icc_profile= or xmp=: nothing of the camera's is written
        made[variant.name] = out.getvalue()
    return made


@dataclass(frozen=True)
class PictureSet:
    """What a page writes for a photo in one place: ``<source type="image/webp" srcset=…>`` and
    ``<img src=… srcset=… width=… height=…>``."""

    webp: str  # srcset of the WebP variants
    own: str  # srcset in the photo's own format (JPEG or PNG)
    src: str  # the fallback: the own-format variant nearest 960 px wide
    width: int  # of the largest variant: the aspect ratio the page reserves before it loads
    height: int
    mime: str  # of the own format
    sizes: str = ""  # how wide the place is, for the browser to choose (see SIZES)


def picture(source: Source, place: str, focus: tuple[float, float] | None, prefix: str) -> PictureSet:
    """The variants of ``source`` for ``place`` as srcsets; ``prefix`` is the base path."""
    found = variants(source, place, focus)
    webp = [v for v in found if v.mime == "image/webp"]
    own = [v for v in found if v.mime != "image/webp"] or webp
    url = f"{prefix}/{FOLDER}/"
    fallback = min(own, key=lambda v: abs(v.width - 960))
    return PictureSet(", ".join(f"{url}{v.name} {v.width}w" for v in webp),
                      ", ".join(f"{url}{v.name} {v.width}w" for v in own),
                      url + fallback.name, own[-1].width, own[-1].height, own[-1].mime, SIZES[place])


#: ``sizes`` of each place, as the theme lays them out (site.css): the article column is
#: 34.5rem at most; cards are a third of the 75rem page or the whole phone screen.
SIZES = {
    "full": "(min-width: 36.5rem) 34.5rem, calc(100vw - 2rem)",
    "wide": "(min-width: 48rem) 46rem, calc(100vw - 2rem)",
    "card": "(min-width: 48rem) 14rem, 7rem",
    "strip": "(min-width: 48rem) 12rem, 45vw",
}
