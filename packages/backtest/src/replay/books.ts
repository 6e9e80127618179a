import type { BookEvent, BookView, LevelView, RecordedLevel } from "./types.ts";

/** What is wrong with a book whose sides meet: `crossed` (best bid > best ask) or `locked` (equal). */
export type BookProblem = "crossed" | "locked";

/**
 * Whether a book's best prices are crossed (best bid above best ask) or locked (equal): a book no venue can
 * show, which a replay must not trade against (a stale level makes every quote look filled). Null for a sound
 * or one-sided book.
 *
 * @example
 * ```ts
 * bookProblem([[100, 1, 1]], [[101, 1, 1]]); // null
 * bookProblem([[101, 1, 1]], [[101, 1, 1]]); // "locked"
 * bookProblem([[102, 1, 1]], [[101, 1, 1]]); // "crossed"
 * ```
 */
export function bookProblem(
  bids: readonly (readonly number[])[],
  asks: readonly (readonly number[])[],
): BookProblem | null {
  if (bids.length === 0 || asks.length === 0) return null;
  const bestBid = bids[0]![0]!;
  const bestAsk = asks[0]![0]!;
  if (bestBid > bestAsk) return "crossed";
  if (bestBid === bestAsk) return "locked";
  return null;
}

/**
 * {@link bookProblem} of a book given as {@link BookView}s (a full-depth book's `view`): reads only the best prices.
 *
 * @example
 * ```ts
 * bookViewProblem(depthBook.snapshot()); // null, "crossed" or "locked"
 * ```
 */
export function bookViewProblem(view: BookView): BookProblem | null {
  if (view.bids.length === 0 || view.asks.length === 0) return null;
  const bestBid = view.bids.price(0);
  const bestAsk = view.asks.price(0);
  if (bestBid > bestAsk) return "crossed";
  if (bestBid === bestAsk) return "locked";
  return null;
}

/**
 * What is wrong with one side's levels, in words, or null: every price and size must be a finite number > 0,
 * and prices strictly ordered best first (bids falling, asks rising; a repeated price is out of order too).
 *
 * @example
 * ```ts
 * levelsProblem([[100, 1, 1], [99, 2, 1]], "bids"); // null
 * levelsProblem([[100, 1, 1], [101, 2, 1]], "bids"); // "bids[1] price 101 is not below bids[0] price 100 (…)"
 * levelsProblem([[100, 0, 1]], "asks"); // "asks[0] size must be > 0, got 0"
 * ```
 */
export function levelsProblem(levels: readonly (readonly number[])[], side: "bids" | "asks"): string | null {
  let previous = Number.NaN;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    const price = level[0]!;
    const size = level[1]!;
    if (!(price > 0) || !Number.isFinite(price)) return `${side}[${i}] price must be > 0, got ${price}`;
    if (!(size > 0) || !Number.isFinite(size)) return `${side}[${i}] size must be > 0, got ${size}`;
    if (i > 0 && (side === "bids" ? price >= previous : price <= previous)) {
      return `${side}[${i}] price ${price} is not ${side === "bids" ? "below" : "above"} ${side}[${i - 1}] price ${previous} (levels must be sorted best first)`;
    }
    previous = price;
  }
  return null;
}

/**
 * The fewest decimals that write every price of a book exactly: the tick a decimal-tick venue (Binance,
 * Bybit, …) quotes on, seen from its own book (`10 ** -decimals`). Prices are read to 10 significant digits,
 * so binary noise (`0.30000000000000004`) does not count.
 *
 * @example
 * ```ts
 * priceDecimals([[61837.63, 1, 0], [61837.5, 2, 0]]); // 2
 * priceDecimals([[61800.2, 1, 0]]); // 1
 * ```
 */
export function priceDecimals(levels: readonly (readonly number[])[]): number {
  let decimals = 0;
  for (let i = 0; i < levels.length; i++) {
    const text = String(Number(levels[i]![0]!.toPrecision(10)));
    const dot = text.indexOf(".");
    if (dot >= 0 && text.length - dot - 1 > decimals) decimals = text.length - dot - 1;
  }
  return decimals;
}

/** Levels of a chunk: between {@link CHUNK_LEVELS} / 2 and 2 × {@link CHUNK_LEVELS} once split. */
const CHUNK_LEVELS = 64;

/**
 * A run of consecutive levels of one side, worst first. Shared by every snapshot taken while it was current:
 * `version` is the book's version when it was made, and a chunk of an older version is copied before a change.
 */
