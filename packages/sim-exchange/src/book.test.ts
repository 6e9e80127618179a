import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SimBook, type SimTaker } from "./book.ts";

interface Order {
  id: number;
  user: string;
  left: number;
}

const book = () => new SimBook<Order>({ remaining: (o) => o.left });

/** A taker of `size` that books trades into `trades` and takes filled makers off `target`. */
function taker(
  target: SimBook<Order>,
  isBuy: boolean,
  size: number,
  limit: number | null = null,
  extra: Partial<SimTaker<Order>> = {},
) {
  let left = size;
  const trades: [string, number, number][] = [];
  const run: SimTaker<Order> = {
    isBuy,
    limit,
    remaining: () => left,
    onBackground: (price, qty) => {
      trades.push(["bg", price, qty]);
      left -= qty;
    },
    onMaker: (maker, price, qty) => {
      trades.push([`#${maker.id}`, price, qty]);
      maker.left -= qty;
      left -= qty;
      if (maker.left === 0) target.remove(maker, !isBuy, price);
    },
    ...extra,
  };
  return { traded: target.match(run), trades, left: () => left };
}

describe("SimBook", () => {
  it("queues an order behind the background displayed at its price, and the background behind it after", () => {
    const b = book();
    b.setBackground(new Map([[99, 5]]), new Map([[101, 5]]));
    const first = { id: 1, user: "u", left: 2 };
    b.rest(first, true, 99);
    const { traded, trades } = taker(b, false, 8);
    expect(trades).toEqual([
      ["bg", 99, 5],
      ["#1", 99, 2],
    ]);
    expect(traded).toBe(7);
    expect(b.levels(true)).toEqual([]);
  });

  it("fills an order at a price with no background first, and never trades through the limit", () => {
    const b = book();
    b.setBackground(new Map([[98, 5]]), new Map([[101, 5]]));
    b.rest({ id: 1, user: "u", left: 2 }, true, 99);
    const { trades, left } = taker(b, false, 10, 98.5);
    expect(trades).toEqual([["#1", 99, 2]]);
    expect(left()).toBe(8);
    expect(b.levels(true)).toEqual([{ price: 98, size: 5, n: 1 }]);
  });

  it("applies the post-only rule against background and resting orders alike", () => {
    const b = book();
    b.setBackground(new Map([[99, 5]]), new Map([[102, 5]]));
    expect(b.crosses(true, 101)).toBe(false);
    b.rest({ id: 1, user: "u", left: 1 }, false, 101);
    expect(b.crosses(true, 101)).toBe(true);
    expect(b.crosses(false, 99)).toBe(true);
    expect(b.crosses(false, 99.5)).toBe(false);
  });

  it("shrinks the background ahead to what a new background displays, and hands crossed orders over", () => {
    const b = book();
    b.setBackground(new Map([[99, 5]]), new Map([[101, 5]]));
    const resting = { id: 1, user: "u", left: 2 };
    b.rest(resting, true, 99);
    b.setBackground(new Map([[99, 1]]), new Map([[101, 5]]));
    expect(taker(b, false, 2).trades).toEqual([
      ["bg", 99, 1],
      ["#1", 99, 1],
    ]);
    const crossed: number[] = [];
    b.setBackground(new Map([[97, 5]]), new Map([[98, 5]]), (order, isBid, price) => {
      crossed.push(order.id);
      b.remove(order, isBid, price);
    });
    expect(crossed).toEqual([1]);
    expect(b.queue(true)).toEqual([]);
  });

  it("keeps time priority with `before`, and puts a removed order back where it stood", () => {
    const b = book();
    const [a, c, d] = [1, 2, 3].map((id) => ({ id, user: "u", left: 1 })) as [Order, Order, Order];
    const time = new Map([
      [a, 5],
      [c, 7],
      [d, 6],
    ]);
    const before = (x: Order, y: Order) => (time.get(x) ?? 0) < (time.get(y) ?? 0);
    for (const o of [a, c, d]) b.rest(o, false, 101, before);
    expect(b.queue(false).map((o) => o.id)).toEqual([1, 3, 2]);
    const slot = b.remove(d, false, 101);
    expect(slot).toEqual({ index: 1, ahead: 0 });
    b.restore(d, false, 101, slot!);
    expect(b.queue(false).map((o) => o.id)).toEqual([1, 3, 2]);
    expect(b.remove(d, true, 101)).toBeUndefined();
  });

  it("asks self-trade prevention before trading with an order, which then leaves the book", () => {
    const b = book();
    b.rest({ id: 1, user: "me", left: 1 }, false, 101);
    b.rest({ id: 2, user: "other", left: 1 }, false, 101);
    const cancelled: number[] = [];
    const run = taker(b, true, 1, null, {
      selfTrade: (maker) => {
        if (maker.user !== "me") return false;
        cancelled.push(maker.id);
        b.remove(maker, false, 101);
        return true;
      },
    });
    expect(cancelled).toEqual([1]);
    expect(run.trades).toEqual([["#2", 101, 1]]);
  });

  it("trades what is available within the limit, best price first, and its levels add up", () => {
    const level = fc.tuple(fc.integer({ min: 95, max: 105 }), fc.integer({ min: 1, max: 9 }));
    fc.assert(
      fc.property(
        fc.array(level, { maxLength: 8 }),
        fc.array(fc.tuple(level, fc.boolean()), { maxLength: 8 }),
        fc.integer({ min: 1, max: 60 }),
        fc.option(fc.integer({ min: 95, max: 105 }), { nil: null }),
        (background, orders, size, limit) => {
          const b = book();
          b.setBackground(new Map(), new Map(background));
          orders.forEach(([[price, left]], id) => {
            b.rest({ id, user: "u", left }, false, price);
          });
          const available = b
            .levels(false)
            .filter((l) => limit === null || l.price <= limit)
            .reduce((sum, l) => sum + l.size, 0);
          const { traded, trades } = taker(b, true, size, limit);
          expect(traded).toBe(Math.min(size, available));
          const prices = trades.map((t) => t[1]);
          expect(prices).toEqual([...prices].sort((x, y) => x - y));
          if (limit !== null) for (const p of prices) expect(p).toBeLessThanOrEqual(limit);
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
});
