import { type Candle, type CandleGap, validateCandles } from "@botmm/core";
import { z } from "zod";
import { createBinanceUsdmFetcher } from "./binance.ts";
import { createBybitLinearFetcher } from "./bybit.ts";
import { type CacheSource, defaultCacheDir } from "./cache.ts";
import { loadCsvFileRowsCached } from "./csv-cache.ts";
import { loadCsvFileRows } from "./csv-file.ts";
import {
  type CachedDownloadOptions,
  type CandlePageFetcher,
  type DownloadProgress,
  downloadWithCache,
  readCachedRange,
} from "./download.ts";
import { CandleSourceError } from "./errors.ts";
import { createHyperliquidFetcher } from "./hyperliquid.ts";
import { formatTime, intervalFromMs, intervalToMs } from "./intervals.ts";
import { mapSymbol } from "./symbols.ts";
import { generateSyntheticCandles, type SyntheticCandleOptions, syntheticStartPrice } from "./synthetic.ts";

/** Where candles come from. `auto`: cache, then network, then synthetic (see {@link loadCandles}). */
export type CandleSourceName = "auto" | "binance" | "bybit" | "hyperliquid" | "csv" | "synthetic";
/** The source that actually served the candles. */
export type ResolvedCandleSource = Exclude<CandleSourceName, "auto">;

/** A time: ms since the epoch, a `Date`, or a string (`2025-05-20`, `2025-05-20T12:00`, ISO 8601); strings are UTC unless they carry an offset. */
export type TimeInput = number | string | Date;

/** Options of {@link loadCandles}. */
export interface LoadCandlesOptions {
  /** Default `auto`. */
  source?: CandleSourceName;
  /** `BTC`, `BTCUSDT`, `BTC/USDT:USDT`, `kPEPE`, … (see `mapSymbol`). Required except for `csv`. */
  symbol?: string;
  /** `1m`, `5m`, `1h`, … (see `CANDLE_INTERVAL_MS`). Required except for `csv`, where it is inferred when omitted. */
  interval?: string;
  /** First open time (included). Default: `end` − 7 days; for `csv`, the file's first row. */
  start?: TimeInput;
  /** Open times stay below this. Default: now; for `csv`, after the file's last row. */
  end?: TimeInput;
  /** The CSV file (plain or .gz) for `source: "csv"`. */
  csvPath?: string;
  /**
   * Disk cache root; default {@link defaultCacheDir}; `null` disables the cache. For `csv`, a parsed copy of a
   * file of 1 MiB or more is kept in its `csv/` folder (see `loadCsvFileRowsCached`).
   */
  cacheDir?: string | null;
  /** Seed of synthetic candles (also of the `auto` fallback). Default 1. */
  seed?: number;
  /** Base URLs, e.g. `{ binance: "http://127.0.0.1:8081", hyperliquid: "http://127.0.0.1:8082" }`. */
  apiUrls?: { binance?: string; bybit?: string; hyperliquid?: string };
  /** Per-request timeout of downloads. Default 15 000 ms. */
  timeoutMs?: number;
  /** `auto` only: timeout of the first request to each venue, so an offline run fails over fast. Default 3000 ms. */
  probeTimeoutMs?: number;
  /** Retries of a download request that failed for a reason that may pass (network, 429, 5xx). Default 2. */
  retries?: number;
  /** ccxt's request-weight throttle for Binance and Bybit (default true; tests may turn it off). */
  rateLimit?: boolean;
  /** Missing bars: `error` above `maxGapFraction` (default) or `skip`; see `validateCandles`. */
  gaps?: "error" | "skip";
  /** Default 0.01 (1 % of the span). */
  maxGapFraction?: number;
  /** Parameters of the synthetic generator beyond range, interval and seed. */
  synthetic?: Omit<SyntheticCandleOptions, "start" | "end" | "intervalMs" | "seed">;
  /** Wall clock (ms) for "bars closed by now" and the default range; default `Date.now()`. */
  now?: number;
  /** Download progress (pages done / estimated total), for a progress bar. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Told about cache trouble the load worked around (a damaged parsed copy of a CSV, a cache it cannot write). */
  onNotice?: (message: string) => void;
}

