"""Photos processed with Pillow: the variants made of each photo (decoded to check them), the
markup that shows them, crops around a focal point, metadata left out, the cache that makes
each variant once, photos that are no photos, galleries, and a page that does not move while
its photos load (measured in a real headless Chromium)."""

from __future__ import annotations

import io
import json
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ARTIFACTS, REPO, article, run_build, snapshot, static_server, write_site
from htmlq import Element, parse
from PIL import Image, ImageChops, ImageCms

from newsroom import build, images, load_config, workers
from newsroom.errors import BuildFailed

GREY, RED, GREEN = (128, 128, 128), (220, 20, 20), (30, 160, 60)
#: A variant's file name: the photo's content hash, the size, the crop box when cropped, the format.
NAME = re.compile(r"^(?P<key>[0-9a-f]{8,})-(?P<w>\d+)x(?P<h>\d+)(?:-(?P<box>\d+\.\d+\.\d+\.\d+))?\.(?P<ext>webp|jpg|png)$")
RATIOS = {"wide": 16 / 10, "card": 16 / 10, "strip": 4 / 3}
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(200)  # an iPhone photo's first bytes


# -- photos made on the spot -------------------------------------------------------------------


def photo(size: tuple[int, int] = (600, 400), color: tuple[int, ...] = GREY, fmt: str = "JPEG",
          square: tuple[int, int, int, int] | None = None, mode: str = "RGB", **options: object) -> bytes:
    """A flat photo of ``color``, with a red ``square`` (a box) when asked, encoded as ``fmt``."""
    image = Image.new(mode, size, color)
    if square is not None:
        image.paste(RED if mode == "RGB" else (*RED, 255), square)
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def camera_photo() -> bytes:
    """A JPEG as a phone writes it: EXIF with make, model and a GPS position, XMP, an ICC profile."""
    exif = Image.Exif()
    exif[0x010F] = "CanonCam"  # Make
    exif[0x0110] = "EOS SecretModel"  # Model
    exif[0x8825] = {1: "N", 2: (37.0, 52.0, 12.5), 3: "E", 4: (112.0, 33.0, 7.25)}  # GPSInfo
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Model="EOS SecretModel"/>'
           b"</rdf:RDF></x:xmpmeta>")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = photo((1000, 700), (90, 140, 200), exif=exif, xmp=xmp, icc_profile=icc)
    with Image.open(io.BytesIO(data)) as check:  # the fixture really carries all of it
        assert {"exif", "xmp", "icc_profile"} <= set(check.info)
        assert check.getexif()[0x0110] == "EOS SecretModel" and 0x8825 in check.getexif()
    return data


def rotated_photo() -> bytes:
    """300x200 as stored, with EXIF Orientation 6 (turn 90 degrees clockwise to show): a
    200x300 portrait, whose stored top-left red corner is shown at the top right."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return photo((300, 200), GREEN, square=(0, 0, 60, 60), exif=exif)


def transparent_png() -> bytes:
    image = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    image.paste((20, 60, 200, 255), (100, 100, 700, 500))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def portrait_with_face(face_top: int) -> bytes:
    """1200x1800 grey, with a 200 px red square ("a face") centred across, starting at ``face_top``."""
    return photo((1200, 1800), GREY, square=(500, face_top, 700, face_top + 200))


def red_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The bounding box of the clearly red pixels of ``image`` (JPEG and WebP blur the edges)."""
    r, g, b = image.convert("RGB").split()
    red = ImageChops.darker(r.point(lambda v: 255 if v > 170 else 0),
                            ImageChops.darker(g.point(lambda v: 255 if v < 90 else 0),
                                              b.point(lambda v: 255 if v < 90 else 0)))
    return red.getbbox()


# -- sites ---------------------------------------------------------------------------------


def built(site: Path, **overrides: str) -> Path:
    config = load_config(site / "site.toml", **overrides)
    build(config, jobs=1)
    return config.dir("output")


def lead(src: str, **fields: object) -> str:
    """An ``image:`` block of front matter."""
    return "\n  src: " + src + "".join(f"\n  {k}: {json.dumps(v)}" for k, v in fields.items())


def gallery(*photos: dict[str, str]) -> str:
    return "".join("\n  - " + "\n    ".join(f"{k}: {json.dumps(v)}" for k, v in p.items()) for p in photos)


BIG = photo((3000, 2000), GREY, square=(1400, 900, 1600, 1100))
MASONS = photo((1200, 800), (150, 120, 90))
SMALL = photo((700, 467), (60, 120, 160))
GALLERY = [photo((900, 600), c) for c in ((200, 180, 40), (40, 160, 180), (170, 90, 160))]
CAMERA, ROTATED, PNG = camera_photo(), rotated_photo(), transparent_png()  # made once: an ICC profile is dated

BRIDGE_BODY = """The bridge is open again.

![Masons reset the parapet](/images/masons.jpg "Photo: Wu Jia/Eshanxi")

More text between the figures.

![A small photo](small.jpg)

![A photo on another site](https://example.org/x.jpg)

The end."""

