(function () {
var el = document.getElementById("map_map_card_e97dde5e");
if (typeof L === "undefined" || !el) { return; }
if (!el.clientHeight) { el.style.height = "300px"; }
var map_map_card_e97dde5e = L.map(
"map_map_card_e97dde5e",
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
function geo_json_map_card_e97dde5e_pointToLayer(feature, latlng) {
var opts = {
"stroke": true,
"color": "#1c5fb8",
"weight": 2,
"opacity": 0.9,
"lineCap": "round",
"lineJoin": "round",
"dashArray": null,
"dashOffset": null,
"fill": true,
"fillColor": "#1c5fb8",
"fillOpacity": 0.15,
"fillRule": "evenodd",
"bubblingMouseEvents": true,
"radius": 6,
};
return new L.CircleMarker(latlng, opts)
}
function geo_json_map_card_e97dde5e_onEachFeature(feature, layer) {
layer.on({
});
};
var geo_json_map_card_e97dde5e = L.geoJson(null, {
onEachFeature: geo_json_map_card_e97dde5e_onEachFeature,
pointToLayer: geo_json_map_card_e97dde5e_pointToLayer,
...{
}
});
function geo_json_map_card_e97dde5e_add (data) {
geo_json_map_card_e97dde5e
.addData(data);
}
geo_json_map_card_e97dde5e_add({"geometry":{"coordinates":[[[-79.5,45.0],[-74.5,44.9],[-70.9,45.2],[-67.8,47.1],[-64.2,48.5],[-57.1,51.4],[-57.2,55.0],[-64.5,60.4],[-69.5,62.6],[-78.1,62.4],[-79.6,54.8],[-79.5,45.0]]],"type":"Polygon"},"properties":{"style":{"color":"#1c5fb8","fillColor":"#1c5fb8","fillOpacity":0.15,"opacity":0.9,"weight":2}},"type":"Feature"});
geo_json_map_card_e97dde5e.setStyle(function(feature) {return feature.properties.style;});
geo_json_map_card_e97dde5e.addTo(map_map_card_e97dde5e);
map_map_card_e97dde5e.fitBounds(
[[44.9,-79.6],[62.6,-57.1]],
{"maxZoom": 12, "padding": [8, 8]}
);
})();
