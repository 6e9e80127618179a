import { invalidInput, POSITIVE } from "./errors.ts";
import { EwmaVolatility } from "./ewma.ts";

/** Options of {@link SampledMidVolatility}. */
export interface SampledMidVolatilityOptions {
  /** Sampling step in ms (> 0): one log return per step, from the mid in force at each step's start. */
  readonly sampleMs: number;
  /** EWMA half-life, in samples (> 0). */
  readonly halfLifeSamples: number;
  /** Returns needed before an answer (integer ≥ 1; default ⌈half-life⌉, at least 5). */
  readonly warmUpSamples?: number;
}

/**
 * EWMA volatility of the mid sampled on a fixed time grid, for streams of mids that arrive at irregular times
 * (book updates): at each multiple of `sampleMs` the mid in force (the last one seen before it) is one sample,
 * and each sample after the first adds a log return to an {@link EwmaVolatility}. Steps without a new mid add a
 * zero return (the mid did not move), so quiet periods lower σ as they should. A gap of more than 10 000 steps
 * (a disconnection) restarts the sampling instead of adding that many zeros.
 *
 * @example
 * ```ts
 * import { SampledMidVolatility } from "@botmm/quoter";
 * const sigma = new SampledMidVolatility({ sampleMs: 1_000, halfLifeSamples: 60, warmUpSamples: 2 });
 * sigma.onMid(100, 0);
 * sigma.onMid(100.01, 1_200);
 * sigma.onMid(100.0, 2_500);
 * sigma.onMid(100.0, 3_000);
 * sigma.volatility; // σ per second (fraction) ≈ 0.00008: returns 0, +1 bp, −1 bp
 * sigma.volatilityOver(60_000); // the same scaled to one minute: × √60
 * ```
 */
export class SampledMidVolatility {
  readonly sampleMs: number;
  readonly #ewma: EwmaVolatility;
  #step = Number.NaN;
  #mid = Number.NaN;

  /** @throws {QuoterInputError} `INVALID_INPUT` for a setting out of its domain */
  constructor(options: SampledMidVolatilityOptions) {
    if (!(Number.isFinite(options.sampleMs) && options.sampleMs > 0))
      throw invalidInput("sampleMs", POSITIVE, options.sampleMs);
    this.sampleMs = options.sampleMs;
    this.#ewma = new EwmaVolatility(
      options.warmUpSamples === undefined
        ? { halfLifeSamples: options.halfLifeSamples }
        : { halfLifeSamples: options.halfLifeSamples, warmUpSamples: options.warmUpSamples },
    );
  }

  /**
   * The mid is `midPrice` (> 0) from `timestampMs` on. Late mids (before the current step) update the mid in
   * force without going back in time.
   *
   * @throws {QuoterInputError} `INVALID_INPUT` unless midPrice > 0 and timestampMs are finite
   * @example
   * ```ts
   * import { SampledMidVolatility } from "@botmm/quoter";
   * new SampledMidVolatility({ sampleMs: 1_000, halfLifeSamples: 60 }).onMid(100_000, 1_700_000_000_000);
   * ```
   */
  onMid(midPrice: number, timestampMs: number): void {
    if (!(Number.isFinite(midPrice) && midPrice > 0)) throw invalidInput("midPrice", POSITIVE, midPrice);
    if (!Number.isFinite(timestampMs)) throw invalidInput("timestampMs", "a finite number", timestampMs);
    const step = Math.floor(timestampMs / this.sampleMs);
    if (Number.isNaN(this.#step)) {
      this.#ewma.update(midPrice);
    } else if (step > this.#step) {
      const passed = step - this.#step;
      if (passed > 10_000) {
        this.#ewma.reset();
        this.#ewma.update(midPrice);
      } else {
        // At every step boundary passed, the mid in force was the previous one (repeats add zero returns).
        for (let i = 0; i < passed; i++) this.#ewma.update(this.#mid);
      }
    }
    if (!(step < this.#step)) this.#step = step;
    this.#mid = midPrice;
  }

  /** Returns seen so far. */
  get count(): number {
    return this.#ewma.count;
  }

  /** True once enough returns have been seen. */
  get isReady(): boolean {
    return this.#ewma.isReady;
  }

  /** σ of log returns per `sampleMs` (fraction), or null before warm-up. */
  get volatility(): number | null {
    return this.#ewma.volatility;
  }

  /**
   * σ scaled to `intervalMs` by √time (fraction), or null before warm-up.
   *
   * @example
   * ```ts
   * sigma.volatilityOver(60_000); // σ per minute
   * ```
   */
  volatilityOver(intervalMs: number): number | null {
    const sigma = this.#ewma.volatility;
    if (sigma === null) return null;
    if (!(Number.isFinite(intervalMs) && intervalMs > 0))
      throw invalidInput("intervalMs", POSITIVE, intervalMs);
    return sigma * Math.sqrt(intervalMs / this.sampleMs);
  }
}
