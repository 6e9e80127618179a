import { describe, expect, it } from "vitest";
import { QuoterInputError } from "./errors.ts";
import { FillIntensityEstimator } from "./fill-intensity.ts";

/** mulberry32: a small seeded PRNG, uniform in [0, 1). Tests never use Math.random. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Poisson draw by inversion (small means only). */
function poisson(random: () => number, mean: number): number {
  let n = 0;
  let p = Math.exp(-mean);
  let cumulative = p;
  const u = random();
  while (u > cumulative) {
    n++;
    p *= mean / n;
    cumulative += p;
  }
  return n;
}

describe("FillIntensityEstimator: mechanics, by hand", () => {
  it("deepest depth per window vs the previous mid, strict reach, counts / elapsed, OLS in log space", () => {
    // step 1, 4 buckets (δ = 1, 2, 3, 4), 100 ms windows, 1 s horizon, A per second.
    const est = new FillIntensityEstimator({
      depthStepPrice: 1,
      depthBuckets: 4,
      windowMs: 100,
      horizonMs: 1_000,
      minWindows: 5,
      minFitPoints: 2,
    });
    est.onMid(100, 0); // window 0 has no previous mid: not an observation
    est.onTrade(150, true, 50); // ignored (no reference yet)
    // window 1 [100, 200), ref 100: buy at 102.5 → depth 2.5 → reaches δ = 1, 2 (n = 2); a shallower trade too
    est.onTrade(101, true, 120);
    est.onTrade(102.5, true, 150);
    // window 2 [200, 300), ref 100: sell 99.5 → 0.5, buy 101 → 1.0 (not < δ = 1) → n = 0; the new mid is for window 3
    est.onMid(101, 250);
    est.onTrade(99.5, false, 260);
    est.onTrade(101, true, 270);
    // window 3 [300, 400), ref 101: buy 104.2 → 3.2 → n = 3
    est.onTrade(104.2, true, 310);
    // window 4 [400, 500), ref 101: sell 100.9 → 0.1 → n = 0
    est.onTrade(100.9, false, 450);
    // window 5 [500, 600), ref 101: sell 99.5 → 1.5 → n = 1
    est.onTrade(99.5, false, 510);
    expect(est.estimate()).toBeNull(); // 4 closed windows < 5
    est.advance(600);
    expect(est.samples).toBe(5);
    // n per window: [2, 0, 3, 0, 1] → reached δ=1: 3 windows, δ=2: 2, δ=3: 1, δ=4: 0
    // elapsed = 5 × 100 ms = 0.5 s → λ̂ = 6, 4, 2 per second at δ = 1, 2, 3
    // OLS of ln λ̂ on δ: slope = (ln 2 − ln 6)/2 = −ln 3 / 2 → k = 0.5493061443
    // ln A = mean(ln λ̂) + k·mean(δ) = ln(48)/3 + ln 3 → A = 3·∛48 = 10.9027235570
    const fit = est.estimate();
    expect(fit).not.toBeNull();
    expect(fit!.k).toBeCloseTo(0.5493061443340548, 12);
    expect(fit!.A).toBeCloseTo(10.902723556992838, 10);
    expect(fit!.samples).toBe(5);
    expect(fit!.fitPoints).toBe(3);
  });

  it("quiet windows count as elapsed time; a gap longer than the horizon clears it", () => {
    const est = new FillIntensityEstimator({
      depthStepPrice: 1,
      depthBuckets: 4,
      horizonMs: 1_000,
      minWindows: 1,
    });
    est.onMid(100, 0);
    est.advance(1_000); // windows 1…9 closed, no trades
    expect(est.samples).toBe(9);
    est.onTrade(105, true, 1_050);
    est.advance(100_000); // far beyond the horizon: the ring is all quiet windows
    expect(est.samples).toBe(10);
    expect(est.estimate()).toBeNull(); // no positive counts
  });

  it("late events count in the open window", () => {
    const est = new FillIntensityEstimator({
      depthStepPrice: 1,
      depthBuckets: 4,
      horizonMs: 1_000,
      minWindows: 1,
      minFitPoints: 2,
    });
    est.onMid(100, 0);
    est.advance(100);
    est.onTrade(103.5, true, 150);
    est.onTrade(96.5, false, 40); // stamped before the open window: still counted in it (depth 3.5)
    est.advance(200);
    expect(est.samples).toBe(1);
    // one window reaching δ = 1, 2, 3 (n = 3): λ̂ = 10/s at all three → no decay → null, never a made-up number
    expect(est.estimate()).toBeNull();
  });

  it("depths on the grid are not 'reached' despite float noise in price differences", () => {
    // tick 0.1, step 0.05: 100.3 − 100.1 = 0.20000000000000284 must count as exactly δ = 0.2 (n = 3, not 4)
    const est = new FillIntensityEstimator({
      depthStepPrice: 0.05,
      depthBuckets: 10,
      horizonMs: 1_000,
      minWindows: 1,
      minFitPoints: 2,
    });
    est.onMid(100.1, 0);
    est.advance(100);
    est.onTrade(100.3, true, 150);
    est.advance(200);
    est.onTrade(100.2, true, 250); // depth 0.1 → n = 1
    est.advance(300);
    // reached: δ=0.05: 2, δ=0.1: 1, δ=0.15: 1, δ=0.2: 0
    const fit = est.estimate();
    expect(fit!.fitPoints).toBe(3);
  });

  it("a deep trade is capped at the grid", () => {
    const est = new FillIntensityEstimator({
      depthStepPrice: 1,
      depthBuckets: 3,
      horizonMs: 1_000,
      minWindows: 2,
      minFitPoints: 2,
    });
    est.onMid(100, 0);
    est.advance(100);
    est.onTrade(150, true, 150); // n = 3 (capped)
    est.advance(200);
    est.onTrade(101.5, true, 250); // n = 1
    est.advance(300);
    // reached: δ=1: 2, δ=2: 1, δ=3: 1 → fit over all 3
    expect(est.estimate()!.fitPoints).toBe(3);
  });

  it("validates options and inputs; reset forgets", () => {
    expect(() => new FillIntensityEstimator({ depthStepPrice: 0 })).toThrow(
      "depthStepPrice must be a finite number > 0, got 0",
    );
    expect(() => new FillIntensityEstimator({ depthStepPrice: 1, depthBuckets: 1 })).toThrow(
      /^depthBuckets must be an integer >= 2/,
    );
    expect(() => new FillIntensityEstimator({ depthStepPrice: 1, windowMs: -1 })).toThrow(/^windowMs/);
    expect(() => new FillIntensityEstimator({ depthStepPrice: 1, horizonMs: 150 })).toThrow(
      "horizonMs must be a whole multiple (>= 1) of windowMs (100), got 150",
    );
    expect(() => new FillIntensityEstimator({ depthStepPrice: 1, horizonMs: 0 })).toThrow(/^horizonMs/);
    expect(() => new FillIntensityEstimator({ depthStepPrice: 1, timeUnitMs: 0 })).toThrow(/^timeUnitMs/);
    expect(() => new FillIntensityEstimator({ depthStepPrice: 1, minWindows: 0 })).toThrow(/^minWindows/);
    expect(() => new FillIntensityEstimator({ depthStepPrice: 1, horizonMs: 1_000, minWindows: 11 })).toThrow(
      "minWindows must be at most horizonMs / windowMs (10), got 11",
    );
    expect(() => new FillIntensityEstimator({ depthStepPrice: 1, minFitPoints: 1 })).toThrow(/^minFitPoints/);
    const est = new FillIntensityEstimator({ depthStepPrice: 1 });
    expect(est.minWindows).toBe(6_000); // default: the whole 10-minute horizon of 100 ms windows
    expect(() => est.onMid(0, 1)).toThrow(/^midPrice/);
    expect(() => est.onTrade(-1, true, 1)).toThrow(/^price/);
    expect(() => est.onTrade(1, true, Number.NaN)).toThrow(QuoterInputError);
    expect(() => est.advance(Number.POSITIVE_INFINITY)).toThrow(/^timestampMs must be a finite number/);
    est.onMid(100, 0);
    est.advance(1_000);
    expect(est.samples).toBe(9);
    est.reset();
    expect(est.samples).toBe(0);
    est.advance(5_000);
    expect(est.samples).toBe(0); // no mid since the reset: nothing to measure against
  });
});

