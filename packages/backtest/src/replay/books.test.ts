import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bookProblem,
  bookViewProblem,
  DepthBook,
  type DepthSnapshot,
  levelsProblem,
  priceDecimals,
  snapshotBookEvent,
} from "./books.ts";
import type { LevelView } from "./types.ts";

describe("book checks", () => {
  it("tells crossed and locked books from sound and one-sided ones", () => {
    expect(bookProblem([[100, 1, 1]], [[101, 1, 1]])).toBeNull();
    expect(bookProblem([[101, 1, 1]], [[101, 1, 1]])).toBe("locked");
    expect(bookProblem([[102, 1, 1]], [[101, 1, 1]])).toBe("crossed");
    expect(bookProblem([], [[101, 1, 1]])).toBeNull();
  });

  it("names unsorted levels and non-positive prices and sizes", () => {
    expect(
      levelsProblem(
        [
          [100, 1, 1],
          [99, 2, 1],
        ],
        "bids",
      ),
    ).toBeNull();
    expect(
      levelsProblem(
        [
          [100, 1, 1],
          [101, 2, 1],
        ],
        "bids",
      ),
    ).toMatch(/^bids\[1\] price 101 is not below bids\[0\] price 100/);
    expect(
      levelsProblem(
        [
          [100, 1, 1],
          [100, 2, 1],
        ],
        "asks",
      ),
    ).toMatch(/^asks\[1\] price 100 is not above/);
    expect(levelsProblem([[100, 0, 1]], "asks")).toBe("asks[0] size must be > 0, got 0");
    expect(levelsProblem([[-1, 1, 1]], "bids")).toBe("bids[0] price must be > 0, got -1");
    expect(levelsProblem([[Number.NaN, 1, 1]], "bids")).toBe("bids[0] price must be > 0, got NaN");
  });

  it("reads a book's decimal tick from its prices", () => {
    expect(
      priceDecimals([
        [61837.63, 1, 0],
        [61837.5, 2, 0],
      ]),
    ).toBe(2);
    expect(
      priceDecimals([
        [61800.2, 1, 0],
        [0.1 + 0.2, 1, 0],
      ]),
    ).toBe(1);
    expect(priceDecimals([[105055, 1, 0]])).toBe(0);
  });
});

