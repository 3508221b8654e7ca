#!/usr/bin/env python3
"""Paint the illustrative sample photos used by the sample content.

Every picture is drawn procedurally with Pillow from a fixed seed, so running
the script again reproduces the same files byte for byte (for a given Pillow
build). Nothing is downloaded and no real photograph is involved.

Usage:
    python tools/sample_images.py                # writes static/images/news/
    python tools/sample_images.py --out some/dir
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

W, H = 960, 600
SS = 2  # supersampling factor: paint at 2x, downscale for smooth edges
JPEG_OPTIONS = {"quality": 72, "optimize": True, "progressive": True}

Color = tuple[int, int, int]
Point = tuple[float, float]


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------


def lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def mix(c1: Color, c2: Color, t: float) -> Color:
    return tuple(int(round(lerp(a, b, t))) for a, b in zip(c1, c2, strict=True))  # type: ignore[return-value]


def sample_stops(stops: list[tuple[float, Color]], t: float) -> Color:
    t = min(1.0, max(0.0, t))
    for (t0, c0), (t1, c1) in pairwise(stops):
        if t <= t1:
            return mix(c0, c1, 0.0 if t1 == t0 else (t - t0) / (t1 - t0))
    return stops[-1][1]


def noise1d(rng: random.Random, n: int, wavelength: float, octaves: int = 4,
            persistence: float = 0.5) -> list[float]:
    """Smooth value noise in roughly [-1, 1], sampled at n integer positions."""
    total = [0.0] * n
    amp, wl, norm = 1.0, wavelength, 0.0
    for _ in range(octaves):
        ctrl = [rng.uniform(-1, 1) for _ in range(int(n / wl) + 3)]
        for i in range(n):
            x = i / wl
            j = int(x)
            f = x - j
            f = f * f * (3 - 2 * f)
            total[i] += amp * lerp(ctrl[j], ctrl[j + 1], f)
        norm += amp
        amp *= persistence
        wl = max(1.0, wl / 2)
    return [v / norm for v in total]


class Painter:
    """Draws in 960x600 coordinates on a supersampled RGBA canvas."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.img = Image.new("RGBA", (W * SS, H * SS), (0, 0, 0, 255))
        self.d = ImageDraw.Draw(self.img)

    # -- coordinate scaling -------------------------------------------------
    @staticmethod
    def _p(points: list[Point]) -> list[Point]:
        return [(x * SS, y * SS) for x, y in points]

    # -- primitives ---------------------------------------------------------
    def poly(self, points: list[Point], fill, d=None) -> None:
        (d or self.d).polygon(self._p(points), fill=fill)

    def rect(self, x0, y0, x1, y1, fill, d=None) -> None:
        (d or self.d).rectangle([x0 * SS, y0 * SS, x1 * SS, y1 * SS], fill=fill)

    def ellipse(self, cx, cy, rx, ry, fill=None, outline=None, width=1, d=None) -> None:
        (d or self.d).ellipse(
            [(cx - rx) * SS, (cy - ry) * SS, (cx + rx) * SS, (cy + ry) * SS],
            fill=fill, outline=outline, width=max(1, int(width * SS)),
        )

    def line(self, points: list[Point], fill, width: float = 1, d=None) -> None:
        (d or self.d).line(self._p(points), fill=fill, width=max(1, int(round(width * SS))),
                           joint="curve")

    def arc(self, cx, cy, rx, ry, start, end, fill, width=1, d=None) -> None:
        (d or self.d).arc(
            [(cx - rx) * SS, (cy - ry) * SS, (cx + rx) * SS, (cy + ry) * SS],
            start, end, fill=fill, width=max(1, int(round(width * SS))),
        )

    # -- layers -------------------------------------------------------------
    @contextmanager
    def layer(self, blur: float = 0, clip: list[Point] | None = None) -> Iterator:
        lay = Image.new("RGBA", self.img.size, (0, 0, 0, 0))
        yield ImageDraw.Draw(lay)
        if blur:  # blur premultiplied so soft edges do not darken
            lay = lay.convert("RGBa").filter(ImageFilter.GaussianBlur(blur * SS)).convert("RGBA")
        if clip is not None:
            mask = Image.new("L", self.img.size, 0)
            ImageDraw.Draw(mask).polygon(self._p(clip), fill=255)
            alpha = lay.getchannel("A")
            lay.putalpha(Image.composite(alpha, mask, mask))
        self.img.alpha_composite(lay)

    # -- compound shapes ----------------------------------------------------
    def vgradient(self, stops: list[tuple[float, Color]], y0: float = 0, y1: float = H,
                  d=None) -> None:
        a, b = int(y0 * SS), int(y1 * SS)
        draw = d or self.d
        for py in range(a, b):
            t = (py - a) / max(1, b - a - 1)
            draw.line([(0, py), (W * SS, py)], fill=sample_stops(stops, t))

    def ridge(self, base: float, amp: float, wavelength: float, fill, octaves: int = 4,
              bottom: float = H, x0: float = 0, x1: float = W, d=None) -> list[float]:
        """A mountain ridge polygon; returns the ridge height for every x (step 1)."""
        n = int(x1 - x0) + 1
        heights = [base - amp * v for v in noise1d(self.rng, n, wavelength, octaves)]
        pts = [(x0 + i, heights[i]) for i in range(0, n, 3)] + [(x1, heights[-1])]
        self.poly(pts + [(x1, bottom), (x0, bottom)], fill, d=d)
        return heights

    def sun(self, cx, cy, r, core: Color, halo: Color, halo_r: float) -> None:
        with self.layer(blur=halo_r / 3) as d:
            self.ellipse(cx, cy, halo_r, halo_r, fill=halo + (150,), d=d)
        self.ellipse(cx, cy, r, r, fill=core)

    def clouds(self, count: int, y_range: tuple[float, float], color: Color,
               alpha: int = 170, size: float = 1.0) -> None:
        rng = self.rng
        with self.layer(blur=6 * size) as d:
            for _ in range(count):
                cx = rng.uniform(-40, W + 40)
                cy = rng.uniform(*y_range)
                for _ in range(rng.randint(4, 7)):
                    rx = rng.uniform(30, 70) * size
                    self.ellipse(cx + rng.uniform(-70, 70) * size, cy + rng.uniform(-10, 8) * size,
                                 rx, rx * rng.uniform(0.35, 0.55), fill=color + (alpha,), d=d)

    def round_tree(self, x, base, h, crown: Color, trunk: Color = (70, 50, 35),
                   fruit: Color | None = None, fruit_n: int = 0, d=None) -> None:
        rng = self.rng
        self.rect(x - h * 0.04, base - h * 0.45, x + h * 0.04, base, trunk, d=d)
        r = h * 0.32
        cy = base - h * 0.62
        for _ in range(6):
            dx, dy = rng.uniform(-r * 0.6, r * 0.6), rng.uniform(-r * 0.4, r * 0.3)
            rr = r * rng.uniform(0.55, 0.8)
            shade = mix(crown, (0, 0, 0), rng.uniform(0, 0.25))
            self.ellipse(x + dx, cy + dy, rr, rr * 0.85, fill=shade, d=d)
        self.ellipse(x - r * 0.25, cy - r * 0.3, r * 0.45, r * 0.35,
                     fill=mix(crown, (255, 255, 210), 0.18), d=d)
        for _ in range(fruit_n):
            ang = rng.uniform(0, math.tau)
            dist = r * math.sqrt(rng.uniform(0, 1)) * 0.95
            fr = max(1.2, h * 0.022)
            self.ellipse(x + math.cos(ang) * dist * 1.2, cy + math.sin(ang) * dist * 0.9,
                         fr, fr, fill=fruit, d=d)

    def willow(self, x, base, h, leaf: Color, trunk: Color = (80, 65, 50)) -> None:
        rng = self.rng
        self.line([(x, base), (x - h * 0.03, base - h * 0.5), (x + h * 0.02, base - h * 0.88)],
                  trunk, width=max(1.5, h * 0.04))
        top = base - h
        for _ in range(5):
            self.ellipse(x + rng.uniform(-h * 0.18, h * 0.18), top + h * rng.uniform(0.1, 0.2),
                         h * 0.16, h * 0.12, fill=mix(leaf, (20, 40, 10), rng.uniform(0.1, 0.3)))
        for _ in range(int(24 + h * 0.25)):
            sx = x + rng.uniform(-h * 0.32, h * 0.32)
            sy = top + h * 0.08 + abs(sx - x) * 0.45 + rng.uniform(0, h * 0.1)
            length = h * rng.uniform(0.25, 0.6)
            col = mix(leaf, (20, 40, 10), rng.uniform(0, 0.35))
            sway = rng.uniform(-0.05, 0.05) * h
            self.line([(sx, sy), (sx + sway * 0.3, sy + length * 0.5), (sx + sway, sy + length)],
                      col, width=max(1.0, h * 0.011))

    def hip_roof(self, x0, x1, eave_y, h, fill, overhang: float = 18) -> None:
        w = x1 - x0
        self.poly([
            (x0 - overhang, eave_y - h * 0.35), (x0 - overhang * 0.55, eave_y),
            (x1 + overhang * 0.55, eave_y), (x1 + overhang, eave_y - h * 0.35),
            (x1 - w * 0.18, eave_y - h), (x0 + w * 0.18, eave_y - h),
        ], fill)

    def lantern(self, cx, cy, r, body: Color = (215, 35, 30), glow: bool = True, d=None) -> None:
        if glow:
            with self.layer(blur=r * 1.2) as gd:
                self.ellipse(cx, cy, r * 2.2, r * 2.0, fill=(255, 120, 40, 120), d=gd)
        self.line([(cx, cy - r * 1.6), (cx, cy - r)], (40, 30, 25), width=max(1, r * 0.12), d=d)
        self.ellipse(cx, cy, r, r * 0.85, fill=body, d=d)
        self.ellipse(cx - r * 0.25, cy - r * 0.2, r * 0.4, r * 0.35,
                     fill=mix(body, (255, 230, 150), 0.45), d=d)
        self.rect(cx - r * 0.45, cy - r * 0.95, cx + r * 0.45, cy - r * 0.7, (200, 160, 60), d=d)
        self.rect(cx - r * 0.45, cy + r * 0.7, cx + r * 0.45, cy + r * 0.95, (200, 160, 60), d=d)
        self.line([(cx, cy + r * 0.95), (cx, cy + r * 1.7)], (230, 180, 60),
                  width=max(1, r * 0.15), d=d)

    def person(self, x, feet, h, shirt: Color, trousers: Color = (40, 40, 50),
               skin: Color = (205, 160, 125), stride: float = 0.0, d=None) -> None:
        """A simple standing/walking/running figure, feet at (x, feet)."""
        hip = feet - h * 0.47
        neck = feet - h * 0.84
        s = stride * h * 0.18
        lw = max(1.0, h * 0.07)
        self.line([(x - s, feet), (x, hip)], trousers, width=lw, d=d)
        self.line([(x + s, feet), (x, hip)], trousers, width=lw, d=d)
        self.poly([(x - h * 0.1, neck), (x + h * 0.1, neck), (x + h * 0.08, hip),
                   (x - h * 0.08, hip)], shirt, d=d)
        self.line([(x - h * 0.09, neck + h * 0.03), (x - h * 0.12 - s * 0.6, hip - h * 0.02)],
                  shirt, width=lw * 0.8, d=d)
        self.line([(x + h * 0.09, neck + h * 0.03), (x + h * 0.12 + s * 0.6, hip - h * 0.05)],
                  shirt, width=lw * 0.8, d=d)
        self.ellipse(x, neck - h * 0.07, h * 0.065, h * 0.075, fill=skin, d=d)
        self.ellipse(x, neck - h * 0.11, h * 0.066, h * 0.04, fill=(35, 28, 25), d=d)

    def finish(self) -> Image.Image:
        return self.img.convert("RGB").resize((W, H), Image.Resampling.LANCZOS)


