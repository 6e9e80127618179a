// One backtest of a sweep, the same in a worker thread and in the main thread: what it needs, and what it
// returns (the single run's JSON report, no per-bar arrays).
import {
  type BacktestOptions,
  type BacktestReport,
  type BacktestRun,
  buildReport,
  type CandleColumns,
  computeMetrics,
  type FillModel,
  type FundingSchedule,
  type RunSeries,
  runCandleBacktest,
} from "@botmm/backtest";
import type { Instrument } from "@botmm/core";
import type { StrategyConfig } from "@botmm/strategy";
import type { BacktestCliOptions } from "../options.ts";
import { backtestRiskGate } from "../risk-gate.ts";

/** The six columns the candles are shared in, in this order, `length` values each. */
const COLUMN_NAMES = ["openTime", "open", "high", "low", "close", "volume"] as const;

/** What every run of a sweep shares: the candles (in one SharedArrayBuffer, never copied) and their context. */
export interface SharedRunData {
  buffer: SharedArrayBuffer;
  length: number;
  intervalMs: number;
  instrument: Instrument;
  coin: string;
  /** A funding file's series; null: each configuration's constant --funding-rate. */
  fundingSeries: FundingSchedule | null;
  fundingDescription: string | null;
  symbol: string;
  interval: string;
  source: string;
  synthetic: boolean;
  warnings: string[];
  gapCount: number;
  missingBars: number;
}

/** What differs between configurations: the resolved options of one, as plain data a worker can receive. */
export interface JobOptions {
  strategy: StrategyConfig;
  fillModel: FillModel;
  barPath: BacktestOptions["barPath"];
  maxVolumeShare: number;
  latencyMs: number;
  requoteIntervalMs: number;
  takerSlippageBps: number;
  seed: number;
  risk: boolean;
  capitalUsd: number;
  fundingRatePerHour: number;
}

/** One run: configuration `config` on bars `[from, to)`. */
export interface Job {
  id: number;
  config: number;
  from: number;
  to: number;
}

/** A run's report without its wall time (a sweep's rows must not depend on the machine). */
export type SweepReport = Omit<BacktestReport, "runtimeMs">;

/**
 * Copies candles into a SharedArrayBuffer and returns the buffer with column views on it.
 */
export function shareColumns(columns: CandleColumns): { buffer: SharedArrayBuffer; columns: CandleColumns } {
  const buffer = new SharedArrayBuffer(columns.length * COLUMN_NAMES.length * Float64Array.BYTES_PER_ELEMENT);
  const shared = columnsOf(buffer, columns.length);
  for (const name of COLUMN_NAMES) shared[name].set(columns[name]);
  return { buffer, columns: shared };
}

/** Views of the six columns in `buffer` (no copy). */
export function columnsOf(buffer: ArrayBufferLike, length: number): CandleColumns {
  const view = (k: number) => new Float64Array(buffer, k * length * Float64Array.BYTES_PER_ELEMENT, length);
  return {
    length,
    openTime: view(0),
    open: view(1),
    high: view(2),
    low: view(3),
    close: view(4),
    volume: view(5),
  };
}

/** Bars `[from, to)` of `columns`, as views (no copy). */
export function sliceColumns(columns: CandleColumns, from: number, to: number): CandleColumns {
  if (from === 0 && to === columns.length) return columns;
  return {
    length: to - from,
    openTime: columns.openTime.subarray(from, to),
    open: columns.open.subarray(from, to),
    high: columns.high.subarray(from, to),
    low: columns.low.subarray(from, to),
    close: columns.close.subarray(from, to),
    volume: columns.volume.subarray(from, to),
  };
}

/** The plain-data part of one configuration's validated options. */
export function jobOptions(options: BacktestCliOptions): JobOptions {
  return {
    strategy: options.strategy,
    fillModel: options.fillModelSpec,
    barPath: options.barPath,
    maxVolumeShare: options.maxVolumeShare,
    latencyMs: options.latencyMs,
    requoteIntervalMs: options.requoteIntervalMs,
    takerSlippageBps: options.takerSlippageBps,
    seed: options.seed,
    risk: options.risk,
    // As a single run: twice the position limit unless given.
    capitalUsd: options.capital ?? 2 * options.strategy.maxPositionUsd,
    fundingRatePerHour: options.fundingRate,
  };
}

/**
 * Runs one configuration on bars `[from, to)` and builds its report, exactly as a single `--csv` run of the
 * same options would (its risk engine, funding and capital), without the per-bar quote series (`quoteSeries:
 * false`). `series`: arrays the run writes its per-bar series into (a worker's, reused by each of its runs;
 * the returned run refers to them), else new ones.
 */
export function runJob(
  shared: SharedRunData,
  columns: CandleColumns,
  options: JobOptions,
  from: number,
  to: number,
  series?: RunSeries,
): { report: SweepReport; run: BacktestRun; columns: CandleColumns } {
  const view = sliceColumns(columns, from, to);
  const riskGate = options.risk
    ? backtestRiskGate({
        coin: shared.coin,
        capitalUsd: options.capitalUsd,
        hardPositionLimitUsd: options.strategy.maxPositionUsd * options.strategy.hardLimitMultiple,
        intervalMs: shared.intervalMs,
      })
    : undefined;
  const funding: FundingSchedule = shared.fundingSeries ?? {
    type: "constant",
    ratePerHour: options.fundingRatePerHour,
  };
  const backtestOptions: BacktestOptions = {
    instrument: shared.instrument,
    strategy: options.strategy,
    intervalMs: shared.intervalMs,
    fillModel: options.fillModel,
    barPath: options.barPath,
    maxVolumeShare: options.maxVolumeShare,
    latencyMs: options.latencyMs,
    requoteIntervalMs: options.requoteIntervalMs,
    funding,
    takerSlippageBps: options.takerSlippageBps,
    seed: options.seed,
    risk: riskGate,
    // A sweep row is the report's numbers and the equity curve: the per-bar quotes would only cost memory traffic.
    quoteSeries: false,
    ...(series === undefined ? {} : { series }),
  };
  const run = runCandleBacktest(view, backtestOptions);
  const metrics = computeMetrics(run, view);
  const { runtimeMs: _, ...report } = buildReport(run, metrics, view, backtestOptions, {
    symbol: shared.symbol,
    interval: shared.interval,
    source: shared.source,
    synthetic: shared.synthetic,
    capitalUsd: options.capitalUsd,
    fundingDescription:
      shared.fundingDescription ??
      `constant ${(options.fundingRatePerHour * 100).toFixed(5)}%/hour (longs pay when positive)`,
    riskBarsByRule: riskGate?.activeBarsByRule?.() ?? null,
    warnings: shared.warnings,
    gapCount: shared.gapCount,
    missingBars: shared.missingBars,
    runtimeMs: 0,
  });
  return { report, run, columns: view };
}
