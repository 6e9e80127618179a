/**
 * Builds fixed-interval bars from a stream of mids and reports each bar's close once the bar is over, so the
 * strategy's `onBar` sees only closed bars (no look-ahead). Empty intervals produce no bar.
 *
 * @example
 * ```ts
 * const bars = new BarBuilder(60_000);
 * bars.onMid(100, 0); // NaN: the first bar is still open
 * bars.onMid(101, 30_000); // NaN
 * bars.onMid(102, 60_000); // 101: the bar [0, 60 s) closed at 101
 * ```
 */
export class BarBuilder {
  readonly intervalMs: number;
  #barStart = Number.NaN;
  #close = Number.NaN;
  #count = 0;

  constructor(intervalMs: number) {
    if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
    this.intervalMs = intervalMs;
  }

  /** Bars closed so far. */
  get closedBars(): number {
    return this.#count;
  }

  /**
   * Feeds one mid at `timeMs`. Returns the close of the bar that just ended, or NaN when no bar ended.
   */
  onMid(mid: number, timeMs: number): number {
    if (!(mid > 0)) return Number.NaN;
    const start = Math.floor(timeMs / this.intervalMs) * this.intervalMs;
    if (Number.isNaN(this.#barStart)) {
      this.#barStart = start;
      this.#close = mid;
      return Number.NaN;
    }
    if (start <= this.#barStart) {
      this.#close = mid;
      return Number.NaN;
    }
    const closed = this.#close;
    this.#barStart = start;
    this.#close = mid;
    this.#count++;
    return closed;
  }
}
