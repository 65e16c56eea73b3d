"""The site's full-text search: a static, sharded inverted index of the model cards.

The index page only needs the *set* of card pages that match a query (it then
filters its tiles), so the index holds no excerpts, only:

``search/index.json``
    ``{"format": 1, "docs": [page path, ...], "shards": [shard key, ...]}``:
    document number ``n`` is ``docs[n]``; ``shards`` lists the shard files that
    exist (a query term whose shard is not listed matches nothing).
``search/<key>.json``
    ``[[token, [doc, delta, delta, ...]], ...]`` sorted by token: every token
    whose first two characters (code points) give ``key``, with the sorted
    numbers of the documents holding it, delta-encoded (the first number is a
    document number, each next one the difference to the previous).
    ``key`` is the lower-case hex of those code points joined by ``-``
    (``un`` -> ``75-6e``), safe as a file name whatever the text.

The tokenizer is duplicated in ``templates/static/index.js`` (``searchFold``,
``searchTokens``, ``searchTerms``) and must stay identical;
``tests/browser/test_search_browser.py`` runs both over the same strings.

Text is folded (NFKC, case-folded, NFKD with nonspacing marks removed, NFC) and
split into words (runs of letters and digits, ``[^\\W_]`` here and
``[\\p{L}\\p{N}]`` in JavaScript). Words joined by ``- _ . ' ‐ ’`` form a
compound (``U-Net``, ``ResNet-18``, ``sentinel-2``): its parts are indexed and
so are its joined forms (``unet``; ``resnet18``; the joins from the second,
third ... part on as well, so that ``2-l2a`` finds ``sentinel-2-l2a``).
One-character tokens are dropped except the ASCII digits, tokens are cut to
:data:`MAX_TOKEN` characters. A query is folded and split the same way, a
compound counting as its full join only (``U-Net`` looks for ``unet``, which
``UNet`` and ``U-Net`` both give); every query term matches the tokens it is a
prefix of, and the terms are ANDed.
"""

from __future__ import annotations

import functools
import json
import operator
import re
import unicodedata
from collections import defaultdict, deque
from collections.abc import Iterable
from itertools import repeat
from typing import Any

from mlm_site.model import CollectionPage, ModelCard

#: Version of the file layout above (``index.json`` ``format``).
FORMAT = 1
#: Folder of the index in the site.
FOLDER = "search"
#: Longest token (code points); longer ones are cut, in the index and in queries alike.
MAX_TOKEN = 64
#: Joined forms of a compound: the join of all its parts, then from the 2nd, 3rd, ... part on.
MAX_JOINS = 4
#: Characters of card text read per card (a bound on index size for hostile catalogs).
MAX_TEXT = 100_000

_WORD = re.compile(r"[^\W_]+")
# possessive, and only from the start of a word: linear time on hostile text (10,000-letter words)
_COMPOUND = re.compile(r"(?<![^\W_])[^\W_]++(?:[-_.'\u2010\u2019][^\W_]++)+")
_JOINER = re.compile(r"[-_.'\u2010\u2019]")
_DIGITS = frozenset("0123456789")
_TAG = re.compile(r"<[^>]*>")


@functools.cache
def _nonspacing_marks() -> re.Pattern[str]:
    """Every nonspacing mark (category Mn) this Python knows, as a character class."""
    marks = [chr(cp) for cp in (*range(0x20000), *range(0xE0000, 0xE1000)) if unicodedata.category(chr(cp)) == "Mn"]
    return re.compile("[" + "".join(re.escape(m) for m in marks) + "]+")


def fold(text: str) -> str:
    """``text`` as the index compares it: NFKC, case-folded, diacritics stripped."""
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return unicodedata.normalize("NFC", _nonspacing_marks().sub("", folded))


def _keep(token: str) -> bool:
    return len(token) > 1 or token in _DIGITS


def _joins(compound: str) -> list[str]:
    parts = [p for p in _JOINER.split(compound) if p]
    return ["".join(parts[i:])[:MAX_TOKEN] for i in range(min(len(parts) - 1, MAX_JOINS))]


def _folded_tokens(folded: str) -> set[str]:
    """The reference tokenizer (regular expressions over folded text); :func:`_token_bytes` is the fast one."""
    out = {w[:MAX_TOKEN] for w in set(_WORD.findall(folded)) if _keep(w)}
    for compound in set(_COMPOUND.findall(folded)):
        out.update(j for j in _joins(compound) if _keep(j))
    return out


