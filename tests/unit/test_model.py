from __future__ import annotations

import json
from typing import Any

import pytest

from mlm_site import usage
from mlm_site.model import (
    build_card,
    flatten_hyperparameters,
    hex_colour,
    human_bytes,
    human_count,
    label_info,
    temporal_of,
)

from ..conftest import SAMPLE


def load(name: str) -> tuple[dict[str, Any], str]:
    path = next(SAMPLE.parent.rglob(f"{name}.json"))
    return json.loads(path.read_text()), str(path)


def test_number_formatting() -> None:
    assert human_count(31_042_434) == "31.0 M"
    assert human_count(950) == "950"
    assert human_count(1_500) == "1.5 k"
    assert human_bytes(97_800_000) == "97.8 MB"
    assert human_bytes(512) == "512 B"
    for bad in (None, "12", True, -1, float("nan"), [1]):
        assert human_count(bad) is None and human_bytes(bad) is None


@pytest.mark.parametrize("value,expected", [
    ("FF0000", "#ff0000"), ("#00ff7f", "#00ff7f"), ("red", None), ("ff00", None),
    ("ff0000;background:url(x)", None), (None, None), ([255, 0, 0], None), ("ff0000\n", "#ff0000"),
])
def test_colours_only_hex(value: Any, expected: str | None) -> None:
    assert hex_colour(value) == expected


def test_open_ended_dates_read_as_any_time() -> None:
    t = temporal_of({"start_datetime": "1900-01-01T00:00:00Z", "end_datetime": "9999-12-31T23:59:59Z"})
    assert t is not None and t.open_ended and t.text.startswith("Any time")
    t = temporal_of({"start_datetime": "2018-06-01T00:00:00Z", "end_datetime": "9999-12-31T23:59:59Z"})
    assert t is not None and t.text == "From 1 June 2018 onwards"
    t = temporal_of({"start_datetime": "2018-06-01T00:00:00Z", "end_datetime": "2020-09-30T00:00:00Z"})
    assert t is not None and t.text == "1 June 2018 to 30 September 2020" and not t.open_ended
    assert temporal_of({"start_datetime": 5, "end_datetime": []}) is None


def test_segmentation_card_from_the_sample() -> None:
    doc, href = load("alpine-landcover-v1.1.0")
    card = build_card(doc, href)
    props = doc["properties"]
    assert card.name == props["mlm:name"]
    assert card.tasks == tuple(props["mlm:tasks"])
    assert card.total_parameters is not None and card.total_parameters.endswith("M")
    out = card.outputs[0]
    raw_classes = props["mlm:output"][0]["classification:classes"]
    assert len(out.classes) == len(raw_classes)
    assert all(c.colour and c.colour.startswith("#") for c in out.classes)
    inp = card.inputs[0]
    assert [b.name for b in inp.bands] == [b if isinstance(b, str) else b["name"] for b in props["mlm:input"][0]["bands"]]
    assert all(b.defined for b in inp.bands)  # every band resolves to a definition
    assert inp.structure is not None and inp.structure.dims[0].size == "any batch"
    assert card.model_assets and card.model_assets[0].checksum
    # the train split points into the catalog (relative href): without a linker, only absolute links are kept
    assert {split for split, _ in card.training_data} == {"validate", "test"}
    linked = build_card(doc, href, link=lambda h: h if isinstance(h, str) else None)
    assert {split for split, _ in linked.training_data} == {"train", "validate", "test"}


def test_legacy_classification_classes_spelling_is_shown() -> None:
    doc = {"type": "Feature", "properties": {"mlm:output": [{"name": "o", "classification_classes": [
        {"value": 1, "name": "water", "color_hint": "0000FF"}]}]}, "links": [], "assets": {}}
    card = build_card(doc, "/x.json")
    assert card.outputs[0].classes[0].colour == "#0000ff"


@pytest.mark.parametrize("garbage", [None, 1, "x", [], {}, [None], {"a": None}, [[1]], True])
def test_any_type_anywhere_does_not_crash(garbage: Any) -> None:
    doc: dict[str, Any] = {"type": "Feature", "id": garbage, "geometry": garbage, "bbox": garbage, "links": garbage,
                           "assets": garbage, "properties": {k: garbage for k in (
                               "mlm:name", "mlm:tasks", "mlm:input", "mlm:output", "mlm:hyperparameters",
                               "mlm:total_parameters", "providers", "keywords", "description", "start_datetime",
                               "end_datetime", "datetime", "processing:software", "mlm:accelerator_count")}}
    card = build_card(doc, "/x.json")
    assert card.title


