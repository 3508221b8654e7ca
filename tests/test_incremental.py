"""Incremental builds are exact: after any sequence of edits, byte-identical to a clean build."""

from __future__ import annotations

import os
import random
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import JPEG, REPO, article, snapshot

from newsroom import build, load_config, workers
from newsroom.cache import BuildCache, cache_key

CHANNELS = ["changzhi", "taiyuan"]
SECTIONS = ["news", "business"]
TAGS = ["rail", "Rail", "长治", "老陈醋", "C++", "C", "bridges"]  # case variants, pinyin, a slug clash
PEOPLE = ["Li Na", "Wu Jia", "李娜"]


def story(rng: random.Random, n: int) -> str:
    title = f"Story {n} {rng.choice(['bridge', 'market', 'festival', 'rail'])} {rng.randint(1, 99)}"
    date = f"2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.choice(['00', '30'])}"
    fields = {"section": rng.choice(SECTIONS), "dek": f"Dek {rng.randint(1, 999)}"}
    if rng.random() < 0.4:
        fields["image"] = "/images/photo.jpg"
    if rng.random() < 0.2:
        fields["draft"] = "true"
    return article(title, date=date, body=f"Paragraph {rng.randint(1, 10**6)}.\n\n## Heading\n\nMore text.", **fields)


