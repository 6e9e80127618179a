import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordingWriter } from "@botmm/backtest";
import { createRandom } from "@botmm/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeVenue, makeHistory, startFakeBinance, unusedLocalUrl } from "./data/testing/fake-venues.ts";
import { runBacktestCli } from "./run.ts";
import { captureIo } from "./test-support.ts";

const dir = mkdtempSync(join(tmpdir(), "botmm-replay-cli-"));
const start = Date.UTC(2025, 0, 6, 10);

/** Two hours of a seeded random-walk book (every 500 ms) with trades on both sides, written as format v1. */
async function writeRecording(root: string): Promise<void> {
  const writer = new RecordingWriter({ rootDir: root });
  const random = createRandom(5);
  let mid = 3000;
  let tid = 0;
  for (let t = start; t < start + 2 * 3_600_000; t += 500) {
    mid *= Math.exp(random.nextNormal() * 0.0002);
    const bid = Math.floor(mid * 10) / 10;
    const ask = bid + 0.1;
    const level = (price: number, i: number): [number, number, number] => [
      Number(price.toFixed(1)),
      5 + i,
      3,
    ];
    writer.write({
      type: "book",
      coin: "ETH",
      t,
      lt: t + 20,
      bids: Array.from({ length: 5 }, (_, i) => level(bid - i * 0.1, i)),
      asks: Array.from({ length: 5 }, (_, i) => level(ask + i * 0.1, i)),
    });
    if (random.next() < 0.4) {
      const side = random.next() < 0.5 ? "B" : "A";
      const depth = Math.floor(random.nextExponential(0.5));
      const px = side === "B" ? ask + depth * 0.1 : bid - depth * 0.1;
      writer.write({
        type: "trades",
        coin: "ETH",
        lt: t + 250,
        trades: [{ t: t + 240, px: Number(px.toFixed(1)), sz: 8, side, tid: ++tid }],
      });
    }
  }
  await writer.close();
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
