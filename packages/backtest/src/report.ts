import type { StrategyConfig } from "@botmm/strategy";
import type { CandleColumns } from "./candle-columns.ts";
import type { BacktestOptions, BacktestRun } from "./engine.ts";
import { describeFillModel } from "./fill-model.ts";
import { bps, dailyRatio, fixed, usd } from "./format.ts";
import { type BacktestMetrics, type Markouts, MIN_DAILY_POINTS_FOR_RATIOS } from "./metrics.ts";

/** Where the candles came from and what the run was asked. */
export interface ReportContext {
  symbol: string;
  interval: string;
  /** `binance`, `hyperliquid`, `csv:<file>`, `synthetic`, … */
  source: string;
  /** True when the candles are generated: the report then says, everywhere, that it is not a market result. */
  synthetic: boolean;
  /** Capital the returns are measured against (USD). */
  capitalUsd: number;
  /** Bars each risk rule was active in, when a risk engine ran. */
  riskBarsByRule: Record<string, number> | null;
  /** How funding was charged, in words. */
  fundingDescription: string;
  warnings: string[];
  gapCount: number;
  missingBars: number;
  runtimeMs: number;
}

/** The performance figures both reports carry, from {@link computeMetrics}. */
export type PerformanceFields = Pick<
  BacktestMetrics,
  | "fillRate"
  | "volumeUsd"
  | "maxAbsInventoryUsd"
  | "maxDrawdownUsd"
  | "sharpe"
  | "sortino"
  | "ratiosUnavailable"
  | "returnOverDrawdown"
  | "bestDay"
  | "worstDay"
  | "daysWon"
  | "daysLost"
  | "dailyMeanPnl"
  | "dailyMedianPnl"
  | "daily"
> & {
  /** Mean daily PnL as a fraction of the capital. */
  dailyMeanReturnOnCapital: number;
};

/**
 * The performance figures of a report from its metrics, with the mean daily return on `capitalUsd`.
 *
 * @example
 * ```ts
 * performanceFields(computeMetrics(run, columns), 1_000).dailyMeanReturnOnCapital; // e.g. −0.00005
 * ```
 */
export function performanceFields(metrics: BacktestMetrics, capitalUsd: number): PerformanceFields {
  return {
    fillRate: metrics.fillRate,
    volumeUsd: metrics.volumeUsd,
    maxAbsInventoryUsd: metrics.maxAbsInventoryUsd,
    maxDrawdownUsd: metrics.maxDrawdownUsd,
    sharpe: metrics.sharpe,
    sortino: metrics.sortino,
    ratiosUnavailable: metrics.ratiosUnavailable,
    returnOverDrawdown: metrics.returnOverDrawdown,
    bestDay: metrics.bestDay,
    worstDay: metrics.worstDay,
    daysWon: metrics.daysWon,
    daysLost: metrics.daysLost,
    dailyMeanPnl: metrics.dailyMeanPnl,
    dailyMedianPnl: metrics.dailyMedianPnl,
    dailyMeanReturnOnCapital: capitalUsd > 0 ? metrics.dailyMeanPnl / capitalUsd : 0,
    daily: metrics.daily,
  };
}

/** The assumptions every report states, candle or replay. */
export interface SharedAssumptions {
  makerFee: number;
  takerFee: number;
  rebateAssumed: boolean;
  feeAware: boolean;
  funding: string;
  fundingHoursMissing: number;
  synthetic: boolean;
  seed: number;
  capitalUsd: number;
  noLookAhead: string;
}

/**
 * The PnL split every report gives, in USD: `total = spread + inventory − fees + funding`. `whileHalted` is the
 * part of `total` made while the risk engine had halted quoting (the position carried, the flattening exit).
 */
export interface PnlSplit {
  total: number;
  spread: number;
  inventory: number;
  fees: number;
  funding: number;
  whileHalted: number;
}

/**
 * A run's PnL in report form (`total = spread + inventory − fees + funding`, USD).
 *
 * @example
 * ```ts
 * pnlSplit(run).total; // e.g. −4.48
 * ```
 */
export function pnlSplit(run: Pick<BacktestRun, "pnl" | "halt">): PnlSplit {
  const pnl = run.pnl;
  return {
    total: pnl.totalUsd,
    spread: pnl.spreadUsd,
    inventory: pnl.inventoryUsd,
    fees: pnl.feesUsd,
    funding: pnl.fundingUsd,
    whileHalted: run.halt.whileHaltedUsd,
  };
}

/** How much of a run the risk engine spent halted, and what the position did meanwhile. */
export interface HaltedFields {
  /** Bars quoting was halted, and their share of all bars. */
  bars: number;
  share: number;
  /** Times quoting was halted. */
  halts: number;
  /** The largest |position| carried while halted, USD. */
  maxPositionUsd: number;
  /** What the risk engine did with the position on a halt. */
  onHalt: StrategyConfig["onHalt"];
}

