import { describe, expect, it } from "vitest";
import { hyperliquidPerpInstrument } from "./instrument.ts";
import type { RejectionKind } from "./venue.ts";
import { errorCodeIn, prepareWireOrder, rejectionKindByCode } from "./wire-order.ts";

const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });
const below = (min: number) => `below $${min}`;

describe("prepareWireOrder", () => {
  it("rounds bids down, asks up and sizes down", () => {
    expect(prepareWireOrder(btc, "buy", 43210.87, 0.001234, below)).toEqual({
      ok: true,
      price: "43210",
      size: "0.00123",
    });
    expect(prepareWireOrder(btc, "sell", 43210.2, 0.001239, below)).toEqual({
      ok: true,
      price: "43211",
      size: "0.00123",
    });
  });

  it("refuses below the minimum notional after rounding, in the venue's words first", () => {
    expect(prepareWireOrder(btc, "buy", 43210, 0.000239, below)).toEqual({
      ok: false,
      reason: "below $10 (refused locally, nothing sent: 43210 × 0.00023 after rounding)",
    });
  });

  it("refuses what cannot be rounded, naming the rule", () => {
    const result = prepareWireOrder(btc, "buy", Number.NaN, 0.001, below);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/^refused locally, nothing sent: /);
  });
});

describe("errorCodeIn", () => {
  it("reads the named field only", () => {
    expect(errorCodeIn('binanceusdm {"code":-2011,"msg":"Unknown order sent."}', "code")).toBe(-2011);
    expect(errorCodeIn('bybit {"retCode": 110001,"retMsg":"x"}', "retCode")).toBe(110001);
    expect(errorCodeIn('bybit {"retCode":110001}', "code")).toBeNull();
    expect(errorCodeIn("socket hang up", "code")).toBeNull();
  });
});

describe("rejectionKindByCode", () => {
  const kinds = new Map<number, RejectionKind>([
    [-5022, "post-only"],
    [-2019, "margin"],
  ]);

  it("prefers the venue's table, then the transport's error class", () => {
    expect(rejectionKindByCode(kinds, -5022, "RateLimitExceeded")).toBe("post-only");
    expect(rejectionKindByCode(kinds, -2019)).toBe("margin");
    expect(rejectionKindByCode(kinds, null, "DDoSProtection")).toBe("rate-limit");
    expect(rejectionKindByCode(kinds, 7, "InsufficientFunds")).toBe("margin");
    expect(rejectionKindByCode(kinds, 7)).toBe("other");
  });
});
