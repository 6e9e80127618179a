import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDecimal } from "./scan.ts";

describe("parseDecimal", () => {
  it("reads a decimal inside a line as Number reads the substring", () => {
    const line = '{"px":"42727.5","sz":"0.02265"}';
    expect(parseDecimal(line, 7, 14)).toBe(42727.5);
    expect(parseDecimal(line, 22, 29)).toBe(0.02265);
    for (const text of [
      "",
      "-",
      ".",
      "5.",
      ".5",
      "-0",
      "007",
      "1e5",
      " 1",
      "0.30000000000000004",
      "abc",
      "1.2.3",
    ]) {
      expect(Object.is(parseDecimal(`x${text}y`, 1, 1 + text.length), Number(text))).toBe(true);
    }
  });

  it("gives exactly Number(text) for any decimal text (property, seeded)", () => {
    const seed = 20251206;
    const decimal = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^[0-9]{0,20}$/),
        fc.option(fc.stringMatching(/^[0-9]{0,20}$/), { nil: undefined }),
      )
      .map(
        ([negative, whole, fraction]) =>
          `${negative ? "-" : ""}${whole}${fraction === undefined ? "" : `.${fraction}`}`,
      );
    try {
      fc.assert(
        fc.property(decimal, (text) => {
          expect(Object.is(parseDecimal(`,${text},`, 1, 1 + text.length), Number(text))).toBe(true);
        }),
        { seed, numRuns: 5_000 },
      );
    } catch (error) {
      throw new Error(`parseDecimal property failed (seed ${seed}): ${(error as Error).message}`);
    }
  });
});
