import { resolve } from "node:path";
import {
  type BacktestOptions,
  type CandleColumns,
  type FundingSchedule,
  fundingSeries,
  type ReportContext,
  type RiskGate,
  toCandleColumns,
} from "@botmm/backtest";
import { BotmmError, type Instrument } from "@botmm/core";
import type { StrategyConfig } from "@botmm/strategy";
import {
  defaultCacheDir,
  hourlyFundingRows,
  type LoadCandlesResult,
  loadCandles,
  loadFundingHistory,
  mapSymbol,
} from "./data/index.ts";
import { intervalToMs } from "./data/intervals.ts";
import { loadFundingFile } from "./funding-file.ts";
import { backtestInstrument } from "./instrument.ts";
import type { BacktestCliOptions } from "./options.ts";
import { ProgressBar } from "./progress.ts";
import { backtestRiskGate } from "./risk-gate.ts";
import type { CliIo } from "./run.ts";
import { VENUE_PRESETS } from "./venue-presets.ts";

const DAY_MS = 86_400_000;

/**
 * The candles a candle run of `options` simulates — from the disk cache, a download, `--csv` or the synthetic
 * fallback — over `--start`/`--end` or the last `--days` (a file keeps its own range), with a download
 * progress bar when `progress` is set. The single run, the sweep, walk-forward and the ablation all load
 * their candles here, so they see the same bars for the same flags.
 *
 * @throws BotmmError `NO_DATA` when fewer than two candles are in the range.
 */
export async function loadRunCandles(
  options: BacktestCliOptions,
  io: Pick<CliIo, "stdout" | "stderr" | "now" | "cwd">,
  progress = options.progress,
): Promise<LoadCandlesResult> {
  const isCsv = options.source === "csv";
  const interval = options.interval ?? (isCsv ? undefined : "1m");
  const intervalMs = intervalToMs(interval ?? "1m");
  const now = io.now();
  const end = options.end ?? (isCsv ? undefined : Math.floor(now / intervalMs) * intervalMs);
  const start =
    options.start ??
    (isCsv || end === undefined
      ? undefined
      : (typeof end === "number" ? end : Date.parse(end)) - options.days * DAY_MS);
  const download = new ProgressBar(io.stdout, "candles ", progress);
  const loaded = await loadCandles({
    source: options.source,
    symbol: options.symbol,
    interval,
    start,
    end,
    csvPath: options.csv,
    cacheDir: options.cacheDir ?? resolve(io.cwd, defaultCacheDir()),
    seed: options.seed,
    apiUrls: { binance: options.binanceUrl, bybit: options.bybitUrl, hyperliquid: options.hyperliquidUrl },
    gaps: options.gaps,
    now,
    onNotice: (message) => io.stderr.write(`note: ${message}\n`),
    onProgress: (state) =>
      download.update(
        state.pagesDone,
        Math.max(state.pagesDone, state.pagesTotal),
        `${state.pagesDone} pages`,
      ),
  });
  download.finish();
  if (loaded.candles.length < 2) {
    throw new BotmmError(
      "NO_DATA",
      `only ${loaded.candles.length} candle(s) for ${options.symbol} in the range: nothing to simulate`,
    );
  }
  return loaded;
}

/** What every candle run of one invocation shares: the loaded bars, the instrument and the funding. */
export interface CandleRunInputs {
  loaded: LoadCandlesResult;
  columns: CandleColumns;
  coin: string;
  instrument: Instrument;
  funding: FundingSchedule;
  fundingDescription: string;
  /** Where the candles came from, as the report prints it. */
  source: string;
}

/** Loads the candles ({@link loadRunCandles}) and the funding, and builds the instrument of a candle run. */
export async function prepareCandleRun(
  options: BacktestCliOptions,
  io: Pick<CliIo, "stdout" | "stderr" | "now" | "cwd">,
  progress = options.progress,
): Promise<CandleRunInputs> {
  const loaded = await loadRunCandles(options, io, progress);
  const coin = mapSymbol(options.symbol).hyperliquid;
  const { funding, fundingDescription } = await candleRunFunding(options, loaded, io);
  const source = loaded.source === "csv" ? `csv ${options.csv}` : loaded.source;
  const venue = options.venue === undefined ? null : VENUE_PRESETS[options.venue];
  const instrument = backtestInstrument(coin, options.szDecimals, options.tick);
  return {
    loaded,
    columns: toCandleColumns(loaded.candles),
    coin,
    instrument,
    funding,
    fundingDescription,
    source:
      venue === null
        ? source
        : `${source}; venue ${options.venue} (${venue.label}: ${describeGrid(instrument)}, funding every ${venue.fundingIntervalHours} h)`,
  };
}

/** `tick 0.10, lot 0.001` or, on Hyperliquid's grid, `5 significant figures, lot 0.00001`. */
function describeGrid(instrument: Instrument): string {
  const price =
    instrument.priceRule.type === "tick" ? `tick ${instrument.priceRule.tickSize}` : "5 significant figures";
  const size =
    instrument.sizeRule.type === "decimals"
      ? (10 ** -instrument.sizeRule.decimals).toFixed(instrument.sizeRule.decimals)
      : instrument.sizeRule.stepSize;
  return `${price}, lot ${size}`;
}

