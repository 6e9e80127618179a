import type { Side } from "@botmm/core";

const BPS = 10_000;

/** The horizons every report shows, ms: 1 s, 5 s, 30 s and 1 min after each fill. */
export const MARKOUT_HORIZONS_MS: readonly number[] = [1_000, 5_000, 30_000, 60_000];

/** Called for each fill as it reaches a horizon: its mark-out in bps (negative = the market ran through us). */
export type MarkoutListener = (
  side: Side,
  horizonIndex: number,
  markoutBps: number,
  fillTimeMs: number,
) => void;

/**
 * Mark-outs of own fills measured in time: each fill's mid move in its favour, in bps, `horizonsMs[i]` after
 * it (a buy at 100 with the mid at 99.9 one second later: −10 bps at 1 s). The mid at a time is the last mid
 * seen at or before it, so a fill whose horizon falls between two mids is marked at the earlier one, however
 * sparse the mids are. Keeps the sum and count per horizon and side for reports; a listener hears each
 * mark-out as it is taken (the toxicity guard).
 *
 * Fills wait in a fixed ring (the oldest dropped when it is full); nothing is allocated per fill or mid.
 *
 * @example
 * ```ts
 * const markouts = new MarkoutTracker([1_000, 5_000]);
 * markouts.onMid(100, 0);
 * markouts.onFill("buy", 100, 0);
 * markouts.onMid(99.9, 800);
 * markouts.onMid(99.8, 6_000); // 1 s: the mid at 1 s was 99.9 → −10 bps; 5 s: 99.9 → −10 bps
 * markouts.meanBps(0); // −10
 * ```
 */
export class MarkoutTracker {
  readonly horizonsMs: readonly number[];
  readonly #sides: Int8Array;
  readonly #prices: Float64Array;
  readonly #times: Float64Array;
  /** Per horizon: the next fill (ring index, monotone) not yet marked out at it. */
  readonly #heads: Float64Array;
  #tail = 0;
  #lastMid = Number.NaN;
  #lastMidTimeMs = Number.NEGATIVE_INFINITY;
  /** Per horizon × side (buy at 2i, sell at 2i + 1): Σ mark-out bps and the count. */
  readonly #sums: Float64Array;
  readonly #counts: Float64Array;
  readonly #listener: MarkoutListener | undefined;

  /** @throws RangeError unless the horizons are > 0 and increasing, and `capacity` ≥ 1. */
  constructor(
    horizonsMs: readonly number[] = MARKOUT_HORIZONS_MS,
    listener?: MarkoutListener,
    capacity = 4096,
  ) {
    if (horizonsMs.length === 0) throw new RangeError("MarkoutTracker needs at least one horizon");
    for (let i = 0; i < horizonsMs.length; i++) {
      const horizon = horizonsMs[i]!;
      if (!(horizon > 0) || (i > 0 && !(horizon > horizonsMs[i - 1]!)))
        throw new RangeError(
          `MarkoutTracker horizonsMs must be > 0 and increasing, got [${horizonsMs.join(", ")}]`,
        );
    }
    if (!(Number.isInteger(capacity) && capacity >= 1))
      throw new RangeError(`MarkoutTracker capacity must be an integer ≥ 1, got ${capacity}`);
    this.horizonsMs = [...horizonsMs];
    this.#sides = new Int8Array(capacity);
    this.#prices = new Float64Array(capacity);
    this.#times = new Float64Array(capacity);
    this.#heads = new Float64Array(horizonsMs.length);
    this.#sums = new Float64Array(horizonsMs.length * 2);
    this.#counts = new Float64Array(horizonsMs.length * 2);
    this.#listener = listener;
  }

