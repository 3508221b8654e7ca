#!/usr/bin/env python3
"""Benchmark newsroom's photo processing against Hugo's image processing on full-size photos.

    python bench/images.py [--photos 300] [--runs 3] [--workdir DIR] [--skip-hugo] [--seed N]

Generates (seeded, with Pillow) N camera-sized photos: JPEGs and PNGs of 6 to 24
megapixels, some portrait, some PNGs with transparency, two JPEGs in three with EXIF
(camera, date, GPS), and ceil(N/3) articles that use each photo once: a lead photo and two
body images. Then times newsroom's cold build, no-op rebuild and rebuild after one photo
changed, and Hugo resizing the same photos (480/960/1600 px wide in WebP and in their own
format, and a 640x400 crop) cold and warm. Prints one Markdown table (median time, peak
memory of the process tree, image files in the output) and the ratios.
See the "Images" section of bench/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import math
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

import corpus
import PIL
import run
from PIL import Image, ImageChops, ImageDraw, PngImagePlugin, features

BENCH = run.BENCH
REPO = run.REPO
IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif")
BASE_URL = "https://bench.eshanxi.example/"  # corpus.site_toml()'s
URL_ATTR = re.compile(r'\b(?:src|srcset)="([^"]*)"')
POOL_VERSION = 1  # bump when the drawing changes, so that photos in an old work folder are redrawn
MARKER = ".bench-images"
PHOTOS_PER_ARTICLE = 3  # a lead photo and two body images
JPEG_SIZES = ((3000, 2000), (4000, 3000), (4608, 3072), (5472, 3648), (6000, 4000))  # 6 to 24 megapixels
PNG_SIZES = ((3000, 2000), (3600, 2400), (4000, 3000))  # 6 to 12 megapixels
CAMERAS = (("Canon", "Canon EOS R6"), ("NIKON CORPORATION", "NIKON Z 6_2"), ("SONY", "ILCE-7M4"),
           ("FUJIFILM", "X-T5"), ("Apple", "iPhone 15 Pro"))
HUGO_RESIZES = ("480x webp", "960x webp", "1600x webp", "480x", "960x", "1600x")  # "480x": the photo's own format
HUGO_FILL = "640x400 Center"
HUGO_OUTPUTS = len(HUGO_RESIZES) + 1  # processed files per photo
NEWSROOM_STEPS = (
    ("cold", "cold build (no output, no .cache)"),
    ("noop", "no-op rebuild"),
    ("edit", "rebuild after changing one photo"),
)
HUGO_STEPS = (
    ("cold", "cold build (no public, no resources/_gen)"),
    ("warm", "warm rebuild (resources/_gen kept)"),
)


@dataclasses.dataclass
class Sample(run.Sample):
    images: int = 0  # image files in the output after the step
    image_bytes: int = 0
    changed: int = 0  # image files the step wrote or rewrote (new, or another size or mtime)
    remark: str = ""  # worth knowing, not a failure


class Row(run.Row):
    @property
    def note(self) -> str:
        remarks = sorted({s.remark for s in self.samples if s.remark})
        return "; ".join([n for n in [super().note] if n] + remarks)


# -- the photos ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Photo:
    index: int  # from 1
    width: int
    height: int
    png: bool
    alpha: bool  # a PNG with transparency
    exif: bool  # a JPEG with camera, date and GPS tags

    @property
    def name(self) -> str:
        return f"photo-{self.index:04d}.{'png' if self.png else 'jpg'}"

    @property
    def megapixels(self) -> float:
        return self.width * self.height / 1e6


def photo_spec(seed: int, index: int) -> Photo:
    """Photo ``index``: its kind follows from the index, so that even 10 photos hold every kind."""
    rng = random.Random(f"newsroom-bench-photo-size:{seed}:{index}")
    png = index % 5 == 0  # one in five
    width, height = rng.choice(PNG_SIZES if png else JPEG_SIZES)
    if index % 3 == 0:  # one in three is portrait
        width, height = height, width
    return Photo(index, width, height, png, alpha=index % 10 == 0, exif=not png and index % 3 != 2)


def _colour(rng: random.Random, low: int = 0, high: int = 255) -> tuple[int, int, int]:
    return rng.randint(low, high), rng.randint(low, high), rng.randint(low, high)


def draw(photo: Photo, seed: int, variant: int = 0) -> Image.Image:
    """A landscape: smooth colour field, sun, lit buildings, hills, shapes and grain (alpha for some PNGs)."""
    rng = random.Random(f"newsroom-bench-photo:{seed}:{photo.index}:{variant}")
    w, h = photo.width, photo.height
    field = Image.new("RGB", (4, 3))
    field.putdata([_colour(rng) for _ in range(12)])
    image = field.resize((w, h), Image.Resampling.BICUBIC)
    pen = ImageDraw.Draw(image)
    r = min(w, h) // 12
    cx, cy = rng.randrange(r, w - r), rng.randrange(r, h // 2)
    pen.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(255, 228, 150))
    horizon = int(h * rng.uniform(0.5, 0.7))
    step = max(8, w // 160)
    for _ in range(rng.randint(6, 14)):  # buildings with windows: many sharp edges
        bw, bh = rng.randint(w // 30, w // 10), rng.randint(h // 10, h // 3)
        x = rng.randrange(0, w - bw)
        pen.rectangle((x, horizon - bh, x + bw, horizon), fill=_colour(rng, 40, 140))
        lit = _colour(rng, 180, 255)
        for wy in range(horizon - bh + step, horizon - step, 2 * step):
            for wx in range(x + step, x + bw - step, 2 * step):
                if rng.random() < 0.6:
                    pen.rectangle((wx, wy, wx + step - 1, wy + step - 1), fill=lit)
    for layer in range(3):  # hills in front of the town
        y = horizon + (h - horizon) * layer / 3
        points = [(0, h)]
        for x in range(0, w + w // 60, w // 60):
            y = min(h, max(horizon - h // 10, y + rng.randint(-h // 60, h // 60)))
            points.append((x, y))
        points.append((w, h))
        shade = 100 - 25 * layer
        pen.polygon(points, fill=(shade, shade + rng.randint(10, 50), max(0, shade - 20)))
    for _ in range(rng.randint(8, 16)):  # people, signs, wires
        x, y, s = rng.randrange(w), rng.randrange(h), rng.randint(w // 60, w // 12)
        kind = rng.random()
        if kind < 0.4:
            pen.ellipse((x - s, y - s, x + s, y + s), fill=_colour(rng))
        elif kind < 0.7:
            pen.polygon([(x + rng.randint(-s, s), y + rng.randint(-s, s)) for _ in range(5)], fill=_colour(rng))
        else:
            pen.line((x, y, rng.randrange(w), rng.randrange(h)), fill=_colour(rng), width=rng.randint(2, 12))
    amp = 4 if photo.png else 10  # grain: uniform noise of +-amp in every channel
    lut = [v * (2 * amp + 1) // 256 for v in range(256)] * 3
    noise = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3)).point(lut)
    image = ImageChops.add(image, noise, 1.0, -amp)
    if photo.alpha:  # a cut-out: transparent margin and hole, fading towards the top
        mask = Image.new("L", (w, h), 0)
        cut = ImageDraw.Draw(mask)
        m = min(w, h) // rng.randint(8, 20)
        cut.rounded_rectangle((m, m, w - m, h - m), radius=min(w, h) // 8, fill=255)
        hx, hy, hr = rng.randrange(w // 4, 3 * w // 4), rng.randrange(h // 4, 3 * h // 4), min(w, h) // 10
        cut.ellipse((hx - hr, hy - hr, hx + hr, hy + hr), fill=0)
        fade = Image.linear_gradient("L").resize((w, h)).point(lambda v: 80 + v * 175 // 255)
        image.putalpha(ImageChops.darker(mask, fade))
    return image


def encode(photo: Photo, seed: int, variant: int = 0) -> bytes:
    image = draw(photo, seed, variant)
    rng = random.Random(f"newsroom-bench-photo-meta:{seed}:{photo.index}")
    credit = f"{rng.choice(corpus.PHOTOGRAPHERS)}/Eshanxi"
    out = io.BytesIO()
    if photo.png:
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", credit)
        info.add_text("Comment", f"bench photo {photo.index}")
        image.save(out, "PNG", pnginfo=info)
        return out.getvalue()
    exif = Image.Exif()
    if photo.exif:
        make, model = rng.choice(CAMERAS)
        taken = (corpus.START + timedelta(minutes=rng.randrange(corpus.SPAN_MINUTES))).strftime("%Y:%m:%d %H:%M:%S")
        exif.update({0x010F: make, 0x0110: model, 0x0112: 1, 0x0132: taken, 0x013B: credit,
                     0x8298: "Copyright Eshanxi"})
        exif.get_ifd(0x8769).update({0x9003: taken, 0x829D: rng.choice((2.8, 4.0, 5.6, 8.0)), 0x8827: 400})
        lat, lon = rng.uniform(34.6, 40.7), rng.uniform(110.2, 114.5)  # Shanxi
        exif.get_ifd(0x8825).update({0: b"\x02\x02\x00\x00", 1: "N", 2: _dms(lat), 3: "E", 4: _dms(lon)})
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def _dms(degrees: float) -> tuple[float, float, float]:
    minutes = (degrees % 1) * 60
    return float(int(degrees)), float(int(minutes)), round((minutes % 1) * 60, 2)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` by a new file (a new inode: the pool and Hugo's hard links keep the old bytes)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _draw_into(job: tuple[Photo, int, str]) -> tuple[str, int]:
    photo, seed, folder = job
    data = encode(photo, seed)
    write_atomically(Path(folder) / photo.name, data)
    return photo.name, len(data)


def photo_pool(work: Path, photos: list[Photo], seed: int) -> Path:
    """work/photo-pool: every photo, drawn once and kept across runs (per seed, Pillow and POOL_VERSION)."""
    pool = work / "photo-pool"
    pool.mkdir(parents=True, exist_ok=True)
    manifest_path = pool / "manifest.json"
    key = {"version": POOL_VERSION, "seed": seed, "pillow": PIL.__version__}
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    files: dict[str, int] = manifest.get("files", {}) if manifest.get("key") == key else {}
    todo = [p for p in photos if not (pool / p.name).is_file() or (pool / p.name).stat().st_size != files.get(p.name)]
    if todo:
        started = time.perf_counter()
        print(f"drawing {len(todo)} photos into {run._shown(pool)} ...", file=sys.stderr)
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as workers:
            for name, size in workers.map(_draw_into, [(p, seed, str(pool)) for p in todo]):
                files[name] = size
        manifest_path.write_text(json.dumps({"key": key, "files": files}, indent=1), encoding="utf-8")
        print(f"drew {len(todo)} photos in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return pool


def link_or_copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)


# -- the site ----------------------------------------------------------------------------------


def article(seed: int, index: int, photos: list[Photo]) -> tuple[str, str, str]:
    """(channel, slug, text) of article ``index``: its first photo as lead, the others in the body."""
    rng = random.Random(f"newsroom-bench-images-article:{seed}:{index}")
    channel, city, _ = corpus.CHANNELS[index % len(corpus.CHANNELS)]
    section = rng.choice(corpus.SECTIONS)[0]
    title = corpus.fill(rng, corpus.pick(rng, corpus.C_HEADLINES), city)
    slug = "-".join(corpus.slugify(title).split("-")[:6]) + f"-{index:05d}"
    date = corpus.START + timedelta(minutes=rng.randrange(corpus.SPAN_MINUTES))

    def words() -> tuple[str, str, str]:
        place = rng.choice(corpus.PLACES)
        who = rng.choice(corpus.NOUNS_PL).capitalize()
        caption = f"{who} gather at {place} on {rng.choice(corpus.DAYS)}."
        return caption, f"Photo: {rng.choice(corpus.PHOTOGRAPHERS)}/Eshanxi", f"{who} at {place}"

    lead, *inline = photos
    caption, credit, alt = words()
    lines = [
        "---",
        f"title: {json.dumps(title)}",
        f"date: {date.isoformat()}",
        f"section: {section}",
        f"dek: {json.dumps(corpus.fill(rng, corpus.pick(rng, corpus.C_SENTENCES)))}",
        f"author: {rng.choice(corpus.SLOTS['person'])}",
        "image:",
        f"  src: /images/{lead.name}",
        f"  caption: {json.dumps(caption)}",
        f"  credit: {json.dumps(credit)}",
        f"  alt: {json.dumps(alt)}",
        "---",
    ]
    blocks = corpus.body(rng, index).rstrip("\n").split("\n\n")
    spots = [2, 2 * len(blocks) // 3][: len(inline)]
    for at, photo in reversed(list(zip(spots, inline, strict=True))):
        caption, credit, _ = words()
        blocks.insert(at, f'![{caption}](/images/{photo.name} "{credit}")')
    return channel, slug, "\n".join(lines) + "\n" + "\n\n".join(blocks) + "\n"


def make_site(work: Path, count: int, seed: int) -> tuple[run.Corpus, list[Photo]]:
    """The newsroom site in ``work``: site.toml, theme/ (the repo's templates), static/, content/."""
    work.mkdir(parents=True, exist_ok=True)
    if any(work.iterdir()) and not (work / MARKER).exists():
        raise SystemExit(f"{work} is not empty and was not written by bench/images.py; choose another --workdir")
    (work / MARKER).write_text(f"photos={count} seed={seed}\n", encoding="utf-8")
    run.remove(work / "public", work / ".cache", work / "hugo", work / "logs", work / "content", work / "static")
    photos = [photo_spec(seed, i) for i in range(1, count + 1)]
    pool = photo_pool(work, photos, seed)
    toml = corpus.site_toml("theme").split("\n", 1)[1]
    (work / "site.toml").write_text("# Written by bench/images.py; regenerate it rather than editing it.\n" + toml,
                                    encoding="utf-8")
    run.remove(work / "theme")
    shutil.copytree(REPO / "templates", work / "theme")
    shutil.copytree(REPO / "static" / "css", work / "static" / "css")
    shutil.copy2(REPO / "static" / "favicon.svg", work / "static" / "favicon.svg")
    for photo in photos:
        link_or_copy(pool / photo.name, work / "static" / "images" / photo.name)
    articles = []
    for index in range(math.ceil(count / PHOTOS_PER_ARTICLE)):
        group = photos[index * PHOTOS_PER_ARTICLE:(index + 1) * PHOTOS_PER_ARTICLE]
        channel, slug, text = article(seed, index, group)
        path = work / "content" / channel / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        articles.append(path)
    return run.Corpus(work, articles, seed), photos


def describe(photos: list[Photo]) -> str:
    jpegs = [p for p in photos if not p.png]
    pngs = [p for p in photos if p.png]
    sizes = [p.megapixels for p in photos]
    return (f"{len(photos)} photos: {len(jpegs)} JPEG ({sum(p.exif for p in jpegs)} with EXIF), {len(pngs)} PNG "
            f"({sum(p.alpha for p in pngs)} with alpha), {sum(p.height > p.width for p in photos)} portrait; "
            f"{min(sizes):.1f}-{max(sizes):.1f} MP, {sum(sizes):.0f} MP in all")


# -- measuring ---------------------------------------------------------------------------------


def image_files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every image file under ``folder``: relative path -> (size, mtime_ns)."""
    found: dict[str, tuple[int, int]] = {}
    for root, _, names in os.walk(folder):
        for name in names:
            if name.lower().endswith(IMAGE_EXTS):
                st = os.stat(os.path.join(root, name))
                found[os.path.relpath(os.path.join(root, name), folder)] = (st.st_size, st.st_mtime_ns)
    return found


def sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes(), usedforsecurity=False).hexdigest()


def digests(folder: Path, names: list[str]) -> dict[str, str]:
    return {n: sha1(folder / n) for n in names}


def timed(cmd: list[str], log: Path, cwd: Path, out: Path, timeout: float) -> tuple[Sample, dict]:
    before = image_files(out)
    base = run.measure(cmd, log, cwd, timeout)
    after = image_files(out)
    sample = Sample(**dataclasses.asdict(base), images=len(after), image_bytes=sum(s for s, _ in after.values()),
                    changed=sum(1 for k, v in after.items() if before.get(k) != v))
    if sample.returncode != 0:
        what = "timed out" if sample.returncode is None else f"exit code {sample.returncode}"
        sample.problem = f"{what}; log {run._shown(log)}"
        print(f"{' '.join(cmd[:2])} failed: {what}\n{run.log_tail(log)}", file=sys.stderr)
    return sample, after


def progress(what: str, number: int, s: Sample) -> None:
    print(f"  {what:<14} run {number}: {s.seconds:8.2f} s  {s.peak_rss / 2**20:8.1f} MB  {s.images} images "
          f"({s.changed} written)" + "".join(f"  [{t}]" for t in (s.problem, s.remark) if t), file=sys.stderr)


def bench_newsroom(c: run.Corpus, photos: list[Photo], runs: int, timeout: float) -> dict[str, list[Sample]]:
    results: dict[str, list[Sample]] = {step: [] for step, _ in NEWSROOM_STEPS}
    edited = photos[len(photos) // 2]
    path = c.work / "static" / "images" / edited.name
    stem = path.stem
    original, changed = path.read_bytes(), encode(edited, c.seed, variant=1)
    page = run.article_page(c, c.articles[(edited.index - 1) // PHOTOS_PER_ARTICLE])  # shows the photo
    checked = [c.articles[i] for i in range(0, len(c.articles), max(1, len(c.articles) // 10))]
    try:
        for number in range(1, runs + 1):
            write_atomically(path, original)
            code = run.code_digest()
            cold_images = 0
            before: dict[str, dict] = {}
            for step, _ in NEWSROOM_STEPS:
                if step == "cold":
                    run.remove(c.public, c.cache)
                elif step == "edit":
                    before = {"page": page_images(c.public, page),
                              "named": digests(c.public, [k for k in image_files(c.public) if stem in Path(k).name])}
                    write_atomically(path, changed)
                log = c.work / "logs" / f"newsroom-{step}-{number}.log"
                sample, after = timed(run.newsroom_cmd(c), log, c.work, c.public, timeout)
                sample.code_changed = run.code_digest() != code
                if sample.returncode == 0:
                    if step == "cold":
                        cold_images = sample.images
                        sample.problem = check_pages(c.public, [run.article_page(c, p) for p in checked])
                        if sample.images < len(photos):
                            sample.problem = f"{sample.images} image files in the output for {len(photos)} photos"
                    elif step == "noop":
                        if sample.images != cold_images:
                            sample.problem = f"{sample.images} image files after the cold build's {cold_images}"
                        elif sample.changed:
                            sample.remark = f"rewrote {sample.changed} image files"
                    else:
                        check_edit(c.public, stem, before, after, page, sample)
                        if sample.images != cold_images:
                            sample.remark = f"{sample.images} image files after the cold build's {cold_images}"
                results[step].append(sample)
                progress(f"newsroom {step}", number, sample)
                if sample.returncode != 0 and step == "cold":
                    return results
    finally:
        write_atomically(path, original)
    return results


def page_images(public: Path, page: Path, digest: bool = True) -> dict[str, str | None]:
    """The site's image files a page points at (src, srcset): URL -> sha1 ('' undigested), None when missing."""
    try:
        html = page.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    found: dict[str, str | None] = {}
    for value in URL_ATTR.findall(html):
        for candidate in value.split(","):
            url = candidate.split()[0] if candidate.split() else ""
            url = "/" + url.removeprefix(BASE_URL) if url.startswith(BASE_URL) else url
            if url.startswith("/") and url.lower().endswith(IMAGE_EXTS):
                path = public / url.lstrip("/")
                found[url] = (sha1(path) if digest else "") if path.is_file() else None
    return found


def check_pages(public: Path, pages: list[Path]) -> str:
    """Every page shows an image, and every image it points at exists."""
    for page in pages:
        shown = page_images(public, page, digest=False)
        if not shown:
            return f"{run._shown(page)} shows no image"
        missing = [url for url, d in shown.items() if d is None]
        if missing:
            return f"{run._shown(page)} points at {len(missing)} missing images, e.g. {missing[0]}"
    return ""


def check_edit(public: Path, stem: str, before: dict[str, dict], after: dict[str, tuple[int, int]], page: Path,
               s: Sample) -> None:
    """The page showing the changed photo must show other images (new names or bytes), all present; and no
    output file named after the photo may keep its old bytes: either is a stale rebuild."""
    shown = page_images(public, page)
    missing = [url for url, d in shown.items() if d is None]
    if missing:
        s.problem = f"{run._shown(page)} points at {len(missing)} missing images, e.g. {missing[0]}"
    elif shown == before["page"]:
        s.problem = f"{run._shown(page)}, which shows the changed {stem}, shows the same images as before"
    now = digests(public, [k for k in after if stem in Path(k).name])
    stale = sorted(k for k, v in now.items() if before["named"].get(k) == v)
    if stale and not s.problem:
        s.problem = (f"{len(stale)} of {len(now)} files named after the changed {stem} kept their old bytes, "
                     f"e.g. {stale[0]}")


# -- Hugo --------------------------------------------------------------------------------------

HUGO_TOML = """\
# Written by bench/images.py: the photos of the newsroom site resized by Hugo.
baseURL = "https://bench.eshanxi.example/"
languageCode = "en"
title = "Eshanxi Bench"
timeZone = "Asia/Shanghai"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]

[imaging]  # Hugo's defaults, written out
quality = 75
resampleFilter = "box"
hint = "photo"
anchor = "smart"
"""
HUGO_LIST = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
             '<body><h1>{{ .Title }}</h1><ul>{{ range .RegularPagesRecursive }}<li><a href="{{ .RelPermalink }}">'
             "{{ .Title }}</a></li>{{ end }}</ul></body></html>\n")
