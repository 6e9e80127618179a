import type { Side } from "@botmm/core";

const BPS = 10_000;

/**
 * Adverse-selection defence. Each own fill is marked out `horizonBars` bars later: the mid move in the
 * fill's favour, in bps (negative = the market kept going through us). An EWMA of those mark-outs per side
 * over about `fills` fills; when it is worse than −`thresholdBps`, that side's half spread widens by the
 * excess. Fills are taken from a fixed ring, so nothing is allocated per fill.
 *
 * @example
 * ```ts
 * const guard = new ToxicityGuard(5, 10, 2);
 * guard.onFill("buy", 100);
 * for (let i = 0; i < 5; i++) guard.onBar(99.9); // bought at 100, mid now 99.9: −10 bps
 * guard.extraBps("buy"); // > 0: bids widen
 * ```
 */
export class ToxicityGuard {
  readonly #horizonBars: number;
  readonly #alpha: number;
  readonly #thresholdBps: number;
  readonly #sides: Int8Array;
  readonly #prices: Float64Array;
  readonly #dueBar: Float64Array;
  #head = 0;
  #tail = 0;
  #bar = 0;
  #buyMarkoutBps = 0;
  #sellMarkoutBps = 0;

  constructor(horizonBars: number, fills: number, thresholdBps: number, capacity = 4096) {
    this.#horizonBars = horizonBars;
    this.#alpha = 2 / (fills + 1);
    this.#thresholdBps = thresholdBps;
    this.#sides = new Int8Array(capacity);
    this.#prices = new Float64Array(capacity);
    this.#dueBar = new Float64Array(capacity);
  }

  /** Records an own fill at the current bar. */
  onFill(side: Side, price: number): void {
    const capacity = this.#sides.length;
    if (this.#tail - this.#head >= capacity) this.#head++; // drop the oldest rather than grow
    const slot = this.#tail % capacity;
    this.#sides[slot] = side === "buy" ? 1 : -1;
    this.#prices[slot] = price;
    this.#dueBar[slot] = this.#bar + this.#horizonBars;
    this.#tail++;
  }

  /** A bar closed at `close`: mark out the fills that are now `horizonBars` old. */
  onBar(close: number): void {
    this.#bar++;
    const capacity = this.#sides.length;
    while (this.#head < this.#tail) {
      const slot = this.#head % capacity;
      if (this.#dueBar[slot]! > this.#bar) break;
      const sign = this.#sides[slot]!;
      const markoutBps = (sign * (close - this.#prices[slot]!) * BPS) / this.#prices[slot]!;
      if (sign > 0) this.#buyMarkoutBps += this.#alpha * (markoutBps - this.#buyMarkoutBps);
      else this.#sellMarkoutBps += this.#alpha * (markoutBps - this.#sellMarkoutBps);
      this.#head++;
    }
  }

  /**
   * The EWMA mark-out of one side's fills, in bps (negative = toxic).
   *
   * @example
   * ```ts
   * guard.markoutBps("buy"); // e.g. −3.2: bids have been picked off
   * ```
   */
  markoutBps(side: Side): number {
    return side === "buy" ? this.#buyMarkoutBps : this.#sellMarkoutBps;
  }

  /** How much wider that side should quote, in bps (0 while its fills are not toxic). */
  extraBps(side: Side): number {
    const excess = -this.markoutBps(side) - this.#thresholdBps;
    return Math.max(excess, 0);
  }
}
