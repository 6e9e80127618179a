/**
 * Builds fixed-interval bars (open, high, low, close, volume) from a stream of mids and trades, and hands over
 * each bar only once it is over, so the strategy's `onBar` sees closed bars only (no look-ahead). Empty
 * intervals produce no bar. Every driver that sees a market rather than candles (replay, paper, live) builds
 * its bars with it.
 *
 * @example
 * ```ts
 * const bars = new BarBuilder(60_000);
 * bars.onMid(100, 0); // NaN: the first bar is still open
 * bars.onMid(101, 30_000); // NaN
 * bars.onMid(102, 60_000); // 101: the bar [0, 60 s) closed at 101
 * bars.lastClosed.high; // 101
 * ```
 */
export class BarBuilder {
  readonly intervalMs: number;
  /** The bar being built (`startMs` NaN while none is open). */
  readonly current = { startMs: Number.NaN, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  /** The last bar that closed (`startMs` NaN before the first). */
  readonly lastClosed = { startMs: Number.NaN, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  #count = 0;

  constructor(intervalMs: number) {
    if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
    this.intervalMs = intervalMs;
  }

  /** Bars closed so far. */
  get closedBars(): number {
    return this.#count;
  }

  /** Whether a bar is open. */
  get isOpen(): boolean {
    return !Number.isNaN(this.current.startMs);
  }

  /**
   * Closes the open bar when `timeMs` lies in a later interval. Returns that bar's close, or NaN when no bar
   * closed.
   *
   * @example
   * ```ts
   * bars.roll(120_000); // 102 when the bar [60 s, 120 s) was open and closed at 102
   * ```
   */
  roll(timeMs: number): number {
    const current = this.current;
    if (Number.isNaN(current.startMs) || timeMs < current.startMs + this.intervalMs) return Number.NaN;
    const closed = this.lastClosed;
    closed.startMs = current.startMs;
    closed.open = current.open;
    closed.high = current.high;
    closed.low = current.low;
    closed.close = current.close;
    closed.volume = current.volume;
    current.startMs = Number.NaN;
    this.#count++;
    return closed.close;
  }

  /**
   * Updates the open bar with `mid` at `timeMs`, opening the bar of `timeMs`'s interval at `mid` when none is
   * open. Does not close bars: call {@link BarBuilder.roll} first.
   *
   * @example
   * ```ts
   * bars.update(100.5, 61_000);
   * ```
   */
  update(mid: number, timeMs: number): void {
    const current = this.current;
    if (Number.isNaN(current.startMs)) {
      current.startMs = Math.floor(timeMs / this.intervalMs) * this.intervalMs;
      current.open = mid;
      current.high = mid;
      current.low = mid;
      current.close = mid;
      current.volume = 0;
      return;
    }
    if (mid > current.high) current.high = mid;
    if (mid < current.low) current.low = mid;
    current.close = mid;
  }

  /**
   * Adds traded size to the open bar (nothing when none is open).
   *
   * @example
   * ```ts
   * bars.addVolume(0.25);
   * ```
   */
  addVolume(size: number): void {
    if (!Number.isNaN(this.current.startMs)) this.current.volume += size;
  }

  /**
   * Feeds one mid at `timeMs`: closes the open bar if `timeMs` is past it, then updates or opens the bar of
   * `timeMs`. Returns the close of the bar that just ended, or NaN. Non-positive mids are ignored.
   *
   * @example
   * ```ts
   * const close = bars.onMid(book.mid, clock.now());
   * if (close > 0) maker.onBar(close);
   * ```
   */
  onMid(mid: number, timeMs: number): number {
    if (!(mid > 0)) return Number.NaN;
    const closed = this.roll(timeMs);
    this.update(mid, timeMs);
    return closed;
  }
}
