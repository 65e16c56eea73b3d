(function () {
var el = document.getElementById("map_map_collection_4b6fb69f");
if (typeof L === "undefined" || !el) { return; }
if (!el.clientHeight) { el.style.height = "300px"; }
var map_map_collection_4b6fb69f = L.map(
"map_map_collection_4b6fb69f",
{
center: [0.0, 0.0],
crs: L.CRS.EPSG3857,
...{
"zoom": 1,
"zoomControl": true,
"preferCanvas": false,
"scrollWheelZoom": false,
"worldCopyJump": false,
}
}
);
var rectangle_map_collection_4b6fb69f = L.rectangle(
[[-90.0,-180.0],[90.0,180.0]],
{"bubblingMouseEvents": true, "color": "#1c5fb8", "dashArray": null, "dashOffset": null, "fill": true, "fillColor": "#1c5fb8", "fillOpacity": 0.15, "fillRule": "evenodd", "lineCap": "round", "lineJoin": "round", "noClip": false, "opacity": 0.9, "smoothFactor": 1.0, "stroke": true, "weight": 2}
).addTo(map_map_collection_4b6fb69f);
map_map_collection_4b6fb69f.fitBounds(
[[-90.0,-180.0],[90.0,180.0]],
{"maxZoom": 12, "padding": [8, 8]}
);
})();
