"""Catalog text to safe HTML: Markdown rendered, then sanitised with an allow-list.

Everything from a catalog is untrusted. Markdown may carry raw HTML; the
sanitiser (nh3) keeps only harmless tags and attributes, and link targets are
limited to http, https, mailto and relative references.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import markdown as _markdown
import nh3

from mlm_site.urls import safe_url

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}
MAX_MARKDOWN = 200_000
_HEADING_BLOCK = re.compile(r"<h([1-6])>.*?</h\1>", re.S)
_HEADING = re.compile(r"<(/?)h([1-6])>")


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr in ("href", "src"):
        return safe_url(value)
    if attr == "class":
        return value if re.fullmatch(r"language-[A-Za-z0-9_+-]{1,30}", value) else None
    return value


def _shift_headings(html: str, shift: int) -> str:
    def repl(m: re.Match[str]) -> str:
        level = min(6, int(m.group(2)) + shift)
        return f"<{m.group(1)}h{level}>"

    return _HEADING.sub(repl, html)


def render_markdown(text: Any, *, heading_shift: int = 1, link: Callable[[object], str | None] | None = None) -> str:
    """Markdown (CommonMark-ish, with tables and fenced code) to sanitised HTML.

    Headings are shifted down by ``heading_shift`` so that catalog text never
    competes with the page's own ``<h1>``. ``link`` maps each ``href``/``src``
    (after the safe-scheme check) to the URL to write, or None to drop it.
    Non-string input renders as "".
    """
    if not isinstance(text, str) or not text.strip():
        return ""
    text = text[:MAX_MARKDOWN]
    try:
        html = _converter().reset().convert(text)
    except (RecursionError, ValueError):
        html = "<p>" + nh3.clean_text(text) + "</p>"
    if heading_shift:
        html = _shift_headings(html, heading_shift)
    return sanitize_html(html, link)


def sanitize_html(html: str, link: Callable[[object], str | None] | None = None) -> str:
    """Keep only allow-listed tags and attributes; unsafe URLs are dropped."""

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        result = _attribute_filter(tag, attr, value)
        if result is not None and link is not None and attr in ("href", "src"):
            return link(result)
        return result

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


_CONVERTER: list[_markdown.Markdown] = []


def _converter() -> _markdown.Markdown:
    """One Markdown converter per process, reset before each use (building one is costly)."""
    if not _CONVERTER:
        _CONVERTER.append(
            _markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"], output_format="html")
        )
    return _CONVERTER[0]


def plain_from_html(html: str, limit: int = 300) -> str:
    """A one-paragraph plain-text summary of already sanitised HTML, headings left out."""
    import html as _html

    stripped = nh3.clean(_HEADING_BLOCK.sub(" ", html), tags=set())
    flat = " ".join(_html.unescape(stripped).split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rsplit(" ", 1)[0] + "…"
    return flat


def plain_text(text: Any, limit: int = 300) -> str:
    """A one-paragraph plain-text summary of Markdown (for meta descriptions and tiles).

    Headings are left out: a summary reads as the first sentences of the text.
    """
    if not isinstance(text, str):
        return ""
    return plain_from_html(render_markdown(text, heading_shift=0), limit)
