"""Helpers shared by the benchmark scripts: catalogs, timed child processes, tables."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_WORKDIR = Path(os.environ.get("MLM_SITE_BENCH_DIR", "/tmp/mlm-site-bench"))
DEFAULT_SCHEMAS = os.environ.get("MLM_SITE_SCHEMAS") or str(ROOT.parent / "shared" / "schemas")

sys.path.insert(0, str(BENCH))
from generate import generate  # noqa: E402  (bench/ is not a package)


def _generator_digest() -> str:
    h = hashlib.sha256((BENCH / "generate.py").read_bytes())
    for path in sorted((ROOT / "sample_catalog").rglob("*.json")):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def ensure_catalog(workdir: Path, items: int, seed: int = 0) -> Path:
    """The root ``catalog.json`` of a synthetic catalog of ``items`` items (generated once, reused)."""
    folder = workdir / f"catalog-{items}-s{seed}"
    marker = folder / ".generated"
    stamp = f"{items} {seed} {_generator_digest()}"
    if not (marker.is_file() and marker.read_text() == stamp):
        if folder.exists():
            shutil.rmtree(folder)
        t0 = time.perf_counter()
        generate(folder, items, seed)
        marker.write_text(stamp)
        print(f"# generated {items} items in {folder} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return folder / "catalog.json"


def item_files(catalog: Path) -> list[Path]:
    return sorted(p for p in catalog.parent.glob("orgs/*/*/*/*.json"))


def sample(paths: Sequence[Path], n: int, seed: int = 0) -> list[Path]:
    if n >= len(paths):
        return list(paths)
    return sorted(random.Random(seed).sample(list(paths), n))


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def du(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of ``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry}/statm", "rb") as fh:
                resident = int(fh.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        ppid = int(stat[1])
        children.setdefault(ppid, []).append(int(entry))
        # proportional set size: forked workers share the parent's pages copy-on-write,
        # and summing their RSS would count those pages once per process
        try:
            with open(f"/proc/{entry}/smaps_rollup", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Pss:"):
                        resident = int(line.split()[1]) * 1024
                        break
        except OSError:
            pass
        rss[int(entry)] = resident
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


@dataclass
class Run:
    seconds: float
    returncode: int
    peak_tree_rss: int  # sampled sum over the process tree (every 50 ms)
    max_rss: int  # largest single process of the tree (wait4)
    cpu: float  # user + system CPU seconds of the tree (its waited-for descendants included)
    stdout: str
    stderr: str


def run_measured(cmd: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 3600) -> Run:
    """Run ``cmd``; wall time, exit code, peak memory of its process tree."""
    out_path = DEFAULT_WORKDIR / f".out-{os.getpid()}"
    err_path = DEFAULT_WORKDIR / f".err-{os.getpid()}"
    DEFAULT_WORKDIR.mkdir(parents=True, exist_ok=True)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, env=env)
        peak = 0
        done = threading.Event()

        def poll() -> None:
            nonlocal peak
            while not done.wait(0.05):
                peak = max(peak, _tree_rss(proc.pid))

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        deadline = t0 + timeout
        status = None
        while status is None:
            pid, st, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                status = (st, usage)
                break
            if time.perf_counter() > deadline:
                proc.kill()
            time.sleep(0.01)
        seconds = time.perf_counter() - t0
        done.set()
        poller.join()
        proc.returncode = os.waitstatus_to_exitcode(status[0])
    max_rss = status[1].ru_maxrss * 1024
    return Run(
        seconds=seconds,
        returncode=proc.returncode,
        peak_tree_rss=max(peak, max_rss),
        max_rss=max_rss,
        cpu=status[1].ru_utime + status[1].ru_stime,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
    )


def mlm_site_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "mlm_site", *args]


def stac_validator(files: Sequence[Path], schemas: str) -> dict[str, float]:
    """Validate ``files`` with stac-validator offline (in a child process): its timings and verdicts."""
    listing = DEFAULT_WORKDIR / f".sv-files-{os.getpid()}.txt"
    listing.write_text("\n".join(str(p) for p in files) + "\n")
    run = run_measured(
        [
            sys.executable,
            str(BENCH / "stac_validator_offline.py"),
            "--mirror",
            schemas,
            "--files",
            str(listing),
        ]
    )
    if run.returncode != 0:
        raise RuntimeError(f"stac-validator harness failed: {run.stderr[-2000:]}")
    result: dict[str, float] = json.loads(run.stdout.strip().splitlines()[-1])
    result["wall"] = run.seconds
    return result


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(cells[0], widths)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells[1:]:
        print("| " + " | ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(r, widths)) + " |")


def _numeric(text: str) -> bool:
    core = text.replace(",", "").replace(".", "").rstrip("x").split(" ")[0]
    return core.isdigit() and len(text.split(" ")) <= 2


def machine() -> str:
    import platform

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()} {platform.release()}"
