import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { QuoterInputError } from "./errors.ts";
import { glftCoefficients, glftQuote } from "./glft.ts";

// γ = 0.1, A = 140, k = 1.5 (the Avellaneda–Stoikov paper's values), Δ = 1, ξ = γ.
const params = { riskAversion: 0.1, intensityScale: 140, intensityDecay: 1.5, orderSize: 1 };

describe("GLFT coefficients: hand-computed", () => {
  it("ξ = γ, Δ = 1", () => {
    // ξΔ/k = 0.1/1.5 = 1/15; c1 = (1/0.1) × ln(16/15) = 10 × 0.0645385211 = 0.6453852114
    // k/(ξΔ) + 1 = 16; (16/15)^16 = e^(16 × 0.0645385211) = e^1.0326163382 = 2.8084039656
    // γ/(2AΔk) = 0.1/(2 × 140 × 1 × 1.5) = 0.1/420 = 0.000238095238
    // c2 = √(0.000238095238 × 2.8084039656) = √0.000668667611 = 0.0258586081
    const { c1, c2 } = glftCoefficients(params);
    expect(c1).toBeCloseTo(0.6453852113757116, 13);
    expect(c2).toBeCloseTo(0.025858608060982998, 13);
  });

  it("Δ = 0.5", () => {
    // ξΔ = 0.05; c1 = 20 × ln(31/30) = 20 × 0.0327898228 = 0.6557964565
    // k/(ξΔ) + 1 = 31; (31/30)^31 = 2.7634627351; γ/(2AΔk) = 0.1/210 = 0.000476190476
    // c2 = √(0.000476190476 × 2.7634627351) = 0.0362758134
    const { c1, c2 } = glftCoefficients({ ...params, orderSize: 0.5 });
    expect(c1).toBeCloseTo(0.6557964564598193, 13);
    expect(c2).toBeCloseTo(0.03627581337124924, 13);
  });

  it("ξ ≠ γ (ξ = 0.2)", () => {
    // ξΔ/k = 2/15; c1 = 5 × ln(17/15) = 5 × 0.1251631430 = 0.6258157148
    // k/(ξΔ) + 1 = 8.5; (17/15)^8.5 = 2.8976113208; c2 = √(0.1/420 × 2.8976113208) = 0.0262660895
    const { c1, c2 } = glftCoefficients({ ...params, xi: 0.2 });
    expect(c1).toBeCloseTo(0.62581571477003, 13);
    expect(c2).toBeCloseTo(0.02626608949466484, 13);
  });

  it("rejects invalid fields by name", () => {
    expect(() => glftCoefficients({ ...params, intensityScale: 0 })).toThrow(
      "intensityScale must be a finite number > 0, got 0",
    );
    expect(() => glftCoefficients({ ...params, xi: -1 })).toThrow(/^xi must be/);
    expect(() => glftCoefficients({ ...params, orderSize: Number.NaN })).toThrow(/^orderSize must be/);
    expect(() => glftCoefficients({ ...params, riskAversion: 0 })).toThrow(/^riskAversion must be/);
    expect(() => glftCoefficients({ ...params, intensityDecay: Number.POSITIVE_INFINITY })).toThrow(
      /^intensityDecay/,
    );
  });
});

