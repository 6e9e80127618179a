import { describe, expect, it } from "vitest";
import {
  assertFinite,
  assertNonNegative,
  assertPeriod,
  assertPositive,
  rejectRange,
  SignalsInputError,
} from "./errors.ts";

describe("SignalsInputError", () => {
  it("is an Error with a code, the field, what was expected and what was received", () => {
    const error = new SignalsInputError("NOT_POSITIVE", "price", "a finite number > 0", -3);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("SignalsInputError");
    expect(error.code).toBe("NOT_POSITIVE");
    expect(error.field).toBe("price");
    expect(error.expected).toBe("a finite number > 0");
    expect(error.received).toBe(-3);
    expect(error.message).toBe("price: expected a finite number > 0, got -3");
  });

  it("describes what it received", () => {
    const message = (value: unknown) => new SignalsInputError("NOT_FINITE", "x", "a number", value).message;
    expect(message(-0)).toBe("x: expected a number, got -0");
    expect(message("7")).toBe('x: expected a number, got the string "7"');
    expect(message(null)).toBe("x: expected a number, got null");
    expect(message(undefined)).toBe("x: expected a number, got undefined");
    expect(message({})).toBe("x: expected a number, got a value of type object");
  });

  it("assertions pick the right code", () => {
    const codeOf = (f: () => void) => {
      try {
        f();
      } catch (error) {
        return (error as SignalsInputError).code;
      }
      return "none";
    };
    expect(codeOf(() => assertFinite(1, "x"))).toBe("none");
    expect(codeOf(() => assertFinite("1" as unknown as number, "x"))).toBe("NOT_FINITE");
    expect(codeOf(() => assertPositive(Number.NaN, "x"))).toBe("NOT_FINITE");
    expect(codeOf(() => assertPositive(0, "x"))).toBe("NOT_POSITIVE");
    expect(codeOf(() => assertNonNegative(0, "x"))).toBe("none");
    expect(codeOf(() => assertNonNegative(Number.POSITIVE_INFINITY, "x"))).toBe("NOT_FINITE");
    expect(codeOf(() => assertNonNegative(-1e-300, "x"))).toBe("NEGATIVE");
    expect(codeOf(() => assertPeriod(3, "x"))).toBe("none");
    expect(codeOf(() => assertPeriod(0, "x"))).toBe("NOT_POSITIVE");
    expect(codeOf(() => assertPeriod(1.5, "x"))).toBe("NOT_INTEGER");
    expect(codeOf(() => assertPeriod(Number.NaN, "x"))).toBe("NOT_FINITE");
    expect(codeOf(() => rejectRange(2, "x", -1, 1))).toBe("OUT_OF_RANGE");
    expect(codeOf(() => rejectRange(Number.NaN, "x", -1, 1))).toBe("NOT_FINITE");
  });
});
