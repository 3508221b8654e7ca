"""The sample site's Chinese edition in a real headless Chromium: a reader searches it in
Chinese, switches from an English story to its translation, and reads it on a phone and a
desktop in a Chinese typeface (the screenshots go to test-artifacts/screenshots/)."""

from __future__ import annotations

from conftest import ARTIFACTS

PAPER_CUT = "晋城剪纸老艺人走进小学课堂 孩子们剪出家乡的山"  # the only story with 剪纸
TRAIL_EN = "/changzhi/travel/2026/09/taihang-trail/"
TRAIL_ZH = "/zh/changzhi/travel/2026/09/taihang-shan-gudao/"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "screenshots"
CJK_FACES = ("Noto Sans CJK", "Noto Serif CJK", "WenQuanYi", "Source Han", "PingFang", "Hiragino", "Microsoft YaHei")


def results(page) -> list[str]:
    page.wait_for_function("document.getElementById('search-status').textContent !== ''")
    return page.locator(".search-result h2").all_inner_texts()


def test_a_chinese_word_finds_the_chinese_story_in_the_chinese_edition_only(browser, sample_server: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(sample_server + "/zh/")
        page.fill("#masthead-q", "剪纸")
        page.press("#masthead-q", "Enter")
        page.wait_for_url("**/zh/search/?q=*")
        assert results(page) == [PAPER_CUT]  # two characters, no spaces: Pagefind's Chinese segmenting
        hit = page.locator(".search-result", has_text=PAPER_CUT)
        assert "剪纸" in hit.locator(".search-excerpt mark").first.inner_text()
        assert hit.locator(".search-meta").inner_text().endswith("· 晋城")
        assert page.locator("#search-status").inner_text() == "1 条结果"

        page.goto(sample_server + "/search/?q=剪纸")  # the English edition searches English stories
        assert results(page) == []
        page.goto(sample_server + "/zh/search/?q=greenway")
        assert results(page) == []
    finally:
        page.close()
    assert not errors


def test_a_reader_switches_from_an_english_story_to_its_translation_and_back(browser, sample_server: str) -> None:
    page = browser.new_page()
    try:
        page.goto(sample_server + TRAIL_EN)
        page.locator(".languages a", has_text="中文").click()
        page.wait_for_url("**" + TRAIL_ZH)
        assert page.evaluate("document.documentElement.lang") == "zh"
        assert "徒步" in page.locator("h1").inner_text()
        assert page.locator(".story-meta").inner_text().startswith("时间：")
        page.locator(".languages a", has_text="English").click()
        page.wait_for_url("**" + TRAIL_EN)
        page.locator(".translations a", has_text="中文").click()
        page.wait_for_url("**" + TRAIL_ZH)
    finally:
        page.close()


def platform_fonts(page, selector: str) -> set[str]:
    """The faces Chromium drew the text of ``selector`` with (what a screenshot shows)."""
    session = page.context.new_cdp_session(page)
    try:
        session.send("DOM.enable")
        session.send("CSS.enable")
        root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = session.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return {font["familyName"] for font in fonts if font["glyphCount"]}  # text in Chinese only: CJK faces
    finally:
        session.detach()


def test_the_chinese_edition_reads_right_on_a_phone_and_a_desktop(browser, sample_server: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        try:
            for kind, path in (("home", "/zh/"), ("article", TRAIL_ZH)):
                page.goto(sample_server + path)
                page.evaluate("document.fonts.ready")
                target = SHOTS / f"zh-{kind}-{size}.png"
                page.screenshot(path=str(target), full_page=True)
                assert target.stat().st_size > 10_000
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (size, path)
                for selector in ("h2.block-title",) if kind == "home" else ("h1", ".story-body p"):
                    faces = platform_fonts(page, selector)
                    assert faces and all(any(cjk in face for cjk in CJK_FACES) for face in faces), (path, faces)
            body = page.locator(".story-body")
            assert body.evaluate("e => getComputedStyle(e).lineBreak") == "strict"
            assert body.evaluate("e => getComputedStyle(e).fontStyle") == "normal"
            paragraph = page.locator(".story-body p").first
            per_line = paragraph.evaluate(
                "p => p.getBoundingClientRect().width / parseFloat(getComputedStyle(p).fontSize)")
            assert per_line <= 40, per_line  # characters a line: a Chinese measure, not a Latin one
            if size == "phone":
                assert page.locator("h1").bounding_box()["y"] < viewport["height"] / 2  # the headline above the fold
        finally:
            context.close()
