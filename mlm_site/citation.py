"""How to cite a model: plain text, BibTeX, CITATION.cff and RIS from a STAC document.

Sources (all untrusted): the scientific extension (``sci:doi``, ``sci:citation``,
``sci:publications``), links with ``rel: cite-as``, and core fields (``providers``,
``title``, ``mlm:name``, ``version``, dates, ``license``). :func:`citation_for`
gathers them into a :class:`Citation` with every string already cleaned (control
characters dropped, whitespace collapsed, lone surrogates replaced); each export
(:func:`bibtex`, :func:`cff`, :func:`ris`) then escapes for its own format.

Pure functions, no I/O; the same document gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import quote, unquote, urlsplit

__all__ = [
    "AUTHOR_ROLES",
    "Citation",
    "Publication",
    "bibtex",
    "cff",
    "citation_for",
    "doi_url",
    "normalize_doi",
    "ris",
]

DOI_RE: Final = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$")
"""A DOI (``10.<registrant>/<suffix>``) without any resolver prefix."""

DOI_RESOLVER: Final = "https://doi.org/"

AUTHOR_ROLES: Final = ("producer", "licensor", "host")
"""Provider roles listed as authors (in CFF, as entities)."""

CFF_MESSAGE: Final = "If you use this model, please cite it using the metadata from this file."

_DOI_PREFIX_RE: Final = re.compile(r"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*|info:doi/)", re.IGNORECASE)
_SPDX_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$")
_NOT_SPDX: Final = frozenset({"other", "proprietary", "various", "none", "unknown"})
_DATE_FIELDS: Final = ("published", "created", "datetime")
_MAX_TITLE: Final = 1000
_MAX_TEXT: Final = 10_000
_MAX_DOI: Final = 512
_MAX_URL: Final = 4096


@dataclass(frozen=True)
class Publication:
    """A publication about the model (from ``sci:publications``)."""

    doi: str | None
    doi_url: str | None
    citation: str | None


@dataclass(frozen=True)
class Citation:
    """Everything needed to cite one model; every string is clean, unescaped text.

    Attributes:
        key: A stable BibTeX key (ASCII letters, digits, ``_``) derived from the id/name.
        title: The title (``title``, else ``mlm:name``, else ``id``).
        text: ``sci:citation`` when given, else a generated citation.
        generated: True when ``text`` was generated (no ``sci:citation``).
        doi: The normalised DOI (``10.xxxx/...``), from ``sci:doi`` or a DOI cite-as link.
        doi_url: ``https://doi.org/<doi>`` (percent-encoded where needed).
        publications: Publications with at least a valid DOI or a citation text.
        cite_as: Safe absolute http(s) URLs of ``cite-as`` links, in document order.
        authors: Names of providers with a role in :data:`AUTHOR_ROLES`, deduplicated
            (the CFF ``authors``).
        creators: Who made the model, for text, BibTeX and RIS: the producers, else
            the licensors, else :attr:`authors`.
        publisher: Name of the first ``host`` provider.
        version: The ``version`` field.
        date_released: ``YYYY-MM-DD`` from ``published``, ``created`` or ``datetime``
            (not ``start_datetime``: that is the data's time range).
        license: An SPDX identifier (``other``/``proprietary``/... are dropped).
        url: The page URL (if safe) or else the first non-DOI cite-as URL.
    """

    key: str
    title: str
    text: str
    generated: bool
    doi: str | None = None
    doi_url: str | None = None
    publications: tuple[Publication, ...] = ()
    cite_as: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    creators: tuple[str, ...] = ()
    publisher: str | None = None
    version: str | None = None
    date_released: str | None = None
    license: str | None = None
    url: str | None = None

    @property
    def year(self) -> str | None:
        """The year of :attr:`date_released`."""
        return self.date_released[:4] if self.date_released else None


# --------------------------------------------------------------------------- cleaning


def _clean(value: object, limit: int = _MAX_TEXT) -> str | None:
    """Single-line printable text from an untrusted value; None when not a string or empty.

    Control and format characters that could hide or break text (C0/C1 controls,
    BOM) are dropped, lone surrogates become U+FFFD, and every run of whitespace
    (including line/paragraph separators) becomes one space.
    """
    if not isinstance(value, str):
        return None
    out: list[str] = []
    for ch in value[: limit * 2]:
        cat = unicodedata.category(ch)
        if cat == "Cs":
            out.append("\ufffd")
        elif ch.isspace():
            out.append(" ")
        elif cat == "Cc" or ch == "\ufeff":
            continue
        else:
            out.append(ch)
    text = " ".join("".join(out).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or None


def normalize_doi(value: object) -> str | None:
    """``10.xxxx/suffix`` from a DOI, ``doi:`` form or doi.org URL; None if invalid.

    >>> normalize_doi("https://doi.org/10.5281/zenodo.1234")
    '10.5281/zenodo.1234'
    >>> normalize_doi("doi:10.5281/zenodo.1234")
    '10.5281/zenodo.1234'
    >>> normalize_doi("not a doi") is None
    True
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _DOI_PREFIX_RE.match(text)
    if match:
        text = text[match.end() :].strip()
        if match.group(0).lower().startswith(("http", "dx.", "doi.org")):
            text = unquote(text)
    if len(text) > _MAX_DOI or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in text):
        return None
    if any(unicodedata.category(c) in ("Cs", "Zs", "Zl", "Zp", "Cf") for c in text):
        return None
    return text if DOI_RE.match(text) else None


