"""The sample site in a real headless Chromium: a reader's path, phones, keyboard, contrast, print."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import ARTIFACTS, REPO, static_server

PAGES = {
    "home": "/",
    "index": "/taiyuan/",
    "article": "/taiyuan/sports/2026/10/taiyuan-marathon/",
}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "screenshots"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def test_a_reader_finds_a_story_and_comes_back(page, sample_server: str) -> None:
    page.goto(sample_server + "/")
    page.get_by_role("navigation", name="Channels and sections").get_by_role("link", name="Taiyuan", exact=True).click()
    assert page.url == sample_server + "/taiyuan/"
    assert page.locator("h1").inner_text() == "Taiyuan"
    assert page.locator(".brand").inner_text() == "Taiyuan - Eshanxi"

    page.locator(".pagination").get_by_role("link", name="2", exact=True).click()
    assert page.url == sample_server + "/taiyuan/page/2/"
    assert page.locator(".pagination [aria-current=page]").inner_text() == "2"
    page.locator(".pagination").get_by_role("link", name="1", exact=True).click()
    assert page.url == sample_server + "/taiyuan/"

    card = page.locator(".card.has-thumb").first
    headline = card.locator(".card-title a").inner_text()
    card.locator(".card-title a").click()
    assert page.locator("h1").inner_text() == headline
    figure = page.locator("figure.lead")
    assert figure.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    caption, credit = figure.locator(".caption"), figure.locator(".credit")
    assert caption.is_visible() and credit.is_visible()
    assert credit.inner_text().lower().startswith("photo")
    assert caption.evaluate("e => getComputedStyle(e).fontSize") != credit.evaluate("e => getComputedStyle(e).fontSize")
    assert re.fullmatch(r"Time: \d\d \d\d,\d{4}\s+Source: .+", page.locator(".story-meta").inner_text())

    crumbs = page.locator(".breadcrumb a")
    home, channel, section = crumbs.all_inner_texts()
    assert (home, channel) == ("首页", "Taiyuan") and section in ("News", "Business", "Culture", "Travel", "Sports")
    crumbs.nth(1).click()
    assert page.url == sample_server + "/taiyuan/"
    crumbs = page.locator(".breadcrumb a")
    crumbs.first.click()
    assert page.url == sample_server + "/"


@pytest.mark.parametrize("width", [390, 360])
@pytest.mark.parametrize("kind", PAGES)
def test_no_horizontal_scrolling_on_phones(browser, sample_server: str, kind: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    page.goto(sample_server + PAGES[kind])
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator(".nav-toggle").click()  # the open menu must fit too
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


def test_phone_menu_opens_without_javascript(browser, sample_server: str) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(sample_server + "/")
    datong = page.locator(".nav-channels").get_by_role("link", name="Datong")
    assert not datong.is_visible()
    page.get_by_text("Menu").click()
    assert datong.is_visible()
    datong.click()
    assert page.url == sample_server + "/datong/"
    context.close()


def test_desktop_shows_every_channel_and_section_and_marks_the_current(page, sample_server: str) -> None:
    page.goto(sample_server + "/changzhi/news/")
    nav = page.get_by_role("navigation", name="Channels and sections")
    assert not nav.locator(".nav-toggle").is_visible()
    links = nav.locator(".nav-channels a, .nav-sections a")
    assert links.count() == 16 and all(links.nth(n).is_visible() for n in range(16))
    assert nav.locator("[aria-current]").all_inner_texts() == ["Changzhi", "News"]


@pytest.mark.parametrize("kind", PAGES)
def test_text_contrast_is_at_least_4_5(page, sample_server: str, kind: str) -> None:
    page.goto(sample_server + PAGES[kind])
    low = page.evaluate(CONTRAST_JS)
    assert low == []


def test_keyboard_skip_link_and_visible_focus(page, sample_server: str) -> None:
    page.goto(sample_server + "/taiyuan/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("e => e === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused


def test_landmarks_and_alt_text(page, sample_server: str) -> None:
    for path in PAGES.values():
        page.goto(sample_server + path)
        for selector in ("header.masthead", "nav.nav", "main#main", "footer.footer"):
            assert page.locator(selector).count() == 1, (path, selector)
        assert page.locator("img:not([alt])").count() == 0, path
        assert page.locator("html").get_attribute("lang") == "en"


def test_article_column_is_readable(page, sample_server: str) -> None:
    page.goto(sample_server + PAGES["article"])
    per_line = page.evaluate(
        """() => { const p = document.querySelector('.story-body p');
        const ctx = document.createElement('canvas').getContext('2d'); ctx.font = getComputedStyle(p).font;
        const text = [...document.querySelectorAll('.story-body p')].map(x => x.textContent).join(' ');
        return p.clientWidth / (ctx.measureText(text).width / text.length); }""")
    assert 60 <= per_line <= 80


def test_chinese_article_has_lang_and_a_cjk_font(page, sample_server: str) -> None:
    page.goto(sample_server + "/zh/taiyuan/culture/2026/09/vinegar-festival-zh/")  # the Chinese edition's
    assert page.evaluate("document.documentElement.lang") == "zh"
    family = page.locator(".story-body").evaluate("e => getComputedStyle(e).fontFamily")
    assert "Noto Sans CJK SC" in family and "Microsoft YaHei" in family
    assert page.locator(".footer [lang=zh]").count() >= 1  # the ICP number


def test_print_shows_the_story_without_navigation(page, sample_server: str) -> None:
    page.goto(sample_server + PAGES["article"])
    page.emulate_media(media="print")
    assert not page.locator("nav.nav").is_visible()
    assert not page.locator(".breadcrumb").is_visible()
    assert page.locator(".story-body").is_visible()
    assert page.locator("figure.lead .credit").is_visible()
    assert page.evaluate("getComputedStyle(document.body).display") == "block"  # no window-high column on paper


def test_screenshots_at_desktop_and_phone_sizes(browser, sample_server: str) -> None:
    """Pictures to look at, written to test-artifacts/screenshots/ (not committed)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        for kind, path in PAGES.items():
            page.goto(sample_server + path)
            target = SHOTS / f"{kind}-{size_name}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000
        context.close()


