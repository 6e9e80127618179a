// A Hyperliquid WebSocket capture written as CSV, one file per coin and channel: `orderbooks_<COIN>.csv(.gz)`
// (one row per l2Book frame: `timestamp` = local receive time in s, `sequence`, `exchange_timestamp` in ms, then
// `bid_price_i,bid_size_i,ask_price_i,ask_size_i` for i = 0.., 0 = best) and `trades_<COIN>.csv(.gz)`
// (`timestamp,price,size,side,trade_id,exchange_timestamp`, side = the taker's, buy/sell).
import { RecordingError } from "./format.ts";
import { parseDecimal } from "./scan.ts";
import type { BookEvent, MarketEvent, RecordedLevel, RecordedTrade, TradesEvent } from "./types.ts";

/**
 * Which file of the layout a CSV header line belongs to, or null.
 *
 * @example
 * ```ts
 * hyperliquidCsvKind("timestamp,price,size,side,trade_id,exchange_timestamp"); // "trades"
 * hyperliquidCsvKind("timestamp,sequence,exchange_timestamp,bid_price_0,bid_size_0,…"); // "orderbooks"
 * hyperliquidCsvKind("time,open,high,low,close"); // null
 * ```
 */
export function hyperliquidCsvKind(header: string): "orderbooks" | "trades" | null {
  const text = header.trim();
  if (text.startsWith("timestamp,sequence,exchange_timestamp,bid_price_0,")) return "orderbooks";
  if (text === "timestamp,price,size,side,trade_id,exchange_timestamp") return "trades";
  return null;
}

const secondsToMs = (text: string): number => {
  const dot = text.indexOf(".");
  if (dot < 0) return Number(text) * 1000;
  // Whole ms from the integer part, the rest from the fraction: no rounding of 16-digit products.
  return Number(text.slice(0, dot)) * 1000 + Number(`0${text.slice(dot)}`) * 1000;
};

/**
 * One `orderbooks_<COIN>.csv` file, row by row: each row is a full snapshot (all the levels it has, best first),
 * `t` = `exchange_timestamp`, `lt` = `timestamp` (local receive time).
 *
 * @example
 * ```ts
 * const books = new HyperliquidCsvBookDecoder({ file: "orderbooks_BTC.csv.gz", coin: "BTC" });
 * const out: MarketEvent[] = [];
 * lines.forEach((text, i) => books.decode(text, i + 1, out));
 * ```
 */
export class HyperliquidCsvBookDecoder {
  readonly #file: string;
  readonly #coin: string;
  #columns = 0;
  #bidColumns: number[] = [];
  #askColumns: number[] = [];
  #starts = new Int32Array(0);

  constructor(options: { file: string; coin: string }) {
    this.#file = options.file;
    this.#coin = options.coin;
  }

  /** Reads one line (line 1 is the header) and appends its book to `out`. */
  decode(text: string, line: number, out: MarketEvent[]): void {
    if (this.#columns === 0) {
      if (hyperliquidCsvKind(text) !== "orderbooks") {
        this.#fail(
          line,
          `expected the header "timestamp,sequence,exchange_timestamp,bid_price_0,…", got ${text.slice(0, 100)}`,
        );
      }
      const columns = text.trim().split(",");
      this.#columns = columns.length;
      for (let i = 0; ; i++) {
        const bid = columns.indexOf(`bid_price_${i}`);
        const ask = columns.indexOf(`ask_price_${i}`);
        if (
          bid < 0 ||
          ask < 0 ||
          columns[bid + 1] !== `bid_size_${i}` ||
          columns[ask + 1] !== `ask_size_${i}`
        )
          break;
        this.#bidColumns.push(bid);
        this.#askColumns.push(ask);
      }
      this.#starts = new Int32Array(this.#columns + 1);
      return;
    }
    // Cells by index, no array of substrings: cell c is text[starts[c], starts[c + 1] - 1).
    const starts = this.#starts;
    let cells = 1;
    starts[0] = 0;
    for (let at = text.indexOf(","); at >= 0; at = text.indexOf(",", at + 1)) {
      if (cells < this.#columns) starts[cells] = at + 1;
      cells++;
    }
    if (cells !== this.#columns) {
      this.#fail(line, `expected ${this.#columns} cells (as the header), got ${cells}`);
    }
    starts[cells] = text.length + 1;
    const lt = secondsToMs(text.slice(0, starts[1]! - 1));
    const t = parseDecimal(text, starts[2]!, starts[3]! - 1);
    if (!(lt > 0) || !(t > 0)) this.#fail(line, "timestamp (s) and exchange_timestamp (ms) must be > 0");
    const book: BookEvent = {
      type: "book",
      coin: this.#coin,
      t,
      lt,
      bids: this.#levels(text, this.#bidColumns, line),
      asks: this.#levels(text, this.#askColumns, line),
    };
    out.push(book);
  }

