import type { Candle } from "@botmm/core";
import {
  type CachedPartition,
  type CacheSeries,
  mergePartition,
  type Partition,
  partitionsOverlapping,
  readPartition,
  writePartition,
} from "./cache.ts";
import { CandleSourceError } from "./errors.ts";
import { formatDuration, formatTime } from "./intervals.ts";

/** A network candle source, one request at a time. */
export interface CandlePageFetcher {
  /** Name used in results and progress: `binance`, `bybit` or `hyperliquid`. */
  readonly name: "binance" | "bybit" | "hyperliquid";
  /** Human name for messages. */
  readonly label: string;
  /** Most candles one request returns. */
  readonly pageLimit: number;
  /** The venue serves only its latest N candles (Hyperliquid: 5000); null when history is complete. */
  readonly historyLimitBars: number | null;
  /** One request: the candles with open time in [fromMs, toMs), ascending, at most `pageLimit`. */
  fetchPage(fromMs: number, toMs: number, timeoutMs: number): Promise<Candle[]>;
}

/** Download progress, for a progress bar. `pagesTotal` and `barsTotal` are estimates that never undercut the done counts. */
export interface DownloadProgress {
  source: "binance" | "bybit" | "hyperliquid";
  pagesDone: number;
  pagesTotal: number;
  barsDone: number;
  barsTotal: number;
  /** True on the last call of a download. */
  done: boolean;
}

/** Options of {@link downloadWithCache} and {@link readCachedRange}. */
export interface CachedDownloadOptions {
  fetcher: CandlePageFetcher;
  /** The series' cache identity; `cacheDir: null` disables the disk cache (memory only). */
  series: Omit<CacheSeries, "cacheDir"> & { cacheDir: string | null };
  /** Range of open times [start, end), ms. */
  start: number;
  end: number;
  /** Wall-clock now (ms): only bars closed by now are fetched and cached. */
  now: number;
  /** Per-request timeout. */
  timeoutMs: number;
  /** When set, the first request uses this (short) timeout and is not retried: fail fast when offline. */
  firstRequestTimeoutMs?: number;
  /** Retries of a failed request that may pass (network trouble, rate limits); default 2. */
  retries?: number;
  /** Delay before the first retry, doubled each time; default 500 ms. */
  retryDelayMs?: number;
  onProgress?: (progress: DownloadProgress) => void;
}

/** What {@link downloadWithCache} returns. */
export interface CachedDownloadResult {
  /** Candles with open time in [start, min(end, last closed bar)). */
  candles: Candle[];
  /** HTTP requests made (0 when the cache covered the range). */
  requests: number;
  /** Candles taken from the cache / freshly downloaded. */
  cachedBars: number;
  downloadedBars: number;
  /** Exclusive end actually served: `end`, or the open time after the last closed bar when `end` is later. */
  servedEnd: number;
  /** Messages for the user (the Hyperliquid history limit). */
  warnings: string[];
  /** True when bars at the start are missing because the venue no longer serves them. */
  truncatedByHistoryLimit: boolean;
}

interface Plan {
  series: CacheSeries | null;
  intervalMs: number;
  /** Exclusive bound on open times of closed bars. */
  closedLimit: number;
  servedEnd: number;
  partitions: Partition[];
  cached: Map<number, CachedPartition>;
  missing: Partition[];
}

async function plan(options: CachedDownloadOptions): Promise<Plan> {
  const { series: seriesOptions, start, end, now } = options;
  const intervalMs = seriesOptions.intervalMs;
  const closedLimit = closedOpenTimeLimit(now, intervalMs);
  const servedEnd = Math.min(end, closedLimit);
  const series =
    seriesOptions.cacheDir === null ? null : { ...seriesOptions, cacheDir: seriesOptions.cacheDir };
  const partitions = partitionsOverlapping(start, servedEnd, intervalMs);
  const cached = new Map<number, CachedPartition>();
  if (series !== null) {
    const read = await Promise.all(partitions.map((partition) => readPartition(series, partition)));
    for (const entry of read) if (entry !== null) cached.set(entry.partition.start, entry);
  }
  const missing = partitions.filter((partition) => {
    const entry = cached.get(partition.start);
    const wantFrom = Math.max(partition.start, start);
    const wantTo = Math.min(partition.end, servedEnd);
    return !(entry && entry.coveredFrom <= wantFrom && entry.coveredTo >= wantTo);
  });
  return { series, intervalMs, closedLimit, servedEnd, partitions, cached, missing };
}

