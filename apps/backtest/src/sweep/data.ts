// The candles of a sweep, loaded once as a single run loads them, and put where every worker can read them.
import { resolve } from "node:path";
import { type CandleColumns, toCandleColumns } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { defaultCacheDir, loadCandles, mapSymbol } from "../data/index.ts";
import { intervalToMs } from "../data/intervals.ts";
import { loadFundingFile } from "../funding-file.ts";
import { backtestInstrument } from "../instrument.ts";
import type { BacktestCliOptions } from "../options.ts";
import { ProgressBar } from "../progress.ts";
import type { CliIo } from "../run.ts";
import { type SharedRunData, shareColumns } from "./job.ts";

const DAY_MS = 86_400_000;

/** Loads the base run's candles (download, cache, --csv or synthetic) into shared memory. */
export async function loadSweepData(
  options: BacktestCliOptions,
  io: CliIo,
): Promise<{ shared: SharedRunData; columns: CandleColumns }> {
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
  const download = new ProgressBar(io.stdout, "candles ", options.progress);
  const loaded = await loadCandles({
    source: options.source,
    symbol: options.symbol,
    interval,
    start,
    end,
    csvPath: options.csv,
    cacheDir: options.cacheDir ?? resolve(io.cwd, defaultCacheDir()),
    seed: options.seed,
    apiUrls: { binance: options.binanceUrl, hyperliquid: options.hyperliquidUrl },
    gaps: options.gaps,
    now,
    onProgress: (progress) =>
      download.update(
        progress.pagesDone,
        Math.max(progress.pagesDone, progress.pagesTotal),
        `${progress.pagesDone} pages`,
      ),
  });
  download.finish();
  if (loaded.candles.length < 2)
    throw new BotmmError(
      "NO_DATA",
      `only ${loaded.candles.length} candle(s) for ${options.symbol} in the range: nothing to simulate`,
    );
  const coin = mapSymbol(options.symbol).hyperliquid;
  const { buffer, columns } = shareColumns(toCandleColumns(loaded.candles));
  const shared: SharedRunData = {
    buffer,
    length: columns.length,
    intervalMs: loaded.intervalMs,
    instrument: backtestInstrument(coin, options.szDecimals, options.tick),
    coin,
    fundingSeries: options.funding === undefined ? null : await loadFundingFile(options.funding),
    fundingDescription: options.funding === undefined ? null : `hourly series from ${options.funding}`,
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
