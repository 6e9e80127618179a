import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Candle } from "@botmm/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DownloadProgress } from "./download.ts";
import { CandleSourceError } from "./errors.ts";
import { loadCandles } from "./load-candles.ts";
import { type FakeVenue, makeHistory, startFakeBinance } from "./testing/fake-venues.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
const DAY1 = Date.UTC(2025, 4, 20); // 2025-05-20
const HISTORY_BARS = 4000; // 2 days + 1120 minutes

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

async function startVenue(history: Candle[], formingBarOpenTime?: number) {
  venue = await startFakeBinance({
    candles: history,
    intervalMs: MINUTE,
    symbol: "BTCUSDT",
    ...(formingBarOpenTime === undefined ? {} : { formingBarOpenTime }),
  });
  return venue;
}

function load(v: FakeVenue, start: number, end: number, now: number, extra: Record<string, unknown> = {}) {
  return loadCandles({
    source: "binance",
    symbol: "BTCUSDT",
    interval: "1m",
    start,
    end,
    now,
    cacheDir,
    apiUrls: { binance: v.url },
    rateLimit: false,
    ...extra,
  });
}

describe("Binance USDⓈ-M klines through ccxt", () => {
  it("paginates by startTime with limit 1500, never loads markets, and reports progress", async () => {
    const history = makeHistory(DAY1, HISTORY_BARS, MINUTE);
    const v = await startVenue(history);
    const progress: DownloadProgress[] = [];
    const now = DAY1 + 10 * DAY;
    const result = await load(v, DAY1, DAY1 + 3 * DAY, now, {
      onProgress: (p: DownloadProgress) => progress.push(p),
    });

    expect(result.source).toBe("binance");
    expect(result.synthetic).toBe(false);
    expect(result.symbol).toBe("BTCUSDT");
    expect(result.candles).toEqual(history);
    expect(v.requests.map((r) => r.path)).toEqual(Array(4).fill("/fapi/v1/klines"));
    expect(v.requests.map((r) => Number(r.query.startTime))).toEqual([
      DAY1,
      DAY1 + 1500 * MINUTE,
      DAY1 + 3000 * MINUTE,
      DAY1 + 4000 * MINUTE, // answered empty: nothing after the last bar
    ]);
    for (const request of v.requests) {
      expect(request.query).toMatchObject({ symbol: "BTCUSDT", interval: "1m", limit: "1500" });
      expect(Number(request.query.endTime)).toBe(DAY1 + 3 * DAY - 1);
    }
    expect(result.requests).toBe(4);
    expect(result.downloadedBars).toBe(HISTORY_BARS);
    // The last 320 minutes of day 3 have no data: said, not hidden.
    expect(result.warnings).toEqual([
      "Binance USDⓈ-M BTCUSDT 1m: no candles after 2025-05-22T18:39Z, 320 bars before the end of the range.",
    ]);

    expect(progress[0]).toMatchObject({
      source: "binance",
      pagesDone: 0,
      pagesTotal: 3,
      barsTotal: 3 * 1440,
    });
    expect(progress.at(-1)).toMatchObject({ pagesDone: 4, pagesTotal: 4, done: true, barsDone: 3 * 1440 });
    for (const p of progress) expect(p.pagesTotal).toBeGreaterThanOrEqual(p.pagesDone);
  });

  it("caches one CSV file per UTC day; a second run makes no request", async () => {
    const history = makeHistory(DAY1, 2 * 1440, MINUTE);
    const v = await startVenue(history);
    const now = DAY1 + 5 * DAY;
    const first = await load(v, DAY1, DAY1 + 2 * DAY, now);
    expect(first.requests).toBe(2);

    const dir = join(cacheDir, "binance-usdm", "BTCUSDT", "1m");
    expect((await readdir(dir)).sort()).toEqual(["2025-05-20.csv", "2025-05-21.csv"]);
    const text = await readFile(join(dir, "2025-05-20.csv"), "utf8");
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      `# botmm candle cache v1 source=binance-usdm symbol=BTCUSDT interval=1m covered=${DAY1}-${DAY1 + DAY}`,
    );
    expect(lines[1]).toBe("open_time,open,high,low,close,volume");
    expect(lines).toHaveLength(1440 + 3); // comment, header, rows, trailing newline

    const before = v.requests.length;
    const second = await load(v, DAY1, DAY1 + 2 * DAY, now);
    expect(v.requests.length).toBe(before);
    expect(second.requests).toBe(0);
    expect(second.cachedBars).toBe(2 * 1440);
    expect(second.candles).toEqual(first.candles);
    // A sub-range is served from the same files.
    const sub = await load(v, DAY1 + 100 * MINUTE, DAY1 + 200 * MINUTE, now);
    expect(sub.requests).toBe(0);
    expect(sub.candles).toEqual(history.slice(100, 200));
  });

  it("an extended range fetches only the missing days", async () => {
    const history = makeHistory(DAY1, 4 * 1440, MINUTE);
    const v = await startVenue(history);
    const now = DAY1 + 5 * DAY;
    await load(v, DAY1, DAY1 + 2 * DAY, now);
    v.requests.length = 0;

    const extended = await load(v, DAY1, DAY1 + 4 * DAY, now);
    expect(v.requests.map((r) => Number(r.query.startTime))).toEqual([
      DAY1 + 2 * DAY,
      DAY1 + 2 * DAY + 1500 * MINUTE,
    ]);
    expect(extended.candles).toEqual(history);
    expect(extended.cachedBars).toBe(2 * 1440);
    expect(extended.downloadedBars).toBe(2 * 1440);

    // A range starting a day before the listing: only that day is fetched, and found empty.
    v.requests.length = 0;
    const withEarlierDay = await load(v, DAY1 - DAY, DAY1 + 4 * DAY, now);
    expect(v.requests.map((r) => Number(r.query.startTime))).toEqual([DAY1 - DAY]);
    expect(withEarlierDay.candles).toEqual(history);
    expect(withEarlierDay.warnings).toContain(
      "Binance USDⓈ-M BTCUSDT 1m: no candles before 2025-05-20T00:00Z, 1440 bars after the requested start.",
    );
    // The empty pre-listing day is cached as covered: no request next time.
    v.requests.length = 0;
    await load(v, DAY1 - DAY, DAY1 + 4 * DAY, now);
    expect(v.requests).toHaveLength(0);
  });

  it("never returns or caches the forming bar; today's file grows on the next run", async () => {
    const now = DAY1 + 600 * MINUTE + 30_000; // 10:00:30 on day 1
    const history = makeHistory(DAY1, 600, MINUTE);
    let v = await startVenue(history, DAY1 + 600 * MINUTE);
    const first = await load(v, DAY1, now, now);
    expect(first.candles).toEqual(history);
    expect(first.end).toBe(DAY1 + 600 * MINUTE);
    expect(first.warnings).toEqual([]);
    await v.close();

    const later = now + 60 * MINUTE;
    const longer = makeHistory(DAY1, 660, MINUTE);
    v = await startVenue(longer, DAY1 + 660 * MINUTE);
    const second = await load(v, DAY1, later, later);
    expect(v.requests.map((r) => Number(r.query.startTime))).toEqual([DAY1]);
    expect(second.candles).toEqual(longer);
    v.requests.length = 0;
    const third = await load(v, DAY1, later, later);
    expect(v.requests).toHaveLength(0);
    expect(third.candles).toEqual(longer);
  });

  it("retries a page the venue fails with 503, then succeeds", async () => {
    const history = makeHistory(DAY1, 1440, MINUTE);
    const v = await startVenue(history);
    v.failNext(1, 503);
    const result = await load(v, DAY1, DAY1 + DAY, DAY1 + 2 * DAY);
    expect(result.candles).toEqual(history);
    expect(result.requests).toBe(2);
  });

  it("reports gaps in the venue's data, and refuses too many", async () => {
    const missing = new Set([100, 101, 102, 700]);
    const history = makeHistory(DAY1, 1440, MINUTE, missing);
    const v = await startVenue(history);
    const result = await load(v, DAY1, DAY1 + DAY, DAY1 + 2 * DAY);
    expect(result.gaps).toEqual({
      gaps: [
        { afterOpenTime: DAY1 + 99 * MINUTE, missingBars: 3 },
        { afterOpenTime: DAY1 + 699 * MINUTE, missingBars: 1 },
      ],
      gapCount: 2,
      missingBars: 4,
      missingFraction: 4 / 1440,
    });
    expect(result.warnings).toEqual([
      "Binance USDⓈ-M BTCUSDT 1m: 4 bars missing in 2 gap(s) (0.28% of the span; largest 3 bars after " +
        "2025-05-20T01:39Z). They are skipped, not filled.",
    ]);
    await expect(load(v, DAY1, DAY1 + DAY, DAY1 + 2 * DAY, { maxGapFraction: 0.001 })).rejects.toMatchObject({
      code: "TOO_MANY_GAPS",
    });
  });

  it("an unknown symbol is an EXCHANGE error, not a retry loop", async () => {
    const v = await startVenue(makeHistory(DAY1, 10, MINUTE));
    const error = await loadCandles({
      source: "binance",
      symbol: "NOPEUSDT",
      interval: "1m",
      start: DAY1,
      end: DAY1 + DAY,
      now: DAY1 + 2 * DAY,
      cacheDir,
      apiUrls: { binance: v.url },
      rateLimit: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CandleSourceError);
    expect((error as CandleSourceError).code).toBe("EXCHANGE");
    expect((error as CandleSourceError).message).toContain("Invalid symbol");
    expect(v.requests).toHaveLength(1);
  });

  it("monthly files for intervals of 1h and more", async () => {
    const HOUR = 3_600_000;
    const start = Date.UTC(2025, 0, 30);
    const history = makeHistory(start, 24 * 5, HOUR);
    venue = await startFakeBinance({ candles: history, intervalMs: HOUR, symbol: "BTCUSDT" });
    const result = await loadCandles({
      source: "binance",
      symbol: "BTC",
      interval: "1h",
      start,
      end: start + 5 * DAY,
      now: start + 40 * DAY,
      cacheDir,
      apiUrls: { binance: venue.url },
      rateLimit: false,
    });
    expect(result.candles).toEqual(history);
    expect((await readdir(join(cacheDir, "binance-usdm", "BTCUSDT", "1h"))).sort()).toEqual([
      "2025-01.csv",
      "2025-02.csv",
    ]);
  });
});
