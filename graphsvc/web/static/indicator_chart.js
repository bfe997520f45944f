// Draws an indicator's series with uPlot (vendor/uplot) from the whole-population table on its page:
// each row's data-date and data-value are the points, so the chart shows exactly what the table says.
// The trajectory (baseline to target, dashed) comes from the container's data- attributes. The
// container is hidden until this draws it; without this file or uPlot the table alone is the page.
// Everything here is set through the DOM and CSSOM: the content security policy refuses inline styles.

const uPlot = window.uPlot;
const HEIGHT = 320; // px: room for the axes' labels and a readable slope
const BLUE = "#005eb8"; // NHS blue for the values
const GREY = "#4c6272"; // NHS secondary text colour for the trajectory
const DAY = 86400; // seconds

const monthYear = new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });

function seconds(isoDate) {
  return Date.parse(isoDate + "T00:00:00Z") / 1000;
}

function pointsFrom(table) {
  const points = [];
  for (const row of table.querySelectorAll("tbody tr[data-date]")) {
    const value = Number(row.dataset.value);
    const when = seconds(row.dataset.date);
    if (Number.isFinite(value) && Number.isFinite(when)) points.push([when, value]);
  }
  return points.sort((a, b) => a[0] - b[0]);
}

function trajectoryFrom(chart) {
  const { start, baseline, end, target } = chart.dataset;
  if (!start || !end) return [];
  const line = [[seconds(start), Number(baseline)], [seconds(end), Number(target)]];
  return line.every(([when, value]) => Number.isFinite(when) && Number.isFinite(value)) ? line : [];
}

// uPlot's series share one x axis: every date either line has, each line null where it has no value
// (spanGaps joins a line across the other's dates).
function aligned(points, trajectory) {
  const xs = [...new Set([...points, ...trajectory].map(([when]) => when))].sort((a, b) => a - b);
  const at = (line) => { const byDate = new Map(line); return xs.map((when) => byDate.has(when) ? byDate.get(when) : null); };
  return trajectory.length ? [xs, at(points), at(trajectory)] : [xs, at(points)];
}

function amount(value, unit) {
  const text = Number(value.toFixed(2)).toLocaleString("en-GB");
  if (!unit) return text;
  return unit === "%" ? text + "%" : text + " " + unit;
}

function options(chart, width, withTrajectory) {
  const unit = chart.dataset.unit || "";
  const series = [
    {},
    { label: "Value", stroke: BLUE, width: 2, spanGaps: true, points: { show: true, size: 8, fill: BLUE } },
  ];
  if (withTrajectory) {
    series.push({ label: "Trajectory", stroke: GREY, width: 2, dash: [8, 6], spanGaps: true, points: { show: false } });
  }
  return {
    width, height: HEIGHT, series,
    legend: { show: false }, // the key and the table below say it, outside the image
    cursor: { show: false }, // nothing to hover: the table gives every value
    scales: { x: { time: true, range: (u, min, max) => [min - 15 * DAY, max + 15 * DAY] } },
    axes: [
      { stroke: GREY, space: 90, values: (u, splits) => splits.map((when) => monthYear.format(new Date(when * 1000))) },
      // A percentage says so on each tick; any other unit is the axis's label.
      unit === "%" ? { stroke: GREY, size: 60, values: (u, splits) => splits.map((value) => amount(value, "%")) }
        : { stroke: GREY, size: 60, label: unit, values: (u, splits) => splits.map((value) => amount(value, "")) },
    ],
  };
}

function draw(chart) {
  const table = document.getElementById(chart.dataset.table);
  const points = table ? pointsFrom(table) : [];
  if (!uPlot || points.length === 0) return;
  const trajectory = trajectoryFrom(chart);
  chart.hidden = false; // shown before drawing: uPlot needs its width
  const key = document.getElementById(chart.id + "-key");
  if (key) key.hidden = false;
  const plot = new uPlot(options(chart, chart.clientWidth, trajectory.length > 0), aligned(points, trajectory), chart);
  new ResizeObserver(() => {
    if (chart.clientWidth && chart.clientWidth !== plot.width) plot.setSize({ width: chart.clientWidth, height: HEIGHT });
  }).observe(chart);
}

for (const chart of document.querySelectorAll(".app-indicator-chart[data-table]")) draw(chart);