/**
 * The funding of a candle run: `--funding FILE`; else, with `--venue binance|bybit`, downloaded candles and no
 * `--funding-rate`, the venue's funding history over the candles' range (downloaded through ccxt and cached
 * beside the candles), each settlement's rate charged in equal hourly parts after it settles; else the
 * constant `--funding-rate`.
 */
export async function candleRunFunding(
  options: BacktestCliOptions,
  loaded: LoadCandlesResult,
  io: Pick<CliIo, "now" | "cwd">,
): Promise<{ funding: FundingSchedule; fundingDescription: string }> {
  if (options.funding !== undefined) {
    return {
      funding: await loadFundingFile(options.funding),
      fundingDescription: `hourly series from ${options.funding}`,
    };
  }
  const constant = `constant ${(options.fundingRate * 100).toFixed(5)}%/hour (longs pay when positive)`;
  const venue = options.venue;
  // Only beside downloaded candles: a --csv file or synthetic bars keep --funding-rate (or --funding FILE).
  const downloaded =
    loaded.source === "binance" || loaded.source === "bybit" || loaded.source === "hyperliquid";
  if ((venue !== "binance" && venue !== "bybit") || options.fundingRateGiven || !downloaded) {
    return { funding: { type: "constant", ratePerHour: options.fundingRate }, fundingDescription: constant };
  }
  const symbol = mapSymbol(options.symbol).binance;
  const history = await loadFundingHistory({
    venue,
    symbol,
    start: loaded.start,
    end: loaded.end,
    now: io.now(),
    cacheDir: options.cacheDir ?? resolve(io.cwd, defaultCacheDir()),
    apiUrl: venue === "binance" ? options.binanceUrl : options.bybitUrl,
  });
  const label = VENUE_PRESETS[venue].label;
  if (history.settlements.length === 0) {
    throw new BotmmError(
      "NO_DATA",
      `--venue ${venue}: ${label} has no funding settlements for ${symbol} from ${new Date(loaded.start).toISOString()} ` +
        `to ${new Date(loaded.end).toISOString()}; expected one every ${VENUE_PRESETS[venue].fundingIntervalHours} h ` +
        "(pass --funding-rate RATE or --funding FILE to run without it)",
    );
  }
  const hours = history.intervalHours;
  return {
    funding: fundingSeries(hourlyFundingRows(history.settlements, hours)),
    fundingDescription:
      `${label} ${symbol} funding history, ${history.settlements.length} settlements every ${hours} h, ` +
      `each charged in ${hours} equal hourly parts after it settles (longs pay when positive)`,
  };
}

/** One candle run's engine options and the report context that goes with them. */
export interface CandleRunSetup {
  backtestOptions: BacktestOptions;
  riskGate: RiskGate | undefined;
  /** Builds the report context once the run is over (the risk gate's counts are read then). */
  reportContext(warnings: readonly string[]): ReportContext;
}

/** The engine options of one candle run of `strategy` over `inputs`, with the flags' fill model, latency and risk. */
export function candleRunSetup(
  inputs: CandleRunInputs,
  options: BacktestCliOptions,
  strategy: StrategyConfig,
): CandleRunSetup {
  // Default capital: twice the position limit, so a full position uses at most half the account at the soft
  // limit (0.75 at the hard limit) — the account the risk limits (3% daily loss, 10% drawdown) are measured on.
  const capitalUsd = options.capital ?? 2 * strategy.maxPositionUsd;
  const { loaded } = inputs;
  const riskGate = options.risk
    ? backtestRiskGate({
        coin: inputs.coin,
        capitalUsd,
        hardPositionLimitUsd: strategy.maxPositionUsd * strategy.hardLimitMultiple,
        intervalMs: loaded.intervalMs,
      })
    : undefined;
  const backtestOptions: BacktestOptions = {
    instrument: inputs.instrument,
    strategy,
    intervalMs: loaded.intervalMs,
    fillModel: options.fillModelSpec,
    barPath: options.barPath,
    maxVolumeShare: options.maxVolumeShare,
    latencyMs: options.latencyMs,
    requoteIntervalMs: options.requoteIntervalMs,
    funding: inputs.funding,
    takerSlippageBps: options.takerSlippageBps,
    seed: options.seed,
    risk: riskGate,
  };
  return {
    backtestOptions,
    riskGate,
    reportContext: (warnings) => ({
      symbol: options.symbol,
      interval: loaded.interval ?? `${loaded.intervalMs / 1000}s`,
      source: inputs.source,
      synthetic: loaded.synthetic,
      capitalUsd,
      fundingDescription: inputs.fundingDescription,
      riskBarsByRule: riskGate?.activeBarsByRule?.() ?? null,
      warnings: [...warnings],
      gapCount: loaded.gaps.gapCount,
      missingBars: loaded.gaps.missingBars,
      runtimeMs: 0,
    }),
  };
}
