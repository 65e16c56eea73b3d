from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlm_site.crawl import Fetcher, ReadError, crawl, load_document

from ..conftest import SAMPLE


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def catalog(id: str, links: list[dict]) -> dict:
    return {"type": "Catalog", "stac_version": "1.1.0", "id": id, "description": id, "links": links}


def item(id: str) -> dict:
    return {"type": "Feature", "stac_version": "1.1.0", "id": id, "geometry": None,
            "properties": {"datetime": "2020-01-01T00:00:00Z"}, "links": [], "assets": {}}


def test_sample_catalog_is_crawled_whole() -> None:
    docs = list(crawl(str(SAMPLE)))
    kinds = [d.kind for d in docs]
    assert docs[0].href == str(SAMPLE.resolve())
    assert kinds.count("Collection") >= 3
    assert kinds.count("Feature") >= 8
    assert all(not d.findings for d in docs), [f for d in docs for f in d.findings]
    assert len({d.href for d in docs}) == len(docs)


def test_cycles_duplicates_and_parent_paths(tmp_path: Path) -> None:
    root = write(tmp_path / "catalog.json", catalog("root", [
        {"rel": "child", "href": "./sub/catalog.json"},
        {"rel": "child", "href": "sub/../sub/catalog.json"},  # same document, other spelling
        {"rel": "item", "href": "./a.json"},
    ]))
    write(tmp_path / "sub" / "catalog.json", catalog("sub", [
        {"rel": "child", "href": "../catalog.json"},  # loop back to the root
        {"rel": "item", "href": "../a.json"},  # duplicate
        {"rel": "item", "href": str(tmp_path / "b.json")},  # absolute path
    ]))
    write(tmp_path / "a.json", item("a"))
    write(tmp_path / "b.json", item("b"))
    docs = list(crawl(str(root)))
    assert sorted(d.id or "" for d in docs) == ["a", "b", "root", "sub"]
    parents = {d.id: d.parent for d in docs}
    assert parents["b"] == str(tmp_path / "sub" / "catalog.json")


def test_broken_input_becomes_findings_and_the_crawl_goes_on(tmp_path: Path) -> None:
    root = write(tmp_path / "catalog.json", catalog("root", [
        {"rel": "item", "href": "missing.json"},
        {"rel": "item", "href": "bad.json"},
        {"rel": "item", "href": "list.json"},
        {"rel": "item", "href": "notstac.json"},
        {"rel": "item", "href": "latin1.json"},
        {"rel": "item", "href": "good.json"},
        {"rel": "item"},  # no href: ignored
        "not a link",
    ]))
    write(tmp_path / "bad.json", "{ not json")
    write(tmp_path / "list.json", [1, 2])
    write(tmp_path / "notstac.json", {"hello": "world"})
    (tmp_path / "latin1.json").write_bytes(b'{"id": "caf\xe9"}')
    write(tmp_path / "good.json", item("good"))
    docs = {Path(d.href).name: d for d in crawl(str(root))}
    assert docs["good.json"].kind == "Feature" and not docs["good.json"].findings

    def message(name: str) -> str:
        d = docs[name]
        assert d.kind is None and len(d.findings) == 1
        f = d.findings[0]
        assert f.rule == "read" and f.severity == "error" and f.href == d.href
        return f.message

    assert "file not found" in message("missing.json") and "catalog.json#/links/0/href" in message("missing.json")
    assert "invalid JSON at line 1" in message("bad.json")
    assert "not an object" in message("list.json")
    assert "not a STAC" in message("notstac.json")
    assert "not UTF-8" in message("latin1.json")


def test_size_cap(tmp_path: Path) -> None:
    path = write(tmp_path / "big.json", {"type": "Feature", "pad": "x" * 5000})
    doc = load_document(Fetcher(max_bytes=1000), str(path), None, None)
    assert doc.raw is None and "limit" in doc.findings[0].message


def test_single_item_root() -> None:
    item_path = next(SAMPLE.parent.rglob("s2-landuse-resnet18.json"))
    docs = list(crawl(str(item_path)))
    assert len(docs) == 1 and docs[0].kind == "Feature"


def test_remote_crawl_matches_local(serve) -> None:  # type: ignore[no-untyped-def]
    server = serve(SAMPLE.parent)
    remote = list(crawl(f"{server.url}/catalog.json"))
    local = list(crawl(str(SAMPLE)))
    rel_remote = sorted(d.href.removeprefix(server.url + "/") for d in remote)
    rel_local = sorted(str(Path(d.href).relative_to(SAMPLE.parent)) for d in local)
    assert rel_remote == rel_local
    assert [d.raw for d in sorted(remote, key=lambda d: d.href)] == [d.raw for d in sorted(local, key=lambda d: str(Path(d.href).relative_to(SAMPLE.parent)))]
    assert not any(d.findings for d in remote)


def test_remote_missing_document_is_a_finding(serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path / "catalog.json", catalog("root", [{"rel": "item", "href": "nope.json"}]))
    server = serve(tmp_path)
    docs = list(crawl(f"{server.url}/catalog.json", Fetcher(retries=0)))
    assert len(docs) == 2
    assert docs[1].findings[0].message.startswith("HTTP 404")


