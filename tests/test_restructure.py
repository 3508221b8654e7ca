"""The command line's structural quick path: articles added, deleted, re-dated, moved between
channels, sections and tags, drafted, aliased, with edits of the quick path between them,
give the bytes, warnings and errors of a clean build."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from conftest import JPEG, snapshot

from newsroom import build, load_config, restructure
from newsroom.cache import BuildCache
from newsroom.errors import BuildFailed

CHANNELS = ["changzhi", "taiyuan"]
TAGS = ["rail", "bridges", "markets", "Rail"]  # "Rail" and "rail" are one tag, shown as most stories write it


def story(rng: random.Random, n: int) -> str:
    lines = [f"title: Story {n}", f"date: 2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} "
             f"{rng.randint(0, 23):02d}:{rng.choice(['00', '30'])}", f"dek: Dek {n}",
             f"section: {rng.choice(['news', 'business'])}", f"tags: [{rng.choice(TAGS[:3])}]",
             f"author: {rng.choice(['Li Na', 'Wang Lei'])}"]
    if rng.random() < 0.4:
        lines += ["image:", "  src: /images/photo.jpg", f"  caption: Caption {n}", f"  alt: Alt {n}"]
    lines.append(f"aliases: [/old/{n}.htm]")
    return ("---\n" + "\n".join(lines) + "\n---\n" + f"Paragraph {n}.\n\n"
            f"See [an older story](/old/{rng.randint(0, 30)}.htm).\n")


def field(path: Path, name: str, value: str | None) -> None:
    """Set (or with None, remove) the front matter line ``name:``."""
    lines = path.read_text(encoding="utf-8").split("\n")
    end = lines.index("---", 1)
    head = [line for line in lines[1:end] if not line.startswith(f"{name}:")]
    if value is not None:
        head.append(f"{name}: {value}")
    path.write_text("\n".join(["---", *head, *lines[end:]]), encoding="utf-8")


def change(rng: random.Random, site: Path, step: int) -> str:
    """One random change of where stories go, or of a story's text, or of both."""
    stories = sorted((site / "content").rglob("*.md"))
    path = rng.choice(stories)
    what = rng.choice(["add", "add", "delete", "redate", "redate", "section", "channel", "tags", "title", "draft",
                       "two", "move and edit", "move and edit", "alias clash", "future", "updated", "photo gone"])
    if what == "add":
        new = site / "content" / rng.choice(CHANNELS) / f"n{step}.md"
        new.write_text(story(rng, 100 + step), encoding="utf-8")
        return f"add {new.name}"
    if what == "delete":
        path.unlink()
    elif what == "redate":
        field(path, "date", f"20{rng.randint(20, 22)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 08:00")
    elif what == "section":
        field(path, "section", rng.choice(["news", "business"]))
    elif what == "channel":
        path.rename(site / "content" / rng.choice(CHANNELS) / path.name)
    elif what == "tags":
        field(path, "tags", "[" + ", ".join(rng.sample(TAGS, rng.randint(0, 2))) + "]")
    elif what == "title":  # no move: the other quick path
        field(path, "title", f"Retitled {step}")
    elif what == "draft":
        field(path, "draft", None if "draft: true" in path.read_text(encoding="utf-8") else "true")
    elif what == "two":  # one story in, another out
        path.unlink()
        (site / "content" / CHANNELS[0] / f"t{step}.md").write_text(story(rng, 200 + step), encoding="utf-8")
    elif what == "move and edit":  # one story re-dated, another retitled: the pages that show it, kept, change
        other = rng.choice([p for p in stories if p != path] or stories)
        field(path, "date", f"2022-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 09:00")
        field(other, "title", f"Retitled with a move {step}")
        return f"{what} {path.name} {other.name}"
    elif what == "alias clash":  # an alias that is another story's: an error both builds report
        field(path, "aliases", f"[/old/{rng.randint(0, 13)}.htm]")
    elif what == "future":  # scheduled: the full build's to decide
        field(path, "date", "2099-01-01 08:00")
    elif what == "updated":
        field(path, "updated", "2023-05-01 10:00")
    else:  # the photo leaves a story: the last one to show it takes it off the site
        text = path.read_text(encoding="utf-8")
        path.write_text("\n".join(line for line in text.split("\n") if not line.startswith(("image:", "  "))),
                        encoding="utf-8")
    return f"{what} {path.name}"


