import { describe, expect, it } from "vitest";
import { createRandom } from "./random.ts";

describe("createRandom", () => {
  it("gives the same sequence for the same seed and another for another seed", () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const seqA = Array.from({ length: 100 }, () => a.next());
    const seqB = Array.from({ length: 100 }, () => b.next());
    const seqC = Array.from({ length: 100 }, () => c.next());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it("is uniform on [0, 1) with the right moments", () => {
    const random = createRandom(7);
    const n = 200_000;
    let sum = 0;
    let sumSquares = 0;
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = random.next();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      sumSquares += x * x;
      buckets[Math.floor(x * 10)]! += 1;
    }
    expect(outside).toBe(0);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sumSquares / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
    for (const count of buckets) expect(Math.abs(count / n - 0.1)).toBeLessThan(0.005);
  });

  it("draws normals with mean 0 and variance 1, and exponentials with mean 1/rate", () => {
    const random = createRandom(11);
    const n = 100_000;
    let sum = 0;
    let sumSquares = 0;
    let expSum = 0;
    for (let i = 0; i < n; i++) {
      const z = random.nextNormal();
      sum += z;
      sumSquares += z * z;
      expSum += random.nextExponential(4);
    }
    expect(sum / n).toBeCloseTo(0, 1);
    expect(sumSquares / n).toBeCloseTo(1, 1);
    expect(expSum / n).toBeCloseTo(0.25, 2);
  });

  it("draws integers in range and rejects bad arguments", () => {
    const random = createRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(random.nextInt(6));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(() => random.nextInt(0)).toThrow("maxExclusive must be an integer > 0, got 0");
    expect(() => random.nextExponential(-1)).toThrow("rate must be a finite number > 0, got -1");
    expect(() => createRandom(1.5)).toThrow("seed must be an integer, got 1.5");
  });
});
