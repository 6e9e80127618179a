import { assertFinite, assertPositive, rejectNumber, rejectRange, SignalsInputError } from "./errors.ts";
import { KalmanTrendFilter, type KalmanTrendFilterOptions } from "./kalman-trend.ts";
import { Qqe, type QqeOptions } from "./qqe.ts";

/** Weights of the four bias components. Any finite numbers; the bias divides by the sum of |weights|. */
export interface DirectionalBiasWeights {
  /** Kalman slope: tanh(slopeFraction / slopeScaleFractionPerTimeUnit). Default 0.35. */
  readonly kalmanSlope: number;
  /**
   * Price vs Kalman level: tanh(((price − level)/level) / deviationScaleFraction), price above the level
   * counting as bullish. Default 0.15. A negative weight turns it into a mean-reversion term.
   */
  readonly priceVsLevel: number;
  /** QQE trend, +1 or −1 (0 until the QQE's first cross, see {@link Qqe.trendConfirmed}). Default 0.3. */
  readonly qqeTrend: number;
  /** QQE level: clamp((RsiMa − 50) / rsiLevelScale, −1, 1). Default 0.2. */
  readonly qqeLevel: number;
}

/**
 * The default {@link DirectionalBiasWeights}: slope 0.35, price vs level 0.15, QQE trend 0.3, QQE level 0.2.
 * The Kalman slope leads (it is the trend signal proper); the QQE trend is next, as a slower confirmation;
 * the two level terms (price vs Kalman level, RsiMa vs 50) add less because they largely restate the first two.
 * @example
 * ```ts
 * import { DEFAULT_DIRECTIONAL_BIAS_WEIGHTS, DirectionalBias } from "@botmm/signals";
 *
 * const moreQqe = new DirectionalBias({
 *   kalman: { processNoise: 0.05, measurementNoise: 25 },
 *   weights: { ...DEFAULT_DIRECTIONAL_BIAS_WEIGHTS, qqeTrend: 0.5 },
 * });
 * ```
 */
export const DEFAULT_DIRECTIONAL_BIAS_WEIGHTS: DirectionalBiasWeights = Object.freeze({
  kalmanSlope: 0.35,
  priceVsLevel: 0.15,
  qqeTrend: 0.3,
  qqeLevel: 0.2,
});

/** Options of {@link DirectionalBias}. */
export interface DirectionalBiasOptions {
  /** The Kalman trend filter's options (its noise variances are in price², so they have no default). */
  readonly kalman: KalmanTrendFilterOptions;
  /** QQE options; defaults 14 / 5 / 27 / 4.236. */
  readonly qqe?: QqeOptions;
  /** Component weights; missing ones take {@link DEFAULT_DIRECTIONAL_BIAS_WEIGHTS}. */
  readonly weights?: Partial<DirectionalBiasWeights>;
  /**
   * Kalman slope (fraction of the level per time unit of `dt`) that scores tanh(1) ≈ 0.76. > 0.
   * Default 0.0001 (1 bp per time unit, sized for 1-minute bars with dt = 1); rescale it with your time unit.
   */
  readonly slopeScaleFractionPerTimeUnit?: number;
  /** Price distance from the Kalman level, as a fraction of it, that scores tanh(1). > 0. Default 0.001 (10 bps). */
  readonly deviationScaleFraction?: number;
  /** RsiMa distance from 50, in RSI points, that scores ±1 (clamped beyond). > 0. Default 20 (RsiMa 70 → +1). */
  readonly rsiLevelScale?: number;
}

