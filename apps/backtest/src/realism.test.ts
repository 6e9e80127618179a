import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  combineSeeds,
  meanFigures,
  meetsAcceptance,
  QUOTE_SETTINGS,
  type RealismRow,
  splitRealismArgs,
} from "./realism.ts";
import type { CandleComparison, RunFigures } from "./replay-run.ts";
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
    ).toEqual({
      replays: ["a", "b", "c"],
      symbols: ["BTC", "ETH"],
      candleSeeds: 1,
      rest: ["--seed", "3", "--no-fee-aware"],
    });
    expect(splitRealismArgs(["--replay", "a"]).symbols).toEqual([undefined]);
    expect(splitRealismArgs(["--replay", "a", "--candle-seeds", "16"]).candleSeeds).toBe(16);
    expect(splitRealismArgs(["--replay", "a", "--candle-seeds=4"]).candleSeeds).toBe(4);
  });

  it("names the flag when a value is missing or a symbol is empty", () => {
    expect(() => splitRealismArgs(["--replay", "--seed", "1"])).toThrow(/--replay needs a PATH/);
    expect(() => splitRealismArgs(["--replay", "a", "--symbol"])).toThrow(/--symbol needs/);
    expect(() => splitRealismArgs(["--replay", "a", "--symbol", "BTC,,ETH"])).toThrow(
      /BTC,,ETH: an empty name/,
    );
    expect(() => splitRealismArgs(["--replay", "a", "--candle-seeds", "0"])).toThrow(
      /--candle-seeds 0: expected a whole number/,
    );
    expect(() => splitRealismArgs(["--replay", "a", "--candle-seeds"])).toThrow(/--candle-seeds/);
  });
});

const figures = (over: Partial<RunFigures>): RunFigures => ({
  ordersFilled: 10,
  fills: 10,
  buys: 5,
  sells: 5,
  volumeUsd: 1_000,
  total: -1,
  spread: 0.5,
  inventory: -1,
  fees: 0.5,
  funding: 0,
  markoutBps: -1,
  ...over,
});

