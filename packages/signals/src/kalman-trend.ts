import {
  assertFinite,
  assertNonNegative,
  assertPositive,
  rejectNumber,
  SignalsInputError,
} from "./errors.ts";

/** A 2×2 symmetric covariance of [level, velocity]. */
export interface TrendCovariance {
  /** Var(level), in squared measurement units. */
  readonly levelVariance: number;
  /** Cov(level, velocity), in squared measurement units per time unit. */
  readonly levelVelocityCovariance: number;
  /** Var(velocity), in squared measurement units per squared time unit. */
  readonly velocityVariance: number;
}

/** Options of {@link KalmanTrendFilter}. */
export interface KalmanTrendFilterOptions {
  /**
   * q: variance of the white-noise acceleration, in squared measurement units per time unit⁴
   * (price²/time⁴ for prices). The process noise of one step of length dt is
   * `Q = q·[[dt⁴/4, dt³/2], [dt³/2, dt²]]`. ≥ 0. Larger q lets the velocity turn faster.
   */
  readonly processNoise: number;
  /** R: variance of one measurement's noise, in squared measurement units. > 0. */
  readonly measurementNoise: number;
  /**
   * Prior state. Without it the filter initialises exactly as a diffuse (uninformative) prior would:
   * see {@link KalmanTrendFilter}.
   */
  readonly initial?: {
    /** Prior level, in measurement units. */
    readonly level: number;
    /** Prior velocity, in measurement units per time unit. */
    readonly velocity: number;
    /** Prior covariance; must be positive semi-definite. */
    readonly covariance: TrendCovariance;
  };
}

/**
 * Constant-velocity Kalman filter: state [level, velocity], `F = [[1, dt], [0, 1]]`, `H = [1, 0]`,
 * `Q = q·[[dt⁴/4, dt³/2], [dt³/2, dt²]]` (piecewise-constant white acceleration), measurement noise R.
 *
 * - `dt` is passed per update in whatever time unit you choose (default 1, e.g. one bar); the velocity is in
 *   measurement units per that time unit. `dt = 0` (two measurements at the same instant) is allowed.
 * - Without an `initial` state the filter starts from a diffuse prior, computed in closed form (no huge
 *   made-up variances): the first measurement z₁ gives level = z₁, Var = R (further measurements with
 *   dt = 0 are averaged in); the first measurement z₂ after a positive dt gives level = z₂,
 *   velocity = (z₂ − level₁)/dt, Var(level) = R, Cov = R/dt, Var(velocity) = (R + Var(level₁) + q·dt⁴/4)/dt².
 *   From then on the standard predict/update runs.
 * - Warm-up: `level` after the first update; `velocity`, `slopeFraction` and `isReady` after the first
 *   update that comes a positive dt after the first measurement (update 2 when dt > 0). With `initial`,
 *   everything is ready at construction.
 *
 * Normalised slope: {@link KalmanTrendFilter.slopeFraction} = velocity / |level|, the relative change per
 * time unit (0.0001 = 1 bp per time unit). It was chosen over velocity/volatility because it needs no
 * second estimator and reads the same on every asset; feed prices, not returns, if you use it.
 *
 * O(1) per update, no allocation.
 *
 * @example
 * ```ts
 * import { KalmanTrendFilter } from "@botmm/signals";
 *
 * const trend = new KalmanTrendFilter({ processNoise: 0.01, measurementNoise: 4 });
 * for (const price of [100, 101, 102, 103, 104]) trend.update(price); // dt = 1 (one bar)
 * trend.level; // 104 (a noiseless line is tracked exactly)
 * trend.velocity; // 1 (price units per bar)
 * trend.slopeFraction; // 0.0096… (≈ 96 bps per bar)
 * ```
 */
export class KalmanTrendFilter {
  /** q, as given. */
  readonly processNoise: number;
  /** R, as given. */
  readonly measurementNoise: number;
  readonly #initial: KalmanTrendFilterOptions["initial"];
  // 0: no measurement, 1: level only (velocity diffuse), 2: full state.
  #phase = 0;
  #level = Number.NaN;
  #velocity = Number.NaN;
  #p00 = Number.NaN;
  #p01 = Number.NaN;
  #p11 = Number.NaN;
  #count = 0;