/** Above this share of the run halted, headline ratios get a warning beside them. */
export const HALTED_SHARE_WARNING = 0.25;

/**
 * The halt fields of a report.
 *
 * @example
 * ```ts
 * haltedFields(run, run.bars, strategy).share; // e.g. 0.894: halted 89% of the run
 * ```
 */
export function haltedFields(
  run: Pick<BacktestRun, "haltedBars" | "halt">,
  bars: number,
  strategy: Pick<StrategyConfig, "onHalt">,
): HaltedFields {
  return {
    bars: run.haltedBars,
    share: bars > 0 ? run.haltedBars / bars : 0,
    halts: run.halt.halts,
    maxPositionUsd: run.halt.maxPositionWhileHaltedUsd,
    onHalt: strategy.onHalt,
  };
}

/**
 * The warning a headline ratio carries when the run was halted more than {@link HALTED_SHARE_WARNING} of the
 * time ("" otherwise): such a ratio describes a mostly idle book, not the strategy.
 *
 * @example
 * ```ts
 * haltWarning({ bars: 900, share: 0.9, halts: 1, maxPositionUsd: 600, onHalt: "hold" });
 * // "  ⚠ halted 90.0% of the run: not the strategy's ratio"
 * ```
 */
export function haltWarning(halted: HaltedFields): string {
  return halted.share > HALTED_SHARE_WARNING
    ? `  ⚠ halted ${(halted.share * 100).toFixed(1)}% of the run: not the strategy's ratio`
    : "";
}

/**
 * The terminal lines about halts: time halted, the position carried and its PnL (none when never halted).
 *
 * @example
 * ```ts
 * haltLines(report.halted, report.pnl); // ["  halted       1 halt, …"]
 * ```
 */
export function haltLines(halted: HaltedFields, pnl: PnlSplit): string[] {
  if (halted.halts === 0) return [];
  const action =
    halted.onHalt === "flatten"
      ? "position flattened at each halt (taker exit)"
      : "position held while halted (--on-halt hold)";
  return [
    `  halted       ${halted.halts} halt${halted.halts === 1 ? "" : "s"}, ${halted.bars.toLocaleString("en-US")} bars (${(halted.share * 100).toFixed(1)}% of the run); ${action}; up to ${usd(halted.maxPositionUsd)} carried while halted`,
    `  while halted ${usd(pnl.whileHalted)}   (PnL of the position carried while quoting was halted; part of the total)`,
  ];
}

/** The JSON report of a candle backtest (`--json`). */
export interface BacktestReport extends PerformanceFields {
  banner: string | null;
  data: {
    symbol: string;
    interval: string;
    source: string;
    candles: number;
    start: string;
    end: string;
    gaps: number;
    missingBars: number;
  };
  assumptions: SharedAssumptions & {
    fillModel: string;
    fillModelDescription: string;
    fillModelParameters: BacktestOptions["fillModel"];
    barPath: string;
    maxVolumeShare: number;
    latencyMs: number;
    takerSlippageBps: number;
  };
  strategy: StrategyConfig;
  pnl: PnlSplit;
  halted: HaltedFields;
  fills: BacktestMetrics["fills"];
  /** Orders with at least one fill (`fills` counts each partial fill). */
  ordersFilled: number;
  finalPositionUsd: number;
  markouts: Markouts;
  orders: BacktestRun["orders"];
  takerExits: number;
  warmupBars: number;
  risk: { enabled: boolean; haltedBars: number; reduceOnlyBars: number; barsByRule: Record<string, number> };
  warnings: string[];
  runtimeMs: number;
}

/** The banner every output of a run on generated data carries. */
export const SYNTHETIC_BANNER =
  "SYNTHETIC DATA — generated candles, not a market result. Use --csv or a download for real prices.";

/**
 * Assembles the JSON report from a run, its metrics and context.
 *
 * @example
 * ```ts
 * const report = buildReport(run, computeMetrics(run, columns), columns, options, context);
 * report.pnl.total === report.pnl.spread + report.pnl.inventory - report.pnl.fees + report.pnl.funding; // true (to float precision)
 * ```
 */
