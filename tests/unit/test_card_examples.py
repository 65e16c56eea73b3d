"""Cards of the official MLM examples, checked with an HTML parser.

The examples are read where they are (env ``MLM_SITE_EXAMPLES``), never copied: each folder
(the current examples and ``v1.0.0`` .. ``v1.5.1``) is built through a temporary ``catalog.json``
whose links are absolute paths to the example files, with ``follow_outside`` on. Each top-level
example file is also built on its own, as a single-document root.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import html5lib
import pytest

VERSION_FOLDERS = ("v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0", "v1.4.0", "v1.5.0", "v1.5.1")
FOLDERS = (".", *VERSION_FOLDERS)
FORBIDDEN = ("None", "undefined", "nan", "NaN", "{{", "{%", "%}", "}}")
INVISIBLE = {"script", "style", "template", "head"}


def _build(root: str, out: Path, schemas: Path, cache: Path) -> dict[str, Any]:
    from mlm_site.build import build
    from mlm_site.config import load_config

    build(
        load_config(
            None,
            catalog=root,
            output=out,
            schemas=schemas,
            offline=True,
            cache_dir=cache,
            jobs=1,
            tiles="",
            follow_outside=True,
            fail_on="never",
        )
    )
    report: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report


def _folder_catalog(folder: Path, tmp: Path) -> Path:
    files = sorted(folder.glob("*.json"))
    links = [
        {
            "rel": "child" if f.name == "collection.json" else "item",
            "href": str(f.resolve()),
            "type": "application/json",
        }
        for f in files
    ]
    cat = tmp / "catalog.json"
    cat.write_text(
        json.dumps(
            {
                "type": "Catalog",
                "stac_version": "1.1.0",
                "id": "examples",
                "description": f"MLM examples of {folder.name}",
                "links": links,
            }
        ),
        encoding="utf-8",
    )
    return cat


@pytest.fixture(scope="module")
def built(
    examples_dir: Path, schemas_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Each example folder built once: folder -> (site, report)."""
    sites: dict[str, tuple[Path, dict[str, Any]]] = {}
    cache = tmp_path_factory.mktemp("cache")
    for name in FOLDERS:
        folder = examples_dir / name
        if not folder.is_dir():
            continue
        tmp = tmp_path_factory.mktemp(f"examples-{name.strip('.') or 'current'}")
        cat = _folder_catalog(folder, tmp)
        sites[name] = (tmp / "site", _build(str(cat), tmp / "site", schemas_dir, cache))
    return sites


def parse(path: Path) -> ET.Element:
    return html5lib.parse(path.read_text(encoding="utf-8"), namespaceHTMLElements=False)


