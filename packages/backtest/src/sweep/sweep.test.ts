import { createRandom } from "@botmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { drawRandomConfigs, expandGrid, SweepSpecError } from "./grid.ts";
import { rankByObjective } from "./objective.ts";
import {
  deflatedSharpeRatio,
  normalCdf,
  normalQuantile,
  probabilityOfBacktestOverfitting,
} from "./overfitting.ts";
import { lowerBound, planWalkForwardWindows } from "./windows.ts";

const DAY = 86_400_000;

describe("grid and random configurations", () => {
  it("expands the product, first axis slowest", () => {
    expect(
      expandGrid([
        { name: "a", values: [1, 2] },
        { name: "b", values: ["x", "y", "z"] },
      ]),
    ).toEqual([
      { a: 1, b: "x" },
      { a: 1, b: "y" },
      { a: 1, b: "z" },
      { a: 2, b: "x" },
      { a: 2, b: "y" },
      { a: 2, b: "z" },
    ]);
  });

  it("has as many configurations as the product of the axis sizes", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), (sizes) => {
        const axes = sizes.map((size, i) => ({
          name: `k${i}`,
          values: Array.from({ length: size }, (_, v) => v),
        }));
        const configs = expandGrid(axes);
        expect(configs.length).toBe(sizes.reduce((product, size) => product * size, 1));
        expect(new Set(configs.map((config) => JSON.stringify(config))).size).toBe(configs.length);
      }),
      { seed: 14 },
    );
  });

  it("names an empty axis, an empty range and a setting swept twice", () => {
    expect(() => expandGrid([{ name: "base-spread-bps", values: [] }])).toThrow(
      /base-spread-bps: the grid has no values/,
    );
    expect(() =>
      drawRandomConfigs([{ name: "vol-multiplier", min: 3, max: 1, integer: false }], [], 5, createRandom(1)),
    ).toThrow(/vol-multiplier: the range 3:1 is empty/);
    expect(() =>
      drawRandomConfigs([{ name: "levels", min: 1.2, max: 1.8, integer: true }], [], 5, createRandom(1)),
    ).toThrow(/levels: the range 1.2:1.8 holds no integer/);
    expect(() =>
      expandGrid([
        { name: "a", values: [1] },
        { name: "a", values: [2] },
      ]),
    ).toThrow(SweepSpecError);
  });

  it("draws within the ranges, integers where asked, the same draws for the same seed", () => {
    const ranges = [
      { name: "base-spread-bps", min: 0.5, max: 10, integer: false },
      { name: "levels", min: 1, max: 3, integer: true },
    ];
    const axes = [{ name: "fill-model", values: ["touch", "cross"] }];
    const first = drawRandomConfigs(ranges, axes, 200, createRandom(7));
    expect(drawRandomConfigs(ranges, axes, 200, createRandom(7))).toEqual(first);
    for (const config of first) {
      expect(config["base-spread-bps"]).toBeGreaterThanOrEqual(0.5);
      expect(config["base-spread-bps"]).toBeLessThanOrEqual(10);
      expect([1, 2, 3]).toContain(config.levels);
      expect(["touch", "cross"]).toContain(config["fill-model"]);
    }
    expect(new Set(first.map((config) => config.levels)).size).toBe(3);
  });
});

describe("ranking", () => {
  const row = (index: number, total: number, sharpe: number | null) => ({
    index,
    pnl: { total },
    sharpe,
    returnOverDrawdown: null,
  });

  it("ranks higher first, no value last, ties by index, whatever the input order", () => {
    const rows = [row(3, 5, null), row(0, 5, 1), row(1, 9, 2), row(2, -1, 0.5)];
    const ordered = (objective: "total" | "sharpe") =>
      rankByObjective(rows, objective).map((position) => rows[position]!.index);
    expect(ordered("total")).toEqual([1, 0, 3, 2]);
    expect(ordered("sharpe")).toEqual([1, 0, 2, 3]);
    const shuffled = [rows[2]!, rows[0]!, rows[3]!, rows[1]!];
    expect(rankByObjective(shuffled, "total").map((position) => shuffled[position]!.index)).toEqual([
      1, 0, 3, 2,
    ]);
  });
});