/** What {@link loadCandles} returns. */
export interface LoadCandlesResult {
  /** Validated candles, ascending, open times in [start, end). */
  candles: Candle[];
  /** The source actually used. */
  source: ResolvedCandleSource;
  /** True when the candles are synthetic (asked for, or the `auto` fallback): the CLI must say so loudly. */
  synthetic: boolean;
  /** Everything the user should read: fallbacks, the Hyperliquid history limit, gaps, late starts. */
  warnings: string[];
  /** Missing bars inside the series (never filled in). */
  gaps: { gaps: CandleGap[]; gapCount: number; missingBars: number; missingFraction: number };
  /** The symbol as the source names it (`BTCUSDT`, `BTC`; as given for csv / synthetic). */
  symbol: string;
  /** Interval name, or null for a CSV whose inferred step has no name. */
  interval: string | null;
  intervalMs: number;
  /** Range actually served, [start, end). */
  start: number;
  end: number;
  /** HTTP requests made, candles from the cache, candles downloaded. */
  requests: number;
  cachedBars: number;
  downloadedBars: number;
}

const DAY_MS = 86_400_000;
/** The sources `auto` tries, in order (Bybit is used only when asked for: Binance has the same markets). */
const AUTO_SOURCES = ["binance", "hyperliquid"] as const;
type NetworkSource = "binance" | "bybit" | "hyperliquid";
const CACHE_SOURCE: Record<NetworkSource, CacheSource> = {
  binance: "binance-usdm",
  bybit: "bybit-linear",
  hyperliquid: "hyperliquid",
};

const timeSchema = z
  .union([z.number().int().nonnegative(), z.date(), z.string().min(1)])
  .transform((value, ctx) => {
    const ms = toMs(value);
    if (ms === null) {
      ctx.addIssue({
        code: "custom",
        message: `not a time: ${JSON.stringify(value)} (use ms, YYYY-MM-DD or ISO 8601)`,
      });
      return z.NEVER;
    }
    return ms;
  });

const optionsSchema = z.object({
  source: z.enum(["auto", "binance", "bybit", "hyperliquid", "csv", "synthetic"]).default("auto"),
  symbol: z.string().trim().min(1).optional(),
  interval: z.string().trim().min(1).optional(),
  start: timeSchema.optional(),
  end: timeSchema.optional(),
  csvPath: z.string().min(1).optional(),
  cacheDir: z.string().min(1).nullable().optional(),
  seed: z.number().int().default(1),
  apiUrls: z
    .object({ binance: z.url().optional(), bybit: z.url().optional(), hyperliquid: z.url().optional() })
    .default({}),
  timeoutMs: z.number().int().positive().default(15_000),
  probeTimeoutMs: z.number().int().positive().default(3_000),
  retries: z.number().int().min(0).max(10).default(2),
  rateLimit: z.boolean().default(true),
  gaps: z.enum(["error", "skip"]).default("error"),
  maxGapFraction: z.number().min(0).max(1).default(0.01),
  synthetic: z.record(z.string(), z.unknown()).optional(),
  now: z.number().int().nonnegative().optional(),
  onProgress: z
    .custom<(progress: DownloadProgress) => void>((value) => typeof value === "function")
    .optional(),
  onNotice: z.custom<(message: string) => void>((value) => typeof value === "function").optional(),
});
type ParsedOptions = z.infer<typeof optionsSchema>;

