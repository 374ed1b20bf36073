// Atoll admin UI: the only script of our own (no inline script: the CSP allows 'self' only).
// Draws the overview chart with uPlot from /ui/overview.json; every page reads without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("chart");
  if (!el || typeof uPlot === "undefined") {
    return;
  }
  fetch(el.getAttribute("data-src"), { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (d) {
      var opts = {
        width: Math.max(320, Math.min(960, el.clientWidth || 800)),
        height: 260,
        series: [
          {},
          { label: "calls/s", stroke: "#2563eb", scale: "rate" },
          { label: "p50 ms", stroke: "#16a34a", scale: "ms" },
          { label: "p99 ms", stroke: "#dc2626", scale: "ms" }
        ],
        axes: [{}, { scale: "rate", label: "calls/s" }, { scale: "ms", side: 1, label: "ms", grid: { show: false } }]
      };
      new uPlot(opts, [d.t, d.rate, d.p50, d.p99], el);
    })
    .catch(function () { el.textContent = "chart unavailable"; });
});