describe("FillIntensityEstimator: recovers A and k from synthetic arrivals", () => {
  it("λ(δ) = 0.5·e^(−2δ) per second, 100 ms windows, 2 hours, fit over δ ≤ 1.0", () => {
    // Model: market orders arrive as a Poisson process of rate A = 0.5/s; each reaches a depth ~ Exp(k = 2/price),
    // so arrivals reaching beyond δ have rate A·e^(−kδ). Per 100 ms window: N ~ Poisson(0.05).
    // The window count measures (1 − e^(−λΔt))/Δt ≈ λ(1 − λΔt/2): at most 2.4% low here.
    const A = 0.5;
    const k = 2;
    const windowMs = 100;
    const windows = 72_000; // 2 hours
    const random = mulberry32(2024);
    const est = new FillIntensityEstimator({
      depthStepPrice: 0.1,
      depthBuckets: 10,
      windowMs,
      horizonMs: windows * windowMs,
    });
    let mid = 30_000;
    est.onMid(mid, 0);
    for (let w = 1; w <= windows; w++) {
      const start = w * windowMs;
      const arrivals = poisson(random, (A * windowMs) / 1_000);
      for (let i = 0; i < arrivals; i++) {
        const depth = -Math.log(1 - random()) / k;
        const buy = random() < 0.5;
        est.onTrade(buy ? mid + depth : mid - depth, buy, start + 10 + i);
      }
      mid += random() < 0.5 ? -0.5 : 0.5; // the mid wanders; depths are always measured from the previous mid
      est.onMid(mid, start + 90);
    }
    est.advance((windows + 1) * windowMs);
    const fit = est.estimate();
    expect(fit).not.toBeNull();
    expect(fit!.samples).toBe(windows);
    expect(fit!.fitPoints).toBe(10);
    expect(Math.abs(fit!.k / k - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit!.A / A - 1)).toBeLessThan(0.1);
  });

  it("per-minute A with timeUnitMs = 60 000", () => {
    const random = mulberry32(99);
    const est = new FillIntensityEstimator({
      depthStepPrice: 0.1,
      depthBuckets: 10,
      horizonMs: 3_600_000,
      timeUnitMs: 60_000,
    });
    est.onMid(100, 0);
    for (let w = 1; w <= 36_000; w++) {
      const arrivals = poisson(random, 0.05);
      for (let i = 0; i < arrivals; i++) est.onTrade(100 + -Math.log(1 - random()) / 2, true, w * 100 + i);
    }
    est.advance(36_001 * 100);
    const fit = est.estimate()!;
    // 0.5 per second = 30 per minute
    expect(Math.abs(fit.A / 30 - 1)).toBeLessThan(0.12);
    expect(Math.abs(fit.k / 2 - 1)).toBeLessThan(0.12);
  });
});
