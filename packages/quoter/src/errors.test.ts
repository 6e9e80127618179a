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
});
