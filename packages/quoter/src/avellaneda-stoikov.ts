import {
  FINITE,
  infeasible,
  invalidInput,
  NON_NEGATIVE,
  POSITIVE,
  unusableQuote,
  unusableSkewedQuote,
} from "./errors.ts";

/** One-sided quotes: the quoted side must still be a finite price > 0. */
function checkSidePrice(price: number, field: string): void {
  if (!(price > 0 && price < Number.POSITIVE_INFINITY)) {
    throw infeasible(
      field,
      `must be a finite price > 0, got ${price}: the inventory skew is too large for the price`,
    );
  }
}

// Avellaneda & Stoikov, "High-frequency trading in a limit order book", Quantitative Finance 8(3), 2008.
// Units (the paper's model, arithmetic Brownian mid dS = σ dW):
//   s, r, δ, spreads ........ price units (quote currency)
//   q ....................... inventory in base units (signed)
//   σ ....................... price units per √(time unit)
//   T − t ................... time units (the same unit σ uses)
//   γ ....................... 1 / (price units × base units), so that γ·q·σ²·(T−t) is a price
//   k ....................... 1 / price units (λ(δ) = A·e^(−kδ))
//   ω ....................... 1 / time units

/** Inputs shared by the Avellaneda–Stoikov functions. */
export interface AsBaseInput {
  /** s: mid price, in quote currency (> 0). */
  readonly midPrice: number;
  /** q: signed inventory in base units (> 0 long, < 0 short). */
  readonly inventory: number;
  /** γ: risk aversion, in 1/(price × base units) (> 0). */
  readonly riskAversion: number;
  /** σ: volatility of the mid in price units per √(time unit) (≥ 0); the paper's σ, squared in the formulas. */
  readonly priceVolatility: number;
}

/** Inputs of the finite-horizon model. */
export interface AsFiniteHorizonInput extends AsBaseInput {
  /** T − t: time left to the horizon, in the time unit of `priceVolatility` (≥ 0). */
  readonly timeToHorizon: number;
  /** k: decay of the fill intensity λ(δ) = A·e^(−kδ), in 1/price units (> 0). */
  readonly intensityDecay: number;
}

/** Result of {@link asFiniteHorizonQuote}. Prices are unrounded. */
export interface AsFiniteHorizonQuote {
  /** r = s − q·γ·σ²·(T−t) (eq. 29). */
  readonly reservationPrice: number;
  /** δᵃ + δᵇ = γσ²(T−t) + (2/γ)·ln(1 + γ/k) (eq. 30), in price units. */
  readonly spread: number;
  /** r − spread/2. */
  readonly bidPrice: number;
  /** r + spread/2. */
  readonly askPrice: number;
}

/**
 * Avellaneda–Stoikov reservation (indifference) price, eq. 29: `r = s − q·γ·σ²·(T−t)`.
 * Uses σ² as in the paper (Hummingbot's implementation uses σ).
 *
 * @throws {QuoterInputError} `INVALID_INPUT` for a field out of its domain
 * @example
 * ```ts
 * import { asReservationPrice } from "@botmm/quoter";
 * // 100 − 2 × 0.1 × 2² × 0.5 = 100 − 0.4
 * asReservationPrice({ midPrice: 100, inventory: 2, riskAversion: 0.1, priceVolatility: 2, timeToHorizon: 0.5 }); // 99.6
 * ```
 */
export function asReservationPrice(input: AsBaseInput & { readonly timeToHorizon: number }): number {
  const s = input.midPrice;
  const q = input.inventory;
  const gamma = input.riskAversion;
  const sigma = input.priceVolatility;
  const tau = input.timeToHorizon;
  if (!(Number.isFinite(s) && s > 0)) throw invalidInput("midPrice", POSITIVE, s);
  if (!Number.isFinite(q)) throw invalidInput("inventory", FINITE, q);
  if (!(Number.isFinite(gamma) && gamma > 0)) throw invalidInput("riskAversion", POSITIVE, gamma);
  if (!(Number.isFinite(sigma) && sigma >= 0)) throw invalidInput("priceVolatility", NON_NEGATIVE, sigma);
  if (!(Number.isFinite(tau) && tau >= 0)) throw invalidInput("timeToHorizon", NON_NEGATIVE, tau);
  return s - q * gamma * sigma * sigma * tau;
}

