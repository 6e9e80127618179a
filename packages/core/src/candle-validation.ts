import { BotmmError } from "./errors.ts";
import type { Candle } from "./types.ts";

/** Stable codes of {@link CandleDataError}. */
export type CandleDataErrorCode =
  /** A CSV header lacks a required column, or names one twice. */
  | "BAD_HEADER"
  /** A CSV row has too few columns, or a headerless file has a column count we cannot interpret. */
  | "BAD_COLUMNS"
  /** A field is empty or not a decimal number. */
  | "NOT_A_NUMBER"
  /** `open_time` is not an integer Unix time in ms (or, in a CSV, an unambiguous s / µs value). */
  | "BAD_TIMESTAMP"
  /** open, high, low or close is zero or negative. */
  | "NON_POSITIVE_PRICE"
  | "HIGH_BELOW_LOW"
  | "OPEN_OUTSIDE_RANGE"
  | "CLOSE_OUTSIDE_RANGE"
  | "NEGATIVE_VOLUME"
  /** A row's open time is before the previous row's. */
  | "UNORDERED"
  /** A row has the same open time as the previous row. */
  | "DUPLICATE"
  /** The step from the previous row is not a whole number of intervals (wrong interval, or a bad row). */
  | "MISALIGNED"
  /** Missing bars exceed `maxGapFraction` of the span while `gaps` is `"error"`. */
  | "TOO_MANY_GAPS"
  /** The options passed to a candle function are out of range. */
  | "INVALID_OPTIONS";

/**
 * Bad candle data: the message names the source, the row (a file line for CSV input, else the 1-based position
 * in the array) and the open time, then what is wrong, e.g.
 * `BTCUSDT-1m.csv: row 17 (open_time 1716163200000): high 100.5 < low 101`.
 *
 * @example
 * ```ts
 * try {
 *   validateCandles(candles, { intervalMs: 60_000 });
 * } catch (error) {
 *   if (error instanceof CandleDataError) console.error(error.code, error.row, error.message);
 * }
 * ```
 */
export class CandleDataError extends BotmmError {
  declare readonly code: CandleDataErrorCode;
  /** The row at fault (file line for CSV, 1-based array position otherwise); null when no row is. */
  readonly row: number | null;
  /** The open time (ms) of the row at fault, when known. */
  readonly openTime: number | null;

  constructor(
    code: CandleDataErrorCode,
    message: string,
    details: { row?: number | null; openTime?: number | null; cause?: unknown } = {},
  ) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.row = details.row ?? null;
    this.openTime = details.openTime ?? null;
  }
}

/** Builds the `source: row N (open_time T): ` prefix of a row-level message. */
export function rowPrefix(sourceName: string | undefined, row: number, openTime?: number): string {
  const source = sourceName ? `${sourceName}: ` : "";
  const time = openTime === undefined || !Number.isFinite(openTime) ? "" : ` (open_time ${openTime})`;
  return `${source}row ${row}${time}: `;
}

/**
 * Checks one candle's own values (no neighbours): integer open time ≥ 0, finite positive prices,
 * low ≤ open, close ≤ high, finite volume ≥ 0. Throws {@link CandleDataError} naming `row`.
 */