@pytest.fixture
def site(make_site):
    rng = random.Random(7)
    stories = {f"content/{rng.choice(CHANNELS)}/s{n}.md": story(rng, n) for n in range(14)}
    return make_site({**stories, "static/images/photo.jpg": JPEG})


@pytest.fixture
def restructures(monkeypatch) -> list[int]:
    """Counts the builds the structural quick path made, by pages rendered."""
    taken: list[int] = []
    original = restructure.restructure

    def counting(*args, **kwargs):
        result = original(*args, **kwargs)
        if result is not None:
            taken.append(result.pages_rendered)
        return result

    monkeypatch.setattr(restructure, "restructure", counting)
    return taken


def clean_build(site: Path, folder: Path):
    return build(load_config(site / "site.toml", output_dir=str(folder)))


@pytest.mark.parametrize("seed", [1, 2])
def test_random_structural_edits_match_clean_builds(site: Path, tmp_path: Path, restructures, seed: int) -> None:
    rng = random.Random(seed)
    config = load_config(site / "site.toml")
    first = build(config)
    history = []
    for step in range(30):
        history.append(change(rng, site, step))
        try:
            result = build(config)
        except BuildFailed as failed:
            with pytest.raises(BuildFailed) as clean_failed:
                clean_build(site, tmp_path / f"failed-{step}")
            assert failed.errors == clean_failed.value.errors, history
            for path in (site / "content").rglob("*.md"):
                field(path, "aliases", f"[/old/{path.stem}.htm]")  # the editor puts it right
            history.append("aliases made unique")
            result = build(config)
        clean = tmp_path / f"clean-{step}"
        expected = clean_build(site, clean)
        assert snapshot(site / "public") == snapshot(clean), history
        assert result.warnings == expected.warnings, history
        assert (result.pages, result.articles, result.drafts_skipped, result.scheduled_skipped, result.next_change) \
            == (expected.pages, expected.articles, expected.drafts_skipped, expected.scheduled_skipped,
                expected.next_change), history
        shutil.rmtree(clean)
    assert len(restructures) >= 8, history  # most moves took the structural path...
    assert sum(restructures) / len(restructures) < first.pages_rendered / 2  # ...rendering the pages that changed


def test_a_deleted_story_makes_links_to_it_dead_and_a_new_one_mends_them(site: Path, restructures) -> None:
    config = load_config(site / "site.toml")
    build(config)
    target = site / "content" / "changzhi" / "linked.md"
    target.write_text("---\ntitle: Linked\ndate: 2021-05-05 08:00\naliases: [/linked.htm]\n---\nBody.\n",
                      encoding="utf-8")
    source = sorted((site / "content").rglob("s*.md"))[0]
    source.write_text(source.read_text(encoding="utf-8") + "\nSee [this](/linked.htm).\n", encoding="utf-8")
    assert not [w for w in build(config).warnings if "/linked.htm" in w.message]
    target.unlink()
    dead = build(config)
    assert [w.path for w in dead.warnings if "/linked.htm" in w.message] == [source.relative_to(site).as_posix()]
    assert restructures, "the deletion took the structural path"
    target.write_text("---\ntitle: Back\ndate: 2021-05-06 08:00\naliases: [/linked.htm]\n---\nBody.\n",
                      encoding="utf-8")
    assert not [w for w in build(config).warnings if "/linked.htm" in w.message]
    assert len(restructures) == 2


