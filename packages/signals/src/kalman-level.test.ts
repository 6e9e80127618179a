import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SignalsInputError } from "./errors.ts";
import { KalmanLevelFilter } from "./kalman-level.ts";

describe("KalmanLevelFilter", () => {
  it("matches three hand-computed steps from an initial state", () => {
    // Q = 1, R = 2, x = 100, P = 1
    const filter = new KalmanLevelFilter({
      processNoise: 1,
      measurementNoise: 2,
      initial: { level: 100, variance: 1 },
    });
    expect(filter.isReady).toBe(true);
    expect(filter.level).toBe(100);
    expect(filter.gain).toBeNull();
    // z = 102: P⁻ = 1 + 1 = 2, K = 2/(2+2) = 0.5, x = 100 + 0.5·2 = 101, P = 0.5·2 = 1
    expect(filter.update(102)).toBe(101);
    expect(filter.gain).toBe(0.5);
    expect(filter.variance).toBe(1);
    // z = 104: P⁻ = 2, K = 0.5, x = 101 + 0.5·3 = 102.5, P = 1
    expect(filter.update(104)).toBe(102.5);
    // z = 100: P⁻ = 2, K = 0.5, x = 102.5 + 0.5·(−2.5) = 101.25, P = 1
    expect(filter.update(100)).toBe(101.25);
    expect(filter.variance).toBe(1);
    expect(filter.count).toBe(3);
  });

  it("initialises from the first measurement as a diffuse prior, then filters", () => {
    // Q = 0.5, R = 1
    const filter = new KalmanLevelFilter({ processNoise: 0.5, measurementNoise: 1 });
    expect(filter.isReady).toBe(false);
    expect(filter.level).toBeNull();
    expect(filter.variance).toBeNull();
    // z = 10: diffuse prior → K = 1, x = 10, P = R = 1
    expect(filter.update(10)).toBe(10);
    expect(filter.variance).toBe(1);
    expect(filter.gain).toBe(1);
    // z = 12: P⁻ = 1.5, K = 1.5/2.5 = 0.6, x = 10 + 0.6·2 = 11.2, P = 0.4·1.5 = 0.6
    expect(filter.update(12)).toBeCloseTo(11.2, 12);
    expect(filter.variance).toBeCloseTo(0.6, 12);
    // z = 11: P⁻ = 1.1, K = 1.1/2.1, x = 11.2 − 0.2·1.1/2.1 = 11.095238…, P = 1.1/2.1 = 0.523809…
    expect(filter.update(11)).toBeCloseTo(11.2 - (0.2 * 1.1) / 2.1, 12);
    expect(filter.variance).toBeCloseTo(1.1 / 2.1, 12);
  });

  it("agrees with a very wide prior on the first step", () => {
    const diffuse = new KalmanLevelFilter({ processNoise: 0.1, measurementNoise: 3 });
    const wide = new KalmanLevelFilter({
      processNoise: 0.1,
      measurementNoise: 3,
      initial: { level: 0, variance: 1e8 },
    });
    for (const z of [50, 51, 49.5, 52]) {
      expect(diffuse.update(z)).toBeCloseTo(wide.update(z), 5);
    }
    expect(diffuse.variance).toBeCloseTo(wide.variance as number, 5);
  });

  it("reset returns to the initial state", () => {
    const filter = new KalmanLevelFilter({
      processNoise: 1,
      measurementNoise: 1,
      initial: { level: 5, variance: 2 },
    });
    filter.update(7);
    filter.reset();
    expect(filter.level).toBe(5);
    expect(filter.variance).toBe(2);
    expect(filter.count).toBe(0);
    const bare = new KalmanLevelFilter({ processNoise: 1, measurementNoise: 1 });
    bare.update(3);
    bare.reset();
    expect(bare.level).toBeNull();
  });

  it("rejects invalid parameters and measurements, naming the field", () => {
    expect(() => new KalmanLevelFilter({ processNoise: -1, measurementNoise: 1 })).toThrow(
      /processNoise: expected a finite number >= 0, got -1/,
    );
    expect(() => new KalmanLevelFilter({ processNoise: 1, measurementNoise: 0 })).toThrow(
      /measurementNoise: expected a finite number > 0, got 0/,
    );
    expect(
      () =>
        new KalmanLevelFilter({
          processNoise: 1,
          measurementNoise: 1,
          initial: { level: Number.NaN, variance: 1 },
        }),
    ).toThrow(/initial\.level/);
    expect(
      () =>
        new KalmanLevelFilter({ processNoise: 1, measurementNoise: 1, initial: { level: 1, variance: -1 } }),
    ).toThrow(/initial\.variance/);
    const filter = new KalmanLevelFilter({ processNoise: 1, measurementNoise: 1 });
    fc.assert(
      fc.property(fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY), (z) => {
        const error = (() => {
          try {
            filter.update(z);
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(SignalsInputError);
        expect((error as SignalsInputError).code).toBe("NOT_FINITE");
        expect((error as SignalsInputError).field).toBe("measurement");
        expect(filter.count).toBe(0);
      }),
      { seed: 1 },
    );
  });

  it("property: the level stays within the range of the measurements seen (diffuse start)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 1e-6, max: 100, noNaN: true }),
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (q, r, zs) => {
          const filter = new KalmanLevelFilter({ processNoise: q, measurementNoise: r });
          let lo = Number.POSITIVE_INFINITY;
          let hi = Number.NEGATIVE_INFINITY;
          for (const z of zs) {
            lo = Math.min(lo, z);
            hi = Math.max(hi, z);
            const x = filter.update(z);
            const slack = 1e-9 * Math.max(1, Math.abs(lo), Math.abs(hi));
            expect(x).toBeGreaterThanOrEqual(lo - slack);
            expect(x).toBeLessThanOrEqual(hi + slack);
            expect(filter.variance).toBeGreaterThan(0);
          }
        },
      ),
      { seed: 2 },
    );
  });
});
