"""Extent maps of model cards: folium-generated Leaflet code, Leaflet served by the site.

A card shows where a model applies (the item's ``geometry`` / ``bbox``) on a small
map. :func:`extent_map` turns those untrusted values into an :class:`ExtentMap`:

* ``html``: the map container (``<div>`` with an accessible label) holding the
  map's data in ``data-*`` attributes (``data-layout``, ``data-bounds`` and, for
  a drawn geometry, ``data-feature``: JSON, HTML-attribute-escaped);
* ``script``: the site path of the *shared* script that draws every map of its
  layout (``static/maps/geojson.js`` or ``static/maps/rectangle.js``), so pages
  need no script of their own;
* ``text``: a plain-text fallback ("West 10.0°, South 45.0°, ..." or "Whole world");
* ``bounds``: the extent as ``(west, south, east, north)`` degrees.

:func:`map_scripts` gives the shared scripts (written once per build); they use
the page's own ``leaflet.js`` (see :func:`leaflet_assets`; no CDN, no jQuery).

How the scripts are made: folium builds the Leaflet code (``folium.Map``, a
``TileLayer``, ``GeoJson`` or ``Rectangle``, ``fit_bounds``) once per *layout*
with the configured tiles and attribution and placeholder ids and data. The
placeholders become the variables of a ``draw(el, feature, bounds)`` function,
which the script calls for each ``.mlm-extent-map[data-layout=...]`` element
with the JSON of its attributes. Only folium's per-element ``script`` macros
are rendered (``Figure.script``), never the full page, whose header pulls
jQuery, Bootstrap and Leaflet from CDNs.

Safety: no catalog string ever reaches the output. Geometries are rebuilt from
validated, finite numbers only (``properties``, ``id`` and foreign members are
dropped), serialised with ``json.dumps`` (``<``, ``>``, ``&``, ``'``, U+2028 and
U+2029 escaped) and HTML-escaped into the attributes. Element ids are derived
from ``map_id`` with ``[A-Za-z0-9_]`` only. Invalid input gives ``None`` (no
map), never an exception.

Determinism: folium's random element ids are replaced by fixed names, so the
same input (and configuration) gives the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import html as html_lib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from mlm_site.errors import ConfigError, MlmSiteError

__all__ = [
    "DEFAULT_ATTRIBUTION",
    "DEFAULT_TILES",
    "ExtentMap",
    "extent_map",
    "leaflet_assets",
    "map_scripts",
]

DEFAULT_TILES: Final = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
"""OpenStreetMap's standard tiles (mind the tile usage policy for busy sites)."""

DEFAULT_ATTRIBUTION: Final = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
"""Attribution shown with :data:`DEFAULT_TILES` (trusted HTML from the configuration)."""

MAX_VERTICES: Final = 20_000
"""Above this many positions a geometry is drawn as its bounding box (keeps pages small)."""

MAX_DEPTH: Final = 4
"""Deepest nesting of GeometryCollections accepted."""

MAX_ZOOM: Final = 12
"""Closest zoom used when fitting small extents (a point would otherwise zoom to 18)."""

#: Style of the drawn extent (constants of ours, never catalog values).
_STYLE: Final[dict[str, Any]] = {
    "color": "#1c5fb8",
    "weight": 2,
    "opacity": 0.9,
    "fillColor": "#1c5fb8",
    "fillOpacity": 0.15,
}

_LEAFLET_PACKAGE: Final = "js_lib_leaflet"
_LEAFLET_STATIC: Final = ("static", "js_lib_leaflet")

# Placeholders in folium's output, replaced when the shared scripts are made. The
# id token is made of identifier characters (it becomes part of JavaScript
# names); the data tokens are JSON strings in folium's output and are replaced
# with their quotes.
_TOKEN_ID: Final = "mlmsiteXidX"
_TOKEN_DATA: Final = "mlmsite-data-slot"
_TOKEN_RECT: Final = "mlmsite-rect-slot"
_TOKEN_BOUNDS: Final = "mlmsite-bounds-slot"

_Layout = Literal["geojson", "rectangle"]
_Position = list[float]


