/* The trace map: the station, an arrow of the wind, the ranked candidate sources numbered by rank. */
(function () {
  "use strict";
  var result = Dash.data("trace-result");
  window.traceMapInit = function (map) {
    var s = result.station, here = [s.lat, s.lon], bounds = [here];
    L.circleMarker(here, {radius: 9, color: "#12355b", fillColor: "#fff", fillOpacity: 1, weight: 3})
      .bindTooltip(Dash.esc(s.name)).addTo(map);
    if (result.wind_from !== null && result.wind_speed !== null) {
      // A line from the upwind side towards the station, 2 km long.
      var rad = result.wind_from * Math.PI / 180, km = 2 / 111.32;
      var from = [s.lat + km * Math.cos(rad), s.lon + km * Math.sin(rad) / Math.cos(s.lat * Math.PI / 180)];
      L.polyline([from, here], {color: "#7b3294", weight: 3, dashArray: "8 6"}).addTo(map);
      bounds.push(from);
    }
    result.candidates.forEach(function (c, i) {
      var hue = c.score >= 50 ? "#d73027" : (c.score >= 20 ? "#f46d43" : "#2c7bb6");
      L.marker([c.lat, c.lon], {icon: L.divIcon({className: "", iconSize: [22, 22],
        html: '<div class="cluster" style="width:22px;height:22px;line-height:22px;font-size:12px;background:' + hue +
          '">' + (i + 1) + "</div>"})})
        .bindTooltip(Dash.esc(c.name) + " · " + Dash.esc(c.score)).addTo(map);
      bounds.push([c.lat, c.lon]);
    });
    map.fitBounds(bounds, {padding: [30, 30], maxZoom: 15});
  };
})();
