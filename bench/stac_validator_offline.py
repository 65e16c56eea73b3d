"""Run stac-validator offline against the local schema mirror and time it.

    python bench/stac_validator_offline.py --mirror DIR (--files LIST | --recursive CATALOG)

stac-validator fetches every schema through
``stac_validator.utilities.fetch_and_parse_file``; this wrapper replaces it with
a reader of the mirror (``https://HOST/PATH`` -> ``DIR/HOST/PATH``) and refuses
any other URL, so nothing touches the network. Its schema caches are enlarged
to 512 entries (the default of 16 is smaller than the set of schemas one MLM
item needs, which would make it re-read schemas for every item): the baseline
is stac-validator at its best. Each file is validated as ``stac-validator
validate FILE`` does (``StacValidate(FILE).run()``: core and every declared
extension).

Prints one JSON line: ``{"files", "valid", "seconds", "items_per_s", "version"}``
(``seconds`` excludes the imports).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirror", required=True, type=Path)
    ap.add_argument("--files", type=Path, help="a text file listing the STAC files to validate, one a line")
    ap.add_argument("--recursive", help="validate this catalog recursively instead")
    args = ap.parse_args()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import stac_validator.utilities as sv_utilities
        from stac_validator.validate import StacValidate
    from importlib.metadata import PackageNotFoundError, version

    try:
        sv_version = version("stac-valid")
    except PackageNotFoundError:
        sv_version = version("stac-validator")

    mirror: Path = args.mirror

    def offline_fetch(input_path: str, headers: dict[str, str] | None = None) -> Any:
        parts = urlsplit(input_path)
        if parts.scheme in ("http", "https"):
            path = mirror / parts.netloc / parts.path.lstrip("/")
            if not path.is_file():
                raise ValueError(f"offline: {input_path} is not in the mirror")
        elif parts.scheme in ("", "file"):
            path = Path(parts.path if parts.scheme else input_path)
        else:
            raise ValueError(f"offline: refusing {input_path}")
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)

    sv_utilities.fetch_and_parse_file = offline_fetch
    import stac_validator.validate as sv_validate

    if hasattr(sv_validate, "fetch_and_parse_file"):
        sv_validate.fetch_and_parse_file = offline_fetch
    sv_utilities.set_schema_cache_size(512)

    valid = 0
    files: list[str] = []
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if args.recursive:
            v = StacValidate(args.recursive, recursive=True)
            valid = int(bool(v.run()))
            files = [m.get("path", "") for m in v.message]
        else:
            files = [line for line in args.files.read_text().splitlines() if line.strip()]
            for f in files:
                v = StacValidate(f)
                if v.run():
                    valid += 1
                elif valid == 0 and len(files) < 50:
                    print(json.dumps(v.message)[:500], file=sys.stderr)
    seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "files": len(files),
                "valid": valid,
                "seconds": seconds,
                "items_per_s": len(files) / seconds if seconds else 0.0,
                "version": sv_version,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
