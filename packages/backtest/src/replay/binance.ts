// Binance USDⓈ-M and spot raw captures as hftbacktest's collector writes them: one message a line,
// `<local receive time, ns or µs> <message>`, where a message is a combined-stream frame
// `{"stream":"btcusdt@depth@0ms","data":{…}}` or the REST depth snapshot `{"lastUpdateId":…,"bids":…,"asks":…}`.
import { DepthBook, snapshotBookEvent } from "./books.ts";
import { RecordingError } from "./format.ts";
import { parseDecimal } from "./scan.ts";
import type { BookEvent, GapEvent, MarketEvent, RecordedTrade, TradesEvent } from "./types.ts";

/** A problem a reader met and reported (the replay goes on past it, never through it). */
export interface ReadProblem {
  file: string;
  line: number;
  kind: "sequence-gap" | "snapshot-failed" | "no-snapshot";
  message: string;
}

/** What a {@link BinanceCollectorDecoder} has read so far. */
export interface BinanceReadCounts {
  /** Depth diffs read, and applied to a synced book. */
  depthUpdates: number;
  depthApplied: number;
  /** Diffs older than the snapshot they followed (dropped as the venue's sync rule says). */
  depthStale: number;
  snapshots: number;
  /** Snapshots that arrived while the book was in sync (not needed). */
  snapshotsUnused: number;
  trades: number;
  /** Trades read while no synced book existed (before the first snapshot, or in a gap): not replayed. */
  tradesWithoutBook: number;
  /** bookTicker / markPrice / the other of trade or aggTrade: recognised, not used. */
  ignored: number;
  sequenceGaps: number;
}

/** How a {@link BinanceCollectorDecoder} reads. */
export interface BinanceDecoderOptions {
  /** The file's name, for errors and problems. */
  file: string;
  /** The coin events are tagged with, from the venue's symbol (default: the symbol, `BTCUSDT`). */
  coinOf?: (symbol: string) => string;
  /**
   * The coin the capture must be of (`coinOf(symbol)` must give it): events are tagged with it from the first
   * line, even a REST snapshot written before any stream message named the symbol.
   */
  coin?: string;
  /** Diffs held while waiting for a snapshot (default 10,000; the oldest go first). */
  maxPendingDiffs?: number;
}

interface Diff {
  firstId: number;
  lastId: number;
  /** Futures: the previous diff's last id; NaN on spot. */
  previousId: number;
  t: number;
  lt: number;
  line: number;
  /** Levels as flat `price, size` pairs (NaN where the text was not a number: an error when applied). */
  bids: number[];
  asks: number[];
  /** The line's message, to name a bad level in the words of the file. */
  json: string;
}

/** What {@link scanDepthUpdate} read from a depth diff line. */
interface ScannedDiff {
  stream: string;
  symbol: string | null;
  e: string | null;
  E: number;
  T: number;
  U: number;
  u: number;
  pu: number;
  hasPu: boolean;
  hasU: boolean;
  hasLastU: boolean;
  b: number[] | null;
  a: number[] | null;
}

const KNOWN = "depthUpdate (depth@…), trade, aggTrade, bookTicker, markPriceUpdate, or a REST depth snapshot";

/**
 * Local receive time from the collector's prefix: ns (≥ 18 digits), µs (15–17) or ms (12–14) → ms.
 *
 * @example
 * ```ts
 * collectorTimeMs("1723075200123456789"); // 1723075200123.4568 (ns)
 * collectorTimeMs("1723075200123456"); // 1723075200123.456 (µs)
 * collectorTimeMs("1723075200123"); // 1723075200123 (ms)
 * collectorTimeMs("12345"); // NaN: too short to be a timestamp
 * ```
 */
export function collectorTimeMs(stamp: string): number {
  return stampMs(stamp, 0, stamp.length);
}

/**
 * {@link collectorTimeMs} of `text.slice(from, to)`, without slicing. Digits are summed exactly (each part is
 * below 2^53), so plain digit runs give exactly what `Number` of the slices gives; anything else takes the
 * `Number` way.
 */
function stampMs(text: string, from: number, to: number): number {
  const digits = to - from;
  if (digits < 12) return Number.NaN;
  const split = digits >= 18 ? 6 : digits >= 15 ? 3 : 0;
  let whole = 0;
  let fraction = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9 || digits > 19) return stampByNumber(text.slice(from, to));
    if (i < to - split) whole = whole * 10 + digit;
    else fraction = fraction * 10 + digit;
  }
  if (split === 6) return whole + fraction / 1e6;
  if (split === 3) return whole + fraction / 1e3;
  return whole;
}

