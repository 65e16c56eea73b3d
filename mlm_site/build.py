"""``build(config) -> BuildResult``: crawl, validate, model, relate, render, write.

Two phases: first gather everything (documents, findings, view-models, the
site graph), then render and write into a staging folder that is swapped in
only when complete.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

from mlm_site import __version__, stac, urls
from mlm_site import site as seo
from mlm_site.config import SiteConfig
from mlm_site.context import SiteInfo
from mlm_site.crawl import Document, Fetcher, crawl
from mlm_site.errors import RootUnreadable
from mlm_site.findings import Finding, Report, reaches
from mlm_site.graph import SiteGraph, build_graph, facet_values
from mlm_site.model import CollectionPage, Linker, ModelCard, build_card, build_collection
from mlm_site.render import builtin_templates, make_environment, render_page
from mlm_site.validate import Checker, report_for
from mlm_site.write import Staging, assign_slugs, check_output, relative

Progress = Callable[[str], None]

FACET_LABELS = (
    ("task", "Task"),
    ("framework", "Framework"),
    ("architecture", "Architecture"),
    ("accelerator", "Accelerator"),
    ("license", "License"),
    ("collection", "Collection"),
    ("status", "Validation"),
)


@dataclass
class BuildResult:
    output: Path
    report: Report
    documents: int
    cards: int
    pages: int
    seconds: float
    failed: bool

    def summary_line(self) -> str:
        counts = self.report.summary()["findings"]
        return (
            f"{self.documents} documents, {self.cards} model cards, {self.pages} pages; "
            f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info; "
            f"{self.seconds:.2f} s"
        )


def make_store(config: SiteConfig) -> Any:
    from mlm_site.schemas import SchemaStore

    return SchemaStore(config.schemas, config.cache_dir, offline=config.offline, timeout=config.timeout)


def gather(config: SiteConfig, progress: Progress | None = None) -> tuple[list[Document], dict[str, list[Finding]]]:
    """Crawl and check every document: the documents and their findings by href."""
    from mlm_site.validate.schema import SchemaValidator

    fetcher = Fetcher(timeout=config.timeout)
    try:
        documents = list(crawl(config.catalog, fetcher, confine=not config.follow_outside))
    finally:
        fetcher.close()
    root = documents[0]
    if root.raw is None and len(documents) == 1:
        reason = root.findings[0].message if root.findings else "unreadable"
        raise RootUnreadable(config.catalog, reason)
    if progress:
        progress(f"crawled {len(documents)} documents")
    store = make_store(config)
    checker = Checker(SchemaValidator(store))
    catalog = {d.href: d.raw for d in documents if d.raw is not None and d.kind is not None}
    findings = {d.href: checker.check(d, catalog) for d in documents}
    store.close()
    if progress:
        progress("validated")
    return documents, findings


def assign_pages(documents: list[Document]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Site paths of every page and every published JSON, by document href.

    The root Catalog (or Collection) is the index page; other Catalogs and
    Collections get ``collections/<slug>/``; MLM Items and Collections get
    ``models/<slug>/``. Slugs come from ids, made safe and unique.
    """
    readable = [d for d in documents if d.raw is not None and d.kind is not None]
    root = documents[0] if documents and documents[0].kind in ("Catalog", "Collection") else None
    colls = [d for d in readable if d.kind in ("Catalog", "Collection")]
    models = [d for d in readable if stac.is_mlm(d.raw or {})]
    pages: dict[str, str] = {}
    jsons: dict[str, str] = {}
    coll_pages: dict[str, str] = {}
    model_slugs = assign_slugs((d.href, d.id or "model") for d in models)
    coll_slugs = assign_slugs((d.href, d.id or "collection") for d in colls)
    for d in colls:
        if d is root:
            pages[d.href], jsons[d.href] = "index.html", "catalog.json"
        else:
            slug = coll_slugs[d.href]
            pages[d.href] = f"collections/{slug}/index.html"
            jsons[d.href] = f"collections/{slug}/{'collection' if d.kind == 'Collection' else 'catalog'}.json"
    card_pages: dict[str, str] = {}
    for d in models:
        slug = model_slugs[d.href]
        card_pages[d.href] = f"models/{slug}/index.html"
        if d.href not in jsons:
            jsons[d.href] = f"models/{slug}/{'collection' if d.kind == 'Collection' else 'item'}.json"
    # a document's page on the site: its model card when it has one
    coll_pages.update((h, p) for h, p in pages.items())
    for href, page in card_pages.items():
        pages[href] = page
    return pages, jsons, coll_pages


