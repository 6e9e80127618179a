import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createRandom } from "@botmm/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeVenue, makeHistory, startFakeBinance, unusedLocalUrl } from "./data/testing/fake-venues.ts";
import { runBacktestCli } from "./run.ts";
import { writeSyntheticRecording } from "./synthetic-recording.ts";
import { captureIo } from "./test-support.ts";

const dir = mkdtempSync(join(tmpdir(), "botmm-replay-cli-"));
const start = Date.UTC(2025, 0, 6, 10);

/** Two hours of a seeded random-walk book (every 500 ms) with trades on both sides, written as format v1. */
async function writeRecording(root: string): Promise<void> {
  writeSyntheticRecording(root, { seed: 5, startMs: start, minutes: 120, sizeJitter: false });
}

describe("backtest CLI --replay", () => {
  it("replays a recording and compares it with candles built from the same data", async () => {
    const root = join(dir, "recording");
    await writeRecording(root);
    const json = join(dir, "replay.json");
    const io = captureIo();
    const args = [
      "--replay",
      root,
      "--symbol",
      "ETH",
      "--compare-candles",
      "--json",
      json,
      "--volatility-warmup-bars",
      "5",
    ];
    expect(
      await runBacktestCli(
        [...args, "--base-spread-bps", "0.5", "--vol-multiplier", "0", "--no-fee-aware"],
        io,
      ),
    ).toBe(0);
    expect(io.err()).toBe("");
    expect(io.out()).toContain("BotMM order-book replay — ETH");
    expect(io.out()).toContain("candle vs replay");
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.kind).toBe("replay");
    expect(report.data.events.books).toBeGreaterThan(10_000);
    expect(report.fills.buy + report.fills.sell).toBeGreaterThan(0);
    expect(report.candleComparison.candle.fills).toBeGreaterThan(0);
    expect(report.candleComparison.ratios.fills).toBeCloseTo(
      report.candleComparison.candle.fills / report.candleComparison.replay.fills,
      9,
    );
    for (const key of ["total", "spread", "inventory", "fees", "funding"])
      expect(typeof report.pnl[key]).toBe("number");
  });

  it("reads a Hyperliquid archive l2Book file and says the fills are inferred from book changes", async () => {
    const file = join(dir, "BTC.jsonl");
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) {
      const time = start + i * 600;
      const px = 42_000 + (i % 20);
      const levels = [[{ px: String(px), sz: "1.5", n: 2 }], [{ px: String(px + 1), sz: "2", n: 3 }]];
      lines.push(
        JSON.stringify({
          time: new Date(time).toISOString(),
          ver_num: 1,
          raw: { channel: "l2Book", data: { coin: "BTC", time, levels } },
        }),
      );
    }
    writeFileSync(file, `${lines.join("\n")}\n`);
    const io = captureIo();
    expect(await runBacktestCli(["--replay", file, "--symbol", "BTC"], io)).toBe(0);
    expect(io.out()).toContain("fills inferred from book changes");
  });

  it("names what it cannot read", async () => {
    const io = captureIo();
    expect(await runBacktestCli(["--replay", join(dir, "missing")], io)).toBe(1);
    expect(io.err()).toMatch(/no such file or directory/);
    const lz4 = join(dir, "BTC.lz4");
    writeFileSync(lz4, "x");
    expect(await runBacktestCli(["--replay", lz4], io)).toBe(1);
    expect(io.err()).toMatch(/decompress it first/);
  });
});

