/* Leaflet's own control texts (zoom buttons, attribution prefix) in the page's language: read from the
   #leaflet-labels JSON of core/leaflet_labels.html, set before the maps are made (on window load). Also
   mends django-leaflet's reset-view button, whose icon is a bare URL where a CSS url() is needed (an
   empty white button otherwise); its title "Reset view" is translated in the project's catalogue. */
(function () {
  "use strict";
  var node = document.getElementById("leaflet-labels");
  if (!node || !window.L) { return; }
  var t = JSON.parse(node.textContent);
  L.Control.Zoom.prototype.options.zoomInTitle = t.zoom_in;
  L.Control.Zoom.prototype.options.zoomOutTitle = t.zoom_out;
  L.Control.Attribution.prototype.options.prefix = t.prefix;
  var icon = document.getElementById("Control-ResetView-ICON");  // read by the button when it is made
  var src = icon && JSON.parse(icon.textContent);
  if (src && src.indexOf("url(") !== 0) { icon.textContent = JSON.stringify("url(" + src + ")"); }
}());
