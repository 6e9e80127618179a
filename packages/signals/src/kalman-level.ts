import { assertFinite, assertNonNegative, assertPositive, rejectNumber } from "./errors.ts";

/** Options of {@link KalmanLevelFilter}. */
export interface KalmanLevelFilterOptions {
  /**
   * Q: variance added to the level per update (random-walk step variance), in squared measurement units
   * (price² for prices). ≥ 0. Larger Q follows the measurements more closely.
   */
  readonly processNoise: number;
  /** R: variance of one measurement's noise, in squared measurement units. > 0. */
  readonly measurementNoise: number;
  /**
   * Prior state. Without it the first measurement initialises the filter as a diffuse prior would
   * (level = z, variance = R).
   */
  readonly initial?: {
    /** Prior level, in measurement units. */
    readonly level: number;
    /** Prior variance of the level, in squared measurement units. ≥ 0. */
    readonly variance: number;
  };
}

/**
 * Scalar Kalman filter for a random-walk level observed with noise:
 * `P⁻ = P + Q; K = P⁻ / (P⁻ + R); x ← x + K·(z − x); P ← (1 − K)·P⁻`.
 *
 * Ready after the first update (or at construction when `initial` is given). Measurements may be any finite
 * number. O(1) per update, no allocation.
 *
 * @example
 * ```ts
 * import { KalmanLevelFilter } from "@botmm/signals";
 *
 * const filter = new KalmanLevelFilter({ processNoise: 1, measurementNoise: 2, initial: { level: 100, variance: 1 } });
 * filter.update(102); // 101   (P⁻ = 2, K = 0.5, P = 1)
 * filter.update(104); // 102.5 (P⁻ = 2, K = 0.5, P = 1)
 * filter.variance; // 1
 * ```
 */
export class KalmanLevelFilter {
  /** Q, as given. */
  readonly processNoise: number;
  /** R, as given. */
  readonly measurementNoise: number;
  readonly #initialLevel: number;
  readonly #initialVariance: number;
  #level: number;
  #variance: number;
  #gain = Number.NaN;
  #count = 0;

  /**
   * @throws {@link SignalsInputError} when Q is negative, R is not positive, or any number is not finite.
   * @example
   * ```ts
   * const filter = new KalmanLevelFilter({ processNoise: 0.01, measurementNoise: 1 });
   * ```
   */
  constructor(options: KalmanLevelFilterOptions) {
    assertNonNegative(options.processNoise, "processNoise");
    assertPositive(options.measurementNoise, "measurementNoise");
    this.processNoise = options.processNoise;
    this.measurementNoise = options.measurementNoise;
    if (options.initial !== undefined) {
      assertFinite(options.initial.level, "initial.level");
      assertNonNegative(options.initial.variance, "initial.variance");
      this.#initialLevel = options.initial.level;
      this.#initialVariance = options.initial.variance;
    } else {
      this.#initialLevel = Number.NaN;
      this.#initialVariance = Number.NaN;
    }
    this.#level = this.#initialLevel;
    this.#variance = this.#initialVariance;
  }

  /**
   * Adds one measurement and returns the filtered level.
   * @throws {@link SignalsInputError} when `measurement` is not finite.
   * @example
   * ```ts
   * const filter = new KalmanLevelFilter({ processNoise: 1, measurementNoise: 4 });
   * filter.update(100); // 100 (first measurement: level = z, variance = R)
   * ```
   */
  update(measurement: number): number {
    if (!Number.isFinite(measurement)) rejectNumber(measurement, "measurement", "finite");
    this.#count++;
    if (Number.isNaN(this.#level)) {
      // Diffuse prior: P → ∞ gives K = 1, x = z, P = R.
      this.#level = measurement;
      this.#variance = this.measurementNoise;
      this.#gain = 1;
      return measurement;
    }
    const predictedVariance = this.#variance + this.processNoise;
    const gain = predictedVariance / (predictedVariance + this.measurementNoise);
    this.#level += gain * (measurement - this.#level);
    this.#variance = (1 - gain) * predictedVariance;
    this.#gain = gain;
    return this.#level;
  }

  /** Filtered level, or `null` before the first measurement when no initial state was given. */
  get level(): number | null {
    return Number.isNaN(this.#level) ? null : this.#level;
  }

  /** Posterior variance P of the level, or `null` when {@link KalmanLevelFilter.level} is `null`. */
  get variance(): number | null {
    return Number.isNaN(this.#variance) ? null : this.#variance;
  }

  /** Kalman gain K of the last update (1 for a diffuse first update), or `null` before any update. */
  get gain(): number | null {
    return Number.isNaN(this.#gain) ? null : this.#gain;
  }

  /** True once a level exists (after the first update, or from construction with `initial`). */
  get isReady(): boolean {
    return !Number.isNaN(this.#level);
  }

  /** Number of measurements since construction or the last {@link KalmanLevelFilter.reset}. */
  get count(): number {
    return this.#count;
  }

  /**
   * Forgets everything seen: back to the state of a new instance (warm-up starts again).
   *
   * @example
   * ```ts
   * kalmanLevelFilter.reset();
   * kalmanLevelFilter.isReady; // false
   * ```
   */
  reset(): void {
    this.#level = this.#initialLevel;
    this.#variance = this.#initialVariance;
    this.#gain = Number.NaN;
    this.#count = 0;
  }
}