# The fast path works on UTF-8 bytes: ASCII separators become spaces (bytes.translate), words
# and chunks come from bytes.split; only chunks with a joiner or a non-ASCII byte go on to the
# regular expressions. Chunks are bounded by ASCII separators, which no word or compound
# crosses, so the result is that of :func:`_folded_tokens` (tests/unit/test_search.py checks).
_ALNUM = frozenset(b"0123456789abcdefghijklmnopqrstuvwxyz")
_WORD_BYTES = bytes(c if c in _ALNUM or c >= 0x80 else 0x20 for c in range(256))
_CHUNK_BYTES = bytes(c if c in _ALNUM or c >= 0x80 or c in b"-_.'" else 0x20 for c in range(256))
_SPACE_JOINERS = bytes(0x20 if c in b"-_.'" else c for c in range(256))
_COMPOUND_BYTES = re.compile(rb"(?<![a-z0-9])[a-z0-9]++(?:[-_.'][a-z0-9]++)+")
_JOINER_BYTES = re.compile(rb"[-_.']")
_LETTERS = frozenset(bytes([c]) for c in b"abcdefghijklmnopqrstuvwxyz")


def _token_bytes(text: str) -> set[bytes]:
    """The tokens of ``text``, UTF-8 encoded (whose order is the order of code points)."""
    data = fold(text).encode("utf-8", "replace")  # lone surrogates become "?", a separator like them
    chunks = set(data.translate(_CHUNK_BYTES).split())
    words = set(b" ".join(chunks).translate(_SPACE_JOINERS).split())
    odd: list[bytes] = []
    if not data.isascii():  # chunks with a non-ASCII byte go to the regular expressions over text
        odd = [c for c in chunks if not c.isascii()]
        chunks.difference_update(odd)
        words = {w for w in words if w.isascii()}
    chunks -= words  # left: chunks with a joiner
    words -= _LETTERS
    if words and max(map(len, words)) > MAX_TOKEN:
        words = {w[:MAX_TOKEN] for w in words}
    for compound in _COMPOUND_BYTES.findall(b" ".join(chunks)):
        joined = compound.translate(None, b"-_.'")
        words.add(joined[:MAX_TOKEN])
        if len(compound) - len(joined) > 1:  # three parts or more: the joins from the 2nd, 3rd... part on
            parts = _JOINER_BYTES.split(compound)
            words.update(b"".join(parts[i:])[:MAX_TOKEN] for i in range(1, min(len(parts) - 1, MAX_JOINS)))
    for chunk in odd:
        words.update(t.encode("utf-8") for t in _folded_tokens(chunk.decode("utf-8")))
    return words


def tokens(text: str) -> set[str]:
    """The tokens the index holds for ``text``: words, and the joined forms of compounds."""
    return {t.decode("utf-8") for t in _token_bytes(text)}


def query_terms(text: str) -> list[str]:
    """The terms of a query, in order, without repeats: words, and compounds as their full join."""
    out: dict[str, None] = {}
    for m in re.finditer(r"[^\W_]+(?:[-_.'\u2010\u2019][^\W_]+)*", fold(text)):
        word = "".join(p for p in _JOINER.split(m.group(0)) if p)[:MAX_TOKEN]
        if _keep(word):
            out[word] = None
    return list(out)


def shard_key(token: str) -> str:
    """The shard of a token: hex code points of its first two characters, joined by ``-``."""
    return "-".join(f"{ord(c):x}" for c in token[:2])


# --------------------------------------------------------------------------- card text


def _plain(html: str) -> str:
    """Text of sanitised HTML (tags dropped, entities decoded); only words matter here."""
    import html as _html

    return _html.unescape(_TAG.sub(" ", html))


