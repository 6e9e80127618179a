import type { Side } from "@botmm/core";

const BPS = 10_000;
/**
 * A side's estimate fades along an exponential with a half-life of a quarter of its fade span, shifted down by
 * the value it would still have at the end (2⁻⁴ = 1/16) and rescaled, so it starts at full strength and lands on
 * exactly 0 at the end of the span without a jump in the quotes.
 */
const HALF_LIVES_PER_SPAN = 4;
const BUY = 0;
const SELL = 1;

/** Settings of a {@link ToxicityGuard}, all in bars (the guard's clock is `onBar`) or fills. */
export interface ToxicityGuardOptions {
  /** Bars after a fill at which its mark-out is taken. An integer ≥ 1. */
  horizonBars: number;
  /** The per-side mark-out EWMA spans about this many fills (α = 2 / (fills + 1)). */
  fills: number;
  /** A side widens only by how much its mark-out is worse than −thresholdBps. */
  thresholdBps: number;
  /**
   * A side's estimate is back to 0 (no widening) at the latest this many bars after its last fill, whatever that
   * fill's mark-out was, and no side stays widened for more than this many bars in a row. Must exceed
   * `horizonBars`, or a mark-out would arrive after its own deadline.
   */
  recoveryBars: number;
  /** Fills awaiting their mark-out, in a fixed ring (the oldest is dropped when it is full). Default 4096. */
  capacity?: number;
}

/**
 * Adverse-selection defence. Each own fill is marked out `horizonBars` bars later: the mid move in the
 * fill's favour, in bps (negative = the market kept going through us). An EWMA of those mark-outs per side
 * over about `fills` fills; when it is worse than −`thresholdBps`, that side's half spread widens by the
 * excess.
 *
 * The estimate also fades with time: a widened side fills less, so fills alone would leave it wide for as long
 * as the market stays away (weeks, in a trend at the position limit). From the bar a mark-out arrives, the
 * side's estimate decays towards 0 and reaches exactly 0 `recoveryBars` after that fill; a new fill's mark-out
 * is blended into the faded value and restarts the fade. So a side that stops filling quotes at its normal
 * distance again no later than `recoveryBars` after its last fill. A side that keeps being filled toxically at
 * its widened distance keeps restarting the fade, so a second bound: no side is widened for more than
 * `recoveryBars` bars in a row; then its estimate is forgotten and re-learned from fills at the normal distance.
 * Time is counted in bars (the guard sees no timestamps, `onBar` is its clock), so the horizon in wall-clock
 * time scales with the bar length like every other `…Bars` setting.
 *
 * Fills are taken from a fixed ring and each side's state is a few numbers, so nothing is allocated per fill or
 * bar.
 *
 * @example
 * ```ts
 * const guard = new ToxicityGuard({ horizonBars: 5, fills: 10, thresholdBps: 2, recoveryBars: 240 });
 * guard.onFill("buy", 100);
 * for (let i = 0; i < 5; i++) guard.onBar(99.8); // bought at 100, mid now 99.8: −20 bps
 * guard.extraBps("buy"); // 1.64: EWMA −3.64 bps, 1.64 beyond the threshold; bids widen
 * for (let i = 0; i < 235; i++) guard.onBar(99.8);
 * guard.extraBps("buy"); // 0: 240 bars after the fill, bids are back to normal
 * ```
 */
export class ToxicityGuard {
  readonly #horizonBars: number;
  readonly #alpha: number;
  readonly #thresholdBps: number;
  readonly #recoveryBars: number;
  /** Bars from a mark-out's arrival to the end of its fade: recoveryBars − horizonBars. */
  readonly #fadeBars: number;
  /** {@link ToxicityGuard.#fadeOf} at whole ages 0, 1, … below the fade span (ages are whole bars), when short. */
  readonly #fadeTable: Float64Array;
  readonly #sides: Int8Array;
  readonly #prices: Float64Array;
  readonly #dueBar: Float64Array;
  #head = 0;
  #tail = 0;
  #bar = 0;
  // Per side (index 0 buy, 1 sell): the EWMA as of the bar its last mark-out arrived (the fade's start), the
  // faded value now, and the first bar of the side's current run of widened bars (−1 while not widened).
  readonly #ewmaBps = new Float64Array(2);
  readonly #fadeStart = new Float64Array(2);
  readonly #markoutBps = new Float64Array(2);
  readonly #wideSince = new Float64Array([-1, -1]);

