import { createHash } from "node:crypto";
import { mkdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Candle, ParsedCandleCsv } from "@botmm/core";
import { writeFileAtomically } from "./atomic-file.ts";
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
export const CSV_CACHE_MIN_BYTES = 1 << 20;

const MAGIC = "BOTMMCSV";
const COLUMNS = 7;
const LAYOUTS: readonly ParsedCandleCsv["layout"][] = ["header", "binance-12", "ohlcv-6"];

/** What identifies the CSV a copy was made from. */
export interface CsvFileIdentity {
  /** Absolute path. */
  path: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /**
   * SHA-256 of the CSV's bytes, for callers that hold the text anyway (the download cache's partitions): the copy
   * then stands for exactly that text, however quickly the file was rewritten.
   */
  contentSha256?: string;
}

interface CsvCacheHeader extends CsvFileIdentity {
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
  const digest = createHash("sha256").update(resolve(csvPath)).digest("hex").slice(0, 32);
  return join(cacheDir, "csv", `${digest}.bin`);
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
  const identity = await csvFileIdentity(csvPath);
  if (identity === null || identity.size < (options.minBytes ?? CSV_CACHE_MIN_BYTES)) {
    return loadCsvFileRows(csvPath);
  }
  const cachePath = csvCachePath(options.cacheDir, csvPath);
  const lookup = await readCsvCache(cachePath, identity);
  if (lookup.status === "hit") return lookup.parsed;
  if (lookup.status === "unreadable") {
    options.onNotice?.(
      `the parsed copy of ${identity.path} at ${cachePath} cannot be used (${lookup.reason}): parsing the CSV again and replacing it`,
    );
  }
  const parsed = await loadCsvFileRows(csvPath);
  const after = await csvFileIdentity(csvPath);
  if (after === null || !sameCsvFileIdentity(identity, after)) return parsed;
  try {
    await mkdir(join(options.cacheDir, "csv"), { recursive: true });
    await writeFileAtomically(cachePath, encodeCsvCache(identity, parsed));
  } catch (error) {
    options.onNotice?.(
      `cannot keep a parsed copy of ${identity.path} at ${cachePath} (${describe(error)}): the next run parses the CSV again`,
    );
  }
  return parsed;
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
  let bytes: Buffer;
  try {
    bytes = await readFile(cachePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { status: "miss" };
    return { status: "unreadable", reason: describe(error) };
  }
  const decoded = decodeCsvCache(bytes);
  if (typeof decoded === "string") return { status: "unreadable", reason: decoded };
  if (!sameCsvFileIdentity(decoded.header, identity)) return { status: "miss" };
  return { status: "hit", parsed: decoded.parsed };
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
  const bodyBytes = new Uint8Array(body.buffer);
  const header: CsvCacheHeader = {
    path: identity.path,
    size: identity.size,
    mtimeMs: identity.mtimeMs,
    ctimeMs: identity.ctimeMs,
    ...(identity.contentSha256 === undefined ? {} : { contentSha256: identity.contentSha256 }),
    layout: parsed.layout,
    rows,
    sha256: createHash("sha256").update(bodyBytes).digest("hex"),
  };
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const bodyOffset = align8(16 + json.length);
  const out = Buffer.alloc(bodyOffset + bodyBytes.length);
  out.write(MAGIC, 0, "latin1");
  out.writeUInt32LE(CSV_CACHE_FORMAT_VERSION, 8);
  out.writeUInt32LE(json.length, 12);
  json.copy(out, 16);
  out.set(bodyBytes, bodyOffset);
  return out;
}

/** The header and rows of a copy, or why it cannot be used. */
function decodeCsvCache(bytes: Buffer): { header: CsvCacheHeader; parsed: ParsedCandleCsv } | string {
  if (bytes.length < 16 || bytes.toString("latin1", 0, 8) !== MAGIC) return "not a botmm CSV cache file";
  const version = bytes.readUInt32LE(8);
  if (version !== CSV_CACHE_FORMAT_VERSION)
    return `format version ${version}, this version reads ${CSV_CACHE_FORMAT_VERSION}`;
  const jsonLength = bytes.readUInt32LE(12);
  if (16 + jsonLength > bytes.length) return "truncated header";
  let header: CsvCacheHeader;
  try {
    header = JSON.parse(bytes.toString("utf8", 16, 16 + jsonLength)) as CsvCacheHeader;
  } catch {
    return "damaged header";
  }
  if (
    typeof header !== "object" ||
    header === null ||
    typeof header.path !== "string" ||
    !Number.isInteger(header.rows) ||
    header.rows < 0 ||
    typeof header.sha256 !== "string" ||
    !LAYOUTS.includes(header.layout)
  )
    return "damaged header";
  const bodyOffset = align8(16 + jsonLength);
  const bodyLength = header.rows * COLUMNS * 8;
  if (bytes.length !== bodyOffset + bodyLength)
    return `${bytes.length} bytes where ${header.rows} rows need ${bodyOffset + bodyLength} (truncated or damaged)`;
  const bodyBytes = bytes.subarray(bodyOffset);
  if (createHash("sha256").update(bodyBytes).digest("hex") !== header.sha256)
    return "its checksum does not match its contents (damaged)";
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
  return { header, parsed: { candles, rowNumbers, layout: header.layout } };
}

/** The identity of the file at `csvPath` (absolute path, size, mtime, ctime); null when it is not a file. */
export async function csvFileIdentity(csvPath: string): Promise<CsvFileIdentity | null> {
  try {
    const stats = await stat(csvPath);
    if (!stats.isFile()) return null;
    return { path: resolve(csvPath), size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
  } catch {
    // The CSV reader reports the unreadable file with its own error.
    return null;
  }
}

/** Whether two identities name the same version of the same file. */
export function sameCsvFileIdentity(a: CsvFileIdentity, b: CsvFileIdentity): boolean {
  return (
    a.path === b.path &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs &&
    a.contentSha256 === b.contentSha256
  );
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
