// The candles of a sweep, loaded once as a single run loads them, and put where every worker can read them.

import { type CandleColumns, toCandleColumns } from "@botmm/backtest";
import { mapSymbol } from "../data/index.ts";
import { backtestInstrument } from "../instrument.ts";
import type { BacktestCliOptions } from "../options.ts";
import type { CliIo } from "../run.ts";
import { candleRunFunding, loadRunCandles } from "../run-candles.ts";
import { type SharedRunData, shareColumns } from "./job.ts";

/** Loads the base run's candles (download, cache, --csv or synthetic) into shared memory. */
export async function loadSweepData(
  options: BacktestCliOptions,
  io: CliIo,
): Promise<{ shared: SharedRunData; columns: CandleColumns }> {
  const loaded = await loadRunCandles(options, io);
  const coin = mapSymbol(options.symbol).hyperliquid;
  const { funding, fundingDescription } = await candleRunFunding(options, loaded, io);
  const { buffer, columns } = shareColumns(toCandleColumns(loaded.candles));
  const shared: SharedRunData = {
    buffer,
    length: columns.length,
    intervalMs: loaded.intervalMs,
    instrument: backtestInstrument(coin, options.szDecimals, options.tick),
    coin,
    // --funding FILE, or the --venue preset's funding history; null leaves each job its --funding-rate.
    fundingSeries: funding.type === "series" ? funding : null,
    fundingDescription: funding.type === "series" ? fundingDescription : null,
    symbol: options.symbol,
    interval: loaded.interval ?? `${loaded.intervalMs / 1000}s`,
    source: loaded.source === "csv" ? `csv ${options.csv}` : loaded.source,
    synthetic: loaded.synthetic,
    warnings: [...loaded.warnings],
    gapCount: loaded.gaps.gapCount,
    missingBars: loaded.gaps.missingBars,
  };
  return { shared, columns };
}
