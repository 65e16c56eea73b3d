"""Every published MLM version and the STAC versions older documents declare.

* the official examples of every version folder (``MLM_SITE_EXAMPLES``, read in place) have no
  schema error, through ``validate_paths`` and through the ``mlm-site validate`` command;
* the fixtures of ``tests/fixtures/versions/`` (written for these tests, one MLM item per version
  v1.0.0-v1.5.2, Collections of STAC 1.0.0-rc.1 to 1.1.0, legacy ml-model and DLM items) validate;
* documents declaring the stac-extensions.github.io URL of MLM v1.0-v1.3 (whose published schema
  demands another URL) get one warning, not a false error, and their real errors are still found;
* legacy ``ml-model`` and ``dlm`` documents are reported as legacy, and an unpublished schema is a
  warning that says so;
* every invalid document of a catalog is reported, not only the first.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mlm_site import stac
from mlm_site.check import validate_paths
from mlm_site.cli import main
from mlm_site.config import SiteConfig
from mlm_site.findings import Finding, Report
from mlm_site.schemas import SchemaStore, core_schema_url
from mlm_site.validate.schema import SchemaValidator, demanded_urls

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "versions"
MLM_VERSIONS = ("1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0", "1.5.0", "1.5.1", "1.5.2")
OLD_VERSIONS = ("1.0.0", "1.1.0", "1.2.0", "1.3.0")
STAC_VERSIONS = ("1.0.0-rc.1", "1.0.0-rc.2", "1.0.0-rc.3", "1.0.0-rc.4", "1.0.0", "1.1.0-beta.1", "1.1.0")
MLM = "https://stac-extensions.github.io/mlm/v{}/schema.json"
CRIM = "https://crim-ca.github.io/mlm-extension/v{}/schema.json"
DLM_URL = "https://schemas.stacspec.org/v1.0.0-beta.3/extensions/dl-model/json-schema/schema.json"
MIGRATION_ML_MODEL = "https://github.com/stac-extensions/mlm/blob/main/docs/legacy/ml-model.md"
MIGRATION_DLM = "https://github.com/stac-extensions/mlm/blob/main/docs/legacy/dlm.md"


def fixture(rel: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / rel).read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def validator(schemas_dir: Path) -> SchemaValidator:
    return SchemaValidator(SchemaStore(schemas_dir, None, offline=True, use_cache=False))


@pytest.fixture
def config(schemas_dir: Path, tmp_path: Path) -> SiteConfig:
    return SiteConfig(catalog="", schemas=schemas_dir, cache_dir=tmp_path / "cache", offline=True)


def schema_errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule == "schema" and f.severity == "error"]


def by_href(report: Report) -> dict[str, list[Finding]]:
    return {d.href: d.findings for d in report.documents}


# -- official examples, every version folder -------------------------------------------------


def _folders(root: Path) -> list[Path]:
    return sorted({p.parent for p in root.rglob("*.json")})


def test_every_version_folder_is_present(examples_dir: Path) -> None:
    names = {p.relative_to(examples_dir).as_posix() for p in _folders(examples_dir)}
    assert {f"v{v}" for v in MLM_VERSIONS if v != "1.5.2"} <= names
    assert "." in names  # the top level holds v1.5.2


def test_official_examples_have_no_schema_error_through_validate_paths(
    examples_dir: Path, config: SiteConfig
) -> None:
    files = sorted(str(p) for p in examples_dir.rglob("*.json"))
    report = validate_paths(files, config)
    hrefs = {d.href for d in report.documents}
    assert all(any(h.endswith(Path(f).name) for h in hrefs) for f in files)
    bad = {d.href: [(f.pointer, f.message) for f in schema_errors(d.findings)] for d in report.documents}
    assert not {h: v for h, v in bad.items() if v}
    versions = {stac.mlm_version(json.loads(Path(f).read_text())) for f in files} - {None}
    assert versions == set(MLM_VERSIONS)
    # nothing the schemas could not check either
    assert not [f for f in report.all_findings() if f.rule == "schema"]


@pytest.mark.parametrize("folder", ["", *[f"v{v}" for v in MLM_VERSIONS if v != "1.5.2"]])
def test_official_examples_through_the_cli(examples_dir: Path, schemas_dir: Path, folder: str) -> None:
    root = examples_dir / folder if folder else examples_dir
    files = sorted(str(p) for p in root.glob("*.json"))
    assert files
    result = CliRunner().invoke(
        main,
        ["validate", "--offline", "--schemas", str(schemas_dir), "--format", "json", "--fail-on", "never", *files],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    schema_findings = [
        (d["href"], f["message"]) for d in report["documents"] for f in d["findings"] if f["rule"] == "schema"
    ]
    assert schema_findings == []


# -- own fixtures -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", MLM_VERSIONS)
def test_version_fixture_validates(version: str, validator: SchemaValidator, config: SiteConfig) -> None:
    rel = f"mlm-v{version}/item.json"
    doc = fixture(rel)
    assert stac.mlm_version(doc) == version
    declared = doc["stac_extensions"][0]
    assert declared == (CRIM if version in OLD_VERSIONS else MLM).format(version)
    assert validator.validate(doc, rel) == []
    report = validate_paths([str(FIXTURES / rel)], config)
    (entry,) = report.documents
    assert entry.mlm and entry.type == "Feature"
    assert [f for f in entry.findings if f.severity == "error"] == []


@pytest.mark.parametrize("stac_version", STAC_VERSIONS)
def test_stac_version_fixtures_validate(stac_version: str, validator: SchemaValidator, schemas_dir: Path) -> None:
    doc = fixture(f"stac/collection-{stac_version}.json")
    core = core_schema_url(doc)
    assert core == f"https://schemas.stacspec.org/v{stac_version}/collection-spec/json-schema/collection.json"
    assert (schemas_dir / core.removeprefix("https://")).is_file()
    assert validator.validate(doc, "c.json") == []
    broken = dict(doc)
    del broken["license"]
    assert [(f.pointer, f.schema) for f in schema_errors(validator.validate(broken, "c.json"))] == [("", core)]


def test_stac_110_item_with_common_bands(validator: SchemaValidator) -> None:
    doc = fixture("stac/item-stac-1.1.0.json")
    assert validator.validate(doc, "i.json") == []
    doc["properties"]["bands"][0]["name"] = 4
    errors = schema_errors(validator.validate(doc, "i.json"))
    assert errors and all(f.pointer.startswith("/properties/bands/0") for f in errors), errors


# -- the stac-extensions.github.io URL of MLM v1.0-v1.3 -----------------------------------------


def _with_stac_extensions_url(version: str) -> dict[str, Any]:
    doc = fixture(f"mlm-v{version}/item.json")
    doc["stac_extensions"][0] = MLM.format(version)
    return doc


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_published_schema_self_url_quirk_is_a_warning(version: str, validator: SchemaValidator) -> None:
    doc = _with_stac_extensions_url(version)
    findings = validator.validate(doc, "d.json")
    assert [(f.rule, f.severity, f.pointer, f.schema) for f in findings] == [
        ("schema", "warning", "/stac_extensions/0", MLM.format(version))
    ]
    message = findings[0].message
    demanded = CRIM.format(version) if version == "1.3.0" else f"https://stac-extensions/mlm/v{version}/schema.json"
    assert demanded in message and "published schema" in message
    assert CRIM.format(version) in message, "the warning names the URL to declare instead"


@pytest.mark.parametrize("version", OLD_VERSIONS)
def test_published_schema_quirk_still_reports_real_errors(version: str, validator: SchemaValidator) -> None:
    doc = _with_stac_extensions_url(version)
    doc["properties"]["mlm:tasks"] = ["telepathy"]
    del doc["properties"]["mlm:architecture"]
    findings = validator.validate(doc, "d.json")
    errors = {(f.pointer, f.severity) for f in findings if f.severity == "error"}
    assert errors == {("/properties/mlm:tasks/0", "error"), ("/properties", "error")}
    assert [f.severity for f in findings if f.pointer == "/stac_extensions/0"] == ["warning"]


def test_quirk_needs_the_declaration(validator: SchemaValidator) -> None:
    """Checked directly against the schema, a document that does not declare it still fails."""
    doc = fixture("mlm-v1.2.0/item.json")
    doc["stac_extensions"] = []
    findings = validator.check(doc, MLM.format("1.2.0"), "d.json")
    assert [(f.pointer, f.severity) for f in findings] == [("/stac_extensions", "error")]


def test_declaring_both_urls_is_clean(validator: SchemaValidator) -> None:
    doc = _with_stac_extensions_url("1.3.0")
    doc["stac_extensions"].append(CRIM.format("1.3.0"))
    assert validator.validate(doc, "d.json") == []


def test_demanded_urls(schemas_dir: Path) -> None:
    store = SchemaStore(schemas_dir, None, offline=True, use_cache=False)
    for version in OLD_VERSIONS:
        url = MLM.format(version)
        expected = CRIM.format(version) if version == "1.3.0" else f"https://stac-extensions/mlm/v{version}/schema.json"
        assert demanded_urls(url, store.get(url)) == (expected,)
        assert demanded_urls(CRIM.format(version), store.get(CRIM.format(version))) == ()
    for version in ("1.4.0", "1.5.0", "1.5.1", "1.5.2"):
        assert demanded_urls(MLM.format(version), store.get(MLM.format(version))) == ()
    raster = "https://stac-extensions.github.io/raster/1.1.0/schema.json"
    assert demanded_urls(raster, store.get(raster)) == ("https://stac-extensions.github.io/raster/v1.1.0/schema.json",)
    eo = "https://stac-extensions.github.io/eo/v1.1.0/schema.json"
    assert demanded_urls(eo, store.get(eo)) == ()


# -- legacy extensions and schemas that cannot be had -----------------------------------------


def test_ml_model_document_is_reported_as_legacy(config: SiteConfig) -> None:
    report = validate_paths([str(FIXTURES / "legacy" / "ml-model.json")], config)
    (entry,) = report.documents
    assert not entry.mlm and entry.type == "Feature"
    assert [f for f in entry.findings if f.severity != "info"] == []
    legacy = [f for f in entry.findings if f.rule == "MLM047"]
    assert [(f.severity, f.pointer) for f in legacy] == [("info", "/stac_extensions/0")]
    assert MIGRATION_ML_MODEL in legacy[0].message


def test_dlm_document_is_reported_as_legacy_with_unpublished_schema(config: SiteConfig) -> None:
    report = validate_paths([str(FIXTURES / "legacy" / "dlm.json")], config)
    (entry,) = report.documents
    assert [f for f in entry.findings if f.severity == "error"] == []
    legacy = [f for f in entry.findings if f.rule == "MLM047"]
    assert [(f.severity, f.pointer) for f in legacy] == [("info", "/stac_extensions/0")]
    assert MIGRATION_DLM in legacy[0].message
    (warning,) = [f for f in entry.findings if f.rule == "schema"]
    assert (warning.severity, warning.pointer, warning.schema) == ("warning", "/stac_extensions/0", DLM_URL)
    assert "never published" in warning.message and MIGRATION_DLM in warning.message


def test_unknown_schema_url_is_a_warning(config: SiteConfig, tmp_path: Path) -> None:
    doc = fixture("mlm-v1.5.2/item.json")
    doc["stac_extensions"].append("https://example.test/nothing/v1.0.0/schema.json")
    path = tmp_path / "item.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    (entry,) = validate_paths([str(path)], config).documents
    schema = [f for f in entry.findings if f.rule == "schema"]
    assert [(f.severity, f.pointer) for f in schema] == [("warning", f"/stac_extensions/{len(doc['stac_extensions']) - 1}")]
    assert "could not be checked" in schema[0].message


# -- every invalid document of a catalog --------------------------------------------------------


def test_every_invalid_document_of_a_catalog_is_reported(tmp_path: Path, config: SiteConfig) -> None:
    names = {}
    for version in ("1.0.0", "1.3.0", "1.4.0", "1.5.2"):
        doc = fixture(f"mlm-v{version}/item.json")
        doc["links"] = [{"rel": "root", "href": "./catalog.json"}, {"rel": "parent", "href": "./catalog.json"}]
        names[version] = f"item-{version}.json"
        if version != "1.4.0":  # one valid item among invalid ones
            doc["properties"]["mlm:tasks"] = ["telepathy"]
        (tmp_path / names[version]).write_text(json.dumps(doc), encoding="utf-8")
    catalog = {
        "type": "Catalog",
        "stac_version": "1.0.0",
        "id": "versions",
        "description": "One item per MLM version",
        "links": [{"rel": "item", "href": f"./{n}", "type": "application/geo+json"} for n in names.values()],
    }
    (tmp_path / "catalog.json").write_text(json.dumps(catalog), encoding="utf-8")
    report = validate_paths([str(tmp_path / "catalog.json")], replace(config, catalog=str(tmp_path / "catalog.json")))
    findings = by_href(report)
    invalid = sorted(Path(h).name for h, fs in findings.items() if schema_errors(fs))
    assert invalid == sorted(n for v, n in names.items() if v != "1.4.0")
    for href, fs in findings.items():
        for f in schema_errors(fs):
            assert f.pointer == "/properties/mlm:tasks/0" and "telepathy" in f.message, (href, f)


def test_cli_exit_codes_on_a_catalog_with_errors(tmp_path: Path, schemas_dir: Path) -> None:
    shutil.copy(FIXTURES / "mlm-v1.5.2" / "item.json", tmp_path / "good.json")
    bad = fixture("mlm-v1.5.2/item.json")
    del bad["properties"]["mlm:input"][0]["bands"][2]["expression"]  # draft-07 dependencies
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    args = ["validate", "--offline", "--schemas", str(schemas_dir), "--format", "json"]
    result = CliRunner().invoke(main, [*args, str(tmp_path / "good.json")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, [*args, str(tmp_path / "good.json"), str(tmp_path / "bad.json")])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    (entry,) = [d for d in report["documents"] if d["href"].endswith("bad.json")]
    messages = [f["message"] for f in entry["findings"] if f["rule"] == "schema"]
    assert messages == ["properties.mlm:input[0].bands[2]: field 'format' requires field 'expression'"]
