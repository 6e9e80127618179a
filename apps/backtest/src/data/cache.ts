import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { type Candle, type ParsedCandleCsv, parseCandleCsvRows } from "@botmm/core";
import { writeFileAtomically } from "./atomic-file.ts";
import { encodeCsvCache, readCsvCache } from "./csv-cache.ts";

/**
 * The on-disk candle cache.
 *
 * Layout: `<cacheDir>/<source>/<symbol>/<interval>/<partition>.csv`, e.g.
 * `~/.cache/botmm/candles/binance-usdm/BTCUSDT/1m/2025-05-20.csv`, where `<source>` is `binance-usdm`,
 * `bybit-linear` or `hyperliquid`, `<symbol>` the venue's own name (`BTCUSDT`, `BTC`) and `<partition>` one UTC day
 * (`YYYY-MM-DD`) for intervals under 1h, one UTC month (`YYYY-MM`) for 1h and longer — so a partition holds
 * at most 1440 rows and fits one Binance page. A bar belongs to the partition of its open time.
 *
 * File format (readable by `loadCsvFile` / `parseCandleCsv`, which skip `#` lines):
 * ```
 * # botmm candle cache v1 source=binance-usdm symbol=BTCUSDT interval=1m covered=1747699200000-1747785600000
 * open_time,open,high,low,close,volume
 * 1747699200000,105573.73,105597.1,105554.31,105554.32,10.82647
 * ```
 * `covered=from-to` is the half-open range of open times the venue was asked about: every bar in it that the
 * venue has is in the file, so a bar missing inside it is a real gap (or pre-listing time), not a hole in the
 * cache. Coverage ends at the last closed bar when the partition was written (today's file grows on later
 * runs), and for Hyperliquid starts no earlier than the oldest candle it still served. Files are written to a
 * temporary name and renamed, so a crash or a concurrent run never leaves half a file; a file that cannot be
 * parsed is ignored and fetched again.
 *
 * Beside each partition, `<partition>.bin` is its parsed copy (the `--csv` copy's format, `csv-cache.ts`), made
 * the first time the partition is read and used while the CSV's bytes are those it was made from (their SHA-256
 * is in the copy): 90 days of 1m partitions are then read without parsing 130k CSV rows on every run. The CSV
 * stays the record; a stale, damaged or missing copy only means the CSV is parsed again and the copy rewritten.
 */
export const CACHE_FORMAT_VERSION = 1;

/** Sources with a disk cache. */
export type CacheSource = "binance-usdm" | "bybit-linear" | "hyperliquid";

/** Where one series lives in the cache. */
export interface CacheSeries {
  cacheDir: string;
  source: CacheSource;
  symbol: string;
  interval: string;
  intervalMs: number;
}

/** One cache file's time span: a UTC day or month. */
export interface Partition {
  /** First ms of the partition (inclusive). */
  start: number;
  /** First ms after it (exclusive). */
  end: number;
  /** File name without `.csv`: `2025-05-20` or `2025-05`. */
  name: string;
}

/** A partition's cached content. */
export interface CachedPartition {
  partition: Partition;
  coveredFrom: number;
  coveredTo: number;
  candles: Candle[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The default cache directory: `$BOTMM_CACHE_DIR` if set, else `$XDG_CACHE_HOME/botmm/candles`, else
 * `~/.cache/botmm/candles`.
 *
 * @example
 * ```ts
 * defaultCacheDir(); // "/home/me/.cache/botmm/candles"
 * ```
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  if (env.BOTMM_CACHE_DIR) return env.BOTMM_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(home, ".cache"), "botmm", "candles");
}

/**
 * The partition holding a bar that opens at `openTime`.
 *
 * @example
 * ```ts
 * partitionOf(Date.UTC(2025, 4, 20, 13), 60_000).name; // "2025-05-20"
 * partitionOf(Date.UTC(2025, 4, 20, 13), 3_600_000).name; // "2025-05"
 * ```
 */
export function partitionOf(openTime: number, intervalMs: number): Partition {
  if (intervalMs < HOUR_MS) {
    const start = Math.floor(openTime / DAY_MS) * DAY_MS;
    return { start, end: start + DAY_MS, name: new Date(start).toISOString().slice(0, 10) };
  }
  const date = new Date(openTime);
  const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  return { start, end, name: new Date(start).toISOString().slice(0, 7) };
}

/**
 * The partitions overlapping the half-open range [start, end), oldest first.
 *
 * @example
 * ```ts
 * partitionsOverlapping(Date.UTC(2025, 4, 20), Date.UTC(2025, 4, 22), 60_000).map((p) => p.name);
 * // ["2025-05-20", "2025-05-21"]
 * ```
 */
