import type { Side } from "@botmm/core";

const BID = 0;
const ASK = 1;

/** Settings of an {@link ImbalanceSkip}; times in ms of the driver's clock. */
export interface ImbalanceSkipOptions {
  /** A side is skipped when the book imbalance against it reaches this, in (0, 1). */
  enter: number;
  /** A skipped side may come back only once the imbalance against it is below this, in (0, `enter`]. */
  exit: number;
  /** A skipped side stays out at least this long after the imbalance was last at or beyond `exit`, ms (≥ 0). */
  holdMs: number;
}

/**
 * The imbalance skip with hysteresis and a minimum hold: no bid while the book's imbalance (bid size − ask size
 * over their sum, in [−1, 1]) is ≤ −`enter`, no ask while it is ≥ `enter`; a skipped side returns only once the
 * imbalance against it has fallen below `exit` and stayed there `holdMs`. With `exit = enter` and `holdMs = 0`
 * it is the plain threshold (a side is out exactly while the imbalance is beyond `enter`). The hysteresis keeps
 * a one-sided book that flickers around the threshold from putting the quote back for the moment the run
 * resumes.
 *
 * State changes only through {@link ImbalanceSkip.decide}; nothing reads a clock.
 *
 * @example
 * ```ts
 * const skip = new ImbalanceSkip({ enter: 0.8, exit: 0.5, holdMs: 2_000 });
 * skip.decide(-0.85, 0); // bid out: sellers' side of the book is 12× the buyers'
 * skip.isSkipped("buy"); // true
 * skip.decide(-0.6, 1_000); // still out: −0.6 is beyond the exit level
 * skip.decide(-0.2, 2_000); // still out: the hold runs 2 s from 1 s
 * skip.decide(-0.2, 3_000); skip.isSkipped("buy"); // false
 * ```
 */
export class ImbalanceSkip {
  readonly options: Readonly<ImbalanceSkipOptions>;
  readonly #skipped = [false, false];
  /** Per side: the last decision time the imbalance was at or beyond the exit level while skipped. */
  readonly #lastAgainst = new Float64Array([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]);

  /** @throws RangeError naming the setting that is out of range. */
  constructor(options: ImbalanceSkipOptions) {
    const { enter, exit, holdMs } = options;
    if (!(enter > 0 && enter < 1))
      throw new RangeError(`ImbalanceSkip enter must be in (0, 1), got ${enter}`);
    if (!(exit > 0 && exit <= enter))
      throw new RangeError(`ImbalanceSkip exit must be in (0, enter = ${enter}], got ${exit}`);
    if (!(holdMs >= 0 && Number.isFinite(holdMs)))
      throw new RangeError(`ImbalanceSkip holdMs must be a finite number ≥ 0, got ${holdMs}`);
    this.options = { ...options };
  }

  /**
   * One quote decision at `timeMs` with the book imbalance `imbalance` (NaN: no book, no side is skipped). The
   * scales in [0, 1] soften a side's skip (as `toxicityEaseExit` does for the side that reduces a position):
   * its thresholds are divided by the scale and its hold multiplied by it, so 0 never skips. A `timeMs` that
   * is not finite (candles) counts as no hold.
   *
   * @example
   * ```ts
   * skip.decide(0.9, 5_000); // the ask is out
   * skip.decide(0.9, 6_000, 1, 0); // the ask reduces a position at the limit: never skipped
   * ```
   */
  decide(imbalance: number, timeMs: number, bidScale = 1, askScale = 1): void {
    if (Number.isNaN(imbalance)) {
      this.#skipped[BID] = false;
      this.#skipped[ASK] = false;
      return;
    }
    this.#side(BID, -imbalance, timeMs, bidScale);
    this.#side(ASK, imbalance, timeMs, askScale);
  }

  #side(side: number, against: number, timeMs: number, scale: number): void {
    const { enter, exit, holdMs } = this.options;
    if (!(scale > 0)) {
      this.#skipped[side] = false;
      return;
    }
    const timed = Number.isFinite(timeMs);
    if (against >= enter / scale) {
      this.#skipped[side] = true;
      if (timed) this.#lastAgainst[side] = timeMs;
      return;
    }
    if (!this.#skipped[side]) return;
    if (against >= exit / scale) {
      if (timed) this.#lastAgainst[side] = timeMs;
      return;
    }
    this.#skipped[side] = timed && timeMs - this.#lastAgainst[side]! < holdMs * scale;
  }

  /**
   * Whether the quote on `side` (`buy` = the bid) is out after the last {@link ImbalanceSkip.decide}.
   *
   * @example
   * ```ts
   * if (skip.isSkipped("sell")) quoteAsk = false;
   * ```
   */
  isSkipped(side: Side): boolean {
    return this.#skipped[side === "buy" ? BID : ASK]!;
  }
}
