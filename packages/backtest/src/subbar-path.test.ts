import { createRandom } from "@botmm/core";
import { describe, expect, it } from "vitest";
import {
  BarRandom,
  barPath,
  DEFAULT_SUBBAR_PARAMS,
  type SubbarParams,
  stepVolumeShares,
  subbarParamsSchema,
} from "./subbar-path.ts";

/** Random bars and parameters from a fixed seed; each failure message names the case and the seed. */
function* cases(seed: number, count: number) {
  const random = createRandom(seed);
  for (let i = 0; i < count; i++) {
    const open = 100 * Math.exp(random.nextNormal() * 0.1);
    const a = open * (1 + random.nextNormal() * 0.002);
    const b = open * (1 + random.nextNormal() * 0.002);
    const close = random.next() < 0.1 ? open : b;
    const high = Math.max(open, close, a, random.next() < 0.3 ? open : a);
    const low = Math.min(open, close, a, b);
    const steps = 3 + Math.floor(random.next() * 120);
    const params: SubbarParams = {
      ...DEFAULT_SUBBAR_PARAMS,
      roughness: random.next() * 3,
      persistence: random.next() * 0.95,
      jumpShare: random.next() * 0.3,
      jumpSize: 1 + random.next() * 10,
      wickShare: random.next() < 0.5 ? 0 : random.next(),
    };
    yield { label: `seed ${seed}, case ${i}`, open, high, low, close, steps, params, barSeed: i };
  }
}

describe("barPath", () => {
  it("starts at the open, ends at the close, reaches both extremes and never leaves the bar's range", () => {
    const random = new BarRandom();
    for (const c of cases(11, 2_000)) {
      const out = new Float64Array(c.steps + 1);
      random.reset(1, c.barSeed * 60_000, 7);
      barPath(c.open, c.high, c.low, c.close, c.steps, c.params, random, out);
      expect(out[0], c.label).toBe(c.open);
      expect(out[c.steps], c.label).toBe(c.close);
      let max = Number.NEGATIVE_INFINITY;
      let min = Number.POSITIVE_INFINITY;
      for (const price of out) {
        max = Math.max(max, price);
        min = Math.min(min, price);
      }
      expect(max, c.label).toBe(c.high);
      expect(min, c.label).toBe(c.low);
    }
  });

  it("is a straight line through the anchors when roughness is 0", () => {
    const random = new BarRandom();
    random.reset(3, 0, 0);
    const out = new Float64Array(61);
    barPath(100, 100, 100, 100.6, 60, { ...DEFAULT_SUBBAR_PARAMS, roughness: 0 }, random, out);
    for (let k = 0; k <= 60; k++) expect(out[k]).toBeCloseTo(100 + (0.6 * k) / 60, 12);
  });

  it("depends only on the bar, the seed and the stream: the same inputs give the same path", () => {
    const a = new Float64Array(61);
    const b = new Float64Array(61);
    const c = new Float64Array(61);
    const random = new BarRandom();
    random.reset(1, 1_700_000_000_000, 0);
    barPath(100, 101, 99, 100.5, 60, DEFAULT_SUBBAR_PARAMS, random, a);
    random.reset(1, 1_700_000_000_000, 0);
    barPath(100, 101, 99, 100.5, 60, DEFAULT_SUBBAR_PARAMS, random, b);
    random.reset(2, 1_700_000_000_000, 0);
    barPath(100, 101, 99, 100.5, 60, DEFAULT_SUBBAR_PARAMS, random, c);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it("with a wick share, reaches each extreme in a one-step spike from its shoulder, at the steps the walk would", () => {
    const random = new BarRandom();
    const wickless = new Float64Array(61);
    const wick = new Float64Array(61);
    const open = 100;
    const close = 100.2;
    const high = 101;
    const low = 99.5;
    for (let bar = 0; bar < 50; bar++) {
      const label = `bar ${bar}`;
      const params = { ...DEFAULT_SUBBAR_PARAMS, roughness: 0, wickShare: 0 };
      random.reset(1, bar * 60_000, 0);
      barPath(open, high, low, close, 60, params, random, wickless);
      random.reset(1, bar * 60_000, 0);
      barPath(open, high, low, close, 60, { ...params, wickShare: 0.5 }, random, wick);
      const highAt = wick.indexOf(high);
      const lowAt = wick.indexOf(low);
      // The same random draws: the extremes come at the same steps.
      expect(highAt, label).toBe(wickless.indexOf(high));
      expect(lowAt, label).toBe(wickless.indexOf(low));
      // The shoulders: half-way back from each extreme to the body (the open–close range).
      const highShoulder = high + (close - high) * 0.5;
      const lowShoulder = low + (open - low) * 0.5;
      // Apart from the two spikes the path stays between the shoulders.
      let top = Number.NEGATIVE_INFINITY;
      let bottom = Number.POSITIVE_INFINITY;
      for (let k = 0; k <= 60; k++) {
        if (k === highAt || k === lowAt) continue;
        expect(wick[k]!, `${label}, step ${k}`).toBeLessThanOrEqual(highShoulder + 1e-12);
        expect(wick[k]!, `${label}, step ${k}`).toBeGreaterThanOrEqual(lowShoulder - 1e-12);
        top = Math.max(top, wick[k]!);
        bottom = Math.min(bottom, wick[k]!);
      }
      // It walks towards them: above the body and below it (the shoulders are not points of the path).
      expect(top, label).toBeGreaterThan(close);
      expect(bottom, label).toBeLessThan(open);
    }
  });

  it("wanders more with more roughness", () => {
    const random = new BarRandom();
    const pathLength = (roughness: number) => {
      let total = 0;
      for (let bar = 0; bar < 200; bar++) {
        const out = new Float64Array(61);
        random.reset(1, bar * 60_000, 0);
        barPath(100, 100.3, 99.7, 100, 60, { ...DEFAULT_SUBBAR_PARAMS, roughness }, random, out);
        for (let k = 1; k <= 60; k++) total += Math.abs(out[k]! - out[k - 1]!);
      }
      return total;
    };
    expect(pathLength(1)).toBeGreaterThan(1.5 * pathLength(0.2));
  });
});

describe("stepVolumeShares", () => {
  it("sums to 1 with positive shares, evenly at dispersion 0", () => {
    const random = new BarRandom();
    for (const dispersion of [0, 0.5, 2, 5]) {
      random.reset(4, 0, 1);
      const out = new Float64Array(60);
      stepVolumeShares(60, dispersion, random, out);
      expect(out.reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 12);
      expect(Math.min(...out)).toBeGreaterThan(0);
      if (dispersion === 0) expect(Math.max(...out)).toBeCloseTo(1 / 60, 15);
      else expect(Math.max(...out)).toBeGreaterThan(1.5 / 60);
    }
  });
});

describe("subbarParamsSchema", () => {
  it("fills in the shipped defaults and names a bad field", () => {
    expect(subbarParamsSchema.parse({})).toEqual(DEFAULT_SUBBAR_PARAMS);
    const bad = subbarParamsSchema.safeParse({ roughness: -1, queueShare: 0 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((issue) => issue.path[0]).sort()).toEqual(["queueShare", "roughness"]);
    expect(subbarParamsSchema.safeParse({ rougness: 1 }).success).toBe(false);
  });
});