FILES: dict[str, str | bytes] = {
    "static/images/lead.jpg": BIG,
    "static/images/masons.jpg": MASONS,
    "content/changzhi/small.jpg": SMALL,
    **{f"content/changzhi/g{n}.jpg": data for n, data in enumerate(GALLERY, 1)},
    "content/changzhi/portrait.jpg": portrait_with_face(500),
    "content/taiyuan/camera.jpg": CAMERA,
    "content/taiyuan/rotated.jpg": ROTATED,
    "static/images/logo-card.png": PNG,
    "content/changzhi/bridge.md": article(
        "Old bridge reopens", "2021-08-25 09:30",
        image=lead("/images/lead.jpg", caption="Walkers cross the bridge", credit="Photo: Zhao Min/Eshanxi",
                   alt="A stone bridge"),
        gallery=gallery(*({"src": f"g{n}.jpg", "caption": f"Gallery caption {n}", "credit": f"Photo: G{n}",
                           "alt": f"Gallery photo {n}"} for n in range(1, 4))),
        body=BRIDGE_BODY),
    "content/changzhi/market.md": article(
        "Market report", "2021-08-24 09:30", image=lead("portrait.jpg", alt="A trader")),
    "content/taiyuan/library.md": article(
        "Library hours", "2021-08-23 09:30", image=lead("camera.jpg", alt="The library")),
    "content/taiyuan/tower.md": article(
        "Tower restored", "2021-08-22 09:30", image=lead("rotated.jpg", alt="The tower")),
    "content/taiyuan/glass.md": article(
        "Glass museum", "2021-08-21 09:30", image=lead("/images/logo-card.png", alt="A glass pane")),
    "content/taiyuan/remote.md": article(
        "Remote lead", "2021-08-20 09:30", image=lead("https://example.org/lead.jpg", alt="Elsewhere")),
}
PAGES = {
    "bridge": "changzhi/news/2021/08/bridge/index.html",
    "market": "changzhi/news/2021/08/market/index.html",
    "library": "taiyuan/news/2021/08/library/index.html",
    "tower": "taiyuan/news/2021/08/tower/index.html",
    "glass": "taiyuan/news/2021/08/glass/index.html",
    "remote": "taiyuan/news/2021/08/remote/index.html",
}
CONNECTIONS: list[object] = []  # every network connection the module's build tried


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of :data:`FILES`, built once, with the network cut off (a remote photo is never fetched)."""
    site = write_site(tmp_path_factory.mktemp("images") / "site", FILES)

    def refuse(self: socket.socket, address: object) -> None:
        CONNECTIONS.append(address)
        raise OSError("the tests allow no network")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        return built(site)


def key_of(data: bytes) -> str:
    return images.probe(data).key


def files_of(public: Path, data: bytes) -> dict[str, re.Match[str]]:
    """The variants published for the photo ``data``: name -> its parsed name."""
    key = key_of(data)
    found = {p.name: NAME.match(p.name) for p in (public / images.FOLDER).iterdir() if p.name.startswith(key + "-")}
    assert all(found.values()), [name for name, m in found.items() if m is None]
    return found  # type: ignore[return-value]


def decoded(path: Path) -> tuple[str, tuple[int, int], str]:
    with Image.open(path) as image:
        image.load()
        return image.format, image.size, image.mode


def box_ratio(match: re.Match[str]) -> float | None:
    if match["box"] is None:
        return None
    left, top, right, bottom = map(int, match["box"].split("."))
    return (right - left) / (bottom - top)


def srcset(value: str) -> list[tuple[str, int]]:
    """``url 480w, url 960w`` -> [(url, 480), (url, 960)]."""
    found = []
    for part in value.split(","):
        url, width = part.split()
        assert width.endswith("w"), value
        found.append((url, int(width[:-1])))
    return found


def variant_of(url: str, prefix: str = "") -> re.Match[str]:
    assert url.startswith(f"{prefix}/{images.FOLDER}/"), url
    match = NAME.match(url.rsplit("/", 1)[1])
    assert match is not None, url
    return match


# -- 1. variants ---------------------------------------------------------------------------


def test_a_large_lead_photo_gets_every_place_in_webp_and_jpeg(public: Path) -> None:
    found = files_of(public, BIG)
    expected = set()
    for ratio, widths in images.PLACES.values():
        shape = ratio[0] / ratio[1] if ratio else 3000 / 2000
        expected |= {(width, round(width / shape), ratio is not None, ext) for width in widths for ext in ("webp", "jpg")}
    assert {(int(m["w"]), int(m["h"]), m["box"] is not None, m["ext"]) for m in found.values()} == expected
    full = sorted({(int(m["w"]), int(m["h"])) for m in found.values() if m["box"] is None})
    assert full == [(480, 320), (960, 640), (1600, 1067)]
    crops = {(int(m["w"]), round(box_ratio(m), 2)) for m in found.values() if m["box"] is not None}
    assert crops == {(640, 1.6), (960, 1.6), (1600, 1.6), (320, 1.6), (240, 1.33), (480, 1.33)}  # wide, card, strip
    for name, match in found.items():  # decoded: the name tells the truth
        fmt, size, _ = decoded(public / images.FOLDER / name)
        assert size == (int(match["w"]), int(match["h"])), name
        assert fmt == {"webp": "WEBP", "jpg": "JPEG"}[match["ext"]], name
        if match["box"] is not None:  # a crop has the place's shape
            assert abs(size[0] / size[1] - box_ratio(match)) < 0.01, name


def test_a_photo_is_never_upscaled(make_site) -> None:
    site = make_site({"content/changzhi/small.jpg": SMALL,
                      "content/changzhi/a.md": article("Small lead", image=lead("small.jpg", alt="Small"))})
    public = built(site)
    found = files_of(public, SMALL)
    for name, match in found.items():
        left, _, right, _ = map(int, (match["box"] or "0.0.700.0").split("."))
        assert int(match["w"]) <= right - left, name  # no wider than the photo, or its crop
        assert decoded(public / images.FOLDER / name)[1] == (int(match["w"]), int(match["h"]))
    full = sorted({(int(m["w"]), int(m["h"])) for m in found.values() if m["box"] is None})
    assert full == [(480, 320), (700, 467)]  # its largest full variant is the photo's own width
    html = parse(public / "changzhi/news/2021/08/a/index.html")
    img = html.one("figure", "lead").one("img")
    assert (img.attrs["width"], img.attrs["height"]) == ("700", "467")
    assert max(w for _, w in srcset(img.attrs["srcset"])) == 700


def test_a_png_with_transparency_stays_png_and_its_webp_keeps_alpha(public: Path) -> None:
    found = files_of(public, PNG)
    assert {m["ext"] for m in found.values()} == {"png", "webp"}  # no JPEG: it would lose the transparency
    for name in found:
        with Image.open(public / images.FOLDER / name) as image:
            assert image.format == {"png": "PNG", "webp": "WEBP"}[found[name]["ext"]]
            assert "A" in image.mode or "transparency" in image.info, (name, image.mode)
            rgba = image.convert("RGBA")
            assert rgba.getpixel((0, 0))[3] == 0, name  # the transparent corner stays transparent
            assert rgba.getpixel((rgba.width // 2, rgba.height // 2))[3] == 255, name
    fmt, size, mode = decoded(public / "images/logo-card.png")  # its own address: PNG with alpha
    assert (fmt, size) == ("PNG", (800, 600)) and "A" in mode
    page = parse(public / PAGES["glass"])
    picture = page.one("figure", "lead").one("picture")
    assert picture.one("source").attrs["type"] == "image/webp"
    assert all(url.endswith(".png") for url, _ in srcset(picture.one("img").attrs["srcset"]))


@pytest.mark.parametrize(("address", "data", "width"), [
    ("images/lead.jpg", BIG, 1600), ("images/masons.jpg", MASONS, 1200), ("changzhi/small.jpg", SMALL, 700),
    ("changzhi/g1.jpg", GALLERY[0], 900)])
def test_a_photos_own_address_serves_its_largest_full_variant(public: Path, address: str, data: bytes,
                                                              width: int) -> None:
    served = (public / address).read_bytes()
    assert served != data  # never the uploaded bytes
    largest = max((m for m in files_of(public, data).values() if m["box"] is None and m["ext"] == "jpg"),
                  key=lambda m: int(m["w"]))
    assert int(largest["w"]) == width
    assert served == (public / images.FOLDER / largest.string).read_bytes()
    fmt, size, _ = decoded(public / address)
    assert fmt == "JPEG" and size == (int(largest["w"]), int(largest["h"]))


# -- 2. markup ------------------------------------------------------------------------------


def assert_picture(picture: Element, place: str, loading: str, prefix: str = "") -> tuple[int, int]:
    """A ``<picture>`` of ``place``'s variants; returns the width and height its img reserves."""
    assert picture.tag == "picture"
    source, img = picture.one("source"), picture.one("img")
    assert source.attrs["type"] == "image/webp"
    assert source.attrs["sizes"] == img.attrs["sizes"] == images.SIZES[place]
    webp, own = srcset(source.attrs["srcset"]), srcset(img.attrs["srcset"])
    assert all(url.endswith(".webp") for url, _ in webp) and not any(url.endswith(".webp") for url, _ in own)
    assert [w for _, w in webp] == [w for _, w in own] == sorted(w for _, w in own)
    assert img.attrs["src"] in [url for url, _ in own]
    for url, width in webp + own:
        match = variant_of(url, prefix)
        assert int(match["w"]) == width
        if place in RATIOS:
            assert box_ratio(match) == pytest.approx(RATIOS[place], abs=0.01), url
            assert int(match["w"]) / int(match["h"]) == pytest.approx(RATIOS[place], abs=0.01), url
        else:
            assert match["box"] is None, url
    last = variant_of(own[-1][0], prefix)
    assert (img.attrs["width"], img.attrs["height"]) == (last["w"], last["h"])
    assert img.attrs["loading"] == loading and img.attrs["decoding"] == "async"
    if loading == "eager":
        assert img.attrs["fetchpriority"] == "high"
    else:
        assert "fetchpriority" not in img.attrs
    return int(img.attrs["width"]), int(img.attrs["height"])


