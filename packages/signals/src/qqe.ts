import { Ema } from "./ema.ts";
import { assertPeriod, assertPositive, rejectNumber } from "./errors.ts";
import { WilderRsi } from "./rsi.ts";

/** Options of {@link Qqe}; every field is optional. Periods are counted in updates (bars). */
export interface QqeOptions {
  /** RSI period, Wilder-smoothed. Default 14. */
  readonly rsiPeriod?: number;
  /** Period of the EMA of the RSI (RsiMa). Default 5. */
  readonly smoothingPeriod?: number;
  /**
   * Period of both EMAs of AtrRsi = |ΔRsiMa| (MaAtrRsi and its EMA). Default `2·rsiPeriod − 1`
   * (Wilder's period; 27 for the default RSI period).
   */
  readonly wildersPeriod?: number;
  /** Band width multiplier on the double-smoothed AtrRsi. Default 4.236. */
  readonly factor?: number;
}

/**
 * The update (1-based: 1 = the first price) on which each {@link Qqe} output first has a value. With the
 * defaults (14, 5, 27): rsi 15, rsiMa 19, bands/trend/value 72.
 */
export interface QqeWarmUp {
  /** `rsiPeriod + 1`. */
  readonly rsi: number;
  /** `rsiPeriod + smoothingPeriod`. */
  readonly rsiMa: number;
  /** Bands, trend and value: `rsiPeriod + smoothingPeriod + 2·wildersPeriod − 1`. */
  readonly bands: number;
}

/** QQE trend: +1 long (RsiMa above its trailing long band), −1 short. */
export type QqeTrend = 1 | -1;

const DEFAULT_RSI_PERIOD = 14;
const DEFAULT_SMOOTHING_PERIOD = 5;
const DEFAULT_FACTOR = 4.236;

/**
 * Computes on which update each {@link Qqe} output first has a value, for the given options.
 * @throws {@link SignalsInputError} on invalid options (as the {@link Qqe} constructor).
 * @example
 * ```ts
 * import { qqeWarmUp } from "@botmm/signals";
 *
 * qqeWarmUp(); // { rsi: 15, rsiMa: 19, bands: 72 }
 * qqeWarmUp({ rsiPeriod: 6, smoothingPeriod: 3 }); // { rsi: 7, rsiMa: 9, bands: 30 }
 * ```
 */
export function qqeWarmUp(options: QqeOptions = {}): QqeWarmUp {
  const { rsiPeriod, smoothingPeriod, wildersPeriod } = resolveQqeOptions(options);
  return {
    // RSI needs rsiPeriod changes, i.e. rsiPeriod + 1 prices.
    rsi: rsiPeriod + 1,
    // The SMA-seeded EMA of the RSI needs smoothingPeriod RSI values.
    rsiMa: rsiPeriod + smoothingPeriod,
    // AtrRsi needs two RsiMa values (+1), then two SMA-seeded EMAs of wildersPeriod each (+2·(W − 1)).
    bands: rsiPeriod + smoothingPeriod + 1 + 2 * (wildersPeriod - 1),
  };
}

function resolveQqeOptions(options: QqeOptions): Required<QqeOptions> {
  const rsiPeriod = options.rsiPeriod ?? DEFAULT_RSI_PERIOD;
  assertPeriod(rsiPeriod, "rsiPeriod");
  const smoothingPeriod = options.smoothingPeriod ?? DEFAULT_SMOOTHING_PERIOD;
  assertPeriod(smoothingPeriod, "smoothingPeriod");
  const wildersPeriod = options.wildersPeriod ?? 2 * rsiPeriod - 1;
  assertPeriod(wildersPeriod, "wildersPeriod");
  const factor = options.factor ?? DEFAULT_FACTOR;
  assertPositive(factor, "factor");
  return { rsiPeriod, smoothingPeriod, wildersPeriod, factor };
}