/**
 * Loads candles for a backtest from one source, validates them (`validateCandles`) and says what it did.
 *
 * Sources:
 * - `binance`: Binance USDⓈ-M perpetual klines via ccxt, through the disk cache (see `cache.ts`): only
 *   partitions not yet cached are downloaded.
 * - `bybit`: Bybit linear (USDT perpetual) klines via ccxt, same cache (never tried by `auto`).
 * - `hyperliquid`: Hyperliquid perp candles via `@nktkas/hyperliquid`, same cache. Hyperliquid serves only
 *   its latest 5000 candles: a longer range comes back shorter, with a warning.
 * - `csv`: a file (plain or .gz) in Binance's kline layout or a headered OHLCV layout.
 * - `synthetic`: {@link generateSyntheticCandles} with `seed`, starting near the symbol's usual price.
 * - `auto` (default): the cache if it covers the range (Binance first, then Hyperliquid); else the network
 *   (Binance, then Hyperliquid; the first request to each times out after `probeTimeoutMs`); else synthetic
 *   candles with `synthetic: true` and a warning. Binance comes first for its full history.
 *
 * Symbols map between venues with `mapSymbol` (`BTC` ↔ `BTCUSDT`, `kPEPE` ↔ `1000PEPEUSDT`). Bars not yet
 * closed at `now` are never returned. Gaps are returned and summarised in `warnings`, never filled.
 *
 * @example
 * ```ts
 * const result = await loadCandles({ symbol: "BTC", interval: "1m", start: "2025-05-01", end: "2025-06-01" });
 * if (result.synthetic) console.warn("SYNTHETIC DATA");
 * for (const warning of result.warnings) console.warn(warning);
 * ```
 */
export async function loadCandles(options: LoadCandlesOptions): Promise<LoadCandlesResult> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CandleSourceError(
      "INVALID_OPTIONS",
      `loadCandles: ${issue.path.join(".") || "options"}: ${issue.message}`,
    );
  }
  const o = parsed.data;
  const now = o.now ?? Date.now();
  if (o.source === "csv") return loadFromCsv(o);

  if (!o.symbol) throw invalid(`symbol is required for source ${o.source} (e.g. "BTC" or "BTCUSDT")`);
  if (!o.interval) throw invalid(`interval is required for source ${o.source} (e.g. "1m")`);
  const intervalMs = intervalToMs(o.interval);
  const end = o.end ?? now;
  const start = o.start ?? end - 7 * DAY_MS;
  if (start >= end) throw invalid(`start ${formatTime(start)} must be before end ${formatTime(end)}`);
  const range = { start, end, endGiven: o.end !== undefined, interval: o.interval, intervalMs, now };

  if (o.source === "synthetic") return synthetic(o, range, []);
  if (o.source === "binance" || o.source === "bybit" || o.source === "hyperliquid") {
    const download = await fromNetwork(o, o.source, range, false);
    return finish(o, o.source, download, range, []);
  }

  // auto
  for (const source of AUTO_SOURCES) {
    const request = downloadRequest(o, source, range, false);
    if (request === null) continue;
    const cached = await readCachedRange(request);
    if (cached.covered && cached.candles.length > 0) {
      const result = {
        candles: cached.candles,
        requests: 0,
        cachedBars: cached.candles.length,
        downloadedBars: 0,
        servedEnd: cached.servedEnd,
        warnings: [],
        truncatedByHistoryLimit: false,
      };
      return finish(o, source, result, range, []);
    }
  }
  const failures: string[] = [];
  for (const source of AUTO_SOURCES) {
    try {
      const download = await fromNetwork(o, source, range, true);
      if (download.candles.length === 0) {
        failures.push(`${label(source)}: no candles in the range`);
        continue;
      }
      const notes = failures.map((failure) => `${failure}; using ${label(source)} candles instead.`);
      return finish(o, source, download, range, notes);
    } catch (error) {
      if (!(error instanceof CandleSourceError)) throw error;
      // Download errors already start with the venue's name.
      failures.push(
        error.message.startsWith(label(source)) ? error.message : `${label(source)}: ${error.message}`,
      );
    }
  }
  let cacheNote = "";
  if (o.cacheDir !== null) {
    const binance = downloadRequest(o, "binance", range, false);
    const cached = binance === null ? null : await readCachedRange(binance);
    cacheNote =
      cached !== null && cached.coveredUntil > start
        ? ` The cache (${o.cacheDir ?? defaultCacheDir()}) covers ${formatTime(start)} to ${formatTime(cached.coveredUntil)}` +
          ` only: end the range there (--end ${formatTime(cached.coveredUntil)}) to use it offline.`
        : ` The cache (${o.cacheDir ?? defaultCacheDir()}) has nothing for this range.`;
  }
  return synthetic(o, range, [
    `No real candles for ${o.symbol} ${o.interval} from ${formatTime(start)} to ${formatTime(end)}: ` +
      `${failures.join("; ")}.${cacheNote} Using SYNTHETIC candles (seed ${o.seed}) instead: results say ` +
      "nothing about real markets.",
  ]);
}

