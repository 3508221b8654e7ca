"""BuildCache: what a build keeps for the next one, and when it must not be trusted.

Each test builds a tiny throwaway site, then reopens the cache the way the next build
does (``BuildCache.open(folder_for(...), cache_key(config), root)``) and checks what it
gives back. Only the public surface is used: ``open``, ``folder_for``, ``article``,
``outputs``, ``dropped``, ``known_outputs`` and the files the cache leaves on disk.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import JPEG, article

from newsroom import build, load_config
from newsroom.cache import BuildCache, cache_key
from newsroom.config import Config
from newsroom.content import load_article
from newsroom.errors import BuildFailed
from newsroom.markup import Markdown
from newsroom.output import MANIFEST

STORIES = {
    "content/changzhi/greenway.md": article("Greenway opens", date="2021-08-25 09:30", body="Cyclists ride.",
                                            section="news"),
    "content/changzhi/market.md": article("Night market", date="2021-08-26 18:00", section="business",
                                          body="Stalls open.\n\n![Lanterns over the stalls.](lanterns.jpg)"),
    "content/changzhi/lanterns.jpg": JPEG,
    "content/taiyuan/rail.md": article("Rail link", date="2021-08-27 08:00", body="Trains run."),
    "static/css/site.css": "body { margin: 0 }",
}


def site_with(make_site, files: dict[str, str | bytes] | None = None) -> Config:
    """A built site of STORIES (plus ``files``); returns its config."""
    config = load_config(make_site(STORIES | (files or {})) / "site.toml")
    build(config, jobs=1)
    return config


def reopen(config: Config, key: str | None = None) -> BuildCache:
    """The cache of the config's output folder as the next build opens it."""
    folder = BuildCache.folder_for(config, config.dir("output"))
    return BuildCache.open(folder, key if key is not None else cache_key(config), config.root)


def lookup(cache: BuildCache, config: Config, shown: str):
    """The record the cache would reuse for a site-relative article file, or None."""
    return cache.article(shown, os.stat(config.root / shown))


def rewrite(path: Path, text: str) -> None:
    """Write ``text`` and make sure the mtime moves, however coarse the file system's clock."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


def shard_files(config: Config) -> set[str]:
    folder = BuildCache.folder_for(config, config.dir("output"))
    return {p.name for p in folder.glob("articles-*.pickle")}


def output_files(config: Config) -> set[str]:
    output = config.dir("output")
    return {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()} - {MANIFEST}


# -- round trip --------------------------------------------------------------------------


def test_a_reopened_cache_gives_back_every_article_record(make_site) -> None:
    """Every article comes back with the fields pages are made from, and a readable body."""
    config = site_with(make_site)
    cache = reopen(config)
    assert cache.dropped == ""
    markdown = Markdown()
    shown_files = sorted(name for name in STORIES if name.endswith(".md"))
    for shown in shown_files:
        stored = lookup(cache, config, shown)
        assert stored is not None, f"{shown} should be reused"
        fresh = load_article(config, config.root / shown, markdown, shown=shown)
        assert (stored.path, stored.url, stored.title, stored.date, stored.channel.slug, stored.digest) == (
            fresh.path, fresh.url, fresh.title, fresh.date, fresh.channel.slug, fresh.digest)
        assert stored.body.text == fresh.body.text
    assert "<figure" in lookup(cache, config, "content/changzhi/market.md").body.text


def test_the_cache_fingerprints_every_output_file(make_site) -> None:
    """``outputs`` names each file of the output folder (pages, article images, static files)."""
    config = site_with(make_site)
    outputs = reopen(config).outputs
    assert set(outputs) == output_files(config)
    assert {"index.html", "changzhi/lanterns.jpg", "css/site.css"} <= set(outputs)
    assert all(isinstance(print_, str) and print_ for print_ in outputs.values())


def test_a_rebuild_that_changes_nothing_leaves_the_cache_files_alone(make_site) -> None:
    """A no-op build rewrites neither the header nor any shard or body."""
    config = site_with(make_site)
    folder = BuildCache.folder_for(config, config.dir("output"))
    stamps = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    assert build(config, jobs=1).articles_read == 0
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == stamps


# -- invalidation ------------------------------------------------------------------------


def test_a_record_is_reused_when_only_its_mtime_changed(make_site) -> None:
    """Same bytes, newer mtime (a fresh checkout): recognised by the bytes' hash, not read again."""
    config = site_with(make_site)
    path = config.root / "content/changzhi/greenway.md"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert lookup(reopen(config), config, "content/changzhi/greenway.md") is not None


