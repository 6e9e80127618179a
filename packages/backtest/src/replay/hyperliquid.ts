import { RecordingError } from "./format.ts";
import { parseDecimal } from "./scan.ts";
import type { BookEvent, RecordedLevel, RecordedTrade, TradesEvent } from "./types.ts";

interface WireLevel {
  px: string;
  sz: string;
  n: number;
}

function toLevels(wire: unknown, file: string, line: number, side: string): RecordedLevel[] {
  if (!Array.isArray(wire)) {
    throw new RecordingError(
      "INVALID_ARCHIVE",
      file,
      line,
      `levels[${side}] must be an array of {px, sz, n}`,
    );
  }
  const levels: RecordedLevel[] = new Array(wire.length);
  for (let i = 0; i < wire.length; i++) {
    const level = wire[i] as WireLevel;
    const price = Number(level?.px);
    const size = Number(level?.sz);
    if (!(price > 0) || !(size >= 0)) {
      throw new RecordingError(
        "INVALID_ARCHIVE",
        file,
        line,
        `levels[${side}][${i}] must have px > 0 and sz ≥ 0 as decimal strings, got ${JSON.stringify(level)}`,
      );
    }
    levels[i] = [price, size, typeof level.n === "number" ? level.n : 0];
  }
  return levels;
}