def test_a_full_build_after_structural_ones_trusts_the_store_they_grew(site: Path, tmp_path: Path,
                                                                        restructures) -> None:
    config = load_config(site / "site.toml")
    build(config)
    folder = BuildCache.folder_for(config, config.dir("output"))
    for n in range(6):
        (site / "content" / "taiyuan" / f"extra{n}.md").write_text(
            f"---\ntitle: Extra {n}\ndate: 2022-02-0{n + 1} 08:00\n---\nBody {n}.\n", encoding="utf-8")
        build(config)
    assert len(restructures) >= 4  # on a site this small, a store with more old pages than live ones is compacted
    assert len(list(folder.glob("pages-*.pickle"))) == 1  # the old stores are removed
    story_file = site / "content" / "taiyuan" / "extra0.md"
    story_file.write_text(story_file.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    assert build(config).articles_read == 1  # an edit through the page store the structural builds left
    (site / "static" / "extra.txt").write_text("a file", encoding="utf-8")
    assert build(config).articles_read == 0  # a full build, every record from the cache
    clean = tmp_path / "clean"
    clean_build(site, clean)
    assert snapshot(site / "public") == snapshot(clean)


def test_the_previews_structural_path_gives_the_bytes_of_a_clean_build(site: Path, tmp_path: Path) -> None:
    from newsroom.cache import cache_key
    from newsroom.incremental import Session
    from newsroom.patch import patch_articles
    from newsroom.restructure import restructure_preview

    config = load_config(site / "site.toml", drafts=True, future=True)  # as build.py serve loads it
    output = tmp_path / "preview"
    cache = BuildCache(None, cache_key(config), config.root)
    session = Session(search=tmp_path / "search")  # as the preview keeps its search index
    build(config, preview=True, cache=cache, output=output, session=session)
    rng = random.Random(3)
    taken = 0
    history = []

    def sources() -> dict[Path, bytes]:
        return {p: p.read_bytes() for p in (site / "content").rglob("*.md")}

    for step in range(30):
        before = sources()
        history.append(change(rng, site, step))
        after = sources()
        changed = {p.resolve() for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        try:
            result = patch_articles(config, cache, session, changed, output)
            if result is None:
                result = restructure_preview(config, cache, session, changed, output)
                taken += result is not None
            if result is None:
                build(config, preview=True, cache=cache, output=output, session=session)
        except BuildFailed:
            session.forget()
            for path in (site / "content").rglob("*.md"):
                field(path, "aliases", f"[/old/{path.stem}.htm]")
            history.append("aliases made unique")
            build(config, preview=True, cache=cache, output=output, session=session)
        clean = tmp_path / f"clean-{step}"
        build(config, preview=True, output=clean, cache=BuildCache(None, cache_key(config), config.root))
        assert snapshot(output) == snapshot(clean), history
        shutil.rmtree(clean)
    assert taken >= 8, history


def test_the_preview_sees_a_photo_deleted_with_a_story_added(site: Path, tmp_path: Path) -> None:
    from newsroom.cache import cache_key
    from newsroom.incremental import Session
    from newsroom.patch import patch_articles
    from newsroom.restructure import restructure_preview

    photo = site / "content" / "changzhi" / "beside.jpg"  # a photo beside the story that shows it
    photo.write_bytes(JPEG)
    (site / "content" / "changzhi" / "shows.md").write_text(
        "---\ntitle: Shows\ndate: 2021-02-02 08:00\nimage: beside.jpg\n---\nBody.\n", encoding="utf-8")
    config = load_config(site / "site.toml", drafts=True, future=True)
    output = tmp_path / "preview"
    cache = BuildCache(None, cache_key(config), config.root)
    session = Session(search=tmp_path / "search")  # as the preview keeps its search index
    build(config, preview=True, cache=cache, output=output, session=session)
    added = site / "content" / "changzhi" / "added.md"
    added.write_text("---\ntitle: Added\ndate: 2021-03-03 08:00\n---\nNo photo here.\n", encoding="utf-8")
    photo.unlink()  # in the same batch of events: the story that shows it must be read again
    changed = {added.resolve(), photo.resolve()}
    assert patch_articles(config, cache, session, changed, output) is None
    assert restructure_preview(config, cache, session, changed, output) is None  # the full build's
