"""Site-wide outputs besides the pages themselves.

Page metadata (canonical URL, OpenGraph, the page's STAC JSON, schema.org
JSON-LD), ``sitemap.xml``, ``robots.txt``, the Atom feed of models, the rows of
the compare page and the rules reference. Pure functions over view-models (the
search index is :mod:`mlm_site.search`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mlm_site import stac
from mlm_site.model import CollectionPage, ModelCard, Temporal, parse_date

SPDX_NON_IDS = {"other", "proprietary", "various"}
# characters XML 1.0 does not allow, even escaped (NUL, ESC, lone surrogates, U+FFFE/U+FFFF)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """Text for an XML element: escaped, characters XML cannot carry dropped."""
    return _XML_ILLEGAL.sub("", text).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """A quoted XML attribute value: escaped, characters XML cannot carry dropped (the text of
    ``xml.sax.saxutils.quoteattr``, which costs a 15 ms import of urllib on every build)."""
    value = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'


@dataclass(frozen=True)
class PageMeta:
    """What the ``<head>`` of a page says about it to browsers, crawlers and link previews."""

    canonical: str | None = field(default=None, metadata={"help": "Absolute URL of the page (only with --base-url)."})
    og_type: str = field(default="website", metadata={"help": "OpenGraph type: 'website' or 'article' (cards)."})
    alternate_json: str | None = field(
        default=None, metadata={"help": "Site path of the STAC JSON this page shows (rel=alternate)."}
    )
    alternate_type: str = field(default="application/json", metadata={"help": "Media type of alternate_json."})
    jsonld: dict[str, Any] | None = field(
        default=None, metadata={"help": "schema.org JSON-LD of the page (SoftwareSourceCode or Dataset), or None."}
    )
    feed: str = field(default="feed.xml", metadata={"help": "Site path of the Atom feed of models."})


def page_url(base_url: str | None, path: str) -> str | None:
    """Absolute public URL of a site path (``index.html`` dropped), or None without a base URL."""
    if not base_url:
        return None
    if path == "index.html":
        path = ""
    elif path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return base_url.rstrip("/") + "/" + path


def license_url(license: str | None) -> str | None:
    """The SPDX page of a license identifier (None for ``other``, ``proprietary``, ...)."""
    if not license or license.lower() in SPDX_NON_IDS or " " in license:
        return None
    return f"https://spdx.org/licenses/{license}.html"


def _geo(bbox: tuple[float, ...] | None) -> dict[str, Any] | None:
    if not bbox or len(bbox) not in (4, 6):
        return None
    west, south, east, north = (bbox[0], bbox[1], bbox[3], bbox[4]) if len(bbox) == 6 else bbox
    return {"@type": "Place", "geo": {"@type": "GeoShape", "box": f"{south} {west} {north} {east}"}}


def _temporal(t: Temporal | None) -> str | None:
    if t is None or (not t.start and not t.end):
        return None
    start = t.start if t.start and not t.start.startswith("1900") else ".."
    end = t.end if t.end and not t.end.startswith("9999") else ".."
    return f"{start}/{end}"


def card_jsonld(card: ModelCard, url: str | None) -> dict[str, Any]:
    """schema.org ``SoftwareSourceCode`` of a model card."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "SoftwareSourceCode",
        "name": card.title,
        "description": card.summary,
        "identifier": card.id,
    }
    if url:
        data["url"] = url
    if card.version:
        data["version"] = card.version
    lic = license_url(card.license) or card.license
    if lic:
        data["license"] = lic
    keywords = list(dict.fromkeys([*card.tasks, *card.keywords]))
    if keywords:
        data["keywords"] = keywords
    if card.framework:
        data["runtimePlatform"] = card.framework + (f" {card.framework_version}" if card.framework_version else "")
    if card.citation is not None:
        data["citation"] = card.citation.doi_url or card.citation.text
        if card.citation.creators:
            data["author"] = [{"@type": "Organization", "name": n} for n in card.citation.creators]
        if card.citation.date_released:
            data["datePublished"] = card.citation.date_released
    geo = _geo(card.bbox)
    if geo:
        data["spatialCoverage"] = geo
    temporal = _temporal(card.temporal)
    if temporal:
        data["temporalCoverage"] = temporal
    if isinstance(card.collection, CollectionPage):
        data["isPartOf"] = {"@type": "Dataset", "name": card.collection.title}
    return data