function stampByNumber(stamp: string): number {
  const digits = stamp.length;
  if (digits >= 18) return Number(stamp.slice(0, -6)) + Number(stamp.slice(-6)) / 1e6;
  if (digits >= 15) return Number(stamp.slice(0, -3)) + Number(stamp.slice(-3)) / 1e3;
  return Number(stamp);
}

const toNumber = (value: unknown): number => (typeof value === "string" ? Number(value) : Number.NaN);

/**
 * Rebuilds Binance books from a collector capture, line by line: the REST snapshot plus the depth diffs after
 * it (USDⓈ-M: the first diff brackets the snapshot's `lastUpdateId` and each diff's `pu` is the previous `u`;
 * spot: each `U` is the previous `u` + 1). Diffs received before the snapshot are held and applied after it.
 * A broken sequence is a {@link ReadProblem} and a gap: nothing is emitted from the last good diff until the
 * next snapshot re-syncs the book, and then a `gap` event covers that time — a replay never trades on a book
 * known to be wrong. Every applied diff gives a full-depth book event (the venue's own tick, all levels);
 * trades (`trade`, or `aggTrade` when the file has no `trade` stream) give trades events. Anything else is an
 * error naming the file and line.
 *
 * @example
 * ```ts
 * const decoder = new BinanceCollectorDecoder({ file: "btcusdt_20240808.gz", coinOf: () => "BTC" });
 * const out: MarketEvent[] = [];
 * for (const [i, text] of lines.entries()) decoder.decode(text, i + 1, out);
 * decoder.finish(out); // a trailing gap when the book was broken at the end
 * ```
 */
