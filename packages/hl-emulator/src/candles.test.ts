import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseCandlesCsv } from "./candles.ts";
import { loadCandleFile, parseCliArgs } from "./cli.ts";
import { EmulatorError } from "./errors.ts";

describe("parseCandlesCsv", () => {
  it("reads the house format by column name, in any order", () => {
    const text =
      "close,open_time,open,high,low,volume,extra\n1.5,1700000060000,1,2,0.5,10,x\n1.2,1700000000000,1,1.3,0.9,5,y\n";
    expect(parseCandlesCsv(text)).toEqual([
      { openTime: 1_700_000_000_000, open: 1, high: 1.3, low: 0.9, close: 1.2, volume: 5 },
      { openTime: 1_700_000_060_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
    ]);
  });

  it("reads Binance 12-column klines (ms or µs) without a header", () => {
    const ms = "1700000000000,100.0,101.0,99.0,100.5,12.3,1700000059999,1234.5,10,6.1,600.0,0\n";
    const us = "1700000060000000,100.5,102.0,100.0,101.0,1.0,1700000119999999,101.0,3,0.5,50.0,0\n";
    const candles = parseCandlesCsv(ms + us);
    expect(candles.map((c) => c.openTime)).toEqual([1_700_000_000_000, 1_700_000_060_000]);
    expect(candles[0]).toMatchObject({ open: 100, high: 101, low: 99, close: 100.5, volume: 12.3 });
  });

  it("skips blanks and comments, drops duplicate times, names the line at fault", () => {
    expect(parseCandlesCsv("# comment\n\n1700000000,1,1,1,1,1\n1700000000,1,1,1,1,1\n")).toHaveLength(1);
    expect(() => parseCandlesCsv("open_time,open,high,low,close,volume\n1,2,3,oops,4,5\n")).toThrow(
      /line 2: low must be a number/,
    );
    expect(() => parseCandlesCsv("time,open,high\n")).toThrow(EmulatorError);
  });

  it("loads plain and gzip files (detected by content)", () => {
    const dir = mkdtempSync(join(tmpdir(), "hl-emulator-"));
    const text = "open_time,open,high,low,close,volume\n1700000000000,1,2,0.5,1.5,10\n";
    writeFileSync(join(dir, "a.csv"), text);
    writeFileSync(join(dir, "b.csv.gz"), gzipSync(text));
    expect(loadCandleFile(join(dir, "a.csv"))).toEqual(loadCandleFile(join(dir, "b.csv.gz")));
  });
});

describe("parseCliArgs", () => {
  it("parses the documented flags", () => {
    const options = parseCliArgs([
      "--",
      "--port",
      "8787",
      "--coins",
      "BTC,ETH",
      "--seed",
      "3",
      "--speed=10",
      "--candles",
      "ETH=e.csv",
    ]);
    expect(options).toMatchObject({
      port: 8787,
      coins: ["BTC", "ETH"],
      seed: 3,
      speed: 10,
      candles: { ETH: "e.csv" },
    });
    expect(parseCliArgs(["--candles", "b.csv"]).candles).toEqual({ BTC: "b.csv" });
    expect(() => parseCliArgs(["--port", "x"])).toThrow(/--port expects a number/);
    expect(() => parseCliArgs(["--bogus"])).toThrow(/unknown argument --bogus/);
  });
});
