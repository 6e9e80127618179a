import { invalidInput, NON_NEGATIVE, POSITIVE } from "./errors.ts";

/** Basis points per unit: a fraction × 10 000 is bps (0.0001 = 1 bp). */
export const BPS_PER_UNIT = 10_000;

/**
 * Rescales a volatility (standard deviation of log returns, or of price changes) from one sampling interval to
 * another by the square root of time: `σ_to = σ_from × √(toIntervalMs / fromIntervalMs)`. Valid for
 * uncorrelated increments (a random walk); microstructure noise makes short-interval σ overstate longer ones.
 *
 * @param volatility σ per `fromIntervalMs` (≥ 0), in any unit (fraction, bps or price units: the unit is kept)
 * @param fromIntervalMs the interval σ is measured over, in ms (> 0)
 * @param toIntervalMs the interval to express σ over, in ms (> 0)
 * @throws {QuoterInputError} `INVALID_INPUT` for a field out of its domain
 * @example
 * ```ts
 * import { scaleVolatility } from "@botmm/quoter";
 * scaleVolatility(0.0002, 1_000, 60_000); // σ per 1 s → per minute: 0.0002 × √60 = 0.00154919…
 * ```
 */
export function scaleVolatility(volatility: number, fromIntervalMs: number, toIntervalMs: number): number {
  if (!(Number.isFinite(volatility) && volatility >= 0))
    throw invalidInput("volatility", NON_NEGATIVE, volatility);
  if (!(Number.isFinite(fromIntervalMs) && fromIntervalMs > 0))
    throw invalidInput("fromIntervalMs", POSITIVE, fromIntervalMs);
  if (!(Number.isFinite(toIntervalMs) && toIntervalMs > 0))
    throw invalidInput("toIntervalMs", POSITIVE, toIntervalMs);
  return volatility * Math.sqrt(toIntervalMs / fromIntervalMs);
}

/**
 * Converts a volatility of log returns (a fraction, 0.0001 = 1 bp) into the absolute price volatility the
 * Avellaneda–Stoikov and GLFT formulas use (price units per √(same interval)): `σ_price ≈ midPrice × σ`.
 * First-order in σ, which is exact enough for per-second to per-hour σ of liquid markets.
 *
 * @throws {QuoterInputError} `INVALID_INPUT` for a field out of its domain
 * @example
 * ```ts
 * import { toPriceVolatility } from "@botmm/quoter";
 * toPriceVolatility(0.0002, 100_000); // 20 (USD per √interval)
 * ```
 */
export function toPriceVolatility(volatilityFraction: number, midPrice: number): number {
  if (!(Number.isFinite(volatilityFraction) && volatilityFraction >= 0))
    throw invalidInput("volatilityFraction", NON_NEGATIVE, volatilityFraction);
  if (!(Number.isFinite(midPrice) && midPrice > 0)) throw invalidInput("midPrice", POSITIVE, midPrice);
  return volatilityFraction * midPrice;
}