def doi_url(doi: str) -> str:
    """The https://doi.org/ URL of a normalised DOI, percent-encoding unsafe characters."""
    return DOI_RESOLVER + quote(doi, safe="/:;()._-~!*',=+@$[]")


def _safe_http_url(value: object) -> str | None:
    """An absolute http(s) URL without whitespace or control characters, else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if (
        not url
        or len(url) > _MAX_URL
        or any(c.isspace() or unicodedata.category(c) in ("Cc", "Cs") for c in url)
    ):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _date(value: object) -> str | None:
    """``YYYY-MM-DD`` from an RFC 3339 date-time or date string, else None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    head = value.strip()[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", head):
        return None
    try:
        return dt.date.fromisoformat(head).isoformat()
    except ValueError:
        return None


def _license(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _SPDX_RE.match(text) or text.lower() in _NOT_SPDX:
        return None
    return text


def _key(*candidates: object) -> str:
    """A BibTeX key: the first candidate folded to ASCII ``[A-Za-z0-9_]``."""
    for candidate in candidates:
        if not isinstance(candidate, str) or not candidate.strip():
            continue
        ascii_text = unicodedata.normalize("NFKD", candidate).encode("ascii", "ignore").decode()
        key = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")[:60]
        if not key:
            digest = hashlib.sha256(candidate.encode("utf-8", "surrogatepass")).hexdigest()[:10]
            key = f"model_{digest}"
        elif not key[0].isalpha():
            key = f"model_{key}"
        return key
    return "model"


def _fields(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """Where the fields live: ``properties`` of an Item, the top level otherwise."""
    if doc.get("type") == "Feature":
        props = doc.get("properties")
        return props if isinstance(props, Mapping) else {}
    return doc


def _providers(fields: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    """``(name, roles)`` of the well-formed providers, in document order."""
    raw = fields.get("providers")
    if not isinstance(raw, list):
        return []
    out: list[tuple[str, tuple[str, ...]]] = []
    for provider in raw:
        if not isinstance(provider, Mapping):
            continue
        name = _clean(provider.get("name"), _MAX_TITLE)
        roles = provider.get("roles")
        if name is None:
            continue
        role_list = (
            tuple(r.strip().lower() for r in roles if isinstance(r, str)) if isinstance(roles, list) else ()
        )
        out.append((name, role_list))
    return out


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return tuple(seen)


def _cite_as(doc: Mapping[str, Any]) -> tuple[str, ...]:
    links = doc.get("links")
    if not isinstance(links, list):
        return ()
    urls: list[str] = []
    for link in links:
        if not isinstance(link, Mapping):
            continue
        rel = link.get("rel")
        if not isinstance(rel, str) or rel.strip().lower() != "cite-as":
            continue
        url = _safe_http_url(link.get("href"))
        if url is not None:
            urls.append(url)
    return _unique(urls)


def _publications(fields: Mapping[str, Any]) -> tuple[Publication, ...]:
    raw = fields.get("sci:publications")
    if not isinstance(raw, list):
        return ()
    out: list[Publication] = []
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        doi = normalize_doi(item.get("doi"))
        text = _clean(item.get("citation"))
        if doi is None and text is None:
            continue
        out.append(Publication(doi=doi, doi_url=doi_url(doi) if doi else None, citation=text))
    return tuple(out)


def _generated_text(
    title: str,
    authors: Sequence[str],
    year: str | None,
    version: str | None,
    publisher: str | None,
    link: str | None,
) -> str:
    """``Authors (year). Title (Version v). Publisher. link``."""
    when = f"({year})" if year else "(n.d.)"
    parts = [f"{', '.join(authors)} {when}." if authors else f"{title} {when}."]
    if authors:
        parts.append(f"{title} (Version {version})." if version else f"{title}.")
    elif version:
        parts.append(f"Version {version}.")
    if publisher and publisher not in authors:
        parts.append(f"{publisher}.")
    if link:
        parts.append(link)
    return " ".join(parts)


def citation_for(doc: Mapping[str, Any], *, page_url: str | None = None) -> Citation | None:
    """The :class:`Citation` of a raw STAC Item or Collection, or None.

    None when ``doc`` is not a mapping or has nothing to name the model with
    (no string ``title``, ``mlm:name`` or ``id``). ``page_url`` is the model card's
    canonical URL (used as ``url`` and in the generated text when there is no DOI).
    """
    if not isinstance(doc, Mapping):
        return None
    fields = _fields(doc)
    doc_id = _clean(doc.get("id"), _MAX_TITLE)
    name = _clean(fields.get("mlm:name"), _MAX_TITLE)
    title = _clean(fields.get("title"), _MAX_TITLE) or name or doc_id
    if title is None:
        return None

    cite_as = _cite_as(doc)
    doi = normalize_doi(fields.get("sci:doi"))
    if doi is None:
        doi = next((d for d in (normalize_doi(u) for u in cite_as) if d is not None), None)
    the_doi_url = doi_url(doi) if doi else None

    providers = _providers(fields)
    authors = _unique(n for n, roles in providers if any(r in AUTHOR_ROLES for r in roles))
    producers = _unique(n for n, roles in providers if "producer" in roles)
    licensors = _unique(n for n, roles in providers if "licensor" in roles)
    credited = producers or licensors or authors
    publisher = next((n for n, roles in providers if "host" in roles), None)

    version = _clean(fields.get("version"), 200)
    released = next((d for d in (_date(fields.get(f)) for f in _DATE_FIELDS) if d is not None), None)

    url = _safe_http_url(page_url)
    if url is None:
        url = next((u for u in cite_as if normalize_doi(u) is None), None)

    given = _clean(fields.get("sci:citation"))
    text = given or _generated_text(
        title, credited, released[:4] if released else None, version, publisher, the_doi_url or url
    )
    return Citation(
        key=_key(doc_id, name, title),
        title=title,
        text=text,
        generated=given is None,
        doi=doi,
        doi_url=the_doi_url,
        publications=_publications(fields),
        cite_as=cite_as,
        authors=authors,
        creators=credited,
        publisher=publisher,
        version=version,
        date_released=released,
        license=_license(fields.get("license")),
        url=url,
    )


# --------------------------------------------------------------------------- BibTeX

_BIBTEX_ESCAPES: Final = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_RE: Final = re.compile("|".join(re.escape(c) for c in _BIBTEX_ESCAPES))
_VERBATIM_RE: Final = re.compile(r'%(?![0-9A-Fa-f]{2})|[{}\\"<>^`|\s]')


def bibtex_escape(text: str) -> str:
    """LaTeX-escape text for a BibTeX field; the result only has balanced braces."""
    return _BIBTEX_RE.sub(lambda m: _BIBTEX_ESCAPES[m.group(0)], text)


def _verbatim(text: str) -> str:
    """A URL/DOI for a verbatim field (``url``, ``doi``): characters that would break
    BibTeX or LaTeX (braces, backslash, stray ``%``, whitespace) are percent-encoded;
    ``_``, ``~`` and ``#`` stay as they are, as biblatex and ``\\url`` expect."""
    return _VERBATIM_RE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), text)


def bibtex(c: Citation, *, entry_type: Literal["software", "misc"] = "software") -> str:
    """A BibTeX entry (``@software``, biblatex; or ``@misc`` for classic BibTeX styles).

    Organisations are braced so BibTeX does not split them into first/last names,
    and the title is double-braced to keep its capitalisation.
    """
    fields: list[tuple[str, str]] = []
    if c.creators:
        fields.append(("author", " and ".join("{" + bibtex_escape(a) + "}" for a in c.creators)))
    fields.append(("title", "{" + bibtex_escape(c.title) + "}"))
    if c.year:
        fields.append(("year", c.year))
    if c.date_released:
        fields.append(("date", c.date_released))
    if c.version:
        fields.append(("version", bibtex_escape(c.version)))
    if c.publisher:
        fields.append(("publisher", bibtex_escape(c.publisher)))
    if c.doi:
        fields.append(("doi", _verbatim(c.doi)))
    url = c.url or c.doi_url
    if url:
        fields.append(("url", _verbatim(url)))
        if entry_type == "misc":
            fields.append(("howpublished", r"\url{" + _verbatim(url) + "}"))
    if c.license:
        fields.append(("note", "License: " + bibtex_escape(c.license)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{c.key},\n{body}\n}}\n"


# --------------------------------------------------------------------------- CFF

_YAML_ESCAPES: Final = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\x00": "\\0",
    "\x85": "\\N",
    "\xa0": "\\_",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def yaml_quote(text: str) -> str:
    """A YAML double-quoted scalar of ``text`` that parses back to exactly ``text``.

    Escapes backslash and quote, and every character YAML does not allow
    literally (controls, surrogates, BOM, line/paragraph separators).
    """
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in _YAML_ESCAPES:
            out.append(_YAML_ESCAPES[ch])
        elif (
            code < 0x20
            or 0x7F <= code <= 0x9F
            or 0xD800 <= code <= 0xDFFF
            or code in (0xFEFF, 0xFFFE, 0xFFFF)
        ):
            out.append(f"\\u{code:04X}" if code > 0xFF else f"\\x{code:02X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def cff(c: Citation) -> str:
    """A ``CITATION.cff`` (Citation File Format 1.2.0) document.

    Every string value is YAML double-quoted. Authors are the providers with a
    role in :data:`AUTHOR_ROLES`, as entities (``name:``); CFF needs at least
    one, so ``"Unknown"`` stands in when the catalog has none. Publications
    and cite-as links become ``identifiers``.
    """
    q = yaml_quote
    lines = [
        "cff-version: 1.2.0",
        f"message: {q(CFF_MESSAGE)}",
        "type: software",
        f"title: {q(c.title)}",
        "authors:",
    ]
    lines.extend(f"  - name: {q(name)}" for name in (c.authors or ("Unknown",)))
    if c.version:
        lines.append(f"version: {q(c.version)}")
    if c.doi:
        lines.append(f"doi: {q(c.doi)}")
    if c.date_released:
        lines.append(f"date-released: {q(c.date_released)}")
    if c.license:
        lines.append(f"license: {q(c.license)}")
    if c.url:
        lines.append(f"url: {q(c.url)}")
    identifiers: list[tuple[str, str, str | None]] = []
    identifiers.extend(("doi", p.doi, p.citation) for p in c.publications if p.doi)
    identifiers.extend(("url", u, "cite-as") for u in c.cite_as if u != c.url and u != c.doi_url)
    if identifiers:
        lines.append("identifiers:")
        for kind, value, description in identifiers:
            lines.append(f"  - type: {kind}")
            lines.append(f"    value: {q(value)}")
            if description:
                lines.append(f"    description: {q(description)}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- RIS


def _ris_value(text: str) -> str:
    # Citation strings are already single-line; be defensive for hand-made Citations.
    return " ".join(text.split())


def ris(c: Citation) -> str:
    """An RIS record (``TY  - COMP`` ... ``ER  - ``), CRLF line endings."""
    rows: list[tuple[str, str]] = [("TY", "COMP"), ("TI", c.title)]
    rows.extend(("AU", a) for a in c.creators)
    if c.year:
        rows.append(("PY", c.year))
    if c.date_released:
        rows.append(("DA", c.date_released.replace("-", "/")))
    if c.version:
        rows.append(("ET", c.version))
    if c.publisher:
        rows.append(("PB", c.publisher))
    if c.doi:
        rows.append(("DO", c.doi))
    url = c.url or c.doi_url
    if url:
        rows.append(("UR", url))
    lines = [f"{tag}  - {_ris_value(value)}" for tag, value in rows]
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"