def model_site(documents: list[Document], findings: Mapping[str, list[Finding]]) -> SiteGraph:
    """View-models of every page, related by the site graph, with their site paths set."""
    pages, jsons, coll_pages = assign_pages(documents)
    raws = {d.href: d.raw for d in documents if d.raw is not None}
    cards: list[ModelCard] = []
    collections: list[CollectionPage] = []
    for d in documents:
        if d.raw is None or d.kind is None:
            continue
        fs = list(findings.get(d.href, []))
        is_mlm = stac.is_mlm(d.raw)
        if d.kind in ("Catalog", "Collection"):
            own = coll_pages[d.href]
            page = build_collection(d.raw, d.href, fs, Linker(d.href, own, pages))
            page.page = own
            page.json_page = jsons[d.href]
            collections.append(page)
            if is_mlm:
                page.card = build_card(d.raw, d.href, fs, Linker(d.href, pages[d.href], pages), resolve_doc=raws.get)
                page.card.page = pages[d.href]
                page.card.json_page = jsons[d.href]
                cards.append(page.card)
        elif is_mlm:
            card = build_card(d.raw, d.href, fs, Linker(d.href, pages[d.href], pages), resolve_doc=raws.get)
            card.page = pages[d.href]
            card.json_page = jsons[d.href]
            cards.append(card)
    parents = {d.href: d.parent for d in documents}
    return build_graph(cards, collections, raws, parents)


def _published_json(raw: Mapping[str, Any], own_path: str, targets: Mapping[str, str], href: str, site_root: str = "catalog.json") -> dict[str, Any]:
    """The document as published with the site: links to documents of the site point to their
    published JSON (relative), other relative links become absolute."""
    doc = copy.deepcopy(dict(raw))
    new_links = []
    for link in doc.get("links", []) if isinstance(doc.get("links"), list) else []:
        if not isinstance(link, dict) or not isinstance(link.get("href"), str):
            continue
        if link.get("rel") == "self":
            continue
        try:
            target = urls.resolve(href, link["href"])
        except ValueError:
            continue
        if target in targets:
            link = {**link, "href": relative(own_path, targets[target])}
        elif link.get("rel") == "root":
            link = {**link, "href": relative(own_path, site_root)}
        elif urls.is_remote(target):
            link = {**link, "href": target}
        else:
            continue  # a local file outside the site cannot be published
        new_links.append(link)
    if not any(link.get("rel") == "root" for link in new_links):
        new_links.insert(0, {"rel": "root", "href": relative(own_path, site_root), "type": "application/json"})
    page = posixpath_join(own_path, "index.html")
    if not any(link.get("rel") == "alternate" and link.get("type") == "text/html" for link in new_links):
        new_links.append({"rel": "alternate", "href": relative(own_path, page), "type": "text/html",
                          "title": "Page of this document"})
    doc["links"] = new_links
    assets = doc.get("assets")
    if isinstance(assets, dict):
        for asset in assets.values():
            if isinstance(asset, dict) and isinstance(asset.get("href"), str):
                try:
                    target = urls.resolve(href, asset["href"])
                except ValueError:
                    continue
                if urls.is_remote(target):
                    asset["href"] = target
    return doc


