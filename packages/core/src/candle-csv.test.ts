import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCandleCsv, parseCandleCsvRows } from "./candle-csv.ts";
import { CandleDataError, validateCandles } from "./candle-validation.ts";
import type { Candle } from "./types.ts";

const T0 = 1716163200000; // 2024-05-20 00:00 UTC
const MINUTE = 60_000;

const BINANCE_HEADER =
  "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore";

/** A Binance data.binance.vision kline row (12 columns). */
function binanceRow(
  index: number,
  prices = ["100.10", "101.00", "99.50", "100.50"],
  volume = "12.5",
): string {
  const openTime = T0 + index * MINUTE;
  return [openTime, ...prices, volume, openTime + MINUTE - 1, "1256.3", 42, "6.1", "613.2", "0"].join(",");
}

function errorOf(run: () => unknown): CandleDataError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CandleDataError);
    return error as CandleDataError;
  }
  throw new Error("expected a CandleDataError");
}

const FIRST: Candle = { openTime: T0, open: 100.1, high: 101, low: 99.5, close: 100.5, volume: 12.5 };

describe("parseCandleCsv: layouts", () => {
  it("reads Binance's 12-column klines without a header", () => {
    const text = `${binanceRow(0)}\n${binanceRow(1)}\n${binanceRow(2)}\n`;
    const parsed = parseCandleCsvRows(text);
    expect(parsed.layout).toBe("binance-12");
    expect(parsed.candles).toHaveLength(3);
    expect(parsed.candles[0]).toEqual(FIRST);
    expect(parsed.candles[2]!.openTime).toBe(T0 + 2 * MINUTE);
    expect(parsed.rowNumbers).toEqual([1, 2, 3]);
  });

  it("reads Binance's 12-column klines with their header", () => {
    const text = `${BINANCE_HEADER}\r\n${binanceRow(0)}\r\n${binanceRow(1)}\r\n`;
    const parsed = parseCandleCsvRows(text);
    expect(parsed.layout).toBe("header");
    expect(parsed.candles[0]).toEqual(FIRST);
    expect(parsed.rowNumbers).toEqual([2, 3]);
  });

  it("reads a headered OHLCV file (the open_time layout of recorded data)", () => {
    const text = "open_time,open,high,low,close,volume\n1716163200000,100.1,101,99.5,100.5,12.5\n";
    expect(parseCandleCsv(text)).toEqual([FIRST]);
  });

  it("takes column order from the header, accepts `timestamp`, ignores extra columns", () => {
    const text = [
      "symbol,close,volume,timestamp,low,high,open,trades",
      "BTC,100.5,12.5,1716163200000,99.5,101,100.1,7",
      "BTC,100.7,3,1716163260000,100.2,100.9,100.5,2",
    ].join("\n");
    const candles = parseCandleCsv(text);
    expect(candles[0]).toEqual(FIRST);
    expect(candles[1]).toEqual({
      openTime: T0 + MINUTE,
      open: 100.5,
      high: 100.9,
      low: 100.2,
      close: 100.7,
      volume: 3,
    });
  });

  it("reads a headerless 6-column file in ccxt's OHLCV order", () => {
    const parsed = parseCandleCsvRows("1716163200000,100.1,101,99.5,100.5,12.5\n");
    expect(parsed.layout).toBe("ohlcv-6");
    expect(parsed.candles).toEqual([FIRST]);
  });

  it("skips a BOM, blank lines and # comments, and unquotes fields; rows are file lines", () => {
    const text = [
      "\ufeff# exported by a tool",
      '"open_time","open","high","low","close","volume"',
      "",
      '"1716163200000","100.1","101","99.5","100.5","12.5"',
      "# a comment",
      "1716163260000,100.5,100.9,100.2,100.7,3",
      "",
    ].join("\n");
    const parsed = parseCandleCsvRows(text);
    expect(parsed.candles[0]).toEqual(FIRST);
    expect(parsed.rowNumbers).toEqual([4, 6]);
  });

  it("returns no candles for a header-only or empty text", () => {
    expect(parseCandleCsv("open_time,open,high,low,close,volume\n")).toEqual([]);
    expect(parseCandleCsv("")).toEqual([]);
  });

  it("accepts seconds and microseconds where the magnitude is unambiguous", () => {
    const text = [
      "timestamp,open,high,low,close,volume",
      "1716163200,100.1,101,99.5,100.5,12.5", // seconds
      "1716163260000,100.5,100.9,100.2,100.7,3", // milliseconds
      "1716163320000000,100.7,100.9,100.2,100.7,3", // microseconds (Binance spot files since 2025)
    ].join("\n");
    expect(parseCandleCsv(text).map((candle) => candle.openTime)).toEqual([T0, T0 + MINUTE, T0 + 2 * MINUTE]);
  });

  it("round-trips any valid series written in the recorded layout (property)", () => {
    const arbitraryBar = fc
      .record({
        low: fc.double({ min: 0.0001, max: 1e6, noNaN: true }),
        span: fc.double({ min: 0, max: 1e3, noNaN: true }),
        openAt: fc.double({ min: 0, max: 1, noNaN: true }),
        closeAt: fc.double({ min: 0, max: 1, noNaN: true }),
        volume: fc.double({ min: 0, max: 1e9, noNaN: true }),
      })
      .map(({ low, span, openAt, closeAt, volume }) => {
        const high = low + span;
        const inside = (at: number) => Math.min(high, Math.max(low, low + at * span));
        return { open: inside(openAt), high, low, close: inside(closeAt), volume };
      });
    fc.assert(
      fc.property(fc.array(arbitraryBar, { maxLength: 30 }), (bars) => {
        const candles = bars.map((bar, index) => ({ openTime: T0 + index * MINUTE, ...bar }));
        const text = [
          "open_time,open,high,low,close,volume",
          ...candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume].join(",")),
        ].join("\n");
        expect(parseCandleCsv(text)).toEqual(candles);
      }),
      { seed: 1 },
    );
  });
});

