import { describe, expect, it } from "vitest";
import {
  checkFinite,
  checkInteger,
  checkNonNegative,
  checkPositive,
  infeasible,
  invalidInput,
  QuoterInputError,
  unusableQuote,
  unusableSkewedQuote,
} from "./errors.ts";

describe("QuoterInputError", () => {
  it("is an Error with a code, a field and a message naming both", () => {
    const error = invalidInput("riskAversion", "a finite number > 0", -1);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(QuoterInputError);
    expect(error.name).toBe("QuoterInputError");
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.field).toBe("riskAversion");
    expect(error.message).toBe("riskAversion must be a finite number > 0, got -1");
  });

  it("quotes strings so a '5' passed from untyped JS is visible", () => {
    expect(invalidInput("midPrice", "a finite number > 0", "5").message).toBe(
      'midPrice must be a finite number > 0, got "5"',
    );
  });

  it("INFEASIBLE errors carry their own code", () => {
    const error = infeasible("omega", "must be larger");
    expect(error.code).toBe("INFEASIBLE");
    expect(error.message).toBe("omega must be larger");
  });
});

describe("checks", () => {
  it("checkPositive rejects 0, negatives, NaN, ±Infinity and non-numbers", () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, "5"]) {
      expect(() => checkPositive(bad as number, "x")).toThrow(QuoterInputError);
    }
    expect(() => checkPositive(1e-300, "x")).not.toThrow();
  });

  it("checkNonNegative accepts 0, rejects negatives and non-finite", () => {
    expect(() => checkNonNegative(0, "x")).not.toThrow();
    expect(() => checkNonNegative(-1e-12, "x")).toThrow("x must be a finite number >= 0, got -1e-12");
    expect(() => checkNonNegative(Number.NaN, "x")).toThrow(QuoterInputError);
  });

  it("checkFinite accepts any finite sign", () => {
    expect(() => checkFinite(-5, "x")).not.toThrow();
    expect(() => checkFinite(Number.POSITIVE_INFINITY, "x")).toThrow(
      "x must be a finite number, got Infinity",
    );
  });

  it("checkInteger enforces integer and minimum", () => {
    expect(() => checkInteger(3, "n", 1)).not.toThrow();
    expect(() => checkInteger(1.5, "n", 1)).toThrow("n must be an integer >= 1, got 1.5");
    expect(() => checkInteger(0, "n", 1)).toThrow(QuoterInputError);
  });

  it("unusableQuote is INFEASIBLE and shows both prices", () => {
    const error = unusableQuote(101, 99);
    expect(error.code).toBe("INFEASIBLE");
    expect(error.field).toBe("quote");
    expect(error.message).toMatch(
      /^quote must satisfy 0 < bidPrice < askPrice < Infinity, got bid 101 and ask 99/,
    );
  });

  it("unusableSkewedQuote names inventory only when a long skew is what pushed the bid to ≤ 0", () => {
    // s = 100, half = 1, skew = 2 per unit: the bid reaches 0 at q* = (100 − 1)/2 = 49.5; at q = 50 it is −1.
    const error = unusableSkewedQuote(100, 1, 2, 50, -1, 1);
    expect(error.code).toBe("INFEASIBLE");
    expect(error.field).toBe("inventory");
    expect(error.message).toMatch(
      /^inventory must be below 49\.5 \(where the bid reaches 0 at midPrice 100\), got 50/,
    );
    // The half spread alone reaches the mid, a short inventory, or a crossed or infinite quote: the generic error.
    expect(unusableSkewedQuote(1, 2, 2, 1, -3, 1).field).toBe("quote");
    expect(unusableSkewedQuote(100, 1, 2, -50, -1, 1).field).toBe("quote");
    expect(unusableSkewedQuote(100, 1, 2, 50, -1, Number.POSITIVE_INFINITY).field).toBe("quote");
    expect(unusableSkewedQuote(100, 1, 0, 50, 99, 99).field).toBe("quote");
  });
});