def build(config: SiteConfig, progress: Progress | None = None) -> BuildResult:
    """Build the site described by ``config``; the old site stays until the new one is complete."""
    started = time.monotonic()
    out = check_output(config.output, config.catalog, force=config.force,
                       keep=(config.templates, config.schemas, config.cache_dir))
    env = make_environment(config.templates)
    documents, findings = gather(config, progress)
    graph = model_site(documents, findings)

    pages: dict[str, str] = {c.href: c.page for c in graph.cards}
    for p in graph.collections:
        pages.setdefault(p.href, p.page)
    report = report_for(documents, findings, pages)

    staging = Staging(out)
    try:
        count = write_site(staging, env, graph, documents, report, config, progress)
        staging.commit()
    except BaseException:
        staging.abort()
        raise
    seconds = time.monotonic() - started
    return BuildResult(
        output=out,
        report=report,
        documents=len(documents),
        cards=len(graph.cards),
        pages=count,
        seconds=seconds,
        failed=reaches(report.all_findings(), config.fail_on),
    )


def _site_title(graph: SiteGraph, config: SiteConfig) -> str:
    if graph.root is not None and graph.root.title:
        return graph.root.title
    return config.title


def write_site(
    staging: Staging,
    env: Any,
    graph: SiteGraph,
    documents: list[Document],
    report: Report,
    config: SiteConfig,
    progress: Progress | None = None,
) -> int:
    from mlm_site.citation import bibtex, cff, ris
    from mlm_site.maps import extent_map, leaflet_assets

    base_url = (config.base_url.rstrip("/") + "/") if config.base_url else None
    site = SiteInfo(
        title=_site_title(graph, config),
        version=__version__,
        base_url=base_url,
        root=graph.root,
        tiles=config.tiles,
        search=seo.pagefind_available(),
    )
    count = 0
    html_pages: list[str] = []

    def emit(path: str, template: str, **ctx: Any) -> None:
        nonlocal count
        ctx.setdefault("scripts", [])
        ctx.setdefault("styles", [])
        ctx.setdefault("breadcrumbs", [])
        ctx.setdefault("url_base", None)
        ctx.setdefault("meta", seo.page_meta(path, ctx, base_url))
        html = render_page(env, template, {"site": site, "page_path": path, **ctx})
        staging.write_text(path, html)
        if template != "404.html":
            html_pages.append(path)
        count += 1

    def map_for(owner_path: str, geometry: Any, bbox: Any, key: str) -> tuple[Any, list[str]]:
        m = extent_map(geometry, bbox, map_id=f"map-{key}", tiles=config.tiles, attribution=config.tiles_attribution)
        if m is None:
            return None, []
        script_path = posixpath_join(owner_path, "map.js")
        staging.write_text(script_path, m.script)
        return m, ["static/leaflet/leaflet.js", script_path]

    # static assets
    static = builtin_templates() / "static"
    for source in sorted(static.rglob("*")):
        if source.is_file():
            staging.copy(source, "static/" + source.relative_to(static).as_posix())
    if config.templates is not None and (config.templates / "static").is_dir():
        user_static = config.templates / "static"
        for source in sorted(user_static.rglob("*")):
            if source.is_file() and not source.is_symlink():
                staging.copy(source, "static/" + source.relative_to(user_static).as_posix())
    for source, rel in leaflet_assets():
        staging.copy(source, "static/" + rel)

    targets: dict[str, str] = {c.href: c.json_page for c in graph.cards}
    for p in graph.collections:
        targets.setdefault(p.href, p.json_page)
    raws = {d.href: d.raw for d in documents if d.raw is not None}

    for card in graph.cards:
        m, scripts = map_for(card.page, card.geometry, card.bbox, "card")
        published = _published_json(raws[card.href], card.json_page, targets, card.href)
        emit(
            card.page,
            "card.html",
            card=card,
            versions=graph.version(card),
            breadcrumbs=graph.breadcrumbs(card.collection),
            map=m,
            scripts=scripts,
            styles=["static/leaflet/leaflet.css"] if m else [],
            bibtex=bibtex(card.citation) if card.citation else None,
            cff=cff(card.citation) if card.citation else None,
            ris=ris(card.citation) if card.citation else None,
            source=published,
            title=card.title,
            description=card.summary,
        )
        staging.write_json(card.json_page, published)
        if card.citation is not None:
            folder = card.page.rsplit("/", 1)[0]
            staging.write_text(f"{folder}/citation.bib", bibtex(card.citation))
            staging.write_text(f"{folder}/CITATION.cff", cff(card.citation))
            staging.write_text(f"{folder}/citation.ris", ris(card.citation))
    for p in graph.collections:
        if p is graph.root:
            continue
        m, scripts = map_for(p.page, None, p.bbox, "collection") if p.bbox else (None, [])
        emit(
            p.page,
            "collection.html",
            collection=p,
            breadcrumbs=graph.breadcrumbs(p),
            map=m,
            scripts=scripts,
            styles=["static/leaflet/leaflet.css"] if m else [],
            title=p.title,
            description=p.summary,
        )
        staging.write_json(p.json_page, _published_json(raws[p.href], p.json_page, targets, p.href))
    if graph.root is not None:
        staging.write_json("catalog.json", _published_json(raws[graph.root.href], "catalog.json", targets, graph.root.href))

    cards = sorted(graph.cards, key=lambda c: (c.title.lower(), c.href))
    dates = {c.href: seo.document_date(raws.get(c.href, {})) for c in cards}
    emit(
        "index.html",
        "index.html",
        cards=cards,
        facets=graph.facets,
        facet_labels=dict(FACET_LABELS),
        facet_values={c.href: facet_values(c) for c in cards},
        dates={h: (d.strftime("%Y-%m-%d") if d else "") for h, d in dates.items()},
        root=graph.root,
        collections=[p for p in graph.collections if p is not graph.root],
        title=site.title,
        description=graph.root.summary if graph.root else "",
        summary=report.summary(),
    )
    report_json = report.to_json()
    staging.write_json("report.json", report_json)
    by_href = {d["href"]: d for d in report_json["documents"]}
    rules = seo.rules_reference(report_json["summary"]["by_rule"])
    emit(
        "report.html",
        "report.html",
        documents=[d for d in report_json["documents"]],
        summary=report_json["summary"],
        title="Validation report",
        description="Validation findings of every document of the catalog",
        by_href=by_href,
        rules={r.id: r for r in rules},
    )
    emit(
        "rules.html",
        "rules.html",
        rules=rules,
        title="Best-practice rules",
        description="The MLM best-practice rules mlm-site checks, with their severity and source",
    )
    emit(
        "compare.html",
        "compare.html",
        cards=cards,
        rows=seo.compare_rows(cards),
        title="Compare models",
        description="Key fields of the models side by side",
    )
    # served for a missing path at any depth: links from the site's root path ("/zoo/"), same host
    emit("404.html", "404.html", title="Page not found", description="",
         url_base=urlsplit(base_url).path if base_url else None)
    staging.write_text("feed.xml", seo.atom_feed(cards, dates, site.title, base_url))
    staging.write_text("robots.txt", seo.robots(base_url))
    staging.write_text(".nojekyll", "")  # GitHub Pages from a branch: publish files as they are
    if base_url:
        staging.write_text("sitemap.xml", seo.sitemap(html_pages, base_url))
    if site.search:
        problem = seo.run_pagefind(staging.path)
        if problem and progress:
            progress(f"search index not built: {problem}")
    return count


def posixpath_join(page: str, name: str) -> str:
    head = page.rsplit("/", 1)[0] if "/" in page else ""
    return f"{head}/{name}" if head else name


def validate_paths(paths: list[str], config: SiteConfig) -> Report:
    """``mlm-site validate``: crawl each path (catalog or single document) and check everything."""
    from dataclasses import replace

    all_docs: list[Document] = []
    all_findings: dict[str, list[Finding]] = {}
    for path in paths:
        sub = replace(config, catalog=path)
        try:
            docs, fs = gather(sub)
        except RootUnreadable as exc:
            href = urls.normalize(path)
            docs = [Document(href, None, None, None, [Finding(href, "", "read", "error", exc.reason)])]
            fs = {href: docs[0].findings}
        for d in docs:
            if d.href not in all_findings:
                all_docs.append(d)
                all_findings[d.href] = fs.get(d.href, [])
    return report_for(all_docs, all_findings, {})


__all__ = ["build", "BuildResult", "gather", "model_site", "validate_paths"]
