import type { PriceRule } from "./instrument.ts";

/**
 * The price grid step at a price, in float64, for hot loops that must stay on the venue's grid without
 * exact decimals (simulators). Prices that leave the process still go through {@link roundPrice}.
 * Under a significant-figures rule the step grows with the price (5 figures at 43,210 → 1) but never
 * exceeds 1, because integer prices are always valid.
 *
 * @example
 * ```ts
 * priceStepAt({ type: "significant-figures", maxSignificantFigures: 5, maxDecimals: 1 }, 43210); // 1
 * priceStepAt({ type: "significant-figures", maxSignificantFigures: 5, maxDecimals: 2 }, 3007.1); // 0.1
 * priceStepAt({ type: "tick", tickSize: "0.1" }, 65000); // 0.1
 * ```
 */
export function priceStepAt(rule: PriceRule, price: number): number {
  if (rule.type === "tick") return Number(rule.tickSize);
  // Exact powers of ten from a table: 10 ** k in float64 is not always the nearest double to 10^k.
  let exponent = Math.floor(Math.log10(price));
  // log10 can land one off right at a power of ten (log10(1000) may give 2.9999…).
  if (POWERS_OF_TEN[exponent + POWER_OFFSET + 1]! <= price) exponent++;
  const index = exponent - (rule.maxSignificantFigures - 1) + POWER_OFFSET;
  const bySignificantFigures = POWERS_OF_TEN[index < 0 ? 0 : Math.min(index, 80)]!;
  const byDecimals = POWERS_OF_TEN[POWER_OFFSET - rule.maxDecimals]!;
  const step = Math.max(bySignificantFigures, byDecimals);
  return Math.min(step, 1);
}

const POWER_OFFSET = 40;
const POWERS_OF_TEN: readonly number[] = Array.from({ length: 81 }, (_, i) =>
  Number(`1e${i - POWER_OFFSET}`),
);

/**
 * Rounds a price onto a step grid in float64: bids down, asks up. A relative slack of 1e-9 keeps a price that
 * is already on the grid (up to float noise) where it is.
 *
 * @example
 * ```ts
 * snapToStep(43210.87, 1, "buy"); // 43210
 * snapToStep(43210.87, 1, "sell"); // 43211
 * ```
 */
export function snapToStep(price: number, step: number, side: "buy" | "sell"): number {
  const units = price / step;
  const snapped = side === "buy" ? Math.floor(units + 1e-9) : Math.ceil(units - 1e-9);
  return snapped * step;
}

/**
 * {@link priceStepAt} with the step of the last decade remembered: the step only changes when the price
 * crosses a power of ten (and not even then once it is capped at 1 or floored by the decimals limit), so a hot
 * loop pays for the logarithm once per decade instead of once per call.
 *
 * @example
 * ```ts
 * const grid = new PriceGrid(btc.priceRule);
 * grid.stepAt(43210); // 1
 * grid.snap(43210.87, "buy"); // 43210
 * ```
 */
export class PriceGrid {
  readonly rule: PriceRule;
  #low = Number.POSITIVE_INFINITY;
  #high = Number.NEGATIVE_INFINITY;
  #step = 0;

  constructor(rule: PriceRule) {
    this.rule = rule;
  }

  /** The grid step at `price`. */
  stepAt(price: number): number {
    if (price >= this.#low && price < this.#high) return this.#step;
    return this.#learn(price);
  }

  // The decade change has a method of its own so that stepAt stays small enough for V8 to inline at every call
  // site: a number returned from a call that is not inlined is boxed on the heap.
  #learn(price: number): number {
    const step = priceStepAt(this.rule, price);
    this.#step = step;
    if (this.rule.type === "tick") {
      this.#low = 0;
      this.#high = Number.POSITIVE_INFINITY;
    } else {
      let exponent = Math.floor(Math.log10(price));
      if (POWERS_OF_TEN[exponent + POWER_OFFSET + 1]! <= price) exponent++;
      this.#low = POWERS_OF_TEN[exponent + POWER_OFFSET] ?? 0;
      this.#high = POWERS_OF_TEN[exponent + POWER_OFFSET + 1] ?? Number.POSITIVE_INFINITY;
      // The step grows with the price between a floor (the decimals limit) and a ceiling (1). At either bound
      // it is the same for every price beyond, so the range reaches out to ∞ or down to 0: BTC quoted either
      // side of 100,000 keeps its step of 1 instead of learning it again at every crossing.
      if (step >= 1) this.#high = Number.POSITIVE_INFINITY;
      if (step <= POWERS_OF_TEN[POWER_OFFSET - this.rule.maxDecimals]!) this.#low = 0;
    }
    return step;
  }

  /** Snaps `price` onto the grid: bids down, asks up. */
  snap(price: number, side: "buy" | "sell"): number {
    return snapToStep(price, this.stepAt(price), side);
  }
}
