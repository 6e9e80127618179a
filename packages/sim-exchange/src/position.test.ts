import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyFillToPosition, type SimPosition } from "./position.ts";

describe("applyFillToPosition", () => {
  it("opens at the fill price, averages adds, keeps the entry on reductions and realises PnL", () => {
    const open = applyFillToPosition({ size: 0, entryPrice: 0 }, 2, 100);
    expect(open).toMatchObject({ start: 0, size: 2, entryPrice: 100, closedPnl: 0 });
    const added = applyFillToPosition(open, 2, 110);
    expect(added).toMatchObject({ start: 2, size: 4, entryPrice: 105, closedPnl: 0 });
    const reduced = applyFillToPosition(added, -1, 115);
    expect(reduced).toMatchObject({ start: 4, size: 3, entryPrice: 105, closedPnl: 10 });
    const flipped = applyFillToPosition(reduced, -5, 95);
    expect(flipped).toMatchObject({ start: 3, size: -2, entryPrice: 95, closedPnl: -30 });
    expect(applyFillToPosition(flipped, 2, 90)).toMatchObject({
      start: -2,
      size: 0,
      entryPrice: 0,
      closedPnl: 10,
    });
  });

  it("charges the fee rate on the fill's notional, in base units", () => {
    expect(applyFillToPosition({ size: 0, entryPrice: 0 }, -4, 50, { feeRate: 0.01 })).toMatchObject({
      notional: 200,
      fee: 2,
    });
    const lots = applyFillToPosition({ size: 0, entryPrice: 0 }, 300, 100, {
      baseQty: (l) => l / 100,
      feeRate: 0.5,
    });
    expect([lots.notional, lots.fee]).toEqual([300, 150]);
    expect(applyFillToPosition({ size: 0, entryPrice: 0 }, 1, 100).fee).toBe(0);
  });

  it("reads sizes through the units it is given (lots, float noise)", () => {
    const lots = applyFillToPosition({ size: 300, entryPrice: 100 }, -100, 110, { baseQty: (l) => l / 100 });
    expect(lots.closedPnl).toBe(10);
    const noisy = applyFillToPosition({ size: 0.1, entryPrice: 100 }, 0.2, 100, {
      normalize: (s) => Math.round(s * 1e12) / 1e12,
    });
    expect(noisy.size).toBe(0.3);
  });

  it("realised plus unrealised PnL equals the fills' PnL at any mark", () => {
    const fill = fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 90, max: 110 }));
    fc.assert(
      fc.property(fc.array(fill, { maxLength: 30 }), fc.integer({ min: 80, max: 120 }), (fills, mark) => {
        let position: SimPosition = { size: 0, entryPrice: 0 };
        let realised = 0;
        let expected = 0;
        for (const [qty, price] of fills) {
          if (qty === 0) continue;
          const change = applyFillToPosition(position, qty, price);
          realised += change.closedPnl;
          position = change;
          expected += qty * (mark - price);
        }
        expect(realised + position.size * (mark - position.entryPrice)).toBeCloseTo(expected, 6);
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});
