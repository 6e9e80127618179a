import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CandleSourceError } from "./errors.ts";
import { fundingIntervalHours, hourlyFundingRows, loadFundingHistory } from "./funding.ts";
import { type FakeVenue, startFakeBinance, startFakeBybit } from "./testing/fake-venues.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAY20 = Date.UTC(2025, 4, 20);

let cacheDir: string;
let venue: FakeVenue | null = null;
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "botmm-funding-"));
});
afterEach(async () => {
  await venue?.close();
  venue = null;
  await rm(cacheDir, { recursive: true, force: true });
});

/** Settlements every `hours` from `start`, with rates that differ so a misplaced row shows. */
function settlements(start: number, count: number, hours: number) {
  return Array.from({ length: count }, (_, i) => ({
    timeMs: start + i * hours * HOUR,
    rate: ((i % 7) - 2) / 100_000,
  }));
}

describe("loadFundingHistory", () => {
  it("reads Binance's 8-hourly settlements across a month boundary, with the one in force at the start, then from the cache", async () => {
    const rows = settlements(Date.UTC(2025, 4, 1), 40 * 3, 8);
    venue = await startFakeBinance({ candles: [], intervalMs: 60_000, symbol: "BTCUSDT", funding: rows });
    const options = {
      venue: "binance" as const,
      symbol: "BTCUSDT",
      start: MAY20 + 4 * HOUR,
      end: MAY20 + 20 * DAY,
      now: MAY20 + 30 * DAY,
      cacheDir,
      apiUrl: venue.url,
      rateLimit: false,
    };
    const result = await loadFundingHistory(options);
    const expected = rows.filter((row) => row.timeMs >= MAY20 && row.timeMs < MAY20 + 20 * DAY);
    expect(result.settlements).toEqual(expected);
    expect(result.intervalHours).toBe(8);
    expect(result.requests).toBe(2); // May and June, one page each
    expect(venue.requests.map((r) => r.path)).toEqual(["/fapi/v1/fundingRate", "/fapi/v1/fundingRate"]);
    expect(venue.requests[0]!.query).toMatchObject({ symbol: "BTCUSDT", limit: "1000" });
    const file = await readFile(join(cacheDir, "binance-usdm", "BTCUSDT", "funding", "2025-05.csv"), "utf8");
    expect(file.split("\n").slice(0, 2)).toEqual([
      `# botmm funding cache v1 source=binance-usdm symbol=BTCUSDT covered=${Date.UTC(2025, 4, 1)}-${Date.UTC(2025, 5, 1)}`,
      "time_ms,funding_rate",
    ]);

    const again = await loadFundingHistory(options);
    expect(again.requests).toBe(0);
    expect(again.settlements).toEqual(expected);
    expect(venue.requests).toHaveLength(2);
  });

  it("pages Bybit's newest-first history backwards, 200 rows at a time, and finds an hourly interval", async () => {
    const rows = settlements(Date.UTC(2025, 4, 1), 30 * 24, 1);
    venue = await startFakeBybit({ candles: [], intervalMs: 60_000, symbol: "ETHUSDT", funding: rows });
    const result = await loadFundingHistory({
      venue: "bybit",
      symbol: "ETHUSDT",
      start: Date.UTC(2025, 4, 2),
      end: Date.UTC(2025, 4, 30),
      now: Date.UTC(2025, 6, 1),
      cacheDir: null,
      apiUrl: venue.url,
      rateLimit: false,
      lookbackMs: HOUR,
    });
    expect(result.settlements).toEqual(
      rows.filter((row) => row.timeMs >= Date.UTC(2025, 4, 2) - HOUR && row.timeMs < Date.UTC(2025, 4, 30)),
    );
    expect(result.intervalHours).toBe(1);
    expect(result.requests).toBe(4); // 720 rows in May: 200 + 200 + 200 + 120
    for (const request of venue.requests)
      expect(request.query).toMatchObject({ category: "linear", symbol: "ETHUSDT", limit: "200" });
  });

  it("names the venue and symbol when the venue refuses the symbol", async () => {
    venue = await startFakeBybit({ candles: [], intervalMs: 60_000, symbol: "ETHUSDT", funding: [] });
    const error = await loadFundingHistory({
      venue: "bybit",
      symbol: "NOPEUSDT",
      start: MAY20,
      end: MAY20 + DAY,
      now: MAY20 + 2 * DAY,
      cacheDir: null,
      apiUrl: venue.url,
      rateLimit: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CandleSourceError);
    expect((error as CandleSourceError).code).toBe("EXCHANGE");
    expect((error as CandleSourceError).message).toMatch(
      /^Bybit linear refused funding history for NOPEUSDT: /,
    );
  });
});

describe("hourlyFundingRows", () => {
  it("charges each 8-hourly rate in eight equal parts after its settlement, never before", () => {
    const rows = hourlyFundingRows(
      [
        { timeMs: 8 * HOUR + 3, rate: 0.0008 },
        { timeMs: 16 * HOUR, rate: -0.0016 },
      ],
      8,
    );
    expect(rows.map((row) => row.timeMs / HOUR)).toEqual(Array.from({ length: 16 }, (_, i) => 8 + i));
    expect(rows.slice(0, 8).every((row) => row.rate === 0.0001)).toBe(true);
    expect(rows.slice(8).every((row) => row.rate === -0.0002)).toBe(true);
  });

  it("stops a rate at the next settlement when one comes early", () => {
    const rows = hourlyFundingRows(
      [
        { timeMs: 0, rate: 0.0008 },
        { timeMs: 4 * HOUR, rate: 0.0004 },
      ],
      8,
    );
    expect(rows.map((row) => row.timeMs / HOUR)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("infers the interval from the most common step", () => {
    expect(fundingIntervalHours(settlements(0, 10, 8))).toBe(8);
    expect(fundingIntervalHours(settlements(0, 10, 4))).toBe(4);
    expect(fundingIntervalHours([])).toBe(8);
  });
});
