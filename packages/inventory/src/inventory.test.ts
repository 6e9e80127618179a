import type { Fill, Liquidity, Side } from "@botmm/core";
import { BotmmError, HYPERLIQUID_TIER0_FEES } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { InventoryInputError } from "./errors.ts";
import { feeFromSchedule } from "./fees.ts";
import { Inventory } from "./inventory.ts";

function fill(side: Side, price: number, size: number, fee = 0, liquidity: Liquidity = "maker"): Fill {
  return {
    clientId: null,
    venueOrderId: null,
    tradeId: "t",
    coin: "BTC",
    side,
    price,
    size,
    fee,
    liquidity,
    time: 0,
  };
}

function ledger(maxPositionUsd = 1_000): Inventory {
  return new Inventory({ coin: "BTC", maxPositionUsd });
}

function expectInputError(action: () => unknown, code: string, field: string): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryInputError);
    expect(error).toBeInstanceOf(BotmmError);
    const inputError = error as InventoryInputError;
    expect(inputError.code).toBe(code);
    expect(inputError.field).toBe(field);
    expect(inputError.message).toContain(field);
    expect(inputError.name).toBe("InventoryInputError");
    return;
  }
  throw new Error(`expected ${code} on ${field}, nothing was thrown`);
}

describe("Inventory: position and realized PnL (hand-computed)", () => {
  it("starts flat", () => {
    const inventory = ledger();
    expect(inventory.size).toBe(0);
    expect(inventory.entryPrice).toBe(0);
    expect(inventory.unrealizedPnlUsd(100)).toBe(0);
    expect(inventory.notionalUsd(100)).toBe(0);
    expect(inventory.skew(100)).toBe(0);
    expect(inventory.totalPnlUsd(100)).toBe(0);
  });

  it("opens a long at the fill price", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 2));
    expect(inventory.size).toBe(2);
    expect(inventory.entryPrice).toBe(100);
    expect(inventory.realizedPnlUsd).toBe(0);
    expect(inventory.unrealizedPnlUsd(110)).toBe(20); // 2 × (110 − 100)
    expect(inventory.unrealizedPnlUsd(95)).toBe(-10);
    expect(inventory.notionalUsd(110)).toBe(220);
    expect(inventory.position()).toEqual({ coin: "BTC", size: 2, entryPrice: 100 });
  });

  it("opens a short at the fill price", () => {
    const inventory = ledger();
    inventory.applyFill(fill("sell", 100, 2));
    expect(inventory.size).toBe(-2);
    expect(inventory.entryPrice).toBe(100);
    expect(inventory.unrealizedPnlUsd(90)).toBe(20); // −2 × (90 − 100)
    expect(inventory.unrealizedPnlUsd(110)).toBe(-20);
    expect(inventory.notionalUsd(90)).toBe(-180);
  });

  it("averages the entry when adding at another price", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 2));
    inventory.applyFill(fill("buy", 130, 1));
    expect(inventory.size).toBe(3);
    expect(inventory.entryPrice).toBe(110); // (2 × 100 + 1 × 130) / 3
    expect(inventory.realizedPnlUsd).toBe(0);
    expect(inventory.unrealizedPnlUsd(120)).toBe(30);

    const short = ledger();
    short.applyFill(fill("sell", 100, 1));
    short.applyFill(fill("sell", 70, 2));
    expect(short.size).toBe(-3);
    expect(short.entryPrice).toBe(80); // (100 + 140) / 3
  });

  it("realizes PnL on a partial close and keeps the entry", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 2));
    inventory.applyFill(fill("buy", 130, 1)); // long 3 @ 110
    inventory.applyFill(fill("sell", 125, 1));
    expect(inventory.realizedPnlUsd).toBe(15); // 1 × (125 − 110)
    expect(inventory.size).toBe(2);
    expect(inventory.entryPrice).toBe(110);
    expect(inventory.unrealizedPnlUsd(120)).toBe(20);
  });

  it("realizes PnL on a full close and goes flat with entry 0", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 2));
    inventory.applyFill(fill("buy", 130, 1)); // long 3 @ 110
    inventory.applyFill(fill("sell", 125, 1)); // +15
    inventory.applyFill(fill("sell", 105, 2)); // 2 × (105 − 110) = −10
    expect(inventory.realizedPnlUsd).toBe(5);
    expect(inventory.size).toBe(0);
    expect(inventory.entryPrice).toBe(0);
    expect(inventory.unrealizedPnlUsd(1_000)).toBe(0);
    expect(inventory.totalPnlUsd(1_000)).toBe(5);
  });

  it("realizes a short's PnL when buying back", () => {
    const inventory = ledger();
    inventory.applyFill(fill("sell", 100, 2));
    inventory.applyFill(fill("buy", 90, 1));
    expect(inventory.realizedPnlUsd).toBe(10); // −1 × (90 − 100) for the short
    expect(inventory.size).toBe(-1);
    expect(inventory.entryPrice).toBe(100);
    inventory.applyFill(fill("buy", 104, 1));
    expect(inventory.realizedPnlUsd).toBe(6);
    expect(inventory.size).toBe(0);
  });

  it("flips long → short: realizes the closed part and opens the rest at the fill price", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 2));
    inventory.applyFill(fill("sell", 90, 5));
    expect(inventory.realizedPnlUsd).toBe(-20); // 2 × (90 − 100)
    expect(inventory.size).toBe(-3);
    expect(inventory.entryPrice).toBe(90);
    expect(inventory.unrealizedPnlUsd(80)).toBe(30); // −3 × (80 − 90)
    expect(inventory.totalPnlUsd(80)).toBe(10);
  });

  it("flips short → long", () => {
    const inventory = ledger();
    inventory.applyFill(fill("sell", 100, 1));
    inventory.applyFill(fill("buy", 95, 3));
    expect(inventory.realizedPnlUsd).toBe(5);
    expect(inventory.size).toBe(2);
    expect(inventory.entryPrice).toBe(95);
  });

  it("closes exactly despite float residue (no dust position)", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 0.1));
    inventory.applyFill(fill("buy", 100, 0.2));
    inventory.applyFill(fill("sell", 101, 0.3)); // 0.1 + 0.2 = 0.30000000000000004
    expect(inventory.size).toBe(0);
    expect(inventory.entryPrice).toBe(0);
    expect(inventory.realizedPnlUsd).toBeCloseTo(0.3, 12);
  });
});

