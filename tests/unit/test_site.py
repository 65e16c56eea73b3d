"""Site-wide outputs: SEO metadata, JSON-LD, feed, sitemap, robots, 404, published STAC,
search index, rules and compare pages, and the ``serve`` watcher."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

from hypothesis import given, settings
from hypothesis import strategies as st

from mlm_site import site as seo
from mlm_site.build import build
from mlm_site.config import load_config
from tests.conftest import SAMPLE

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://models.example.org/zoo/"


def jsonld(html: str) -> dict:
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert m, "no JSON-LD"
    return json.loads(m.group(1))


def test_card_head_has_canonical_og_alternate_and_jsonld(sample_site: Path) -> None:
    html = (sample_site / "models/s2-landuse-resnet18/index.html").read_text()
    assert f'<link rel="canonical" href="{BASE}models/s2-landuse-resnet18/">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<link rel="alternate" type="application/geo+json" href="item.json"' in html
    data = jsonld(html)
    assert data["@type"] == "SoftwareSourceCode"
    assert data["version"] == "1.3.0" and data["url"] == f"{BASE}models/s2-landuse-resnet18/"
    assert data["license"].startswith("https://spdx.org/licenses/")
    assert data["citation"] and data["spatialCoverage"]["geo"]["box"]
    assert "temporalCoverage" in data and data["description"]


def test_collection_jsonld_is_a_dataset(sample_site: Path) -> None:
    html = (sample_site / "collections/land-cover-models/index.html").read_text()
    data = jsonld(html)
    assert data["@type"] == "Dataset" and data["name"] and data["hasPart"]
    assert '<link rel="alternate" type="application/json" href="collection.json"' in html
    assert 'aria-current="page">' in html  # the breadcrumb of the page itself


def test_jsonld_cannot_close_the_script() -> None:
    from mlm_site.render import json_script

    assert "</script" not in json_script({"name": "</script><script>alert(1)</script>"})


def test_no_canonical_without_base_url(tmp_path: Path, schemas_dir: Path, offline_cache: Path) -> None:
    out = tmp_path / "site"
    build(load_config(None, catalog=str(SAMPLE), output=out, schemas=schemas_dir, offline=True, cache_dir=offline_cache))
    for page in out.rglob("*.html"):
        html = page.read_text()
        assert 'rel="canonical"' not in html and "og:url" not in html
        assert "https://models.example.org" not in html
    assert not (out / "sitemap.xml").exists()
    assert "Sitemap" not in (out / "robots.txt").read_text()
    feed = ElementTree.parse(out / "feed.xml").getroot()
    assert feed.find(f"{ATOM}id").text.startswith("urn:mlm-site:")
    assert (out / "404.html").read_text().count('href="index.html"') >= 1


def test_sitemap_robots_and_404_with_base_url(sample_site: Path) -> None:
    tree = ElementTree.parse(sample_site / "sitemap.xml")
    locs = [e.text for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"{BASE}" in locs and f"{BASE}models/s2-landuse-resnet18/" in locs and f"{BASE}report.html" in locs
    assert all(loc.startswith(BASE) for loc in locs) and not any("404" in loc for loc in locs)
    assert len(locs) == len(set(locs))
    assert (sample_site / "robots.txt").read_text() == f"User-agent: *\nAllow: /\nSitemap: {BASE}sitemap.xml\n"
    notfound = (sample_site / "404.html").read_text()
    assert 'href="/zoo/static/style.css"' in notfound  # served for any missing path: from the root path
    assert 'name="robots" content="noindex"' in notfound


def test_feed_is_atom_newest_first(sample_site: Path) -> None:
    root = ElementTree.parse(sample_site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 10
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert root.find(f"{ATOM}updated").text == updated[0]
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href").startswith(BASE + "models/")
    assert first.find(f"{ATOM}id").text.startswith(BASE)


def test_feed_order_is_deterministic_and_undated_last() -> None:
    from tests.unit.test_site_helpers import card

    a, b, c = card("a", "Alpha"), card("b", "Beta"), card("c", "Gamma")
    dates = {"a": datetime(2024, 1, 1, tzinfo=UTC), "b": datetime(2024, 1, 1, tzinfo=UTC), "c": None}
    assert [x.title for x in seo.feed_entries([c, b, a], dates)] == ["Alpha", "Beta", "Gamma"]
    xml = seo.atom_feed([a, b, c], dates, "T\x00\x1bitle <&>", None)
    ElementTree.fromstring(xml)  # control characters dropped, the rest escaped


def test_document_date_prefers_updated() -> None:
    raw = {"type": "Feature", "properties": {"created": "2024-01-01T00:00:00Z", "updated": "2024-05-01T00:00:00Z"}}
    assert seo.document_date(raw) == datetime(2024, 5, 1, tzinfo=UTC)
    assert seo.document_date({"type": "Feature", "properties": {"datetime": None}}) is None


def _links(path: Path) -> dict[str, list[Path]]:
    doc = json.loads(path.read_text())
    out: dict[str, list[Path]] = {}
    for link in doc["links"]:
        if "://" not in link["href"]:
            out.setdefault(link["rel"], []).append((path.parent / link["href"]).resolve())
    return out


def test_published_stac_is_a_consistent_relative_catalog(sample_site: Path) -> None:
    root = (sample_site / "catalog.json").resolve()
    seen: set[Path] = set()
    todo = [root]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        links = _links(path)
        assert links["root"] == [root], path
        assert "self" not in links  # self-contained: no absolute self link
        html = links.get("alternate", [])
        assert html and all(h.exists() and h.suffix == ".html" for h in html), path
        for rel in ("child", "item"):
            for target in links.get(rel, []):
                assert target.exists(), (path, target)
                assert _links(target).get("parent") == [path], (target, "parent should be", path)
                todo.append(target)
        if path != root:
            assert links.get("parent"), path
    published = {p.resolve() for p in sample_site.rglob("*.json")
                 if p.name in ("catalog.json", "collection.json", "item.json")}
    assert published == seen  # every published document is reachable from catalog.json


def test_search_index_is_built(sample_site: Path) -> None:
    meta = json.loads((sample_site / "search" / "index.json").read_text())
    assert len(meta["docs"]) == 10
    assert all((sample_site / "search" / f"{key}.json").is_file() for key in meta["shards"])
    assert 'data-search="search/"' in (sample_site / "index.html").read_text()


def test_index_tiles_carry_facets_for_the_filters(sample_site: Path) -> None:
    html = (sample_site / "index.html").read_text()
    tiles = re.findall(r"data-facets='([^']*)'", html)
    assert len(tiles) == 10
    facets = [json.loads(t.replace("&#34;", '"').replace("&quot;", '"')) for t in tiles]
    assert {"task", "framework", "architecture", "accelerator", "license", "collection", "status"} == set(facets[0])
    for name in ("task", "framework", "architecture", "accelerator", "license", "collection", "status"):
        assert f'<fieldset class="facet" data-facet="{name}">' in html or not any(f[name] for f in facets)
    assert '<form class="filters" id="filters" hidden>' in html  # shown by JavaScript only
    assert 'src="static/index.js"' in html


def test_rules_and_report_link_each_other(sample_site: Path) -> None:
    from mlm_site.validate.rules import RULES

    rules = (sample_site / "rules.html").read_text()
    for rule_id in RULES:
        assert f'id="{rule_id.lower()}"' in rules
    report = (sample_site / "report.html").read_text()
    assert 'href="rules.html#schema"' in report
    assert re.search(r'href="rules.html#mlm\d+"', report)
    assert 'href="models/unet-defective/index.html"' in report


def test_compare_page_has_a_column_per_model(sample_site: Path) -> None:
    html = (sample_site / "compare.html").read_text()
    assert html.count('<th scope="col" data-model=') == 10
    for label in ("Tasks", "Inputs", "Bands and variables", "Outputs", "Classes", "Parameters", "License"):
        assert f'<th scope="row">{label}</th>' in html
    assert '<svg class="swatch"' in html  # class colours as SVG fill, no style attribute
    assert " style=" not in html


def test_compare_rows_align_with_cards() -> None:
    from tests.unit.test_site_helpers import card

    rows = seo.compare_rows([card("a", "A", tasks=("classification",)), card("b", "B")])
    tasks = next(r for r in rows if r.label == "Tasks")
    assert [tuple(v.text for v in cell) for cell in tasks.cells] == [("classification",), ()]


def test_license_url() -> None:
    assert seo.license_url("MIT") == "https://spdx.org/licenses/MIT.html"
    assert seo.license_url("proprietary") is None and seo.license_url(None) is None


def test_watch_rebuilds_on_change(tmp_path: Path) -> None:
    from mlm_site.serve import watch

    (tmp_path / "catalog.json").write_text("{}")
    stop = threading.Event()
    calls: list[int] = []

    def rebuild() -> None:
        calls.append(1)
        stop.set()

    t = threading.Thread(target=watch, args=([tmp_path], rebuild), kwargs={"interval": 0.05, "stop": stop})
    t.start()
    import time

    time.sleep(0.2)
    (tmp_path / "new.json").write_text("{}")
    t.join(timeout=5)
    assert calls == [1]


def test_serve_command_builds_and_serves(tmp_path: Path, schemas_dir: Path, offline_cache: Path) -> None:
    import urllib.request

    from mlm_site import serve as serve_mod

    out = tmp_path / "site"
    config = load_config(None, catalog=str(SAMPLE), output=out, schemas=schemas_dir, offline=True,
                         cache_dir=offline_cache)
    stop = threading.Event()
    messages: list[str] = []

    def echo(msg: str) -> None:
        messages.append(msg)

    t = threading.Thread(target=serve_mod.serve, args=(config, build),
                         kwargs={"port": 0, "interval": 0.05, "echo": echo, "stop": stop})
    t.start()
    try:
        for _ in range(200):
            if messages:
                break
            stop.wait(0.05)
        url = re.search(r"http://\S+/", messages[0]).group(0)
        with urllib.request.urlopen(url + "index.html", timeout=5) as r:
            assert b"EO Model Zoo" in r.read()
    finally:
        stop.set()
        t.join(timeout=10)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab&<>\"'\n\r\t\x00\x0b\ud800é")), max_size=12))
def test_xml_escaping_is_that_of_saxutils_without_illegal_characters(text: str) -> None:
    from xml.sax.saxutils import escape as sax_escape
    from xml.sax.saxutils import quoteattr as sax_quoteattr

    from mlm_site import site

    clean = site._XML_ILLEGAL.sub("", text)
    assert site.escape(text) == sax_escape(clean)
    assert site.quoteattr(text) == sax_quoteattr(clean)