# --- how to use, shapes, hyperparameters, variables, training data ----------------------


HEX64 = "91eef258cee3fad80bdc8e04597ee3553d5266efa4a54783107154afc9fe6a17"


@pytest.mark.parametrize("multihash,algorithm,command", [
    ("1220" + HEX64, "SHA2-256", f'echo "{HEX64}  m.pt" | sha256sum --check'),
    ("1340" + "ab" * 64, "SHA2-512", f'echo "{"ab" * 64}  m.pt" | sha512sum --check'),
    ("1114" + "cd" * 20, "SHA-1", f'echo "{"cd" * 20}  m.pt" | sha1sum --check'),
    ("a0e40220" + "ef" * 32, "BLAKE2b-256", f'echo "{"ef" * 32}  m.pt" | b2sum -l 256 --check'),
    ("b22020" + "ef" * 32, "BLAKE2b-256", f'echo "{"ef" * 32}  m.pt" | b2sum -l 256 --check'),
    ("c0e40240" + "01" * 64, "BLAKE2b-512", f'echo "{"01" * 64}  m.pt" | b2sum --check'),
    ("d50110" + "02" * 16, "MD5", f'echo "{"02" * 16}  m.pt" | md5sum --check'),
    ("1620" + "03" * 32, "SHA3-256", f"openssl dgst -sha3-256 m.pt  # expect {'03' * 32}"),
])
def test_checksum_command_per_multihash(multihash: str, algorithm: str, command: str) -> None:
    ck = usage.decode_checksum(multihash, "m.pt")
    assert ck is not None and ck.valid
    assert ck.algorithm == algorithm
    assert ck.command == command
    assert ck.digest is not None and ck.digest in command


@pytest.mark.parametrize("bad", ["12", "1220abcd", "zz" * 34, "9999" + "ab" * 32, "1220" + "ab" * 31 + "a", "x; rm -rf /"])
def test_malformed_checksums_keep_only_the_raw_value(bad: str) -> None:
    ck = usage.decode_checksum(bad, "m.pt")
    assert ck is not None and not ck.valid and ck.command is None and ck.digest is None
    assert usage.decode_checksum(None) is None and usage.decode_checksum(12) is None


@pytest.mark.parametrize("artifact,framework,expected", [
    ("torch.save", "PyTorch", "torch.load("),
    ("torch.jit.save", "PyTorch", "torch.jit.load("),
    ("torch.export.save", "PyTorch", "torch.export.load("),
    ("tf.keras.Model.save", "TensorFlow", "keras.saving.load_model("),
    ("tf.keras.Model.save_weights", "TensorFlow", "model.load_weights("),
    ("tf.keras.Model.export", "TensorFlow", "tf.saved_model.load("),
    ("onnx", "ONNX", "onnxruntime"),
    ("safetensors.torch.save_file", "PyTorch", "from safetensors.torch import load_file"),
    ("safetensors.flax.save_file", "Flax", "from safetensors.flax import load_file"),
    ("joblib.dump", "scikit-learn", "joblib.load("),
    ("pickle.dump", "scikit-learn", "pickle.load("),
    ("flax.serialization.to_bytes", "Flax", "serialization.from_bytes("),
    (None, "scikit-learn", "joblib.load("),
    (None, "ONNX", "InferenceSession("),
    (None, "PyTorch", "torch.load("),
])
def test_load_call_per_artifact_type(artifact: str | None, framework: str, expected: str) -> None:
    sn = usage.load_snippet(artifact, framework, "m.bin")
    assert sn is not None and expected in sn.code and '"m.bin"' in sn.code
    assert sn.language == "python" and "<" not in sn.html.replace("<span", "").replace("</span", "")


def test_no_load_call_for_unknown_artifacts() -> None:
    assert usage.load_snippet("my.custom.format", "MyFramework", "m.bin") is None
    assert usage.load_snippet(None, None, "m.bin") is None


def test_pickle_based_loads_warn_and_state_dicts_load_weights_only() -> None:
    sn = usage.load_snippet("torch.save", "PyTorch", "m.pt", weights_only=True)
    assert sn is not None and "weights_only=True" in sn.code and "load_state_dict" in sn.code
    full = usage.load_snippet("torch.save", "PyTorch", "m.pt")
    assert full is not None and full.note and "trust" in full.note


