import { mkdtempSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeVenue, makeHistory, startFakeBinance, startFakeBybit } from "./data/testing/fake-venues.ts";
import { runBacktestCli } from "./run.ts";
import { captureIo } from "./test-support.ts";

const HOUR = 3_600_000;
const DAY1 = Date.UTC(2025, 4, 20);

let venue: FakeVenue | null = null;
let dir = "";
afterEach(async () => {
  await venue?.close();
  venue = null;
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

/** Two days of 1m candles and 8-hourly settlements of +0.04 % (4× the default constant rate), from 8 h before the range. */
function market() {
  return {
    candles: makeHistory(DAY1, 2 * 1440, 60_000),
    intervalMs: 60_000,
    symbol: "BTCUSDT",
    funding: Array.from({ length: 7 }, (_, i) => ({ timeMs: DAY1 - 8 * HOUR + i * 8 * HOUR, rate: 0.0004 })),
  };
}

async function run(args: string[]) {
  dir = mkdtempSync(join(tmpdir(), "botmm-venue-"));
  const io = captureIo(dir);
  const json = join(dir, "report.json");
  const base = ["--symbol", "BTCUSDT", "--start", "2025-05-20", "--end", "2025-05-22", "--cache-dir", dir];
  const code = await runBacktestCli([...base, ...args, "--json", json], io);
  return { code, io, report: code === 0 ? JSON.parse(readFileSync(json, "utf8")) : null };
}

describe("--venue presets over --source bybit|binance", () => {
  it("bybit: Bybit's candles, VIP 0 fees, its grid and its 8-hourly funding history, all in the report", async () => {
    venue = await startFakeBybit(market());
    const { code, io, report } = await run([
      "--source",
      "bybit",
      "--venue",
      "bybit",
      "--bybit-url",
      venue.url,
    ]);
    expect(io.err()).toBe("");
    expect(code).toBe(0);
    expect(report.data.source).toBe(
      "bybit; venue bybit (Bybit linear: tick 0.10, lot 0.001, funding every 8 h)",
    );
    expect(report.assumptions).toMatchObject({ makerFee: 0.0002, takerFee: 0.00055, fundingHoursMissing: 0 });
    expect(report.assumptions.funding).toBe(
      "Bybit linear BTCUSDT funding history, 7 settlements every 8 h, each charged in 8 equal hourly parts after it settles (longs pay when positive)",
    );
    expect(io.out()).toContain("funding      Bybit linear BTCUSDT funding history, 7 settlements every 8 h");
    const paths = new Set(venue.requests.map((request) => request.path));
    expect(paths).toEqual(new Set(["/v5/market/kline", "/v5/market/funding/history"]));
  });

  it("binance: an explicit --funding-rate and --fee-tier win over the preset; no funding is downloaded", async () => {
    venue = await startFakeBinance(market());
    const { code, report } = await run([
      "--source",
      "binance",
      "--venue",
      "binance",
      "--binance-url",
      venue.url,
      "--funding-rate",
      "0",
      "--fee-tier",
      "hl-2",
    ]);
    expect(code).toBe(0);
    expect(report.assumptions).toMatchObject({ makerFee: 0.00008, takerFee: 0.00035 });
    expect(report.assumptions.funding).toMatch(/^constant 0\.00000%\/hour/);
    expect(venue.requests.every((request) => request.path === "/fapi/v1/klines")).toBe(true);
  });

  it("a sweep charges the same downloaded funding as the single run", async () => {
    venue = await startFakeBybit(market());
    const args = ["--source", "bybit", "--venue", "bybit", "--bybit-url", venue.url];
    const single = await run(args);
    expect(single.code).toBe(0);
    const fundingRequests = () =>
      venue!.requests.filter((r) => r.path === "/v5/market/funding/history").length;
    const before = fundingRequests();
    const io = captureIo(dir);
    const json = join(dir, "sweep.json");
    const base = ["--symbol", "BTCUSDT", "--start", "2025-05-20", "--end", "2025-05-22", "--cache-dir", dir];
    const sweepArgs = [
      "sweep",
      ...base,
      ...args,
      "--grid",
      "base-spread-bps=2,3",
      "--workers",
      "1",
      "--json",
      json,
    ];
    expect(await runBacktestCli(sweepArgs, io)).toBe(0);
    expect(fundingRequests()).toBe(before); // served from the cache the single run filled
    const rows = JSON.parse(readFileSync(json, "utf8")) as {
      config: Record<string, unknown>;
      pnl: { funding: number };
    }[];
    const same = rows.find((row) => row.config["base-spread-bps"] === single.report.strategy.baseSpreadBps);
    expect(single.report.pnl.funding).not.toBe(0);
    expect(same?.pnl.funding).toBe(single.report.pnl.funding);
  });

  it("hyperliquid: its grid, tier-0 fees and the hourly constant funding, said in the report", async () => {
    const { code, report } = await run(["--source", "synthetic", "--venue", "hyperliquid"]);
    expect(code).toBe(0);
    expect(report.data.source).toBe(
      "synthetic; venue hyperliquid (Hyperliquid: 5 significant figures, lot 0.00001, funding every 1 h)",
    );
    expect(report.assumptions).toMatchObject({ makerFee: 0.00015, takerFee: 0.00045 });
    expect(report.assumptions.funding).toMatch(/^constant 0\.00125%\/hour/);
  });

  it("refuses a symbol whose grid it does not know on the venue, naming venue, symbol and the flags to pass", async () => {
    dir = mkdtempSync(join(tmpdir(), "botmm-venue-"));
    const io = captureIo(dir);
    expect(
      await runBacktestCli(["--source", "synthetic", "--venue", "binance", "--symbol", "DOGEUSDT"], io),
    ).toBe(2);
    expect(io.err()).toMatch(
      /--venue binance: the backtester has no tick\/lot rules for DOGEUSDT \(it knows BTCUSDT, ETHUSDT, SOLUSDT\): pass --tick PRICE and --sz-decimals N/,
    );
  });
});
