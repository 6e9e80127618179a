import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { biasShiftPrice, DEFAULT_DIRECTIONAL_BIAS_WEIGHTS, DirectionalBias } from "./directional-bias.ts";
import { SignalsInputError } from "./errors.ts";

const kalman = { processNoise: 1e-4, measurementNoise: 0.01 };

/** Deterministic wiggly trend: a drift plus a sine, no randomness needed. */
function trendingPrices(n: number, driftPerBar: number): number[] {
  return Array.from({ length: n }, (_, i) => 100 * (1 + driftPerBar * i) + 0.3 * Math.sin(i * 1.7));
}

describe("DirectionalBias", () => {
  it("is 0 for the first 71 updates with the defaults and live from update 72, exactly", () => {
    const bias = new DirectionalBias({ kalman });
    expect(bias.warmUpUpdates).toBe(72);
    expect(bias.weights).toEqual(DEFAULT_DIRECTIONAL_BIAS_WEIGHTS);
    trendingPrices(80, 0.002).forEach((price, i) => {
      const value = bias.update(price);
      const n = i + 1;
      if (n < 72) {
        expect(value, `update ${n}`).toBe(0);
        expect(bias.isReady).toBe(false);
        expect([
          bias.kalmanSlopeScore,
          bias.priceVsLevelScore,
          bias.qqeTrendScore,
          bias.qqeLevelScore,
        ]).toEqual([0, 0, 0, 0]);
      } else {
        expect(bias.isReady).toBe(true);
        expect(value).toBeGreaterThan(0.3); // a steady rise
      }
      expect(bias.bias).toBe(value);
    });
  });

  it("computes Σ wᵢ·cᵢ / Σ|wᵢ| from the documented component formulas", () => {
    const weights = { kalmanSlope: 0.5, priceVsLevel: -0.25, qqeTrend: 0.75, qqeLevel: 1 };
    const bias = new DirectionalBias({
      kalman,
      qqe: { rsiPeriod: 4, smoothingPeriod: 2, wildersPeriod: 3 },
      weights,
      slopeScaleFractionPerTimeUnit: 0.002,
      deviationScaleFraction: 0.004,
      rsiLevelScale: 25,
    });
    expect(bias.warmUpUpdates).toBe(4 + 2 + 2 * 3 - 1);
    // Up for 25 bars, then down for 20: the QQE trend has crossed (confirmed) and points down.
    const prices = [...trendingPrices(25, 0.002), ...trendingPrices(20, -0.002).map((p) => p + 5)];
    for (const p of prices) bias.update(p, 0.5);
    expect(bias.qqe.trendConfirmed).toBe(true);
    const price = prices[prices.length - 1] as number;
    const level = bias.kalman.level as number;
    const slope = Math.tanh((bias.kalman.velocity as number) / level / 0.002);
    const deviation = Math.tanh((price - level) / level / 0.004);
    const trend = bias.qqe.trend as number;
    expect(trend).toBe(-1);
    const rsiLevel = Math.min(1, Math.max(-1, ((bias.qqe.rsiMa as number) - 50) / 25));
    expect(bias.kalmanSlopeScore).toBeCloseTo(slope, 14);
    expect(bias.priceVsLevelScore).toBeCloseTo(deviation, 14);
    expect(bias.qqeTrendScore).toBe(trend);
    expect(bias.qqeLevelScore).toBeCloseTo(rsiLevel, 14);
    const expected = (0.5 * slope - 0.25 * deviation + 0.75 * trend + rsiLevel) / 2.5;
    expect(bias.bias).toBeCloseTo(expected, 14);
    expect(bias.bias).toBeLessThan(0); // a falling series
  });

  it("only waits for the inputs it weights", () => {
    const kalmanOnly = new DirectionalBias({ kalman, weights: { qqeTrend: 0, qqeLevel: 0 } });
    expect(kalmanOnly.warmUpUpdates).toBe(2);
    expect(kalmanOnly.update(100)).toBe(0);
    expect(kalmanOnly.update(101)).toBeGreaterThan(0);
    expect(kalmanOnly.isReady).toBe(true);
    expect(kalmanOnly.qqeTrendScore).toBe(0);
    expect(kalmanOnly.qqeLevelScore).toBe(0);

    const rsiOnly = new DirectionalBias({
      kalman,
      weights: { kalmanSlope: 0, priceVsLevel: 0, qqeTrend: 0 },
    });
    expect(rsiOnly.warmUpUpdates).toBe(19);
    const prices = trendingPrices(19, 0.01);
    for (const p of prices.slice(0, 18)) expect(rsiOnly.update(p)).toBe(0);
    expect(rsiOnly.update(prices[18] as number)).toBeGreaterThan(0);
    expect(rsiOnly.qqeTrendScore).toBe(0); // the QQE trend is not warm yet and has weight 0

    // With dt = 0 throughout the Kalman velocity never becomes known; a QQE-only bias does not care.
    const qqeOnly = new DirectionalBias({ kalman, weights: { kalmanSlope: 0, priceVsLevel: 0 } });
    for (const p of trendingPrices(80, -0.003)) qqeOnly.update(p, 0);
    expect(qqeOnly.kalman.isReady).toBe(false);
    expect(qqeOnly.isReady).toBe(true);
    expect(qqeOnly.kalmanSlopeScore).toBe(0);
    expect(qqeOnly.bias).toBeLessThan(0);

    const initialised = new DirectionalBias({
      kalman: {
        ...kalman,
        initial: {
          level: 100,
          velocity: -1,
          covariance: { levelVariance: 1, levelVelocityCovariance: 0, velocityVariance: 1 },
        },
      },
      weights: { priceVsLevel: 0, qqeTrend: 0, qqeLevel: 0 },
    });
    expect(initialised.warmUpUpdates).toBe(1);
    expect(initialised.update(99)).toBeLessThan(0);
  });

  it("counts the Kalman components as 0 while the level is not positive", () => {
    const bias = new DirectionalBias({
      kalman: {
        processNoise: 0,
        measurementNoise: 1e6,
        initial: {
          level: -50,
          velocity: 0,
          covariance: { levelVariance: 0, levelVelocityCovariance: 0, velocityVariance: 0 },
        },
      },
      weights: { qqeTrend: 0, qqeLevel: 0 },
    });
    expect(bias.update(1)).toBe(0);
    expect(bias.isReady).toBe(true);
  });

  it("a negative weight turns price-vs-level into mean reversion", () => {
    const make = (w: number) =>
      new DirectionalBias({ kalman, weights: { kalmanSlope: 0, priceVsLevel: w, qqeTrend: 0, qqeLevel: 0 } });
    const momentum = make(1);
    const reversion = make(-1);
    for (const p of [100, 100, 100, 101]) {
      momentum.update(p);
      reversion.update(p);
    }
    expect(momentum.bias).toBeGreaterThan(0);
    expect(reversion.bias).toBeCloseTo(-momentum.bias, 15);
  });

  it("reset restarts the warm-up", () => {
    const bias = new DirectionalBias({ kalman, weights: { qqeTrend: 0, qqeLevel: 0 } });
    bias.update(100);
    bias.update(101);
    expect(bias.bias).not.toBe(0);
    bias.reset();
    expect(bias.bias).toBe(0);
    expect(bias.isReady).toBe(false);
    expect(bias.kalman.count).toBe(0);
    expect(bias.qqe.count).toBe(0);
  });

  it("rejects invalid options, naming the field", () => {
    expect(() => new DirectionalBias({ kalman: { processNoise: -1, measurementNoise: 1 } })).toThrow(
      expect.objectContaining({ code: "NEGATIVE", field: "kalman.processNoise" }),
    );
    expect(() => new DirectionalBias({ kalman, qqe: { rsiPeriod: 0 } })).toThrow(
      /qqe\.rsiPeriod: expected an integer >= 1, got 0/,
    );
    expect(
      () =>
        new DirectionalBias({
          kalman,
          weights: { kalmanSlope: 0, priceVsLevel: 0, qqeTrend: 0, qqeLevel: 0 },
        }),
    ).toThrow(/weights: expected at least one non-zero weight/);
    expect(() => new DirectionalBias({ kalman, weights: { qqeTrend: Number.NaN } })).toThrow(
      /weights\.qqeTrend/,
    );
    expect(() => new DirectionalBias({ kalman, slopeScaleFractionPerTimeUnit: 0 })).toThrow(
      /slopeScaleFractionPerTimeUnit/,
    );
    expect(() => new DirectionalBias({ kalman, deviationScaleFraction: -1 })).toThrow(
      /deviationScaleFraction/,
    );
    expect(() => new DirectionalBias({ kalman, rsiLevelScale: Number.POSITIVE_INFINITY })).toThrow(
      /rsiLevelScale/,
    );
    // A non-SignalsInputError from a nested constructor passes through untouched.
    expect(() => new DirectionalBias({ kalman: undefined as unknown as typeof kalman })).toThrow(TypeError);
  });

  it("property: the bias is always within [−1, 1]", () => {
    fc.assert(
      fc.property(
        fc.record({
          kalmanSlope: fc.double({ noNaN: true, noDefaultInfinity: true }),
          priceVsLevel: fc.double({ noNaN: true, noDefaultInfinity: true }),
          qqeTrend: fc.double({ noNaN: true, noDefaultInfinity: true }),
          qqeLevel: fc.double({ noNaN: true, noDefaultInfinity: true }),
        }),
        fc.double({ min: 1e-9, max: 1e3, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e3, noNaN: true }),
        fc.array(
          fc.record({
            price: fc.double({ min: 1e-6, max: 1e9, noNaN: true }),
            dt: fc.double({ min: 0, max: 100, noNaN: true }),
          }),
          { minLength: 1, maxLength: 80 },
        ),
        (weights, q, r, ticks) => {
          fc.pre(Object.values(weights).some((w) => w !== 0));
          const bias = new DirectionalBias({
            kalman: { processNoise: q, measurementNoise: r },
            qqe: { rsiPeriod: 3, smoothingPeriod: 2, wildersPeriod: 2 },
            weights,
            slopeScaleFractionPerTimeUnit: 1e-6,
            deviationScaleFraction: 1e-6,
          });
          for (const { price, dt } of ticks) {
            const value = bias.update(price, dt);
            expect(Number.isFinite(value)).toBe(true);
            expect(value).toBeGreaterThanOrEqual(-1);
            expect(value).toBeLessThanOrEqual(1);
          }
        },
      ),
      { seed: 1 },
    );
  });

  it("property: an invalid price or dt throws SignalsInputError and changes nothing", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            price: fc.oneof(
              fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0),
              fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
            ),
            dt: fc.constant(1),
          }),
          fc.record({
            price: fc.constant(100),
            dt: fc.oneof(
              fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
              fc.double({ max: -Number.MIN_VALUE }),
            ),
          }),
        ),
        ({ price, dt }) => {
          const bias = new DirectionalBias({ kalman, weights: { qqeTrend: 0, qqeLevel: 0 } });
          bias.update(100);
          bias.update(101);
          const before = [bias.bias, bias.kalman.count, bias.qqe.count, bias.kalman.level];
          let error: unknown;
          try {
            bias.update(price, dt);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(SignalsInputError);
          expect(["price", "dt"]).toContain((error as SignalsInputError).field);
          expect([bias.bias, bias.kalman.count, bias.qqe.count, bias.kalman.level]).toEqual(before);
        },
      ),
      { seed: 2 },
    );
  });
});

