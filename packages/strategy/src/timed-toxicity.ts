import type { Side } from "@botmm/core";
import { MarkoutTracker } from "./markouts.ts";

const HALF_LIVES_PER_SPAN = 4;
const BUY = 0;
const SELL = 1;

/** Settings of a {@link TimedToxicityGuard}; times in ms of the driver's clock. */
export interface TimedToxicityGuardOptions {
  /** A fill's mark-out is taken this long after it (> 0). */
  horizonMs: number;
  /** The per-side mark-out EWMA spans about this many fills (α = 2 / (fills + 1)). */
  fills: number;
  /** A side widens only by how much its mark-out EWMA is worse than −thresholdBps (≥ 0). */
  thresholdBps: number;
  /**
   * A side's estimate fades to exactly 0 this long after its last fill, and no side stays widened longer than
   * this in a row (then its estimate is forgotten). Must exceed `horizonMs`.
   */
  recoveryMs: number;
  /**
   * Pull: a fill whose mark-out is worse than −`pullThresholdBps` is toxic; `pullFills` toxic fills of one side
   * within `pullWindowMs` pull that side (or both, `pullBoth`) for `pullCooldownMs`. `pullFills` 0 = never pull.
   */
  pullFills: number;
  pullThresholdBps: number;
  pullWindowMs: number;
  pullCooldownMs: number;
  pullBoth: boolean;
}

/**
 * Adverse-selection defence on the clock rather than on bars: each own fill is marked out `horizonMs` after
 * it on the mid (seconds, not minutes, after the damage). Two responses per side:
 *
 * - **widen**: an EWMA of the side's mark-outs over about `fills` fills; when worse than −`thresholdBps` the
 *   side's half spread widens by the excess. As in the bar guard ({@link ToxicityGuard}) the estimate fades
 *   with time from each mark-out and is exactly 0 `recoveryMs` after the side's last fill, and no side is
 *   widened for more than `recoveryMs` in a row (then it is forgotten and re-learned at the normal distance).
 * - **pull**: after a burst — `pullFills` toxic fills (mark-out worse than −`pullThresholdBps`) within
 *   `pullWindowMs` — the side (or both sides) is not quoted for `pullCooldownMs`. When the cool-down ends the
 *   side comes back and the burst is forgotten, so a pull never outlasts its cool-down: a side is pulled again
 *   only by new toxic fills after it returned.
 *
 * Time only moves through {@link onMid} / {@link advance}; nothing reads a clock.
 *
 * @example
 * ```ts
 * const guard = new TimedToxicityGuard({ horizonMs: 1_000, fills: 10, thresholdBps: 2, recoveryMs: 60_000,
 *   pullFills: 2, pullThresholdBps: 5, pullWindowMs: 10_000, pullCooldownMs: 30_000, pullBoth: false });
 * guard.onMid(100, 0);
 * guard.onFill("buy", 100, 0);
 * guard.onFill("buy", 100, 100);
 * guard.onMid(99.8, 900);
 * guard.onMid(99.8, 1_500); // both buys marked out at 1 s at −20 bps: a burst
 * guard.isPulled("buy", 1_500); // true until 31 100 (the second mark-out + 30 s)
 * guard.isPulled("buy", 31_100); // false: back after the cool-down
 * ```
 */
export class TimedToxicityGuard {
  readonly options: Readonly<TimedToxicityGuardOptions>;
  readonly #alpha: number;
  readonly #fadeMs: number;
  readonly #markouts: MarkoutTracker;
  readonly #ewmaBps = new Float64Array(2);
  readonly #fadeStart = new Float64Array(2);
  readonly #markoutBps = new Float64Array(2);
  readonly #wideSince = new Float64Array([Number.NaN, Number.NaN]);
  /** Per side: times of the recent toxic fills' mark-outs (a ring of `pullFills`). */
  readonly #toxicTimes: Float64Array[];
  readonly #toxicNext = new Int32Array(2);
  readonly #toxicCount = new Int32Array(2);
  readonly #pulledUntil = new Float64Array([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  #pulls = 0;
  #nowMs = Number.NEGATIVE_INFINITY;

