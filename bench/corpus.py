#!/usr/bin/env python3
"""Write a deterministic benchmark corpus: a complete newsroom site of N invented articles.

    python bench/corpus.py --articles 10000 --out /tmp/site [--seed 2026] [--no-theme]

DIR gets ``site.toml`` (11 Shanxi city channels, 5 sections, 20 items per index page),
``content/<channel>/<slug>.md`` (YAML front matter; 500-900 words of invented English
prose with headings, a list, a blockquote, links, sometimes a table; a third of the
articles with a lead photo), ``static/images/bench/photo-N.jpg`` (6 small JPEGs drawn
with Pillow) and, unless ``--no-theme``, ``theme/``: a copy of ``bench/themes/newsroom``
that ``site.toml`` names as its templates folder.

Article ``i`` is made from its own generator seeded with ``(seed, i)``, so the same seed
and N give byte-identical files, and a smaller corpus is a subset of a larger one.
Nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
THEME_DIR = BENCH_DIR / "themes" / "newsroom"
MARKER = ".bench-corpus"  # marks a folder this script wrote, so it may be rewritten
DEFAULT_SEED = 2026

CHANNELS = (
    ("taiyuan", "Taiyuan", "太原"), ("datong", "Datong", "大同"), ("yangquan", "Yangquan", "阳泉"),
    ("changzhi", "Changzhi", "长治"), ("jincheng", "Jincheng", "晋城"), ("shuozhou", "Shuozhou", "朔州"),
    ("jinzhong", "Jinzhong", "晋中"), ("yuncheng", "Yuncheng", "运城"), ("xinzhou", "Xinzhou", "忻州"),
    ("linfen", "Linfen", "临汾"), ("lvliang", "Lvliang", "吕梁"),
)
SECTIONS = (
    ("news", "News", "新闻"), ("business", "Business", "经济"), ("culture", "Culture", "文化"),
    ("travel", "Travel", "旅游"), ("sports", "Sports", "体育"),
)
TZ = timezone(timedelta(hours=8))
#: Articles are dated in [START, START + SPAN_MINUTES): four years up to 2026-11-21.
START = datetime(2022, 11, 21, 0, 0, tzinfo=TZ)
SPAN_MINUTES = 4 * 365 * 24 * 60
IMAGES = 6
IMAGE_SIZE = (320, 200)
PER_PAGE = 20

# -- word lists -------------------------------------------------------------------------

COUNTIES = (
    "Pingyao", "Wutai", "Qixian", "Hongdong", "Jiexiu", "Lingshi", "Gujiao", "Qingxu", "Yangcheng",
    "Huairen", "Daixian", "Fenyang", "Xiaoyi", "Jishan", "Ruicheng", "Yongji", "Hejin", "Lingqiu",
    "Zuoquan", "Heshun", "Yushe", "Qinshui", "Gaoping", "Zezhou", "Pianguan", "Hequ", "Baode", "Kelan",
)
PLACES = (
    "the old city wall", "the Fen River embankment", "the railway station square", "the county museum",
    "the new high-speed rail hub", "the provincial library", "the riverside park", "the night market",
    "the coal heritage park", "the exhibition center", "the sports stadium", "the university campus",
    "the industrial park", "the ancient temple fair", "the mountain scenic area", "the wetland reserve",
    "the vinegar workshop district", "the grand theater", "the bus terminal", "the farmers' market",
)
ORGS = (
    "the municipal government", "the city's culture and tourism bureau", "the provincial museum",
    "the local transport authority", "the county education office", "a regional energy company",
    "the chamber of commerce", "the city's health commission", "a village cooperative",
    "the environmental protection bureau", "the provincial sports bureau", "a private logistics firm",
    "the housing and construction bureau", "the agricultural technology station", "a local brewery",
    "the city's water authority", "the provincial opera troupe", "a start-up incubator",
)
ORG_SHORT = (
    "council", "museum", "bureau", "cooperative", "company", "university", "hospital", "library",
    "theater", "railway", "club", "school", "market", "festival", "park", "factory",
)
SURNAMES = ("Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun",
            "Guo", "Ma", "Hu", "Lin", "He", "Gao", "Luo", "Zheng", "Han", "Feng", "Qin", "Du")
GIVEN = ("Na", "Wei", "Jing", "Min", "Jie", "Lei", "Yan", "Fang", "Qiang", "Hui", "Jun", "Ping",
         "Xin", "Bo", "Lan", "Tao", "Hong", "Ying", "Kai", "Rui", "Mei", "Hao", "Ning", "Yu")
ROLES = (
    "a deputy director", "a shop owner", "a retired teacher", "a civil engineer", "a tour guide",
    "a museum curator", "a farmer", "a bus driver", "a nurse", "a city planner", "a student",
    "a restaurant manager", "an economist", "a coach", "a folk musician", "a volunteer",
)
ADJ = (
    "new", "historic", "busy", "quiet", "modern", "traditional", "ambitious", "local", "regional",
    "popular", "small", "expanded", "restored", "green", "affordable", "annual", "record", "seasonal",
    "digital", "rural", "long-awaited", "upgraded", "crowded", "colorful", "careful", "steady",
)
NOUNS = (
    "project", "festival", "bridge", "market", "exhibition", "program", "harvest", "road", "plan",
    "school", "clinic", "library", "park", "factory", "railway", "station", "team", "league",
    "workshop", "orchard", "fair", "concert", "route", "report", "survey", "campaign", "trail",
    "museum", "theater", "garden", "tunnel", "district", "village", "cooperative", "company",
)
NOUNS_PL = (
    "residents", "visitors", "farmers", "students", "workers", "officials", "families", "tourists",
    "engineers", "volunteers", "athletes", "shoppers", "teachers", "drivers", "musicians", "investors",
)
THINGS = (
    "new bus lines", "solar panels", "apple orchards", "heating pipes", "bicycle lanes", "street lamps",
    "rooftop gardens", "charging stations", "noodle stalls", "museum exhibits", "school buses",
    "walking trails", "water pipes", "greenhouses", "sports fields", "reading rooms", "market stalls",
)
VERB_PAST = (
    "opened", "announced", "completed", "expanded", "restored", "launched", "approved", "celebrated",
    "tested", "reviewed", "unveiled", "finished", "welcomed", "hosted", "planned", "funded", "upgraded",
)
VERB_3S = (
    "opens", "announces", "completes", "expands", "restores", "launches", "approves", "celebrates",
    "tests", "reviews", "unveils", "welcomes", "hosts", "plans", "funds", "upgrades", "marks", "wins",
)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TAGS = (
    "transport", "parks", "heritage", "education", "health", "energy", "agriculture", "tourism",
    "football", "basketball", "opera", "food", "environment", "housing", "technology", "rail",
    "museums", "festivals", "water", "jobs", "trade", "weather", "history", "cycling", "vinegar",
    "coal", "crafts", "music", "marathon", "schools",
)
PHOTOGRAPHERS = ("Zhao Min", "Wu Jia", "Liu Yang", "Chen Bo", "Sun Lei", "Guo Rui", "Han Mei", "Qin Tao")

#: Sentence patterns; ``{key}`` is filled from :data:`SLOTS`.
SENTENCES = (
    "{Org} {verb_past} the {adj} {noun} near {place} on {day}.",
    "About {num} {nouns} came to {place} for the {adj} {noun} last {day}.",
    "The {noun} in {county} is expected to cost {num} million yuan and should be finished by {month}.",
    "Officials said the {adj} {noun} would serve {num} {nouns} a year once it is running.",
    "\"We have waited a long time for this,\" said {person}, {role} who lives nearby.",
    "{Org} said the {noun} was part of a wider plan to bring {things} to {county}.",
    "Work on the {noun} began in {month}, and crews have since added {things} along the route.",
    "Many {nouns} say the {adj} {noun} has changed how they spend their weekends.",
    "The city's {noun} drew {pct} percent more {nouns} than in the same period last year.",
    "{person}, {role}, said the biggest change was the arrival of {things}.",
    "In {county}, {nouns} have started to use the {noun} for evening walks and small markets.",
    "The {adj} {noun} is open from 9 a.m. to 5 p.m., and entry is free for {nouns} over 60.",
    "Plans for a second {noun} are under review, according to {org}.",
    "It's the {adj} {noun} that {nouns} mention first when asked about the past year.",
    "Traffic near {place} was heavy on {day} as {nouns} arrived for the {noun}.",
    "The {noun} has {num} stalls, a small stage and a playground for children.",
    "{Org} has set aside {num} million yuan for {things} over the next three years.",
    "Local {nouns} -- many of them first-time visitors -- lined up before dawn.",
    "The project's second phase will link {place} with {county} by {month}.",
    "Prices at the {noun} stayed steady, while demand for {things} rose {pct} percent.",
    "\"The {noun} is busier than ever,\" {person} said, pointing at the crowd near {place}.",
    "Engineers tested the {adj} {noun} for {num} days before it {verb_past} to the public.",
    "A survey by {org} found that {pct} percent of {nouns} supported the {noun}.",
    "The {adj} {noun} in {county} {verb_3s} its doors again after a two-year renovation.",
    "Weather permitting, the {noun} will run every weekend until {month}.",
    "Some {nouns} worried about noise, but most welcomed the {adj} {noun}.",
    "The team behind the {noun} includes {num} {nouns} and a handful of outside experts.",
    "By the end of {month}, {num} {nouns} had signed up for the {adj} {noun}.",
    "Visitors can reach {place} by bus, and a shuttle runs from {county} every half hour.",
    "The {noun}'s organizers hope to double the number of {nouns} next year.",
)
HEADLINES = (
    "{City} {org_short} {verb_3s} {adj} {noun}",
    "{Adj} {noun} draws {num} {nouns} in {County}",
    "{County} {nouns} welcome {adj} {noun}",
    "{City} plans {things} near {place_short}",
    "{Adj} {noun} {verb_3s} after two-year wait",
    "{num} {nouns} join {adj} {noun} in {City}",
    "{County} {noun} {verb_3s} {things}",
    "{City} {noun} marks {num} years",
)
HEADINGS = (
    "What changes for {nouns}", "A long road to the {noun}", "Costs and funding", "What comes next",
    "Voices from {county}", "The numbers", "Getting there", "A {adj} start", "Behind the {noun}",
    "Concerns remain", "Plans for {month}", "How the {noun} works",
)
LIST_ITEMS = (
    "{Adj} {things} near {place}", "Free entry for {nouns} on {day}s", "A {adj} {noun} in {county}",
    "Shuttle buses from {county} every 30 minutes", "{num} new jobs for {nouns}",
    "Extended hours until {month}", "A {adj} {noun} for children", "{Things} along the main route",
)
PLACE_SHORT = ("old town", "river park", "rail hub", "city museum", "north gate", "east market",
               "west lake", "south station", "temple fair", "grand theater")

# -- templates: compiled once into (literal, slot) pairs ----------------------------------


def _slots() -> dict[str, tuple[str, ...]]:
    people = tuple(f"{s} {g}" for s in SURNAMES for g in GIVEN)
    cities = tuple(name for _, name, _ in CHANNELS)
    slots: dict[str, tuple[str, ...]] = {
        "org": ORGS, "place": PLACES, "county": COUNTIES, "person": people, "role": ROLES, "adj": ADJ,
        "noun": NOUNS, "nouns": NOUNS_PL, "things": THINGS, "verb_past": VERB_PAST, "verb_3s": VERB_3S,
        "month": MONTHS, "day": DAYS, "city": cities, "org_short": ORG_SHORT, "place_short": PLACE_SHORT,
        "num": tuple(str(n) for n in (12, 30, 45, 60, 80, 120, 150, 200, 300, 450, 600, 800, 1200, 3000)),
        "pct": tuple(str(n) for n in range(3, 61)),
    }
    for key in list(slots):  # "{Org}" is "{org}" with a capital first letter
        slots[key.capitalize()] = tuple(v[:1].upper() + v[1:] for v in slots[key])
    return slots


SLOTS = _slots()
Compiled = tuple[tuple[str, tuple[str, ...] | None], ...]


def _compile(pattern: str) -> Compiled:
    parts: list[tuple[str, tuple[str, ...] | None]] = []
    rest = pattern
    while "{" in rest:
        literal, _, tail = rest.partition("{")
        key, _, rest = tail.partition("}")
        parts.append((literal, SLOTS[key]))
    parts.append((rest, None))
    return tuple(parts)


C_SENTENCES = tuple(_compile(p) for p in SENTENCES)
C_HEADLINES = tuple(_compile(p) for p in HEADLINES)
C_HEADINGS = tuple(_compile(p) for p in HEADINGS)
C_LIST_ITEMS = tuple(_compile(p) for p in LIST_ITEMS)


def fill(rng: random.Random, compiled: Compiled, city: str | None = None) -> str:
    """One filled-in pattern; ``city`` (if given) is used for every ``{City}`` slot."""
    rand = rng.random  # words[int(rand() * len)] is a few times faster than rng.choice
    cities = SLOTS["City"]
    out = []
    for literal, words in compiled:
        out.append(literal)
        if words is not None:
            out.append(city if city is not None and words is cities else words[int(rand() * len(words))])
    return "".join(out)


def pick(rng: random.Random, items: tuple[Compiled, ...]) -> Compiled:
    return items[int(rng.random() * len(items))]


# -- one article ----------------------------------------------------------------------------


def _table(rng: random.Random) -> str:
    year = rng.randint(2019, 2022)
    base = rng.randint(20, 400) * 100
    rows = ["| Year | Visitors | Change |", "| --- | ---: | ---: |"]
    for offset in range(rng.randint(3, 5)):
        change = rng.randint(-15, 40)
        base = max(100, base * (100 + change) // 100)
        rows.append(f"| {year + offset} | {base:,} | {change:+d}% |")
    return "\n".join(rows)


def _link(rng: random.Random, index: int) -> str:
    topic = rng.choice(NOUNS)
    text = rng.choice((f"the full {topic} report", f"an earlier story on the {topic}",
                       f"the {topic} schedule", f"official figures on the {topic}"))
    return f"Readers can find [{text}](https://example.org/{topic}/{index}) online."


def _words(text: str) -> int:
    return text.count(" ") + 1


def body(rng: random.Random, index: int) -> str:
    """500-900 words of Markdown: paragraphs, 2-3 headings, a list, a quote, 2 links, maybe a table."""
    headings = ["## " + fill(rng, pick(rng, C_HEADINGS)) for _ in range(rng.randint(2, 3))]
    links = [_link(rng, index) for _ in range(2)]
    extras = {
        "list": "\n".join("- " + fill(rng, pick(rng, C_LIST_ITEMS)) for _ in range(rng.randint(3, 5))),
        "quote": "> " + fill(rng, C_SENTENCES[4]) + " " + fill(rng, pick(rng, C_SENTENCES)),
    }
    if rng.random() < 0.2:
        extras["table"] = _table(rng)
    # the prose fills what the rest leaves of the target (a table's cells are not words)
    words = sum(_words(t) for t in headings + links) + _words(extras["list"]) + _words(extras["quote"])
    target = rng.randint(520, 880)
    paragraphs: list[str] = []
    sentences: list[str] = []
    size = rng.randint(3, 5)
    while words < target or len(paragraphs) < 5:
        sentence = fill(rng, pick(rng, C_SENTENCES))
        sentences.append(sentence)
        words += _words(sentence)
        if len(sentences) == size:
            paragraphs.append(" ".join(sentences))
            sentences = []
            size = rng.randint(3, 5)
    if sentences:
        paragraphs.append(" ".join(sentences))
    for slot, link in zip(rng.sample(range(1, len(paragraphs)), 2), links, strict=True):
        paragraphs[slot] += " " + link
    # an untitled lead group, then one group per heading
    cuts = dict(zip(sorted(rng.sample(range(2, len(paragraphs)), len(headings))), headings, strict=True))
    extra_at = {rng.randrange(1, len(paragraphs)): text for text in extras.values()}
    blocks: list[str] = []
    for n, text in enumerate(paragraphs):
        if n in cuts:
            blocks.append(cuts[n])
        blocks.append(text)
        if n in extra_at:
            blocks.append(extra_at[n])
    return "\n\n".join(blocks) + "\n"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def slugify(text: str) -> str:
    out = []
    for ch in text.lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def article(seed: int, index: int) -> tuple[str, str, str]:
    """(channel slug, file slug, file text) of article ``index``."""
    rng = random.Random(f"newsroom-bench:{seed}:{index}")
    channel, city, _ = rng.choice(CHANNELS)
    section = rng.choice(SECTIONS)[0]
    title = fill(rng, pick(rng, C_HEADLINES), city)
    words = slugify(title).split("-")[:6]
    slug = "-".join(words) + f"-{index:06d}"
    date = START + timedelta(minutes=rng.randrange(SPAN_MINUTES))
    dek = fill(rng, pick(rng, C_SENTENCES))
    author = rng.choice(SLOTS["person"])
    tags = rng.sample(TAGS, rng.randint(2, 4))
    lines = [
        "---",
        f"title: {_q(title)}",
        f"date: {date.isoformat()}",
        f"section: {section}",
        f"dek: {_q(dek)}",
        f"author: {author}",
        f"tags: [{', '.join(tags)}]",
    ]
    if rng.random() < 1 / 3:
        photo = rng.randint(1, IMAGES)
        place = rng.choice(PLACES)
        lines += [
            "image:",
            f"  src: /images/bench/photo-{photo}.jpg",
            f"  caption: {_q(f'{rng.choice(NOUNS_PL).capitalize()} gather at {place} on {rng.choice(DAYS)}.')}",
            f"  credit: {_q(f'Photo: {rng.choice(PHOTOGRAPHERS)}/Eshanxi')}",
            f"  alt: {_q(f'A crowd of people at {place}')}",
        ]
    lines.append("---")
    return channel, slug, "\n".join(lines) + "\n" + body(rng, index)


# -- the site -----------------------------------------------------------------------------


def site_toml(templates_dir: str = "theme") -> str:
    out = [
        "# A benchmark corpus written by bench/corpus.py; regenerate it rather than editing it.",
        "[site]",
        'title = "Eshanxi Bench"',
        'base_url = "https://bench.eshanxi.example/"',
        'language = "en"',
        'timezone = "Asia/Shanghai"',
        'date_format = "%m %d,%Y"',
        'home_label = "Home"',
        'description = "A generated benchmark corpus for newsroom."',
        "",
        "[build]",
        'content_dir = "content"',
        'output_dir = "public"',
        f"templates_dir = {_q(templates_dir)}",
        'static_dir = "static"',
        f"per_page = {PER_PAGE}",
        'permalink = "/{channel}/{section}/{year}/{month}/{slug}/"',
    ]
    for kind, items in (("channels", CHANNELS), ("sections", SECTIONS)):
        for slug, name, name_zh in items:
            out += ["", f"[[{kind}]]", f'slug = "{slug}"', f'name = "{name}"', f'name_zh = "{name_zh}"']
    return "\n".join(out) + "\n"


def write_images(folder: Path, seed: int) -> None:
    """Six small, distinct JPEGs: a sky gradient, hills and a sun, from ``seed``."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    w, h = IMAGE_SIZE
    for n in range(1, IMAGES + 1):
        rng = random.Random(f"newsroom-bench-image:{seed}:{n}")
        top = tuple(rng.randint(60, 200) for _ in range(3))
        bottom = tuple(rng.randint(150, 255) for _ in range(3))
        image = Image.new("RGB", (w, h))
        draw = ImageDraw.Draw(image)
        for y in range(h):
            t = y / (h - 1)
            draw.line([(0, y), (w, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
        sun = (rng.randint(30, w - 30), rng.randint(20, h // 2))
        draw.ellipse([sun[0] - 18, sun[1] - 18, sun[0] + 18, sun[1] + 18], fill=(255, 230, 150))
        for layer in range(3):
            base = h * (0.55 + 0.15 * layer)
            points = [(0, h)] + [(x, base - rng.randint(0, 50)) for x in range(0, w + 40, 40)] + [(w, h)]
            shade = 90 - 25 * layer
            draw.polygon(points, fill=(shade, shade + rng.randint(10, 40), shade - 10))
        image.save(folder / f"photo-{n}.jpg", "JPEG", quality=80)


def copy_theme(dest: Path) -> None:
    """Copy bench/themes/newsroom to ``dest`` (replacing it)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(THEME_DIR, dest)


def generate(articles: int, out: Path, seed: int = DEFAULT_SEED, theme: bool = True) -> list[Path]:
    """Write the site into ``out``; returns the article files in index order."""
    out.mkdir(parents=True, exist_ok=True)
    if (out / "content").exists() and not (out / MARKER).exists():
        raise SystemExit(f"{out} has a content/ folder not written by bench/corpus.py; choose another --out")
    for name in ("content", "static"):
        if (out / name).exists():
            shutil.rmtree(out / name)
    (out / MARKER).write_text(f"articles={articles} seed={seed}\n", encoding="utf-8")
    (out / "site.toml").write_text(site_toml(), encoding="utf-8")
    write_images(out / "static" / "images" / "bench", seed)
    if theme:
        copy_theme(out / "theme")
    content = out / "content"
    for slug, _, _ in CHANNELS:
        (content / slug).mkdir(parents=True)
    paths: list[Path] = []
    for index in range(articles):
        channel, slug, text = article(seed, index)
        path = content / channel / f"{slug}.md"
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, required=True, metavar="N", help="how many articles")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="the site folder to write")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--no-theme", action="store_true", help="do not copy bench/themes/newsroom to DIR/theme")
    args = p.parse_args(argv)
    if args.articles < 1:
        p.error("--articles must be at least 1")
    started = time.perf_counter()
    generate(args.articles, args.out, args.seed, theme=not args.no_theme)
    took = time.perf_counter() - started
    print(f"wrote {args.articles} articles to {os.path.relpath(args.out)} in {took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
