from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlm_site.errors import OutputError
from mlm_site.write import MARKER, Staging, assign_slugs, check_output, clean_stale, relative, slugify


@pytest.mark.parametrize(
    "text",
    ["../../etc/passwd", "a/b\\c", "CON", "con.txt", "LPT1", "..", ".", "", "\u202eevil\u202c", "x\x00y",
     "Ünïcödé Mödel", "a" * 300, "model:v1?*<>|\"", " trailing. "],
)
def test_slugs_are_safe_everywhere(text: str) -> None:
    slug = slugify(text)
    assert slug and len(slug) <= 64
    assert all(c.isascii() and (c.isalnum() or c in "-_.") for c in slug)
    assert slug not in (".", "..") and not slug.startswith(".") and not slug.endswith(".")
    assert slug.split(".")[0].lower() not in {"con", "prn", "aux", "nul", "lpt1", "com1"}


def test_slugs_unique_stable_and_case_insensitive() -> None:
    first = assign_slugs([("/c/a.json", "Model"), ("/c/b.json", "model"), ("/d/a.json", "Model")])
    assert len(set(first.values())) == 3
    assert first["/c/a.json"] == "model"
    again = assign_slugs([("/d/a.json", "Model"), ("/c/b.json", "model"), ("/c/a.json", "Model")])
    assert again == first
    # a colliding slug does not change when an unrelated document disappears
    fewer = assign_slugs([("/c/a.json", "Model"), ("/d/a.json", "Model")])
    assert fewer["/d/a.json"] == first["/d/a.json"]


def test_relative_links() -> None:
    assert relative("models/x/index.html", "static/style.css") == "../../static/style.css"
    assert relative("index.html", "models/x/index.html") == "models/x/index.html"
    assert relative("models/x/index.html", "models/x/item.json") == "item.json"


def test_refuses_dangerous_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cat = tmp_path / "cat" / "catalog.json"
    cat.parent.mkdir()
    cat.write_text("{}")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    with pytest.raises(OutputError, match="root"):
        check_output(Path("/"), str(cat))
    with pytest.raises(OutputError, match="home"):
        check_output(Path.home(), str(cat))
    with pytest.raises(OutputError, match="current folder"):
        check_output(Path(".."), str(cat))
    with pytest.raises(OutputError, match="current folder"):
        check_output(Path("."), str(cat))
    with pytest.raises(OutputError, match="contains the catalog"):
        check_output(tmp_path / "cat", str(cat))
    user = tmp_path / "docs"
    user.mkdir()
    (user / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="not made by mlm-site"):
        check_output(user, str(cat))
    assert check_output(user, str(cat), force=True) == user
    assert check_output(tmp_path / "new", str(cat)) == tmp_path / "new"


def test_staging_swaps_in_and_aborts_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "site"
    s = Staging(out)
    s.write_text("index.html", "one")
    s.commit()
    assert (out / "index.html").read_text() == "one" and (out / MARKER).exists()
    s = Staging(out)
    s.write_text("index.html", "two")
    s.abort()
    assert (out / "index.html").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    s = Staging(out)
    with pytest.raises(OutputError):
        s.write_text("../escape.html", "x")
    with pytest.raises(OutputError):
        s.write_text("/etc/x", "x")
    s.abort()
    assert not (tmp_path / "escape.html").exists()


def test_stale_staging_from_a_killed_build_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "site"
    stale = tmp_path / ".site.mlm-site-staging-1234-abcd"
    stale.mkdir()
    (stale / "x").write_text("partial")
    other = tmp_path / ".other-folder"
    other.mkdir()
    removed = clean_stale(out)
    assert removed == [stale] and not stale.exists() and other.exists()


def test_staging_only_writes_under_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "site"
    s = Staging(out)
    s.write_text("a/b/c.html", "x")
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(str(p).startswith(str(s.path) + os.sep) for p in written)
    s.abort()
