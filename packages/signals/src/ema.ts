import { assertPeriod, rejectNumber } from "./errors.ts";

/**
 * Streaming exponential moving average with α = 2 / (period + 1), seeded with the simple mean of the
 * first `period` inputs (the TA-Lib convention): no value for the first `period − 1` updates, the SMA on
 * update `period`, then `ema ← ema + α·(x − ema)`.
 *
 * O(1) per update, no allocation.
 *
 * @example
 * ```ts
 * import { Ema } from "@botmm/signals";
 *
 * const ema = new Ema(3); // α = 0.5
 * ema.update(1); // null
 * ema.update(2); // null
 * ema.update(3); // 2    (seed: (1 + 2 + 3) / 3)
 * ema.update(6); // 4    (2 + 0.5·(6 − 2))
 * ```
 */
export class Ema {
  /** Number of inputs in the seed and the span of the average. */
  readonly period: number;
  /** Smoothing constant 2 / (period + 1). */
  readonly alpha: number;
  #count = 0;
  #seedSum = 0;
  #value = Number.NaN;

  /**
   * @param period - Integer ≥ 1 (in updates).
   * @throws {@link SignalsInputError} when `period` is not an integer ≥ 1.
   * @example
   * ```ts
   * const ema5 = new Ema(5);
   * ```
   */
  constructor(period: number) {
    assertPeriod(period, "period");
    this.period = period;
    this.alpha = 2 / (period + 1);
  }

  /**
   * Adds one input and returns the average, or `null` while warming up (fewer than `period` inputs).
   * @throws {@link SignalsInputError} when `value` is not finite.
   * @example
   * ```ts
   * const ema = new Ema(1);
   * ema.update(42); // 42
   * ```
   */
  update(value: number): number | null {
    if (!Number.isFinite(value)) rejectNumber(value, "value", "finite");
    const count = ++this.#count;
    if (count < this.period) {
      this.#seedSum += value;
      return null;
    }
    if (count === this.period) {
      this.#value = (this.#seedSum + value) / this.period;
    } else {
      this.#value += this.alpha * (value - this.#value);
    }
    return this.#value;
  }

  /** The current average, or `null` before `period` updates. */
  get value(): number | null {
    return this.#count >= this.period ? this.#value : null;
  }

  /** True once `period` inputs have been seen. */
  get isReady(): boolean {
    return this.#count >= this.period;
  }

  /** Number of inputs seen since construction or the last {@link Ema.reset}. */
  get count(): number {
    return this.#count;
  }

  /**
   * Forgets everything seen: back to the state of a new instance (warm-up starts again).
   *
   * @example
   * ```ts
   * ema.reset();
   * ema.isReady; // false
   * ```
   */
  reset(): void {
    this.#count = 0;
    this.#seedSum = 0;
    this.#value = Number.NaN;
  }
}
