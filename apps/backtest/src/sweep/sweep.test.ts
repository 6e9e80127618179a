import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Candle } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { generateSyntheticCandles } from "../data/synthetic.ts";
import { runBacktestCli } from "../run.ts";
import { captureIo } from "../test-support.ts";

const dir = mkdtempSync(join(tmpdir(), "botmm-sweep-"));
const DAY = 86_400_000;
const START = Date.UTC(2025, 4, 20);

function writeCandles(name: string, candles: readonly Candle[]): string {
  const path = join(dir, name);
  const lines = ["open_time,open,high,low,close,volume"];
  for (const c of candles) lines.push(`${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume}`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo(dir);
  const code = await runBacktestCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

const synthetic = ["--source", "synthetic", "--days", "2", "--cache-dir", join(dir, "cache")];

describe("sweep", () => {
  it("gives identical JSON on 1 and 2 workers", async () => {
    const grid = [
      "--grid",
      "base-spread-bps=1,3",
      "--grid",
      "vol-multiplier=0,1",
      "--grid",
      "fill-model=touch,probabilistic",
    ];
    const runs = [];
    for (const workers of ["1", "2"]) {
      const json = join(dir, `workers-${workers}.json`);
      const result = await cli(["sweep", ...synthetic, ...grid, "--workers", workers, "--json", json]);
      expect(result.err).toBe("");
      expect(result.code).toBe(0);
      runs.push(readFileSync(json, "utf8"));
    }
    expect(runs[1]).toBe(runs[0]);
    const rows = JSON.parse(runs[0]!) as { config: Record<string, unknown>; pnl: { total: number } }[];
    expect(rows).toHaveLength(8);
    expect(Object.keys(rows[0]!.config)).toEqual(["base-spread-bps", "vol-multiplier", "fill-model"]);
    // Best first, by total PnL.
    for (let i = 1; i < rows.length; i++)
      expect(rows[i]!.pnl.total).toBeLessThanOrEqual(rows[i - 1]!.pnl.total);
  });

  it("ranks first the configuration the data was built to reward", async () => {
    // A flat market whose every bar reaches 5 bps either side of 100,000: a half spread of 4 bps is filled on
    // both sides every bar and earns the most; 1 and 2 bps earn less per fill, 8 bps is never filled.
    const candles: Candle[] = Array.from({ length: 1_440 }, (_, i) => ({
      openTime: START + i * 60_000,
      open: 100_000,
      high: 100_050,
      low: 99_950,
      close: 100_000,
      volume: 1_000,
    }));
    const csv = writeCandles("planted.csv", candles);
    const report = join(dir, "planted.html");
    const out = join(dir, "planted.csv.out");
    const result = await cli([
      "sweep",
      "--csv",
      csv,
      "--grid",
      "base-spread-bps=1,2,8,4",
      "--vol-multiplier",
      "0",
      "--fee-tier",
      "hl-4",
      "--fill-model",
      "touch",
      "--workers",
      "2",
      "--results-csv",
      out,
      "--report",
      report,
    ]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    const rows = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(","));
    expect(rows.map((row) => row[2])).toEqual(["4", "2", "1", "8"]);
    expect(Number(rows[0]![3])).toBeGreaterThan(0);
    expect(Number(rows[3]![3])).toBe(0);
    const html = readFileSync(report, "utf8");
    expect(html).toContain("Best total by base-spread-bps");
    expect(html).toContain("Equity of the top 4 configurations");
  });

  it("reads a grid from the config file, a --grid flag replacing the same setting", async () => {
    const config = join(dir, "sweep.yaml");
    writeFileSync(config, "grid:\n  baseSpreadBps: [1, 2, 3]\n  levels: [1, 2]\nlatencyMs: 100\n");
    const json = join(dir, "config-grid.json");
    const result = await cli([
      "sweep",
      ...synthetic,
      "--config",
      config,
      "--grid",
      "levels=1",
      "--json",
      json,
      "--workers",
      "1",
    ]);
    expect(result.err).toBe("");
    const rows = JSON.parse(readFileSync(json, "utf8")) as {
      config: Record<string, unknown>;
      assumptions: { latencyMs: number };
    }[];
    expect(
      rows
        .map((row) => row.config)
        .sort((a, b) => Number(a["base-spread-bps"]) - Number(b["base-spread-bps"])),
    ).toEqual([
      { "base-spread-bps": 1, levels: 1 },
      { "base-spread-bps": 2, levels: 1 },
      { "base-spread-bps": 3, levels: 1 },
    ]);
    expect(rows[0]!.assumptions.latencyMs).toBe(100);
  });

  it.each([
    [["--grid", "base-sprad-bps=1,2"], /--grid base-sprad-bps=1,2: unknown setting "base-sprad-bps"/],
    [["--grid", "base-spread-bps="], /--grid base-spread-bps=: base-spread-bps has no values/],
    [["--grid", "days=1,2"], /--days cannot be swept/],
    [
      ["--random", "3", "--range", "base-spread-bps=5:1"],
      /--range base-spread-bps=5:1: the range base-spread-bps=5:1 is empty/,
    ],
    [["--range", "base-spread-bps=1:5"], /--range base-spread-bps needs --random N/],
    [["--grid", "base-spread-bps=1,-2"], /configuration 2 \(base-spread-bps=-2\)/],
    [["--grid", "base-spread-bps=1", "--fills", "x.csv"], /--fills is a single run's option/],
    [[], /nothing to sweep/],
  ])("refuses bad input %j, naming it", async (args, message) => {
    const result = await cli(["sweep", ...synthetic, ...args]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });
});

describe("fee tiers", () => {
  it("sets both fees from the preset and refuses to be combined with an explicit fee", async () => {
    const json = join(dir, "tier.json");
    const ok = await cli([...synthetic, "--fee-tier", "hl-rebate-2", "--json", json]);
    expect(ok.err).toBe("");
    const report = JSON.parse(readFileSync(json, "utf8")) as {
      assumptions: { makerFee: number; takerFee: number };
    };
    expect(report.assumptions).toMatchObject({ makerFee: -0.00002, takerFee: 0.00045 });
    const clash = await cli([...synthetic, "--fee-tier", "binance-vip0", "--maker-fee", "0.0001"]);
    expect(clash.code).toBe(2);
    expect(clash.err).toMatch(/--fee-tier sets both fees: it cannot be combined with --maker-fee/);
    const unknown = await cli([...synthetic, "--fee-tier", "hl-9"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/--fee-tier/);
  });
});

describe("walk-forward", () => {
  interface Step {
    chosen: { index: number };
    trainObjectives: (number | null)[];
    test: { pnl: { total: number } };
    window: { trainEndMs: number };
  }

  it("never lets data after a training window's end change that window's choice", async () => {
    const candles = generateSyntheticCandles({
      start: START,
      end: START + 4 * DAY,
      intervalMs: 60_000,
      seed: 9,
    });
    const cut = START + DAY;
    // Everything after the first training window is replaced by a different market.
    const later = generateSyntheticCandles({
      start: START,
      end: START + 4 * DAY,
      intervalMs: 60_000,
      seed: 10,
      startPrice: 140,
    });
    const altered = candles.map((candle, i) =>
      candle.openTime < cut ? candle : { ...later[i]!, openTime: candle.openTime },
    );
    const steps: Step[][] = [];
    for (const [name, data] of [
      ["original.csv", candles],
      ["altered.csv", altered],
    ] as const) {
      const json = join(dir, `wf-${name}.json`);
      const result = await cli([
        "walk-forward",
        "--csv",
        writeCandles(name, data),
        "--grid",
        "base-spread-bps=1,2,4",
        "--grid",
        "vol-multiplier=0,1",
        "--train",
        "1d",
        "--test",
        "1d",
        "--pbo-groups",
        "2",
        "--workers",
        "2",
        "--json",
        json,
      ]);
      expect(result.err).toBe("");
      expect(result.code).toBe(0);
      expect(result.out).toContain("out-of-sample");
      steps.push((JSON.parse(readFileSync(json, "utf8")) as { steps: Step[] }).steps);
    }
    const [original, changed] = steps as [Step[], Step[]];
    expect(original).toHaveLength(3);
    expect(original[0]!.window.trainEndMs).toBe(cut);
    expect(changed[0]!.trainObjectives).toEqual(original[0]!.trainObjectives);
    expect(changed[0]!.chosen).toEqual(original[0]!.chosen);
    // The change is real: the first test window (after the cut) gives another result.
    expect(changed[0]!.test.pnl.total).not.toBe(original[0]!.test.pnl.total);
  });

  it("needs --train and --test", async () => {
    const result = await cli(["walk-forward", ...synthetic, "--grid", "base-spread-bps=1,2"]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/walk-forward needs --train DURATION and --test DURATION/);
  });
});