describe("backtest CLI --replay priming", () => {
  const root = join(dir, "recording-prime");
  const venues: FakeVenue[] = [];
  beforeAll(() => writeRecording(root));
  afterAll(async () => {
    await Promise.all(venues.map((venue) => venue.close()));
  });
  /** 1m candles near the recording's price for the `count` minutes before it starts. */
  const before = (count: number) =>
    makeHistory(start - count * 60_000, count, 60_000).map((c) => ({
      ...c,
      open: c.open / 20,
      high: c.high / 20,
      low: c.low / 20,
      close: c.close / 20,
    }));
  const base = ["--replay", root, "--symbol", "ETH", "--volatility-warmup-bars", "70", "--no-progress"];

  it("without priming, warms up on the recording and the warning names the flags that avoid it", async () => {
    const json = join(dir, "unprimed.json");
    const io = captureIo();
    expect(await runBacktestCli([...base, "--json", json], io)).toBe(0);
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.warmupBars).toBeGreaterThanOrEqual(70);
    expect(io.out()).toMatch(
      /warming up for \d+ of \d+ minutes \(pass --prime-candles PATH or --prime-download/,
    );
  });

  it("--prime-candles warms the strategy up on the file's candles before the recording", async () => {
    const csv = join(dir, "prime.csv");
    // 300 minutes before the recording, and one hour inside it that must not be used.
    const rows = [...before(300), ...makeHistory(start, 60, 60_000)].map(
      (c) => `${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume}`,
    );
    writeFileSync(csv, `open_time,open,high,low,close,volume\n${rows.join("\n")}\n`);
    const json = join(dir, "primed.json");
    const io = captureIo();
    expect(await runBacktestCli([...base, "--prime-candles", csv, "--json", json], io)).toBe(0);
    expect(io.err()).toBe("");
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.warmupBars).toBe(0);
    expect(report.data.source).toContain(`strategy primed on 240 1m closes from ${csv}`);
    expect(io.out()).not.toContain("warming up");
  });

  it("--prime-download primes from the venue, and names the hosts it could not reach", async () => {
    const binance = await startFakeBinance({ candles: before(600), intervalMs: 60_000, symbol: "ETHUSDT" });
    venues.push(binance);
    const json = join(dir, "downloaded.json");
    const args = [...base, "--prime-download", "--cache-dir", join(dir, "prime-cache")];
    const io = captureIo();
    expect(await runBacktestCli([...args, "--binance-url", binance.url, "--json", json], io)).toBe(0);
    expect(JSON.parse(readFileSync(json, "utf8")).warmupBars).toBe(0);
    expect(binance.requests.length).toBeGreaterThan(0);

    const offline = captureIo();
    const urls = ["--binance-url", await unusedLocalUrl(), "--hyperliquid-url", await unusedLocalUrl()];
    const cold = [...base, "--prime-download", "--cache-dir", join(dir, "empty-cache")];
    expect(await runBacktestCli([...cold, ...urls], offline)).toBe(1);
    expect(offline.err()).toMatch(
      /--prime-download: no 1m ETH candles .*Binance USDⓈ-M: cannot reach 127\.0\.0\.1:\d+ .*connection refused.*Hyperliquid: cannot reach 127\.0\.0\.1:\d+/,
    );
  });
});

/**
 * A Binance USDⓈ-M capture in hftbacktest's collector format: a REST snapshot, then a seeded random-walk book as
 * depth diffs every 500 ms (0.1 tick, ten levels a side) and trades on both sides, for `minutes`.
 */
