import { FINITE, invalidInput, NON_NEGATIVE, POSITIVE, unusableSkewedQuote } from "./errors.ts";

// Guéant, Lehalle & Fernandez-Tapia, "Dealing with the inventory risk" (arXiv:1105.3115), and Guéant,
// "Optimal market making" (arXiv:1605.01862): closed-form asymptotic (T → ∞) quotes.
// Units: s, δ in price units; q and Δ in base units (the same unit); σ in price/√time; A in 1/time;
// k in 1/price; γ and ξ in 1/(price × base units).

/** Inputs of {@link glftCoefficients}. */
export interface GlftCoefficientInput {
  /** γ: risk aversion, in 1/(price × base units) (> 0). */
  readonly riskAversion: number;
  /** A: fill intensity at zero distance, λ(δ) = A·e^(−kδ), in fills per time unit (> 0). */
  readonly intensityScale: number;
  /** k: intensity decay, in 1/price units (> 0). */
  readonly intensityDecay: number;
  /** Δ: order size, in base units (> 0); the same unit as the inventory. */
  readonly orderSize: number;
  /** ξ: the objective's ξ (ξ = γ for the exponential-utility objective, ξ = 0 is not supported); default γ. */
  readonly xi?: number;
}

/** GLFT coefficients (hftbacktest's c1 / c2). */
export interface GlftCoefficients {
  /** c1 = (1/(ξΔ))·ln(1 + ξΔ/k), in price units. */
  readonly c1: number;
  /** c2 = √( γ/(2AΔk) · (1 + ξΔ/k)^(k/(ξΔ) + 1) ), in √time / base units (σ·c2 is price per base unit). */
  readonly c2: number;
}

/**
 * The GLFT coefficients c1 and c2 (the form of hftbacktest's GLFT example), from which
 * half spread = c1 + (Δ/2)·σ·c2 and skew = σ·c2.
 *
 * @throws {QuoterInputError} `INVALID_INPUT` for a field out of its domain
 * @example
 * ```ts
 * import { glftCoefficients } from "@botmm/quoter";
 * // ξΔ/k = 0.1/1.5; c1 = 10·ln(16/15) = 0.6453852…; c2 = √(0.1/(2·140·1·1.5) · (16/15)^16) = 0.0258586…
 * glftCoefficients({ riskAversion: 0.1, intensityScale: 140, intensityDecay: 1.5, orderSize: 1 });
 * ```
 */
export function glftCoefficients(input: GlftCoefficientInput): GlftCoefficients {
  const gamma = input.riskAversion;
  const a = input.intensityScale;
  const k = input.intensityDecay;
  const delta = input.orderSize;
  const xi = input.xi ?? gamma;
  if (!(Number.isFinite(gamma) && gamma > 0)) throw invalidInput("riskAversion", POSITIVE, gamma);
  if (!(Number.isFinite(a) && a > 0)) throw invalidInput("intensityScale", POSITIVE, a);
  if (!(Number.isFinite(k) && k > 0)) throw invalidInput("intensityDecay", POSITIVE, k);
  if (!(Number.isFinite(delta) && delta > 0)) throw invalidInput("orderSize", POSITIVE, delta);
  if (!(Number.isFinite(xi) && xi > 0)) throw invalidInput("xi", POSITIVE, xi);
  return coefficients(gamma, a, k, delta, xi);
}

function coefficients(gamma: number, a: number, k: number, delta: number, xi: number): GlftCoefficients {
  const xiDelta = xi * delta;
  const logTerm = Math.log1p(xiDelta / k); // ln(1 + ξΔ/k)
  const c1 = logTerm / xiDelta;
  // (1 + ξΔ/k)^(k/(ξΔ) + 1) through exp/log1p: accurate when ξΔ/k is tiny (→ e·(1 + ξΔ/2k)).
  const power = Math.exp((k / xiDelta + 1) * logTerm);
  const c2 = Math.sqrt((gamma / (2 * a * delta * k)) * power);
  return { c1, c2 };
}

/** Inputs of {@link glftQuote}. */
export interface GlftQuoteInput extends GlftCoefficientInput {
  /** s: the mid (or fair) price to quote around, in quote currency (> 0). */
  readonly midPrice: number;
  /** q: signed inventory in base units (the unit of `orderSize`). */
  readonly inventory: number;
  /** σ: mid volatility in price units per √(time unit of `intensityScale`) (≥ 0). */
  readonly priceVolatility: number;
  /** Multiplies the half spread (> 0, default 1). */
  readonly halfSpreadDamping?: number;
  /** Multiplies the skew (≥ 0, default 1; hftbacktest found the raw skew too strong in practice). */
  readonly skewDamping?: number;
}

/** Result of {@link glftQuote}. Prices are unrounded. */
export interface GlftQuote {
  /** s − skew·q. */
  readonly reservationPrice: number;
  /** halfSpreadDamping × (c1 + (Δ/2)·σ·c2), in price units. */
  readonly halfSpread: number;
  /** skewDamping × σ·c2, in price units per base unit of inventory. */
  readonly skew: number;
  /** s − (halfSpread + skew·q) = δᵇ(q) below the mid. */
  readonly bidPrice: number;
  /** s + (halfSpread − skew·q) = δᵃ(q) above the mid. */
  readonly askPrice: number;
}

