"""The quick paths: an edit that moves no article renders only the pages that show it, from the
command line (pages stored by the last full build) as in the preview (the model in memory),
and gives the bytes of a clean build."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from conftest import JPEG, REPO, snapshot

from newsroom import build, load_config, patch
from newsroom.cache import BuildCache, cache_key
from newsroom.errors import BuildFailed
from newsroom.incremental import Session

CHANNELS = ["changzhi", "taiyuan"]


def photo_story(rng: random.Random, n: int) -> str:
    """A story whose front matter has lines that edits below rewrite in place."""
    lines = [f"title: Story {n} {rng.randint(1, 99)}", f"date: 2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
             f"{rng.randint(0, 23):02d}:00", f"dek: Dek {n}", f"section: {rng.choice(['news', 'business'])}",
             f"tags: [{rng.choice(['rail', 'bridges', 'markets'])}]"]
    if rng.random() < 0.6:
        lines += ["image:", "  src: /images/photo.jpg", f"  caption: Caption {n}", f"  alt: Alt {n}"]
    if rng.random() < 0.2:
        lines.append("aliases: [/old/" + str(n) + ".htm]")
    return "---\n" + "\n".join(lines) + "\n---\n" + f"Paragraph {n}.\n\nSee [the other story](/changzhi/).\n"


def edit(rng: random.Random, path: Path, step: int) -> str:
    """One edit that keeps the story where it is in every list (most of the time)."""
    text = path.read_text(encoding="utf-8")
    what = rng.choice(["title", "body", "dek", "caption", "alt", "dead link", "good link", "same bytes", "draft",
                       "mistake"])
    lines = text.split("\n")
    if what == "title":
        lines[1] = f"title: Retitled {step}"
    elif what == "dek":
        lines = [f"dek: Dek edited {step}" if line.startswith("dek:") else line for line in lines]
    elif what == "caption":
        lines = [f"  caption: Caption edited {step}" if line.startswith("  caption:") else line for line in lines]
    elif what == "alt":  # an empty alt text is a warning; a new one ends it
        lines = [f"  alt: {'' if rng.random() < 0.5 else f'Alt {step}'}" if line.startswith("  alt:") else line
                 for line in lines]
    elif what == "dead link":
        lines.append(f"A link to [nowhere](/nowhere-{step}/).")
    elif what == "good link":
        lines.append("A link to [the front page](/).")
    elif what == "draft":  # a story drafted or published again: it moves (a full build)
        lines = [line for line in lines if line != "draft: true"] if "draft: true" in lines else \
            [lines[0], "draft: true", *lines[1:]]
    elif what == "mistake":  # a date that is no date: an error the full build reports
        lines[2] = "date: someday"
    else:
        lines.append(f"Paragraph {step}.")
    if what == "same bytes":
        path.touch()
        time.sleep(0.002)
        return f"touch {path.name}"
    path.write_text("\n".join(lines), encoding="utf-8")
    return f"{what} {path.name}"


@pytest.fixture
def site(make_site):
    files = {f"templates/{p.relative_to(REPO / 'templates').as_posix()}": p.read_text(encoding="utf-8")
             for p in (REPO / "templates").rglob("*.html")}
    # a theme that shows page.title, which the model copies out of an article's record
    files["templates/base.html"] = files["templates/base.html"].replace(
        "</head>", '<meta name="x-page" content="{{ page.title }}">\n</head>', 1)
    rng = random.Random(5)
    stories = {f"content/{rng.choice(CHANNELS)}/s{n}.md": photo_story(rng, n) for n in range(14)}
    root = make_site({**files, **stories, "static/images/photo.jpg": JPEG})
    text = (root / "site.toml").read_text(encoding="utf-8").replace(
        f'templates_dir = "{(REPO / "templates").as_posix()}"', 'templates_dir = "templates"')
    (root / "site.toml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def quick_builds(monkeypatch) -> list[int]:
    """Counts the command-line builds the quick path made (the others were full builds)."""
    taken: list[int] = []
    original = patch.quick_build

    def counting(*args, **kwargs):
        result = original(*args, **kwargs)
        if result is not None:
            taken.append(result.pages_rendered)
        return result

    monkeypatch.setattr(patch, "quick_build", counting)
    return taken


def test_random_edits_from_the_command_line_match_clean_builds(site: Path, tmp_path: Path, quick_builds) -> None:
    rng = random.Random(20261130)
    config = load_config(site / "site.toml")
    first = build(config)
    history = []
    for step in range(24):
        path = rng.choice(sorted((site / "content").rglob("*.md")))
        history.append(edit(rng, path, step))
        try:
            result = build(config)
        except BuildFailed as failed:
            with pytest.raises(BuildFailed) as clean_failed:
                build(load_config(site / "site.toml", output_dir=str(tmp_path / "failed")))
            assert failed.errors == clean_failed.value.errors, history
            path.write_text(photo_story(rng, 100 + step), encoding="utf-8")  # the editor puts it right
            history.append(f"rewrite {path.name}")
            result = build(config)
        clean = tmp_path / f"clean-{step}"
        expected = build(load_config(site / "site.toml", output_dir=str(clean)))
        assert snapshot(site / "public") == snapshot(clean), history
        assert result.warnings == expected.warnings, history
        assert (result.pages, result.articles, result.drafts_skipped) == (
            expected.pages, expected.articles, expected.drafts_skipped), history
    assert first.pages_rendered > 20
    assert len(quick_builds) >= 10, history  # most edits took the quick path...
    assert max(quick_builds) < first.pages_rendered / 3  # ...and rendered only the pages that show the story


def test_a_quick_build_leaves_a_cache_the_next_full_build_trusts(site: Path, tmp_path: Path, quick_builds) -> None:
    config = load_config(site / "site.toml")
    build(config)
    story = sorted((site / "content").rglob("*.md"))[0]
    story.write_text(story.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    edited = build(config)
    assert quick_builds and edited.articles_read == 1
    assert build(config).articles_read == 0  # the same inputs again: nothing to do
    footer = site / "templates/partials/footer.html"
    footer.write_text(footer.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    full = build(config)  # a template changed: a full build, every record from the cache
    assert full.articles_read == 0 and full.pages_rendered > full.articles
    assert any("One more paragraph." in p.read_text("utf-8") for p in (site / "public").rglob("index.html"))
    clean = tmp_path / "clean"
    build(load_config(site / "site.toml", output_dir=str(clean)))
    assert snapshot(site / "public") == snapshot(clean)


def test_a_missing_or_damaged_page_store_means_a_full_build(site: Path, tmp_path: Path, quick_builds) -> None:
    config = load_config(site / "site.toml")
    build(config)
    folder = BuildCache.folder_for(config, config.dir("output"))
    stories = sorted((site / "content").rglob("*.md"))
    for n, damage in enumerate(["truncate", "delete", "garbage"]):
        store = next(folder.glob("pages-*.pickle"))
        if damage == "truncate":
            store.write_bytes(store.read_bytes()[:300])
        elif damage == "delete":
            store.unlink()
        else:
            store.write_bytes(b"\0" * 64)
        stories[n].write_text(stories[n].read_text(encoding="utf-8").replace("Paragraph", "Changed paragraph"),
                              encoding="utf-8")
        result = build(config)
        assert result.articles_read == 1 and not quick_builds  # a full build, which stores the pages again
        clean = tmp_path / f"clean-{n}"
        build(load_config(site / "site.toml", output_dir=str(clean)))
        assert snapshot(site / "public") == snapshot(clean)
    stories[0].write_text(stories[0].read_text(encoding="utf-8") + "\nAgain.\n", encoding="utf-8")
    build(config)
    assert quick_builds  # the store written by the last full build serves


def test_strict_and_links_builds_fail_on_an_edit_that_adds_a_dead_link(site: Path) -> None:
    config = load_config(site / "site.toml")
    story = sorted((site / "content").rglob("*.md"))[0]
    build(config, strict=True)
    build(config, links=True)
    story.write_text(story.read_text(encoding="utf-8") + "\n[gone](/no-such-page/)\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build(config, strict=True)
    assert any(e.field == "link" and "/no-such-page/" in e.message for e in failed.value.errors)
    with pytest.raises(BuildFailed):
        build(config, links=True)
    warned = build(config)
    assert [w.field for w in warned.warnings] == ["link"]


def test_the_preview_quick_path_renews_what_pages_copy_from_a_story(site: Path, tmp_path: Path) -> None:
    """The article page's title and the home page's photo captions are copied out of the
    record by the model: an edit of them must reach those pages too."""
    config = load_config(site / "site.toml", drafts=True)
    output = tmp_path / "preview"
    cache = BuildCache(None, cache_key(config), config.root)
    session = Session(search=tmp_path / "search")  # as the preview keeps its search index
    build(config, preview=True, cache=cache, output=output, session=session)
    stories = [p for p in sorted((site / "content").rglob("*.md")) if "caption:" in p.read_text("utf-8")]
    story = next((p for p in stories if "aliases" in p.read_text("utf-8")), stories[0])  # a redirect page too
    for step, (old, new) in enumerate([("title: ", "title: Quick title "), ("  caption: ", "  caption: New caption ")]):
        text = story.read_text(encoding="utf-8")
        story.write_text(text.replace(old, new, 1), encoding="utf-8")
        result = patch.patch_articles(config, cache, session, {story.resolve()}, output)
        assert result is not None
        clean = tmp_path / f"clean-{step}"
        build(config, preview=True, output=clean, cache=BuildCache(None, cache_key(config), config.root))
        assert snapshot(output) == snapshot(clean), new
    home = (output / "index.html").read_text(encoding="utf-8")
    assert "New caption" in home


def test_a_photo_replaced_with_an_article_edited_in_one_build_is_read_again(site: Path, tmp_path: Path,
                                                                            quick_builds) -> None:
    """The quick path knows an edited article's photos by their stamps: a replaced photo is not one of them."""
    from conftest import _photo

    from newsroom.images import content_key

    config = load_config(site / "site.toml")
    build(config)
    story = next(p for p in sorted((site / "content").rglob("*.md")) if "caption:" in p.read_text("utf-8"))
    story.write_text(story.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    build(config)  # the quick path, which now knows the photo
    assert quick_builds
    replaced = _photo(size=(90, 30))
    (site / "static/images/photo.jpg").write_bytes(replaced)  # another shape: new variants, new sizes in the HTML
    story.write_text(story.read_text(encoding="utf-8") + "\nEdited again.\n", encoding="utf-8")
    build(config)
    clean = tmp_path / "clean"
    build(load_config(site / "site.toml", output_dir=str(clean)))
    assert snapshot(site / "public") == snapshot(clean)
    assert any(content_key(replaced) in p.read_text("utf-8") for p in (site / "public").rglob("index.html"))
