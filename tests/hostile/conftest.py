"""The hostile catalog, copied to a temporary folder and completed with what cannot be
committed, built once per session; snapshots of the folders around it."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
CATALOG = HERE / "catalog"
SECRET = "SECRET-OUTSIDE-THE-CATALOG"
PAYLOAD_FILE = "\"><svg onload=alert('xss-filename')>.json"


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder`` (symbolic links not followed) with size and mtime."""
    out: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            out[str(p.relative_to(folder))] = (st.st_size if not p.is_dir() else 0, st.st_mtime_ns if not p.is_dir() else 0)
    return out


def outside_item() -> dict[str, Any]:
    return {"type": "Feature", "stac_version": "1.1.0", "id": SECRET,
            "stac_extensions": ["https://stac-extensions.github.io/mlm/v1.5.2/schema.json"],
            "geometry": None, "properties": {"datetime": None, "description": SECRET, "mlm:name": SECRET},
            "links": [], "assets": {}}


def make_hostile(base: Path) -> Path:
    """Copy the committed catalog under ``base/catalog`` and add the runtime-only attacks."""
    cat = base / "catalog"
    shutil.copytree(CATALOG, cat)
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text(json.dumps(outside_item()))
    (base / "outside.json").write_text(json.dumps(outside_item()))
    extra: list[dict[str, Any]] = []
    # symbolic links: out of the catalog (file and folder: refused), inside it (followed)
    (cat / "escape.json").symlink_to(outside / "secret.json")
    (cat / "escape-dir").symlink_to(outside, target_is_directory=True)
    (cat / "inside-link.json").symlink_to(cat / "ids" / "unicode.json")
    extra += [{"rel": "item", "href": "./escape.json"}, {"rel": "item", "href": "./escape-dir/secret.json"},
              {"rel": "item", "href": "./inside-link.json"}]
    # a document over the size cap (made here, sparse: never committed, no disk used)
    from mlm_site.crawl import MAX_BYTES

    with open(cat / "huge.json", "wb") as fh:
        fh.write(b'{"type": "Feature", "pad": "')
        fh.truncate(MAX_BYTES + 10)
    extra.append({"rel": "item", "href": "./huge.json"})
    # a FIFO: reading it would block the build for ever
    os.mkfifo(cat / "fifo.json")
    extra.append({"rel": "item", "href": "./fifo.json"})
    # a file name that is a payload (shown on the report page)
    item = json.loads((cat / "ids" / "unicode.json").read_text())
    item["id"] = "payload-file-name"
    (cat / PAYLOAD_FILE).write_text(json.dumps(item))
    extra.append({"rel": "item", "href": "./" + PAYLOAD_FILE.replace("%", "%25")})
    root = json.loads((cat / "catalog.json").read_text())
    root["links"] += extra
    (cat / "catalog.json").write_text(json.dumps(root, indent=1))
    return cat / "catalog.json"


@dataclass
class HostileSite:
    catalog: Path
    output: Path
    result: Any
    before: dict[str, tuple[int, int]]
    after: dict[str, tuple[int, int]]
    catalog_before: dict[str, tuple[int, int]]
    catalog_after: dict[str, tuple[int, int]]

    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.output / "report.json").read_text(encoding="utf-8"))
        return data

    def doc(self, rel: str) -> dict[str, Any]:
        href = os.path.normpath(os.path.join(self.catalog.parent, rel))
        for d in self.report()["documents"]:
            if d["href"] == href:
                return dict(d)
        raise KeyError(rel)


def build_hostile(catalog: Path, output: Path, schemas_dir: Path, cache: Path) -> Any:
    from mlm_site.build import build
    from mlm_site.config import load_config

    config = load_config(None, catalog=str(catalog), output=output, schemas=schemas_dir, offline=True,
                         cache_dir=cache, fail_on="never", tiles="")
    return build(config)


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory, schemas_dir: Path, offline_cache: Path) -> HostileSite:
    base = tmp_path_factory.mktemp("hostile")
    catalog = make_hostile(base / "in")
    work = base / "work"
    work.mkdir()
    output = work / "site"
    before = snapshot(work)
    catalog_before = snapshot(base / "in")
    result = build_hostile(catalog, output, schemas_dir, offline_cache)
    after = snapshot(work)
    return HostileSite(catalog, output, result, before, after, catalog_before, snapshot(base / "in"))
