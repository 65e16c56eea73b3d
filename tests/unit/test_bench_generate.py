"""The synthetic catalog generator of ``bench/``: valid STAC, deterministic for a seed."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mlm_site.crawl import crawl
from mlm_site.schemas import SchemaStore
from mlm_site.validate.rules import run_rules
from mlm_site.validate.schema import SchemaValidator

GENERATE = Path(__file__).resolve().parents[2] / "bench" / "generate.py"


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*.json"))
    }


def test_deterministic_for_a_seed(gen: ModuleType, tmp_path: Path) -> None:
    gen.generate(tmp_path / "a", 60, seed=7)
    gen.generate(tmp_path / "b", 60, seed=7)
    gen.generate(tmp_path / "c", 60, seed=8)
    a, b, c = (_digest(tmp_path / x) for x in "abc")
    assert a == b
    assert a != c


def test_shape_and_counts(gen: ModuleType, tmp_path: Path) -> None:
    counts = gen.generate(tmp_path, 120, seed=1)
    assert counts["items"] == 120
    docs = list(crawl(str(tmp_path / "catalog.json")))
    kinds = [d.kind for d in docs]
    assert kinds.count("Feature") == 120
    assert kinds.count("Collection") == counts["collections"] >= 3
    assert kinds.count("Catalog") == counts["catalogs"] >= 2  # nested: root and an organisation
    assert all(not d.findings for d in docs), [f.message for d in docs for f in d.findings][:3]
    ids = [d.id for d in docs if d.kind == "Feature"]
    assert len(set(ids)) == len(ids)
    items = [d.raw for d in docs if d.kind == "Feature" and d.raw is not None]
    # varied: several shapes, bboxes, task lists and class legends
    assert len({tuple(i["bbox"]) for i in items}) > 100
    assert len({tuple(i["properties"]["mlm:tasks"]) for i in items}) >= 5
    assert len({json.dumps(i["properties"]["mlm:input"][0].get("bands")) for i in items}) > 10
    assert any(lk["rel"] == "predecessor-version" for i in items for lk in i["links"])


def test_items_are_valid(gen: ModuleType, tmp_path: Path, schemas_dir: Path, offline_cache: Path) -> None:
    gen.generate(tmp_path, 150, seed=3)
    validator = SchemaValidator(SchemaStore(schemas_dir, offline_cache, offline=True))
    docs = list(crawl(str(tmp_path / "catalog.json")))
    catalog = {d.href: d.raw for d in docs if d.raw is not None}
    problems = []
    for d in docs:
        assert d.raw is not None
        findings = validator.validate(d.raw, d.href) + run_rules(d.raw, d.href, catalog)
        problems += [
            f"{d.href}: {f.rule} {f.pointer} {f.message}"
            for f in findings
            if f.severity == "error" or f.rule == "schema"
        ]
    assert problems == []