/**
 * Quantitative Qualitative Estimation, canonical form (Roman Ignatov's MT4 indicator as ported by
 * TradingView "QQE MT4" and pandas-ta `qqe`), streaming:
 *
 * 1. RSI = Wilder RSI(rsiPeriod) of the price ({@link WilderRsi}).
 * 2. RsiMa = EMA(RSI, smoothingPeriod).
 * 3. AtrRsi = |RsiMaₜ₋₁ − RsiMaₜ|; MaAtrRsi = EMA(AtrRsi, wildersPeriod);
 *    dar = EMA(MaAtrRsi, wildersPeriod) · factor.
 * 4. Long band: `newLong = RsiMa − dar`; `long = (RsiMaₜ₋₁ > longₜ₋₁ && RsiMaₜ > longₜ₋₁) ?
 *    max(longₜ₋₁, newLong) : newLong` (it ratchets up while RsiMa stays above it, else resets).
 *    Short band: `newShort = RsiMa + dar`; `short = (RsiMaₜ₋₁ < shortₜ₋₁ && RsiMaₜ < shortₜ₋₁) ?
 *    min(shortₜ₋₁, newShort) : newShort`.
 * 5. Trend: +1 when RsiMa crosses the previous bar's short band, else −1 when it crosses the previous bar's
 *    long band, else unchanged. "Crosses" is Pine's `cross(RsiMa, band[1])` exactly as pandas-ta writes it:
 *    `(RsiMaₜ > bandₜ₋₁ && RsiMaₜ₋₁ < bandₜ₋₂) || (RsiMaₜ <= bandₜ₋₁ && RsiMaₜ₋₁ >= bandₜ₋₂)` — either
 *    direction, the short band checked first. The trend starts at +1, as in the original (Pine
 *    `nz(trend[1], 1)`, pandas-ta, and the MT4 trailing level starting at 0 below any RSI);
 *    {@link Qqe.trendConfirmed} tells whether a cross has set it since.
 * 6. Value (the QQE line) = long band while the trend is +1, short band while it is −1.
 *
 * Every EMA is seeded with the simple mean of its first `period` inputs (see {@link Ema}). All state is
 * read from before the bar's update, so no band is compared with an already-overwritten value.
 *
 * Warm-up (1-based update on which the output first has a value; defaults in brackets): `rsi` at
 * rsiPeriod + 1 [15]; `rsiMa` at rsiPeriod + smoothingPeriod [19]; `longBand`, `shortBand`, `trend`,
 * `value`, `isReady` at rsiPeriod + smoothingPeriod + 2·wildersPeriod − 1 [72]. The first two band
 * updates have no earlier band to cross, so the earliest possible trend flip is 2 updates later [74].
 * See {@link qqeWarmUp}.
 *
 * O(1) per update, no allocation.
 *
 * @example
 * ```ts
 * import { Qqe } from "@botmm/signals";
 *
 * const qqe = new Qqe(); // RSI 14, smoothing 5, Wilders period 27, factor 4.236
 * for (const close of closes) {
 *   qqe.update(close);
 *   if (qqe.isReady) console.log(qqe.trend, qqe.rsiMa, qqe.longBand, qqe.shortBand, qqe.value);
 * }
 * ```
 */
export class Qqe {
  /** Wilder RSI period. */
  readonly rsiPeriod: number;
  /** EMA period of the RSI. */
  readonly smoothingPeriod: number;
  /** EMA period of both AtrRsi smoothings. */
  readonly wildersPeriod: number;
  /** Band width multiplier. */
  readonly factor: number;
  /** On which update each output first has a value. */
  readonly warmUp: QqeWarmUp;

  readonly #rsi: WilderRsi;
  readonly #rsiMa: Ema;
  readonly #maAtrRsi: Ema;
  readonly #darBase: Ema;
  readonly #bands = new QqeBands();
  #count = 0;
  #rsiMaValue = Number.NaN;
  #dar = Number.NaN;

