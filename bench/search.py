"""Search index benchmark: the cost of ``search/`` (mlm_site/search.py) for synthetic catalogs.

    .venv/bin/python bench/search.py [--sizes 1000 10000] [--jobs 2] [--repeat 3] [--out DIR]

For each size, the catalog (bench/generate.py, generated once under /tmp/mlm-site-bench) is
crawled and modelled as a build does (no validation: findings do not change the text), then,
timed on the wall clock and in CPU seconds of this process:

- **terms**: ``search_terms`` of every card (the card's searchable text);
- **index**: ``index_files`` over those texts (tokenizing + inverted index + JSON shards);
- **total**: both, which is what a build adds (writing the files aside).

Memory: the peak of Python allocations during terms + index (tracemalloc, a separate run,
since tracing slows Python down), and the growth of the process's peak RSS over that run.
Sizes: the total bytes of the index, its gzip size (what a server sends), the number of
shards and their size distribution, and the largest shard.

Targets: 10,000 cards indexed in under 1 s and 100 MB extra.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from _common import DEFAULT_WORKDIR, ensure_catalog, human_bytes, median

from mlm_site.build import model_site
from mlm_site.check import crawl_documents
from mlm_site.config import load_config
from mlm_site.model import ModelCard
from mlm_site.search import FOLDER, index_files, search_terms


def cards_of(catalog: Path, jobs: int) -> list[ModelCard]:
    config = load_config(None, catalog=str(catalog), output=DEFAULT_WORKDIR / "unused-search-out", offline=True)
    t0 = time.perf_counter()
    graph = model_site(crawl_documents(config), {}, jobs=jobs)
    print(f"# modelled {len(graph.cards)} cards in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return sorted(graph.cards, key=lambda c: c.page)


def timed(cards: list[ModelCard]) -> tuple[float, float, float, float, dict[str, bytes]]:
    """(terms wall, terms cpu, index wall, index cpu, files)."""
    w0, c0 = time.perf_counter(), time.process_time()
    entries = [(c.page, search_terms(c)) for c in cards]
    w1, c1 = time.perf_counter(), time.process_time()
    files = index_files(entries)
    w2, c2 = time.perf_counter(), time.process_time()
    return w1 - w0, c1 - c0, w2 - w1, c2 - c1, files


def memory(cards: list[ModelCard]) -> tuple[int, int]:
    """(peak traced Python allocations, growth of peak RSS) of terms + index."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    files = index_files([(c.page, search_terms(c)) for c in cards])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    del files
    return peak, after - before


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--jobs", type=int, default=2, help="workers for modelling the cards (not timed)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    ap.add_argument("--out", type=Path, help="also write the index of the largest size here")
    args = ap.parse_args()

    rows = []
    for size in args.sizes:
        cards = cards_of(ensure_catalog(args.workdir, size), args.jobs)
        # memory first, before timing runs have grown the peak RSS
        traced, rss_growth = memory(cards)
        runs = [timed(cards) for _ in range(args.repeat)]
        files = runs[-1][4]
        shards = {k: v for k, v in files.items() if k != f"{FOLDER}/index.json"}
        sizes = sorted(len(v) for v in shards.values())
        largest = max(shards, key=lambda k: len(shards[k]))
        key = largest.rsplit("/", 1)[1][:-5]
        prefix = "".join(chr(int(h, 16)) for h in key.split("-"))
        total = sum(len(v) for v in files.values())
        gz = sum(len(gzip.compress(v, 6)) for v in files.values())
        meta = json.loads(files[f"{FOLDER}/index.json"])
        postings = sum(1 for v in shards.values() for _, ds in json.loads(v) for _ in ds)
        tokens = sum(len(json.loads(v)) for v in shards.values())
        rows.append({
            "cards": size,
            "terms_s": median([r[0] for r in runs]), "terms_cpu_s": median([r[1] for r in runs]),
            "index_s": median([r[2] for r in runs]), "index_cpu_s": median([r[3] for r in runs]),
            "traced_peak": traced, "rss_growth": rss_growth,
            "files": len(files), "total": total, "gzip": gz, "index_json": len(files[f"{FOLDER}/index.json"]),
            "shards": len(shards), "shard_median": statistics.median(sizes), "shard_p90": sizes[int(len(sizes) * 0.9)],
            "largest": f"{largest} ({prefix!r}) {human_bytes(len(shards[largest]))}",
            "tokens": tokens, "postings": postings, "docs": len(meta["docs"]),
        })
        if args.out is not None and size == max(args.sizes):
            for rel, data in files.items():
                (args.out / rel).parent.mkdir(parents=True, exist_ok=True)
                (args.out / rel).write_bytes(data)

    for r in rows:
        print(f"\n## {r['cards']} cards ({r['docs']} documents, {r['tokens']} distinct tokens, {r['postings']} postings)")
        print(f"search_terms  {r['terms_s']:.3f} s wall  {r['terms_cpu_s']:.3f} s CPU")
        print(f"index_files   {r['index_s']:.3f} s wall  {r['index_cpu_s']:.3f} s CPU")
        print(f"total         {r['terms_s'] + r['index_s']:.3f} s wall  {r['terms_cpu_s'] + r['index_cpu_s']:.3f} s CPU"
              f"  (median of {args.repeat})")
        print(f"memory        {human_bytes(r['traced_peak'])} peak Python allocations (tracemalloc), "
              f"peak RSS +{human_bytes(r['rss_growth'])}")
        print(f"size          {r['files']} files, {human_bytes(r['total'])} ({human_bytes(r['gzip'])} gzipped); "
              f"index.json {human_bytes(r['index_json'])}")
        print(f"shards        {r['shards']}: median {human_bytes(r['shard_median'])}, 90th percentile "
              f"{human_bytes(r['shard_p90'])}, largest {r['largest']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