describe("GLFT quotes: hand-computed", () => {
  const input = { ...params, midPrice: 100, inventory: 2, priceVolatility: 2 };

  it("half spread, skew and quotes (c1/c2 form)", () => {
    // half = c1 + (Δ/2)·σ·c2 = 0.6453852114 + 0.5 × 2 × 0.0258586081 = 0.6712438194
    // skew = σ·c2 = 0.0517172161; r = 100 − 2 × 0.0517172161 = 99.8965655678
    // bid = 99.8965655678 − 0.6712438194 = 99.2253217483; ask = 99.8965655678 + 0.6712438194 = 100.5678093872
    const quote = glftQuote(input);
    expect(quote.halfSpread).toBeCloseTo(0.6712438194366945, 12);
    expect(quote.skew).toBeCloseTo(0.051717216121965996, 12);
    expect(quote.reservationPrice).toBeCloseTo(99.89656556775607, 11);
    expect(quote.bidPrice).toBeCloseTo(99.22532174831937, 11);
    expect(quote.askPrice).toBeCloseTo(100.56780938719277, 11);
  });

  it("equals the paper's δᵇ(q), δᵃ(q) form", () => {
    // δᵇ(2) = c1 + ((2q + Δ)/2)·σc2 = 0.6453852114 + 2.5 × 0.0517172161 = 0.7746782516
    // δᵃ(2) = c1 − ((2q − Δ)/2)·σc2 = 0.6453852114 − 1.5 × 0.0517172161 = 0.5678093872
    const quote = glftQuote(input);
    expect(100 - quote.bidPrice).toBeCloseTo(0.6453852113757116 + 2.5 * 0.051717216121965996, 12);
    expect(quote.askPrice - 100).toBeCloseTo(0.6453852113757116 - 1.5 * 0.051717216121965996, 12);
  });

  it("Δ = 0.5, q = 1", () => {
    // half = 0.6557964565 + 0.25 × 2 × 0.0362758134 = 0.6739343632; skew = 0.0725516267
    const quote = glftQuote({ ...input, orderSize: 0.5, inventory: 1 });
    expect(quote.halfSpread).toBeCloseTo(0.6557964564598193 + 0.5 * 0.03627581337124924, 12);
    expect(quote.reservationPrice).toBeCloseTo(100 - 2 * 0.03627581337124924, 12);
  });

  it("damping scales the half spread and the skew separately", () => {
    // hftbacktest-style damping: half × 0.5 = 0.3356219097; skew × 0.05 = 0.0025858608
    const quote = glftQuote({ ...input, halfSpreadDamping: 0.5, skewDamping: 0.05 });
    expect(quote.halfSpread).toBeCloseTo(0.5 * 0.6712438194366945, 12);
    expect(quote.skew).toBeCloseTo(0.05 * 0.051717216121965996, 12);
    expect(quote.reservationPrice).toBeCloseTo(100 - 2 * 0.05 * 0.051717216121965996, 12);
    expect(glftQuote({ ...input, skewDamping: 0 }).reservationPrice).toBe(100);
  });

  it("rejects invalid fields by name, and a bid ≤ 0 as INFEASIBLE", () => {
    expect(() => glftQuote({ ...input, priceVolatility: -1 })).toThrow(/^priceVolatility must be/);
    expect(() => glftQuote({ ...input, halfSpreadDamping: 0 })).toThrow(/^halfSpreadDamping must be/);
    expect(() => glftQuote({ ...input, skewDamping: -0.1 })).toThrow(/^skewDamping must be/);
    expect(() => glftQuote({ ...input, inventory: Number.NaN })).toThrow(/^inventory must be/);
    expect(() => glftQuote({ ...input, midPrice: 0 })).toThrow(/^midPrice must be/);
    // The half spread alone (0.67) reaches the mid: no inventory would help, so the error is on the quote.
    expect(() => glftQuote({ ...input, midPrice: 0.5 })).toThrow(
      expect.objectContaining({ code: "INFEASIBLE", field: "quote" }),
    );
  });
});

// Domain of the properties: s = 100 000, q ∈ [−50, 50], γ, ξ ∈ [0.001, 1], σ ∈ [0, 20], A ∈ [0.1, 1 000],
// k ∈ [0.05, 10], Δ ∈ [0.01, 10]. The half spread stays far below s, but the skew σ·c2 reaches 3 456 per unit
// (γ = 1, σ = 20, A = 0.1, k = 0.05, Δ = 0.01), so a long q beyond q* = (s − half)/skew ≈ 28.9 has no positive
// bid: the quoting properties hold for q below q*, and q ≥ q* has its own property.
const inventory = fc.double({ min: -50, max: 50, noNaN: true });
const gamma = fc.double({ min: 0.001, max: 1, noNaN: true });
const sigma = fc.double({ min: 0, max: 20, noNaN: true });
const a = fc.double({ min: 0.1, max: 1_000, noNaN: true });
const k = fc.double({ min: 0.05, max: 10, noNaN: true });
const delta = fc.double({ min: 0.01, max: 10, noNaN: true });

