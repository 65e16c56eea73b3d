"""Validation throughput: ``mlm-site validate`` against stac-validator, on the same synthetic catalogs.

    .venv/bin/python bench/validate.py [--sizes 1000 10000] [--repeat 3] [--sv-sample 200]
                                       [--schemas DIR] [--workdir DIR] [--profile FILE]

For each size it generates (once, cached in ``--workdir``) a catalog of MLM
items with ``bench/generate.py`` and prints items per second for

- mlm-site in-process (``validate_paths``, what ``mlm-site validate`` runs): wall
  time, and CPU time (user + system, the worker processes included: on a shared
  machine it says more than the wall time); then the work split into crawl,
  JSON Schema and best-practice rules, each step run on its own in one process
  (CPU work, not the wall time of the parallel run);
- the ``mlm-site validate --format json`` command (wall time, imports and the
  JSON report included; and its CPU time);
- stac-validator (pinned in the ``bench`` extra), offline against the same schema
  mirror (see ``bench/stac_validator_offline.py``), on a random sample of
  ``--sv-sample`` items of the same catalog, extrapolated to the catalog (it
  validates files one by one, so its time is linear in the number of items);
  ``--sv-sample 0`` validates every item.

Times are medians of ``--repeat`` runs. The target (issue 3) is at least 100 x
stac-validator on 10,000 items.
"""

from __future__ import annotations

import argparse
import gc
import math
import resource
import sys
import time
from pathlib import Path

from _common import (
    DEFAULT_SCHEMAS,
    DEFAULT_WORKDIR,
    ROOT,
    ensure_catalog,
    item_files,
    machine,
    median,
    mlm_site_cmd,
    print_table,
    run_measured,
    sample,
    stac_validator,
)

sys.path.insert(0, str(ROOT))