@dataclass(frozen=True)
class ExtentMap:
    """A rendered extent map; every string is safe to put in a page as is.

    Attributes:
        html: The map container, ``<div id=... class="mlm-extent-map" role="region"
            aria-label=... data-layout=... data-bounds=... [data-feature=...]></div>``:
            the data the shared script draws, as JSON in single-quoted attributes. Give
            ``.mlm-extent-map`` a height in CSS (the script falls back to 300px
            when the container has none).
        script: Site path of the shared script that draws it (``static/maps/<layout>.js``,
            written by the build from :func:`map_scripts`). Load it after
            ``leaflet.js`` (and ``leaflet.css``); once per page draws every map of
            its layout.
        text: Plain-text description of the extent, for readers without JavaScript.
        bounds: ``(west, south, east, north)`` in degrees; ``west > east`` when the
            extent crosses the antimeridian.
        element_id: The ``id`` of the container element.
        layout: ``geojson`` (the geometry is drawn) or ``rectangle`` (the bbox is).
        crosses_antimeridian: True when the extent crosses longitude ±180°.
    """

    html: str
    script: str
    text: str
    bounds: tuple[float, float, float, float]
    element_id: str
    layout: str
    crosses_antimeridian: bool = False


# --------------------------------------------------------------------------- assets


def leaflet_assets() -> list[tuple[Path, str]]:
    """Leaflet's files to copy into the site: ``(source file, path under the static folder)``.

    Leaflet 1.9.4 comes from the ``django-js-lib-leaflet`` package. Destinations
    are ``leaflet/leaflet.js``, ``leaflet/leaflet.js.map``, ``leaflet/leaflet.css``
    and ``leaflet/images/*.png`` (``leaflet.css`` finds its images relative to
    itself). Sorted by destination.

    Raises:
        MlmSiteError: When the package or its files are missing.
    """
    try:
        root = resources.files(_LEAFLET_PACKAGE).joinpath(*_LEAFLET_STATIC)
    except ModuleNotFoundError as exc:
        raise MlmSiteError("Leaflet is missing: install the 'django-js-lib-leaflet' package") from exc
    base = Path(str(root))
    wanted = ["leaflet.js", "leaflet.js.map", "leaflet.css"]
    assets: list[tuple[Path, str]] = []
    for name in wanted:
        source = base / name
        if not source.is_file():
            raise MlmSiteError(f"Leaflet file not found: {source}")
        assets.append((source, f"leaflet/{name}"))
    images = base / "images"
    if images.is_dir():
        assets.extend((png, f"leaflet/images/{png.name}") for png in sorted(images.glob("*.png")))
    return sorted(assets, key=lambda item: item[1])


# --------------------------------------------------------------------------- validation


def _number(value: object) -> float | None:
    """A finite float from a JSON number (bool, NaN, ±inf and huge ints give None)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    if not math.isfinite(number):
        return None
    return number + 0.0  # -0.0 -> 0.0


def _position(value: object) -> _Position | None:
    """``[lon, lat]`` (rounded to 1e-6°) from a GeoJSON position, or None."""
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)) or not 2 <= len(value) <= 4:
        return None
    lon, lat = _number(value[0]), _number(value[1])
    if lon is None or lat is None or not -180.0 <= lon <= 180.0 or not -90.0 <= lat <= 90.0:
        return None
    if any(_number(extra) is None for extra in value[2:]):
        return None
    return [round(lon, 6) + 0.0, round(lat, 6) + 0.0]


class _Invalid(Exception):
    """Internal: the geometry is not valid GeoJSON (caught in this module)."""


class _Counter:
    """Counts positions so huge geometries can be replaced by their bbox."""

    def __init__(self) -> None:
        self.count = 0


def _positions(value: object, min_len: int, counter: _Counter) -> list[_Position]:
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)) or len(value) < min_len:
        raise _Invalid
    out: list[_Position] = []
    for item in value:
        pos = _position(item)
        if pos is None:
            raise _Invalid
        out.append(pos)
    counter.count += len(out)
    return out


def _sequence(value: object, min_len: int = 1) -> Sequence[object]:
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)) or len(value) < min_len:
        raise _Invalid
    return value


def _clean(geom: object, depth: int, counter: _Counter) -> dict[str, Any]:
    """A new geometry dict holding only validated numbers (raises :class:`_Invalid`)."""
    if not isinstance(geom, Mapping) or depth > MAX_DEPTH:
        raise _Invalid
    kind = geom.get("type")
    if kind == "GeometryCollection":
        parts = [_clean(g, depth + 1, counter) for g in _sequence(geom.get("geometries"))]
        return {"type": kind, "geometries": parts}
    coords = geom.get("coordinates")
    result: object
    if kind == "Point":
        result = _positions([coords], 1, counter)[0]
    elif kind == "MultiPoint":
        result = _positions(coords, 1, counter)
    elif kind == "LineString":
        result = _positions(coords, 2, counter)
    elif kind == "MultiLineString":
        result = [_positions(line, 2, counter) for line in _sequence(coords)]
    elif kind == "Polygon":
        result = [_positions(ring, 3, counter) for ring in _sequence(coords)]
    elif kind == "MultiPolygon":
        result = [[_positions(ring, 3, counter) for ring in _sequence(poly)] for poly in _sequence(coords)]
    else:
        raise _Invalid
    return {"type": kind, "coordinates": result}


def _walk_positions(geom: Mapping[str, Any]) -> list[_Position]:
    """Every position of a cleaned geometry."""
    if geom["type"] == "GeometryCollection":
        return [p for g in geom["geometries"] for p in _walk_positions(g)]
    coords = geom["coordinates"]
    if geom["type"] == "Point":
        return [coords]
    if geom["type"] in ("MultiPoint", "LineString"):
        return list(coords)
    if geom["type"] in ("MultiLineString", "Polygon"):
        return [p for part in coords for p in part]
    return [p for poly in coords for ring in poly for p in ring]


def _positions_bbox(positions: Sequence[_Position]) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` of non-empty positions."""
    lons = [p[0] for p in positions]
    lats = [p[1] for p in positions]
    return (min(lons), min(lats), max(lons), max(lats))


