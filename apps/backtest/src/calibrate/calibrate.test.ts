import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_SUBBAR_PARAMS, type SubbarParams } from "@botmm/backtest";
import { createRandom } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { runBacktestCli } from "../run.ts";
import { writeSyntheticRecording } from "../synthetic-recording.ts";
import { captureIo } from "../test-support.ts";
import {
  BAND_DISTANCE_CAP,
  BAND_MISS,
  bandCost,
  CALIBRATION_GRID,
  randomGridPoint,
  searchParams,
} from "./fit.ts";
import { parseCalibrateOptions } from "./options.ts";

const dir = mkdtempSync(join(tmpdir(), "botmm-calibrate-"));
const start = Date.UTC(2025, 0, 6, 10);

/** 40 minutes of a seeded random-walk ETH book (every 500 ms) with trades through a few levels. */
function writeRecording(root: string): void {
  writeSyntheticRecording(root, { seed: 9, startMs: start, minutes: 40, sizeJitter: false });
}

describe("calibrate options", () => {
  it("reads repeated and comma-separated lists, and COIN=N size decimals", () => {
    const options = parseCalibrateOptions(
      [
        "--replay",
        "a",
        "--replay",
        "b",
        "--symbol",
        "BTC,ETH",
        "--symbol",
        "WLFI",
        "--sz-decimals",
        "WLFI=0",
      ].concat(["--quote-bps", "1,3,5", "--out", "fit.json", "--seeds", "2"]),
      "/home/user",
    );
    expect(options).toMatchObject({
      replay: ["/home/user/a", "/home/user/b"],
      symbol: ["BTC", "ETH", "WLFI"],
      szDecimals: { WLFI: 0 },
      quoteBps: [1, 3, 5],
      seeds: 2,
      out: "/home/user/fit.json",
    });
  });

  it("reports every problem at once", () => {
    expect(() =>
      parseCalibrateOptions(["--sz-decimals", "WLFI", "--seeds", "x", "--bogus", "1"], "/"),
    ).toThrow(
      /5 problems[\s\S]*--sz-decimals WLFI: expected COIN=N[\s\S]*--seeds must be a number[\s\S]*unknown option --bogus[\s\S]*needs at least one --replay PATH[\s\S]*needs --out FILE/,
    );
    expect(() => parseCalibrateOptions(["--replay", "a"], "/")).toThrow(/--out/);
    expect(parseCalibrateOptions(["--help"], "/")).toBe("help");
  });
});

describe("the band objective", () => {
  it("is the acceptance: nothing inside ×0.75–×1.33 but a pull to 1, a miss plus its distance outside, capped", () => {
    expect(bandCost(1)).toBe(0);
    // Inside the band only the small tie-break towards 1 counts, and it is symmetric in log.
    expect(bandCost(0.76)).toBeLessThan(0.002);
    expect(bandCost(1.32)).toBeLessThan(0.002);
    expect(bandCost(1.2)).toBeCloseTo(bandCost(1 / 1.2), 12);
    expect(bandCost(1.2)).toBeGreaterThan(bandCost(1.1));
    // Just outside costs the miss: the step is what the acceptance counts.
    expect(bandCost(1.34) - bandCost(1.32)).toBeGreaterThan(BAND_MISS);
    expect(bandCost(0.74) - bandCost(0.76)).toBeGreaterThan(BAND_MISS);
    expect(bandCost(2)).toBeCloseTo(BAND_MISS + Math.log(2 / 1.33) + 0.02 * Math.log(2) ** 2, 12);
    // A ratio of almost nothing (a replay PnL near 0) cannot decide a fit alone: the distance is capped.
    const far = bandCost(25) - 0.02 * Math.log(25) ** 2;
    expect(far).toBeCloseTo(BAND_MISS + BAND_DISTANCE_CAP, 12);
    expect(bandCost(0)).toBeLessThan(BAND_MISS + BAND_DISTANCE_CAP + 0.5);
  });

  it("is the default objective; --objective log keeps the first fits' loss", () => {
    const base = ["--replay", "a", "--out", "f.json"];
    expect(parseCalibrateOptions(base, "/")).toMatchObject({ objective: "band" });
    expect(parseCalibrateOptions([...base, "--objective", "log"], "/")).toMatchObject({ objective: "log" });
    expect(() => parseCalibrateOptions([...base, "--objective", "median"], "/")).toThrow(/--objective/);
  });

  it("restarts from seeded grid points: every value on the grid, the same points for the same seed", () => {
    const base = ["--replay", "a", "--out", "f.json"];
    expect(parseCalibrateOptions(base, "/")).toMatchObject({ restarts: 0, workers: 1 });
    expect(parseCalibrateOptions(base, "/", 4)).toMatchObject({ workers: 4 });
    expect(parseCalibrateOptions([...base, "--workers", "3"], "/", 4)).toMatchObject({ workers: 3 });
    expect(() => parseCalibrateOptions([...base, "--workers", "0"], "/")).toThrow(/--workers/);
    expect(parseCalibrateOptions([...base, "--restarts", "16"], "/")).toMatchObject({ restarts: 16 });
    expect(() => parseCalibrateOptions([...base, "--restarts", "1.5"], "/")).toThrow(/--restarts/);
    const a = createRandom(7);
    const b = createRandom(7);
    const points = Array.from({ length: 20 }, () => randomGridPoint(a));
    expect(Array.from({ length: 20 }, () => randomGridPoint(b))).toEqual(points);
    for (const point of points) {
      for (const key of Object.keys(CALIBRATION_GRID) as (keyof SubbarParams)[])
        expect(CALIBRATION_GRID[key], key).toContain(point[key]);
    }
    // Not one point over and over.
    expect(new Set(points.map((point) => JSON.stringify(point))).size).toBe(20);
  });
});

