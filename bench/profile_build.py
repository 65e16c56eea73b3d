"""Profile one ``mlm-site build`` with pyinstrument and print where the time goes.

    .venv/bin/python bench/profile_build.py CATALOG OUT_DIR [--html FILE] [-- BUILD OPTIONS]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("catalog")
    ap.add_argument("out")
    ap.add_argument("--html", type=Path)
    args, rest = ap.parse_known_args()
    rest = [a for a in rest if a != "--"]  # more build options
    from pyinstrument import Profiler

    from mlm_site.cli import main as cli

    profiler = Profiler()
    profiler.start()
    try:
        cli(["build", args.catalog, "-o", args.out, "--fail-on", "never", "-q", *rest])
    except SystemExit:
        pass
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False))
    if args.html:
        args.html.write_text(profiler.output_html())
    return 0


if __name__ == "__main__":
    sys.exit(main())