describe("walk-forward windows", () => {
  it("rolls test windows back to back, each after its training window", () => {
    const windows = planWalkForwardWindows({
      startMs: 0,
      endMs: 10 * DAY,
      trainMs: 3 * DAY,
      testMs: 2 * DAY,
      anchored: false,
    });
    expect(windows.map((w) => [w.trainStartMs / DAY, w.trainEndMs / DAY, w.testEndMs / DAY])).toEqual([
      [0, 3, 5],
      [2, 5, 7],
      [4, 7, 9],
    ]);
    const anchored = planWalkForwardWindows({
      startMs: 0,
      endMs: 10 * DAY,
      trainMs: 3 * DAY,
      testMs: 2 * DAY,
      anchored: true,
    });
    expect(anchored.every((w) => w.trainStartMs === 0 && w.trainEndMs === w.testStartMs)).toBe(true);
  });

  it("says when no window fits", () => {
    expect(() =>
      planWalkForwardWindows({
        startMs: 0,
        endMs: 4 * DAY,
        trainMs: 3 * DAY,
        testMs: 2 * DAY,
        anchored: false,
      }),
    ).toThrow(/--train 3.00 days \+ --test 2.00 days do not fit in the data's 4.00 days/);
  });

  it("finds the first bar at or after a time", () => {
    const times = new Float64Array([0, 60, 120, 180]);
    expect([
      lowerBound(times, -1),
      lowerBound(times, 60),
      lowerBound(times, 61),
      lowerBound(times, 999),
    ]).toEqual([0, 1, 2, 4]);
  });
});

describe("overfitting measures", () => {
  it("normal CDF and quantile agree with tabulated values and invert each other", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306, 6);
    for (const p of [0.01, 0.2, 0.5, 0.9, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });

  it("deflated Sharpe: one trial is the probabilistic Sharpe ratio; more trials deflate it", () => {
    const random = createRandom(3);
    const returns = Array.from({ length: 250 }, () => 0.1 + random.nextNormal());
    const single = deflatedSharpeRatio(returns, [0.1]);
    expect(single.expectedMaxSharpe).toBe(0);
    const trials = Array.from({ length: 100 }, () => 0.1 * random.nextNormal());
    const many = deflatedSharpeRatio(returns, trials);
    expect(many.expectedMaxSharpe).toBeGreaterThan(0.2);
    expect(many.dsr).toBeLessThan(single.dsr);
  });

  it("deflated Sharpe: the paper's expected maximum Sharpe for N trials (E[max] ≈ √V · 2.5 at N = 100)", () => {
    // Bailey & López de Prado (2014), §3: with V[SR] = 1 and N = 100 the expected maximum is ≈ 2.53.
    const unit = Array.from({ length: 100 }, (_, i) => normalQuantile((i + 0.5) / 100));
    const scale = 1 / Math.sqrt(unit.reduce((sum, x) => sum + x * x, 0) / 99);
    const result = deflatedSharpeRatio(
      [1, 2, 3],
      unit.map((x) => x * scale),
    );
    expect(result.expectedMaxSharpe).toBeCloseTo(2.5306, 3);
  });

  it("PBO is near 0 when one configuration is best everywhere and near 1 when in-sample luck reverses", () => {
    const random = createRandom(5);
    const periods = 64;
    const noise = () => Array.from({ length: periods }, () => random.nextNormal());
    const edge = [noise().map((x) => x + 2), noise(), noise(), noise()];
    expect(probabilityOfBacktestOverfitting(edge, 8).pbo).toBe(0);
    // Each configuration is good in one half and bad in the other: the in-sample best is the out-of-sample worst.
    const flip = [0, 1, 2, 3].map((n) =>
      Array.from(
        { length: periods },
        (_, t) => (((t >> 3) + n) % 2 === 0 ? 1 : -1) + 0.01 * random.nextNormal(),
      ),
    );
    expect(probabilityOfBacktestOverfitting(flip, 8).pbo).toBeGreaterThan(0.5);
    expect(() => probabilityOfBacktestOverfitting(edge, 3)).toThrow(/even number of groups/);
    expect(() => probabilityOfBacktestOverfitting([[1, 2]], 2)).toThrow(/≥ 2 configurations/);
  });
});