@pytest.mark.parametrize("entrypoint,line", [
    ("pkg.module:func", "from pkg.module import func"),
    ("alpine_landcover.models:build_model", "from alpine_landcover.models import build_model"),
    ("pkg.mod:Predictor.run", "from pkg.mod import Predictor"),
    ("pkg.module.func", "from pkg.module import func"),
    ("pkg", "import pkg"),
    ("scripts/run.py", None), ("run.py", None), ("pkg:func; rm -rf /", None), ("import:x", None),
    ("", None), (None, None), (42, None), ("a b:c", None),
])
def test_entrypoint_import_line(entrypoint: Any, line: str | None) -> None:
    assert usage.import_line(entrypoint) == line


@pytest.mark.parametrize("href,pull", [
    ("docker://ghcr.io/northwind-geoai/alpine-landcover:1.1.0-cuda12.1", "docker pull ghcr.io/northwind-geoai/alpine-landcover:1.1.0-cuda12.1"),
    ("docker://pytorch/pytorch:2.1.2-cuda12.1-cudnn8-runtime", "docker pull pytorch/pytorch:2.1.2-cuda12.1-cudnn8-runtime"),
    ("registry.example.org:5000/team/model@sha256:" + "a" * 64, "docker pull registry.example.org:5000/team/model@sha256:" + "a" * 64),
    ("docker://ghcr.io/x/y:1.0;rm -rf /", None), ("docker://ghcr.io/X/Y:1", None), ("docker://$(id)", None),
    ("https://ghcr.io/x/y:1", None), ("docker://x y", None), ("", None), (None, None), ("docker://a'b", None),
])
def test_docker_pull_only_for_safe_image_refs(href: Any, pull: str | None) -> None:
    assert usage.docker_pull(href) == pull


def test_highlight_escapes_everything() -> None:
    html = usage.highlight('x = "<script>alert(1)</script>"  # </pre><b>', "python")
    assert "<script>" not in html and "</pre>" not in html and "<b>" not in html
    assert '<span class="hl-s">&quot;' in html or '<span class="hl-s">"' in html
    assert usage.highlight("if a: return 1", "python").count('class="hl-k"') == 2
    assert usage.highlight("<x>", "text") == "&lt;x&gt;"


def test_download_command_only_for_shell_safe_urls() -> None:
    assert usage.download_command("https://h.example/m.pt", "m.pt") == "curl -L -o m.pt 'https://h.example/m.pt'"
    assert usage.download_command("https://h.example/it's.pt", "m.pt") is None
    assert usage.download_command(None, "m.pt") is None
    assert usage.file_name("https://h.example/a/b%20c.pt") == "model.bin"
    assert usage.file_name("https://h.example/a/model_v1.pt2?x=1") == "model_v1.pt2"


def test_hyperparameters_are_flattened() -> None:
    rows = dict(flatten_hyperparameters({"optimizer": {"name": "AdamW", "betas": [0.9, 0.999]}, "epochs": 80,
                                         "aug": [{"p": 0.5}], "flag": True, "none": None, "empty": {}}))
    assert rows["optimizer.name"] == "AdamW"
    assert rows["optimizer.betas"] == "0.9, 0.999"
    assert rows["epochs"] == "80" and rows["aug[0].p"] == "0.5" and rows["flag"] == "true"
    assert rows["none"] == "null" and rows["empty"] == "{ }"
    assert not any(v.startswith("{\"") for v in rows.values())


def test_shapes_are_labelled_from_dim_order() -> None:
    doc, href = load("alpine-landcover-v1.1.0")
    st = build_card(doc, href).inputs[0].structure
    assert st is not None
    assert st.labelled == "any batch × 6 bands × 512 height × 512 width"
    assert [(d.size, d.name) for d in st.dims][:2] == [("any batch", "batch"), ("6", "bands")]
    doc = {"type": "Feature", "properties": {"mlm:input": [{"name": "i", "input": {"shape": [-1, 3, -1], "dim_order": ["time", "bands", "x"]}}]}}
    st = build_card(doc, "/x.json").inputs[0].structure
    assert st is not None and st.labelled == "any time × 3 bands × any x"


