/**
 * Weighted events in a sliding time window, kept in a growable ring buffer of typed arrays: adding and
 * summing allocate nothing once the buffer is large enough. An event at time `t` counts while
 * `now − t < windowMs` (an event exactly `windowMs` old has left the window). Times must not go backwards:
 * an earlier time is recorded as the latest time seen.
 *
 * Internal to `@botmm/risk` (the error-burst breaker and the IP budget use it).
 */
export class SlidingWindow {
  readonly windowMs: number;
  #times: Float64Array;
  #weights: Float64Array;
  #head = 0;
  #count = 0;
  #sum = 0;
  #latestMs = Number.NEGATIVE_INFINITY;

  constructor(windowMs: number, initialCapacity = 64) {
    this.windowMs = windowMs;
    const capacity = Math.max(1, Math.floor(initialCapacity));
    this.#times = new Float64Array(capacity);
    this.#weights = new Float64Array(capacity);
  }

  /** Records `weight` at `timeMs`. */
  add(timeMs: number, weight: number): void {
    if (timeMs < this.#latestMs) timeMs = this.#latestMs;
    this.#latestMs = timeMs;
    if (this.#count === this.#times.length) this.#grow();
    const index = (this.#head + this.#count) % this.#times.length;
    this.#times[index] = timeMs;
    this.#weights[index] = weight;
    this.#count += 1;
    this.#sum += weight;
  }

  /** Total weight of the events still inside the window at `nowMs` (drops the ones that left). */
  sum(nowMs: number): number {
    this.#prune(nowMs);
    return this.#sum;
  }

  /** Time of the oldest event still in the window at `nowMs`, or `NaN` when the window is empty. */
  oldestMs(nowMs: number): number {
    this.#prune(nowMs);
    return this.#count === 0 ? Number.NaN : this.#times[this.#head]!;
  }

  /** The events still in the window at `nowMs`, oldest first, as `[timeMs, weight]` pairs. */
  entries(nowMs: number): Array<[number, number]> {
    this.#prune(nowMs);
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.#count; i++) {
      const index = (this.#head + i) % this.#times.length;
      out.push([this.#times[index]!, this.#weights[index]!]);
    }
    return out;
  }

  /** Forgets every event. */
  clear(): void {
    this.#head = 0;
    this.#count = 0;
    this.#sum = 0;
    this.#latestMs = Number.NEGATIVE_INFINITY;
  }

  #prune(nowMs: number): void {
    const cutoff = nowMs - this.windowMs;
    const capacity = this.#times.length;
    while (this.#count > 0 && this.#times[this.#head]! <= cutoff) {
      this.#sum -= this.#weights[this.#head]!;
      this.#head = (this.#head + 1) % capacity;
      this.#count -= 1;
    }
    // Integer weights sum exactly; this also stops fractional weights from leaving drift behind.
    if (this.#count === 0) this.#sum = 0;
  }

  #grow(): void {
    const capacity = this.#times.length;
    const times = new Float64Array(capacity * 2);
    const weights = new Float64Array(capacity * 2);
    for (let i = 0; i < this.#count; i++) {
      const index = (this.#head + i) % capacity;
      times[i] = this.#times[index]!;
      weights[i] = this.#weights[index]!;
    }
    this.#times = times;
    this.#weights = weights;
    this.#head = 0;
  }
}
