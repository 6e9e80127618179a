/**
 * Why a quoter function refused its input.
 *
 * - `INVALID_INPUT`: one field is out of its domain (NaN, ±Infinity, γ ≤ 0, price ≤ 0, …).
 * - `INFEASIBLE`: every field is valid on its own, but together they leave no valid answer (ω too small for
 *   the inventory, a bid at or below zero, quotes that collapse in float64).
 */
export type QuoterErrorCode = "INVALID_INPUT" | "INFEASIBLE";

/**
 * The one error every function of `@botmm/quoter` throws on bad input. The message names the field and what
 * was expected, e.g. `riskAversion must be a finite number > 0, got -1`.
 *
 * @example
 * ```ts
 * import { QuoterInputError, asFiniteHorizonQuote } from "@botmm/quoter";
 * try {
 *   asFiniteHorizonQuote({ midPrice: 100, inventory: 0, riskAversion: -1, priceVolatility: 2,
 *     timeToHorizon: 1, intensityDecay: 1.5 });
 * } catch (error) {
 *   if (error instanceof QuoterInputError) console.log(error.code, error.field, error.message);
 *   // INVALID_INPUT riskAversion riskAversion must be a finite number > 0, got -1
 * }
 * ```
 */
export class QuoterInputError extends Error {
  /** Machine-readable reason. */
  readonly code: QuoterErrorCode;
  /** The input field (or derived quantity) that was rejected. */
  readonly field: string;

  constructor(code: QuoterErrorCode, field: string, message: string) {
    super(message);
    this.name = "QuoterInputError";
    this.code = code;
    this.field = field;
  }
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** Builds (does not throw) the error for a field outside its domain. Kept out of line so checks stay cheap. */
export function invalidInput(field: string, expected: string, got: unknown): QuoterInputError {
  return new QuoterInputError("INVALID_INPUT", field, `${field} must be ${expected}, got ${show(got)}`);
}

/** Builds (does not throw) the error for a combination of valid fields that has no valid answer. */
export function infeasible(field: string, message: string): QuoterInputError {
  return new QuoterInputError("INFEASIBLE", field, `${field} ${message}`);
}

// Hot paths inline their guards as `if (!(Number.isFinite(x) && x > 0)) throw invalidInput("x", POSITIVE, x)`:
// a comparison or two, no call and no allocation unless they throw. `Number.isFinite` also rejects non-numbers
// (e.g. a string from untyped JS), which `x > 0` alone would not. The check* helpers below serve the colder
// paths (constructors, options) with exactly the same rules and messages.

/** Expected-value text for a field that must be a finite number > 0. */
export const POSITIVE = "a finite number > 0";
/** Expected-value text for a field that must be a finite number ≥ 0. */
export const NON_NEGATIVE = "a finite number >= 0";
/** Expected-value text for a field that may be any finite number. */
export const FINITE = "a finite number";

/** Throws unless `value` is a finite number > 0. */
export function checkPositive(value: number, field: string): void {
  if (!(Number.isFinite(value) && value > 0)) throw invalidInput(field, POSITIVE, value);
}

/** Throws unless `value` is a finite number ≥ 0. */
export function checkNonNegative(value: number, field: string): void {
  if (!(Number.isFinite(value) && value >= 0)) throw invalidInput(field, NON_NEGATIVE, value);
}

/** Throws unless `value` is a finite number (any sign). */
export function checkFinite(value: number, field: string): void {
  if (!Number.isFinite(value)) throw invalidInput(field, FINITE, value);
}

/** Throws unless `value` is an integer ≥ `min`. */
export function checkInteger(value: number, field: string, min: number): void {
  if (!(Number.isInteger(value) && value >= min)) throw invalidInput(field, `an integer >= ${min}`, value);
}

/**
 * Builds the `INFEASIBLE` error for a computed quote pair that is not usable. Every quote function ends with
 * `if (!(bid > 0 && bid < ask && ask < Infinity)) throw unusableQuote(bid, ask)`, so no NaN, Infinity, crossed
 * or non-positive quote ever leaves.
 */
export function unusableQuote(bidPrice: number, askPrice: number): QuoterInputError {
  return infeasible(
    "quote",
    `must satisfy 0 < bidPrice < askPrice < Infinity, got bid ${bidPrice} and ask ${askPrice}: the skew or spread is too large for the price (cap the inventory, or lower risk aversion or volatility), or the spread is below float64 resolution`,
  );
}

/**
 * Builds the `INFEASIBLE` error for a quote `bid = midPrice − halfSpread − skew·inventory`,
 * `ask = midPrice + halfSpread − skew·inventory` that is not usable. When a long inventory's skew is what pushed the
 * bid to ≤ 0 (the half spread alone leaves it > 0), the error names `inventory` and the largest long inventory the
 * model quotes at this mid, `(midPrice − halfSpread) / skew`; otherwise it is {@link unusableQuote}.
 */
export function unusableSkewedQuote(
  midPrice: number,
  halfSpread: number,
  skew: number,
  inventory: number,
  bidPrice: number,
  askPrice: number,
): QuoterInputError {
  const maxInventory = (midPrice - halfSpread) / skew;
  if (
    !(
      bidPrice <= 0 &&
      inventory > 0 &&
      maxInventory > 0 &&
      bidPrice < askPrice &&
      askPrice < Number.POSITIVE_INFINITY
    )
  )
    return unusableQuote(bidPrice, askPrice);
  return infeasible(
    "inventory",
    `must be below ${maxInventory} (where the bid reaches 0 at midPrice ${midPrice}), got ${inventory}: the skew of ${skew} per unit of inventory puts the bid at ${bidPrice}, so the model would buy at no positive price; cap the inventory, or lower risk aversion or volatility`,
  );
}
