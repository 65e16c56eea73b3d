"""The page half of a build: view-models of every page (in worker processes, through the build
cache), then every file of the site written into the staging folder.

:mod:`mlm_site.build` loads this module only when a build has pages to write: a rebuild that
finds nothing changed never imports the template engine, Markdown or the view-models.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from mlm_site import __version__, stac, urls
from mlm_site import site as seo
from mlm_site.build import Progress, assign_pages
from mlm_site.cache import BuildCache, digest, findings_digest
from mlm_site.config import SiteConfig, builtin_templates
from mlm_site.context import SiteInfo
from mlm_site.crawl import Document
from mlm_site.findings import Finding, Report, report_text
from mlm_site.graph import SiteGraph, build_graph, facet_values
from mlm_site.jsontext import dumps_indented
from mlm_site.model import CollectionPage, Linker, ModelCard, build_card, build_collection
from mlm_site.parallel import map_chunks, trim_heap
from mlm_site.render import render_page
from mlm_site.search import index_packed, packed_tokens
from mlm_site.write import Staging, relative

FACET_LABELS = (
    ("task", "Task"),
    ("framework", "Framework"),
    ("architecture", "Architecture"),
    ("accelerator", "Accelerator"),
    ("license", "License"),
    ("collection", "Collection"),
    ("status", "Validation"),
)


def _model_one(
    d: Document, fs: list[Finding], pages: Mapping[str, str], jsons: Mapping[str, str],
    coll_pages: Mapping[str, str], raws: Mapping[str, Any],
) -> tuple[CollectionPage | None, ModelCard | None]:
    """The view-models of one document: its collection page and/or its model card."""
    assert d.raw is not None
    fs = list(fs)
    if d.kind in ("Catalog", "Collection"):
        own = coll_pages[d.href]
        page = build_collection(d.raw, d.href, fs, Linker(d.href, own, pages))
        page.page = own
        page.json_page = jsons[d.href]
        if stac.is_mlm(d.raw):
            page.card = _card_of(d, fs, pages, jsons, raws)
        return page, page.card
    return None, _card_of(d, fs, pages, jsons, raws)


def _card_of(d: Document, fs: list[Finding], pages: Mapping[str, str], jsons: Mapping[str, str],
             raws: Mapping[str, Any]) -> ModelCard:
    """The card of an MLM document, with its site paths, published JSON and date: after this the
    build needs nothing more of the parsed document."""
    assert d.raw is not None
    card = build_card(d.raw, d.href, fs, Linker(d.href, pages[d.href], pages), resolve_doc=raws.get)
    card.page = pages[d.href]
    card.json_page = jsons[d.href]
    card.source_json = dumps_indented(_published_json(d.raw, card.json_page, jsons, d.href)) + "\n"
    card.date = seo.document_date(d.raw)
    return card


def _model_chunk(state: tuple[Any, ...], start: int, stop: int) -> list[bytes]:
    docs, findings, pages, jsons, coll_pages, raws = state
    return [
        pickle.dumps(_model_one(d, findings.get(d.href, []), pages, jsons, coll_pages, raws), pickle.HIGHEST_PROTOCOL)
        for d in docs[start:stop]
    ]


def _modelled(d: Document) -> bool:
    return d.raw is not None and d.kind is not None and (d.kind in ("Catalog", "Collection") or stac.is_mlm(d.raw))


def _link_targets(d: Document) -> list[str]:
    out = []
    for _, link in stac.links(d.raw or {}):
        try:
            out.append(urls.resolve(d.href, link["href"]))
        except (ValueError, TypeError):
            continue
    return out


def model_site(
    documents: list[Document], findings: Mapping[str, list[Finding]], cache: BuildCache | None = None,
    jobs: int = 1, keys: dict[str, str] | None = None, release: bool = False,
    assigned: tuple[dict[str, str], dict[str, str], dict[str, str]] | None = None,
) -> SiteGraph:
    """View-models of every page, related by the site graph, with their site paths set.

    Cards are built in worker processes (or taken from the build cache when
    nothing they read changed); ``keys`` receives the key of each view-model.
    With ``release``, the parsed Items (``Document.raw``) are dropped once
    their cards are built: the cards carry all that the pages need of them.
    ``assigned``: what :func:`~mlm_site.build.assign_pages` gave for these documents.
    """
    pages, jsons, coll_pages = assigned or assign_pages(documents)
    raws = {d.href: d.raw for d in documents if d.raw is not None}
    modelled = [d for d in documents if _modelled(d)]
    blobs: list[bytes | None] = [None] * len(modelled)
    mkeys: list[str] = [""] * len(modelled)
    if cache is not None:
        by_href = {d.href: d.digest for d in documents}
        for i, d in enumerate(modelled):
            # what the view-model reads besides its document: the documents it links to and their site paths
            dkey = cache.doc_key(d)
            linked = cache.old_links(dkey)
            if linked is None:
                linked = _link_targets(d)
            cache.keep_links(dkey, linked)
            targets = sorted({(t, by_href.get(t), pages.get(t), jsons.get(t), coll_pages.get(t))
                              for t in [d.href, *linked]})
            mkeys[i] = digest("model", dkey, findings_digest(findings.get(d.href, [])), targets)
            blobs[i] = cache.old_model(mkeys[i])
    todo = [i for i, b in enumerate(blobs) if b is None]
    fresh = map_chunks(_model_chunk, len(todo), ([modelled[i] for i in todo], findings, pages, jsons, coll_pages, raws),
                       jobs)
    for i, fresh_blob in zip(todo, fresh):
        blobs[i] = fresh_blob
    if release:
        # the site graph reads only the links of an Item; the rest of it goes before the cards are
        # loaded, which can then take the memory it held
        for d in documents:
            if d.kind not in ("Catalog", "Collection") and d.raw is not None:
                raws[d.href] = {"links": d.raw.get("links")}
                d.raw = None
        trim_heap()
    cards: list[ModelCard] = []
    collections: list[CollectionPage] = []
    for i, d in enumerate(modelled):
        blob = blobs[i]
        assert blob is not None
        if cache is not None:
            cache.keep_model(mkeys[i], blob)
        if keys is not None:
            keys[d.href] = mkeys[i]
        page, card = pickle.loads(blob)
        if page is not None:
            collections.append(page)
        if card is not None:
            cards.append(card)
    del blobs, fresh
    if cache is not None:
        cache.save_models()  # written now: the build does not carry them while it renders
    if release:
        trim_heap()
    parents = {d.href: d.parent for d in documents}
    return build_graph(cards, collections, raws, parents)


def _published_json(raw: Mapping[str, Any], own_path: str, targets: Mapping[str, str], href: str, site_root: str = "catalog.json") -> dict[str, Any]:
    """The document as published with the site: links to documents of the site point to their
    published JSON (relative), other relative links become absolute."""
    doc = dict(raw)  # shallow: only links and asset hrefs change, and those are copied below
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
        copied = dict(assets)
        for key, asset in assets.items():
            if isinstance(asset, dict) and isinstance(asset.get("href"), str):
                try:
                    target = urls.resolve(href, asset["href"])
                except ValueError:
                    continue
                if urls.is_remote(target) and target != asset["href"]:
                    copied[key] = {**asset, "href": target}
        doc["assets"] = copied
    return doc


def _site_title(graph: SiteGraph, config: SiteConfig) -> str:
    if graph.root is not None and graph.root.title:
        return graph.root.title
    return config.title


@dataclass
class CardWriter:
    """Renders and writes the files of model cards (in this process or in a forked worker)."""

    staging: Staging
    env: Any
    site: SiteInfo
    graph: SiteGraph
    config: SiteConfig
    #: report.json's entry of every document by href, and the rules by id (for the report's pieces)
    report_docs: Mapping[str, Any] = field(default_factory=dict)
    rules: Mapping[str, Any] = field(default_factory=dict)
    _module: Any = None

    def macros(self) -> Any:
        """The macros of ``_fragments.html``, as seen from a page at the site root."""
        if self._module is None:
            self._module = self.env.get_template("_fragments.html").make_module(
                {"site": self.site, "page_path": "index.html", "url_base": None, "rules": self.rules})
        return self._module

    def pieces(self, card: ModelCard) -> dict[str, Any]:
        """The card's parts of the site-wide pages: index tile, compare picker/column, report entry."""
        m = self.macros()
        date = card.date
        out: dict[str, Any] = {
            "tile": str(m.tile(card, date.strftime("%Y-%m-%d") if date else "", facet_values(card))),
            "pick": str(m.compare_pick(card)),
            "head": str(m.compare_head(card)),
            "cells": [str(m.compare_cell(card, cell)) for cell in seo.compare_cells(card)],
            "report": self.report_piece(card.href),
            "date": date,
            "tokens": packed_tokens(card),
        }
        return out

    def report_piece(self, href: str) -> str:
        d = self.report_docs.get(href)
        if d is None:
            return ""
        m = self.macros()
        return str(m.report_document(d) if d["findings"] else m.report_clean(d))

    def page(self, path: str, template: str, **ctx: Any) -> None:
        ctx.setdefault("scripts", [])
        ctx.setdefault("styles", [])
        ctx.setdefault("breadcrumbs", [])
        ctx.setdefault("url_base", None)
        ctx.setdefault("meta", seo.page_meta(path, ctx, self.site.base_url))
        html = render_page(self.env, template, {"site": self.site, "page_path": path, **ctx})
        self.staging.write_text(path, html)

    def map_for(self, owner_path: str, geometry: Any, bbox: Any, key: str) -> tuple[Any, list[str]]:
        from mlm_site.maps import extent_map

        m = extent_map(geometry, bbox, map_id=f"map-{key}", tiles=self.config.tiles,
                       attribution=self.config.tiles_attribution)
        if m is None:
            return None, []
        # drawn by the shared script of its layout (written once by write_site): no file per page
        return m, ["static/leaflet/leaflet.js", m.script]

    def card(self, card: ModelCard) -> list[str]:
        """Write the card's page and published JSON (maps and citation downloads need no file); their paths."""
        from mlm_site.citation import bibtex, cff, ris

        written: list[str] = []
        original = self.staging.files
        self.staging.files = set()
        try:
            m, scripts = self.map_for(card.page, card.geometry, card.bbox, "card")
            published_text = card.source_json
            self.page(
                card.page,
                "card.html",
                card=card,
                versions=self.graph.version(card),
                breadcrumbs=self.graph.breadcrumbs(card.collection),
                map=m,
                scripts=scripts,
                styles=["static/leaflet/leaflet.css"] if m else [],
                bibtex=bibtex(card.citation) if card.citation else None,
                cff=cff(card.citation) if card.citation else None,
                ris=ris(card.citation) if card.citation else None,
                source_json=published_text,
                title=card.title,
                description=card.summary,
            )
            self.staging.write_text(card.json_page, published_text)
            # citations are downloaded from the page's <pre> blocks (site.js): no files of their own
            written = sorted(self.staging.files)
        finally:
            original |= self.staging.files
            self.staging.files = original
        return written


def _card_chunk(state: tuple[CardWriter, list[ModelCard]], start: int, stop: int) -> list[tuple[list[str], dict[str, Any]]]:
    writer, cards = state
    out = []
    for c in cards[start:stop]:
        out.append((writer.card(c), writer.pieces(c)))
        c.pack()  # what only this card's page read goes again: workers do not keep every card unpacked
    return out


def _card_key(card: ModelCard, graph: SiteGraph, keys: Mapping[str, str], own: Mapping[str, str | None],
              site_key: str) -> str:
    """Everything a card's files read: its view-model, its version chain, its collection trail, the site.

    The collections of the trail (breadcrumbs, the "in collection" line, the
    site title from the root) count by their own document and page, not by
    their view-models, which change whenever any of their members does: an
    edited item must not re-render every card of its collection.
    """
    versions = graph.version(card)
    chain = [(v.href, keys.get(v.href)) for v in versions.chain]
    trail = [(p.href, own.get(p.href), p.page, p.title) for p in graph.breadcrumbs(card.collection)]
    root = graph.root
    top = (root.href, own.get(root.href), root.page, root.title) if root is not None else None
    return digest("card", site_key, card.href, keys.get(card.href), card.page, card.json_page, chain,
                  [repr(m) for m in versions.missing], trail, top)


def write_site(
    staging: Staging,
    env: Any,
    graph: SiteGraph,
    documents: list[Document],
    report: Report,
    config: SiteConfig,
    progress: Progress | None = None,
    *,
    cache: BuildCache | None = None,
    keys: Mapping[str, str] | None = None,
    site_key: str = "",
) -> int:
    from mlm_site.maps import leaflet_assets

    base_url = (config.base_url.rstrip("/") + "/") if config.base_url else None
    site = SiteInfo(
        title=_site_title(graph, config),
        version=__version__,
        base_url=base_url,
        root=graph.root,
        tiles=config.tiles,
        search=True,
    )
    count = 0
    html_pages: list[str] = []

    targets: dict[str, str] = {c.href: c.json_page for c in graph.cards}
    for p in graph.collections:
        targets.setdefault(p.href, p.json_page)
    raws = {d.href: d.raw for d in documents if d.raw is not None}
    report_json = report.to_json()
    report_docs = {d["href"]: d for d in report_json["documents"]}
    rules = seo.rules_reference(report_json["summary"]["by_rule"])
    writer = CardWriter(staging, env, site, graph, config, report_docs, {r.id: r for r in rules})

    def emit(path: str, template: str, **ctx: Any) -> None:
        nonlocal count
        writer.page(path, template, **ctx)
        if template != "404.html":
            html_pages.append(path)
        count += 1

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
    # the shared map scripts (one per layout, tiles from the config) that draw every page's maps
    if any(c.geometry is not None or c.bbox for c in graph.cards) or any(p.bbox for p in graph.collections):
        # they depend on the code and the options only (the site key): taken over when that did not change
        reused = cache.old_files("~map-scripts", site_key) if cache is not None else None
        if reused is not None and cache is not None:
            for rel in reused:
                staging.reuse(cache.out, rel)
        else:
            from mlm_site.maps import map_scripts

            reused = []
            for rel, text in map_scripts(config.tiles, config.tiles_attribution):
                staging.write_text(rel, text)
                reused.append(rel)
        if cache is not None:
            cache.keep_files("~map-scripts", site_key, reused)

    # model cards: unchanged ones are taken over from the previous build, the others rendered in workers
    own = {d.href: d.digest for d in documents}
    card_keys = ({c.href: _card_key(c, graph, keys, own, site_key) for c in graph.cards}
                 if cache is not None and keys is not None else {})
    render: list[ModelCard] = []
    pieces: dict[str, dict[str, Any]] = {}
    for card in graph.cards:
        key = card_keys.get(card.href, "")
        files = cache.old_files(card.href, key) if cache is not None and key else None
        old_pieces = cache.old_fragments(card.href, key) if cache is not None and files is not None else None
        if files is None or old_pieces is None:
            render.append(card)
            continue
        for rel in files:
            staging.reuse(cache.out, rel)  # type: ignore[union-attr]
        pieces[card.href] = old_pieces
        if cache is not None:
            cache.keep_files(card.href, key, files)
            cache.keep_fragments(card.href, key, old_pieces)
    if progress:
        progress(f"rendering {len(render)} cards ({len(graph.cards) - len(render)} unchanged)")
    written = map_chunks(_card_chunk, len(render), (writer, render), config.effective_jobs)
    for card, (files, card_pieces) in zip(render, written):
        staging.files.update(files)
        pieces[card.href] = card_pieces
        if cache is not None and card_keys:
            cache.keep_files(card.href, card_keys[card.href], files)
            cache.keep_fragments(card.href, card_keys[card.href], card_pieces)
    for card in graph.cards:
        html_pages.append(card.page)
        count += 1

    # the search index (search/) from the view-models, in page order: cheap, so rebuilt whole every build
    for rel, data in index_packed((c.page, pieces[c.href]["tokens"]) for c in sorted(graph.cards, key=lambda c: c.page)).items():
        staging.write_bytes(rel, data)

    collections_kept = 0
    for p in graph.collections:
        if p is graph.root:
            continue
        # taken over when nothing it shows changed: its own view-model, its members, its sub-catalogs
        # (and their sizes), its trail, the site
        unit = "~collection " + p.href
        mkey = (keys or {}).get
        ckey = digest("collection", site_key, p.href, mkey(p.href), p.page, p.json_page,
                      [(c.href, mkey(c.href), c.page) for c in p.cards],
                      [(x.href, mkey(x.href), x.page, len(x.cards)) for x in p.children],
                      [(q.href, own.get(q.href), q.page, q.title) for q in graph.breadcrumbs(p)],
                      ) if card_keys else ""
        reused_files = cache.old_files(unit, ckey) if cache is not None and ckey else None
        if reused_files is not None and cache is not None:
            for rel in reused_files:
                staging.reuse(cache.out, rel)
            html_pages.append(p.page)
            count += 1
            collections_kept += 1
        else:
            before = set(staging.files)
            m, scripts = writer.map_for(p.page, None, p.bbox, "collection") if p.bbox else (None, [])
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
            reused_files = sorted(staging.files - before)
        if cache is not None and ckey:
            cache.keep_files(unit, ckey, reused_files)
    if progress:
        pages_of = len(graph.collections) - (graph.root is not None)
        progress(f"rendered {pages_of - collections_kept} collection pages ({collections_kept} unchanged)")
    if graph.root is not None:
        staging.write_json("catalog.json", _published_json(raws[graph.root.href], "catalog.json", targets, graph.root.href))

    cards = sorted(graph.cards, key=lambda c: (c.title.lower(), c.href))
    dates = {c.href: pieces[c.href]["date"] for c in cards}
    emit(
        "index.html",
        "index.html",
        cards=cards,
        tiles=Markup("".join(pieces[c.href]["tile"] for c in cards)),
        facets=graph.facets,
        facet_labels=dict(FACET_LABELS),
        root=graph.root,
        collections=[p for p in graph.collections if p is not graph.root],
        title=site.title,
        description=graph.root.summary if graph.root else "",
        summary=report.summary(),
    )
    staging.write_text("report.json", report_text(report_json))
    sections: list[str] = []
    clean: list[str] = []
    for d in report_json["documents"]:
        piece = pieces[d["href"]]["report"] if d["href"] in pieces else writer.report_piece(d["href"])
        (sections if d["findings"] else clean).append(piece)
    emit(
        "report.html",
        "report.html",
        documents=report_json["documents"],
        summary=report_json["summary"],
        title="Validation report",
        description="Validation findings of every document of the catalog",
        rules=writer.rules,
        sections=Markup("".join(sections)),
        clean=Markup("".join(clean)),
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
        picks=Markup("".join(pieces[c.href]["pick"] for c in cards)),
        head=Markup("".join(pieces[c.href]["head"] for c in cards)),
        rows=list(zip(seo.COMPARE_LABELS, map(Markup, map("".join, zip(*(pieces[c.href]["cells"] for c in cards))))))
        if cards else [(label, Markup("")) for label in seo.COMPARE_LABELS],
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
    return count


def posixpath_join(page: str, name: str) -> str:
    head = page.rsplit("/", 1)[0] if "/" in page else ""
    return f"{head}/{name}" if head else name


__all__ = ["FACET_LABELS", "CardWriter", "model_site", "write_site"]