describe("biasShiftPrice", () => {
  it("is bias · strength · volatility", () => {
    expect(biasShiftPrice(0.5, 0.4, 30)).toBeCloseTo(6, 12);
    expect(biasShiftPrice(-1, 0.4, 30)).toBeCloseTo(-12, 12);
    expect(biasShiftPrice(1, 2, 0)).toBe(0);
    expect(Object.is(biasShiftPrice(-0.5, 0, 10), 0)).toBe(true); // never −0
  });

  it("rejects invalid input, naming the field", () => {
    expect(() => biasShiftPrice(1.5, 1, 1)).toThrow(/bias: expected a finite number in \[-1, 1\], got 1.5/);
    expect(() => biasShiftPrice(Number.NaN, 1, 1)).toThrow(expect.objectContaining({ code: "NOT_FINITE" }));
    expect(() => biasShiftPrice(0, -1, 1)).toThrow(
      expect.objectContaining({ code: "NEGATIVE", field: "strength" }),
    );
    expect(() => biasShiftPrice(0, 1, Number.POSITIVE_INFINITY)).toThrow(/volatilityPrice/);
  });

  it("property: |shift| ≤ strength · volatility and the sign follows the bias", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (bias, strength, volatility) => {
          const shift = biasShiftPrice(bias, strength, volatility);
          expect(Math.abs(shift)).toBeLessThanOrEqual(strength * volatility);
          if (shift !== 0) expect(Math.sign(shift)).toBe(Math.sign(bias));
        },
      ),
      { seed: 3 },
    );
  });
});