interface Chunk {
  prices: number[];
  sizes: number[];
  version: number;
}

/** One side of a {@link DepthBook}: its chunks worst first (bids rising, asks falling). */
interface Side {
  rising: boolean;
  chunks: Chunk[];
  /** The book's version when `chunks` (the array) was made; an older array is copied before a change. */
  version: number;
  count: number;
}

/**
 * A {@link LevelView} over levels held best first in an array (`[price, size, …]` tuples): what the replay
 * engine wraps the books of readers that emit arrays in. `levels` may be replaced to view another book.
 *
 * @example
 * ```ts
 * const view = new ArrayLevelView([[100, 1, 1], [99, 2, 1]]);
 * view.price(1); // 99
 * ```
 */
export class ArrayLevelView implements LevelView {
  levels: readonly (readonly number[])[];

  constructor(levels: readonly (readonly number[])[] = []) {
    this.levels = levels;
  }

  get length(): number {
    return this.levels.length;
  }

  price(i: number): number {
    return this.levels[i]![0]!;
  }

  /**
   * The size at level `i` (0 = best).
   *
   * @example
   * ```ts
   * new ArrayLevelView([[100, 1, 1], [99, 2, 1]]).size(1); // 2
   * ```
   */
  size(i: number): number {
    return this.levels[i]![1]!;
  }
}

/** A frozen side of a {@link DepthBook}: its chunks as they were when the snapshot was taken. */
class SideSnapshot implements LevelView {
  readonly #chunks: readonly Chunk[];
  readonly length: number;
  // The chunk the last index fell in, from the best end: most reads walk down from the best level.
  #cursorChunk: number;
  #cursorFirst = 0;

  constructor(chunks: readonly Chunk[], count: number) {
    this.#chunks = chunks;
    this.length = count;
    this.#cursorChunk = chunks.length - 1;
  }

