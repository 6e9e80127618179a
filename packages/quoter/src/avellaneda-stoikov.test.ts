import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  asFiniteHorizonQuote,
  asInfiniteHorizonQuote,
  asNaturalOmega,
  asOptimalSpread,
  asReservationPrice,
} from "./avellaneda-stoikov.ts";
import { QuoterInputError } from "./errors.ts";

// ln(16/15) = 0.06453852113757116 (= ln(1 + γ/k) for γ = 0.1, k = 1.5)
const LN_16_15 = 0.06453852113757116;

describe("Avellaneda–Stoikov finite horizon: hand-computed from eq. 29 and 30", () => {
  const input = {
    midPrice: 100,
    inventory: 2,
    riskAversion: 0.1,
    priceVolatility: 2,
    timeToHorizon: 0.5,
    intensityDecay: 1.5,
  };

  it("reservation price r = s − q·γ·σ²·(T−t)", () => {
    // 100 − 2 × 0.1 × 2² × 0.5 = 100 − 0.4 = 99.6
    expect(asReservationPrice(input)).toBeCloseTo(99.6, 12);
  });

  it("spread γσ²(T−t) + (2/γ)·ln(1 + γ/k)", () => {
    // 0.1 × 4 × 0.5 + 20 × ln(16/15) = 0.2 + 20 × 0.0645385211… = 0.2 + 1.2907704227… = 1.4907704227…
    expect(asOptimalSpread(input)).toBeCloseTo(0.2 + 20 * LN_16_15, 12);
    expect(asOptimalSpread(input)).toBeCloseTo(1.4907704227514234, 12);
  });

  it("quotes are symmetric around r", () => {
    // bid = 99.6 − 1.4907704227/2 = 98.8546147886, ask = 99.6 + 0.7453852114 = 100.3453852114
    const quote = asFiniteHorizonQuote(input);
    expect(quote.reservationPrice).toBeCloseTo(99.6, 12);
    expect(quote.spread).toBeCloseTo(1.4907704227514234, 12);
    expect(quote.bidPrice).toBeCloseTo(98.85461478862429, 10);
    expect(quote.askPrice).toBeCloseTo(100.3453852113757, 10);
  });

  it("the paper's simulation settings (s = 100, σ = 2, T = 1, k = 1.5) at t = 0, q = 0", () => {
    const base = { midPrice: 100, inventory: 0, priceVolatility: 2, timeToHorizon: 1, intensityDecay: 1.5 };
    // γ = 0.1:  0.1 × 4 + 20 × ln(1 + 0.1/1.5)   = 0.4 + 1.2907704 = 1.6907704
    expect(asFiniteHorizonQuote({ ...base, riskAversion: 0.1 }).spread).toBeCloseTo(1.6907704227514233, 12);
    // γ = 0.01: 0.01 × 4 + 200 × ln(1 + 0.01/1.5) = 0.04 + 1.3289085 = 1.3689085
    expect(asFiniteHorizonQuote({ ...base, riskAversion: 0.01 }).spread).toBeCloseTo(1.3689085437337023, 12);
    // γ = 0.5:  0.5 × 4 + 4 × ln(1 + 0.5/1.5)     = 2 + 1.1507283 = 3.1507283
    expect(asFiniteHorizonQuote({ ...base, riskAversion: 0.5 }).spread).toBeCloseTo(3.150728289807123, 12);
    expect(asFiniteHorizonQuote({ ...base, riskAversion: 0.1 }).reservationPrice).toBe(100);
  });

  it("uses σ² as the paper does, not σ as Hummingbot does", () => {
    // σ = 3: r = 100 − 1 × 0.1 × 9 × 1 = 99.1 (with σ instead of σ² it would be 100 − 0.3 = 99.7)
    const r = asReservationPrice({
      midPrice: 100,
      inventory: 1,
      riskAversion: 0.1,
      priceVolatility: 3,
      timeToHorizon: 1,
    });
    expect(r).toBeCloseTo(99.1, 12);
  });

  it("at the horizon (T − t = 0) only the intensity term is left", () => {
    // spread = (2/0.1) × ln(16/15) = 1.2907704; r = s
    const quote = asFiniteHorizonQuote({ ...input, timeToHorizon: 0 });
    expect(quote.reservationPrice).toBe(100);
    expect(quote.spread).toBeCloseTo(20 * LN_16_15, 12);
  });

  it("rejects invalid fields by name", () => {
    expect(() => asFiniteHorizonQuote({ ...input, riskAversion: -1 })).toThrow(
      "riskAversion must be a finite number > 0, got -1",
    );
    expect(() => asFiniteHorizonQuote({ ...input, intensityDecay: 0 })).toThrow(
      "intensityDecay must be a finite number > 0, got 0",
    );
    expect(() => asFiniteHorizonQuote({ ...input, priceVolatility: -0.5 })).toThrow(
      /^priceVolatility must be/,
    );
    expect(() => asFiniteHorizonQuote({ ...input, timeToHorizon: Number.NaN })).toThrow(
      /^timeToHorizon must be/,
    );
    expect(() => asFiniteHorizonQuote({ ...input, inventory: Number.NaN })).toThrow(/^inventory must be/);
    expect(() => asFiniteHorizonQuote({ ...input, midPrice: -100 })).toThrow(/^midPrice must be/);
    expect(() => asReservationPrice({ ...input, riskAversion: 0 })).toThrow(QuoterInputError);
    expect(() => asOptimalSpread({ ...input, intensityDecay: Number.POSITIVE_INFINITY })).toThrow(
      QuoterInputError,
    );
  });

  it("a skew larger than the price is INFEASIBLE on inventory, naming the inventory where the bid reaches 0", () => {
    // r = 100 − 100 × 0.1 × 4 × 10 = −300
    expect(() => asFiniteHorizonQuote({ ...input, inventory: 100, timeToHorizon: 10 })).toThrow(
      expect.objectContaining({ code: "INFEASIBLE", field: "inventory" }),
    );
    // T − t = 0.5: γσ²(T−t) = 0.2 per unit, half = (0.2 + 20 × ln(16/15))/2 = 0.7453852; the bid reaches 0 at
    // q* = (100 − 0.7453852)/0.2 = 496.2730739; at q = 500 it is 100 − 100 − 0.7453852 = −0.7453852.
    expect(() => asFiniteHorizonQuote({ ...input, inventory: 500 })).toThrow(
      /^inventory must be below 496\.27307\d* \(where the bid reaches 0 at midPrice 100\), got 500: .* puts the bid at -0\.74538/,
    );
    expect(asFiniteHorizonQuote({ ...input, inventory: 496 }).bidPrice).toBeCloseTo(0.0546148, 6);
  });

  it("a half spread wider than the price is INFEASIBLE on the quote (no inventory would help)", () => {
    // half = (0 + 20 × ln(16/15))/2 = 0.6453852 at T − t = 0, above a mid of 0.5 even at q = 0
    expect(() => asFiniteHorizonQuote({ ...input, midPrice: 0.5, inventory: 0, timeToHorizon: 0 })).toThrow(
      expect.objectContaining({ code: "INFEASIBLE", field: "quote" }),
    );
  });
});