def search_terms(card: ModelCard) -> list[str]:
    """The searchable text of a card: what someone choosing a model would type.

    Names (title, id, ``mlm:name``, collection, providers), the description,
    keywords, tasks, framework, architecture, accelerator, license, pretraining
    source, inputs (names, descriptions, bands, variables), outputs (names,
    descriptions, classes), training data titles, DOIs and citation texts.
    """
    out: list[str] = [card.title, card.id, card.name or "", card.version or ""]
    out.append(_plain(card.description_html) if card.description_html else card.summary)
    out += card.keywords
    out += card.tasks
    out += [x for x in (card.framework, card.architecture, card.accelerator, card.license, card.pretrained_source)
            if x]
    if isinstance(card.collection, CollectionPage):
        out.append(card.collection.title)
    out += [p.name for p in card.providers]
    for i in card.inputs:
        out += [i.name, i.description or ""]
        out += [x for b in i.bands for x in (b.name, b.common_name or "")]
        out += [v.name for v in i.variables]
    for o in card.outputs:
        out += [o.name, o.description or ""]
        out += o.tasks
        out += [x for b in o.bands for x in (b.name, b.common_name or "")]
        out += [v.name for v in o.variables]
        out += [x for k in o.classes for x in (k.name, k.title or "")]
    for group in card.training:
        out += [s.link.title for s in group.sources]
        out += [s.label.title for s in group.sources if s.label is not None and s.label.title]
    if card.citation is not None:
        c = card.citation
        out += [c.doi or "", c.text]
        out += [x for p in c.publications for x in (p.doi or "", p.citation or "")]
    return [t for t in out if t]


# --------------------------------------------------------------------------- the index


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _deltas(docs: list[int]) -> list[int]:
    return [docs[0], *map(operator.sub, docs[1:], docs[:-1])]


def card_tokens(texts: Iterable[str]) -> set[bytes]:
    """Every token of a card's texts (read up to :data:`MAX_TEXT` characters), UTF-8 encoded."""
    return _token_bytes("\n".join(texts)[:MAX_TEXT])


def packed_tokens(card: ModelCard) -> bytes:
    """The tokens of a card, UTF-8, sorted and joined by spaces (no token holds an ASCII separator):
    one compact value per card for the build cache, so an unchanged card is not tokenised again."""
    return b" ".join(sorted(card_tokens(search_terms(card))))


def index_files(entries: Iterable[tuple[str, Iterable[str]]]) -> dict[str, bytes]:
    """The files of the index (site path -> bytes) of ``(page path, texts)`` entries, in their order.

    The same entries always give the same bytes.
    """
    return index_packed((page, b" ".join(card_tokens(texts))) for page, texts in entries)


def index_packed(entries: Iterable[tuple[str, bytes]]) -> dict[str, bytes]:
    """:func:`index_files` of ``(page path, packed tokens)`` entries (:func:`packed_tokens`)."""
    docs: list[str] = []
    postings: defaultdict[bytes, list[int]] = defaultdict(list)
    for number, (page, packed) in enumerate(entries):
        docs.append(page)
        # postings[token].append(number) for every token, looped in C (1.8 million times for 10,000 cards)
        deque(map(list.append, map(postings.__getitem__, packed.split()), repeat(number)), maxlen=0)
    shards: dict[str, list[tuple[str, list[int]]]] = {}
    rows: list[tuple[str, list[int]]] = []
    prefix = None
    for raw in sorted(postings):  # sorted: the tokens of a shard come one after the other
        token = raw.decode("utf-8")
        if token[:2] != prefix:
            prefix = token[:2]
            rows = shards.setdefault(shard_key(prefix), [])
        rows.append((token, _deltas(postings[raw])))
    files = {f"{FOLDER}/{key}.json": _dumps(rows) for key, rows in shards.items()}
    files[f"{FOLDER}/index.json"] = _dumps({"format": FORMAT, "docs": docs, "shards": sorted(shards)})
    return dict(sorted(files.items()))


def search(files: dict[str, bytes], query: str) -> list[str]:
    """The page paths matching ``query`` in the index ``files``, as the index page finds them
    (every term a prefix of some token of the page; terms of one character match whole tokens)."""
    meta = json.loads(files[f"{FOLDER}/index.json"])
    docs: list[str] = meta["docs"]
    known = set(meta["shards"])
    hits: set[int] | None = None
    for term in query_terms(query):
        key = shard_key(term)
        found: set[int] = set()
        if key in known:
            for token, deltas in json.loads(files[f"{FOLDER}/{key}.json"]):
                if token == term or (len(term) > 1 and token.startswith(term)):
                    n = 0
                    for i, d in enumerate(deltas):
                        n = d if i == 0 else n + d
                        found.add(n)
        hits = found if hits is None else hits & found
    return sorted(docs[n] for n in hits) if hits is not None else []


__all__ = ["FOLDER", "FORMAT", "MAX_TOKEN", "fold", "index_files", "index_packed", "packed_tokens", "query_terms", "search", "search_terms",
           "shard_key", "tokens"]