def cpu_seconds() -> float:
    """User + system CPU of this process and of its waited-for children (the forked workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def in_process(catalog: Path, schemas: str) -> dict[str, float]:
    """One in-process run of ``validate_paths``: wall and CPU seconds (the workers included)."""
    from mlm_site.check import validate_paths
    from mlm_site.config import load_config

    config = load_config(None, catalog=str(catalog), schemas=Path(schemas), offline=True)
    c0, t0 = cpu_seconds(), time.perf_counter()
    report = validate_paths([str(catalog)], config)
    total = time.perf_counter() - t0
    cpu = cpu_seconds() - c0
    errors = report.summary()["findings"]["error"]
    return {"total": total, "cpu": cpu, "documents": float(len(report.documents)), "errors": float(errors)}


def split(catalog: Path, schemas: str) -> dict[str, float]:
    """The crawl / schema / rules split, each step on its own in this process: CPU work, not the
    wall time of the parallel run. Run after the timed runs (the rules remember the last catalog,
    here of whole documents, which would weigh on the runs after it)."""
    from mlm_site.check import make_store
    from mlm_site.config import load_config
    from mlm_site.crawl import Fetcher, crawl
    from mlm_site.validate.rules import run_rules
    from mlm_site.validate.schema import SchemaValidator

    config = load_config(None, catalog=str(catalog), schemas=Path(schemas), offline=True)
    t0 = time.perf_counter()
    fetcher = Fetcher()
    docs = list(crawl(str(catalog), fetcher))
    fetcher.close()
    t_crawl = time.perf_counter() - t0
    store = make_store(config)
    validator = SchemaValidator(store)
    gc.freeze()  # as in the workers: the collector leaves the parsed documents alone
    t0 = time.perf_counter()
    for d in docs:
        if d.raw is not None and d.kind is not None:
            validator.validate(d.raw, d.href)
    t_schema = time.perf_counter() - t0
    store.close()
    catalog_map = {d.href: d.raw for d in docs if d.raw is not None and d.kind is not None}
    t0 = time.perf_counter()
    for d in docs:
        if d.raw is not None and d.kind is not None:
            run_rules(d.raw, d.href, catalog_map)
    t_rules = time.perf_counter() - t0
    gc.unfreeze()
    return {"crawl": t_crawl, "schema": t_schema, "rules": t_rules}


def row(n: int, sv_rate: float, tool: str, seconds: float, note: str = "") -> list[object]:
    rate = n / seconds if math.isfinite(seconds) and seconds > 0 else float("nan")
    return [n, tool, f"{seconds:.2f}", f"{rate:,.0f}", f"{rate / sv_rate:,.0f}x", note]


def main() -> int:
    ap = argparse.ArgumentParser(description="Validation throughput: mlm-site against stac-validator.")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median) [3]")
    ap.add_argument(
        "--sv-sample", type=int, default=200, help="items validated by stac-validator (0: all) [200]"
    )
    ap.add_argument("--schemas", default=DEFAULT_SCHEMAS, help="schema mirror [MLM_SITE_SCHEMAS]")
    ap.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-cli", action="store_true", help="skip the command-line runs")
    ap.add_argument(
        "--profile", type=Path, help="write a pyinstrument profile of the largest in-process run here"
    )
    args = ap.parse_args()

    print(f"# machine: {machine()}")
    rows: list[list[object]] = []
    for size in args.sizes:
        catalog = ensure_catalog(args.workdir, size, args.seed)
        items = item_files(catalog)
        n = len(items)

        runs = [in_process(catalog, args.schemas) for _ in range(args.repeat)]
        med = {k: median([r[k] for r in runs]) for k in runs[0]}
        if med["errors"]:
            print(f"# WARNING: {med['errors']:.0f} error findings on the synthetic catalog", file=sys.stderr)

        cli_s = float("nan")
        if not args.no_cli:
            cli_runs = []
            cli_cpu = []
            for _ in range(args.repeat):
                r = run_measured(
                    mlm_site_cmd(
                        "validate",
                        str(catalog),
                        "--offline",
                        "--schemas",
                        args.schemas,
                        "--format",
                        "json",
                        "--fail-on",
                        "never",
                    )
                )
                if r.returncode != 0:
                    print(r.stderr[-2000:], file=sys.stderr)
                cli_runs.append(r.seconds)
                cli_cpu.append(r.cpu)
            cli_s = median(cli_runs)

        splits = [split(catalog, args.schemas) for _ in range(args.repeat)]
        med.update({k: median([r[k] for r in splits]) for k in splits[0]})

        files = sample(items, args.sv_sample, args.seed) if args.sv_sample else items
        sv = stac_validator(files, args.schemas)
        sv_rate = sv["files"] / sv["seconds"]
        sv_total = n / sv_rate
        how = "all" if len(files) == n else f"{len(files)} sampled, extrapolated"

        rows.append(
            row(
                n,
                sv_rate,
                "mlm-site validate (in-process)",
                med["total"],
                f"CPU {med['cpu']:.2f} s (workers included); one process: crawl {med['crawl']:.2f} s, "
                f"schema {med['schema']:.2f} s, rules {med['rules']:.2f} s",
            )
        )
        if not args.no_cli:
            rows.append(
                row(
                    n, sv_rate, "mlm-site validate (CLI wall)", cli_s,
                    f"imports and JSON report included; CPU {median(cli_cpu):.2f} s",
                )
            )
        rows.append(
            row(
                n,
                sv_rate,
                f"stac-validator {sv.get('version', '?')}",
                sv_total,
                f"{how}; {int(sv['valid'])}/{int(sv['files'])} valid",
            )
        )
        print(f"# {size}: done (median of {args.repeat})", file=sys.stderr)

    print()
    print_table(["items", "tool", "seconds", "items/s", "vs stac-validator", "notes"], rows)

    if args.profile:
        from pyinstrument import Profiler

        catalog = ensure_catalog(args.workdir, max(args.sizes), args.seed)
        profiler = Profiler()
        profiler.start()
        in_process(catalog, args.schemas)
        profiler.stop()
        args.profile.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        print(f"# profile written to {args.profile}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
