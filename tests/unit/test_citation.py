"""Tests of mlm_site.citation: extraction, DOI handling and the BibTeX / CFF / RIS exports."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlm_site.citation import (
    Citation,
    bibtex,
    bibtex_escape,
    cff,
    citation_for,
    normalize_doi,
    ris,
    yaml_quote,
)

yaml = pytest.importorskip("yaml")


def item(**props: Any) -> dict[str, Any]:
    links = props.pop("links", [])
    return {
        "type": "Feature",
        "stac_version": "1.0.0",
        "id": props.pop("id", "resnet-18_sentinel-2"),
        "geometry": None,
        "bbox": None,
        "properties": {"mlm:name": "ResNet-18 Sentinel-2", **props},
        "links": links,
        "assets": {},
    }


FULL = item(
    title="ResNet-18 for Sentinel-2",
    version="1.2.0",
    created="2024-03-05T12:00:00Z",
    license="MIT",
    providers=[
        {"name": "Lab A", "roles": ["producer"]},
        {"name": "Agency B", "roles": ["licensor"]},
        {"name": "Hub C", "roles": ["host"]},
        {"name": "Cloud D", "roles": ["processor"]},
    ],
    links=[
        {"rel": "cite-as", "href": "https://zenodo.org/records/42"},
        {"rel": "cite-as", "href": "javascript:alert(1)"},
        {"rel": "self", "href": "https://example.org/item.json"},
    ],
    **{
        "sci:doi": "10.5281/zenodo.42",
        "sci:publications": [
            {"doi": "https://doi.org/10.1109/abc.2020.1", "citation": "Doe, J. (2020). A paper."},
            {"doi": "not-a-doi", "citation": "Only text"},
            {"doi": "bad"},
            "junk",
        ],
    },
)


# --------------------------------------------------------------------------- DOI


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.5281/zenodo.1234", "10.5281/zenodo.1234"),
        ("https://doi.org/10.5281/zenodo.1234", "10.5281/zenodo.1234"),
        ("http://dx.doi.org/10.5281/zenodo.1234", "10.5281/zenodo.1234"),
        ("HTTPS://DOI.ORG/10.5281/zenodo.1234", "10.5281/zenodo.1234"),
        ("doi:10.5281/zenodo.1234", "10.5281/zenodo.1234"),
        ("DOI: 10.5281/zenodo.1234", "10.5281/zenodo.1234"),
        ("  10.1000.10/x ", "10.1000.10/x"),
        ("https://doi.org/10.1002%2Fabc", "10.1002/abc"),
        ("10.1/x", None),  # registrant too short
        ("11.5281/zenodo.1", None),
        ("10.5281/", None),
        ("10.5281/has space", None),
        ("10.5281/a\nb", None),
        ("https://example.org/10.5281/x", None),
        ("", None),
        (None, None),
        (10.5281, None),
        (["10.5281/x"], None),
    ],
)
def test_normalize_doi(raw: object, expected: str | None) -> None:
    assert normalize_doi(raw) == expected


def test_doi_url_is_encoded() -> None:
    c = citation_for(item(**{"sci:doi": "10.1002/(SICI)1097<x>#y"}))
    assert c is not None
    assert c.doi == "10.1002/(SICI)1097<x>#y"
    assert c.doi_url == "https://doi.org/10.1002/(SICI)1097%3Cx%3E%23y"


def test_doi_from_cite_as_link_when_no_sci_doi() -> None:
    c = citation_for(item(links=[{"rel": "cite-as", "href": "https://doi.org/10.5281/zenodo.7"}]))
    assert c is not None
    assert c.doi == "10.5281/zenodo.7"
    assert c.url is None  # a DOI link is not a landing page


# --------------------------------------------------------------------------- extraction


def test_full_document() -> None:
    c = citation_for(FULL, page_url="https://models.example.org/resnet/")
    assert c is not None
    assert c.key == "resnet_18_sentinel_2"
    assert c.title == "ResNet-18 for Sentinel-2"
    assert c.doi == "10.5281/zenodo.42"
    assert c.doi_url == "https://doi.org/10.5281/zenodo.42"
    assert c.authors == ("Lab A", "Agency B", "Hub C")
    assert c.creators == ("Lab A",)
    assert c.publisher == "Hub C"
    assert c.version == "1.2.0"
    assert c.date_released == "2024-03-05"
    assert c.year == "2024"
    assert c.license == "MIT"
    assert c.url == "https://models.example.org/resnet/"
    assert c.cite_as == ("https://zenodo.org/records/42",)
    assert [(p.doi, p.citation) for p in c.publications] == [
        ("10.1109/abc.2020.1", "Doe, J. (2020). A paper."),
        (None, "Only text"),
    ]
    assert c.publications[0].doi_url == "https://doi.org/10.1109/abc.2020.1"
    assert c.generated
    assert c.text == (
        "Lab A (2024). ResNet-18 for Sentinel-2 (Version 1.2.0). Hub C. https://doi.org/10.5281/zenodo.42"
    )


def test_sci_citation_wins_and_is_cleaned() -> None:
    c = citation_for(item(**{"sci:citation": "  Doe,\n J.\t(2021).\x00 Model\u2028X.  "}))
    assert c is not None
    assert not c.generated
    assert c.text == "Doe, J. (2021). Model X."


def test_missing_fields() -> None:
    c = citation_for({"type": "Feature", "id": "m1", "properties": {}})
    assert c is not None
    assert c.title == "m1"
    assert c.doi is None and c.doi_url is None
    assert c.authors == () and c.publications == () and c.cite_as == ()
    assert c.text == "m1 (n.d.)."
    assert "author" not in bibtex(c)
    data = yaml.safe_load(cff(c))
    assert data["authors"] == [{"name": "Unknown"}]
    assert "doi" not in data and "date-released" not in data


@pytest.mark.parametrize("doc", [None, [], "x", {"type": "Feature", "properties": {}}, {"id": 5}])
def test_nothing_to_cite(doc: Any) -> None:
    assert citation_for(doc) is None


def test_collection_fields_at_top_level() -> None:
    c = citation_for(
        {
            "type": "Collection",
            "id": "coll",
            "title": "Coll",
            "sci:doi": "doi:10.1234/c",
            "license": "proprietary",
        }
    )
    assert c is not None
    assert (c.title, c.doi, c.license) == ("Coll", "10.1234/c", None)


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({"published": "2023-01-02T00:00:00Z", "created": "2020-01-01T00:00:00Z"}, "2023-01-02"),
        ({"datetime": "2022-12-31T23:59:59Z"}, "2022-12-31"),
        ({"start_datetime": "1900-01-01T00:00:00Z", "datetime": None}, None),
        ({"created": "2023-02-30T00:00:00Z"}, None),
        ({"created": 2023}, None),
    ],
)
def test_release_date(props: dict[str, Any], expected: str | None) -> None:
    c = citation_for(item(**props))
    assert c is not None and c.date_released == expected


def test_wrong_types_are_ignored() -> None:
    doc = item(
        title=["x"],
        version=1.0,
        providers=[
            {"name": 3},
            "x",
            {"name": "P", "roles": "producer"},
            {"name": "Q", "roles": [None, "HOST"]},
        ],
        links="nope",
        license={"a": 1},
        **{"sci:doi": 10, "sci:citation": {"x": 1}, "sci:publications": {"doi": "10.1234/x"}},
    )
    c = citation_for(doc, page_url="javascript:alert(1)")
    assert c is not None
    assert c.title == "ResNet-18 Sentinel-2"
    assert c.authors == ("Q",) and c.publisher == "Q"
    assert c.version is None and c.doi is None and c.url is None and c.license is None


def test_untrusted_urls() -> None:
    c = citation_for(
        item(
            links=[
                {"rel": "cite-as", "href": "data:text/html,<script>"},
                {"rel": "cite-as", "href": "https://ok.example/a b"},
                {"rel": "cite-as", "href": "//no-scheme.example"},
                {"rel": "CITE-AS", "href": " https://ok.example/x "},
            ]
        )
    )
    assert c is not None
    assert c.cite_as == ("https://ok.example/x",)


# --------------------------------------------------------------------------- BibTeX


def test_bibtex_escaping() -> None:
    assert bibtex_escape("{a} 50% & #1 _x $y ~z ^w \\v") == (
        r"\textbraceleft{}a\textbraceright{} 50\% \& \#1 \_x \$y \textasciitilde{}z "
        r"\textasciicircum{}w \textbackslash{}v"
    )


def test_bibtex_entry() -> None:
    c = citation_for(FULL, page_url="https://models.example.org/resnet/")
    assert c is not None
    out = bibtex(c)
    assert out.startswith("@software{resnet_18_sentinel_2,\n")
    assert out.endswith("}\n")
    assert "  author = {{Lab A}},\n" in out
    assert "  title = {{ResNet-18 for Sentinel-2}},\n" in out
    assert "  year = {2024},\n" in out
    assert "  doi = {10.5281/zenodo.42},\n" in out
    assert "  url = {https://models.example.org/resnet/}" in out
    misc = bibtex(c, entry_type="misc")
    assert misc.startswith("@misc{") and r"howpublished = {\url{https://models.example.org/resnet/}}" in misc


def test_bibtex_special_characters_and_key() -> None:
    c = citation_for(
        item(
            id="{evil}%\\ id",
            title="A & B {x} 100% #1 $\\alpha$ a_b ~ ^",
            providers=[{"name": "X and Y", "roles": ["producer"]}],
            **{"sci:doi": "10.1234/a_b{c}%zz"},
        )
    )
    assert c is not None
    out = bibtex(c)
    assert out.startswith("@software{evil_id,")
    assert r"title = {{A \& B \textbraceleft{}x\textbraceright{} 100\% \#1 " in out
    assert "author = {{X and Y}}" in out  # braced: one organisation, not two people
    assert "doi = {10.1234/a_b%7Bc%7D%25zz}" in out
    assert braces_balanced(out)


@pytest.mark.parametrize(
    ("raw", "key"), [("Ünïcödé model", "Unicode_model"), ("日本", None), ("42 models", "model_42_models")]
)
def test_bibtex_key(raw: str, key: str | None) -> None:
    c = citation_for({"type": "Feature", "id": raw, "properties": {}})
    assert c is not None
    if key is None:
        assert re.fullmatch(r"model_[0-9a-f]{10}", c.key)
    else:
        assert c.key == key


def braces_balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


# --------------------------------------------------------------------------- CFF


def test_cff_parses_with_expected_keys() -> None:
    c = citation_for(FULL, page_url="https://models.example.org/resnet/")
    assert c is not None
    data = yaml.safe_load(cff(c))
    assert data == {
        "cff-version": "1.2.0",
        "message": "If you use this model, please cite it using the metadata from this file.",
        "type": "software",
        "title": "ResNet-18 for Sentinel-2",
        "authors": [{"name": "Lab A"}, {"name": "Agency B"}, {"name": "Hub C"}],
        "version": "1.2.0",
        "doi": "10.5281/zenodo.42",
        "date-released": "2024-03-05",
        "license": "MIT",
        "url": "https://models.example.org/resnet/",
        "identifiers": [
            {"type": "doi", "value": "10.1109/abc.2020.1", "description": "Doe, J. (2020). A paper."},
            {"type": "url", "value": "https://zenodo.org/records/42", "description": "cite-as"},
        ],
    }


@pytest.mark.parametrize(
    "title",
    [
        'He said "hi": yes',
        "key: value # not a comment",
        "- list? no",
        "line1\nline2",
        "tab\there",
        "back\\slash \\n",
        "{flow: map}, [seq]",
        "&anchor *alias !tag |block >folded %directive @at `tick`",
        "yes",
        "null",
        "1.0",
        "\u2028\u2029\x85\ufeff\x00\x1b",
        "émoji 🎉 and 日本語",
    ],
)
def test_yaml_quote_round_trip(title: str) -> None:
    assert yaml.safe_load("t: " + yaml_quote(title) + "\n") == {"t": title}


def test_cff_title_with_yaml_syntax() -> None:
    c = citation_for(item(title='Model: "v2" # best\nnext - line', version="2.0"))
    assert c is not None
    data = yaml.safe_load(cff(c))
    assert data["title"] == 'Model: "v2" # best next - line'
    assert data["version"] == "2.0"  # a string, not a float


# --------------------------------------------------------------------------- RIS


def test_ris_lines() -> None:
    c = citation_for(FULL, page_url="https://models.example.org/resnet/")
    assert c is not None
    out = ris(c)
    assert out.endswith("ER  - \r\n")
    lines = out.split("\r\n")[:-1]
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)
    assert lines[0] == "TY  - COMP"
    assert "TI  - ResNet-18 for Sentinel-2" in lines
    assert "AU  - Lab A" in lines
    assert "PY  - 2024" in lines
    assert "DO  - 10.5281/zenodo.42" in lines
    assert "UR  - https://models.example.org/resnet/" in lines


def test_ris_defensive_about_newlines() -> None:
    c = Citation(key="k", title="a\r\nTY  - JOUR", text="t", generated=True)
    out = ris(c)
    assert out == "TY  - COMP\r\nTI  - a TY - JOUR\r\nER  - \r\n"  # no injected line


# --------------------------------------------------------------------------- determinism and fuzzing


def test_deterministic() -> None:
    a = citation_for(FULL, page_url="https://x.example/")
    b = citation_for(dict(FULL), page_url="https://x.example/")
    assert a == b and a is not None and b is not None
    assert (bibtex(a), cff(a), ris(a)) == (bibtex(b), cff(b), ris(b))


any_text = st.text(st.characters(codec="utf-8") | st.characters(), max_size=80)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(any_text, children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    title=any_text,
    name=any_text,
    version=any_text,
    provider=any_text,
    doi=any_text,
    text=any_text,
    url=any_text,
    junk=json_value,
)
def test_arbitrary_text_never_breaks_formats(
    title: str, name: str, version: str, provider: str, doi: str, text: str, url: str, junk: Any
) -> None:
    doc = item(
        id=name,
        title=title,
        version=version,
        providers=[{"name": provider, "roles": ["producer", "host"]}, junk],
        links=[{"rel": "cite-as", "href": url}, junk],
        **{
            "sci:doi": "10.1234/" + doi,
            "sci:citation": text,
            "sci:publications": [{"doi": doi, "citation": text}, junk],
        },
    )
    c = citation_for(doc, page_url=url)
    if c is None:
        return
    bib = bibtex(c)
    assert braces_balanced(bib)
    assert bib.startswith("@software{" + c.key + ",\n")
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", c.key)
    data = yaml.safe_load(cff(c))
    assert data["title"] == c.title
    assert data["cff-version"] == "1.2.0"
    assert all(isinstance(a["name"], str) for a in data["authors"])
    lines = ris(c).split("\r\n")
    assert lines[-1] == "" and lines[-2] == "ER  - "
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - [^\r\n]*", line) for line in lines[:-1])
    for out in (bib, cff(c), ris(c)):
        out.encode("utf-8")  # no lone surrogates
