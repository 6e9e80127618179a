import { describe, expect, it } from "vitest";
import { ManualClock, systemClock } from "./clock.ts";

describe("ManualClock", () => {
  it("moves only when told to, never backwards", () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(500);
    expect(clock.now()).toBe(1_500);
    clock.set(2_000);
    expect(clock.now()).toBe(2_000);
    expect(() => clock.set(1_999)).toThrow("cannot go backwards");
    expect(() => clock.advance(-1)).toThrow("ms must be a finite number ≥ 0, got -1");
    expect(() => new ManualClock(Number.NaN)).toThrow("startMs must be a finite number of ms, got NaN");
  });
});

describe("systemClock", () => {
  it("reads the wall clock", () => {
    const before = Date.now();
    const now = systemClock().now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
