import { FINITE, invalidInput, NON_NEGATIVE, POSITIVE, unusableQuote } from "./errors.ts";

/** 1 bp = 0.0001 (the same value as the exported `BPS_PER_UNIT`; local so hot paths read no import). */
const BPS_PER_UNIT = 10_000;

/**
 * Tunables of {@link basicQuote}. All fields are required here; {@link basicQuote} accepts any subset and
 * fills the rest from {@link DEFAULT_BASIC_QUOTE_PARAMS}.
 */
export interface BasicQuoteParams {
  /** Fixed part of the half spread, in bps of the mid (> 0). */
  readonly baseSpreadBps: number;
  /** Half-spread bps added per bp of per-bar volatility (≥ 0, dimensionless). */
  readonly volMultiplier: number;
  /** Skew, as a fraction of the half spread, at full inventory (≥ 0; 0.5 = half a half-spread). */
  readonly inventorySkewFactor: number;
  /** Inventory notional (USD) at which the skew saturates (> 0). */
  readonly maxPositionUsd: number;
}

/**
 * The one place for the basic model's defaults: 2 bps base, 1.5 × volatility, skew 0.5 at ±$500.
 *
 * @example
 * ```ts
 * import { DEFAULT_BASIC_QUOTE_PARAMS, basicQuote } from "@botmm/quoter";
 * const wider = { ...DEFAULT_BASIC_QUOTE_PARAMS, baseSpreadBps: 5 };
 * basicQuote({ midPrice: 100, volatilityBps: 1, inventoryUsd: 0 }, wider).halfSpreadBps; // 6.5
 * ```
 */
export const DEFAULT_BASIC_QUOTE_PARAMS: Readonly<BasicQuoteParams> = Object.freeze({
  baseSpreadBps: 2.0,
  volMultiplier: 1.5,
  inventorySkewFactor: 0.5,
  maxPositionUsd: 500,
});

/** Market state for {@link basicQuote}. */
export interface BasicQuoteInput {
  /** Mid price to quote around, in quote currency (> 0). */
  readonly midPrice: number;
  /**
   * Per-bar volatility in bps: the standard deviation of the log returns of one bar (one sampling step of
   * whatever series you feed, e.g. 1-minute closes), times 10 000. A per-bar σ of 0.0003 is 3 bps.
   * (`EwmaVolatility.volatilityBps` and the candle estimators × 10 000 give exactly this.) ≥ 0.
   */
  readonly volatilityBps: number;
  /**
   * Signed inventory notional in USD (quote currency): position size × mark price; positive = long,
   * negative = short.
   */
  readonly inventoryUsd: number;
}

/** Result of {@link basicQuote}. Prices are unrounded; tick rounding happens at the venue edge. */
export interface BasicQuote {
  /** Mid shifted against the inventory: `mid − skew × halfSpreadPrice`. */
  readonly reservationPrice: number;
  /** Half spread in bps of the mid: `baseSpreadBps + volMultiplier × volatilityBps`. */
  readonly halfSpreadBps: number;
  /** `reservationPrice − halfSpreadPrice`. */
  readonly bidPrice: number;
  /** `reservationPrice + halfSpreadPrice`. */
  readonly askPrice: number;
}

