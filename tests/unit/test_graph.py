from __future__ import annotations

from mlm_site.build import model_site
from mlm_site.crawl import crawl
from mlm_site.graph import version_key

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
