import { EwmaCandleVolatility, FillIntensityEstimator, type Ohlc, SampledMidVolatility } from "@botmm/quoter";

const BPS = 10_000;
/** Sane bounds of the fitted values, so a thin window cannot hand the models a degenerate k or A. */
const K_PER_BPS_MIN = 0.01;
const K_PER_BPS_MAX = 100;
const A_PER_BAR_MIN = 1e-6;
const A_PER_BAR_MAX = 1e6;

/** Settings of an {@link OnlineCalibrator} (the `calibration…` fields of the strategy config). */
export interface OnlineCalibratorOptions {
  /** σ from mids: one sample every this many ms. */
  sampleMs: number;
  /** σ from mids: EWMA half-life in samples. */
  halfLifeSamples: number;
  /** σ from bar ranges: EWMA half-life in bars. */
  halfLifeBars: number;
  /** A, k: rolling window, ms (a multiple of 100). */
  windowMs: number;
  /** A, k: refit period, ms. */
  refreshMs: number;
  /** A, k: depth grid, bps of the mid per bucket. */
  depthStepBps: number;
}

/** Where the calibrated σ comes from. */
export type SigmaSource = "mids" | "ranges" | "none";

/**
 * Per-coin online calibration of the Avellaneda–Stoikov / GLFT inputs, in the strategy's units (σ per bar in
 * bps, A in fills per bar, k per bp of distance from the mid), from whatever the driver feeds:
 *
 * - σ: from mids (`onMid`, sampled every `sampleMs`, {@link SampledMidVolatility}) when there are any, scaled
 *   to the bar length; else from bar ranges (Garman–Klass EWMA, `onBar` with OHLC); else none (the caller's
 *   close-to-close σ stands).
 * - A, k: the hftbacktest-style fit of λ(δ) = A·e^(−kδ) ({@link FillIntensityEstimator}) on the trades at
 *   distance from the previous mid, over a rolling `windowMs`, refitted every `refreshMs` of the driver's clock;
 *   the last good fit is kept when a refit has too little data, and values are clamped to sane bounds.
 *
 * Per-bar values need the bar length, learned from the times of consecutive `onBar` calls; before two bars
 * with times, the mids' σ and the fitted A are not available (k is, it has no time unit).
 *
 * @example
 * ```ts
 * const calibrator = new OnlineCalibrator({ sampleMs: 1_000, halfLifeSamples: 300, halfLifeBars: 30,
 *   windowMs: 600_000, refreshMs: 5_000, depthStepBps: 0.5 });
 * calibrator.onMid(100_000, 0);
 * calibrator.onTrade(100_012, true, 50); // a buy 1.2 bp above the mid
 * calibrator.onBar({ open: 100_000, high: 100_020, low: 99_990, close: 100_010 }, 60_000);
 * calibrator.sigmaBpsPerBar(); // NaN until warm
 * ```
 */
export class OnlineCalibrator {
  readonly options: Readonly<OnlineCalibratorOptions>;
  readonly #mids: SampledMidVolatility;
  readonly #ranges: EwmaCandleVolatility;
  #intensity: FillIntensityEstimator | null = null;
  #lastMid = Number.NaN;
  #lastBarTimeMs = Number.NaN;
  #barMs = Number.NaN;
  #nextRefitMs = Number.NEGATIVE_INFINITY;
  #aPerSecond = Number.NaN;
  #kPerBps = Number.NaN;