def test_the_lead_photo_is_an_eager_picture(public: Path) -> None:
    figure = parse(public / PAGES["bridge"]).one("figure", "lead")
    assert assert_picture(figure.one("picture"), "full", "eager") == (1600, 1067)
    img = figure.one("img")
    assert img.attrs["alt"] == "A stone bridge"
    assert {w for _, w in srcset(img.attrs["srcset"])} == {480, 960, 1600}
    assert figure.one("span", "caption").text == "Walkers cross the bridge"
    assert figure.one("span", "credit").text == "Photo: Zhao Min/Eshanxi"


def test_a_body_figure_is_a_lazy_picture_with_caption_and_credit_apart(public: Path) -> None:
    body = parse(public / PAGES["bridge"]).one("div", "story-body")
    masons, small, remote = body.all("figure")
    assert assert_picture(masons.one("picture"), "full", "lazy") == (1200, 800)
    assert masons.one("span", "caption").text == "Masons reset the parapet"
    assert masons.one("span", "credit").text == "Photo: Wu Jia/Eshanxi"
    assert masons.one("img").attrs["alt"] == "Masons reset the parapet"
    assert "title" not in masons.one("img").attrs
    assert assert_picture(small.one("picture"), "full", "lazy") == (700, 467)
    assert small.one("span", "caption").text == "A small photo" and not small.all("span", "credit")


