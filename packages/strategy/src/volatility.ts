/**
 * Per-bar volatility of log returns, in bps, from an EWMA of squared returns with the given half-life in
 * bars; ready after `warmupBars` returns.
 */
export class LogReturnVolatility {
  readonly #alpha: number;
  readonly #warmup: number;
  #variance = 0;
  #previous = Number.NaN;
  #samples = 0;

  constructor(halfLifeBars: number, warmupBars: number) {
    this.#alpha = 1 - 0.5 ** (1 / halfLifeBars);
    this.#warmup = warmupBars;
  }

  update(price: number): void {
    const previous = this.#previous;
    this.#previous = price;
    if (Number.isNaN(previous)) return;
    const r = Math.log(price / previous);
    this.#samples++;
    this.#variance = this.#samples === 1 ? r * r : this.#variance + this.#alpha * (r * r - this.#variance);
  }

  get samples(): number {
    return this.#samples;
  }

  get isReady(): boolean {
    return this.#samples >= this.#warmup;
  }

  get volatilityBps(): number {
    return Math.sqrt(this.#variance) * 10_000;
  }
}
