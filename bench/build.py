"""Build benchmarks: full builds, rebuilds, remote crawl; stac-validator as the baseline.

    .venv/bin/python bench/build.py [--sizes 1000 10000] [--jobs 2] [--repeat 3] [--sv-sample 200]
                                    [--remote-items 1000] [--latency 0.02] [--no-identical]

Cases (each a ``mlm-site build`` child process, timed on the wall clock, with the
peak resident memory of its whole process tree sampled every 50 ms):

- **full**: a build into an empty folder (crawl, validate, lint, model, render,
  write, search index when present), ``--jobs N``;
- **rebuild, nothing changed**: the same build again into the same folder;
- **rebuild, one item changed**: one item's description edited, then a build
  into the same folder; with ``--identical`` (default) the result is compared
  byte for byte with a full build of the edited catalog into an empty folder;
- **remote crawl**: the crawl of ``--remote-items`` items served by a local HTTP
  server on 127.0.0.1 that answers each request after ``--latency`` seconds
  (in-process, with the crawler the build uses);
- **stac-validator**: its time to only validate the same catalog (a sample of
  ``--sv-sample`` items, extrapolated), for scale.

Targets (issue 7): 10,000 items <= 30 s and <= 1.5 GB; 1,000 items <= 4 s;
rebuild unchanged <= 10 % and one item changed <= 15 % of the full build;
remote 1,000 items <= 5 s. Times are medians of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import (
    DEFAULT_SCHEMAS,
    DEFAULT_WORKDIR,
    ROOT,
    du,
    ensure_catalog,
    human_bytes,
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


def tree_digest(folder: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath) / name
            out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


class SlowServer:
    """``bench/slow_server.py`` in a child process (so that serving costs the crawler no CPU)."""

    def __init__(self, folder: Path, latency: float, lifetime: float = 900) -> None:
        self.args = [
            sys.executable,
            str(Path(__file__).with_name("slow_server.py")),
            str(folder),
            "--latency",
            str(latency),
            "--lifetime",
            str(lifetime),
        ]

    def __enter__(self) -> SlowServer:
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def remote_crawl(catalog: Path, latency: float) -> tuple[float, int]:
    from mlm_site.crawl import Fetcher, crawl

    with SlowServer(catalog.parent, latency) as server:
        fetcher = Fetcher(timeout=20.0)
        t0 = time.perf_counter()
        docs = list(crawl(f"{server.url}/catalog.json", fetcher))
        seconds = time.perf_counter() - t0
        fetcher.close()
    unread = sum(1 for d in docs if d.raw is None)
    if unread:
        print(f"# WARNING: remote crawl could not read {unread} documents", file=sys.stderr)
    return seconds, len(docs)


def build_cmd(catalog: Path, out: Path, jobs: int, schemas: str) -> list[str]:
    return mlm_site_cmd(
        "build",
        str(catalog),
        "-o",
        str(out),
        "--offline",
        "--schemas",
        schemas,
        "--jobs",
        str(jobs),
        "--fail-on",
        "never",
        "-q",
    )


def measure(
    label: str,
    catalog: Path,
    out: Path,
    n: int,
    args: argparse.Namespace,
    env: dict[str, str],
    fresh: bool,
    target: str,
) -> tuple[float, list[object]]:
    """Median wall time of ``--repeat`` builds of ``catalog`` into ``out`` (emptied first when ``fresh``)."""
    runs = []
    for _ in range(args.repeat):
        if fresh and out.exists():
            shutil.rmtree(out)
        r = run_measured(build_cmd(catalog, out, args.jobs, args.schemas), env=env)
        if r.returncode not in (0, 1):
            print(r.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"build failed ({label}, exit {r.returncode})")
        runs.append(r)
    secs = median([r.seconds for r in runs])
    peak = max(r.peak_tree_rss for r in runs)
    cpu = median([r.cpu for r in runs])
    print(f"# {n} {label}: {[round(r.seconds, 2) for r in runs]}", file=sys.stderr)
    return secs, [
        label,
        n,
        f"{secs:.2f}",
        f"{cpu:.2f}",
        f"{n / secs:,.0f}",
        human_bytes(peak),
        human_bytes(du(out)),
        target,
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description="Build benchmarks of mlm-site.")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sv-sample", type=int, default=200)
    ap.add_argument("--remote-items", type=int, default=1000, help="0 to skip the remote crawl")
    ap.add_argument("--latency", type=float, default=0.02, help="server delay per request, seconds [0.02]")
    ap.add_argument("--no-identical", action="store_true", help="skip the rebuild == full build check")
    ap.add_argument("--schemas", default=DEFAULT_SCHEMAS)
    ap.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000", MLM_SITE_SCHEMAS=args.schemas)
    print(f"# machine: {machine()}")
    rows: list[list[object]] = []
    notes: list[str] = []

    for size in args.sizes:
        catalog = ensure_catalog(args.workdir, size, args.seed)
        items = item_files(catalog)
        n = len(items)
        out = args.workdir / f"site-{size}"

        full_target = "<= 30 s, <= 1.5 GB" if size >= 10000 else ("<= 4 s" if size <= 1000 else "")
        full, row = measure(f"full build --jobs {args.jobs}", catalog, out, n, args, env, True, full_target)
        rows.append(row)
        _, row = measure(
            "rebuild, nothing changed", catalog, out, n, args, env, False, f"<= {0.10 * full:.2f} s (10 %)"
        )
        rows.append(row)

        # one item changed (a different item each time), restored afterwards
        victims = sample(items, args.repeat, args.seed + 1)
        originals = {p: p.read_bytes() for p in victims}
        times: list[float] = []
        cpus: list[float] = []
        try:
            for i, victim in enumerate(victims):
                text = originals[victim].decode("utf-8")
                victim.write_text(
                    text.replace('"description": "## ', f'"description": "## (edited {i}) ', 1),
                    encoding="utf-8",
                )
                r = run_measured(build_cmd(catalog, out, args.jobs, args.schemas), env=env)
                if r.returncode not in (0, 1):
                    raise SystemExit(f"build failed (one item changed): {r.stderr[-3000:]}")
                times.append(r.seconds)
                cpus.append(r.cpu)
                victim.write_bytes(originals[victim])
                if i == len(victims) - 1 and not args.no_identical:
                    victim.write_text(
                        text.replace('"description": "## ', f'"description": "## (edited {i}) ', 1),
                        encoding="utf-8",
                    )
                    check = args.workdir / f"site-{size}-check"
                    if check.exists():
                        shutil.rmtree(check)
                    r2 = run_measured(build_cmd(catalog, check, args.jobs, args.schemas), env=env)
                    if r2.returncode not in (0, 1):
                        raise SystemExit(f"build failed (identity check): {r2.stderr[-3000:]}")
                    a, b = tree_digest(out), tree_digest(check)
                    diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
                    notes.append(
                        f"{size}: rebuild after one change {'==' if not diff else '!='} full build"
                        + (f" ({len(diff)} files differ, e.g. {diff[:3]})" if diff else "")
                    )
                    shutil.rmtree(check)
        finally:
            for p, data in originals.items():
                p.write_bytes(data)
        secs = median(times)
        rows.append(
            [
                "rebuild, one item changed",
                n,
                f"{secs:.2f}",
                f"{median(cpus):.2f}",
                f"{n / secs:,.0f}",
                "",
                human_bytes(du(out)),
                f"<= {0.15 * full:.2f} s (15 %)",
            ]
        )

        sv_files = sample(items, args.sv_sample, args.seed) if args.sv_sample else items
        sv = stac_validator(sv_files, args.schemas)
        sv_secs = n * sv["seconds"] / sv["files"]
        rows.append(
            [
                f"stac-validator {sv.get('version', '?')} (validate only)",
                n,
                f"{sv_secs:.2f}",
                "",
                f"{n / sv_secs:,.1f}",
                "",
                "",
                f"{len(sv_files)} sampled, extrapolated" if len(sv_files) < n else "all items",
            ]
        )
        if out.exists():
            shutil.rmtree(out)

    if args.remote_items:
        catalog = ensure_catalog(args.workdir, args.remote_items, args.seed)
        runs = [remote_crawl(catalog, args.latency) for _ in range(args.repeat)]
        secs = median([s for s, _ in runs])
        docs = runs[0][1]
        rows.append(
            [
                f"remote crawl, {args.latency * 1000:.0f} ms/request",
                args.remote_items,
                f"{secs:.2f}",
                "",
                f"{args.remote_items / secs:,.0f}",
                "",
                "",
                f"<= 5 s ({docs} requests; one at a time {docs * args.latency:.0f} s)",
            ]
        )

    print()
    print_table(["case", "items", "seconds", "CPU s", "items/s", "peak RSS", "output", "target / note"], rows)
    for note in notes:
        print(f"# {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