# --------------------------------------------------------------------------
# scenes
# --------------------------------------------------------------------------


def changzhi_greenway(p: Painter) -> None:
    rng = p.rng
    horizon = 322
    p.vgradient([(0, (138, 182, 224)), (0.7, (214, 224, 222)), (1, (244, 226, 196))], 0, horizon)
    p.sun(770, 120, 26, (255, 246, 220), (255, 232, 180), 110)
    p.clouds(6, (40, 150), (255, 255, 255), alpha=150)
    p.ridge(268, 38, 260, (150, 170, 190))
    p.ridge(300, 22, 160, (118, 146, 140))
    p.vgradient([(0, (128, 160, 94)), (1, (74, 122, 58))], horizon - 6, H)

    def path_l(y):
        return lerp(515, 150, (y - horizon) / (H - horizon))

    def path_r(y):
        return lerp(532, 470, (y - horizon) / (H - horizon))

    def river_l(y):
        return lerp(566, 640, (y - horizon) / (H - horizon))

    # river with sky reflections
    river = [(560, horizon - 2), (720, horizon - 2), (W, 360), (W, H), (640, H)]
    with p.layer(clip=river) as d:
        p.vgradient([(0, (196, 214, 222)), (1, (88, 140, 172))], horizon - 2, H, d=d)
        for _ in range(70):
            y = rng.uniform(horizon, H)
            x = rng.uniform(river_l(y), W)
            ln = rng.uniform(10, 60) * (y - horizon + 20) / 200
            p.line([(x, y), (x + ln, y)], (230, 240, 245, 140), width=1.2, d=d)
    # path: pale edges and a terracotta cycle lane
    p.poly([(path_l(horizon) - 4, horizon), (path_r(horizon) + 3, horizon),
            (path_r(H) + 18, H), (path_l(H) - 24, H)], (214, 206, 188))
    p.poly([(path_l(horizon), horizon), (path_r(horizon), horizon), (path_r(H), H),
            (path_l(H), H)], (184, 104, 84))
    for i in range(14):
        t0, t1 = (i / 14) ** 1.7, ((i + 0.5) / 14) ** 1.7
        y0, y1 = lerp(horizon, H, t0), lerp(horizon, H, t1)
        p.line([((path_l(y0) + path_r(y0)) / 2, y0), ((path_l(y1) + path_r(y1)) / 2, y1)],
               (240, 236, 220), width=1 + 3 * t1)
    # willows on both sides, far to near
    for i in range(7):
        t = ((6 - i) / 6) ** 1.6
        y = lerp(horizon + 6, H - 20, t)
        s = (y - horizon) / (H - horizon)
        h = 36 + 250 * s
        p.willow((path_r(y) + river_l(y)) / 2 + 10 + 30 * s, y, h, (112, 158, 70))
        p.willow(path_l(y) - 30 - 160 * s, y + 6, h * 1.05, (98, 146, 62))
    # two cyclists
    for cx, cy, sc, shirt in [(372, 498, 1.0, (230, 90, 60)), (448, 420, 0.62, (60, 120, 200))]:
        wr = 20 * sc
        for wx in (cx - 30 * sc, cx + 30 * sc):
            p.ellipse(wx, cy, wr, wr, outline=(30, 30, 35), width=2.5 * sc)
        p.line([(cx - 30 * sc, cy), (cx - 4 * sc, cy - 26 * sc), (cx + 30 * sc, cy),
                (cx + 6 * sc, cy), (cx - 30 * sc, cy)], (40, 40, 45), width=2.5 * sc)
        p.line([(cx - 2 * sc, cy - 30 * sc), (cx + 8 * sc, cy - 70 * sc)], shirt, width=11 * sc)
        p.line([(cx + 8 * sc, cy - 62 * sc), (cx + 28 * sc, cy - 34 * sc)], shirt, width=5 * sc)
        p.line([(cx - 2 * sc, cy - 30 * sc), (cx + 8 * sc, cy - 8 * sc)], (35, 35, 60),
               width=6 * sc)
        p.ellipse(cx + 10 * sc, cy - 82 * sc, 8 * sc, 8 * sc, fill=(60, 60, 70))


