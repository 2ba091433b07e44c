/* Draws the supervision charts with the vendored ECharts. The data comes from the page in
   <script type="application/json"> blocks (json_script): the same rows as the table view and
   the .xlsx export. No inline scripts (CSP). */
(function () {
  "use strict";
  var BRAND = ["#b3261e", "#1f6feb", "#2da44e", "#bf8700", "#8250df", "#57606a"];

  function column(rows, i) { return rows.map(function (r) { return r[i]; }); }

  function option(name, data) {
    var h = data.headers, rows = data.rows;
    var base = { color: BRAND, tooltip: { trigger: "axis" }, grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true } };
    if (name === "trend") {
      return Object.assign(base, {
        legend: { top: 0 },
        xAxis: { type: "category", data: column(rows, 0) },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: h[1], type: "line", smooth: true, data: column(rows, 1) },
          { name: h[2], type: "line", smooth: true, data: column(rows, 2) }
        ]
      });
    }
    if (name === "categories") {
      var cats = rows.slice(0, 12).reverse();
      return Object.assign(base, {
        legend: { top: 0 },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: column(cats, 0) },
        series: [
          { name: h[1], type: "bar", data: column(cats, 1) },
          { name: h[2], type: "bar", data: column(cats, 2) }
        ]
      });
    }
    if (name === "funnel") {
      return {
        color: BRAND,
        tooltip: { trigger: "item" },
        legend: { top: 0 },
        series: [{
          name: h[1], type: "funnel", sort: "none", top: 40, bottom: 10, left: "10%", width: "80%", gap: 2,
          label: { show: true, position: "inside", formatter: "{b}: {c}" },
          data: rows.map(function (r) { return { name: r[0], value: r[1] }; })
        }]
      };
    }
    if (name === "ranking") {
      var ranked = rows.filter(function (r) { return r[7] !== null; }).slice(0, 15).reverse();
      return Object.assign(base, {
        xAxis: { type: "value", max: 100 },
        yAxis: { type: "category", data: column(ranked, 1) },
        series: [{ name: h[7], type: "bar", data: column(ranked, 7), label: { show: true, position: "right" } }]
      });
    }
    return null;
  }

  function draw() {
    if (!window.echarts) { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-source"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      if (!data.rows.length) {
        el.classList.add("d-flex", "align-items-center", "justify-content-center", "text-muted");
        el.textContent = el.getAttribute("data-empty") || "—";
        return;
      }
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option(el.getAttribute("data-chart"), data));
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