def mutate(rng: random.Random, site: Path, counter: list[int]) -> str:
    articles = sorted((site / "content").rglob("*.md"))
    kind = rng.choice(["body", "title", "date", "updated", "move", "delete", "add", "add", "template", "config",
                       "feeds", "static", "tags", "authors", "alias", "expires", "future", "checkout", "lang",
                       "translation", "pin", "channel_pin", "breaking"])
    if kind in ("body", "title", "date", "updated", "move", "delete", "tags", "authors", "alias", "expires",
                "future", "lang", "translation", "pin", "channel_pin", "breaking") and not articles:
        kind = "add"
    if kind == "add":
        counter[0] += 1
        target = site / "content" / rng.choice(CHANNELS) / f"story-{counter[0]}.md"
        target.write_text(story(rng, counter[0]), encoding="utf-8")
        return f"add {target.name}"
    if kind in ("tags", "authors", "alias", "expires", "future", "lang", "translation", "pin", "channel_pin",
                "breaking"):
        target = rng.choice(articles)
        lines = target.read_text(encoding="utf-8").splitlines()
        field = {"tags": "tags:", "authors": "authors:", "alias": "aliases:", "expires": "expires:",
                 "future": "date:", "lang": "lang:", "translation": "translation_key:", "pin": "placement:",
                 "channel_pin": "channel_placement:", "breaking": "breaking:"}[kind]
        lines = [line for line in lines if not line.startswith(field)]
        scheduled = any(line.startswith("date: 2099") for line in lines)
        if kind == "future":  # an expiry before the new date would be a mistake
            lines = [line for line in lines if not line.startswith("expires:")]
        counter[0] += 1
        value = {
            "tags": lambda: "[" + ", ".join(rng.sample(TAGS, rng.randint(0, 3))) + "]",
            "authors": lambda: "[" + ", ".join(rng.sample(PEOPLE, rng.randint(0, 2))) + "]",
            "alias": lambda: f"[/old/{counter[0]}.htm, /2021-08/25/content_{counter[0]}/]",
            "expires": lambda: "2099-12-31 00:00" if scheduled else rng.choice(["2021-12-31 23:00",
                                                                                 "2099-01-01 00:00"]),
            "future": lambda: "2099-06-01 08:00",  # scheduled: left out
            "lang": lambda: rng.choice(["zh", "en"]),  # moves the story to the other edition
            "translation": lambda: rng.choice(["k1", "k2", "k3"]),  # links it to the other language's version
            "pin": lambda: rng.choice(["lead", "top", '""']),  # the home page's lead or top stories
            "channel_pin": lambda: rng.choice(["lead", "top", '""']),
            "breaking": lambda: rng.choice(["true", "false"]),  # the bar above every page
        }[kind]()
        lines.insert(2 if kind == "future" else 3, f"{field} {value}")
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return f"{kind} {target.name}: {value}"
    if kind in ("body", "title", "date", "updated"):
        target = rng.choice(articles)
        lines = target.read_text(encoding="utf-8").splitlines()
        if kind == "body":
            lines.append(f"An added sentence {rng.randint(1, 10**6)}.")
        elif kind == "title":
            lines[1] = f"title: Retitled {rng.randint(1, 10**6)}"
        elif kind == "updated":  # feeds, Atom, sitemap lastmod and the article's "Updated:" follow it
            lines = [line for line in lines if not line.startswith("updated:")]
            lines.insert(3, f"updated: 2022-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 09:15")
        else:
            lines = [f"date: 2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 08:00"
                     if line.startswith("date:") else line for line in lines]
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return f"{kind} {target.name}"
    if kind == "move":
        target = rng.choice(articles)
        channel = "taiyuan" if target.parent.name == "changzhi" else "changzhi"
        target.rename(site / "content" / channel / target.name)
        return f"move {target.name} to {channel}"
    if kind == "delete":
        target = rng.choice(articles)
        target.unlink()
        return f"delete {target.name}"
    if kind == "template":
        name = rng.choice(["article.html", "index.html", "partials/card.html", "partials/footer.html"])
        path = site / "templates" / name
        text = path.read_text(encoding="utf-8")
        marker = f"<!-- edit {rng.randint(1, 10**6)} -->"
        path.write_text(text.replace("</article>", marker + "</article>", 1) if "</article>" in text
                        else text + marker, encoding="utf-8")
        return f"template {name}"
    if kind == "checkout":  # a CI runner's clone: new mtimes, the same bytes; .cache/ restored, output maybe not
        counter[0] += 1
        stamp = time.time_ns() + counter[0] * 10**9
        for path in [site / "site.toml", *(p for f in ("content", "templates", "static")
                                           for p in (site / f).rglob("*") if p.is_file())]:
            os.utime(path, ns=(stamp, stamp))
        restored = rng.random() < 0.5
        if not restored:
            shutil.rmtree(site / "public", ignore_errors=True)
        return f"checkout, output {'restored' if restored else 'not restored'}"
    if kind == "feeds":
        config = site / "site.toml"
        text = config.read_text(encoding="utf-8").split("\n[feeds]")[0].rstrip("\n")
        items, full = rng.choice([1, 2, 50]), rng.choice(["true", "false"])
        config.write_text(f"{text}\n[feeds]\nitems = {items}\nfull_content = {full}\n", encoding="utf-8")
        return f"feeds items={items} full_content={full}"
    if kind == "static":
        (site / "static/css/extra.css").write_text(f"p {{ margin: {rng.randint(1, 9)}px }}", encoding="utf-8")
        return "static css"
    config = site / "site.toml"
    text = config.read_text(encoding="utf-8")
    per_page = rng.choice([2, 3, 5])
    config.write_text("\n".join(f"per_page = {per_page}" if line.startswith("per_page") else line
                                for line in text.splitlines()) + "\n", encoding="utf-8")
    return f"config per_page={per_page}"


