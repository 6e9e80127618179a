// Tardis.dev CSV datasets (https://docs.tardis.dev/downloadable-csv-files): `incremental_book_L2`,
// `book_snapshot_25` / `book_snapshot_5`, `trades`. Times are µs since the epoch; `local_timestamp` is when
// Tardis received the message, `timestamp` the exchange's time.
import { DepthBook, snapshotBookEvent } from "./books.ts";
import { RecordingError } from "./format.ts";
import type { GapEvent, MarketEvent, RecordedLevel, TradesEvent } from "./types.ts";

/** The Tardis dataset a CSV file holds, told by its header. */
export type TardisDataset = "incremental_book_L2" | "book_snapshot" | "trades";

const BASE = "exchange,symbol,timestamp,local_timestamp";

/**
 * The Tardis dataset of a CSV header line, or null when it is not a Tardis CSV header.
 *
 * @example
 * ```ts
 * tardisDataset("exchange,symbol,timestamp,local_timestamp,id,side,price,amount"); // "trades"
 * tardisDataset("timestamp,price"); // null
 * ```
 */
export function tardisDataset(header: string): TardisDataset | null {
  const text = header.trim();
  if (!text.startsWith(BASE)) return null;
  const rest = text.slice(BASE.length);
  if (rest === ",is_snapshot,side,price,amount") return "incremental_book_L2";
  if (rest.startsWith(",id,side,price,amount")) return "trades";
  if (/^,(asks|bids)\[0\]\.price/.test(rest)) return "book_snapshot";
  return null;
}

/** What a {@link TardisCsvDecoder} has read so far. */
export interface TardisReadCounts {
  rows: number;
  books: number;
  trades: number;
  /** Trades whose side Tardis could not tell (`unknown`): the replay needs the aggressor, so they are skipped. */
  tradesUnknownSide: number;
  /** Snapshots after the first (Tardis re-snapshots when its connection to the exchange was re-established). */
  resnapshots: number;
}

/** How a {@link TardisCsvDecoder} reads. */
export interface TardisDecoderOptions {
  file: string;
  /** The coin events are tagged with, from the exchange's symbol (default: the symbol). */
  coinOf?: (symbol: string) => string;
}

const usToMs = (text: string): number => Number(text) / 1000;

/**
 * Reads one Tardis CSV file line by line (the first line is its header, which says the dataset). Trades give
 * trades events (side = the aggressor's); `book_snapshot_*` rows give a book each; `incremental_book_L2` rows
 * are grouped by message (same `local_timestamp`) and give one full-depth book per message, rebuilt from the
 * snapshot rows and the updates after them. A snapshot that follows updates (Tardis re-connected to the
 * exchange) gives a `gap` event from the last message before it: what happened in between is unknown.
 *
 * @example
 * ```ts
 * const decoder = new TardisCsvDecoder({ file: "binance-futures_trades_2024-08-08_BTCUSDT.csv.gz" });
 * const out: MarketEvent[] = [];
 * lines.forEach((text, i) => decoder.decode(text, i + 1, out));
 * decoder.finish(out);
 * ```
 */
export class TardisCsvDecoder {
  readonly #file: string;
  readonly #coinOf: (symbol: string) => string;
  readonly #counts: TardisReadCounts = { rows: 0, books: 0, trades: 0, tradesUnknownSide: 0, resnapshots: 0 };
  #dataset: TardisDataset | null = null;
  #columns: string[] = [];
  #symbol: string | null = null;
  #coin = "";
  // book_snapshot columns: [price column, amount column] per level, bids and asks.
  #bidColumns: [number, number][] = [];
  #askColumns: [number, number][] = [];
  // incremental_book_L2 state.
  readonly #book = new DepthBook();
  #messageKey = "";
  #messageT = 0;
  #messageLt = 0;
  #inSnapshot = false;
  #snapshots = 0;
  #lastBookLt = Number.NaN;
  #pendingGap: GapEvent | null = null;
  #open = false;
  #messageFirstLine = 0;
  #messageLastLine = 0;
  #bookLines: [number, number] = [0, 0];

  constructor(options: TardisDecoderOptions) {
    this.#file = options.file;
    this.#coinOf = options.coinOf ?? ((symbol) => symbol);
  }

  /** The dataset, once the header was read. */
  get dataset(): TardisDataset | null {
    return this.#dataset;
  }

  get counts(): Readonly<TardisReadCounts> {
    return this.#counts;
  }

  /**
   * First and last line of the rows the last book came from: an incremental book is emitted when the next
   * message starts, so it is not the line just read.
   */
  get lastBookLines(): readonly [number, number] {
    return this.#bookLines;
  }

