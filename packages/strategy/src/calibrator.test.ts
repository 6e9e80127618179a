import { createRandom } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { OnlineCalibrator } from "./calibrator.ts";

const options = {
  sampleMs: 1_000,
  halfLifeSamples: 300,
  halfLifeBars: 30,
  windowMs: 600_000,
  refreshMs: 5_000,
  depthStepBps: 0.5,
};

/**
 * A seeded market: the mid a random walk of `sigmaBpsPerSecond`, mids every 100 ms; trades a Poisson process of
 * rate A (per second) at an exponential depth of rate k (per bp) from the mid; bars of 60 s.
 */
function simulate(
  seed: number,
  aPerSecond: number,
  kPerBps: number,
  sigmaBpsPerSecond: number,
  seconds: number,
) {
  const random = createRandom(seed);
  const calibrator = new OnlineCalibrator(options);
  let mid = 100_000;
  let nextTrade = random.nextExponential(aPerSecond) * 1_000;
  const stepSigma = sigmaBpsPerSecond / 10_000 / Math.sqrt(10);
  for (let t = 0; t <= seconds * 1_000; t += 100) {
    while (nextTrade < t) {
      const depthBps = random.nextExponential(kPerBps);
      const buy = random.next() < 0.5;
      calibrator.onTrade(mid * (1 + ((buy ? 1 : -1) * depthBps) / 10_000), buy, nextTrade);
      nextTrade += random.nextExponential(aPerSecond) * 1_000;
    }
    mid *= Math.exp(stepSigma * random.nextNormal());
    calibrator.onMid(mid, t);
    if (t % 60_000 === 0) calibrator.onBar(null, t);
  }
  return calibrator;
}

describe("OnlineCalibrator", () => {
  it("recovers σ, A and k of a simulated market, in per-bar and per-bp units (seeded)", () => {
    const calibrator = simulate(20_261_209, 1, 0.5, 1, 1_800);
    expect(calibrator.barMs).toBe(60_000);
    expect(calibrator.sigmaSource).toBe("mids");
    // 1 bp per √s → √60 bp per 1-minute bar.
    expect(calibrator.sigmaBpsPerBar() / Math.sqrt(60)).toBeGreaterThan(0.85);
    expect(calibrator.sigmaBpsPerBar() / Math.sqrt(60)).toBeLessThan(1.15);
    expect(calibrator.intensityDecayPerBps()).toBeGreaterThan(0.4);
    expect(calibrator.intensityDecayPerBps()).toBeLessThan(0.6);
    // A per bar ≈ 1/s × 60 s; ~600 trades in the 10-minute window make the extrapolated intercept good to
    // about ±15% (seeds 1–3 give 57–69).
    expect(calibrator.intensityScalePerBar()).toBeGreaterThan(60 * 0.7);
    expect(calibrator.intensityScalePerBar()).toBeLessThan(60 * 1.3);
  });

  it("tells a steeper book (higher k) from a flatter one", () => {
    const steep = simulate(7, 1, 1.5, 1, 900).intensityDecayPerBps();
    const flat = simulate(7, 1, 0.3, 1, 900).intensityDecayPerBps();
    expect(steep).toBeGreaterThan(2 * flat);
  });

  it("answers NaN until it has data, and uses bar ranges without mids", () => {
    const calibrator = new OnlineCalibrator({ ...options, halfLifeBars: 5 });
    expect(calibrator.sigmaBpsPerBar()).toBeNaN();
    expect(calibrator.intensityScalePerBar()).toBeNaN();
    expect(calibrator.intensityDecayPerBps()).toBeNaN();
    for (let i = 0; i < 5; i++)
      calibrator.onBar({ open: 100, high: 100.1, low: 99.9, close: 100 }, Number.NaN);
    expect(calibrator.sigmaSource).toBe("ranges");
    expect(calibrator.sigmaBpsPerBar()).toBeGreaterThan(5);
    expect(calibrator.sigmaBpsPerBar()).toBeLessThan(20);
  });
});
