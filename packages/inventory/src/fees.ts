import type { FeeSchedule, Liquidity } from "@botmm/core";
import { InventoryInputError, invalidPrice, invalidRate, invalidSize } from "./errors.ts";

/**
 * The fee of one fill under a {@link FeeSchedule}: `rate × price × size`, in quote currency (USD) and signed
 * as a cost like `Fill.fee`: positive = paid, negative = a rebate received. The rate is the schedule's
 * `makerRate` or `takerRate` by `liquidity`. Hyperliquid's tier-0 maker rate is a cost (+0.015%), not a
 * rebate; only a schedule with a negative rate yields a rebate.
 *
 * @example
 * ```ts
 * import { HYPERLIQUID_TIER0_FEES } from "@botmm/core";
 * feeFromSchedule(HYPERLIQUID_TIER0_FEES, "maker", 100_000, 0.1); // 1.5 (paid)
 * feeFromSchedule({ makerRate: -0.0001, takerRate: 0.0005 }, "maker", 100_000, 0.1); // -1 (rebate)
 * ```
 */
export function feeFromSchedule(
  schedule: FeeSchedule,
  liquidity: Liquidity,
  price: number,
  size: number,
): number {
  let rate: number;
  if (liquidity === "maker") {
    rate = schedule.makerRate;
    if (!Number.isFinite(rate)) throw invalidRate("schedule.makerRate", rate);
  } else if (liquidity === "taker") {
    rate = schedule.takerRate;
    if (!Number.isFinite(rate)) throw invalidRate("schedule.takerRate", rate);
  } else {
    throw new InventoryInputError(
      "INVALID_LIQUIDITY",
      "liquidity",
      `liquidity must be "maker" or "taker", got ${JSON.stringify(liquidity)}`,
    );
  }
  if (!(price > 0 && price < Number.POSITIVE_INFINITY)) throw invalidPrice("price", price);
  if (!(size > 0 && size < Number.POSITIVE_INFINITY)) throw invalidSize("size", size);
  return rate * price * size;
}
