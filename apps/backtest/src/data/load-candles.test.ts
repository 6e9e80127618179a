import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { CandleDataError } from "@botmm/core";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CandleSourceError } from "./errors.ts";
import { inferIntervalMs, loadCandles } from "./load-candles.ts";
import {
  type FakeVenue,
  makeHistory,
  startBlackHole,
  startFakeBinance,
  startFakeHyperliquid,
  unusedLocalUrl,
} from "./testing/fake-venues.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
const DAY1 = Date.UTC(2025, 4, 20);

let dir: string;
const venues: FakeVenue[] = [];

// The timings below measure the fail-over, not module loading: ccxt alone takes about 1 s to import cold.
beforeAll(async () => {
  await Promise.all([import("ccxt"), import("@nktkas/hyperliquid")]);
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "botmm-load-"));
});
afterEach(async () => {
  for (const venue of venues.splice(0)) await venue.close();
  await rm(dir, { recursive: true, force: true });
});

async function track(venue: Promise<FakeVenue>): Promise<FakeVenue> {
  const started = await venue;
  venues.push(started);
  return started;
}

describe("loadCandles: auto", () => {
  it("with no venue reachable, falls back to synthetic candles with a warning, fast", async () => {
    const apiUrls = { binance: await unusedLocalUrl(), hyperliquid: await unusedLocalUrl() };
    const began = performance.now();
    const result = await loadCandles({
      symbol: "BTCUSDT",
      interval: "1m",
      start: DAY1,
      end: DAY1 + DAY,
      now: DAY1 + 2 * DAY,
      cacheDir: join(dir, "cache"),
      apiUrls,
      seed: 7,
    });
    // Without the fail-fast probe, the retries' back-off alone (2 × (500 + 1000) ms) would take 3 s.
    expect(performance.now() - began).toBeLessThan(2_900);
    expect(result.source).toBe("synthetic");
    expect(result.synthetic).toBe(true);
    expect(result.candles).toHaveLength(1440);
    expect(result.candles[0]!.open).toBe(60_000); // BTC-like start price
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(
      /^No real candles for BTCUSDT 1m from 2025-05-20T00:00Z to 2025-05-21T00:00Z: Binance USDⓈ-M: cannot reach 127\.0\.0\.1:\d+ \(http:\/\/127\.0\.0\.1:\d+\/fapi\/v1\/klines\): connection refused \(ECONNREFUSED\).*; Hyperliquid: cannot reach 127\.0\.0\.1:\d+ \(http:\/\/127\.0\.0\.1:\d+\/info\): connection refused \(ECONNREFUSED\)/,
    );
    expect(result.warnings[0]).toContain("has nothing for this range");
    expect(result.warnings[0]).toContain("Using SYNTHETIC candles (seed 7) instead");
  });

  it("a venue that accepts but never answers costs only the probe timeout", async () => {
    const hole = await track(startBlackHole());
    const began = performance.now();
    const result = await loadCandles({
      symbol: "ETH",
      interval: "5m",
      start: DAY1,
      end: DAY1 + DAY,
      now: DAY1 + 2 * DAY,
      cacheDir: null,
      apiUrls: { binance: hole.url, hyperliquid: hole.url },
      probeTimeoutMs: 300,
    });
    // Well under one 15 s request timeout, with room for a loaded machine.
    expect(performance.now() - began).toBeLessThan(10_000);
    expect(result.synthetic).toBe(true);
    expect(result.candles[0]!.open).toBe(3000);
    expect(hole.requests).toHaveLength(2); // one probe per venue, neither answered
  });

  it("uses the cache when it covers the range, without any request", async () => {
    const history = makeHistory(DAY1, 1440, MINUTE);
    const binance = await track(
      startFakeBinance({ candles: history, intervalMs: MINUTE, symbol: "BTCUSDT" }),
    );
    const cacheDir = join(dir, "cache");
    const options = {
      symbol: "BTC",
      interval: "1m",
      start: DAY1,
      end: DAY1 + DAY,
      now: DAY1 + 2 * DAY,
      cacheDir,
    };
    const online = await loadCandles({ ...options, apiUrls: { binance: binance.url }, rateLimit: false });
    expect(online.source).toBe("binance");
    expect(online.requests).toBe(1);
    await binance.close();

    const offline = await loadCandles({
      ...options,
      apiUrls: { binance: await unusedLocalUrl(), hyperliquid: await unusedLocalUrl() },
    });
    expect(offline.source).toBe("binance");
    expect(offline.synthetic).toBe(false);
    expect(offline.requests).toBe(0);
    expect(offline.candles).toEqual(history);
    expect(offline.warnings).toEqual([]);
  });

  it("offline with a partial cache: synthetic, and the warning says how far the cache reaches", async () => {
    const history = makeHistory(DAY1, 1440, MINUTE);
    const binance = await track(
      startFakeBinance({ candles: history, intervalMs: MINUTE, symbol: "BTCUSDT" }),
    );
    const cacheDir = join(dir, "cache");
    await loadCandles({
      source: "binance",
      symbol: "BTC",
      interval: "1m",
      start: DAY1,
      end: DAY1 + DAY,
      now: DAY1 + 3 * DAY,
      cacheDir,
      apiUrls: { binance: binance.url },
      rateLimit: false,
    });
    const offline = await loadCandles({
      symbol: "BTC",
      interval: "1m",
      start: DAY1,
      end: DAY1 + 2 * DAY,
      now: DAY1 + 3 * DAY,
      cacheDir,
      apiUrls: { binance: await unusedLocalUrl(), hyperliquid: await unusedLocalUrl() },
    });
    expect(offline.synthetic).toBe(true);
    expect(offline.warnings[0]).toContain("covers 2025-05-20T00:00Z to 2025-05-21T00:00Z only");
  });

  it("falls over from an unreachable Binance to Hyperliquid, and says so", async () => {
    const history = makeHistory(DAY1, 1440, MINUTE);
    const hyperliquid = await track(
      startFakeHyperliquid({ candles: history, intervalMs: MINUTE, symbol: "BTC" }),
    );
    const result = await loadCandles({
      symbol: "BTCUSDT",
      interval: "1m",
      start: DAY1,
      end: DAY1 + DAY,
      now: DAY1 + 2 * DAY,
      cacheDir: join(dir, "cache"),
      apiUrls: { binance: await unusedLocalUrl(), hyperliquid: hyperliquid.url },
    });
    expect(result.source).toBe("hyperliquid");
    expect(result.symbol).toBe("BTC");
    expect(result.candles).toEqual(history);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(
      /^Binance USDⓈ-M: cannot reach 127\.0\.0\.1:\d+ .*; using Hyperliquid candles instead\.$/,
    );
  });

  it("explicit network sources fail instead of falling back", async () => {
    const error = await loadCandles({
      source: "binance",
      symbol: "BTC",
      interval: "1m",
      start: DAY1,
      end: DAY1 + DAY,
      now: DAY1 + 2 * DAY,
      cacheDir: null,
      apiUrls: { binance: await unusedLocalUrl() },
      retries: 0,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CandleSourceError);
    expect(error).toMatchObject({ code: "NETWORK", source: "binance", retryable: true });
  });
});

describe("loadCandles: csv", () => {
  const header = "open_time,open,high,low,close,volume";
  const rows = makeHistory(DAY1, 30, 5 * MINUTE).map(
    (c) => `${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume}`,
  );

  it("reads a gzipped file, infers the interval and keeps the range", async () => {
    const path = join(dir, "btc-5m.csv.gz");
    await writeFile(path, gzipSync(`${header}\n${rows.join("\n")}\n`));
    const all = await loadCandles({ source: "csv", csvPath: path });
    expect(all.source).toBe("csv");
    expect(all.synthetic).toBe(false);
    expect(all.candles).toHaveLength(30);
    expect(all.interval).toBe("5m");
    expect(all.intervalMs).toBe(5 * MINUTE);
    expect(all.symbol).toBe("btc-5m.csv.gz");
    expect(all.warnings).toEqual([]);

    const part = await loadCandles({
      source: "csv",
      csvPath: path,
      symbol: "BTC",
      interval: "5m",
      start: "2025-05-20T00:30",
      end: DAY1 + 60 * MINUTE,
    });
    expect(part.candles.map((c) => c.openTime)).toEqual(
      [6, 7, 8, 9, 10, 11].map((i) => DAY1 + i * 5 * MINUTE),
    );
    expect(part.symbol).toBe("BTC");
  });

  it("gap errors name the file line", async () => {
    const path = join(dir, "gappy.csv");
    await writeFile(path, [header, ...rows.slice(0, 10), ...rows.slice(20)].join("\n"));
    const error = await loadCandles({ source: "csv", csvPath: path, interval: "5m" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CandleDataError);
    expect(error).toMatchObject({ code: "TOO_MANY_GAPS", row: 12 });
    expect((error as Error).message).toMatch(/^gappy\.csv: 10 of 30 bars missing/);
    const skipped = await loadCandles({ source: "csv", csvPath: path, interval: "5m", gaps: "skip" });
    expect(skipped.gaps.missingBars).toBe(10);
    expect(skipped.warnings[0]).toMatch(/^gappy\.csv: 10 bars missing in 1 gap\(s\)/);
  });

  it("an empty range is NO_DATA naming the file's span; a missing path is INVALID_OPTIONS", async () => {
    const path = join(dir, "btc.csv");
    await writeFile(path, `${header}\n${rows.join("\n")}\n`);
    await expect(loadCandles({ source: "csv", csvPath: path, start: DAY1 + 10 * DAY })).rejects.toMatchObject(
      {
        code: "NO_DATA",
        message:
          "btc.csv: no candles in the requested range; it spans 2025-05-20T00:00Z to 2025-05-20T02:25Z",
      },
    );
    await expect(loadCandles({ source: "csv" })).rejects.toMatchObject({ code: "INVALID_OPTIONS" });
  });
});

describe("loadCandles: synthetic and options", () => {
  it("synthetic on request: deterministic, flagged, no warnings", async () => {
    const options = {
      source: "synthetic" as const,
      symbol: "SOL",
      interval: "15m",
      start: "2025-01-01",
      end: "2025-01-08",
      seed: 3,
    };
    const a = await loadCandles(options);
    const b = await loadCandles(options);
    expect(a.synthetic).toBe(true);
    expect(a.warnings).toEqual([]);
    expect(a.candles).toHaveLength(7 * 96);
    expect(a.candles[0]!.open).toBe(150);
    expect(a.candles).toEqual(b.candles);
    const c = await loadCandles({ ...options, seed: 4 });
    expect(c.candles).not.toEqual(a.candles);
    const custom = await loadCandles({ ...options, synthetic: { startPrice: 10 } });
    expect(custom.candles[0]!.open).toBe(10);
  });

  it("rejects bad options with the field named", async () => {
    await expect(loadCandles({ source: "binance", interval: "1m" })).rejects.toMatchObject({
      code: "INVALID_OPTIONS",
      message: 'loadCandles: symbol is required for source binance (e.g. "BTC" or "BTCUSDT")',
    });
    await expect(loadCandles({ symbol: "BTC", interval: "7m" })).rejects.toMatchObject({
      code: "UNSUPPORTED_INTERVAL",
    });
    await expect(loadCandles({ symbol: "BTC", interval: "1m", start: "yesterday" })).rejects.toMatchObject({
      code: "INVALID_OPTIONS",
      message: expect.stringContaining("loadCandles: start: not a time"),
    });
    await expect(
      loadCandles({ symbol: "BTC", interval: "1m", start: DAY1 + DAY, end: DAY1, source: "synthetic" }),
    ).rejects.toMatchObject({ code: "INVALID_OPTIONS" });
  });

  it("inferIntervalMs takes the most common step", () => {
    const candles = makeHistory(DAY1, 50, MINUTE, new Set([10, 11, 30]));
    expect(inferIntervalMs(candles)).toBe(MINUTE);
  });
});
