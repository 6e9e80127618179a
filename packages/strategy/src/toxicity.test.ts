import { describe, expect, it } from "vitest";
import { ToxicityGuard } from "./toxicity.ts";

describe("ToxicityGuard", () => {
  it("marks fills out after the horizon and widens only the toxic side", () => {
    const guard = new ToxicityGuard(2, 1, 2);
    guard.onFill("buy", 100);
    guard.onFill("sell", 100);
    guard.onBar(99.9);
    expect(guard.markoutBps("buy")).toBe(0); // not due yet
    guard.onBar(99.9);
    // buy: (99.9 − 100) / 100 = −10 bp; sell: +10 bp. EWMA over 1 fill = the last value.
    expect(guard.markoutBps("buy")).toBeCloseTo(-10, 9);
    expect(guard.markoutBps("sell")).toBeCloseTo(10, 9);
    expect(guard.extraBps("buy")).toBeCloseTo(8, 9); // 10 − 2 threshold
    expect(guard.extraBps("sell")).toBe(0);
  });

  it("drops the oldest fills rather than growing past its capacity", () => {
    const guard = new ToxicityGuard(1, 3, 0, 4);
    for (let i = 0; i < 10; i++) guard.onFill("buy", 100);
    guard.onBar(101);
    expect(guard.markoutBps("buy")).toBeGreaterThan(0);
  });
});
