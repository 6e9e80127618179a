// The quoted spread as recorded order books show it: its distribution over time, how much of the time it
// pays a maker's round trip, and the size resting at the touch.

/** The best level of each side of one book. */
export interface BookTop {
  timeMs: number;
  bidPx: number;
  bidSz: number;
  askPx: number;
  askSz: number;
}

/** Time-weighted quantiles of one quantity. */
export interface WeightedQuantiles {
  p10: number;
  p50: number;
  p90: number;
  mean: number;
}

/** What {@link QuotedSpreadAccumulator.summary} returns. */
export interface QuotedSpreadSummary {
  books: number;
  /** Time the books cover (each book holds until the next, at most `maxHoldMs`), seconds. */
  seconds: number;
  /** Quoted spread (ask − bid) / mid, bps, weighted by the time each book held. */
  spreadBps: WeightedQuantiles;
  /** Share of the time the quoted spread exceeded the round-trip maker fee. */
  payingShare: number;
  /** Notional resting at the touch, the mean of the two sides (USD), weighted by time. */
  touchDepthUsd: WeightedQuantiles;
}

/**
 * Accumulates book tops (in time order) into a {@link QuotedSpreadSummary}: each book counts for the time until
 * the next one, capped at `maxHoldMs` so a recording gap does not weigh the book before it.
 *
 * @example
 * ```ts
 * const stats = new QuotedSpreadAccumulator(3);
 * stats.add({ timeMs: 0, bidPx: 99.98, bidSz: 5, askPx: 100.02, askSz: 4 });
 * stats.add({ timeMs: 500, bidPx: 99.99, bidSz: 2, askPx: 100.01, askSz: 3 });
 * stats.summary()?.payingShare; // 1: the first book (4 bps > 3) held 500 ms; the last has no end yet
 * ```
 */
export class QuotedSpreadAccumulator {
  readonly #roundTripFeeBps: number;
  readonly #maxHoldMs: number;
  #previous: BookTop | null = null;
  #books = 0;
  readonly #spreads: number[] = [];
  readonly #depths: number[] = [];
  readonly #weights: number[] = [];

  constructor(roundTripFeeBps: number, maxHoldMs = 5_000) {
    this.#roundTripFeeBps = roundTripFeeBps;
    this.#maxHoldMs = maxHoldMs;
  }

  /** Adds the next book top; a crossed or empty side is skipped. */
  add(top: BookTop): void {
    if (!(top.askPx > top.bidPx && top.bidPx > 0)) return;
    this.#books++;
    this.#settle(top.timeMs);
    this.#previous = top;
  }

  #settle(nowMs: number): void {
    const previous = this.#previous;
    if (previous === null) return;
    const held = Math.min(Math.max(0, nowMs - previous.timeMs), this.#maxHoldMs);
    if (held === 0) return;
    const mid = (previous.askPx + previous.bidPx) / 2;
    this.#spreads.push(((previous.askPx - previous.bidPx) / mid) * 10_000);
    this.#depths.push((previous.bidPx * previous.bidSz + previous.askPx * previous.askSz) / 2);
    this.#weights.push(held);
  }

  /** The summary, or null with fewer than two books (no time covered). */
  summary(): QuotedSpreadSummary | null {
    const total = this.#weights.reduce((sum, weight) => sum + weight, 0);
    if (total === 0) return null;
    let paying = 0;
    for (let i = 0; i < this.#spreads.length; i++)
      if (this.#spreads[i]! > this.#roundTripFeeBps) paying += this.#weights[i]!;
    return {
      books: this.#books,
      seconds: total / 1000,
      spreadBps: weightedQuantiles(this.#spreads, this.#weights),
      payingShare: paying / total,
      touchDepthUsd: weightedQuantiles(this.#depths, this.#weights),
    };
  }
}

/**
 * The 10th, 50th and 90th weighted percentiles (the smallest value whose cumulative weight reaches the level)
 * and the weighted mean.
 *
 * @example
 * ```ts
 * weightedQuantiles([1, 2, 3], [1, 1, 2]).p50; // 2
 * ```
 */
export function weightedQuantiles(values: readonly number[], weights: readonly number[]): WeightedQuantiles {
  const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]! * weights[i]!;
  const at = (level: number): number => {
    let cumulative = 0;
    for (const i of order) {
      cumulative += weights[i]!;
      if (cumulative >= level * total - 1e-12) return values[i]!;
    }
    return values[order[order.length - 1]!]!;
  };
  return { p10: at(0.1), p50: at(0.5), p90: at(0.9), mean: total > 0 ? mean / total : Number.NaN };
}