/**
 * Combines a {@link KalmanTrendFilter} and a {@link Qqe}, both fed the same prices, into a directional bias in
 * [−1, 1] (+1 = strongly up): `bias = Σ wᵢ·cᵢ / Σ |wᵢ|` over the components
 *
 * | component | cᵢ in [−1, 1] | default weight |
 * |---|---|---|
 * | `kalmanSlope` | tanh(slopeFraction / slopeScaleFractionPerTimeUnit) | 0.35 |
 * | `priceVsLevel` | tanh(((price − level)/level) / deviationScaleFraction), level after this update | 0.15 |
 * | `qqeTrend` | QQE trend (+1/−1); 0 until {@link Qqe.trendConfirmed} | 0.3 |
 * | `qqeLevel` | clamp((RsiMa − 50)/rsiLevelScale, −1, 1) | 0.2 |
 *
 * The bias (and every component score) is 0 until every input with a non-zero weight is warm: the Kalman
 * velocity (update 2, given a positive dt) for `kalmanSlope`/`priceVsLevel`, the QQE trend (update 72 with
 * default QQE options) for `qqeTrend`, RsiMa (update 19) for `qqeLevel`. With the defaults the bias is
 * therefore 0 for 71 updates and live from update 72 on; {@link DirectionalBias.warmUpUpdates} has the
 * number for your options. The Kalman components count 0 while its level is ≤ 0.
 *
 * O(1) per update, no allocation.
 *
 * @example
 * ```ts
 * import { biasShiftPrice, DirectionalBias } from "@botmm/signals";
 *
 * const bias = new DirectionalBias({ kalman: { processNoise: 0.05, measurementNoise: 25 } });
 * for (const close of closes) bias.update(close); // one update per 1-minute bar
 * const mid = closes[closes.length - 1];
 * const shiftedMid = mid + biasShiftPrice(bias.bias, 0.5, volatilityPrice);
 * ```
 */
export class DirectionalBias {
  /** The Kalman trend filter; updated by {@link DirectionalBias.update} — do not update it elsewhere. */
  readonly kalman: KalmanTrendFilter;
  /** The QQE; updated by {@link DirectionalBias.update} — do not update it elsewhere. */
  readonly qqe: Qqe;
  /** The resolved weights. */
  readonly weights: DirectionalBiasWeights;
  /** The resolved slope scale (fraction per time unit). */
  readonly slopeScaleFractionPerTimeUnit: number;
  /** The resolved deviation scale (fraction). */
  readonly deviationScaleFraction: number;
  /** The resolved RSI level scale (RSI points). */
  readonly rsiLevelScale: number;
  /**
   * The update on which the bias first can be non-zero (assuming the second update comes a positive dt after
   * the first).
   */
  readonly warmUpUpdates: number;

  // Weights normalised so that Σ|wᵢ| = 1.
  readonly #wSlope: number;
  readonly #wDeviation: number;
  readonly #wTrend: number;
  readonly #wLevel: number;
  readonly #needsKalman: boolean;
  readonly #needsQqeTrend: boolean;
  readonly #needsRsiMa: boolean;
  #bias = 0;
  #kalmanSlopeScore = 0;
  #priceVsLevelScore = 0;
  #qqeTrendScore = 0;
  #qqeLevelScore = 0;

