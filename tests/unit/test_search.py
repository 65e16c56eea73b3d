"""The built-in search index (mlm_site/search.py): tokenizer, index files, prefix lookup,
hostile text, and the index of the sample site."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlm_site.search import (
    FOLDER,
    MAX_TOKEN,
    fold,
    index_files,
    index_packed,
    packed_tokens,
    query_terms,
    search,
    search_terms,
    shard_key,
    tokens,
)

SAFE_NAME = re.compile(r"[0-9a-f]+(?:-[0-9a-f]+)?\.json|index\.json")


def test_fold_normalises_case_width_and_diacritics() -> None:
    assert fold("École") == "ecole"
    assert fold("STRASSE") == fold("Straße") == "strasse"
    assert fold("ＵＮｅｔ") == "unet"  # full-width (NFKC)
    assert fold("ﬁeld") == "field"  # ligature
    assert fold("ΟΔΟΣ") == fold("οδος")  # final sigma
    assert fold("Ångström") == "angstrom"


def test_tokens_split_words_and_join_compounds() -> None:
    assert tokens("U-Net") == {"net", "unet"}  # "u" alone is dropped
    assert tokens("ResNet-18 backbone") == {"resnet", "18", "resnet18", "backbone"}
    assert tokens("Sentinel-2-L2A") == {"sentinel", "2", "l2a", "sentinel2l2a", "2l2a"}
    assert tokens("7 km, a b c") == {"7", "km"}  # one letter: dropped; one digit: kept
    assert tokens("hello_world foo.bar") == {"hello", "world", "helloworld", "foo", "bar", "foobar"}
    assert tokens("") == set() and tokens("  -- !! ") == set()


def test_query_terms_use_the_joined_form_of_compounds() -> None:
    assert query_terms("U-Net") == ["unet"]
    assert query_terms("unet UNet u-net") == ["unet"]
    assert query_terms("Sentinel-2 land cover 7 a") == ["sentinel2", "land", "cover", "7"]
    assert query_terms("?") == []


def test_tokens_of_hostile_text() -> None:
    assert tokens("../../etc/passwd") == {"etc", "passwd"}
    assert tokens("a\x00b\x00cd") == {"cd"}
    assert tokens("<script>alert(1)</script>") == {"script", "alert", "1"}
    assert tokens("نموذج تصنيف") == {"نموذج", "تصنيف"}  # RTL text stays words
    assert tokens("\u202eevil\u202c") == {"evil"}  # bidi controls are separators
    assert tokens("🛰️ satellite 🌍") == {"satellite"}
    assert tokens("\ud800lone surrogate") == {"lone", "surrogate"}
    long = "x" * 10_000
    assert tokens(long) == {"x" * MAX_TOKEN}
    assert tokens("-".join(["ab"] * 5000)) == {"ab", "ab" * (MAX_TOKEN // 2)}  # joins are cut too


def test_shard_keys_are_safe_file_names() -> None:
    assert shard_key("unet") == "75-6e"
    assert shard_key("7") == "37"
    assert shard_key("東京") == "6771-4eac"
    assert shard_key("𝔘𝔫") == "1d518-1d52b"  # astral characters: code points, not UTF-16 halves
    for token in ("..", "/x", "\x00a", "a\\", "con", "ñ"):
        assert re.fullmatch(r"[0-9a-f]+(-[0-9a-f]+)?", shard_key(token))


ENTRIES = [
    ("models/a/index.html", ["Alpine U-Net", "Land cover of the Alps from Sentinel-2"]),
    ("models/b/index.html", ["Vessel detector", "YOLOv8 on Sentinel-1 radar, 7 km swaths"]),
    ("models/c/index.html", ["Downscaler", "ERA5 to 7 km for Québec (residual UNet)"]),
]


def test_index_files_layout() -> None:
    files = index_files(ENTRIES)
    meta = json.loads(files[f"{FOLDER}/index.json"])
    assert meta["format"] == 1
    assert meta["docs"] == [p for p, _ in ENTRIES]
    assert sorted(f"{FOLDER}/{k}.json" for k in meta["shards"]) == sorted(f for f in files if f != f"{FOLDER}/index.json")
    for name in files:
        assert name.startswith(FOLDER + "/") and SAFE_NAME.fullmatch(name.split("/", 1)[1]), name
    rows = json.loads(files[f"{FOLDER}/{shard_key('unet')}.json"])
    assert rows == sorted(rows)
    assert dict(rows)["unet"] == [0, 2]  # documents 0 and 2, delta-encoded
    assert dict(json.loads(files[f"{FOLDER}/{shard_key('sentinel')}.json"]))["sentinel"] == [0, 1]


def test_index_files_are_deterministic() -> None:
    first = index_files(ENTRIES)
    again = index_files([(p, list(t)) for p, t in ENTRIES])
    assert first == again
    assert list(first) == sorted(first)
    assert index_files(reversed(ENTRIES)) != first  # the order of the entries gives the document numbers


def test_prefix_lookup_and_and() -> None:
    files = index_files(ENTRIES)
    assert search(files, "sent") == ["models/a/index.html", "models/b/index.html"]
    assert search(files, "sentinel-2") == ["models/a/index.html"]
    assert search(files, "U-Net") == ["models/a/index.html", "models/c/index.html"]
    assert search(files, "quebec") == search(files, "QUÉBEC") == ["models/c/index.html"]
    assert search(files, "7 km") == ["models/b/index.html", "models/c/index.html"]
    assert search(files, "unet alps") == ["models/a/index.html"]  # AND
    assert search(files, "unet vessel") == []
    assert search(files, "zzz") == []
    assert search(files, "a") == []  # no usable term
    assert search(files, "1") == ["models/b/index.html"]  # one character: whole tokens only ("sentinel-1")


def test_one_digit_terms_match_whole_tokens() -> None:
    files = index_files([("p/index.html", ["Sentinel-1", "18 bands"])])
    assert search(files, "1") == ["p/index.html"]
    assert search(files, "8") == []  # not a prefix search: "8" is no token
    assert search(files, "18") == ["p/index.html"]


def test_index_of_hostile_entries() -> None:
    hostile = [
        ("models/x/index.html", ["../../etc", "\x00\x00", "مرحبا بالعالم", "🛰️🌍", "y" * 10_000]),
        ("models/y/index.html", ["\u202e\u2066", "a" * 3 + "\ud800"]),
    ]
    files = index_files(hostile)
    for name, data in files.items():
        assert SAFE_NAME.fullmatch(name.split("/", 1)[1]), name
        json.loads(data.decode("utf-8"))
        assert b"\x00" not in data
    assert search(files, "etc") == ["models/x/index.html"]
    assert search(files, "مرحبا") == ["models/x/index.html"]
    assert search(files, "yyyy") == ["models/x/index.html"]
    assert search(files, "y" * 200) == ["models/x/index.html"]  # cut like the index
    assert search(files, "aaa") == ["models/y/index.html"]


def test_empty_index() -> None:
    files = index_files([])
    assert json.loads(files[f"{FOLDER}/index.json"]) == {"docs": [], "format": 1, "shards": []}
    assert search(files, "anything") == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=80), max_size=6))
def test_every_token_of_a_document_finds_it(texts: list[str]) -> None:
    files = index_files([("d/index.html", texts)])
    assert files == index_files([("d/index.html", texts)])
    for token in tokens("\n".join(texts)):
        assert search(files, token) == ["d/index.html"], token


def test_search_terms_of_a_card(sample_site: Path) -> None:
    from mlm_site.build import model_site
    from mlm_site.check import crawl_documents
    from mlm_site.config import load_config

    from ..conftest import SAMPLE

    config = load_config(None, catalog=str(SAMPLE), output=sample_site.parent / "unused", offline=True)
    graph = model_site(crawl_documents(config), {})
    card = next(c for c in graph.cards if c.page == "models/s2-landuse-resnet18/index.html")
    words = tokens("\n".join(search_terms(card)))
    assert {"resnet18", "sentinel2", "pytorch", "classification"} <= words
    assert card.id.lower() in {fold(t) for t in search_terms(card)}
    if card.collection is not None:
        assert tokens(card.collection.title) <= words
    for k in (k for o in card.outputs for k in o.classes):
        assert tokens(k.title or k.name) <= words
    # the packed form the build cache keeps gives the index of the texts, byte for byte
    packed = packed_tokens(card)
    assert {t.decode() for t in packed.split(b" ")} == words
    entries = sorted(graph.cards, key=lambda c: c.page)
    assert index_packed((c.page, packed_tokens(c)) for c in entries) == index_files(
        (c.page, search_terms(c)) for c in entries)


def test_sample_site_has_the_index(sample_site: Path) -> None:
    folder = sample_site / FOLDER
    files = {f"{FOLDER}/{p.name}": p.read_bytes() for p in folder.iterdir()}
    meta = json.loads(files[f"{FOLDER}/index.json"])
    assert len(meta["docs"]) == 10 and all((sample_site / d).is_file() for d in meta["docs"])
    assert search(files, "Labrador") == ["models/era5-quebec-downscaler/index.html"]
    assert not (sample_site / "pagefind").exists()
    with pytest.raises(KeyError):
        files[f"{FOLDER}/{shard_key('qqqq')}.json"]


JOINERY = st.text(alphabet="ab1-_.' \n,é–\u2010\u2019Z9xΣß東\x00", max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.one_of(JOINERY, st.text(max_size=60)))
def test_fast_tokenizer_is_the_reference_one(text: str) -> None:
    from mlm_site.search import _folded_tokens

    assert tokens(text) == _folded_tokens(fold(text))


def test_hostile_text_is_tokenized_in_linear_time() -> None:
    import time

    started = time.process_time()
    for text in ("x" * 100_000, "a-" * 50_000, "é" * 100_000 + "-x", "ab." * 30_000, "é-" * 50_000):
        tokens(text)
        query_terms(text)
    assert time.process_time() - started < 5