describe("parseCandleCsv: errors name the file line", () => {
  const header = "open_time,open,high,low,close,volume";
  /** Line 1 header, lines 2..16 good rows, line 17 the given row. */
  function withBadLine17(badRow: string): string {
    const good = Array.from({ length: 15 }, (_, index) => `${T0 + (index - 15) * MINUTE},100,101,99,100,1`);
    return [header, ...good, badRow, `${T0 + MINUTE},100,101,99,100,1`].join("\n");
  }

  const cases: Array<[string, string, string, string]> = [
    ["high < low", `${T0},101,100.5,101,101,1`, "HIGH_BELOW_LOW", "high 100.5 < low 101"],
    [
      "open outside",
      `${T0},102,101,99,100,1`,
      "OPEN_OUTSIDE_RANGE",
      "open 102 is outside [low 99, high 101]",
    ],
    [
      "close outside",
      `${T0},100,101,99,98,1`,
      "CLOSE_OUTSIDE_RANGE",
      "close 98 is outside [low 99, high 101]",
    ],
    ["zero price", `${T0},0,101,0,100,1`, "NON_POSITIVE_PRICE", "open 0 must be > 0"],
    ["negative price", `${T0},100,101,-99,100,1`, "NON_POSITIVE_PRICE", "low -99 must be > 0"],
    ["non-numeric price", `${T0},100,abc,99,100,1`, "NOT_A_NUMBER", 'high "abc" is not a number'],
    ["empty price", `${T0},100,101,,100,1`, "NOT_A_NUMBER", 'low "" is not a number'],
    ["hex price", `${T0},100,0x65,99,100,1`, "NOT_A_NUMBER", 'high "0x65" is not a number'],
    ["negative volume", `${T0},100,101,99,100,-2`, "NEGATIVE_VOLUME", "volume -2 must be ≥ 0"],
    ["non-numeric volume", `${T0},100,101,99,100,NaN`, "NOT_A_NUMBER", 'volume "NaN" is not a number'],
  ];
  for (const [name, row, code, what] of cases) {
    it(name, () => {
      const error = errorOf(() => parseCandleCsv(withBadLine17(row), { sourceName: "btc.csv" }));
      expect(error.code).toBe(code);
      expect(error.row).toBe(17);
      expect(error.message).toBe(`btc.csv: row 17 (open_time ${T0}): ${what}`);
    });
  }

  it("non-numeric open time", () => {
    const error = errorOf(() =>
      parseCandleCsv(withBadLine17("2024-05-20,100,101,99,100,1"), { sourceName: "a" }),
    );
    expect(error.code).toBe("NOT_A_NUMBER");
    expect(error.message).toBe(
      'a: row 17: open_time "2024-05-20" is not a number (expected ms since the epoch)',
    );
  });

  it("open time in no unambiguous unit", () => {
    for (const value of ["5", "500000000000", "123456789012345", "1e18"]) {
      const error = errorOf(() => parseCandleCsv(withBadLine17(`${value},100,101,99,100,1`)));
      expect(error.code).toBe("BAD_TIMESTAMP");
      expect(error.row).toBe(17);
      expect(error.message).toContain(`row 17: open_time ${value} is not a Unix time after 2001-09-09`);
    }
  });

  it("open time that is not a whole millisecond", () => {
    const error = errorOf(() => parseCandleCsv(withBadLine17(`${T0}.5,100,101,99,100,1`)));
    expect(error.code).toBe("BAD_TIMESTAMP");
    expect(error.message).toBe(`row 17: open_time ${T0}.5 is not a whole number of milliseconds`);
  });

  it("unordered rows", () => {
    const error = errorOf(() => parseCandleCsv(withBadLine17(`${T0 - 20 * MINUTE},100,101,99,100,1`)));
    expect(error.code).toBe("UNORDERED");
    expect(error.row).toBe(17);
    expect(error.message).toBe(
      `row 17 (open_time ${T0 - 20 * MINUTE}): open_time is before row 16's ${T0 - MINUTE}; ` +
        "rows must be in ascending time order",
    );
  });

  it("duplicate rows", () => {
    const error = errorOf(() => parseCandleCsv(withBadLine17(`${T0 - MINUTE},100,101,99,100,1`)));
    expect(error.code).toBe("DUPLICATE");
    expect(error.message).toBe(`row 17 (open_time ${T0 - MINUTE}): duplicate open_time, same as row 16`);
  });

  it("a short row", () => {
    const error = errorOf(() => parseCandleCsv(withBadLine17(`${T0},100,101,99`)));
    expect(error.code).toBe("BAD_COLUMNS");
    expect(error.message).toBe("row 17: expected at least 6 columns, got 4");
  });

  it("a header without a required column, or naming one twice", () => {
    const missing = errorOf(() => parseCandleCsv("open_time,open,high,low,close\n", { sourceName: "f" }));
    expect(missing.code).toBe("BAD_HEADER");
    expect(missing.row).toBe(1);
    expect(missing.message).toBe(
      "f: row 1: the header has no volume column (accepted names: volume, v, vol); found: open_time, open, high, low, close",
    );
    const twice = errorOf(() => parseCandleCsv("timestamp,open_time,open,high,low,close,volume\n"));
    expect(twice.message).toContain("the header names open_time 2 times (timestamp, open_time)");
  });

  it("a headerless file with an unknown column count", () => {
    const error = errorOf(() => parseCandleCsv(`\n${T0},100,101,99,100,1,7\n`));
    expect(error.code).toBe("BAD_COLUMNS");
    expect(error.row).toBe(2);
    expect(error.message).toContain("a CSV without a header must have 12 columns (Binance kline) or 6");
  });

  it("gaps are named by file line through validateCandles(rowNumbers)", () => {
    const text = [header, `${T0},100,101,99,100,1`, `${T0 + 10 * MINUTE},100,101,99,100,1`].join("\n");
    const { candles, rowNumbers } = parseCandleCsvRows(text);
    const error = errorOf(() =>
      validateCandles(candles, { intervalMs: MINUTE, rowNumbers, sourceName: "g.csv" }),
    );
    expect(error.code).toBe("TOO_MANY_GAPS");
    expect(error.row).toBe(3);
  });
});