export function checkCandleValues(candle: Candle, row: number, sourceName?: string): void {
  const { openTime, open, high, low, close, volume } = candle;
  // A valid candle (nearly every one) passes without building the checks below: the same conditions.
  if (
    Number.isSafeInteger(openTime) &&
    openTime >= 0 &&
    Number.isFinite(open) &&
    open > 0 &&
    Number.isFinite(high) &&
    high > 0 &&
    Number.isFinite(low) &&
    low > 0 &&
    Number.isFinite(close) &&
    close > 0 &&
    high >= low &&
    open >= low &&
    open <= high &&
    close >= low &&
    close <= high &&
    Number.isFinite(volume) &&
    volume >= 0
  )
    return;
  const fail = (code: CandleDataErrorCode, what: string): never => {
    throw new CandleDataError(code, `${rowPrefix(sourceName, row, openTime)}${what}`, { row, openTime });
  };
  if (!Number.isSafeInteger(openTime) || openTime < 0) {
    fail("BAD_TIMESTAMP", `open_time ${openTime} must be an integer number of ms since the epoch, ≥ 0`);
  }
  for (const [name, value] of [
    ["open", open],
    ["high", high],
    ["low", low],
    ["close", close],
  ] as const) {
    if (!Number.isFinite(value)) fail("NOT_A_NUMBER", `${name} ${value} is not a finite number`);
    if (value <= 0) fail("NON_POSITIVE_PRICE", `${name} ${value} must be > 0`);
  }
  if (high < low) fail("HIGH_BELOW_LOW", `high ${high} < low ${low}`);
  if (open < low || open > high)
    fail("OPEN_OUTSIDE_RANGE", `open ${open} is outside [low ${low}, high ${high}]`);
  if (close < low || close > high) {
    fail("CLOSE_OUTSIDE_RANGE", `close ${close} is outside [low ${low}, high ${high}]`);
  }
  if (!Number.isFinite(volume)) fail("NOT_A_NUMBER", `volume ${volume} is not a finite number`);
  if (volume < 0) fail("NEGATIVE_VOLUME", `volume ${volume} must be ≥ 0`);
}

/**
 * Checks that open times strictly increase. `rowOf(i)` names the row of `candles[i]` in messages.
 * @internal shared by {@link validateCandles} and the CSV parser.
 */
export function checkCandleOrder(
  candles: readonly Candle[],
  rowOf: (index: number) => number,
  sourceName?: string,
): void {
  for (let i = 1; i < candles.length; i++) {
    const previous = candles[i - 1]!.openTime;
    const openTime = candles[i]!.openTime;
    if (openTime > previous) continue;
    const row = rowOf(i);
    const prefix = rowPrefix(sourceName, row, openTime);
    if (openTime === previous) {
      throw new CandleDataError("DUPLICATE", `${prefix}duplicate open_time, same as row ${rowOf(i - 1)}`, {
        row,
        openTime,
      });
    }
    throw new CandleDataError(
      "UNORDERED",
      `${prefix}open_time is before row ${rowOf(i - 1)}'s ${previous}; rows must be in ascending time order`,
      { row, openTime },
    );
  }
}

/** One run of missing bars: `missingBars` bars are absent after the bar that opened at `afterOpenTime`. */
export interface CandleGap {
  afterOpenTime: number;
  missingBars: number;
}

/** Options of {@link validateCandles}. */
export interface ValidateCandlesOptions {
  /** Bar length in ms (60 000 for 1m). Consecutive open times must differ by a whole number of intervals. */
  intervalMs: number;
  /**
   * What to do with missing bars. `"error"` (default): throw `TOO_MANY_GAPS` when the missing bars exceed
   * `maxGapFraction` of the span, otherwise report them. `"skip"`: never throw for gaps, report them. Either
   * way the gaps are returned, never hidden, and the candles are not filled in.
   */
  gaps?: "error" | "skip";
  /** Largest tolerated share of missing bars over the span first..last (0.01 = 1 %, the default). */
  maxGapFraction?: number;
  /** Names the data in messages, e.g. a file name or `binance BTCUSDT 1m`. */
  sourceName?: string;
  /** Row number of each candle in its source (a CSV's file lines); default: 1-based array position. */
  rowNumbers?: readonly number[];
}

/** What {@link validateCandles} found. `candles` is the input array, unchanged. */
export interface CandleValidationResult {
  candles: Candle[];
  gaps: CandleGap[];
  gapCount: number;
  missingBars: number;
  /** Bars the span first..last should hold: `candles.length + missingBars`. */
  expectedBars: number;
  /** `missingBars / expectedBars` (0 for an empty input). */
  missingFraction: number;
}

/** The default of {@link ValidateCandlesOptions.maxGapFraction}: 1 % of the span may be missing. */
export const DEFAULT_MAX_GAP_FRACTION = 0.01;

