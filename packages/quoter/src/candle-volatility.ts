import { checkInteger, invalidInput } from "./errors.ts";
import { type EwmaDecay, resolveEwmaDecay } from "./ewma.ts";

/** The prices of one candle (bar), in quote currency. Any object with these fields works (e.g. a core Candle). */
export interface Ohlc {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** Which range-based estimator to use per candle. */
export type CandleVolatilityEstimator = "parkinson" | "garman-klass";

const FOUR_LN2 = 4 * Math.LN2; // Parkinson's 4·ln 2
const GK_CLOSE_WEIGHT = 2 * Math.LN2 - 1; // Garman–Klass (2·ln 2 − 1)

function checkCandle(candle: Ohlc): void {
  const { open, high, low, close } = candle;
  if (!(Number.isFinite(low) && low > 0)) throw invalidInput("candle.low", "a finite number > 0", low);
  if (!(Number.isFinite(high) && high >= low))
    throw invalidInput("candle.high", `a finite number >= low (${low})`, high);
  if (!(open >= low && open <= high))
    throw invalidInput("candle.open", `a number in [low, high] = [${low}, ${high}]`, open);
  if (!(close >= low && close <= high)) {
    throw invalidInput("candle.close", `a number in [low, high] = [${low}, ${high}]`, close);
  }
}

/**
 * Parkinson (1980) variance of log returns over one candle: `(ln(high/low))² / (4·ln 2)`.
 * Uses the range only; unbiased for a driftless random walk observed continuously (real bars with discrete
 * trades understate the range, so it reads a little low).
 *
 * @throws {QuoterInputError} `INVALID_INPUT` unless 0 < low ≤ open, close ≤ high, all finite
 * @example
 * ```ts
 * import { parkinsonVariance } from "@botmm/quoter";
 * parkinsonVariance({ open: 102, high: 110, low: 100, close: 108 }); // ln(1.1)² / 2.7725887 = 0.0032763…
 * ```
 */
export function parkinsonVariance(candle: Ohlc): number {
  checkCandle(candle);
  const range = Math.log(candle.high / candle.low);
  return (range * range) / FOUR_LN2;
}

/**
 * Parkinson volatility: σ of log returns per candle period, as a fraction (√ of {@link parkinsonVariance}).
 *
 * @throws {QuoterInputError} `INVALID_INPUT` unless 0 < low ≤ open, close ≤ high, all finite
 * @example
 * ```ts
 * import { parkinsonVolatility } from "@botmm/quoter";
 * parkinsonVolatility({ open: 102, high: 110, low: 100, close: 108 }); // 0.0572396… per candle
 * ```
 */
export function parkinsonVolatility(candle: Ohlc): number {
  return Math.sqrt(parkinsonVariance(candle));
}

/**
 * Garman–Klass (1980) variance of log returns over one candle:
 * `½·(ln(high/low))² − (2·ln 2 − 1)·(ln(close/open))²`. Always ≥ 0 for a valid candle (|ln(C/O)| ≤ ln(H/L)).
 * Ignores the overnight gap (crypto perps trade continuously, so open ≈ previous close).
 *
 * @throws {QuoterInputError} `INVALID_INPUT` unless 0 < low ≤ open, close ≤ high, all finite
 * @example
 * ```ts
 * import { garmanKlassVariance } from "@botmm/quoter";
 * garmanKlassVariance({ open: 102, high: 110, low: 100, close: 108 }); // 0.0032800…
 * ```
 */
export function garmanKlassVariance(candle: Ohlc): number {
  checkCandle(candle);
  const range = Math.log(candle.high / candle.low);
  const body = Math.log(candle.close / candle.open);
  return 0.5 * range * range - GK_CLOSE_WEIGHT * body * body;
}

/**
 * Garman–Klass volatility: σ of log returns per candle period, as a fraction (√ of {@link garmanKlassVariance}).
 *
 * @throws {QuoterInputError} `INVALID_INPUT` unless 0 < low ≤ open, close ≤ high, all finite
 * @example
 * ```ts
 * import { garmanKlassVolatility } from "@botmm/quoter";
 * garmanKlassVolatility({ open: 102, high: 110, low: 100, close: 108 }); // 0.0572709… per candle
 * ```
 */
export function garmanKlassVolatility(candle: Ohlc): number {
  return Math.sqrt(garmanKlassVariance(candle));
}

function varianceFunction(estimator: CandleVolatilityEstimator | undefined): (candle: Ohlc) => number {
  if (estimator === undefined || estimator === "garman-klass") return garmanKlassVariance;
  if (estimator === "parkinson") return parkinsonVariance;
  throw invalidInput("estimator", '"parkinson" or "garman-klass"', estimator);
}

/** Options of {@link RollingCandleVolatility}. */
export interface RollingCandleVolatilityOptions {
  /** Number of most recent candles averaged (integer ≥ 1). */
  readonly windowCandles: number;
  /** Per-candle estimator (default "garman-klass"). */
  readonly estimator?: CandleVolatilityEstimator;
}

/**
 * Rolling range-based volatility: σ = √(mean of the per-candle variances of the last `windowCandles` candles),
 * per candle period, as a fraction. O(1) amortized per update, no allocation after construction (a ring
 * buffer; the running sum is recomputed from the buffer once per window to stop float drift).
 *
 * @example
 * ```ts
 * import { RollingCandleVolatility } from "@botmm/quoter";
 * const rolling = new RollingCandleVolatility({ windowCandles: 20, estimator: "parkinson" });
 * rolling.update({ open: 100, high: 101, low: 99.5, close: 100.5 });
 * rolling.volatility; // null until 20 candles
 * ```
 */
export class RollingCandleVolatility {
  /** Candles in the window. */
  readonly windowCandles: number;
  private readonly variance: (candle: Ohlc) => number;
  private readonly buffer: Float64Array;
  private next = 0;
  private filled = 0;
  private sum = 0;

