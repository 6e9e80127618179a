// The screen's inputs: candles of many coins (one long-format file, a directory of per-coin files) and a
// long-format funding file, parsed once into per-coin columns. Every bad row is an error naming file, row and coin.
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { type CandleColumns, type FundingRates, toCandleColumns } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { loadCsvFileRows } from "../data/csv-file.ts";
import { parseThroughScreenCopy } from "./parsed-copy.ts";

const gunzipAsync = promisify(gunzip);

/** Bad screen input: a file, a row, a coin. */
export class ScreenInputError extends BotmmError {
  constructor(message: string) {
    super("SCREEN_INPUT", message);
  }
}

/** One coin's candles. */
export interface CoinCandles {
  coin: string;
  columns: CandleColumns;
}

/** The candles of every coin of an input, and the bar interval found in them. */
export interface ScreenCandles {
  coins: CoinCandles[];
  intervalMs: number;
  /** Where they came from, for the report. */
  source: string;
}

/** Reads a file as text, gunzipping when it starts with the gzip magic bytes. */
export async function readText(path: string, flag: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new ScreenInputError(
      `${flag} ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (error) {
      throw new ScreenInputError(`${flag} ${path}: starts like gzip but cannot be decompressed (${error})`);
    }
  }
  return bytes.toString("utf8");
}

/** Whether `text` has a `YYYY-MM-DD` date at `at` (as `/^\d{4}-\d\d-\d\d/` on the text from there). */
function isDatePrefix(text: string, at: number): boolean {
  for (let i = 0; i < 10; i++) {
    const code = text.charCodeAt(at + i);
    if (i === 4 || i === 7 ? code !== 45 : !(code >= 48 && code <= 57)) return false;
  }
  return true;
}

/** The 10 characters of `text` at `at` against the `YYYY-MM-DD` day `day`, as strings compare: < 0, 0, > 0. */
function compareDay(text: string, at: number, day: string): number {
  for (let i = 0; i < 10; i++) {
    const difference = text.charCodeAt(at + i) - day.charCodeAt(i);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** An ISO time or ms since the epoch → ms, or NaN. */
function parseTime(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  return Date.parse(text);
}

const CANDLE_COLUMNS = ["coin", "date", "open", "high", "low", "close", "volume"] as const;

/**
 * Parses a long-format candle CSV (`coin,date,open,high,low,close,volume`; `date` an ISO time or ms; the
 * columns in any order, `time_ms`/`open_time` accepted for `date`) into per-coin columns in time order. Only
 * `coins` are kept when given. Errors name the row and the coin: a missing field, a non-number, a high below
 * the low or the open/close, a time that does not increase within a coin.
 *
 * @example
 * ```ts
 * parseLongCandleCsv("coin,date,open,high,low,close,volume\nBTC,2025-07-21T00:00:00Z,1,2,0.5,1.5,10\n", "x.csv");
 * ```
 */
export function parseLongCandleCsv(
  text: string,
  name: string,
  coins?: ReadonlySet<string>,
  /** Filled with every coin the file holds, kept or not (for an error naming what is there). */
  seen?: Set<string>,
): Map<string, CandleColumns> {
  const lines = text.split("\n");
  const header = (lines[0] ?? "")
    .trim()
    .toLowerCase()
    .split(",")
    .map((cell) => cell.trim());
  const index = (column: string, ...aliases: string[]) =>
    [column, ...aliases].map((alias) => header.indexOf(alias)).find((i) => i >= 0) ?? -1;
  const at = {
    coin: index("coin", "symbol"),
    date: index("date", "time_ms", "open_time", "timestamp"),
    open: index("open"),
    high: index("high"),
    low: index("low"),
    close: index("close"),
    volume: index("volume"),
  };
  const missing = CANDLE_COLUMNS.filter((column) => at[column] < 0);
  if (missing.length > 0)
    throw new ScreenInputError(
      `${name}: the header has no ${missing.join(", ")} column (expected ${CANDLE_COLUMNS.join(",")}, got "${lines[0]?.trim() ?? ""}")`,
    );
  const width = header.length;
  const byCoin = new Map<string, { rows: number[]; last: number; lastRow: number }>();
  const times = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const cells = line.split(",");
    const row = i + 1;
    if (cells.length < width)
      throw new ScreenInputError(
        `${name} row ${row}: expected ${width} fields (${header.join(",")}), got ${cells.length}: "${line.trim()}"`,
      );
    const coin = cells[at.coin]!.trim();
    seen?.add(coin);
    if (coins !== undefined && !coins.has(coin)) continue;
    if (coin === "") throw new ScreenInputError(`${name} row ${row}: the coin is empty`);
    const dateText = cells[at.date]!;
    // Every coin repeats the same timestamps: parse each once.
    let time = times.get(dateText);
    if (time === undefined) {
      time = parseTime(dateText.trim());
      times.set(dateText, time);
    }
    const open = Number(cells[at.open]);
    const high = Number(cells[at.high]);
    const low = Number(cells[at.low]);
    const close = Number(cells[at.close]);
    const volume = Number(cells[at.volume]);
    // Number("") is 0: a zero is checked for an empty cell (a real price is never 0, so only volume pays).
    if (
      !(
        Number.isFinite(time) &&
        Number.isFinite(open) &&
        Number.isFinite(high) &&
        Number.isFinite(low) &&
        Number.isFinite(close) &&
        Number.isFinite(volume)
      ) ||
      (volume === 0 && cells[at.volume]!.trim() === "")
    ) {
      const values = { date: time, open, high, low, close, volume };
      const bad = (["date", "open", "high", "low", "close", "volume"] as const).find(
        (column) => !Number.isFinite(values[column]) || cells[at[column]]!.trim() === "",
      )!;
      throw new ScreenInputError(
        `${name} row ${row} (${coin}): ${bad} is not a ${bad === "date" ? "time" : "number"}: "${cells[at[bad]]!.trim()}"`,
      );
    }
    if (!(low > 0) || high < low || high < open || high < close || low > open || low > close || volume < 0)
      throw new ScreenInputError(
        `${name} row ${row} (${coin}): not a candle: open ${open} high ${high} low ${low} close ${close} volume ${volume} (expected 0 < low ≤ open, close ≤ high and volume ≥ 0)`,
      );
    let series = byCoin.get(coin);
    if (series === undefined) {
      series = { rows: [], last: Number.NEGATIVE_INFINITY, lastRow: 0 };
      byCoin.set(coin, series);
    }
    if (time <= series.last)
      throw new ScreenInputError(
        `${name} row ${row} (${coin}): time ${cells[at.date]!.trim()} does not come after row ${series.lastRow}'s: a coin's rows must be in time order without repeats`,
      );
    series.last = time;
    series.lastRow = row;
    series.rows.push(time, open, high, low, close, volume);
  }
  const out = new Map<string, CandleColumns>();
  for (const [coin, { rows }] of byCoin) {
    const n = rows.length / 6;
    const columns = {
      length: n,
      openTime: new Float64Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: new Float64Array(n),
    };
    for (let k = 0; k < n; k++) {
      columns.openTime[k] = rows[6 * k]!;
      columns.open[k] = rows[6 * k + 1]!;
      columns.high[k] = rows[6 * k + 2]!;
      columns.low[k] = rows[6 * k + 3]!;
      columns.close[k] = rows[6 * k + 4]!;
      columns.volume[k] = rows[6 * k + 5]!;
    }
    out.set(coin, columns);
  }
  return out;
}

/** The smallest step between consecutive bars of any coin: the bar interval. */
export function inferIntervalMs(coins: readonly CoinCandles[], name: string): number {
  let best = Number.POSITIVE_INFINITY;
  for (const { columns } of coins)
    for (let i = 1; i < columns.length; i++) {
      const step = columns.openTime[i]! - columns.openTime[i - 1]!;
      if (step > 0 && step < best) best = step;
    }
  if (!Number.isFinite(best))
    throw new ScreenInputError(`${name}: no coin has two bars: cannot tell the bar interval`);
  return best;
}

/**
 * Keeps the coins asked for, in the order asked, or all (sorted by name); a coin asked for that the input
 * does not hold is an error naming it and what the input holds.
 */
export function selectCoins(
  available: ReadonlyMap<string, CandleColumns>,
  wanted: readonly string[] | undefined,
  name: string,
  /** Every coin the input holds, when `available` was already cut down to `wanted`. */
  heldCoins: Iterable<string> = available.keys(),
): CoinCandles[] {
  if (wanted === undefined)
    return [...available.keys()].sort().map((coin) => ({ coin, columns: available.get(coin)! }));
  const absent = wanted.filter((coin) => !available.has(coin));
  if (absent.length > 0) {
    const held = [...new Set(heldCoins)].sort();
    const near = absent.flatMap((coin) =>
      held
        .filter((other) => other.toLowerCase() === coin.toLowerCase())
        .map((other) => `${coin} → ${other}?`),
    );
    throw new ScreenInputError(
      `--coins: ${absent.join(", ")} ${absent.length === 1 ? "is" : "are"} not in ${name}${near.length > 0 ? ` (${near.join(", ")})` : ""}; it holds ${held.length} coin${held.length === 1 ? "" : "s"}: ${held.slice(0, 30).join(", ")}${held.length > 30 ? ", …" : ""}`,
    );
  }
  return wanted.map((coin) => ({ coin, columns: available.get(coin)! }));
}

/** Where `loadLongCsv` keeps the parsed copy of a whole file, and whom it tells when a copy cannot be used. */
export interface ParsedCopyOptions {
  cacheDir: string;
  onNotice: (message: string) => void;
  /** Files smaller than this are parsed every time (default `PARSED_COPY_MIN_BYTES`, 1 MiB). */
  minBytes?: number;
}

/**
 * `--csv FILE`: one long-format file of many coins. With `copy`, a screen of every coin in it reads the parsed
 * copy of the file kept under `copy.cacheDir` (`parsed-copy.ts`) instead of parsing it again; `--coins` parses
 * only those coins' rows, as without it.
 */
export async function loadLongCsv(
  path: string,
  coins: readonly string[] | undefined,
  copy?: ParsedCopyOptions,
): Promise<ScreenCandles> {
  const seen = new Set<string>();
  const parse = async () =>
    parseLongCandleCsv(
      await readText(path, "--csv"),
      path,
      coins === undefined ? undefined : new Set(coins),
      seen,
    );
  let available: Map<string, CandleColumns>;
  if (copy === undefined || coins !== undefined) available = await parse();
  else {
    available = await parseThroughScreenCopy(path, copy.cacheDir, parse, copy.onNotice, copy.minBytes);
    // Without --coins every coin of the file is kept: the file holds what was read (or its copy).
    for (const coin of available.keys()) seen.add(coin);
  }
  if (seen.size === 0) throw new ScreenInputError(`--csv ${path}: no candle rows`);
  const selected = selectCoins(available, coins, path, seen);
  return { coins: selected, intervalMs: inferIntervalMs(selected, path), source: `csv ${path}` };
}

/** The coin a per-coin file is named for: `BTC.csv.gz`, `BTC-1m.csv`, `BTC_1m.csv` → `BTC`. */
export function coinOfFileName(file: string): string {
  return basename(file).split(/[._-]/)[0]!;
}

/**
 * `--dir DIR`: one candle file per coin (`<COIN>.csv`, `<COIN>-1m.csv.gz`, …; any layout the single-run
 * `--csv` reads) or long-format files with a `coin` column.
 */
export async function loadCandleDirectory(
  dir: string,
  coins: readonly string[] | undefined,
): Promise<ScreenCandles> {
  let files: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new ScreenInputError(`--dir ${dir}: not a directory`);
    files = (await readdir(dir)).filter((file) => /\.csv(\.gz)?$/i.test(file)).sort();
  } catch (error) {
    if (error instanceof ScreenInputError) throw error;
    throw new ScreenInputError(
      `--dir ${dir}: cannot read the directory (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  if (files.length === 0) throw new ScreenInputError(`--dir ${dir}: no .csv or .csv.gz files in it`);
  const wanted = coins === undefined ? undefined : new Set(coins);
  const available = new Map<string, CandleColumns>();
  const seen = new Set<string>();
  const add = (coin: string, columns: CandleColumns, file: string) => {
    if (available.has(coin))
      throw new ScreenInputError(`--dir ${dir}: ${coin} appears in two files (the second: ${file})`);
    available.set(coin, columns);
  };
  for (const file of files) {
    const path = join(dir, file);
    const text = await readText(path, "--dir");
    const header = text.slice(0, text.indexOf("\n")).toLowerCase();
    if (/(^|,)\s*(coin|symbol)\s*(,|$)/.test(header)) {
      for (const [coin, columns] of parseLongCandleCsv(text, path, wanted, seen)) add(coin, columns, file);
      continue;
    }
    const coin = coinOfFileName(file);
    seen.add(coin);
    if (wanted !== undefined && !wanted.has(coin)) continue;
    const { candles } = await loadCsvFileRows(path);
    add(coin, toCandleColumns(candles), file);
  }
  const selected = selectCoins(available, coins, `--dir ${dir}`, seen);
  if (selected.length === 0) throw new ScreenInputError(`--dir ${dir}: no candles in its files`);
  return { coins: selected, intervalMs: inferIntervalMs(selected, `--dir ${dir}`), source: `dir ${dir}` };
}

/**
 * Parses a long-format funding CSV (`coin,date,funding_rate`, rates per hour; `time_ms` for `date` accepted)
 * keeping only `coins` and times in [fromMs, toMs). Errors name the row and coin.
 *
 * @example
 * ```ts
 * parseLongFundingCsv("coin,date,funding_rate\nBTC,2025-07-21T00:00:00Z,0.0000125\n", "f.csv", new Set(["BTC"]), 0, Infinity);
 * ```
 */
export function parseLongFundingCsv(
  text: string,
  name: string,
  coins: ReadonlySet<string>,
  fromMs: number,
  toMs: number,
): Map<string, FundingRates> {
  // The header line only: splitting the whole text would make a string of each of its 2M lines.
  const headerEnd = text.indexOf("\n");
  const headerLine = headerEnd < 0 ? text : text.slice(0, headerEnd);
  const header = headerLine
    .trim()
    .toLowerCase()
    .split(",")
    .map((cell) => cell.trim());
  const coinAt = header.indexOf("coin");
  const timeAt = [header.indexOf("date"), header.indexOf("time_ms")].find((i) => i >= 0) ?? -1;
  const rateAt = header.indexOf("funding_rate");
  if (coinAt < 0 || timeAt < 0 || rateAt < 0)
    throw new ScreenInputError(
      `--funding ${name}: expected a header coin,date,funding_rate (rates per hour), got "${headerLine.trim()}"`,
    );
  const out = new Map<string, { timeMs: number[]; ratePerHour: number[] }>();
  // Rows dated (YYYY-MM-DD…) more than a day outside the window skip the time parse: a 2M-row file spans years.
  const dayOf = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : null);
  const firstDay = dayOf(fromMs - 86_400_000);
  const lastDay = dayOf(toMs + 86_400_000);
  // The usual layout (coin,date,funding_rate) is read in place, without a string per line and cell; any row
  // it does not recognise at a glance (a time not starting with a date, spaces, another column order) goes
  // through the general reading below, with the same checks and the same errors.
  const usualLayout = coinAt === 0 && timeAt === 1 && rateAt === 2;
  // Scanned line by line without splitting the whole text: most rows belong to coins or days not screened.
  let row = 1;
  let position = text.indexOf("\n") + 1;
  while (position > 0 && position < text.length) {
    row++;
    let next = text.indexOf("\n", position);
    if (next < 0) next = text.length;
    const lineStart = position;
    position = next + 1;
    const comma = text.indexOf(",", lineStart);
    const coin = (
      coinAt === 0 && comma >= 0 && comma < next
        ? text.slice(lineStart, comma)
        : (text.slice(lineStart, next).split(",")[coinAt] ?? "")
    ).trim();
    if (!coins.has(coin)) continue;
    let time: number;
    let rateText: string | undefined;
    const timeStart = comma + 1;
    const timeEnd = usualLayout && comma >= 0 ? text.indexOf(",", timeStart) : -1;
    if (timeEnd >= 0 && timeEnd < next && timeStart + 10 <= timeEnd && isDatePrefix(text, timeStart)) {
      const rateEnd = text.indexOf(",", timeEnd + 1);
      rateText = text.slice(timeEnd + 1, rateEnd >= 0 && rateEnd < next ? rateEnd : next);
      const outside =
        (firstDay !== null && compareDay(text, timeStart, firstDay) < 0) ||
        (lastDay !== null && compareDay(text, timeStart, lastDay) > 0);
      time = outside ? fromMs - 1 : parseTime(text.slice(timeStart, timeEnd).trim());
    } else {
      const cells = text.slice(lineStart, next).split(",");
      const timeText = cells[timeAt]?.trim() ?? "";
      const day = /^\d{4}-\d\d-\d\d/.test(timeText) ? timeText.slice(0, 10) : null;
      const outside =
        day !== null && ((firstDay !== null && day < firstDay) || (lastDay !== null && day > lastDay));
      time = outside ? fromMs - 1 : parseTime(timeText);
      rateText = cells[rateAt];
    }
    const rate = Number(rateText);
    // A blank cell reads as 0: only then is the text looked at again.
    if (!Number.isFinite(time) || !Number.isFinite(rate) || (rate === 0 && (rateText ?? "").trim() === ""))
      throw new ScreenInputError(
        `--funding ${name} row ${row} (${coin}): expected a time and a funding_rate number, got "${text.slice(lineStart, next).trim()}"`,
      );
    if (Math.abs(rate) > 0.04)
      throw new ScreenInputError(
        `--funding ${name} row ${row} (${coin}): funding_rate ${rate} exceeds Hyperliquid's cap of 4% per hour`,
      );
    if (time < fromMs || time >= toMs) continue;
    let series = out.get(coin);
    if (series === undefined) {
      series = { timeMs: [], ratePerHour: [] };
      out.set(coin, series);
    }
    series.timeMs.push(time);
    series.ratePerHour.push(rate);
  }
  return out;
}

/** `--funding FILE`, read for the screened coins over their candles' span. */
export async function loadLongFunding(
  path: string,
  coins: readonly CoinCandles[],
  /** The file's text when already being read (the screen reads it while it parses the candles). */
  text: Promise<string> = readText(path, "--funding"),
): Promise<Map<string, FundingRates>> {
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const { columns } of coins) {
    if (columns.length === 0) continue;
    from = Math.min(from, columns.openTime[0]!);
    to = Math.max(to, columns.openTime[columns.length - 1]! + 3_600_000);
  }
  // A funding payment at the hour before the first bar still applies to the position held in that hour.
  return parseLongFundingCsv(await text, path, new Set(coins.map((coin) => coin.coin)), from - 3_600_000, to);
}