/** q* = (s − half)/skew, from the hand-checked coefficients: the long inventory at which the bid reaches 0. */
function bidZeroInventory(input: Omit<Parameters<typeof glftQuote>[0], "inventory">): number {
  const { c1, c2 } = glftCoefficients(input);
  const skew = input.priceVolatility * c2;
  return (input.midPrice - (c1 + 0.5 * input.orderSize * skew)) / skew;
}

describe("GLFT: properties", () => {
  it("quotes never cross and ask − bid = 2 × half spread", () => {
    fc.assert(
      fc.property(
        inventory,
        gamma,
        sigma,
        a,
        k,
        delta,
        (q, riskAversion, priceVolatility, intensityScale, intensityDecay, orderSize) => {
          const shared = {
            midPrice: 100_000,
            riskAversion,
            priceVolatility,
            intensityScale,
            intensityDecay,
            orderSize,
          };
          fc.pre(q < 0.999 * bidZeroInventory(shared));
          const quote = glftQuote({ ...shared, inventory: q });
          expect(quote.bidPrice).toBeGreaterThan(0);
          expect(quote.bidPrice).toBeLessThan(quote.askPrice);
          expect(quote.askPrice - quote.bidPrice).toBeCloseTo(2 * quote.halfSpread, 6);
        },
      ),
      { seed: 1 },
    );
  });

  it("more long inventory → lower reservation price and lower bid", () => {
    fc.assert(
      fc.property(
        inventory,
        inventory,
        gamma,
        sigma,
        a,
        k,
        delta,
        (q1, q2, riskAversion, priceVolatility, intensityScale, intensityDecay, orderSize) => {
          const shared = {
            midPrice: 100_000,
            riskAversion,
            priceVolatility,
            intensityScale,
            intensityDecay,
            orderSize,
          };
          fc.pre(Math.max(q1, q2) < 0.999 * bidZeroInventory(shared));
          const lo = glftQuote({ ...shared, inventory: Math.min(q1, q2) });
          const hi = glftQuote({ ...shared, inventory: Math.max(q1, q2) });
          expect(hi.reservationPrice).toBeLessThanOrEqual(lo.reservationPrice);
          expect(hi.bidPrice).toBeLessThanOrEqual(lo.bidPrice);
        },
      ),
      { seed: 2 },
    );
  });

  it("at q* the bid reaches 0: just below it quotes a positive bid, just above it refuses on inventory", () => {
    fc.assert(
      fc.property(
        gamma,
        fc.double({ min: 0.01, max: 20, noNaN: true }),
        a,
        k,
        delta,
        (riskAversion, priceVolatility, intensityScale, intensityDecay, orderSize) => {
          const shared = {
            midPrice: 100_000,
            riskAversion,
            priceVolatility,
            intensityScale,
            intensityDecay,
            orderSize,
          };
          const qStar = bidZeroInventory(shared);
          expect(glftQuote({ ...shared, inventory: qStar * (1 - 1e-9) }).bidPrice).toBeGreaterThan(0);
          expect(() => glftQuote({ ...shared, inventory: qStar * (1 + 1e-9) })).toThrow(
            expect.objectContaining({ code: "INFEASIBLE", field: "inventory" }),
          );
        },
      ),
      { seed: 3 },
    );
  });

  it("regression (issue 10): the unseeded property's counterexample sits past q*, so it is INFEASIBLE on inventory", () => {
    // The shrunk input fast-check found ("got bid -6.15e-12"): c1 = 100·ln(1.2) = 18.2321557, c2 = 172.8, so
    // skew = σ·c2 = 3 456 per unit, half = 18.2321557 + ½·0.01·3 456 = 35.5121557 and
    // q* = (100 000 − 35.5121557)/3 456 = 28.92490967717621. The shrinker stops at the boundary; in 50-digit
    // arithmetic the bid at this q is −1.35e-11, so the input is past q* (not a rounding error), and one more
    // unit of inventory puts the bid at −259.5.
    const input = {
      midPrice: 100_000,
      inventory: 28.924909677176213,
      riskAversion: 0.9999999999999988,
      priceVolatility: 19.99999999999994,
      intensityScale: 0.1,
      intensityDecay: 0.05,
      orderSize: 0.01,
    };
    expect(() => glftQuote(input)).toThrow(
      expect.objectContaining({ code: "INFEASIBLE", field: "inventory" }),
    );
    expect(() => glftQuote(input)).toThrow(
      /^inventory must be below 28\.9249096771762\d* \(where the bid reaches 0/,
    );
    expect(glftQuote({ ...input, inventory: 28.9 }).bidPrice).toBeCloseTo(86.0878443, 5);
    expect(() => glftQuote({ ...input, inventory: 29 })).toThrow(/puts the bid at -259\.51/);
  });

  it("larger k → narrower half spread", () => {
    fc.assert(
      fc.property(
        gamma,
        sigma,
        a,
        k,
        k,
        delta,
        (riskAversion, priceVolatility, intensityScale, k1, k2, orderSize) => {
          fc.pre(Math.abs(k1 - k2) > 1e-6);
          const shared = {
            midPrice: 100_000,
            inventory: 0,
            riskAversion,
            priceVolatility,
            intensityScale,
            orderSize,
          };
          const wide = glftQuote({ ...shared, intensityDecay: Math.min(k1, k2) });
          const narrow = glftQuote({ ...shared, intensityDecay: Math.max(k1, k2) });
          expect(narrow.halfSpread).toBeLessThan(wide.halfSpread);
        },
      ),
      { seed: 4 },
    );
  });

  it("larger γ → wider half spread when ξ is held fixed and σ > 0 (c2 ∝ √γ, c1 does not depend on γ)", () => {
    fc.assert(
      fc.property(
        gamma,
        gamma,
        fc.double({ min: 0.01, max: 20, noNaN: true }),
        a,
        k,
        delta,
        (g1, g2, priceVolatility, intensityScale, intensityDecay, orderSize) => {
          fc.pre(Math.abs(g1 - g2) > 1e-6);
          const shared = {
            midPrice: 100_000,
            inventory: 0,
            priceVolatility,
            intensityScale,
            intensityDecay,
            orderSize,
            xi: 0.1,
          };
          const narrow = glftQuote({ ...shared, riskAversion: Math.min(g1, g2) });
          const wide = glftQuote({ ...shared, riskAversion: Math.max(g1, g2) });
          expect(wide.halfSpread).toBeGreaterThan(narrow.halfSpread);
        },
      ),
      { seed: 5 },
    );
  });

  it("…with ξ = γ and σ = 0 a larger γ narrows it (c1 falls with ξ)", () => {
    const shared = { ...params, midPrice: 100, inventory: 0, priceVolatility: 0 };
    expect(glftQuote({ ...shared, riskAversion: 0.5 }).halfSpread).toBeLessThan(
      glftQuote({ ...shared, riskAversion: 0.1 }).halfSpread,
    );
  });

  it("any invalid field throws a QuoterInputError naming it", () => {
    const fields = [
      "midPrice",
      "riskAversion",
      "intensityScale",
      "intensityDecay",
      "orderSize",
      "xi",
      "halfSpreadDamping",
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...fields),
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0, -2),
        (field, value) => {
          const input = { ...params, midPrice: 100, inventory: 1, priceVolatility: 2, [field]: value };
          expect(() => glftQuote(input)).toThrow(QuoterInputError);
          expect(() => glftQuote(input)).toThrow(new RegExp(`^${field} must be`));
        },
      ),
      { seed: 6 },
    );
  });
});