function collect(plan: Plan, start: number, contents: Map<number, CachedPartition>): Candle[] {
  const candles: Candle[] = [];
  for (const partition of plan.partitions) {
    const entry = contents.get(partition.start);
    if (!entry) continue;
    for (const candle of entry.candles) {
      if (candle.openTime >= start && candle.openTime < plan.servedEnd) candles.push(candle);
    }
  }
  return candles;
}

/** What the cache alone holds for a range. */
export interface CachedRange {
  /** True when every partition of the range is cached and covers its part of the range. */
  covered: boolean;
  /** The cached candles in the range (all of them when `covered`, else what there is). */
  candles: Candle[];
  /** Exclusive end considered (the last closed bar's open time + 1 when `end` is later). */
  servedEnd: number;
  /** The covered span from `start` onwards without a hole, as [start, coveredUntil). */
  coveredUntil: number;
}

/**
 * Looks a range up in the disk cache without touching the network.
 *
 * @example
 * ```ts
 * const { covered, candles } = await readCachedRange({ fetcher, series, start, end, now: Date.now(), timeoutMs: 0 });
 * ```
 */
export async function readCachedRange(options: CachedDownloadOptions): Promise<CachedRange> {
  const p = await plan(options);
  let coveredUntil = options.start;
  for (const partition of p.partitions) {
    const entry = p.cached.get(partition.start);
    if (!entry || entry.coveredFrom > Math.max(coveredUntil, partition.start)) break;
    coveredUntil = Math.min(entry.coveredTo, p.servedEnd);
    if (entry.coveredTo < partition.end) break;
  }
  return {
    covered: p.missing.length === 0,
    candles: collect(p, options.start, p.cached),
    servedEnd: p.servedEnd,
    coveredUntil: Math.max(options.start, coveredUntil),
  };
}

/**
 * Returns the candles of [start, end) from the disk cache, downloading only the partitions (UTC days, or
 * months for intervals ≥ 1h) that are missing or not fully covered, page by page, and writing each partition
 * as soon as it is complete (an interrupted download resumes where it stopped). Only bars closed by `now`
 * are fetched. Venues with a history limit (Hyperliquid) add a warning when the range reaches past it.
 *
 * @example
 * ```ts
 * const fetcher = createBinanceUsdmFetcher({ symbol: "BTCUSDT", interval: "1m" });
 * const { candles, requests } = await downloadWithCache({
 *   fetcher,
 *   series: { cacheDir: defaultCacheDir(), source: "binance-usdm", symbol: "BTCUSDT", interval: "1m", intervalMs: 60_000 },
 *   start: Date.UTC(2025, 4, 1),
 *   end: Date.UTC(2025, 5, 1),
 *   now: Date.now(),
 *   timeoutMs: 15_000,
 * });
 * ```
 */