export class BinanceCollectorDecoder {
  #file: string;
  readonly #coinOf: (symbol: string) => string;
  readonly #maxPending: number;
  readonly #expectedCoin: string | undefined;
  readonly #book = new DepthBook();
  readonly #problems: ReadProblem[] = [];
  readonly #counts: BinanceReadCounts = {
    depthUpdates: 0,
    depthApplied: 0,
    depthStale: 0,
    snapshots: 0,
    snapshotsUnused: 0,
    trades: 0,
    tradesWithoutBook: 0,
    ignored: 0,
    sequenceGaps: 0,
  };
  readonly #scanned: ScannedDiff = newScannedDiff();
  readonly #scannedTrade: ScannedTrade = newScannedTrade();
  #symbol: string | null = null;
  #coin = "";
  #futures: boolean | null = null;
  #synced = false;
  /** The snapshot's lastUpdateId until the first diff after it is applied; NaN after. */
  #snapshotId = Number.NaN;
  #lastId = Number.NaN;
  #pending: Diff[] = [];
  /** Local time the book was last known good, when it is broken (NaN while in sync or before any book). */
  #brokenSince = Number.NaN;
  #brokenReason = "";
  #lastTime = Number.NaN;
  #tradeKind: "trade" | "aggTrade" | null = null;

  constructor(options: BinanceDecoderOptions) {
    this.#file = options.file;
    this.#coinOf = options.coinOf ?? ((symbol) => symbol);
    this.#maxPending = options.maxPendingDiffs ?? 10_000;
    this.#expectedCoin = options.coin;
    this.#coin = options.coin ?? "";
  }

  /**
   * Goes on with the next file of the same capture (the collector starts a new file each day; the book carries
   * over, and the new file's first diff must continue the sequence).
   *
   * @example
   * ```ts
   * const decoder = new BinanceCollectorDecoder({ file: "btcusdt_20240808.gz", coinOf: () => "BTC" });
   * for (const [i, text] of day1.entries()) decoder.decode(text, i + 1, out);
   * decoder.continueWith("btcusdt_20240809.gz"); // errors now name the new file
   * for (const [i, text] of day2.entries()) decoder.decode(text, i + 1, out);
   * decoder.finish(out);
   * ```
   */
  continueWith(file: string): void {
    this.#file = file;
  }

  /** What was read so far. */
  get counts(): Readonly<BinanceReadCounts> {
    return this.#counts;
  }

  /** Sequence gaps and failed snapshots met so far, in file order. */
  get problems(): readonly ReadProblem[] {
    return this.#problems;
  }

  /** The venue symbol of the file (`BTCUSDT`), once a stream message named it. */
  get symbol(): string | null {
    return this.#symbol;
  }

  /** `usdm` or `spot`, once a depth diff or snapshot told them apart. */
  get market(): "usdm" | "spot" | null {
    return this.#futures === null ? null : this.#futures ? "usdm" : "spot";
  }

  /**
   * Reads one line (1-based `line`) and appends the events it gives to `out` (none, a book, a trade, or a gap
   * and a book at a re-sync).
   *
   * @throws RecordingError naming the file and line for a line that is not a collector message.
   */
  decode(text: string, line: number, out: MarketEvent[]): void {
    let json = text;
    let lt = Number.NaN;
    const first = text.charCodeAt(0);
    if (first >= 48 && first <= 57) {
      const space = text.indexOf(" ");
      if (space < 0) this.#fail(line, "a local timestamp with no message after it");
      lt = stampMs(text, 0, space);
      if (Number.isNaN(lt))
        this.#fail(line, `"${text.slice(0, space)}" is not a local timestamp in ns, µs or ms`);
      json = text.slice(space + 1);
    }
    // Fast paths for the bulk of a capture, byte for byte what the general path below would conclude; any
    // line they do not recognise exactly goes the general way.
    if (json.startsWith(STREAM_PREFIX)) {
      const streamEnd = json.indexOf('"', STREAM_PREFIX.length);
      if (
        streamEnd > 0 &&
        json.startsWith(BOOK_TICKER, streamEnd - BOOK_TICKER.length) &&
        json.startsWith(DATA_PREFIX, streamEnd) &&
        json.endsWith("}}")
      ) {
        this.#counts.ignored++;
        if (!Number.isNaN(lt)) this.#lastTime = lt;
        return;
      }
      const scanned = this.#scanned;
      if (scanDepthUpdate(json, scanned)) {
        const at = scanned.stream.indexOf("@");
        const stream = scanned.stream;
        this.#useSymbol(scanned.symbol ?? stream.slice(0, Math.max(at, 0)).toUpperCase(), line);
        this.#onDiff(
          scanned.U,
          scanned.u,
          scanned.hasPu,
          scanned.pu,
          Number.isNaN(scanned.T) ? scanned.E : scanned.T,
          Number.isNaN(lt) ? scanned.E : lt,
          line,
          scanned.b!,
          scanned.a!,
          json,
          out,
        );
        if (!Number.isNaN(lt)) this.#lastTime = lt;
        return;
      }
      const trade = this.#scannedTrade;
      if (scanTrade(json, trade)) {
        const stream = trade.stream;
        const at = stream.indexOf("@");
        this.#useSymbol(trade.symbol ?? stream.slice(0, Math.max(at, 0)).toUpperCase(), line);
        this.#onTradeValues(
          trade.kind,
          trade.x,
          trade.p,
          trade.q,
          trade.m,
          Number.isNaN(trade.T) ? trade.E : trade.T,
          trade.kind === "trade" ? trade.t : trade.a,
          Number.isNaN(lt) ? trade.E : lt,
          out,
        );
        if (!Number.isNaN(lt)) this.#lastTime = lt;
        return;
      }
    }
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(json);
    } catch (error) {
      this.#fail(line, `not a collector line \`<local time> <JSON message>\` (${(error as Error).message})`);
    }
    if (message === null || typeof message !== "object") this.#fail(line, "expected a JSON object");
    const data = message.data as Record<string, unknown> | undefined;
    if (typeof message.stream === "string" && data !== null && typeof data === "object") {
      this.#onStream(message.stream, data, lt, line, json, out);
    } else if ("lastUpdateId" in message && Array.isArray(message.bids) && Array.isArray(message.asks)) {
      this.#onSnapshot(message, lt, line, out);
    } else if ("code" in message && "msg" in message) {
      this.#problem(
        line,
        "snapshot-failed",
        `the REST snapshot request failed: ${message.code} ${message.msg}`,
      );
    } else {
      this.#fail(line, `unrecognised message (expected ${KNOWN}): ${json.slice(0, 120)}`);
    }
    if (!Number.isNaN(lt)) this.#lastTime = lt;
  }

  /** Ends the file: a book still broken gets its gap, up to the last line's time. */
  finish(out: MarketEvent[]): void {
    if (!this.#synced && !Number.isNaN(this.#brokenSince)) {
      out.push(
        this.#gap(
          this.#brokenSince,
          Math.max(this.#lastTime, this.#brokenSince),
          `${this.#brokenReason}; no snapshot re-synced the book before the file ended`,
        ),
      );
      this.#brokenSince = Number.NaN;
    }
    if (this.#counts.snapshots === 0 && this.#counts.depthUpdates > 0) {
      this.#problem(
        0,
        "no-snapshot",
        "no REST depth snapshot in the file: its depth diffs cannot be rebuilt into a book (a capture that continues the previous day's file needs that file read first)",
      );
    }
  }

  #onStream(
    stream: string,
    data: Record<string, unknown>,
    lt: number,
    line: number,
    json: string,
    out: MarketEvent[],
  ): void {
    const at = stream.indexOf("@");
    const kind = at < 0 ? "" : stream.slice(at + 1);
    const symbol = typeof data.s === "string" ? data.s : stream.slice(0, Math.max(at, 0)).toUpperCase();
    if (kind.startsWith("depth") && data.e === "depthUpdate") {
      this.#useSymbol(symbol, line);
      const bids = data.b;
      const asks = data.a;
      const firstId = Number(data.U);
      const lastId = Number(data.u);
      if (
        !Array.isArray(bids) ||
        !Array.isArray(asks) ||
        !Number.isFinite(firstId) ||
        !Number.isFinite(lastId)
      ) {
        this.#fail(line, "a depthUpdate needs U, u, b and a");
      }
      const futures = data.pu !== undefined;
      this.#onDiff(
        firstId,
        lastId,
        futures,
        futures ? Number(data.pu) : Number.NaN,
        Number(data.T ?? data.E),
        Number.isNaN(lt) ? Number(data.E) : lt,
        line,
        flatLevels(bids),
        flatLevels(asks),
        json,
        out,
      );
      return;
    }
    if (kind === "trade" || kind === "aggTrade") {
      this.#useSymbol(symbol, line);
      this.#onTrade(kind, data, Number.isNaN(lt) ? Number(data.E) : lt, line, out);
      return;
    }
    if (kind === "bookTicker" || kind.startsWith("markPrice")) {
      this.#counts.ignored++;
      return;
    }
    this.#fail(line, `unrecognised stream "${stream}" (expected ${KNOWN})`);
  }

  #useSymbol(symbol: string, line: number): void {
    if (this.#symbol === symbol) return;
    if (this.#symbol !== null) {
      this.#fail(
        line,
        `symbol ${symbol} after ${this.#symbol}: a collector file holds one symbol (its REST snapshots do not name it)`,
      );
    }
    const coin = this.#coinOf(symbol);
    if (this.#expectedCoin !== undefined && coin !== this.#expectedCoin) {
      this.#fail(
        line,
        `the capture is of ${symbol} (${coin}), not ${this.#expectedCoin}: pick it with --symbol ${symbol}`,
      );
    }
    this.#symbol = symbol;
    this.#coin = coin;
  }

  #onDiff(
    firstId: number,
    lastId: number,
    futures: boolean,
    previousId: number,
    t: number,
    lt: number,
    line: number,
    bids: number[],
    asks: number[],
    json: string,
    out: MarketEvent[],
  ): void {
    this.#counts.depthUpdates++;
    this.#futures ??= futures;
    if (!Number.isFinite(firstId) || !Number.isFinite(lastId)) {
      this.#fail(line, "a depthUpdate needs U, u, b and a");
    }
    const diff: Diff = {
      firstId,
      lastId,
      previousId: futures ? previousId : Number.NaN,
      t,
      lt,
      line,
      bids,
      asks,
      json,
    };
    if (!this.#synced) {
      this.#pending.push(diff);
      if (this.#pending.length > this.#maxPending) this.#pending.shift();
      return;
    }
    if (this.#apply(diff)) out.push(this.#bookEvent(diff.t, lt));
  }

  /** Applies a diff to the synced book; false when it was stale or broke the sequence (then the book is broken). */
  #apply(diff: Diff): boolean {
    const snapshotId = this.#snapshotId;
    if (!Number.isNaN(snapshotId)) {
      // The first diff after a snapshot: older ones are dropped, and the next must bracket the snapshot.
      if (this.#futures ? diff.lastId < snapshotId : diff.lastId <= snapshotId) {
        this.#counts.depthStale++;
        return false;
      }
      const wanted = this.#futures ? snapshotId : snapshotId + 1;
      if (diff.firstId > wanted) {
        this.#break(
          diff,
          `depth diff U=${diff.firstId} starts after the snapshot's lastUpdateId ${snapshotId}: updates were missed`,
        );
        return false;
      }
      this.#snapshotId = Number.NaN;
    } else if (this.#futures ? diff.previousId !== this.#lastId : diff.firstId !== this.#lastId + 1) {
      this.#break(
        diff,
        this.#futures
          ? `depth sequence gap: pu=${diff.previousId}, but the previous diff ended at u=${this.#lastId}`
          : `depth sequence gap: U=${diff.firstId}, but the previous diff ended at u=${this.#lastId}`,
      );
      return false;
    }
    this.#setDiffLevels("bid", diff);
    this.#setDiffLevels("ask", diff);
    this.#lastId = diff.lastId;
    this.#counts.depthApplied++;
    return true;
  }

  #setDiffLevels(side: "bid" | "ask", diff: Diff): void {
    const book = this.#book;
    const levels = side === "bid" ? diff.bids : diff.asks;
    for (let i = 0; i < levels.length; i += 2) {
      const price = levels[i]!;
      const size = levels[i + 1]!;
      if (!(price > 0) || !(size >= 0)) {
        // Named as the file writes it: the line's own level text.
        const data = (JSON.parse(diff.json) as { data: Record<string, unknown> }).data;
        const level = (data[side === "bid" ? "b" : "a"] as unknown[])[i / 2];
        this.#fail(
          diff.line,
          `${side === "bid" ? "b" : "a"}[${i / 2}] must be ["price > 0", "size ≥ 0"], got ${JSON.stringify(level)}`,
        );
      }
      book.set(side, price, size);
    }
  }

  #setLevels(side: "bid" | "ask", levels: string[][], line: number): void {
    const book = this.#book;
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i]!;
      const price = toNumber(level[0]);
      const size = toNumber(level[1]);
      if (!(price > 0) || !(size >= 0)) {
        this.#fail(
          line,
          `${side === "bid" ? "b" : "a"}[${i}] must be ["price > 0", "size ≥ 0"], got ${JSON.stringify(level)}`,
        );
      }
      book.set(side, price, size);
    }
  }

  #break(diff: Diff, message: string): void {
    this.#counts.sequenceGaps++;
    this.#problem(diff.line, "sequence-gap", message);
    this.#synced = false;
    this.#pending = [];
    this.#brokenSince = this.#lastGoodTime;
    this.#brokenReason = `line ${diff.line}: ${message}`;
  }

  #lastGoodTime = Number.NaN;

  #onSnapshot(message: Record<string, unknown>, lt: number, line: number, out: MarketEvent[]): void {
    this.#counts.snapshots++;
    this.#futures ??= message.T !== undefined;
    if (this.#synced) {
      this.#counts.snapshotsUnused++;
      return;
    }
    const snapshotId = Number(message.lastUpdateId);
    if (!Number.isFinite(snapshotId)) this.#fail(line, "a depth snapshot needs a numeric lastUpdateId");
    const time = Number.isNaN(lt) ? Number(message.E ?? message.T) : lt;
    this.#book.clear();
    this.#setLevels("bid", message.bids as string[][], line);
    this.#setLevels("ask", message.asks as string[][], line);
    this.#synced = true;
    this.#snapshotId = snapshotId;
    this.#lastId = snapshotId;
    const pending = this.#pending;
    this.#pending = [];
    let t = Number(message.T ?? message.E ?? time);
    for (const diff of pending) {
      if (!this.#synced) break;
      if (this.#apply(diff)) t = diff.t;
    }
    if (!this.#synced) return; // a held diff broke the sequence: wait for the next snapshot
    if (!Number.isNaN(this.#brokenSince)) {
      out.push(this.#gap(this.#brokenSince, time, this.#brokenReason));
      this.#brokenSince = Number.NaN;
    }
    out.push(this.#bookEvent(t, time));
  }

  #onTrade(
    kind: "trade" | "aggTrade",
    data: Record<string, unknown>,
    lt: number,
    line: number,
    out: MarketEvent[],
  ): void {
    this.#tradeKind ??= kind;
    if (kind !== this.#tradeKind) {
      this.#counts.ignored++; // both streams recorded: the same trades twice
      return;
    }
    if (data.X !== undefined && data.X !== "MARKET") {
      this.#counts.ignored++; // insurance-fund and ADL prints are not order-book trades
      return;
    }
    const px = toNumber(data.p);
    const sz = toNumber(data.q);
    if (!(px > 0) || !(sz > 0) || typeof data.m !== "boolean") {
      this.#fail(
        line,
        `a ${kind} needs p > 0, q > 0 and m (buyer is maker), got ${JSON.stringify(data).slice(0, 160)}`,
      );
    }
    this.#counted(
      px,
      sz,
      data.m as boolean,
      Number(data.T ?? data.E),
      (kind === "trade" ? data.t : data.a) as number,
      lt,
      out,
    );
  }

  /**
   * {@link BinanceCollectorDecoder.#onTrade} of a trade the scanner read (`scanTrade` took only a valid one:
   * p > 0, q > 0, m a boolean, X a string or absent).
   */
  #onTradeValues(
    kind: "trade" | "aggTrade",
    x: string | null,
    px: number,
    sz: number,
    m: boolean,
    t: number,
    tid: number,
    lt: number,
    out: MarketEvent[],
  ): void {
    this.#tradeKind ??= kind;
    if (kind !== this.#tradeKind) {
      this.#counts.ignored++;
      return;
    }
    if (x !== null && x !== "MARKET") {
      this.#counts.ignored++;
      return;
    }
    this.#counted(px, sz, m, t, tid, lt, out);
  }

  #counted(px: number, sz: number, m: boolean, t: number, tid: number, lt: number, out: MarketEvent[]): void {
    this.#counts.trades++;
    if (!this.#synced) {
      this.#counts.tradesWithoutBook++;
      return;
    }
    const trade: RecordedTrade = {
      t,
      px,
      sz,
      // The buyer was the maker: the seller hit the bid.
      side: m ? "A" : "B",
      tid,
    };
    const event: TradesEvent = { type: "trades", coin: this.#coin, lt, trades: [trade] };
    out.push(event);
  }

  #bookEvent(t: number, lt: number): BookEvent {
    this.#lastGoodTime = lt;
    return snapshotBookEvent(this.#coin, t, lt, this.#book.snapshot());
  }

  #gap(from: number, to: number, reason: string): GapEvent {
    return { type: "gap", coin: this.#coin, from, to, reason };
  }

  #problem(line: number, kind: ReadProblem["kind"], message: string): void {
    this.#problems.push({ file: this.#file, line, kind, message });
  }

  #fail(line: number, message: string): never {
    throw new RecordingError("INVALID_CAPTURE", this.#file, line, message);
  }
}