def changzhi_rail_viaduct(p: Painter) -> None:
    rng = p.rng
    p.vgradient([(0, (112, 160, 212)), (1, (222, 232, 238))], 0, 340)
    p.clouds(9, (30, 170), (250, 250, 252), alpha=190, size=1.3)
    p.ridge(236, 40, 300, (160, 176, 196))
    p.ridge(276, 30, 200, (128, 150, 150))
    ground = p.ridge(320, 10, 220, (150, 150, 96))
    # fields: bands getting thicker toward the viewer
    y = 330.0
    palette = [(206, 186, 118), (136, 160, 82), (160, 126, 86), (186, 170, 100), (118, 146, 74)]
    k = 0
    while y < H:
        th = 8 + (y - 330) * 0.3
        skew = rng.uniform(-20, 20)
        p.poly([(0, y + skew * 0.3), (W, y - skew * 0.3), (W, y + th - skew * 0.3 + 2),
                (0, y + th + skew * 0.3 + 2)], palette[k % len(palette)])
        for _ in range(int(th / 6)):
            yy = y + rng.uniform(0, th)
            p.line([(0, yy), (W, yy + rng.uniform(-3, 3))],
                   mix(palette[k % len(palette)], (60, 60, 30), 0.15), width=1)
        y += th
        k += 1
    # viaduct
    deck = 286
    for x in range(20, W, 74):
        gy = ground[min(len(ground) - 1, x)] + 40
        p.poly([(x - 7, deck + 10), (x + 7, deck + 10), (x + 9, gy), (x - 9, gy)], (180, 180, 176))
        p.poly([(x + 3, deck + 10), (x + 7, deck + 10), (x + 9, gy), (x + 4, gy)], (150, 150, 148))
    p.rect(0, deck, W, deck + 12, (206, 206, 202))
    p.rect(0, deck + 9, W, deck + 13, (150, 150, 150))
    # train with a rounded nose
    tx0, tx1, top = 120, 810, deck - 26
    p.poly([(tx0, deck), (tx0, top + 4), (tx0 + 4, top), (tx1 - 40, top), (tx1 + 10, top + 14),
            (tx1 + 28, deck - 2), (tx1 + 28, deck)], (242, 244, 246))
    p.rect(tx0, deck - 9, tx1 + 20, deck - 5, (36, 92, 176))
    p.rect(tx0 + 6, top + 6, tx1 - 36, top + 13, (50, 62, 80))
    p.poly([(tx1 - 34, top + 3), (tx1 + 2, top + 13), (tx1 - 34, top + 13)], (50, 62, 80))
    for x in range(tx0 + 86, tx1 - 30, 88):
        p.line([(x, top + 2), (x, deck - 1)], (190, 194, 200), width=1.5)
    # catenary posts
    for x in range(40, W, 148):
        p.line([(x, deck), (x, deck - 44)], (110, 110, 115), width=2)
        p.line([(x - 12, deck - 40), (x + 12, deck - 40)], (110, 110, 115), width=1.5)
    p.line([(0, deck - 38), (W, deck - 38)], (90, 90, 95), width=1)
    # poplars in the foreground
    for x in (70, 110, 870, 905, 935):
        base = rng.uniform(560, 600)
        hgt = rng.uniform(150, 210)
        p.rect(x - 2, base - hgt * 0.3, x + 2, base, (80, 70, 55))
        p.ellipse(x, base - hgt * 0.62, hgt * 0.12, hgt * 0.38, fill=(96, 130, 60))
        p.ellipse(x - 4, base - hgt * 0.7, hgt * 0.06, hgt * 0.25, fill=(126, 160, 80))