  /**
   * @throws {@link SignalsInputError} on invalid Kalman or QQE options, a non-finite weight, weights that
   * are all 0, or a scale that is not a finite number > 0.
   * @example
   * ```ts
   * const qqeOnly = new DirectionalBias({
   *   kalman: { processNoise: 1, measurementNoise: 1 },
   *   weights: { kalmanSlope: 0, priceVsLevel: 0, qqeTrend: 1, qqeLevel: 1 },
   * });
   * ```
   */
  constructor(options: DirectionalBiasOptions) {
    this.kalman = withFieldPrefix("kalman", () => new KalmanTrendFilter(options.kalman));
    this.qqe = withFieldPrefix("qqe", () => new Qqe(options.qqe));
    const given = options.weights ?? {};
    const d = DEFAULT_DIRECTIONAL_BIAS_WEIGHTS;
    const w: DirectionalBiasWeights = {
      kalmanSlope: given.kalmanSlope ?? d.kalmanSlope,
      priceVsLevel: given.priceVsLevel ?? d.priceVsLevel,
      qqeTrend: given.qqeTrend ?? d.qqeTrend,
      qqeLevel: given.qqeLevel ?? d.qqeLevel,
    };
    assertFinite(w.kalmanSlope, "weights.kalmanSlope");
    assertFinite(w.priceVsLevel, "weights.priceVsLevel");
    assertFinite(w.qqeTrend, "weights.qqeTrend");
    assertFinite(w.qqeLevel, "weights.qqeLevel");
    // Normalise once so that Σ|wᵢ| = 1; scaling by the largest |wᵢ| first keeps huge weights from overflowing.
    const largest = Math.max(
      Math.abs(w.kalmanSlope),
      Math.abs(w.priceVsLevel),
      Math.abs(w.qqeTrend),
      Math.abs(w.qqeLevel),
    );
    if (!(largest > 0)) {
      throw new SignalsInputError("NOT_POSITIVE", "weights", "at least one non-zero weight", 0);
    }
    const scaled = [
      w.kalmanSlope / largest,
      w.priceVsLevel / largest,
      w.qqeTrend / largest,
      w.qqeLevel / largest,
    ];
    const scaledSum = scaled.reduce((sum, x) => sum + Math.abs(x), 0);
    this.#wSlope = (scaled[0] as number) / scaledSum;
    this.#wDeviation = (scaled[1] as number) / scaledSum;
    this.#wTrend = (scaled[2] as number) / scaledSum;
    this.#wLevel = (scaled[3] as number) / scaledSum;
    this.weights = Object.freeze(w);
    this.slopeScaleFractionPerTimeUnit = options.slopeScaleFractionPerTimeUnit ?? 0.0001;
    assertPositive(this.slopeScaleFractionPerTimeUnit, "slopeScaleFractionPerTimeUnit");
    this.deviationScaleFraction = options.deviationScaleFraction ?? 0.001;
    assertPositive(this.deviationScaleFraction, "deviationScaleFraction");
    this.rsiLevelScale = options.rsiLevelScale ?? 20;
    assertPositive(this.rsiLevelScale, "rsiLevelScale");

    this.#needsKalman = w.kalmanSlope !== 0 || w.priceVsLevel !== 0;
    this.#needsQqeTrend = w.qqeTrend !== 0;
    this.#needsRsiMa = w.qqeLevel !== 0;
    const kalmanWarmUp = options.kalman.initial === undefined ? 2 : 1;
    this.warmUpUpdates = Math.max(
      this.#needsKalman ? kalmanWarmUp : 1,
      this.#needsQqeTrend ? this.qqe.warmUp.bands : 1,
      this.#needsRsiMa ? this.qqe.warmUp.rsiMa : 1,
    );
  }

