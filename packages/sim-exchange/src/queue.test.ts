import { describe, expect, it } from "vitest";
import { OrderQueue, type QueueLevel } from "./queue.ts";

const bids: QueueLevel[] = [
  [99, 10],
  [98, 20],
];
const asks: QueueLevel[] = [
  [101, 10],
  [102, 20],
];
const bid = { id: 1, side: "buy" as const, price: 99, size: 1 };

describe("OrderQueue", () => {
  it("risk-averse: behind 10, a 5-unit trade does not fill; a further 5.4 fills 0.4", () => {
    const queue = new OrderQueue<number>();
    queue.add(bid, bids, asks);
    expect(queue.get(1)?.ahead).toBe(10);
    expect(queue.onTrade({ side: "sell", price: 99, size: 5 })).toEqual([]);
    expect(queue.get(1)?.ahead).toBe(5);
    expect(queue.onTrade({ side: "buy", price: 99, size: 5 })).toEqual([]); // a buyer does not hit bids
    const fills = queue.onTrade({ side: "sell", price: 99, size: 5.4 });
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ id: 1, side: "buy", price: 99, source: "trade" });
    expect(fills[0]!.size).toBeCloseTo(0.4, 12);
    expect(fills[0]!.remaining).toBeCloseTo(0.6, 12);
    expect(queue.get(1)?.ahead).toBe(0);
    const rest = queue.onTrade({ side: "sell", price: 99, size: 1 });
    expect(rest.map((fill) => fill.remaining)).toEqual([0]);
    expect(queue.size).toBe(0);
  });

  it("risk-averse: a shrinking level only caps the quantity ahead", () => {
    const queue = new OrderQueue<number>({ model: { type: "risk-averse" } });
    queue.add(bid, bids, asks);
    queue.onBook([[99, 6]], asks);
    expect(queue.get(1)?.ahead).toBe(6);
    queue.onBook([[99, 8]], asks); // growth joins behind
    expect(queue.get(1)?.ahead).toBe(6);
  });

  it("probabilistic: a level shrinking net of trades advances the order", () => {
    // 4 ahead, 6 behind (levelQty 10); the level drops to 8 with no trades: 2 cancelled.
    const queue = new OrderQueue<number>({ model: { type: "probabilistic", power: 2 } });
    queue.add(bid, bids, asks);
    queue.onTrade({ side: "sell", price: 99, size: 6 }); // ahead 10 → 4, traded 6 since the book
    queue.onBook([[99, 4]], asks); // the trades explain the drop: levelQty 4, no cancel
    expect(queue.get(1)?.ahead).toBe(4);
    queue.onBook([[99, 10]], asks); // 6 join behind
    expect(queue.get(1)?.ahead).toBe(4);
    queue.onBook([[99, 8]], asks); // 2 cancelled: p = 36/(36+16) ahead of us with share 1 − p
    const p = 36 / 52;
    expect(queue.get(1)?.ahead).toBeCloseTo(4 - (1 - p) * 2, 12);
    // The risk-averse model keeps it at 4 (within the new size).
    const averse = new OrderQueue<number>();
    averse.add(bid, bids, asks);
    averse.onTrade({ side: "sell", price: 99, size: 6 });
    averse.onBook([[99, 4]], asks);
    averse.onBook([[99, 10]], asks);
    averse.onBook([[99, 8]], asks);
    expect(averse.get(1)?.ahead).toBe(4);
  });

  it("a trade through the price fills up to its size, best priced order first", () => {
    const queue = new OrderQueue<string>();
    queue.add({ id: "a", side: "buy", price: 99, size: 1 }, bids, asks);
    queue.add({ id: "b", side: "buy", price: 98, size: 2 }, bids, asks);
    const fills = queue.onTrade({ side: "sell", price: 97, size: 2.5 });
    expect(fills.map(({ id, size, source }) => ({ id, size, source }))).toEqual([
      { id: "a", size: 1, source: "trade-through" },
      { id: "b", size: 1.5, source: "trade-through" },
    ]);
    expect(queue.orders()).toEqual([{ id: "b", side: "buy", price: 98, remaining: 0.5, ahead: 20 }]);
  });

  it("rounds partial fills down to the lot", () => {
    const queue = new OrderQueue<number>({ lotStep: 0.1 });
    queue.add({ ...bid, price: 99.5 }, bids, asks); // a new level: 0 ahead
    expect(queue.get(1)?.ahead).toBe(0);
    expect(queue.onTrade({ side: "sell", price: 99.5, size: 0.05 })).toEqual([]);
    expect(queue.onTrade({ side: "sell", price: 99.5, size: 0.37 })[0]?.size).toBeCloseTo(0.3, 12);
  });

  it("fills a crossed order on a book unless told not to", () => {
    const crossed: QueueLevel[] = [[99, 3]];
    const queue = new OrderQueue<number>();
    queue.add({ id: 2, side: "sell", price: 101, size: 1 }, bids, asks);
    expect(queue.onBook([[101, 1]], [[102, 5]])).toEqual([
      { id: 2, side: "sell", price: 101, size: 1, remaining: 0, source: "book-cross" },
    ]);
    const tradesOnly = new OrderQueue<number>({ bookCrossFills: false });
    tradesOnly.add(bid, bids, asks);
    expect(tradesOnly.onBook(bids, crossed)).toEqual([]);
    expect(tradesOnly.has(1)).toBe(true);
    expect(tradesOnly.remove(1)).toBe(true);
    expect(tradesOnly.remove(1)).toBe(false);
    expect(tradesOnly.size).toBe(0);
  });
});
