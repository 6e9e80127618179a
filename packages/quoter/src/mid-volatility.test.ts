import { describe, expect, it } from "vitest";
import { SampledMidVolatility } from "./mid-volatility.ts";

/** mulberry32 (seeded, uniform in [0, 1)) and Box–Muller: tests never use Math.random. */
function seededNormal(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe("SampledMidVolatility", () => {
  it("samples the mid in force at each step: the README example", () => {
    const sigma = new SampledMidVolatility({ sampleMs: 1_000, halfLifeSamples: 60, warmUpSamples: 2 });
    sigma.onMid(100, 0);
    sigma.onMid(100.01, 1_200);
    expect(sigma.count).toBe(1); // one boundary (1 s) passed: a zero return
    sigma.onMid(100.0, 2_500);
    sigma.onMid(100.0, 3_000);
    expect(sigma.count).toBe(3);
    expect(sigma.volatility).toBeGreaterThan(0.00007);
    expect(sigma.volatility).toBeLessThan(0.0001);
    expect(sigma.volatilityOver(60_000)).toBeCloseTo(sigma.volatility! * Math.sqrt(60), 12);
  });

  it("recovers the σ of a random walk sampled irregularly (seeded)", () => {
    const normal = seededNormal(20_261_208);
    const sigma = new SampledMidVolatility({ sampleMs: 1_000, halfLifeSamples: 2_000 });
    const perSecond = 0.0002;
    let mid = 100_000;
    // Mids every 100 ms, each moving by σ/√10, so a 1 s step moves by σ.
    for (let t = 0; t < 20_000_000; t += 100) {
      mid *= Math.exp((perSecond / Math.sqrt(10)) * normal());
      sigma.onMid(mid, t);
    }
    expect(sigma.volatility! / perSecond).toBeGreaterThan(0.93);
    expect(sigma.volatility! / perSecond).toBeLessThan(1.07);
  });

  it("counts quiet steps as zero returns and restarts after a long gap", () => {
    const sigma = new SampledMidVolatility({ sampleMs: 1_000, halfLifeSamples: 10, warmUpSamples: 1 });
    sigma.onMid(100, 0);
    sigma.onMid(101, 5_500);
    expect(sigma.count).toBe(5);
    sigma.onMid(101, 5_500 + 20_000_000);
    expect(sigma.count).toBe(0);
    expect(sigma.volatility).toBeNull();
  });

  it("names bad input", () => {
    expect(() => new SampledMidVolatility({ sampleMs: 0, halfLifeSamples: 10 })).toThrow(/sampleMs/);
    const sigma = new SampledMidVolatility({ sampleMs: 1_000, halfLifeSamples: 10 });
    expect(() => sigma.onMid(-1, 0)).toThrow(/midPrice/);
  });
});
