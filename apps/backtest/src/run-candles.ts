import { resolve } from "node:path";
import { BotmmError } from "@botmm/core";
import { defaultCacheDir, type LoadCandlesResult, loadCandles } from "./data/index.ts";
import { intervalToMs } from "./data/intervals.ts";
import type { BacktestCliOptions } from "./options.ts";
import { ProgressBar } from "./progress.ts";
import type { CliIo } from "./run.ts";

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
  io: Pick<CliIo, "stdout" | "now" | "cwd">,
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
    apiUrls: { binance: options.binanceUrl, hyperliquid: options.hyperliquidUrl },
    gaps: options.gaps,
    now,
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