export async function downloadWithCache(options: CachedDownloadOptions): Promise<CachedDownloadResult> {
  const { fetcher, start, onProgress } = options;
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const p = await plan(options);
  const { intervalMs, closedLimit } = p;
  const contents = new Map(p.cached);
  const fetched = new Set<number>();

  // Contiguous runs of missing partitions, each fetched as one paginated range.
  const ranges: Array<{ from: number; to: number; partitions: Partition[] }> = [];
  for (const partition of p.missing) {
    const last = ranges.at(-1);
    if (last && last.partitions.at(-1)!.end === partition.start) last.partitions.push(partition);
    else ranges.push({ from: partition.start, to: 0, partitions: [partition] });
  }
  for (const range of ranges) range.to = Math.min(range.partitions.at(-1)!.end, closedLimit);

  const barsTotal = ranges.reduce((sum, range) => sum + Math.ceil((range.to - range.from) / intervalMs), 0);
  let barsDone = 0;
  let pagesDone = 0;
  let requests = 0;
  const report = (done: boolean): void => {
    if (!onProgress) return;
    const remaining = Math.max(0, barsTotal - barsDone);
    const pagesTotal = done ? pagesDone : pagesDone + Math.max(1, Math.ceil(remaining / fetcher.pageLimit));
    onProgress({
      source: fetcher.name,
      pagesDone,
      pagesTotal,
      barsDone: done ? barsTotal : barsDone,
      barsTotal,
      done,
    });
  };

  const request = async (from: number, to: number): Promise<Candle[]> => {
    const probe = requests === 0 && options.firstRequestTimeoutMs !== undefined;
    for (let attempt = 0; ; attempt++) {
      requests++;
      try {
        return await fetcher.fetchPage(from, to, probe ? options.firstRequestTimeoutMs! : options.timeoutMs);
      } catch (error) {
        const retryable = error instanceof CandleSourceError && error.retryable;
        if (!retryable || probe || attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** attempt));
      }
    }
  };

  /** Writes `partition` from the front of `received` (the candles before its end), removing them. */
  const flush = async (partition: Partition, received: Candle[], availableFrom: number, upTo: number) => {
    let count = 0;
    while (count < received.length && received[count]!.openTime < partition.end) count++;
    const mine = received.splice(0, count);
    const coveredFrom = Math.max(partition.start, availableFrom);
    const coveredTo = Math.min(partition.end, upTo);
    if (coveredFrom >= coveredTo) return;
    const fresh: CachedPartition = {
      partition,
      coveredFrom,
      coveredTo,
      candles: mine.filter((candle) => candle.openTime >= coveredFrom && candle.openTime < coveredTo),
    };
    const merged = mergePartition(p.cached.get(partition.start) ?? null, fresh);
    contents.set(partition.start, merged);
    fetched.add(partition.start);
    if (p.series !== null) await writePartition(p.series, merged);
  };

  if (ranges.length > 0) report(false);
  const windowStart =
    fetcher.historyLimitBars === null ? null : closedLimit - fetcher.historyLimitBars * intervalMs;
  for (const range of ranges) {
    const received: Candle[] = [];
    const pending = [...range.partitions];
    let availableFrom = range.from;
    let cursor = range.from;
    let first = true;
    while (cursor < range.to) {
      const page = (await request(cursor, range.to)).filter(
        (candle) => candle.openTime >= cursor && candle.openTime < range.to,
      );
      pagesDone++;
      if (first && windowStart !== null && range.from < windowStart) {
        // Older bars are gone for good: vouch only from the oldest bar served.
        availableFrom = page[0]?.openTime ?? range.to;
      }
      first = false;
      if (page.length === 0) break;
      received.push(...page);
      const next = page.at(-1)!.openTime + intervalMs;
      barsDone += Math.round((next - cursor) / intervalMs);
      cursor = next;
      while (pending.length > 0 && pending[0]!.end <= cursor) {
        await flush(pending.shift()!, received, availableFrom, range.to);
      }
      report(false);
    }
    barsDone += Math.max(0, Math.ceil((range.to - cursor) / intervalMs));
    for (const partition of pending) await flush(partition, received, availableFrom, range.to);
  }
  if (ranges.length > 0) report(true);

  const candles = collect(p, start, contents);
  let cachedBars = 0;
  for (const candle of candles) {
    if (!fetched.has(partitionStartOf(p.partitions, candle.openTime))) cachedBars++;
  }

  const warnings: string[] = [];
  let truncatedByHistoryLimit = false;
  if (fetcher.historyLimitBars !== null && windowStart !== null && start < windowStart) {
    const requestedBars = Math.ceil((p.servedEnd - start) / intervalMs);
    const firstOpen = candles[0]?.openTime ?? p.servedEnd;
    const missingBars = Math.floor((firstOpen - start) / intervalMs);
    if (missingBars > 0) {
      truncatedByHistoryLimit = true;
      warnings.push(
        `${fetcher.label} serves only its latest ${fetcher.historyLimitBars} candles ` +
          `(${formatDuration(fetcher.historyLimitBars * intervalMs)} of ${p.series?.interval ?? `${intervalMs} ms`} bars): ` +
          `the range from ${formatTime(start)} asks for ${requestedBars} bars but ` +
          (candles.length > 0
            ? `the data starts at ${formatTime(firstOpen)}, ${missingBars} bars later. `
            : "none of them is available. ") +
          "Use --source binance or a CSV file for longer history.",
      );
    }
  }
  return {
    candles,
    requests,
    cachedBars,
    downloadedBars: candles.length - cachedBars,
    servedEnd: p.servedEnd,
    warnings,
    truncatedByHistoryLimit,
  };
}

/**
 * Bars that open before this bound have closed by `now`. For intervals up to a day, which venues align to the
 * epoch, that is the open of the bar still forming; longer ones (weekly bars open on Mondays) use now − interval.
 */
export function closedOpenTimeLimit(now: number, intervalMs: number): number {
  return intervalMs <= 86_400_000 ? Math.floor(now / intervalMs) * intervalMs : now - intervalMs + 1;
}

function partitionStartOf(partitions: Partition[], openTime: number): number {
  // Partitions are sorted and contiguous; a binary search keeps this O(log n) per candle.
  let low = 0;
  let high = partitions.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (partitions[middle]!.start <= openTime) low = middle;
    else high = middle - 1;
  }
  return partitions[low]?.start ?? Number.NaN;
}
