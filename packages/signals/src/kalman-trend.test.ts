import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SignalsInputError } from "./errors.ts";
import { KalmanTrendFilter } from "./kalman-trend.ts";

const identity = { levelVariance: 1, levelVelocityCovariance: 0, velocityVariance: 1 };

describe("KalmanTrendFilter", () => {
  it("matches two hand-computed steps (dt = 1, then dt = 2)", () => {
    // q = 4, R = 2, x = [10, 1], P = I
    const filter = new KalmanTrendFilter({
      processNoise: 4,
      measurementNoise: 2,
      initial: { level: 10, velocity: 1, covariance: identity },
    });
    expect(filter.isReady).toBe(true);

    // Step 1, z = 12, dt = 1: Q = 4·[[1/4, 1/2], [1/2, 1]] = [[1, 2], [2, 4]]
    //   x⁻ = [10 + 1, 1] = [11, 1]
    //   F·P·Fᵀ = [[1 + 1, 1], [1, 1]] = [[2, 1], [1, 1]];  P⁻ = [[3, 3], [3, 5]]
    //   S = 3 + 2 = 5, K = [3/5, 3/5], innovation = 12 − 11 = 1
    //   x = [11.6, 1.6];  P = [[3·2/5, 3·2/5], [·, 5 − 0.6·3]] = [[1.2, 1.2], [1.2, 3.2]]
    expect(filter.update(12)).toBeCloseTo(11.6, 12);
    expect(filter.velocity).toBeCloseTo(1.6, 12);
    expect(filter.levelVariance).toBeCloseTo(1.2, 12);
    expect(filter.levelVelocityCovariance).toBeCloseTo(1.2, 12);
    expect(filter.velocityVariance).toBeCloseTo(3.2, 12);

    // Step 2, z = 13, dt = 2: Q = 4·[[16/4, 8/2], [8/2, 4]] = [[16, 16], [16, 16]]
    //   x⁻ = [11.6 + 2·1.6, 1.6] = [14.8, 1.6]
    //   F·P·Fᵀ: p00 = 1.2 + 2·2·1.2 + 4·3.2 = 18.8, p01 = 1.2 + 2·3.2 = 7.6, p11 = 3.2
    //   P⁻ = [[34.8, 23.6], [23.6, 19.2]], S = 36.8, innovation = 13 − 14.8 = −1.8
    //   level = 14.8 − 1.8·34.8/36.8, velocity = 1.6 − 1.8·23.6/36.8
    //   P = [[34.8·2/36.8, 23.6·2/36.8], [·, 19.2 − 23.6²/36.8]]
    expect(filter.update(13, 2)).toBeCloseTo(14.8 - (1.8 * 34.8) / 36.8, 12); // 13.0978…
    expect(filter.velocity).toBeCloseTo(1.6 - (1.8 * 23.6) / 36.8, 12); // 0.4456…
    expect(filter.levelVariance).toBeCloseTo((34.8 * 2) / 36.8, 12);
    expect(filter.levelVelocityCovariance).toBeCloseTo((23.6 * 2) / 36.8, 12);
    expect(filter.velocityVariance).toBeCloseTo(19.2 - (23.6 * 23.6) / 36.8, 12);
    expect(filter.covariance()).toEqual({
      levelVariance: filter.levelVariance,
      levelVelocityCovariance: filter.levelVelocityCovariance,
      velocityVariance: filter.velocityVariance,
    });
    expect(filter.slopeFraction).toBeCloseTo((filter.velocity as number) / (filter.level as number), 15);
  });

  it("starts from a diffuse prior in closed form: ready on the second update", () => {
    // q = 0, R = 1
    const filter = new KalmanTrendFilter({ processNoise: 0, measurementNoise: 1 });
    expect(filter.level).toBeNull();
    expect(filter.levelVariance).toBeNull();
    expect(filter.covariance()).toBeNull();
    // z = 1: level = 1, Var = R = 1, velocity unknown
    expect(filter.update(1, 123)).toBe(1); // dt of the first update is ignored
    expect(filter.isReady).toBe(false);
    expect(filter.level).toBe(1);
    expect(filter.levelVariance).toBe(1);
    expect(filter.velocity).toBeNull();
    expect(filter.slopeFraction).toBeNull();
    expect(filter.levelVelocityCovariance).toBeNull();
    expect(filter.velocityVariance).toBeNull();
    // z = 2, dt = 1: level = 2, velocity = (2 − 1)/1 = 1, P = [[R, R/dt], [R/dt, (R + R + 0)/dt²]]
    expect(filter.update(2)).toBe(2);
    expect(filter.isReady).toBe(true);
    expect(filter.velocity).toBe(1);
    expect(filter.covariance()).toEqual({
      levelVariance: 1,
      levelVelocityCovariance: 1,
      velocityVariance: 2,
    });
  });

  it("averages measurements at the same instant before the velocity is known", () => {
    // q = 8, R = 1
    const filter = new KalmanTrendFilter({ processNoise: 8, measurementNoise: 1 });
    filter.update(10);
    // dt = 0: scalar update, K = 1/(1+1) = 0.5 → level 11, Var 0.5
    expect(filter.update(12, 0)).toBe(11);
    expect(filter.levelVariance).toBe(0.5);
    expect(filter.isReady).toBe(false);
    // dt = 2: velocity = (13 − 11)/2 = 1; Var(v) = (R + 0.5 + q·dt⁴/4)/dt² = (1 + 0.5 + 32)/4
    filter.update(13, 2);
    expect(filter.velocity).toBe(1);
    expect(filter.levelVelocityCovariance).toBe(0.5);
    expect(filter.velocityVariance).toBeCloseTo(33.5 / 4, 12);
  });

  it("matches a filter started from a very wide prior", () => {
    const q = 0.3;
    const r = 2;
    const diffuse = new KalmanTrendFilter({ processNoise: q, measurementNoise: r });
    const zs = [100, 101.5, 101, 103, 104.2, 103.9];
    const dts = [1, 1, 2, 0.5, 1, 3];
    diffuse.update(zs[0] as number);
    // A proper prior that is almost uninformative about the velocity, conditioned on z₀.
    const wide = new KalmanTrendFilter({
      processNoise: q,
      measurementNoise: r,
      initial: {
        level: zs[0] as number,
        velocity: 0,
        covariance: { levelVariance: r, levelVelocityCovariance: 0, velocityVariance: 1e8 },
      },
    });
    for (let i = 1; i < zs.length; i++) {
      diffuse.update(zs[i] as number, dts[i]);
      wide.update(zs[i] as number, dts[i]);
      expect(diffuse.level).toBeCloseTo(wide.level as number, 5);
      expect(diffuse.velocity).toBeCloseTo(wide.velocity as number, 5);
      expect(diffuse.velocityVariance).toBeCloseTo(wide.velocityVariance as number, 4);
    }
  });

  it("dt = 0 after warm-up keeps the velocity model (F = I, Q = 0)", () => {
    const filter = new KalmanTrendFilter({ processNoise: 1, measurementNoise: 1 });
    filter.update(1);
    filter.update(2);
    const before = filter.covariance();
    filter.update(filter.level as number, 0); // zero innovation, same instant
    expect(filter.level).toBe(2);
    expect(filter.velocity).toBe(1);
    expect(filter.levelVariance).toBeLessThan(before?.levelVariance as number);
  });

  it("slopeFraction is null while the level is exactly 0 and uses |level|", () => {
    const filter = new KalmanTrendFilter({
      processNoise: 0,
      measurementNoise: 1,
      initial: { level: 0, velocity: 1, covariance: identity },
    });
    expect(filter.slopeFraction).toBeNull();
    const negative = new KalmanTrendFilter({
      processNoise: 0,
      measurementNoise: 1,
      initial: { level: -4, velocity: 1, covariance: identity },
    });
    expect(negative.slopeFraction).toBe(0.25);
  });

  it("reset returns to the construction state", () => {
    const withInitial = new KalmanTrendFilter({
      processNoise: 1,
      measurementNoise: 1,
      initial: { level: 5, velocity: -1, covariance: identity },
    });
    withInitial.update(7);
    withInitial.reset();
    expect(withInitial.level).toBe(5);
    expect(withInitial.velocity).toBe(-1);
    expect(withInitial.count).toBe(0);
    const bare = new KalmanTrendFilter({ processNoise: 1, measurementNoise: 1 });
    bare.update(1);
    bare.update(2);
    bare.reset();
    expect(bare.level).toBeNull();
    expect(bare.isReady).toBe(false);
  });

  it("rejects invalid parameters", () => {
    expect(() => new KalmanTrendFilter({ processNoise: Number.NaN, measurementNoise: 1 })).toThrow(
      /processNoise: expected a finite number >= 0, got NaN/,
    );
    expect(() => new KalmanTrendFilter({ processNoise: 1, measurementNoise: -1 })).toThrow(SignalsInputError);
    const bad = (covariance: typeof identity) => () =>
      new KalmanTrendFilter({
        processNoise: 1,
        measurementNoise: 1,
        initial: { level: 1, velocity: 0, covariance },
      });
    expect(bad({ levelVariance: 1, levelVelocityCovariance: 2, velocityVariance: 1 })).toThrow(
      expect.objectContaining({
        code: "NOT_POSITIVE_SEMIDEFINITE",
        field: "initial.covariance.levelVelocityCovariance",
      }),
    );
    expect(bad({ levelVariance: -1, levelVelocityCovariance: 0, velocityVariance: 1 })).toThrow(
      /initial\.covariance\.levelVariance/,
    );
    expect(bad({ levelVariance: 1, levelVelocityCovariance: Number.NaN, velocityVariance: 1 })).toThrow(
      /initial\.covariance\.levelVelocityCovariance: expected a finite number, got NaN/,
    );
    expect(
      () =>
        new KalmanTrendFilter({
          processNoise: 1,
          measurementNoise: 1,
          initial: { level: 1, velocity: Number.POSITIVE_INFINITY, covariance: identity },
        }),
    ).toThrow(/initial\.velocity/);
  });

  it("property: invalid measurement or dt throws SignalsInputError and leaves the state untouched", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            z: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
            dt: fc.constant(1),
          }),
          fc.record({
            z: fc.double({ min: 1, max: 1e5, noNaN: true }),
            dt: fc.oneof(
              fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
              fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
            ),
          }),
        ),
        ({ z, dt }) => {
          const filter = new KalmanTrendFilter({ processNoise: 1, measurementNoise: 1 });
          filter.update(100);
          filter.update(101);
          const before = filter.covariance();
          expect(() => filter.update(z, dt)).toThrow(SignalsInputError);
          expect(filter.count).toBe(2);
          expect(filter.level).toBe(101);
          expect(filter.covariance()).toEqual(before);
        },
      ),
      { seed: 1 },
    );
  });

  it("property: a rising series eventually has a positive velocity", () => {
    // The constant-velocity filter's velocity responds to one price increment with a positive lobe and then a
    // small negative overshoot. For q·dt⁴/R ≤ 10 the positive part outweighs the overshoot more than 3:1
    // (measured), so any series whose increments stay within a 3:1 range ends with a positive velocity.
    // (A much more responsive filter can overshoot below 0 after a large increment followed by small ones.)
    fc.assert(
      fc.property(
        fc.double({ min: 1e-4, max: 10, noNaN: true }), // q·dt⁴/R
        fc.double({ min: 1e-4, max: 100, noNaN: true }), // R
        fc.double({ min: 1, max: 1e5, noNaN: true }), // start price
        fc.double({ min: 1e-3, max: 10, noNaN: true }), // typical increment
        fc.array(fc.double({ min: 0.5, max: 1.5, noNaN: true }), { minLength: 150, maxLength: 250 }),
        (ratio, r, start, step, multipliers) => {
          const filter = new KalmanTrendFilter({ processNoise: ratio * r, measurementNoise: r });
          let price = start;
          filter.update(price);
          for (const m of multipliers) {
            price += step * m;
            filter.update(price);
          }
          expect(filter.velocity).toBeGreaterThan(0);
          expect(filter.slopeFraction).toBeGreaterThan(0);
        },
      ),
      { seed: 2 },
    );
  });

  it("property: a noiseless line is tracked exactly (level and velocity)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.array(fc.double({ min: 0.1, max: 3, noNaN: true }), { minLength: 2, maxLength: 30 }),
        (q, r, slope, dts) => {
          const filter = new KalmanTrendFilter({ processNoise: q, measurementNoise: r });
          let t = 0;
          filter.update(100);
          for (const dt of dts) {
            t += dt;
            filter.update(100 + slope * t, dt);
          }
          expect(filter.level).toBeCloseTo(100 + slope * t, 6);
          expect(filter.velocity).toBeCloseTo(slope, 6);
        },
      ),
      { seed: 3 },
    );
  });
});
