import type { StrategyConfig } from "@botmm/strategy";
import { bps, fixed, usd } from "../format.ts";
import { renderReportPage, reportCharts } from "../html-report.ts";
import { type BacktestMetrics, computeMetrics } from "../metrics.ts";
import {
  type HaltedFields,
  haltedFields,
  haltLines,
  haltWarning,
  type PerformanceFields,
  type PnlSplit,
  performanceFields,
  pnlSplit,
  ratiosLine,
  type SharedAssumptions,
} from "../report.ts";
import type {
  DataGap,
  QueueStats,
  ReplayCalibration,
  ReplayEventCounts,
  ReplayRun,
  TimeMarkouts,
} from "./engine.ts";
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
  /** How to avoid a long warm-up, for the warning a mostly-warming-up run gets (default: the library option). */
  warmupAdvice?: string;
  /** Crossed and locked books the reader skipped (`--skip-bad-books`); absent: none were skipped. */
  booksSkipped?: { crossed: number; locked: number };
  runtimeMs: number;
}

/** The JSON report of a replay: the candle report's top-level fields plus `queue` and the data description. */
export interface ReplayReport extends PerformanceFields {
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
    /** Crossed and locked books skipped by the reader (only with --skip-bad-books; otherwise such a book is an error). */
    booksSkipped: { crossed: number; locked: number };
  };
  assumptions: SharedAssumptions & {
    queueModel: string;
    queueModelDescription: string;
    queueModelParameters: QueueStats["model"];
    latencyMs: number;
    latency: string;
    requoteIntervalMs: number;
    /** How the address request budget was modelled, in words. */
    requestBudget: string;
    fillInference: string;
    takerExits: string;
    gaps: string;
    bars: string;
  };
  strategy: StrategyConfig;
  pnl: PnlSplit;
  halted: HaltedFields;
  /** The ledger's independent total; equals `pnl.total` to the cent. */
  ledgerTotal: number;
  fills: BacktestMetrics["fills"];
  /** Orders with at least one fill (`fills` counts each partial fill). */
  ordersFilled: number;
  /** Traded volume of own fills, base units (USD in `volumeUsd`). */
  volumeBase: number;
  fillsBySource: ReplayRun["fillsBySource"];
  finalPositionUsd: number;
  markouts: TimeMarkouts;
  /** The strategy's mark-outs of own maker fills in time, bps (null: no fill reached the horizon). */
  markoutsBps: MarkoutsBps;
  /** σ (per bar, bps), A (per bar) and k (per bp) of the last decision and their sources (null: not a number). */
  calibration: {
    sigmaBps: number | null;
    intensityScalePerBar: number | null;
    intensityDecayPerBps: number | null;
    sigmaSource: ReplayCalibration["sigmaSource"];
    intensitySource: ReplayCalibration["intensitySource"];
    /** Mean distance of the quoted best bid / ask from the fair price, and the market's half spread, bps. */
    meanBidHalfSpreadBps: number | null;
    meanAskHalfSpreadBps: number | null;
    meanMarketHalfSpreadBps: number | null;
  };
  queue: QueueStats;
  orders: ReplayRun["orders"];
  /** The request budget's side of the replay, or null when it was not modelled. */
  requestBudget: ReplayRun["requestBudget"];
  takerExits: number;
  warmupBars: number;
  risk: { enabled: boolean; haltedBars: number; reduceOnlyBars: number; barsByRule: Record<string, number> };
  warnings: string[];
  runtimeMs: number;
}

/** Mean mark-out of own fills per horizon, bps; null where no fill reached it. */
export interface MarkoutsBps {
  "1s": number | null;
  "5s": number | null;
  "30s": number | null;
  "60s": number | null;
}

const finiteOrNull = (value: number | undefined): number | null =>
  value !== undefined && Number.isFinite(value) ? value : null;

/**
 * The kernel's mark-out summary (`{ "1s": …, "60s": … }`, NaN where empty) as the reports write it.
 *
 * @example
 * ```ts
 * markoutsBpsOf({ "1s": -0.4, "5s": Number.NaN, "30s": -2, "60s": -3 }); // { "1s": -0.4, "5s": null, … }
 * ```
 */