const STREAM_PREFIX = '{"stream":"';
const BOOK_TICKER = "@bookTicker";
const DATA_PREFIX = '","data":{';

/** Diff levels (`[["price", "size"], …]`) as flat numbers; NaN where a value is not a string. */
function flatLevels(levels: unknown[]): number[] {
  const flat: number[] = new Array(levels.length * 2);
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as unknown[] | null | undefined;
    flat[2 * i] = toNumber(level?.[0]);
    flat[2 * i + 1] = toNumber(level?.[1]);
  }
  return flat;
}

function newScannedDiff(): ScannedDiff {
  return {
    stream: "",
    symbol: null,
    e: null,
    E: Number.NaN,
    T: Number.NaN,
    U: Number.NaN,
    u: Number.NaN,
    pu: Number.NaN,
    hasPu: false,
    hasU: false,
    hasLastU: false,
    b: null,
    a: null,
  };
}

/** End of a JSON string starting after its opening quote at `from`, or -1 (an escape: leave it to JSON.parse). */
function stringEnd(json: string, from: number): number {
  for (let i = from; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code === 34) return i;
    if (code === 92) return -1;
  }
  return -1;
}

/** Reads `[["p","q"],…]` at `at` into `into`; the index after `]`, or -1. */
function scanLevels(json: string, at: number, into: number[]): number {
  if (json.charCodeAt(at) !== 91) return -1;
  let i = at + 1;
  if (json.charCodeAt(i) === 93) return i + 1;
  for (;;) {
    if (json.charCodeAt(i) !== 91 || json.charCodeAt(i + 1) !== 34) return -1;
    const priceEnd = stringEnd(json, i + 2);
    if (priceEnd < 0 || json.charCodeAt(priceEnd + 1) !== 44 || json.charCodeAt(priceEnd + 2) !== 34)
      return -1;
    const sizeEnd = stringEnd(json, priceEnd + 3);
    if (sizeEnd < 0 || json.charCodeAt(sizeEnd + 1) !== 93) return -1;
    into.push(parseDecimal(json, i + 2, priceEnd), parseDecimal(json, priceEnd + 3, sizeEnd));
    i = sizeEnd + 2;
    const next = json.charCodeAt(i);
    if (next === 93) return i + 1;
    if (next !== 44) return -1;
    i++;
  }
}