describe("Inventory: fees (sign is a cost)", () => {
  it("a positive fee is paid and lowers the total", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 1, 0.015));
    expect(inventory.feesPaidUsd).toBe(0.015);
    expect(inventory.rebatesUsd).toBe(0);
    expect(inventory.netFeesUsd).toBe(0.015);
    expect(inventory.totalPnlUsd(100)).toBe(-0.015);
    expect(inventory.totalPnlUsd(100)).toBeLessThan(0);
  });

  it("a negative fee is a rebate and raises the total", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 1, -0.005));
    expect(inventory.feesPaidUsd).toBe(0);
    expect(inventory.rebatesUsd).toBe(0.005);
    expect(inventory.netFeesUsd).toBe(-0.005);
    expect(inventory.totalPnlUsd(100)).toBe(0.005);
    expect(inventory.totalPnlUsd(100)).toBeGreaterThan(0);
  });

  it("keeps paid and rebates apart and nets them", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 1, 0.045, "taker")); // paid
    inventory.applyFill(fill("sell", 102, 1, -0.01, "maker")); // rebate
    inventory.applyFill(fill("buy", 101, 1, 0.015, "maker")); // paid
    expect(inventory.feesPaidUsd).toBeCloseTo(0.06, 15);
    expect(inventory.rebatesUsd).toBe(0.01);
    expect(inventory.netFeesUsd).toBeCloseTo(0.05, 15);
    // realized 2, long 1 @ 101, mark 101 → total = 2 + 0 − 0.05
    expect(inventory.totalPnlUsd(101)).toBeCloseTo(1.95, 12);
  });

  it("a round trip at one price with tier-0 maker fees loses both fees", () => {
    const inventory = ledger(1_000_000);
    const price = 100_000;
    const size = 0.1;
    const fee = feeFromSchedule(HYPERLIQUID_TIER0_FEES, "maker", price, size);
    expect(fee).toBeCloseTo(1.5, 12); // cost, not a rebate
    inventory.applyFill(fill("buy", price, size, fee));
    inventory.applyFill(fill("sell", price, size, fee));
    expect(inventory.totalPnlUsd(price)).toBeCloseTo(-3, 12);
    expect(inventory.totals(price).netFeesUsd).toBeCloseTo(3, 12);
  });
});