/**
 * GLFT asymptotic optimal quotes (Guéant–Lehalle–Fernandez-Tapia):
 * - δᵇ(q) ≈ (1/(ξΔ))·ln(1 + ξΔ/k) + ((2q + Δ)/2)·√(γσ²/(2AΔk) · (1 + ξΔ/k)^(k/(ξΔ)+1))
 * - δᵃ(q) ≈ (1/(ξΔ))·ln(1 + ξΔ/k) − ((2q − Δ)/2)·√(same)
 *
 * written as half spread = c1 + (Δ/2)·σ·c2, skew = σ·c2, bid = s − (half + skew·q), ask = s + (half − skew·q),
 * with optional damping of the half spread and of the skew (both default 1 = the formula). Valid input: all of
 * midPrice, riskAversion, intensityScale, intensityDecay, orderSize, xi, halfSpreadDamping > 0;
 * priceVolatility, skewDamping ≥ 0; inventory finite and below q* = (s − half)/skew. The result always has
 * bid < ask (ask − bid = 2·half > 0).
 *
 * The bid distance δᵇ(q) grows linearly and without bound in q, so whenever the skew is > 0 there is a long
 * inventory q* at which the bid reaches 0 (e.g. s = 100 000, γ = 1, σ = 20, A = 0.1, k = 0.05, Δ = 0.01 give a
 * skew of 3 456 per unit and q* ≈ 28.92). There the closed form says "buy at no positive price", and its ask
 * sits within 2·half of zero: the asymptotic formula (an arithmetic Brownian mid, quotes small next to the price)
 * no longer describes anything tradable. Clamping the bid to a tiny positive price would post a quote the model
 * never chose, and dropping only the bid would still sell near zero, so the whole quote is refused with an
 * `INFEASIBLE` error on `inventory` that names q*. Callers keep the inventory well inside q* (a position limit).
 *
 * @throws {QuoterInputError} `INVALID_INPUT` for a field out of its domain; `INFEASIBLE` on `inventory` when
 * q ≥ q* (the bid would be ≤ 0), or on `quote` when the half spread alone reaches the mid
 * @example
 * ```ts
 * import { glftQuote } from "@botmm/quoter";
 * const quote = glftQuote({ midPrice: 100, inventory: 2, riskAversion: 0.1, priceVolatility: 2,
 *   intensityScale: 140, intensityDecay: 1.5, orderSize: 1 });
 * // half = 0.6453852 + ½·1·2·0.0258586 = 0.6712438; skew = 2·0.0258586 = 0.0517172
 * // bid = 100 − (0.6712438 + 2·0.0517172) = 99.2253217; ask = 100 + (0.6712438 − 0.1034344) = 100.5678094
 * ```
 */
export function glftQuote(input: GlftQuoteInput): GlftQuote {
  const s = input.midPrice;
  const q = input.inventory;
  const sigma = input.priceVolatility;
  const gamma = input.riskAversion;
  const a = input.intensityScale;
  const k = input.intensityDecay;
  const delta = input.orderSize;
  const xi = input.xi ?? gamma;
  const halfSpreadDamping = input.halfSpreadDamping ?? 1;
  const skewDamping = input.skewDamping ?? 1;
  if (!(Number.isFinite(s) && s > 0)) throw invalidInput("midPrice", POSITIVE, s);
  if (!Number.isFinite(q)) throw invalidInput("inventory", FINITE, q);
  if (!(Number.isFinite(sigma) && sigma >= 0)) throw invalidInput("priceVolatility", NON_NEGATIVE, sigma);
  if (!(Number.isFinite(gamma) && gamma > 0)) throw invalidInput("riskAversion", POSITIVE, gamma);
  if (!(Number.isFinite(a) && a > 0)) throw invalidInput("intensityScale", POSITIVE, a);
  if (!(Number.isFinite(k) && k > 0)) throw invalidInput("intensityDecay", POSITIVE, k);
  if (!(Number.isFinite(delta) && delta > 0)) throw invalidInput("orderSize", POSITIVE, delta);
  if (!(Number.isFinite(xi) && xi > 0)) throw invalidInput("xi", POSITIVE, xi);
  if (!(Number.isFinite(halfSpreadDamping) && halfSpreadDamping > 0))
    throw invalidInput("halfSpreadDamping", POSITIVE, halfSpreadDamping);
  if (!(Number.isFinite(skewDamping) && skewDamping >= 0))
    throw invalidInput("skewDamping", NON_NEGATIVE, skewDamping);

  const { c1, c2 } = coefficients(gamma, a, k, delta, xi);
  const halfSpread = halfSpreadDamping * (c1 + 0.5 * delta * sigma * c2);
  const skew = skewDamping * sigma * c2;
  const reservationPrice = s - skew * q;
  const bidPrice = reservationPrice - halfSpread;
  const askPrice = reservationPrice + halfSpread;
  if (!(bidPrice > 0 && bidPrice < askPrice && askPrice < Number.POSITIVE_INFINITY))
    throw unusableSkewedQuote(s, halfSpread, skew, q, bidPrice, askPrice);
  return { reservationPrice, halfSpread, skew, bidPrice, askPrice };
}