  price(i: number): number {
    const chunk = this.#locate(i);
    return chunk.prices[chunk.prices.length - 1 - (i - this.#cursorFirst)]!;
  }

  size(i: number): number {
    const chunk = this.#locate(i);
    return chunk.sizes[chunk.sizes.length - 1 - (i - this.#cursorFirst)]!;
  }

  /** The chunk holding best-first index `i`; sets the cursor to it (its first best-first index). */
  #locate(i: number): Chunk {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`level ${i} of ${this.length}`);
    const chunks = this.#chunks;
    let k = this.#cursorChunk;
    let first = this.#cursorFirst;
    if (i < first) {
      k = chunks.length - 1;
      first = 0;
    }
    while (i - first >= chunks[k]!.prices.length) {
      first += chunks[k]!.prices.length;
      k--;
    }
    this.#cursorChunk = k;
    this.#cursorFirst = first;
    return chunks[k]!;
  }

  /** The levels best first, as new `[price, size, 0]` tuples. */
  toLevels(): RecordedLevel[] {
    const out: RecordedLevel[] = new Array(this.length);
    let at = 0;
    const chunks = this.#chunks;
    for (let k = chunks.length - 1; k >= 0; k--) {
      const { prices, sizes } = chunks[k]!;
      for (let j = prices.length - 1; j >= 0; j--) out[at++] = [prices[j]!, sizes[j]!, 0];
    }
    return out;
  }
}

/** A snapshot of a {@link DepthBook}: never changes, whatever the book does afterwards. */
export interface DepthSnapshot extends BookView {
  /** The bids, best (highest) first, as a new array of `[price, size, 0]` tuples. */
  bidLevels(): RecordedLevel[];
  /** The asks, best (lowest) first, as a new array. */
  askLevels(): RecordedLevel[];
}

/**
 * A book event whose `bids` / `asks` arrays are built only when read (once), from a snapshot that never
 * changes; consumers that can read `view` (the replay engine, the book check) never build them. `bids`, `asks`
 * and `view` are accessors of the class, not own properties: a spread or `JSON.stringify` of the event would
 * miss them (`toJSON` gives the plain event).
 */
class SnapshotBookEvent implements BookEvent {
  readonly type = "book" as const;
  coin: string;
  t: number;
  lt: number;
  #snapshot: DepthSnapshot | undefined;
  #bids: RecordedLevel[] | undefined = undefined;
  #asks: RecordedLevel[] | undefined = undefined;

  constructor(coin: string, t: number, lt: number, snapshot: DepthSnapshot) {
    this.coin = coin;
    this.t = t;
    this.lt = lt;
    this.#snapshot = snapshot;
  }

  get view(): BookView | undefined {
    return this.#snapshot;
  }

  get bids(): RecordedLevel[] {
    this.#bids ??= this.#snapshot!.bidLevels();
    return this.#bids;
  }

  set bids(levels: RecordedLevel[]) {
    this.#materialise();
    this.#bids = levels;
  }

  get asks(): RecordedLevel[] {
    this.#asks ??= this.#snapshot!.askLevels();
    return this.#asks;
  }

  set asks(levels: RecordedLevel[]) {
    this.#materialise();
    this.#asks = levels;
  }

  toJSON(): BookEvent {
    return { type: "book", coin: this.coin, t: this.t, lt: this.lt, bids: this.bids, asks: this.asks };
  }

  /** Levels are written over: build both arrays, and the snapshot no longer describes them. */
  #materialise(): void {
    void this.bids;
    void this.asks;
    this.#snapshot = undefined;
  }
}

/**
 * A book event over a {@link DepthBook.snapshot}: `view` reads its levels in place, `bids` / `asks` are built
 * only when read (once). They are accessors, not own properties: compare such events through their fields
 * (a spread would miss them).
 *
 * @example
 * ```ts
 * const event = snapshotBookEvent("BTC", t, lt, depthBook.snapshot());
 * event.view?.bids.price(0); // the best bid, no array built
 * event.bids[0]; // [price, size, 0]: built now
 * ```
 */
export function snapshotBookEvent(coin: string, t: number, lt: number, snapshot: DepthSnapshot): BookEvent {
  return new SnapshotBookEvent(coin, t, lt, snapshot);
}

/**
 * A full-depth L2 book rebuilt from a snapshot and diffs (Binance depth streams, Tardis incremental_book_L2):
 * every level the venue sent is kept, at the venue's own tick, so an own order behind the top levels joins
 * behind the size really there. {@link DepthBook.snapshot} freezes the book as it is in O(depth / 64): later
 * changes copy the few chunks of levels they touch instead of the snapshot copying every level, so a book of
 * thousands of levels can be emitted at every diff. {@link DepthBook.bids} / {@link DepthBook.asks} return new
 * arrays each time.
 *
 * @example
 * ```ts
 * const book = new DepthBook();
 * book.replace([[100, 1]], [[101, 2]]);
 * const before = book.snapshot();
 * book.set("bid", 100.5, 3); // a new best bid
 * book.set("ask", 101, 0); // level removed
 * book.bids(); // [[100.5, 3, 0], [100, 1, 0]]
 * before.bids.price(0); // 100: a snapshot never changes
 * ```
 */
export class DepthBook {
  // Held worst first, so the many changes near the top insert and delete near the end of the last chunk.
  #bids: Side = newSide(true, 0);
  #asks: Side = newSide(false, 0);
  /** Incremented by every snapshot: chunks and chunk arrays of an older version may be shared with one. */
  #version = 0;

  /** Levels per side now held. */
  get depth(): { bids: number; asks: number } {
    return { bids: this.#bids.count, asks: this.#asks.count };
  }

  /**
   * Forgets every level.
   *
   * @example
   * ```ts
   * book.clear();
   * book.depth; // { bids: 0, asks: 0 }
   * ```
   */
  clear(): void {
    this.#bids = newSide(true, this.#version);
    this.#asks = newSide(false, this.#version);
  }

  /** Replaces the book with a snapshot (`[price, size]` pairs in any order; size 0 entries are dropped). */
  replace(bids: readonly (readonly number[])[], asks: readonly (readonly number[])[]): void {
    this.clear();
    for (const [price, size] of bids) this.set("bid", price!, size!);
    for (const [price, size] of asks) this.set("ask", price!, size!);
  }

  /** Sets the size at a price (0 removes the level). */
  set(side: "bid" | "ask", price: number, size: number): void {
    const book = side === "bid" ? this.#bids : this.#asks;
    const rising = book.rising;
    let chunks = book.chunks;
    if (chunks.length === 0) {
      if (!(size > 0)) return;
      chunks = this.#writableChunks(book);
      chunks.push({ prices: [price], sizes: [size], version: this.#version });
      book.count = 1;
      return;
    }
    // The first chunk whose last (best) price is at or beyond `price`; the last chunk when none is.
    let k = chunks.length - 1;
    const lastOfLast = chunks[k]!.prices[chunks[k]!.prices.length - 1]!;
    if (rising ? lastOfLast > price : lastOfLast < price) {
      let lo = 0;
      let hi = chunks.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const prices = chunks[mid]!.prices;
        const last = prices[prices.length - 1]!;
        if (rising ? last < price : last > price) lo = mid + 1;
        else hi = mid;
      }
      k = lo;
    }
    const at = search(chunks[k]!.prices, price, rising);
    if (at >= 0) {
      const chunk = this.#writableChunk(book, k);
      if (size > 0) {
        chunk.sizes[at] = size;
        return;
      }
      book.count--;
      if (chunk.prices.length === 1) {
        this.#writableChunks(book).splice(k, 1);
        return;
      }
      if (at === chunk.prices.length - 1) {
        chunk.prices.pop();
        chunk.sizes.pop();
      } else {
        chunk.prices.splice(at, 1);
        chunk.sizes.splice(at, 1);
      }
      return;
    }
    if (!(size > 0)) return;
    const index = -at - 1;
    const chunk = this.#writableChunk(book, k);
    if (index === chunk.prices.length) {
      chunk.prices.push(price);
      chunk.sizes.push(size);
    } else {
      chunk.prices.splice(index, 0, price);
      chunk.sizes.splice(index, 0, size);
    }
    book.count++;
    if (chunk.prices.length >= 2 * CHUNK_LEVELS) {
      const half = chunk.prices.length >>> 1;
      const upper: Chunk = {
        prices: chunk.prices.splice(half),
        sizes: chunk.sizes.splice(half),
        version: this.#version,
      };
      this.#writableChunks(book).splice(k + 1, 0, upper);
    }
  }

  /**
   * Freezes the book as it is now: the snapshot's views and arrays never change afterwards.
   *
   * @example
   * ```ts
   * const frozen = book.snapshot();
   * frozen.bids.price(0); // the best bid now
   * frozen.bidLevels(); // [[price, size, 0], …] best first
   * ```
   */
  snapshot(): DepthSnapshot {
    const bids = new SideSnapshot(this.#bids.chunks, this.#bids.count);
    const asks = new SideSnapshot(this.#asks.chunks, this.#asks.count);
    this.#version++;
    return { bids, asks, bidLevels: () => bids.toLevels(), askLevels: () => asks.toLevels() };
  }

  /** The bids, best (highest) first: a new array. */
  bids(): RecordedLevel[] {
    return new SideSnapshot(this.#bids.chunks, this.#bids.count).toLevels();
  }

  /**
   * The asks, best (lowest) first: a new array.
   *
   * @example
   * ```ts
   * const book = new DepthBook();
   * book.replace([], [[102, 1], [101, 2]]);
   * book.asks(); // [[101, 2, 0], [102, 1, 0]]
   * ```
   */
  asks(): RecordedLevel[] {
    return new SideSnapshot(this.#asks.chunks, this.#asks.count).toLevels();
  }

  /** The side's chunk array, copied first when a snapshot may hold it. */
  #writableChunks(side: Side): Chunk[] {
    if (side.version !== this.#version) {
      side.chunks = side.chunks.slice();
      side.version = this.#version;
    }
    return side.chunks;
  }

  /** Chunk `k` of the side, copied first when a snapshot may hold it. */
  #writableChunk(side: Side, k: number): Chunk {
    const chunk = side.chunks[k]!;
    if (chunk.version === this.#version) return chunk;
    const copy: Chunk = { prices: chunk.prices.slice(), sizes: chunk.sizes.slice(), version: this.#version };
    this.#writableChunks(side)[k] = copy;
    return copy;
  }
}

function newSide(rising: boolean, version: number): Side {
  return { rising, chunks: [], version, count: 0 };
}

/** Index of `price` in prices held worst first (bids rising, asks falling), or -(insertion point) - 1. */
function search(prices: readonly number[], price: number, rising: boolean): number {
  let lo = 0;
  let hi = prices.length - 1;
  // Most changes are at the best end: look there first.
  if (hi >= 0) {
    const last = prices[hi]!;
    if (last === price) return hi;
    if (rising ? last < price : last > price) return -(hi + 1) - 1;
  }
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = prices[mid]!;
    if (at === price) return mid;
    if (rising ? at < price : at > price) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}
