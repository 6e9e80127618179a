// A binary copy of a parsed long-format candle file (`screen --csv`): the 173-coin file of 1m candles takes
// ≈ 2 s to decompress and parse and ≈ 0.2 s to read back this way.
import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { CandleColumns } from "@botmm/backtest";
import { writeFileAtomically } from "../data/atomic-file.ts";
import { type CsvFileIdentity, csvFileIdentity, sameCsvFileIdentity } from "../data/csv-cache.ts";

/**
 * Layout, little-endian: `BOTMMSCR` (8 bytes), format version (u32), header length (u32), the header as JSON
 * (`{ path, size, mtimeMs, ctimeMs, coins: [[coin, rows], …], sha256 }`), zero padding to a multiple of 8, then
 * for each coin in header order its 6 columns of `rows` float64: open time, open, high, low, close, volume.
 * `sha256` is the digest of the body, so a truncated or damaged copy is detected, never used. The copy stands
 * for the file whose path, size, mtime and ctime it records; any change to the file makes it stale.
 */
export const SCREEN_COPY_FORMAT_VERSION = 1;

/** Files smaller than this on disk are parsed on every screen (well under 0.1 s); no copy is kept. */
export const SCREEN_COPY_MIN_BYTES = 1 << 20;

const MAGIC = "BOTMMSCR";
const COLUMNS = ["openTime", "open", "high", "low", "close", "volume"] as const;

interface ScreenCopyHeader extends CsvFileIdentity {
  coins: [string, number][];
  sha256: string;
}

/** The outcome of reading a copy: used, absent or for another version of the file, or unusable (with why). */
export type ScreenCopyLookup =
  | { status: "hit"; byCoin: Map<string, CandleColumns> }
  | { status: "miss" }
  | { status: "unreadable"; reason: string };

/** Where the copy of the long-format file at `path` lives under `cacheDir`. */
export function screenCopyPath(cacheDir: string, path: string): string {
  const digest = createHash("sha256").update(resolve(path)).digest("hex").slice(0, 32);
  return join(cacheDir, "screen", `${digest}.bin`);
}

/**
 * Parses the long-format file at `path` with `parse`, through its copy under `cacheDir`: a copy made from this
 * version of the file is read instead; otherwise the file is parsed and, when it is at least `minBytes` on disk
 * and did not change meanwhile, a copy is written for the next run. A copy that exists but cannot be used, or cannot be written, is told to
 * `onNotice`; the run goes on with the parsed file. Parse errors are the parser's own.
 */
export async function parseThroughCopy(
  path: string,
  cacheDir: string,
  parse: () => Promise<Map<string, CandleColumns>>,
  onNotice: (message: string) => void,
  minBytes = SCREEN_COPY_MIN_BYTES,
): Promise<Map<string, CandleColumns>> {
  const identity = await csvFileIdentity(path);
  if (identity === null || identity.size < minBytes) return parse();
  const copyPath = screenCopyPath(cacheDir, path);
  const lookup = await readScreenCopy(copyPath, identity);
  if (lookup.status === "hit") return lookup.byCoin;
  if (lookup.status === "unreadable")
    onNotice(
      `the parsed copy of ${identity.path} at ${copyPath} cannot be used (${lookup.reason}): parsing the file again and replacing it`,
    );
  const byCoin = await parse();
  const after = await csvFileIdentity(path);
  if (after === null || !sameCsvFileIdentity(identity, after)) return byCoin;
  try {
    await mkdir(join(cacheDir, "screen"), { recursive: true });
    await writeFileAtomically(copyPath, encodeScreenCopy(identity, byCoin));
  } catch (error) {
    onNotice(
      `cannot keep a parsed copy of ${identity.path} at ${copyPath} (${(error as Error).message}): the next screen parses the file again`,
    );
  }
  return byCoin;
}