describe("the acceptance of a realism row", () => {
  const replay = figures({});

  it("needs volume and |PnL| within ×0.75–×1.33 and a mark-out of the replay's sign", () => {
    expect(meetsAcceptance(figures({}), replay)).toBe(true);
    expect(meetsAcceptance(figures({ volumeUsd: 1_330, total: -0.75 }), replay)).toBe(true);
    expect(meetsAcceptance(figures({ volumeUsd: 740 }), replay)).toBe(false);
    expect(meetsAcceptance(figures({ volumeUsd: 1_340 }), replay)).toBe(false);
    // |PnL| is compared: a gain of the loss's size is in the band, a loss 1.4 times as large is not.
    expect(meetsAcceptance(figures({ total: 1 }), replay)).toBe(true);
    expect(meetsAcceptance(figures({ total: -1.4 }), replay)).toBe(false);
    expect(meetsAcceptance(figures({ markoutBps: 0.5 }), replay)).toBe(false);
    expect(meetsAcceptance(figures({ markoutBps: null }), replay)).toBe(false);
    expect(meetsAcceptance(figures({}), figures({ volumeUsd: 0 }))).toBeNull();
  });

  it("averages seeds into the model's expectation and counts the seeds that meet it alone", () => {
    const runs = [figures({ total: -0.2, markoutBps: -2 }), figures({ total: -1.8, markoutBps: null })];
    expect(meanFigures(runs)).toEqual(figures({ total: -1, markoutBps: -2 }));
    const comparison = (candle: RunFigures): CandleComparison => ({
      candle,
      replay,
      candleFillModel: "subbar",
    });
    const row = combineSeeds(runs.map(comparison));
    expect(row.candle.total).toBe(-1);
    expect(row.ratios.total).toBe(1);
    expect(row.verdict).toEqual({
      meets: true,
      seeds: 2,
      seedsMeeting: 0,
      absolutePnlRatio: { mean: 1, min: 0.2, max: 1.8 },
    });
    // Runs either side of the replay's PnL average to it, but their |PnL| is twice the replay's: no.
    const scattered = combineSeeds(
      [figures({ total: 1 }), figures({ total: -3 })].map((run) => comparison({ ...run, markoutBps: -1 })),
    );
    expect(scattered.candle.total).toBe(-1);
    expect(scattered.verdict.meets).toBe(false);
    // One seed is that seed's own figures.
    expect(combineSeeds([comparison(runs[0]!)]).candle).toBe(runs[0]);
    expect(() => combineSeeds([])).toThrow(/at least one/);
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
    const { recording: _r, symbol: _s, quotes: _q, verdict, replayNoise, ...rest } = row;
    expect(rest).toEqual(candleComparison);
    // The replay's noise is measured on its own equity: its total is the replay's PnL.
    expect(replayNoise.totalUsd).toBeCloseTo(row.replay.total, 9);
    expect(replayNoise.standardErrorUsd).toBeGreaterThan(0);
    expect(replayNoise.chanceInBand).toBeGreaterThanOrEqual(0);
    expect(replayNoise.chanceInBand).toBeLessThanOrEqual(1);
    expect(verdict.seeds).toBe(1);
    expect(verdict.seedsMeeting).toBe(verdict.meets === true ? 1 : 0);

    const out = io.out();
    expect(out).toContain("candle fill model: cross");
    expect(out).toMatch(/recording\s+symbol\s+quotes\s+fills c\/r\s+orders\s+volume\s+pnl/);
    expect(out).toMatch(/second\s+SOL\s+tight 1bp/);
    expect(out).toMatch(/second\s+SOL\s+tight 3bp/);
    expect(out).toMatch(/mo replay\s+meets\s+replay pnl ± se\s+chance\n/);
    expect(out).toMatch(/such a model would meet the \|pnl\| part in ≈ \d+\.\d of these \d+ rows/);
  });

  it("with --candle-seeds N, reports the mean of N candle runs over the same replay and how many seeds meet", async () => {
    const json = join(dir, "realism-seeds.json");
    const io = captureIo();
    const args = ["realism", "--replay", first, "--symbol", "SOL", "--json", json];
    const seeded = ["--volatility-warmup-bars", "5", "--fill-model", "subbar", "--seed", "7"];
    expect(await runBacktestCli([...args, "--candle-seeds", "3", ...seeded], io), io.err()).toBe(0);
    const rows = JSON.parse(readFileSync(json, "utf8")) as RealismRow[];
    const singles: RealismRow[][] = [];
    for (const seed of ["7", "8", "9"]) {
      const one = join(dir, `realism-seed-${seed}.json`);
      const oneIo = captureIo();
      const oneArgs = ["realism", "--replay", first, "--symbol", "SOL", "--json", one];
      expect(await runBacktestCli([...oneArgs, ...seeded.slice(0, -1), seed], oneIo), oneIo.err()).toBe(0);
      singles.push(JSON.parse(readFileSync(one, "utf8")) as RealismRow[]);
    }
    const tight = rows.findIndex((row) => row.quotes === "tight 1bp");
    const candles = singles.map((runs) => runs[tight]!.candle);
    expect(rows[tight]!.replay).toEqual(singles[0]![tight]!.replay);
    expect(rows[tight]!.candle).toEqual(meanFigures(candles));
    expect(new Set(candles.map((candle) => candle.volumeUsd)).size).toBeGreaterThan(1);
    expect(rows[tight]!.verdict.seeds).toBe(3);
    expect(rows[tight]!.verdict.seedsMeeting).toBe(
      singles.filter((runs) => runs[tight]!.verdict.meets === true).length,
    );
    expect(io.out()).toMatch(/seeds meeting\s+\|pnl\| mean \(range\) over seeds/);
    expect(io.out()).toContain("mean over 3 seeds");
  }, 120_000);

  it("refuses a run without recordings and reports a bad flag of the run as a usage error", async () => {
    const io = captureIo();
    expect(await runBacktestCli(["realism", "--symbol", "BTC"], io)).toBe(2);
    expect(io.err()).toContain("--replay PATH");
    const bad = captureIo();
    expect(await runBacktestCli(["realism", "--replay", first, "--fill-model", "nope"], bad)).toBe(2);
    expect(bad.err()).toContain("--fill-model");
  });
});
