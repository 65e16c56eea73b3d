from __future__ import annotations

import json
from typing import Any

import pytest

from mlm_site.model import build_card, hex_colour, human_bytes, human_count, temporal_of

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
    assert {split for split, _ in card.training_data} >= {"train", "validate", "test"}


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
