import { InventoryInputError, invalidPrice, invalidRate } from "./errors.ts";

/**
 * The funding a position receives for one funding interval, in quote currency (USD):
 * `payment = −size × markPrice × rate`. Positive = received, negative = paid.
 *
 * Sign convention (Hyperliquid): a positive `rate` means longs pay shorts, so a long (`size > 0`) pays when the
 * rate is positive and receives when it is negative; a short is the mirror image. `rate` is the rate of this
 * one interval as a fraction (Hyperliquid pays hourly; 0.0000125 = 0.00125% per hour), not annualised.
 *
 * @example
 * ```ts
 * fundingPaymentUsd(2, 100, 0.0001); // -0.02: a long pays when the rate is positive
 * fundingPaymentUsd(-2, 100, 0.0001); // 0.02: the short receives it
 * ```
 */
export function fundingPaymentUsd(size: number, markPrice: number, rate: number): number {
  if (!Number.isFinite(size)) {
    throw new InventoryInputError(
      "INVALID_SIZE",
      "size",
      `size must be a finite number (signed), got ${size}`,
    );
  }
  if (!(markPrice > 0 && markPrice < Number.POSITIVE_INFINITY)) throw invalidPrice("markPrice", markPrice);
  if (!Number.isFinite(rate)) throw invalidRate("rate", rate);
  return size === 0 ? 0 : -size * markPrice * rate;
}