def taihang_trail(p: Painter) -> None:
    rng = p.rng
    p.vgradient([(0, (92, 142, 204)), (0.75, (206, 214, 220)), (1, (236, 222, 198))], 0, 380)
    p.clouds(5, (30, 110), (255, 255, 255), alpha=170)
    p.ridge(250, 50, 220, (162, 176, 196))
    p.ridge(300, 40, 180, (140, 150, 166))

    def cliff(x0, x1, top, top_var, body: Color, strata: Color, face_to_right: bool):
        n = int(x1 - x0)
        tops = [top - top_var * v for v in noise1d(rng, n + 1, 60, 3)]
        pts = [(x0 + i, tops[i]) for i in range(0, n + 1, 4)]
        outline = pts + [(x1, H), (x0, H)]
        p.poly(outline, body)
        with p.layer(clip=outline) as d:
            y = min(tops) - 4
            while y < H:
                p.line([(x0, y), (x1, y + rng.uniform(-6, 6))], strata + (160,),
                       width=rng.uniform(1.5, 4), d=d)
                y += rng.uniform(9, 22)
            # shaded face on the valley side
            edge = x1 if face_to_right else x0
            sign = -1 if face_to_right else 1
            p.poly([(edge, 0), (edge + sign * 90, 0), (edge + sign * 40, H), (edge, H)],
                   (60, 30, 20, 70), d=d)
        return tops

    cliff(-10, 380, 130, 50, (176, 104, 72), (130, 70, 50), True)
    cliff(640, W + 10, 110, 60, (164, 96, 66), (120, 64, 44), False)
    # clouds filling the valley
    with p.layer(blur=10) as d:
        for _ in range(26):
            cx = rng.uniform(300, 700)
            cy = rng.uniform(380, 470)
            p.ellipse(cx, cy, rng.uniform(40, 90), rng.uniform(14, 26),
                      fill=(250, 250, 250, 200), d=d)
    # foreground slope with autumn trees
    slope = p.ridge(500, 30, 240, (124, 110, 64))
    autumn = [(212, 92, 40), (230, 150, 50), (190, 60, 40), (150, 140, 60), (226, 190, 80)]
    for _ in range(120):
        x = rng.uniform(0, W)
        y = slope[int(min(W, max(0, x)))] + rng.uniform(4, 120)
        r = 6 + (y - 470) * 0.12
        p.ellipse(x, y, r, r * 0.8, fill=rng.choice(autumn))
    # switchback trail with a hiker
    trail = [(120, 600), (560, 566), (300, 540), (640, 520), (470, 500)]
    p.line(trail, (228, 210, 170), width=5)
    hx, hy = 505, 532
    p.person(hx, hy, 34, (40, 110, 170), stride=0.5)
    p.rect(hx - 9, hy - 30, hx - 2, hy - 18, (200, 70, 40))


def taiyuan_fen_river_bridge(p: Painter) -> None:
    rng = p.rng
    horizon = 330
    sky = [(0, (38, 38, 88)), (0.55, (150, 84, 120)), (1, (250, 164, 92))]
    p.vgradient(sky, 0, horizon)
    p.sun(300, horizon - 8, 22, (255, 226, 160), (255, 170, 90), 120)
    # water: mirrored sky, darker
    p.vgradient([(0, (220, 140, 88)), (0.4, (120, 70, 100)), (1, (28, 30, 64))], horizon, H)
    # skyline
    lights = []
    x = 0.0
    while x < W:
        bw = rng.uniform(24, 60)
        bh = rng.uniform(30, 170) * (0.55 if 220 < x < 380 else 1.0)
        col = mix((30, 30, 58), (70, 50, 80), rng.uniform(0, 1))
        p.rect(x, horizon - bh, x + bw, horizon, col)
        for wy in range(int(horizon - bh + 6), int(horizon - 4), 9):
            for wx in range(int(x + 4), int(x + bw - 4), 8):
                if rng.random() < 0.22:
                    p.rect(wx, wy, wx + 3, wy + 4, (255, 212, 134))
                    if rng.random() < 0.3:
                        lights.append((wx + 1.5, wy))
        x += bw + rng.uniform(0, 6)
    p.rect(0, horizon - 3, W, horizon + 2, (26, 26, 46))
    with p.layer(blur=2.5) as d:
        for lx, ly in lights:
            ry = horizon + (horizon - ly)
            p.rect(lx - 1.5, ry - 1, lx + 1.5, ry + 10, (255, 200, 120, 150), d=d)
        for _ in range(60):
            yy = rng.uniform(horizon + 4, H)
            xx = rng.uniform(0, W)
            p.line([(xx, yy), (xx + rng.uniform(20, 80), yy)], (255, 190, 140, 70), width=1.5,
                   d=d)
    # footbridge with a white arch
    deck = 420
    ax0, ax1, apex = 180, 780, 236
    arch = [(ax0 + (ax1 - ax0) * t, deck - (deck - apex) * (1 - (2 * t - 1) ** 2))
            for t in [i / 60 for i in range(61)]]
    with p.layer(blur=4) as d:  # reflection
        p.line([(x_, 2 * deck + 40 - y_) for x_, y_ in arch], (240, 230, 230, 90), width=8, d=d)
    for i in range(4, 57, 4):
        x_, y_ = arch[i]
        p.line([(x_, y_), (x_, deck)], (220, 220, 228), width=1.2)
    p.line(arch, (246, 244, 246), width=7)
    p.rect(0, deck, W, deck + 10, (60, 56, 78))
    p.rect(0, deck - 8, W, deck - 6, (120, 110, 130))
    for x_ in range(0, W, 14):
        p.line([(x_, deck - 7), (x_, deck)], (90, 84, 104), width=1)
    for x_ in (ax0, ax1, 40, 920):
        p.rect(x_ - 9, deck + 10, x_ + 9, 470, (44, 40, 62))
    with p.layer(blur=3) as d:
        for x_ in range(10, W, 40):
            p.ellipse(x_, deck - 10, 5, 5, fill=(255, 230, 170, 220), d=d)
    for x_ in range(10, W, 40):
        p.ellipse(x_, deck - 10, 1.6, 1.6, fill=(255, 246, 220))
    # embankment railing in the foreground
    p.rect(0, 566, W, H, (22, 22, 36))
    p.rect(0, 540, W, 545, (30, 30, 46))
    for x_ in range(6, W, 36):
        p.rect(x_, 540, x_ + 5, 566, (30, 30, 46))


def taiyuan_marathon(p: Painter) -> None:
    rng = p.rng
    horizon = 280
    vx = 480
    p.vgradient([(0, (100, 164, 228)), (1, (214, 232, 244))], 0, horizon)
    p.clouds(5, (40, 140), (255, 255, 255), alpha=170)
    x = 0.0
    while x < W:
        bw = rng.uniform(30, 80)
        bh = rng.uniform(40, 200)
        col = mix((150, 170, 196), (196, 206, 218), rng.uniform(0, 1))
        p.rect(x, horizon - bh, x + bw, horizon + 2, col)
        for wy in range(int(horizon - bh + 8), horizon - 4, 12):
            p.line([(x + 3, wy), (x + bw - 3, wy)], mix(col, (255, 255, 255), 0.25), width=2)
        x += bw + rng.uniform(2, 12)
    # pavements and road
    p.poly([(0, horizon), (W, horizon), (W, H), (0, H)], (170, 166, 156))
    p.poly([(vx - 12, horizon), (vx + 12, horizon), (W + 120, H), (-120, H)], (96, 98, 104))
    for side in (-1, 1):
        p.line([(vx + side * 10, horizon), (vx + side * (W * 0.5 + 60), H)], (236, 236, 232),
               width=3)
    for i in range(10):
        t0, t1 = (i / 10) ** 1.8, ((i + 0.45) / 10) ** 1.8
        p.line([(vx, lerp(horizon, H, t0)), (vx, lerp(horizon, H, t1))], (240, 210, 70),
               width=1 + 4 * t1)
    # street trees in perspective
    for i in range(9):
        t = ((8 - i) / 8) ** 1.5
        y = lerp(horizon + 4, H + 60, t)
        s = (y - horizon) / (H - horizon)
        h = 30 + 360 * s
        for side in (-1, 1):
            x_ = vx + side * (30 + (W * 0.62) * s)
            p.round_tree(x_, y, h, (70, 130, 60))
    # start arch
    ay, ah, aw = 360, 120, 250
    p.rect(vx - aw - 14, ay - ah, vx - aw + 8, ay, (200, 40, 40))
    p.rect(vx + aw - 8, ay - ah, vx + aw + 14, ay, (200, 40, 40))
    p.rect(vx - aw - 14, ay - ah - 26, vx + aw + 14, ay - ah + 10, (206, 44, 44))
    for i in range(9):
        bx = vx - 170 + i * 40
        p.rect(bx, ay - ah - 16, bx + 24, ay - ah, (250, 236, 200))
    # runners, far to near
    runners = []
    for _ in range(34):
        y = lerp(ay - 4, H + 40, rng.random() ** 1.5)
        s = (y - horizon) / (H - horizon)
        spread = (W * 0.42) * s
        runners.append((y, vx + rng.uniform(-spread, spread), s))
    shirts = [(230, 80, 60), (40, 120, 200), (250, 200, 40), (60, 170, 110), (240, 240, 240),
              (220, 90, 160), (250, 130, 40)]
    for y, x_, s in sorted(runners):
        p.person(x_, y, 26 + 190 * s, rng.choice(shirts), trousers=rng.choice(
            [(30, 30, 40), (40, 60, 120), (60, 60, 60)]), stride=rng.uniform(-1, 1))


