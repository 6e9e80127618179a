import { checkInteger, FINITE, invalidInput, POSITIVE } from "./errors.ts";

/** 1 bp = 0.0001 (the same value as the exported `BPS_PER_UNIT`; local so hot paths read no import). */
const BPS_PER_UNIT = 10_000;

/**
 * How fast an exponentially weighted average forgets. Give exactly one of `halfLifeSamples` or `alpha`.
 * `alpha = 1 − 2^(−1/halfLifeSamples)`: a sample's weight halves every `halfLifeSamples` samples.
 */
export interface EwmaDecay {
  /** Half-life in samples (> 0). A candle counts as one sample. */
  readonly halfLifeSamples?: number;
  /** Weight of the newest sample, in (0, 1]. */
  readonly alpha?: number;
  /**
   * Samples needed before the estimate is reported (integer ≥ 1). Default: max(5, ⌈halfLifeSamples⌉), so the
   * estimate rests on at least about half its eventual weight.
   */
  readonly warmUpSamples?: number;
}

/** Resolved EWMA settings (internal, shared with the candle estimator). */
export interface ResolvedEwmaDecay {
  readonly alpha: number;
  readonly warmUpSamples: number;
}

/** Validates {@link EwmaDecay} and resolves α and the warm-up count. */
export function resolveEwmaDecay(options: EwmaDecay): ResolvedEwmaDecay {
  const { halfLifeSamples, alpha } = options;
  let resolvedAlpha: number;
  if (halfLifeSamples !== undefined && alpha !== undefined) {
    throw invalidInput("alpha", "undefined when halfLifeSamples is given (give exactly one)", alpha);
  } else if (halfLifeSamples !== undefined) {
    if (!(Number.isFinite(halfLifeSamples) && halfLifeSamples > 0))
      throw invalidInput("halfLifeSamples", POSITIVE, halfLifeSamples);
    resolvedAlpha = -Math.expm1(-Math.LN2 / halfLifeSamples);
  } else if (alpha !== undefined) {
    if (!(Number.isFinite(alpha) && alpha > 0 && alpha <= 1))
      throw invalidInput("alpha", "a number in (0, 1]", alpha);
    resolvedAlpha = alpha;
  } else {
    throw invalidInput("halfLifeSamples", "a finite number > 0 (or give alpha)", halfLifeSamples);
  }
  const halfLife = resolvedAlpha === 1 ? 1 : -Math.LN2 / Math.log1p(-resolvedAlpha);
  const warmUpSamples = options.warmUpSamples ?? Math.max(5, Math.ceil(halfLife));
  checkInteger(warmUpSamples, "warmUpSamples", 1);
  return { alpha: resolvedAlpha, warmUpSamples };
}

/**
 * Streaming EWMA volatility of log returns, O(1) and allocation-free per update.
 *
 * Feed mid prices sampled at a fixed step (e.g. one per second, or each candle close); each update after the
 * first adds the log return rᵢ = ln(pᵢ / pᵢ₋₁). The variance is the bias-corrected exponentially weighted mean
 * of rᵢ² (zero-mean, the RiskMetrics convention): `Σ α(1−α)^(n−i)·rᵢ² / (1 − (1−α)^n)`, so it is an honest
 * weighted average from the first return on rather than starting from 0. {@link volatility} is σ **per
 * sample** as a fraction (0.0001 = 1 bp); use {@link scaleVolatility} for another interval and
 * {@link toPriceVolatility} for price units.
 *
 * @example
 * ```ts
 * import { EwmaVolatility } from "@botmm/quoter";
 * const ewma = new EwmaVolatility({ halfLifeSamples: 30 });
 * for (const mid of [100, 100.02, 99.99, 100.01]) ewma.update(mid);
 * ewma.isReady; // false: 3 returns < 30 warm-up samples
 * ewma.volatility; // null until ready, then σ per sample
 * ```
 */
export class EwmaVolatility {
  /** Weight of the newest squared return. */
  readonly alpha: number;
  /** Returns needed before {@link volatility} is reported. */
  readonly warmUpSamples: number;
  private readonly decay: number;
  // −0, not 0: a field whose first value is a small integer holds every later number as a new heap object,
  // one whose first value is a double is updated in place. The constructor sets them to 0.
  private weightedSum = -0;
  private weight = -0;
  private returns = 0;
  private lastPrice = Number.NaN;

