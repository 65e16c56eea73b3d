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
geo_json_map_card_e97dde5e_add({"geometry":{"coordinates":[[[-9.6,36.2],[3.2,36.6],[15.1,36.4],[28.4,35.9],[30.1,45.8],[27.6,55.4],[24.2,60.6],[12.5,62.1],[4.8,61.9],[-6.2,58.7],[-10.4,53.9],[-9.6,36.2]]],"type":"Polygon"},"properties":{"style":{"color":"#1c5fb8","fillColor":"#1c5fb8","fillOpacity":0.15,"opacity":0.9,"weight":2}},"type":"Feature"});
geo_json_map_card_e97dde5e.setStyle(function(feature) {return feature.properties.style;});
geo_json_map_card_e97dde5e.addTo(map_map_card_e97dde5e);
map_map_card_e97dde5e.fitBounds(
[[35.9,-10.4],[62.1,30.1]],
{"maxZoom": 12, "padding": [8, 8]}
);
})();
