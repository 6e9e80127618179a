import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { QUOTE_SETTINGS, type RealismRow, splitRealismArgs } from "./realism.ts";
import { runBacktestCli } from "./run.ts";
import { writeSyntheticRecording } from "./synthetic-recording.ts";
import { captureIo } from "./test-support.ts";

const dir = mkdtempSync(join(tmpdir(), "botmm-realism-"));
const start = Date.UTC(2025, 0, 6, 10);

/** Twenty minutes of seeded random-walk ETH and SOL books (every 500 ms) with trades on both sides. */
function writeRecording(root: string, seed: number): void {
  writeSyntheticRecording(root, {
    seed,
    startMs: start,
    minutes: 20,
    sizeJitter: true,
    markets: [
      { coin: "ETH", mid: 3000, decimals: 1 },
      { coin: "SOL", mid: 150, decimals: 2 },
    ],
  });
}

const first = join(dir, "first");
const second = join(dir, "second");
writeRecording(first, 11);
writeRecording(second, 12);

describe("splitRealismArgs", () => {
  it("takes every path after --replay, comma-separated symbols and leaves the run flags", () => {
    expect(
      splitRealismArgs([
        "--replay",
        "a",
        "b",
        "--seed",
        "3",
        "--symbol",
        "BTC,ETH",
        "--replay=c",
        "--no-fee-aware",
      ]),
    ).toEqual({ replays: ["a", "b", "c"], symbols: ["BTC", "ETH"], rest: ["--seed", "3", "--no-fee-aware"] });
    expect(splitRealismArgs(["--replay", "a"]).symbols).toEqual([undefined]);
  });

  it("names the flag when a value is missing or a symbol is empty", () => {
    expect(() => splitRealismArgs(["--replay", "--seed", "1"])).toThrow(/--replay needs a PATH/);
    expect(() => splitRealismArgs(["--replay", "a", "--symbol"])).toThrow(/--symbol needs/);
    expect(() => splitRealismArgs(["--replay", "a", "--symbol", "BTC,,ETH"])).toThrow(
      /BTC,,ETH: an empty name/,
    );
  });
});

describe("backtest CLI realism", () => {
  const common = ["--volatility-warmup-bars", "5", "--fill-model", "cross", "--seed", "7"];

  it("compares candles and replay per recording, symbol and quote setting, as --compare-candles does", async () => {
    const json = join(dir, "realism.json");
    const io = captureIo();
    const code = await runBacktestCli(
      ["realism", "--replay", first, second, "--symbol", "ETH,SOL", "--json", json, ...common],
      io,
    );
    expect(io.err()).toBe("");
    expect(code).toBe(0);
    const rows = JSON.parse(readFileSync(json, "utf8")) as RealismRow[];
    expect(rows.map((row) => `${row.recording} ${row.symbol} ${row.quotes}`)).toEqual(
      ["first", "second"].flatMap((recording) =>
        ["ETH", "SOL"].flatMap((symbol) => QUOTE_SETTINGS.map((s) => `${recording} ${symbol} ${s.quotes}`)),
      ),
    );
    for (const row of rows) {
      expect(row.candleFillModel).toMatch(/^cross/);
      for (const key of ["ordersFilled", "volumeUsd", "total", "spread", "inventory", "fees"] as const) {
        expect(row.ratios[key]).toBe(row.replay[key] === 0 ? null : row.candle[key] / row.replay[key]);
      }
    }
    const tight = rows.filter((row) => row.quotes === "tight 1bp");
    for (const row of tight) expect(row.replay.ordersFilled).toBeGreaterThan(0);
    // Different recordings give different figures: each row ran on its own data.
    expect(tight[0]!.replay.volumeUsd).not.toBe(tight[2]!.replay.volumeUsd);

    // The tight row is exactly what --compare-candles reports for the same flags.
    const single = join(dir, "single.json");
    const singleIo = captureIo();
    const singleCode = await runBacktestCli(
      [
        "--replay",
        first,
        "--symbol",
        "SOL",
        "--compare-candles",
        "--no-progress",
        "--json",
        single,
        ...common,
        ...QUOTE_SETTINGS[1]!.flags,
      ],
      singleIo,
    );
    expect(singleIo.err()).toBe("");
    expect(singleCode).toBe(0);
    const { candleComparison } = JSON.parse(readFileSync(single, "utf8")) as {
      candleComparison: Omit<RealismRow, "recording" | "symbol" | "quotes">;
    };
    const row = rows.find((r) => r.recording === "first" && r.symbol === "SOL" && r.quotes === "tight 1bp")!;
    const { recording: _r, symbol: _s, quotes: _q, ...figures } = row;
    expect(figures).toEqual(candleComparison);

    const out = io.out();
    expect(out).toContain("candle fill model: cross");
    expect(out).toMatch(/recording\s+symbol\s+quotes\s+fills c\/r\s+orders\s+volume\s+pnl/);
    expect(out).toMatch(/second\s+SOL\s+tight 1bp/);
  });

  it("refuses a run without recordings and reports a bad flag of the run as a usage error", async () => {
    const io = captureIo();
    expect(await runBacktestCli(["realism", "--symbol", "BTC"], io)).toBe(2);
    expect(io.err()).toContain("--replay PATH");
    const bad = captureIo();
    expect(await runBacktestCli(["realism", "--replay", first, "--fill-model", "nope"], bad)).toBe(2);
    expect(bad.err()).toContain("--fill-model");
  });
});
