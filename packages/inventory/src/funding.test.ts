import { describe, expect, it } from "vitest";
import { InventoryInputError } from "./errors.ts";
import { fundingPaymentUsd } from "./funding.ts";
import { Inventory } from "./inventory.ts";

describe("fundingPaymentUsd (positive rate: longs pay shorts)", () => {
  it("long pays a positive rate, receives a negative one", () => {
    expect(fundingPaymentUsd(2, 100, 0.0001)).toBeCloseTo(-0.02, 15);
    expect(fundingPaymentUsd(2, 100, -0.0001)).toBeCloseTo(0.02, 15);
  });

  it("short receives a positive rate, pays a negative one", () => {
    expect(fundingPaymentUsd(-2, 100, 0.0001)).toBeCloseTo(0.02, 15);
    expect(fundingPaymentUsd(-2, 100, -0.0001)).toBeCloseTo(-0.02, 15);
  });

  it("flat is 0 (not −0)", () => {
    expect(Object.is(fundingPaymentUsd(0, 100, 0.0001), 0)).toBe(true);
  });

  it("refuses non-finite input naming the field", () => {
    expect(() => fundingPaymentUsd(Number.NaN, 100, 0.0001)).toThrow(InventoryInputError);
    expect(() => fundingPaymentUsd(Number.NaN, 100, 0.0001)).toThrow("size must be a finite number");
    expect(() => fundingPaymentUsd(1, 0, 0.0001)).toThrow("markPrice must be a finite number > 0");
    expect(() => fundingPaymentUsd(1, 100, Number.NaN)).toThrow("rate must be a finite number");
  });
});

describe("Inventory.recordFundingPayment", () => {
  it("books the venue's amount as is, signed as received, and survives a snapshot", () => {
    const inventory = new Inventory({ coin: "BTC", maxPositionUsd: 1_000 });
    inventory.applyFill({
      clientId: null,
      venueOrderId: null,
      tradeId: "t1",
      coin: "BTC",
      side: "buy",
      price: 100,
      size: 2,
      fee: 0,
      liquidity: "maker",
      time: 0,
    });
    inventory.recordFundingPayment(-0.02);
    inventory.recordFundingPayment(0.005);
    expect(inventory.fundingPnlUsd).toBeCloseTo(-0.015, 12);
    expect(inventory.totalPnlUsd(100)).toBeCloseTo(-0.015, 12);
    expect(Inventory.fromSnapshot(JSON.parse(JSON.stringify(inventory))).fundingPnlUsd).toBeCloseTo(
      -0.015,
      12,
    );
    expect(() => inventory.recordFundingPayment(Number.NaN)).toThrow(
      "paymentUsd must be a finite number, got NaN",
    );
  });
});
