import { hyperliquidPerpInstrument } from "@botmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  fillFromWire,
  fromWireTif,
  orderStatusFromWire,
  orderStatusToResult,
  orderUpdateFromWire,
  prepareOrder,
  rejectionKind,
  toWireTif,
} from "./convert.ts";

const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });
const sol = hyperliquidPerpInstrument({ coin: "SOL", assetId: 5, szDecimals: 2, maxLeverage: 20 });
const PREFIX = "b07a11ce00000001";

describe("prepareOrder", () => {
  it("rounds bids down, asks up and sizes down, exactly", () => {
    expect(prepareOrder(btc, "buy", 43210.87, 0.0012349)).toEqual({
      ok: true,
      price: "43210",
      size: "0.00123",
    });
    expect(prepareOrder(btc, "sell", 43210.07, 0.0012349)).toEqual({
      ok: true,
      price: "43211",
      size: "0.00123",
    });
    expect(prepareOrder(sol, "buy", 123.4567, 1.239)).toEqual({ ok: true, price: "123.45", size: "1.23" });
    expect(prepareOrder(sol, "sell", 0.1 + 0.2, 100)).toEqual({ ok: true, price: "0.3", size: "100" });
  });

  it("refuses orders under $10 after rounding and orders rounding to zero", () => {
    const small = prepareOrder(btc, "buy", 43210, 0.0002);
    expect(small).toMatchObject({ ok: false });
    expect(!small.ok && small.reason).toMatch(/^Order must have minimum value of \$10\. .*43210 × 0\.0002/);
    expect(prepareOrder(btc, "buy", 43210, 0.000001)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/rounds to 0/),
    });
    expect(prepareOrder(btc, "buy", -1, 1)).toMatchObject({ ok: false });
  });

  it("never makes a quote more aggressive and always meets the venue's rules when it accepts", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 200_000, noNaN: true }),
        fc.double({ min: 0.00001, max: 10, noNaN: true }),
        fc.boolean(),
        (price, size, isBuy) => {
          const prepared = prepareOrder(btc, isBuy ? "buy" : "sell", price, size);
          if (!prepared.ok) return;
          const p = Number(prepared.price);
          if (isBuy) expect(p).toBeLessThanOrEqual(price * (1 + 1e-12));
          else expect(p).toBeGreaterThanOrEqual(price * (1 - 1e-12));
          expect(Number(prepared.size)).toBeLessThanOrEqual(size * (1 + 1e-12)); // core reads floats to 15 digits
          expect(p * Number(prepared.size)).toBeGreaterThanOrEqual(10 - 1e-9);
        },
      ),
      { seed: 1 },
    );
  });
});

describe("wire conversions", () => {
  it("maps times in force both ways", () => {
    expect([toWireTif("alo"), toWireTif("gtc"), toWireTif("ioc")]).toEqual(["Alo", "Gtc", "Ioc"]);
    expect([fromWireTif("Alo"), fromWireTif("Gtc"), fromWireTif("Ioc"), fromWireTif(null)]).toEqual([
      "alo",
      "gtc",
      "ioc",
      "gtc",
    ]);
  });

  it("maps order statuses and batch statuses", () => {
    expect(orderStatusFromWire("open")).toBe("open");
    expect(orderStatusFromWire("filled")).toBe("filled");
    expect(orderStatusFromWire("canceled")).toBe("cancelled");
    expect(orderStatusFromWire("scheduledCancel")).toBe("cancelled");
    expect(orderStatusFromWire("selfTradeCanceled")).toBe("cancelled");
    expect(orderStatusFromWire("badAloPxRejected")).toBe("rejected");
    expect(orderStatusToResult("1", { resting: { oid: 5 } })).toEqual({
      clientId: "1",
      status: "open",
      venueOrderId: "5",
    });
    expect(orderStatusToResult("1", { filled: { oid: 5, totalSz: "0.1", avgPx: "100.5" } })).toEqual({
      clientId: "1",
      status: "filled",
      venueOrderId: "5",
      filledSize: 0.1,
      averagePrice: 100.5,
    });
    expect(orderStatusToResult("1", { error: "boom" })).toEqual({
      clientId: "1",
      status: "rejected",
      venueOrderId: null,
      reason: "boom",
      rejection: "other",
    });
    expect(orderStatusToResult("1", "waitingForFill").status).toBe("unknown");
  });

  it("classifies Hyperliquid's refusals by kind, so the app matches no error strings", () => {
    const cases: [string, ReturnType<typeof rejectionKind>][] = [
      ["Post only order would have immediately matched, bbo was 60000@60001. asset=0", "post-only"],
      ["badAloPxRejected", "post-only"],
      ["Cannot modify canceled or filled order", "order-gone"],
      ["Order was never placed, already canceled, or filled. asset=0", "order-gone"],
      ["Insufficient margin to place order. asset=0", "margin"],
      [
        "Too many cumulative requests sent (10123 > 10000) for cumulative volume traded $0.0. Place taker orders to free up 1 request per USDC traded.",
        "rate-limit",
      ],
      ["Reduce only order would increase position. asset=0", "other"],
      ["Order must have minimum value of $10. asset=0", "other"],
    ];
    for (const [reason, kind] of cases) expect(rejectionKind(reason), reason).toBe(kind);
    expect(orderStatusToResult("9", { error: cases[0]![0] }).rejection).toBe("post-only");
  });

  it("turns fills into core fills: fee as a cost (builder fee included), crossed = taker, own client ids", () => {
    const wire = {
      coin: "BTC",
      px: "100000",
      sz: "0.01",
      side: "A" as const,
      time: 1,
      oid: 9,
      crossed: false,
      fee: "0.15",
      tid: 77,
      cloid: "0xb07a11ce00000001000000000000002a",
    };
    expect(fillFromWire(PREFIX, wire)).toEqual({
      clientId: "42",
      venueOrderId: "9",
      tradeId: "77",
      coin: "BTC",
      side: "sell",
      price: 100_000,
      size: 0.01,
      fee: 0.15,
      liquidity: "maker",
      time: 1,
    });
    expect(fillFromWire(PREFIX, { ...wire, fee: "-0.01" }).fee).toBe(-0.01); // a rebate
    expect(fillFromWire(PREFIX, { ...wire, crossed: true, builderFee: "0.05" })).toMatchObject({
      liquidity: "taker",
      fee: 0.2,
    });
    expect(fillFromWire(PREFIX, { ...wire, cloid: null }).clientId).toBeNull();
  });

  it("turns order updates into core updates with the venue's status word as reason", () => {
    const order = {
      coin: "BTC",
      side: "B" as const,
      limitPx: "1",
      sz: "1",
      oid: 3,
      timestamp: 1,
      origSz: "1",
    };
    expect(orderUpdateFromWire(PREFIX, { order, status: "scheduledCancel", statusTimestamp: 9 })).toEqual({
      clientId: null,
      venueOrderId: "3",
      coin: "BTC",
      status: "cancelled",
      reason: "scheduledCancel",
      time: 9,
    });
  });
});