def test_a_remote_photo_is_a_plain_img_and_never_fetched(public: Path) -> None:
    body = parse(public / PAGES["bridge"]).one("div", "story-body")
    remote = body.all("figure")[2]
    assert not remote.all("picture") and not remote.all("source")
    img = remote.one("img")
    assert img.attrs["src"] == "https://example.org/x.jpg"
    assert "srcset" not in img.attrs and img.attrs["loading"] == "lazy"
    page = parse(public / PAGES["remote"])  # a remote lead photo too
    img = page.one("figure", "lead").one("img")
    assert img.attrs["src"] == "https://example.org/lead.jpg" and "srcset" not in img.attrs
    assert not page.all("meta", property="og:image:width")
    assert CONNECTIONS == []


def test_home_page_places_use_their_variants(public: Path) -> None:
    home = parse(public / "index.html")
    top = home.one("section", "top-story")
    assert_picture(top.one("picture"), "wide", "eager")
    assert variant_of(top.one("img").attrs["src"])["key"] == key_of(BIG)
    cards = home.one("section", "top-stories").all("a", "card-thumb")
    assert len(cards) == 4  # market, library, tower and glass, each with a photo of its own
    for card in cards:
        assert_picture(card.one("picture"), "card", "lazy")
        widths = [w for _, w in srcset(card.one("img").attrs["srcset"])]
        crop = variant_of(card.one("img").attrs["src"])["box"].split(".")
        assert widths == sorted({min(w, int(crop[2]) - int(crop[0])) for w in images.PLACES["card"][1]})
    keys = []
    for item in home.one("ul", "photo-strip").all("li"):  # the newest stories' photos, all of them local
        assert_picture(item.one("picture"), "strip", "lazy")
        keys.append(variant_of(item.one("img").attrs["src"])["key"])
    assert keys[:4] == [key_of(BIG), *map(key_of, GALLERY)]  # the newest story's lead and gallery photos first
    channel = parse(public / "changzhi/index.html")  # cards of lists too
    for card in channel.all("a", "card-thumb"):
        assert_picture(card.one("picture"), "card", "lazy")


def every_local_image_url(page: Element) -> list[str]:
    urls = []
    for element in page.all("img") + page.all("source"):
        if "src" in element.attrs:
            urls.append(element.attrs["src"])
        if "srcset" in element.attrs:
            urls += [url for url, _ in srcset(element.attrs["srcset"])]
    return [url for url in urls if url.startswith("/") and not url.startswith("//")]


def test_every_srcset_url_exists_in_the_output(public: Path) -> None:
    pages = sorted(public.rglob("*.html"))
    seen = set()
    for page in pages:
        for url in every_local_image_url(parse(page)):
            assert (public / url.lstrip("/")).is_file(), f"{page.relative_to(public)}: {url}"
            seen.add(url)
    assert len([u for u in seen if f"/{images.FOLDER}/" in u]) > 40
    for page in pages:  # and every meta image address too
        for meta in parse(page).all("meta", property="og:image"):
            url = meta.attrs["content"]
            if url.startswith("https://www.eshanxi.example/"):
                assert (public / url.removeprefix("https://www.eshanxi.example/")).is_file(), url


def test_variants_under_a_sub_path_base_url(make_site) -> None:
    site = make_site({"static/images/masons.jpg": MASONS, "content/changzhi/a.md": article(
        "Sub-path", image=lead("/images/masons.jpg", alt="Masons"), body="![Masons](/images/masons.jpg)")})
    public = built(site, base_url="https://example.org/shanxi/")
    for name in ("changzhi/news/2021/08/a/index.html", "index.html"):
        page = parse(public / name)
        urls = every_local_image_url(page)
        assert urls and all(url.startswith("/shanxi/") for url in urls), urls
        for url in urls:
            assert (public / url.removeprefix("/shanxi/")).is_file(), url
        for picture in page.all("picture"):
            for url, _ in srcset(picture.one("img").attrs["srcset"]):
                variant_of(url, "/shanxi")


# -- 3. crops ------------------------------------------------------------------------------


def card_variant(public: Path, listing: str, title: str) -> Image.Image:
    """The widest card variant a listing page shows for the story ``title``, decoded."""
    for card in parse(public / listing).all("article", "card"):
        if card.one("h2", "card-title").text == title:
            url, _ = srcset(card.one("a", "card-thumb").one("img").attrs["srcset"])[-1]
            with Image.open(public / url.lstrip("/")) as image:
                image.load()
                return image
    raise AssertionError(f"no card of {title!r} on {listing}")


def test_a_portrait_card_crop_keeps_the_face_in_the_upper_third(public: Path) -> None:
    image = card_variant(public, "changzhi/index.html", "Market report")
    assert image.size == (640, 400)
    box = red_box(image)
    assert box is not None, "the red square is cut off"
    left, top, right, bottom = box
    assert abs((left + right) / 2 - image.width / 2) < image.width * 0.05  # centred across
    assert right - left > 0.1 * image.width and bottom - top > 0.1 * image.height  # all of it, not an edge


@pytest.mark.parametrize("focus", [None, [0.5, 0.9]])
def test_focus_moves_the_crop(make_site, focus: list[float] | None) -> None:
    """The face is near the bottom: the default crop (upper third) misses it, ``focus`` keeps it."""
    fields = {"alt": "A trader"} | ({"focus": focus} if focus else {})
    site = make_site({"content/changzhi/low.jpg": portrait_with_face(1550),
                      "content/changzhi/a.md": article("Low face", image=lead("low.jpg", **fields))})
    public = built(site)
    image = card_variant(public, "news/index.html", "Low face")  # a list of cards
    box = red_box(image)
    if focus is None:
        assert box is None, box
    else:
        assert box is not None
        assert abs((box[0] + box[2]) / 2 - image.width / 2) < image.width * 0.05
        assert box[3] - box[1] > 0.1 * image.height