describe("Inventory: funding (positive rate: longs pay shorts)", () => {
  it("a long pays a positive rate", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 2));
    expect(inventory.applyFunding(0.0001, 100)).toBeCloseTo(-0.02, 15);
    expect(inventory.fundingPnlUsd).toBeCloseTo(-0.02, 15);
    expect(inventory.totalPnlUsd(100)).toBeCloseTo(-0.02, 15);
  });

  it("a long receives a negative rate", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 2));
    expect(inventory.applyFunding(-0.0001, 100)).toBeCloseTo(0.02, 15);
    expect(inventory.fundingPnlUsd).toBeCloseTo(0.02, 15);
  });

  it("a short receives a positive rate", () => {
    const inventory = ledger();
    inventory.applyFill(fill("sell", 100, 2));
    expect(inventory.applyFunding(0.0001, 110)).toBeCloseTo(0.022, 15); // −(−2) × 110 × 0.0001
    expect(inventory.fundingPnlUsd).toBeCloseTo(0.022, 15);
    expect(inventory.totalPnlUsd(100)).toBeCloseTo(0.022, 15);
  });

  it("a short pays a negative rate", () => {
    const inventory = ledger();
    inventory.applyFill(fill("sell", 100, 2));
    expect(inventory.applyFunding(-0.0001, 100)).toBeCloseTo(-0.02, 15);
    expect(inventory.fundingPnlUsd).toBeCloseTo(-0.02, 15);
  });

  it("a flat position neither pays nor receives, and payments accumulate", () => {
    const inventory = ledger();
    expect(inventory.applyFunding(0.01, 100)).toBe(0);
    inventory.applyFill(fill("buy", 100, 1));
    inventory.applyFunding(0.001, 100); // −0.1
    inventory.applyFunding(-0.002, 100); // +0.2
    expect(inventory.fundingPnlUsd).toBeCloseTo(0.1, 15);
  });
});

describe("Inventory: totals, notional, skew, volume", () => {
  it("total = realized + unrealized − fees + funding", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 2, 0.03)); // long 2 @ 100
    inventory.applyFill(fill("sell", 110, 1, -0.011)); // realized +10, rebate
    inventory.applyFunding(0.0001, 105); // −1 × 105 × 0.0001 = −0.0105
    const totals = inventory.totals(120);
    expect(totals.markPrice).toBe(120);
    expect(totals.realizedPnlUsd).toBe(10);
    expect(totals.unrealizedPnlUsd).toBe(20);
    expect(totals.feesPaidUsd).toBe(0.03);
    expect(totals.rebatesUsd).toBe(0.011);
    expect(totals.netFeesUsd).toBeCloseTo(0.019, 15);
    expect(totals.fundingPnlUsd).toBeCloseTo(-0.0105, 15);
    expect(totals.totalPnlUsd).toBeCloseTo(10 + 20 - 0.019 - 0.0105, 12);
    expect(inventory.totalPnlUsd(120)).toBe(totals.totalPnlUsd);
  });

  it("skew is notional / maxPositionUsd clamped to [−1, 1]", () => {
    const inventory = ledger(1_000);
    inventory.applyFill(fill("buy", 100, 2));
    expect(inventory.skew(100)).toBe(0.2);
    expect(inventory.skew(1_000)).toBe(1); // 2 000 / 1 000 clamps
    inventory.applyFill(fill("sell", 100, 4));
    expect(inventory.skew(100)).toBe(-0.2);
    expect(inventory.skew(900)).toBe(-1);
  });

  it("counts volume, sides and maker/taker", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 2, 0, "maker"));
    inventory.applyFill(fill("sell", 110, 1, 0, "taker"));
    inventory.applyFill(fill("sell", 90, 3, 0, "maker"));
    expect(inventory.buyCount).toBe(1);
    expect(inventory.sellCount).toBe(2);
    expect(inventory.volumeBase).toBe(6);
    expect(inventory.volumeUsd).toBe(200 + 110 + 270);
    expect(inventory.makerVolumeUsd).toBe(470);
    expect(inventory.takerVolumeUsd).toBe(110);
    expect(inventory.makerVolumeBase).toBe(5);
    expect(inventory.takerVolumeBase).toBe(1);
  });
});

