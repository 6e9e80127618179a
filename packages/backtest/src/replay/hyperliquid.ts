import { RecordingError } from "./format.ts";
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
