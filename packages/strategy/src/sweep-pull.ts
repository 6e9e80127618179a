import type { Side } from "@botmm/core";

const BPS = 10_000;
const BID = 0;
const ASK = 1;

/** Settings of a {@link SweepPull}; times in ms of the driver's clock. */
export interface SweepPullOptions {
  /** A market trade printing at least this far past the mid (bps, > 0) is a sweep. */
  thresholdBps: number;
  /** The side a sweep runs towards stays out of the book this long after the last sweep (> 0). */
  cooldownMs: number;
}

/**
 * Adverse-selection defence driven by the market's own aggressive flow, before it reaches the quote: a taker
 * buy that prints ≥ `thresholdBps` above the mid (it walked the asks) says the price is running up, so the
 * ask — the quote that run would lift next — is pulled; a taker sell ≥ `thresholdBps` below the mid pulls the
 * bid. A pulled side comes back `cooldownMs` after the last sweep towards it: the pull decays with the flow
 * that caused it and never outlives it, since a sweep is anyone's trade, not one of ours (no fill of ours can
 * keep a side out).
 *
 * The mid is the one before the trade (the book the taker swept). Time only moves through the calls; nothing
 * reads a clock.
 *
 * @example
 * ```ts
 * const pull = new SweepPull({ thresholdBps: 2, cooldownMs: 10_000 });
 * pull.onTrade("buy", 60_015, 60_000, 1_000); // 2.5 bp above the mid: buyers swept the asks
 * pull.isPulled("sell", 1_000); // true: our ask is what they lift next
 * pull.isPulled("buy", 1_000); // false
 * pull.isPulled("sell", 11_000); // false: 10 s after the sweep the ask is back
 * ```
 */
export class SweepPull {
  readonly options: Readonly<SweepPullOptions>;
  /** Per quote side (bid, ask): the time of the last sweep towards it. */
  readonly #lastSweep = new Float64Array([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  #sweeps = 0;

  /** @throws RangeError naming the setting that is out of range. */
  constructor(options: SweepPullOptions) {
    const { thresholdBps, cooldownMs } = options;
    if (!(thresholdBps > 0)) throw new RangeError(`SweepPull thresholdBps must be > 0, got ${thresholdBps}`);
    if (!(cooldownMs > 0)) throw new RangeError(`SweepPull cooldownMs must be > 0, got ${cooldownMs}`);
    this.options = { ...options };
  }

  /**
   * A market trade: `side` is the aggressor's (`buy` lifted an ask), at `price`, with the mid `mid` before it.
   * Returns whether it was a sweep (a side is pulled from `timeMs` on). Trades without a mid are ignored.
   *
   * @example
   * ```ts
   * pull.onTrade("sell", 59_980, 60_000, 2_000); // true: 3.3 bp below the mid pulls the bid
   * ```
   */
  onTrade(side: Side, price: number, mid: number, timeMs: number): boolean {
    if (!(mid > 0) || !(price > 0) || !Number.isFinite(timeMs)) return false;
    const pastMidBps = side === "buy" ? ((price - mid) / mid) * BPS : ((mid - price) / mid) * BPS;
    // The slack keeps a print exactly at the threshold (a tick on the grid) a sweep despite rounding.
    if (!(pastMidBps >= this.options.thresholdBps - 1e-9)) return false;
    const quoteSide = side === "buy" ? ASK : BID;
    if (timeMs > this.#lastSweep[quoteSide]!) this.#lastSweep[quoteSide] = timeMs;
    this.#sweeps++;
    return true;
  }

  /**
   * Whether our quote on `side` (`buy` = the bid) is out of the book at `timeMs`: a sweep towards it happened
   * within the last `cooldownMs × cooldownScale`. `cooldownScale` in [0, 1] shortens the pull (as
   * `toxicityEaseExit` does for the side reducing a position); 0 never pulls.
   *
   * @example
   * ```ts
   * pull.isPulled("buy", 5_000); // true within 10 s of a sell sweep
   * pull.isPulled("buy", 5_000, 0); // false: the side reducing a position at the limit is spared
   * ```
   */
  isPulled(side: Side, timeMs: number, cooldownScale = 1): boolean {
    const last = this.#lastSweep[side === "buy" ? BID : ASK]!;
    return timeMs >= last && timeMs - last < this.options.cooldownMs * cooldownScale;
  }

  /** Sweeps seen so far (trades that pulled or extended a pull). */
  get sweeps(): number {
    return this.#sweeps;
  }
}