export function markoutsBpsOf(summary: Readonly<Record<string, number>>): MarkoutsBps {
  return {
    "1s": finiteOrNull(summary["1s"]),
    "5s": finiteOrNull(summary["5s"]),
    "30s": finiteOrNull(summary["30s"]),
    "60s": finiteOrNull(summary["60s"]),
  };
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
      `the strategy was warming up for ${run.warmupBars} of ${run.bars} minutes (${context.warmupAdvice ?? "pass primeCloses to warm it from candles"})`,
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
      booksSkipped: context.booksSkipped ?? { crossed: 0, locked: 0 },
    },
    assumptions: {
      queueModel: model.type,
      queueModelDescription: describeQueueModel(model),
      queueModelParameters: model,
      latencyMs: run.latencyMs,
      latency: `place, modify and cancel act ${run.latencyMs} ms after the event they react to (local clock: order entry plus feed delay); a modify re-queues at the back`,
      requoteIntervalMs: run.requoteIntervalMs,
      requestBudget:
        run.requestBudget === null
          ? "not modelled: every modify is sent at once (a small Hyperliquid account could not afford that live)"
          : "paced as the live bot: modifies that only chase the market wait for what the address budget sustains; protective ones always go",
      fillInference: bookOnly
        ? `${BOOK_ONLY_FILLS}: an order fills when the opposite best price reaches its price`
        : "a trade at the order's price fills it after the quantity ahead; a trade through it fills it up to the trade's size; a book crossing it fills it fully",
      makerFee: strategy.makerFee,
      takerFee: strategy.takerFee,
      rebateAssumed: strategy.makerFee < 0,
      feeAware: strategy.feeAware,
      takerExits: `beyond the hard limit the position is cut to the soft limit (a halt with onHalt flatten: closed) by an IOC taker order, as the live bot sends it: limited to ${run.exitSlippageBps} bps through the best opposite price when sent, it walks the recorded book up to that limit (taker fee); what the limit leaves is asked for again after 5 s`,
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
    pnl: pnlSplit(run),
    halted: haltedFields(run, run.bars, strategy),
    ledgerTotal: run.ledgerTotalUsd,
    fills: metrics.fills,
    ordersFilled: run.ordersFilled,
    volumeBase: run.fills.reduce((sum, fill) => sum + fill.size, 0),
    fillsBySource: run.fillsBySource,
    ...performanceFields(metrics, context.capitalUsd),
    finalPositionUsd: run.finalPosition * lastClose,
    markouts: run.markouts,
    markoutsBps: markoutsBpsOf(run.markoutsBps),
    calibration: {
      sigmaBps: finiteOrNull(run.calibration.sigmaBps),
      intensityScalePerBar: finiteOrNull(run.calibration.intensityScalePerBar),
      intensityDecayPerBps: finiteOrNull(run.calibration.intensityDecayPerBps),
      sigmaSource: run.calibration.sigmaSource,
      intensitySource: run.calibration.intensitySource,
      meanBidHalfSpreadBps: finiteOrNull(run.calibration.meanBidHalfSpreadBps),
      meanAskHalfSpreadBps: finiteOrNull(run.calibration.meanAskHalfSpreadBps),
      meanMarketHalfSpreadBps: finiteOrNull(run.calibration.meanMarketHalfSpreadBps),
    },
    queue: run.queue,
    orders: run.orders,
    requestBudget: run.requestBudget,
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

const perDay = (count: number, hours: number): string =>
  hours > 0 ? Math.round((count * 24) / hours).toLocaleString("en-US") : "n/a";
const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
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
    ...(d.booksSkipped.crossed + d.booksSkipped.locked > 0
      ? [
          `  bad books    ${d.booksSkipped.crossed} crossed and ${d.booksSkipped.locked} locked books skipped (--skip-bad-books)`,
        ]
      : []),
    "assumptions",
    `  queue        ${a.queueModelDescription}`,
    `  latency      ${a.latency}; requote at most every ${a.requoteIntervalMs} ms`,
    `  requests     ${a.requestBudget}`,
    `  fills        ${a.fillInference}`,
    `  fees         maker ${(a.makerFee * 100).toFixed(4)}% (${a.makerFee >= 0 ? "a cost" : "a REBATE — assumed, not Hyperliquid's base tier"}), taker ${(a.takerFee * 100).toFixed(4)}%; fee-aware quoting ${a.feeAware ? "on" : "off"}`,
    `  exits        ${a.takerExits}`,
    `  funding      ${a.funding}${a.fundingHoursMissing > 0 ? ` (${a.fundingHoursMissing} hours without a rate: none charged)` : ""}`,
    `  gaps         ${a.gaps}`,
    `  decisions    ${a.noLookAhead}`,
    `  model σ A k  σ ${fixed(report.calibration.sigmaBps)} bps/bar (${report.calibration.sigmaSource}), A ${fixed(report.calibration.intensityScalePerBar)}/bar, k ${fixed(report.calibration.intensityDecayPerBps)}/bp (${report.calibration.intensitySource}) at the last decision`,
    `  quoted at    bid ${fixed(report.calibration.meanBidHalfSpreadBps)} / ask ${fixed(report.calibration.meanAskHalfSpreadBps)} bps from the fair price on average; the market's half spread ${fixed(report.calibration.meanMarketHalfSpreadBps)} bps`,
    `  strategy     model ${report.strategy.model}, base ${report.strategy.baseSpreadBps} bps, vol × ${report.strategy.volMultiplier}, max ${usd(report.strategy.maxPositionUsd)}, order ${usd(report.strategy.orderSizeUsd)} × ${report.strategy.levels} level(s)`,
    "pnl",
    `  total        ${usd(report.pnl.total)}   (ledger ${usd(report.ledgerTotal)})`,
    `  = spread     ${usd(report.pnl.spread)}   (fills vs the mid at decision time)`,
    `  + inventory  ${usd(report.pnl.inventory)}   (mark-to-market at the mid)`,
    `  − fees       ${usd(report.pnl.fees)}`,
    `  + funding    ${usd(report.pnl.funding)}`,
    ...haltLines(report.halted, report.pnl),
    "activity",
    `  fills        ${report.fills.buy} buys, ${report.fills.sell} sells (${report.fills.taker} taker exits) from ${report.ordersFilled} orders; by source: ${Object.entries(
      report.fillsBySource,
    )
      .map(([source, count]) => `${source} ${count}`)
      .join(", ")}`,
    `  volume       ${usd(report.volumeUsd)}; max |inventory| ${usd(report.maxAbsInventoryUsd)}; final position ${usd(report.finalPositionUsd)}`,
    `  orders       ${report.orders.placed} placed, ${report.orders.modified} modified, ${report.orders.cancelled} cancelled, ${report.orders.rejectedPostOnly} post-only rejects`,
    ...(report.requestBudget === null
      ? []
      : [
          `  budget       ${report.requestBudget.requestsSent.toLocaleString("en-US")} requests sent (${perDay(report.requestBudget.requestsSent, d.hours)}/day), ${report.requestBudget.deferredModifies.toLocaleString("en-US")} chasing modifies deferred; ${report.requestBudget.addressRemainingAtEnd.toLocaleString("en-US")} of the address budget left`,
        ]),
    `  mark-outs    ${Object.entries(report.markoutsBps)
      .map(([horizon, value]) => `${horizon} ${bps(value)}`)
      .join(", ")} (own maker fills, on every book's mid)`,
    `  mark-outs    ${report.markouts.horizonsMs.map((ms, i) => `${ms / 1000} s ${bps(report.markouts.allBps[i] ?? null)}`).join(", ")} (negative = adverse selection)`,
    "queue",
    `  quotes       ${q.ordersFilled} of ${q.ordersRested} resting orders filled (${percent(q.shareOfQuotesFilled)})`,
    `  time to fill median ${seconds(q.timeToFillMs.median)}, p90 ${seconds(q.timeToFillMs.p90)} (${q.timeToFillMs.count} orders)`,
    `  quoted       bid ${percent(q.shareOfTimeQuoted.bid)}, ask ${percent(q.shareOfTimeQuoted.ask)}, both ${percent(q.shareOfTimeQuoted.both)} of the time (gaps excluded)`,
    "risk and return",
    ratiosLine(report) + haltWarning(report.halted),
    `  max drawdown ${usd(report.maxDrawdownUsd)}; return / drawdown ${fixed(report.returnOverDrawdown)}${haltWarning(report.halted)}`,
    `  daily PnL    mean ${usd(report.dailyMeanPnl)}, median ${usd(report.dailyMedianPnl)} on ${usd(a.capitalUsd)} (${(report.dailyMeanReturnOnCapital * 100).toFixed(3)}%/day mean), ${report.daily.length} day(s)`,
  );
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  if (report.banner !== null) lines.push("", `!!! ${report.banner} !!!`);
  return lines.join("\n");
}

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
  const charts = reportCharts(
    run,
    run.candles.openTime,
    run.candles.close,
    "Mid (1-minute close) and fills",
    report.daily,
  );
  return renderReportPage(
    `BotMM order-book replay — ${report.data.symbol}`,
    report.banner,
    formatReplaySummary(report),
    charts,
  );
}
