"""Tests of mlm_site.maps: geometry handling, safety, determinism, shared scripts, Leaflet assets,
and a real browser."""

from __future__ import annotations

import functools
import html
import http.server
import json
import math
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlm_site.errors import ConfigError
from mlm_site.maps import DEFAULT_TILES, SCRIPT_PATHS, ExtentMap, extent_map, leaflet_assets, map_scripts

POLYGON = {"type": "Polygon", "coordinates": [[[10, 45], [12.5, 45], [12.5, 47], [10, 47], [10, 45]]]}
BBOX = [10, 45, 12.5, 47]
PAYLOADS = ["</script><script>alert(1)</script>", "<!--", "<img src=x onerror=alert(1)>", "\u2028", "'\"&"]
URL_RE = re.compile(r"(?:https?:)?//[^\s\"'<>)\\]+")


def attr_of(m: ExtentMap, name: str) -> str | None:
    """The value of an attribute of the map container, as a browser reads it (unescaped)."""
    found = re.findall(rf"""\s{name}=(?:'([^']*)'|"([^"]*)")""", m.html)
    assert len(found) <= 1, m.html
    return html.unescape(found[0][0] or found[0][1]) if found else None


def data_of(m: ExtentMap) -> Any:
    """The GeoJSON feature the shared script passes to Leaflet (the container's data-feature)."""
    assert m.layout == "geojson" and m.script == SCRIPT_PATHS["geojson"], m
    text = attr_of(m, "data-feature")
    assert text is not None, m.html
    return json.loads(text)


def fit_of(m: ExtentMap) -> Any:
    """The bounds the map is fitted to (and the rectangle drawn for the rectangle layout)."""
    text = attr_of(m, "data-bounds")
    assert text is not None, m.html
    return json.loads(text)


def script(tiles: str | None = DEFAULT_TILES, layout: str = "geojson") -> str:
    """The text of the shared script of ``layout``."""
    return dict(map_scripts(tiles))[SCRIPT_PATHS[layout]]


def make(geometry: Any = None, bbox: Any = None, **kw: Any) -> ExtentMap:
    m = extent_map(geometry, bbox, map_id=kw.pop("map_id", "m1"), **kw)
    assert m is not None
    return m


# --------------------------------------------------------------------------- geometry types


def test_polygon() -> None:
    m = make(POLYGON, BBOX)
    assert data_of(m)["geometry"] == {
        "type": "Polygon",
        "coordinates": [[[10.0, 45.0], [12.5, 45.0], [12.5, 47.0], [10.0, 47.0], [10.0, 45.0]]],
    }
    assert fit_of(m) == [[45.0, 10.0], [47.0, 12.5]]
    assert m.bounds == (10.0, 45.0, 12.5, 47.0)
    assert m.text == "West 10.0°, South 45.0°, East 12.5°, North 47.0°"
    assert not m.crosses_antimeridian


def test_multipolygon_without_bbox_uses_geometry_bounds() -> None:
    geom = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[0, 0], [1, 0], [1, 1], [0, 0]]],
            [[[5, 5], [6, 5], [6, 7.25], [5, 5]], [[5.1, 5.1], [5.2, 5.1], [5.2, 5.2], [5.1, 5.1]]],
        ],
    }
    m = make(geom)
    assert data_of(m)["geometry"]["type"] == "MultiPolygon"
    assert fit_of(m) == [[0.0, 0.0], [7.25, 6.0]]
    assert m.bounds == (0.0, 0.0, 6.0, 7.25)


def test_point_uses_circle_marker_and_bounds() -> None:
    m = make({"type": "Point", "coordinates": [-3.7, 40.4, 650.0]})
    assert data_of(m)["geometry"] == {"type": "Point", "coordinates": [-3.7, 40.4]}
    assert "L.CircleMarker" in script()
    assert fit_of(m) == [[40.4, -3.7], [40.4, -3.7]]
    assert '"maxZoom": 12' in script()


