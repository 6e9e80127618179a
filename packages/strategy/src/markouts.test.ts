import { describe, expect, it } from "vitest";
import { horizonLabel, MarkoutTracker } from "./markouts.ts";

describe("MarkoutTracker", () => {
  it("marks each fill at each horizon on the mid in force then", () => {
    const markouts = new MarkoutTracker([1_000, 5_000]);
    markouts.onMid(100, 0);
    markouts.onFill("buy", 100, 0);
    markouts.onMid(99.9, 800);
    markouts.onMid(99.8, 6_000);
    expect(markouts.meanBps(0)).toBeCloseTo(-10, 9); // the mid at 1 s was 99.9
    expect(markouts.meanBps(1)).toBeCloseTo(-10, 9); // and at 5 s too: 99.8 came at 6 s
    expect(markouts.count(1)).toBe(1);
  });

  it("signs sells the other way, keeps the sides apart and waits for the horizon", () => {
    const markouts = new MarkoutTracker([1_000]);
    markouts.onMid(100, 0);
    markouts.onFill("sell", 100, 0);
    markouts.onFill("buy", 100, 0);
    markouts.onMid(101, 999);
    expect(markouts.count(0)).toBe(0);
    markouts.onMid(101, 1_000);
    expect(markouts.meanBps(0, "sell")).toBeCloseTo(-100, 9);
    expect(markouts.meanBps(0, "buy")).toBeCloseTo(100, 9);
    expect(markouts.meanBps(0)).toBeCloseTo(0, 9);
  });

  it("reports NaN before any mark-out and labels the horizons like the reports", () => {
    const markouts = new MarkoutTracker();
    expect(Object.keys(markouts.summary())).toEqual(["1s", "5s", "30s", "60s"]);
    expect(markouts.summary()["1s"]).toBeNaN();
    expect(horizonLabel(250)).toBe("250ms");
  });

  it("drops the oldest fills when the ring is full", () => {
    const markouts = new MarkoutTracker([1_000], undefined, 2);
    markouts.onMid(100, 0);
    markouts.onFill("buy", 50, 0); // dropped: its mark-out would be +10,000 bps
    markouts.onFill("buy", 100, 1);
    markouts.onFill("buy", 100, 2);
    markouts.onMid(100, 5_000);
    expect(markouts.count(0)).toBe(2);
    expect(markouts.meanBps(0)).toBe(0);
  });

  it("names bad horizons", () => {
    expect(() => new MarkoutTracker([5_000, 1_000])).toThrow(/increasing, got \[5000, 1000\]/);
  });
});
