"""Catalog-wide relations: version chains, collection membership, facets.

Built once after the crawl, from the raw documents and their view-models;
pages read the result, never the catalog.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlm_site import stac, urls
from mlm_site.model import CollectionPage, ModelCard, absolute_only

VERSION_RELS = ("predecessor-version", "successor-version", "latest-version")


def version_key(version: str | None) -> tuple[Any, ...]:
    """Sort key for version strings: numeric parts numerically, pre-releases before releases."""
    if not version:
        return ((),)
    text = version.lstrip("vV")
    main, _, pre = text.partition("-")
    parts = tuple(int(p) if p.isdigit() else 0 for p in re.split(r"[.+]", main))
    return (parts, 0 if pre else 1, pre)


@dataclass(frozen=True)
class MissingVersion:
    """A version link of this card whose target is not in the catalog (a broken chain)."""

    rel: str
    title: str
    href: str | None  # only absolute http(s) targets are linked


@dataclass
class VersionInfo:
    """Where one card stands in its model's release history.

    ``chain`` holds each release once, oldest first, even when the catalog's
    links form a loop; ``missing`` lists version links that lead nowhere in the
    catalog, so the timeline can say so instead of silently dropping them.
    """

    chain: list[ModelCard] = field(default_factory=list)
    newer: ModelCard | None = None
    latest: ModelCard | None = None
    predecessor: ModelCard | None = None
    successor: ModelCard | None = None
    missing: list[MissingVersion] = field(default_factory=list)


@dataclass
class SiteGraph:
    cards: list[ModelCard]
    collections: list[CollectionPage]
    versions: dict[str, VersionInfo]
    facets: dict[str, list[tuple[str, int]]]
    root: CollectionPage | None

    def version(self, card: ModelCard) -> VersionInfo:
        return self.versions.get(card.href) or VersionInfo(chain=[card])

    def breadcrumbs(self, page: CollectionPage | None) -> list[CollectionPage]:
        trail: list[CollectionPage] = []
        seen: set[int] = set()
        while page is not None and id(page) not in seen:
            seen.add(id(page))
            trail.append(page)
            page = page.parent
        return list(reversed(trail))


def _version_links(doc: Mapping[str, Any], href: str) -> dict[str, list[tuple[str, Mapping[str, Any]]]]:
    found: dict[str, list[tuple[str, Mapping[str, Any]]]] = defaultdict(list)
    for _, link in stac.links(doc):
        rel = link.get("rel")
        if rel in VERSION_RELS:
            try:
                found[str(rel)].append((urls.resolve(href, link["href"]), link))
            except ValueError:
                continue
    return found


def _missing(rel: str, target: str, link: Mapping[str, Any]) -> MissingVersion:
    title = link.get("title")
    name = (
        title.strip() if isinstance(title, str) and title.strip() else target.rstrip("/").rsplit("/", 1)[-1]
    )
    return MissingVersion(rel, name or target, absolute_only(target))


def _release_order(members: list[ModelCard], edges: set[tuple[str, str]]) -> dict[str, int]:
    """Rank of each member along the declared older -> newer links: a topological
    order that breaks loops at the oldest-looking member, deterministic."""
    key = {c.href: (version_key(c.version), c.href) for c in members}
    indegree = {c.href: 0 for c in members}
    after: dict[str, list[str]] = defaultdict(list)
    for older, newer in sorted(edges):
        after[older].append(newer)
        indegree[newer] += 1
    rank: dict[str, int] = {}
    remaining = set(indegree)
    while remaining:
        ready = [h for h in remaining if indegree[h] == 0]
        # a loop leaves nothing ready: break it at the member that sorts first
        h = min(ready or remaining, key=lambda x: key[x])
        remaining.discard(h)
        rank[h] = len(rank)
        for n in after[h]:
            if n in remaining:
                indegree[n] -= 1
    return rank


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

    edges: set[tuple[str, str]] = set()  # (older, newer) as declared by the links
    latest: dict[str, str] = {}
    missing: dict[str, list[MissingVersion]] = defaultdict(list)
    for c in cards:
        links = _version_links(raws.get(c.href, {}), c.href)
        for rel in VERSION_RELS:
            for t, raw_link in links.get(rel, []):
                if t == c.href:
                    continue
                if t not in by_href:
                    gone = _missing(rel, t, raw_link)
                    if gone not in missing[c.href]:
                        missing[c.href].append(gone)
                    continue
                union(c.href, t)
                if rel == "predecessor-version":
                    edges.add((t, c.href))
                elif rel == "successor-version":
                    edges.add((c.href, t))
                else:
                    latest.setdefault(c.href, t)
    groups: dict[str, list[ModelCard]] = defaultdict(list)
    for c in cards:
        groups[find(c.href)].append(c)
    edges_of: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for a, b in edges:
        edges_of[find(a)].add((a, b))
    info: dict[str, VersionInfo] = {}
    for root, members in sorted(groups.items()):
        if len(members) < 2:
            if missing.get(root):
                info[root] = VersionInfo(chain=members, missing=missing[root])
            continue
        group_edges = edges_of[root]
        rank = _release_order(members, group_edges)
        # version numbers order the chain; the links order what the numbers leave open
        chain = sorted(members, key=lambda c: (version_key(c.version), rank[c.href], c.href))
        position = {c.href: i for i, c in enumerate(chain)}
        stable = [c for c in chain if not c.experimental and not c.deprecated]
        declared = [by_href[latest[c.href]] for c in chain if c.href in latest]
        latest_card = declared[-1] if declared else (stable[-1] if stable else chain[-1])
        for i, c in enumerate(chain):
            later = version_key(latest_card.version) > version_key(c.version)
            # a deprecated release points on to the latest one, unless that one is older (a muddled chain)
            moved_on = c.deprecated and position[latest_card.href] > i
            newer = latest_card if latest_card is not c and (later or moved_on) else None
            # neighbours on the timeline: declared links only when they agree with it (a loop does not)
            older = [by_href[a] for a, b in sorted(group_edges) if b == c.href and position[a] < i]
            younger = [by_href[b] for a, b in sorted(group_edges) if a == c.href and position[b] > i]
            info[c.href] = VersionInfo(
                chain=chain,
                newer=newer,
                latest=latest_card,
                predecessor=max(older, key=lambda x: position[x.href])
                if older
                else (chain[i - 1] if i else None),
                successor=min(younger, key=lambda x: position[x.href])
                if younger
                else (chain[i + 1] if i + 1 < len(chain) else None),
                missing=missing.get(c.href, []),
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