/** Reads a JSON number at `at` (digits or `-` first); its end, or -1. */
function numberEnd(json: string, at: number): number {
  const first = json.charCodeAt(at);
  if (!((first >= 48 && first <= 57) || first === 45)) return -1;
  let i = at + 1;
  for (; i < json.length; i++) {
    const code = json.charCodeAt(i);
    if (code === 44 || code === 125) return i;
  }
  return -1;
}

/**
 * Reads a `{"stream":"…@depth…","data":{"e":"depthUpdate",…}}` frame without JSON.parse: keys e, E, T, s, U,
 * u, pu, b and a in any order, strings without escapes, nothing else. False for anything else (the caller
 * then parses the line as JSON), so what it accepts reads exactly as JSON.parse would.
 */
function scanDepthUpdate(json: string, out: ScannedDiff): boolean {
  const streamEnd = stringEnd(json, STREAM_PREFIX.length);
  if (streamEnd < 0 || !json.startsWith(DATA_PREFIX, streamEnd)) return false;
  const stream = json.slice(STREAM_PREFIX.length, streamEnd);
  const at = stream.indexOf("@");
  if (at < 0 || !stream.startsWith("depth", at + 1)) return false;
  out.stream = stream;
  out.symbol = null;
  out.e = null;
  out.E = out.T = out.U = out.u = out.pu = Number.NaN;
  out.hasPu = out.hasU = out.hasLastU = false;
  out.b = out.a = null;
  let i = streamEnd + DATA_PREFIX.length;
  for (;;) {
    if (json.charCodeAt(i) !== 34) return false;
    const keyEnd = stringEnd(json, i + 1);
    if (keyEnd < 0 || json.charCodeAt(keyEnd + 1) !== 58) return false;
    const key = json.slice(i + 1, keyEnd);
    const value = keyEnd + 2;
    let end: number;
    if (key === "b" || key === "a") {
      if ((key === "b" ? out.b : out.a) !== null) return false;
      const levels: number[] = [];
      end = scanLevels(json, value, levels);
      if (key === "b") out.b = levels;
      else out.a = levels;
    } else if (key === "e" || key === "s") {
      if (json.charCodeAt(value) !== 34) return false;
      const close = stringEnd(json, value + 1);
      if (close < 0) return false;
      const text = json.slice(value + 1, close);
      if (key === "e") out.e = text;
      else out.symbol = text;
      end = close + 1;
    } else {
      end = numberEnd(json, value);
      if (end < 0) return false;
      const number = parseDecimal(json, value, end);
      if (key === "E") out.E = number;
      else if (key === "T") out.T = number;
      else if (key === "U") {
        out.U = number;
        out.hasU = true;
      } else if (key === "u") {
        out.u = number;
        out.hasLastU = true;
      } else if (key === "pu") {
        out.pu = number;
        out.hasPu = true;
      } else return false;
    }
    if (end < 0) return false;
    const next = json.charCodeAt(end);
    if (next === 44) {
      i = end + 1;
      continue;
    }
    if (next !== 125 || end + 2 !== json.length || json.charCodeAt(end + 1) !== 125) return false;
    break;
  }
  return out.e === "depthUpdate" && out.hasU && out.hasLastU && out.b !== null && out.a !== null;
}