  /**
   * @throws RangeError naming the setting when `horizonBars` is not an integer ≥ 1, `fills` ≤ 0,
   *   `thresholdBps` < 0 or `recoveryBars` ≤ `horizonBars`.
   */
  constructor(options: ToxicityGuardOptions) {
    const { horizonBars, fills, thresholdBps, recoveryBars, capacity = 4096 } = options;
    if (!Number.isInteger(horizonBars) || horizonBars < 1)
      throw new RangeError(`ToxicityGuard horizonBars must be an integer ≥ 1, got ${horizonBars}`);
    if (!(fills > 0)) throw new RangeError(`ToxicityGuard fills must be > 0, got ${fills}`);
    if (!(thresholdBps >= 0))
      throw new RangeError(`ToxicityGuard thresholdBps must be ≥ 0, got ${thresholdBps}`);
    if (!(recoveryBars > horizonBars))
      throw new RangeError(
        `ToxicityGuard recoveryBars must be > horizonBars (${horizonBars}), got ${recoveryBars}`,
      );
    this.#horizonBars = horizonBars;
    this.#alpha = 2 / (fills + 1);
    this.#thresholdBps = thresholdBps;
    this.#recoveryBars = recoveryBars;
    this.#fadeBars = recoveryBars - horizonBars;
    // Two powers per bar otherwise; the table holds the same values, computed by the same expression.
    const tableLength = this.#fadeBars <= 65_536 ? Math.ceil(this.#fadeBars) : 0;
    this.#fadeTable = new Float64Array(tableLength);
    for (let age = 0; age < tableLength; age++) this.#fadeTable[age] = this.#fadeOf(age);
    this.#sides = new Int8Array(capacity);
    this.#prices = new Float64Array(capacity);
    this.#dueBar = new Float64Array(capacity);
  }

  /**
   * Records an own fill at the current bar.
   *
   * @example
   * ```ts
   * guard.onFill("sell", 60_010);
   * ```
   */
  onFill(side: Side, price: number): void {
    const capacity = this.#sides.length;
    if (this.#tail - this.#head >= capacity) this.#head++; // drop the oldest rather than grow
    const slot = this.#tail % capacity;
    this.#sides[slot] = side === "buy" ? 1 : -1;
    this.#prices[slot] = price;
    this.#dueBar[slot] = this.#bar + this.#horizonBars;
    this.#tail++;
  }

  /**
   * A bar closed at `close`: mark out the fills that are now `horizonBars` old, and let both sides' estimates
   * fade by one bar.
   *
   * @example
   * ```ts
   * guard.onBar(60_005);
   * ```
   */
  onBar(close: number): void {
    const bar = ++this.#bar;
    const capacity = this.#sides.length;
    while (this.#head < this.#tail) {
      const slot = this.#head % capacity;
      const due = this.#dueBar[slot]!;
      if (due > bar) break;
      const sign = this.#sides[slot]!;
      const markoutBps = (sign * (close - this.#prices[slot]!) * BPS) / this.#prices[slot]!;
      // Blend into the value faded up to this mark-out's due bar, then restart the fade from there: the side's
      // deadline becomes recoveryBars after this fill.
      const side = sign > 0 ? BUY : SELL;
      const faded = this.#ewmaBps[side]! * this.#fade(due - this.#fadeStart[side]!);
      this.#ewmaBps[side] = faded + this.#alpha * (markoutBps - faded);
      this.#fadeStart[side] = due;
      this.#head++;
    }
    for (let side = BUY; side <= SELL; side++) {
      const fade = this.#fade(bar - this.#fadeStart[side]!);
      const markoutBps = fade === 0 ? 0 : this.#ewmaBps[side]! * fade; // +0, not −0, once faded out
      this.#markoutBps[side] = markoutBps;
      if (-markoutBps <= this.#thresholdBps) this.#wideSince[side] = -1;
      else if (this.#wideSince[side]! < 0) this.#wideSince[side] = bar;
      else if (bar - this.#wideSince[side]! >= this.#recoveryBars) {
        // Still toxic because fills at the widened distance keep restarting the fade: forget, and re-learn
        // from fills at the normal distance.
        this.#ewmaBps[side] = 0;
        this.#markoutBps[side] = 0;
        this.#wideSince[side] = -1;
      }
    }
  }

  /** 1 at the start of a fade, 0 from `#fadeBars` on, exponential (half-life `#fadeBars` / 4) in between. */
  #fade(ageBars: number): number {
    const table = this.#fadeTable;
    if (ageBars >= 0 && ageBars < table.length && Number.isInteger(ageBars)) return table[ageBars]!;
    return this.#fadeOf(ageBars);
  }

  #fadeOf(ageBars: number): number {
    const span = this.#fadeBars;
    if (ageBars >= span) return 0;
    if (ageBars <= 0) return 1;
    const floor = 2 ** -HALF_LIVES_PER_SPAN;
    return (2 ** ((-HALF_LIVES_PER_SPAN * ageBars) / span) - floor) / (1 - floor);
  }

  /**
   * The faded EWMA mark-out of one side's fills, in bps (negative = toxic; 0 once the side's last fill is
   * `recoveryBars` old).
   *
   * @example
   * ```ts
   * guard.markoutBps("buy"); // e.g. −3.2: bids have been picked off
   * ```
   */
  markoutBps(side: Side): number {
    return this.#markoutBps[side === "buy" ? BUY : SELL]!;
  }

  /**
   * How much wider that side should quote, in bps (0 while its fills are not toxic, and from `recoveryBars`
   * after its last fill on).
   *
   * @example
   * ```ts
   * maker.bidHalfSpreadBps += guard.extraBps("buy");
   * ```
   */
  extraBps(side: Side): number {
    const excess = -this.markoutBps(side) - this.#thresholdBps;
    return Math.max(excess, 0);
  }
}
