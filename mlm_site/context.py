"""The template contract: what each page template receives.

Every page is rendered with the fields of :class:`PageContext` plus those of
its own context class below. Theme authors can rely on these names (see
``docs/themes.md``); ``tests/unit/test_template_context.py`` fails when a build
passes a template a variable that is not documented here, or when a field has
no help text.

Besides the context, every template can call ``url(path)`` (the URL of a
site-root-relative path from the page being rendered) and use the filters
``json_script`` (JSON safe inside ``<script>``), ``pointer`` (a JSON pointer
label) plus the Jinja2 built-ins.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any


def _f(help: str, default: Any = None) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class SiteInfo:
    """``site``: facts about the whole site, the same on every page."""

    title: str = _f("Site title: the root catalog's title, else the configured title.", "")
    version: str = _f("Version of mlm-site that built the site.", "")
    base_url: str | None = _f("Public URL of the site ending in '/', from --base-url; None when not given.")
    root: Any = _f("The root CollectionPage (the catalog the build started from), or None for a lone Item.")
    tiles: str | None = _f("Map tile URL template; None when maps are drawn without tiles.")
    search: bool = _f("True when the full-text search index was built (folder search/, see mlm_site/search.py).", False)
    feed: str = _f("Site path of the Atom feed of models.", "feed.xml")


@dataclass(frozen=True)
class PageContext:
    """Fields every page receives."""

    site: SiteInfo = _f("The SiteInfo of the site.")
    page_path: str = _f("Site-root-relative path of the page being rendered, e.g. 'models/x/index.html'.", "")
    title: str = _f("Page title (the <h1> and <title>).", "")
    description: str = _f("One-line plain-text summary (meta description, OpenGraph).", "")
    scripts: list[str] = _f("Extra site paths of scripts loaded at the end of <body>.", ())
    styles: list[str] = _f("Extra site paths of style sheets loaded in <head>.", ())
    meta: Any = _f("mlm_site.site.PageMeta: canonical URL, OpenGraph type, alternate JSON, JSON-LD.")
    url_base: str | None = _f("When set, url() returns URLs from this base, e.g. '/zoo/' (the 404 page).")
    breadcrumbs: list[Any] = _f("CollectionPages from the root down to the page's parent catalog.", ())


@dataclass(frozen=True)
class IndexContext(PageContext):
    """``index.html``: every model as a tile, with filters, sorting and search."""

    cards: list[Any] = _f("Every ModelCard, sorted by title.", ())
    facets: dict[str, list[tuple[str, int]]] = _f(
        "Facet name (task, framework, architecture, accelerator, license, collection, status) -> (value, count)"
        " pairs, most frequent first.", ())
    facet_labels: dict[str, str] = _f("Facet name -> its human label, in display order.", ())
    tiles: str = _f("The tiles of every card in the order of cards, joined (HTML): macro tile of _fragments.html.", "")
    root: Any = _f("The root CollectionPage, or None.")
    collections: list[Any] = _f("Every CollectionPage except the root.", ())
    summary: dict[str, Any] = _f("The report summary (documents, findings by severity, by rule).", ())


@dataclass(frozen=True)
class CardContext(PageContext):
    """``card.html``: one model card."""

    card: Any = _f("The ModelCard (see mlm_site.model.ModelCard).")
    versions: Any = _f("VersionInfo: the release chain, newer/latest/predecessor/successor cards.")
    map: Any = _f("The extent map (html: its container with the data; script: site path of the shared script"
                  " drawing it, in scripts; text) or None.")
    bibtex: str | None = _f("The BibTeX entry of the model, or None without citation data (no file is"
                            " written: the Cite section's Download buttons save the text of its <pre>).")
    cff: str | None = _f("The CITATION.cff text of the model, or None without citation data.")
    ris: str | None = _f("The RIS citation of the model, or None without citation data.")
    source_json: str = _f("The text of the published JSON file of the model (the STAC JSON with its links "
                          "rewritten to the site, indented; also card.source_json).", "")


@dataclass(frozen=True)
class CollectionContext(PageContext):
    """``collection.html``: a Collection or sub-Catalog."""

    collection: Any = _f("The CollectionPage: description, extent, providers, license, cards, children.")
    map: Any = _f("The spatial extent map (as in card.html) or None.")


@dataclass(frozen=True)
class ReportContext(PageContext):
    """``report.html``: the validation report."""

    documents: list[dict[str, Any]] = _f("Documents of report.json (href, id, type, mlm, page, findings).", ())
    summary: dict[str, Any] = _f("Summary of report.json: totals, findings by severity and by rule.", ())
    sections: str = _f("The findings of every document that has some, joined (HTML): macro report_document of"
                       " _fragments.html.", "")
    clean: str = _f("List items of the documents without findings, joined (HTML): macro report_clean.", "")
    rules: dict[str, Any] = _f("Rule id -> RuleInfo of every best-practice rule (for links to rules.html).", ())


@dataclass(frozen=True)
class RulesContext(PageContext):
    """``rules.html``: the reference of the best-practice rules."""

    rules: list[Any] = _f("RuleInfo of every rule: id, name, severity, title, source, source_url, scope, count.", ())


@dataclass(frozen=True)
class CompareContext(PageContext):
    """``compare.html``: models side by side."""

    cards: list[Any] = _f("Every ModelCard (one column each), sorted by title.", ())
    picks: str = _f("The picker's list items of every card, joined (HTML): macro compare_pick of _fragments.html.", "")
    head: str = _f("The column headers of every card, joined (HTML): macro compare_head.", "")
    rows: list[Any] = _f("(label, cells) per field: the cells of every card in the order of cards, joined (HTML):"
                         " macro compare_cell.", ())


@dataclass(frozen=True)
class NotFoundContext(PageContext):
    """``404.html``: served by static hosts for any missing path (uses url_base when known)."""


CONTEXTS: dict[str, type[PageContext]] = {
    "index.html": IndexContext,
    "card.html": CardContext,
    "collection.html": CollectionContext,
    "report.html": ReportContext,
    "rules.html": RulesContext,
    "compare.html": CompareContext,
    "404.html": NotFoundContext,
}


def documented(template: str) -> dict[str, str]:
    """Field name -> help text of the context of ``template``."""
    cls = CONTEXTS.get(template, PageContext)
    return {f.name: str(f.metadata.get("help", "")) for f in fields(cls)}


def undocumented(template: str, keys: list[str] | set[str]) -> list[str]:
    """Keys a build passed to ``template`` that its context class does not document."""
    known = documented(template)
    return sorted(k for k in keys if k not in known)


def _md(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def markdown_reference() -> str:
    """The context reference as Markdown tables (for docs/themes.md)."""
    out: list[str] = []
    for cls in (SiteInfo, PageContext, *dict.fromkeys(CONTEXTS.values())):
        out += [f"### {cls.__name__}", "", (cls.__doc__ or "").strip(), ""]
        own = [f for f in fields(cls) if cls in (SiteInfo, PageContext) or f.name not in
               {g.name for g in fields(PageContext)}]
        if own:
            out += ["| field | meaning |", "| --- | --- |"]
            out += [f"| `{f.name}` | {_md(str(f.metadata.get('help', '')))} |" for f in own]
            out.append("")
    return "\n".join(out)


__all__ = ["CONTEXTS", "MISSING", "PageContext", "SiteInfo", "documented", "undocumented"]
