"""Small ModelCard factory for tests of site-wide outputs."""

from __future__ import annotations

from typing import Any

from mlm_site.model import build_card


def card(href: str, title: str, tasks: tuple[str, ...] = (), **props: Any) -> Any:
    doc = {
        "type": "Feature", "stac_version": "1.0.0", "id": href,
        "stac_extensions": ["https://stac-extensions.github.io/mlm/v1.5.0/schema.json"],
        "geometry": None, "bbox": None, "links": [], "assets": {},
        "properties": {"title": title, "datetime": None, "mlm:name": title, "mlm:tasks": list(tasks),
                       "mlm:architecture": "x", "mlm:input": [], "mlm:output": [], **props},
    }
    c = build_card(doc, href, [])
    c.page = f"models/{href}/index.html"
    return c