interface Range {
  start: number;
  end: number;
  endGiven: boolean;
  interval: string;
  intervalMs: number;
  now: number;
}

function invalid(message: string): CandleSourceError {
  return new CandleSourceError("INVALID_OPTIONS", `loadCandles: ${message}`);
}

function label(source: NetworkSource): string {
  return source === "binance" ? "Binance USDⓈ-M" : source === "bybit" ? "Bybit linear" : "Hyperliquid";
}

function venueSymbol(symbol: string, source: NetworkSource): string {
  const mapping = mapSymbol(symbol);
  // Bybit's linear perps use Binance's names (BTCUSDT, 1000PEPEUSDT).
  return source === "hyperliquid" ? mapping.hyperliquid : mapping.binance;
}

function fetcherFor(o: ParsedOptions, source: NetworkSource, interval: string): CandlePageFetcher {
  const symbol = venueSymbol(o.symbol!, source);
  if (source === "binance")
    return createBinanceUsdmFetcher({
      symbol,
      interval,
      apiUrl: o.apiUrls.binance,
      enableRateLimit: o.rateLimit,
    });
  if (source === "bybit")
    return createBybitLinearFetcher({
      symbol,
      interval,
      apiUrl: o.apiUrls.bybit,
      enableRateLimit: o.rateLimit,
    });
  return createHyperliquidFetcher({ coin: symbol, interval, apiUrl: o.apiUrls.hyperliquid });
}