@pytest.mark.parametrize("jobs", [1, 2])
def test_random_edit_sequences_match_clean_builds(make_site, tmp_path: Path, monkeypatch, jobs: int) -> None:
    if jobs > 1:  # use the process pool even for a small site
        monkeypatch.setattr(workers, "PARALLEL_READS", 1)
        monkeypatch.setattr(workers, "PARALLEL_PAGES", 1)
    files = {f"templates/{p.relative_to(REPO / 'templates').as_posix()}": p.read_text(encoding="utf-8")
             for p in (REPO / "templates").rglob("*.html")}
    site = make_site({**files, "static/images/photo.jpg": JPEG, "static/css/site.css": "body{}",
                      "content/changzhi/.keep": "", "content/taiyuan/.keep": ""})
    text = (site / "site.toml").read_text(encoding="utf-8").replace(
        f'templates_dir = "{(REPO / "templates").as_posix()}"', 'templates_dir = "templates"')
    (site / "site.toml").write_text(text + '\n[[languages]]\ncode = "zh"\n', encoding="utf-8")  # a Chinese edition
    rng = random.Random(20261129 + jobs)
    counter = [0]
    for _ in range(6):
        mutate(rng, site, counter)
    incremental = site / "public"
    history = []
    for step in range(20):
        history.append(mutate(rng, site, counter))
        build(load_config(site / "site.toml"), jobs=jobs)
        clean = tmp_path / f"clean-{step}"
        build(load_config(site / "site.toml", output_dir=str(clean)), jobs=1)
        assert snapshot(incremental) == snapshot(clean), f"after: {history}"


def test_a_damaged_or_stale_cache_is_rebuilt_not_trusted(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article("First"), "content/taiyuan/b.md": article("Second")})
    config = load_config(site / "site.toml")
    build(config)
    folder = BuildCache.folder_for(config, config.dir("output"))
    state = folder / "state.pickle"
    assert BuildCache.open(folder, cache_key(config)).state.entries  # a good cache is used

    state.write_bytes(state.read_bytes()[:100])  # truncated
    damaged = BuildCache.open(folder, cache_key(config))
    assert damaged.dropped.startswith("unreadable") and not damaged.state.entries
    (site / "content/changzhi/a.md").write_text(article("Changed"), encoding="utf-8")
    result = build(config)
    assert result.articles_read == 2
    assert "Changed" in (site / "public/changzhi/index.html").read_text(encoding="utf-8")

    assert BuildCache.open(folder, "another key").dropped == "made with another config or newsroom version"
    import pickle

    from newsroom.cache import Header

    good = state.read_bytes()
    header = pickle.loads(good)
    state.write_bytes(pickle.dumps(Header(header.format - 1, header.key, header.shards, header.outputs)))
    assert BuildCache.open(folder, cache_key(config)).dropped == "written by another version of newsroom"
    assert build(config).articles_read == 2
    state.write_bytes(b"not a pickle at all")
    assert build(config).articles_read == 2
    next(folder.glob("articles-*.pickle")).unlink()  # a shard gone
    assert BuildCache.open(folder, cache_key(config)).dropped == "incomplete"
    assert build(config).articles_read == 2
    for body in folder.glob("bodies-*/*.html"):
        body.unlink()  # bodies gone: records that point at them are read again...
    assert build(config).articles_read == 0  # ...when a build needs them; the output is whole: none does
    (site / "content/changzhi/c.md").write_text(article("Third"), encoding="utf-8")
    assert build(config).articles_read == 3


def test_a_build_with_the_inputs_of_the_last_reads_nothing_until_a_file_or_the_clock_changes(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article("First"),
                      "content/taiyuan/b.md": article("Later", date="2026-12-01 08:00")})
    config = load_config(site / "site.toml")
    before = datetime(2026, 11, 30, tzinfo=UTC)
    first = build(config, now=before)
    assert first.scheduled_skipped == 1 and first.articles_read == 2
    again = build(config, now=before)
    assert (again.articles_read, again.pages_rendered, again.files_written) == (0, 0, 0)
    assert (again.pages, again.articles, again.scheduled_skipped, again.next_change) == (
        first.pages, first.articles, first.scheduled_skipped, first.next_change)
    assert not (site / "public/taiyuan/index.html").read_text(encoding="utf-8").count("Later")
    after = build(config, now=datetime(2026, 12, 2, tzinfo=UTC))  # the scheduled story's time has come
    assert after.scheduled_skipped == 0 and after.pages_rendered > 0
    assert "Later" in (site / "public/taiyuan/index.html").read_text(encoding="utf-8")
    (site / "public/.newsroom-manifest").unlink()  # an output folder not as the last build left it
    assert build(config, now=datetime(2026, 12, 2, tzinfo=UTC)).files_kept > 0
    assert (site / "public/.newsroom-manifest").is_file()
    time.sleep(0.01)
    (site / "content/changzhi/a.md").write_text(article("First, edited"), encoding="utf-8")
    edited = build(config, now=datetime(2026, 12, 2, tzinfo=UTC))
    assert edited.articles_read == 1
    assert "First, edited" in (site / "public/changzhi/index.html").read_text(encoding="utf-8")


