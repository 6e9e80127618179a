import { describe, expect, it } from "vitest";
import {
  EwmaCandleVolatility,
  garmanKlassVariance,
  garmanKlassVolatility,
  type Ohlc,
  parkinsonVariance,
  parkinsonVolatility,
  RollingCandleVolatility,
} from "./candle-volatility.ts";
import { QuoterInputError } from "./errors.ts";

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
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

const candle = { open: 102, high: 110, low: 100, close: 108 };
// ln(H/L) = ln 1.1 = 0.0953101798; (ln 1.1)² = 0.0090840304; 4·ln 2 = 2.7725887222
// ln(C/O) = ln(108/102) = 0.0571584138; (ln C/O)² = 0.0032670843; 2·ln 2 − 1 = 0.3862943611
const PARKINSON_VAR = 0.0090840303743327 / 2.772588722239781; // = 0.0032763714
const GK_VAR = 0.5 * 0.0090840303743327 - 0.3862943611198906 * 0.00326708427269883; // 0.0045420152 − 0.0012620562 = 0.0032799590

describe("per-candle estimators, by hand", () => {
  it("Parkinson: (ln H/L)² / (4 ln 2)", () => {
    expect(parkinsonVariance(candle)).toBeCloseTo(PARKINSON_VAR, 15);
    expect(parkinsonVariance(candle)).toBeCloseTo(0.0032763713930836426, 15);
    expect(parkinsonVolatility(candle)).toBeCloseTo(0.0572395963742202, 14);
  });

  it("Garman–Klass: ½(ln H/L)² − (2 ln 2 − 1)(ln C/O)²", () => {
    expect(garmanKlassVariance(candle)).toBeCloseTo(GK_VAR, 15);
    expect(garmanKlassVariance(candle)).toBeCloseTo(0.0032799589553193374, 15);
    expect(garmanKlassVolatility(candle)).toBeCloseTo(0.0572709259163787, 14);
  });

  it("a flat candle has zero variance; a candle closing at its extreme is still ≥ 0 under GK", () => {
    const flat = { open: 5, high: 5, low: 5, close: 5 };
    expect(parkinsonVariance(flat)).toBe(0);
    expect(garmanKlassVariance(flat)).toBe(0);
    // O = L, C = H: ½a² − 0.386a² = 0.1137a² > 0
    expect(garmanKlassVariance({ open: 100, high: 110, low: 100, close: 110 })).toBeGreaterThan(0);
  });

  it("rejects malformed candles, naming the field", () => {
    const bad: [Ohlc, string][] = [
      [{ open: 1, high: 2, low: 0, close: 1 }, "candle.low"],
      [{ open: 1, high: 0.5, low: 1, close: 1 }, "candle.high"],
      [{ open: 3, high: 2, low: 1, close: 1 }, "candle.open"],
      [{ open: 1, high: 2, low: 1, close: 0.5 }, "candle.close"],
      [{ open: Number.NaN, high: 2, low: 1, close: 1 }, "candle.open"],
      [{ open: 1, high: Number.POSITIVE_INFINITY, low: 1, close: 1 }, "candle.high"],
    ];
    for (const [c, field] of bad) {
      expect(() => parkinsonVariance(c)).toThrow(expect.objectContaining({ code: "INVALID_INPUT", field }));
      expect(() => garmanKlassVariance(c)).toThrow(QuoterInputError);
    }
  });

  it("both estimate the σ of a seeded random walk (discrete paths read a little low)", () => {
    // 2 000 candles, each 500 Gaussian steps of σ_step = 0.001 / √500 → σ per candle = 0.001
    const random = mulberry32(7);
    const steps = 500;
    const stepSigma = 0.001 / Math.sqrt(steps);
    let price = 100;
    let parkinson = 0;
    let gk = 0;
    const n = 2_000;
    for (let i = 0; i < n; i++) {
      const open = price;
      let high = price;
      let low = price;
      for (let j = 0; j < steps; j++) {
        const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        price *= Math.exp(stepSigma * z);
        if (price > high) high = price;
        if (price < low) low = price;
      }
      const c = { open, high, low, close: price };
      parkinson += parkinsonVariance(c);
      gk += garmanKlassVariance(c);
    }
    expect(Math.sqrt(parkinson / n)).toBeGreaterThan(0.001 * 0.9);
    expect(Math.sqrt(parkinson / n)).toBeLessThan(0.001 * 1.05);
    expect(Math.sqrt(gk / n)).toBeGreaterThan(0.001 * 0.9);
    expect(Math.sqrt(gk / n)).toBeLessThan(0.001 * 1.05);
  });
});