/**
 * Avellaneda–Stoikov optimal total spread, eq. 30: `δᵃ + δᵇ = γ·σ²·(T−t) + (2/γ)·ln(1 + γ/k)`, in price units.
 * Always > 0 for valid input.
 *
 * @throws {QuoterInputError} `INVALID_INPUT` for a field out of its domain
 * @example
 * ```ts
 * import { asOptimalSpread } from "@botmm/quoter";
 * // 0.1 × 4 × 0.5 + (2 / 0.1) × ln(1 + 0.1/1.5) = 0.2 + 20 × 0.0645385… = 1.4907704…
 * asOptimalSpread({ riskAversion: 0.1, priceVolatility: 2, timeToHorizon: 0.5, intensityDecay: 1.5 });
 * ```
 */
export function asOptimalSpread(input: {
  readonly riskAversion: number;
  readonly priceVolatility: number;
  readonly timeToHorizon: number;
  readonly intensityDecay: number;
}): number {
  const gamma = input.riskAversion;
  const sigma = input.priceVolatility;
  const tau = input.timeToHorizon;
  const k = input.intensityDecay;
  if (!(Number.isFinite(gamma) && gamma > 0)) throw invalidInput("riskAversion", POSITIVE, gamma);
  if (!(Number.isFinite(sigma) && sigma >= 0)) throw invalidInput("priceVolatility", NON_NEGATIVE, sigma);
  if (!(Number.isFinite(tau) && tau >= 0)) throw invalidInput("timeToHorizon", NON_NEGATIVE, tau);
  if (!(Number.isFinite(k) && k > 0)) throw invalidInput("intensityDecay", POSITIVE, k);
  return gamma * sigma * sigma * tau + (2 / gamma) * Math.log1p(gamma / k);
}

/**
 * Avellaneda–Stoikov finite-horizon quotes: the spread of eq. 30 placed symmetrically around the reservation
 * price of eq. 29. Valid input: midPrice > 0, inventory finite, riskAversion > 0, priceVolatility ≥ 0,
 * timeToHorizon ≥ 0, intensityDecay > 0; the result always has bid < ask.
 *
 * @throws {QuoterInputError} `INVALID_INPUT` for a field out of its domain; `INFEASIBLE` on `inventory` when a long
 * inventory's skew puts the bid at ≤ 0 (q ≥ (s − spread/2)/(γσ²(T−t)); the message names that limit), or on
 * `quote` when the half spread alone reaches the mid or the result is not finite
 * @example
 * ```ts
 * import { asFiniteHorizonQuote } from "@botmm/quoter";
 * asFiniteHorizonQuote({ midPrice: 100, inventory: 2, riskAversion: 0.1, priceVolatility: 2,
 *   timeToHorizon: 0.5, intensityDecay: 1.5 });
 * // r = 99.6, spread = 1.4907704…, bid = 98.8546148…, ask = 100.3453852…
 * ```
 */
export function asFiniteHorizonQuote(input: AsFiniteHorizonInput): AsFiniteHorizonQuote {
  const s = input.midPrice;
  const q = input.inventory;
  const gamma = input.riskAversion;
  const sigma = input.priceVolatility;
  const tau = input.timeToHorizon;
  const k = input.intensityDecay;
  if (!(Number.isFinite(s) && s > 0)) throw invalidInput("midPrice", POSITIVE, s);
  if (!Number.isFinite(q)) throw invalidInput("inventory", FINITE, q);
  if (!(Number.isFinite(gamma) && gamma > 0)) throw invalidInput("riskAversion", POSITIVE, gamma);
  if (!(Number.isFinite(sigma) && sigma >= 0)) throw invalidInput("priceVolatility", NON_NEGATIVE, sigma);
  if (!(Number.isFinite(tau) && tau >= 0)) throw invalidInput("timeToHorizon", NON_NEGATIVE, tau);
  if (!(Number.isFinite(k) && k > 0)) throw invalidInput("intensityDecay", POSITIVE, k);

  const inventoryRisk = gamma * sigma * sigma * tau; // γσ²(T−t)
  const reservationPrice = s - q * inventoryRisk;
  const spread = inventoryRisk + (2 / gamma) * Math.log1p(gamma / k);
  const half = spread / 2;
  const bidPrice = reservationPrice - half;
  const askPrice = reservationPrice + half;
  if (!(bidPrice > 0 && bidPrice < askPrice && askPrice < Number.POSITIVE_INFINITY))
    throw unusableSkewedQuote(s, half, inventoryRisk, q, bidPrice, askPrice);
  return { reservationPrice, spread, bidPrice, askPrice };
}

