"""The sample site in a real headless Chromium: a reader's path, phones, keyboard, contrast, print."""

from __future__ import annotations

import re

import pytest
from conftest import ARTIFACTS

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
    assert crumbs.all_inner_texts() == ["首页", "Taiyuan", "Business"]
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
    page.goto(sample_server + "/taiyuan/culture/2026/09/vinegar-festival-zh/")
    story = page.locator("article.story")
    assert story.get_attribute("lang") == "zh"
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
