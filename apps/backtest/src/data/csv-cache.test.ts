import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { CandleDataError, parseCandleCsvRows } from "@botmm/core";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CSV_CACHE_MIN_BYTES,
  csvCachePath,
  encodeCsvCache,
  loadCsvFileRowsCached,
  readCsvCache,
} from "./csv-cache.ts";
import { loadCsvFileRows } from "./csv-file.ts";
import { loadCandles } from "./load-candles.ts";

const T0 = Date.UTC(2025, 4, 20);
const MINUTE = 60_000;

let dir: string;
let cacheDir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "botmm-csv-cache-"));
  cacheDir = join(dir, "cache");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A headered 1m CSV of `rows` candles with prices that do not print round. */
function csvText(rows: number, from = 0): string {
  const lines = ["open_time,open,high,low,close,volume"];
  for (let i = from; i < from + rows; i++) {
    const mid = 100_000 + (i % 97) * 0.37;
    lines.push(`${T0 + i * MINUTE},${mid},${mid + 1.1},${mid - 0.9},${mid + 0.1},${(i % 13) * 0.00101}`);
  }
  return `${lines.join("\n")}\n`;
}

async function writeCsv(name: string, text: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Loads through the cache (every file size cached), collecting notices. */
async function load(path: string, notices: string[] = []) {
  return loadCsvFileRowsCached(path, { cacheDir, minBytes: 0, onNotice: (m) => notices.push(m) });
}

describe("loadCsvFileRowsCached", () => {
  it("parses on a miss, keeps a copy, and returns the same rows from it on the next run", async () => {
    const path = await writeCsv("btc.csv.gz", gzipSync(csvText(500)));
    const notices: string[] = [];
    const first = await load(path, notices);
    expect(first).toEqual(await loadCsvFileRows(path));
    expect(existsSync(csvCachePath(cacheDir, path))).toBe(true);
    const second = await load(path, notices);
    expect(second).toEqual(first);
    expect(notices).toEqual([]);
  });

  it("uses the copy on a hit (a copy with other rows is what comes back)", async () => {
    const path = await writeCsv("btc.csv", csvText(50));
    await load(path);
    // Replace the copy with a valid one of different rows for the same file version: a hit must return it.
    const stats = await stat(path);
    const identity = { path, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
    const other = parseCandleCsvRows(csvText(3, 1000));
    await writeFile(csvCachePath(cacheDir, path), encodeCsvCache(identity, other));
    expect(await load(path)).toEqual(other);
  });

  it("misses when the file changed: more rows, or the same size with another mtime", async () => {
    const path = await writeCsv("btc.csv", csvText(40));
    await load(path);
    await writeFile(path, csvText(41));
    expect((await load(path)).candles).toHaveLength(41);

    // Same length, other values, mtime set apart from the cached one.
    const text = csvText(41);
    const changed = text.replace(`${T0},`, `${T0 - MINUTE},`);
    expect(changed.length).toBe(text.length);
    await writeFile(path, changed);
    const cachedMtime = (await stat(path)).mtimeMs;
    await utimes(path, new Date(cachedMtime + 5_000), new Date(cachedMtime + 5_000));
    expect((await load(path)).candles[0]!.openTime).toBe(T0 - MINUTE);
  });

  it("reports a damaged copy, parses the CSV again and replaces the copy", async () => {
    const path = await writeCsv("btc.csv", csvText(200));
    const expected = await loadCsvFileRows(path);
    await load(path);
    const cachePath = csvCachePath(cacheDir, path);
    const good = await readFile(cachePath);
    const damages: [string, Buffer, RegExp][] = [
      ["flipped body byte", flip(good, good.length - 3), /checksum does not match/],
      ["truncated", good.subarray(0, good.length - 8), /truncated or damaged/],
      ["garbage", Buffer.from("hello, not a cache"), /not a botmm CSV cache file/],
      ["other version", withVersion(good, 99), /format version 99/],
      ["damaged header", flip(good, 17), /damaged header/],
    ];
    for (const [what, bytes, reason] of damages) {
      await writeFile(cachePath, bytes);
      const notices: string[] = [];
      expect(await load(path, notices), what).toEqual(expected);
      expect(notices, what).toHaveLength(1);
      expect(notices[0], what).toMatch(reason);
      expect(notices[0], what).toContain(cachePath);
      expect(notices[0], what).toContain("parsing the CSV again");
      // Replaced: the next run reads the copy without a notice.
      const after: string[] = [];
      expect(await load(path, after), what).toEqual(expected);
      expect(after, what).toEqual([]);
    }
  });

  it("keeps no copy of a small file, and says so when the cache cannot be written", async () => {
    const path = await writeCsv("small.csv", csvText(10));
    await loadCsvFileRowsCached(path, { cacheDir });
    expect(existsSync(join(cacheDir, "csv"))).toBe(false);

    const blocked = join(dir, "not-a-dir");
    await writeFile(blocked, "a file where the cache directory should be");
    const notices: string[] = [];
    const parsed = await loadCsvFileRowsCached(path, {
      cacheDir: blocked,
      minBytes: 0,
      onNotice: (m) => notices.push(m),
    });
    expect(parsed).toEqual(await loadCsvFileRows(path));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/cannot keep a parsed copy of .*small\.csv/);
  });

  it("caches nothing for a CSV that fails to parse: the same error every run", async () => {
    const path = await writeCsv("bad.csv", `${csvText(5)}${T0 + 5 * MINUTE},1,2,x,1,1\n`);
    for (let run = 0; run < 2; run++) {
      await expect(load(path)).rejects.toThrow(CandleDataError);
      await expect(load(path)).rejects.toThrow(/row 7/);
    }
    expect(existsSync(csvCachePath(cacheDir, path))).toBe(false);
  });

  it("round-trips every parsed number exactly (seeded property)", async () => {
    const candle = fc
      .record({
        low: fc.double({ min: 1e-8, max: 1e7, noNaN: true, noDefaultInfinity: true }),
        spread: fc.double({ min: 0, max: 1e5, noNaN: true, noDefaultInfinity: true }),
        openShare: fc.double({ min: 0, max: 1, noNaN: true }),
        closeShare: fc.double({ min: 0, max: 1, noNaN: true }),
        volume: fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true }),
      })
      .map(({ low, spread, openShare, closeShare, volume }) => {
        const high = low + spread;
        // Clamped so float rounding cannot put open/close outside [low, high].
        const within = (share: number) => Math.min(high, Math.max(low, low + share * spread));
        return { open: within(openShare), high, low, close: within(closeShare), volume };
      });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(candle, { minLength: 1, maxLength: 30 }), async (candles) => {
        const rows = candles.map(
          (c, i) => `${T0 + i * MINUTE},${c.open},${c.high},${c.low},${c.close},${c.volume}`,
        );
        const path = await writeCsv(
          `p${run++}.csv`,
          `# comment\nopen_time,open,high,low,close,volume\n${rows.join("\n")}\n`,
        );
        const parsed = await loadCsvFileRows(path);
        await load(path);
        const cached = await readCsvCache(csvCachePath(cacheDir, path), identityOf(path, await stat(path)));
        expect(cached.status).toBe("hit");
        if (cached.status !== "hit") return;
        expect(cached.parsed.layout).toBe(parsed.layout);
        expect(cached.parsed.rowNumbers).toEqual(parsed.rowNumbers);
        cached.parsed.candles.forEach((c, i) => {
          for (const key of ["openTime", "open", "high", "low", "close", "volume"] as const)
            expect(Object.is(c[key], parsed.candles[i]![key]), `${key} of row ${i}`).toBe(true);
        });
      }),
      { seed: 20261206, numRuns: 40 },
    );
  });
});