def _clean_bbox(bbox: object) -> tuple[float, float, float, float] | None:
    """``(west, south, east, north)`` from a STAC bbox of 4 or 6 numbers, or None."""
    if not isinstance(bbox, Sequence) or isinstance(bbox, (str, bytes)) or len(bbox) not in (4, 6):
        return None
    numbers = [_number(v) for v in bbox]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if len(values) == 6:
        west, south, low, east, north, high = values
        if low > high:
            return None
    else:
        west, south, east, north = values
    if not (-180.0 <= west <= 180.0 and -180.0 <= east <= 180.0):
        return None
    if not (-90.0 <= south <= north <= 90.0):
        return None
    return (west, south, east, north)


def _shift_east(geom: dict[str, Any], west: float) -> dict[str, Any]:
    """Longitudes below ``west`` moved by +360° (one contiguous shape across 180°)."""

    def fix(value: Any) -> Any:
        if value and isinstance(value[0], float):
            lon, lat = value
            return [lon + 360.0 if lon < west else lon, lat]
        return [fix(v) for v in value]

    if geom["type"] == "GeometryCollection":
        return {"type": geom["type"], "geometries": [_shift_east(g, west) for g in geom["geometries"]]}
    return {"type": geom["type"], "coordinates": fix(geom["coordinates"])}


# --------------------------------------------------------------------------- text


def _deg(value: float) -> str:
    """``10`` -> ``10.0``, ``12.3456789`` -> ``12.345679``."""
    text = f"{value:.6f}".rstrip("0")
    if text.endswith("."):
        text += "0"
    return "0.0" if text == "-0.0" else text


def _is_world(west: float, south: float, east: float, north: float) -> bool:
    return west <= -180.0 and east >= 180.0 and south <= -85.0 and north >= 85.0


def _describe(west: float, south: float, east: float, north: float) -> str:
    if _is_world(west, south, east, north):
        return "Whole world"
    text = f"West {_deg(west)}°, South {_deg(south)}°, East {_deg(east)}°, North {_deg(north)}°"
    if west > east:
        text += " (crosses the antimeridian)"
    return text


# --------------------------------------------------------------------------- rendering


def _js_json(value: object) -> str:
    """JSON that is also safe inside an inline ``<script>`` (and in JS string terms)."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _check_tiles(tiles: str | None, attribution: str) -> None:
    if not isinstance(attribution, str):
        raise ConfigError("map attribution must be a string")
    if tiles is None:
        return
    if not isinstance(tiles, str) or not tiles.strip():
        raise ConfigError("map tiles must be a URL template such as https://host/{z}/{x}/{y}.png")
    if any(ord(c) < 32 or ord(c) == 127 for c in tiles):
        raise ConfigError(f"map tiles URL has control characters: {tiles!r}")
    if urlsplit(tiles).scheme.lower() not in ("http", "https", ""):
        raise ConfigError(f"map tiles must be an http(s) or relative URL: {tiles!r}")


#: Site path of each layout's shared script (one file per layout, the same on every page).
SCRIPT_PATHS: Final[dict[str, str]] = {
    "geojson": "static/maps/geojson.js",
    "rectangle": "static/maps/rectangle.js",
}

# What the placeholders of folium's output become in the shared script: the map
# element (``el``, folium's ``L.map("map_<id>", ...)``), the data read from the
# element's attributes (``feature``, ``bounds``) and a fixed name suffix.
_REPLACEMENTS: Final = (
    (json.dumps(f"map_{_TOKEN_ID}"), "el"),
    (json.dumps(_TOKEN_DATA), "feature"),
    (json.dumps(_TOKEN_RECT), "bounds"),
    (json.dumps(_TOKEN_BOUNDS), "bounds"),
    (_TOKEN_ID, "mlm"),
)

_WRAPPER: Final = """/* mlm-site: draws every extent map of the page with data-layout="{layout}" (one file shared by
   all pages). The Leaflet code is folium's; each map's data is in its {data_attrs}.
   Needs leaflet.js loaded first. */