  /**
   * @throws {@link SignalsInputError} when a period is not an integer ≥ 1 or the factor is not a finite
   * number > 0.
   * @example
   * ```ts
   * const fast = new Qqe({ rsiPeriod: 8, smoothingPeriod: 3, factor: 3 });
   * ```
   */
  constructor(options: QqeOptions = {}) {
    const resolved = resolveQqeOptions(options);
    this.rsiPeriod = resolved.rsiPeriod;
    this.smoothingPeriod = resolved.smoothingPeriod;
    this.wildersPeriod = resolved.wildersPeriod;
    this.factor = resolved.factor;
    this.warmUp = Object.freeze(qqeWarmUp(resolved));
    this.#rsi = new WilderRsi(this.rsiPeriod);
    this.#rsiMa = new Ema(this.smoothingPeriod);
    this.#maAtrRsi = new Ema(this.wildersPeriod);
    this.#darBase = new Ema(this.wildersPeriod);
  }

  /**
   * Adds one price (normally a bar close) and returns the QQE value, or `null` while warming up.
   * @throws {@link SignalsInputError} when `price` is not a finite number > 0.
   * @example
   * ```ts
   * const qqe = new Qqe();
   * const value = qqe.update(64_250.5); // null for the first 71 updates
   * ```
   */
  update(price: number): number | null {
    if (!(Number.isFinite(price) && price > 0)) rejectNumber(price, "price", "positive");
    this.#count++;
    const rsi = this.#rsi.update(price);
    if (rsi === null) return null;
    const rsiMa = this.#rsiMa.update(rsi);
    if (rsiMa === null) return null;
    const previousRsiMa = this.#rsiMaValue;
    this.#rsiMaValue = rsiMa;
    if (Number.isNaN(previousRsiMa)) return null;
    const maAtrRsi = this.#maAtrRsi.update(Math.abs(previousRsiMa - rsiMa));
    if (maAtrRsi === null) return null;
    const darBase = this.#darBase.update(maAtrRsi);
    if (darBase === null) return null;
    this.#dar = darBase * this.factor;
    return this.#bands.update(rsiMa, this.#dar);
  }

  /** Wilder RSI in [0, 100], or `null` before update `warmUp.rsi`. */
  get rsi(): number | null {
    return this.#rsi.value;
  }

