/** Where time comes from. Libraries take a `Clock` instead of reading the wall clock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/**
 * The wall clock. Only apps should create one; libraries receive a `Clock`.
 *
 * @example
 * ```ts
 * const clock = systemClock();
 * clock.now(); // e.g. 1764061200000
 * ```
 */
export function systemClock(): Clock {
  return { now: () => Date.now() };
}

/**
 * A clock that moves only when told to: backtests and tests drive time with it.
 *
 * @example
 * ```ts
 * const clock = new ManualClock(1_000);
 * clock.advance(500);
 * clock.now(); // 1500
 * ```
 */
export class ManualClock implements Clock {
  #now: number;

  constructor(startMs = 0) {
    this.#now = requireTime(startMs, "startMs");
  }

  now(): number {
    return this.#now;
  }

  /**
   * Sets the time; it may not go backwards.
   *
   * @example
   * ```ts
   * clock.set(Date.UTC(2025, 0, 1));
   * ```
   */
  set(timeMs: number): void {
    requireTime(timeMs, "timeMs");
    if (timeMs < this.#now) {
      throw new RangeError(`ManualClock cannot go backwards: timeMs ${timeMs} < now ${this.#now}`);
    }
    this.#now = timeMs;
  }

  /** Moves time forward by `ms` (≥ 0). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advance(ms): ms must be a finite number ≥ 0, got ${ms}`);
    this.#now += ms;
  }
}

function requireTime(value: number, field: string): number {
  if (!Number.isFinite(value)) throw new RangeError(`${field} must be a finite number of ms, got ${value}`);
  return value;
}
