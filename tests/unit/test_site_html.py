"""Every page of the built sample parses as HTML without a single parse error (html5lib)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


def test_every_page_parses_without_errors(sample_site: Path) -> None:
    html5lib = pytest.importorskip("html5lib")
    pages = sorted(sample_site.rglob("*.html"))
    assert len(pages) >= 18
    problems: dict[str, list[str]] = {}
    for page in pages:
        parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
        parser.parse(page.read_bytes(), likely_encoding="utf-8")
        if parser.errors:
            problems[str(page.relative_to(sample_site))] = [
                f"line {pos[0]}: {code} {data}" for pos, code, data in parser.errors[:5]]
    assert problems == {}


def test_ids_are_unique_and_labels_point_at_controls(sample_site: Path) -> None:
    for page in sorted(sample_site.rglob("*.html")):
        html = page.read_text()
        ids = re.findall(r'\sid="([^"]+)"', html)
        dupes = {i for i in ids if ids.count(i) > 1}
        assert not dupes, (page, dupes)
        for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', html):
            assert target in ids, (page, target)
        assert " style=" not in html, page  # the CSP forbids inline styles
