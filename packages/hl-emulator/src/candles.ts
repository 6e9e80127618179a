import type { Candle } from "@botmm/core";
import { EmulatorError } from "./errors.ts";

/**
 * Parses candles from CSV text, tolerantly: a header `open_time,open,high,low,close,volume` (columns found by
 * name, in any order, extra columns ignored; `timestamp`/`time`/`t`, `o`/`h`/`l`/`c`/`v` also work), or
 * Binance's 12-column klines without a header. Times in seconds, milliseconds or microseconds (Binance since
 * 2025) are normalised to ms; ISO dates work too. Blank lines and `#` comments are skipped; rows are sorted by
 * time and duplicates dropped.
 *
 * @throws EmulatorError `INVALID_CANDLES` naming the line and field at fault.
 * @example
 * ```ts
 * parseCandlesCsv("open_time,open,high,low,close,volume\n1700000000000,1,2,0.5,1.5,10\n");
 * // [{ openTime: 1700000000000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 }]
 * ```
 */
export function parseCandlesCsv(text: string): Candle[] {
  const lines = text.split(/\r?\n/);
  let columns = { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };
  const candles: Candle[] = [];
  let sawHeader = false;
  for (let lineIndex = 0; lineIndex < lines.length; lineIndex++) {
    const line = (lines[lineIndex] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const cells = line.split(/[,;\t]/).map((cell) => cell.trim().replace(/^"|"$/g, ""));
    if (
      !sawHeader &&
      candles.length === 0 &&
      /[a-z]/i.test(cells[0] ?? "") &&
      Number.isNaN(Date.parse(cells[0] ?? ""))
    ) {
      columns = headerColumns(cells, lineIndex + 1);
      sawHeader = true;
      continue;
    }
    const field = (name: keyof typeof columns): number => {
      const raw = cells[columns[name]];
      const value = raw === undefined ? Number.NaN : Number(raw);
      if (!Number.isFinite(value)) {
        throw new EmulatorError(
          "INVALID_CANDLES",
          `line ${lineIndex + 1}: ${name} must be a number, got ${JSON.stringify(raw ?? null)}`,
        );
      }
      return value;
    };
    const rawTime = cells[columns.time] ?? "";
    const openTime = /^\d+(\.\d+)?$/.test(rawTime) ? normaliseEpoch(Number(rawTime)) : Date.parse(rawTime);
    if (!Number.isFinite(openTime)) {
      throw new EmulatorError(
        "INVALID_CANDLES",
        `line ${lineIndex + 1}: open_time is not a time: ${JSON.stringify(rawTime)}`,
      );
    }
    const candle: Candle = {
      openTime,
      open: field("open"),
      high: field("high"),
      low: field("low"),
      close: field("close"),
      volume: columns.volume >= 0 && cells[columns.volume] !== undefined ? field("volume") : 0,
    };
    if (!(candle.open > 0 && candle.high > 0 && candle.low > 0 && candle.close > 0)) {
      throw new EmulatorError("INVALID_CANDLES", `line ${lineIndex + 1}: prices must be > 0`);
    }
    candles.push(candle);
  }
  candles.sort((x, y) => x.openTime - y.openTime);
  return candles.filter((candle, index) => index === 0 || candle.openTime !== candles[index - 1]?.openTime);
}

function headerColumns(
  cells: string[],
  line: number,
): { time: number; open: number; high: number; low: number; close: number; volume: number } {
  const names = cells.map((cell) => cell.toLowerCase());
  const find = (...aliases: string[]): number => names.findIndex((name) => aliases.includes(name));
  const columns = {
    time: find("open_time", "opentime", "timestamp", "time", "t", "date", "datetime"),
    open: find("open", "o"),
    high: find("high", "h"),
    low: find("low", "l"),
    close: find("close", "c"),
    volume: find("volume", "v", "vol"),
  };
  for (const [name, index] of Object.entries(columns)) {
    if (index < 0 && name !== "volume") {
      throw new EmulatorError(
        "INVALID_CANDLES",
        `line ${line}: header has no ${name} column (got ${cells.join(",")})`,
      );
    }
  }
  return columns;
}

/** Seconds, milliseconds or microseconds since the epoch → milliseconds. */
function normaliseEpoch(value: number): number {
  if (value < 1e11) return value * 1000;
  if (value > 1e14) return Math.floor(value / 1000);
  return value;
}
