"""The sample site, byte for byte: a fresh build of ``sample_catalog/`` compared with the
committed golden copy under ``tests/golden/sample_site/`` through a normalising diff.

What legitimately varies between machines is normalised away before comparing (and before
writing the golden copy): the absolute path of the checkout and of the output folder, and the
package version. The theme's static files (copied verbatim from ``templates/static``) are left
out; ``MANIFEST.txt`` still lists every file the build wrote, so a file appearing or disappearing
anywhere is a difference too. Of the search index only ``search/index.json`` is copied: the
hundreds of small shards are summed up by one manifest line (their count and a SHA-256 of
their names and bytes), so any change of the index is still a difference.

Regenerate after an intended change of the output, then review ``git diff tests/golden``::

    MLM_SITE_SCHEMAS=../shared/schemas pytest tests/golden --update-golden
"""

from __future__ import annotations

import difflib
import hashlib
import shutil
from pathlib import Path

import pytest

from mlm_site import __version__

from ..conftest import SAMPLE

GOLDEN = Path(__file__).resolve().parent / "sample_site"
MANIFEST = "MANIFEST.txt"
TEXT_SUFFIXES = {".html", ".json", ".xml", ".txt", ".js", ".bib", ".cff", ".ris", ".svg", ".css", ""}
SKIP_DIRS = ("static/",)
SEARCH = "search/"
SEARCH_KEPT = "search/index.json"
MAX_JSON = 64_000  # larger JSON files are listed in the manifest but not copied
MAX_DIFF_LINES = 120
MAX_DIFF_FILES = 3
BASE_URL = "https://models.example.org/zoo/"


def build_sample(out: Path, schemas: Path, cache: Path, jobs: int = 1) -> Path:
    from mlm_site.build import build
    from mlm_site.config import load_config

    config = load_config(
        None,
        catalog=str(SAMPLE),
        output=out,
        schemas=schemas,
        offline=True,
        cache_dir=cache,
        base_url=BASE_URL,
        jobs=jobs,
        fail_on="never",
        tiles="",
        title="Model catalog",
    )
    build(config)
    return out


def normalise(text: str, out: Path) -> str:
    """Replace what differs between checkouts, machines and releases by placeholders."""
    replacements = [
        (SAMPLE.parent.as_uri(), "file://{CATALOG}"),
        (str(SAMPLE.parent), "{CATALOG}"),
        (out.as_uri(), "file://{OUTPUT}"),
        (str(out), "{OUTPUT}"),
        (str(SAMPLE.parent.parent), "{CHECKOUT}"),
        (f"mlm-site {__version__}", "mlm-site {VERSION}"),
        (f"mlm-site/{__version__}", "mlm-site/{VERSION}"),
    ]
    text = text.replace("\r\n", "\n")
    for old, new in replacements:
        text = text.replace(old, new)
    return text


def snapshot(site: Path) -> dict[str, str]:
    """The comparable content of a built site: normalised text by relative path, plus the manifest."""
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    kept = [f for f in files if not f.startswith(SEARCH) or f == SEARCH_KEPT]
    shards = [f for f in files if f.startswith(SEARCH) and f != SEARCH_KEPT]
    h = hashlib.sha256()
    for rel in shards:
        h.update(rel.encode() + b"\0" + normalise((site / rel).read_text(encoding="utf-8"), site).encode() + b"\0")
    tree: dict[str, str] = {MANIFEST: "".join(f"{f}\n" for f in kept)
                            + f"{SEARCH} ({len(shards)} shards, sha256 {h.hexdigest()})\n"}
    for rel in kept:
        path = site / rel
        if rel.startswith(SKIP_DIRS) or path.suffix not in TEXT_SUFFIXES:
            continue
        if path.suffix == ".json" and path.stat().st_size > MAX_JSON:
            continue
        tree[rel] = normalise(path.read_text(encoding="utf-8"), site)
    return tree


def read_golden() -> dict[str, str]:
    return {
        p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(GOLDEN.rglob("*"))
        if p.is_file()
    }


def write_golden(tree: dict[str, str]) -> None:
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for rel, text in tree.items():
        path = GOLDEN / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")


