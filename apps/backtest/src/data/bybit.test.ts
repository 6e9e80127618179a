import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CandleSourceError } from "./errors.ts";
import { loadCandles } from "./load-candles.ts";
import { type FakeVenue, makeHistory, startFakeBybit } from "./testing/fake-venues.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
const DAY1 = Date.UTC(2025, 4, 20);

let cacheDir: string;
let venue: FakeVenue | null = null;

beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "botmm-bybit-"));
});
afterEach(async () => {
  await venue?.close();
  venue = null;
  await rm(cacheDir, { recursive: true, force: true });
});

function load(v: FakeVenue, symbol: string, start: number, end: number, interval = "1m") {
  return loadCandles({
    source: "bybit",
    symbol,
    interval,
    start,
    end,
    now: DAY1 + 10 * DAY,
    cacheDir,
    apiUrls: { bybit: v.url },
    rateLimit: false,
    retries: 0,
  });
}

describe("Bybit linear klines through ccxt", () => {
  it("asks for windows of at most 1000 bars, sorts Bybit's newest-first pages and caches them", async () => {
    const history = makeHistory(DAY1, 2 * 1440, MINUTE);
    venue = await startFakeBybit({ candles: history, intervalMs: MINUTE, symbol: "BTCUSDT" });
    const result = await load(venue, "BTC", DAY1, DAY1 + 2 * DAY);

    expect(result.source).toBe("bybit");
    expect(result.symbol).toBe("BTCUSDT");
    expect(result.candles).toEqual(history);
    expect(venue.requests.map((r) => r.path)).toEqual(Array(3).fill("/v5/market/kline"));
    expect(venue.requests.map((r) => [Number(r.query.start), Number(r.query.end)])).toEqual([
      [DAY1, DAY1 + 1000 * MINUTE - 1],
      [DAY1 + 1000 * MINUTE, DAY1 + 2000 * MINUTE - 1],
      [DAY1 + 2000 * MINUTE, DAY1 + 2 * DAY - 1],
    ]);
    for (const request of venue.requests)
      expect(request.query).toMatchObject({
        category: "linear",
        symbol: "BTCUSDT",
        interval: "1",
        limit: "1000",
      });
    expect(await readdir(join(cacheDir, "bybit-linear", "BTCUSDT", "1m"))).toEqual([
      "2025-05-20.csv",
      "2025-05-21.csv",
    ]);

    const before = venue.requests.length;
    const again = await load(venue, "BTCUSDT", DAY1, DAY1 + 2 * DAY);
    expect(venue.requests.length).toBe(before);
    expect(again.requests).toBe(0);
    expect(again.candles).toEqual(history);
  });

  it("names Bybit and the symbol when the venue refuses it (retCode 10001)", async () => {
    venue = await startFakeBybit({
      candles: makeHistory(DAY1, 10, MINUTE),
      intervalMs: MINUTE,
      symbol: "BTCUSDT",
    });
    const error = await load(venue, "NOPEUSDT", DAY1, DAY1 + DAY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CandleSourceError);
    expect((error as CandleSourceError).code).toBe("EXCHANGE");
    expect((error as CandleSourceError).message).toMatch(/^Bybit linear refused klines for NOPEUSDT 1m: /);
  });

  it("refuses an interval Bybit does not serve, listing those it does", async () => {
    venue = await startFakeBybit({ candles: [], intervalMs: MINUTE, symbol: "BTCUSDT" });
    const error = await load(venue, "BTC", DAY1, DAY1 + DAY, "8h").catch((e: unknown) => e);
    expect((error as CandleSourceError).code).toBe("UNSUPPORTED_INTERVAL");
    expect((error as CandleSourceError).message).toContain(
      'Bybit does not serve "8h" candles; use one of 1m, 3m',
    );
    expect(venue.requests).toHaveLength(0);
  });
});