  /**
   * Records an own fill at `timeMs`.
   *
   * @example
   * ```ts
   * markouts.onFill("sell", 60_010, 1_700_000_000_000);
   * ```
   */
  onFill(side: Side, price: number, timeMs: number): void {
    if (!(price > 0) || !Number.isFinite(timeMs)) return;
    const capacity = this.#sides.length;
    const heads = this.#heads;
    // Full: the longest horizon's head is the oldest; drop unmarked fills rather than grow.
    for (let i = 0; i < heads.length; i++)
      if (this.#tail - heads[i]! >= capacity) heads[i] = this.#tail - capacity + 1;
    const slot = this.#tail % capacity;
    this.#sides[slot] = side === "buy" ? 1 : -1;
    this.#prices[slot] = price;
    this.#times[slot] = timeMs;
    this.#tail++;
  }

  /**
   * The mid is `mid` from `timeMs` on: fills whose horizon has passed are marked out (at the mid in force at
   * their horizon).
   *
   * @example
   * ```ts
   * markouts.onMid(60_005, 1_700_000_001_000);
   * ```
   */
  onMid(mid: number, timeMs: number): void {
    if (!(mid > 0) || !Number.isFinite(timeMs)) return;
    // The longest horizon's head is the oldest: when it has caught up no fill waits at any horizon. Most mids
    // find nothing to mark out, so that work has a method of its own and this one stays small (inlined).
    const heads = this.#heads;
    if (heads[heads.length - 1] !== this.#tail) this.#markOut(mid, timeMs);
    this.#lastMid = mid;
    this.#lastMidTimeMs = timeMs;
  }

  /** Marks out the fills whose horizon has passed by `timeMs`, the mid being `mid` from then on. */
  #markOut(mid: number, timeMs: number): void {
    const capacity = this.#sides.length;
    const heads = this.#heads;
    for (let h = 0; h < heads.length; h++) {
      const horizon = this.horizonsMs[h]!;
      let head = heads[h]!;
      while (head < this.#tail) {
        // An integer remainder (heads stay far below 2³¹ fills); a float one is a library call.
        const slot = head < 2_147_483_648 ? (head | 0) % capacity : head % capacity;
        const due = this.#times[slot]! + horizon;
        if (due > timeMs) break;
        // The mid in force at `due`: this one if it starts at or before `due`, else the previous one.
        const at = due >= timeMs || !(this.#lastMid > 0) ? mid : this.#lastMid;
        const sign = this.#sides[slot]!;
        const price = this.#prices[slot]!;
        const markoutBps = (sign * (at - price) * BPS) / price;
        const index = 2 * h + (sign > 0 ? 0 : 1);
        this.#sums[index]! += markoutBps;
        this.#counts[index]!++;
        this.#listener?.(sign > 0 ? "buy" : "sell", h, markoutBps, this.#times[slot]!);
        head++;
      }
      heads[h] = head;
    }
  }

  /** The time of the last mid seen (−Infinity before the first). */
  get lastMidTimeMs(): number {
    return this.#lastMidTimeMs;
  }

  /**
   * The mean mark-out at horizon `horizonIndex`, in bps, over both sides or one; NaN before any.
   *
   * @example
   * ```ts
   * markouts.meanBps(1, "buy"); // e.g. −1.8: bids were picked off at 5 s
   * ```
   */
  meanBps(horizonIndex: number, side?: Side): number {
    const count = this.count(horizonIndex, side);
    if (count === 0) return Number.NaN;
    const buy = 2 * horizonIndex;
    const sum =
      side === "buy"
        ? this.#sums[buy]!
        : side === "sell"
          ? this.#sums[buy + 1]!
          : this.#sums[buy]! + this.#sums[buy + 1]!;
    return sum / count;
  }

  /**
   * Fills marked out at horizon `horizonIndex` so far (both sides or one).
   *
   * @example
   * ```ts
   * markouts.count(0); // 42
   * ```
   */
  count(horizonIndex: number, side?: Side): number {
    const buy = 2 * horizonIndex;
    if (side === "buy") return this.#counts[buy]!;
    if (side === "sell") return this.#counts[buy + 1]!;
    return this.#counts[buy]! + this.#counts[buy + 1]!;
  }

  /**
   * The mean mark-out per horizon, keyed like the reports (`"1s"`, `"5s"`, `"30s"`, `"60s"`); NaN where no
   * fill has reached the horizon yet. Allocates the result.
   *
   * @example
   * ```ts
   * markouts.summary(); // { "1s": −0.4, "5s": −1.1, "30s": −2.6, "60s": −3.0 }
   * ```
   */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let h = 0; h < this.horizonsMs.length; h++) out[horizonLabel(this.horizonsMs[h]!)] = this.meanBps(h);
    return out;
  }
}

/**
 * The report key of a horizon: whole seconds as `"5s"`, else milliseconds as `"250ms"`.
 *
 * @example
 * ```ts
 * horizonLabel(60_000); // "60s"
 * ```
 */
export function horizonLabel(horizonMs: number): string {
  return horizonMs % 1_000 === 0 ? `${horizonMs / 1_000}s` : `${horizonMs}ms`;
}