# -- the theme polish of "the newsdesk's daily work" ------------------------------------------

NEWSDESK_TOML = """\
[site]
title = "Eshanxi"
base_url = "https://www.eshanxi.example/"

[build]
templates_dir = "{repo}/templates"
static_dir = "{repo}/static"

[labels]
time = "时间"

[[channels]]
slug = "changzhi"
name = "Changzhi"

[[channels]]
slug = "taiyuan"
name = "Taiyuan"

[[channels]]
slug = "datong"
name = "Datong"

[[sections]]
slug = "news"
name = "News"
"""
# The newest is the top story; the four after it are the "Top stories", photos and no photos
# mixed, with headlines and teasers of very different lengths. Datong has no story at all.
NEWSDESK_STORIES = [
    ("changzhi", "rail", "New winter rail timetable", "2025-11-25 09:00", "changzhi-rail-viaduct.jpg", "Faster."),
    ("taiyuan", "skating", "Speed skating trials on the new outdoor oval draw skaters from every city of the "
     "province", "2025-11-24 09:00", None, "More than 150 speed skaters gathered on Thursday for the trials, "
     "the first major event on the new 400-metre outdoor ice oval beside the river, the organisers said."),
    ("changzhi", "greenway", "Greenway opens", "2025-11-23 09:00", "changzhi-greenway.jpg", "Twelve kilometres."),
    ("taiyuan", "road", "Mountain road to be widened", "2025-11-22 09:00", None, "Next month."),
    ("taiyuan", "bridge", "Arched footbridge opens to walkers", "2025-11-21 09:00", "taiyuan-fen-river-bridge.jpg",
     "The 540-metre crossing links the east-bank parks with the business district."),
    ("changzhi", "opera", "Opera troupe tours villages", "2025-11-20 09:00", None, "Old stories on village stages."),
]


