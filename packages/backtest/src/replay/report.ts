import type { StrategyConfig } from "@botmm/strategy";
import { type BacktestMetrics, computeMetrics, type DailyPnl } from "../metrics.ts";
import { downsampleMinMax, renderChart } from "../svg-chart.ts";
import type { DataGap, QueueStats, ReplayEventCounts, ReplayRun, TimeMarkouts } from "./engine.ts";
import type { ReplayOptions } from "./options.ts";
import { describeQueueModel } from "./options.ts";

/** Where the events came from and what the run was asked. */
export interface ReplayReportContext {
  /** `recording:<dir>`, `hyperliquid-archive:<file>`, `hftbacktest:<file>`, `synthetic`, … */
  source: string;
  /** True when the events are generated: the report then says so everywhere. */
  synthetic?: boolean;
  /** Capital the returns are measured against (USD). */
  capitalUsd: number;
  /** How funding was charged, in words. */
  fundingDescription: string;
  /** Bars each risk rule was active in, when a risk engine ran. */
  riskBarsByRule?: Record<string, number> | null;
  warnings?: string[];
  runtimeMs: number;
}

/** The JSON report of a replay: the candle report's top-level fields plus `queue` and the data description. */
export interface ReplayReport {
  kind: "replay";
  banner: string | null;
  data: {
    symbol: string;
    source: string;
    start: string;
    end: string;
    hours: number;
    events: ReplayEventCounts;
    /** What fills were inferred from, in words. */
    fills: string;
    gaps: number;
    gapMinutes: number;
    gapList: DataGap[];
    bars: number;
  };
  assumptions: {
    queueModel: string;
    queueModelDescription: string;
    queueModelParameters: QueueStats["model"];
    latencyMs: number;
    latency: string;
    requoteIntervalMs: number;
    fillInference: string;
    makerFee: number;
    takerFee: number;
    rebateAssumed: boolean;
    feeAware: boolean;
    takerExits: string;
    funding: string;
    fundingHoursMissing: number;
    gaps: string;
    bars: string;
    synthetic: boolean;
    seed: number;
    capitalUsd: number;
    noLookAhead: string;
  };
  strategy: StrategyConfig;
  pnl: { total: number; spread: number; inventory: number; fees: number; funding: number };
  /** The ledger's independent total; equals `pnl.total` to the cent. */
  ledgerTotal: number;
  fills: BacktestMetrics["fills"];
  fillsBySource: ReplayRun["fillsBySource"];
  fillRate: number;
  volumeUsd: number;
  maxAbsInventoryUsd: number;
  finalPositionUsd: number;
  maxDrawdownUsd: number;
  sharpe: number | null;
  sortino: number | null;
  returnOverDrawdown: number | null;
  bestDay: DailyPnl | null;
  worstDay: DailyPnl | null;
  daysWon: number;
  daysLost: number;
  dailyMeanPnl: number;
  dailyMedianPnl: number;
  dailyMeanReturnOnCapital: number;
  daily: DailyPnl[];
  markouts: TimeMarkouts;
  queue: QueueStats;
  orders: ReplayRun["orders"];
  takerExits: number;
  warmupBars: number;
  risk: { enabled: boolean; haltedBars: number; reduceOnlyBars: number; barsByRule: Record<string, number> };
  warnings: string[];
  runtimeMs: number;
}

/** What a report says about fills when the data has no trades. */
export const BOOK_ONLY_FILLS = "fills inferred from book changes, no trades in the data";

/** The banner every output of a run on generated events carries. */
export const SYNTHETIC_REPLAY_BANNER =
  "SYNTHETIC DATA — generated order-book events, not a market result. Replay a recording for real numbers.";

/**
 * The candle engine's metrics ({@link computeMetrics}) computed on a replay's 1-minute bars: fills per side,
 * fill rate per quoted side-bar, volume, max inventory, drawdown, daily PnL, Sharpe and Sortino. The replay's
 * own mark-outs at 1 s / 10 s / 60 s are in `run.markouts`.
 *
 * @example
 * ```ts
 * const metrics = computeReplayMetrics(run);
 * metrics.maxDrawdownUsd;
 * ```
 */
