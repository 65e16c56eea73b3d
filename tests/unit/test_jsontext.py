"""The fast indented JSON writer gives exactly the standard library's text."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mlm_site.jsontext import dumps_indented

from ..conftest import SAMPLE

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
                      max_leaves=40)


@settings(max_examples=400, deadline=None)
@given(values)
def test_same_text_as_json_dumps(value: object) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_same_text_for_the_sample_catalog_and_odd_values() -> None:
    for path in sorted(SAMPLE.parent.rglob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert dumps_indented(doc) == json.dumps(doc, indent=2, ensure_ascii=False), path
    odd: list[object] = [{1: "int key"}, {"t": (1, 2)}, {"lone": "\ud800"}, [True, 1.0, -0.0, 10**30, 1e300],
                         {"": {"": []}}, "\u2028", float("-inf")]
    for value in odd:
        assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False), value
