import type { Side } from "@botmm/core";

/**
 * Stoikov's microprice from the top of the book: the mid moved towards the side with less size,
 * `(bid·askSize + ask·bidSize) / (bidSize + askSize)` = mid + imbalance × spread / 2. A thin ask (buyers
 * lean on it) pulls the price up. Returns the mid when the sizes are unknown or zero, NaN without a two-sided
 * book.
 *
 * @example
 * ```ts
 * microprice(100, 101, 3, 1); // 100.75: three times more size on the bid, the next trade is likelier up
 * microprice(100, 101, Number.NaN, Number.NaN); // 100.5: the mid
 * ```
 */
export function microprice(bestBid: number, bestAsk: number, bidSize: number, askSize: number): number {
  if (!(bestBid > 0 && bestAsk > 0)) return Number.NaN;
  const mid = (bestBid + bestAsk) / 2;
  return mid + (bookImbalance(bidSize, askSize) * (bestAsk - bestBid)) / 2;
}

/**
 * Order-book imbalance in [−1, 1]: `(bidSize − askSize) / (bidSize + askSize)`, positive when more size
 * rests on the bid. Pass the top level's sizes, or sums over the top N levels. 0 when the sizes are unknown.
 *
 * @example
 * ```ts
 * bookImbalance(3, 1); // 0.5
 * bookImbalance(0, 0); // 0
 * ```
 */
export function bookImbalance(bidSize: number, askSize: number): number {
  const total = bidSize + askSize;
  if (!(total > 0) || !(bidSize >= 0) || !(askSize >= 0)) return 0;
  return (bidSize - askSize) / total;
}

/**
 * Trade-flow imbalance over a sliding time window: `(bought − sold) / (bought + sold)` of the aggressor
 * volume of the last `windowMs`, in [−1, 1] (positive: buyers are lifting asks). Trades are kept in a fixed
 * ring (the oldest dropped when it is full), so nothing is allocated per trade; time is passed in.
 *
 * @example
 * ```ts
 * const flow = new TradeFlow(5_000);
 * flow.onTrade("buy", 3, 1_000);
 * flow.onTrade("sell", 1, 2_000);
 * flow.imbalance(2_000); // 0.5
 * flow.imbalance(6_500); // −1: the buy at 1 s has left the 5 s window
 * ```
 */
export class TradeFlow {
  readonly windowMs: number;
  readonly #times: Float64Array;
  readonly #signedSizes: Float64Array;
  #head = 0;
  #tail = 0;
  #bought = 0;
  #sold = 0;

  /** @throws RangeError when `windowMs` ≤ 0 or `capacity` < 1. */
  constructor(windowMs: number, capacity = 8192) {
    if (!(windowMs > 0)) throw new RangeError(`TradeFlow windowMs must be > 0, got ${windowMs}`);
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new RangeError(`TradeFlow capacity must be an integer ≥ 1, got ${capacity}`);
    this.windowMs = windowMs;
    this.#times = new Float64Array(capacity);
    this.#signedSizes = new Float64Array(capacity);
  }

  /**
   * Records a trade: `side` is the aggressor's ("buy" = a buyer lifted the ask), `size` in base units.
   *
   * @example
   * ```ts
   * flow.onTrade("sell", 0.5, 10_000);
   * ```
   */
  onTrade(side: Side, size: number, timeMs: number): void {
    if (!(size > 0) || !Number.isFinite(timeMs)) return;
    const capacity = this.#times.length;
    if (this.#tail - this.#head >= capacity) this.#drop();
    const slot = this.#tail % capacity;
    this.#times[slot] = timeMs;
    this.#signedSizes[slot] = side === "buy" ? size : -size;
    if (side === "buy") this.#bought += size;
    else this.#sold += size;
    this.#tail++;
  }

  /**
   * The imbalance of the trades in (`timeMs` − windowMs, `timeMs`]; 0 without trades.
   *
   * @example
   * ```ts
   * flow.imbalance(12_000); // e.g. −1: only sells in the last 5 s
   * ```
   */
  imbalance(timeMs: number): number {
    const capacity = this.#times.length;
    const oldest = timeMs - this.windowMs;
    while (this.#head < this.#tail && this.#times[this.#head % capacity]! <= oldest) this.#drop();
    if (this.#head === this.#tail) {
      // Reset the running sums so rounding does not accumulate over a long run.
      this.#bought = 0;
      this.#sold = 0;
      return 0;
    }
    return bookImbalance(this.#bought, this.#sold);
  }

  #drop(): void {
    const signed = this.#signedSizes[this.#head % this.#times.length]!;
    if (signed > 0) this.#bought -= signed;
    else this.#sold += signed;
    this.#head++;
  }
}
