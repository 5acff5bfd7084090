/* An outlet's readings against its permit limit: average line, min–max band, dashed limit line(s). */
(function () {
  "use strict";
  var canvas = document.getElementById("series-chart"), status = document.getElementById("series-status");
  var L_ = Dash.data("series-labels");
  var params = new URLSearchParams(new FormData(document.getElementById("series-form")));
  fetch(canvas.dataset.url + "?" + params.toString(), {credentials: "same-origin"})
    .then(function (r) { return r.json().then(function (d) { return {ok: r.ok, d: d}; }); })
    .then(function (res) {
      if (!res.ok) { status.textContent = res.d.error || L_.error; return; }
      var d = res.d, labels = d.points.map(function (p) { return p[0].slice(0, 16).replace("T", " "); });
      if (!d.points.length) { status.textContent = L_.no_data; }
      var flat = function (v) { return d.points.map(function () { return v; }); };
      var datasets = [
        {label: L_.range, data: d.points.map(function (p) { return p[3]; }), borderWidth: 0, pointRadius: 0,
         backgroundColor: "rgba(44,123,182,0.15)", fill: "+1"},
        {label: "", data: d.points.map(function (p) { return p[2]; }), borderWidth: 0, pointRadius: 0, fill: false},
        {label: L_.avg + " (" + d.unit + ")", data: d.points.map(function (p) { return p[1]; }),
         borderColor: "#2c7bb6", pointRadius: 1, fill: false}];
      if (d.limit !== null) {
        datasets.push({label: L_.limit + " " + d.limit, data: flat(d.limit), borderColor: "#d73027",
                       borderDash: [6, 4], pointRadius: 0, fill: false});
      }
      if (d.lower_limit !== null) {
        datasets.push({label: L_.lower + " " + d.lower_limit, data: flat(d.lower_limit), borderColor: "#f46d43",
                       borderDash: [6, 4], pointRadius: 0, fill: false});
      }
      new Chart(canvas, {type: "line", data: {labels: labels, datasets: datasets},
        options: {animation: false, plugins: {legend: {labels: {filter: function (i) { return i.text; }}}}}});
    })
    .catch(function () { status.textContent = L_.error; });
})();