  /**
   * Feeds one price to both filters and returns the bias in [−1, 1] (0 while warming up).
   * @param price - A price in quote currency, finite and > 0 (normally a bar close or a mid).
   * @param dt - Time since the previous price, ≥ 0, default 1, in the time unit of the slope scale.
   * @throws {@link SignalsInputError} when `price` is not a finite number > 0 or `dt` is negative or not finite.
   * @example
   * ```ts
   * const bias = new DirectionalBias({ kalman: { processNoise: 0.05, measurementNoise: 25 } });
   * bias.update(64_000); // 0 (warming up)
   * ```
   */
  update(price: number, dt = 1): number {
    if (!(Number.isFinite(price) && price > 0)) rejectNumber(price, "price", "positive");
    if (!(Number.isFinite(dt) && dt >= 0)) rejectNumber(dt, "dt", "nonNegative");
    this.kalman.update(price, dt);
    this.qqe.update(price);

    const kalman = this.kalman;
    const qqe = this.qqe;
    const kalmanReady = kalman.isReady;
    const qqeTrend = qqe.trend;
    const rsiMa = qqe.rsiMa;
    if (
      (this.#needsKalman && !kalmanReady) ||
      (this.#needsQqeTrend && qqeTrend === null) ||
      (this.#needsRsiMa && rsiMa === null)
    ) {
      return this.#setZero();
    }

    let slopeScore = 0;
    let deviationScore = 0;
    if (kalmanReady) {
      const level = kalman.level as number;
      if (level > 0) {
        slopeScore = Math.tanh((kalman.velocity as number) / level / this.slopeScaleFractionPerTimeUnit);
        deviationScore = Math.tanh((price - level) / level / this.deviationScaleFraction);
      }
    }
    // Before its first cross the QQE trend is only the original's +1 convention: score it 0.
    const trendScore = qqeTrend !== null && qqe.trendConfirmed ? qqeTrend : 0;
    let levelScore = 0;
    if (rsiMa !== null) {
      levelScore = Math.min(1, Math.max(-1, (rsiMa - 50) / this.rsiLevelScale));
    }
    let bias =
      this.#wSlope * slopeScore +
      this.#wDeviation * deviationScore +
      this.#wTrend * trendScore +
      this.#wLevel * levelScore;
    // Guard against rounding pushing |bias| a hair past 1.
    bias = Math.min(1, Math.max(-1, bias));
    this.#kalmanSlopeScore = slopeScore;
    this.#priceVsLevelScore = deviationScore;
    this.#qqeTrendScore = trendScore;
    this.#qqeLevelScore = levelScore;
    this.#bias = bias;
    return bias;
  }

  #setZero(): number {
    this.#bias = 0;
    this.#kalmanSlopeScore = 0;
    this.#priceVsLevelScore = 0;
    this.#qqeTrendScore = 0;
    this.#qqeLevelScore = 0;
    return 0;
  }

  /** The bias in [−1, 1] after the last update; 0 while warming up. */
  get bias(): number {
    return this.#bias;
  }

  /** True once every input with a non-zero weight is warm. */
  get isReady(): boolean {
    return (
      (!this.#needsKalman || this.kalman.isReady) &&
      (!this.#needsQqeTrend || this.qqe.isReady) &&
      (!this.#needsRsiMa || this.qqe.rsiMa !== null)
    );
  }

  /** Kalman slope score in [−1, 1] from the last update (0 while warming up). */
  get kalmanSlopeScore(): number {
    return this.#kalmanSlopeScore;
  }

  /** Price-vs-level score in [−1, 1] from the last update (0 while warming up). */
  get priceVsLevelScore(): number {
    return this.#priceVsLevelScore;
  }

  /** QQE trend score (+1/−1) from the last update (0 while warming up and until the QQE's first cross). */
  get qqeTrendScore(): number {
    return this.#qqeTrendScore;
  }

  /** QQE level score in [−1, 1] from the last update (0 while warming up). */
  get qqeLevelScore(): number {
    return this.#qqeLevelScore;
  }

  /**
   * Forgets everything seen: back to the state of a new instance (warm-up starts again).
   *
   * @example
   * ```ts
   * directionalBias.reset();
   * directionalBias.isReady; // false
   * ```
   */
  reset(): void {
    this.kalman.reset();
    this.qqe.reset();
    this.#setZero();
  }
}

/** Re-throws a nested option's error with the option group in the field name ("kalman.processNoise"). */
function withFieldPrefix<T>(prefix: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof SignalsInputError)) throw error;
    throw new SignalsInputError(error.code, `${prefix}.${error.field}`, error.expected, error.received);
  }
}

/**
 * How far a quoter shifts its mid for a bias: `bias · strength · volatilityPrice`, in price units (quote
 * currency). Positive moves the quotes up (lean long), negative down. Pure.
 *
 * @param bias - In [−1, 1], e.g. {@link DirectionalBias.bias}.
 * @param strength - Shift at |bias| = 1 in multiples of the volatility, ≥ 0.
 * @param volatilityPrice - A volatility in price units over your quoting horizon (e.g. σ·mid), ≥ 0.
 * @throws {@link SignalsInputError} when `bias` is outside [−1, 1] or the others are negative or not finite.
 * @example
 * ```ts
 * import { biasShiftPrice } from "@botmm/signals";
 *
 * biasShiftPrice(0.5, 0.4, 30); // 6: shift the mid up by 6 quote units
 * biasShiftPrice(-1, 0.4, 30); // -12
 * ```
 */
export function biasShiftPrice(bias: number, strength: number, volatilityPrice: number): number {
  if (!(bias >= -1 && bias <= 1)) rejectRange(bias, "bias", -1, 1);
  if (!(Number.isFinite(strength) && strength >= 0)) rejectNumber(strength, "strength", "nonNegative");
  if (!(Number.isFinite(volatilityPrice) && volatilityPrice >= 0)) {
    rejectNumber(volatilityPrice, "volatilityPrice", "nonNegative");
  }
  return bias * strength * volatilityPrice + 0; // + 0 turns −0 into 0
}
