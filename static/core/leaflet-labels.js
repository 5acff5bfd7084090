/* Leaflet's own control texts (zoom buttons, attribution prefix) in the page's language: read from the
   #leaflet-labels JSON of core/leaflet_labels.html, set before the maps are made (on window load). */
(function () {
  "use strict";
  var node = document.getElementById("leaflet-labels");
  if (!node || !window.L) { return; }
  var t = JSON.parse(node.textContent);
  L.Control.Zoom.prototype.options.zoomInTitle = t.zoom_in;
  L.Control.Zoom.prototype.options.zoomOutTitle = t.zoom_out;
  L.Control.Attribution.prototype.options.prefix = t.prefix;
}());
