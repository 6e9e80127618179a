import { CandleDataError, checkCandleOrder, checkCandleValues, rowPrefix } from "./candle-validation.ts";
import type { Candle } from "./types.ts";

/** Options of {@link parseCandleCsv}. */
export interface ParseCandleCsvOptions {
  /** Names the input in error messages, e.g. the file name. */
  sourceName?: string;
}

/** Candles parsed from a CSV with, for each, the file line (1-based) it came from. */
export interface ParsedCandleCsv {
  candles: Candle[];
  /** `rowNumbers[i]` is the file line of `candles[i]`: pass it to `validateCandles` so errors name lines. */
  rowNumbers: number[];
  /** Which layout was recognised. */
  layout: "header" | "binance-12" | "ohlcv-6";
}

/** Header names accepted for each field (compared lower-case, trimmed). */
const COLUMN_ALIASES = {
  openTime: ["open_time", "timestamp", "opentime", "time"],
  open: ["open", "o"],
  high: ["high", "h"],
  low: ["low", "l"],
  close: ["close", "c"],
  volume: ["volume", "v", "vol"],
} as const;

type Field = keyof typeof COLUMN_ALIASES;
type ColumnIndex = Record<Field, number>;
const FIELDS = Object.keys(COLUMN_ALIASES) as Field[];
const FIELD_LABEL: Record<Field, string> = {
  openTime: "open_time",
  open: "open",
  high: "high",
  low: "low",
  close: "close",
  volume: "volume",
};
/** Binance kline order (and ccxt's OHLCV order): open_time, open, high, low, close, volume, … */
const POSITIONAL: ColumnIndex = { openTime: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses candle CSV text (pure: it reads no files). Accepted layouts:
 *
 * - **Binance kline, 12 columns**, with or without a header: `open_time, open, high, low, close, volume,
 *   close_time, quote_volume, trades, taker_buy_base, taker_buy_quote, ignore` (data.binance.vision files).
 * - **Headered OHLCV**: a header naming `open_time` (or `timestamp` / `time`), `open`, `high`, `low`,
 *   `close`, `volume` in any order; other columns are ignored.
 * - **Headerless 6 columns** in ccxt's order `open_time, open, high, low, close, volume`.
 *
 * A header is recognised by a first field that is not a number. Blank lines and lines starting with `#` are
 * skipped; fields may be wrapped in double quotes.
 *
 * Open times: milliseconds since the epoch, UTC. Seconds and microseconds are also accepted, row by row, where
 * the magnitude makes the unit unambiguous: 1e9 ≤ t < 1e11 is seconds, 1e12 ≤ t < 1e14 is milliseconds,
 * 1e15 ≤ t < 1e17 is microseconds (each band is 2001-09-09 … 5138 in its unit; Binance's spot files use µs
 * since 2025). Anything else (before 2001 in every unit, or between bands) is rejected as `BAD_TIMESTAMP`
 * rather than guessed; so is a value that is not a whole number of ms after conversion.
 *
 * Every row is checked as `validateCandles` checks it (prices > 0, low ≤ open, close ≤ high, volume ≥ 0,
 * strictly increasing times); gaps need the interval, so run `validateCandles` next with `rowNumbers`.
 * Errors are {@link CandleDataError}s that name the file line, e.g.
 * `BTCUSDT-1m.csv: row 17 (open_time 1716163200000): high 100.5 < low 101`.
 *
 * @example
 * ```ts
 * const candles = parseCandleCsv("open_time,open,high,low,close,volume\n1716163200000,100,101,99,100.5,12\n", {
 *   sourceName: "btc.csv",
 * });
 * // [{ openTime: 1716163200000, open: 100, high: 101, low: 99, close: 100.5, volume: 12 }]
 * ```
 */
export function parseCandleCsv(text: string, options: ParseCandleCsvOptions = {}): Candle[] {
  return parseCandleCsvRows(text, options).candles;
}

/**
 * {@link parseCandleCsv}, also returning each candle's file line and the layout found, so later checks
 * (`validateCandles` with `rowNumbers`) can name lines too.
 *
 * @example
 * ```ts
 * const { candles, rowNumbers } = parseCandleCsvRows(text, { sourceName: "btc.csv" });
 * const report = validateCandles(candles, { intervalMs: 60_000, rowNumbers, sourceName: "btc.csv" });
 * ```
 */
export function parseCandleCsvRows(text: string, options: ParseCandleCsvOptions = {}): ParsedCandleCsv {
  const { sourceName } = options;
  const source = sourceName ? `${sourceName}: ` : "";
  const candles: Candle[] = [];
  const rowNumbers: number[] = [];
  let columns: ColumnIndex | null = null;
  let layout: ParsedCandleCsv["layout"] = "header";
  let needed = 0;

  // Line by line without splitting the text: a line becomes a string only when it is not a plain row.
  let lineIndex = -1;
  for (let lineStart = 0, lineEnd = -1; lineEnd < text.length; lineStart = lineEnd + 1) {
    lineIndex++;
    lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const row = lineIndex + 1;
    // Most rows are plain numbers: read in place, with no string per field. Anything else (quotes, spaces, a
    // comment, an error to report) goes the general way below, which reads it the same or names the problem.
    if (columns !== null) {
      const end = lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
      const candle = fastRow(text, lineStart, end, columns, needed);
      if (candle !== null) {
        checkCandleValues(candle, row, sourceName);
        candles.push(candle);
        rowNumbers.push(row);
        continue;
      }
    }
    let line = text.slice(lineStart, lineEnd);
    if (lineIndex === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    // Fields are unquoted where read: a row has more columns than it uses.
    const fields = line.split(",");

    if (columns === null) {
      if (isHeader(unquote(fields[0]!))) {
        const header = readHeader(fields.map(unquote), row, source);
        columns = header;
        layout = "header";
        needed = Math.max(...FIELDS.map((field) => header[field])) + 1;
        continue;
      }
      if (fields.length !== 12 && fields.length !== 6) {
        throw new CandleDataError(
          "BAD_COLUMNS",
          `${source}row ${row}: a CSV without a header must have 12 columns (Binance kline) or 6 ` +
            `(open_time, open, high, low, close, volume), got ${fields.length}; add a header line naming the columns`,
          { row },
        );
      }
      columns = POSITIONAL;
      layout = fields.length === 12 ? "binance-12" : "ohlcv-6";
      needed = 6;
    }

    if (fields.length < needed) {
      throw new CandleDataError(
        "BAD_COLUMNS",
        `${source}row ${row}: expected at least ${needed} columns, got ${fields.length}`,
        { row },
      );
    }
    const index = columns;
    const openTime = parseOpenTime(unquote(fields[index.openTime]!), row, sourceName);
    const candle: Candle = {
      openTime,
      open: parseNumber(fields, index, "open", row, openTime, sourceName),
      high: parseNumber(fields, index, "high", row, openTime, sourceName),
      low: parseNumber(fields, index, "low", row, openTime, sourceName),
      close: parseNumber(fields, index, "close", row, openTime, sourceName),
      volume: parseNumber(fields, index, "volume", row, openTime, sourceName),
    };
    checkCandleValues(candle, row, sourceName);
    candles.push(candle);
    rowNumbers.push(row);
  }
  checkCandleOrder(candles, (index) => rowNumbers[index]!, sourceName);
  return { candles, rowNumbers, layout };
}

/** The number in column `field` of a row, or a `NOT_A_NUMBER` error naming the row. */
function parseNumber(
  fields: readonly string[],
  index: ColumnIndex,
  field: Exclude<Field, "openTime">,
  row: number,
  openTime: number,
  sourceName: string | undefined,
): number {
  const raw = unquote(fields[index[field]]!);
  if (!DECIMAL.test(raw)) {
    throw new CandleDataError(
      "NOT_A_NUMBER",
      `${rowPrefix(sourceName, row, openTime)}${FIELD_LABEL[field]} ${JSON.stringify(raw)} is not a number`,
      { row, openTime },
    );
  }
  return Number(raw);
}

/** Exact powers of ten as doubles (10²² is the largest one a double holds exactly). */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/** A decimal's significant digits are read as an integer only while it stays below 2⁵³ (so, exactly). */
const EXACT_INTEGER_LIMIT = 2 ** 53;
/** Field starts and ends of the row being read in place (one row at a time; the parser is synchronous). */
const fieldStarts: number[] = [];
const fieldEnds: number[] = [];

/**
 * The candle of the row `text[lineStart, lineEnd)` when its fields in use are plain decimals (as {@link DECIMAL}
 * reads them, no quotes or spaces), read without making a string per field; null when the row needs the
 * general reading (a quoted or padded field, too few columns, a value that would be an error, a decimal this
 * fast path does not read exactly). Values equal `Number(field)` exactly: see {@link plainDecimal}.
 */
function fastRow(
  text: string,
  lineStart: number,
  lineEnd: number,
  index: ColumnIndex,
  needed: number,
): Candle | null {
  let count = 0;
  let start = lineStart;
  for (let i = lineStart; i <= lineEnd && count < needed; i++) {
    if (i === lineEnd || text.charCodeAt(i) === 44) {
      fieldStarts[count] = start;
      fieldEnds[count] = i;
      count++;
      start = i + 1;
    }
  }
  if (count < needed) return null;
  const time = plainDecimal(text, fieldStarts[index.openTime]!, fieldEnds[index.openTime]!);
  // The general reading converts seconds and µs and reports odd times; here only whole ms in the ms band.
  if (!(time >= MILLISECOND_BAND[0] && time < MILLISECOND_BAND[1]) || !Number.isInteger(time)) return null;
  const open = plainDecimal(text, fieldStarts[index.open]!, fieldEnds[index.open]!);
  const high = plainDecimal(text, fieldStarts[index.high]!, fieldEnds[index.high]!);
  const low = plainDecimal(text, fieldStarts[index.low]!, fieldEnds[index.low]!);
  const close = plainDecimal(text, fieldStarts[index.close]!, fieldEnds[index.close]!);
  const volume = plainDecimal(text, fieldStarts[index.volume]!, fieldEnds[index.volume]!);
  if (Number.isNaN(open + high + low + close + volume)) return null;
  return { openTime: time, open, high, low, close, volume };
}

/**
 * `Number(text.slice(start, end))` for a plain decimal (`[+-]digits[.digits][e[+-]digits]`, as {@link DECIMAL}
 * accepts) of at most 15 significant digits whose power of ten is within ±22 — or NaN, meaning "read it the
 * general way". Exact: the digits form an integer below 2⁵³ and 10^k is an exact double, so one multiplication
 * or division rounds once, to the same double as `Number` (Clinger's fast path).
 */
function plainDecimal(text: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  let code = text.charCodeAt(i);
  if (code === 43 || code === 45) {
    negative = code === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let significant = 0;
  let fractionDigits = 0;
  let seenPoint = false;
  for (; i < end; i++) {
    code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      digits++;
      if (seenPoint) fractionDigits++;
      if (mantissa === 0 && code === 48) continue; // leading zeros are not significant
      if (++significant > 15) return Number.NaN;
      mantissa = mantissa * 10 + (code - 48);
    } else if (code === 46 && !seenPoint) seenPoint = true;
    else break;
  }
  if (digits === 0) return Number.NaN;
  let exponent = 0;
  if (i < end) {
    if (code !== 101 && code !== 69) return Number.NaN;
    i++;
    let exponentNegative = false;
    code = text.charCodeAt(i);
    if (code === 43 || code === 45) {
      exponentNegative = code === 45;
      i++;
    }
    const exponentStart = i;
    for (; i < end; i++) {
      code = text.charCodeAt(i);
      if (!(code >= 48 && code <= 57)) return Number.NaN;
      exponent = exponent * 10 + (code - 48);
      if (exponent > 1_000) return Number.NaN;
    }
    if (i === exponentStart) return Number.NaN;
    if (exponentNegative) exponent = -exponent;
  }
  if (mantissa >= EXACT_INTEGER_LIMIT) return Number.NaN;
  const power = exponent - fractionDigits;
  let value: number;
  if (mantissa === 0) value = 0;
  else if (power >= 0 && power <= 22) value = mantissa * POWERS_OF_TEN[power]!;
  else if (power < 0 && power >= -22) value = mantissa / POWERS_OF_TEN[-power]!;
  else return Number.NaN;
  return negative ? -value : value;
}

function unquote(field: string): string {
  const trimmed = field.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    return trimmed.slice(1, -1).trim();
  }
  return trimmed;
}

function isHeader(firstField: string): boolean {
  return !DECIMAL.test(firstField);
}

function readHeader(fields: string[], row: number, source: string): ColumnIndex {
  const names = fields.map((field) => field.toLowerCase());
  const columns = {} as ColumnIndex;
  for (const field of FIELDS) {
    const aliases: readonly string[] = COLUMN_ALIASES[field];
    const matches = names.flatMap((name, index) => (aliases.includes(name) ? [index] : []));
    if (matches.length === 0) {
      throw new CandleDataError(
        "BAD_HEADER",
        `${source}row ${row}: the header has no ${FIELD_LABEL[field]} column (accepted names: ` +
          `${aliases.join(", ")}); found: ${fields.join(", ")}`,
        { row },
      );
    }
    if (matches.length > 1) {
      throw new CandleDataError(
        "BAD_HEADER",
        `${source}row ${row}: the header names ${FIELD_LABEL[field]} ${matches.length} times ` +
          `(${matches.map((index) => fields[index]).join(", ")}); keep one`,
        { row },
      );
    }
    columns[field] = matches[0]!;
  }
  return columns;
}

const SECOND_BAND = [1e9, 1e11] as const;
const MILLISECOND_BAND = [1e12, 1e14] as const;
const MICROSECOND_BAND = [1e15, 1e17] as const;

function parseOpenTime(raw: string, row: number, sourceName: string | undefined): number {
  if (!DECIMAL.test(raw)) {
    throw new CandleDataError(
      "NOT_A_NUMBER",
      `${rowPrefix(sourceName, row)}open_time ${JSON.stringify(raw)} is not a number (expected ms since the epoch)`,
      { row },
    );
  }
  const value = Number(raw);
  let ms: number;
  if (value >= MILLISECOND_BAND[0] && value < MILLISECOND_BAND[1]) ms = value;
  else if (value >= SECOND_BAND[0] && value < SECOND_BAND[1]) ms = value * 1000;
  else if (value >= MICROSECOND_BAND[0] && value < MICROSECOND_BAND[1]) ms = value / 1000;
  else {
    throw new CandleDataError(
      "BAD_TIMESTAMP",
      `${rowPrefix(sourceName, row)}open_time ${raw} is not a Unix time after 2001-09-09 in ms ` +
        `(1e12…1e14), seconds (1e9…1e11) or µs (1e15…1e17)`,
      { row },
    );
  }
  // Seconds may carry a fraction ("1716163200.5"): allow float noise below 1 µs, then require whole ms.
  const rounded = Math.round(ms);
  if (Math.abs(ms - rounded) > 1e-3) {
    throw new CandleDataError(
      "BAD_TIMESTAMP",
      `${rowPrefix(sourceName, row)}open_time ${raw} is not a whole number of milliseconds`,
      { row },
    );
  }
  return rounded;
}
