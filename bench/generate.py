"""Generate a synthetic STAC catalog of realistic MLM items, for benchmarks.

    python bench/generate.py OUT_DIR [--items 1000] [--seed 0]

The items are built from the shapes of the hand-written items of
``sample_catalog/`` (scene classification with eo/raster bands, a chain of
three segmentation releases, an embedding model, instance segmentation,
vessel detection across the antimeridian, datacube downscaling, pixel-wise
regression), with varied ids, names, titles, bboxes and geometries, dates,
tasks, band subsets, class legends, versions and checksums. Every generated
document is valid STAC against its declared schemas.

Layout (nested catalogs and collections)::

    OUT/catalog.json                               root Catalog
    OUT/orgs/<org>/catalog.json                    one Catalog per organisation
    OUT/orgs/<org>/<theme>/collection.json         one Collection per theme
    OUT/orgs/<org>/<theme>/<item>/<item>.json      Items

Same ``--seed`` and ``--items``: same bytes.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_catalog"

#: theme -> (sample collection folder, [(shape name, [template item ids], weight)])
THEMES: dict[str, tuple[str, list[tuple[str, list[str], int]]]] = {
    "land-cover": (
        "land-cover-models",
        [
            ("scene-classifier", ["s2-landuse-resnet18"], 4),
            (
                "segmentation-chain",
                ["alpine-landcover-v1.0.0", "alpine-landcover-v1.1.0", "alpine-landcover-v2.0.0-beta"],
                2,
            ),
            ("segmentation", ["alpine-landcover-v1.1.0"], 2),
            ("embedding", ["geo-embed-vit-small"], 1),
        ],
    ),
    "object-detection": (
        "object-detection-models",
        [
            ("instance-segmentation", ["building-maskrcnn-dar"], 2),
            ("vessel-detection", ["s1-vessel-yolov8s"], 2),
        ],
    ),
    "climate": (
        "climate-models",
        [
            ("downscaling", ["era5-quebec-downscaler"], 1),
            ("regression", ["prairie-soil-moisture-rf"], 1),
        ],
    ),
}
THEME_WEIGHTS = {"land-cover": 5, "object-detection": 3, "climate": 2}

ADJECTIVES = [
    "alpine",
    "arctic",
    "boreal",
    "coastal",
    "desert",
    "tropical",
    "urban",
    "rural",
    "glacial",
    "riverine",
    "prairie",
    "sahel",
    "andean",
    "nordic",
    "pacific",
    "atlantic",
    "delta",
    "steppe",
    "island",
    "highland",
]
NOUNS = [
    "falcon",
    "heron",
    "lynx",
    "otter",
    "cedar",
    "basalt",
    "aurora",
    "mistral",
    "tundra",
    "mangrove",
    "kestrel",
    "puffin",
    "granite",
    "sequoia",
    "monsoon",
    "zephyr",
    "lagoon",
    "fjord",
    "mesa",
    "savanna",
]
ORGS = [
    "northwind-geoai",
    "terra-vision-lab",
    "blue-marble-ai",
    "polar-observatory",
    "agri-sense",
    "ocean-watch",
    "urban-pulse",
    "forest-metrics",
    "hydro-insight",
    "climate-forge",
    "geo-embeddings",
    "sar-analytics",
    "delta-monitor",
    "rangeland-ai",
    "coastline-lab",
    "snowcover-inst",
]
CLASS_NAMES = [
    "water",
    "bare-soil",
    "cropland",
    "grassland",
    "shrubland",
    "broadleaf-forest",
    "coniferous-forest",
    "wetland",
    "urban",
    "road",
    "snow-ice",
    "rock",
    "cloud",
    "shadow",
    "mangrove",
    "orchard",
    "vineyard",
    "greenhouse",
    "solar-farm",
    "quarry",
    "building",
    "ship",
    "aircraft",
    "vehicle",
    "oil-tank",
]
BAND_DIM_NAMES = ("bands", "channels", "channel", "band")
CLASS_DIM_NAMES = ("class", "classes")


@dataclass
class Unit:
    """One or more items generated together (a version chain is three)."""

    theme: str
    shape: str
    templates: list[str]


def _load_templates() -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    items: dict[str, str] = {}
    for path in sorted(SAMPLE.glob("*/*/*.json")):
        items[path.stem] = path.read_text(encoding="utf-8")
    collections: dict[str, dict[str, Any]] = {}
    for path in sorted(SAMPLE.glob("*/collection.json")):
        collections[path.parent.name] = json.loads(path.read_text(encoding="utf-8"))
    return items, collections


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _bbox(rng: random.Random) -> list[float]:
    w = round(rng.uniform(0.05, 30.0), 4)
    h = round(rng.uniform(0.05, 20.0), 4)
    west = round(rng.uniform(-179.0, 179.0 - w), 4)
    south = round(rng.uniform(-70.0, 70.0 - h), 4)
    return [west, south, round(west + w, 4), round(south + h, 4)]


def _polygon(b: list[float]) -> dict[str, Any]:
    w, s, e, n = b
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _antimeridian(rng: random.Random) -> tuple[list[float], dict[str, Any]]:
    west = round(rng.uniform(160.0, 178.0), 2)
    east = round(rng.uniform(-178.0, -160.0), 2)
    south = round(rng.uniform(-60.0, 0.0), 2)
    north = round(south + rng.uniform(2.0, 25.0), 2)
    geom = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[west, south], [180.0, south], [180.0, north], [west, north], [west, south]]],
            [[[-180.0, south], [east, south], [east, north], [-180.0, north], [-180.0, south]]],
        ],
    }
    return [west, south, east, north], geom


def _dim(result: dict[str, Any], names: tuple[str, ...]) -> int | None:
    order = result.get("dim_order")
    if not isinstance(order, list):
        return None
    for i, name in enumerate(order):
        if name in names:
            return i
    return None


def _vary_bands(item: dict[str, Any], rng: random.Random) -> None:
    """Keep a random (ordered) subset of the input bands, everywhere they are described."""
    props = item["properties"]
    inputs = props.get("mlm:input") or []
    if len(inputs) != 1:
        return
    spec = inputs[0]
    bands = spec.get("bands")
    if not isinstance(bands, list) or len(bands) < 3 or not all(isinstance(b, str) for b in bands):
        return
    dim = _dim(spec["input"], BAND_DIM_NAMES)
    if dim is None or spec["input"]["shape"][dim] != len(bands):
        return
    k = rng.randint(3, len(bands))
    keep_idx = sorted(rng.sample(range(len(bands)), k))
    keep = {bands[i] for i in keep_idx}
    spec["bands"] = [bands[i] for i in keep_idx]
    spec["input"]["shape"][dim] = k
    scaling = spec.get("value_scaling")
    if isinstance(scaling, list) and len(scaling) == len(bands):
        spec["value_scaling"] = [scaling[i] for i in keep_idx]

    def filt(lst: Any) -> Any:
        if isinstance(lst, list) and all(isinstance(b, dict) and "name" in b for b in lst):
            return [b for b in lst if b["name"] in keep]
        return lst

    if "bands" in props:
        props["bands"] = filt(props["bands"])
    for asset in item.get("assets", {}).values():
        for key in ("bands", "eo:bands", "raster:bands"):
            if key in asset:
                asset[key] = filt(asset[key])


def _vary_classes(item: dict[str, Any], rng: random.Random) -> None:
    for out in item["properties"].get("mlm:output") or []:
        classes = out.get("classification:classes")
        if not isinstance(classes, list) or len(classes) < 2:
            continue
        k = rng.randint(2, 16)
        names = rng.sample(CLASS_NAMES, k)
        out["classification:classes"] = [
            {
                "value": i,
                "name": name,
                "title": name.replace("-", " ").capitalize(),
                "description": f"Pixels or objects labelled {name.replace('-', ' ')} by the annotators.",
                "color_hint": _hex(rng, 6).upper(),
            }
            for i, name in enumerate(names)
        ]
        dim = _dim(out.get("result") or {}, CLASS_DIM_NAMES)
        if dim is not None:
            out["result"]["shape"][dim] = k


def _vary_tasks(item: dict[str, Any], rng: random.Random) -> None:
    """Sometimes drop the generic task that no output uses (``classification``, ``segmentation``...)."""
    props = item["properties"]
    used = {t for out in props.get("mlm:output") or [] for t in out.get("tasks") or []}
    tasks = props["mlm:tasks"]
    if rng.random() < 0.5:
        slim = [t for t in tasks if t in used]
        if slim:
            props["mlm:tasks"] = slim
    if rng.random() < 0.3:
        props["mlm:tasks"] = list(reversed(props["mlm:tasks"]))


class Generator:
    def __init__(self, items: int, seed: int) -> None:
        self.n = items
        self.rng = random.Random(seed)
        self.templates, self.collections = _load_templates()
        self.used_ids: set[str] = set()

    # -- naming --------------------------------------------------------------------

    def _name(self) -> str:
        while True:
            base = f"{self.rng.choice(ADJECTIVES)}-{self.rng.choice(NOUNS)}"
            ident = f"{base}-{self.rng.randint(0, 99999):05d}"
            if ident not in self.used_ids:
                self.used_ids.add(ident)
                return ident

    # -- items ---------------------------------------------------------------------

    def _units(self) -> list[Unit]:
        themes = sorted(THEME_WEIGHTS)
        tw = [THEME_WEIGHTS[t] for t in themes]
        units: list[Unit] = []
        left = self.n
        while left > 0:
            theme = self.rng.choices(themes, tw)[0]
            shapes = THEMES[theme][1]
            shape, templates, _ = self.rng.choices(shapes, [s[2] for s in shapes])[0]
            if len(templates) > left:
                continue
            units.append(Unit(theme, shape, templates))
            left -= len(templates)
        return units

    def _item(self, template: str, ids: dict[str, str], org: str) -> dict[str, Any]:
        rng = self.rng
        text = self.templates[template]
        for old in sorted(ids, key=len, reverse=True):
            text = text.replace(old, ids[old])
        text = text.replace("northwind-geoai", org).replace("Northwind GeoAI", org.replace("-", " ").title())
        item: dict[str, Any] = json.loads(text)
        new_id = ids[template]
        props = item["properties"]
        words = new_id.rsplit("-", 1)[0].replace("-", " ").title()
        old_title = props.get("title", template)
        props["title"] = f"{words} {old_title.split('(')[0].strip()} #{new_id.rsplit('-', 1)[1]}"
        props["mlm:name"] = f"{words.replace(' ', '-')}-{new_id.rsplit('-', 1)[1]}"
        props["description"] = (
            f"## {props['title']}\n\nSynthetic benchmark model generated from the shape of `{template}`.\n\n"
            + str(props.get("description", ""))
        )
        # extent
        if template == "geo-embed-vit-small":
            pass  # global
        elif template == "s1-vessel-yolov8s" and rng.random() < 0.5:
            item["bbox"], item["geometry"] = _antimeridian(rng)
        else:
            b = _bbox(rng)
            item["bbox"], item["geometry"] = b, _polygon(b)
        start = rng.randint(2013, 2021)
        end = start + rng.randint(1, 4)
        props["start_datetime"] = f"{start}-{rng.randint(1, 12):02d}-01T00:00:00Z"
        props["end_datetime"] = f"{end}-{rng.randint(1, 12):02d}-28T23:59:59Z"
        if "created" in props:
            props["created"] = (
                f"{end + 1}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z"
            )
        if "updated" in props:
            props["updated"] = props["created"]
        if "sci:doi" in props:
            props["sci:doi"] = f"10.5555/bench.{new_id}"
        if "mlm:total_parameters" in props:
            props["mlm:total_parameters"] = int(props["mlm:total_parameters"] * rng.uniform(0.5, 2.0))
        _vary_tasks(item, rng)
        _vary_bands(item, rng)
        _vary_classes(item, rng)
        for asset in item.get("assets", {}).values():
            if "file:checksum" in asset:
                asset["file:checksum"] = "1220" + _hex(rng, 64)
            if "file:size" in asset:
                asset["file:size"] = rng.randint(10_000, 2_000_000_000)
        if len(ids) == 1:  # a release used alone: no version chain to link to
            item["links"] = [lk for lk in item["links"] if not str(lk.get("rel", "")).endswith("-version")]
        for link in item["links"]:
            if link.get("rel") == "root":
                link["href"] = "../../../../catalog.json"
        return item

    # -- catalog -------------------------------------------------------------------

    def write(self, out: Path) -> dict[str, int]:
        out.mkdir(parents=True, exist_ok=True)
        units = self._units()
        n_orgs = max(1, min(len(ORGS), round(self.n / 1000) or 1))
        orgs = ORGS[:n_orgs]
        # (org, theme) -> list of (item id, item)
        buckets: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
        for index, unit in enumerate(units):
            org = orgs[index % n_orgs]
            if len(unit.templates) > 1:
                base = self._name()
                versions = [t.rsplit("-v", 1)[1] for t in unit.templates]
                ids = {t: f"{base}-v{v}" for t, v in zip(unit.templates, versions)}
                self.used_ids.update(ids.values())
            else:
                ids = {unit.templates[0]: self._name()}
            for t in unit.templates:
                buckets.setdefault((org, unit.theme), []).append((ids[t], self._item(t, ids, org)))

        counts = {"items": 0, "collections": 0, "catalogs": 1}
        root_links: list[dict[str, Any]] = [
            {
                "rel": "root",
                "href": "./catalog.json",
                "type": "application/json",
                "title": "Synthetic MLM model zoo",
            }
        ]
        for org in orgs:
            org_dir = out / "orgs" / org
            org_links: list[dict[str, Any]] = [
                {"rel": "root", "href": "../../catalog.json", "type": "application/json"},
                {"rel": "parent", "href": "../../catalog.json", "type": "application/json"},
            ]
            for theme in sorted(THEMES):
                members = buckets.get((org, theme))
                if not members:
                    continue
                coll = copy.deepcopy(self.collections[THEMES[theme][0]])
                coll_id = f"{org}-{theme}"
                coll["id"] = coll_id
                coll["title"] = f"{org.replace('-', ' ').title()}: {coll['title']}"
                coll["description"] = f"Synthetic {theme} models of {org}.\n\n" + coll["description"]
                coll["extent"]["spatial"]["bbox"] = [[-180.0, -90.0, 180.0, 90.0]]
                links = [
                    {"rel": "root", "href": "../../../catalog.json", "type": "application/json"},
                    {"rel": "parent", "href": "../catalog.json", "type": "application/json"},
                ]
                links += [lk for lk in coll["links"] if lk.get("rel") == "license"]
                for item_id, item in members:
                    item["collection"] = coll_id
                    links.append(
                        {
                            "rel": "item",
                            "href": f"./{item_id}/{item_id}.json",
                            "type": "application/geo+json",
                            "title": item["properties"]["title"],
                        }
                    )
                    path = org_dir / theme / item_id / f"{item_id}.json"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(json.dumps(item, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
                    counts["items"] += 1
                coll["links"] = links
                (org_dir / theme).mkdir(parents=True, exist_ok=True)
                (org_dir / theme / "collection.json").write_text(
                    json.dumps(coll, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
                )
                counts["collections"] += 1
                org_links.append(
                    {"rel": "child", "href": f"./{theme}/collection.json", "type": "application/json"}
                )
            org_cat = {
                "type": "Catalog",
                "stac_version": "1.1.0",
                "id": org,
                "title": org.replace("-", " ").title(),
                "description": f"Models published by {org.replace('-', ' ').title()} (synthetic).",
                "links": org_links,
            }
            org_dir.mkdir(parents=True, exist_ok=True)
            (org_dir / "catalog.json").write_text(json.dumps(org_cat, indent=2) + "\n", encoding="utf-8")
            counts["catalogs"] += 1
            root_links.append(
                {"rel": "child", "href": f"./orgs/{org}/catalog.json", "type": "application/json"}
            )
        root = {
            "type": "Catalog",
            "stac_version": "1.1.0",
            "id": "synthetic-mlm-zoo",
            "title": "Synthetic MLM model zoo",
            "description": f"A synthetic catalog of {self.n} MLM items for benchmarks.",
            "links": root_links,
        }
        (out / "catalog.json").write_text(json.dumps(root, indent=2) + "\n", encoding="utf-8")
        return counts


def generate(out: Path | str, items: int = 1000, seed: int = 0) -> dict[str, int]:
    """Write a catalog of ``items`` MLM items into ``out``; the counts of what was written."""
    if items < 1:
        raise ValueError("items must be at least 1")
    return Generator(items, seed).write(Path(out))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="output folder (created)")
    ap.add_argument("--items", "-n", type=int, default=1000, help="number of MLM items (default 1000)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = ap.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"error: {args.out} exists and is not empty", file=sys.stderr)
        return 2
    counts = generate(args.out, args.items, args.seed)
    print(
        f"wrote {counts['items']} items, {counts['collections']} collections, {counts['catalogs']} catalogs "
        f"to {args.out}/catalog.json"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