describe("RollingCandleVolatility", () => {
  const c1 = { open: 100, high: 101, low: 99, close: 100.5 };
  const c2 = { open: 100.5, high: 102, low: 100, close: 101 };
  const c3 = { open: 101, high: 101.5, low: 100.8, close: 101.2 };
  const c4 = { open: 101.2, high: 104, low: 101, close: 103 };

  it("√ of the mean per-candle variance over the last N candles", () => {
    const rolling = new RollingCandleVolatility({ windowCandles: 3, estimator: "parkinson" });
    rolling.update(c1);
    rolling.update(c2);
    expect(rolling.isReady).toBe(false);
    expect(rolling.volatility).toBeNull();
    rolling.update(c3);
    expect(rolling.count).toBe(3);
    const mean123 = (parkinsonVariance(c1) + parkinsonVariance(c2) + parkinsonVariance(c3)) / 3;
    expect(rolling.volatility).toBeCloseTo(Math.sqrt(mean123), 15);
    rolling.update(c4); // c1 drops out
    const mean234 = (parkinsonVariance(c2) + parkinsonVariance(c3) + parkinsonVariance(c4)) / 3;
    expect(rolling.volatility).toBeCloseTo(Math.sqrt(mean234), 15);
  });

  it("defaults to Garman–Klass", () => {
    const rolling = new RollingCandleVolatility({ windowCandles: 1 });
    rolling.update(candle);
    expect(rolling.volatility).toBeCloseTo(Math.sqrt(GK_VAR), 15);
  });

  it("does not drift after a volatility spike leaves the window", () => {
    const rolling = new RollingCandleVolatility({ windowCandles: 4, estimator: "garman-klass" });
    rolling.update({ open: 100, high: 1_000, low: 1, close: 500 }); // huge variance
    const calm = { open: 100, high: 100.01, low: 99.99, close: 100 };
    for (let i = 0; i < 11; i++) rolling.update(calm);
    expect(rolling.volatility).toBeCloseTo(garmanKlassVolatility(calm), 15);
  });

  it("validates options and candles; reset forgets", () => {
    expect(() => new RollingCandleVolatility({ windowCandles: 0 })).toThrow(
      /^windowCandles must be an integer >= 1/,
    );
    expect(
      () => new RollingCandleVolatility({ windowCandles: 2, estimator: "yang-zhang" as "parkinson" }),
    ).toThrow('estimator must be "parkinson" or "garman-klass", got "yang-zhang"');
    const rolling = new RollingCandleVolatility({ windowCandles: 2 });
    expect(() => rolling.update({ open: 1, high: 0.5, low: 1, close: 1 })).toThrow(QuoterInputError);
    rolling.update(c1);
    rolling.update(c2);
    rolling.reset();
    expect(rolling.count).toBe(0);
    expect(rolling.volatility).toBeNull();
  });
});

describe("EwmaCandleVolatility", () => {
  it("bias-corrected EWMA of per-candle variances, by hand", () => {
    // α = 0.5: variance = (0.5·v₂ + 0.25·v₁) / 0.75
    const ewma = new EwmaCandleVolatility({ alpha: 0.5, warmUpSamples: 2, estimator: "parkinson" });
    const a = { open: 100, high: 101, low: 99, close: 100.5 };
    ewma.update(a);
    expect(ewma.volatility).toBeNull();
    expect(ewma.isReady).toBe(false);
    ewma.update(candle);
    expect(ewma.count).toBe(2);
    const expected = (0.5 * PARKINSON_VAR + 0.25 * parkinsonVariance(a)) / 0.75;
    expect(ewma.volatility).toBeCloseTo(Math.sqrt(expected), 15);
  });

  it("one candle with warm-up 1 reports that candle's σ (default GK)", () => {
    const ewma = new EwmaCandleVolatility({ halfLifeSamples: 20, warmUpSamples: 1 });
    ewma.update(candle);
    expect(ewma.volatility).toBeCloseTo(Math.sqrt(GK_VAR), 15);
    ewma.reset();
    expect(ewma.count).toBe(0);
    expect(ewma.volatility).toBeNull();
  });

  it("validates its options", () => {
    expect(() => new EwmaCandleVolatility({})).toThrow(QuoterInputError);
    expect(() => new EwmaCandleVolatility({ alpha: 0.1, estimator: "x" as "parkinson" })).toThrow(
      /^estimator must be/,
    );
  });
});