/**
 * The basic (seed) spread model: a fixed-plus-volatility half spread, skewed against inventory.
 *
 * - `halfSpreadBps = baseSpreadBps + volMultiplier × volatilityBps`, `halfSpreadPrice = mid × halfSpreadBps / 10 000`
 * - `skew = inventorySkewFactor × clamp(inventoryUsd / maxPositionUsd, −1, 1)` (a fraction of the half spread)
 * - `reservationPrice = mid − skew × halfSpreadPrice`; bid/ask = reservation ∓ halfSpreadPrice.
 *
 * A long inventory (skew > 0) moves both quotes down, so the ask gets hit more often and the bid less; a short
 * inventory moves both up. Valid input: midPrice > 0, volatilityBps ≥ 0, inventoryUsd finite, params as in
 * {@link BasicQuoteParams}. The spread is always positive, so bid < ask.
 *
 * @param input market state (mid, per-bar volatility in bps, inventory in USD)
 * @param params any subset of {@link BasicQuoteParams}; missing fields come from {@link DEFAULT_BASIC_QUOTE_PARAMS}
 * @param into optional result object to overwrite and return, so a hot loop allocates nothing
 * @throws {QuoterInputError} `INVALID_INPUT` for a field out of its domain; `INFEASIBLE` if the bid would be ≤ 0
 *
 * @example
 * ```ts
 * import { basicQuote } from "@botmm/quoter";
 * // half spread = 2 + 1.5 × 4 = 8 bps = 0.08 at mid 100; skew = 0.5 × 250/500 = 0.25 → r = 100 − 0.02
 * basicQuote({ midPrice: 100, volatilityBps: 4, inventoryUsd: 250 });
 * // { reservationPrice: 99.98, halfSpreadBps: 8, bidPrice: 99.9, askPrice: 100.06 }
 * const reused = { reservationPrice: 0, halfSpreadBps: 0, bidPrice: 0, askPrice: 0 };
 * basicQuote({ midPrice: 100, volatilityBps: 4, inventoryUsd: 250 }, {}, reused) === reused; // true
 * ```
 */
export function basicQuote(
  input: BasicQuoteInput,
  params: Partial<BasicQuoteParams> = DEFAULT_BASIC_QUOTE_PARAMS,
  into?: { -readonly [K in keyof BasicQuote]: BasicQuote[K] },
): BasicQuote {
  const midPrice = input.midPrice;
  const volatilityBps = input.volatilityBps;
  const inventoryUsd = input.inventoryUsd;
  const baseSpreadBps = params.baseSpreadBps ?? DEFAULT_BASIC_QUOTE_PARAMS.baseSpreadBps;
  const volMultiplier = params.volMultiplier ?? DEFAULT_BASIC_QUOTE_PARAMS.volMultiplier;
  const inventorySkewFactor = params.inventorySkewFactor ?? DEFAULT_BASIC_QUOTE_PARAMS.inventorySkewFactor;
  const maxPositionUsd = params.maxPositionUsd ?? DEFAULT_BASIC_QUOTE_PARAMS.maxPositionUsd;

  if (!(Number.isFinite(midPrice) && midPrice > 0)) throw invalidInput("midPrice", POSITIVE, midPrice);
  if (!(Number.isFinite(volatilityBps) && volatilityBps >= 0))
    throw invalidInput("volatilityBps", NON_NEGATIVE, volatilityBps);
  if (!Number.isFinite(inventoryUsd)) throw invalidInput("inventoryUsd", FINITE, inventoryUsd);
  if (!(Number.isFinite(baseSpreadBps) && baseSpreadBps > 0))
    throw invalidInput("baseSpreadBps", POSITIVE, baseSpreadBps);
  if (!(Number.isFinite(volMultiplier) && volMultiplier >= 0))
    throw invalidInput("volMultiplier", NON_NEGATIVE, volMultiplier);
  if (!(Number.isFinite(inventorySkewFactor) && inventorySkewFactor >= 0))
    throw invalidInput("inventorySkewFactor", NON_NEGATIVE, inventorySkewFactor);
  if (!(Number.isFinite(maxPositionUsd) && maxPositionUsd > 0))
    throw invalidInput("maxPositionUsd", POSITIVE, maxPositionUsd);

  const halfSpreadBps = baseSpreadBps + volMultiplier * volatilityBps;
  const halfSpreadPrice = (midPrice * halfSpreadBps) / BPS_PER_UNIT;
  const ratio = inventoryUsd / maxPositionUsd;
  const skew = inventorySkewFactor * Math.min(1, Math.max(-1, ratio));
  const reservationPrice = midPrice - skew * halfSpreadPrice;
  const bidPrice = reservationPrice - halfSpreadPrice;
  const askPrice = reservationPrice + halfSpreadPrice;
  if (!(bidPrice > 0 && bidPrice < askPrice && askPrice < Number.POSITIVE_INFINITY))
    throw unusableQuote(bidPrice, askPrice);
  if (into === undefined) return { reservationPrice, halfSpreadBps, bidPrice, askPrice };
  into.reservationPrice = reservationPrice;
  into.halfSpreadBps = halfSpreadBps;
  into.bidPrice = bidPrice;
  into.askPrice = askPrice;
  return into;
}