  /** @throws RangeError naming the setting that is out of range. */
  constructor(options: TimedToxicityGuardOptions) {
    const {
      horizonMs,
      fills,
      thresholdBps,
      recoveryMs,
      pullFills,
      pullThresholdBps,
      pullWindowMs,
      pullCooldownMs,
    } = options;
    if (!(horizonMs > 0)) throw new RangeError(`TimedToxicityGuard horizonMs must be > 0, got ${horizonMs}`);
    if (!(fills > 0)) throw new RangeError(`TimedToxicityGuard fills must be > 0, got ${fills}`);
    if (!(thresholdBps >= 0))
      throw new RangeError(`TimedToxicityGuard thresholdBps must be ≥ 0, got ${thresholdBps}`);
    if (!(recoveryMs > horizonMs))
      throw new RangeError(
        `TimedToxicityGuard recoveryMs must be > horizonMs (${horizonMs}), got ${recoveryMs}`,
      );
    if (!(Number.isInteger(pullFills) && pullFills >= 0))
      throw new RangeError(`TimedToxicityGuard pullFills must be an integer ≥ 0, got ${pullFills}`);
    if (!(pullThresholdBps >= 0))
      throw new RangeError(`TimedToxicityGuard pullThresholdBps must be ≥ 0, got ${pullThresholdBps}`);
    if (!(pullWindowMs > 0))
      throw new RangeError(`TimedToxicityGuard pullWindowMs must be > 0, got ${pullWindowMs}`);
    if (!(pullCooldownMs > 0))
      throw new RangeError(`TimedToxicityGuard pullCooldownMs must be > 0, got ${pullCooldownMs}`);
    this.options = { ...options };
    this.#alpha = 2 / (fills + 1);
    this.#fadeMs = recoveryMs - horizonMs;
    this.#markouts = new MarkoutTracker([horizonMs], (side, _h, markoutBps, fillTimeMs) =>
      this.#onMarkout(side, markoutBps, fillTimeMs),
    );
    this.#toxicTimes = [new Float64Array(Math.max(pullFills, 1)), new Float64Array(Math.max(pullFills, 1))];
  }

  /**
   * Records an own fill at `timeMs`.
   *
   * @example
   * ```ts
   * guard.onFill("sell", 60_010, 5_000);
   * ```
   */
  onFill(side: Side, price: number, timeMs: number): void {
    this.#markouts.onFill(side, price, timeMs);
  }

  /**
   * The mid is `mid` from `timeMs` on: fills `horizonMs` old are marked out, estimates fade, pulls expire.
   *
   * @example
   * ```ts
   * guard.onMid(60_004, 6_000);
   * ```
   */
  onMid(mid: number, timeMs: number): void {
    this.#markouts.onMid(mid, timeMs);
    this.advance(timeMs);
  }

  /**
   * Moves the guard's clock to `timeMs` without a new mid: fades and cool-downs move on.
   *
   * @example
   * ```ts
   * guard.advance(7_000);
   * ```
   */
  advance(timeMs: number): void {
    if (!(timeMs >= this.#nowMs)) return;
    this.#nowMs = timeMs;
    const recoveryMs = this.options.recoveryMs;
    for (let side = BUY; side <= SELL; side++) {
      const fade = this.#fade(timeMs - this.#fadeStart[side]!);
      const markoutBps = fade === 0 ? 0 : this.#ewmaBps[side]! * fade;
      this.#markoutBps[side] = markoutBps;
      if (-markoutBps <= this.options.thresholdBps) this.#wideSince[side] = Number.NaN;
      else if (Number.isNaN(this.#wideSince[side]!)) this.#wideSince[side] = timeMs;
      else if (timeMs - this.#wideSince[side]! >= recoveryMs) {
        this.#ewmaBps[side] = 0;
        this.#markoutBps[side] = 0;
        this.#wideSince[side] = Number.NaN;
      }
    }
  }

  #onMarkout(side: Side, markoutBps: number, fillTimeMs: number): void {
    const index = side === "buy" ? BUY : SELL;
    const due = fillTimeMs + this.options.horizonMs;
    const faded = this.#ewmaBps[index]! * this.#fade(due - this.#fadeStart[index]!);
    this.#ewmaBps[index] = faded + this.#alpha * (markoutBps - faded);
    this.#fadeStart[index] = due;
    const { pullFills, pullThresholdBps, pullWindowMs, pullCooldownMs, pullBoth } = this.options;
    if (pullFills === 0 || !(-markoutBps > pullThresholdBps)) return;
    if (due < this.#pulledUntil[index]!) return; // fills quoted before the pull do not extend it
    const times = this.#toxicTimes[index]!;
    times[this.#toxicNext[index]!] = due;
    this.#toxicNext[index] = (this.#toxicNext[index]! + 1) % pullFills;
    if (this.#toxicCount[index]! < pullFills) this.#toxicCount[index]!++;
    if (this.#toxicCount[index]! < pullFills) return;
    // The ring is full: its oldest entry is the one the next write overwrites.
    const oldest = times[this.#toxicNext[index]!]!;
    if (due - oldest > pullWindowMs) return;
    const until = due + pullCooldownMs;
    this.#pulls++;
    this.#toxicCount[index] = 0;
    this.#pulledUntil[index] = until;
    if (pullBoth) {
      const other = 1 - index;
      this.#pulledUntil[other] = Math.max(this.#pulledUntil[other]!, until);
      this.#toxicCount[other] = 0;
    }
  }

  #fade(ageMs: number): number {
    const span = this.#fadeMs;
    if (ageMs >= span) return 0;
    if (ageMs <= 0) return 1;
    const floor = 2 ** -HALF_LIVES_PER_SPAN;
    return (2 ** ((-HALF_LIVES_PER_SPAN * ageMs) / span) - floor) / (1 - floor);
  }

  /**
   * True while `side` is pulled (inside its cool-down) at `timeMs`. With `cooldownScale` < 1 the side's
   * cool-down is that fraction of `pullCooldownMs` (0: not pulled at all), e.g. for the side that would reduce a
   * large position.
   *
   * @example
   * ```ts
   * if (guard.isPulled("buy", now)) quotes.bidSizes[0] = 0;
   * guard.isPulled("sell", now, 0.25); // a quarter of the cool-down for the side that reduces the position
   * ```
   */
  isPulled(side: Side, timeMs: number, cooldownScale = 1): boolean {
    const until = this.#pulledUntil[side === "buy" ? BUY : SELL]!;
    if (cooldownScale >= 1) return timeMs < until;
    return timeMs < until - this.options.pullCooldownMs * (1 - Math.max(cooldownScale, 0));
  }

  /** Times a side (or both) has been pulled so far. */
  get pulls(): number {
    return this.#pulls;
  }

  /**
   * The faded EWMA mark-out of one side, in bps (negative = toxic).
   *
   * @example
   * ```ts
   * guard.markoutBps("sell"); // e.g. −4.1
   * ```
   */
  markoutBps(side: Side): number {
    return this.#markoutBps[side === "buy" ? BUY : SELL]!;
  }

  /**
   * How much wider that side should quote, in bps (0 unless its mark-outs are worse than the threshold).
   *
   * @example
   * ```ts
   * bidHalfSpreadBps += guard.extraBps("buy");
   * ```
   */
  extraBps(side: Side): number {
    return Math.max(-this.markoutBps(side) - this.options.thresholdBps, 0);
  }
}
