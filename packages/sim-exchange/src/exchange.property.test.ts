import { type Instrument, instrumentSchema } from "@botmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SimExchange, type SimSide, type SimTimeInForce } from "./exchange.ts";

const btc = instrumentSchema.parse({
  venue: "test",
  coin: "BTCUSDT",
  assetId: 0,
  priceRule: { type: "tick", tickSize: "0.10" },
  sizeRule: { type: "step", stepSize: "0.001" },
  minNotionalUsd: 5,
  maxLeverage: 20,
}) as Instrument;

type Op =
  | { kind: "place"; account: string; side: SimSide; tif: SimTimeInForce; ticks: number; lots: number }
  | { kind: "modify"; account: string; pick: number; ticks: number; lots: number }
  | { kind: "cancel"; account: string; pick: number }
  | { kind: "take"; side: SimSide; lots: number };

const account = fc.constantFrom("a", "b");
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("place" as const),
    account,
    side: fc.constantFrom<SimSide>("buy", "sell"),
    tif: fc.constantFrom<SimTimeInForce>("gtc", "alo", "ioc"),
    ticks: fc.integer({ min: -5, max: 5 }),
    lots: fc.integer({ min: 1, max: 3_000 }),
  }),
  fc.record({
    kind: fc.constant("modify" as const),
    account,
    pick: fc.nat(),
    ticks: fc.integer({ min: -5, max: 5 }),
    lots: fc.integer({ min: 1, max: 3_000 }),
  }),
  fc.record({ kind: fc.constant("cancel" as const), account, pick: fc.nat() }),
  fc.record({
    kind: fc.constant("take" as const),
    side: fc.constantFrom<SimSide>("buy", "sell"),
    lots: fc.integer({ min: 1, max: 3_000 }),
  }),
);

const price = (ticks: number) => (60_000 + ticks * 0.1).toFixed(2);
const qty = (lots: number) => (lots / 1_000).toFixed(3);

describe("SimExchange properties", () => {
  it("never leaves the book crossed; positions equal the fills; post-only orders never take", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const sim = new SimExchange([{ instrument: btc, midPrice: 60_000 }], {
          houseLevels: 3,
          houseSize: 1,
          maxFills: 1_000_000,
        });
        let n = 0;
        for (const o of ops) {
          n++;
          if (o.kind === "place") {
            sim.place(
              o.account,
              {
                symbol: "BTCUSDT",
                side: o.side,
                timeInForce: o.tif,
                price: price(o.ticks),
                quantity: qty(o.lots),
                clientId: `c${n}`,
                reduceOnly: false,
              },
              n,
            );
          } else if (o.kind === "modify" || o.kind === "cancel") {
            const open = sim.openOrders(o.account);
            const target = open[o.pick % Math.max(1, open.length)];
            if (!target) continue;
            const ref = { symbol: "BTCUSDT", clientId: target.clientId };
            if (o.kind === "cancel") sim.cancel(o.account, ref, n);
            else sim.modify(o.account, ref, price(o.ticks), qty(o.lots), n);
          } else {
            sim.takeLiquidity("BTCUSDT", o.side, o.lots / 1_000, n);
          }
          const { bid, ask } = sim.top("BTCUSDT");
          if (bid && ask) expect(Number(bid.price)).toBeLessThan(Number(ask.price));
        }
        for (const who of ["a", "b"]) {
          const fills = sim.fills(who);
          const signed = fills.reduce((sum, f) => sum + (f.side === "buy" ? f.quantity : -f.quantity), 0);
          expect(sim.position(who, "BTCUSDT").size).toBeCloseTo(signed, 9);
          for (const f of fills) {
            const order = sim.find(who, { symbol: "BTCUSDT", orderId: f.orderId });
            if (order?.timeInForce === "alo") expect(f.liquidity).toBe("maker");
          }
          for (const order of sim.openOrders(who)) expect(order.executedQty).toBeLessThan(order.quantity);
        }
      }),
      { seed: 1, numRuns: 200 },
    );
  });
});