  constructor(options: RollingCandleVolatilityOptions) {
    checkInteger(options.windowCandles, "windowCandles", 1);
    this.windowCandles = options.windowCandles;
    this.variance = varianceFunction(options.estimator);
    this.buffer = new Float64Array(options.windowCandles);
  }

  /**
   * Adds one closed candle.
   *
   * @throws {QuoterInputError} `INVALID_INPUT` unless 0 < low ≤ open, close ≤ high, all finite
   * @example
   * ```ts
   * import { RollingCandleVolatility } from "@botmm/quoter";
   * const rolling = new RollingCandleVolatility({ windowCandles: 1 });
   * rolling.update({ open: 102, high: 110, low: 100, close: 108 });
   * rolling.volatility; // 0.0572709… (Garman–Klass)
   * ```
   */
  update(candle: Ohlc): void {
    const v = this.variance(candle);
    const i = this.next;
    if (this.filled === this.windowCandles) this.sum -= this.buffer[i]!;
    else this.filled++;
    this.buffer[i] = v;
    this.sum += v;
    this.next = i + 1 === this.windowCandles ? 0 : i + 1;
    if (this.next === 0) {
      // Once per window: recompute the sum exactly, so subtracting large old values cannot leave drift.
      let exact = 0;
      for (let j = 0; j < this.filled; j++) exact += this.buffer[j]!;
      this.sum = exact;
    }
  }

  /** Candles seen, capped at {@link windowCandles}. */
  get count(): number {
    return this.filled;
  }

  /** True once the window is full. */
  get isReady(): boolean {
    return this.filled === this.windowCandles;
  }

  /** σ of log returns per candle period (fraction), or `null` until the window is full. */
  get volatility(): number | null {
    if (this.filled !== this.windowCandles) return null;
    const mean = this.sum / this.filled;
    return Math.sqrt(Math.max(mean, 0));
  }

  /**
   * Forgets all candles (keeps the settings).
   *
   * @example
   * ```ts
   * import { RollingCandleVolatility } from "@botmm/quoter";
   * const rolling = new RollingCandleVolatility({ windowCandles: 5 });
   * rolling.reset(); rolling.count; // 0
   * ```
   */
  reset(): void {
    this.buffer.fill(0);
    this.next = 0;
    this.filled = 0;
    this.sum = 0;
  }
}

/** Options of {@link EwmaCandleVolatility}: an {@link EwmaDecay} (one candle = one sample) plus the estimator. */
export interface EwmaCandleVolatilityOptions extends EwmaDecay {
  /** Per-candle estimator (default "garman-klass"). */
  readonly estimator?: CandleVolatilityEstimator;
}

/**
 * Exponentially weighted range-based volatility: σ = √(bias-corrected EWMA of per-candle variances), per candle
 * period, as a fraction. O(1), allocation-free per update.
 *
 * @example
 * ```ts
 * import { EwmaCandleVolatility } from "@botmm/quoter";
 * const ewma = new EwmaCandleVolatility({ halfLifeSamples: 20, estimator: "garman-klass" });
 * ewma.update({ open: 100, high: 101, low: 99.5, close: 100.5 });
 * ewma.isReady; // false until 20 candles (the default warm-up is ⌈half-life⌉, at least 5)
 * ```
 */
export class EwmaCandleVolatility {
  /** Weight of the newest candle. */
  readonly alpha: number;
  /** Candles needed before {@link volatility} is reported. */
  readonly warmUpSamples: number;
  private readonly decay: number;
  private readonly variance: (candle: Ohlc) => number;
  private weightedSum = 0;
  private weight = 0;
  private candles = 0;

  constructor(options: EwmaCandleVolatilityOptions) {
    const resolved = resolveEwmaDecay(options);
    this.alpha = resolved.alpha;
    this.warmUpSamples = resolved.warmUpSamples;
    this.decay = 1 - resolved.alpha;
    this.variance = varianceFunction(options.estimator);
  }

  /**
   * Adds one closed candle.
   *
   * @throws {QuoterInputError} `INVALID_INPUT` unless 0 < low ≤ open, close ≤ high, all finite
   * @example
   * ```ts
   * import { EwmaCandleVolatility } from "@botmm/quoter";
   * const ewma = new EwmaCandleVolatility({ alpha: 0.5, warmUpSamples: 1, estimator: "parkinson" });
   * ewma.update({ open: 102, high: 110, low: 100, close: 108 });
   * ewma.volatility; // 0.0572396…
   * ```
   */
  update(candle: Ohlc): void {
    const v = this.variance(candle);
    this.weightedSum = this.decay * this.weightedSum + this.alpha * v;
    this.weight = this.decay * this.weight + this.alpha;
    this.candles++;
  }

  /** Candles seen. */
  get count(): number {
    return this.candles;
  }

  /** True once {@link count} ≥ {@link warmUpSamples}. */
  get isReady(): boolean {
    return this.candles >= this.warmUpSamples;
  }

  /** σ of log returns per candle period (fraction), or `null` before warm-up. */
  get volatility(): number | null {
    return this.candles >= this.warmUpSamples ? Math.sqrt(this.weightedSum / this.weight) : null;
  }

  /**
   * Forgets all candles (keeps the settings).
   *
   * @example
   * ```ts
   * import { EwmaCandleVolatility } from "@botmm/quoter";
   * const ewma = new EwmaCandleVolatility({ halfLifeSamples: 10 });
   * ewma.reset(); ewma.count; // 0
   * ```
   */
  reset(): void {
    this.weightedSum = 0;
    this.weight = 0;
    this.candles = 0;
  }
}
