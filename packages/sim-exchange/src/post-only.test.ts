import { describe, expect, it } from "vitest";
import { postOnlyCrosses } from "./post-only.ts";

describe("postOnlyCrosses", () => {
  it("a buy crosses at or above the best ask, a sell at or below the best bid", () => {
    expect(postOnlyCrosses("buy", 100.01, 100, 100.01)).toBe(true);
    expect(postOnlyCrosses("buy", 100.02, 100, 100.01)).toBe(true);
    expect(postOnlyCrosses("buy", 100, 100, 100.01)).toBe(false);
    expect(postOnlyCrosses("sell", 100, 100, 100.01)).toBe(true);
    expect(postOnlyCrosses("sell", 99.99, 100, 100.01)).toBe(true);
    expect(postOnlyCrosses("sell", 100.01, 100, 100.01)).toBe(false);
  });

  it("counts a price equal to the opposite best up to float noise as crossing", () => {
    expect(postOnlyCrosses("buy", 0.1 + 0.2, 0.2, 0.3)).toBe(true);
    expect(postOnlyCrosses("sell", 0.3, 0.1 + 0.2, 0.4)).toBe(true);
  });

  it("never crosses an unknown opposite side", () => {
    expect(postOnlyCrosses("buy", 1e9, 100, Number.NaN)).toBe(false);
    expect(postOnlyCrosses("sell", 0, Number.NaN, 100)).toBe(false);
  });
});