/** Inputs of the infinite-horizon model (§2.3). Give `omega`, or `maxInventory` to use the paper's choice. */
export interface AsInfiniteHorizonInput extends AsBaseInput {
  /** k: decay of the fill intensity λ(δ) = A·e^(−kδ), in 1/price units (> 0). */
  readonly intensityDecay: number;
  /** ω: discount rate, in 1/time units (> 0). Takes precedence over `maxInventory`. */
  readonly omega?: number;
  /** q_max in base units (> 0): sets ω = ½·γ²·σ²·(q_max + 1)² when `omega` is not given. */
  readonly maxInventory?: number;
}

/** Result of {@link asInfiniteHorizonQuote}. Prices are unrounded. */
export interface AsInfiniteHorizonQuote {
  /** The ω used (given, or ½·γ²·σ²·(q_max + 1)²), in 1/time units. */
  readonly omega: number;
  /** r̄ᵇ(s, q): price at which buying one more unit leaves the value unchanged; −Infinity if never. */
  readonly reservationBidPrice: number;
  /** r̄ᵃ(s, q): price at which selling one unit leaves the value unchanged; +Infinity if never. */
  readonly reservationAskPrice: number;
  /** r̄ᵇ − (1/γ)·ln(1 + γ/k), or `null` when the model will not buy (r̄ᵇ = −∞, e.g. at q ≥ q_max). */
  readonly bidPrice: number | null;
  /** r̄ᵃ + (1/γ)·ln(1 + γ/k), or `null` when the model will not sell (r̄ᵃ = +∞, e.g. at q ≤ −q_max). */
  readonly askPrice: number | null;
}

/**
 * The paper's natural discount rate for the infinite horizon (§2.3): `ω = ½·γ²·σ²·(q_max + 1)²`, in 1/time
 * units. With it, the model refuses to buy at q ≥ q_max and to sell at q ≤ −q_max.
 *
 * @throws {QuoterInputError} `INVALID_INPUT` for a field out of its domain
 * @example
 * ```ts
 * import { asNaturalOmega } from "@botmm/quoter";
 * asNaturalOmega({ riskAversion: 0.1, priceVolatility: 2, maxInventory: 4 }); // ½ × 0.01 × 4 × 25 = 0.5
 * ```
 */
export function asNaturalOmega(input: {
  readonly riskAversion: number;
  readonly priceVolatility: number;
  readonly maxInventory: number;
}): number {
  const gamma = input.riskAversion;
  const sigma = input.priceVolatility;
  const qMax = input.maxInventory;
  if (!(Number.isFinite(gamma) && gamma > 0)) throw invalidInput("riskAversion", POSITIVE, gamma);
  if (!(Number.isFinite(sigma) && sigma >= 0)) throw invalidInput("priceVolatility", NON_NEGATIVE, sigma);
  if (!(Number.isFinite(qMax) && qMax > 0)) throw invalidInput("maxInventory", POSITIVE, qMax);
  const g = gamma * sigma * (qMax + 1);
  return 0.5 * g * g;
}

/**
 * Avellaneda–Stoikov infinite-horizon quotes (§2.3), from the stationary value function
 * v̄(x, s, q) = −exp(−γx − γqs) / (ω − ½γ²σ²q²), which needs ω > ½γ²σ²q² (checked: `INFEASIBLE` otherwise).
 *
 * With D = 2ω − γ²σ²q²:
 * - r̄ᵇ = s + (1/γ)·ln(1 + (−1 − 2q)·γ²σ² / D)            (the paper's formula)
 * - r̄ᵃ = s − (1/γ)·ln(1 + (2q − 1)·γ²σ² / D)
 *        = s + (1/γ)·ln(D / (2ω − γ²σ²(q − 1)²))
 *
 * r̄ᵃ is solved exactly from v̄(x + r̄ᵃ, s, q − 1) = v̄(x, s, q). The paper prints
 * s + (1/γ)·ln(1 + (1 − 2q)γ²σ²/D), which agrees to first order in γ²σ²/D but is not symmetric with r̄ᵇ at
 * q = 0 and stays finite at q = −q_max; the exact form is symmetric and makes ω = ½γ²σ²(q_max+1)² bound the
 * inventory on both sides, as the paper intends. The quotes then add the paper's optimal-distance term
 * (1/γ)·ln(1 + γ/k) (§3) outside each reservation price. A side whose reservation price is infinite (the
 * logarithm's argument ≤ 0) is returned as `null`: the model does not quote it.
 *
 * Valid input: midPrice > 0, inventory finite, riskAversion > 0, priceVolatility ≥ 0, intensityDecay > 0,
 * omega > 0 or maxInventory > 0, and ω > ½γ²σ²q². When both sides are quoted, bid < ask.
 *
 * @throws {QuoterInputError} `INVALID_INPUT` for a field out of its domain or when neither `omega` nor
 * `maxInventory` is given; `INFEASIBLE` when ω ≤ ½γ²σ²q² or a quoted bid would be ≤ 0
 * @example
 * ```ts
 * import { asInfiniteHorizonQuote } from "@botmm/quoter";
 * const quote = asInfiniteHorizonQuote({ midPrice: 100, inventory: 1, riskAversion: 0.1, priceVolatility: 2,
 *   intensityDecay: 1.5, maxInventory: 4 });
 * // ω = 0.5; r̄ᵇ = 100 + 10 ln(1 − 3·0.04/0.96) = 98.664…; r̄ᵃ = 100 − 10 ln(1 + 0.04/0.96) = 99.591…
 * // bid = r̄ᵇ − 0.645…, ask = r̄ᵃ + 0.645…
 * ```
 */
