import { describe, expect, it } from "vitest";
import { coinSpec, MatchingEngine, TIER0_FEES } from "./engine.ts";
import { answerInfo } from "./info.ts";
import type { Hex } from "./wire.ts";

const USER = "0x00000000000000000000000000000000000000aa" as Hex;
const NOW = 1_700_000_000_000;

function engineKeeping(ordersKept: number): MatchingEngine {
  const engine = new MatchingEngine([coinSpec("BTC")], {
    fees: TIER0_FEES,
    maxOpenOrders: 1000,
    scheduleCancelMinVolumeUsd: 0,
    scheduleCancelMaxTriggersPerDay: 10,
    ordersKept,
  });
  engine.addAccount(USER, 1_000_000);
  return engine;
}

/** Places a post-only bid on the empty book (it rests) and returns its oid. */
function restingBid(engine: MatchingEngine, px: string): number {
  const status = engine.placeOrder(
    USER,
    { a: 0, b: true, p: px, s: "0.001", r: false, t: { limit: { tif: "Alo" } } },
    NOW,
  );
  if (!("resting" in status)) throw new Error(`expected a resting order, got ${JSON.stringify(status)}`);
  return status.resting.oid;
}

describe("order history", () => {
  it("forgets the oldest closed orders past ordersKept and never an open one", () => {
    const engine = engineKeeping(3);
    const open = restingBid(engine, "90000");
    const closed: number[] = [];
    for (let i = 0; i < 5; i++) {
      const oid = restingBid(engine, String(91000 + i));
      expect(engine.cancel(USER, 0, oid, NOW)).toBe("success");
      closed.push(oid);
    }
    expect(engine.orders.size).toBe(3);
    expect(engine.orders.has(open)).toBe(true);
    expect([...engine.orders.keys()]).toEqual([open, closed[3], closed[4]]);
    const status = (oid: number) =>
      (answerInfo(engine, { type: "orderStatus", user: USER, oid }, NOW).data as { status: string }).status;
    expect(status(open)).toBe("order");
    expect(status(closed[4] ?? 0)).toBe("order");
    expect(status(closed[0] ?? 0)).toBe("unknownOid");
  });

  it("keeps the order just placed even when every older order is still open", () => {
    const engine = engineKeeping(2);
    const oids = [restingBid(engine, "90000"), restingBid(engine, "90001"), restingBid(engine, "90002")];
    expect([...engine.orders.keys()]).toEqual(oids);
  });
});

describe("matching on the shared book", () => {
  const btc = (engine: MatchingEngine) => engine.coins[0]!;
  const statusOf = (engine: MatchingEngine, oid: number) => engine.orders.get(oid)?.status;

  it("cancels the user's own resting order in the taker's way (self-trade prevention) and trades on", () => {
    const engine = engineKeeping(100);
    const coin = btc(engine);
    engine.setBackground(coin, new Map([[999_000, 1_000]]), new Map([[1_001_000, 1_000]]), NOW);
    const bid = restingBid(engine, "100000");
    const taken = engine.placeOrder(
      USER,
      { a: 0, b: false, p: "99900", s: "0.002", r: false, t: { limit: { tif: "Ioc" } } },
      NOW,
    );
    expect(statusOf(engine, bid)).toBe("selfTradeCanceled");
    expect(taken).toMatchObject({ filled: { totalSz: "0.002", avgPx: "99900" } });
    expect(engine.accounts.get(USER)?.positions.get("BTC")).toMatchObject({ sziInt: -200, entryPx: 99_900 });
  });

  it("fills a resting order as maker at its own price when the background moves through it", () => {
    const engine = engineKeeping(100);
    const coin = btc(engine);
    engine.setBackground(coin, new Map([[999_000, 1_000]]), new Map([[1_001_000, 1_000]]), NOW);
    const bid = restingBid(engine, "100000");
    engine.setBackground(coin, new Map([[998_000, 1_000]]), new Map([[999_900, 1_000]]), NOW + 1);
    expect(statusOf(engine, bid)).toBe("filled");
    const [fill] = engine.accounts.get(USER)?.fills ?? [];
    expect(fill).toMatchObject({ px: "100000", sz: "0.001", crossed: false, dir: "Open Long" });
    expect(Number(fill?.fee)).toBeCloseTo(100_000 * 0.001 * TIER0_FEES.maker, 9);
  });

  it("puts an order whose modify is refused back in its place in the queue", () => {
    const engine = engineKeeping(100);
    const coin = btc(engine);
    engine.setBackground(coin, new Map([[999_000, 1_000]]), new Map([[1_001_000, 1_000]]), NOW);
    const first = restingBid(engine, "99900");
    const second = restingBid(engine, "99900");
    const refused = engine.modify(
      USER,
      first,
      { a: 0, b: true, p: "100100", s: "0.001", r: false, t: { limit: { tif: "Alo" } } },
      NOW,
    );
    expect(refused).toMatchObject({ error: expect.stringMatching(/^Post only order would have/) });
    // A seller of the background ahead (1,000 lots) plus one order (100 lots) fills the first, not the second.
    engine.matchTaker(coin, false, null, 1_100, null, NOW);
    expect(statusOf(engine, first)).toBe("filled");
    expect(statusOf(engine, second)).toBe("open");
  });
});
