"""Tests of :mod:`mlm_site.validate.schema` against the real published schemas.

The schemas come from the offline mirror (``MLM_SITE_SCHEMAS``) and the official
MLM examples from ``MLM_SITE_EXAMPLES``; tests that need them are skipped when
the variables are unset. The examples are read in place, never copied.
"""

from __future__ import annotations

import copy
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mlm_site.findings import Finding
from mlm_site.schemas import SchemaStore, SchemaUnavailable, core_schema_url
from mlm_site.validate.schema import SchemaValidator, rs_available

FIXTURE_MIRROR = Path(__file__).resolve().parent.parent / "fixtures" / "schema" / "mirror"
MLM = "https://stac-extensions.github.io/mlm/v{}/schema.json"
CRIM = "https://crim-ca.github.io/mlm-extension/v{}/schema.json"
ENGINES = ["auto", "python"]


def _env_dir(name: str, what: str) -> Path:
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"{name} is not set ({what})")
    path = Path(value)
    if not path.is_dir():
        pytest.skip(f"{name}={value} is not a folder")
    return path


def mirror() -> Path:
    """The offline schema mirror, or skip."""
    return _env_dir("MLM_SITE_SCHEMAS", "path of the offline schema mirror")


def examples() -> Path:
    """The official MLM examples folder, or skip."""
    return _env_dir("MLM_SITE_EXAMPLES", "path of the official MLM example documents")


def example_names() -> list[str]:
    """Relative paths of every official example (collected even when the env var is unset)."""
    value = os.environ.get("MLM_SITE_EXAMPLES")
    if not value or not Path(value).is_dir():
        return ["<MLM_SITE_EXAMPLES unset>"]
    root = Path(value)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.json"))


def load(name: str) -> dict[str, Any]:
    """One official example, parsed."""
    path = examples() / name
    if not path.is_file():
        pytest.skip(f"{name} is not in MLM_SITE_EXAMPLES")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


_STORES: dict[str, SchemaStore] = {}


def store() -> SchemaStore:
    """One offline store over the mirror, shared by the tests (it is memoised)."""
    root = mirror()
    if "shared" not in _STORES:
        _STORES["shared"] = SchemaStore(root, None, offline=True, use_cache=False)
    return _STORES["shared"]


_VALIDATORS: dict[str, SchemaValidator] = {}


def validator(engine: str = "auto") -> SchemaValidator:
    """A shared validator (compiling is the slow part)."""
    shared = store()
    if engine not in _VALIDATORS:
        _VALIDATORS[engine] = SchemaValidator(shared, engine=engine)  # type: ignore[arg-type]
    return _VALIDATORS[engine]


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def schema_urls(doc: dict[str, Any]) -> list[str]:
    core = core_schema_url(doc)
    exts = [e for e in doc.get("stac_extensions", []) if isinstance(e, str)]
    return ([core] if core else []) + exts


# -- conformance: the official examples ----------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", example_names())
def test_official_examples_validate_clean(name: str, engine: str) -> None:
    doc = load(name)
    findings = validator(engine).validate(doc, name)
    assert findings == []


# -- mutations -----------------------------------------------------------------------------


def _drop_name(doc: dict[str, Any]) -> None:
    del doc["properties"]["mlm:name"]


def _bad_task(doc: dict[str, Any]) -> None:
    doc["properties"]["mlm:tasks"][0] = "telepathy"


def _format_without_expression(doc: dict[str, Any]) -> None:
    band = doc["properties"]["mlm:input"][0]["bands"][3]
    assert "format" in band
    del band["expression"]


def _bad_input_name(doc: dict[str, Any]) -> None:
    doc["properties"]["mlm:input"][0]["name"] = 12


def _no_datetime(doc: dict[str, Any]) -> None:
    del doc["properties"]["datetime"]


def _bad_link(doc: dict[str, Any]) -> None:
    del doc["links"][0]["href"]


Mutation = Callable[[dict[str, Any]], None]

