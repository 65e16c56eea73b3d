"""Tests of the best-practice rule registry (mlm_site.validate.rules)."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlm_site import urls
from mlm_site.findings import SEVERITIES, Finding
from mlm_site.validate import rules as rules_mod
from mlm_site.validate.rules import (
    MAX_FINDINGS_PER_RULE,
    RULES,
    SUPPRESSIONS,
    Rule,
    multihash_problem,
    rules_markdown,
    run_rules,
)

REPO = Path(__file__).resolve().parents[2]
MLM = "https://stac-extensions.github.io/mlm/v1.5.2/schema.json"

BASE_HREF = "/catalog/models/swisscrop-v2.json"
V1_HREF = "/catalog/models/swisscrop-v1.json"
DERIVED_HREF = "/catalog/products/cropmap-2023.json"

WEIGHTS_SHA256 = hashlib.sha256(b"swisscrop weights v2").hexdigest()


# ---------------------------------------------------------------------------
# Fixtures: a good MLM item (passes every rule) and a good derived product
# ---------------------------------------------------------------------------


def base_item() -> dict[str, Any]:
    """A complete, best-practice MLM Item written for these tests."""
    band_defs = [
        ("B02", "blue", 0.49),
        ("B03", "green", 0.56),
        ("B04", "red", 0.665),
        ("B08", "nir", 0.842),
    ]
    return {
        "stac_version": "1.0.0",
        "stac_extensions": [
            MLM,
            "https://stac-extensions.github.io/eo/v1.1.0/schema.json",
            "https://stac-extensions.github.io/file/v2.1.0/schema.json",
            "https://stac-extensions.github.io/processing/v1.2.0/schema.json",
            "https://stac-extensions.github.io/scientific/v1.0.0/schema.json",
            "https://stac-extensions.github.io/version/v1.2.0/schema.json",
            "https://stac-extensions.github.io/ml-aoi/v0.2.0/schema.json",
            "https://stac-extensions.github.io/classification/v2.0.0/schema.json",
        ],
        "type": "Feature",
        "id": "swisscrop-unet-v2",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[5.9, 45.8], [10.5, 45.8], [10.5, 47.8], [5.9, 47.8], [5.9, 45.8]]],
        },
        "bbox": [5.9, 45.8, 10.5, 47.8],
        "properties": {
            "description": "Crop-type segmentation of Swiss farmland from Sentinel-2 L2A.",
            "datetime": None,
            "start_datetime": "2019-03-01T00:00:00Z",
            "end_datetime": "2022-10-31T23:59:59Z",
            "version": "2.0.0",
            "mlm:name": "SwissCrop U-Net S2 v2",
            "mlm:architecture": "U-Net",
            "mlm:tasks": ["semantic-segmentation"],
            "mlm:framework": "PyTorch",
            "mlm:framework_version": "2.3.1",
            "mlm:accelerator": "cuda",
            "mlm:accelerator_constrained": False,
            "mlm:pretrained": True,
            "mlm:pretrained_source": "ImageNet",
            "mlm:total_parameters": 31000000,
            "processing:lineage": "Sentinel-2 L2A surface reflectance, cloud-masked",
            "processing:level": "L2A",
            "sci:doi": "10.1234/swisscrop.2023",
            "sci:citation": "Doe, J. (2023). SwissCrop: crop mapping with U-Net.",
            "mlm:input": [
                {
                    "name": "Sentinel-2 10 m bands",
                    "bands": ["B02", "B03", "B04", "B08"],
                    "variables": [],
                    "input": {
                        "shape": [-1, 4, 256, 256],
                        "dim_order": ["batch", "bands", "height", "width"],
                        "data_type": "float32",
                    },
                    "value_scaling": [{"type": "scale", "value": 10000}],
                    "resize_type": None,
                    "pre_processing_function": None,
                }
            ],
            "mlm:output": [
                {
                    "name": "crop mask",
                    "tasks": ["semantic-segmentation"],
                    "bands": [],
                    "variables": [],
                    "result": {
                        "shape": [-1, 3, 256, 256],
                        "dim_order": ["batch", "class", "height", "width"],
                        "data_type": "float32",
                    },
                    "classification:classes": [
                        {"value": 0, "name": "other", "color_hint": "000000"},
                        {"value": 1, "name": "cereal", "color_hint": "F5DEB3"},
                        {"value": 2, "name": "maize", "color_hint": "FFD700"},
                    ],
                    "post_processing_function": None,
                }
            ],
        },
        "assets": {
            "mlm:model": {
                "href": "https://models.example.org/swisscrop/v2/weights.pt",
                "type": "application/octet-stream; framework=pytorch",
                "roles": ["mlm:model", "mlm:weights", "model", "weights"],
                "mlm:artifact_type": "torch.save",
                "file:size": 124000000,
                "file:checksum": "1220" + WEIGHTS_SHA256,
                "eo:bands": [{"name": n, "common_name": c, "center_wavelength": w} for n, c, w in band_defs],
            },
            "mlm:source_code": {
                "href": "https://raw.githubusercontent.com/example/swisscrop/v2.0.0/swisscrop/predict.py",
                "type": "text/x-python",
                "roles": ["mlm:source_code", "code", "metadata"],
                "mlm:entrypoint": "swisscrop.predict:run",
            },
            "mlm:container": {
                "href": "ghcr.io/example/swisscrop:2.0.0",
                "type": "application/vnd.oci.image.index.v1+json",
                "roles": ["runtime", "mlm:inference-runtime"],
            },
        },
        "links": [
            {"rel": "self", "href": "./swisscrop-v2.json", "type": "application/geo+json"},
            {"rel": "predecessor-version", "href": "./swisscrop-v1.json"},
            {"rel": "cite-as", "href": "https://doi.org/10.1234/swisscrop.2023"},
            {
                "rel": "example",
                "href": "https://raw.githubusercontent.com/example/swisscrop/v2.0.0/examples/run.py",
                "type": "text/x-python",
            },
            {"rel": "derived_from", "href": "../data/train.json", "ml-aoi:split": "train"},
            {"rel": "derived_from", "href": "../data/validate.json", "ml-aoi:split": "validate"},
            {"rel": "derived_from", "href": "../data/test.json", "ml-aoi:split": "test"},
        ],
    }


def v1_item() -> dict[str, Any]:
    doc = base_item()
    doc["id"] = "swisscrop-unet-v1"
    doc["properties"]["version"] = "1.0.0"
    doc["links"] = [
        {"rel": "self", "href": "./swisscrop-v1.json"},
        {"rel": "successor-version", "href": "./swisscrop-v2.json"},
        *[link for link in doc["links"] if link["rel"] not in ("self", "predecessor-version")],
    ]
    return doc


def derived_product() -> dict[str, Any]:
    """A (non-MLM) crop map produced by the model."""
    return {
        "stac_version": "1.0.0",
        "stac_extensions": ["https://stac-extensions.github.io/processing/v1.2.0/schema.json"],
        "type": "Feature",
        "id": "cropmap-2023",
        "geometry": None,
        "properties": {
            "datetime": "2023-07-01T00:00:00Z",
            "processing:level": "L4",
            "processing:expression": {
                "format": "stac-mlm",
                "expression": "../models/swisscrop-v2.json",
            },
        },
        "assets": {"map": {"href": "./map.tif", "type": "image/tiff", "roles": ["data"]}},
        "links": [
            {
                "rel": "derived_from",
                "href": "../models/swisscrop-v2.json",
                "mlm:name": "SwissCrop U-Net S2 v2",
            }
        ],
    }


def catalog(**replace: dict[str, Any]) -> dict[str, Mapping[str, Any]]:
    docs: dict[str, Mapping[str, Any]] = {
        urls.normalize(BASE_HREF): base_item(),
        urls.normalize(V1_HREF): v1_item(),
        urls.normalize(DERIVED_HREF): derived_product(),
    }
    for href, doc in replace.items():
        docs[urls.normalize({"base": BASE_HREF, "derived": DERIVED_HREF}[href])] = doc
    return docs


@dataclass
class Case:
    doc: dict[str, Any]
    href: str = BASE_HREF
    catalog: dict[str, Mapping[str, Any]] | None = None


def props(doc: dict[str, Any]) -> dict[str, Any]:
    p: dict[str, Any] = doc["properties"]
    return p


def inp(doc: dict[str, Any]) -> dict[str, Any]:
    i: dict[str, Any] = props(doc)["mlm:input"][0]
    return i


def out(doc: dict[str, Any]) -> dict[str, Any]:
    o: dict[str, Any] = props(doc)["mlm:output"][0]
    return o


def model(doc: dict[str, Any]) -> dict[str, Any]:
    m: dict[str, Any] = doc["assets"]["mlm:model"]
    return m


def code(doc: dict[str, Any]) -> dict[str, Any]:
    c: dict[str, Any] = doc["assets"]["mlm:source_code"]
    return c


def mutate(fn: Callable[[dict[str, Any]], object]) -> Callable[[], Case]:
    """A failing case: the base item changed by ``fn`` (with the base catalog)."""

    def make() -> Case:
        doc = base_item()
        fn(doc)
        return Case(doc, catalog=catalog(base=doc))

    return make


def mutate_derived(fn: Callable[[dict[str, Any]], object], with_catalog: bool = True) -> Callable[[], Case]:
    def make() -> Case:
        doc = derived_product()
        fn(doc)
        return Case(doc, DERIVED_HREF, catalog(derived=doc) if with_catalog else None)

    return make


def _drop_links(doc: dict[str, Any], *rels: str) -> None:
    doc["links"] = [link for link in doc["links"] if link["rel"] not in rels]


def _set(mapping: dict[str, Any], **values: Any) -> None:
    mapping.update(values)


def _delete(mapping: dict[str, Any], *keys: str) -> None:
    for key in keys:
        mapping.pop(key, None)


def _mlm002(doc: dict[str, Any]) -> None:
    inp(doc)["variables"] = ["t2m"]
    props(doc)["cube:variables"] = {"2m_temperature": {"type": "data", "dimensions": ["y", "x"]}}
    props(doc)["cube:dimensions"] = {"x": {"type": "spatial", "axis": "x", "extent": [0, 1]}}


def _mlm027(doc: dict[str, Any]) -> None:
    doc["assets"]["mlm:model-onnx"] = copy.deepcopy(model(doc))


def _mlm060(doc: dict[str, Any]) -> None:
    model(doc)["raster:bands"] = [{"data_type": "uint16"}]


def _mlm061(doc: dict[str, Any]) -> None:
    doc["assets"]["optimizer"] = {"href": "./opt.pt", "roles": ["mlm:checkpoint", "checkpoint"]}


def _mlm062(doc: dict[str, Any]) -> None:
    doc["assets"]["weights"] = doc["assets"].pop("mlm:model")


def _mlm017(doc: dict[str, Any]) -> None:
    inp(doc)["input"]["dim_order"][1] = "channel"
    inp(doc)["bands"] = []


def _mlm041(doc: dict[str, Any]) -> None:
    _delete(props(doc), "sci:doi", "sci:citation")
    _drop_links(doc, "cite-as")


def _mlm021(doc: dict[str, Any]) -> None:
    doc["stac_extensions"][1] = "https://stac-extensions.github.io/eo/v2.0.0/schema.json"


#: rule id -> a failing case. Passing case: PASS.get(id, the base item with its catalog).
FAIL: dict[str, Callable[[], Case]] = {
    "MLM001": mutate(lambda d: inp(d)["bands"].__setitem__(0, "B05")),
    "MLM002": mutate(_mlm002),
    "MLM003": mutate(lambda d: _set(props(d), **{"cube:variables": {"t2m": {"dimensions": []}}})),
    "MLM004": mutate(lambda d: inp(d)["input"]["dim_order"].pop()),
    "MLM005": mutate(lambda d: inp(d)["input"]["shape"].__setitem__(2, 0)),
    "MLM006": mutate(lambda d: inp(d)["input"]["shape"].__setitem__(1, 5)),
    "MLM007": mutate(lambda d: _set(inp(d), value_scaling=[{"type": "scale", "value": 1}] * 2)),
    "MLM008": mutate(lambda d: _set(props(d), **{"mlm:pretrained": False})),
    "MLM009": mutate(lambda d: _delete(props(d), "mlm:pretrained_source")),
    "MLM010": mutate(lambda d: _set(props(d), **{"mlm:name": "u-net"})),
    "MLM011": mutate(lambda d: _set(props(d), **{"mlm:framework": "pytorch"})),
    "MLM012": mutate(lambda d: out(d)["tasks"].append("object-detection")),
    "MLM013": mutate(lambda d: _set(props(d), **{"mlm:tasks": ["segmentation"]})),
    "MLM014": mutate(lambda d: _set(props(d), **{"mlm:accelerator": "cpu"})),
    "MLM015": mutate(lambda d: _set(props(d), **{"mlm:accelerator": "amd64"})),
    "MLM016": mutate(
        lambda d: _set(props(d), **{"mlm:accelerator": None, "mlm:accelerator_constrained": True})
    ),
    "MLM017": mutate(_mlm017),
    "MLM018": mutate(lambda d: _delete(inp(d), "bands", "variables")),
    "MLM019": mutate(lambda d: _set(inp(d), variables=["B02"])),
    "MLM020": mutate(lambda d: _set(props(d), **{"eo:bands": model(d).pop("eo:bands")})),
    "MLM021": mutate(_mlm021),
    "MLM022": mutate(lambda d: _set(inp(d), norm_by_channel=True)),
    "MLM023": mutate(lambda d: _set(inp(d), normalise=True)),
    "MLM024": mutate(lambda d: _delete(out(d), "classification:classes")),
    "MLM025": mutate(lambda d: out(d)["result"]["dim_order"].__setitem__(1, "classes")),
    "MLM026": mutate(lambda d: _delete(inp(d), "resize_type")),
    "MLM027": mutate(_mlm027),
    "MLM028": mutate(lambda d: _set(model(d), roles=["mlm:model", "model"])),
    "MLM029": mutate(lambda d: _delete(model(d), "file:checksum")),
    "MLM030": mutate(lambda d: _set(model(d), type="application/x-pytorch")),
    "MLM031": mutate(lambda d: _set(model(d), **{"mlm:artifact_type": "pickle"})),
    "MLM032": mutate(lambda d: _delete(d["assets"], "mlm:container")),
    "MLM033": mutate(
        lambda d: _set(code(d), href="https://github.com/example/swisscrop/blob/v2.0.0/predict.py")
    ),
    "MLM034": mutate(lambda d: _set(code(d), href="https://github.com/example/swisscrop", type="text/html")),
    "MLM035": mutate(lambda d: _set(code(d), roles=["mlm:source_code", "code"])),
    "MLM036": mutate(lambda d: _set(d["assets"]["mlm:container"], roles=["mlm:inference-runtime"])),
    "MLM037": mutate(lambda d: _set(d, stac_extensions=[MLM])),
    "MLM038": mutate(lambda d: _delete(props(d), "start_datetime", "end_datetime")),
    "MLM039": mutate(
        lambda d: _set(props(d), start_datetime="1900-01-01T00:00:00Z", end_datetime="9999-12-31T23:59:59Z")
    ),
    "MLM040": mutate(lambda d: _drop_links(d, "derived_from")),
    "MLM041": mutate(_mlm041),
    "MLM042": mutate(lambda d: _delete(props(d), "processing:level")),
    "MLM043": mutate(lambda d: _drop_links(d, "example")),
    "MLM044": mutate(lambda d: _drop_links(d, "predecessor-version")),
    "MLM045": mutate_derived(lambda d: _delete(d["links"][0], "mlm:name")),
    "MLM047": lambda: Case(
        {
            "type": "Feature",
            "stac_extensions": ["https://stac-extensions.github.io/ml-model/v1.0.0/schema.json"],
            "properties": {"ml-model:type": "ml-model"},
            "links": [],
            "assets": {},
        }
    ),
    "MLM048": mutate(lambda d: _set(d, bbox=[-90, -180, 90, 180])),
    "MLM049": mutate(lambda d: d["links"].pop()),
    "MLM050": mutate_derived(lambda d: _set(props(d), **{"processing:level": "L3"})),
    "MLM051": mutate_derived(lambda d: _delete(props(d), "processing:expression"), False),
    "MLM052": mutate(lambda d: d["links"][1].__setitem__("href", "./swisscrop-v0.json")),
    "MLM053": mutate(lambda d: _delete(props(d), "version")),
    "MLM054": mutate(lambda d: _set(props(d), **{"mlm:framework": "TensorFlow"})),
    "MLM055": mutate(lambda d: _set(code(d), roles=["mlm:source_code", "metadata"])),
    "MLM056": mutate(lambda d: _set(model(d), **{"file:checksum": WEIGHTS_SHA256})),
    "MLM057": mutate(lambda d: out(d)["classification:classes"][1].__setitem__("color_hint", [0, 255, 0])),
    "MLM058": mutate(lambda d: _set(inp(d), value_scaling=[{"type": None}])),
    "MLM059": mutate(lambda d: inp(d)["bands"].__setitem__(0, {"name": "B02", "format": "rio-calc"})),
    "MLM060": mutate(_mlm060),
    "MLM061": mutate(_mlm061),
    "MLM062": mutate(_mlm062),
    "MLM063": mutate(lambda d: _set(model(d), roles=["mlm:model", "mlm:weights", "weights"])),
    "MLM064": mutate(lambda d: _set(code(d), type="text/plain")),
}

PASS: dict[str, Callable[[], Case]] = {
    rid: (lambda: Case(derived_product(), DERIVED_HREF, catalog())) for rid in ("MLM045", "MLM050", "MLM051")
}


def _pass_case(rule_id: str) -> Case:
    return PASS[rule_id]() if rule_id in PASS else Case(base_item(), catalog=catalog())


def resolve_pointer(doc: Any, pointer: str) -> Any:
    """The value at an RFC 6901 pointer (KeyError/IndexError when it does not exist)."""
    if pointer == "":
        return doc
    assert pointer.startswith("/"), pointer
    value = doc
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, list):
            value = value[int(token)]
        else:
            value = value[token]
    return value


def findings_of(rule_id: str, case: Case) -> list[Finding]:
    return [f for f in run_rules(case.doc, case.href, case.catalog, select=[rule_id]) if f.rule == rule_id]


# ---------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------


def test_registry_is_complete() -> None:
    ids = sorted(RULES)
    assert len(ids) >= 60
    # every candidate rule of the research notes has an id (MLM046 is a suppression)
    for n in range(1, 46):
        assert f"MLM{n:03d}" in RULES
    assert "MLM046" in SUPPRESSIONS and "MLM046" not in RULES


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_metadata(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.id == rule_id and re.fullmatch(r"MLM\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.severity in SEVERITIES
    assert rule.title and "\n" not in rule.title
    assert len(rule.source) > 20
    assert re.fullmatch(
        r"https://github\.com/stac-extensions/mlm/blob/main/"
        r"(README|best-practices|CHANGELOG)\.md#[a-z0-9-]+",
        rule.source_url,
    ), rule.source_url
    assert rule.example
    assert rule.scope in ("document", "catalog")
    assert rule.applies in ("mlm", "any", "derived")
    assert callable(rule.check)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_has_fixture_pair(rule_id: str) -> None:
    assert rule_id in FAIL, f"{rule_id} has no failing fixture"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_passes_on_good_fixture(rule_id: str) -> None:
    case = _pass_case(rule_id)
    assert findings_of(rule_id, case) == []
    if RULES[rule_id].scope == "document":
        assert findings_of(rule_id, Case(case.doc, case.href, None)) == []


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_fails_on_bad_fixture(rule_id: str) -> None:
    if rule_id not in FAIL:
        pytest.fail(f"{rule_id} has no failing fixture")
    case = FAIL[rule_id]()
    found = findings_of(rule_id, case)
    assert found, f"{rule_id} did not fire on its failing fixture"
    for f in found:
        assert f.severity == RULES[rule_id].severity
        assert f.href == case.href
        assert not f.message.startswith("Internal error"), f.message
        assert f.message.endswith(".") and f.message == f.message.strip(), f.message
        resolve_pointer(case.doc, f.pointer)  # points at something that exists


def test_base_fixtures_are_clean() -> None:
    assert run_rules(base_item(), BASE_HREF) == []
    assert run_rules(base_item(), BASE_HREF, catalog()) == []
    assert run_rules(derived_product(), DERIVED_HREF) == []
    assert run_rules(derived_product(), DERIVED_HREF, catalog()) == []


def test_pointers_point_at_the_offending_value() -> None:
    found = findings_of("MLM004", FAIL["MLM004"]())
    assert [f.pointer for f in found] == ["/properties/mlm:input/0/input/shape"]
    found = findings_of("MLM001", FAIL["MLM001"]())
    assert [f.pointer for f in found] == ["/properties/mlm:input/0/bands/0"]
    assert "B05" in found[0].message and "bands" in found[0].message


def _as_collection(item: dict[str, Any]) -> dict[str, Any]:
    doc = {k: v for k, v in item.items() if k not in ("properties", "geometry", "bbox")}
    doc.update(item["properties"])
    doc["type"] = "Collection"
    doc["license"] = "MIT"
    doc["extent"] = {
        "spatial": {"bbox": [item["bbox"]]},
        "temporal": {"interval": [["2019-03-01T00:00:00Z", "2022-10-31T23:59:59Z"]]},
    }
    return doc


def test_collection_pointers_have_no_properties_prefix() -> None:
    doc = _as_collection(base_item())
    assert run_rules(doc, "/c/collection.json") == []
    doc["mlm:framework"] = "pytorch"
    doc["mlm:input"][0]["input"]["shape"][2] = 0
    doc["extent"]["spatial"]["bbox"] = [[-180, -90, 180, 90]]
    pointers = {(f.rule, f.pointer) for f in run_rules(doc, "/c/collection.json")}
    assert ("MLM011", "/mlm:framework") in pointers
    assert ("MLM005", "/mlm:input/0/input/shape/2") in pointers
    assert ("MLM039", "/extent/spatial/bbox/0") in pointers


def test_legacy_rule_runs_on_non_mlm_documents_only_mlm_rules_do_not() -> None:
    case = FAIL["MLM047"]()
    found = run_rules(case.doc, case.href)
    assert [f.rule for f in found] == ["MLM047", "MLM047"] or {f.rule for f in found} == {"MLM047"}
    assert any("docs/legacy/ml-model.md" in f.message for f in found)


def test_datetime_null_with_range_is_not_reported() -> None:
    """MLM046: a null datetime with start/end_datetime is fine (best-practices warning)."""
    doc = base_item()
    assert props(doc)["datetime"] is None
    assert not [f for f in run_rules(doc, BASE_HREF, catalog()) if "datetime" in f.pointer]
    assert "MLM046" in rules_markdown()
    # selecting or ignoring the suppression id is accepted and does nothing
    assert run_rules(doc, BASE_HREF, ignore=["MLM046"]) == []


def test_open_ended_workaround_is_named_as_such() -> None:
    found = findings_of("MLM039", FAIL["MLM039"]())
    assert len(found) == 2
    assert all("workaround" in f.message and f.severity == "info" for f in found)


def test_catalog_rules_are_skipped_without_catalog() -> None:
    case = FAIL["MLM052"]()
    assert findings_of("MLM052", case)
    assert findings_of("MLM052", Case(case.doc, case.href, None)) == []


# ---------------------------------------------------------------------------
# run_rules options and robustness
# ---------------------------------------------------------------------------


def test_select_ignore_and_overrides() -> None:
    doc = FAIL["MLM011"]().doc
    assert {f.rule for f in run_rules(doc, BASE_HREF)} == {"MLM011"}
    assert run_rules(doc, BASE_HREF, ignore=["framework-common-name"]) == []
    assert run_rules(doc, BASE_HREF, select=["MLM001"]) == []
    [f] = run_rules(doc, BASE_HREF, severity_overrides={"MLM011": "error"})
    assert f.severity == "error"
    with pytest.raises(ValueError):
        run_rules(doc, BASE_HREF, select=["MLM999"])
    with pytest.raises(ValueError):
        run_rules(doc, BASE_HREF, severity_overrides={"MLM011": "fatal"})


@pytest.mark.parametrize("doc", [None, [], "x", 5, 1.5, True, b"{}", {"stac_extensions": "x"}])
def test_non_documents(doc: Any) -> None:
    assert run_rules(doc, BASE_HREF) == []


def test_broken_check_becomes_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(doc: Mapping[str, Any], ctx: rules_mod.RuleContext) -> list[tuple[str, str]]:
        raise RuntimeError("boom")

    rule = Rule("MLM999", "boom", "info", "t", "s", "u", "e", "document", boom)
    monkeypatch.setitem(RULES, "MLM999", rule)
    [f] = run_rules(base_item(), BASE_HREF, select=["MLM999"])
    assert f.rule == "MLM999" and f.severity == "warning" and "Internal error" in f.message


def test_findings_are_capped() -> None:
    doc = base_item()
    inp(doc)["bands"] = [f"X{i}" for i in range(500)]
    found = findings_of("MLM001", Case(doc))
    assert len(found) == MAX_FINDINGS_PER_RULE + 1
    assert sum("more finding" in f.message for f in found) == 1


def test_multihash() -> None:
    good = "12209f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    assert multihash_problem(good) is None
    assert multihash_problem("1114" + "ab" * 20) is None  # sha1
    assert multihash_problem("d50110" + "ab" * 16) is None  # md5, 2-byte varint code
    assert "bare sha2-256" in (multihash_problem(good[4:]) or "")
    assert "32-byte sha2-256 digest but carries 31" in (multihash_problem(good[:-2]) or "")
    assert "hexadecimal" in (multihash_problem("12zz") or "")
    assert "unknown" in (multihash_problem("7f02abcd") or "")
    assert "longer" in (multihash_problem("1221" + "ab" * 33) or "")
    assert multihash_problem(None)


def _deep(depth: int) -> Any:
    value: Any = "<script>alert(1)</script>"
    for _ in range(depth):
        value = [value]
    return value


def test_hostile_values_do_not_crash() -> None:
    doc = base_item()
    deep = _deep(100_000)
    props(doc)["mlm:input"] = [deep, {"input": deep, "bands": deep, "value_scaling": deep}]
    props(doc)["mlm:output"] = {"0": deep}
    doc["assets"] = {"mlm:model": {"roles": "mlm:model", "file:checksum": "f" * 100_000}}
    doc["links"] = [{"rel": "derived_from", "href": "http://[::1"}, {"href": "\x00"}]
    doc["bbox"] = [float("nan"), float("inf"), 10**5000, -(10**5000)]
    props(doc)["mlm:input"].append({"input": {"shape": [10**5000, 0], "dim_order": ["x"]}})
    found = run_rules(doc, BASE_HREF, catalog())
    assert not [f for f in found if f.message.startswith("Internal error")]


# -- hypothesis: mutated items never make run_rules raise --------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "",
    "bands",
    "variables",
    "mlm:model",
    "derived_from",
    "predecessor-version",
    "-1",
    "1220",
    "http://[::1",
    "../../../../etc/passwd",
    "\x00",
    "https://github.com/a/b",
]

json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(HOSTILE)
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(HOSTILE), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(doc: Any) -> list[tuple[Any, ...]]:
    """All paths to values of a JSON document (iterative)."""
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), doc)]
    while stack:
        path, value = stack.pop()
        out.append(path)
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
    return out


BASE_PATHS = _paths(base_item())[1:]

mutation = st.tuples(
    st.integers(min_value=0, max_value=len(BASE_PATHS) - 1),
    st.sampled_from(["delete", "null", "value", "string", "wrap", "deep"]),
    json_value,
)


def _apply(doc: Any, path: tuple[Any, ...], op: str, value: Any) -> None:
    parent = doc
    for key in path[:-1]:
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return
    key = path[-1]
    if isinstance(parent, dict):
        if key not in parent and op != "value":
            return
    elif isinstance(parent, list):
        if not isinstance(key, int) or key >= len(parent):
            return
    else:
        return
    if op == "delete":
        del parent[key]
    elif op == "null":
        parent[key] = None
    elif op == "value":
        parent[key] = value
    elif op == "string":
        old = parent[key]
        parent[key] = (
            ",".join(x if isinstance(x, str) else type(x).__name__ for x in old)
            if isinstance(old, list)
            else "<script>x</script>"
        )
    elif op == "wrap":
        parent[key] = [parent[key]]
    elif op == "deep":
        parent[key] = _deep(3000)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(mutation, min_size=1, max_size=8), st.booleans())
def test_mutated_items_never_raise(mutations: list[tuple[int, str, Any]], use_catalog: bool) -> None:
    doc = base_item()
    for index, op, value in mutations:
        _apply(doc, BASE_PATHS[index], op, value)
    cat = catalog(base=doc) if use_catalog else None
    found = run_rules(doc, BASE_HREF, cat)
    assert isinstance(found, list)
    internal = [f for f in found if f.message.startswith("Internal error")]
    assert not internal, internal
    for f in found:
        assert isinstance(f.message, str) and isinstance(f.pointer, str)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "type",
                "properties",
                "assets",
                "links",
                "bbox",
                "extent",
                "mlm:input",
                "mlm:output",
                "mlm:framework",
                "stac_extensions",
                "summaries",
                "item_assets",
            ]
        ),
        json_value,
    ),
    st.sampled_from(["Feature", "Collection", None, 3]),
)
def test_random_documents_never_raise(raw: dict[str, Any], kind: Any) -> None:
    doc = dict(raw)
    doc["stac_extensions"] = [MLM, "https://stac-extensions.github.io/ml-model/v1.0.0/schema.json"]
    doc["type"] = kind
    found = run_rules(doc, BASE_HREF, {urls.normalize(BASE_HREF): doc})
    assert not [f for f in found if f.message.startswith("Internal error")]


# ---------------------------------------------------------------------------
# Documentation
# ---------------------------------------------------------------------------


def test_docs_rules_md_is_up_to_date() -> None:
    path = REPO / "docs" / "rules.md"
    assert path.read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale: run `python -m mlm_site.validate.rules docs/rules.md`"
    )


def test_rules_markdown_lists_every_rule() -> None:
    text = rules_markdown()
    for rule in RULES.values():
        assert f"## {rule.id} {rule.name}" in text
        assert rule.source_url in text


def _unmark(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", text)
    text = re.sub(r"<br>|<!--.*?-->|^\s*>\s?|\|", " ", text, flags=re.MULTILINE)
    return re.sub(r"\s+", " ", text)


@pytest.mark.skipif(not os.environ.get("MLM_SITE_SPEC"), reason="set MLM_SITE_SPEC to the spec folder")
@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_source_is_quoted_verbatim(rule_id: str) -> None:
    spec = Path(os.environ["MLM_SITE_SPEC"])
    corpus = " ".join(
        _unmark(p.read_text(encoding="utf-8"))
        for p in (spec / "mlm-README.md", spec / "mlm-best-practices.md", spec / "mlm-CHANGELOG.md")
    )
    assert _unmark(RULES[rule_id].source).strip() in corpus


# ---------------------------------------------------------------------------
# Official examples (MLM_SITE_EXAMPLES)
# ---------------------------------------------------------------------------

_VERSIONS = ["", "v1.0.0/", "v1.1.0/", "v1.2.0/", "v1.3.0/", "v1.4.0/", "v1.5.0/", "v1.5.1/"]
_BASIC = (
    "MLM057",
    (
        "color_hint given as RGB arrays [0, 0, 0] / [0, 0, 255] instead of 6 hex digits "
        "(hidden from the schema under the legacy classification_classes key)"
    ),
)
_MULTI_IO_BANDS = (
    "MLM001",
    (
        'inputs reference bands "B04", "B03", "B02", "B08" but the model asset\'s raster:bands are '
        'named "B02 - blue", "B03 - green", "B04 - red", "B08 - nir"'
    ),
)
_MULTI_IO_COLORS = (
    "MLM057",
    "color_hint given as RGB arrays (e.g. [0, 255, 0]) under the legacy classification_classes key",
)
_DATACUBE_VARS = (
    "MLM002",
    'variables reference "temperature_2m" but the cube:variables key is "2m_temperature"',
)
_DATACUBE_BBOX = (
    "MLM048",
    "bbox [233.6, 54.2, 297.5, 22.6] uses 0-360 longitudes and has south > north",
)

#: Every error-level finding expected on the official examples, with the real defect.
EXPECTED_ERRORS: dict[str, dict[str, str]] = {}
for _v in _VERSIONS:
    EXPECTED_ERRORS[f"{_v}item_basic.json"] = dict([_BASIC])
    EXPECTED_ERRORS[f"{_v}item_multi_io.json"] = dict([_MULTI_IO_BANDS, _MULTI_IO_COLORS])
for _v in ("", "v1.5.0/", "v1.5.1/"):
    EXPECTED_ERRORS[f"{_v}item_datacube_variables.json"] = dict([_DATACUBE_VARS, _DATACUBE_BBOX])


def _examples_root() -> Path:
    root = os.environ.get("MLM_SITE_EXAMPLES")
    if not root:
        pytest.skip("set MLM_SITE_EXAMPLES to the folder of the official MLM examples")
    return Path(root)


def test_official_examples() -> None:
    root = _examples_root()
    files = sorted(root.rglob("*.json"))
    assert files, f"no JSON example under {root}"
    errors: dict[str, set[str]] = {}
    for folder in sorted({f.parent for f in files}):
        docs = {
            urls.normalize(str(f)): json.loads(f.read_text(encoding="utf-8"))
            for f in files
            if f.parent == folder
        }
        for href, doc in docs.items():
            for cat in (None, docs):
                found = run_rules(doc, href, cat)
                assert not [f for f in found if f.message.startswith("Internal error")]
                rel = Path(href).relative_to(urls.normalize(str(root))).as_posix()
                for f in found:
                    if f.severity == "error":
                        errors.setdefault(rel, set()).add(f.rule)
    expected = {k: set(v) for k, v in EXPECTED_ERRORS.items() if (root / k).exists()}
    unexpected = {k: v - expected.get(k, set()) for k, v in errors.items() if v - expected.get(k, set())}
    missing = {k: v - errors.get(k, set()) for k, v in expected.items() if v - errors.get(k, set())}
    assert not unexpected, f"unexpected error-level findings on official examples: {unexpected}"
    assert not missing, f"expected defects no longer reported: {missing}"


# -- catalog views and the per-document memo -----------------------------------


CATALOG_RULES = [r.id for r in RULES.values() if r.scope == "catalog"]


def _catalog_findings_on_views(case: Case) -> tuple[list[Finding], list[Finding]]:
    assert case.catalog is not None
    whole = run_rules(case.doc, case.href, case.catalog, select=CATALOG_RULES)
    views = {href: rules_mod.catalog_view(doc) for href, doc in case.catalog.items()}
    return whole, run_rules(rules_mod.catalog_view(case.doc), case.href, views, select=CATALOG_RULES)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_catalog_rules_see_the_same_on_views(rule_id: str) -> None:
    """mlm-site validate runs the catalog-scope rules on catalog views: same findings."""
    for case in (FAIL[rule_id](), _pass_case(rule_id)):
        if case.catalog is None:
            case = Case(case.doc, case.href, catalog(base=case.doc))
        whole, on_views = _catalog_findings_on_views(case)
        assert whole == on_views


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(mutation, min_size=1, max_size=8))
def test_catalog_rules_see_the_same_on_views_of_mutated_items(mutations: list[tuple[int, str, Any]]) -> None:
    doc = base_item()
    for index, op, value in mutations:
        _apply(doc, BASE_PATHS[index], op, value)
    for href in (BASE_HREF, DERIVED_HREF):
        whole, on_views = _catalog_findings_on_views(Case(doc, href, catalog(base=doc)))
        assert whole == on_views


def test_catalog_view_is_small_and_stable() -> None:
    doc = v1_item()
    view = rules_mod.catalog_view(doc)
    assert set(view) <= {"type", "id", "stac_extensions", "links", "properties"}
    assert view["stac_extensions"] == [MLM]
    assert view["properties"] == {"mlm:name": doc["properties"]["mlm:name"]}
    assert len(view["links"]) == len(doc["links"])  # indices kept: pointers name them
    kept = [link for link in view["links"] if link is not None]
    assert kept and all(set(link) <= {"rel", "href", "mlm:name"} for link in kept)
    assert rules_mod.catalog_view(view) == view
    collection = _as_collection(base_item())
    assert rules_mod.catalog_view(collection)["mlm:name"] == collection["mlm:name"]


def test_memo_is_per_call() -> None:
    """Helpers remember per run_rules call only: a changed document is checked afresh."""
    doc = base_item()
    assert findings_of("MLM004", Case(doc)) == []
    inp(doc)["input"]["shape"] = [-1, 4, 64]
    assert [f.pointer for f in findings_of("MLM004", Case(doc))] == ["/properties/mlm:input/0/input/shape"]
    inp(doc)["input"]["shape"] = [-1, 4, 64, 64]
    assert findings_of("MLM004", Case(doc)) == []
    # outside run_rules the checks work too (nothing remembered)
    rule = RULES["MLM001"]
    inp(doc)["bands"] = ["B05"]
    assert [p for p, _ in rule.check(doc, rules_mod.RuleContext(BASE_HREF))] == ["/properties/mlm:input/0/bands/0"]
    assert rules_mod._SLOT[0][0] is rules_mod._NO_DOC


def test_rule_options_are_checked_every_call() -> None:
    """Remembered rule selections still refuse bad options, and follow changes of the registry."""
    assert run_rules(base_item(), BASE_HREF, select=["MLM004"]) == []
    with pytest.raises(ValueError):
        run_rules(base_item(), BASE_HREF, select=["MLM999"])
    with pytest.raises(ValueError):
        run_rules(base_item(), BASE_HREF, severity_overrides={"MLM004": ["error"]})  # type: ignore[dict-item]
    assert run_rules(base_item(), BASE_HREF, select=iter(["MLM004"])) == []