def taiyuan_vinegar_jars(p: Painter) -> None:
    rng = p.rng
    p.vgradient([(0, (150, 190, 226)), (1, (214, 226, 232))], 0, 130)
    # tiled roof and grey brick wall
    p.rect(0, 118, W, 330, (150, 146, 140))
    with p.layer(clip=[(0, 128), (W, 128), (W, 330), (0, 330)]) as d:
        for i, y in enumerate(range(130, 330, 10)):
            p.line([(0, y), (W, y)], (126, 122, 118, 200), width=1.2, d=d)
            off = 0 if i % 2 else 18
            for x in range(off, W, 36):
                p.line([(x, y), (x, y + 10)], (126, 122, 118, 160), width=1, d=d)
    p.poly([(0, 96), (W, 96), (W, 132), (0, 132)], (70, 72, 78))
    for x in range(0, W, 12):
        p.line([(x, 98), (x, 131)], (96, 98, 104), width=2)
    p.rect(0, 90, W, 98, (58, 58, 64))
    # a doorway with red couplets
    p.rect(660, 190, 760, 330, (70, 50, 40))
    p.rect(646, 186, 660, 320, (196, 40, 36))
    p.rect(760, 186, 774, 320, (196, 40, 36))
    p.rect(664, 176, 756, 190, (196, 40, 36))
    # courtyard floor
    p.vgradient([(0, (182, 166, 140)), (1, (206, 188, 158))], 330, H)
    for i in range(1, 8):
        y = 330 + (i / 8) ** 1.6 * 270
        p.line([(0, y), (W, y)], (170, 152, 126), width=1)
    # rows of jars, back to front
    rows = [(356, 0.42, 15), (392, 0.55, 12), (446, 0.72, 9), (528, 0.95, 7), (640, 1.22, 5)]
    for y, s, count in rows:
        spacing = W / (count - 0.4)
        off = rng.uniform(-0.3, 0.3) * spacing
        for i in range(count + 1):
            cx = off + i * spacing + rng.uniform(-6, 6) * s
            r = 58 * s
            hgt = 120 * s
            with p.layer(blur=6 * s) as d:
                p.ellipse(cx + 24 * s, y + 2, r * 1.3, r * 0.3, fill=(80, 60, 40, 110), d=d)
            body = [(cx - r * 0.55, y), (cx - r * 1.0, y - hgt * 0.55),
                    (cx - r * 0.9, y - hgt * 0.82), (cx - r * 0.55, y - hgt),
                    (cx + r * 0.55, y - hgt), (cx + r * 0.9, y - hgt * 0.82),
                    (cx + r * 1.0, y - hgt * 0.55), (cx + r * 0.55, y)]
            glaze = mix((62, 36, 24), (92, 52, 30), rng.random())
            p.poly(body, glaze)
            p.ellipse(cx - r * 0.45, y - hgt * 0.62, r * 0.16, r * 0.42,
                      fill=mix(glaze, (230, 200, 170), 0.45))
            p.ellipse(cx, y - hgt, r * 0.6, r * 0.16, fill=(40, 26, 20))
            # conical woven lid
            lid = (202, 172, 112) if rng.random() < 0.7 else (150, 150, 146)
            p.poly([(cx - r * 0.82, y - hgt + 2), (cx + r * 0.82, y - hgt + 2),
                    (cx, y - hgt - r * 0.55)], lid)
            p.line([(cx - r * 0.82, y - hgt + 2), (cx + r * 0.82, y - hgt + 2)],
                   mix(lid, (0, 0, 0), 0.3), width=max(1, 2 * s))
            if rng.random() < 0.3:
                p.rect(cx - r * 0.18, y - hgt * 0.55, cx + r * 0.18, y - hgt * 0.3, (200, 40, 36))


