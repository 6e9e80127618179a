import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bookImbalance, microprice, TradeFlow } from "./book-signals.ts";

const SEED = 20_261_206;

describe("microprice and book imbalance", () => {
  it("moves the mid towards the thinner side by imbalance × half spread", () => {
    expect(microprice(100, 101, 3, 1)).toBe(100.75);
    expect(microprice(100, 101, 1, 3)).toBe(100.25);
    expect(microprice(100, 101, 2, 2)).toBe(100.5);
    expect(bookImbalance(3, 1)).toBe(0.5);
  });

  it("is the mid without sizes and NaN without a two-sided book", () => {
    expect(microprice(100, 101, Number.NaN, Number.NaN)).toBe(100.5);
    expect(microprice(100, 101, 0, 0)).toBe(100.5);
    expect(microprice(Number.NaN, 101, 1, 1)).toBeNaN();
    expect(bookImbalance(-1, 2)).toBe(0);
  });

  it("stays inside the book for any sizes", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (bid, spread, bidSize, askSize) => {
          const ask = bid + spread;
          const price = microprice(bid, ask, bidSize, askSize);
          expect(price).toBeGreaterThanOrEqual(bid - 1e-9 * bid);
          expect(price).toBeLessThanOrEqual(ask + 1e-9 * ask);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe("TradeFlow", () => {
  it("measures the aggressor imbalance of the last window only", () => {
    const flow = new TradeFlow(5_000);
    flow.onTrade("buy", 3, 1_000);
    flow.onTrade("sell", 1, 2_000);
    expect(flow.imbalance(2_000)).toBe(0.5);
    expect(flow.imbalance(6_500)).toBe(-1); // the buy at 1 s has left the window
    expect(flow.imbalance(7_000)).toBe(0); // and the sell at 2 s
    flow.onTrade("buy", 2, 8_000);
    expect(flow.imbalance(8_000)).toBe(1);
  });

  it("drops the oldest trade when the ring is full, keeping the sums right", () => {
    const flow = new TradeFlow(60_000, 2);
    flow.onTrade("sell", 5, 0);
    flow.onTrade("buy", 1, 1);
    flow.onTrade("buy", 1, 2); // the sell is dropped
    expect(flow.imbalance(3)).toBe(1);
  });

  it("ignores trades without a positive size and names a bad window", () => {
    const flow = new TradeFlow(1_000);
    flow.onTrade("buy", 0, 0);
    flow.onTrade("buy", Number.NaN, 0);
    expect(flow.imbalance(0)).toBe(0);
    expect(() => new TradeFlow(0)).toThrow("TradeFlow windowMs must be > 0, got 0");
  });
});