def test_multipoint_and_linestring() -> None:
    mp = make({"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]})
    assert data_of(mp)["geometry"]["coordinates"] == [[1.0, 2.0], [3.0, 4.0]]
    assert fit_of(mp) == [[2.0, 1.0], [4.0, 3.0]]
    ls = make({"type": "LineString", "coordinates": [[-1, -2], [3, 4], [5, -6]]})
    assert data_of(ls)["geometry"] == {
        "type": "LineString",
        "coordinates": [[-1.0, -2.0], [3.0, 4.0], [5.0, -6.0]],
    }
    assert fit_of(ls) == [[-6.0, -1.0], [4.0, 5.0]]
    mls = make({"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]]]})
    assert data_of(mls)["geometry"]["type"] == "MultiLineString"


def test_geometry_collection() -> None:
    geom = {
        "type": "GeometryCollection",
        "geometries": [{"type": "Point", "coordinates": [1, 1]}, POLYGON],
    }
    m = make(geom)
    data = data_of(m)["geometry"]
    assert [g["type"] for g in data["geometries"]] == ["Point", "Polygon"]
    assert fit_of(m) == [[1.0, 1.0], [47.0, 12.5]]


def test_null_geometry_with_bbox_draws_rectangle() -> None:
    m = make(None, BBOX)
    assert m.layout == "rectangle" and m.script == "static/maps/rectangle.js"
    assert attr_of(m, "data-feature") is None
    assert fit_of(m) == [[45.0, 10.0], [47.0, 12.5]]  # the rectangle drawn is the fitted bounds
    rectangle = script(layout="rectangle")
    assert "L.rectangle(\nbounds," in rectangle and "geoJson" not in rectangle


def test_bbox_with_six_numbers() -> None:
    m = make(None, [10, 45, -100, 12.5, 47, 4000])
    assert m.bounds == (10.0, 45.0, 12.5, 47.0)
    assert fit_of(m) == [[45.0, 10.0], [47.0, 12.5]]


def test_antimeridian_bbox_is_one_box_across_180() -> None:
    m = make(None, [170, -20, -170, -10])
    assert m.crosses_antimeridian
    assert m.bounds == (170.0, -20.0, -170.0, -10.0)
    assert fit_of(m) == [[-20.0, 170.0], [-10.0, 190.0]]
    assert m.layout == "rectangle"
    assert m.text == "West 170.0°, South -20.0°, East -170.0°, North -10.0° (crosses the antimeridian)"


def test_antimeridian_geometry_is_shifted() -> None:
    geom = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[170, -20], [180, -20], [180, -10], [170, -10], [170, -20]]],
            [[[-180, -20], [-170, -20], [-170, -10], [-180, -10], [-180, -20]]],
        ],
    }
    m = make(geom, [170, -20, -170, -10])
    lons = {p[0] for poly in data_of(m)["geometry"]["coordinates"] for ring in poly for p in ring}
    assert lons == {170.0, 180.0, 190.0}
    assert fit_of(m) == [[-20.0, 170.0], [-10.0, 190.0]]


def test_whole_world() -> None:
    m = make(None, [-180, -90, 180, 90])
    assert m.text == "Whole world"
    assert fit_of(m) == [[-90.0, -180.0], [90.0, 180.0]]
    assert "Whole world" in m.html


def test_bbox_decides_view_when_both_given() -> None:
    m = make({"type": "Point", "coordinates": [11, 46]}, BBOX)
    assert fit_of(m) == [[45.0, 10.0], [47.0, 12.5]]


def test_invalid_geometry_falls_back_to_bbox() -> None:
    m = make({"type": "Polygon", "coordinates": "nope"}, BBOX)
    assert m.layout == "rectangle"


def test_huge_geometry_is_drawn_as_its_bbox() -> None:
    ring = [[math.cos(i / 5000) * 10, math.sin(i / 5000) * 10] for i in range(30_000)]
    m = make({"type": "LineString", "coordinates": ring})
    assert m.layout == "rectangle" and len(m.html) < 1_000
    assert m.bounds == pytest.approx((-10.0, -10.0, 10.0, 10.0), abs=0.01)


# --------------------------------------------------------------------------- invalid input


NAN = float("nan")