def text_of(el: ET.Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def visible_text(el: ET.Element, skip: frozenset[str] = frozenset()) -> str:
    """Text a reader sees: no scripts/styles, not the raw JSON of the source view, nor ``skip`` tags."""
    if el.tag in INVISIBLE or el.tag in skip or (el.tag == "details" and "source" in (el.get("class") or "")):
        return el.tail or ""
    parts = [el.text or ""] + [visible_text(child, skip) for child in el]
    return "".join(parts) + (el.tail or "")


def section(root: ET.Element, ident: str) -> ET.Element:
    for sec in root.iter("section"):
        if sec.get("aria-labelledby") == ident:
            return sec
    raise AssertionError(f"no section {ident}")


def check_card(site: Path, doc: dict[str, Any]) -> None:
    raw_text = Path(doc["href"]).read_text(encoding="utf-8")
    raw = json.loads(raw_text)
    props = raw.get("properties", raw) if raw.get("type") == "Feature" else raw
    where = f"{doc['href']} -> {doc['page']}"
    root = parse(site / doc["page"])

    head = text_of(root.find(".//header[@class='card-head']"))
    name = props.get("mlm:name")
    assert name and name in head, where
    for task in props.get("mlm:tasks") or []:
        assert task in head, (where, task)

    inputs = section(root, "inputs")
    assert [text_of(h) for h in inputs.iter("h3")] == [i["name"] for i in props.get("mlm:input") or []], where
    outputs = section(root, "outputs")
    assert [text_of(h) for h in outputs.iter("h3")] == [o["name"] for o in props.get("mlm:output") or []], (
        where
    )
    panels = [d for d in outputs.iter("div") if "panel" in (d.get("class") or "")]
    for panel, out in zip(panels, props.get("mlm:output") or []):
        classes = out.get("classification:classes") or out.get("classification_classes") or []
        table = panel.find(".//table[@class='classes']")
        if not classes:
            assert table is None, where
            continue
        assert table is not None, (where, out["name"])
        rows = table.findall("./tbody/tr")
        assert len(rows) == len(classes), (where, out["name"])
        for row, cls in zip(rows, classes):
            label = text_of(row.find("th"))
            assert (cls.get("title") or cls["name"]) in label, (where, cls)
            assert text_of(row.findall("td")[1]) == str(cls["value"]), (where, cls)
        for task in out.get("tasks") or []:
            assert task in text_of(panel), (where, task)

    assets = text_of(section(root, "assets"))
    for key in raw.get("assets") or {}:
        assert key in assets, (where, key)

    findings = section(root, "findings")
    shown = findings.findall(".//ul[@class='findings-list']/li")
    assert len(shown) == len(doc["findings"]), where
    shown_rules = sorted(text_of(li.find(".//code")) for li in shown)
    assert shown_rules == sorted(f["rule"] for f in doc["findings"]), where
    if not doc["findings"]:
        assert "No findings" in text_of(findings), where

    body = root.find("body")
    assert body is not None
    prose = visible_text(body)
    # BibTeX protects capitals with {{...}}: code blocks are only searched for the words
    outside_code = visible_text(body, frozenset({"pre", "code"}))
    for word in FORBIDDEN:
        if word in raw_text:
            continue  # the example itself says it (e.g. a description); not our placeholder
        seen = prose if word.isalpha() else outside_code
        pattern = re.escape(word) if not word.isalpha() else rf"\b{word}\b"
        assert not re.search(pattern, seen), (
            where,
            word,
            seen[max(0, seen.find(word) - 80) : seen.find(word) + 80],
        )


def mlm_docs(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in report["documents"] if d["mlm"] and d["page"]]


@pytest.mark.parametrize("folder", FOLDERS)
def test_cards_of_each_example_folder(
    built: dict[str, tuple[Path, dict[str, Any]]], examples_dir: Path, folder: str
) -> None:
    if folder not in built:
        pytest.skip(f"{examples_dir / folder} does not exist")
    site, report = built[folder]
    docs = mlm_docs(report)
    items = [f for f in (examples_dir / folder).glob("item_*.json")]
    assert len([d for d in docs if d["type"] == "Feature"]) == len(items)
    for doc in docs:
        check_card(site, doc)


def test_legacy_classification_classes_spelling_renders(
    built: dict[str, tuple[Path, dict[str, Any]]],
) -> None:
    """The v1.0/v1.1 examples spell it ``classification_classes``: the legend still shows."""
    legacy = [
        (site, d)
        for name, (site, report) in built.items()
        for d in mlm_docs(report)
        if "classification_classes" in Path(d["href"]).read_text(encoding="utf-8")
    ]
    if not legacy:
        pytest.skip("no example uses the classification_classes spelling")
    for site, doc in legacy:
        table = section(parse(site / doc["page"]), "outputs").find(".//table[@class='classes']")
        assert table is not None and len(table.findall("./tbody/tr")) > 0, doc["href"]


def test_each_top_level_example_as_a_single_document_root(
    examples_dir: Path, schemas_dir: Path, tmp_path: Path
) -> None:
    files = sorted(examples_dir.glob("item_*.json"))
    assert files
    for i, f in enumerate(files):
        report = _build(str(f), tmp_path / f"site{i}", schemas_dir, tmp_path / "cache")
        docs = mlm_docs(report)
        assert [d["href"] for d in docs] == [str(f)], f
        check_card(tmp_path / f"site{i}", docs[0])