export function computeReplayMetrics(run: ReplayRun): BacktestMetrics {
  return computeMetrics(run, run.candles);
}

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : "");

/**
 * Assembles the JSON report of a replay.
 *
 * @example
 * ```ts
 * const report = buildReplayReport(run, options, { source: "recording:rec", capitalUsd: 10_000,
 *   fundingDescription: "constant 0.00125%/h", runtimeMs: 900 });
 * report.queue.timeToFillMs.median;
 * ```
 */
export function buildReplayReport(
  run: ReplayRun,
  options: Pick<ReplayOptions, "strategy">,
  context: ReplayReportContext,
  metrics: BacktestMetrics = computeReplayMetrics(run),
): ReplayReport {
  const strategy = options.strategy;
  const synthetic = context.synthetic === true;
  const lastClose = run.candles.length > 0 ? run.candles.close[run.candles.length - 1]! : 0;
  const bookOnly = run.fillInference === "book-changes";
  const warnings = [...(context.warnings ?? [])];
  if (bookOnly) warnings.push(`${BOOK_ONLY_FILLS}: queue positions cannot advance and fills are rarer`);
  if (run.gaps.length > 0) {
    warnings.push(
      `${run.gaps.length} data gap(s), ${(run.gapMs / 60_000).toFixed(1)} minutes in all: own orders were cancelled and nothing was simulated in them`,
    );
  }
  if (run.bars > 0 && run.warmupBars > run.bars / 2) {
    warnings.push(
      `the strategy was warming up for ${run.warmupBars} of ${run.bars} minutes (pass primeCloses to warm it from candles)`,
    );
  }
  if (run.events.otherCoin > 0) warnings.push(`${run.events.otherCoin} events of other coins skipped`);
  if (run.fundingHoursMissing > 0) warnings.push(`${run.fundingHoursMissing} hours without a funding rate`);
  const model = run.queue.model;
  return {
    kind: "replay",
    banner: synthetic ? SYNTHETIC_REPLAY_BANNER : null,
    data: {
      symbol: run.coin,
      source: context.source,
      start: iso(run.startMs),
      end: iso(run.endMs),
      hours: Number.isFinite(run.endMs - run.startMs) ? (run.endMs - run.startMs) / 3_600_000 : 0,
      events: run.events,
      fills: bookOnly ? BOOK_ONLY_FILLS : "fills from recorded trades (and books crossing own orders)",
      gaps: run.gaps.length,
      gapMinutes: run.gapMs / 60_000,
      gapList: run.gaps,
      bars: run.bars,
    },
    assumptions: {
      queueModel: model.type,
      queueModelDescription: describeQueueModel(model),
      queueModelParameters: model,
      latencyMs: run.latencyMs,
      latency: `place, modify and cancel act ${run.latencyMs} ms after the event they react to (local clock: order entry plus feed delay); a modify re-queues at the back`,
      requoteIntervalMs: run.requoteIntervalMs,
      fillInference: bookOnly
        ? `${BOOK_ONLY_FILLS}: an order fills when the opposite best price reaches its price`
        : "a trade at the order's price fills it after the quantity ahead; a trade through it fills it up to the trade's size; a book crossing it fills it fully",
      makerFee: strategy.makerFee,
      takerFee: strategy.takerFee,
      rebateAssumed: strategy.makerFee < 0,
      feeAware: strategy.feeAware,
      takerExits:
        "beyond the hard limit the position is cut to the soft limit by a taker order walking the recorded book (taker fee)",
      funding: context.fundingDescription,
      fundingHoursMissing: run.fundingHoursMissing,
      gaps: "a recorded gap or a book silence longer than maxSilenceMs cancels every own order; nothing is simulated inside",
      bars: "the strategy's volatility and bias are fed 1-minute closes of the mid",
      synthetic,
      seed: run.seed,
      capitalUsd: context.capitalUsd,
      noLookAhead:
        "quotes are decided from the book as seen at local time L and act at L + latency; own orders never move the recorded market",
    },
    strategy,
    pnl: {
      total: run.pnl.totalUsd,
      spread: run.pnl.spreadUsd,
      inventory: run.pnl.inventoryUsd,
      fees: run.pnl.feesUsd,
      funding: run.pnl.fundingUsd,
    },
    ledgerTotal: run.ledgerTotalUsd,
    fills: metrics.fills,
    fillsBySource: run.fillsBySource,
    fillRate: metrics.fillRate,
    volumeUsd: metrics.volumeUsd,
    maxAbsInventoryUsd: metrics.maxAbsInventoryUsd,
    finalPositionUsd: run.finalPosition * lastClose,
    maxDrawdownUsd: metrics.maxDrawdownUsd,
    sharpe: metrics.sharpe,
    sortino: metrics.sortino,
    returnOverDrawdown: metrics.returnOverDrawdown,
    bestDay: metrics.bestDay,
    worstDay: metrics.worstDay,
    daysWon: metrics.daysWon,
    daysLost: metrics.daysLost,
    dailyMeanPnl: metrics.dailyMeanPnl,
    dailyMedianPnl: metrics.dailyMedianPnl,
    dailyMeanReturnOnCapital: context.capitalUsd > 0 ? metrics.dailyMeanPnl / context.capitalUsd : 0,
    daily: metrics.daily,
    markouts: run.markouts,
    queue: run.queue,
    orders: run.orders,
    takerExits: run.takerExits,
    warmupBars: run.warmupBars,
    risk: {
      enabled: context.riskBarsByRule !== undefined && context.riskBarsByRule !== null,
      haltedBars: run.haltedBars,
      reduceOnlyBars: run.reduceOnlyBars,
      barsByRule: context.riskBarsByRule ?? {},
    },
    warnings,
    runtimeMs: context.runtimeMs,
  };
}