@pytest.mark.parametrize(
    ("geometry", "bbox"),
    [
        (None, None),
        (None, []),
        (None, [1, 2, 3]),
        (None, [1, 2, 3, 4, 5]),
        (None, "10,45,12,47"),
        (None, {"west": 1}),
        (None, [NAN, 0, 1, 1]),
        (None, [0, 0, float("inf"), 1]),
        (None, [True, 0, 1, 1]),
        (None, ["1", 0, 1, 1]),
        (None, [0, 10, 1, 5]),  # south > north
        (None, [-200, 0, 1, 1]),
        (None, [0, -91, 1, 1]),
        (None, [233.6, 54.2, 297.5, 22.6]),  # 0-360 longitudes, south > north
        (None, [0, 0, 10**400, 1]),
        (None, [0, 0, 5, 2, 3, 1]),  # 6 numbers with low > high
        ("Polygon", None),
        ({"type": "Point", "coordinates": [NAN, 0]}, None),
        ({"type": "Point", "coordinates": [181, 0]}, None),
        ({"type": "Point", "coordinates": [0, 95]}, None),
        ({"type": "Point", "coordinates": [0]}, None),
        ({"type": "Point", "coordinates": "0,0"}, None),
        ({"type": "Point"}, None),
        ({"type": "MultiPoint", "coordinates": []}, None),
        ({"type": "LineString", "coordinates": [[0, 0]]}, None),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, None),
        ({"type": "Feature", "geometry": POLYGON}, None),
        ({"type": "Circle", "coordinates": [0, 0]}, None),
        ({"type": "GeometryCollection", "geometries": []}, None),
        ({"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [0, True]}]}, None),
        (42, 42),
    ],
)
def test_invalid_input_gives_none(geometry: Any, bbox: Any) -> None:
    assert extent_map(geometry, bbox, map_id="bad") is None


def test_deeply_nested_collection_gives_none() -> None:
    geom: dict[str, Any] = {"type": "Point", "coordinates": [0, 0]}
    for _ in range(2000):
        geom = {"type": "GeometryCollection", "geometries": [geom]}
    assert extent_map(geom, None, map_id="deep") is None


def test_bad_tiles_config_raises() -> None:
    with pytest.raises(ConfigError):
        extent_map(None, BBOX, map_id="t", tiles="javascript:alert(1)//{z}")


# --------------------------------------------------------------------------- safety and determinism


def test_deterministic_output() -> None:
    a = extent_map(POLYGON, BBOX, map_id="card-7")
    b = extent_map(json.loads(json.dumps(POLYGON)), list(BBOX), map_id="card-7")
    assert a == b
    c = extent_map(POLYGON, BBOX, map_id="card-8")
    assert a is not None and c is not None and a.html != c.html and a.script == c.script
    assert map_scripts() == map_scripts()
    assert map_scripts(None) == map_scripts(None) != map_scripts()


def test_shared_scripts_one_per_layout() -> None:
    scripts = dict(map_scripts())
    assert sorted(scripts) == ["static/maps/geojson.js", "static/maps/rectangle.js"] == sorted(SCRIPT_PATHS.values())
    for layout, path in SCRIPT_PATHS.items():
        text = scripts[path]
        # finds its maps by layout, reads their data attributes, draws each with folium's code
        assert f""".mlm-extent-map[data-layout="{layout}"]""" in text
        assert 'parse(el, "data-bounds")' in text and 'parse(el, "data-feature")' in text
        assert "L.map(\nel," in text and ".fitBounds(\nbounds," in text
        assert '{"maxZoom": 12, "padding": [8, 8]}' in text
        assert '"color": "#1c5fb8"' in text and '"fillOpacity": 0.15' in text
        assert 'L.tileLayer(\n"https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in text
        assert "OpenStreetMap\\u003c/a\\u003e contributors" in text
        assert not re.search(r"mlmsite|[0-9a-f]{32}", text)  # no placeholder, no folium random id left
        assert "getElementById" not in text and "<script" not in text
    assert "geo_json_mlm_add(feature);" in scripts[SCRIPT_PATHS["geojson"]]
    assert "L.rectangle(\nbounds," in scripts[SCRIPT_PATHS["rectangle"]]
    assert "!Array.isArray(bounds) || !feature" in scripts[SCRIPT_PATHS["geojson"]]


def test_map_scripts_check_tiles() -> None:
    with pytest.raises(ConfigError):
        map_scripts("javascript:alert(1)//{z}")


def test_ids_derive_from_map_id() -> None:
    m = make(POLYGON, BBOX, map_id="model_1")
    assert m.element_id == "map_model_1"
    assert m.html.startswith('<div id="map_model_1" class="mlm-extent-map" ')
    odd = make(POLYGON, BBOX, map_id='x" onload="alert(1)')
    assert re.fullmatch(r"map_x__onload__alert_1__[0-9a-f]{8}", odd.element_id)
    assert odd.html.startswith(f'<div id="{odd.element_id}" class="mlm-extent-map" ')
    assert "onload" not in odd.html.replace(odd.element_id, "")
    assert attr_of(odd, "id") == odd.element_id


def test_html_attributes_parse_as_a_browser_reads_them() -> None:
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    m = make(POLYGON, BBOX, map_id="model_1")
    Parser().feed(m.html)
    assert len(found) == 1
    tag, attrs = found[0]
    values = dict(attrs)
    assert tag == "div" and [name for name, _ in attrs] == [
        "id", "class", "role", "aria-label", "data-layout", "data-bounds", "data-feature"]
    assert values["data-layout"] == "geojson"
    assert json.loads(values["data-bounds"] or "") == [[45.0, 10.0], [47.0, 12.5]]
    assert json.loads(values["data-feature"] or "") == data_of(m)


def test_html_is_accessible_container() -> None:
    m = make(POLYGON, BBOX)
    assert m.html.startswith("<div ") and m.html.endswith("></div>")
    assert 'role="region"' in m.html
    assert 'aria-label="Map of the spatial extent: West 10.0°, South 45.0°' in m.html
    assert "<script" not in m.html and "style" not in m.html.replace('"style":', "")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_catalog_strings_never_reach_output(payload: str) -> None:
    geom = {
        "type": "Feature" if False else "Polygon",
        "coordinates": POLYGON["coordinates"],
        "properties": {"name": payload},
        "id": payload,
        "crs": payload,
        payload: payload,
    }
    m = extent_map(geom, [*BBOX], map_id="p")
    assert m is not None
    for text in (m.html, m.script, m.text):
        assert payload not in text
    # one element and nothing else: the data attributes hold no quote, '<', '>' or '&'
    for name in ("data-bounds", "data-feature"):
        value = attr_of(m, name)
        assert value is not None and not set(value) & set("<>&'")
    assert m.html.count("<") == 2 and m.html.count(">") == 2
    gc = extent_map(
        {"type": "GeometryCollection", "geometries": [geom], "title": payload}, None, map_id="p", tiles=None
    )
    assert gc is not None and payload not in gc.html


def test_no_cdn_urls_only_configured_tiles() -> None:
    m = make(POLYGON, BBOX)
    assert URL_RE.findall(m.html) == []
    for text in dict(map_scripts()).values():
        urls = set(URL_RE.findall(text.replace("\\u003c", "<").replace("\\u003e", ">").replace('\\"', '"')))
        assert urls == {DEFAULT_TILES, "https://www.openstreetmap.org/copyright"}  # tiles + attribution link
        for banned in ("cdn", "jquery", "bootstrap", "awesome", "<link", "<style", "$("):
            assert banned not in text.lower()
    for text in dict(map_scripts("/tiles/{z}/{x}/{y}.png", "Local tiles")).values():
        assert URL_RE.findall(text) == []
        assert 'L.tileLayer(\n"/tiles/{z}/{x}/{y}.png"' in text and '"attribution": "Local tiles"' in text


def test_tiles_none_has_no_tile_layer() -> None:
    m = make(POLYGON, BBOX, tiles=None)
    assert m.script == "static/maps/geojson.js"
    for text in dict(map_scripts(None)).values():
        assert "tileLayer" not in text
        assert "openstreetmap" not in text
        assert URL_RE.findall(text) == []
    assert "geoJson" in script(None)


coordinate = st.floats(allow_nan=True, allow_infinity=True) | st.integers() | st.text(max_size=3) | st.none()


@settings(max_examples=300, deadline=None)
@given(
    geometry=st.recursive(
        st.none() | coordinate | st.lists(coordinate, max_size=4),
        lambda children: (
            st.lists(children, max_size=4)
            | st.fixed_dictionaries(
                {
                    "type": st.sampled_from(
                        ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection", "Feature", "x"]
                    ),
                    "coordinates": children,
                    "geometries": st.lists(children, max_size=2),
                }
            )
        ),
        max_leaves=20,
    ),
    bbox=st.none() | st.lists(coordinate, max_size=7),
)
def test_never_raises(geometry: Any, bbox: Any) -> None:
    m = extent_map(geometry, bbox, map_id="fuzz")
    if m is not None:
        west, south, east, north = m.bounds
        assert all(math.isfinite(v) for v in m.bounds)
        assert -90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180
        assert "NaN" not in m.html and "Infinity" not in m.html


# --------------------------------------------------------------------------- assets


def test_leaflet_assets() -> None:
    assets = leaflet_assets()
    dests = [dest for _, dest in assets]
    assert dests == sorted(dests)
    for name in ("leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/images/marker-icon.png"):
        assert name in dests
    for source, dest in assets:
        assert source.is_file() and source.name == Path(dest).name
    js = next(src for src, dest in assets if dest == "leaflet/leaflet.js")
    assert "Leaflet 1.9.4" in js.read_text(encoding="utf-8")[:200]


# --------------------------------------------------------------------------- real browser

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

BROWSER_CASES: dict[str, tuple[Any, Any]] = {
    "polygon": (POLYGON, BBOX),
    "antimeridian": (None, [170, -20, -170, -10]),
    "point": ({"type": "Point", "coordinates": [2.35, 48.85]}, None),
    "collection": (
        {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "LineString", "coordinates": [[-10, 40], [0, 50], [10, 40]]},
                {"type": "MultiPoint", "coordinates": [[-10, 40], [10, 40]]},
            ],
        },
        None,
    ),
    "world": (None, [-180, -90, 180, 90]),
}