def test_a_record_is_not_reused_once_its_bytes_change_at_the_same_size(make_site) -> None:
    """Another mtime and other bytes of the same length: read again."""
    config = site_with(make_site)
    path = config.root / "content/changzhi/greenway.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Cyclists ride.", "Cyclists rode."[:14]), encoding="utf-8")
    assert path.stat().st_size == len(text.encode())
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert lookup(reopen(config), config, "content/changzhi/greenway.md") is None
    assert lookup(reopen(config), config, "content/taiyuan/rail.md") is not None


def test_a_fresh_checkout_with_the_cache_restored_reads_and_makes_nothing(make_site, monkeypatch) -> None:
    """CI clones the repository (every file gets a new mtime) and restores .cache/ and the
    output: no article is read, no photo made, no page rendered or written."""
    from newsroom import workers

    config = site_with(make_site)
    for path in config.root.rglob("*"):
        if path.is_file() and ".cache" not in path.parts and "public" not in path.parts:
            stat = path.stat()
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    made = []
    monkeypatch.setattr(workers, "make_photos", lambda todo, *a, **k: made.extend(todo) or [None] * len(todo))
    result = build(config, jobs=1)
    assert (result.articles_read, result.pages_rendered, result.files_written, made) == (0, 0, 0, [])
    monkeypatch.undo()
    path = config.root / "content/changzhi/lanterns.jpg"  # a photo with other bytes: its article is read again
    from PIL import Image

    Image.new("RGB", (64, 40), "red").save(path, "JPEG")
    assert build(config, jobs=1).articles_read == 1


def test_a_record_is_not_reused_once_its_size_changes(make_site) -> None:
    """An edit that keeps the old mtime (a restored backup, a coarse clock) is still seen."""
    config = site_with(make_site)
    path = config.root / "content/changzhi/greenway.md"
    stat = path.stat()
    path.write_text(article("Greenway opens", date="2021-08-25 09:30", body="Cyclists ride far."), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert lookup(reopen(config), config, "content/changzhi/greenway.md") is None


def test_a_record_is_not_reused_once_an_image_it_showed_is_gone(make_site) -> None:
    """A body image that existed (``Article.depends``) and was deleted: the record is read again."""
    config = site_with(make_site)
    cache = reopen(config)
    assert "content/changzhi/lanterns.jpg" in lookup(cache, config, "content/changzhi/market.md").depends
    (config.root / "content/changzhi/lanterns.jpg").unlink()
    assert lookup(reopen(config), config, "content/changzhi/market.md") is None
    assert lookup(reopen(config), config, "content/changzhi/greenway.md") is not None


def test_a_record_is_not_reused_once_a_missing_image_appears(make_site) -> None:
    """A body image that was missing (``Article.absent``) and is then created: the record is
    read again, and the next build drops the warning and publishes the image."""
    config = load_config(make_site(STORIES | {"content/taiyuan/gone.md": article("Lost photo", body="![x](gone.jpg)")})
                         / "site.toml")
    assert [w.path for w in build(config, jobs=1).warnings] == ["content/taiyuan/gone.md"]
    stored = lookup(reopen(config), config, "content/taiyuan/gone.md")
    assert stored is not None and "content/taiyuan/gone.jpg" in stored.absent

    (config.root / "content/taiyuan/gone.jpg").write_bytes(JPEG)
    assert lookup(reopen(config), config, "content/taiyuan/gone.md") is None
    assert lookup(reopen(config), config, "content/taiyuan/rail.md") is not None
    result = build(config, jobs=1)
    assert (result.articles_read, result.warnings) == (1, ())
    assert (config.dir("output") / "taiyuan/gone.jpg").is_file()


def test_a_cache_kept_across_builds_notices_an_image_that_appeared_after_a_failed_build(make_site) -> None:
    """The preview keeps one BuildCache for its session: a failed build in between must not
    make it miss an image that appeared since."""
    config = load_config(make_site({"content/taiyuan/gone.md": article("Lost photo", body="![x](gone.jpg)")})
                         / "site.toml")
    cache = BuildCache(None, cache_key(config), config.root)
    output = config.root / "preview"
    build(config, cache=cache, output=output, jobs=1)
    broken = config.root / "content/taiyuan/broken.md"
    broken.write_text("---\ntitle: [\n---\n", encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(config, cache=cache, output=output, jobs=1)
    broken.unlink()
    (config.root / "content/taiyuan/gone.jpg").write_bytes(JPEG)
    result = build(config, cache=cache, output=output, jobs=1)
    assert (result.articles_read, result.warnings) == (1, ())
    assert (output / "taiyuan/gone.jpg").is_file()


def test_the_key_is_the_same_for_the_same_config(make_site) -> None:
    """Loading one site.toml twice gives one key: otherwise no cache would ever be reused."""
    site = make_site(STORIES)
    assert cache_key(load_config(site / "site.toml")) == cache_key(load_config(site / "site.toml"))


@pytest.mark.parametrize(("old", "new"), [
    ("per_page = 2", "per_page = 3"),
    ('title = "Eshanxi"', 'title = "Eshanxi Daily"'),
], ids=["per_page", "site-title"])
def test_a_changed_config_gives_another_key(make_site, old: str, new: str) -> None:
    site = make_site(STORIES)
    toml = site / "site.toml"
    before = cache_key(load_config(toml))
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new), encoding="utf-8")
    assert cache_key(load_config(toml)) != before


