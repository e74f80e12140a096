// Report charts: every <canvas data-chart="<id>"> draws the chart described by the JSON of the
// element with that id (a json_script block the server wrote beside the table of the same
// numbers): {type, unit, labels, datasets: [{label, data, color, type?, axis?, joined?}]};
// a dataset with joined: false is drawn as points with no line between them.
// Charts are drawn again whenever the report is swapped in (new period or filters).

function formatterFor(unit, currency) {
  if (unit === "currency" && currency) {
    const money = new Intl.NumberFormat(undefined, { style: "currency", currency });
    return (value) => money.format(value);
  }
  if (unit === "minutes") return (value) => `${value} min`;
  return (value) => Number(value).toLocaleString();
}

function chartConfig(spec, canvas) {
  const format = formatterFor(spec.unit, canvas.dataset.currency);
  const hasPercent = spec.datasets.some((dataset) => dataset.axis === "percent");
  const datasets = spec.datasets.map((dataset) => ({
    label: dataset.label,
    data: dataset.data,
    type: dataset.type || spec.type,
    yAxisID: dataset.axis === "percent" ? "percent" : "y",
    borderColor: dataset.color,
    backgroundColor: (dataset.type || spec.type) === "line" ? dataset.color : `${dataset.color}cc`,
    tension: 0.2,
    spanGaps: true,
    // Values of unrelated categories (campaigns) are points: a line between them means nothing.
    showLine: dataset.joined !== false,
    pointRadius: dataset.joined === false ? 6 : 3,
    pointHoverRadius: dataset.joined === false ? 8 : 4,
    pointStyle: dataset.joined === false ? "rectRot" : "circle",
  }));
  const scales = {
    // A few categories (campaigns, sources, people) each keep their label; only long runs of
    // days skip some.
    x: { ticks: { autoSkip: spec.labels.length > 12, maxRotation: 45 } },
    y: {
      beginAtZero: true,
      ticks: { callback: (value) => format(value), precision: spec.unit === "count" ? 0 : undefined },
    },
  };
  if (hasPercent) {
    scales.percent = {
      position: "right",
      beginAtZero: true,
      suggestedMax: 100,
      grid: { drawOnChartArea: false },
      ticks: { callback: (value) => `${value}%` },
    };
  }
  return {
    type: spec.type,
    data: { labels: spec.labels, datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      responsive: true,
      scales,
      plugins: {
        legend: { display: datasets.length > 1 },
        tooltip: {
          callbacks: {
            label: (item) => {
              const value = item.raw;
              if (value === null || value === undefined) return `${item.dataset.label}: —`;
              const shown = item.dataset.yAxisID === "percent" ? `${value}%` : format(value);
              return `${item.dataset.label}: ${shown}`;
            },
          },
        },
      },
    },
  };
}

function drawCharts(root) {
  if (typeof Chart === "undefined") return;
  root.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chart);
    // A canvas keeps its chart until the report is swapped for another one.
    if (!source || Chart.getChart(canvas)) return;
    new Chart(canvas, chartConfig(JSON.parse(source.textContent), canvas));
  });
}

document.addEventListener("DOMContentLoaded", () => drawCharts(document));
document.addEventListener("htmx:afterSettle", () => drawCharts(document));