@pytest.fixture
def served_site(tmp_path: Path) -> Iterator[str]:
    """A temporary site with Leaflet, one page of maps of both layouts and the shared scripts, on 127.0.0.1."""
    static = tmp_path / "static"
    for source, dest in leaflet_assets():
        target = static / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    maps = [extent_map(g, b, map_id=name, tiles=None) for name, (g, b) in BROWSER_CASES.items()]
    assert all(m is not None for m in maps)
    figures = "\n".join(
        f"<figure><figcaption>{m.text}</figcaption>{m.html}</figure>" for m in maps if m is not None
    )
    for rel, text in map_scripts(None):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    used = sorted({m.script for m in maps if m is not None})
    assert len(used) == 2  # several maps of each layout on one page
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>maps</title>"
        '<link rel="icon" href="data:,"><link rel="stylesheet" href="static/leaflet/leaflet.css">'
        "<style>body{margin:8px;font:14px sans-serif;display:grid;grid-template-columns:repeat(3,320px);gap:8px}"
        "figure{margin:0}.mlm-extent-map{height:220px;border:1px solid #999;background:#eef}</style>"
        "</head><body>\n" + figures + '\n<script src="static/leaflet/leaflet.js"></script>'
        # each shared script twice: a map already drawn is left alone (no "already initialized" error)
        + "".join(f'<script src="{src}"></script>' for src in used * 2) + "</body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.browser
def test_maps_draw_in_chromium(served_site: str, browser: Any) -> None:
    errors: list[str] = []
    foreign: list[str] = []
    page = browser.new_page(viewport={"width": 1000, "height": 560})
    try:
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", lambda req: None if req.url.startswith(served_site) else foreign.append(req.url))
        page.goto(served_site + "index.html", wait_until="load")
        for name in BROWSER_CASES:
            page.wait_for_selector(f"#map_{name} .leaflet-interactive", state="attached", timeout=5000)
            count = page.locator(f"#map_{name} .leaflet-interactive").count()
            assert count >= 1, name
        page.wait_for_timeout(300)
        page.screenshot(path="/tmp/mlm_site_maps.png")
        # the antimeridian box is one contiguous shape centred on 180°
        center = page.evaluate(
            "() => { const r = document.querySelector('#map_antimeridian path.leaflet-interactive')"
            ".getBoundingClientRect(); const m = document.querySelector('#map_antimeridian')"
            ".getBoundingClientRect(); return [r.width / m.width, (r.left + r.width / 2 - m.left) / m.width]; }"
        )
        assert center[0] > 0.3 and abs(center[1] - 0.5) < 0.1, center
    finally:
        page.close()
    assert errors == []
    assert foreign == []