MUTATIONS: list[tuple[str, str, Mutation, str, str, str]] = [
    # (id, example, mutation, pointer, words in the message, schema)
    ("no-name", "item_basic.json", _drop_name, "/properties", "'mlm:name' is missing", MLM.format("1.5.2")),
    (
        "bad-task",
        "item_basic.json",
        _bad_task,
        "/properties/mlm:tasks/0",
        '"telepathy" is not one of',
        MLM.format("1.5.2"),
    ),
    (
        "dependencies",
        "item_bands_expression.json",
        _format_without_expression,
        "/properties/mlm:input/0/bands/3",
        "field 'format' requires field 'expression'",
        MLM.format("1.5.2"),
    ),
    (
        "input-name",
        "item_multi_io.json",
        _bad_input_name,
        "/properties/mlm:input/0/name",
        "expected string, got integer 12",
        MLM.format("1.5.2"),
    ),
    (
        "no-datetime",
        "item_basic.json",
        _no_datetime,
        "/properties",
        "'datetime' is missing",
        "https://schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json",
    ),
    (
        "link-href",
        "item_basic.json",
        _bad_link,
        "/links/0",
        "'href' is missing",
        "https://schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json",
    ),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("example", "mutate", "pointer", "words", "schema"),
    [pytest.param(*m[1:], id=m[0]) for m in MUTATIONS],
)
def test_mutations_give_findings(
    engine: str, example: str, mutate: Mutation, pointer: str, words: str, schema: str
) -> None:
    doc = load(example)
    mutate(doc)
    findings = validator(engine).validate(doc, "doc.json")
    assert findings, "the mutation must be caught"
    assert all(f.rule == "schema" and f.severity == "error" and f.href == "doc.json" for f in findings)
    hits = [f for f in findings if f.pointer == pointer and words in f.message]
    assert hits, [(f.pointer, f.message) for f in findings]
    assert hits[0].schema == schema


def test_reports_all_errors_not_only_the_first() -> None:
    doc = load("item_bands_expression.json")
    _drop_name(doc)
    _bad_task(doc)
    _format_without_expression(doc)
    pointers = {f.pointer for f in validator().validate(doc, "doc.json")}
    assert {"/properties", "/properties/mlm:tasks/0", "/properties/mlm:input/0/bands/3"} <= pointers


def test_messages_are_short_and_never_dump_the_document() -> None:
    doc = load("item_eo_bands.json")
    doc["type"] = "Something"  # every if/then and oneOf branch in the extension schemas misses
    findings = validator().validate(doc, "doc.json")
    assert findings
    whole = json.dumps(doc)
    for f in findings:
        assert len(f.message) <= 400, f.message
        assert whole[:200] not in f.message
        assert doc["properties"]["description"] not in f.message


def test_findings_are_deduplicated() -> None:
    doc = load("item_basic.json")
    _drop_name(doc)
    findings = validator().validate(doc, "doc.json")
    keys = [(f.pointer, f.message) for f in findings]
    assert len(keys) == len(set(keys))


# -- document shape problems -------------------------------------------------------------


def test_missing_stac_version_and_unknown_type() -> None:
    doc = load("item_basic.json")
    del doc["stac_version"]
    doc["type"] = "FeatureCollection"
    findings = validator().validate(doc, "doc.json")
    by_pointer = {(f.pointer, f.severity) for f in findings if f.schema is None}
    assert ("", "error") in by_pointer  # no stac_version
    assert ("/type", "error") in by_pointer
    assert any("stac_version" in f.message for f in findings if f.pointer == "")


def test_non_string_extension_entries() -> None:
    doc = load("item_basic.json")
    doc["stac_extensions"] = [MLM.format("1.5.2"), 42, None]
    findings = validator().validate(doc, "doc.json")
    at_1 = [f for f in findings if f.pointer == "/stac_extensions/1"]
    at_2 = [f for f in findings if f.pointer == "/stac_extensions/2"]
    assert len(at_1) == 1 and at_1[0].severity == "error" and "expected string" in at_1[0].message
    assert len(at_2) == 1 and at_2[0].severity == "error"


def test_not_a_mapping_is_an_error() -> None:
    findings = SchemaValidator(SchemaStore(None, None, offline=True, use_cache=False)).validate(
        [1, 2],  # type: ignore[arg-type]
        "doc.json",
    )
    assert [f.severity for f in findings] == ["error"]


# -- schemas that cannot be had -----------------------------------------------------------


def test_unknown_extension_gives_one_warning(tmp_path: Path) -> None:
    doc = load("item_basic.json")
    unknown = "https://example.test/unknown/v9.9.9/schema.json"
    doc["stac_extensions"].append(unknown)
    offline = SchemaStore(mirror(), tmp_path / "empty-cache", offline=True)
    findings = SchemaValidator(offline).validate(doc, "doc.json")
    assert len(findings) == 1
    (warning,) = findings
    assert warning.severity == "warning"
    assert warning.rule == "schema"
    assert warning.pointer == f"/stac_extensions/{len(doc['stac_extensions']) - 1}"
    assert warning.message.startswith(f"schema {unknown} could not be checked: ")
    assert warning.schema == unknown