const usd = (value: number): string => {
  const sign = value < 0 ? "−" : "";
  return `${sign}$${Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
};
const fixed = (value: number | null, digits = 2): string => (value === null ? "n/a" : value.toFixed(digits));
const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
const bps = (value: number | null): string =>
  value === null ? "n/a" : `${value >= 0 ? "+" : ""}${value.toFixed(2)} bps`;
const seconds = (ms: number | null): string => (ms === null ? "n/a" : `${(ms / 1000).toFixed(1)} s`);

/**
 * The terminal summary of a replay: data, assumptions (queue model, latency, fill inference, fees), the PnL
 * split, fills, queue statistics and risk/return.
 *
 * @example
 * ```ts
 * console.log(formatReplaySummary(report));
 * ```
 */
export function formatReplaySummary(report: ReplayReport): string {
  const a = report.assumptions;
  const d = report.data;
  const q = report.queue;
  const lines: string[] = [];
  if (report.banner !== null) lines.push(`!!! ${report.banner} !!!`, "");
  lines.push(
    `BotMM order-book replay — ${d.symbol}`,
    `  period       ${d.start} → ${d.end} (${d.hours.toFixed(2)} h, ${d.bars} minute bars)`,
    `  source       ${d.source}: ${d.events.books.toLocaleString("en-US")} books, ${d.events.trades.toLocaleString("en-US")} trades${d.gaps > 0 ? `, ${d.gaps} gaps (${d.gapMinutes.toFixed(1)} min)` : ", no gaps"}`,
    `  fills from   ${d.fills}`,
    "assumptions",
    `  queue        ${a.queueModelDescription}`,
    `  latency      ${a.latency}; requote at most every ${a.requoteIntervalMs} ms`,
    `  fills        ${a.fillInference}`,
    `  fees         maker ${(a.makerFee * 100).toFixed(4)}% (${a.makerFee >= 0 ? "a cost" : "a REBATE — assumed, not Hyperliquid's base tier"}), taker ${(a.takerFee * 100).toFixed(4)}%; fee-aware quoting ${a.feeAware ? "on" : "off"}`,
    `  exits        ${a.takerExits}`,
    `  funding      ${a.funding}${a.fundingHoursMissing > 0 ? ` (${a.fundingHoursMissing} hours without a rate: none charged)` : ""}`,
    `  gaps         ${a.gaps}`,
    `  decisions    ${a.noLookAhead}`,
    `  strategy     model ${report.strategy.model}, base ${report.strategy.baseSpreadBps} bps, vol × ${report.strategy.volMultiplier}, max ${usd(report.strategy.maxPositionUsd)}, order ${usd(report.strategy.orderSizeUsd)} × ${report.strategy.levels} level(s)`,
    "pnl",
    `  total        ${usd(report.pnl.total)}   (ledger ${usd(report.ledgerTotal)})`,
    `  = spread     ${usd(report.pnl.spread)}   (fills vs the mid at decision time)`,
    `  + inventory  ${usd(report.pnl.inventory)}   (mark-to-market at the mid)`,
    `  − fees       ${usd(report.pnl.fees)}`,
    `  + funding    ${usd(report.pnl.funding)}`,
    "activity",
    `  fills        ${report.fills.buy} buys, ${report.fills.sell} sells (${report.fills.taker} taker exits); by source: ${Object.entries(
      report.fillsBySource,
    )
      .map(([source, count]) => `${source} ${count}`)
      .join(", ")}`,
    `  volume       ${usd(report.volumeUsd)}; max |inventory| ${usd(report.maxAbsInventoryUsd)}; final position ${usd(report.finalPositionUsd)}`,
    `  orders       ${report.orders.placed} placed, ${report.orders.modified} modified, ${report.orders.cancelled} cancelled, ${report.orders.rejectedPostOnly} post-only rejects`,
    `  mark-outs    ${report.markouts.horizonsMs.map((ms, i) => `${ms / 1000} s ${bps(report.markouts.allBps[i] ?? null)}`).join(", ")} (negative = adverse selection)`,
    "queue",
    `  quotes       ${q.ordersFilled} of ${q.ordersRested} resting orders filled (${percent(q.shareOfQuotesFilled)})`,
    `  time to fill median ${seconds(q.timeToFillMs.median)}, p90 ${seconds(q.timeToFillMs.p90)} (${q.timeToFillMs.count} orders)`,
    `  quoted       bid ${percent(q.shareOfTimeQuoted.bid)}, ask ${percent(q.shareOfTimeQuoted.ask)}, both ${percent(q.shareOfTimeQuoted.both)} of the time (gaps excluded)`,
    "risk and return",
    `  sharpe ${fixed(report.sharpe)}  sortino ${fixed(report.sortino)}  (daily, ×√365)`,
    `  max drawdown ${usd(report.maxDrawdownUsd)}; return / drawdown ${fixed(report.returnOverDrawdown)}`,
    `  daily PnL    mean ${usd(report.dailyMeanPnl)}, median ${usd(report.dailyMedianPnl)} on ${usd(a.capitalUsd)} (${(report.dailyMeanReturnOnCapital * 100).toFixed(3)}%/day mean), ${report.daily.length} day(s)`,
  );
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  if (report.banner !== null) lines.push("", `!!! ${report.banner} !!!`);
  return lines.join("\n");
}

const BUCKETS = 1_200;
const MAX_MARKERS = 1_500;
const escapeHtml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * A self-contained HTML report of a replay (inline SVG, no scripts): the summary, the mid with fills, equity
 * and its split, inventory, drawdown and daily PnL.
 *
 * @example
 * ```ts
 * writeFileSync("replay.html", renderReplayHtmlReport(report, run));
 * ```
 */
export function renderReplayHtmlReport(report: ReplayReport, run: ReplayRun): string {
  const n = run.bars;
  const times = run.candles.openTime;
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
  const charts = [
    renderChart({
      title: `Mid (1-minute close) and fills${fillStride > 1 ? ` (every ${fillStride}th fill shown)` : ""}`,
      yLabel: "price",
      series: [line("mid", "#475569", run.candles.close)],
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
          x: report.daily.map((day) => Date.parse(`${day.date}T12:00:00Z`)),
          y: report.daily.map((day) => day.pnl),
        },
      ],
    }),
  ];
  const banner = report.banner === null ? "" : `<div class="banner">${escapeHtml(report.banner)}</div>`;
  const title = `BotMM order-book replay — ${escapeHtml(report.data.symbol)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
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
<h1>${title}</h1>
${banner}
<pre>${escapeHtml(formatReplaySummary(report))}</pre>
${charts.map((svg) => `<div class="chart">${svg}</div>`).join("\n")}
${banner}
</body>
</html>
`;
}
