from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from mlm_site import stac
from mlm_site.build import build
from mlm_site.config import load_config
from mlm_site.crawl import crawl

from ..conftest import SAMPLE


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.refs.append(value)


def test_every_mlm_item_has_its_page(sample_site: Path) -> None:
    report = json.loads((sample_site / "report.json").read_text())
    mlm_hrefs = {d.href for d in crawl(str(SAMPLE)) if d.raw and stac.is_mlm(d.raw)}
    pages = {d["href"]: d["page"] for d in report["documents"]}
    assert len(mlm_hrefs) >= 8
    for href in mlm_hrefs:
        page = pages[href]
        assert page and (sample_site / page).is_file()
        html = (sample_site / page).read_text()
        doc = json.loads(Path(href).read_text())
        assert doc["properties"]["mlm:name"] in html or doc["id"] in html


def test_report_json_summary(sample_site: Path) -> None:
    report = json.loads((sample_site / "report.json").read_text())
    s = report["summary"]
    assert s["documents"] == len(report["documents"]) == len(list(crawl(str(SAMPLE))))
    assert s["findings"]["error"] >= 3  # the defective item


def test_all_internal_links_are_relative_and_resolve(sample_site: Path) -> None:
    pages = list(sample_site.rglob("*.html"))
    assert len(pages) >= 15
    for page in pages:
        if page.name == "404.html":
            continue  # served for missing paths at any depth: links from the site root (see test_site)
        parser = Links()
        parser.feed(page.read_text())
        for ref in parser.refs:
            parts = urlsplit(ref)
            if parts.scheme:
                assert parts.scheme in ("http", "https", "mailto"), ref
                assert "127.0.0.1" not in ref
                continue
            assert not ref.startswith("/"), f"{page}: absolute internal link {ref}"
            if not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.exists(), f"{page.relative_to(sample_site)} links to missing {ref}"


def test_no_cdn_or_inline_script(sample_site: Path) -> None:
    for page in sample_site.rglob("*.html"):
        html = page.read_text()
        for src in re.findall(r'<script[^>]*src="([^"]+)"', html):
            assert "://" not in src or (page.name == "404.html" and src.startswith("https://models.example.org/zoo/"))
        # JSON-LD is data, not script: the CSP does not run it, and it is escaped
        inline = re.search(r'<script(?![^>]*\b(?:src=|type="application/ld\+json"))[^>]*>', html)
        assert not inline, f"inline script in {page}"
        assert "Content-Security-Policy" in html


def test_published_json_links_stay_inside_the_site(sample_site: Path) -> None:
    for path in sample_site.rglob("*.json"):
        if path.name == "report.json" or path.relative_to(sample_site).parts[0] == "search":
            continue  # not STAC: the report and the search index
        doc = json.loads(path.read_text())
        for link in doc.get("links", []):
            href = link["href"]
            if "://" in href:
                continue
            assert (path.parent / href).resolve().exists(), f"{path}: {href}"