def test_unavailable_core_schema_warns_at_root(tmp_path: Path) -> None:
    doc = load("item_basic.json")
    doc["stac_version"] = "0.0.1-never"
    findings = SchemaValidator(SchemaStore(mirror(), tmp_path, offline=True)).validate(doc, "doc.json")
    core = [f for f in findings if f.pointer == ""]
    assert [f.severity for f in core] == ["warning"]
    assert "v0.0.1-never/item-spec/json-schema/item.json could not be checked" in core[0].message


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_nested_ref_is_reported_not_crashing(engine: str) -> None:
    fixtures = SchemaStore(FIXTURE_MIRROR, None, offline=True, use_cache=False)
    v = SchemaValidator(fixtures, engine=engine)  # type: ignore[arg-type]
    url = "https://example.test/broken/v1.0.0/schema.json"
    if engine == "auto" and rs_available():
        assert v.compile(url).rs is None  # jsonschema-rs resolves eagerly and gives up
    # The broken part is not reached: checked, and the other error is still found.
    ok = v.check({"properties": {"broken:count": "x"}}, url, "doc.json", "/stac_extensions/0")
    assert [(f.pointer, f.severity) for f in ok] == [("/properties/broken:count", "error")]
    # Reached: one warning naming the missing reference.
    reached = v.check({"properties": {"broken:thing": 1}}, url, "doc.json", "/stac_extensions/0")
    assert [(f.pointer, f.severity) for f in reached] == [("/stac_extensions/0", "warning")]
    assert "https://example.test/missing/schema.json" in reached[0].message
    assert reached[0].message.startswith(f"schema {url} could not be checked: ")


def test_compile_raises_for_missing_schema_and_is_cached(tmp_path: Path) -> None:
    v = SchemaValidator(SchemaStore(None, tmp_path, offline=True))
    with pytest.raises(SchemaUnavailable) as first:
        v.compile("https://example.test/none.json")
    with pytest.raises(SchemaUnavailable) as second:
        v.compile("https://example.test/none.json#")
    assert first.value is second.value


# -- $id quirks ------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("version", ["1.0.0", "1.1.0", "1.2.0"])
def test_stac_extensions_mlm_v10_v12_require_bogus_url(version: str, engine: str) -> None:
    """The schema at stac-extensions.github.io/mlm/v1.0-1.2 demands its own bogus $id in
    ``stac_extensions``: a document declaring that URL fails it. A published-schema slip:
    one warning naming it (and the crim-ca URL to use), not an error."""
    doc = load(f"v{version}/item_basic.json")
    doc["stac_extensions"] = [MLM.format(version)]
    findings = validator(engine).validate(doc, "doc.json")
    assert [(f.pointer, f.severity) for f in findings] == [("/stac_extensions/0", "warning")]
    assert f'"https://stac-extensions/mlm/v{version}/schema.json"' in findings[0].message
    assert CRIM.format(version) in findings[0].message
    assert findings[0].schema == MLM.format(version)


@pytest.mark.parametrize("engine", ENGINES)
def test_stac_extensions_mlm_v13_requires_crim_url(engine: str) -> None:
    doc = load("v1.3.0/item_basic.json")
    doc["stac_extensions"] = [MLM.format("1.3.0")]
    findings = validator(engine).validate(doc, "doc.json")
    assert [(f.pointer, f.severity) for f in findings] == [("/stac_extensions/0", "warning")]
    assert CRIM.format("1.3.0") in findings[0].message


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("version", ["1.0.0", "1.1.0", "1.2.0", "1.3.0"])
def test_crim_ca_documents_validate_clean(version: str, engine: str) -> None:
    doc = load(f"v{version}/item_basic.json")
    assert doc["stac_extensions"] == [CRIM.format(version)]
    assert validator(engine).validate(doc, "doc.json") == []


@pytest.mark.parametrize("engine", ENGINES)
def test_stac_110_common_json_id_typo(engine: str) -> None:
    doc = load("item_basic.json")
    doc["stac_version"] = "1.1.0"
    v = validator(engine)
    assert v.validate(doc, "doc.json") == []
    doc["properties"]["license"] = 7  # checked through common.json -> licensing.json
    findings = v.validate(doc, "doc.json")
    assert findings and all(f.severity == "error" for f in findings)
    assert any(f.pointer == "/properties/license" for f in findings), findings
    assert all("could not be checked" not in f.message for f in findings)


