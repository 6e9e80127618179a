import { describe, expect, it } from "vitest";
import { BPS_PER_UNIT, scaleVolatility, toPriceVolatility } from "./units.ts";

describe("units", () => {
  it("1 bp = 0.0001", () => {
    expect(0.0001 * BPS_PER_UNIT).toBe(1);
  });

  it("scaleVolatility scales by √(to/from)", () => {
    // 0.0002 per second → per minute: 0.0002 × √60 = 0.0002 × 7.745966692 = 0.0015491933
    expect(scaleVolatility(0.0002, 1_000, 60_000)).toBeCloseTo(0.0015491933384829668, 15);
    // and back
    expect(scaleVolatility(scaleVolatility(0.0002, 1_000, 60_000), 60_000, 1_000)).toBeCloseTo(0.0002, 15);
    // 100 ms → 1 s: × √10
    expect(scaleVolatility(1, 100, 1_000)).toBeCloseTo(Math.sqrt(10), 15);
    expect(() => scaleVolatility(-1, 1, 1)).toThrow(/^volatility must be/);
    expect(() => scaleVolatility(1, 0, 1)).toThrow(/^fromIntervalMs must be/);
    expect(() => scaleVolatility(1, 1, Number.NaN)).toThrow(/^toIntervalMs must be/);
  });

  it("toPriceVolatility multiplies by the mid", () => {
    // 2 bps of 100 000 = 20
    expect(toPriceVolatility(0.0002, 100_000)).toBeCloseTo(20, 12);
    expect(() => toPriceVolatility(0.0002, 0)).toThrow(/^midPrice must be/);
    expect(() => toPriceVolatility(-0.1, 1)).toThrow(/^volatilityFraction must be/);
  });
});