  constructor(options: EwmaDecay) {
    const resolved = resolveEwmaDecay(options);
    this.alpha = resolved.alpha;
    this.warmUpSamples = resolved.warmUpSamples;
    this.decay = 1 - resolved.alpha;
    this.weightedSum = 0;
    this.weight = 0;
  }

  /**
   * Adds a price sample (> 0). The first sample only sets the reference; each later one adds a log return.
   *
   * @throws {QuoterInputError} `INVALID_INPUT` unless price is a finite number > 0
   * @example
   * ```ts
   * import { EwmaVolatility } from "@botmm/quoter";
   * const ewma = new EwmaVolatility({ alpha: 0.1 });
   * ewma.update(100); ewma.update(101); // one return: ln(1.01)
   * ```
   */
  update(price: number): void {
    if (!(Number.isFinite(price) && price > 0)) throw invalidInput("price", POSITIVE, price);
    const last = this.lastPrice;
    this.lastPrice = price;
    if (!Number.isNaN(last)) this.addReturn(Math.log(price / last));
  }

  /**
   * Adds a log return directly (finite), for callers that already have returns.
   *
   * @throws {QuoterInputError} `INVALID_INPUT` unless logReturn is finite
   * @example
   * ```ts
   * import { EwmaVolatility } from "@botmm/quoter";
   * const ewma = new EwmaVolatility({ alpha: 0.5, warmUpSamples: 1 });
   * ewma.updateLogReturn(0.001);
   * ewma.volatility; // 0.001
   * ```
   */
  updateLogReturn(logReturn: number): void {
    if (!Number.isFinite(logReturn)) throw invalidInput("logReturn", FINITE, logReturn);
    this.addReturn(logReturn);
  }

  private addReturn(r: number): void {
    this.weightedSum = this.decay * this.weightedSum + this.alpha * r * r;
    this.weight = this.decay * this.weight + this.alpha;
    this.returns++;
  }

  /** Number of log returns seen. */
  get count(): number {
    return this.returns;
  }

  /** True once {@link count} ≥ {@link warmUpSamples}. */
  get isReady(): boolean {
    return this.returns >= this.warmUpSamples;
  }

  /** EWMA variance of log returns per sample, or `null` before warm-up. */
  get variance(): number | null {
    return this.returns >= this.warmUpSamples ? this.weightedSum / this.weight : null;
  }

  /** σ per sample: EWMA standard deviation of log returns as a fraction (0.0001 = 1 bp), or `null` before warm-up. */
  get volatility(): number | null {
    return this.returns >= this.warmUpSamples ? Math.sqrt(this.weightedSum / this.weight) : null;
  }

  /** {@link volatility} in bps (× 10 000): what `basicQuote` takes as `volatilityBps`; `null` before warm-up. */
  get volatilityBps(): number | null {
    return this.returns >= this.warmUpSamples ? this.volatilityBpsOr(0) : null;
  }

  /**
   * {@link volatilityBps}, or `fallback` before warm-up: a number either way, for hot loops (V8 boxes a result
   * that may be `null` on the heap, 16 bytes a call).
   *
   * @example
   * ```ts
   * const ewma = new EwmaVolatility({ halfLifeSamples: 30, warmUpSamples: 2 });
   * ewma.volatilityBpsOr(0); // 0 (warming up)
   * ```
   */
  volatilityBpsOr(fallback: number): number {
    return this.returns >= this.warmUpSamples
      ? Math.sqrt(this.weightedSum / this.weight) * BPS_PER_UNIT
      : fallback;
  }

  /**
   * Forgets everything (keeps the settings).
   *
   * @example
   * ```ts
   * import { EwmaVolatility } from "@botmm/quoter";
   * const ewma = new EwmaVolatility({ halfLifeSamples: 10 });
   * ewma.update(100); ewma.reset(); ewma.count; // 0
   * ```
   */
  reset(): void {
    this.weightedSum = 0;
    this.weight = 0;
    this.returns = 0;
    this.lastPrice = Number.NaN;
  }
}
