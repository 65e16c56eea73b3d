"""Small facts about raw STAC documents: kind, extensions, MLM detection."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MLM_SCHEMA_RE = re.compile(
    r"^https?://(?:stac-extensions\.github\.io/mlm|crim-ca\.github\.io/mlm-extension|stac-extensions/mlm)"
    r"/v(?P<version>[0-9][^/]*)/schema\.json$"
)
LEGACY_SCHEMA_RE = re.compile(
    r"^https?://(?:stac-extensions\.github\.io/ml-model/|schemas\.stacspec\.org/[^/]+/extensions/dl-model/)"
)


def extensions(doc: Mapping[str, Any]) -> list[str]:
    """The string entries of ``stac_extensions`` (anything else is ignored)."""
    exts = doc.get("stac_extensions")
    if not isinstance(exts, list):
        return []
    return [e for e in exts if isinstance(e, str)]


def mlm_version(doc: Mapping[str, Any]) -> str | None:
    """The MLM version the document declares (``"1.5.2"``), or None."""
    for ext in extensions(doc):
        m = MLM_SCHEMA_RE.match(ext.strip())
        if m:
            return m.group("version")
    return None


def is_mlm(doc: Mapping[str, Any]) -> bool:
    """True when the document declares an MLM schema in ``stac_extensions``."""
    return mlm_version(doc) is not None


def legacy_extensions(doc: Mapping[str, Any]) -> list[str]:
    """Declared schemas of the legacy ``ml-model`` / ``dlm`` extensions."""
    return [e for e in extensions(doc) if LEGACY_SCHEMA_RE.match(e.strip())]


def kind(doc: Mapping[str, Any]) -> str | None:
    """``Feature`` (Item), ``Collection``, ``Catalog`` or None for non-STAC JSON."""
    t = doc.get("type")
    if t in ("Feature", "Collection", "Catalog"):
        return str(t)
    # STAC < 1.0.0-rc.1 catalogs and collections have no "type"
    if "stac_version" in doc and isinstance(doc.get("links"), list):
        if "extent" in doc and "license" in doc:
            return "Collection"
        if "id" in doc and "description" in doc:
            return "Catalog"
    return None


def links(doc: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    """The well-formed link objects with their index in ``links``."""
    raw = doc.get("links")
    if not isinstance(raw, list):
        return []
    return [
        (i, link)
        for i, link in enumerate(raw)
        if (type(link) is dict or isinstance(link, Mapping)) and isinstance(link.get("href"), str)
    ]


def properties(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """Where MLM fields live: ``properties`` for Items, the top level for Collections."""
    if doc.get("type") == "Feature":
        props = doc.get("properties")
        return props if type(props) is dict or isinstance(props, Mapping) else {}
    return doc
