import { createRandom } from "@botmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TimedToxicityGuard, type TimedToxicityGuardOptions } from "./timed-toxicity.ts";

const SEED = 20_261_207;
const guard = (overrides: Partial<TimedToxicityGuardOptions> = {}) =>
  new TimedToxicityGuard({
    horizonMs: 1_000,
    fills: 10,
    thresholdBps: 2,
    recoveryMs: 60_000,
    pullFills: 2,
    pullThresholdBps: 5,
    pullWindowMs: 10_000,
    pullCooldownMs: 30_000,
    pullBoth: false,
    ...overrides,
  });

describe("TimedToxicityGuard", () => {
  it("widens a side whose fills are marked out against it seconds later, and fades to 0 by recoveryMs", () => {
    const g = guard({ pullFills: 0 });
    g.onMid(100, 0);
    g.onFill("buy", 100, 0);
    g.onMid(99.8, 500);
    g.onMid(99.8, 1_000); // −20 bps at 1 s: EWMA −3.64, 1.64 beyond the 2 bp threshold
    expect(g.markoutBps("buy")).toBeCloseTo((2 / 11) * -20, 9);
    expect(g.extraBps("buy")).toBeCloseTo((2 / 11) * 20 - 2, 9);
    expect(g.extraBps("sell")).toBe(0);
    g.advance(30_000);
    const halfway = g.extraBps("buy");
    expect(halfway).toBeLessThan((2 / 11) * 20 - 2);
    g.advance(60_000); // recoveryMs after the fill
    expect(g.extraBps("buy")).toBe(0);
    expect(g.isPulled("buy", 60_000)).toBe(false);
  });

  it("pulls a side after a burst of toxic fills, then restores it after the cool-down", () => {
    const g = guard();
    g.onMid(100, 0);
    g.onFill("buy", 100, 0);
    g.onFill("buy", 100, 100);
    g.onMid(99.8, 900);
    g.onMid(99.8, 1_500);
    expect(g.pulls).toBe(1);
    expect(g.isPulled("buy", 1_500)).toBe(true);
    expect(g.isPulled("sell", 1_500)).toBe(false);
    expect(g.isPulled("buy", 31_099)).toBe(true);
    expect(g.isPulled("buy", 31_100)).toBe(false); // second mark-out at 1.1 s + 30 s
    // The burst is forgotten: one more toxic fill after the return does not pull again.
    g.onFill("buy", 99.8, 32_000);
    g.onMid(99.6, 32_500);
    g.onMid(99.6, 33_500);
    expect(g.isPulled("buy", 33_500)).toBe(false);
    expect(g.pulls).toBe(1);
  });

  it("shortens a pull to cooldownScale of the cool-down (0: not pulled), as for the side reducing a position", () => {
    const g = guard();
    g.onMid(100, 0);
    g.onFill("buy", 100, 0);
    g.onFill("buy", 100, 100);
    g.onMid(99.8, 900);
    g.onMid(99.8, 1_500); // pulled from 1 100 to 31 100
    expect(g.isPulled("buy", 1_500, 0)).toBe(false);
    expect(g.isPulled("buy", 16_099, 0.5)).toBe(true);
    expect(g.isPulled("buy", 16_100, 0.5)).toBe(false);
    expect(g.isPulled("buy", 31_099, 1)).toBe(true);
    expect(g.isPulled("buy", 1_500, -1)).toBe(false); // below 0 is 0
    expect(g.isPulled("sell", 1_500, 0.5)).toBe(false);
  });

  it("pulls both sides with pullBoth, and not for toxic fills further apart than the window", () => {
    const both = guard({ pullBoth: true });
    both.onMid(100, 0);
    both.onFill("sell", 100, 0);
    both.onFill("sell", 100, 10);
    both.onMid(100.2, 500);
    both.onMid(100.2, 2_000);
    expect(both.isPulled("buy", 2_000) && both.isPulled("sell", 2_000)).toBe(true);

    const apart = guard();
    apart.onMid(100, 0);
    apart.onFill("sell", 100, 0);
    apart.onMid(100.2, 500);
    apart.onMid(100, 20_000);
    apart.onFill("sell", 100, 20_000);
    apart.onMid(100.2, 20_500);
    apart.onMid(100.2, 22_000);
    expect(apart.isPulled("sell", 22_000)).toBe(false);
  });

  it("never locks a side: after any toxic run, a side is quoted again and unwidened by recovery + cool-down", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000_000_000 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 200 }),
        (seed, pullFills, fills) => {
          const random = createRandom(seed);
          const g = guard({
            pullFills,
            recoveryMs: 20_000,
            pullCooldownMs: 15_000,
            pullBoth: random.next() < 0.5,
          });
          let mid = 100;
          let t = 0;
          for (let i = 0; i < fills; i++) {
            t += 1 + random.nextInt(3_000);
            const side = random.next() < 0.7 ? "buy" : "sell";
            if (!g.isPulled(side, t)) g.onFill(side, mid, t);
            mid *= 1 + (side === "buy" ? -1 : 1) * random.next() * 0.002; // runs through our fills
            g.onMid(mid, t);
          }
          const last = t;
          for (t = last; t <= last + 40_000; t += 500) g.onMid(mid, t);
          for (const side of ["buy", "sell"] as const) {
            expect(g.isPulled(side, t)).toBe(false);
            expect(g.extraBps(side)).toBe(0);
          }
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("names the setting it rejects", () => {
    expect(() => guard({ recoveryMs: 1_000 })).toThrow("recoveryMs must be > horizonMs (1000), got 1000");
    expect(() => guard({ pullFills: 1.5 })).toThrow(/pullFills must be an integer ≥ 0/);
    expect(() => guard({ pullCooldownMs: 0 })).toThrow(/pullCooldownMs must be > 0/);
  });
});