  /** EMA of the RSI, or `null` before update `warmUp.rsiMa`. */
  get rsiMa(): number | null {
    return Number.isNaN(this.#rsiMaValue) ? null : this.#rsiMaValue;
  }

  /** Band half-width dar = EMA(EMA(AtrRsi)) · factor, in RSI points, or `null` before `warmUp.bands`. */
  get dar(): number | null {
    return Number.isNaN(this.#dar) ? null : this.#dar;
  }

  /** Trailing long band (ratchets up), in RSI points, or `null` before `warmUp.bands`. */
  get longBand(): number | null {
    return this.#bands.longBand;
  }

  /** Trailing short band (ratchets down), in RSI points, or `null` before `warmUp.bands`. */
  get shortBand(): number | null {
    return this.#bands.shortBand;
  }

  /**
   * +1 (long) or −1 (short), or `null` before `warmUp.bands`. Until the first cross it is the +1 of the
   * original's convention, not an observation: see {@link Qqe.trendConfirmed}.
   */
  get trend(): QqeTrend | null {
    return this.#bands.trend;
  }

  /**
   * True once a cross has set the trend at least once. Before that `trend` is +1 by convention only (in a
   * market that falls steadily from the start it can stay +1 for as long as RsiMa never crosses a band).
   * The earliest it can become true is update `warmUp.bands + 2`.
   */
  get trendConfirmed(): boolean {
    return this.#bands.trendConfirmed;
  }

  /** The QQE line: the long band while the trend is +1, the short band while −1; `null` before `warmUp.bands`. */
  get value(): number | null {
    return this.#bands.value;
  }

  /** True once bands, trend and value exist (from update `warmUp.bands`). */
  get isReady(): boolean {
    return this.#bands.longBand !== null;
  }

  /** Number of prices since construction or the last {@link Qqe.reset}. */
  get count(): number {
    return this.#count;
  }

  /**
   * Forgets everything seen: back to the state of a new instance (warm-up starts again).
   *
   * @example
   * ```ts
   * qqe.reset();
   * qqe.isReady; // false
   * ```
   */
  reset(): void {
    this.#rsi.reset();
    this.#rsiMa.reset();
    this.#maAtrRsi.reset();
    this.#darBase.reset();
    this.#count = 0;
    this.#rsiMaValue = Number.NaN;
    this.#dar = Number.NaN;
    this.#bands.reset();
  }
}

/**
 * The band and trend recursion of the QQE (steps 4–6 of {@link Qqe}), fed RsiMa and dar directly. Internal:
 * exported from this module for tests, not from the package.
 * @internal
 */
export class QqeBands {
  // NaN marks "no value yet"; every comparison with NaN is false, which is exactly the warm-up behaviour
  // of the original (no ratchet and no cross against a band that does not exist yet).
  #previousRsiMa = Number.NaN;
  #long1 = Number.NaN; // long band after the last update = "previous bar" during the next one
  #long2 = Number.NaN; // the one before
  #short1 = Number.NaN;
  #short2 = Number.NaN;
  #trend: QqeTrend = 1;
  #trendConfirmed = false;

  /** Advances one bar and returns the QQE value. All reads use the previous bars' state. */
  update(rsiMa: number, dar: number): number {
    const previousRsiMa = this.#previousRsiMa;
    const long1 = this.#long1;
    const long2 = this.#long2;
    const short1 = this.#short1;
    const short2 = this.#short2;

    const newLong = rsiMa - dar;
    const long = previousRsiMa > long1 && rsiMa > long1 ? Math.max(long1, newLong) : newLong;
    const newShort = rsiMa + dar;
    const short = previousRsiMa < short1 && rsiMa < short1 ? Math.min(short1, newShort) : newShort;

    // Pine's cross(RsiMa, band[1]): compares (RsiMaₜ, bandₜ₋₁) with (RsiMaₜ₋₁, bandₜ₋₂), either direction.
    if ((rsiMa > short1 && previousRsiMa < short2) || (rsiMa <= short1 && previousRsiMa >= short2)) {
      this.#trend = 1;
      this.#trendConfirmed = true;
    } else if ((rsiMa > long1 && previousRsiMa < long2) || (rsiMa <= long1 && previousRsiMa >= long2)) {
      this.#trend = -1;
      this.#trendConfirmed = true;
    }

    this.#previousRsiMa = rsiMa;
    this.#long2 = long1;
    this.#long1 = long;
    this.#short2 = short1;
    this.#short1 = short;
    return this.#trend === 1 ? long : short;
  }

  get longBand(): number | null {
    return Number.isNaN(this.#long1) ? null : this.#long1;
  }

  get shortBand(): number | null {
    return Number.isNaN(this.#short1) ? null : this.#short1;
  }

  get trend(): QqeTrend | null {
    return Number.isNaN(this.#long1) ? null : this.#trend;
  }

  get value(): number | null {
    if (Number.isNaN(this.#long1)) return null;
    return this.#trend === 1 ? this.#long1 : this.#short1;
  }

  get trendConfirmed(): boolean {
    return this.#trendConfirmed;
  }

  reset(): void {
    this.#previousRsiMa = Number.NaN;
    this.#long1 = Number.NaN;
    this.#long2 = Number.NaN;
    this.#short1 = Number.NaN;
    this.#short2 = Number.NaN;
    this.#trend = 1;
    this.#trendConfirmed = false;
  }
}