  /**
   * Reads one line (1-based `line`; line 1 is the header) and appends the events it completes to `out`.
   *
   * @throws RecordingError naming the file and line.
   */
  decode(text: string, line: number, out: MarketEvent[]): void {
    if (this.#dataset === null) {
      this.#header(text, line);
      return;
    }
    const cells = text.split(",");
    if (cells.length !== this.#columns.length) {
      this.#fail(
        line,
        `expected ${this.#columns.length} comma-separated cells (as the header), got ${cells.length}`,
      );
    }
    this.#counts.rows++;
    const symbol = cells[1]!;
    if (symbol !== this.#symbol) {
      if (this.#symbol !== null) {
        this.#fail(line, `symbol ${symbol} after ${this.#symbol}: pass a file of one symbol`);
      }
      this.#symbol = symbol;
      this.#coin = this.#coinOf(symbol);
    }
    const t = usToMs(cells[2]!);
    const lt = usToMs(cells[3]!);
    if (!(t > 0) || !(lt > 0)) this.#fail(line, "timestamp and local_timestamp must be µs since the epoch");
    if (this.#dataset === "trades") this.#trade(cells, t, lt, line, out);
    else if (this.#dataset === "book_snapshot") this.#snapshotRow(cells, t, lt, line, out);
    else this.#incremental(cells, t, lt, line, out);
  }

  /** Ends the file: the last incremental message's book. */
  finish(out: MarketEvent[]): void {
    if (this.#dataset === "incremental_book_L2" && this.#open) this.#emitBook(out);
  }

  #header(text: string, line: number): void {
    const dataset = tardisDataset(text);
    if (dataset === null) {
      this.#fail(
        line,
        `not a Tardis CSV header (expected "${BASE},…" of incremental_book_L2, book_snapshot_N or trades): ${text.slice(0, 120)}`,
      );
    }
    this.#dataset = dataset;
    this.#columns = text.trim().split(",");
    if (dataset === "book_snapshot") {
      for (let i = 0; ; i++) {
        const bid = this.#columns.indexOf(`bids[${i}].price`);
        const ask = this.#columns.indexOf(`asks[${i}].price`);
        if (bid < 0 && ask < 0) break;
        if (bid >= 0) this.#bidColumns.push([bid, this.#columns.indexOf(`bids[${i}].amount`)]);
        if (ask >= 0) this.#askColumns.push([ask, this.#columns.indexOf(`asks[${i}].amount`)]);
      }
    }
  }

  #trade(cells: string[], t: number, lt: number, line: number, out: MarketEvent[]): void {
    const side = cells[5];
    const px = Number(cells[6]);
    const sz = Number(cells[7]);
    if (!(px > 0) || !(sz > 0))
      this.#fail(line, `price and amount must be > 0, got ${cells[6]}, ${cells[7]}`);
    this.#counts.trades++;
    if (side !== "buy" && side !== "sell") {
      if (side === "unknown") {
        this.#counts.tradesUnknownSide++;
        return;
      }
      this.#fail(line, `side must be buy, sell or unknown, got "${side}"`);
    }
    const event: TradesEvent = {
      type: "trades",
      coin: this.#coin,
      lt,
      trades: [{ t, px, sz, side: side === "buy" ? "B" : "A", tid: cells[4]! }],
    };
    out.push(event);
  }

  #snapshotRow(cells: string[], t: number, lt: number, line: number, out: MarketEvent[]): void {
    const levels = (columns: [number, number][]): RecordedLevel[] => {
      const result: RecordedLevel[] = [];
      for (const [priceColumn, amountColumn] of columns) {
        const priceText = cells[priceColumn]!;
        if (priceText === "") break; // fewer levels than the dataset's depth
        const price = Number(priceText);
        const size = Number(cells[amountColumn]);
        if (Number.isNaN(price) || Number.isNaN(size)) {
          this.#fail(line, `level ${this.#columns[priceColumn]} is not a number: "${priceText}"`);
        }
        result.push([price, size, 0]);
      }
      return result;
    };
    this.#counts.books++;
    this.#bookLines = [line, line];
    out.push({
      type: "book",
      coin: this.#coin,
      t,
      lt,
      bids: levels(this.#bidColumns),
      asks: levels(this.#askColumns),
    });
  }

  #incremental(cells: string[], t: number, lt: number, line: number, out: MarketEvent[]): void {
    const isSnapshot = cells[4] === "true";
    if (!isSnapshot && cells[4] !== "false")
      this.#fail(line, `is_snapshot must be true or false, got "${cells[4]}"`);
    const side = cells[5];
    if (side !== "bid" && side !== "ask") this.#fail(line, `side must be bid or ask, got "${side}"`);
    const price = Number(cells[6]);
    const amount = Number(cells[7]);
    if (!(price > 0) || !(amount >= 0))
      this.#fail(line, `price must be > 0 and amount ≥ 0, got ${cells[6]}, ${cells[7]}`);
    const key = cells[3]!;
    if (this.#open && (key !== this.#messageKey || (isSnapshot && !this.#inSnapshot))) this.#emitBook(out);
    if (isSnapshot && !this.#inSnapshot) {
      // A snapshot block starts: the book is replaced.
      this.#snapshots++;
      if (this.#snapshots > 1) {
        this.#counts.resnapshots++;
        if (!Number.isNaN(this.#lastBookLt)) {
          this.#pendingGap = {
            type: "gap",
            coin: this.#coin,
            from: this.#lastBookLt,
            to: lt,
            reason: `line ${line}: Tardis re-snapshotted the book (its exchange connection was re-established)`,
          };
        }
      }
      this.#book.clear();
    }
    this.#inSnapshot = isSnapshot;
    if (!this.#open) {
      this.#open = true;
      this.#messageKey = key;
      this.#messageT = t;
      this.#messageLt = lt;
      this.#messageFirstLine = line;
    }
    this.#messageLastLine = line;
    this.#book.set(side, price, amount);
  }

  #emitBook(out: MarketEvent[]): void {
    this.#open = false;
    if (this.#snapshots === 0) return; // updates before any snapshot: the book is unknown
    if (this.#pendingGap !== null) {
      out.push(this.#pendingGap);
      this.#pendingGap = null;
    }
    this.#counts.books++;
    this.#lastBookLt = this.#messageLt;
    this.#bookLines = [this.#messageFirstLine, this.#messageLastLine];
    out.push(snapshotBookEvent(this.#coin, this.#messageT, this.#messageLt, this.#book.snapshot()));
  }

  #fail(line: number, message: string): never {
    throw new RecordingError("INVALID_TARDIS_CSV", this.#file, line, message);
  }
}