export function partitionsOverlapping(start: number, end: number, intervalMs: number): Partition[] {
  const partitions: Partition[] = [];
  if (end <= start) return partitions;
  let partition = partitionOf(start, intervalMs);
  while (partition.start < end) {
    partitions.push(partition);
    partition = partitionOf(partition.end, intervalMs);
  }
  return partitions;
}

/** The directory of one series. */
export function seriesDir(series: CacheSeries): string {
  return join(series.cacheDir, series.source, safeSegment(series.symbol), series.interval);
}

/**
 * The file of one partition.
 *
 * @example
 * ```ts
 * partitionPath(series, partitionOf(Date.UTC(2025, 4, 20), 60_000));
 * // "~/.cache/botmm/candles/binance-usdm/BTCUSDT/1m/2025-05-20.csv"
 * ```
 */
export function partitionPath(series: CacheSeries, partition: Partition): string {
  return join(seriesDir(series), `${partition.name}.csv`);
}

/**
 * Reads one partition; null when it is absent, unreadable, or written for another series or format. Its rows
 * come from the partition's parsed copy when that was made from this version of the CSV (see the layout above).
 */
export async function readPartition(
  series: CacheSeries,
  partition: Partition,
): Promise<CachedPartition | null> {
  const path = partitionPath(series, partition);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return null;
  }
  // The header line only: the rows are decoded from text only when the parsed copy cannot be used.
  const newline = bytes.indexOf(10);
  const firstLine = newline >= 0 ? bytes.toString("utf8", 0, newline) : bytes.toString("utf8").slice(0, -1);
  const meta = /^# botmm candle cache v(\d+) .*\bcovered=(\d+)-(\d+)\s*$/.exec(firstLine);
  if (!meta || Number(meta[1]) !== CACHE_FORMAT_VERSION) return null;
  const coveredFrom = Number(meta[2]);
  const coveredTo = Number(meta[3]);
  if (!(partition.start <= coveredFrom && coveredFrom <= coveredTo && coveredTo <= partition.end))
    return null;
  // The copy stands for exactly these bytes (their digest), not for a file's timestamps.
  const identity = {
    path,
    size: bytes.length,
    mtimeMs: 0,
    ctimeMs: 0,
    contentSha256: createHash("sha256").update(bytes).digest("hex"),
  };
  const copyPath = parsedCopyPath(series, partition);
  const lookup = await readCsvCache(copyPath, identity);
  let parsed: ParsedCandleCsv;
  if (lookup.status === "hit") parsed = lookup.parsed;
  else {
    try {
      parsed = parseCandleCsvRows(bytes.toString("utf8"));
    } catch {
      return null;
    }
    // Best effort: a copy that cannot be written only means the next run parses the CSV again.
    await writeFileAtomically(copyPath, encodeCsvCache(identity, parsed)).catch(() => undefined);
  }
  const { candles } = parsed;
  if (candles.some((candle) => candle.openTime < coveredFrom || candle.openTime >= coveredTo)) return null;
  return { partition, coveredFrom, coveredTo, candles };
}

/** The parsed copy of a partition's CSV, beside it. */
function parsedCopyPath(series: CacheSeries, partition: Partition): string {
  return join(seriesDir(series), `${partition.name}.bin`);
}

/** Writes one partition atomically (temporary file, then rename). */
export async function writePartition(series: CacheSeries, cached: CachedPartition): Promise<void> {
  const dir = seriesDir(series);
  await mkdir(dir, { recursive: true });
  const lines = [
    `# botmm candle cache v${CACHE_FORMAT_VERSION} source=${series.source} symbol=${series.symbol} ` +
      `interval=${series.interval} covered=${cached.coveredFrom}-${cached.coveredTo}`,
    "open_time,open,high,low,close,volume",
  ];
  for (const c of cached.candles)
    lines.push(`${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume}`);
  const path = partitionPath(series, cached.partition);
  await writeFileAtomically(path, `${lines.join("\n")}\n`);
}

/**
 * Combines what a partition held with what was just fetched. Coverage becomes the union when the two ranges
 * touch or overlap, else the fresh one alone; within the fresh coverage the fresh candles replace the old.
 */
export function mergePartition(old: CachedPartition | null, fresh: CachedPartition): CachedPartition {
  if (old === null || old.coveredTo < fresh.coveredFrom || fresh.coveredTo < old.coveredFrom) return fresh;
  const kept = old.candles.filter(
    (candle) => candle.openTime < fresh.coveredFrom || candle.openTime >= fresh.coveredTo,
  );
  const candles = [...kept, ...fresh.candles].sort((a, b) => a.openTime - b.openTime);
  return {
    partition: fresh.partition,
    coveredFrom: Math.min(old.coveredFrom, fresh.coveredFrom),
    coveredTo: Math.max(old.coveredTo, fresh.coveredTo),
    candles,
  };
}

function safeSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}
