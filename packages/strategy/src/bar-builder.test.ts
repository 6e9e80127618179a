import { describe, expect, it } from "vitest";
import { BarBuilder } from "./bar-builder.ts";

describe("BarBuilder", () => {
  it("reports a bar's close only once the bar is over", () => {
    const bars = new BarBuilder(60_000);
    expect(bars.onMid(100, 0)).toBeNaN();
    expect(bars.onMid(101, 59_999)).toBeNaN();
    expect(bars.onMid(102, 60_000)).toBe(101);
    expect(bars.onMid(103, 200_000)).toBe(102);
    expect(bars.closedBars).toBe(2);
  });

  it("keeps open, high, low, close and volume of the bar, and skips empty intervals", () => {
    const bars = new BarBuilder(60_000);
    bars.onMid(100, 1_000);
    bars.addVolume(2);
    bars.onMid(104, 2_000);
    bars.onMid(97, 3_000);
    bars.addVolume(0.5);
    bars.onMid(99, 59_000);
    expect(bars.roll(59_999)).toBeNaN();
    expect(bars.roll(180_000)).toBe(99);
    expect(bars.lastClosed).toEqual({ startMs: 0, open: 100, high: 104, low: 97, close: 99, volume: 2.5 });
    expect(bars.isOpen).toBe(false);
    bars.addVolume(1); // no bar open: nothing to add to
    bars.update(98, 185_000);
    expect(bars.current).toEqual({ startMs: 180_000, open: 98, high: 98, low: 98, close: 98, volume: 0 });
  });

  it("ignores non-positive mids and rejects a non-positive interval", () => {
    const bars = new BarBuilder(1_000);
    expect(bars.onMid(0, 0)).toBeNaN();
    expect(bars.onMid(Number.NaN, 0)).toBeNaN();
    expect(bars.isOpen).toBe(false);
    expect(() => new BarBuilder(0)).toThrow(/intervalMs/);
  });
});
