import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ImbalanceSkip } from "./imbalance-skip.ts";

const SEED = 20_261_206;

describe("ImbalanceSkip", () => {
  it("is the plain threshold when exit = enter and there is no hold (seeded)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.array(
          fc.record({
            imbalance: fc.double({ min: -1, max: 1, noNaN: true }),
            stepMs: fc.integer({ min: 0, max: 5_000 }),
            bidScale: fc.double({ min: 0, max: 1, noNaN: true }),
            askScale: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { maxLength: 50 },
        ),
        (enter, steps) => {
          const skip = new ImbalanceSkip({ enter, exit: enter, holdMs: 0 });
          let timeMs = 0;
          for (const step of steps) {
            timeMs += step.stepMs;
            skip.decide(step.imbalance, timeMs, step.bidScale, step.askScale);
            expect(skip.isSkipped("buy")).toBe(step.imbalance <= -enter / step.bidScale);
            expect(skip.isSkipped("sell")).toBe(step.imbalance >= enter / step.askScale);
          }
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("never skips a side whose imbalance never reached the threshold, whatever the exit and hold (seeded)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 0.95, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { maxLength: 50 }),
        (enter, exitShare, holdMs, imbalances) => {
          const skip = new ImbalanceSkip({ enter, exit: enter * exitShare, holdMs });
          let reachedBid = false;
          let reachedAsk = false;
          imbalances.forEach((imbalance, i) => {
            skip.decide(imbalance, i * 500);
            reachedBid ||= imbalance <= -enter;
            reachedAsk ||= imbalance >= enter;
            if (!reachedBid) expect(skip.isSkipped("buy")).toBe(false);
            if (!reachedAsk) expect(skip.isSkipped("sell")).toBe(false);
          });
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("keeps a side out until the imbalance is below the exit level for the hold", () => {
    const skip = new ImbalanceSkip({ enter: 0.8, exit: 0.5, holdMs: 2_000 });
    skip.decide(0.85, 0);
    expect([skip.isSkipped("buy"), skip.isSkipped("sell")]).toEqual([false, true]);
    skip.decide(0.6, 1_000); // below the threshold, beyond the exit level: the hold restarts
    skip.decide(0.2, 2_999);
    expect(skip.isSkipped("sell")).toBe(true);
    skip.decide(0.2, 3_000);
    expect(skip.isSkipped("sell")).toBe(false);
  });

  it("without a clock (candles) returns as soon as the imbalance is below the exit level", () => {
    const skip = new ImbalanceSkip({ enter: 0.8, exit: 0.5, holdMs: 10_000 });
    skip.decide(-0.9, Number.NaN);
    skip.decide(-0.6, Number.NaN);
    expect(skip.isSkipped("buy")).toBe(true);
    skip.decide(-0.4, Number.NaN);
    expect(skip.isSkipped("buy")).toBe(false);
  });

  it("never skips a side scaled to 0, and skips nothing without a book (NaN)", () => {
    const skip = new ImbalanceSkip({ enter: 0.8, exit: 0.5, holdMs: 10_000 });
    skip.decide(-0.95, 0, 0, 1);
    expect(skip.isSkipped("buy")).toBe(false);
    skip.decide(0.95, 1_000);
    expect(skip.isSkipped("sell")).toBe(true);
    skip.decide(Number.NaN, 1_100);
    expect([skip.isSkipped("buy"), skip.isSkipped("sell")]).toEqual([false, false]);
  });

  it("refuses settings out of range, naming them", () => {
    expect(() => new ImbalanceSkip({ enter: 1, exit: 0.5, holdMs: 0 })).toThrow(/enter must be in \(0, 1\)/);
    expect(() => new ImbalanceSkip({ enter: 0.5, exit: 0.6, holdMs: 0 })).toThrow(
      /exit must be in \(0, enter/,
    );
    expect(() => new ImbalanceSkip({ enter: 0.5, exit: 0.5, holdMs: -1 })).toThrow(/holdMs/);
  });
});
