"""The breaking-news bar in a real headless Chromium, on a phone and a desktop: a labelled
landmark that does not move, above the masthead of every page, that leaves the headline
above the fold."""

from __future__ import annotations

from pathlib import Path

from conftest import ARTIFACTS, REPO, article, static_server

from newsroom import build, load_config

TOML = f"""\
[site]
title = "Eshanxi"
base_url = "https://www.eshanxi.example/"

[build]
templates_dir = "{REPO.as_posix()}/templates"
static_dir = "{REPO.as_posix()}/static"

[[channels]]
slug = "changzhi"
name = "Changzhi"

[[sections]]
slug = "news"
name = "News"
"""
ALERT = "Flood warning for the Zhuozhang River valley: roads to Pingshun closed until further notice"
STORY = "/changzhi/news/2021/08/flood/"


def test_the_breaking_bar_on_a_phone_and_a_desktop(browser, tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (root / "site.toml").write_text(TOML, encoding="utf-8")
    stories = {"flood": article(f"\"{ALERT}\"", "2021-08-25 09:30", body="Water levels rose overnight.", breaking="true"),
               "market": article("Market day in Changzhi draws farmers from three counties", "2021-08-25 10:00",
                                 body="Stalls opened at dawn.", dek="Millet and dates sold out by noon")}
    for slug, text in stories.items():
        path = root / "content/changzhi" / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    build(load_config(root / "site.toml"))
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with static_server(root / "public") as origin:
        for size, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            try:
                for path in ("/", "/changzhi/news/2021/08/market/", "/changzhi/"):
                    page.goto(origin + path)
                    bar = page.get_by_role("complementary", name="Breaking")
                    assert bar.is_visible(), path
                    assert bar.get_by_role("link").get_attribute("href") == STORY
                    box = bar.bounding_box()
                    masthead = page.locator(".masthead").bounding_box()
                    assert box["y"] + box["height"] <= masthead["y"] + 1  # above the masthead
                    assert box["height"] <= 48, box  # one line, even on a phone
                    still = bar.evaluate("""e => [e, ...e.querySelectorAll('*')].every(n => {
                        const s = getComputedStyle(n);
                        return s.animationName === 'none' && s.transitionDuration.split(',').every(d => parseFloat(d) === 0);
                    })""")
                    assert still, path  # no motion
                    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
                page.goto(origin + "/changzhi/news/2021/08/market/")
                headline = page.locator("h1").bounding_box()
                assert headline["y"] + headline["height"] < viewport["height"], size  # above the fold
                page.screenshot(path=str(shots / f"breaking-{size}.png"), full_page=False)
                bar = page.get_by_role("complementary", name="Breaking")
                bar.get_by_role("link").click()
                page.wait_for_url("**" + STORY)
                assert page.locator("h1").inner_text() == ALERT
            finally:
                context.close()
