import { describe, expect, it } from "vitest";
import { Ema } from "./ema.ts";
import { SignalsInputError } from "./errors.ts";

describe("Ema", () => {
  it("seeds with the simple mean of the first `period` inputs, then recurses with α = 2/(period+1)", () => {
    // period 3 → α = 2/4 = 0.5
    const ema = new Ema(3);
    expect(ema.alpha).toBe(0.5);
    expect(ema.update(1)).toBeNull();
    expect(ema.update(2)).toBeNull();
    expect(ema.value).toBeNull();
    expect(ema.isReady).toBe(false);
    expect(ema.update(3)).toBe(2); // seed: (1 + 2 + 3) / 3 = 2
    expect(ema.isReady).toBe(true);
    expect(ema.update(6)).toBe(4); // 2 + 0.5·(6 − 2) = 4
    expect(ema.update(0)).toBe(2); // 4 + 0.5·(0 − 4) = 2
    expect(ema.value).toBe(2);
    expect(ema.count).toBe(5);
  });

  it("period 4: α = 0.4", () => {
    const ema = new Ema(4);
    for (const x of [2, 4, 6]) expect(ema.update(x)).toBeNull();
    expect(ema.update(8)).toBe(5); // (2 + 4 + 6 + 8) / 4
    expect(ema.update(10)).toBeCloseTo(7, 12); // 5 + 0.4·(10 − 5) = 7
  });

  it("period 1 is the identity", () => {
    const ema = new Ema(1);
    expect(ema.update(3)).toBe(3);
    expect(ema.update(-7)).toBe(-7);
  });

  it("reset forgets everything", () => {
    const ema = new Ema(2);
    ema.update(1);
    ema.update(3);
    ema.reset();
    expect(ema.count).toBe(0);
    expect(ema.value).toBeNull();
    ema.update(10);
    expect(ema.update(20)).toBe(15);
  });

  it("rejects bad periods and non-finite inputs", () => {
    for (const period of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new Ema(period)).toThrow(SignalsInputError);
    }
    const ema = new Ema(2);
    expect(() => ema.update(Number.NaN)).toThrow(/value: expected a finite number, got NaN/);
    expect(ema.count).toBe(0);
  });
});
