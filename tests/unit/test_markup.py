from __future__ import annotations

import pytest

from mlm_site.markup import plain_text, render_markdown
from mlm_site.urls import safe_url

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "<a href='vbscript:msgbox(1)'>x</a>",
    "<iframe src='https://evil.example'></iframe>",
    "<style>body{display:none}</style>",
    "<form action='https://evil.example'><input></form>",
    "<object data='x.swf'></object>",
    "<svg onload=alert(1)>",
    "<a href='data:text/html,<script>alert(1)</script>'>d</a>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_is_sanitised(payload: str) -> None:
    html = render_markdown(f"Intro\n\n{payload}\n\nEnd").lower()
    for bad in ("<script", "onerror", "onload", "javascript:", "vbscript:", "<iframe", "<style", "<form",
                "<input", "<object", "<svg", "data:text"):
        assert bad not in html


def test_markdown_features_survive() -> None:
    html = render_markdown("# Title\n\n* a\n* b\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n```python\nprint(1)\n```\n\n[ok](https://example.org)")
    assert "<h2>Title</h2>" in html  # shifted below the page's own h1
    assert "<li>a</li>" in html and "<table>" in html and 'class="language-python"' in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_non_strings_render_empty() -> None:
    assert render_markdown(None) == "" and render_markdown(["x"]) == "" and render_markdown(3) == ""


def test_plain_text_summary() -> None:
    assert plain_text("**Bold** and <b>tags</b> &amp; more") == "Bold and tags & more"
    assert plain_text("# Heading\n\nFirst sentence.\n\n## Next\n\nMore.") == "First sentence. More."
    assert len(plain_text("word " * 200, limit=50)) <= 50


@pytest.mark.parametrize("url,ok", [
    ("https://a.example/x", True), ("http://a.example", True), ("mailto:a@b.c", True),
    ("../rel/path.json", True), ("javascript:alert(1)", False), (" javascript:alert(1)", False),
    ("data:image/png;base64,xx", False), ("vbscript:x", False), ("file:///etc/passwd", False),
    ("java\nscript:alert(1)", False), (None, False), (42, False), ("", False),
])
def test_safe_url(url: object, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok
