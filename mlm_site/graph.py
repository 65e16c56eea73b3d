"""Catalog-wide relations: version chains, collection membership, facets.

Built once after the crawl, from the raw documents and their view-models;
pages read the result, never the catalog.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping

from mlm_site import stac, urls
from mlm_site.model import CollectionPage, ModelCard

VERSION_RELS = ("predecessor-version", "successor-version", "latest-version")


def version_key(version: str | None) -> tuple[Any, ...]:
    """Sort key for version strings: numeric parts numerically, pre-releases before releases."""
    if not version:
        return ((),)
    text = version.lstrip("vV")
    main, _, pre = text.partition("-")
    parts = tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.+]", main))
    return (parts, 0 if pre else 1, pre)


@dataclass
class VersionInfo:
    """Where one card stands in its model's release history."""

    chain: list[ModelCard] = field(default_factory=list)
    newer: ModelCard | None = None
    latest: ModelCard | None = None
    predecessor: ModelCard | None = None
    successor: ModelCard | None = None


@dataclass
class SiteGraph:
    cards: list[ModelCard]
    collections: list[CollectionPage]
    versions: dict[str, VersionInfo]
    facets: dict[str, list[tuple[str, int]]]
    root: CollectionPage | None

    def version(self, card: ModelCard) -> VersionInfo:
        return self.versions.get(card.href, VersionInfo(chain=[card]))

    def breadcrumbs(self, page: CollectionPage | None) -> list[CollectionPage]:
        trail: list[CollectionPage] = []
        seen: set[int] = set()
        while page is not None and id(page) not in seen:
            seen.add(id(page))
            trail.append(page)
            page = page.parent
        return list(reversed(trail))


def _version_links(doc: Mapping[str, Any], href: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for _, link in stac.links(doc):
        rel = link.get("rel")
        if rel in VERSION_RELS:
            try:
                found[str(rel)].append(urls.resolve(href, link["href"]))
            except ValueError:
                continue
    return found


def _chains(cards: list[ModelCard], raws: Mapping[str, Mapping[str, Any]]) -> dict[str, VersionInfo]:
    by_href = {c.href: c for c in cards}
    parent: dict[str, str] = {c.href: c.href for c in cards}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    pred: dict[str, str] = {}
    succ: dict[str, str] = {}
    latest: dict[str, str] = {}
    for c in cards:
        links = _version_links(raws.get(c.href, {}), c.href)
        for rel, targets in links.items():
            for t in targets:
                if t not in by_href or t == c.href:
                    continue
                union(c.href, t)
                if rel == "predecessor-version":
                    pred.setdefault(c.href, t)
                    succ.setdefault(t, c.href)
                elif rel == "successor-version":
                    succ.setdefault(c.href, t)
                    pred.setdefault(t, c.href)
                else:
                    latest.setdefault(c.href, t)
    groups: dict[str, list[ModelCard]] = defaultdict(list)
    for c in cards:
        groups[find(c.href)].append(c)
    info: dict[str, VersionInfo] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        chain = sorted(members, key=lambda c: (version_key(c.version), c.href))
        stable = [c for c in chain if not c.experimental and not c.deprecated]
        declared = [by_href[latest[c.href]] for c in chain if c.href in latest]
        latest_card = declared[-1] if declared else (stable[-1] if stable else chain[-1])
        for c in chain:
            newer = None
            if latest_card is not c and version_key(latest_card.version) > version_key(c.version):
                newer = latest_card
            elif c.deprecated and latest_card is not c:
                newer = latest_card
            info[c.href] = VersionInfo(
                chain=chain,
                newer=newer,
                latest=latest_card,
                predecessor=by_href.get(pred.get(c.href, "")),
                successor=by_href.get(succ.get(c.href, "")),
            )
    return info


FACETS = ("task", "framework", "architecture", "accelerator", "license", "collection", "status")


def facet_values(card: ModelCard) -> dict[str, list[str]]:
    """The facet values of one card (what the index filters on)."""
    coll = card.collection.title if isinstance(card.collection, CollectionPage) else None
    return {
        "task": list(card.tasks),
        "framework": [card.framework] if card.framework else [],
        "architecture": [card.architecture] if card.architecture else [],
        "accelerator": [card.accelerator] if card.accelerator else [],
        "license": [card.license] if card.license else [],
        "collection": [coll] if coll else [],
        "status": [card.status],
    }


def build_graph(
    cards: list[ModelCard],
    collections: list[CollectionPage],
    raws: Mapping[str, Mapping[str, Any]],
    parents: Mapping[str, str | None],
) -> SiteGraph:
    """Relate cards and collection pages: membership from the crawl tree (or a
    ``collection`` link), version chains from version links, and facet counts."""
    pages = {p.href: p for p in collections}
    for p in collections:
        par = parents.get(p.href)
        if par in pages and pages[par] is not p:
            p.parent = pages[par]
            pages[par].children.append(p)
    for c in cards:
        owner = pages.get(parents.get(c.href) or "")
        if owner is None:
            for _, link in stac.links(raws.get(c.href, {})):
                if link.get("rel") == "collection":
                    try:
                        owner = pages.get(urls.resolve(c.href, link["href"]))
                    except ValueError:
                        owner = None
                    if owner:
                        break
        if owner is not None:
            c.collection = owner
            owner.cards.append(c)
    for p in collections:
        p.cards.sort(key=lambda c: (c.title.lower(), c.href))
        p.children.sort(key=lambda x: (x.title.lower(), x.href))
    counts: dict[str, dict[str, int]] = {f: defaultdict(int) for f in FACETS}
    for c in cards:
        for f, values in facet_values(c).items():
            for v in values:
                counts[f][v] += 1
    facets = {f: sorted(v.items(), key=lambda kv: (-kv[1], kv[0].lower())) for f, v in counts.items()}
    roots = [p for p in collections if p.page == "index.html"] or [p for p in collections if p.parent is None]
    root = roots[0] if roots else None
    return SiteGraph(cards, collections, _chains(cards, raws), facets, root)
