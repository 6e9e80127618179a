import type { CandleColumns } from "./candle-columns.ts";
import type { BacktestRun } from "./engine.ts";
import { ordinal } from "./format.ts";
import type { DailyPnl } from "./metrics.ts";
import { type BacktestReport, formatSummary } from "./report.ts";
import { downsampleMinMax, renderChart } from "./svg-chart.ts";

const BUCKETS = 1_200;
const MAX_MARKERS = 1_500;

const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The per-bar series every run (candle or replay) records, and its fills. */
export type ChartableRun = Pick<
  BacktestRun,
  "bars" | "fills" | "equityUsd" | "positionUsd" | "spreadUsdByBar" | "feesUsdByBar" | "fundingUsdByBar"
>;

/**
 * The charts of a report as SVG strings: price with fills (every nth fill when there are many), equity and its
 * split, inventory, drawdown and daily PnL. `times` and `prices` are the bars' open times and the price line.
 *
 * @example
 * ```ts
 * const svgs = reportCharts(run, columns.openTime, columns.close, "Price and fills", report.daily);
 * ```
 */
export function reportCharts(
  run: ChartableRun,
  times: ArrayLike<number>,
  prices: ArrayLike<number>,
  priceTitle: string,
  daily: readonly DailyPnl[],
): string[] {
  const n = run.bars;
  const fillStride = Math.max(1, Math.ceil(run.fills.length / MAX_MARKERS));
  const buys = { x: [] as number[], y: [] as number[] };
  const sells = { x: [] as number[], y: [] as number[] };
  run.fills.forEach((fill, index) => {
    if (index % fillStride !== 0) return;
    const target = fill.side === "buy" ? buys : sells;
    target.x.push(fill.timeMs);
    target.y.push(fill.price);
  });
  const inventoryPnl = new Float64Array(n);
  const negativeFees = new Float64Array(n);
  const drawdown = new Float64Array(n);
  let peak = 0;
  for (let i = 0; i < n; i++) {
    inventoryPnl[i] =
      run.equityUsd[i]! - run.spreadUsdByBar[i]! + run.feesUsdByBar[i]! - run.fundingUsdByBar[i]!;
    negativeFees[i] = -run.feesUsdByBar[i]!;
    peak = Math.max(peak, run.equityUsd[i]!);
    drawdown[i] = run.equityUsd[i]! - peak;
  }
  const line = (name: string, color: string, values: ArrayLike<number>) => {
    const sampled = downsampleMinMax(times, values, BUCKETS);
    return { name, color, x: sampled.x, y: sampled.y };
  };
  return [
    renderChart({
      title: `${priceTitle}${fillStride > 1 ? ` (every ${ordinal(fillStride)} fill shown)` : ""}`,
      yLabel: "price",
      series: [line("price", "#475569", prices)],
      markers: [
        { name: "buy fills", color: "#16a34a", shape: "up", ...buys },
        { name: "sell fills", color: "#dc2626", shape: "down", ...sells },
      ],
      height: 320,
    }),
    renderChart({
      title: "Equity and its split (cumulative)",
      yLabel: "USD",
      series: [
        line("total", "#111827", run.equityUsd),
        line("spread", "#2563eb", run.spreadUsdByBar),
        line("inventory", "#f59e0b", inventoryPnl),
        line("−fees", "#dc2626", negativeFees),
        line("funding", "#7c3aed", run.fundingUsdByBar),
      ],
      height: 320,
    }),
    renderChart({
      title: "Inventory (position notional)",
      yLabel: "USD",
      series: [line("inventory", "#0891b2", run.positionUsd)],
    }),
    renderChart({
      title: "Drawdown from peak equity",
      yLabel: "USD",
      series: [line("drawdown", "#dc2626", drawdown)],
    }),
    renderChart({
      title: "Daily PnL (UTC days)",
      yLabel: "USD",
      bars: true,
      series: [
        {
          name: "daily PnL",
          color: "#16a34a",
          x: daily.map((day) => Date.parse(`${day.date}T12:00:00Z`)),
          y: daily.map((day) => day.pnl),
        },
      ],
    }),
  ];
}

/**
 * A self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched) around a summary and charts,
 * with the banner (synthetic data) at the top and the bottom.
 *
 * @example
 * ```ts
 * writeFileSync("report.html", renderReportPage("BotMM candle backtest — BTC 1m", null, summaryText, svgs));
 * ```
 */
export function renderReportPage(
  title: string,
  banner: string | null,
  summary: string,
  charts: readonly string[],
): string {
  const bannerHtml = banner === null ? "" : `<div class="banner">${escapeHtml(banner)}</div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1060px; color: #111827; padding: 0 12px; }
h1 { font-size: 22px; margin: 0 0 8px; }
pre { background: #f8fafc; border: 1px solid #e2e8f0; padding: 12px; overflow-x: auto; font-size: 12.5px; }
.banner { background: #fef2f2; border: 2px solid #dc2626; color: #991b1b; font-weight: 700; padding: 10px 14px; margin: 12px 0; }
.chart { margin: 18px 0; }
svg .title { font-size: 14px; font-weight: 600; fill: #111827; }
svg .axis, svg .legend { font-size: 11px; fill: #475569; }
svg .grid { stroke: #e2e8f0; stroke-width: 1; }
svg .zero { stroke: #94a3b8; stroke-width: 1; stroke-dasharray: 4 3; }
svg .frame { fill: none; stroke: #cbd5e1; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${bannerHtml}
<pre>${escapeHtml(summary)}</pre>
${charts.map((svg) => `<div class="chart">${svg}</div>`).join("\n")}
${bannerHtml}
</body>
</html>
`;
}

/**
 * The candle backtest's HTML report: the summary, price with fills, equity and its split, inventory, drawdown
 * and daily PnL, self-contained.
 *
 * @example
 * ```ts
 * writeFileSync("report.html", renderHtmlReport(report, run, columns));
 * ```
 */
export function renderHtmlReport(report: BacktestReport, run: BacktestRun, candles: CandleColumns): string {
  const n = run.bars;
  const charts = reportCharts(
    run,
    candles.openTime.subarray(0, n),
    candles.close.subarray(0, n),
    "Price and fills",
    report.daily,
  );
  return renderReportPage(
    `BotMM candle backtest — ${report.data.symbol} ${report.data.interval}`,
    report.banner,
    formatSummary(report),
    charts,
  );
}
