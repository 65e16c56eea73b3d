"""The hostile catalog builds; every broken document is a finding naming the file and the
JSON pointer; nothing from the catalog is alive in the output; slugs are safe, unique and
stable; nothing is written outside the output folder."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from .conftest import PAYLOAD_FILE, SECRET, HostileSite, build_hostile, snapshot
from .htmlcheck import live_content, text_of

SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
RESERVED = {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}


def read_findings(site: HostileSite, rel: str) -> list[dict]:
    return [f for f in site.doc(rel)["findings"] if f["rule"] == "read"]


def test_the_rest_builds(hostile_site: HostileSite) -> None:
    report = hostile_site.report()
    pages = {d["page"] for d in report["documents"] if d["page"]}
    assert len(pages) >= 30
    for page in pages:
        assert (hostile_site.output / page).is_file(), page
    # every readable MLM document has its card, broken or not
    for d in report["documents"]:
        if d["mlm"]:
            assert d["page"] and d["page"].startswith("models/"), d["href"]
    assert hostile_site.result.cards >= 30


@pytest.mark.parametrize(
    ("rel", "message"),
    [
        ("broken/invalid.json", "invalid JSON at line 1 column 22"),
        ("broken/trailing-comma.json", "invalid JSON at line 1"),
        ("broken/empty.json", "invalid JSON at line 1 column 1"),
        ("broken/array.json", "JSON is an array, not an object"),
        ("broken/null.json", "JSON is null, not an object"),
        ("broken/string.json", "JSON is a string, not an object"),
        ("broken/number.json", "JSON is a number, not an object"),
        ("broken/notstac.json", "not a STAC Catalog, Collection or Item"),
        ("broken/type-wrong.json", "not a STAC Catalog, Collection or Item"),
        ("broken/nan.json", "NaN is not valid JSON"),
        ("broken/bigint.json", "invalid JSON"),
        ("broken/very-deep-json.json", "nested too deeply"),
        ("broken/latin1.json", "not UTF-8 text (byte 30)"),
        ("broken/utf16.json", "not UTF-8 text"),
        ("broken/binary.json", "not UTF-8 text"),
        ("missing/nowhere.json", "file not found"),
        ("missing-item.json", "file not found"),
        ("broken", "is a folder"),
        ("huge.json", "limit"),
        ("fifo.json", "not a regular file"),
    ],
)
def test_each_broken_document_is_a_finding(hostile_site: HostileSite, rel: str, message: str) -> None:
    doc = hostile_site.doc(rel)
    assert doc["type"] is None and doc["page"] is None
    [finding] = read_findings(hostile_site, rel)
    assert finding["severity"] == "error"
    assert message in finding["message"], finding["message"]
    # the finding names the document linking to it and the pointer of the link
    assert re.search(r"linked from /\S+\.json#/links/\d+/href", finding["message"]), finding["message"]


def test_too_deep_json_names_the_pointer(hostile_site: HostileSite) -> None:
    [finding] = read_findings(hostile_site, "broken/deep-json.json")
    assert finding["pointer"].startswith("/x/0/0/0") and "nested more than" in finding["message"]


def test_lone_surrogates_are_replaced_with_a_warning_per_pointer(hostile_site: HostileSite) -> None:
    found = {f["pointer"]: f for f in read_findings(hostile_site, "broken/surrogate.json")}
    assert set(found) == {"/id", "/properties/title", "/properties/mlm:name"}
    assert all(f["severity"] == "warning" for f in found.values())
    page = hostile_site.doc("broken/surrogate.json")["page"]
    assert "lone \ufffd surrogate" in (hostile_site.output / page).read_text(encoding="utf-8")


def test_links_that_are_refused_are_findings_on_the_linking_document(hostile_site: HostileSite) -> None:
    root = {f["pointer"]: f["message"] for f in read_findings(hostile_site, "catalog.json")}
    links = json.loads(hostile_site.catalog.read_text())["links"]

    def message_for(href: str) -> str:
        index = next(i for i, link in enumerate(links) if isinstance(link, dict) and link.get("href") == href)
        return root[f"/links/{index}/href"]

    assert "unsupported URL scheme 'javascript'" in message_for("javascript:alert('xss-child')")
    assert "unsupported URL scheme 'data'" in message_for("data:application/json,{}")
    assert "NUL character" in message_for("./items/nul\u0000byte.json")
    for href in ("../outside.json", "/etc/passwd", "file:///etc/hostname", "./escape.json", "./escape-dir/secret.json"):
        assert "outside the catalog folder" in message_for(href), href


def test_symlinks_inside_the_catalog_are_followed_outside_refused(hostile_site: HostileSite) -> None:
    assert hostile_site.doc("inside-link.json")["page"]
    for path in hostile_site.output.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_schema_findings_name_file_and_pointer_for_wrong_types(hostile_site: HostileSite) -> None:
    for rel in ("alpha/wrong-types.json", "alpha/wrong-types-deep.json", "alpha/nulls.json",
                "alpha/missing-required.json", "broken/type-item-no-props.json", "broken/collection-broken.json"):
        doc = hostile_site.doc(rel)
        schema = [f for f in doc["findings"] if f["rule"] == "schema" and f["severity"] == "error"]
        assert schema, rel
        assert any(f["pointer"].startswith("/") for f in schema), rel
    pointers = {f["pointer"] for f in hostile_site.doc("alpha/wrong-types.json")["findings"]}
    assert {"/properties/mlm:tasks", "/properties/mlm:input", "/bbox"} <= pointers, sorted(pointers)


def test_no_payload_alive_in_any_page(hostile_site: HostileSite) -> None:
    pages = sorted(hostile_site.output.rglob("*.html"))
    assert len(pages) >= 30
    problems = {str(p.relative_to(hostile_site.output)): live_content(p.read_text(encoding="utf-8")) for p in pages}
    assert not {k: v for k, v in problems.items() if v}


def test_no_payload_in_scripts_styles_and_feeds(hostile_site: HostileSite) -> None:
    for path in hostile_site.output.rglob("*"):
        if path.suffix in (".js", ".css") and "static" not in path.parts:  # generated per page
            text = path.read_text(encoding="utf-8")
            assert "alert" not in text and "<" not in text, path
    for path in hostile_site.output.rglob("*.xml"):
        # well-formed (no NUL or ESC from catalog text) and catalog text stays text
        tree = ElementTree.parse(path)
        for el in tree.iter():
            assert el.tag.startswith(("{http://www.w3.org/2005/Atom}", "{http://www.sitemaps.org/")), el.tag
            assert el.get("type") in (None, "text/html", "application/atom+xml"), el.attrib


def test_payloads_are_shown_literally(hostile_site: HostileSite) -> None:
    page = hostile_site.doc("items/xss.json")["page"]
    text = text_of((hostile_site.output / page).read_text(encoding="utf-8"))
    for literal in ("{{ 7*191 }}", "{% for x in range(3) %}", "${7*191}", "<script>alert('xss-script')</script>",
                    "onerror=\"alert('xss-img')\""):
        assert literal in text, literal
    report = text_of((hostile_site.output / "report.html").read_text(encoding="utf-8"))
    assert PAYLOAD_FILE in report


def test_colours_are_hex_only(hostile_site: HostileSite) -> None:
    page = hostile_site.doc("items/xss.json")["page"]
    html = (hostile_site.output / page).read_text(encoding="utf-8")
    fills = re.findall(r'<rect[^>]*fill="([^"]*)"', html)
    assert fills and all(re.fullmatch(r"#[0-9a-f]{6}", f) for f in fills), fills
    assert "#00ff00" in fills and "#0000ff" in fills


def test_slugs_are_safe_and_unique(hostile_site: HostileSite) -> None:
    report = hostile_site.report()
    pages = [d["page"] for d in report["documents"] if d["page"]]
    assert len(pages) == len(set(pages))
    for page in pages:
        parts = page.split("/")
        for part in parts[:-1]:
            assert SLUG.fullmatch(part), page
            assert part.split(".")[0] not in RESERVED and not part.endswith("."), page
    folders = [p for p in (hostile_site.output / "models").iterdir()]
    assert len({p.name.lower() for p in folders}) == len(folders)  # distinct on case-insensitive file systems
    for path in hostile_site.output.rglob("*"):
        name = path.name
        assert name.isascii() and not any(ord(c) < 32 for c in name), path
        assert ".." not in path.relative_to(hostile_site.output).parts


def test_same_id_in_two_collections_and_case_only_differences(hostile_site: HostileSite) -> None:
    dups = {hostile_site.doc(r)["page"] for r in ("alpha/dup.json", "beta/dup.json", "beta/dup-upper-case-id.json", "ids/dup-a.json")}
    assert len(dups) == 4
    cases = {hostile_site.doc(r)["page"] for r in ("ids/upper.json", "ids/lower.json", "ids/mixed.json", "ids/unicode.json")}
    assert len(cases) == 4


def test_slugs_are_stable_between_builds(hostile_site: HostileSite, tmp_path: Path, schemas_dir: Path,
                                         offline_cache: Path) -> None:
    again = tmp_path / "site"
    build_hostile(hostile_site.catalog, again, schemas_dir, offline_cache)
    first = {d["href"]: d["page"] for d in hostile_site.report()["documents"]}
    second = {d["href"]: d["page"] for d in json.loads((again / "report.json").read_text())["documents"]}
    assert first == second
    files = sorted(str(p.relative_to(hostile_site.output)) for p in hostile_site.output.rglob("*"))
    assert files == sorted(str(p.relative_to(again)) for p in again.rglob("*"))


def test_nothing_written_outside_the_output_folder(hostile_site: HostileSite) -> None:
    outside_before = {k: v for k, v in hostile_site.before.items() if not k.startswith("site")}
    outside_after = {k: v for k, v in hostile_site.after.items() if not k.startswith("site")}
    assert outside_after == outside_before == {}
    assert hostile_site.catalog_after == hostile_site.catalog_before
    assert snapshot(hostile_site.catalog.parent) == {k.removeprefix("catalog/"): v for k, v in hostile_site.catalog_before.items()
                                                      if k.startswith("catalog/")}


def test_published_json_keeps_no_local_paths_outside_the_site(hostile_site: HostileSite) -> None:
    root = json.loads((hostile_site.output / "catalog.json").read_text())
    hrefs = [link["href"] for link in root["links"]]
    assert not any(h.startswith(("/", "file:", "javascript:", "data:")) for h in hrefs), hrefs