def yungang_grottoes(p: Painter) -> None:
    rng = p.rng
    p.vgradient([(0, (80, 142, 214)), (1, (196, 218, 236))], 0, 220)
    p.clouds(4, (20, 90), (255, 255, 255), alpha=160)
    n = W + 1
    tops = [110 - 22 * v for v in noise1d(rng, n, 90, 3)]
    cliff = [(i, tops[i]) for i in range(0, n, 4)] + [(W, H), (0, H)]
    with p.layer(clip=cliff) as d:
        p.vgradient([(0, (216, 178, 130)), (1, (176, 132, 92))], 80, 480, d=d)
        for _ in range(140):
            x = rng.uniform(0, W)
            y0 = rng.uniform(90, 420)
            p.line([(x, y0), (x + rng.uniform(-4, 4), y0 + rng.uniform(20, 90))],
                   (140, 100, 70, 60), width=rng.uniform(1, 3), d=d)
        for y in range(120, 480, 26):
            p.line([(0, y + rng.uniform(-4, 4)), (W, y + rng.uniform(-4, 4))], (160, 118, 80, 90),
                   width=2, d=d)

    def niche(x, y, w, h, depth: Color, figure: Color):
        p.rect(x, y + w / 2, x + w, y + h, depth)
        p.ellipse(x + w / 2, y + w / 2, w / 2, w / 2, fill=depth)
        fx, fw = x + w / 2, w * 0.3
        p.ellipse(fx, y + h * 0.34, fw * 0.45, fw * 0.5, fill=figure)
        p.poly([(fx - fw, y + h), (fx - fw * 0.6, y + h * 0.48), (fx + fw * 0.6, y + h * 0.48),
                (fx + fw, y + h)], figure)

    # rows of small niches around the big one
    for row_y, size in [(150, 30), (200, 40), (268, 52), (346, 44)]:
        x = rng.uniform(4, 20)
        while x < W - size:
            if not (330 < x + size and x < 630):
                if rng.random() < 0.8:
                    niche(x, row_y + rng.uniform(-6, 6), size * rng.uniform(0.8, 1.1),
                          size * 1.4, (104, 74, 54), (178, 140, 100))
            x += size * rng.uniform(1.3, 1.9)
    # the great niche with a seated figure
    cx = 480
    p.rect(350, 250, 610, 470, (96, 66, 48))
    p.ellipse(cx, 250, 130, 120, fill=(96, 66, 48))
    for i, r in enumerate(range(110, 50, -14)):
        p.arc(cx, 238, r, r, 180, 360, (150, 110, 78) if i % 2 else (124, 88, 62), width=5)
    stone = (206, 164, 118)
    shade = (170, 128, 90)
    p.poly([(372, 470), (392, 350), (430, 300), (530, 300), (568, 350), (588, 470)], stone)
    p.poly([(400, 470), (420, 400), (540, 400), (560, 470)], shade)
    p.ellipse(cx, 405, 68, 22, fill=(190, 148, 104))
    p.ellipse(cx, 250, 38, 48, fill=stone)
    p.ellipse(cx, 200, 22, 16, fill=shade)
    p.ellipse(cx - 36, 258, 6, 20, fill=shade)
    p.ellipse(cx + 36, 258, 6, 20, fill=shade)
    p.line([(cx - 14, 248), (cx - 4, 248)], (140, 100, 70), width=2)
    p.line([(cx + 4, 248), (cx + 14, 248)], (140, 100, 70), width=2)
    p.poly([(cx - 40, 296), (cx + 40, 296), (cx + 30, 310), (cx - 30, 310)], shade)
    # plaza, trees and visitors
    p.vgradient([(0, (196, 186, 170)), (1, (212, 204, 190))], 470, H)
    for i in range(6):
        y = 470 + (i / 6) ** 1.5 * 130
        p.line([(0, y), (W, y)], (182, 172, 156), width=1)
    for x in (40, 110, 860, 920):
        p.round_tree(x, 520 + rng.uniform(-10, 10), rng.uniform(150, 190), (64, 110, 56))
    coats = [(200, 60, 50), (40, 70, 130), (230, 200, 80), (60, 60, 64), (240, 240, 236),
             (90, 140, 90)]
    for _ in range(24):
        y = rng.uniform(490, 590)
        p.person(rng.uniform(160, 820), y, 30 + (y - 480) * 0.45, rng.choice(coats),
                 stride=rng.uniform(-0.4, 0.4))


def datong_city_wall(p: Painter) -> None:
    rng = p.rng
    p.vgradient([(0, (18, 34, 84)), (0.6, (70, 90, 150)), (1, (210, 150, 128))], 0, 300)
    with p.layer(blur=0.6) as d:
        for _ in range(50):
            p.ellipse(rng.uniform(0, W), rng.uniform(0, 120), 0.8, 0.8,
                      fill=(255, 255, 240, 200), d=d)
    p.ridge(292, 18, 240, (60, 62, 96))
    top, bottom = 250, 420
    p.rect(0, top, W, bottom, (92, 84, 92))
    for i, y in enumerate(range(top + 8, bottom, 9)):
        p.line([(0, y), (W, y)], (78, 70, 80), width=1)
        off = 0 if i % 2 else 14
        for x in range(off, W, 28):
            p.line([(x, y - 9), (x, y)], (84, 76, 86), width=1)
    p.poly([(0, bottom - 20), (W, bottom - 20), (W, bottom), (0, bottom)], (70, 62, 72))
    for x in range(0, W, 26):
        p.rect(x, top - 14, x + 15, top, (92, 84, 92))
    # gate opening
    p.rect(436, 330, 524, bottom, (255, 190, 110))
    p.ellipse(480, 330, 44, 40, fill=(255, 190, 110))
    with p.layer(blur=14) as d:
        p.ellipse(480, 370, 90, 70, fill=(255, 170, 90, 120), d=d)
    # gate tower: two tiers of upturned roofs
    p.rect(380, 176, 580, top - 14, (120, 48, 40))
    for x in range(392, 572, 22):
        p.rect(x, 186, x + 12, top - 18, (255, 196, 120))
    with p.layer(blur=8) as d:
        p.rect(380, 180, 580, top - 14, (255, 170, 90, 90), d=d)
    p.hip_roof(370, 590, 186, 40, (34, 34, 44), overhang=30)
    p.rect(410, 120, 550, 160, (120, 48, 40))
    for x in range(420, 540, 20):
        p.rect(x, 128, x + 10, 156, (255, 204, 130))
    p.hip_roof(400, 560, 128, 52, (34, 34, 44), overhang=30)
    for x0, x1, y in ((370, 590, 186), (400, 560, 128)):
        p.line([(x0 - 30, y - 15), (x1 + 30, y - 15)], (80, 70, 70), width=1.5)
    # lanterns along the parapet
    for x in range(30, W, 62):
        if abs(x - 480) > 100:
            p.lantern(x, top + 16, 7)
    # moat reflection
    region = p.img.crop((0, 100 * SS, W * SS, bottom * SS)).transpose(
        Image.Transpose.FLIP_TOP_BOTTOM)
    water = Image.new("RGBA", region.size, (20, 30, 60, 255))
    region = Image.blend(region, water, 0.45).filter(ImageFilter.GaussianBlur(2 * SS))
    p.img.paste(region, (0, bottom * SS))
    p.d = ImageDraw.Draw(p.img)
    for _ in range(90):
        y = rng.uniform(bottom + 4, H)
        x = rng.uniform(0, W)
        p.line([(x, y), (x + rng.uniform(10, 60), y)], (150, 160, 200, 255), width=1)
    p.rect(0, bottom, W, bottom + 3, (50, 46, 60))


