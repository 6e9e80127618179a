import { describe, expect, it } from "vitest";
import { SlidingWindow } from "./window.ts";

describe("SlidingWindow", () => {
  it("counts an event while now − t < windowMs", () => {
    const window = new SlidingWindow(1_000);
    window.add(0, 2);
    window.add(500, 3);
    expect(window.sum(999)).toBe(5);
    expect(window.sum(1_000)).toBe(3);
    expect(window.oldestMs(1_000)).toBe(500);
    expect(window.sum(1_500)).toBe(0);
    expect(window.oldestMs(1_500)).toBeNaN();
  });

  it("grows past its initial capacity while wrapped around", () => {
    const window = new SlidingWindow(100, 0);
    for (let t = 0; t < 50; t++) window.add(t, 1);
    expect(window.sum(120)).toBe(29); // 21 … 49
    for (let t = 50; t < 300; t++) window.add(t, 1);
    expect(window.sum(299)).toBe(100);
    expect(window.entries(299)[0]).toEqual([200, 1]);
  });

  it("records a time earlier than the latest as the latest", () => {
    const window = new SlidingWindow(1_000);
    window.add(5_000, 1);
    window.add(4_000, 1);
    expect(window.entries(5_000)).toEqual([
      [5_000, 1],
      [5_000, 1],
    ]);
  });

  it("resets the sum exactly when it empties, and clears", () => {
    const window = new SlidingWindow(10);
    window.add(0, 0.1);
    window.add(1, 0.2);
    expect(window.sum(20)).toBe(0);
    window.add(30, 1);
    window.clear();
    expect(window.sum(30)).toBe(0);
    window.add(1, 1); // earlier time is fine after clear
    expect(window.entries(1)).toEqual([[1, 1]]);
  });
});