def test_links_leaving_the_catalog_folder_are_refused_unless_allowed(tmp_path: Path) -> None:
    root = write(tmp_path / "cat" / "catalog.json", catalog("root", [{"rel": "item", "href": "../outside/x.json"}]))
    write(tmp_path / "outside" / "x.json", item("x"))
    docs = list(crawl(str(root)))
    assert [d.id for d in docs] == ["root"]
    assert docs[0].findings and "outside the catalog folder" in docs[0].findings[0].message
    assert docs[0].findings[0].pointer == "/links/0/href"
    docs = list(crawl(str(root), confine=False))
    assert [d.id for d in docs] == ["root", "x"]


# -- the byte scan that spares most documents the tree walk ----------------------

from typing import Any  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mlm_site.crawl import MAX_NESTING, _RealPaths, inspect_tree, plain_json  # noqa: E402


def _nested(depth: int, leaf: Any = 1) -> Any:
    """``depth`` levels of arrays and objects, alternating (or in runs of one kind)."""
    value = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _walk_finds_nothing(text: str) -> bool:
    raw = json.loads(text)
    before = json.dumps(raw)
    raw, problems = inspect_tree(raw)
    return not problems and json.dumps(raw) == before


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "[[[[", "b": "\\\\", "c": "\\"[", "d": "]]]}}}"}',
        '{"a": "\\\\\\"[{", "b": ["\\\\"], "c": "x\\\\"}',
        '{"text": "caf\\u00e9 \\u2603", "k\\u00e9y": [1, 2.5, null, true]}',
        '\ufeff{"bom": []}',
        '[]',
        '"just a string"',
        json.dumps(_nested(MAX_NESTING)),
        json.dumps({"s": "[" * 500, "t": "{" * 500, "list": [[[[]]]]}),
    ],
)
def test_plain_json_spares_the_walk_of_ordinary_documents(text: str) -> None:
    assert plain_json(text.encode("utf-8"))
    assert _walk_finds_nothing(text.lstrip("\ufeff"))


@pytest.mark.parametrize(
    "text",
    [
        '{"a": "\\ud800"}',  # lone surrogates: in values,
        '{"\\uDC00": 1}',  # in keys,
        '["\\ud83d\\ude00"]',  # a pair (harmless, but the walk decides)
        '"\\udfff"',  # at the top
        json.dumps(_nested(MAX_NESTING + 1)),  # one level more than the walk accepts: the walk decides
        json.dumps(_nested(MAX_NESTING + 2)),
        json.dumps([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]),
        '{"a": "]]]]]]]", "deep": ' + json.dumps(_nested(MAX_NESTING + 5)) + "}",
    ],
)
def test_plain_json_sends_suspects_to_the_walk(text: str) -> None:
    assert not plain_json(text.encode("utf-8"))


def test_the_walk_still_refuses_what_the_scan_sends_it(tmp_path: Path) -> None:
    deep = write(tmp_path / "deep.json", json.dumps({"type": "Feature", "x": _nested(MAX_NESTING + 2)}))
    doc = load_document(Fetcher(), str(deep), None, None)
    assert doc.raw is None and "nested more than" in doc.findings[0].message
    sur = write(tmp_path / "sur.json", '{"type": "Feature", "stac_version": "1.1.0", "id": "a\\ud800"}')
    doc = load_document(Fetcher(), str(sur), None, None)
    assert doc.id == "a\ufffd" and doc.findings[0].pointer == "/id"


json_text_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.sampled_from(list('ab"\\[]{}\n\u00e9\u2603/u0d8')), max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='a"\\[]{}u', max_size=4), inner, max_size=3),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(json_text_value, st.integers(min_value=0, max_value=70), st.booleans(), st.sampled_from([None, 0, 2]))
def test_plain_json_never_hides_a_problem(value: Any, depth: int, ascii_only: bool, indent: int | None) -> None:
    doc = {"v": value, "deep": _nested(depth)} if depth else value
    text = json.dumps(doc, ensure_ascii=ascii_only, indent=indent)
    if plain_json(text.encode("utf-8")):
        assert _walk_finds_nothing(text)
        assert _depth(doc) <= MAX_NESTING
    elif _depth(doc) <= MAX_NESTING and "\\u" not in text:
        pytest.fail("an ordinary document was sent to the walk")


def test_real_paths_are_os_realpath(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f.json").write_text("{}")
    (tmp_path / "link-dir").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "a" / "link.json").symlink_to(tmp_path / "a" / "b" / "f.json")
    (tmp_path / "a" / "dangling.json").symlink_to(tmp_path / "nowhere.json")
    (tmp_path / "a" / "up").symlink_to("..", target_is_directory=True)
    real = _RealPaths()
    for rel in ["a/b/f.json", "link-dir/b/f.json", "a/link.json", "a/dangling.json", "a/missing/x.json",
                "link-dir/up/link-dir/b/f.json", "a/up/a/up/a/b", "link-dir"]:
        path = str(tmp_path / rel)
        assert real(path) == os.path.realpath(path), rel
        assert real(path) == os.path.realpath(path), rel  # remembered folders give the same


def test_reads_exactly_up_to_the_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_bytes(b" " * 990 + b"{}")
    assert Fetcher(max_bytes=992).read_bytes(str(path)).strip() == b"{}"
    with pytest.raises(ReadError):
        Fetcher(max_bytes=991).read_bytes(str(path))
