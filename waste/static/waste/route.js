/* The route of one shipment: positions as a line, gaps without positions as dashed red lines, long
   stops as orange circles, the producer and the receiving facility as markers. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("route-data").textContent);
  function esc(v) { return String(v).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); }
  window.routeMapInit = function (map) {
    var bounds = [];
    var ends = [[data.producer, "#12355b", "bottom"], [data.receiver, "#1a9850", "top"]];
    ends.forEach(function (e) {
      var here = [e[0].lat, e[0].lon];
      L.circleMarker(here, {radius: 9, color: e[1], weight: 3, fillColor: "#fff", fillOpacity: 1})
        .bindTooltip(esc(e[0].name), {permanent: true, direction: e[2]}).addTo(map);
      bounds.push(here);
    });
    data.segments.forEach(function (line) {
      L.polyline(line, {color: "#2c7bb6", weight: 4}).addTo(map);
      bounds = bounds.concat(line);
    });
    data.gaps.forEach(function (g) {
      var a = g.a || [data.producer.lat, data.producer.lon], b = g.b || [data.receiver.lat, data.receiver.lon];
      L.polyline([a, b], {color: "#d73027", weight: 5, dashArray: "10 8"})
        .bindTooltip(esc(g.minutes) + " " + esc(data.labels.gap)).addTo(map);
    });
    data.stops.forEach(function (s) {
      L.circleMarker([s.lat, s.lon], {radius: 10, color: "#f46d43", fillColor: "#f46d43", fillOpacity: 0.6})
        .bindTooltip(esc(s.minutes) + " " + esc(data.labels.stop)).addTo(map);
    });
    map.fitBounds(bounds, {padding: [30, 30], maxZoom: 15});
    document.getElementById("routemap").dataset.loaded = "1";
  };
})();
