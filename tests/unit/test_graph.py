from __future__ import annotations

from pathlib import Path

from mlm_site.build import model_site
from mlm_site.crawl import crawl
from mlm_site.graph import SiteGraph, VersionInfo, build_graph, version_key
from mlm_site.model import ModelCard, build_card

from ..conftest import SAMPLE


def test_version_key_orders_prereleases_first() -> None:
    versions = ["2.0.0", "1.10.0", "1.2.0", "2.0.0-beta", "v1.0.0"]
    assert sorted(versions, key=version_key) == ["v1.0.0", "1.2.0", "1.10.0", "2.0.0-beta", "2.0.0"]


def test_sample_version_chain_and_membership() -> None:
    docs = list(crawl(str(SAMPLE)))
    graph = model_site(docs, {})
    by_id = {c.id: c for c in graph.cards}
    old, cur, beta = by_id["alpine-landcover-v1.0.0"], by_id["alpine-landcover-v1.1.0"], by_id["alpine-landcover-v2.0.0-beta"]
    info = graph.version(old)
    assert [c.id for c in info.chain] == [old.id, cur.id, beta.id]
    assert info.latest is cur and info.newer is cur and info.successor is cur
    assert graph.version(cur).newer is None and graph.version(cur).predecessor is old
    assert graph.version(beta).newer is None  # the experimental release is newer than "latest"
    assert graph.version(by_id["s2-landuse-resnet18"]).chain == [by_id["s2-landuse-resnet18"]]
    # membership from the crawl tree, breadcrumbs from the root
    assert cur.collection is not None and cur.collection.id == "land-cover-models"
    assert [p.page for p in graph.breadcrumbs(cur.collection)] == ["index.html", cur.collection.page]
    assert dict(graph.facets["task"])["semantic-segmentation"] >= 3
    assert len({c.page for c in graph.cards}) == len(graph.cards)


# --- broken and circular chains (issue 4, item 12) ------------------------------

def _item(name: str, version: str | None, *links: tuple[str, str], **props: object) -> dict[str, object]:
    properties: dict[str, object] = {"mlm:name": name, "mlm:tasks": ["classification"], **props}
    if version is not None:
        properties["version"] = version
    return {"type": "Feature", "stac_version": "1.1.0", "id": name, "properties": properties, "assets": {},
            "stac_extensions": ["https://stac-extensions.github.io/mlm/v1.5.2/schema.json"],
            "links": [{"rel": rel, "href": href} for rel, href in links]}


def _graph(items: dict[str, dict[str, object]]) -> tuple[SiteGraph, dict[str, ModelCard]]:
    raws = {f"/cat/{k}.json": v for k, v in items.items()}
    cards = [build_card(raw, href) for href, raw in raws.items()]
    graph = build_graph(cards, [], raws, {})
    return graph, {c.id or "": c for c in cards}


def test_circular_chain_lists_each_release_once_in_version_order() -> None:
    # a -> b -> c -> a, declared both ways, and a latest-version link that points back into the loop
    graph, by = _graph({
        "a": _item("a", "1.0.0", ("successor-version", "b.json"), ("predecessor-version", "c.json"), deprecated=True),
        "b": _item("b", "1.1.0", ("successor-version", "c.json"), ("predecessor-version", "a.json"),
                   ("latest-version", "c.json")),
        "c": _item("c", "1.2.0", ("successor-version", "a.json"), ("predecessor-version", "b.json")),
    })
    for card in by.values():
        info = graph.version(card)
        assert [c.id for c in info.chain] == ["a", "b", "c"]
        assert info.latest is by["c"] and info.missing == []
    a, b, c = (graph.version(by[k]) for k in "abc")
    # the loop's back edges (c -> a) disagree with the timeline and are not used as neighbours
    assert a.predecessor is None and a.successor is by["b"] and a.newer is by["c"]
    assert b.predecessor is by["a"] and b.successor is by["c"] and b.newer is by["c"]
    assert c.predecessor is by["b"] and c.successor is None and c.newer is None


