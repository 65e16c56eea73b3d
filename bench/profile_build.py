"""Profile one ``mlm-site build`` with pyinstrument and print where the time goes.

    .venv/bin/python bench/profile_build.py CATALOG OUT_DIR [--fast-mlm044] [--html FILE] [-- BUILD OPTIONS]

``--fast-mlm044`` swaps the best-practice rule MLM044 (models sharing ``mlm:name``
need version links) for an equivalent that counts names once per catalog
instead of scanning the whole catalog for every document (that scan is
quadratic: about 290 s of a 10,000-item validation). It is a stand-in for the
fix proposed for ``validate/rules.py``, so that the profile shows the rest.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any


def install_fast_mlm044() -> None:
    from mlm_site import stac
    from mlm_site.validate import rules as R

    cache: dict[str, Any] = {"catalog": None, "counts": Counter()}

    def counts(catalog: Mapping[str, Any]) -> Counter[str]:
        if cache["catalog"] is not catalog:
            c: Counter[str] = Counter()
            for other in catalog.values():
                if isinstance(other, Mapping) and stac.is_mlm(other):
                    name = R._str(stac.properties(other).get("mlm:name"))
                    if name:
                        c[name] += 1
            cache["catalog"], cache["counts"] = catalog, c
        return cache["counts"]

    def check(doc: Mapping[str, Any], ctx: Any) -> Iterator[tuple[str, str]]:
        name = R._str(R._props(doc).get("mlm:name"))
        if not name or ctx.catalog is None or R._version_links(doc):
            return
        self_href = R._resolve(ctx, ctx.href) or ctx.href
        own = ctx.catalog.get(self_href)
        others = counts(ctx.catalog)[name] - (1 if own is not None and stac.is_mlm(own) else 0)
        if others:
            yield (
                R._ptr(*R._base(doc), "mlm:name"),
                (
                    f"mlm:name {R._show(name)} is shared with {others} other document(s) of the catalog but "
                    "there are no version links; chain the versions (version extension)."
                ),
            )

    R.RULES["MLM044"] = replace(R.RULES["MLM044"], check=check)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("catalog")
    ap.add_argument("out")
    ap.add_argument("--fast-mlm044", action="store_true")
    ap.add_argument("--html", type=Path)
    args, rest = ap.parse_known_args()
    rest = [a for a in rest if a != "--"]  # more build options
    if args.fast_mlm044:
        install_fast_mlm044()
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