@pytest.mark.parametrize("focus", ["[2, 0.5]", '"top"', "[0.5]", "[0.5, -0.1]", "[true, 0.5]"])
def test_a_bad_focus_is_an_error(make_site, focus: str) -> None:
    site = make_site({"content/changzhi/low.jpg": SMALL, "content/changzhi/a.md": article(
        "Bad focus", image="\n  src: low.jpg\n  alt: A\n  focus: " + focus)})
    with pytest.raises(BuildFailed) as failed:
        build(load_config(site / "site.toml"), jobs=1)
    (error,) = failed.value.errors
    assert (error.path, error.field) == ("content/changzhi/a.md", "image.focus")
    assert error.line is not None and "fractions" in error.message
    assert not (site / "public").exists()


# -- 4. metadata ---------------------------------------------------------------------------


def assert_no_metadata(path: Path) -> None:
    data = path.read_bytes()
    for secret in (b"Exif", b"GPS", b"EOS SecretModel", b"CanonCam", b"xmpmeta", b"adobe:ns:meta"):
        assert secret not in data, (path.name, secret)
    with Image.open(path) as image:
        assert dict(image.getexif()) == {}, path.name
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile"} & set(image.info), (path.name, image.info)


def test_camera_metadata_is_left_out_of_every_published_file(public: Path) -> None:
    found = files_of(public, CAMERA)
    assert len(found) >= 10  # a lead photo: every place
    for name in found:
        assert_no_metadata(public / images.FOLDER / name)
    assert_no_metadata(public / "taiyuan/camera.jpg")


def test_exif_orientation_is_applied(public: Path) -> None:
    found = files_of(public, ROTATED)
    full = {(int(m["w"]), int(m["h"])) for m in found.values() if m["box"] is None}
    assert full == {(200, 300)}  # portrait, as the camera meant it
    for name, match in found.items():
        with Image.open(public / images.FOLDER / name) as image:
            assert image.size == (int(match["w"]), int(match["h"]))
            assert 0x0112 not in image.getexif()  # shown as stored by every browser
            if match["box"] is None:
                rgb = image.convert("RGB")
                assert rgb.getpixel((image.width - 10, 10))[0] > 170  # the red corner: now top right
                assert rgb.getpixel((10, 10))[0] < 100
    img = parse(public / PAGES["tower"]).one("figure", "lead").one("img")
    assert (img.attrs["width"], img.attrs["height"]) == ("200", "300")
    assert decoded(public / "taiyuan/rotated.jpg")[1] == (200, 300)


# -- 5. structured data --------------------------------------------------------------------


@pytest.mark.parametrize("story", ["bridge", "market", "library", "tower", "glass"])
def test_share_and_json_ld_sizes_are_the_published_files(public: Path, story: str) -> None:
    page = parse(public / PAGES[story])
    og = page.one("meta", property="og:image").attrs["content"]
    address = public / og.removeprefix("https://www.eshanxi.example/")
    real = decoded(address)[1]
    assert (int(page.one("meta", property="og:image:width").attrs["content"]),
            int(page.one("meta", property="og:image:height").attrs["content"])) == real
    objects = []
    for script in page.all("script", type="application/ld+json"):
        data = json.loads(script.text)
        for item in data if isinstance(data, list) else [data]:
            images_of = item.get("image", []) if isinstance(item, dict) else []
            objects += images_of if isinstance(images_of, list) else [images_of]
    local = [o for o in objects if o["url"].startswith("https://www.eshanxi.example/")]
    assert local and local[0]["url"] == og
    for item in local:
        assert item["@type"] == "ImageObject"
        file = public / item["url"].removeprefix("https://www.eshanxi.example/")
        assert (item["width"], item["height"]) == decoded(file)[1], item["url"]


# -- 6. the cache --------------------------------------------------------------------------


@pytest.fixture
def made(monkeypatch) -> list[tuple[str, list[str]]]:
    """What each build asked to be made: (photo file name, [variant names])."""
    calls: list[tuple[str, list[str]]] = []
    original = workers.make_photos

    def counting(todo, jobs, progress):  # type: ignore[no-untyped-def]
        calls.extend((path.name, [v.name for v in wanted]) for path, wanted, _ in todo)
        return original(todo, jobs, progress)

    monkeypatch.setattr(workers, "make_photos", counting)
    return calls


TWO = {
    "static/images/a.jpg": photo((1000, 700), (200, 100, 50)),
    "static/images/b.jpg": photo((1000, 700), (50, 100, 200)),
    "content/changzhi/a.md": article("Story A", "2021-08-25 09:30", image=lead("/images/a.jpg", alt="A")),
    "content/taiyuan/b.md": article("Story B", "2021-08-24 09:30", image=lead("/images/b.jpg", alt="B"),
                                    body="![B again](/images/b.jpg)"),
}
A_PAGE, B_PAGE = "changzhi/news/2021/08/a/index.html", "taiyuan/news/2021/08/b/index.html"


def test_a_second_build_makes_no_photos_and_writes_nothing(make_site, made) -> None:
    site = make_site(TWO)
    public = built(site)
    assert sorted(name for name, _ in made) == ["a.jpg", "b.jpg"]
    cached = {p: p.stat().st_mtime_ns for p in (site / ".cache/newsroom/images").iterdir()}
    assert len(cached) == len(list((public / images.FOLDER).iterdir()))
    before, stamps = snapshot(public), {p: p.stat().st_mtime_ns for p in public.rglob("*") if p.is_file()}
    made.clear()
    result = build(load_config(site / "site.toml"), jobs=1)
    assert made == []
    assert result.files_written == 0 and result.articles_read == 0
    assert snapshot(public) == before
    assert {p: p.stat().st_mtime_ns for p in public.rglob("*") if p.is_file()} == stamps
    assert {p: p.stat().st_mtime_ns for p in (site / ".cache/newsroom/images").iterdir()} == cached


