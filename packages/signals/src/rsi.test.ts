import { describe, expect, it } from "vitest";
import { SignalsInputError } from "./errors.ts";
import { WilderRsi } from "./rsi.ts";

describe("WilderRsi", () => {
  it("matches a hand-computed Wilder RSI(3)", () => {
    // prices   10    11    10.5   12    11    11.5
    // change         +1    −0.5   +1.5  −1    +0.5
    // gain           1     0      1.5   0     0.5
    // loss           0     0.5    0     1     0
    const rsi = new WilderRsi(3);
    expect(rsi.update(10)).toBeNull();
    expect(rsi.update(11)).toBeNull();
    expect(rsi.update(10.5)).toBeNull();
    expect(rsi.value).toBeNull();
    // Update 4 = period + 1: seed with simple means of the first 3 changes.
    //   avgGain = (1 + 0 + 1.5)/3 = 5/6, avgLoss = (0 + 0.5 + 0)/3 = 1/6
    //   RSI = 100·(5/6)/(5/6 + 1/6) = 83.333…   (textbook: RS = 5, 100 − 100/6 = 83.333…)
    expect(rsi.update(12)).toBeCloseTo(250 / 3, 10);
    // Update 5: change −1.
    //   avgGain = (5/6·2 + 0)/3 = 5/9, avgLoss = (1/6·2 + 1)/3 = 4/9
    //   RSI = 100·(5/9)/(9/9) = 55.555…
    expect(rsi.update(11)).toBeCloseTo(500 / 9, 10);
    // Update 6: change +0.5.
    //   avgGain = (5/9·2 + 0.5)/3 = 14.5/27, avgLoss = (4/9·2 + 0)/3 = 8/27
    //   RSI = 100·14.5/22.5 = 64.444…   (textbook: RS = 1.8125, 100 − 100/2.8125 = 64.444…)
    expect(rsi.update(11.5)).toBeCloseTo(5800 / 90, 10);
    expect(rsi.value).toBeCloseTo(5800 / 90, 10);
    expect(rsi.count).toBe(6);
  });

  it("is 100 with only gains, 0 with only losses and 50 when flat", () => {
    const up = new WilderRsi(2);
    for (const p of [1, 2, 3]) up.update(p);
    expect(up.value).toBe(100);
    const down = new WilderRsi(2);
    for (const p of [3, 2, 1]) down.update(p);
    expect(down.value).toBe(0);
    const flat = new WilderRsi(2);
    for (const p of [5, 5, 5, 5]) flat.update(p);
    expect(flat.value).toBe(50);
  });

  it("becomes ready on update period + 1, exactly", () => {
    const rsi = new WilderRsi(14);
    for (let i = 1; i <= 14; i++) {
      expect(rsi.update(100 + Math.sin(i))).toBeNull();
      expect(rsi.isReady).toBe(false);
    }
    expect(rsi.update(100)).not.toBeNull();
    expect(rsi.isReady).toBe(true);
  });

  it("reset forgets everything", () => {
    const rsi = new WilderRsi(1);
    rsi.update(1);
    rsi.update(2);
    rsi.reset();
    expect(rsi.value).toBeNull();
    rsi.update(2);
    expect(rsi.update(1)).toBe(0);
  });

  it("rejects bad periods and non-finite prices", () => {
    expect(() => new WilderRsi(0)).toThrow(SignalsInputError);
    expect(() => new WilderRsi(2.5)).toThrow(/period: expected an integer >= 1, got 2.5/);
    expect(() => new WilderRsi().update(Number.POSITIVE_INFINITY)).toThrow(SignalsInputError);
  });
});