  #levels(text: string, columns: number[], line: number): RecordedLevel[] {
    const starts = this.#starts;
    const levels: RecordedLevel[] = [];
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const priceStart = starts[column]!;
      const priceEnd = starts[column + 1]! - 1;
      if (priceEnd === priceStart) break; // a thinner book than the file's widest
      const sizeEnd = starts[column + 2]! - 1;
      const price = parseDecimal(text, priceStart, priceEnd);
      const size = parseDecimal(text, priceEnd + 1, sizeEnd);
      if (Number.isNaN(price) || Number.isNaN(size)) {
        this.#fail(
          line,
          `column ${column + 1}: price and size must be numbers, got "${text.slice(priceStart, priceEnd)}", "${text.slice(priceEnd + 1, sizeEnd)}"`,
        );
      }
      levels.push([price, size, 0]);
    }
    return levels;
  }

  #fail(line: number, message: string): never {
    throw new RecordingError("INVALID_CSV", this.#file, line, message);
  }
}

/** What a {@link HyperliquidCsvTradeDecoder} dropped. */
export interface HyperliquidCsvTradeCounts {
  trades: number;
  /** Rows repeating an earlier trade id and exchange time. */
  duplicates: number;
  /** Trades from before the first book (the venue's replay of recent trades on subscription). */
  beforeFirstBook: number;
}

/**
 * One `trades_<COIN>.csv` file, row by row: rows received together (same `timestamp`) become one trades
 * event; a row repeating a trade id and exchange time is dropped, and so is a trade whose exchange time is
 * before `firstBookT` (the first book's exchange time: those are the venue's snapshot of recent trades).
 *
 * @example
 * ```ts
 * const trades = new HyperliquidCsvTradeDecoder({ file: "trades_BTC.csv.gz", coin: "BTC", firstBookT: 1757015216253 });
 * lines.forEach((text, i) => trades.decode(text, i + 1, out));
 * trades.finish(out);
 * ```
 */
export class HyperliquidCsvTradeDecoder {
  readonly #file: string;
  readonly #coin: string;
  readonly #firstBookT: number;
  readonly #seen = new Set<string>();
  readonly #counts: HyperliquidCsvTradeCounts = { trades: 0, duplicates: 0, beforeFirstBook: 0 };
  #header = false;
  #batchKey = "";
  #batch: TradesEvent | null = null;

  constructor(options: { file: string; coin: string; firstBookT: number }) {
    this.#file = options.file;
    this.#coin = options.coin;
    this.#firstBookT = options.firstBookT;
  }

  get counts(): Readonly<HyperliquidCsvTradeCounts> {
    return this.#counts;
  }

  /** Reads one line (line 1 is the header); a trades event is appended when the next message starts. */
  decode(text: string, line: number, out: MarketEvent[]): void {
    if (!this.#header) {
      if (hyperliquidCsvKind(text) !== "trades") {
        this.#fail(
          line,
          `expected the header "timestamp,price,size,side,trade_id,exchange_timestamp", got ${text.slice(0, 100)}`,
        );
      }
      this.#header = true;
      return;
    }
    const cells = text.split(",");
    if (cells.length !== 6) this.#fail(line, `expected 6 cells, got ${cells.length}`);
    const px = Number(cells[1]);
    const sz = Number(cells[2]);
    const side = cells[3];
    const t = Number(cells[5]);
    const lt = secondsToMs(cells[0]!);
    if (!(px > 0) || !(sz > 0)) this.#fail(line, `price and size must be > 0, got ${cells[1]}, ${cells[2]}`);
    if (side !== "buy" && side !== "sell")
      this.#fail(line, `side must be buy or sell (the taker's), got "${side}"`);
    if (!(t > 0) || !(lt > 0)) this.#fail(line, "timestamp (s) and exchange_timestamp (ms) must be > 0");
    const key = `${cells[4]}:${cells[5]}`;
    if (this.#seen.has(key)) {
      this.#counts.duplicates++;
      return;
    }
    this.#seen.add(key);
    if (t < this.#firstBookT) {
      this.#counts.beforeFirstBook++;
      return;
    }
    this.#counts.trades++;
    const trade: RecordedTrade = { t, px, sz, side: side === "buy" ? "B" : "A", tid: cells[4]! };
    if (this.#batch !== null && cells[0] === this.#batchKey) {
      this.#batch.trades.push(trade);
      return;
    }
    if (this.#batch !== null) out.push(this.#batch);
    this.#batchKey = cells[0]!;
    this.#batch = { type: "trades", coin: this.#coin, lt, trades: [trade] };
  }

  /** Ends the file: the last trades event. */
  finish(out: MarketEvent[]): void {
    if (this.#batch !== null) out.push(this.#batch);
    this.#batch = null;
  }

  #fail(line: number, message: string): never {
    throw new RecordingError("INVALID_CSV", this.#file, line, message);
  }
}
