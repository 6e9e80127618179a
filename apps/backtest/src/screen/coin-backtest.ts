// The default-settings candle backtest of one screened coin: the single run's engine and report (through the
// sweep's runJob), on that coin's grid and funding. The same in the main thread and in a worker.
import { type CandleColumns, type FundingRates, fundingSeries } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { backtestInstrument, knownSzDecimals } from "../instrument.ts";
import { type JobOptions, runJob, type SharedRunData } from "../sweep/job.ts";

/** The backtest figures a screen row carries. */
export interface CoinBacktest {
  pnlUsd: number;
  pnlUsdPerDay: number;
  spreadUsd: number;
  inventoryUsd: number;
  feesUsd: number;
  fundingUsd: number;
  fills: number;
  volumeUsd: number;
  maxDrawdownUsd: number;
  maxAbsInventoryUsd: number;
  haltedBars: number;
}

/** One coin to backtest, as plain data a worker can receive. */
export interface CoinBacktestJob {
  coin: string;
  columns: CandleColumns;
  intervalMs: number;
  szDecimals: number;
  funding: FundingRates | null;
}

/**
 * Hyperliquid's szDecimals of a coin: the venue's (online), the built-in table's, or a guess from the price —
 * round(log10(price)) within 0..5, which gives the listed value for 11 of the 12 built-in coins (AVAX: 1 for 2).
 * It only sets the size grid the backtest rounds orders to (prices keep Hyperliquid's 5 significant figures).
 */
export function screenSzDecimals(
  coin: string,
  columns: CandleColumns,
  fromVenue?: number,
): { szDecimals: number; inferred: boolean } {
  if (fromVenue !== undefined) return { szDecimals: fromVenue, inferred: false };
  const known = knownSzDecimals(coin);
  if (known !== undefined) return { szDecimals: known, inferred: false };
  // A typed copy sorts numerically without a comparator call per pair.
  const closes = Float64Array.from(columns.close).sort();
  const median = closes.length > 0 ? closes[closes.length >> 1]! : 1;
  return { szDecimals: Math.min(5, Math.max(0, Math.round(Math.log10(median)))), inferred: true };
}

/** Runs the backtest of one coin with the screen's single-run options. */
export function backtestCoin(job: CoinBacktestJob, options: JobOptions): CoinBacktest {
  let funding: SharedRunData["fundingSeries"] = null;
  if (job.funding !== null && job.funding.timeMs.length > 0) {
    try {
      funding = fundingSeries(
        Array.from(job.funding.timeMs, (timeMs, i) => ({ timeMs, rate: job.funding!.ratePerHour[i]! })),
      );
    } catch (error) {
      throw new BotmmError("SCREEN_INPUT", `--funding, coin ${job.coin}: ${(error as Error).message}`);
    }
  }
  const shared: SharedRunData = {
    // runJob reads the columns it is given; the buffer only matters to the sweep's workers.
    buffer: new SharedArrayBuffer(0),
    length: job.columns.length,
    intervalMs: job.intervalMs,
    instrument: backtestInstrument(job.coin, job.szDecimals, undefined),
    coin: job.coin,
    fundingSeries: funding,
    fundingDescription: funding === null ? null : "hourly series from --funding",
    symbol: job.coin,
    interval: `${job.intervalMs / 60_000}m`,
    source: "screen",
    synthetic: false,
    warnings: [],
    gapCount: 0,
    missingBars: 0,
  };
  const { report, run } = runJob(shared, job.columns, options, 0, job.columns.length);
  const days = (job.columns.length * job.intervalMs) / 86_400_000;
  return {
    pnlUsd: report.pnl.total,
    pnlUsdPerDay: days > 0 ? report.pnl.total / days : 0,
    spreadUsd: report.pnl.spread,
    inventoryUsd: report.pnl.inventory,
    feesUsd: report.pnl.fees,
    fundingUsd: report.pnl.funding,
    fills: run.fills.length,
    volumeUsd: report.volumeUsd,
    maxDrawdownUsd: report.maxDrawdownUsd,
    maxAbsInventoryUsd: report.maxAbsInventoryUsd,
    haltedBars: run.haltedBars,
  };
}