def test_replacing_a_photo_remakes_only_its_variants(make_site, made, tmp_path: Path) -> None:
    site = make_site(TWO)
    public = built(site)
    before = snapshot(public)
    old_a = set(files_of(public, TWO["static/images/a.jpg"]))  # type: ignore[arg-type]
    made.clear()
    new_a = photo((1200, 700), (10, 200, 10))
    (site / "static/images/a.jpg").write_bytes(new_a)
    build(load_config(site / "site.toml"), jobs=1)
    assert [name for name, _ in made] == ["a.jpg"]
    assert sorted(made[0][1]) == sorted(files_of(public, new_a))  # all of its variants, nothing of b's
    after = snapshot(public)
    assert after[A_PAGE] != before[A_PAGE] and after["index.html"] != before["index.html"]
    assert after[B_PAGE] == before[B_PAGE]
    assert not any(f"{images.FOLDER}/{name}" in after for name in old_a)  # nothing stale
    assert after["images/a.jpg"] != before["images/a.jpg"]
    clean = tmp_path / "clean"
    build(load_config(site / "site.toml", output_dir=str(clean)), jobs=1)
    assert after == snapshot(clean)
    # and after a clean build that makes everything anew, without the cache folder
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".cache", "public"))
    assert snapshot(built(fresh)) == after


def test_changing_the_focus_remakes_only_the_crops(make_site, made, tmp_path: Path) -> None:
    site = make_site(TWO)
    public = built(site)
    full = {n for n, m in files_of(public, TWO["static/images/a.jpg"]).items() if m["box"] is None}  # type: ignore[arg-type]
    made.clear()
    (site / "content/changzhi/a.md").write_text(article(
        "Story A", "2021-08-25 09:30", image=lead("/images/a.jpg", alt="A", focus=[0.5, 0.95])), encoding="utf-8")
    build(load_config(site / "site.toml"), jobs=1)
    assert [name for name, _ in made] == ["a.jpg"]
    names = made[0][1]
    assert names and all(NAME.match(n)["box"] is not None for n in names), names  # type: ignore[index]
    now = files_of(public, TWO["static/images/a.jpg"])  # type: ignore[arg-type]
    assert {n for n, m in now.items() if m["box"] is None} == full
    assert set(names) <= set(now)
    clean = tmp_path / "clean"
    build(load_config(site / "site.toml", output_dir=str(clean)), jobs=1)
    assert snapshot(public) == snapshot(clean)


# -- 7. photos that are no photos ------------------------------------------------------------