  constructor(options: OnlineCalibratorOptions) {
    this.options = { ...options };
    this.#mids = new SampledMidVolatility({
      sampleMs: options.sampleMs,
      halfLifeSamples: options.halfLifeSamples,
    });
    this.#ranges = new EwmaCandleVolatility({
      halfLifeSamples: options.halfLifeBars,
      estimator: "garman-klass",
    });
  }

  /**
   * The mid is `mid` from `timeMs` on.
   *
   * @example
   * ```ts
   * calibrator.onMid(60_000.5, 1_700_000_000_000);
   * ```
   */
  onMid(mid: number, timeMs: number): void {
    if (!(mid > 0) || !Number.isFinite(timeMs)) return;
    this.#mids.onMid(mid, timeMs);
    this.#intensity ??= new FillIntensityEstimator({
      depthStepPrice: (mid * this.options.depthStepBps) / BPS,
      depthBuckets: 40,
      windowMs: 100,
      horizonMs: this.options.windowMs,
      timeUnitMs: 1_000,
      minWindows: Math.min(this.options.windowMs / 100, 600),
    });
    this.#intensity.onMid(mid, timeMs);
    this.#lastMid = mid;
    this.#refitIfDue(timeMs);
  }

  /**
   * A trade in the market at `price`; `buyerIsAggressor` when a buyer lifted the ask.
   *
   * @example
   * ```ts
   * calibrator.onTrade(60_003, true, 1_700_000_000_050);
   * ```
   */
  onTrade(price: number, buyerIsAggressor: boolean, timeMs: number): void {
    if (this.#intensity === null || !(price > 0) || !Number.isFinite(timeMs)) return;
    this.#intensity.onTrade(price, buyerIsAggressor, timeMs);
    this.#refitIfDue(timeMs);
  }

  /**
   * A bar closed at `timeMs`; with OHLC it feeds the range estimator, with a time it teaches the bar length.
   *
   * @example
   * ```ts
   * calibrator.onBar({ open: 100, high: 101, low: 99.5, close: 100.5 }, 120_000);
   * ```
   */
  onBar(bar: Ohlc | null, timeMs: number): void {
    if (
      bar !== null &&
      bar.low > 0 &&
      bar.low <= Math.min(bar.open, bar.close) &&
      bar.high >= Math.max(bar.open, bar.close)
    )
      this.#ranges.update(bar);
    if (Number.isFinite(timeMs)) {
      if (timeMs > this.#lastBarTimeMs) this.#barMs = timeMs - this.#lastBarTimeMs;
      this.#lastBarTimeMs = timeMs;
    }
  }

  #refitIfDue(timeMs: number): void {
    if (timeMs < this.#nextRefitMs || this.#intensity === null) return;
    this.#nextRefitMs = timeMs + this.options.refreshMs;
    this.#intensity.advance(timeMs);
    const fit = this.#intensity.estimate();
    if (fit === null) return;
    // k per price unit → per bp of the mid: δ_price = δ_bps × mid / 10⁴.
    const kPerBps = (fit.k * this.#lastMid) / BPS;
    this.#kPerBps = Math.min(Math.max(kPerBps, K_PER_BPS_MIN), K_PER_BPS_MAX);
    this.#aPerSecond = fit.A;
  }

  /** The bar length learned from `onBar` times, ms (NaN before two bars with times). */
  get barMs(): number {
    return this.#barMs;
  }

  /** Where {@link sigmaBpsPerBar} comes from now. */
  get sigmaSource(): SigmaSource {
    if (this.#mids.isReady && this.#barMs > 0) return "mids";
    if (this.#ranges.isReady) return "ranges";
    return "none";
  }

  /**
   * σ of log returns per bar, in bps, from the best source available; NaN when none is ready.
   *
   * @example
   * ```ts
   * calibrator.sigmaBpsPerBar(); // e.g. 4.2
   * ```
   */
  sigmaBpsPerBar(): number {
    const source = this.sigmaSource;
    if (source === "mids") return (this.#mids.volatilityOver(this.#barMs) ?? Number.NaN) * BPS;
    if (source === "ranges") return (this.#ranges.volatility ?? Number.NaN) * BPS;
    return Number.NaN;
  }

  /**
   * A of λ(δ) = A·e^(−kδ), fills per bar at the mid; NaN before a fit and a known bar length.
   *
   * @example
   * ```ts
   * calibrator.intensityScalePerBar(); // e.g. 38
   * ```
   */
  intensityScalePerBar(): number {
    if (!(this.#aPerSecond > 0 && this.#barMs > 0)) return Number.NaN;
    const perBar = (this.#aPerSecond * this.#barMs) / 1_000;
    return Math.min(Math.max(perBar, A_PER_BAR_MIN), A_PER_BAR_MAX);
  }

  /**
   * k of λ(δ) = A·e^(−kδ), per bp of distance from the mid; NaN before a fit.
   *
   * @example
   * ```ts
   * calibrator.intensityDecayPerBps(); // e.g. 0.8
   * ```
   */
  intensityDecayPerBps(): number {
    return this.#kPerBps;
  }
}