function parseJson(text: string, file: string, line: number): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    if (value !== null && typeof value === "object") return value as Record<string, unknown>;
  } catch (error) {
    throw new RecordingError("INVALID_ARCHIVE", file, line, `not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  throw new RecordingError("INVALID_ARCHIVE", file, line, "expected a JSON object");
}

/** An `l2Book` message's `data` → a book event received at `lt`. */
function bookFromWire(data: Record<string, unknown>, lt: number, file: string, line: number): BookEvent {
  const levels = data.levels;
  const t = Number(data.time);
  if (typeof data.coin !== "string" || !Array.isArray(levels) || levels.length !== 2 || !(t > 0)) {
    throw new RecordingError(
      "INVALID_ARCHIVE",
      file,
      line,
      "l2Book data must be {coin, time, levels: [bids, asks]}",
    );
  }
  return {
    type: "book",
    coin: data.coin,
    t,
    lt: Number.isFinite(lt) ? lt : t,
    bids: toLevels(levels[0], file, line, "0 (bids)"),
    asks: toLevels(levels[1], file, line, "1 (asks)"),
  };
}

/** The archive's receive time, an ISO string without a zone and with nanoseconds, read as UTC ms. */
function archiveTime(value: unknown): number {
  if (typeof value !== "string") return Number.NaN;
  const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(value);
  const base = value.replace(/(\.\d{3})\d+/, "$1");
  return Date.parse(zoned ? base : `${base}Z`);
}

/**
 * Parses one line of Hyperliquid's public archive (`s3://hyperliquid-archive/market_data/<day>/<hour>/l2Book/<coin>`,
 * after lz4 decompression): `{"time": ISO receive time, "ver_num", "raw": {"channel":"l2Book","data":{coin,time,levels}}}`.
 * `t` is the venue's `data.time`, `lt` the archive's receive time (UTC).
 *
 * @throws RecordingError naming the file and line.
 * @example
 * ```ts
 * const book = parseArchiveL2Line(text, "BTC.jsonl", 1);
 * book.bids[0]; // [42727, 0.02265, 1]
 * ```
 */
export function parseArchiveL2Line(text: string, file: string, line: number): BookEvent {
  const fast = scanArchiveL2Line(text);
  if (fast !== null) return fast;
  const value = parseJson(text, file, line);
  const raw = value.raw as Record<string, unknown> | undefined;
  if (raw === undefined || raw === null || raw.channel !== "l2Book" || typeof raw.data !== "object") {
    throw new RecordingError(
      "INVALID_ARCHIVE",
      file,
      line,
      'expected an archive l2Book line {"time", "ver_num", "raw": {"channel": "l2Book", "data": {…}}}',
    );
  }
  return bookFromWire(raw.data as Record<string, unknown>, archiveTime(value.time), file, line);
}

/**
 * Parses one line of an hftbacktest Hyperliquid WebSocket capture: `<local receive time, ns> <raw WS message>`.
 * Returns a book event (`l2Book`), a trades event (`trades`) or null for any other channel
 * (`subscriptionResponse`, `pong`, …).
 *
 * @throws RecordingError naming the file and line.
 * @example
 * ```ts
 * parseHftbacktestLine('1737918843893903000 {"channel":"pong"}', "capture.gz", 1); // null
 * ```
 */
export function parseHftbacktestLine(
  text: string,
  file: string,
  line: number,
): BookEvent | TradesEvent | null {
  const space = text.indexOf(" ");
  const stamp = space > 0 ? text.slice(0, space) : "";
  if (!/^\d{7,}$/.test(stamp)) {
    throw new RecordingError(
      "INVALID_CAPTURE",
      file,
      line,
      "expected `<receive time in ns> <WebSocket message JSON>`",
    );
  }
  const lt = Number(stamp.slice(0, -6)) + Number(stamp.slice(-6)) / 1e6;
  const message = parseJson(text.slice(space + 1), file, line);
  if (message.channel === "l2Book") {
    return bookFromWire(message.data as Record<string, unknown>, lt, file, line);
  }
  if (message.channel !== "trades") return null;
  const data = message.data;
  if (!Array.isArray(data) || data.length === 0) {
    throw new RecordingError("INVALID_CAPTURE", file, line, "trades data must be a non-empty array");
  }
  const trades: RecordedTrade[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const wire = data[i] as Record<string, unknown>;
    const px = Number(wire.px);
    const sz = Number(wire.sz);
    if (!(px > 0) || !(sz > 0) || (wire.side !== "B" && wire.side !== "A")) {
      throw new RecordingError(
        "INVALID_CAPTURE",
        file,
        line,
        `trades[${i}] must have px > 0, sz > 0 and side "B" | "A", got ${JSON.stringify(wire).slice(0, 200)}`,
      );
    }
    trades[i] = {
      t: Number(wire.time),
      px,
      sz,
      side: wire.side,
      tid: typeof wire.tid === "number" || typeof wire.tid === "string" ? wire.tid : String(wire.hash ?? i),
    };
  }
  return { type: "trades", coin: String((data[0] as Record<string, unknown>).coin), lt, trades };
}

/**
 * An hftbacktest Hyperliquid capture, line by line ({@link parseHftbacktestLine}): the first trades message of
 * each coin is the venue's snapshot of recent trades sent on subscription, so it comes back marked
 * `snapshot: true` (the replay engine ignores it). Other channels give null.
 *
 * @example
 * ```ts
 * const decoder = new HftbacktestCaptureDecoder("btcusd_20250126.gz");
 * const event = decoder.decode(text, lineNumber); // BookEvent | TradesEvent | null
 * ```
 */
export class HftbacktestCaptureDecoder {
  readonly #file: string;
  readonly #seenTrades = new Set<string>();

  constructor(file: string) {
    this.#file = file;
  }

  /** One line (1-based `line`) → its event, or null for a channel the replay does not use. */
  decode(text: string, line: number): BookEvent | TradesEvent | null {
    const event = parseHftbacktestLine(text, this.#file, line);
    if (event?.type === "trades" && !this.#seenTrades.has(event.coin)) {
      this.#seenTrades.add(event.coin);
      event.snapshot = true;
    }
    return event;
  }
}

const ARCHIVE_HEAD = '{"time":"';
const ARCHIVE_RAW = ',"raw":{"channel":"l2Book","data":{"coin":"';
const ARCHIVE_TIME = '","time":';
const ARCHIVE_LEVELS = ',"levels":[';

/** `YYYY-MM-DDTHH:MM:SS.fff…` (no zone) as UTC ms, as {@link archiveTime} reads it; NaN for another shape. */
function archiveTimeFast(text: string, start: number, end: number): number {
  const digits = (from: number, count: number): number => {
    let value = 0;
    for (let i = from; i < from + count; i++) {
      const code = text.charCodeAt(i) - 48;
      if (code < 0 || code > 9) return Number.NaN;
      value = value * 10 + code;
    }
    return value;
  };
  if (
    end - start < 23 ||
    text.charCodeAt(start + 4) !== 45 ||
    text.charCodeAt(start + 7) !== 45 ||
    text.charCodeAt(start + 10) !== 84 ||
    text.charCodeAt(start + 13) !== 58 ||
    text.charCodeAt(start + 16) !== 58 ||
    text.charCodeAt(start + 19) !== 46 ||
    Number.isNaN(digits(start + 20, end - start - 20))
  ) {
    return Number.NaN;
  }
  const month = digits(start + 5, 2);
  const day = digits(start + 8, 2);
  const hour = digits(start + 11, 2);
  const minute = digits(start + 14, 2);
  const second = digits(start + 17, 2);
  // Date.parse refuses out-of-range fields where Date.UTC would roll them over: leave those to it.
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour <= 23 && minute <= 59 && second <= 59)) {
    return Number.NaN;
  }
  return Date.UTC(digits(start, 4), month - 1, day, hour, minute, second, digits(start + 20, 3));
}