def test_failed_build_keeps_the_previous_site(tmp_path: Path, schemas_dir: Path, offline_cache: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    config = load_config(None, catalog=str(SAMPLE), output=out, schemas=schemas_dir, offline=True, cache_dir=offline_cache)
    build(config)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    import mlm_site.pages as b

    def explode(*args: object, **kwargs: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(b, "write_site", explode)
    with pytest.raises(RuntimeError):
        build(replace(config, clean=True))  # not the build cache's shortcut: write the site again
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def _tree(out: Path) -> dict[Path, bytes]:
    return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_deterministic_output_whatever_the_jobs(tmp_path: Path, schemas_dir: Path, offline_cache: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from mlm_site import parallel

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)  # the sample is small: use the worker pool anyway
    outputs = []
    for n in (1, 2):
        out = tmp_path / f"site{n}"
        build(load_config(None, catalog=str(SAMPLE), output=out, schemas=schemas_dir, offline=True,
                          cache_dir=offline_cache, jobs=n))
        outputs.append(_tree(out))
    assert outputs[0] == outputs[1]


def test_incremental_rebuild_equals_a_clean_build(tmp_path: Path, schemas_dir: Path, offline_cache: Path) -> None:
    import shutil

    catalog = tmp_path / "catalog"
    shutil.copytree(Path(SAMPLE).parent, catalog)
    root = catalog / Path(SAMPLE).name
    out, clean = tmp_path / "site", tmp_path / "clean"

    def config(output: Path, **kw: object) -> object:
        return load_config(None, catalog=str(root), output=output, schemas=schemas_dir, offline=True,
                           cache_dir=tmp_path / "cache", jobs=1, **kw)

    first = build(config(out))
    before = _tree(out)
    unchanged = build(config(out))  # nothing changed: the same site, the same summary
    assert unchanged.summary_line().rsplit(";", 1)[0] == first.summary_line().rsplit(";", 1)[0]
    assert _tree(out) == before
    item = next(p for p in sorted(catalog.rglob("*.json")) if '"Feature"' in p.read_text(encoding="utf-8"))
    data = json.loads(item.read_text(encoding="utf-8"))
    data["properties"]["description"] = "Edited: " + str(data["properties"].get("description", ""))
    item.write_text(json.dumps(data, indent=2), encoding="utf-8")
    build(config(out))
    build(config(clean, clean=True))
    assert _tree(out) == _tree(clean)


def _copy_sample(tmp_path: Path) -> Path:
    import shutil

    catalog = tmp_path / "catalog"
    shutil.copytree(Path(SAMPLE).parent, catalog)
    return catalog / Path(SAMPLE).name


def _inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_rebuild_updates_only_what_changed_in_place(tmp_path: Path, schemas_dir: Path, offline_cache: Path) -> None:
    root = _copy_sample(tmp_path)
    out = tmp_path / "site"

    def config(**kw: object) -> object:
        return load_config(None, catalog=str(root), output=out, schemas=schemas_dir, offline=True,
                           cache_dir=tmp_path / "cache", jobs=1, **kw)

    build(config())
    before = _inodes(out)
    untouched = build(config())  # nothing changed: not one file is rewritten
    assert untouched.cards > 0 and _inodes(out) == before
    items = [p for p in sorted(root.parent.rglob("*.json")) if '"Feature"' in p.read_text(encoding="utf-8")]
    edited, removed = items[0], items[-1]
    data = json.loads(edited.read_text(encoding="utf-8"))
    data["properties"]["description"] = "Edited for the rebuild test."
    edited.write_text(json.dumps(data, indent=2), encoding="utf-8")
    removed_id = json.loads(removed.read_text(encoding="utf-8"))["id"]
    for parent in root.parent.rglob("*.json"):  # unlink the removed item from its parent
        text = parent.read_text(encoding="utf-8")
        doc = json.loads(text)
        links = doc.get("links", [])
        keep = [lk for lk in links if not (lk.get("rel") == "item" and (parent.parent / lk["href"]).resolve() == removed.resolve())]
        if len(keep) != len(links):
            doc["links"] = keep
            parent.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    build(config())
    after = _inodes(out)
    rewritten = {rel for rel, ino in after.items() if before.get(rel) != ino}
    assert "index.html" in rewritten and "report.json" in rewritten
    assert any(rel.endswith("index.html") and rel.startswith("models/") for rel in rewritten)
    kept = [rel for rel in after if rel.startswith("static/")]
    assert kept and not any(rel in rewritten for rel in kept)  # same bytes: the published file stays
    pages = [rel for rel in after if not rel.startswith("search/")]  # the index's shards renumber
    assert len([rel for rel in rewritten if rel in pages]) < len(pages) / 4
    assert not any(removed_id in (out / rel).read_text(encoding="utf-8", errors="replace")
                   for rel in after if rel.endswith("index.html") and rel.count("/") <= 1)
    clean = tmp_path / "clean"
    build(load_config(None, catalog=str(root), output=clean, schemas=schemas_dir, offline=True,
                      cache_dir=tmp_path / "cache", jobs=1, clean=True))
    assert _tree(out) == _tree(clean)  # the removed item's folder is gone too


def test_interrupted_update_is_followed_by_a_full_build(tmp_path: Path, schemas_dir: Path, offline_cache: Path) -> None:
    from mlm_site.write import MARKER, MARKER_UPDATING

    root = _copy_sample(tmp_path)
    out = tmp_path / "site"
    config = load_config(None, catalog=str(root), output=out, schemas=schemas_dir, offline=True,
                         cache_dir=tmp_path / "cache", jobs=1)
    build(config)
    page = next(out.glob("models/*/index.html"))
    page.write_text("half-updated", encoding="utf-8")  # as if a build died while moving files in
    (out / MARKER).write_text(MARKER_UPDATING, encoding="utf-8")
    build(config)
    assert page.read_text(encoding="utf-8") != "half-updated"
    assert (out / MARKER).read_text(encoding="utf-8") != MARKER_UPDATING


def test_an_edited_item_re_renders_its_own_card_not_its_collection(tmp_path: Path, schemas_dir: Path,
                                                                   offline_cache: Path) -> None:
    """The cards of a collection read its title and page, not its members: one edited member
    re-renders its card (and the cards of its version chain), not every card of the collection."""
    import re

    from mlm_site.build import model_site
    from mlm_site.check import crawl_documents

    root = _copy_sample(tmp_path)
    out = tmp_path / "site"
    config = load_config(None, catalog=str(root), output=out, schemas=schemas_dir, offline=True,
                         cache_dir=tmp_path / "cache", jobs=1)
    build(config)
    graph = model_site(crawl_documents(config), {})
    # a card whose collection has other members outside its version chain
    card = next(c for c in graph.cards if c.collection is not None and
                {m.href for m in c.collection.cards} - {v.href for v in graph.version(c).chain})
    chain = {v.href for v in graph.version(card).chain}
    path = Path(card.href)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["properties"]["description"] = "Edited: one card of a collection."
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    said: list[str] = []
    build(config, said.append)
    rendering = [m for m in said if m.startswith("rendering ")]
    assert rendering, said
    count = int(re.match(r"rendering (\d+) cards", rendering[0]).group(1))  # type: ignore[union-attr]
    assert 1 <= count <= len(chain), (rendering, len(chain))
    pages = [m for m in said if m.startswith("rendered ") and "collection pages" in m]
    assert pages, said
    rendered = int(re.match(r"rendered (\d+) collection pages \((\d+) unchanged\)", pages[0]).group(1))  # type: ignore[union-attr]
    kept = int(re.match(r"rendered (\d+) collection pages \((\d+) unchanged\)", pages[0]).group(2))  # type: ignore[union-attr]
    # the pages that list the card or one of its ancestors; every other collection page stays
    assert 1 <= rendered <= len(graph.breadcrumbs(card.collection)) and kept >= 1, pages
    assert "Edited: one card of a collection." in (out / card.page).read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    build(load_config(None, catalog=str(root), output=clean, schemas=schemas_dir, offline=True,
                      cache_dir=tmp_path / "cache", jobs=1, clean=True))
    assert _tree(out) == _tree(clean)
