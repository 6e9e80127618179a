import { describe, expect, it } from "vitest";
import { pnlSamplingNoise } from "./pnl-noise.ts";

const BAND = [0.75, 1.33] as const;

/** Equity at each bar's close from the bars' PnL. */
function cumulative(increments: readonly number[]): number[] {
  let sum = 0;
  return increments.map((x) => (sum += x));
}

describe("pnlSamplingNoise", () => {
  it("matches the distribution worked out by hand (bars +3 and +1, blocks of one bar)", () => {
    // Resampled totals: 3+3 = 6 (¼), 3+1 or 1+3 = 4 (½), 1+1 = 2 (¼): mean 4, variance (4 + 4) / 4 = 2.
    // |4| / |T*| is 0.67, 1 or 2: only T* = 4 is in the band, half of the time.
    const noise = pnlSamplingNoise([3, 4], { band: BAND, blockBars: 1, resamples: 40_000, seed: 7 });
    expect(noise.totalUsd).toBe(4);
    expect(noise.standardErrorUsd).toBeCloseTo(Math.SQRT2, 1);
    expect(noise.chanceInBand).toBeGreaterThan(0.49);
    expect(noise.chanceInBand).toBeLessThan(0.51);
  });

  it("has no error and a certain band when every bar earns the same", () => {
    const equity = Array.from({ length: 30 }, (_, i) => 0.5 * (i + 1));
    const noise = pnlSamplingNoise(equity, { band: BAND, seed: 3 });
    expect(noise.totalUsd).toBe(15);
    expect(noise.standardErrorUsd).toBeLessThan(1e-9);
    expect(noise.chanceInBand).toBe(1);
  });

  it("gives √n × σ for independent bars, and more for runs of gains and losses with blocks that keep them", () => {
    // Bars of ±1 in runs of 6: within a block they move together, which blocks of one bar cannot see.
    const increments = Array.from({ length: 240 }, (_, i) => (Math.floor(i / 6) % 2 === 0 ? 1 : -1));
    const equity = cumulative(increments);
    const single = pnlSamplingNoise(equity, { band: BAND, blockBars: 1, resamples: 8000, seed: 11 });
    expect(single.standardErrorUsd).toBeGreaterThan(0.95 * Math.sqrt(240));
    expect(single.standardErrorUsd).toBeLessThan(1.05 * Math.sqrt(240));
    const blocks = pnlSamplingNoise(equity, { band: BAND, blockBars: 6, resamples: 8000, seed: 11 });
    // A block of 6 bars starting k bars into a run sums to ±(6 − 2k): variance (36 + 16 + 4 + 0 + 4 + 16) / 6 =
    // 12.7 against 6 for independent bars, so the standard error is √(12.7 / 6) = 1.45× as large.
    expect(blocks.standardErrorUsd).toBeGreaterThan(1.35 * single.standardErrorUsd);
    expect(blocks.standardErrorUsd).toBeLessThan(1.55 * single.standardErrorUsd);
  });

  it("is the same for the same seed, and takes ⌈n^⅓⌉ bars a block by default", () => {
    const equity = Array.from({ length: 35 }, (_, i) => Math.sin(i) * 2 + i * 0.1);
    const a = pnlSamplingNoise(equity, { band: BAND, seed: 5 });
    expect(pnlSamplingNoise(equity, { band: BAND, seed: 5 })).toEqual(a);
    expect(a.blockBars).toBe(4);
    expect(a.resamples).toBe(4000);
    expect(pnlSamplingNoise(equity, { band: BAND, seed: 6 }).standardErrorUsd).not.toBe(a.standardErrorUsd);
  });

  it("has no band chance when the total is 0 or no band is given", () => {
    expect(pnlSamplingNoise([1, 0], { band: BAND }).chanceInBand).toBeNaN();
    const without = pnlSamplingNoise([3, 4], { blockBars: 1, seed: 7 });
    expect(without.chanceInBand).toBeNaN();
    expect(without.standardErrorUsd).toBe(
      pnlSamplingNoise([3, 4], { band: BAND, blockBars: 1, seed: 7 }).standardErrorUsd,
    );
  });

  it("names what is wrong with its input", () => {
    expect(() => pnlSamplingNoise([], { band: BAND })).toThrow(/equityUsd is empty/);
    expect(() => pnlSamplingNoise([1, Number.NaN], { band: BAND })).toThrow(/equityUsd\[1\] is NaN/);
    expect(() => pnlSamplingNoise([1], { band: [1.33, 0.75] })).toThrow(/band must be 0 < low ≤ high/);
    expect(() => pnlSamplingNoise([1], { band: BAND, blockBars: 0 })).toThrow(
      /blockBars must be a whole number/,
    );
    expect(() => pnlSamplingNoise([1], { band: BAND, resamples: 2.5 })).toThrow(
      /resamples must be a whole number/,
    );
  });
});
