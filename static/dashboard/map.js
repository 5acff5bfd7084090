/* The one map, by viewport: after each move or zoom (debounced) it asks for what the screen shows —
   clusters computed in the database at low zoom, the enterprises themselves at street zoom — and draws
   them in their eco-code colours (a cluster in its worst colour, with a badge counting the enterprises
   with open warnings). A filter change reloads; a click opens the side panel or zooms into a cluster. */
(function () {
  "use strict";
  var DEBOUNCE_MS = 250;
  var labels = Dash.data("dash-labels"), urls = Dash.data("dash-urls"), shapes = Dash.data("dash-outlines");
  var extent = Dash.data("dash-extent");
  var esc = Dash.esc, map, layer, colours = [], icons = {}, request = 0, timer = null, controller = null;
  var form = document.getElementById("map-filters"), mapDiv = document.getElementById("map");
  form.addEventListener("submit", function (event) { event.preventDefault(); });  // filters apply on change

  function icon(colourIndex, warn) {
    var key = colourIndex + ":" + warn;
    if (!icons[key]) {
      icons[key] = L.divIcon({
        className: "ent-marker" + (warn ? " warn" : ""), iconSize: warn ? [14, 14] : [12, 12],
        html: '<span style="display:block;width:100%;height:100%;border-radius:50%;background:' +
          Dash.hex(colours[colourIndex]) + '"></span>'
      });
    }
    return icons[key];
  }

  function point(lat, lon, colourIndex, warn, id) {
    var m = L.marker([lat, lon], {icon: icon(colourIndex === null ? -1 : colourIndex, warn ? 1 : 0)});
    m.on("click", function () { openPanel(id); });
    return m;
  }

  function mixText(mix) {  // "绿码 12，蓝码 3，…" from the counts per colour, then the unscored
    var parts = [];
    colours.forEach(function (c, i) { if (mix[i]) { parts.push(labels.colours[c] + " " + mix[i]); } });
    if (mix[colours.length]) { parts.push(labels.none + " " + mix[colours.length]); }
    return parts.join("，");
  }

  function clusterMarker(c) {
    var n = c.count, size = n < 10 ? 30 : (n < 100 ? 36 : (n < 1000 ? 44 : 52));
    var badge = c.warned ? '<span class="warned">' + c.warned + "</span>" : "";
    var m = L.marker([c.lat, c.lon], {
      title: mixText(c.mix) + (c.warned ? "；" + labels.warned + " " + c.warned : "") + "；" + labels.zoom_in,
      icon: L.divIcon({
        className: "", iconSize: [size, size],
        html: '<div class="cluster" style="width:' + size + "px;height:" + size + "px;line-height:" + size +
          "px;background:" + Dash.hex(c.worst === null ? null : colours[c.worst]) + '">' + n + badge + "</div>"
      })
    });
    m.on("click", function () { map.setView(m.getLatLng(), Math.min(map.getZoom() + 2, map.getMaxZoom())); });
    return m;
  }

  function query() {
    var b = map.getBounds(), params = new URLSearchParams();
    function clamp(v, limit) { return Math.max(-limit, Math.min(limit, v)).toFixed(5); }
    params.set("bbox", [clamp(b.getWest(), 180), clamp(b.getSouth(), 90), clamp(b.getEast(), 180),
                        clamp(b.getNorth(), 90)].join(","));
    params.set("zoom", String(Math.round(map.getZoom())));
    new FormData(form).forEach(function (value, key) { if (value) { params.append(key, value); } });
    return params.toString();
  }

  function draw(data) {
    var f = {};
    data.fields.forEach(function (name, i) { f[name] = i; });
    colours = data.colours;
    layer.clearLayers();
    data.rows.forEach(function (r) {
      if (data.mode === "points") {
        layer.addLayer(point(r[f.lat], r[f.lon], r[f.colour], r[f.warnings], r[f.id]));
      } else if (r[f.count] === 1) {  // a cell of one enterprise is that enterprise
        layer.addLayer(point(r[f.lat], r[f.lon], r[f.worst], r[f.warned], r[f.id]));
      } else {
        layer.addLayer(clusterMarker({lat: r[f.lat], lon: r[f.lon], count: r[f.count], worst: r[f.worst],
                                      warned: r[f.warned], mix: r[f.mix]}));
      }
    });
  }

  function load() {
    clearTimeout(timer);
    if (controller) { controller.abort(); }
    controller = new AbortController();
    var mine = ++request;
    mapDiv.dataset.loaded = "0";
    fetch(urls.view + "?" + query(), {credentials: "same-origin", headers: {"Accept": "application/json"},
                                      signal: controller.signal})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        if (mine !== request) { return; }
        draw(data);
        document.getElementById("marker-count").textContent = data.count;
        mapDiv.dataset.count = String(data.count);
        mapDiv.dataset.mode = data.mode;
        mapDiv.dataset.loaded = "1";
      })
      .catch(function () {
        if (mine !== request) { return; }  // aborted by a newer request
        document.getElementById("marker-count").textContent = labels.error;
        mapDiv.dataset.loaded = "error";
      });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(load, DEBOUNCE_MS);
  }

  function chip(colour) {
    return '<span class="chip c-' + esc(colour || "none") + '">' +
      esc(colour ? labels.colours[colour] : labels.none) + "</span>";
  }

  function table(rows, head) {
    if (!rows.length) { return "<p class='note'>" + esc(labels.none_open) + "</p>"; }
    return "<table><tr>" + head.map(function (h) { return "<th>" + esc(h) + "</th>"; }).join("") + "</tr>" +
      rows.join("") + "</table>";
  }

  function renderPanel(d) {
    var html = "<h2>" + esc(d.name) + " " + chip(d.colour) + "</h2>";
    html += "<p>" + esc(d.credit_code) + "<br>" + esc(d.township) + " · " + esc(d.industry) + "<br>" +
      esc(d.management_class) + " · " + esc(d.status) + (d.score !== null ? " · " + esc(labels.score) + " " +
      esc(d.score) : "") + "<br>" + esc(d.address) + " " + esc(d.contact) + " " + esc(d.phone) + "</p>";
    html += "<h3>" + esc(labels.permit) + "</h3>";
    html += d.permit ? "<p>" + esc(d.permit.number) + " · " + esc(d.permit["class"]) + " · " + esc(d.permit.status) +
      "<br>" + esc(d.permit.valid_from) + " – " + esc(d.permit.expires_on) +
      (d.permit.expired ? ' <span class="exceeds">' + esc(labels.expires) + "</span>" : "") +
      (d.permit.annual_quantities.length ? "<br>" + esc(labels.annual) + "：" + d.permit.annual_quantities.map(function (q) {
        return esc(q.name) + " " + esc(q.tonnes) + " t/a";
      }).join("，") : "") + "</p>"
      : "<p class='note'>" + esc(labels.none_open) + "</p>";
    html += "<h3>" + esc(labels.limits) + "</h3>";
    html += table(d.limits.map(function (l) {
      var chartUrl = urls.chart.replace("/0/", "/" + l.outlet_id + "/") + "?pollutant=" + encodeURIComponent(l.pollutant);
      return "<tr><td>" + esc(l.outlet) + "</td><td>" + esc(l.pollutant_name) + "</td><td" +
        (l.exceeds ? ' class="exceeds"' : "") + ">" + (l.value === null ? esc(labels.no_data) : esc(l.value_text)) +
        "</td><td>≤ " + esc(l.limit_text) + "</td><td><a href='" + esc(chartUrl) + "'>" +
        esc(labels.chart) + "</a></td></tr>";
    }), ["", "", "", "", ""]);
    html += "<h3>" + esc(labels.alerts) + " (" + d.alerts.length + ")</h3>";
    html += table(d.alerts.map(function (a) {
      return "<tr><td>" + esc(a.opened_at.slice(0, 16).replace("T", " ")) + "</td><td>" + esc(a.outlet) + " " +
        esc(a.pollutant_name) + "</td><td>" + esc(a.rule) + (a.value_text ? " " + esc(a.value_text) : "") + "</td><td>" +
        esc(a.state) + "</td></tr>";
    }), ["", "", "", ""]);
    html += "<h3>" + esc(labels.orders) + "</h3>";
    html += table(d.work_orders.map(function (o) {
      return "<tr><td>#" + esc(o.id) + "</td><td>" + esc(o.title) + "</td><td>" + esc(o.state) +
        (o.overdue ? ' <span class="exceeds">' + esc(labels.overdue) + "</span>" : "") + "</td></tr>";
    }), ["", "", ""]);
    html += "<h3>" + esc(labels.history) + "</h3>";
    html += table(d.colour_history.map(function (c) {
      return "<tr><td>" + esc(c.at.slice(0, 10)) + "</td><td>" + chip(c.from) + " → " + chip(c.to) + "</td></tr>";
    }), ["", ""]);
    return html;
  }

  function openPanel(id) {
    var panel = document.getElementById("panel");
    panel.innerHTML = "<p class='note'>" + esc(labels.loading) + "</p>";
    fetch(urls.panel.replace("/0/", "/" + id + "/"), {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (d) { panel.innerHTML = renderPanel(d); panel.dataset.enterprise = String(d.id); })
      .catch(function () { panel.innerHTML = "<p class='error'>" + esc(labels.error) + "</p>"; });
  }

  function legend() {
    var control = L.control({position: "bottomright"});
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "legend");
      div.innerHTML = Object.keys(labels.colours).map(function (c) { return chip(c); }).join(" ") + " " + chip(null);
      return div;
    };
    control.addTo(map);
  }

  window.dashboardMapInit = function (m) {
    map = m;
    Dash.outlines(map, shapes);
    layer = L.layerGroup().addTo(map);
    legend();
    if (extent) {  // the first screen frames the enterprises the user may see; "reset view" returns to it
      map.fitBounds(extent, {padding: [20, 20], maxZoom: 15, animate: false});
      if (map.resetviewControl) {
        map.resetviewControl.getBounds = function () { return L.latLngBounds(extent); };
        map.resetviewControl.getContainer().querySelector("a").title = labels.reset_view;
      }
    }
    map.on("moveend zoomend", schedule);
    form.addEventListener("change", load);
    schedule();
  };
})();