describe("DepthBook", () => {
  it("applies a snapshot and diffs, best first, and never changes a book it returned", () => {
    const book = new DepthBook();
    book.replace(
      [
        [100, 1],
        [99, 2],
        [98, 0],
      ],
      [
        [101, 2],
        [102, 1],
      ],
    );
    const before = book.bids();
    book.set("bid", 100.5, 3);
    book.set("bid", 99, 0);
    book.set("ask", 101, 5);
    book.set("ask", 100.9, 0); // absent: nothing to remove
    expect(before).toEqual([
      [100, 1, 0],
      [99, 2, 0],
    ]);
    expect(book.bids()).toEqual([
      [100.5, 3, 0],
      [100, 1, 0],
    ]);
    expect(book.asks()).toEqual([
      [101, 5, 0],
      [102, 1, 0],
    ]);
    expect(book.depth).toEqual({ bids: 2, asks: 2 });
  });

  it("snapshots never change and their views read as the arrays, across chunk splits (property, seeded)", () => {
    const seed = 20261206;
    const update = fc.record({
      bid: fc.boolean(),
      // Wide enough for a side to hold several hundred levels: chunks of 64 split and empty out.
      tick: fc.integer({ min: 0, max: 400 }),
      size: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 9 })),
      snapshot: fc.boolean(),
    });
    const expected = (side: Map<number, number>, descending: boolean) =>
      [...side].sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0])).map(([p, s]) => [p, s, 0]);
    const viewed = (view: LevelView) => {
      const levels: number[][] = [];
      for (let i = 0; i < view.length; i++) levels.push([view.price(i), view.size(i), 0]);
      // Reading backwards (the cursor walks back to the best end) gives the same levels.
      for (let i = view.length - 1; i >= 0; i--) {
        if (view.price(i) !== levels[i]![0] || view.size(i) !== levels[i]![1])
          throw new Error(`level ${i} differs`);
      }
      return levels;
    };
    try {
      fc.assert(
        fc.property(fc.array(update, { minLength: 100, maxLength: 1500 }), (updates) => {
          const book = new DepthBook();
          const bids = new Map<number, number>();
          const asks = new Map<number, number>();
          const taken: { snapshot: DepthSnapshot; bids: number[][]; asks: number[][] }[] = [];
          for (const { bid, tick, size, snapshot } of updates) {
            const price = bid ? 1000 - tick : 1001 + tick;
            book.set(bid ? "bid" : "ask", price, size);
            const side = bid ? bids : asks;
            if (size > 0) side.set(price, size);
            else side.delete(price);
            if (snapshot) {
              taken.push({
                snapshot: book.snapshot(),
                bids: expected(bids, true),
                asks: expected(asks, false),
              });
            }
          }
          for (const { snapshot, bids: wantBids, asks: wantAsks } of taken) {
            expect(snapshot.bidLevels()).toEqual(wantBids);
            expect(snapshot.askLevels()).toEqual(wantAsks);
            expect(viewed(snapshot.bids)).toEqual(wantBids);
            expect(viewed(snapshot.asks)).toEqual(wantAsks);
          }
          expect(book.bids()).toEqual(expected(bids, true));
          expect(book.asks()).toEqual(expected(asks, false));
          expect(book.depth).toEqual({ bids: bids.size, asks: asks.size });
        }),
        { seed, numRuns: 100 },
      );
    } catch (error) {
      throw new Error(`DepthBook snapshot property failed (seed ${seed}): ${(error as Error).message}`);
    }
  });

  it("a snapshot event builds its arrays only when read, and reads as a plain book", () => {
    const book = new DepthBook();
    book.replace([[100, 1]], [[101, 2]]);
    const event = snapshotBookEvent("BTC", 5, 6, book.snapshot());
    book.set("bid", 100.5, 3);
    expect(event.view?.bids.price(0)).toBe(100);
    expect(bookViewProblem(event.view!)).toBeNull();
    expect(event.bids).toEqual([[100, 1, 0]]);
    expect(JSON.parse(JSON.stringify(event))).toEqual({
      type: "book",
      coin: "BTC",
      t: 5,
      lt: 6,
      bids: [[100, 1, 0]],
      asks: [[101, 2, 0]],
    });
    // Levels written over: the view is dropped, so nothing reads stale levels.
    event.asks = [[100.4, 1, 0]];
    expect(event.view).toBeUndefined();
    expect(event.bids).toEqual([[100, 1, 0]]);
    const crossed = new DepthBook();
    crossed.replace([[101, 1]], [[100, 1]]);
    expect(bookViewProblem(crossed.snapshot())).toBe("crossed");
  });

  it("matches a map of price → size under any sequence of updates (property, seeded)", () => {
    const seed = 20250904;
    const update = fc.record({
      bid: fc.boolean(),
      tick: fc.integer({ min: 0, max: 60 }),
      size: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 9 })),
    });
    try {
      fc.assert(
        fc.property(fc.array(update, { maxLength: 200 }), (updates) => {
          const book = new DepthBook();
          const bids = new Map<number, number>();
          const asks = new Map<number, number>();
          for (const { bid, tick, size } of updates) {
            const price = bid ? 1000 - tick : 1001 + tick;
            book.set(bid ? "bid" : "ask", price, size);
            const side = bid ? bids : asks;
            if (size > 0) side.set(price, size);
            else side.delete(price);
          }
          const expected = (side: Map<number, number>, descending: boolean) =>
            [...side].sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0])).map(([p, s]) => [p, s, 0]);
          expect(book.bids()).toEqual(expected(bids, true));
          expect(book.asks()).toEqual(expected(asks, false));
        }),
        { seed, numRuns: 200 },
      );
    } catch (error) {
      throw new Error(`DepthBook property failed (seed ${seed}): ${(error as Error).message}`);
    }
  });
});
