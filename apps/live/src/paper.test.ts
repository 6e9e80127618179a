import { type L2Book, ManualClock, type VenueEvent } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { PaperVenue } from "./paper.ts";
import { SCRIPT_INSTRUMENT, ScriptedMarket } from "./test-support.ts";

const HOUR_MS = 3_600_000;
const T0 = Date.UTC(2025, 0, 1, 0, 59);

function book(time: number, bid: number, ask: number): VenueEvent {
  const levels = (from: number, step: number): L2Book["bids"] =>
    [0, 1, 2].map((i) => ({ price: from + i * step, size: 0.01 }));
  return {
    type: "book",
    book: { coin: "BTC", time, bids: levels(bid, -1), asks: levels(ask, 1) },
    receivedAt: time,
  };
}

async function paperWithBook() {
  const clock = new ManualClock(T0);
  const market = new ScriptedMarket([SCRIPT_INSTRUMENT]);
  const paper = new PaperVenue({
    market,
    clock,
    makerFee: 0.0001,
    takerFee: 0.0005,
    capitalUsd: 10_000,
    funding: { type: "constant", ratePerHour: 0.001 },
  });
  await paper.instruments();
  const events: VenueEvent[] = [];
  await paper.subscribe({ coins: ["BTC"], book: "l2", trades: false, account: true }, (event) =>
    events.push(event),
  );
  market.emit(book(T0, 60_000, 60_002));
  return { clock, market, paper, events };
}

const order = (clientId: string, side: "buy" | "sell", price: number, size: number) => ({
  clientId,
  coin: "BTC",
  side,
  price,
  size,
  timeInForce: "alo" as const,
  reduceOnly: false,
});

describe("PaperVenue execution", () => {
  it("rejects a post-only order that would cross as post-only, and a modify of a gone order as order-gone", async () => {
    const { paper } = await paperWithBook();
    const [crossing] = await paper.placeOrders([order("1", "buy", 60_002, 0.001)]);
    expect(crossing).toMatchObject({ status: "rejected", rejection: "post-only" });
    const [gone] = await paper.modifyOrders([{ ...order("2", "buy", 59_999, 0.001), newClientId: "3" }]);
    expect(gone).toMatchObject({ status: "rejected", rejection: "order-gone" });
  });

  it("keeps the old order when its replacement would cross (as Hyperliquid does)", async () => {
    const { paper } = await paperWithBook();
    await paper.placeOrders([order("1", "buy", 59_999, 0.001)]);
    const [refused] = await paper.modifyOrders([{ ...order("1", "buy", 60_003, 0.001), newClientId: "2" }]);
    expect(refused).toMatchObject({ status: "rejected", rejection: "post-only" });
    expect((await paper.openOrders()).map((open) => open.clientId)).toEqual(["1"]);
  });

  it("fills a reduce-only IOC at once across the book up to its limit, at the taker fee, never growing the position", async () => {
    const { market, paper, events } = await paperWithBook();
    // A long of 0.015 from two bids the book crosses.
    await paper.placeOrders([order("1", "buy", 59_999, 0.015)]);
    market.emit(book(T0 + 500, 59_990, 59_998));
    expect((await paper.position("BTC")).size).toBeCloseTo(0.015, 9);
    // Sell 0.05 reduce-only down to 59,989: only the 0.015 held is sold, 0.01 at 59,990 and 0.005 at 59,989.
    const [exit] = await paper.placeOrders([
      { ...order("2", "sell", 59_989, 0.05), timeInForce: "ioc", reduceOnly: true },
    ]);
    expect(exit).toMatchObject({ status: "filled" });
    expect(exit!.filledSize).toBeCloseTo(0.015, 9);
    expect(exit!.averagePrice).toBeCloseTo((0.01 * 59_990 + 0.005 * 59_989) / 0.015, 6);
    const fill = events.filter((event) => event.type === "fill").at(-1);
    expect(fill?.type === "fill" && fill.fill.liquidity).toBe("taker");
    expect(fill?.type === "fill" && fill.fill.fee).toBeCloseTo(0.0005 * exit!.averagePrice! * 0.015, 9);
    expect((await paper.position("BTC")).size).toBeCloseTo(0, 9);
    expect(await paper.openOrders()).toEqual([]);
    // Nothing left to reduce: refused, and no fill.
    const [again] = await paper.placeOrders([
      { ...order("3", "sell", 59_000, 0.01), timeInForce: "ioc", reduceOnly: true },
    ]);
    expect(again?.status).toBe("rejected");
  });

  it("charges funding on the position at the hour's first market event, at the last mid", async () => {
    const { market, paper, events } = await paperWithBook();
    await paper.placeOrders([order("1", "buy", 59_999, 0.01)]);
    market.emit(book(T0 + 500, 59_990, 59_998)); // crosses the bid: long 0.01
    market.emit(book(T0 + HOUR_MS / 60 - 1, 59_990, 59_998)); // 00:59:59.999: not yet
    expect(events.some((event) => event.type === "funding")).toBe(false);
    market.emit(book(T0 + HOUR_MS / 60, 60_100, 60_102)); // 01:00:00: charged at the 59,994 mid before it
    const funding = events.filter((event) => event.type === "funding");
    expect(funding).toHaveLength(1);
    expect(funding[0]?.type === "funding" && funding[0].funding.paymentUsd).toBeCloseTo(
      -0.01 * 59_994 * 0.001,
      9,
    );
    market.emit(book(T0 + HOUR_MS / 60 + 500, 60_100, 60_102));
    expect(events.filter((event) => event.type === "funding")).toHaveLength(1);
  });
});
