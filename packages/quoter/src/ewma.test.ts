import { describe, expect, it } from "vitest";
import { QuoterInputError } from "./errors.ts";
import { EwmaVolatility, resolveEwmaDecay } from "./ewma.ts";

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

/** Standard normal draws by Box–Muller. */
function normal(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

describe("resolveEwmaDecay", () => {
  it("half-life → α = 1 − 2^(−1/h)", () => {
    // h = 1 → α = 0.5; h = 10 → 1 − 2^(−0.1) = 0.0669670085
    expect(resolveEwmaDecay({ halfLifeSamples: 1 }).alpha).toBeCloseTo(0.5, 15);
    expect(resolveEwmaDecay({ halfLifeSamples: 10 }).alpha).toBeCloseTo(0.06696700846319259, 15);
  });

  it("default warm-up is max(5, ⌈half-life⌉)", () => {
    expect(resolveEwmaDecay({ halfLifeSamples: 1 }).warmUpSamples).toBe(5);
    expect(resolveEwmaDecay({ halfLifeSamples: 30.2 }).warmUpSamples).toBe(31);
    // α = 0.5 ↔ half-life 1; α = 1 ↔ no memory
    expect(resolveEwmaDecay({ alpha: 0.5 }).warmUpSamples).toBe(5);
    expect(resolveEwmaDecay({ alpha: 1 }).warmUpSamples).toBe(5);
    expect(resolveEwmaDecay({ alpha: 0.5, warmUpSamples: 2 }).warmUpSamples).toBe(2);
  });

  it("exactly one of halfLifeSamples and alpha", () => {
    expect(() => resolveEwmaDecay({})).toThrow(/^halfLifeSamples must be/);
    expect(() => resolveEwmaDecay({ halfLifeSamples: 5, alpha: 0.1 })).toThrow(/^alpha must be undefined/);
    expect(() => resolveEwmaDecay({ alpha: 0 })).toThrow("alpha must be a number in (0, 1], got 0");
    expect(() => resolveEwmaDecay({ alpha: 1.5 })).toThrow(QuoterInputError);
    expect(() => resolveEwmaDecay({ halfLifeSamples: -1 })).toThrow(/^halfLifeSamples must be/);
    expect(() => resolveEwmaDecay({ alpha: 0.5, warmUpSamples: 0 })).toThrow(
      /^warmUpSamples must be an integer >= 1/,
    );
  });
});

describe("EwmaVolatility", () => {
  it("a known sequence, by hand", () => {
    // prices 100, 101, 100, 102 → r₁ = ln 1.01 = 0.0099503309, r₂ = −r₁, r₃ = ln 1.02 = 0.0198026273
    // r₁² = r₂² = 0.0000990091, r₃² = 0.0003921440
    // α = 0.5: S = 0.5·r₃² + 0.25·r₂² + 0.125·r₁² = 0.000196072 + 0.0000371284 = 0.0002332004
    // W = 0.5 + 0.25 + 0.125 = 0.875 → variance = 0.0002332004 / 0.875 = 0.0002665148 → σ = 0.0163252803
    const ewma = new EwmaVolatility({ alpha: 0.5, warmUpSamples: 3 });
    for (const price of [100, 101, 100]) ewma.update(price);
    expect(ewma.count).toBe(2);
    expect(ewma.isReady).toBe(false);
    expect(ewma.volatility).toBeNull();
    expect(ewma.variance).toBeNull();
    expect(ewma.volatilityBps).toBeNull();
    expect(ewma.volatilityBpsOr(-1)).toBe(-1);
    ewma.update(102);
    expect(ewma.isReady).toBe(true);
    expect(ewma.variance).toBeCloseTo(0.00026651477765544804, 16);
    expect(ewma.volatility).toBeCloseTo(0.01632528032394691, 14);
    expect(ewma.volatilityBps).toBeCloseTo(163.2528032394691, 10);
    expect(ewma.volatilityBpsOr(-1)).toBe(ewma.volatilityBps);
  });

  it("is unbiased from the first return: constant |r| gives exactly |r|", () => {
    const ewma = new EwmaVolatility({ halfLifeSamples: 50, warmUpSamples: 1 });
    for (let i = 0; i < 10; i++) ewma.updateLogReturn(i % 2 === 0 ? 0.001 : -0.001);
    expect(ewma.volatility).toBeCloseTo(0.001, 15);
  });

  it("recovers a known σ from a seeded random walk", () => {
    // 20 000 log returns with σ = 3 bps per sample; half-life 2 000 → effective sample ≈ 5 800, σ error ≈ 1%.
    const draw = normal(mulberry32(42));
    const ewma = new EwmaVolatility({ halfLifeSamples: 2_000 });
    let price = 50_000;
    ewma.update(price);
    for (let i = 0; i < 20_000; i++) {
      price *= Math.exp(0.0003 * draw());
      ewma.update(price);
    }
    expect(ewma.volatility!).toBeGreaterThan(0.0003 * 0.95);
    expect(ewma.volatility!).toBeLessThan(0.0003 * 1.05);
  });

  it("forgets with the half-life", () => {
    // 100 returns of 1%, then 1 half-life of 0: weight of the old regime halves → variance ≈ ½ × 0.0001
    const ewma = new EwmaVolatility({ halfLifeSamples: 10, warmUpSamples: 1 });
    for (let i = 0; i < 100; i++) ewma.updateLogReturn(0.01);
    for (let i = 0; i < 10; i++) ewma.updateLogReturn(0);
    expect(ewma.variance!).toBeCloseTo(0.5 * 0.0001, 6);
  });

  it("rejects bad prices and returns; reset forgets", () => {
    const ewma = new EwmaVolatility({ halfLifeSamples: 10 });
    expect(() => ewma.update(0)).toThrow("price must be a finite number > 0, got 0");
    expect(() => ewma.update(Number.NaN)).toThrow(QuoterInputError);
    expect(() => ewma.updateLogReturn(Number.POSITIVE_INFINITY)).toThrow(/^logReturn must be/);
    ewma.update(100);
    ewma.update(101);
    expect(ewma.count).toBe(1);
    ewma.reset();
    expect(ewma.count).toBe(0);
    ewma.update(50);
    expect(ewma.count).toBe(0); // first price after reset only sets the reference
  });
});