def test_unchanged_articles_are_not_read_again(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article("First"), "content/taiyuan/b.md": article("Second")})
    config = load_config(site / "site.toml")
    assert build(config).articles_read == 2
    assert build(config).articles_read == 0
    index = site / "public/pagefind"
    before = {p: p.read_bytes() for p in index.rglob("*") if p.is_file()}
    (site / "content/changzhi/a.md").write_text(article("Edited"), encoding="utf-8")
    result = build(config)
    searched = {p for p in index.rglob("*") if p.is_file() and before.get(p) != p.read_bytes()}
    # its page, channel, section, home, neighbour; the site's RSS and Atom, the channel's and the
    # section's RSS, the news sitemap (sitemap.xml lists no titles: it stays); its year's and
    # month's archive pages; and its month's search index: the story's fragment, the word index,
    # the filters, the meta and entry files that name them
    assert (result.articles_read, result.files_written) == (1, 12 + len(searched))
    assert 1 <= len(searched) <= 6 and {p.relative_to(index).parts[0] for p in searched} == {"en-2021-08"}


def test_the_preview_quick_path_gives_the_same_bytes(make_site, tmp_path: Path) -> None:
    from newsroom.incremental import Session
    from newsroom.patch import patch_articles

    rng = random.Random(7)
    site = make_site({f"content/{rng.choice(CHANNELS)}/s{n}.md": story(rng, n) for n in range(12)}
                     | {"static/images/photo.jpg": JPEG})
    config = load_config(site / "site.toml", drafts=True)
    output = tmp_path / "preview"
    cache = BuildCache(None, cache_key(config), config.root)
    session = Session(search=tmp_path / "search")  # as the preview keeps its search index
    build(config, preview=True, cache=cache, output=output, session=session)
    quick = 0
    for step in range(18):
        target = site / "content" / rng.choice(CHANNELS)
        files = sorted(target.glob("*.md"))
        if not files:
            continue
        path = rng.choice(files)
        lines = path.read_text(encoding="utf-8").splitlines()
        what = rng.choice(["title", "body", "dek", "date", "updated"])
        if what == "title":
            lines[1] = f"title: Quick title {step}"
        elif what == "date":
            lines[2] = f"date: 2021-{rng.randint(1, 12):02d}-05 10:00"
        elif what == "updated":
            lines = [line for line in lines if not line.startswith("updated:")]
            lines.insert(3, f"updated: 2022-{rng.randint(1, 12):02d}-05 10:00")
        elif what == "dek":
            lines = [f"dek: New dek {step}" if line.startswith("dek:") else line for line in lines]
        else:
            lines.append(f"A new line {step}.")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = patch_articles(config, cache, session, {path.resolve()}, output)
        if what in ("date", "updated"):
            assert result is None  # the article may move in its lists: a full build's job
        if result is None:
            build(config, preview=True, cache=cache, output=output, session=session)
        else:
            quick += 1
            assert result.pages_rendered >= 1
        clean = tmp_path / f"clean-{step}"
        build(config, preview=True, output=clean, cache=BuildCache(None, cache_key(config), config.root))
        assert snapshot(output) == snapshot(clean), f"step {step}: {what} {path.name}"
    assert quick >= 5
