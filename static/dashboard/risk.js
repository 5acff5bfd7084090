/* The township five-colour risk map: each township polygon filled with its risk colour. */
(function () {
  "use strict";
  var shapes = Dash.data("risk-shapes");
  window.riskMapInit = function (map) {
    var layer = Dash.outlines(map, shapes, function (t) {
      return {color: "#333", weight: 1, fillColor: Dash.hex(t.colour), fillOpacity: 0.55};
    });
    if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), {padding: [10, 10]}); }
    shapes.forEach(function (t) {
      if (t.lat !== null && t.lon !== null) {
        L.marker([t.lat, t.lon], {icon: L.divIcon({className: "legend", iconSize: null,
          html: Dash.esc(t.name) + " " + Dash.esc(t.index)})}).addTo(map);
      }
    });
  };
})();