function binanceCapture(minutes: number, crossAtStep = -1): string {
  const random = createRandom(9);
  const lines: string[] = [];
  const ns = (ms: number) => `${ms}000000`;
  const level = (price: number, size: number): [string, string] => [price.toFixed(1), size.toFixed(3)];
  let mid = 60_000;
  let id = 1_000;
  let previous: { bids: Set<string>; asks: Set<string> } = { bids: new Set(), asks: new Set() };
  const sides = (bid: number) => ({
    bids: Array.from({ length: 10 }, (_, i) => level(bid - i * 0.1, 1 + i)),
    asks: Array.from({ length: 10 }, (_, i) => level(bid + 0.1 + i * 0.1, 1 + i)),
  });
  const first = sides(mid - 0.05);
  lines.push(`${ns(start)} ${JSON.stringify({ lastUpdateId: id, E: start, T: start, ...first })}`);
  previous = { bids: new Set(first.bids.map(([p]) => p)), asks: new Set(first.asks.map(([p]) => p)) };
  let tid = 0;
  for (let step = 1, t = start + 500; t < start + minutes * 60_000; t += 500, step++) {
    mid *= Math.exp(random.nextNormal() * 0.00002);
    let bid = Math.floor(mid * 10) / 10;
    if (step === crossAtStep) bid += 20; // a stale bid far above the asks
    const next = sides(bid);
    const gone = (old: Set<string>, now: [string, string][]) =>
      [...old]
        .filter((price) => !now.some(([p]) => p === price))
        .map((price): [string, string] => [price, "0.000"]);
    const b = [...gone(previous.bids, next.bids), ...next.bids];
    const a = [...gone(previous.asks, next.asks), ...next.asks];
    if (step === crossAtStep) a.length = 0;
    previous = {
      bids: new Set(next.bids.map(([p]) => p)),
      asks: step === crossAtStep ? previous.asks : new Set(next.asks.map(([p]) => p)),
    };
    const data = { e: "depthUpdate", E: t, T: t - 2, s: "BTCUSDT", U: id, u: id + 3, pu: id, b, a };
    id += 3;
    lines.push(`${ns(t + 5)} ${JSON.stringify({ stream: "btcusdt@depth@0ms", data })}`);
    if (random.next() < 0.5) {
      const buyerMaker = random.next() < 0.5;
      const price = buyerMaker
        ? bid - Math.floor(random.nextExponential(1)) * 0.1
        : bid + 0.1 + Math.floor(random.nextExponential(1)) * 0.1;
      const trade = {
        e: "trade",
        E: t + 200,
        T: t + 199,
        s: "BTCUSDT",
        t: ++tid,
        p: price.toFixed(1),
        q: "0.500",
        X: "MARKET",
        m: buyerMaker,
      };
      lines.push(`${ns(t + 205)} ${JSON.stringify({ stream: "btcusdt@trade", data: trade })}`);
      lines.push(
        `${ns(t + 206)} {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":${id},"s":"BTCUSDT","b":"${bid.toFixed(1)}","B":"1","a":"${(bid + 0.1).toFixed(1)}","A":"1","T":${t},"E":${t}}}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

describe("backtest CLI --replay on other venues' captures", () => {
  const tight = [
    "--volatility-warmup-bars",
    "5",
    "--base-spread-bps",
    "0.2",
    "--vol-multiplier",
    "0",
    "--no-fee-aware",
    "--no-progress",
  ];

  it("replays a Binance collector capture (snapshot + depth diffs + trades) with fills on the book's own tick", async () => {
    const file = join(dir, "btcusdt_20250106.gz");
    writeFileSync(file, gzipSync(binanceCapture(20)));
    const json = join(dir, "binance.json");
    const io = captureIo();
    expect(
      await runBacktestCli(["--replay", file, "--symbol", "BTCUSDT", "--json", json, ...tight], io),
    ).toBe(0);
    expect(io.err()).toBe("");
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.data.source).toBe(`binance-collector:${file}`);
    expect(report.data.events.books).toBe(20 * 120 - 1 + 1);
    expect(report.data.events.trades).toBeGreaterThan(1000);
    expect(report.fills.buy + report.fills.sell).toBeGreaterThan(0);
    expect(report.data.booksSkipped).toEqual({ crossed: 0, locked: 0 });
    expect(io.out()).toContain("quotes on the book's own tick 0.1");
  });

  it("stops at a crossed rebuilt book naming the file and line, or skips and counts it with --skip-bad-books", async () => {
    const file = join(dir, "btcusdt_crossed.gz");
    writeFileSync(file, gzipSync(binanceCapture(8, 300)));
    const io = captureIo();
    expect(await runBacktestCli(["--replay", file, "--symbol", "BTCUSDT", ...tight], io)).toBe(1);
    expect(io.err()).toMatch(
      new RegExp(`${file.replace(/[.]/g, "\\.")}:\\d+: crossed book: best bid [\\d.]+ > best ask`),
    );
    const json = join(dir, "skipped.json");
    const skipping = captureIo();
    expect(
      await runBacktestCli(
        ["--replay", file, "--symbol", "BTCUSDT", "--skip-bad-books", "--json", json, ...tight],
        skipping,
      ),
    ).toBe(0);
    expect(JSON.parse(readFileSync(json, "utf8")).data.booksSkipped.crossed).toBeGreaterThan(0);
    expect(skipping.out()).toMatch(/bad books +\d+ crossed and 0 locked books skipped \(--skip-bad-books\)/);
  });

  it("names the file and line of a line it does not recognise instead of dropping it", async () => {
    const file = join(dir, "btcusdt_odd.jsonl");
    const lines = binanceCapture(2).split("\n");
    lines.splice(3, 0, '1736157600000000000 {"stream":"btcusdt@kline_1m","data":{"e":"kline"}}');
    writeFileSync(file, lines.join("\n"));
    const io = captureIo();
    expect(await runBacktestCli(["--replay", file, "--symbol", "BTCUSDT", ...tight], io)).toBe(1);
    expect(io.err()).toContain(`${file}:4: unrecognised stream "btcusdt@kline_1m"`);
  });
});