describe("Avellaneda–Stoikov infinite horizon (§2.3)", () => {
  // γ = 0.1, σ = 2 → γ²σ² = 0.04; q_max = 4 → ω = ½ × 0.04 × 5² = 0.5
  const base = { midPrice: 100, riskAversion: 0.1, priceVolatility: 2, intensityDecay: 1.5, maxInventory: 4 };
  const offset = 10 * LN_16_15; // (1/γ)·ln(1 + γ/k) = 0.6453852114

  it("natural ω = ½γ²σ²(q_max + 1)²", () => {
    expect(asNaturalOmega({ riskAversion: 0.1, priceVolatility: 2, maxInventory: 4 })).toBeCloseTo(0.5, 15);
    expect(() => asNaturalOmega({ riskAversion: 0.1, priceVolatility: 2, maxInventory: 0 })).toThrow(
      /^maxInventory/,
    );
  });

  it("q = 1: hand-computed reservation prices and quotes", () => {
    // D = 2ω − γ²σ²q² = 1 − 0.04 = 0.96
    // r̄ᵇ = 100 + 10 × ln(1 + (−1 − 2)·0.04/0.96) = 100 + 10 × ln(0.875) = 100 − 1.3353139262 = 98.6646860738
    // r̄ᵃ = 100 − 10 × ln(1 + (2 − 1)·0.04/0.96) = 100 − 10 × 0.0408219945 = 99.5917800548
    //    (= 100 + 10 × ln(D / (2ω − γ²σ²(q−1)²)) = 100 + 10 × ln(0.96 / 1))
    const quote = asInfiniteHorizonQuote({ ...base, inventory: 1 });
    expect(quote.omega).toBeCloseTo(0.5, 15);
    expect(quote.reservationBidPrice).toBeCloseTo(100 + 10 * -0.13353139262452263, 10);
    expect(quote.reservationAskPrice).toBeCloseTo(100 - 10 * 0.0408219945202552, 10);
    expect(quote.reservationAskPrice).toBeCloseTo(100 + 10 * Math.log(0.96), 10);
    // bid = 98.6646860738 − 0.6453852114 = 98.0193008624; ask = 99.5917800548 + 0.6453852114 = 100.2371652662
    expect(quote.bidPrice).toBeCloseTo(98.0193008624, 9);
    expect(quote.askPrice).toBeCloseTo(100.2371652662, 9);
    expect(quote.bidPrice! + offset).toBeCloseTo(quote.reservationBidPrice, 12);
  });

  it("r̄ᵇ matches the paper's printed formula exactly; r̄ᵃ is the exact solution (the printed one is first-order)", () => {
    // Printed: r̄ᵃ = s + (1/γ)·ln(1 + (1 − 2q)·γ²σ²/D) = 100 + 10 × ln(1 − 0.04/0.96) = 100 − 0.4255961 = 99.5744039
    // Exact:  99.5917801 — they agree to first order in γ²σ²/D (0.0417) and differ at second order.
    const quote = asInfiniteHorizonQuote({ ...base, inventory: 1 });
    const printedAsk = 100 + 10 * -0.04255961441879589;
    expect(Math.abs(quote.reservationAskPrice - printedAsk)).toBeLessThan(0.02);
    expect(quote.reservationAskPrice).not.toBeCloseTo(printedAsk, 3);
  });

  it("q = 0 is symmetric around the mid (the printed r̄ᵃ would not be)", () => {
    // D = 1; r̄ᵇ = 100 + 10 ln(0.96) = 99.5917801; r̄ᵃ = 100 − 10 ln(0.96) = 100.4082199
    const quote = asInfiniteHorizonQuote({ ...base, inventory: 0 });
    expect(quote.reservationBidPrice).toBeCloseTo(100 + 10 * Math.log(0.96), 10);
    expect(quote.reservationAskPrice).toBeCloseTo(100 - 10 * Math.log(0.96), 10);
    expect(quote.askPrice! - 100).toBeCloseTo(100 - quote.bidPrice!, 10);
  });

  it("at q = q_max the model does not buy; at q = −q_max it does not sell", () => {
    // q = 4: D = 1 − 0.04 × 16 = 0.36; bid argument 1 + (−9)·0.04/0.36 = 0 → r̄ᵇ = −∞
    //        r̄ᵃ = 100 − 10 × ln(1 + 7 × 0.04/0.36) = 100 − 10 × 0.5753641449 = 94.2463585510
    const long = asInfiniteHorizonQuote({ ...base, inventory: 4 });
    expect(long.bidPrice).toBeNull();
    expect(long.reservationBidPrice).toBe(Number.NEGATIVE_INFINITY);
    expect(long.reservationAskPrice).toBeCloseTo(94.246358551, 8);
    expect(long.askPrice).toBeCloseTo(94.246358551 + offset, 8);
    // q = −4: mirror image, r̄ᵇ = 100 + 5.753641449
    const short = asInfiniteHorizonQuote({ ...base, inventory: -4 });
    expect(short.askPrice).toBeNull();
    expect(short.reservationAskPrice).toBe(Number.POSITIVE_INFINITY);
    expect(short.reservationBidPrice).toBeCloseTo(105.753641449, 8);
    // Between q_max and q_max + 1 the ω check still passes (0.5 > ½·0.04·4.5² = 0.405) but there is no bid.
    expect(asInfiniteHorizonQuote({ ...base, inventory: 4.5 }).bidPrice).toBeNull();
  });

  it("ω ≤ ½γ²σ²q² is INFEASIBLE and says so", () => {
    // q = 5: ½ × 0.04 × 25 = 0.5 = ω, not strictly greater
    expect(() => asInfiniteHorizonQuote({ ...base, inventory: 5 })).toThrow(
      expect.objectContaining({ code: "INFEASIBLE", field: "omega" }),
    );
    expect(() => asInfiniteHorizonQuote({ ...base, inventory: 5 })).toThrow(
      /omega must be > ½·γ²·σ²·q² = 0\.5/,
    );
  });

  it("an explicit ω takes precedence over maxInventory", () => {
    // ω = 1, q = 0: D = 2; r̄ᵇ = 100 + 10 × ln(1 − 0.04/2) = 100 + 10 × ln(0.98) = 99.7979729
    const quote = asInfiniteHorizonQuote({ ...base, inventory: 0, omega: 1 });
    expect(quote.omega).toBe(1);
    expect(quote.reservationBidPrice).toBeCloseTo(100 + 10 * -0.020202707317519466, 10);
  });

  it("σ = 0 with an explicit ω quotes the intensity term around the mid", () => {
    const quote = asInfiniteHorizonQuote({ ...base, priceVolatility: 0, inventory: 3, omega: 0.1 });
    expect(quote.reservationBidPrice).toBe(100);
    expect(quote.bidPrice).toBeCloseTo(100 - offset, 12);
    expect(quote.askPrice).toBeCloseTo(100 + offset, 12);
  });

  it("needs ω or q_max, and validates them", () => {
    const { maxInventory: _, ...noOmega } = base;
    expect(() => asInfiniteHorizonQuote({ ...noOmega, inventory: 0 })).toThrow(
      expect.objectContaining({ code: "INVALID_INPUT", field: "omega" }),
    );
    expect(() => asInfiniteHorizonQuote({ ...base, inventory: 0, omega: -1 })).toThrow(
      /^omega must be a finite number > 0/,
    );
    expect(() => asInfiniteHorizonQuote({ ...noOmega, inventory: 0, maxInventory: Number.NaN })).toThrow(
      /^maxInventory/,
    );
    expect(() => asInfiniteHorizonQuote({ ...base, inventory: 0, intensityDecay: -1 })).toThrow(
      /^intensityDecay/,
    );
  });

  it("a one-sided quote that would be ≤ 0 is INFEASIBLE", () => {
    // q = 4, s = 1: r̄ᵃ = 1 − 5.75 < 0
    expect(() => asInfiniteHorizonQuote({ ...base, midPrice: 1, inventory: 4 })).toThrow(
      expect.objectContaining({ code: "INFEASIBLE", field: "askPrice" }),
    );
    expect(() => asInfiniteHorizonQuote({ ...base, midPrice: 1, inventory: -4 })).not.toThrow();
    // q = 3, s = 1, both sides: r̄ᵇ = 1 + 10 × ln(1 − 7 × 0.04/0.64) = 1 − 5.75 < 0
    expect(() => asInfiniteHorizonQuote({ ...base, midPrice: 1, inventory: 3 })).toThrow(
      expect.objectContaining({ code: "INFEASIBLE", field: "quote" }),
    );
  });
});

