import type { Liquidity } from "@botmm/core";
import { HYPERLIQUID_TIER0_FEES } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { InventoryInputError } from "./errors.ts";
import { feeFromSchedule } from "./fees.ts";

describe("feeFromSchedule", () => {
  it("tier-0 Hyperliquid fees are costs (positive), maker 1.5 bp and taker 4.5 bp", () => {
    expect(feeFromSchedule(HYPERLIQUID_TIER0_FEES, "maker", 100_000, 0.1)).toBeCloseTo(1.5, 12);
    expect(feeFromSchedule(HYPERLIQUID_TIER0_FEES, "taker", 100_000, 0.1)).toBeCloseTo(4.5, 12);
    expect(feeFromSchedule(HYPERLIQUID_TIER0_FEES, "maker", 100_000, 0.1)).toBeGreaterThan(0);
  });

  it("a negative rate is a rebate (negative fee)", () => {
    const schedule = { makerRate: -0.0001, takerRate: 0.0005 };
    expect(feeFromSchedule(schedule, "maker", 100_000, 0.1)).toBeCloseTo(-1, 12);
    expect(feeFromSchedule(schedule, "taker", 100_000, 0.1)).toBeCloseTo(5, 12);
  });

  it("refuses bad input naming the field", () => {
    const cases: [() => number, string, string][] = [
      [() => feeFromSchedule(HYPERLIQUID_TIER0_FEES, "maker", Number.NaN, 1), "INVALID_PRICE", "price"],
      [() => feeFromSchedule(HYPERLIQUID_TIER0_FEES, "maker", 100, 0), "INVALID_SIZE", "size"],
      [
        () => feeFromSchedule(HYPERLIQUID_TIER0_FEES, "x" as Liquidity, 100, 1),
        "INVALID_LIQUIDITY",
        "liquidity",
      ],
      [
        () => feeFromSchedule({ makerRate: Number.NaN, takerRate: 0 }, "maker", 100, 1),
        "INVALID_RATE",
        "schedule.makerRate",
      ],
      [
        () => feeFromSchedule({ makerRate: 0, takerRate: Number.POSITIVE_INFINITY }, "taker", 100, 1),
        "INVALID_RATE",
        "schedule.takerRate",
      ],
    ];
    for (const [action, code, field] of cases) {
      expect(action).toThrow(InventoryInputError);
      try {
        action();
      } catch (error) {
        expect((error as InventoryInputError).code).toBe(code);
        expect((error as InventoryInputError).field).toBe(field);
      }
    }
  });
});
