"""build.py as a user runs it: exit codes, error lines, and an output folder that survives mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURE_SITE, JPEG, REPO, article, run_build, snapshot

GOOD = {"content/changzhi/a.md": article("First story"), "content/taiyuan/b.md": article("Second story")}


def test_help_documents_commands_and_flags(tmp_path: Path) -> None:
    result = run_build("--help", cwd=tmp_path)
    assert result.returncode == 0
    for word in ("build", "check", "--output", "--base-url", "--drafts", "--quiet", "--config", "--strict",
                 "--clean-output", "path:line: field: message", "path:line: field: warning: message"):
        assert word in result.stdout


def test_build_prints_one_summary_line(make_site) -> None:
    site = make_site(GOOD)
    result = run_build(cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    (line,) = result.stdout.splitlines()
    assert line.startswith("built 29 pages from 2 articles in ")
    assert " s -> public/ (" in line
    assert (site / "public/changzhi/news/2021/08/a/index.html").is_file()


def test_quiet_output_and_drafts_flags(make_site, tmp_path: Path) -> None:
    site = make_site({**GOOD, "content/changzhi/d.md": article("Draft story", draft="true")})
    result = run_build("--quiet", "--output", str(tmp_path / "elsewhere"), cwd=site)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert not (tmp_path / "elsewhere/changzhi/news/2021/08/d").exists()
    assert (tmp_path / "elsewhere/changzhi/news/2021/08/a/index.html").is_file()
    assert not (site / "public").exists()
    result = run_build("--drafts", cwd=site)
    assert result.returncode == 0
    assert "Draft story" in (site / "public/changzhi/news/2021/08/d/index.html").read_text(encoding="utf-8")


def test_check_writes_nothing(make_site) -> None:
    site = make_site(GOOD)
    result = run_build("check", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("check passed: 29 pages from 2 articles")
    assert sorted(p.name for p in site.iterdir()) == ["content", "site.toml"]


BAD_INPUTS = {
    "broken YAML": ({"content/changzhi/c.md": "---\ntitle: [oops\ndate: 2021-08-25\n---\nx\n"},
                    ["content/changzhi/c.md:2: title: invalid YAML: "]),
    "missing title": ({"content/changzhi/c.md": "---\ndate: 2021-08-25\n---\nx\n"},
                      ["content/changzhi/c.md: title: missing; every article needs one"]),
    "bad date": ({"content/changzhi/c.md": article(date="25.08.2021")},
                 ["content/changzhi/c.md:3: date: '25.08.2021' is ambiguous"]),
    "same URL": ({"content/changzhi/c.md": article(slug="a")},
                 ["content/changzhi/a.md: slug: URL /changzhi/news/2021/08/a/ is also the URL of content/changzhi/c.md",
                  "content/changzhi/c.md: slug: URL /changzhi/news/2021/08/a/ is also the URL of content/changzhi/a.md"]),
    "escaping slug": ({"content/changzhi/c.md": article(slug="../../../x")},
                      ["content/changzhi/c.md:4: slug: '../../../x' would leave its folder"]),
    "escaping image": ({"content/changzhi/c.md": article(image="../../site.toml")},
                       ["content/changzhi/c.md:4: image.src: '../../site.toml' would leave the content folder"]),
    "missing lead photo": ({"content/changzhi/c.md": article(image="/images/none.jpg")},
                           ["content/changzhi/c.md:4: image.src: '/images/none.jpg' not found: no file "
                            "static/images/none.jpg"]),
    "control character": ({"content/changzhi/c.md": article(body="Tab\tis fine, NUL\0 is not.")},
                          ["content/changzhi/c.md:5: a control character (NUL) is not text; remove it"]),
    "config": ({"site.toml": "[site]\ntitle = 'X'\nbase_url = 'https://x.example/'\nper_page = 3\n"
                             "[build]\ntemplates_dir = '{templates}'\n[[channels]]\nslug = 'changzhi'\nname = 'C'\n[[sections]]\nslug = 'news'\nname = 'N'\n"},
               ["site.toml:4: site.per_page: unknown key"]),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_exits_1_names_the_file_and_keeps_output(make_site, case: str) -> None:
    site = make_site(GOOD)
    assert run_build(cwd=site).returncode == 0
    before = snapshot(site / "public")
    files, expected = BAD_INPUTS[case]
    for name, text in files.items():
        (site / name).write_text(text.replace("{templates}", str(REPO / "templates")), encoding="utf-8")
    result = run_build(cwd=site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(expected) + 1
    for line, start in zip(lines, expected, strict=False):
        assert line.startswith(start), line
    assert lines[-1].startswith("build failed: ") and "the output folder was left as it was" in lines[-1]
    assert result.stdout == ""
    assert snapshot(site / "public") == before
    assert sorted(p.name for p in site.iterdir()) == [".cache", "content", "public", "site.toml"]


def test_dead_images_and_links_in_bodies_are_warnings_and_strict_makes_them_errors(make_site) -> None:
    body = ("![A lost photo.](photos/lost.jpg)\n\nSee [the old report](files/report.pdf), "
            "[the archive](/2019/05/old-story/) and [the home page](/).")
    site = make_site({**GOOD, "content/changzhi/c.md": article("Imported", body=body)})
    result = run_build(cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "content/changzhi/c.md:5: image: warning: 'photos/lost.jpg' not found: no file "
        "content/changzhi/photos/lost.jpg; left as written",
        "content/changzhi/c.md:7: link: warning: '/2019/05/old-story/' not found: no page or file of this site "
        "has that path; left as written",
        "content/changzhi/c.md:7: link: warning: 'files/report.pdf' not found: no file "
        "content/changzhi/files/report.pdf; left as written",
    ]
    assert "3 warnings (--strict makes them errors)" in result.stdout
    page = (site / "public/changzhi/news/2021/08/c/index.html").read_text(encoding="utf-8")
    assert 'src="photos/lost.jpg"' in page and 'href="files/report.pdf"' in page
    assert 'href="/2019/05/old-story/"' in page and 'href="/"' in page

    before = snapshot(site / "public")
    (site / "content/changzhi/c.md").write_text(article("Imported again", body=body), encoding="utf-8")
    strict = run_build("--strict", cwd=site)
    assert strict.returncode == 1
    assert strict.stderr.splitlines()[0] == (
        "content/changzhi/c.md:5: image: 'photos/lost.jpg' not found: no file content/changzhi/photos/lost.jpg")
    assert strict.stderr.splitlines()[-1] == "build failed: 3 errors; the output folder was left as it was"
    assert snapshot(site / "public") == before

    (site / "content/changzhi/photos").mkdir()
    (site / "content/changzhi/photos/lost.jpg").write_bytes(JPEG)  # found after all
    result = run_build(cwd=site)
    assert "photos/lost.jpg" not in result.stderr and "2 warnings" in result.stdout
    page = (site / "public/changzhi/news/2021/08/c/index.html").read_text(encoding="utf-8")
    assert 'srcset="/_img/' in page  # a photo now: its variants
    assert (site / "public/changzhi/photos/lost.jpg").is_file()


def test_every_mistake_of_the_run_at_once(make_site) -> None:
    site = make_site({**GOOD, "content/changzhi/c.md": article(date="soon"),
                      "content/taiyuan/d.md": "no front matter\n",
                      "content/taiyuan/e.md": article(section="weather")})
    result = run_build("check", cwd=site)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/changzhi/c.md:3: date: 'soon' is not a date newsroom understands; write it as 2021-08-25, "
        "2021-08-25 09:30 or 2021-08-25T09:30:00+08:00",
        "content/taiyuan/d.md:1: no front matter: an article starts with a '---' line, then 'title:' and "
        "'date:', then '---'",
        "content/taiyuan/e.md:4: section: unknown section 'weather'; site.toml declares: news, business",
        "check failed: 3 errors",
    ]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{% extends 'base.html' %}{% block main %}{{ article.title }\n{% endblock %}",
         "templates/article.html:1: template syntax: "),
        ("{% extends 'base.html' %}\n{% block main %}\n{{ article.no_such_field }}\n{% endblock %}",
         "templates/article.html:3: template error: "),
        ("{% extends 'base.html' %}{% block main %}{% include 'partials/missing.html' %}{% endblock %}",
         "templates/article.html:1: template 'partials/missing.html' not found in templates/"),
    ],
)
def test_template_mistakes_name_template_file_and_line(make_site, template: str, expected: str) -> None:
    repo_templates = REPO / "templates"
    files = {f"templates/{p.relative_to(repo_templates).as_posix()}": p.read_text(encoding="utf-8")
             for p in repo_templates.rglob("*.html")}
    files["templates/article.html"] = template
    site = make_site({**GOOD, **files}, site_toml=(
        "[site]\ntitle = 'Eshanxi'\nbase_url = 'https://x.example/'\n"
        "[[channels]]\nslug = 'changzhi'\nname = 'Changzhi'\n[[channels]]\nslug = 'taiyuan'\nname = 'Taiyuan'\n"
        "[[sections]]\nslug = 'news'\nname = 'News'\n"))
    result = run_build(cwd=site)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(expected), lines
    assert len(lines) == 2, "one template mistake is reported once, not once per page"
    assert not (site / "public").exists()


def test_fixture_site_builds_cleanly(tmp_path: Path) -> None:
    result = run_build("--config", str(FIXTURE_SITE / "site.toml"), "--output", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "built 53 pages from 9 articles, 1 draft skipped" in result.stdout


def test_sample_site_builds_without_warnings(tmp_path: Path) -> None:
    """The repository's own site, as the README's first command builds it."""
    result = run_build("--output", str(tmp_path / "public"), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("built ")
    assert (tmp_path / "public/index.html").is_file()