def test_usage_of_the_segmentation_card() -> None:
    doc, href = load("alpine-landcover-v1.1.0")
    card = build_card(doc, href)
    u = card.usage
    assert {w.asset.key for w in u.weights} == {"weights", "compiled"}
    w = next(w for w in u.weights if w.asset.key == "weights")
    assert w.checksum is not None and w.checksum.algorithm == "SHA2-256" and w.verify is not None
    assert "sha256sum --check" in w.verify.code and w.file == "unet_r34_alpine_6b.pt"
    assert w.load is not None and "torch.load" in w.load.code
    c = next(w for w in u.weights if w.asset.key == "compiled")
    assert c.load is not None and "torch.export.load" in c.load.code
    assert u.sources[0].code is not None and u.sources[0].code.code.startswith("from alpine_landcover.models import build_model")
    assert u.containers[0].pull is not None and u.containers[0].pull.code == "docker pull ghcr.io/northwind-geoai/alpine-landcover:1.1.0-cuda12.1"
    assert [e.language for e in u.examples] == ["Python", "Shell"] and u.examples[1].container
    assert card.usage.weights[0].download is not None


def test_cube_variables_details() -> None:
    doc, href = load("era5-quebec-downscaler")
    card = build_card(doc, href)
    t2m = card.inputs[0].variables[0]
    assert t2m.name == "t2m" and t2m.defined and t2m.unit == "K" and t2m.dimensions == ("time", "y", "x")
    assert card.outputs[0].variables[0].name == "t2m_fine" and card.outputs[0].variables[0].defined
    scaling = card.inputs[0].value_scaling
    assert [s.target for s in scaling] == ["t2m", "tp", "orog"]
    assert scaling[1].expression is not None and scaling[1].expression.expression == "numpy:log1p"


def test_training_data_with_label_details_from_the_catalog() -> None:
    label_doc = {"type": "Collection", "id": "labels", "title": "Labels", "description": "Hand-drawn polygons.",
                 "summaries": {"label:type": ["vector"], "label:tasks": ["segmentation"],
                               "label:properties": ["class"], "label:classes": [{"name": "class", "classes": ["water", "forest"]}]}}
    doc = {"type": "Feature", "properties": {}, "links": [
        {"rel": "derived_from", "href": "labels/collection.json", "ml-aoi:split": "train", "title": "L"},
        {"rel": "derived_from", "href": "https://x.example/other.json"}]}
    seen: list[str] = []

    def resolve(h: str) -> Any:
        seen.append(h)
        return label_doc if h.endswith("labels/collection.json") else None

    card = build_card(doc, "/cat/item.json", link=lambda h: h if isinstance(h, str) else None, resolve_doc=resolve)
    assert [g.split for g in card.training] == ["train", "unspecified"]
    label = card.training[0].sources[0].label
    assert label is not None and label.type == "vector" and label.classes == (("class", ("water", "forest")),)
    assert card.training[1].sources[0].label is None
    assert "/cat/labels/collection.json" in seen
    assert label_info({"type": "Collection"}) is None


def test_label_info_raster_classes_and_summarised_description() -> None:
    # raster labels carry a null class-list name; Collection summaries can only hold lists
    info = label_info({"type": "Collection", "summaries": {
        "label:type": ["raster"], "label:classes": [{"name": None, "classes": [1, 2]}],
        "label:description": ["Rasterised polygons", "checked by hand"]}})
    assert info is not None and info.type == "raster"
    assert info.classes == (("", ("1", "2")),)
    assert info.description == "Rasterised polygons; checked by hand"
    item = label_info({"type": "Feature", "properties": {"label:description": "Boxes", "label:type": "vector",
                                                         "label:properties": None}})
    assert item is not None and item.description == "Boxes" and item.properties == ()


def test_findings_grouped_by_severity_with_rule_docs() -> None:
    from mlm_site.findings import Finding

    fs = [Finding("/x", "/b", "schema", "error", "bad", "https://schemas.example/s.json"),
          Finding("/x", "/a", "MLM001", "info", "note"), Finding("/x", "/c", "nope", "warning", "w")]
    doc, href = load("alpine-landcover-v1.1.0")
    groups = build_card(doc, href, fs).finding_groups
    assert [g for g, _ in groups] == ["error", "warning", "info"]
    assert groups[0][1][0].doc_url == "https://schemas.example/s.json"
    assert groups[2][1][0].doc_url and groups[2][1][0].doc_url.startswith("https://")