def _story(title: str, date: str, photo: str | None, dek: str) -> str:
    image = f"image:\n  src: /images/news/{photo}\n  alt: A photo\n" if photo else ""
    return f'---\ntitle: "{title}"\ndate: {date}\ndek: "{dek}"\n{image}---\n{dek}\n'


@pytest.fixture(scope="module")
def newsdesk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small site built with the theme: top stories with and without photos, a city with no
    story, and one interface word in Chinese (``[labels] time``)."""
    from newsroom import build, load_config

    root = tmp_path_factory.mktemp("newsdesk")
    (root / "site.toml").write_text(NEWSDESK_TOML.replace("{repo}", REPO.as_posix()), encoding="utf-8")
    for channel, slug, title, date, photo, dek in NEWSDESK_STORIES:
        path = root / "content" / channel / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_story(title, date, photo, dek), encoding="utf-8")
    build(load_config(root / "site.toml"), jobs=1)
    with static_server(root / "public") as url:
        yield url


CARD_GEOMETRY_JS = """cards => cards.map(card => {
  const box = card.getBoundingClientRect(), thumb = card.querySelector('.card-thumb');
  const title = card.querySelector('.card-title').getBoundingClientRect(), t = thumb && thumb.getBoundingClientRect();
  return {top: box.top, height: box.height, photo: card.querySelector('img') !== null,
          thumb: t && [t.left - box.left, t.top - box.top, t.width, t.height],
          title: [title.left - box.left, title.top - box.top]}; })"""


@pytest.mark.parametrize("width", [375, 768, 1280])
def test_top_stories_line_up_whether_or_not_they_have_a_photo(browser, newsdesk_server: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(newsdesk_server + "/")
    cards = page.locator(".top-stories .card").evaluate_all(CARD_GEOMETRY_JS)
    assert len(cards) == 4 and {c["photo"] for c in cards} == {True, False}  # the mix is there
    rows: dict[int, list[dict]] = {}
    for card in cards:
        rows.setdefault(round(card["top"]), []).append(card)
    if width >= 768:
        assert max(len(row) for row in rows.values()) >= 2, rows  # cards side by side
    for row in rows.values():  # cards of a row: one top, one height
        assert max(c["height"] for c in row) - min(c["height"] for c in row) < 1, row

    def same(key: str, among: list[dict]) -> bool:
        return all(abs(a - b) < 1 for card in among for a, b in zip(card[key], among[0][key], strict=True))

    assert same("title", cards), cards  # every headline at one place in its card, photo or not
    assert same("thumb", [c for c in cards if c["photo"]]), cards  # every photo of one size
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".top-stories").screenshot(path=str(SHOTS / f"top-stories-{width}.png"))
    context.close()


@pytest.mark.parametrize("server", ["newsdesk_server", "sample_server"])
def test_the_home_page_leaves_out_cities_without_stories(page, request: pytest.FixtureRequest, server: str) -> None:
    url = request.getfixturevalue(server)
    page.goto(url + "/")
    blocks = page.locator(".channel-block")
    assert blocks.count() >= 2
    assert page.locator(".channel-blocks .empty").count() == 0
    for n in range(blocks.count()):
        assert blocks.nth(n).locator(".headlines li").count() >= 1
    if server == "newsdesk_server":
        assert page.locator(".channel-block-title").all_inner_texts() == ["Changzhi", "Taiyuan"]


NAV_LINES_JS = """nav => {
  const px = (el, pseudo, prop) => parseFloat(getComputedStyle(el, pseudo)[prop]) || 0;
  const divider = el => { const before = getComputedStyle(el, '::before');
    return px(el, null, 'borderLeftWidth') > 0 || (before.content !== 'none' && before.content !== 'normal'
      && (px(el, '::before', 'width') > 0 || px(el, '::before', 'borderLeftWidth') > 0)); };
  const items = [...nav.querySelectorAll('li')].filter(li => li.getClientRects().length);
  const lines = new Map();
  for (const li of items) { const box = li.getBoundingClientRect(); const y = Math.round(box.top);
    if (!lines.has(y) || box.left < lines.get(y).getBoundingClientRect().left) lines.set(y, li); }
  return [...lines.entries()].sort((a, b) => a[0] - b[0]).map(([y, li]) => {
    const edges = [li, li.querySelector('a')];
    if (li === li.parentElement.firstElementChild) edges.push(li.parentElement);
    return {y, text: li.innerText, divider: edges.some(divider)}; }); }"""


@pytest.mark.parametrize("width", [1280, 1024, 800, 390])
def test_no_line_of_the_navigation_starts_with_a_divider(browser, sample_server: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(sample_server + "/")
    if not page.locator(".nav-channels").is_visible():
        page.locator(".nav-toggle").click()
    lines = page.locator(".nav-lists").evaluate(NAV_LINES_JS)
    if width == 1280:
        assert len(lines) >= 2  # the sample's eleven cities and five sections do not fit one line
    assert [line for line in lines if line["divider"]] == []
    context.close()


def test_the_404_heading_uses_the_font_of_every_other_page_heading(page, sample_server: str) -> None:
    font = "e => { const s = getComputedStyle(e); return [s.fontFamily, s.fontWeight]; }"
    page.goto(sample_server + PAGES["article"])
    article = page.locator("h1").evaluate(font)
    page.goto(sample_server + "/taiyuan/")
    index = page.locator("h1").evaluate(font)
    page.goto(sample_server + "/404.html")
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.locator("h1").evaluate(font) == article == index


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_footer_stays_at_the_bottom_of_a_short_page(browser, sample_server: str, viewport: dict) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(sample_server + "/404.html")
    footer = page.locator("footer.footer").bounding_box()
    assert footer is not None
    assert abs(footer["y"] + footer["height"] - viewport["height"]) < 1
    assert page.evaluate("document.documentElement.scrollHeight") == viewport["height"]  # and no white band
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"404-{'desktop' if viewport is DESKTOP else 'phone'}.png"))
    page.goto(sample_server + "/")  # a long page: the footer after everything, nothing over it
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 2 * viewport["height"]
    footer = page.locator("footer.footer").evaluate("e => e.getBoundingClientRect().bottom + window.scrollY")
    main = page.locator("main").evaluate("e => e.getBoundingClientRect().bottom + window.scrollY")
    assert abs(footer - height) < 1 and main <= footer
    context.close()


def test_interface_words_come_from_the_labels_table(page, newsdesk_server: str) -> None:
    page.goto(newsdesk_server + "/changzhi/news/2025/11/rail/")
    assert re.fullmatch(r"时间: \d\d \d\d,\d{4}", page.locator(".story-time").inner_text())
    assert page.locator(".story-source").inner_text().startswith("Source: ")  # the others keep their default
    assert "Time" not in page.locator(".story-meta").inner_text()

CONTRAST_JS = """() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(parseFloat); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = rgb => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]); };
  const background = el => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let rgb = [255, 255, 255];
    for (const l of layers.reverse()) rgb = rgb.map((v, i) => v * (1 - l[3]) + l[i] * l[3]);
    return rgb; };
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode; const el = node.parentElement;
    if (!node.textContent.trim() || !el.getClientRects().length || el.closest('.visually-hidden')) continue;
    const style = getComputedStyle(el); if (style.visibility === 'hidden') continue;
    const bg = background(el); const fg = parse(style.color);
    const rgb = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
    const a = lum(rgb), b = lum(bg); const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push([el.tagName, el.className, node.textContent.trim().slice(0, 40), ratio.toFixed(2)]);
  }
  return low; }"""
