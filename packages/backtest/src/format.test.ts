import { describe, expect, it } from "vitest";
import { dailyRatio, ordinal } from "./format.ts";

describe("ordinal", () => {
  it.each([
    [1, "1st"],
    [2, "2nd"],
    [3, "3rd"],
    [4, "4th"],
    [10, "10th"],
    [11, "11th"],
    [12, "12th"],
    [13, "13th"],
    [21, "21st"],
    [22, "22nd"],
    [23, "23rd"],
    [101, "101st"],
    [111, "111th"],
    [112, "112th"],
    [1002, "1002nd"],
  ])("%i → %s", (n, expected) => {
    expect(ordinal(n)).toBe(expected);
  });
});

describe("dailyRatio", () => {
  it("prints the value, or n/a with the day count when it was withheld for too few days", () => {
    expect(dailyRatio(1.234, null)).toBe("1.23");
    expect(dailyRatio(null, null)).toBe("n/a");
    expect(dailyRatio(null, 1)).toBe("n/a (1 day)");
    expect(dailyRatio(null, 2)).toBe("n/a (2 days)");
  });
});
