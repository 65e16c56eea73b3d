from __future__ import annotations

import json
from pathlib import Path

from mlm_site.crawl import Fetcher, crawl, load_document

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
