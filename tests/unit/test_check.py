"""``validate_paths`` (``mlm-site validate``) reads, parses and checks large levels of the crawl in
worker processes and keeps only catalog views: its report must be the report of ``gather``."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from mlm_site import check
from mlm_site.check import gather, validate_paths
from mlm_site.config import load_config
from mlm_site.validate import report_for

from ..conftest import SAMPLE
from ..hostile.conftest import make_hostile

MLM = "https://stac-extensions.github.io/mlm/v1.5.2/schema.json"
GENERATE = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


def reference(config: Any) -> dict[str, Any]:
    """What validate_paths gave before it had a path of its own: gather, then the report."""
    docs, findings = gather(config)
    data: dict[str, Any] = report_for(docs, findings, {}).to_json()
    return data


def fast(config: Any) -> dict[str, Any]:
    data: dict[str, Any] = validate_paths([config.catalog], config).to_json()
    return data


@pytest.fixture(params=["in-process", "workers"])
def workers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Both ways: small catalogs stay in this process; with low thresholds every level and the
    catalog-scope rules go to the workers. Gives the names of the functions mapped."""
    calls: list[str] = []
    if request.param == "workers":
        monkeypatch.setattr(check, "PARALLEL_LEVEL", 2)
        monkeypatch.setattr(check, "CATALOG_PARALLEL", 2)
        monkeypatch.setattr("mlm_site.parallel.MIN_PARALLEL", 1)
        real = check.map_chunks

        def spy(fn: Any, n: int, *args: Any, **kwargs: Any) -> Any:
            calls.append(fn.__name__)
            return real(fn, n, *args, **kwargs)

        monkeypatch.setattr(check, "map_chunks", spy)
    return calls


def config_for(catalog: Path, schemas_dir: Path, cache: Path, jobs: int = 2) -> Any:
    return load_config(None, catalog=str(catalog), schemas=schemas_dir, offline=True, cache_dir=cache, jobs=jobs)


def write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1))


def item(id: str, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature", "stac_version": "1.1.0", "stac_extensions": [MLM], "id": id,
        "geometry": None, "bbox": [0, 0, 1, 1],
        "properties": {"datetime": "2020-01-01T00:00:00Z", "mlm:name": id, **props},
        "links": [], "assets": {},
    }  # fmt: skip


def tricky_catalog(base: Path) -> Path:
    """Catalog-scope rules at work, a sub-catalog and broken documents among many items, a remote link."""
    links: list[dict[str, Any]] = []
    for i in range(12):
        doc = item(f"model-{i}")
        if i < 4:
            doc["properties"]["mlm:name"] = "shared"  # MLM044: same name, no version links
        if i == 4:
            doc["links"] = [{"rel": "predecessor-version", "href": "./missing-v0.json"}]  # MLM052
        if i == 5:  # MLM045: derived_from an MLM item of the catalog, without / with a wrong mlm:name
            doc["stac_extensions"] = []
            doc["links"] = [
                {"rel": "derived_from", "href": "./model-6.json"},
                {"rel": "Derived_From ", "href": "model-7.json", "mlm:name": "wrong"},
                {"rel": "self", "href": "./model-5.json"},
            ]
        write(base / f"model-{i}.json", doc)
        links.append({"rel": "item", "href": f"./model-{i}.json"})
    write(base / "broken.json", "{not json")
    write(base / "notstac.json", {"hello": "world"})
    write(base / "deep.json", '{"type": "Feature", "x": ' + "[" * 80 + "]" * 80 + "}")
    write(base / "sur.json", '{"type": "Feature", "stac_version": "1.1.0", "id": "s\\ud800", "links": []}')
    write(base / "sub" / "catalog.json", {
        "type": "Catalog", "stac_version": "1.1.0", "id": "sub", "description": "sub",
        "links": [{"rel": "item", "href": "./leaf.json"}, {"rel": "item", "href": "../../outside.json"},
                  {"rel": "child", "href": "gopher://x"}, {"rel": "item", "href": "http://127.0.0.1:9/x.json"}],
    })  # fmt: skip
    write(base / "sub" / "leaf.json", item("leaf"))
    write(base.parent / "outside.json", item("outside"))
    links += [{"rel": "item", "href": n} for n in ("broken.json", "notstac.json", "deep.json", "sur.json", "gone.json")]
    links.append({"rel": "child", "href": "./sub/catalog.json"})
    root = {"type": "Catalog", "stac_version": "1.1.0", "id": "root", "description": "root", "links": links}
    write(base / "catalog.json", root)
    return base / "catalog.json"


def test_sample_catalog(workers: list[str], schemas_dir: Path, offline_cache: Path) -> None:
    config = config_for(SAMPLE, schemas_dir, offline_cache)
    assert fast(config) == reference(config)


def test_hostile_catalog(workers: list[str], tmp_path: Path, schemas_dir: Path, offline_cache: Path) -> None:
    config = config_for(make_hostile(tmp_path), schemas_dir, offline_cache)
    workers.clear()
    assert fast(config) == reference(config)
    if workers:
        assert workers[0] == "_read_check" and "_catalog_chunk" in workers


def test_tricky_catalog(workers: list[str], tmp_path: Path, schemas_dir: Path, offline_cache: Path) -> None:
    config = config_for(tricky_catalog(tmp_path / "cat"), schemas_dir, offline_cache)
    workers.clear()
    report = fast(config)
    if workers:  # the items and the sub-catalog read by the workers; the level with a URL here
        assert workers.count("_read_check") == 1 and "_check_chunk" in workers
    assert report == reference(config)
    rules = {f["rule"] for d in report["documents"] for f in d["findings"]}
    assert {"MLM044", "MLM045", "MLM052", "read", "schema"} <= rules


def test_generated_catalog_one_and_two_jobs(tmp_path: Path, schemas_dir: Path, offline_cache: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = gen
    spec.loader.exec_module(gen)
    gen.generate(tmp_path / "gen", 150, seed=3)
    config = config_for(tmp_path / "gen" / "catalog.json", schemas_dir, offline_cache)
    expected = reference(config)
    assert fast(config) == expected  # a level of 150 items: read in the workers
    assert fast(config_for(tmp_path / "gen" / "catalog.json", schemas_dir, offline_cache, jobs=1)) == expected


def test_unreadable_root_is_one_finding(tmp_path: Path, schemas_dir: Path, offline_cache: Path) -> None:
    config = config_for(tmp_path / "nothing.json", schemas_dir, offline_cache)
    [doc] = fast(config)["documents"]
    assert doc["findings"][0]["rule"] == "read" and "not found" in doc["findings"][0]["message"]
