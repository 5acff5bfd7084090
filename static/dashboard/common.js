/* Helpers shared by the dashboard's scripts: colours, HTML escaping, JSON from json_script tags. */
window.Dash = (function () {
  "use strict";
  var COLOUR_HEX = {green: "#1a9850", blue: "#2c7bb6", yellow: "#e6b800", orange: "#f46d43", red: "#d73027",
                    grey: "#b0b0b0"};
  var NONE_HEX = "#888888";
  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function data(id) { return JSON.parse(document.getElementById(id).textContent); }
  function hex(colour) { return COLOUR_HEX[colour] || NONE_HEX; }
  function outlines(map, shapes, styleFor) {
    var layer = L.featureGroup().addTo(map);
    shapes.forEach(function (t) {
      if (!t.boundary) { return; }
      L.geoJSON(t.boundary, {style: styleFor ? styleFor(t) : {color: "#12355b", weight: 1.5, fill: false}})
        .bindTooltip(esc(t.name), {sticky: true}).addTo(layer);
    });
    return layer;
  }
  function pct(v) { return v === null || v === undefined ? "–" : (v * 100).toFixed(1) + "%"; }
  return {COLOUR_HEX: COLOUR_HEX, esc: esc, data: data, hex: hex, outlines: outlines, pct: pct};
})();