/** Reads `[{"px":"…","sz":"…","n":N},…]` at `at` into levels; the index after `]`, or -1 for any other shape or value. */
function scanWireLevels(text: string, at: number, levels: RecordedLevel[]): number {
  if (text.charCodeAt(at) !== 91) return -1;
  let i = at + 1;
  if (text.charCodeAt(i) === 93) return i + 1;
  for (;;) {
    if (!text.startsWith('{"px":"', i)) return -1;
    const pxStart = i + 7;
    const pxEnd = text.indexOf('"', pxStart);
    if (pxEnd < 0 || !text.startsWith(',"sz":"', pxEnd + 1)) return -1;
    const szStart = pxEnd + 8;
    const szEnd = text.indexOf('"', szStart);
    if (szEnd < 0 || !text.startsWith(',"n":', szEnd + 1)) return -1;
    const nStart = szEnd + 6;
    let nEnd = nStart;
    while (nEnd < text.length) {
      const code = text.charCodeAt(nEnd);
      if (code < 48 || code > 57) break;
      nEnd++;
    }
    if (nEnd === nStart || text.charCodeAt(nEnd) !== 125) return -1;
    const price = parseDecimal(text, pxStart, pxEnd);
    const size = parseDecimal(text, szStart, szEnd);
    // A bad level (an escape in a string reads as NaN too): the general path names it.
    if (!(price > 0) || !(size >= 0)) return -1;
    levels.push([price, size, parseDecimal(text, nStart, nEnd)]);
    i = nEnd + 1;
    const next = text.charCodeAt(i);
    if (next === 93) return i + 1;
    if (next !== 44) return -1;
    i++;
  }
}

/**
 * The archive line as the writer lays it out (`{"time":…,"ver_num":…,"raw":{"channel":"l2Book","data":{"coin",
 * "time","levels"}}}`, no spaces) read without JSON.parse: the same book {@link parseArchiveL2Line} gives, or
 * null for any other shape (which then goes through JSON.parse).
 */
function scanArchiveL2Line(text: string): BookEvent | null {
  if (!text.startsWith(ARCHIVE_HEAD)) return null;
  const timeStart = ARCHIVE_HEAD.length;
  const timeEnd = text.indexOf('"', timeStart);
  if (timeEnd < 0 || !text.startsWith(',"ver_num":', timeEnd + 1)) return null;
  let i = timeEnd + 12;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (!text.startsWith(ARCHIVE_RAW, i)) return null;
  const coinStart = i + ARCHIVE_RAW.length;
  const coinEnd = text.indexOf('"', coinStart);
  if (coinEnd < 0 || !text.startsWith(ARCHIVE_TIME, coinEnd)) return null;
  const tStart = coinEnd + ARCHIVE_TIME.length;
  let tEnd = tStart;
  while (tEnd < text.length && text.charCodeAt(tEnd) >= 48 && text.charCodeAt(tEnd) <= 57) tEnd++;
  if (tEnd === tStart || !text.startsWith(ARCHIVE_LEVELS, tEnd)) return null;
  const bids: RecordedLevel[] = [];
  const asks: RecordedLevel[] = [];
  const bidsEnd = scanWireLevels(text, tEnd + ARCHIVE_LEVELS.length, bids);
  if (bidsEnd < 0 || text.charCodeAt(bidsEnd) !== 44) return null;
  const asksEnd = scanWireLevels(text, bidsEnd + 1, asks);
  if (asksEnd < 0 || asksEnd + 4 !== text.length || !text.endsWith("]}}}")) return null;
  const coin = text.slice(coinStart, coinEnd);
  const t = parseDecimal(text, tStart, tEnd);
  if (!(t > 0) || coin.includes("\\")) return null;
  // The fast time reader takes digits only; any other time text (an escape included) goes through JSON.
  const lt = archiveTimeFast(text, timeStart, timeEnd);
  if (Number.isNaN(lt)) return null;
  return { type: "book", coin, t, lt, bids, asks };
}