def truncated() -> bytes:
    """The first half of a real JPEG (noise, so that half of it is half of the pixels)."""
    out = io.BytesIO()
    Image.effect_noise((800, 600), 60).convert("RGB").save(out, "JPEG", quality=95)
    data = out.getvalue()
    return data[: len(data) // 2]


def bomb() -> bytes:
    """A PNG header that claims 100000x100000 pixels: what a decompression bomb looks like to a reader."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(1000))) + chunk(b"IEND", b"")


BAD = {  # case -> (file name, bytes or None for a missing file)
    "missing": ("photo.jpg", None),
    "truncated": ("photo.jpg", truncated()),
    "text": ("photo.jpg", b"Not a photo at all, just some words in a file named like one.\n"),
    "heic-named-jpg": ("photo.jpg", HEIC),
    "heic": ("photo.heic", HEIC),
    "bomb": ("photo.png", bomb()),
}
WHERE = {
    "lead": lambda name: {"image": lead(name, alt="A photo")},
    "gallery": lambda name: {"gallery": gallery({"src": name, "alt": "A photo"})},
    "body": lambda name: {"body": f"Text.\n\n![A photo]({name})\n"},
}
FIELDS = {"lead": {"image", "image.src"}, "gallery": {"image", "gallery", "gallery[0]", "gallery[0].src"},
          "body": {"image"}}


def broken_site(make_site, case: str, where: str) -> Path:
    """A site that built with photo.jpg, then the photo broken: deleted, overwritten in place,
    or replaced by another file the article now shows instead."""
    name, data = BAD[case]
    site = make_site({"content/changzhi/a.md": article("Photo story", **WHERE[where]("photo.jpg")),
                      "content/changzhi/photo.jpg": photo((640, 480)),
                      "content/taiyuan/b.md": article("Other story")})
    built(site)
    if data is None:
        (site / "content/changzhi/photo.jpg").unlink()
        return site
    (site / "content/changzhi" / name).write_bytes(data)
    if name != "photo.jpg":
        (site / "content/changzhi/a.md").write_text(article("Photo story", **WHERE[where](name)), encoding="utf-8")
    return site


@pytest.mark.parametrize("where", ["lead", "gallery", "body"])
@pytest.mark.parametrize("case", [c for c in BAD if c != "missing"])
def test_a_photo_that_is_no_photo_is_an_error_and_the_output_stays(make_site, case: str, where: str) -> None:
    site = broken_site(make_site, case, where)
    before = snapshot(site / "public")
    with pytest.raises(BuildFailed) as failed:
        build(load_config(site / "site.toml"), jobs=1)
    errors = [e for e in failed.value.errors if not e.warning]
    assert len(errors) == 1, [str(e) for e in failed.value.errors]
    error = errors[0]
    assert error.path == "content/changzhi/a.md"
    assert error.field in FIELDS[where], str(error)
    assert BAD[case][0] in error.message, str(error)  # names the photo
    assert snapshot(site / "public") == before


@pytest.mark.parametrize("where", ["lead", "gallery"])
def test_a_missing_photo_of_the_front_matter_is_an_error(make_site, where: str) -> None:
    site = broken_site(make_site, "missing", where)
    before = snapshot(site / "public")
    with pytest.raises(BuildFailed) as failed:
        build(load_config(site / "site.toml"), jobs=1)
    (error,) = failed.value.errors
    assert (error.path, error.field) == ("content/changzhi/a.md", "image.src" if where == "lead" else "gallery[0].src")
    assert "photo.jpg" in error.message and "not found" in error.message
    assert snapshot(site / "public") == before


def test_a_decompression_bomb_by_the_limit_of_newsroom_images(make_site, monkeypatch) -> None:
    """The limit is ``newsroom.images.MAX_PIXELS``: a 100x100 photo is refused when it is 1000."""
    site = make_site({"content/changzhi/photo.jpg": photo((100, 100)),
                      "content/changzhi/a.md": article("Bomb", image=lead("photo.jpg", alt="A"))})
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    with pytest.raises(BuildFailed) as failed:
        build(load_config(site / "site.toml"), jobs=1)
    (error,) = failed.value.errors
    assert (error.path, error.field) == ("content/changzhi/a.md", "image")
    assert "photo.jpg" in error.message
    assert not (site / "public").exists()


@pytest.mark.parametrize("case", list(BAD))
def test_the_command_line_reports_a_bad_photo_without_a_traceback(make_site, case: str) -> None:
    site = broken_site(make_site, case, "lead")
    before = snapshot(site / "public")
    result = run_build(cwd=site)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert re.search(r"^content/changzhi/a\.md(:\d+)?: image(\.src)?: .*" + re.escape(BAD[case][0]), result.stderr,
                     re.MULTILINE), result.stderr
    assert snapshot(site / "public") == before


def test_check_finds_a_damaged_photo(make_site) -> None:
    """``check`` finds what only making the variants finds: a truncated photo."""
    site = make_site({"content/changzhi/photo.jpg": truncated(),
                      "content/changzhi/a.md": article("Photo story", image=lead("photo.jpg", alt="A"))})
    result = run_build("check", cwd=site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"^content/changzhi/a\.md: image: content/changzhi/photo\.jpg: damaged or truncated",
                     result.stderr, re.MULTILINE), result.stderr


@pytest.mark.parametrize("case", ["missing", "truncated"])
def test_a_scheduled_storys_bad_photo_is_found_before_its_day(make_site, case: str) -> None:
    """A scheduled story's missing photo is an error today; a damaged one must be too, not only
    when the timer's build publishes it (and then fails, leaving the story out)."""
    site = make_site({"content/changzhi/photo.jpg": truncated(), "content/taiyuan/b.md": article("Other story"),
                      "content/changzhi/a.md": article("Tomorrow", date="2031-01-01 09:00",
                                                       image=lead("photo.jpg", alt="A"))})
    if case == "missing":
        (site / "content/changzhi/photo.jpg").unlink()
    with pytest.raises(BuildFailed) as failed:
        build(load_config(site / "site.toml"), jobs=1)
    (error,) = failed.value.errors
    assert error.path == "content/changzhi/a.md" and error.field in ("image", "image.src")
    assert "photo.jpg" in error.message


def test_check_with_photos_writes_nothing(make_site) -> None:
    """``check`` writes nothing (see test_cli.test_check_writes_nothing), photos or not."""
    site = make_site({"content/changzhi/photo.jpg": photo((800, 600)),
                      "content/changzhi/a.md": article("Photo story", image=lead("photo.jpg", alt="A"))})
    result = run_build("check", cwd=site)
    assert result.returncode == 0, result.stderr
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == [
        "content/changzhi/a.md", "content/changzhi/photo.jpg", "site.toml"]


# -- 8. galleries --------------------------------------------------------------------------


def test_a_gallery_is_a_focusable_row_of_figures(public: Path) -> None:
    page = parse(public / PAGES["bridge"])
    section = page.one("section", "gallery")
    row = section.one("ul", "gallery-list")
    assert row.attrs["tabindex"] == "0" and row.attrs.get("aria-labelledby")
    figures = [li.one("figure") for li in row.all("li")]
    assert len(figures) == 3
    for n, (figure, data) in enumerate(zip(figures, GALLERY, strict=True), 1):
        assert figure.one("span", "caption").text == f"Gallery caption {n}"
        assert figure.one("span", "credit").text == f"Photo: G{n}"
        assert figure.one("img").attrs["alt"] == f"Gallery photo {n}"
        assert assert_picture(figure.one("picture"), "full", "lazy") == (900, 600)
        assert variant_of(figure.one("img").attrs["src"])["key"] == key_of(data)
    home = parse(public / "index.html")  # and in the home page's photo strip
    strip = [li.one("img").attrs["src"] for li in home.one("ul", "photo-strip").all("li")]
    strip_keys = {variant_of(src)["key"] for src in strip if src.startswith("/")}
    assert {key_of(d) for d in GALLERY} <= strip_keys
    captions = [li.one("span", "photo-caption").text for li in home.one("ul", "photo-strip").all("li")]
    assert {f"Gallery caption {n}" for n in (1, 2, 3)} <= set(captions)


# -- 9. in a browser: nothing moves while photos load -------------------------------------

SHOTS = ARTIFACTS / "screenshots"
CLS_JS = """() => new Promise(resolve => {
  const shifts = [];
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      shifts.push({value: entry.value, sources: (entry.sources || []).map(s => {
        const n = s.node; return n && n.nodeType === 1 ? n.tagName + '.' + n.className + ' ' +
          (n.getAttribute('src') || n.querySelector && (n.querySelector('img') || {}).src || '') : String(n); })});
    }
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve(shifts), 500);
})"""
IMAGES_LOADED_JS = "() => [...document.images].every(img => img.complete && img.naturalWidth > 0)"


@pytest.fixture(scope="module")
def photo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A site with the theme's CSS: a lead photo, body figures (one a tall portrait), a gallery,
    and older stories with photos for the home page's cards and strip."""
    static = {f"static/{p.relative_to(REPO / 'static').as_posix()}": p.read_bytes()
              for p in (REPO / "static").rglob("*") if p.is_file() and p.suffix in (".css", ".svg")}
    body = "\n\n".join(["First paragraph of the story. " * 8,
                        '![Masons reset the parapet stones](/images/masons.jpg "Photo: Wu Jia/Eshanxi")',
                        "Second paragraph. " * 30,
                        '![A tall portrait of the bridge keeper](portrait.jpg "Photo: Li Na/Eshanxi")',
                        "Third paragraph. " * 30,
                        "![A small photo](small.jpg)",
                        "Last paragraph. " * 20])
    files: dict[str, str | bytes] = {
        **static,
        "static/images/lead.jpg": BIG, "static/images/masons.jpg": MASONS,
        "content/changzhi/portrait.jpg": portrait_with_face(500), "content/changzhi/small.jpg": SMALL,
        **{f"content/changzhi/g{n}.jpg": data for n, data in enumerate(GALLERY, 1)},
        "content/changzhi/bridge.md": article(
            "Old bridge reopens", "2021-08-25 09:30", dek="Foot traffic returns",
            image=lead("/images/lead.jpg", caption="Walkers cross the bridge", credit="Photo: Zhao Min/Eshanxi",
                       alt="A stone bridge"),
            gallery=gallery(*({"src": f"g{n}.jpg", "caption": f"Gallery caption {n}", "credit": f"Photo: G{n}",
                               "alt": f"Gallery photo {n}"} for n in range(1, 4))),
            body=body),
    }
    files["content/taiyuan/portrait.jpg"] = portrait_with_face(300)
    for n in range(1, 6):
        files[f"content/taiyuan/story{n}.md"] = article(
            f"Older story number {n}", f"2021-08-2{n - 1} 08:00", dek="A story with a photo",
            image=lead("/images/masons.jpg" if n % 2 else "portrait.jpg", alt="A photo"))
    site = write_site(tmp_path_factory.mktemp("browser") / "site", files)
    public = built(site)
    with static_server(public) as url:
        yield url


CANDIDATES_JS = """img => { const picture = img.closest('picture'), urls = [img.src];
  for (const element of picture ? [...picture.querySelectorAll('source'), img] : [img])
    for (const part of (element.getAttribute('srcset') || '').split(','))
      if (part.trim()) urls.push(new URL(part.trim().split(/\\s+/)[0], location.href).href);
  return urls; }"""
BOX_JS = "img => { const r = img.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; }"
STYLED_JS = "() => [...document.querySelectorAll('link[rel=stylesheet]')].every(link => link.sheet !== null)"


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", ["/changzhi/news/2021/08/bridge/", "/"], ids=["article", "home"])
def test_no_layout_shift_while_photos_load(browser, photo_server: str, path: str, width: int) -> None:
    """Cumulative Layout Shift is 0 for a reader on a slow connection: every photo arrives
    only once the reader has scrolled to it (held back until then), down to the bottom of
    the page; the space each photo takes is the space its width and height reserved."""
    viewport = {"width": width, "height": 812 if width < 800 else 900}
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        held: list = []
        page.route("**/*.{webp,jpg,png}", lambda route: held.append(route))  # photos wait until the reader is there
        page.goto(photo_server + path, wait_until="domcontentloaded")
        page.wait_for_function(STYLED_JS)
        photos = page.locator("img")
        assert page.locator("picture img").count() >= 4
        moved = []
        for n in range(photos.count()):
            img = photos.nth(n)
            img.scroll_into_view_if_needed()
            page.wait_for_timeout(100)
            reserved = img.evaluate(BOX_JS)
            mine = set(img.evaluate(CANDIDATES_JS))
            for route in [r for r in held if r.request.url in mine]:
                held.remove(route)
                route.continue_()
            img.evaluate("img => img.complete ? 0 : new Promise(done => { img.onload = img.onerror = done; })")
            page.wait_for_timeout(50)
            loaded = img.evaluate(BOX_JS)
            if reserved != loaded:
                moved.append((img.get_attribute("alt"), reserved, loaded))
        for route in held:
            route.continue_()
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_function(IMAGES_LOADED_JS, timeout=15_000)
        shifts = page.evaluate(CLS_JS)
        if width == 375:  # pictures to look at, taken whatever the verdict
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.evaluate("window.scrollTo(0, 0); document.querySelectorAll('.gallery-list').forEach(e => e.scrollLeft = 0)")
            target = SHOTS / f"images-{'home' if path == '/' else 'article'}-phone.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000
        assert sum(s["value"] for s in shifts) == 0, {"shifts": shifts, "photos whose box changed on load": moved}
        assert moved == []
        if path != "/":
            portrait = page.locator(".story-body figure img").nth(1)
            assert "portrait" in (portrait.get_attribute("alt") or "")
            box = portrait.bounding_box()
            assert box is not None and box["height"] <= 0.8 * viewport["height"] + 0.5, box
            assert box["width"] < box["height"]  # shown whole, as a portrait
            assert page.locator("figure.lead img").evaluate("img => img.currentSrc").endswith(".webp")
    finally:
        context.close()