/** Reads the copy at `copyPath` if it was made from the file `identity` describes. */
export async function readScreenCopy(copyPath: string, identity: CsvFileIdentity): Promise<ScreenCopyLookup> {
  let bytes: Buffer;
  try {
    bytes = await readFile(copyPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { status: "miss" };
    return { status: "unreadable", reason: (error as Error).message };
  }
  if (bytes.length < 16 || bytes.toString("latin1", 0, 8) !== MAGIC)
    return { status: "unreadable", reason: "not a botmm screen copy" };
  const version = bytes.readUInt32LE(8);
  if (version !== SCREEN_COPY_FORMAT_VERSION)
    return {
      status: "unreadable",
      reason: `format version ${version}, this version reads ${SCREEN_COPY_FORMAT_VERSION}`,
    };
  const jsonLength = bytes.readUInt32LE(12);
  if (16 + jsonLength > bytes.length) return { status: "unreadable", reason: "truncated header" };
  let header: ScreenCopyHeader;
  try {
    header = JSON.parse(bytes.toString("utf8", 16, 16 + jsonLength)) as ScreenCopyHeader;
  } catch {
    return { status: "unreadable", reason: "damaged header" };
  }
  if (
    typeof header !== "object" ||
    header === null ||
    !Array.isArray(header.coins) ||
    !header.coins.every(
      (entry) =>
        Array.isArray(entry) && typeof entry[0] === "string" && Number.isInteger(entry[1]) && entry[1] >= 0,
    ) ||
    typeof header.sha256 !== "string"
  )
    return { status: "unreadable", reason: "damaged header" };
  if (!sameCsvFileIdentity(header, identity)) return { status: "miss" };
  const bodyOffset = align8(16 + jsonLength);
  const values = header.coins.reduce((sum, [, rows]) => sum + rows * COLUMNS.length, 0);
  if (bytes.length !== bodyOffset + values * 8)
    return {
      status: "unreadable",
      reason: `${bytes.length} bytes where the header needs ${bodyOffset + values * 8}`,
    };
  const bodyBytes = bytes.subarray(bodyOffset);
  if (createHash("sha256").update(bodyBytes).digest("hex") !== header.sha256)
    return { status: "unreadable", reason: "its checksum does not match its contents (damaged)" };
  // Each column gets a buffer of its own, as the parser gives it: a screen posts a coin's columns to a worker,
  // and posting a view copies its whole buffer.
  const byCoin = new Map<string, CandleColumns>();
  let offset = bodyOffset;
  for (const [coin, rows] of header.coins) {
    const column = () => {
      const array = new Float64Array(rows);
      new Uint8Array(array.buffer).set(bytes.subarray(offset, offset + rows * 8));
      offset += rows * 8;
      return array;
    };
    byCoin.set(coin, {
      length: rows,
      openTime: column(),
      open: column(),
      high: column(),
      low: column(),
      close: column(),
      volume: column(),
    });
  }
  return { status: "hit", byCoin };
}

/** The bytes of a copy of `byCoin`, parsed from the file `identity` describes. */
export function encodeScreenCopy(
  identity: CsvFileIdentity,
  byCoin: ReadonlyMap<string, CandleColumns>,
): Uint8Array {
  const coins: [string, number][] = [...byCoin].map(([coin, columns]) => [coin, columns.length]);
  const values = coins.reduce((sum, [, rows]) => sum + rows * COLUMNS.length, 0);
  const body = new Float64Array(values);
  let offset = 0;
  for (const columns of byCoin.values())
    for (const name of COLUMNS) {
      body.set(columns[name].subarray(0, columns.length), offset);
      offset += columns.length;
    }
  const bodyBytes = new Uint8Array(body.buffer);
  const header: ScreenCopyHeader = {
    path: identity.path,
    size: identity.size,
    mtimeMs: identity.mtimeMs,
    ctimeMs: identity.ctimeMs,
    coins,
    sha256: createHash("sha256").update(bodyBytes).digest("hex"),
  };
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const bodyOffset = align8(16 + json.length);
  const out = Buffer.alloc(bodyOffset + bodyBytes.length);
  out.write(MAGIC, 0, "latin1");
  out.writeUInt32LE(SCREEN_COPY_FORMAT_VERSION, 8);
  out.writeUInt32LE(json.length, 12);
  json.copy(out, 16);
  out.set(bodyBytes, bodyOffset);
  return out;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