export function buildReport(
  run: BacktestRun,
  metrics: BacktestMetrics,
  candles: CandleColumns,
  options: BacktestOptions,
  context: ReportContext,
): BacktestReport {
  const strategy = options.strategy;
  const last = candles.length - 1;
  const lastClose = last >= 0 ? candles.close[last]! : 0;
  return {
    banner: context.synthetic ? SYNTHETIC_BANNER : null,
    data: {
      symbol: context.symbol,
      interval: context.interval,
      source: context.source,
      candles: candles.length,
      start: last >= 0 ? new Date(candles.openTime[0]!).toISOString() : "",
      end: last >= 0 ? new Date(candles.openTime[last]! + options.intervalMs).toISOString() : "",
      gaps: context.gapCount,
      missingBars: context.missingBars,
    },
    assumptions: {
      fillModel: options.fillModel.type,
      fillModelDescription: describeFillModel(options.fillModel),
      fillModelParameters: options.fillModel,
      barPath:
        options.fillModel.type === "subbar"
          ? "a seeded walk through open, both extremes (order drawn) and close, one step per requote"
          : options.barPath === "ohlc"
            ? "open → high → low → close"
            : "open → nearer extreme → other extreme → close",
      maxVolumeShare: options.maxVolumeShare,
      makerFee: strategy.makerFee,
      takerFee: strategy.takerFee,
      rebateAssumed: strategy.makerFee < 0,
      feeAware: strategy.feeAware,
      latencyMs: options.latencyMs,
      takerSlippageBps: options.takerSlippageBps,
      funding: context.fundingDescription,
      fundingHoursMissing: run.fundingHoursMissing,
      synthetic: context.synthetic,
      seed: options.seed,
      capitalUsd: context.capitalUsd,
      noLookAhead:
        options.fillModel.type === "subbar"
          ? "quotes inside bar t are decided from its simulated path up to that step and the bars up to t−1"
          : "quotes resting in bar t are decided from data up to the close of bar t−1",
    },
    strategy,
    pnl: pnlSplit(run),
    halted: haltedFields(run, candles.length, strategy),
    fills: metrics.fills,
    ordersFilled: run.ordersFilled,
    ...performanceFields(metrics, context.capitalUsd),
    finalPositionUsd: run.finalPosition * lastClose,
    markouts: metrics.markouts,
    orders: run.orders,
    takerExits: run.takerExits,
    warmupBars: run.warmupBars,
    risk: {
      enabled: context.riskBarsByRule !== null,
      haltedBars: run.haltedBars,
      reduceOnlyBars: run.reduceOnlyBars,
      barsByRule: context.riskBarsByRule ?? {},
    },
    warnings: context.warnings,
    runtimeMs: context.runtimeMs,
  };
}

const pct = (part: number, whole: number): string =>
  `${whole > 0 ? ((part / whole) * 100).toFixed(1) : "0.0"}%`;

/**
 * The terminal summary: period, data, assumptions, PnL split, fills, risk and the revenue question answered
 * with measured numbers.
 *
 * @example
 * ```ts
 * console.log(formatSummary(report));
 * ```
 */
