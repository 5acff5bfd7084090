/* The one map: fetches the compact enterprise rows, draws them as coloured markers in clusters (the
   cluster takes the worst colour inside it), refetches when a filter changes and opens the side panel. */
(function () {
  "use strict";
  var labels = Dash.data("dash-labels"), urls = Dash.data("dash-urls"), shapes = Dash.data("dash-outlines");
  var esc = Dash.esc, map, cluster, colours = [], icons = {}, request = 0, fitted = false;
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

  function clusterIcon(group) {
    var worst = -1;
    group.getAllChildMarkers().forEach(function (m) { if (m.colourIndex > worst) { worst = m.colourIndex; } });
    var n = group.getChildCount(), size = n < 100 ? 34 : (n < 1000 ? 42 : 50);
    return L.divIcon({
      html: '<div class="cluster" style="width:' + size + "px;height:" + size + "px;line-height:" + size +
        "px;background:" + Dash.hex(worst >= 0 ? colours[worst] : null) + '">' + n + "</div>",
      className: "", iconSize: [size, size]
    });
  }

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value) { params.append(key, value); } });
    return params.toString();
  }

  function load() {
    var mine = ++request;
    mapDiv.dataset.loaded = "0";
    fetch(urls.data + "?" + query(), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        if (mine !== request) { return; }
        colours = data.colours;
        var f = {}; data.fields.forEach(function (name, i) { f[name] = i; });
        var markers = data.rows.map(function (row) {
          var ci = row[f.colour] === null ? -1 : row[f.colour];
          var m = L.marker([row[f.lat], row[f.lon]], {icon: icon(ci, row[f.warnings])});
          m.entId = row[f.id]; m.colourIndex = ci;
          m.on("click", function () { openPanel(m.entId); });
          return m;
        });
        cluster.clearLayers();
        cluster.addLayers(markers);
        if (!fitted && markers.length) {  // the first load frames the data; later filters keep the view
          // From the rows, not cluster.getBounds(): chunked loading may still be adding markers.
          map.fitBounds(L.latLngBounds(markers.map(function (m) { return m.getLatLng(); })),
                        {padding: [20, 20], maxZoom: 15});
          fitted = true;
        }
        document.getElementById("marker-count").textContent = data.count;
        mapDiv.dataset.count = String(data.count);
        mapDiv.dataset.loaded = "1";
      })
      .catch(function () {
        document.getElementById("marker-count").textContent = labels.error;
        mapDiv.dataset.loaded = "error";
      });
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
    cluster = L.markerClusterGroup({chunkedLoading: true, iconCreateFunction: clusterIcon, maxClusterRadius: 60,
                                    disableClusteringAtZoom: 16, spiderfyOnMaxZoom: false});
    map.addLayer(cluster);
    legend();
    form.addEventListener("change", load);
    load();
  };
})();