(function () {{
"use strict";
function draw(el, feature, bounds) {{
{body}
}}
function parse(el, name) {{
var text = el.getAttribute(name);
if (text === null) {{ return null; }}
try {{ return JSON.parse(text); }} catch (e) {{ return null; }}
}}
function start() {{
if (typeof L === "undefined") {{ return; }}
var els = document.querySelectorAll('.mlm-extent-map[data-layout="{layout}"]');
for (var i = 0; i < els.length; i++) {{
var el = els[i];
if (el.classList.contains("leaflet-container")) {{ continue; }}
var bounds = parse(el, "data-bounds");
var feature = parse(el, "data-feature");
if (!Array.isArray(bounds){feature_check}) {{ continue; }}
if (!el.clientHeight) {{ el.style.height = "300px"; }}
try {{ draw(el, feature, bounds); }} catch (e) {{ if (window.console) {{ console.error(e); }} }}
}}
}}
if (document.readyState === "loading") {{ document.addEventListener("DOMContentLoaded", start); }} else {{ start(); }}
}})();
"""


@functools.lru_cache(maxsize=32)
def _layout_script(tiles: str | None, attribution: str, layout: _Layout) -> str:
    """The shared script of one layout: folium's Leaflet code as the body of ``draw(el, feature, bounds)``."""
    import folium  # imported lazily: sites without maps never pay for it

    def fixed(element: Any) -> Any:
        element._id = _TOKEN_ID  # deterministic names, replaced by a fixed suffix below
        return element

    fmap = fixed(
        folium.Map(
            location=None,
            tiles=None,
            zoom_start=1,
            scroll_wheel_zoom=False,
            world_copy_jump=False,
        )
    )
    if tiles is not None:
        layer = fixed(folium.TileLayer(tiles=tiles, attr=attribution or " ", name="tiles"))
        layer.add_to(fmap)
    if layout == "geojson":
        marker = fixed(folium.CircleMarker(radius=6, **_path_options()))
        shape = fixed(folium.GeoJson({"type": "Point", "coordinates": [0.0, 0.0]}, marker=marker))
        shape.data = _TOKEN_DATA  # the element's data-feature at run time
    else:
        shape = fixed(folium.Rectangle([[0.0, 0.0], [1.0, 1.0]], **_path_options()))
        shape.locations = _TOKEN_RECT  # the element's data-bounds at run time
    shape.add_to(fmap)
    fmap.fit_bounds([[0.0, 0.0], [1.0, 1.0]], padding=(8, 8), max_zoom=MAX_ZOOM)
    for child in fmap._children.values():
        if child._name == "FitBounds":
            child._id = _TOKEN_ID
            child.bounds = _TOKEN_BOUNDS
    fmap.render()
    code = fmap.get_root().script.render()
    lines = [line.strip() for line in code.splitlines()]
    body = "\n".join(line for line in lines if line)
    for token, replacement in _REPLACEMENTS:
        body = body.replace(token, replacement)
    if any(token in body for token in (_TOKEN_ID, _TOKEN_DATA, _TOKEN_RECT, _TOKEN_BOUNDS, "mlmsite")):
        raise MlmSiteError(f"unexpected folium output: a placeholder is left in the {layout} map script")
    geojson = layout == "geojson"
    return _WRAPPER.format(
        layout=layout,
        body=body,
        data_attrs="data-bounds and data-feature attributes" if geojson else "data-bounds attribute",
        feature_check=" || !feature" if geojson else "",
    )


def map_scripts(tiles: str | None = DEFAULT_TILES, attribution: str = DEFAULT_ATTRIBUTION) -> list[tuple[str, str]]:
    """The shared map scripts to write into the site: ``(site path, text)`` of every layout.

    Every :class:`ExtentMap` of a site built with the same ``tiles`` and
    ``attribution`` is drawn by one of them (its ``script``); write them once per
    build. Sorted by path; the same arguments give the same bytes.

    Raises:
        ConfigError: For a ``tiles`` URL that is not http(s)/relative.
    """
    _check_tiles(tiles, attribution)
    layouts: tuple[_Layout, ...] = ("geojson", "rectangle")
    return sorted((SCRIPT_PATHS[layout], _layout_script(tiles, attribution, layout)) for layout in layouts)