export function formatSummary(report: BacktestReport): string {
  const a = report.assumptions;
  const lines: string[] = [];
  if (report.banner !== null) lines.push(`!!! ${report.banner} !!!`, "");
  lines.push(
    `BotMM candle backtest — ${report.data.symbol} ${report.data.interval}`,
    `  period       ${report.data.start} → ${report.data.end} (${report.data.candles.toLocaleString("en-US")} candles, ${report.daily.length} days)`,
    `  source       ${report.data.source}${report.data.gaps > 0 ? `, ${report.data.gaps} gaps (${report.data.missingBars} bars missing, skipped)` : ", no gaps"}`,
    "assumptions",
    `  fills        ${a.fillModelDescription}; path ${a.barPath}; ≤ ${(a.maxVolumeShare * 100).toFixed(0)}% of bar volume`,
    `  fees         maker ${(a.makerFee * 100).toFixed(4)}% (${a.makerFee >= 0 ? "a cost" : "a REBATE — assumed, not Hyperliquid's base tier"}), taker ${(a.takerFee * 100).toFixed(4)}%; fee-aware quoting ${a.feeAware ? "on" : "off"}`,
    `  latency      ${a.latencyMs} ms; taker exits pay ${a.takerSlippageBps} bps slippage`,
    `  funding      ${a.funding}${a.fundingHoursMissing > 0 ? ` (${a.fundingHoursMissing} hours without a rate: none charged)` : ""}`,
    `  decisions    ${a.noLookAhead}`,
    `  strategy     model ${report.strategy.model}, base ${report.strategy.baseSpreadBps} bps, vol × ${report.strategy.volMultiplier}, skew ${report.strategy.inventorySkewFactor}, max ${usd(report.strategy.maxPositionUsd)}, order ${usd(report.strategy.orderSizeUsd)} × ${report.strategy.levels} level(s)${report.strategy.bias ? `, bias ${report.strategy.biasStrength}` : ""}`,
    "pnl",
    `  total        ${usd(report.pnl.total)}`,
    `  = spread     ${usd(report.pnl.spread)}   (fills vs the mid they were priced from)`,
    `  + inventory  ${usd(report.pnl.inventory)}   (mark-to-market of the position)`,
    `  − fees       ${usd(report.pnl.fees)}`,
    `  + funding    ${usd(report.pnl.funding)}`,
    ...haltLines(report.halted, report.pnl),
    "activity",
    `  fills        ${report.fills.buy} buys, ${report.fills.sell} sells (${report.fills.taker} taker exits) from ${report.ordersFilled} orders; fill rate ${(report.fillRate * 100).toFixed(2)}% of quoted side-bars`,
    `  volume       ${usd(report.volumeUsd)}; max |inventory| ${usd(report.maxAbsInventoryUsd)}; final position ${usd(report.finalPositionUsd)}`,
    `  orders       ${report.orders.placed} placed, ${report.orders.modified} modified, ${report.orders.cancelled} cancelled, ${report.orders.rejectedPostOnly} post-only rejects`,
    `  mark-outs    ${report.markouts.bars.map((bars, i) => `${bars} bar${bars === 1 ? "" : "s"} ${bps(report.markouts.allBps[i] ?? null)}`).join(", ")} (negative = adverse selection)`,
    "risk and return",
    `  risk engine  ${
      report.risk.enabled
        ? `halted ${report.risk.haltedBars} bars (${pct(report.risk.haltedBars, report.data.candles)}), reduce-only ${report.risk.reduceOnlyBars} (${pct(report.risk.reduceOnlyBars, report.data.candles)})${
            Object.keys(report.risk.barsByRule).length > 0
              ? ` — ${Object.entries(report.risk.barsByRule)
                  .map(([rule, bars]) => `${rule} ${bars} bars`)
                  .join(", ")}`
              : ""
          }`
        : "off (--no-risk)"
    }`,
    ratiosLine(report) + haltWarning(report.halted),
    `  max drawdown ${usd(report.maxDrawdownUsd)}; return / drawdown ${fixed(report.returnOverDrawdown)}${haltWarning(report.halted)}`,
    `  best day ${report.bestDay ? `${report.bestDay.date} ${usd(report.bestDay.pnl)}` : "n/a"}; worst day ${report.worstDay ? `${report.worstDay.date} ${usd(report.worstDay.pnl)}` : "n/a"}; ${report.daysWon} days up, ${report.daysLost} down`,
    "revenue",
    `  daily PnL    mean ${usd(report.dailyMeanPnl)}, median ${usd(report.dailyMedianPnl)} on ${usd(a.capitalUsd)} of capital (${(report.dailyMeanReturnOnCapital * 100).toFixed(3)}%/day mean)`,
  );
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  if (report.banner !== null) lines.push("", `!!! ${report.banner} !!!`);
  return lines.join("\n");
}

/**
 * The Sharpe / Sortino line of a summary: `sharpe 1.20  sortino 1.90  (daily, ×√365)`, or with fewer than
 * {@link MIN_DAILY_POINTS_FOR_RATIOS} daily points `sharpe n/a (2 days)  sortino n/a (2 days)  (…)`.
 *
 * @example
 * ```ts
 * ratiosLine(report); // "  sharpe n/a (2 days)  sortino n/a (2 days)  (daily, ×√365; needs ≥ 30 days)"
 * ```
 */
export function ratiosLine(report: Pick<PerformanceFields, "sharpe" | "sortino" | "daily">): string {
  const days = report.daily.length;
  const withheld = days < MIN_DAILY_POINTS_FOR_RATIOS ? days : null;
  return `  sharpe ${dailyRatio(report.sharpe, withheld)}  sortino ${dailyRatio(report.sortino, withheld)}  (daily, ×√365${withheld === null ? "" : `; needs ≥ ${MIN_DAILY_POINTS_FOR_RATIOS} days`})`;
}

/** 12 significant digits: drops float noise (0.0017900000000000008) without losing a real digit. */
const clean = (value: number): string => String(Number(value.toPrecision(12)));

/**
 * The fill ledger as CSV: `timestamp` (ms) first, then side, price, size, fee, maker/taker, inventory after.
 *
 * @example
 * ```ts
 * writeFileSync("fills.csv", fillsCsv(run));
 * ```
 */
export function fillsCsv(run: BacktestRun): string {
  const rows = ["timestamp,side,price,size,fee,liquidity,inventory_after,reference_mid"];
  for (const fill of run.fills) {
    rows.push(
      `${fill.timeMs},${fill.side},${clean(fill.price)},${clean(fill.size)},${clean(fill.feeUsd)},${fill.liquidity},${clean(fill.positionAfter)},${clean(fill.referenceMid)}`,
    );
  }
  return `${rows.join("\n")}\n`;
}