/** What {@link scanTrade} read from a trade or aggTrade line. */
interface ScannedTrade {
  stream: string;
  kind: "trade" | "aggTrade";
  symbol: string | null;
  E: number;
  T: number;
  t: number;
  a: number;
  p: number;
  q: number;
  x: string | null;
  m: boolean;
  /** Keys seen (one bit each): a repeated key goes to JSON.parse, which keeps the last. */
  seen: number;
}

function newScannedTrade(): ScannedTrade {
  return {
    stream: "",
    kind: "trade",
    symbol: null,
    E: Number.NaN,
    T: Number.NaN,
    t: Number.NaN,
    a: Number.NaN,
    p: Number.NaN,
    q: Number.NaN,
    x: null,
    m: false,
    seen: 0,
  };
}

/** Keys a trade or aggTrade message may hold, and their bit in {@link ScannedTrade.seen}. */
const TRADE_KEYS: Record<string, number> = {
  e: 1,
  E: 2,
  T: 4,
  s: 8,
  t: 16,
  a: 32,
  f: 64,
  l: 128,
  p: 256,
  q: 512,
  X: 1024,
  m: 2048,
  M: 4096,
  b: 8192,
};

/**
 * Reads a `{"stream":"…@trade","data":{…}}` (or `@aggTrade`) frame without JSON.parse: the keys of
 * {@link TRADE_KEYS} once each, strings without escapes, numbers, `true` / `false`, nothing else. It takes only
 * a trade the general path would replay or skip without an error (`p` and `q` strings of numbers > 0, `m` a
 * boolean, `X` a string or absent, the id a number); false for anything else, which then goes through
 * JSON.parse — so what it accepts reads exactly as the general path would.
 */