def _path_options() -> dict[str, Any]:
    return {
        "color": _STYLE["color"],
        "weight": _STYLE["weight"],
        "opacity": _STYLE["opacity"],
        "fill_color": _STYLE["fillColor"],
        "fill_opacity": _STYLE["fillOpacity"],
    }


def _suffix(map_id: str) -> str:
    """An element-id-safe suffix (``[A-Za-z0-9_]``) derived deterministically from ``map_id``."""
    clean = re.sub(r"[^A-Za-z0-9_]", "_", map_id)[:48]
    if clean != map_id or not clean:
        clean += "_" + hashlib.sha256(map_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return clean


def _attr_json(value: object) -> str:
    """JSON for a single-quoted HTML attribute value (``JSON.parse`` of the attribute gives it back).

    :func:`_js_json` already writes ``&``, ``<``, ``>`` and ``'`` as ``\\u`` escapes (as
    Jinja's ``tojson``), so this escaping changes nothing in practice; JSON's many
    ``"`` stay readable instead of becoming ``&quot;``.
    """
    return html_lib.escape(_js_json(value), quote=False).replace("'", "&#x27;")


def extent_map(
    geometry: object,
    bbox: object,
    *,
    map_id: str,
    tiles: str | None = DEFAULT_TILES,
    attribution: str = DEFAULT_ATTRIBUTION,
    label: str = "Map of the spatial extent",
) -> ExtentMap | None:
    """A Leaflet map of a STAC geometry and/or bbox, or None when neither is usable.

    Args:
        geometry: A GeoJSON geometry (Point, MultiPoint, LineString,
            MultiLineString, Polygon, MultiPolygon, GeometryCollection) or None.
            Invalid geometries are ignored (the bbox is drawn instead, if valid).
            Geometries above :data:`MAX_VERTICES` positions are drawn as their bbox.
        bbox: A STAC bbox of 4 or 6 numbers (``west, south, [low,] east, north[, high]``).
            It decides the view; ``west > east`` means it crosses the antimeridian,
            and longitudes of the shape are then shifted so it is drawn in one piece.
        map_id: The caller's id of this map (unique in the page); the element id
            is derived from it, so output is deterministic.
        tiles: XYZ tile URL template (from the configuration), or None for no
            base layer (the shape on a blank background). Only checked here: the
            tiles are drawn by the shared scripts of :func:`map_scripts`.
        attribution: Attribution HTML for the tiles (from the configuration).
        label: Accessible name of the map region (trusted text of the theme; escaped).

    Returns:
        The :class:`ExtentMap`, or None for unusable input (wrong types, NaN,
        out-of-range coordinates, no geometry and no bbox).

    Raises:
        ConfigError: For a ``tiles`` URL that is not http(s)/relative.
        TypeError: When ``map_id`` is not a string.
    """
    if not isinstance(map_id, str):
        raise TypeError("map_id must be a string")
    _check_tiles(tiles, attribution)

    clean: dict[str, Any] | None = None
    if geometry is not None:
        counter = _Counter()
        try:
            clean = _clean(geometry, 0, counter)
        except (_Invalid, RecursionError):
            clean = None
        if clean is not None and counter.count > MAX_VERTICES:
            if _clean_bbox(bbox) is None:
                bbox = list(_positions_bbox(_walk_positions(clean)))
            clean = None

    box = _clean_bbox(bbox)
    if box is None and clean is not None:
        box = _positions_bbox(_walk_positions(clean))
    if box is None:
        return None

    west, south, east, north = box
    crosses = west > east
    east_drawn = east + 360.0 if crosses else east
    if clean is not None and crosses:
        clean = _shift_east(clean, west)

    element_id = f"map_{_suffix(map_id)}"
    fit = [[south, west], [north, east_drawn]]
    layout: _Layout = "rectangle"
    data = f" data-bounds='{_attr_json(fit)}'"
    if clean is not None:
        layout = "geojson"
        feature = {"type": "Feature", "properties": {"style": _STYLE}, "geometry": clean}
        data += f" data-feature='{_attr_json(feature)}'"

    text = _describe(west, south, east, north)
    aria = html_lib.escape(f"{label}: {text}", quote=True)
    html = (
        f'<div id="{element_id}" class="mlm-extent-map" role="region" aria-label="{aria}"'
        f' data-layout="{layout}"{data}></div>'
    )
    return ExtentMap(
        html=html,
        script=SCRIPT_PATHS[layout],
        text=text,
        bounds=(west, south, east, north),
        element_id=element_id,
        layout=layout,
        crosses_antimeridian=crosses,
    )