describe("loadCandles with a CSV of 1 MiB or more", () => {
  it("keeps one parsed copy under <cacheDir>/csv and returns the same candles from it", async () => {
    const text = csvText(25_000);
    expect(text.length).toBeGreaterThan(CSV_CACHE_MIN_BYTES);
    const path = await writeCsv("big.csv", text);
    const notices: string[] = [];
    const options = {
      source: "csv" as const,
      csvPath: path,
      cacheDir,
      onNotice: (m: string) => notices.push(m),
    };
    const parsed = await loadCandles(options);
    expect(await readdir(join(cacheDir, "csv"))).toHaveLength(1);
    const cached = await loadCandles(options);
    expect(cached).toEqual(parsed);
    expect(cached.candles).toHaveLength(25_000);
    expect(notices).toEqual([]);
    // `cacheDir: null` turns the copy off.
    await rm(cacheDir, { recursive: true });
    expect(await loadCandles({ ...options, cacheDir: null })).toEqual(parsed);
    expect(existsSync(cacheDir)).toBe(false);
  });
});

function identityOf(path: string, stats: { size: number; mtimeMs: number; ctimeMs: number }) {
  return { path, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
}

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}

function withVersion(bytes: Buffer, version: number): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt32LE(version, 8);
  return copy;
}