/** The download request for a source, or null when the source cannot serve the interval (auto skips it). */
function downloadRequest(
  o: ParsedOptions,
  source: NetworkSource,
  range: Range,
  probe: boolean,
): CachedDownloadOptions | null {
  let fetcher: CandlePageFetcher;
  try {
    fetcher = fetcherFor(o, source, range.interval);
  } catch (error) {
    if (error instanceof CandleSourceError && error.code === "UNSUPPORTED_INTERVAL" && o.source === "auto")
      return null;
    throw error;
  }
  const cacheDir = o.cacheDir === null ? null : (o.cacheDir ?? defaultCacheDir());
  return {
    fetcher,
    series: {
      cacheDir,
      source: CACHE_SOURCE[source],
      symbol: venueSymbol(o.symbol!, source),
      interval: range.interval,
      intervalMs: range.intervalMs,
    },
    start: range.start,
    end: range.end,
    now: range.now,
    timeoutMs: o.timeoutMs,
    retries: o.retries,
    ...(probe ? { firstRequestTimeoutMs: Math.min(o.probeTimeoutMs, o.timeoutMs) } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  };
}

async function fromNetwork(o: ParsedOptions, source: NetworkSource, range: Range, probe: boolean) {
  const request = downloadRequest(o, source, range, probe);
  if (request === null) {
    throw new CandleSourceError(
      "UNSUPPORTED_INTERVAL",
      `${label(source)} does not serve ${range.interval} candles`,
      {
        source,
      },
    );
  }
  return downloadWithCache(request);
}

function finish(
  o: ParsedOptions,
  source: NetworkSource,
  download: Awaited<ReturnType<typeof downloadWithCache>>,
  range: Range,
  notes: string[],
): LoadCandlesResult {
  const symbol = venueSymbol(o.symbol!, source);
  const { candles } = download;
  const name = `${label(source)} ${symbol} ${range.interval}`;
  if (candles.length === 0) {
    throw new CandleSourceError(
      "NO_DATA",
      `${name}: no candles from ${formatTime(range.start)} to ${formatTime(download.servedEnd)}` +
        (download.warnings.length > 0
          ? ` (${download.warnings.join(" ")})`
          : " (is the symbol listed there?)"),
      { source },
    );
  }
  const warnings = [...notes, ...download.warnings];
  if (range.endGiven && range.end > download.servedEnd + range.intervalMs) {
    warnings.push(
      `The range ends at ${formatTime(range.end)}, after the last closed bar: candles stop at ` +
        `${formatTime(download.servedEnd)}.`,
    );
  }
  const report = validateCandles(candles, {
    intervalMs: range.intervalMs,
    gaps: o.gaps,
    maxGapFraction: o.maxGapFraction,
    sourceName: name,
  });
  warnings.push(
    ...edgeWarnings(
      name,
      candles,
      range.start,
      download.servedEnd,
      range.intervalMs,
      !download.truncatedByHistoryLimit,
    ),
  );
  warnings.push(...gapWarnings(name, report));
  return {
    candles,
    source,
    synthetic: false,
    warnings,
    gaps: pickGaps(report),
    symbol,
    interval: range.interval,
    intervalMs: range.intervalMs,
    start: range.start,
    end: download.servedEnd,
    requests: download.requests,
    cachedBars: download.cachedBars,
    downloadedBars: download.downloadedBars,
  };
}

function synthetic(o: ParsedOptions, range: Range, warnings: string[]): LoadCandlesResult {
  const base = mapSymbol(o.symbol!).base;
  const first = Math.ceil(range.start / range.intervalMs) * range.intervalMs;
  const candles = generateSyntheticCandles({
    startPrice: syntheticStartPrice(base),
    ...(o.synthetic as LoadCandlesOptions["synthetic"]),
    start: first,
    end: range.end,
    intervalMs: range.intervalMs,
    seed: o.seed,
  });
  const report = validateCandles(candles, { intervalMs: range.intervalMs, sourceName: "synthetic" });
  return {
    candles,
    source: "synthetic",
    synthetic: true,
    warnings,
    gaps: pickGaps(report),
    symbol: o.symbol!,
    interval: range.interval,
    intervalMs: range.intervalMs,
    start: range.start,
    end: range.end,
    requests: 0,
    cachedBars: 0,
    downloadedBars: 0,
  };
}

async function loadFromCsv(o: ParsedOptions): Promise<LoadCandlesResult> {
  if (!o.csvPath) throw invalid('csvPath is required for source "csv"');
  const parsed =
    o.cacheDir === null
      ? await loadCsvFileRows(o.csvPath)
      : await loadCsvFileRowsCached(o.csvPath, {
          cacheDir: o.cacheDir ?? defaultCacheDir(),
          onNotice: o.onNotice,
        });
  const name = o.csvPath.split(/[\\/]/).at(-1)!;
  const keep: number[] = [];
  for (let i = 0; i < parsed.candles.length; i++) {
    const openTime = parsed.candles[i]!.openTime;
    if ((o.start === undefined || openTime >= o.start) && (o.end === undefined || openTime < o.end))
      keep.push(i);
  }
  const all = keep.length === parsed.candles.length;
  const candles = all ? parsed.candles : keep.map((i) => parsed.candles[i]!);
  const rowNumbers = all ? parsed.rowNumbers : keep.map((i) => parsed.rowNumbers[i]!);
  if (candles.length === 0) {
    const span =
      parsed.candles.length === 0
        ? "it has no candles"
        : `it spans ${formatTime(parsed.candles[0]!.openTime)} to ${formatTime(parsed.candles.at(-1)!.openTime)}`;
    throw new CandleSourceError("NO_DATA", `${name}: no candles in the requested range; ${span}`, {
      source: "csv",
    });
  }
  let intervalMs: number;
  let interval: string | null;
  if (o.interval) {
    intervalMs = intervalToMs(o.interval);
    interval = o.interval;
  } else {
    if (candles.length < 2)
      throw invalid(`${name} has one candle in range: pass interval (--interval), it cannot be inferred`);
    intervalMs = inferIntervalMs(candles);
    interval = intervalFromMs(intervalMs);
  }
  const report = validateCandles(candles, {
    intervalMs,
    gaps: o.gaps,
    maxGapFraction: o.maxGapFraction,
    sourceName: name,
    rowNumbers,
  });
  const start = o.start ?? candles[0]!.openTime;
  const end = o.end ?? candles.at(-1)!.openTime + intervalMs;
  return {
    candles,
    source: "csv",
    synthetic: false,
    warnings: [...edgeWarnings(name, candles, start, end, intervalMs, true), ...gapWarnings(name, report)],
    gaps: pickGaps(report),
    symbol: o.symbol ?? name,
    interval,
    intervalMs,
    start,
    end,
    requests: 0,
    cachedBars: 0,
    downloadedBars: 0,
  };
}

/**
 * The most common step between consecutive open times (over the first 10 000), for CSVs without an interval.
 *
 * @example
 * ```ts
 * inferIntervalMs(candles); // 60000 for 1m data, even with a few gaps
 * ```
 */
export function inferIntervalMs(candles: readonly Candle[]): number {
  const counts = new Map<number, number>();
  const limit = Math.min(candles.length, 10_001);
  for (let i = 1; i < limit; i++) {
    const step = candles[i]!.openTime - candles[i - 1]!.openTime;
    if (step > 0) counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [step, count] of counts) {
    if (count > bestCount || (count === bestCount && step < best)) {
      best = step;
      bestCount = count;
    }
  }
  if (best === 0) throw invalid("cannot infer the interval from the open times; pass interval (--interval)");
  return best;
}

function edgeWarnings(
  name: string,
  candles: Candle[],
  start: number,
  end: number,
  intervalMs: number,
  leading: boolean,
): string[] {
  const warnings: string[] = [];
  const first = candles[0];
  const last = candles.at(-1);
  if (!first || !last) return warnings;
  const before = Math.floor((first.openTime - start) / intervalMs);
  if (leading && before > 0) {
    warnings.push(
      `${name}: no candles before ${formatTime(first.openTime)}, ${before} bars after the requested start.`,
    );
  }
  const after = Math.floor((end - (last.openTime + intervalMs)) / intervalMs);
  if (after > 0) {
    warnings.push(
      `${name}: no candles after ${formatTime(last.openTime)}, ${after} bars before the end of the range.`,
    );
  }
  return warnings;
}

function gapWarnings(name: string, report: ReturnType<typeof validateCandles>): string[] {
  if (report.gapCount === 0) return [];
  const largest = report.gaps.reduce((a, b) => (b.missingBars > a.missingBars ? b : a));
  return [
    `${name}: ${report.missingBars} bars missing in ${report.gapCount} gap(s) ` +
      `(${Number((report.missingFraction * 100).toPrecision(2))}% of the span; largest ${largest.missingBars} bars ` +
      `after ${formatTime(largest.afterOpenTime)}). They are skipped, not filled.`,
  ];
}

function pickGaps(report: ReturnType<typeof validateCandles>): LoadCandlesResult["gaps"] {
  return {
    gaps: report.gaps,
    gapCount: report.gapCount,
    missingBars: report.missingBars,
    missingFraction: report.missingFraction,
  };
}

function toMs(value: number | string | Date): number | null {
  if (typeof value === "number") return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // A date-time without an offset is UTC here (Date.parse would take it as local time).
  const withZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}Z` : text;
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? null : ms;
}
