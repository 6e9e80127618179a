import type { Candle, ParsedCandleCsv } from "@botmm/core";
import {
  copyBodyIntact,
  copyPathUnder,
  encodeCopyFile,
  type FileIdentity,
  PARSED_COPY_MIN_BYTES,
  parseThroughCopy,
  readCopyFile,
  sameFileIdentity,
} from "./copy-file.ts";
import { loadCsvFileRows } from "./csv-file.ts";

/**
 * A binary copy of a parsed candle CSV, so a large `--csv` file is decompressed and parsed once, not on every
 * run (90 days of 1m candles: ≈ 0.8 s of parsing against ≈ 0.02 s of reading the copy).
 *
 * Where: `<cacheDir>/csv/<sha256 of the CSV's absolute path, 32 hex>.bin`, beside the downloaded candles.
 * Which file it stands for: the CSV's absolute path, size, mtime and ctime, all stored in the copy and compared
 * with a fresh `stat` of the CSV before the copy is used — any change to the file (or a copy over it) makes it
 * stale, and the CSV is parsed again. Only what `parseCandleCsvRows` accepted is stored (values, order and
 * row numbers already checked); the loader validates gaps and range on every run as it does for the CSV.
 *
 * Layout, little-endian: `BOTMMCSV` (8 bytes), format version (u32), header length (u32), the header as JSON
 * (`{ path, size, mtimeMs, ctimeMs, layout, rows, sha256 }`), zero padding to a multiple of 8, then 7 columns
 * of `rows` float64 each: open time, open, high, low, close, volume, file line. `sha256` is the digest of
 * those columns, so a truncated or damaged copy is detected, never used.
 */
export const CSV_CACHE_FORMAT_VERSION = 1;

/** CSV files smaller than this on disk are parsed on every run (well under 0.1 s); no copy is kept. */
export const CSV_CACHE_MIN_BYTES = PARSED_COPY_MIN_BYTES;

const MAGIC = "BOTMMCSV";
const COLUMNS = 7;
const LAYOUTS: readonly ParsedCandleCsv["layout"][] = ["header", "binance-12", "ohlcv-6"];

/** What identifies the CSV a copy was made from. */
export type CsvFileIdentity = FileIdentity;

interface CsvCacheHeader extends FileIdentity {
  layout: ParsedCandleCsv["layout"];
  rows: number;
  sha256: string;
}

/** The outcome of reading a copy: used, absent or for another version of the file, or unusable (with why). */
export type CsvCacheLookup =
  | { status: "hit"; parsed: ParsedCandleCsv }
  | { status: "miss" }
  | { status: "unreadable"; reason: string };

/** Options of {@link loadCsvFileRowsCached}. */
export interface CsvCacheOptions {
  /** The cache root (`--cache-dir` / `defaultCacheDir()`); copies go to its `csv/` folder. */
  cacheDir: string;
  /** Default {@link CSV_CACHE_MIN_BYTES}. */
  minBytes?: number;
  /** Told when a copy exists but cannot be used, or cannot be written; the run goes on with the parsed CSV. */
  onNotice?: (message: string) => void;
}

/**
 * The file of the copy of the CSV at `csvPath` (resolved to an absolute path) under `cacheDir`.
 *
 * @example
 * ```ts
 * csvCachePath("/home/me/.cache/botmm/candles", "/data/btc.csv.gz");
 * // "/home/me/.cache/botmm/candles/csv/<32 hex digits>.bin"
 * ```
 */
export function csvCachePath(cacheDir: string, csvPath: string): string {
  return copyPathUnder(cacheDir, "csv", csvPath);
}

/**
 * {@link loadCsvFileRows} through the binary copy described above: a current copy is read instead of the CSV;
 * otherwise the CSV is parsed and, when it is at least `minBytes` on disk and did not change while it was read,
 * a copy is written for the next run. A copy that exists but is damaged or not this format is reported through
 * `onNotice`, ignored and replaced; a copy that cannot be written is reported and the run goes on. Parse errors
 * are the CSV's own (`CandleDataError`, `CandleSourceError` `CSV_READ`), exactly as without the cache.
 *
 * @example
 * ```ts
 * const { candles, rowNumbers } = await loadCsvFileRowsCached("btc.csv.gz", {
 *   cacheDir: defaultCacheDir(),
 *   onNotice: (message) => console.error(message),
 * });
 * ```
 */