def collection_jsonld(page: CollectionPage, url: str | None) -> dict[str, Any]:
    """schema.org ``Dataset`` of a Collection or Catalog page."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": page.title,
        "description": page.summary or page.title,
        "identifier": page.id,
    }
    if url:
        data["url"] = url
    lic = license_url(page.license) or page.license
    if lic:
        data["license"] = lic
    if page.keywords:
        data["keywords"] = list(page.keywords)
    if page.providers:
        data["creator"] = [{"@type": "Organization", "name": p.name} for p in page.providers]
    geo = _geo(page.bbox)
    if geo:
        data["spatialCoverage"] = geo
    temporal = _temporal(page.temporal)
    if temporal:
        data["temporalCoverage"] = temporal
    if page.cards:
        data["hasPart"] = [{"@type": "SoftwareSourceCode", "name": c.title} for c in page.cards]
    return data


def page_meta(path: str, ctx: Mapping[str, Any], base_url: str | None) -> PageMeta:
    """The metadata of the page at ``path`` from its template context."""
    url = page_url(base_url, path)
    card = ctx.get("card")
    if isinstance(card, ModelCard):
        return PageMeta(url, "article", card.json_page or None, "application/geo+json"
                        if card.json_page.endswith("item.json") else "application/json", card_jsonld(card, url))
    coll = ctx.get("collection")
    if isinstance(coll, CollectionPage):
        return PageMeta(url, "website", coll.json_page or None, "application/json", collection_jsonld(coll, url))
    if path == "index.html":
        root = ctx.get("root")
        jsonld = collection_jsonld(root, url) if isinstance(root, CollectionPage) else None
        return PageMeta(url, "website", "catalog.json" if root is not None else None, "application/json", jsonld)
    if path == "report.html":
        return PageMeta(url, "website", "report.json", "application/json")
    return PageMeta(url)


# --------------------------------------------------------------------------- dates, feed


def _utc(d: datetime) -> datetime:
    return d.replace(tzinfo=UTC) if d.tzinfo is None else d.astimezone(UTC)


def document_date(raw: Mapping[str, Any]) -> datetime | None:
    """When a model was last changed: ``updated``, else ``created``, else ``datetime``."""
    props = stac.properties(raw)
    for key in ("updated", "created", "datetime", "published"):
        d = parse_date(props.get(key))
        if d is not None:
            return _utc(d)
    return None


def _rfc3339(d: datetime) -> str:
    return _utc(d).strftime("%Y-%m-%dT%H:%M:%SZ")


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: entries of the Atom feed: feed readers poll it, so it carries the newest models, not the whole catalog
FEED_LIMIT = 50


def feed_entries(cards: Iterable[ModelCard], dates: Mapping[str, datetime | None]) -> list[ModelCard]:
    """Cards newest first; undated last; ties by title then href (deterministic)."""
    def key(c: ModelCard) -> tuple[int, float, str, str]:
        d = dates.get(c.href)
        return (0, -d.timestamp(), c.title.lower(), c.href) if d else (1, 0.0, c.title.lower(), c.href)

    return sorted(cards, key=key)


def atom_feed(
    cards: Iterable[ModelCard], dates: Mapping[str, datetime | None], title: str, base_url: str | None
) -> str:
    """The Atom feed (``feed.xml``): the :data:`FEED_LIMIT` newest models, newest first.

    Links are relative to the feed (which sits at the site root) unless a base URL
    is known; entry ids are the page URLs, else ``urn:mlm-site:`` + the model id.
    """
    entries = feed_entries(cards, dates)[:FEED_LIMIT]
    newest = max((d for d in (dates.get(c.href) for c in entries) if d), default=EPOCH)
    feed_id = page_url(base_url, "index.html") or "urn:mlm-site:" + title
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"  <title>{escape(title)}</title>", f"  <id>{escape(feed_id)}</id>",
           f"  <updated>{_rfc3339(newest)}</updated>",
           f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(page_url(base_url, 'index.html') or 'index.html')}/>",
           f"  <link rel=\"self\" type=\"application/atom+xml\" href={quoteattr(page_url(base_url, 'feed.xml') or 'feed.xml')}/>",
           "  <generator>mlm-site</generator>"]
    for c in entries:
        url = page_url(base_url, c.page) or c.page
        entry_id = page_url(base_url, c.page) or f"urn:mlm-site:model:{c.id}"
        d = dates.get(c.href) or EPOCH
        out += ["  <entry>", f"    <title>{escape(c.title)}</title>", f"    <id>{escape(entry_id)}</id>",
                f"    <updated>{_rfc3339(d)}</updated>",
                f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(url)}/>",
                f"    <summary>{escape(c.summary)}</summary>"]
        for t in c.tasks:
            out.append(f"    <category term={quoteattr(t)}/>")
        authors = c.citation.creators if c.citation is not None else ()
        names = list(authors) or [p.name for p in c.providers][:3] or ["unknown"]
        for n in names:
            out.append(f"    <author><name>{escape(n)}</name></author>")
        out.append("  </entry>")
    out.append("</feed>")
    # characters XML 1.0 forbids (NUL, ESC... from catalog text) would make the whole feed ill-formed
    return "".join(ch for ch in "\n".join(out) + "\n"
                   if ch in "\t\n\r" or not ("\x00" <= ch < "\x20" or ch in "\ufffe\uffff"))


def sitemap(paths: Iterable[str], base_url: str) -> str:
    """``sitemap.xml`` of the given HTML pages."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for p in sorted(set(paths)):
        out.append(f"  <url><loc>{escape(page_url(base_url, p) or p)}</loc></url>")
    out.append("</urlset>")
    return "\n".join(out) + "\n"


