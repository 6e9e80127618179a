import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DownloadProgress } from "./download.ts";
import { CandleSourceError } from "./errors.ts";
import { createHyperliquidFetcher } from "./hyperliquid.ts";
import { loadCandles } from "./load-candles.ts";
import { type FakeVenue, makeHistory, startFakeHyperliquid } from "./testing/fake-venues.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
const DAY1 = Date.UTC(2025, 6, 1); // 2025-07-01

let cacheDir: string;
let venue: FakeVenue | null = null;

beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "botmm-candles-"));
});
afterEach(async () => {
  await venue?.close();
  venue = null;
  await rm(cacheDir, { recursive: true, force: true });
});

function load(v: FakeVenue, start: number, end: number, now: number, extra: Record<string, unknown> = {}) {
  return loadCandles({
    source: "hyperliquid",
    symbol: "BTCUSDT", // mapped to the coin BTC
    interval: "1m",
    start,
    end,
    now,
    cacheDir,
    apiUrls: { hyperliquid: v.url },
    ...extra,
  });
}

describe("Hyperliquid candles through the SDK", () => {
  it("posts candleSnapshot to <apiUrl>/info, paginates, caches, and a second run makes no request", async () => {
    const history = makeHistory(DAY1, 2 * 1440, MINUTE);
    const now = DAY1 + 2 * DAY + 30_000;
    venue = await startFakeHyperliquid({
      candles: history,
      intervalMs: MINUTE,
      symbol: "BTC",
      maxPerResponse: 1000,
      formingBarOpenTime: DAY1 + 2 * DAY,
    });
    const progress: DownloadProgress[] = [];
    const first = await load(venue, DAY1, now, now, {
      onProgress: (p: DownloadProgress) => progress.push(p),
    });
    expect(first.source).toBe("hyperliquid");
    expect(first.symbol).toBe("BTC");
    expect(first.candles).toEqual(history);
    expect(first.warnings).toEqual([]);
    expect(venue.requests[0]).toMatchObject({
      method: "POST",
      path: "/info",
      body: {
        type: "candleSnapshot",
        req: { coin: "BTC", interval: "1m", startTime: DAY1, endTime: DAY1 + 2 * DAY - 1 },
      },
    });
    const starts = venue.requests.map((r) => (r.body as { req: { startTime: number } }).req.startTime);
    expect(starts).toEqual([DAY1, DAY1 + 1000 * MINUTE, DAY1 + 2000 * MINUTE]);
    expect(progress.at(-1)).toMatchObject({ source: "hyperliquid", pagesDone: 3, pagesTotal: 3, done: true });
    expect(await readdir(join(cacheDir, "hyperliquid", "BTC", "1m"))).toHaveLength(2);

    venue.requests.length = 0;
    const second = await load(venue, DAY1, now, now);
    expect(venue.requests).toHaveLength(0);
    expect(second.candles).toEqual(history);
  });

  it("an extended range fetches only the missing part", async () => {
    const history = makeHistory(DAY1, 3 * 1440, MINUTE);
    const now = DAY1 + 3 * DAY;
    venue = await startFakeHyperliquid({ candles: history, intervalMs: MINUTE, symbol: "BTC" });
    await load(venue, DAY1 + DAY, DAY1 + 2 * DAY, now);
    venue.requests.length = 0;
    const extended = await load(venue, DAY1, DAY1 + 3 * DAY, now);
    const starts = venue.requests.map((r) => (r.body as { req: { startTime: number } }).req.startTime);
    expect(starts).toEqual([DAY1, DAY1 + 2 * DAY]);
    expect(extended.candles).toEqual(history);
    expect(extended.cachedBars).toBe(1440);
  });

  it("says so when the range asks for more than the latest 5000 candles, never truncating silently", async () => {
    const history = makeHistory(DAY1, 6000, MINUTE);
    const now = DAY1 + 6000 * MINUTE;
    venue = await startFakeHyperliquid({ candles: history, intervalMs: MINUTE, symbol: "BTC" });
    const result = await load(venue, DAY1, now, now);
    expect(result.candles).toEqual(history.slice(1000));
    expect(result.warnings).toEqual([
      "Hyperliquid serves only its latest 5000 candles (3d 11h 20m of 1m bars): the range from 2025-07-01T00:00Z " +
        "asks for 6000 bars but the data starts at 2025-07-01T16:40Z, 1000 bars later. Use --source binance or a " +
        "CSV file for longer history.",
    ]);
    // What it did get is cached; the unavailable part is not claimed as covered, so the warning stays.
    venue.requests.length = 0;
    const again = await load(venue, DAY1, now, now);
    expect(again.warnings).toEqual(result.warnings);
    expect(again.candles).toEqual(result.candles);
    expect(venue.requests.length).toBeGreaterThan(0);
  });

  it("keeps candles that have left Hyperliquid's window once they are cached", async () => {
    const history = makeHistory(DAY1, 6000, MINUTE);
    const early = DAY1 + 4000 * MINUTE;
    venue = await startFakeHyperliquid({
      candles: history.slice(0, 4000),
      intervalMs: MINUTE,
      symbol: "BTC",
    });
    await load(venue, DAY1, early, early);
    await venue.close();
    venue = await startFakeHyperliquid({ candles: history, intervalMs: MINUTE, symbol: "BTC" });
    const now = DAY1 + 6000 * MINUTE;
    const result = await load(venue, DAY1, now, now);
    expect(result.candles).toEqual(history);
    expect(result.warnings).toEqual([]);
  });

  it("an unknown coin is NO_DATA; 6h is not a Hyperliquid interval", async () => {
    venue = await startFakeHyperliquid({
      candles: makeHistory(DAY1, 10, MINUTE),
      intervalMs: MINUTE,
      symbol: "BTC",
    });
    const error = await load(venue, DAY1, DAY1 + DAY, DAY1 + 2 * DAY, { symbol: "NOPE" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CandleSourceError);
    expect(error).toMatchObject({ code: "NO_DATA" });
    expect(() => createHyperliquidFetcher({ coin: "BTC", interval: "6h" })).toThrow(/does not serve "6h"/);
  });

  it("a 5xx is retried; a 4xx is an EXCHANGE error", async () => {
    const history = makeHistory(DAY1, 100, MINUTE);
    venue = await startFakeHyperliquid({ candles: history, intervalMs: MINUTE, symbol: "BTC" });
    venue.failNext(1, 502);
    const retried = await load(venue, DAY1, DAY1 + 100 * MINUTE, DAY1 + DAY);
    expect(retried.candles).toEqual(history);
    // failed, retried, then one more asking for the rest of the day (empty)
    expect(retried.requests).toBe(3);
    venue.failNext(1, 400);
    const refused = await load(venue, DAY1, DAY1 + 100 * MINUTE, DAY1 + DAY, { cacheDir: null }).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: "EXCHANGE", source: "hyperliquid" });
  });
});