describe("parseCandleCsv: plain rows read in place", () => {
  // Each field written the ways files write numbers (and a few ways they break); a row's candle stays valid
  // unless a field does not parse.
  const formats: ((value: number) => string)[] = [
    (value) => String(value),
    (value) => value.toFixed(2),
    (value) => value.toFixed(8),
    (value) => value.toExponential(6),
    (value) => value.toExponential(3).toUpperCase(),
    (value) => value.toPrecision(17),
    (value) => `+${value}`,
    (value) => `000${value.toFixed(4)}`,
    (value) => `${Math.trunc(value)}.`,
    (value) => (value < 1 ? `.${value.toFixed(6).slice(2)}` : String(value)),
    () => "1.2.3",
    () => "1e",
    () => "",
  ];
  const fieldArbitrary = fc.record({
    format: fc.nat({ max: formats.length - 1 }),
    scale: fc.double({ min: 0.999, max: 1.001, noNaN: true }),
  });
  const rowArbitrary = fc.record({
    price: fc.oneof(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.constantFrom(0.1, 100.1, 99_999.99)),
    fields: fc.array(fieldArbitrary, { minLength: 5, maxLength: 5 }),
    time: fc.constantFrom("ms", "ms", "ms", "ms.0", "s", "us"),
  });

  function row(
    index: number,
    spec: { price: number; fields: { format: number; scale: number }[]; time: string },
  ) {
    const openTime = T0 + index * MINUTE;
    const time = {
      ms: String(openTime),
      "ms.0": `${openTime}.0`,
      s: String(openTime / 1000),
      us: `${openTime}000`,
    }[spec.time]!;
    const [open, high, low, close, volume] = spec.fields.map((field, k) => {
      const value =
        [spec.price, spec.price * 1.01, spec.price * 0.99, spec.price, spec.price * 3][k]! * field.scale;
      return formats[field.format]!(value);
    });
    return [time, open, high, low, close, volume];
  }

  const outcome = (text: string): unknown => {
    try {
      return parseCandleCsvRows(text, { sourceName: "f.csv" });
    } catch (error) {
      return `${(error as CandleDataError).code}: ${(error as Error).message}`;
    }
  };

  it("gives what the general reading gives (every field padded so none is read in place), values or error (seeded)", () => {
    fc.assert(
      fc.property(fc.array(rowArbitrary, { minLength: 1, maxLength: 12 }), fc.boolean(), (rows, header) => {
        const cells = rows.map((spec, i) => row(i, spec));
        const top = header ? ["open_time,open,high,low,close,volume"] : [];
        const plain = [...top, ...cells.map((fields) => fields.join(","))].join("\n");
        const padded = [...top, ...cells.map((fields) => fields.map((field) => ` ${field} `).join(","))].join(
          "\n",
        );
        expect(outcome(plain)).toEqual(outcome(padded));
      }),
      { seed: 20_261_206, numRuns: 1_500 },
    );
  });

  it("reads each value as Number does, also where a decimal's digits or exponent are long", () => {
    const values = [
      "0.30000000000000004",
      "123456789012345678",
      "1.5e-30",
      "9007199254740993",
      "1e22",
      "1e23",
    ];
    const text = values
      .map((value, i) => `${T0 + i * MINUTE},${value},${value},${value},${value},1`)
      .join("\n");
    const candles = parseCandleCsv(text);
    expect(candles.map((candle) => candle.open)).toEqual(values.map(Number));
    expect(candles.map((candle) => candle.high)).toEqual(values.map(Number));
  });
});