@pytest.mark.parametrize("engine", ENGINES)
def test_ml_aoi_v010_id_quirk(engine: str) -> None:
    doc = load("item_basic.json")
    url = "https://stac-extensions.github.io/ml-aoi/v0.1.0/schema.json"
    doc["stac_extensions"].append(url)
    findings = validator(engine).validate(doc, "doc.json")
    # the schema demands its $id (ml-aoi/v1.0.0) in stac_extensions: a published slip, a warning
    assert [(f.pointer, f.severity, f.schema) for f in findings] == [("/stac_extensions/1", "warning", url)]
    assert "ml-aoi/v1.0.0/schema.json" in findings[0].message


@pytest.mark.parametrize("engine", ENGINES)
def test_fixture_renamed_id_resolves(engine: str) -> None:
    v = SchemaValidator(SchemaStore(FIXTURE_MIRROR, None, offline=True, use_cache=False), engine=engine)  # type: ignore[arg-type]
    url = "https://example.test/renamed/v2.0.0/schema.json"
    assert v.check({"properties": {"renamed:level": 2}}, url, "d") == []
    bad = v.check({"properties": {"renamed:level": 9}}, url, "d")
    assert [(f.pointer, f.severity, f.schema) for f in bad] == [("/properties/renamed:level", "error", url)]


@pytest.mark.parametrize("engine", ENGINES)
def test_fixture_draft07_dependencies_and_relative_ref(engine: str) -> None:
    v = SchemaValidator(SchemaStore(FIXTURE_MIRROR, None, offline=True, use_cache=False), engine=engine)  # type: ignore[arg-type]
    url = "https://example.test/tiny/v1.0.0/schema.json"
    assert v.check({"properties": {"tiny:name": "a", "tiny:unit": "m", "tiny:size": 2}}, url, "d") == []
    bad = v.check({"properties": {"tiny:name": "", "tiny:unit": "m"}}, url, "d")
    assert sorted((f.pointer, f.message) for f in bad) == [
        ("/properties", "properties: field 'tiny:unit' requires field 'tiny:size'"),
        ("/properties/tiny:name", "properties.tiny:name: '' should be non-empty"),
    ]


# -- engines -----------------------------------------------------------------------------


def test_engine_option() -> None:
    with pytest.raises(ValueError, match="engine"):
        SchemaValidator(SchemaStore(None, None, offline=True, use_cache=False), engine="fast")  # type: ignore[arg-type]
    url = MLM.format("1.5.2")
    assert validator("python").compile(url).rs is None
    compiled = validator("auto").compile(url)
    assert compiled is validator("auto").compile(url + "#"), "compiled once per schema URL"
    assert (compiled.rs is not None) == rs_available()


def _agreement_cases() -> list[tuple[str, str]]:
    cases = [(name, "") for name in example_names()]
    cases += [("item_basic.json", m[0]) for m in MUTATIONS if m[1] == "item_basic.json"]
    cases += [(m[1], m[0]) for m in MUTATIONS if m[1] != "item_basic.json"]
    cases += [(f"v{v}/item_basic.json", "stac-extensions-url") for v in ("1.0.0", "1.1.0", "1.2.0", "1.3.0")]
    return cases


@pytest.mark.parametrize(("name", "mutation"), _agreement_cases())
def test_rs_and_python_engines_agree(name: str, mutation: str) -> None:
    if not rs_available():
        pytest.skip("jsonschema_rs is not installed")
    doc = load(name)
    if mutation == "stac-extensions-url":
        version = name.split("/")[0][1:]
        doc["stac_extensions"] = [MLM.format(version)]
    elif mutation:
        {m[0]: m[2] for m in MUTATIONS}[mutation](doc)
    v = validator("auto")
    for url in schema_urls(doc):
        compiled = v.compile(url)
        assert compiled.rs is not None, url
        assert compiled.rs.is_valid(doc) == compiled.python.is_valid(doc), (name, mutation, url)


def test_concurrent_validation_is_consistent() -> None:
    names = [n for n in example_names() if "/" not in n]
    docs = [load(n) for n in names]
    bad = copy.deepcopy(load("item_basic.json"))
    _bad_task(bad)
    docs.append(bad)
    fresh = SchemaValidator(SchemaStore(mirror(), None, offline=True, use_cache=False))
    expected = [validator().validate(d, "d") for d in docs]
    results: list[list[list[Finding]]] = []

    def work() -> None:
        results.append([fresh.validate(d, "d") for d in docs])

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 6
    assert all(r == expected for r in results)
