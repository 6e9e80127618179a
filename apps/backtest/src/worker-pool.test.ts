import { describe, expect, it } from "vitest";
import { guidedBatchEnd } from "./worker-pool.ts";

/** The batches a pool hands out, in order, when each thread asks as soon as its batch is done. */
function schedule(tasks: number, threads: number, maxBatch: number): number[] {
  const sizes: number[] = [];
  for (let next = 0; next < tasks; ) {
    const end = guidedBatchEnd(next, tasks, threads, maxBatch);
    sizes.push(end - next);
    next = end;
  }
  return sizes;
}

describe("guidedBatchEnd", () => {
  it("covers every task once, in batches of 1 … maxBatch that never grow", () => {
    for (const [tasks, threads, maxBatch] of [
      [1_000, 2, 32],
      [1_000, 1, 32],
      [173, 2, 1],
      [7, 4, 32],
      [1, 2, 32],
      [100_003, 8, 32],
    ] as const) {
      const sizes = schedule(tasks, threads, maxBatch);
      expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(tasks);
      for (let i = 0; i < sizes.length; i++) {
        expect(sizes[i]).toBeGreaterThanOrEqual(1);
        expect(sizes[i]).toBeLessThanOrEqual(maxBatch);
        if (i > 0) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!);
      }
    }
  });

  it("hands out full batches while much is left and single tasks at the end", () => {
    const sizes = schedule(1_000, 2, 32);
    expect(sizes.slice(0, 15)).toEqual(Array(15).fill(32));
    expect(sizes.at(-1)).toBe(1);
    // The last batch a thread can be left waiting on is small: the threads finish within a task or two.
    expect(sizes.slice(-8).every((size) => size <= 2)).toBe(true);
    expect(guidedBatchEnd(0, 1_000, 2, 32)).toBe(32);
    expect(guidedBatchEnd(990, 1_000, 2, 32)).toBe(992);
    expect(guidedBatchEnd(999, 1_000, 2, 32)).toBe(1_000);
  });
});