HUGO_SINGLE = """\
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1>
{{ .Content }}
{{ range .Resources.ByType "image" }}{{ $photo := . }}<figure>
{{ range slice SPECS }}{{ with $photo.Resize . }}<img src="{{ .RelPermalink }}" width="{{ .Width }}" \
height="{{ .Height }}" alt="">{{ end }}{{ end }}
{{ with $photo.Fill "FILL" }}<img src="{{ .RelPermalink }}" width="{{ .Width }}" height="{{ .Height }}" alt="">{{ end }}
</figure>
{{ end }}</body></html>
"""


def prepare_hugo(c: run.Corpus, photos: list[Photo]) -> Path:
    """work/hugo: each article as a page bundle (index.md beside its photos, hard links to the pool)."""
    site = c.work / "hugo"
    run.remove(site)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
    (site / "layouts" / "index.html").write_text(HUGO_LIST, encoding="utf-8")
    (site / "layouts" / "_default" / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    specs = " ".join(json.dumps(s) for s in HUGO_RESIZES)
    single = HUGO_SINGLE.replace("SPECS", specs).replace("FILL", HUGO_FILL)
    (site / "layouts" / "_default" / "single.html").write_text(single, encoding="utf-8")
    pool = c.work / "photo-pool"
    for index, path in enumerate(c.articles):
        bundle = site / "content" / path.parent.name / path.stem
        bundle.mkdir(parents=True)
        shutil.copyfile(path, bundle / "index.md")
        for photo in photos[index * PHOTOS_PER_ARTICLE:(index + 1) * PHOTOS_PER_ARTICLE]:
            link_or_copy(pool / photo.name, bundle / photo.name)
    return site


def check_hugo(out: Path, photos: list[Photo], after: dict[str, tuple[int, int]]) -> str:
    """HUGO_OUTPUTS processed files per photo, and the first photo's at the right sizes."""
    made = [k for k in after if "_hu" in Path(k).name]
    if len(made) != HUGO_OUTPUTS * len(photos):
        return f"{len(made)} processed images, not {HUGO_OUTPUTS} x {len(photos)}"
    first = Path(photos[0].name).stem
    sizes = set()
    for k in made:
        if Path(k).name.startswith(first + "_hu"):
            with Image.open(out / k) as im:
                sizes.add((im.format, im.width, im.height if im.width == 640 else None))
    kind = "JPEG" if not photos[0].png else "PNG"
    want = {(f, w, None) for w in (480, 960, 1600) for f in ("WEBP", kind)} | {(kind, 640, 400)}
    return "" if sizes == want else f"{first}'s images are {sorted(sizes, key=str)}, not {sorted(want, key=str)}"


def bench_hugo(c: run.Corpus, site: Path, photos: list[Photo], runs: int, timeout: float) -> dict[str, list[Sample]]:
    results: dict[str, list[Sample]] = {step: [] for step, _ in HUGO_STEPS}
    out, cache = site / "public", site / ".hugo_cache"
    cmd = ["hugo", "--quiet", "-s", str(site), "-d", str(out), "--cacheDir", str(cache)]
    for number in range(1, runs + 1):
        for step, _ in HUGO_STEPS:
            if step == "cold":
                run.remove(out, cache, site / "resources", site / ".hugo_build.lock")
            log = c.work / "logs" / f"hugo-{step}-{number}.log"
            sample, after = timed(cmd, log, site, out, timeout)
            if sample.returncode == 0:
                sample.problem = check_hugo(out, photos, after)
            results[step].append(sample)
            progress(f"hugo {step}", number, sample)
    return results


# -- reporting ---------------------------------------------------------------------------------


def table(rows: list[Row], runs: int) -> str:
    out = [
        f"| generator | step | time (median of {runs}, s) | peak RSS (MB) | images written | written by the step "
        "| image MB | note |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        last = row.ok[-1] if row.ok else None
        mb = row.peak_rss / 2**20 if row.peak_rss is not None else None
        cells = ("-", "-", "-") if last is None else (last.images, last.changed, f"{last.image_bytes / 2**20:.0f}")
        note = row.note or ("" if row.samples else "not run")
        out.append(f"| {row.generator} | {row.step} | {run._fmt(row.seconds, '.2f')} | {run._fmt(mb, '.0f')} | "
                   f"{cells[0]} | {cells[1]} | {cells[2]} | {note} |")
    return "\n".join(out)


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    hugo = "not installed"
    if run.hugo_available():
        version = subprocess.run(["hugo", "version"], capture_output=True, text=True, timeout=60).stdout
        match = re.search(r"v\d+\.\d+\.\d+\S*", version)
        hugo = match.group(0) if match else version.strip()
    turbo = features.check_feature("libjpeg_turbo")
    jpeg = f"libjpeg-turbo {features.version('libjpeg_turbo')}" if turbo else f"libjpeg {features.version('jpg')}"
    codecs = f"{jpeg}, zlib {features.version('zlib')}, libwebp {features.version('webp')}"
    return (f"machine: {os.cpu_count()} cores, {model}, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; Pillow {PIL.__version__} ({codecs}); hugo {hugo}")


# -- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="Rows and columns are explained in bench/README.md, section Images.")
    p.add_argument("--photos", type=int, default=300, metavar="N", help="how many photos (default 300)")
    p.add_argument("--runs", type=int, default=3, help="repetitions of every step; the median is shown (default 3)")
    p.add_argument("--seed", type=int, default=corpus.DEFAULT_SEED, help="photo and article seed")
    p.add_argument("--skip-hugo", action="store_true", help="do not build with Hugo")
    p.add_argument("--workdir", type=Path, default=BENCH / ".work-images", metavar="DIR",
                   help="where the photos, the site and the outputs go (default bench/.work-images/)")
    p.add_argument("--timeout", type=float, default=3600, metavar="S", help="kill a build after S seconds")
    p.add_argument("--wait-idle", type=float, default=0, metavar="S",
                   help="before each build, wait up to S seconds for other processes to leave the CPU idle")
    args = p.parse_args(argv)
    if args.photos < 1 or args.runs < 1:
        p.error("--photos and --runs must be at least 1")
    args.hugo = not args.skip_hugo and run.hugo_available()
    if not args.skip_hugo and not args.hugo:
        print("hugo is not installed (apt-get install hugo): skipping it", file=sys.stderr)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run.IDLE_WAIT = args.wait_idle
    c, photos = make_site(args.workdir.resolve(), args.photos, args.seed)
    print(f"newsroom: {args.runs} run(s) of {len(NEWSROOM_STEPS)} steps", file=sys.stderr)
    ours = bench_newsroom(c, photos, args.runs, args.timeout)
    rows = [Row("newsroom", label, ours[step]) for step, label in NEWSROOM_STEPS]
    theirs: dict[str, list[Sample]] = {}
    if args.hugo:
        print("hugo: preparing its site", file=sys.stderr)
        theirs = bench_hugo(c, prepare_hugo(c, photos), photos, args.runs, args.timeout)
        rows += [Row("hugo", label, theirs[step]) for step, label in HUGO_STEPS]
    elif args.skip_hugo:
        rows += [Row("hugo", label) for _, label in HUGO_STEPS]

    def median(samples: list[Sample] | None) -> float | None:
        return Row("", "", samples).seconds if samples else None

    print()
    print(f"{describe(photos)}; {len(c.articles)} articles; seed {args.seed}")
    print()
    print(table(rows, args.runs))
    print()
    print(f"- newsroom cold / Hugo cold: {run._ratio(median(ours['cold']), median(theirs.get('cold')))}")
    print(f"- newsroom no-op / Hugo warm: {run._ratio(median(ours['noop']), median(theirs.get('warm')))}")
    for name, samples in (("newsroom", ours["cold"]), ("Hugo", theirs.get("cold"))):
        ok = [s for s in samples or [] if s.returncode == 0 and s.images]
        if ok:
            print(f"- {name} cold, per image file written: {median(ok) / ok[-1].images * 1000:.0f} ms")
    print()
    print(machine())
    if any(s.busy for row in rows for s in row.samples):
        print("warning: other processes kept the CPU busy during some steps (see the notes): "
              "their times are inflated; run again on an idle machine")
    return 1 if any(s.returncode != 0 or s.problem for row in rows for s in row.samples) else 0


if __name__ == "__main__":
    sys.exit(main())
