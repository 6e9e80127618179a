import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CandleDataError, validateCandles } from "./candle-validation.ts";
import { BotmmError } from "./errors.ts";
import type { Candle } from "./types.ts";

const T0 = 1716163200000; // 2024-05-20 00:00 UTC
const MINUTE = 60_000;

function bar(index: number, overrides: Partial<Candle> = {}): Candle {
  return {
    openTime: T0 + index * MINUTE,
    open: 100,
    high: 101,
    low: 99,
    close: 100.5,
    volume: 3,
    ...overrides,
  };
}

function series(count: number): Candle[] {
  return Array.from({ length: count }, (_, index) => bar(index));
}

function errorOf(run: () => unknown): CandleDataError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CandleDataError);
    expect(error).toBeInstanceOf(BotmmError);
    return error as CandleDataError;
  }
  throw new Error("expected a CandleDataError");
}

describe("validateCandles", () => {
  it("accepts a clean series and reports no gaps", () => {
    const candles = series(10);
    const report = validateCandles(candles, { intervalMs: MINUTE });
    expect(report).toEqual({
      candles,
      gaps: [],
      gapCount: 0,
      missingBars: 0,
      expectedBars: 10,
      missingFraction: 0,
    });
    expect(report.candles).toBe(candles);
  });

  it("accepts an empty series", () => {
    expect(validateCandles([], { intervalMs: MINUTE }).expectedBars).toBe(0);
  });

  const rowCases: Array<[string, Partial<Candle>, string, string]> = [
    [
      "high < low",
      { high: 100.5, low: 101, open: 101, close: 101 },
      "HIGH_BELOW_LOW",
      "high 100.5 < low 101",
    ],
    ["open above high", { open: 102 }, "OPEN_OUTSIDE_RANGE", "open 102 is outside [low 99, high 101]"],
    ["open below low", { open: 98 }, "OPEN_OUTSIDE_RANGE", "open 98 is outside [low 99, high 101]"],
    ["close outside", { close: 101.5 }, "CLOSE_OUTSIDE_RANGE", "close 101.5 is outside [low 99, high 101]"],
    ["zero price", { low: 0 }, "NON_POSITIVE_PRICE", "low 0 must be > 0"],
    ["negative price", { open: -1 }, "NON_POSITIVE_PRICE", "open -1 must be > 0"],
    ["NaN price", { close: Number.NaN }, "NOT_A_NUMBER", "close NaN is not a finite number"],
    [
      "infinite price",
      { high: Number.POSITIVE_INFINITY },
      "NOT_A_NUMBER",
      "high Infinity is not a finite number",
    ],
    ["negative volume", { volume: -0.5 }, "NEGATIVE_VOLUME", "volume -0.5 must be ≥ 0"],
    ["NaN volume", { volume: Number.NaN }, "NOT_A_NUMBER", "volume NaN is not a finite number"],
  ];
  for (const [name, overrides, code, what] of rowCases) {
    it(`names the row for ${name}`, () => {
      const candles = series(20);
      candles[16] = bar(16, overrides);
      const error = errorOf(() => validateCandles(candles, { intervalMs: MINUTE, sourceName: "test" }));
      expect(error.code).toBe(code);
      expect(error.row).toBe(17);
      expect(error.openTime).toBe(T0 + 16 * MINUTE);
      expect(error.message).toBe(`test: row 17 (open_time ${T0 + 16 * MINUTE}): ${what}`);
    });
  }

  it("the brief's example message", () => {
    const candles = [
      bar(0),
      { openTime: T0 + MINUTE, open: 101, high: 100.5, low: 101, close: 101, volume: 1 },
    ];
    const error = errorOf(() => validateCandles(candles, { intervalMs: MINUTE, rowNumbers: [16, 17] }));
    expect(error.message).toBe(`row 17 (open_time ${T0 + MINUTE}): high 100.5 < low 101`);
  });

  it("rejects a non-integer or negative open time", () => {
    const fractional = series(3);
    fractional[1] = bar(1, { openTime: T0 + 0.5 });
    expect(errorOf(() => validateCandles(fractional, { intervalMs: MINUTE })).code).toBe("BAD_TIMESTAMP");
    const negative = [bar(0, { openTime: -MINUTE })];
    const error = errorOf(() => validateCandles(negative, { intervalMs: MINUTE }));
    expect(error.code).toBe("BAD_TIMESTAMP");
    expect(error.row).toBe(1);
  });

  it("rejects unordered rows, naming both rows", () => {
    const candles = series(5);
    [candles[2], candles[3]] = [candles[3]!, candles[2]!];
    const error = errorOf(() => validateCandles(candles, { intervalMs: MINUTE }));
    expect(error.code).toBe("UNORDERED");
    expect(error.row).toBe(4);
    expect(error.message).toBe(
      `row 4 (open_time ${T0 + 2 * MINUTE}): open_time is before row 3's ${T0 + 3 * MINUTE}; ` +
        "rows must be in ascending time order",
    );
  });

  it("rejects duplicate timestamps", () => {
    const candles = series(5);
    candles.splice(3, 0, bar(2, { close: 100 }));
    const error = errorOf(() => validateCandles(candles, { intervalMs: MINUTE }));
    expect(error.code).toBe("DUPLICATE");
    expect(error.row).toBe(4);
    expect(error.message).toBe(`row 4 (open_time ${T0 + 2 * MINUTE}): duplicate open_time, same as row 3`);
  });

  it("rejects a step that is not a whole number of intervals", () => {
    const candles = series(3);
    candles.push(bar(3, { openTime: T0 + 3 * MINUTE + 1000 }));
    const error = errorOf(() => validateCandles(candles, { intervalMs: MINUTE }));
    expect(error.code).toBe("MISALIGNED");
    expect(error.row).toBe(4);
    expect(error.message).toContain("61000 ms after row 3's");
    // 1m data validated as 5m is misaligned too
    expect(errorOf(() => validateCandles(series(3), { intervalMs: 5 * MINUTE })).code).toBe("MISALIGNED");
  });

  it("reports gaps below the threshold", () => {
    const candles = series(1000).filter((candle) => candle.openTime !== T0 + 500 * MINUTE);
    const report = validateCandles(candles, { intervalMs: MINUTE });
    expect(report.gaps).toEqual([{ afterOpenTime: T0 + 499 * MINUTE, missingBars: 1 }]);
    expect(report.gapCount).toBe(1);
    expect(report.missingBars).toBe(1);
    expect(report.expectedBars).toBe(1000);
    expect(report.missingFraction).toBeCloseTo(0.001);
  });

  it("throws TOO_MANY_GAPS above the threshold, naming the largest gap's row", () => {
    const candles = [...series(10), ...series(20).slice(15)]; // bars 10..14 missing
    const error = errorOf(() => validateCandles(candles, { intervalMs: MINUTE, sourceName: "x.csv" }));
    expect(error.code).toBe("TOO_MANY_GAPS");
    expect(error.row).toBe(11);
    expect(error.openTime).toBe(T0 + 15 * MINUTE);
    expect(error.message).toBe(
      "x.csv: 5 of 20 bars missing (25% > maxGapFraction 1%) in 1 gap(s); the largest, 5 bars, ends at row 11 " +
        `(open_time ${T0 + 15 * MINUTE}). Use gaps: "skip" to run on the data with its gaps reported, ` +
        "or raise maxGapFraction.",
    );
  });

  it('gaps: "skip" reports instead of throwing; a raised threshold accepts', () => {
    const candles = [...series(10), ...series(20).slice(15)];
    const skipped = validateCandles(candles, { intervalMs: MINUTE, gaps: "skip" });
    expect(skipped.gaps).toEqual([{ afterOpenTime: T0 + 9 * MINUTE, missingBars: 5 }]);
    expect(skipped.missingFraction).toBe(0.25);
    expect(validateCandles(candles, { intervalMs: MINUTE, maxGapFraction: 0.25 }).missingBars).toBe(5);
  });

  it("rejects bad options", () => {
    expect(errorOf(() => validateCandles([], { intervalMs: 0 })).code).toBe("INVALID_OPTIONS");
    expect(errorOf(() => validateCandles([], { intervalMs: MINUTE, maxGapFraction: 2 })).code).toBe(
      "INVALID_OPTIONS",
    );
    expect(errorOf(() => validateCandles(series(2), { intervalMs: MINUTE, rowNumbers: [1] })).code).toBe(
      "INVALID_OPTIONS",
    );
  });

  it("counts every removed bar as missing (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 198 }), { maxLength: 60 }), (removed) => {
        const drop = new Set(removed);
        const candles = series(200).filter((_, index) => !drop.has(index));
        const report = validateCandles(candles, { intervalMs: MINUTE, gaps: "skip" });
        expect(report.missingBars).toBe(drop.size);
        expect(report.expectedBars).toBe(200);
        expect(report.gaps.reduce((sum, gap) => sum + gap.missingBars, 0)).toBe(drop.size);
      }),
      { seed: 1 },
    );
  });
});