describe("Inventory: invalid input", () => {
  it("refuses bad options", () => {
    expectInputError(() => new Inventory({ coin: "", maxPositionUsd: 1 }), "INVALID_OPTION", "coin");
    for (const maxPositionUsd of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectInputError(
        () => new Inventory({ coin: "BTC", maxPositionUsd }),
        "INVALID_OPTION",
        "maxPositionUsd",
      );
    }
  });

  it("refuses bad fills and leaves the ledger unchanged", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 1, 0.01));
    const before = JSON.stringify(inventory);
    for (const price of [Number.NaN, 0, -1, Number.POSITIVE_INFINITY]) {
      expectInputError(() => inventory.applyFill(fill("buy", price, 1)), "INVALID_PRICE", "fill.price");
    }
    for (const size of [Number.NaN, 0, -1, Number.NEGATIVE_INFINITY]) {
      expectInputError(() => inventory.applyFill(fill("sell", 100, size)), "INVALID_SIZE", "fill.size");
    }
    for (const fee of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expectInputError(() => inventory.applyFill(fill("buy", 100, 1, fee)), "INVALID_FEE", "fill.fee");
    }
    expectInputError(
      () => inventory.applyFill({ ...fill("buy", 100, 1), side: "long" as Side }),
      "INVALID_SIDE",
      "fill.side",
    );
    expectInputError(
      () => inventory.applyFill({ ...fill("buy", 100, 1), liquidity: "both" as Liquidity }),
      "INVALID_LIQUIDITY",
      "fill.liquidity",
    );
    expectInputError(
      () => inventory.applyFill({ ...fill("buy", 100, 1), coin: "ETH" }),
      "COIN_MISMATCH",
      "fill.coin",
    );
    expect(JSON.stringify(inventory)).toBe(before);
  });

  it("says what it got", () => {
    expect(() => ledger().applyFill(fill("buy", Number.NaN, 1))).toThrow(
      "fill.price must be a finite number > 0, got NaN",
    );
    expect(() => ledger().applyFill({ ...fill("buy", 1, 1), side: {} as Side })).toThrow("got object");
  });

  it("refuses bad marks and rates", () => {
    const inventory = ledger();
    inventory.applyFill(fill("buy", 100, 1));
    for (const mark of [Number.NaN, 0, -5, Number.POSITIVE_INFINITY]) {
      expectInputError(() => inventory.unrealizedPnlUsd(mark), "INVALID_PRICE", "markPrice");
      expectInputError(() => inventory.notionalUsd(mark), "INVALID_PRICE", "markPrice");
      expectInputError(() => inventory.skew(mark), "INVALID_PRICE", "markPrice");
      expectInputError(() => inventory.totalPnlUsd(mark), "INVALID_PRICE", "markPrice");
      expectInputError(() => inventory.totals(mark), "INVALID_PRICE", "markPrice");
      expectInputError(() => inventory.applyFunding(0.0001, mark), "INVALID_PRICE", "markPrice");
    }
    for (const rate of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expectInputError(() => inventory.applyFunding(rate, 100), "INVALID_RATE", "rate");
    }
    expect(inventory.fundingPnlUsd).toBe(0);
  });
});