def jincheng_solar_farm(p: Painter) -> None:
    rng = p.rng
    p.vgradient([(0, (70, 132, 206)), (1, (222, 232, 240))], 0, 270)
    p.sun(180, 90, 20, (255, 250, 230), (255, 240, 200), 90)
    p.clouds(7, (40, 160), (255, 255, 255), alpha=200, size=1.2)
    p.ridge(230, 40, 260, (150, 166, 186))
    hill = p.ridge(270, 50, 320, (150, 146, 98))
    # disused headframe on the hill to the right
    hx = 790
    hb = hill[hx] + 8
    p.rect(hx + 30, hb - 30, hx + 100, hb, (130, 110, 96))
    p.poly([(hx + 24, hb - 30), (hx + 106, hb - 30), (hx + 96, hb - 42), (hx + 34, hb - 42)],
           (100, 84, 74))
    rust = (116, 68, 50)
    p.line([(hx - 22, hb), (hx, hb - 130)], rust, width=4)
    p.line([(hx + 22, hb), (hx, hb - 130)], rust, width=4)
    p.line([(hx + 60, hb - 40), (hx + 4, hb - 116)], rust, width=3)
    for k in range(1, 5):
        y = hb - k * 26
        half = 22 * (1 - k * 26 / 130)
        p.line([(hx - half, y), (hx + half, y)], rust, width=2)
        p.line([(hx - half, y), (hx + half * 0.7, y - 26)], rust, width=1.2)
    p.ellipse(hx, hb - 134, 13, 13, outline=rust, width=3)
    # terraced foreground slopes
    front = p.ridge(330, 22, 300, (128, 140, 78))
    # solar rows following the terrain
    for r in range(9):
        off = 6 + r * (12 + r * 4.5)
        ph = 9 + r * 4.2
        pw = 14 + r * 4
        x = -rng.uniform(0, pw)
        while x < W:
            base = front[int(min(W, max(0, x)))] + off
            if not (hx - 60 < x < hx + 140 and r < 1):
                p.poly([(x, base), (x + pw - 1, base), (x + pw - 1 + ph * 0.3, base - ph),
                        (x + ph * 0.3, base - ph)], (34, 54, 98))
                p.poly([(x + ph * 0.15, base - ph * 0.5), (x + pw - 1 + ph * 0.15, base - ph * 0.5),
                        (x + pw - 1 + ph * 0.3, base - ph), (x + ph * 0.3, base - ph)],
                       (64, 96, 156))
                p.line([(x, base), (x + pw - 1, base)], (190, 200, 214), width=max(1, ph * 0.08))
                if r > 3:
                    p.line([(x + pw * 0.5, base), (x + pw * 0.5, base + ph * 0.3)], (90, 90, 90),
                           width=1.5)
            x += pw
    # grass strip at the bottom
    p.vgradient([(0, (118, 132, 70)), (1, (96, 112, 56))], 574, H)
    for _ in range(200):
        x = rng.uniform(0, W)
        y = rng.uniform(572, H)
        p.line([(x, y), (x + rng.uniform(-3, 3), y - rng.uniform(4, 12))], (80, 100, 50),
               width=1)


def yuncheng_apple_harvest(p: Painter) -> None:
    rng = p.rng
    horizon = 262
    p.vgradient([(0, (146, 186, 222)), (1, (246, 226, 188))], 0, horizon)
    p.sun(820, 180, 24, (255, 240, 200), (255, 210, 150), 120)
    p.ridge(236, 36, 240, (150, 160, 186))
    p.vgradient([(0, (150, 152, 84)), (1, (112, 120, 58))], horizon - 4, H)
    vx = 470
    # rows of trees converging to the vanishing point
    greens = [(70, 116, 52), (84, 128, 58), (62, 104, 48)]
    for i in range(10):
        t = ((9 - i) / 9) ** 1.7
        y = lerp(horizon + 6, H + 30, t)
        s = (y - horizon) / (H - horizon)
        h = 26 + 300 * s
        for lane in (-2.6, -1.1, 1.1, 2.6):
            x = vx + lane * (18 + W * 0.24 * s)
            if -200 < x < W + 200:
                p.round_tree(x, y, h, rng.choice(greens), fruit=(206, 40, 36),
                             fruit_n=int(10 + 40 * s))
    # grass path in the middle
    p.poly([(vx - 6, horizon + 6), (vx + 6, horizon + 6), (vx + 140, H), (vx - 140, H)],
           (176, 160, 100))
    # crates of apples and a ladder
    for cx, cy, cw in [(420, 560, 90), (520, 546, 80), (470, 596, 100)]:
        p.rect(cx - cw / 2, cy - cw * 0.45, cx + cw / 2, cy, (176, 128, 76))
        for k in range(1, 3):
            yy = cy - cw * 0.45 * k / 3
            p.line([(cx - cw / 2, yy), (cx + cw / 2, yy)], (140, 98, 56), width=2)
        for _ in range(26):
            p.ellipse(cx + rng.uniform(-cw * 0.45, cw * 0.45), cy - cw * 0.45 - rng.uniform(0, 6),
                      cw * 0.06, cw * 0.06, fill=rng.choice([(200, 36, 32), (222, 66, 40),
                                                             (180, 30, 40)]))
    p.line([(640, 580), (700, 330)], (150, 110, 70), width=6)
    p.line([(690, 590), (740, 340)], (150, 110, 70), width=6)
    for k in range(1, 9):
        t = k / 9
        p.line([(lerp(640, 700, t), lerp(580, 330, t)), (lerp(690, 740, t), lerp(590, 340, t))],
               (150, 110, 70), width=4)
    # picker on the ladder
    p.person(708, 480, 130, (60, 110, 170), trousers=(50, 50, 60), stride=0.15)
    p.ellipse(708, 368, 20, 6, fill=(226, 206, 150))
    p.ellipse(708, 362, 10, 8, fill=(226, 206, 150))


def pingyao_lantern_festival(p: Painter) -> None:
    rng = p.rng
    vx, vy = 480, 330
    p.vgradient([(0, (10, 14, 40)), (1, (52, 40, 78))], 0, 340)
    # distant tower at the end of the street
    p.rect(440, 214, 520, vy, (70, 44, 40))
    p.rect(456, 240, 504, 300, (255, 190, 110))
    p.hip_roof(430, 530, 222, 30, (30, 24, 30), overhang=18)
    p.rect(452, 170, 508, 200, (80, 50, 44))
    p.rect(462, 176, 498, 196, (255, 200, 120))
    p.hip_roof(444, 516, 176, 32, (30, 24, 30), overhang=16)
    with p.layer(blur=12) as d:
        p.ellipse(480, 250, 70, 60, fill=(255, 160, 80, 90), d=d)
    # street floor with stone lines
    p.poly([(0, H), (W, H), (vx + 40, vy), (vx - 40, vy)], (70, 62, 64))
    for k in range(1, 12):
        y = lerp(vy, H, (k / 12) ** 1.6)
        p.line([(0, y), (W, y)], (58, 52, 56), width=1)
    # facades on both sides
    for side in (-1, 1):
        near_x = 0 if side < 0 else W
        far_x = vx + side * 40

        facade = [(near_x, 120), (far_x, 206), (far_x, vy), (near_x, H)]
        p.poly(facade, (62, 44, 42))
        # lit shop doors, narrowing with distance
        ts = [0.0, 0.18, 0.33, 0.46, 0.57, 0.66, 0.74, 0.81, 0.87, 0.92]
        for a, b in pairwise(ts):
            t0, t1 = a + (b - a) * 0.15, b - (b - a) * 0.15
            x0, x1 = lerp(near_x, far_x, t0), lerp(near_x, far_x, t1)
            ybot0, ybot1 = lerp(H, vy, t0), lerp(H, vy, t1)
            ytop0 = lerp(ybot0, lerp(120, 206, t0), 0.55)
            ytop1 = lerp(ybot1, lerp(120, 206, t1), 0.55)
            glow = mix((255, 190, 110), (230, 140, 70), rng.random())
            p.poly([(x0, ytop0), (x1, ytop1), (x1, ybot1), (x0, ybot0)], glow)
            for k in range(1, 4):
                u = k / 4
                xx = lerp(x0, x1, u)
                p.line([(xx, lerp(ytop0, ytop1, u)), (xx, lerp(ybot0, ybot1, u))], (110, 70, 50),
                       width=max(1, 3 * (1 - t0)))
        # eaves: a dark band with tile ribs
        eave = [(near_x, 120 - 50), (far_x, 206 - 8), (far_x, 206 + 4), (near_x, 120 + 22)]
        p.poly(eave, (28, 22, 26))
        for k in range(40):
            t = (k / 40) ** 0.8
            x = lerp(near_x, far_x, t)
            p.line([(x, lerp(70, 198, t)), (x, lerp(142, 210, t))], (44, 36, 40),
                   width=max(1, 4 * (1 - t)))
    # lantern strings across the street
    for t in (0.1, 0.3, 0.5, 0.68, 0.82):
        y = lerp(110, 214, t)
        xl, xr = lerp(0, vx - 40, t), lerp(W, vx + 40, t)
        sag = 40 * (1 - t)
        pts = [(lerp(xl, xr, u), y + sag * 4 * u * (1 - u)) for u in [i / 20 for i in range(21)]]
        p.line(pts, (30, 20, 20), width=max(1, 2 * (1 - t)))
        r = 4 + 20 * (1 - t) ** 1.5
        for u in [i / 8 for i in range(1, 8)]:
            lx = lerp(xl, xr, u)
            ly = y + sag * 4 * u * (1 - u) + r * 1.6
            p.lantern(lx, ly, r)
    # crowd in the foreground
    rows = [(520, 0.5), (560, 0.75), (600, 1.0)]
    for base, s in rows:
        x = rng.uniform(-20, 20)
        while x < W + 30:
            col = mix((20, 16, 26), (60, 40, 46), rng.random())
            hh = 80 * s
            p.ellipse(x, base - hh, 13 * s, 15 * s, fill=col)
            p.poly([(x - 34 * s, base + 30), (x - 26 * s, base - hh + 22 * s),
                    (x + 26 * s, base - hh + 22 * s), (x + 34 * s, base + 30)], col)
            if rng.random() < 0.25:
                p.lantern(x + 30 * s, base - hh - 10 * s, 9 * s, body=(236, 80, 40))
            x += rng.uniform(40, 90) * s


