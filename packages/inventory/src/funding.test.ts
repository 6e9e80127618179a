import { describe, expect, it } from "vitest";
import { InventoryInputError } from "./errors.ts";
import { fundingPaymentUsd } from "./funding.ts";

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