def test_a_cache_made_with_another_key_is_dropped_and_empty(make_site) -> None:
    """Opened with another key, the cache says why it was dropped and offers nothing."""
    config = site_with(make_site)
    toml = config.path
    toml.write_text(toml.read_text(encoding="utf-8").replace("per_page = 2", "per_page = 3"), encoding="utf-8")
    changed = load_config(toml)
    cache = reopen(changed)
    assert cache.dropped and "config" in cache.dropped
    assert cache.outputs == {}
    assert all(lookup(cache, changed, name) is None for name in STORIES if name.endswith(".md"))
    assert build(changed, jobs=1).articles_read == 3  # and the build really starts over


def test_each_output_folder_has_a_cache_folder_of_its_own(make_site) -> None:
    """``folder_for`` is stable for one output folder, differs for two, and stays in the site folder."""
    config = load_config(make_site(STORIES) / "site.toml")
    public = BuildCache.folder_for(config, config.root / "public")
    assert public == BuildCache.folder_for(config, config.root / "public")
    assert public != BuildCache.folder_for(config, config.root / "staging")
    assert public != BuildCache.folder_for(config, config.root / "elsewhere" / "public")  # same name, other place
    assert config.root.resolve() in public.resolve().parents


# -- saving ------------------------------------------------------------------------------


def test_saving_after_editing_one_article_writes_one_new_shard(make_site) -> None:
    """An edit rewrites only the shard of the edited file: one shard file new, one gone."""
    config = site_with(make_site)
    before = shard_files(config)
    rewrite(config.root / "content/changzhi/greenway.md", article("Greenway opens wide", date="2021-08-25 09:30"))
    assert build(config, jobs=1).articles_read == 1
    after = shard_files(config)
    assert len(after - before) == 1
    assert len(before - after) == 1
    assert len(after) == len(before)


def test_a_save_stopped_before_the_header_leaves_the_old_cache_valid(make_site, monkeypatch) -> None:
    """New shards are written first and the header last: stopped in between, the cache is the
    old one, whole; the next good save removes the shard the stopped one left behind."""
    from newsroom.faults import InjectedFault

    config = site_with(make_site)
    before = shard_files(config)
    edited = config.root / "content/changzhi/greenway.md"
    unedited = edited.stat()
    rewrite(edited, article("Greenway opens wide", date="2021-08-25 09:30"))
    monkeypatch.setenv("NEWSROOM_RAISE_AT", "before-cache-header")
    with pytest.raises(InjectedFault):
        build(config, jobs=1)
    monkeypatch.delenv("NEWSROOM_RAISE_AT")

    left_behind = shard_files(config) - before
    assert len(left_behind) == 1  # the new shard was written...
    old = reopen(config)  # ...but the header still describes the old cache, which is whole
    assert old.dropped == ""
    assert lookup(old, config, "content/changzhi/greenway.md") is None  # the edit is not in it
    assert old.article("content/changzhi/greenway.md", unedited).title == "Greenway opens"
    assert lookup(old, config, "content/taiyuan/rail.md").title == "Rail link"

    assert build(config, jobs=1).articles_read == 1
    assert not left_behind & shard_files(config)
    assert lookup(reopen(config), config, "content/changzhi/greenway.md").title == "Greenway opens wide"


def test_saving_removes_the_bodies_of_deleted_articles(make_site) -> None:
    """The body file of a deleted article goes; the others stay."""
    config = site_with(make_site)
    cache = reopen(config)
    gone = Path(lookup(cache, config, "content/changzhi/greenway.md").body.file)
    kept = Path(lookup(cache, config, "content/taiyuan/rail.md").body.file)
    assert gone.is_file() and kept.is_file()
    (config.root / "content/changzhi/greenway.md").unlink()
    build(config, jobs=1)
    assert not gone.exists()
    assert kept.is_file()
    assert len(list(gone.parent.iterdir())) == 2  # the two articles left


# -- known outputs -----------------------------------------------------------------------


def test_a_cache_with_another_key_still_knows_the_files_it_wrote(make_site) -> None:
    """``known_outputs`` comes from the header even when the key differs: an output folder
    built before manifests existed is recognised by it."""
    config = site_with(make_site)
    files = output_files(config)
    other = reopen(config, key="made by another version")
    assert other.dropped and other.outputs == {}
    assert other.known_outputs == files
    assert reopen(config).known_outputs == files
    assert BuildCache.open(None, cache_key(config), config.root).known_outputs == frozenset()