export function asInfiniteHorizonQuote(input: AsInfiniteHorizonInput): AsInfiniteHorizonQuote {
  const s = input.midPrice;
  const q = input.inventory;
  const gamma = input.riskAversion;
  const sigma = input.priceVolatility;
  const k = input.intensityDecay;
  if (!(Number.isFinite(s) && s > 0)) throw invalidInput("midPrice", POSITIVE, s);
  if (!Number.isFinite(q)) throw invalidInput("inventory", FINITE, q);
  if (!(Number.isFinite(gamma) && gamma > 0)) throw invalidInput("riskAversion", POSITIVE, gamma);
  if (!(Number.isFinite(sigma) && sigma >= 0)) throw invalidInput("priceVolatility", NON_NEGATIVE, sigma);
  if (!(Number.isFinite(k) && k > 0)) throw invalidInput("intensityDecay", POSITIVE, k);

  const g = gamma * gamma * sigma * sigma; // γ²σ²
  let omega: number;
  if (input.omega !== undefined) {
    omega = input.omega;
    if (!(Number.isFinite(omega) && omega > 0)) throw invalidInput("omega", POSITIVE, omega);
  } else if (input.maxInventory !== undefined) {
    const qMax = input.maxInventory;
    if (!(Number.isFinite(qMax) && qMax > 0)) throw invalidInput("maxInventory", POSITIVE, qMax);
    omega = 0.5 * g * (qMax + 1) * (qMax + 1);
  } else {
    throw invalidInput("omega", "a finite number > 0 when maxInventory is not given", input.omega);
  }

  const denominator = 2 * omega - g * q * q; // D = 2ω − γ²σ²q² > 0  ⇔  ω > ½γ²σ²q²
  if (!(denominator > 0)) {
    throw infeasible(
      "omega",
      `must be > ½·γ²·σ²·q² = ${0.5 * g * q * q} for inventory ${q}, got ${omega} (raise omega or maxInventory, or reduce the inventory)`,
    );
  }

  const offset = Math.log1p(gamma / k) / gamma; // (1/γ)·ln(1 + γ/k)
  const bidArgument = (-1 - 2 * q) * (g / denominator); // ln(1 + x): x > −1 for a finite r̄ᵇ
  const askArgument = (2 * q - 1) * (g / denominator); // r̄ᵃ = s − (1/γ)·ln(1 + x): x > −1 for a finite r̄ᵃ
  const buys = bidArgument > -1;
  const sells = askArgument > -1;
  const reservationBidPrice = buys ? s + Math.log1p(bidArgument) / gamma : Number.NEGATIVE_INFINITY;
  const reservationAskPrice = sells ? s - Math.log1p(askArgument) / gamma : Number.POSITIVE_INFINITY;
  const bidPrice = buys ? reservationBidPrice - offset : null;
  const askPrice = sells ? reservationAskPrice + offset : null;

  if (bidPrice !== null && askPrice !== null) {
    if (!(bidPrice > 0 && bidPrice < askPrice && askPrice < Number.POSITIVE_INFINITY)) {
      throw unusableQuote(bidPrice, askPrice);
    }
  } else if (bidPrice !== null) {
    checkSidePrice(bidPrice, "bidPrice");
  } else if (askPrice !== null) {
    checkSidePrice(askPrice, "askPrice");
  }
  return { omega, reservationBidPrice, reservationAskPrice, bidPrice, askPrice };
}