// Valid domain of the finite-horizon properties: s ∈ [1 000, 100 000], q ∈ [−10, 10], γ ∈ [0.001, 1],
// σ ∈ [0, 5], T − t ∈ [0, 1], k ∈ [0.1, 10]. Then |q·γσ²(T−t)| ≤ 250 and the spread ≤ 25 + 2/k ≤ 45, so the
// bid stays > 0.
const mid = fc.double({ min: 1_000, max: 100_000, noNaN: true });
const inventory = fc.double({ min: -10, max: 10, noNaN: true });
const gamma = fc.double({ min: 0.001, max: 1, noNaN: true });
const sigma = fc.double({ min: 0, max: 5, noNaN: true });
const tau = fc.double({ min: 0, max: 1, noNaN: true });
const k = fc.double({ min: 0.1, max: 10, noNaN: true });

describe("Avellaneda–Stoikov: properties", () => {
  it("quotes never cross (finite horizon)", () => {
    fc.assert(
      fc.property(
        mid,
        inventory,
        gamma,
        sigma,
        tau,
        k,
        (midPrice, q, riskAversion, priceVolatility, timeToHorizon, intensityDecay) => {
          const quote = asFiniteHorizonQuote({
            midPrice,
            inventory: q,
            riskAversion,
            priceVolatility,
            timeToHorizon,
            intensityDecay,
          });
          expect(quote.bidPrice).toBeLessThan(quote.askPrice);
          expect(quote.bidPrice).toBeGreaterThan(0);
        },
      ),
      { seed: 1 },
    );
  });

  it("more long inventory → lower reservation price and lower bid (strictly when γσ²(T−t) > 0)", () => {
    fc.assert(
      fc.property(
        mid,
        inventory,
        inventory,
        gamma,
        sigma,
        tau,
        k,
        (midPrice, a, b, riskAversion, priceVolatility, timeToHorizon, intensityDecay) => {
          const shared = { midPrice, riskAversion, priceVolatility, timeToHorizon, intensityDecay };
          const lo = asFiniteHorizonQuote({ ...shared, inventory: Math.min(a, b) });
          const hi = asFiniteHorizonQuote({ ...shared, inventory: Math.max(a, b) });
          expect(hi.reservationPrice).toBeLessThanOrEqual(lo.reservationPrice);
          expect(hi.bidPrice).toBeLessThanOrEqual(lo.bidPrice);
          const shift =
            (Math.max(a, b) - Math.min(a, b)) * riskAversion * priceVolatility ** 2 * timeToHorizon;
          if (shift > 1e-9 * midPrice) {
            expect(hi.reservationPrice).toBeLessThan(lo.reservationPrice);
            expect(hi.bidPrice).toBeLessThan(lo.bidPrice);
          }
        },
      ),
      { seed: 2 },
    );
  });

  it("larger k → narrower spread (always)", () => {
    fc.assert(
      fc.property(gamma, sigma, tau, k, k, (riskAversion, priceVolatility, timeToHorizon, a, b) => {
        fc.pre(Math.abs(a - b) > 1e-6);
        const shared = { riskAversion, priceVolatility, timeToHorizon };
        const wide = asOptimalSpread({ ...shared, intensityDecay: Math.min(a, b) });
        const narrow = asOptimalSpread({ ...shared, intensityDecay: Math.max(a, b) });
        expect(narrow).toBeLessThan(wide);
      }),
      { seed: 3 },
    );
  });

  it("larger γ → wider spread when σ²(T−t) ≥ 1/k² (the inventory term dominates)", () => {
    // d(spread)/dγ = σ²(T−t) − (2/γ²)·[ln(1 + γ/k) − γ/(k + γ)] and the bracket is ≤ γ²/(2k²), so the derivative
    // is > 0 whenever σ²(T−t) > 1/k². The domain: k ∈ [1, 10], T − t = 1, σ ∈ [1, 5].
    fc.assert(
      fc.property(
        gamma,
        gamma,
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        (a, b, priceVolatility, intensityDecay) => {
          fc.pre(Math.abs(a - b) > 1e-6);
          const shared = { priceVolatility, timeToHorizon: 1, intensityDecay };
          const narrow = asOptimalSpread({ ...shared, riskAversion: Math.min(a, b) });
          const wide = asOptimalSpread({ ...shared, riskAversion: Math.max(a, b) });
          expect(wide).toBeGreaterThan(narrow);
        },
      ),
      { seed: 4 },
    );
  });

  it("…but not in general: with σ = 0 a larger γ narrows the spread (the paper's own table is not monotone in γ)", () => {
    // (2/γ)·ln(1 + γ/k) falls with γ: γ = 0.01 → 1.3289085, γ = 0.1 → 1.2907704 (k = 1.5)
    const shared = { priceVolatility: 0, timeToHorizon: 1, intensityDecay: 1.5 };
    expect(asOptimalSpread({ ...shared, riskAversion: 0.1 })).toBeLessThan(
      asOptimalSpread({ ...shared, riskAversion: 0.01 }),
    );
  });

  it("infinite horizon: quotes never cross, and more inventory lowers both reservation prices", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -3.9, max: 3.9, noNaN: true }),
        fc.double({ min: -3.9, max: 3.9, noNaN: true }),
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        k,
        (a, b, riskAversion, priceVolatility, intensityDecay) => {
          const shared = { midPrice: 10_000, riskAversion, priceVolatility, intensityDecay, maxInventory: 4 };
          const lo = asInfiniteHorizonQuote({ ...shared, inventory: Math.min(a, b) });
          const hi = asInfiniteHorizonQuote({ ...shared, inventory: Math.max(a, b) });
          for (const quote of [lo, hi]) expect(quote.bidPrice!).toBeLessThan(quote.askPrice!);
          expect(hi.reservationBidPrice).toBeLessThanOrEqual(lo.reservationBidPrice);
          expect(hi.reservationAskPrice).toBeLessThanOrEqual(lo.reservationAskPrice);
        },
      ),
      { seed: 5 },
    );
  });

  it("any invalid field throws a QuoterInputError naming it", () => {
    const fields = [
      "midPrice",
      "riskAversion",
      "intensityDecay",
      "priceVolatility",
      "timeToHorizon",
      "inventory",
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...fields),
        fc.constantFrom(Number.NaN, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, -1),
        (field, value) => {
          fc.pre(!(field === "inventory" && value === -1));
          const input = {
            midPrice: 100,
            inventory: 1,
            riskAversion: 0.1,
            priceVolatility: 2,
            timeToHorizon: 1,
            intensityDecay: 1.5,
            [field]: value,
          };
          expect(() => asFiniteHorizonQuote(input)).toThrow(QuoterInputError);
          expect(() => asFiniteHorizonQuote(input)).toThrow(new RegExp(`^${field} must be`));
        },
      ),
      { seed: 6 },
    );
  });
});