function scanTrade(json: string, out: ScannedTrade): boolean {
  const streamEnd = stringEnd(json, STREAM_PREFIX.length);
  if (streamEnd < 0 || !json.startsWith(DATA_PREFIX, streamEnd)) return false;
  const stream = json.slice(STREAM_PREFIX.length, streamEnd);
  const at = stream.indexOf("@");
  if (at < 0) return false;
  const tail = stream.length - at - 1;
  const kind =
    tail === 5 && stream.endsWith("trade")
      ? "trade"
      : tail === 8 && stream.endsWith("aggTrade")
        ? "aggTrade"
        : null;
  if (kind === null) return false;
  out.stream = stream;
  out.kind = kind;
  out.symbol = null;
  out.E = out.T = out.t = out.a = out.p = out.q = Number.NaN;
  out.x = null;
  out.seen = 0;
  let m: boolean | null = null;
  let i = streamEnd + DATA_PREFIX.length;
  for (;;) {
    if (json.charCodeAt(i) !== 34) return false;
    const keyEnd = stringEnd(json, i + 1);
    if (keyEnd < 0 || json.charCodeAt(keyEnd + 1) !== 58) return false;
    const key = json.slice(i + 1, keyEnd);
    const bit = TRADE_KEYS[key];
    if (bit === undefined || (out.seen & bit) !== 0) return false;
    out.seen |= bit;
    const value = keyEnd + 2;
    const first = json.charCodeAt(value);
    let end: number;
    if (first === 34) {
      const close = stringEnd(json, value + 1);
      if (close < 0) return false;
      if (key === "p") out.p = parseDecimal(json, value + 1, close);
      else if (key === "q") out.q = parseDecimal(json, value + 1, close);
      else if (key === "s") out.symbol = json.slice(value + 1, close);
      else if (key === "X") out.x = json.slice(value + 1, close);
      else if (key !== "e") return false;
      end = close + 1;
    } else if (first === 116 || first === 102) {
      // true / false: only m and M are booleans.
      const truth = first === 116;
      end = value + (truth ? 4 : 5);
      if (!json.startsWith(truth ? "true" : "false", value)) return false;
      if (key === "m") m = truth;
      else if (key !== "M") return false;
    } else {
      end = numberEnd(json, value);
      if (end < 0) return false;
      const number = parseDecimal(json, value, end);
      if (key === "E") out.E = number;
      else if (key === "T") out.T = number;
      else if (key === "t") out.t = number;
      else if (key === "a") out.a = number;
      else if (key !== "f" && key !== "l" && key !== "b") return false;
    }
    const next = json.charCodeAt(end);
    if (next === 44) {
      i = end + 1;
      continue;
    }
    if (next !== 125 || end + 2 !== json.length || json.charCodeAt(end + 1) !== 125) return false;
    break;
  }
  if (m === null || !(out.p > 0) || !(out.q > 0)) return false;
  if ((out.seen & (kind === "trade" ? 16 : 32)) === 0) return false;
  // The venue time the general path reads: T, else E (both numbers here when present).
  if ((out.seen & 6) === 0) return false;
  out.m = m;
  return true;
}