def test_chain_without_version_numbers_follows_the_links_even_through_a_loop() -> None:
    graph, by = _graph({
        "z-first": _item("z-first", None, ("successor-version", "m-second.json")),
        "m-second": _item("m-second", None, ("successor-version", "a-third.json")),
        "a-third": _item("a-third", None, ("successor-version", "z-first.json")),  # loops back
    })
    chain = [c.id for c in graph.version(by["m-second"]).chain]
    assert sorted(chain) == ["a-third", "m-second", "z-first"] and len(set(chain)) == 3
    # the loop is broken at one member and the rest follows the links in order
    start = chain.index("z-first")
    assert chain[start:] + chain[:start] == ["z-first", "m-second", "a-third"]


def test_broken_links_are_listed_not_dropped_and_do_not_join_chains() -> None:
    graph, by = _graph({
        "old": _item("old", "1.0.0", ("successor-version", "https://models.example/gone-1.1.json"),
                     ("latest-version", "missing-latest.json"), ("successor-version", "new.json")),
        "new": _item("new", "2.0.0", ("predecessor-version", "old.json"), ("predecessor-version", "nowhere.json")),
        "alone": _item("alone", "3.0.0", ("predecessor-version", "https://models.example/gone-1.1.json"),
                       ("predecessor-version", "https://models.example/gone-1.1.json")),
        "fine": _item("fine", "1.0.0"),
    })
    old, new = graph.version(by["old"]), graph.version(by["new"])
    assert [c.id for c in old.chain] == ["old", "new"] and old.latest is by["new"] and old.newer is by["new"]
    assert [(m.rel, m.title, m.href) for m in old.missing] == [
        ("successor-version", "gone-1.1.json", "https://models.example/gone-1.1.json"),
        ("latest-version", "missing-latest.json", None),  # local paths are not linked
    ]
    assert [(m.rel, m.href) for m in new.missing] == [("predecessor-version", None)]
    alone = graph.version(by["alone"])
    assert alone.chain == [by["alone"]] and len(alone.missing) == 1  # listed once
    assert graph.version(by["fine"]) == VersionInfo(chain=[by["fine"]])


def test_card_timeline_of_a_circular_and_broken_chain(tmp_path: Path) -> None:
    """Rendered through the real build: the loop's releases appear once each, broken links are named."""
    import json

    import html5lib

    from mlm_site.build import build
    from mlm_site.config import load_config

    cat = tmp_path / "cat"
    cat.mkdir()
    items = {
        "v1": _item("v1", "1.0.0", ("successor-version", "v2.json"), ("predecessor-version", "v2.json")),
        "v2": _item("v2", "2.0.0", ("successor-version", "v1.json"), ("predecessor-version", "v1.json"),
                    ("successor-version", "https://models.example/v3.json")),
    }
    for name, raw in items.items():
        raw["properties"]["datetime"] = "2024-01-01T00:00:00Z"  # type: ignore[index]
        raw["geometry"] = None
        (cat / f"{name}.json").write_text(json.dumps(raw), encoding="utf-8")
    (cat / "catalog.json").write_text(json.dumps({
        "type": "Catalog", "stac_version": "1.1.0", "id": "c", "description": "d",
        "links": [{"rel": "item", "href": f"./{n}.json"} for n in items]}), encoding="utf-8")
    out = tmp_path / "site"
    build(load_config(None, catalog=str(cat / "catalog.json"), output=out, offline=True, jobs=1, tiles="",
                      cache_dir=tmp_path / "cache", schemas=tmp_path / "no-schemas", fail_on="never"))
    root = html5lib.parse((out / "models" / "v2" / "index.html").read_text(encoding="utf-8"),
                          namespaceHTMLElements=False)
    sec = next(s for s in root.iter("section") if s.get("aria-labelledby") == "versions")
    entries = [" ".join("".join(li.itertext()).split()) for li in sec.iterfind(".//ol/li")]
    assert len(entries) == 2 and entries[0].startswith("2.0.0 this page") and entries[1].startswith("1.0.0")
    missing = [a.get("href") for a in sec.iterfind(".//ul[@class='missing-versions']//a")]
    assert missing == ["https://models.example/v3.json"]
