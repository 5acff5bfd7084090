/* Trend charts of the KPI page (Chart.js, served from static/vendor). */
(function () {
  "use strict";
  var months = Dash.data("kpi-months"), colourLabels = Dash.data("kpi-colour-labels"), L_ = Dash.data("kpi-labels");
  var labels = months.map(function (m) { return m.month; });
  function series(key, scale) {
    return months.map(function (m) { return m[key] === null ? null : m[key] * (scale || 1); });
  }
  function line(id, datasets, percent) {
    new Chart(document.getElementById(id), {
      type: "line", data: {labels: labels, datasets: datasets},
      options: {animation: false, spanGaps: true, scales: percent ? {y: {min: 0, max: 100}} : {y: {beginAtZero: true}}}
    });
  }
  new Chart(document.getElementById("chart-warnings"), {
    type: "bar", options: {animation: false},
    data: {labels: labels, datasets: [
      {label: L_.warnings_sent, data: series("warnings_sent"), backgroundColor: "#f46d43"},
      {label: L_.answered_rate, data: series("answered_in_time"), backgroundColor: "#1a9850"}]}
  });
  line("chart-rates", [
    {label: L_.answered_rate, data: series("answered_rate", 100), borderColor: "#1a9850"},
    {label: L_.fixed_rate, data: series("fixed_rate", 100), borderColor: "#2c7bb6"},
    {label: L_.self_check_rate, data: series("self_check_rate", 100), borderColor: "#e6b800"},
    {label: L_.off_site_share, data: series("off_site_share", 100), borderColor: "#7b3294"},
    {label: L_.on_time_rate, data: series("on_time_rate", 100), borderColor: "#d73027"}], true);
  line("chart-orders", [
    {label: L_.opened, data: series("work_orders_opened"), borderColor: "#2c7bb6"},
    {label: L_.overdue, data: series("work_orders_overdue"), borderColor: "#d73027"}], false);
  new Chart(document.getElementById("chart-colours"), {
    type: "bar", options: {animation: false, scales: {x: {stacked: true}, y: {stacked: true}}},
    data: {labels: labels, datasets: Object.keys(colourLabels).map(function (c) {
      return {label: colourLabels[c], data: months.map(function (m) { return m.colours[c]; }),
              backgroundColor: Dash.hex(c)};
    })}
  });
})();
