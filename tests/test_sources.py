"""Source folders as they are found on disk: symlinks, control characters, files that vanish."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import JPEG, REPO, article, run_build, snapshot

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="needs POSIX symlinks")


def test_a_symlink_inside_content_is_followed(make_site) -> None:
    site = make_site({"content/_shared/joint.md": article("A joint report", channel="changzhi"),
                      "content/_shared/photos/p.jpg": JPEG})
    (site / "content/changzhi").mkdir(exist_ok=True)
    os.symlink("../_shared/joint.md", site / "content/changzhi/joint.md")
    os.symlink("_shared/photos", site / "content/photos")
    (site / "content/taiyuan").mkdir()
    (site / "content/taiyuan/t.md").write_text(article("With a photo", body="![A photo.](../photos/p.jpg)"),
                                                encoding="utf-8")
    result = run_build(cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "A joint report" in (site / "public/changzhi/news/2021/08/joint/index.html").read_text(encoding="utf-8")
    assert 'srcset="/_img/' in (site / "public/taiyuan/news/2021/08/t/index.html").read_text(encoding="utf-8")
    assert (site / "public/photos/p.jpg").read_bytes()[:2] == b"\xff\xd8"  # the photo, through the link


@pytest.mark.parametrize(("link", "target", "message"), [
    ("content/changzhi/gone.md", "nowhere.md", "symlink to 'nowhere.md' leads nowhere: there is no such file"),
    ("content/changzhi/outside.md", "../../../elsewhere/story.md",
     "symlink to '../../../elsewhere/story.md' leads outside content/; copy the file in instead"),
    ("content/changzhi/loop", "..", "symlink to '..' loops back to a folder above it"),
    ("static/css/shared.css", "../../../elsewhere/shared.css",
     "symlink to '../../../elsewhere/shared.css' leads outside static/; copy the file in instead"),
    ("static/images/gone.png", "missing.png", "symlink to 'missing.png' leads nowhere: there is no such file"),
])
def test_symlinks_that_lead_nowhere_or_outside_are_errors(make_site, tmp_path: Path, link: str, target: str,
                                                          message: str) -> None:
    site = make_site({"content/changzhi/a.md": article(), "static/css/site.css": "body{}",
                      "static/images/.keep": ""})
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/story.md").write_text(article("Private"), encoding="utf-8")
    (tmp_path / "elsewhere/shared.css").write_text("p{}", encoding="utf-8")
    assert run_build(cwd=site).returncode == 0
    before = snapshot(site / "public")
    os.symlink(target, site / link)
    result = run_build(cwd=site)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"{link}: {message}",
                                          "build failed: 1 error; the output folder was left as it was"]
    assert snapshot(site / "public") == before


def test_a_template_symlink_that_leads_outside_is_an_error(make_site, tmp_path: Path) -> None:
    files = {f"templates/{p.relative_to(REPO / 'templates').as_posix()}": p.read_text(encoding="utf-8")
             for p in (REPO / "templates").rglob("*.html")}
    site = make_site({"content/changzhi/a.md": article(), **files},
                     site_toml=(REPO / "tests/conftest.py").read_text(encoding="utf-8").split('SITE_TOML = """\\\n')[1]
                     .split('"""')[0].replace('"{templates}"', '"templates"'))
    (tmp_path / "secret.html").write_text("{{ site.title }}", encoding="utf-8")
    os.symlink(tmp_path / "secret.html", site / "templates/partials/secret.html")
    result = run_build(cwd=site)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        f"templates/partials/secret.html: symlink to '{tmp_path / 'secret.html'}' leads outside templates/; "
        "copy the file in instead")


def test_an_editors_lock_file_is_not_an_article(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article()})
    os.symlink("user@host.1234:1700000000", site / "content/changzhi/.#a.md")  # what Emacs leaves while editing
    result = run_build(cwd=site)
    assert result.returncode == 0 and result.stderr == ""


def test_control_characters_are_errors_with_their_lines(make_site) -> None:
    text = "---\ntitle: Bell\x07 in the title\ndate: 2021-08-25\n---\nLine one.\nForm\x0cfeed and NUL\x00.\n"
    site = make_site({"content/changzhi/a.md": text, "content/changzhi/b.md": article(body="Tabs\tand\r\nCRLF are text.")})
    result = run_build(cwd=site)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "content/changzhi/a.md:2: a control character (U+0007) is not text; remove it",
        "content/changzhi/a.md:6: a control character (U+000C) is not text; remove it",
        "build failed: 2 errors; the output folder was left as it was",
    ]


def test_a_file_name_that_is_not_utf8_is_an_error_naming_it(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article()})
    name = os.fsencode(site / "content/changzhi") + b"/caf\xe9.md"  # Latin-1, from an old archive
    with open(name, "wb") as stream:
        stream.write(article("Old name").encode())
    result = run_build(cwd=site)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "content/changzhi/caf\\xe9.md: the file name is not UTF-8 text; rename it"
    assert "Traceback" not in result.stderr


def test_editor_temporaries_in_static_are_not_published(make_site) -> None:
    site = make_site({"content/changzhi/a.md": article(), "static/css/site.css": "body{}",
                      "static/css/site.css~": "old", "static/css/.site.css.swp": "swap", "static/css/4913": "",
                      "static/.well-known/security.txt": "Contact: mailto:desk@example.org"})
    os.symlink("user@host.1234:1700000000", site / "static/css/.#site.css")
    result = run_build(cwd=site)
    assert result.returncode == 0, result.stderr
    published = sorted(p.relative_to(site / "public").as_posix() for p in (site / "public").rglob("*")
                       if p.is_file() and p.parts[-2] in ("css", ".well-known"))
    fingerprinted = [f for f in published if re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", f)]  # the theme's copy
    assert sorted(set(published) - set(fingerprinted)) == [".well-known/security.txt", "css/site.css"]
    assert len(fingerprinted) == 1