  /**
   * @throws {@link SignalsInputError} when q is negative, R is not positive, a number is not finite or the
   * initial covariance is not positive semi-definite.
   * @example
   * ```ts
   * const trend = new KalmanTrendFilter({
   *   processNoise: 1e-4,
   *   measurementNoise: 0.25,
   *   initial: { level: 100, velocity: 0, covariance: { levelVariance: 1, levelVelocityCovariance: 0, velocityVariance: 1 } },
   * });
   * ```
   */
  constructor(options: KalmanTrendFilterOptions) {
    assertNonNegative(options.processNoise, "processNoise");
    assertPositive(options.measurementNoise, "measurementNoise");
    this.processNoise = options.processNoise;
    this.measurementNoise = options.measurementNoise;
    const initial = options.initial;
    if (initial !== undefined) {
      assertFinite(initial.level, "initial.level");
      assertFinite(initial.velocity, "initial.velocity");
      const c = initial.covariance;
      assertNonNegative(c.levelVariance, "initial.covariance.levelVariance");
      assertNonNegative(c.velocityVariance, "initial.covariance.velocityVariance");
      assertFinite(c.levelVelocityCovariance, "initial.covariance.levelVelocityCovariance");
      const bound = c.levelVariance * c.velocityVariance;
      if (c.levelVelocityCovariance * c.levelVelocityCovariance > bound * (1 + 1e-12)) {
        throw new SignalsInputError(
          "NOT_POSITIVE_SEMIDEFINITE",
          "initial.covariance.levelVelocityCovariance",
          `|covariance| <= sqrt(levelVariance·velocityVariance) = ${Math.sqrt(bound)}`,
          c.levelVelocityCovariance,
        );
      }
      this.#initial = {
        level: initial.level,
        velocity: initial.velocity,
        covariance: {
          levelVariance: c.levelVariance,
          levelVelocityCovariance: c.levelVelocityCovariance,
          velocityVariance: c.velocityVariance,
        },
      };
    }
    this.reset();
  }

  /**
   * Adds one measurement taken `dt` time units after the previous one and returns the filtered level.
   * `dt` of the very first measurement is validated but not used.
   * @param measurement - The observed value (e.g. a mid price). Any finite number.
   * @param dt - Elapsed time since the previous measurement, ≥ 0, default 1.
   * @throws {@link SignalsInputError} when `measurement` is not finite or `dt` is negative or not finite.
   * @example
   * ```ts
   * const trend = new KalmanTrendFilter({ processNoise: 1e-6, measurementNoise: 1 });
   * trend.update(100);
   * trend.update(100.5, 0.5); // half a time unit later
   * trend.velocity; // 1 (0.5 in half a time unit)
   * ```
   */
  update(measurement: number, dt = 1): number {
    if (!Number.isFinite(measurement)) rejectNumber(measurement, "measurement", "finite");
    if (!(Number.isFinite(dt) && dt >= 0)) rejectNumber(dt, "dt", "nonNegative");
    this.#count++;
    const r = this.measurementNoise;
    if (this.#phase === 2) {
      const q = this.processNoise;
      // Predict: x⁻ = F·x, P⁻ = F·P·Fᵀ + Q.
      const dt2 = dt * dt;
      const level = this.#level + dt * this.#velocity;
      const p00 = this.#p00 + 2 * dt * this.#p01 + dt2 * this.#p11 + (q * dt2 * dt2) / 4;
      const p01 = this.#p01 + dt * this.#p11 + (q * dt2 * dt) / 2;
      const p11 = this.#p11 + q * dt2;
      // Update with H = [1, 0]: S = P⁻₀₀ + R, K = P⁻·Hᵀ/S, P = (I − K·H)·P⁻.
      const s = p00 + r;
      const k0 = p00 / s;
      const k1 = p01 / s;
      const innovation = measurement - level;
      this.#level = level + k0 * innovation;
      this.#velocity += k1 * innovation;
      this.#p00 = (p00 * r) / s; // = (1 − K₀)·P⁻₀₀, written so it cannot go negative
      this.#p01 = (p01 * r) / s; // = (1 − K₀)·P⁻₀₁
      this.#p11 = p11 - k1 * p01;
      return this.#level;
    }
    if (this.#phase === 0) {
      this.#phase = 1;
      this.#level = measurement;
      this.#p00 = r;
      return measurement;
    }
    // Phase 1: level known with variance P₀₀, velocity diffuse.
    if (dt === 0) {
      // Same instant: a plain scalar update, no process noise (averages the measurements).
      const gain = this.#p00 / (this.#p00 + r);
      this.#level += gain * (measurement - this.#level);
      this.#p00 *= 1 - gain;
      return this.#level;
    }
    // Exact diffuse-prior posterior after two measurements dt apart (generalised least squares).
    const previousVariance = this.#p00;
    const accelerationVariance = (this.processNoise * dt * dt * dt * dt) / 4;
    this.#velocity = (measurement - this.#level) / dt;
    this.#level = measurement;
    this.#p00 = r;
    this.#p01 = r / dt;
    this.#p11 = (r + previousVariance + accelerationVariance) / (dt * dt);
    this.#phase = 2;
    return measurement;
  }

  /** Filtered level, in measurement units; `null` before the first measurement. */
  get level(): number | null {
    return this.#phase >= 1 ? this.#level : null;
  }

  /** Filtered velocity, in measurement units per time unit; `null` until {@link KalmanTrendFilter.isReady}. */
  get velocity(): number | null {
    return this.#phase === 2 ? this.#velocity : null;
  }

  /**
   * Normalised slope: velocity / |level|, the fractional change per time unit (0.0001 = 1 bp per time
   * unit); `null` until ready or while the level is exactly 0.
   */
  get slopeFraction(): number | null {
    if (this.#phase !== 2 || this.#level === 0) return null;
    return this.#velocity / Math.abs(this.#level);
  }

  /** Posterior Var(level), or `null` before the first measurement. */
  get levelVariance(): number | null {
    return this.#phase >= 1 ? this.#p00 : null;
  }

  /** Posterior Cov(level, velocity), or `null` until ready. */
  get levelVelocityCovariance(): number | null {
    return this.#phase === 2 ? this.#p01 : null;
  }

  /** Posterior Var(velocity), or `null` until ready. */
  get velocityVariance(): number | null {
    return this.#phase === 2 ? this.#p11 : null;
  }

  /**
   * The posterior covariance as a fresh object (allocates; for inspection, not for hot paths), or `null`
   * until ready.
   * @example
   * ```ts
   * const trend = new KalmanTrendFilter({ processNoise: 0, measurementNoise: 1 });
   * trend.update(1);
   * trend.update(2);
   * trend.covariance(); // { levelVariance: 1, levelVelocityCovariance: 1, velocityVariance: 2 }
   * ```
   */
  covariance(): TrendCovariance | null {
    if (this.#phase !== 2) return null;
    return { levelVariance: this.#p00, levelVelocityCovariance: this.#p01, velocityVariance: this.#p11 };
  }

  /** True once both level and velocity are estimated. */
  get isReady(): boolean {
    return this.#phase === 2;
  }

  /** Number of measurements since construction or the last {@link KalmanTrendFilter.reset}. */
  get count(): number {
    return this.#count;
  }

  /**
   * Forgets everything seen: back to the state of a new instance (warm-up starts again).
   *
   * @example
   * ```ts
   * kalmanTrendFilter.reset();
   * kalmanTrendFilter.isReady; // false
   * ```
   */
  reset(): void {
    this.#count = 0;
    const initial = this.#initial;
    if (initial === undefined) {
      this.#phase = 0;
      this.#level = Number.NaN;
      this.#velocity = Number.NaN;
      this.#p00 = Number.NaN;
      this.#p01 = Number.NaN;
      this.#p11 = Number.NaN;
      return;
    }
    this.#phase = 2;
    this.#level = initial.level;
    this.#velocity = initial.velocity;
    this.#p00 = initial.covariance.levelVariance;
    this.#p01 = initial.covariance.levelVelocityCovariance;
    this.#p11 = initial.covariance.velocityVariance;
  }
}