/**
 * Validates a candle series and finds its gaps. Throws a {@link CandleDataError} naming the row and open time
 * for: a non-integer or negative open time, non-numeric or non-positive prices, high < low, open or close
 * outside [low, high], negative volume, a time before the previous row's (`UNORDERED`) or equal to it
 * (`DUPLICATE`), a step that is not a whole number of `intervalMs` (`MISALIGNED`), and — with `gaps: "error"`
 * — missing bars above `maxGapFraction` (`TOO_MANY_GAPS`). Gaps below the threshold, or any gaps with
 * `gaps: "skip"`, are returned (never filled, never hidden): report them.
 *
 * @example
 * ```ts
 * const report = validateCandles(candles, { intervalMs: 60_000, gaps: "skip" });
 * if (report.gapCount > 0) console.warn(`${report.missingBars} bars missing in ${report.gapCount} gaps`);
 * ```
 */
export function validateCandles(candles: Candle[], options: ValidateCandlesOptions): CandleValidationResult {
  const { intervalMs, sourceName, rowNumbers } = options;
  const gapsMode = options.gaps ?? "error";
  const maxGapFraction = options.maxGapFraction ?? DEFAULT_MAX_GAP_FRACTION;
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) {
    throw new CandleDataError("INVALID_OPTIONS", `intervalMs must be an integer > 0, got ${intervalMs}`);
  }
  if (!(maxGapFraction >= 0 && maxGapFraction <= 1)) {
    throw new CandleDataError("INVALID_OPTIONS", `maxGapFraction must be in [0, 1], got ${maxGapFraction}`);
  }
  if (gapsMode !== "error" && gapsMode !== "skip") {
    throw new CandleDataError("INVALID_OPTIONS", `gaps must be "error" or "skip", got ${String(gapsMode)}`);
  }
  if (rowNumbers !== undefined && rowNumbers.length !== candles.length) {
    throw new CandleDataError(
      "INVALID_OPTIONS",
      `rowNumbers must have one entry per candle (${candles.length}), got ${rowNumbers.length}`,
    );
  }
  const rowOf = (index: number): number => rowNumbers?.[index] ?? index + 1;

  for (let i = 0; i < candles.length; i++) checkCandleValues(candles[i]!, rowOf(i), sourceName);
  checkCandleOrder(candles, rowOf, sourceName);

  const gaps: CandleGap[] = [];
  let missingBars = 0;
  let largest: { index: number; gap: CandleGap } | null = null;
  for (let i = 1; i < candles.length; i++) {
    const previous = candles[i - 1]!.openTime;
    const openTime = candles[i]!.openTime;
    const step = openTime - previous;
    if (step === intervalMs) continue;
    if (step % intervalMs !== 0) {
      const row = rowOf(i);
      throw new CandleDataError(
        "MISALIGNED",
        `${rowPrefix(sourceName, row, openTime)}open_time is ${step} ms after row ${rowOf(i - 1)}'s, not a whole ` +
          `number of ${intervalMs} ms intervals (is the interval right?)`,
        { row, openTime },
      );
    }
    const gap: CandleGap = { afterOpenTime: previous, missingBars: step / intervalMs - 1 };
    gaps.push(gap);
    missingBars += gap.missingBars;
    if (largest === null || gap.missingBars > largest.gap.missingBars) largest = { index: i, gap };
  }
  const expectedBars = candles.length + missingBars;
  const missingFraction = expectedBars === 0 ? 0 : missingBars / expectedBars;
  if (gapsMode === "error" && missingFraction > maxGapFraction && largest !== null) {
    const row = rowOf(largest.index);
    const openTime = candles[largest.index]!.openTime;
    throw new CandleDataError(
      "TOO_MANY_GAPS",
      `${sourceName ? `${sourceName}: ` : ""}${missingBars} of ${expectedBars} bars missing ` +
        `(${formatPercent(missingFraction)} > maxGapFraction ${formatPercent(maxGapFraction)}) in ${gaps.length} ` +
        `gap(s); the largest, ${largest.gap.missingBars} bars, ends at row ${row} (open_time ${openTime}). ` +
        `Use gaps: "skip" to run on the data with its gaps reported, or raise maxGapFraction.`,
      { row, openTime },
    );
  }
  return { candles, gaps, gapCount: gaps.length, missingBars, expectedBars, missingFraction };
}

function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