export async function loadCsvFileRowsCached(
  csvPath: string,
  options: CsvCacheOptions,
): Promise<ParsedCandleCsv> {
  return parseThroughCopy({
    sourcePath: csvPath,
    copyPath: csvCachePath(options.cacheDir, csvPath),
    minBytes: options.minBytes ?? CSV_CACHE_MIN_BYTES,
    parse: () => loadCsvFileRows(csvPath),
    read: async (copyPath, identity) => {
      const lookup = await readCsvCache(copyPath, identity);
      return lookup.status === "hit" ? { status: "hit", value: lookup.parsed } : lookup;
    },
    encode: encodeCsvCache,
    onNotice: options.onNotice,
    sourceName: "the CSV",
    nextUse: "the next run",
  });
}

/**
 * Reads the copy at `cachePath` if it was made from the file `identity` describes: `hit` with the parsed rows,
 * `miss` when there is no copy or it was made from another version of the file, `unreadable` with the reason
 * when it is damaged, truncated or of another format.
 *
 * @example
 * ```ts
 * const lookup = await readCsvCache(csvCachePath(cacheDir, "/data/btc.csv.gz"), identity);
 * if (lookup.status === "hit") use(lookup.parsed);
 * ```
 */
export async function readCsvCache(cachePath: string, identity: CsvFileIdentity): Promise<CsvCacheLookup> {
  const copy = await readCopyFile(cachePath, MAGIC, CSV_CACHE_FORMAT_VERSION, "CSV cache file");
  if (copy.status !== "found") return copy;
  const header = copy.header as unknown as CsvCacheHeader;
  if (
    typeof header.path !== "string" ||
    !Number.isInteger(header.rows) ||
    header.rows < 0 ||
    !LAYOUTS.includes(header.layout)
  )
    return { status: "unreadable", reason: "damaged header" };
  if (!sameFileIdentity(header, identity)) return { status: "miss" };
  const bodyLength = header.rows * COLUMNS * 8;
  if (copy.body.length !== bodyLength)
    return {
      status: "unreadable",
      reason: `${copy.size} bytes where ${header.rows} rows need ${copy.size - copy.body.length + bodyLength} (truncated or damaged)`,
    };
  if (!copyBodyIntact(header, copy.body))
    return { status: "unreadable", reason: "its checksum does not match its contents (damaged)" };
  return { status: "hit", parsed: decodeRows(header, copy.body) };
}

/**
 * The bytes of a copy of `parsed`, made from the file `identity` describes.
 *
 * @example
 * ```ts
 * await writeFile(csvCachePath(cacheDir, path), encodeCsvCache(identity, loadCsvFileRows(path)));
 * ```
 */
export function encodeCsvCache(identity: CsvFileIdentity, parsed: ParsedCandleCsv): Uint8Array {
  const rows = parsed.candles.length;
  const body = new Float64Array(rows * COLUMNS);
  for (let i = 0; i < rows; i++) {
    const candle = parsed.candles[i]!;
    body[i] = candle.openTime;
    body[rows + i] = candle.open;
    body[2 * rows + i] = candle.high;
    body[3 * rows + i] = candle.low;
    body[4 * rows + i] = candle.close;
    body[5 * rows + i] = candle.volume;
    body[6 * rows + i] = parsed.rowNumbers[i]!;
  }
  const header: Omit<CsvCacheHeader, "sha256"> = {
    path: identity.path,
    size: identity.size,
    mtimeMs: identity.mtimeMs,
    ctimeMs: identity.ctimeMs,
    ...(identity.contentSha256 === undefined ? {} : { contentSha256: identity.contentSha256 }),
    layout: parsed.layout,
    rows,
  };
  return encodeCopyFile(MAGIC, CSV_CACHE_FORMAT_VERSION, header, body);
}

/** The rows of a copy's intact body. */
function decodeRows(header: CsvCacheHeader, bodyBytes: Buffer): ParsedCandleCsv {
  // Copy into an aligned buffer: the file's buffer may start at any offset of Node's pool.
  const body = new Float64Array(header.rows * COLUMNS);
  new Uint8Array(body.buffer).set(bodyBytes);
  const rows = header.rows;
  const candles: Candle[] = new Array(rows);
  const rowNumbers: number[] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    candles[i] = {
      openTime: body[i]!,
      open: body[rows + i]!,
      high: body[2 * rows + i]!,
      low: body[3 * rows + i]!,
      close: body[4 * rows + i]!,
      volume: body[5 * rows + i]!,
    };
    rowNumbers[i] = body[6 * rows + i]!;
  }
  return { candles, rowNumbers, layout: header.layout };
}