def robots(base_url: str | None) -> str:
    """``robots.txt``: everything may be crawled; the sitemap when there is one."""
    lines = ["User-agent: *", "Allow: /"]
    if base_url:
        lines.append(f"Sitemap: {page_url(base_url, 'sitemap.xml')}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- compare


@dataclass(frozen=True)
class CompareValue:
    """One value in a cell of the compare table (a class may carry its colour)."""

    text: str
    colour: str | None = None
    code: bool = False


@dataclass(frozen=True)
class CompareRow:
    """One row of the compare table: a label and one cell (list of values) per model."""

    label: str
    cells: tuple[tuple[CompareValue, ...], ...]


def _values(texts: Iterable[str | None], code: bool = False) -> tuple[CompareValue, ...]:
    return tuple(CompareValue(t, code=code) for t in texts if t)


def _bands(c: ModelCard) -> tuple[CompareValue, ...]:
    names = [b.name for i in c.inputs for b in i.bands + i.variables]
    return _values(dict.fromkeys(names), code=True)


def _classes(c: ModelCard) -> tuple[CompareValue, ...]:
    seen: dict[str, CompareValue] = {}
    for o in c.outputs:
        for k in o.classes:
            seen.setdefault(k.title or k.name, CompareValue(k.title or k.name, k.colour))
    return tuple(seen.values())


_STATUS_TEXT = {"valid": "valid", "warnings": "warnings", "invalid": "errors"}

#: the rows of the compare table: label and the values of one model
COMPARE_FIELDS: tuple[tuple[str, Any], ...] = (
    ("Tasks", lambda c: _values(c.tasks)),
    ("Architecture", lambda c: _values([c.architecture])),
    ("Framework", lambda c: _values([" ".join(x for x in (c.framework, c.framework_version) if x)])),
    ("Version", lambda c: _values([c.version])),
    ("Parameters", lambda c: _values([c.total_parameters])),
    ("Memory", lambda c: _values([c.memory_size])),
    ("Accelerator", lambda c: _values([c.accelerator])),
    ("Inputs", lambda c: _values(f"{i.name} {i.structure.shape_text}" if i.structure else i.name for i in c.inputs)),
    ("Bands and variables", _bands),
    ("Outputs", lambda c: _values(f"{o.name} ({', '.join(o.tasks)})" if o.tasks else o.name for o in c.outputs)),
    ("Classes", _classes),
    ("License", lambda c: _values([c.license])),
    ("Validation", lambda c: _values([_STATUS_TEXT[c.status]])),
)

COMPARE_LABELS: tuple[str, ...] = tuple(label for label, _ in COMPARE_FIELDS)


def compare_cells(card: ModelCard) -> list[tuple[CompareValue, ...]]:
    """The cells of one model's column of the compare table, in the order of :data:`COMPARE_LABELS`."""
    return [fn(card) for _, fn in COMPARE_FIELDS]


def compare_rows(cards: list[ModelCard]) -> list[CompareRow]:
    """Key fields of every model side by side, in the order of ``cards``."""
    columns = [compare_cells(c) for c in cards]
    return [CompareRow(label, tuple(col[i] for col in columns)) for i, label in enumerate(COMPARE_LABELS)]


# --------------------------------------------------------------------------- rules reference


@dataclass(frozen=True)
class RuleInfo:
    """One best-practice rule as the rules reference page shows it."""

    id: str
    name: str
    severity: str
    title: str
    source: str
    source_url: str
    scope: str
    count: int


def rules_reference(by_rule: Mapping[str, int]) -> list[RuleInfo]:
    """Every registered rule with the number of findings it produced in this build."""
    from mlm_site.validate.rules import RULES

    return [RuleInfo(r.id, r.name, r.severity, r.title, r.source, r.source_url, r.scope, by_rule.get(r.id, 0))
            for r in RULES.values()]


__all__ = [
    "COMPARE_LABELS",
    "CompareRow",
    "CompareValue",
    "PageMeta",
    "RuleInfo",
    "atom_feed",
    "card_jsonld",
    "collection_jsonld",
    "compare_cells",
    "compare_rows",
    "document_date",
    "page_meta",
    "page_url",
    "robots",
    "rules_reference",
    "sitemap",
]
