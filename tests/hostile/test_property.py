"""Property: mutated MLM items (random deletions, type swaps, injected payloads) go through
validation (schemas + rules) and card rendering with no exception and nothing alive."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlm_site import __version__
from mlm_site.crawl import Document, inspect_tree
from mlm_site.findings import Finding
from mlm_site.graph import VersionInfo
from mlm_site.maps import extent_map
from mlm_site.model import Linker, build_card
from mlm_site.render import make_environment, render_page

from ..conftest import SAMPLE
from .htmlcheck import live_content
from .make_catalog import (
    ALL,
    BAD_URLS,
    CLOSE,
    IMG,
    JINJA,
    JINJA_BLOCK,
    JS_TEMPLATE,
    SCRIPT,
    STYLE,
    SVG,
    mlm_item,
    xss_item,
)

PAYLOADS = [SCRIPT, IMG, SVG, CLOSE, STYLE, JINJA, JINJA_BLOCK, JS_TEMPLATE, ALL, *BAD_URLS,
            "ff0000;background:url(javascript:alert(1))", "#12345g", "\u202e", "\x00", "\ud800", "../../etc/passwd"]
def compact_xss() -> dict[str, Any]:
    """The payload item, trimmed so that one example stays fast."""
    doc = xss_item()
    doc["links"] = doc["links"][::7]
    doc["properties"]["providers"] = doc["properties"]["providers"][:3]
    doc["assets"] = dict(list(doc["assets"].items())[:3])
    return doc


SEEDS = [mlm_item("seed"), compact_xss(), *[json.loads(p.read_text()) for p in sorted(SAMPLE.parent.rglob("*.json")) if json.loads(p.read_text()).get("type") == "Feature"][:6]]
HREF = "/catalog/items/item.json"
PAGE = "models/item/index.html"

leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False),
                 st.text(max_size=20), st.sampled_from(PAYLOADS))
values = st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                     st.dictionaries(st.sampled_from([*PAYLOADS, "name", "value", "href"]), inner, max_size=3)),
                      max_leaves=6)


def paths(doc: Any) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(doc, ())]
    while stack:
        value, path = stack.pop()
        out.append(path)
        if isinstance(value, dict):
            stack.extend((v, (*path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(value))
    return sorted(out, key=lambda p: [str(x) for x in p])


def get(doc: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        doc = doc[p]
    return doc


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        candidates = [p for p in paths(doc) if p]
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent, key = get(doc, path[:-1]), path[-1]
        op = draw(st.sampled_from(["delete", "swap", "inject", "payload-key"]))
        if op == "delete":
            del parent[key]
        elif op == "swap":
            parent[key] = draw(values)
        elif op == "inject":
            old = parent[key]
            payload = draw(st.sampled_from(PAYLOADS))
            parent[key] = f"{old}{payload}" if isinstance(old, str) else payload
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(PAYLOADS))] = parent.pop(key)
    return doc


@pytest.fixture(scope="module")
def checker(schemas_dir: Path, offline_cache: Path):  # type: ignore[no-untyped-def]
    from mlm_site.schemas import SchemaStore
    from mlm_site.validate import Checker
    from mlm_site.validate.schema import SchemaValidator

    store = SchemaStore(schemas_dir, offline_cache, offline=True)
    yield Checker(SchemaValidator(store))
    store.close()


@pytest.fixture(scope="module")
def env():  # type: ignore[no-untyped-def]
    return make_environment(None)


def render_card(env: Any, raw: dict[str, Any], findings: list[Finding]) -> str:
    from mlm_site import site as seo
    from mlm_site.citation import bibtex, cff, ris
    from mlm_site.context import SiteInfo

    card = build_card(raw, HREF, findings, Linker(HREF, PAGE, {HREF: PAGE}))
    card.page, card.json_page = PAGE, "models/item/item.json"
    m = extent_map(card.geometry, card.bbox, map_id="map-card", tiles=None, attribution="")
    if m is not None:
        assert m.script in ("static/maps/geojson.js", "static/maps/rectangle.js")
        assert "alert" not in m.html and m.html.count("<") == 2 and m.html.count(">") == 2
    ctx: dict[str, Any] = dict(
        card=card, versions=VersionInfo(chain=[card]), breadcrumbs=[], map=m,
        scripts=["static/leaflet/leaflet.js", m.script] if m else [], styles=[],
        bibtex=bibtex(card.citation) if card.citation else None, cff=cff(card.citation) if card.citation else None,
        ris=ris(card.citation) if card.citation else None, source=raw, title=card.title, description=card.summary,
        url_base=None,
    )
    ctx["meta"] = seo.page_meta(PAGE, ctx, None)
    site = SiteInfo(title="t", version=__version__, base_url=None, root=None, tiles=None, search=False)
    return render_page(env, "card.html", {"site": site, "page_path": PAGE, **ctx})


@settings(max_examples=int(os.environ.get("MLM_SITE_PROPERTY_EXAMPLES", "300")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(doc=mutated())
def test_mutated_items_validate_and_render_safely(checker, env, doc: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    raw, _problems = inspect_tree(doc)  # what the crawl does to every document (lone surrogates)
    document = Document(HREF, raw, "Feature")
    findings = checker.check(document, {HREF: raw})
    assert all(isinstance(f, Finding) and f.href == HREF and (f.pointer == "" or f.pointer.startswith("/"))
               for f in findings)
    assert not [f for f in findings if "internal error" in f.message.lower()], findings
    html = render_card(env, raw, findings)
    html.encode("utf-8")
    assert live_content(html) == []
