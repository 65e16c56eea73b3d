"""The build cache's store of view-models: appended to, compacted, robust to damage."""

from __future__ import annotations

import pickle
from pathlib import Path

from mlm_site.cache import BuildCache


def _cache(tmp_path: Path, inputs: str = "inputs-1", clean: bool = False) -> BuildCache:
    out = tmp_path / "site"
    out.mkdir(exist_ok=True)
    return BuildCache(out, tmp_path / "cache", inputs, clean=clean)


def _batches(path: Path) -> int:
    n = 0
    with open(path, "rb") as fh:
        while True:
            try:
                pickle.load(fh)
            except EOFError:
                return n
            n += 1


def test_models_are_appended_then_compacted(tmp_path: Path) -> None:
    first = _cache(tmp_path)
    for i in range(200):
        first.keep_model(f"k{i}", b"model %d" % i)
    first.save_models()
    assert _batches(first.models_path) == 1

    second = _cache(tmp_path)  # one model changed: one small batch appended, the rest left as is
    assert second.old_model("k7") == b"model 7" and second.old_model("nope") is None
    for i in range(200):
        key = "k-new" if i == 7 else f"k{i}"
        second.keep_model(key, second.old_model(key) or b"changed")
    size = second.models_path.stat().st_size
    second.save_models()
    assert _batches(second.models_path) == 2 and second.models_path.stat().st_size < size + 200
    assert second.old_model("k1") is None  # let go of after saving

    third = _cache(tmp_path)
    assert third.old_model("k-new") == b"changed" and third.old_model("k7") == b"model 7"
    for i in range(100):  # most models gone: the file is written afresh with the live ones only
        third.keep_model(f"k{i}", b"model %d" % i)
    third.save_models()
    assert _batches(third.models_path) == 1
    fourth = _cache(tmp_path)
    assert fourth.old_model("k99") == b"model 99" and fourth.old_model("k150") is None
    assert fourth.old_model("k-new") is None


def test_damaged_or_foreign_model_files_are_not_trusted(tmp_path: Path) -> None:
    first = _cache(tmp_path)
    first.keep_model("a", b"A")
    first.save_models()
    with open(first.models_path, "ab") as fh:  # a build killed while appending
        fh.write(b"\x80\x05garbage")
    second = _cache(tmp_path)
    assert second.old_model("a") == b"A"
    second.keep_model("a", b"A")
    second.keep_model("b", b"B")
    second.save_models()  # rewritten whole: an append after the damage would never be read
    assert _batches(second.models_path) == 1
    assert _cache(tmp_path).old_model("b") == b"B"
    assert _cache(tmp_path, inputs="other options").old_model("a") is None
    assert _cache(tmp_path, clean=True).old_model("a") is None


def test_caches_of_folders_not_built_for_a_month_are_deleted(tmp_path: Path) -> None:
    import os
    import time

    cache = _cache(tmp_path)
    folder = cache.path.parent
    folder.mkdir(parents=True)
    old = [folder / "0123456789abcdef01234567.pickle", folder / "0123456789abcdef01234567.models.pickle"]
    recent = folder / "76543210fedcba9876543210.pickle"
    other = folder / "notes.txt"  # not ours: never touched
    for path in [*old, recent, other]:
        path.write_bytes(b"x")
    month_ago = time.time() - 31 * 86400
    for path in [*old, other]:
        os.utime(path, (month_ago, month_ago))
    cache.keep_model("k", b"v")
    cache.save()
    assert not any(p.exists() for p in old)
    assert recent.exists() and other.exists() and cache.path.exists() and cache.models_path.exists()
