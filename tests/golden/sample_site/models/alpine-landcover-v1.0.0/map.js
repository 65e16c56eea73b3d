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
geo_json_map_card_e97dde5e_add({"geometry":{"coordinates":[[[[5.6,43.8],[7.7,43.7],[10.4,45.4],[13.7,45.6],[16.2,46.3],[16.4,47.7],[13.0,47.9],[10.6,47.6],[7.6,47.6],[5.9,46.9],[5.6,43.8]]],[[[-1.9,42.6],[0.7,42.3],[3.2,42.3],[3.3,42.9],[1.0,43.1],[-1.8,43.4],[-1.9,42.6]]]],"type":"MultiPolygon"},"properties":{"style":{"color":"#1c5fb8","fillColor":"#1c5fb8","fillOpacity":0.15,"opacity":0.9,"weight":2}},"type":"Feature"});
geo_json_map_card_e97dde5e.setStyle(function(feature) {return feature.properties.style;});
geo_json_map_card_e97dde5e.addTo(map_map_card_e97dde5e);
map_map_card_e97dde5e.fitBounds(
[[42.3,-1.9],[47.9,16.4]],
{"maxZoom": 12, "padding": [8, 8]}
);
})();
