import { assertPeriod, rejectNumber } from "./errors.ts";

/**
 * Streaming Relative Strength Index with Wilder's smoothing (Wilder, 1978).
 *
 * With changes dₜ = priceₜ − priceₜ₋₁, gains gₜ = max(dₜ, 0) and losses lₜ = max(−dₜ, 0):
 * the first average gain/loss is the simple mean of the first `period` gains/losses, then
 * `avg ← (avg·(period − 1) + new) / period`. RSI = 100·avgGain / (avgGain + avgLoss), which equals the
 * textbook 100 − 100 / (1 + avgGain/avgLoss); it is 100 when there were only gains, 0 when there were only
 * losses and 50 (neutral) when the price did not move at all over the averaging window.
 *
 * Warm-up: the first value comes on update `period + 1` (it needs `period` changes).
 * O(1) per update, no allocation.
 *
 * @example
 * ```ts
 * import { WilderRsi } from "@botmm/signals";
 *
 * const rsi = new WilderRsi(2);
 * rsi.update(10); // null  (no change yet)
 * rsi.update(11); // null  (one change: +1)
 * rsi.update(10.5); // 66.67 (avgGain 0.5, avgLoss 0.25)
 * ```
 */
export class WilderRsi {
  /** Number of price changes in the averages. */
  readonly period: number;
  #count = 0;
  #previousPrice = Number.NaN;
  #averageGain = 0;
  #averageLoss = 0;
  #value = Number.NaN;

  /**
   * @param period - Integer ≥ 1 (in updates); 14 is Wilder's choice.
   * @throws {@link SignalsInputError} when `period` is not an integer ≥ 1.
   * @example
   * ```ts
   * const rsi14 = new WilderRsi();
   * ```
   */
  constructor(period = 14) {
    assertPeriod(period, "period");
    this.period = period;
  }

  /**
   * Adds one price and returns the RSI in [0, 100], or `null` during the first `period` updates.
   * @throws {@link SignalsInputError} when `price` is not finite.
   * @example
   * ```ts
   * const rsi = new WilderRsi(1);
   * rsi.update(100);
   * rsi.update(101); // 100
   * ```
   */
  update(price: number): number | null {
    if (!Number.isFinite(price)) rejectNumber(price, "price", "finite");
    const count = ++this.#count;
    if (count === 1) {
      this.#previousPrice = price;
      return null;
    }
    const change = price - this.#previousPrice;
    this.#previousPrice = price;
    const gain = Math.max(change, 0);
    const loss = Math.max(-change, 0);
    const period = this.period;
    if (count <= period) {
      // Still summing the first `period` changes; stored as sums, divided on the seed update.
      this.#averageGain += gain;
      this.#averageLoss += loss;
      return null;
    }
    if (count === period + 1) {
      this.#averageGain = (this.#averageGain + gain) / period;
      this.#averageLoss = (this.#averageLoss + loss) / period;
    } else {
      this.#averageGain = (this.#averageGain * (period - 1) + gain) / period;
      this.#averageLoss = (this.#averageLoss * (period - 1) + loss) / period;
    }
    const total = this.#averageGain + this.#averageLoss;
    this.#value = total > 0 ? (100 * this.#averageGain) / total : 50;
    return this.#value;
  }

  /** The current RSI in [0, 100], or `null` before `period + 1` updates. */
  get value(): number | null {
    return this.#count > this.period ? this.#value : null;
  }

  /** True once `period + 1` prices have been seen. */
  get isReady(): boolean {
    return this.#count > this.period;
  }

  /** Number of prices seen since construction or the last {@link WilderRsi.reset}. */
  get count(): number {
    return this.#count;
  }

  /**
   * Forgets everything seen: back to the state of a new instance (warm-up starts again).
   *
   * @example
   * ```ts
   * wilderRsi.reset();
   * wilderRsi.isReady; // false
   * ```
   */
  reset(): void {
    this.#count = 0;
    this.#previousPrice = Number.NaN;
    this.#averageGain = 0;
    this.#averageLoss = 0;
    this.#value = Number.NaN;
  }
}