def tree_diff(expected: dict[str, str], actual: dict[str, str], labels: tuple[str, str]) -> str:
    """A readable, truncated account of the differences between two snapshots ('' when equal)."""
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    changed = sorted(f for f in set(expected) & set(actual) if expected[f] != actual[f])
    if not (missing or extra or changed):
        return ""
    out = [f"{len(changed)} file(s) differ, {len(missing)} missing, {len(extra)} unexpected"]
    out += [f"  missing:    {f}" for f in missing[:20]]
    out += [f"  unexpected: {f}" for f in extra[:20]]
    out += [f"  differs:    {f}" for f in changed[:20]]
    # the manifest first says which files appeared or vanished; then the first changed pages
    ordered = [MANIFEST] * (MANIFEST in changed) + [f for f in changed if f != MANIFEST]
    for rel in ordered[:MAX_DIFF_FILES]:
        lines = list(
            difflib.unified_diff(
                expected[rel].splitlines(),
                actual[rel].splitlines(),
                f"{labels[0]}/{rel}",
                f"{labels[1]}/{rel}",
                lineterm="",
                n=2,
            )
        )
        if len(lines) > MAX_DIFF_LINES:
            lines = [*lines[:MAX_DIFF_LINES], f"... ({len(lines) - MAX_DIFF_LINES} more diff lines)"]
        out += [""] + [line[:300] for line in lines]
    if len(ordered) > MAX_DIFF_FILES:
        out.append(f"\n... and {len(ordered) - MAX_DIFF_FILES} more changed file(s)")
    return "\n".join(out)


@pytest.fixture(scope="module")
def fresh_site(tmp_path_factory: pytest.TempPathFactory, schemas_dir: Path) -> Path:
    base = tmp_path_factory.mktemp("golden")
    return build_sample(base / "site", schemas_dir, base / "empty-schema-cache")


def test_sample_site_matches_the_golden_copy(fresh_site: Path, update_golden: bool) -> None:
    actual = snapshot(fresh_site)
    if update_golden:
        write_golden(actual)
        return
    if not GOLDEN.is_dir():
        pytest.fail(f"no golden copy at {GOLDEN}; create it with: pytest tests/golden --update-golden")
    diff = tree_diff(read_golden(), actual, ("golden", "built"))
    assert not diff, (
        "the sample site differs from tests/golden/sample_site/. If the change is intended, regenerate "
        "with `pytest tests/golden --update-golden` (or MLM_SITE_UPDATE_GOLDEN=1) and review the git diff.\n\n"
        + diff
    )


def test_golden_copy_is_small_and_path_free() -> None:
    if not GOLDEN.is_dir():
        pytest.skip("no golden copy yet")
    files = [p for p in GOLDEN.rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 1_500_000
    checkout = str(SAMPLE.parent.parent)
    for p in files:
        text = p.read_text(encoding="utf-8")
        assert checkout not in text and f"mlm-site {__version__}" not in text, p
        assert not p.relative_to(GOLDEN).as_posix().startswith(SKIP_DIRS), p


def test_build_is_deterministic_across_folders_and_jobs(
    fresh_site: Path, tmp_path: Path, schemas_dir: Path
) -> None:
    """Same input, same bytes: another output folder, another number of workers, a warm schema cache."""
    other = build_sample(tmp_path / "elsewhere" / "out", schemas_dir, tmp_path / "cache", jobs=3)
    diff = tree_diff(snapshot(fresh_site), snapshot(other), ("jobs=1", "jobs=3"))
    assert not diff, "two builds of the same catalog differ:\n\n" + diff


def test_normalising_diff_reports_changed_missing_and_extra_files() -> None:
    expected = {MANIFEST: "a.html\nb.json\n", "a.html": "<p>one</p>\n<p>two</p>\n", "b.json": "{}\n"}
    actual = {MANIFEST: "a.html\nc.txt\n", "a.html": "<p>one</p>\n<p>2</p>\n", "c.txt": "new\n"}
    diff = tree_diff(expected, actual, ("golden", "built"))
    assert "missing:    b.json" in diff and "unexpected: c.txt" in diff and "differs:    a.html" in diff
    assert "-<p>two</p>" in diff and "+<p>2</p>" in diff and "--- golden/a.html" in diff
    assert tree_diff(expected, dict(expected), ("a", "b")) == ""
    big = {"x.html": "\n".join(str(i) for i in range(1000))}
    assert "more diff lines" in tree_diff(big, {"x.html": ""}, ("a", "b"))
    assert (
        normalise(f"{SAMPLE.parent}/catalog.json mlm-site {__version__}", Path("/o"))
        == "{CATALOG}/catalog.json mlm-site {VERSION}"
    )
