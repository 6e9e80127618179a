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