def hukou_waterfall(p: Painter) -> None:
    rng = p.rng
    p.vgradient([(0, (160, 184, 208)), (1, (230, 218, 196))], 0, 190)
    # loess banks
    left = [(0, 150), (180, 170), (300, 210), (340, 300), (300, 600), (0, 600)]
    right = [(W, 140), (780, 168), (650, 214), (620, 300), (680, 600), (W, 600)]
    # upper river
    p.vgradient([(0, (176, 130, 80)), (1, (150, 102, 58))], 190, 320)
    for _ in range(80):
        y = rng.uniform(196, 310)
        x = rng.uniform(150, 820)
        p.line([(x, y), (x + rng.uniform(20, 70), y + rng.uniform(-2, 2))], (196, 156, 104),
               width=1.5)
    # the plunge: cream-brown curtains into a dark chute
    p.poly([(300, 330), (660, 330), (620, H), (340, H)], (70, 52, 40))
    with p.layer(blur=1.5) as d:
        for _ in range(160):
            x0 = rng.uniform(280, 680)
            x1 = lerp(x0, 480, rng.uniform(0.2, 0.6))
            col = mix((214, 170, 110), (246, 228, 196), rng.random())
            p.line([(x0, 312), (x0, 326), (x1, lerp(430, 520, rng.random()))], col + (210,),
                   width=rng.uniform(2, 6), d=d)
    p.rect(150, 306, 800, 320, (206, 160, 100))
    # loess cliffs with layered bands
    for poly in (left, right):
        p.poly(poly, (186, 146, 98))
        with p.layer(clip=poly) as d:
            y = 150.0
            while y < H:
                p.line([(0, y), (W, y + rng.uniform(-5, 5))], (160, 120, 80, 170),
                       width=rng.uniform(1.5, 5), d=d)
                y += rng.uniform(10, 24)
    p.poly([(300, 210), (340, 300), (300, H), (270, H), (310, 300), (280, 214)], (150, 112, 74))
    p.poly([(650, 214), (620, 300), (680, H), (710, H), (650, 300), (676, 210)], (160, 120, 80))
    # mist and a faint rainbow
    with p.layer(blur=16) as d:
        for _ in range(40):
            p.ellipse(rng.uniform(300, 660), rng.uniform(380, 560), rng.uniform(40, 90),
                      rng.uniform(20, 40), fill=(248, 244, 236, 150), d=d)
    with p.layer(blur=4) as d:
        bands = [(230, 80, 70), (240, 170, 70), (240, 230, 110), (110, 190, 110), (90, 130, 210)]
        for i, col in enumerate(bands):
            r = 190 - i * 6
            p.arc(500, 560, r, r * 0.9, 200, 340, col + (70,), width=6, d=d)
    # dark foreground rocks and visitors on the right ledge
    p.poly([(0, 540), (120, 520), (260, 560), (330, H), (0, H)], (96, 80, 64))
    p.poly([(W, 500), (760, 510), (660, 560), (640, H), (W, H)], (104, 86, 68))
    coats = [(200, 50, 50), (40, 90, 160), (230, 200, 70), (240, 240, 240)]
    for i in range(6):
        x = 720 + i * 34 + rng.uniform(-6, 6)
        p.person(x, 516 + rng.uniform(-4, 4), 40, rng.choice(coats))
    p.line([(700, 496), (W, 486)], (60, 50, 44), width=3)
    for x in range(706, W, 30):
        p.line([(x, 496), (x, 514)], (60, 50, 44), width=2)


SCENES: list[tuple[str, int, Callable[[Painter], None]]] = [
    ("changzhi-greenway.jpg", 101, changzhi_greenway),
    ("changzhi-rail-viaduct.jpg", 202, changzhi_rail_viaduct),
    ("taihang-trail.jpg", 303, taihang_trail),
    ("taiyuan-fen-river-bridge.jpg", 404, taiyuan_fen_river_bridge),
    ("taiyuan-marathon.jpg", 505, taiyuan_marathon),
    ("taiyuan-vinegar-jars.jpg", 606, taiyuan_vinegar_jars),
    ("yungang-grottoes.jpg", 707, yungang_grottoes),
    ("datong-city-wall.jpg", 808, datong_city_wall),
    ("jincheng-solar-farm.jpg", 909, jincheng_solar_farm),
    ("yuncheng-apple-harvest.jpg", 1010, yuncheng_apple_harvest),
    ("pingyao-lantern-festival.jpg", 1111, pingyao_lantern_festival),
    ("hukou-waterfall.jpg", 1212, hukou_waterfall),
]


def render(name: str, seed: int, scene: Callable[[Painter], None]) -> Image.Image:
    painter = Painter(seed)
    scene(painter)
    return painter.finish()


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=root / "static" / "images" / "news")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, seed, scene in SCENES:
        target = args.out / name
        render(name, seed, scene).save(target, "JPEG", **JPEG_OPTIONS)
        size = target.stat().st_size
        total += size
        print(f"{size / 1024:6.1f} KB  {target}")
    print(f"{total / 1024:6.1f} KB  total ({len(SCENES)} images)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
