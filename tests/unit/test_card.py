"""Render-level tests of model cards: the sample site built once, cards parsed with html5lib."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest

from ..conftest import SAMPLE


def page(site: Path, slug: str) -> ET.Element:
    text = (site / "models" / slug / "index.html").read_text(encoding="utf-8")
    return html5lib.parse(text, namespaceHTMLElements=False)


def text_of(el: ET.Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def section(root: ET.Element, ident: str) -> ET.Element:
    for sec in root.iter("section"):
        if sec.get("aria-labelledby") == ident:
            return sec
    raise AssertionError(f"no section {ident}")


def test_segmentation_card_sections(sample_site: Path) -> None:
    root = page(sample_site, "alpine-landcover-v1.1.0")
    toc = [a.get("href") for a in root.iterfind(".//nav[@class='card-toc']//a")]
    assert toc == ["#about", "#use", "#inputs", "#outputs", "#hyper", "#training", "#extent", "#provenance",
                   "#cite", "#versions", "#assets", "#findings", "#source"]
    for href in toc:
        assert root.find(f".//h2[@id='{href[1:]}']") is not None
    head = text_of(root.find(".//header[@class='card-head']"))
    for fact in ("semantic-segmentation", "U-Net (ResNet-34 encoder)", "PyTorch 2.1.2", "cuda × 1 (or any)",
                 "CC-BY-4.0", "ImageNet-1k", "24.4 M", "98.1 MB", "batch size 8", "latest release"):
        assert fact in head, fact
    assert "Land-cover and land-use models" in head

    use = section(root, "use")
    use_text = text_of(use)
    assert "sha256sum --check" in use_text
    assert "91eef258cee3fad80bdc8e04597ee3553d5266efa4a54783107154afc9fe6a17" in use_text
    assert "torch.export.load(" in use_text and "torch.load(" in use_text
    assert "from alpine_landcover.models import build_model" in use_text
    assert "docker pull ghcr.io/northwind-geoai/alpine-landcover:1.1.0-cuda12.1" in use_text
    assert "Run the inference container on a local GeoTIFF" in use_text and "runs in the container" in use_text
    copyable = [p for p in use.iter("pre") if "copyable" in (p.get("class") or "")]
    assert len(copyable) >= 6

    inputs = text_of(section(root, "inputs"))
    assert "any batch × 6 bands × 512 height × 512 width" in inputs
    assert "z-score" in inputs and "mean = 612.3" in inputs
    outputs = section(root, "outputs")
    fills = [r.get("fill") for r in outputs.iter("{http://www.w3.org/2000/svg}rect")]
    assert "#1f78b4" in fills and all(re.fullmatch(r"#[0-9a-f]{6}", f or "") for f in fills)
    assert "torch:argmax" in text_of(outputs)

    hyper = text_of(section(root, "hyper"))
    assert "optimizer.lr" in hyper and "0.9, 0.999" in hyper and '{"' not in hyper
    training = section(root, "training")
    assert [text_of(h) for h in training.iter("h3")][:3] == ["Training (train)", "Validation (validate)", "Test (test)"]
    extent = text_of(section(root, "extent"))
    assert "1 June 2018 to 30 September 2023" in extent and "West -1.9°" in extent
    prov = text_of(section(root, "provenance"))
    assert "odc-stac" in prov and "0.3.9" in prov and "L3" in prov
    cite = section(root, "cite")
    assert {p.get("id") for p in cite.iter("pre")} == {"bibtex", "cff", "ris"}
    # download buttons, no links to files: site.js saves the text of the matching <pre>; hidden without it
    downloads = cite.find(".//p[@class='downloads']")
    assert downloads is not None and downloads.get("hidden") is not None
    assert not [a for a in cite.iter("a") if a.get("download") is not None]
    buttons = {b.get("data-download"): (b.get("data-filename"), b.get("data-media-type"), b.get("type"))
               for b in downloads.iter("button")}
    assert buttons == {"bibtex": ("citation.bib", "application/x-bibtex", "button"),
                       "cff": ("CITATION.cff", "application/yaml", "button"),
                       "ris": ("citation.ris", "application/x-research-info-systems", "button")}
    versions = text_of(section(root, "versions"))
    assert "2.0.0-beta" in versions and "this page" in versions and "deprecated" in versions
    source = section(root, "source")
    assert '"mlm:name": "Alpine-LandCover"' in text_of(source)


def test_training_data_shows_label_details_of_the_catalog_collection(sample_site: Path) -> None:
    training = section(page(sample_site, "alpine-landcover-v1.1.0"), "training")
    items = list(training.iter("li"))
    train = items[0]
    link = train.find("a")
    assert link is not None and link.get("href") == "../../collections/alpine-lc-labels-1.1-train/index.html"
    facts = {text_of(dt): text_of(dd) for dt, dd in zip(train.iter("dt"), train.iter("dd"))}
    assert facts["Label type"] == "vector"
    assert facts["Label tasks"] == "segmentation, classification"
    assert facts["Labelling methods"] == "manual"
    assert facts["Label properties"] == "landcover"
    assert "glacier-snow" in facts["Classes of landcover"] and "built-up" in facts["Classes of landcover"]
    assert facts["Description"].startswith("One polygon per homogeneous land-cover patch")
    # the external validate/test splits are plain links without label details
    assert all(li.find(".//dl") is None for li in items[1:])
    assert (sample_site / "collections" / "alpine-lc-labels-1.1-train" / "index.html").is_file()


def test_no_inline_styles_or_scripts_and_tables_have_scopes(sample_site: Path) -> None:
    for html in sorted((sample_site / "models").glob("*/index.html")):
        text = html.read_text(encoding="utf-8")
        assert " style=" not in text, html
        assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/(?:ld\+)?json\"))", text), html
        for bad in ("None", "undefined", "nan", "{{", "{%"):
            assert not re.search(rf">[^<]*\b{re.escape(bad)}\b[^<]*<", text.split('<section aria-labelledby="source">')[0]), (html, bad)
        root = html5lib.parse(text, namespaceHTMLElements=False)
        prose = {id(th) for div in root.iter("div") if "prose" in (div.get("class") or "") for th in div.iter("th")}
        for th in root.iter("th"):
            if id(th) not in prose:  # catalog Markdown tables are not ours
                assert th.get("scope") in ("col", "row"), (html, text_of(th))


def test_card_folders_hold_only_the_page_and_its_json(sample_site: Path) -> None:
    """No file per card but index.html and item.json: maps and citation downloads need none."""
    folders = sorted(p for p in (sample_site / "models").iterdir() if p.is_dir())
    assert len(folders) >= 8
    for folder in folders:
        assert sorted(p.name for p in folder.iterdir()) == ["index.html", "item.json"], folder
    for folder in sorted(p for p in (sample_site / "collections").iterdir() if p.is_dir()):
        assert sorted(p.name for p in folder.iterdir()) == ["collection.json", "index.html"], folder
    # the maps are drawn by the shared scripts, one per layout
    assert sorted(p.name for p in (sample_site / "static" / "maps").iterdir()) == ["geojson.js", "rectangle.js"]
    card = (sample_site / "models" / "alpine-landcover-v1.1.0" / "index.html").read_text(encoding="utf-8")
    assert '<script src="../../static/maps/geojson.js"></script>' in card and "map.js" not in card


def test_deprecated_card_links_to_the_newer_release(sample_site: Path) -> None:
    root = page(sample_site, "alpine-landcover-v1.0.0")
    banner = root.find(".//aside[@class='banner']")
    assert banner is not None and "newer version" in text_of(banner)
    assert banner.find(".//a").get("href") == "../alpine-landcover-v1.1.0/index.html"  # type: ignore[union-attr]


def test_datacube_card_shows_variables(sample_site: Path) -> None:
    root = page(sample_site, "era5-quebec-downscaler")
    inputs = section(root, "inputs")
    table = next(t for t in inputs.iter("table") if "variables" in (t.get("class") or ""))
    rows = [[text_of(c) for c in r if c.tag in ("td", "th")] for r in table.iter("tr")][1:]
    assert rows[0][:2] == ["1", "t2m"] and rows[0][2].startswith("ERA5 2 m air temperature")
    assert rows[0][3:5] == ["K", "time × y × x"]
    assert "numpy:log1p" in text_of(inputs)
    use = text_of(section(root, "use"))
    assert "tf.saved_model.load(" in use and "model.load_weights(" in use


def test_sklearn_and_onnx_load_calls(sample_site: Path) -> None:
    assert "joblib.load(" in text_of(section(page(sample_site, "prairie-soil-moisture-rf"), "use"))
    assert "InferenceSession(" in text_of(section(page(sample_site, "building-maskrcnn-dar"), "use"))
    assert "torch.jit.load(" in text_of(section(page(sample_site, "s1-vessel-yolov8s"), "use"))


def test_defective_card_groups_findings(sample_site: Path) -> None:
    root = page(sample_site, "unet-defective")
    findings = section(root, "findings")
    summaries = [text_of(s) for s in findings.iter("summary")]
    assert summaries[0].startswith("Errors (") and any(s.startswith("Warnings") for s in summaries)
    assert any(a.get("href", "").startswith("https://") for a in findings.iter("a"))
    header = text_of(root.find(".//header[@class='card-head']"))
    assert "errors" in header


@pytest.mark.parametrize("slug", ["geo-embed-vit-small"])
def test_open_ended_time_reads_any_time(sample_site: Path, slug: str) -> None:
    extent = text_of(section(page(sample_site, slug), "extent"))
    assert "Any time" in extent and "9999" not in extent.replace("9999-12-31", "")


def test_a_pickled_card_unpacks_its_detail_on_first_use_and_packs_again() -> None:
    import pickle

    from mlm_site.model import DETAIL_FIELDS, build_card

    doc = json.loads(next(SAMPLE.parent.rglob("s2-landuse-resnet18.json")).read_text(encoding="utf-8"))
    card = build_card(doc, "s2.json", [])
    copy = pickle.loads(pickle.dumps(card))
    assert not any(name in vars(copy) for name in DETAIL_FIELDS)  # not unpacked yet
    assert copy.title == card.title and "inputs" not in vars(copy)
    assert copy.inputs == card.inputs and copy.usage == card.usage  # unpacked when read
    copy.pack()
    assert "inputs" not in vars(copy) and copy.assets == card.assets
    again = pickle.loads(pickle.dumps(copy))  # a half-unpacked card pickles as well
    assert [getattr(again, n) for n in DETAIL_FIELDS] == [getattr(card, n) for n in DETAIL_FIELDS]
    try:
        copy.no_such_field
    except AttributeError as exc:
        assert "no_such_field" in str(exc)
    else:
        raise AssertionError("a missing attribute must raise AttributeError")
