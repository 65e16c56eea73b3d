"""Hrefs: resolving links of local and remote catalogs, and safe URL schemes."""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

REMOTE_SCHEMES = ("http", "https")


def is_remote(href: str) -> bool:
    """True for an http(s) URL."""
    return urlsplit(href).scheme.lower() in REMOTE_SCHEMES


def normalize(href: str) -> str:
    """A canonical form of an absolute href: fragment dropped, ``.``/``..`` folded.

    Local paths become absolute POSIX-style paths; URLs keep their scheme and
    host (lower-cased) and get their path normalised.
    """
    parts = urlsplit(href)
    if parts.scheme.lower() in REMOTE_SCHEMES:
        path = posixpath.normpath(parts.path) if parts.path else "/"
        if parts.path.endswith("/") and not path.endswith("/"):
            path += "/"
        if path.startswith("//"):
            path = "/" + path.lstrip("/")
        return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))
    if parts.scheme == "file":
        href = unquote(parts.path)
    else:
        href = href.split("#", 1)[0]
    return os.path.normpath(os.path.abspath(href))


def resolve(base: str, href: str) -> str:
    """Resolve ``href`` (relative or absolute) against the document at ``base``."""
    href = href.strip()
    target = urlsplit(href)
    if target.scheme.lower() in REMOTE_SCHEMES or target.scheme == "file":
        return normalize(href)
    if is_remote(base):
        return normalize(urljoin(base, href))
    if os.path.isabs(href):
        return normalize(href)
    base_dir = os.path.dirname(base)
    return normalize(os.path.join(base_dir, unquote(href.split("#", 1)[0])))


def display(href: str, root: str | None = None) -> str:
    """A short form of ``href`` for messages: relative to ``root``'s folder when local."""
    if root and not is_remote(href) and not is_remote(root):
        try:
            return os.path.relpath(href, os.path.dirname(root))
        except ValueError:
            return href
    return href


SAFE_SCHEMES = ("http", "https", "mailto")
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def safe_url(url: object) -> str | None:
    """Return ``url`` if it is safe to put in an ``href``/``src`` of a page, else None.

    Allowed: http, https, mailto, and relative references (no scheme). Control
    characters and whitespace tricks (``java\\tscript:``) are rejected.
    """
    if not isinstance(url, str):
        return None
    candidate = url.strip()
    if not candidate or _CONTROL.search(candidate):
        return None
    if len(candidate) > 8192:
        return None
    try:
        scheme = urlsplit(candidate).scheme.lower()
    except ValueError:
        return None
    if scheme == "":
        # "//host/x" is a scheme-relative URL: only allow it as https-like.
        head = candidate.split("/", 1)[0]
        if ":" in head:
            return None
        return candidate
    if scheme in SAFE_SCHEMES:
        return candidate
    return None


def local_path(href: str) -> Path:
    return Path(href)
