// Invoca campaign pages: the quick stats charts (today, 7 and 30 days: calls and average
// duration), drawn from the JSON the stats fragment carries whenever it is swapped in.
(function () {
  const PERIODS = [["today", "Today"], ["last_7days", "7 days"], ["last_30days", "30 days"]];
  const CHARTS = {
    calls: { label: "Calls", key: "call_count", color: "#2952cc", format: (v) => Number(v).toLocaleString() },
    duration: {
      label: "Average duration (s)",
      key: "call_avg_total_duration",
      color: "#12b76a",
      format: (v) => `${Number(v).toLocaleString()} s`,
    },
  };

  function draw(root) {
    if (typeof window.Chart === "undefined") return;
    const scope = root.querySelector ? root : document;
    const holder = scope.matches?.("[data-invoca-stats]") ? scope : scope.querySelector("[data-invoca-stats]");
    if (!holder) return;
    const script = holder.querySelector("script[type='application/json']");
    if (!script) return;
    const stats = JSON.parse(script.textContent);
    holder.querySelectorAll("canvas[data-invoca-chart]").forEach((canvas) => {
      const spec = CHARTS[canvas.dataset.invocaChart];
      if (!spec) return;
      window.Chart.getChart(canvas)?.destroy();
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: PERIODS.map(([, label]) => label),
          datasets: [{
            label: spec.label,
            data: PERIODS.map(([key]) => (stats[key] || {})[spec.key] || 0),
            backgroundColor: `${spec.color}cc`,
            borderColor: spec.color,
          }],
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          plugins: {
            legend: { display: false },
            title: { display: true, text: spec.label },
            tooltip: { callbacks: { label: (item) => spec.format(item.raw) } },
          },
          scales: {
            // Three periods, each named however narrow the chart: Chart.js would skip some.
            x: { ticks: { autoSkip: false } },
            y: { beginAtZero: true, ticks: { callback: (value) => spec.format(value) } },
          },
        },
      });
      canvas.dataset.drawn = "true";
    });
  }

  document.addEventListener("htmx:afterSettle", (event) => draw(event.target));
  window.addEventListener("load", () => draw(document));
})();