describe("searchParams", () => {
  it("finds the grid point of least loss from the defaults, deterministically, and keeps the start on ties", () => {
    const target = { roughness: 0.8, queueShare: 0.2, spreadTicks: 3 };
    const loss = (p: Readonly<SubbarParams>) =>
      (p.roughness - target.roughness) ** 2 +
      (p.queueShare - target.queueShare) ** 2 +
      (p.spreadTicks - target.spreadTicks) ** 2;
    const a = searchParams(loss);
    expect(a.params).toEqual({ ...DEFAULT_SUBBAR_PARAMS, ...target });
    expect(a.loss).toBeCloseTo(0, 12);
    expect(searchParams(loss)).toEqual(a);
    // A loss that does not depend on a parameter leaves it at its start.
    expect(a.params.jumpSize).toBe(DEFAULT_SUBBAR_PARAMS.jumpSize);
    for (const key of Object.keys(CALIBRATION_GRID) as (keyof SubbarParams)[])
      expect(CALIBRATION_GRID[key], key).toContain(DEFAULT_SUBBAR_PARAMS[key]);
  });
});

describe("calibrate command", () => {
  it("fits on a recording, writes a parameter file the candle run takes, and the report names it", async () => {
    const root = join(dir, "recording");
    writeRecording(root);
    const out = join(dir, "fill-model.json");
    const io = captureIo();
    const args = [
      "calibrate",
      "--replay",
      root,
      "--symbol",
      "ETH",
      "--quote-bps",
      "1",
      "--seeds",
      "1",
      "--restarts",
      "1",
      "--workers",
      "2",
      "--out",
      out,
    ];
    expect(await runBacktestCli(args, io), io.err()).toBe(0);
    expect(io.out()).toMatch(/replay ETH 1 bp: \d+ orders filled/);
    expect(io.out()).toContain("fitted (");
    const fitted = JSON.parse(readFileSync(out, "utf8"));
    expect(fitted.model).toBe("subbar");
    expect(fitted.fittedOn).toContain(
      "recording (ETH; quotes 1 bp from the mid; 1 seeds; objective band; 1 restarts)",
    );
    expect(io.out()).toMatch(/restart 1: loss \d/);
    expect(fitted.cases[0].candle.seedsMeeting).toBeGreaterThanOrEqual(0);
    expect(Object.keys(fitted.params).sort()).toEqual(Object.keys(DEFAULT_SUBBAR_PARAMS).sort());
    expect(fitted.cases[0].replay.volumeUsd).toBeGreaterThan(0);

    // The same command on one thread (the searches one after the other) gives the same file and lines.
    const again = join(dir, "fill-model-again.json");
    const oneThread = captureIo();
    expect(await runBacktestCli([...args.slice(0, -3), "1", "--out", again], oneThread)).toBe(0);
    expect(readFileSync(again, "utf8")).toBe(readFileSync(out, "utf8"));
    const searchLines = (text: string) =>
      text.split("\n").filter((line) => /^(search from|restart) /.test(line));
    expect(searchLines(oneThread.out())).toEqual(searchLines(io.out()));
    expect(searchLines(io.out())).toHaveLength(8);

    const compare = captureIo();
    const json = join(dir, "compare.json");
    const compareArgs = [
      "--replay",
      root,
      "--symbol",
      "ETH",
      "--compare-candles",
      "--volatility-warmup-bars",
      "5",
    ]
      .concat(["--base-spread-bps", "1", "--vol-multiplier", "0", "--no-fee-aware", "--json", json])
      .concat(["--fill-model", "subbar", "--fill-model-params", out]);
    expect(await runBacktestCli(compareArgs, compare), compare.err()).toBe(0);
    expect(compare.out()).toContain(`candle fill model: subbar`);
    expect(compare.out()).toContain(`parameters: ${out} (fitted on`);
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.candleComparison.candle.volumeUsd).toBeGreaterThan(0);
  }, 120_000);

  it("names a parameter file it cannot use", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ params: { roughness: -1 } }));
    const io = captureIo();
    const args = [
      "--source",
      "synthetic",
      "--days",
      "1",
      "--fill-model",
      "subbar",
      "--fill-model-params",
      bad,
    ];
    expect(await runBacktestCli(args, io)).toBe(2);
    expect(io.err()).toMatch(
      /--fill-model-params .*bad\.json: roughness: .*expected the JSON the calibrate command writes/,
    );
    const other = captureIo();
    expect(await runBacktestCli(["--source", "synthetic", "--fill-model-params", bad], other)).toBe(2);
    expect(other.err()).toMatch(/--fill-model-params .* sets the parameters of --fill-model subbar/);
  });
});
