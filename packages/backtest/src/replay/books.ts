import type { RecordedLevel } from "./types.ts";

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

/** Index of `price` in levels held worst first (bids rising, asks falling), or -(insertion point) - 1. */
function search(levels: RecordedLevel[], price: number, rising: boolean): number {
  let lo = 0;
  let hi = levels.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = levels[mid]![0];
    if (at === price) return mid;
    if (rising ? at < price : at > price) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

/** A copy of levels held worst first, best first. */
function bestFirst(levels: RecordedLevel[]): RecordedLevel[] {
  const n = levels.length;
  const copy: RecordedLevel[] = new Array(n);
  for (let i = 0; i < n; i++) copy[i] = levels[n - 1 - i]!;
  return copy;
}

/**
 * A full-depth L2 book rebuilt from a snapshot and diffs (Binance depth streams, Tardis incremental_book_L2):
 * every level the venue sent is kept, at the venue's own tick, so an own order behind the top levels joins
 * behind the size really there. {@link DepthBook.bids} / {@link DepthBook.asks} return new arrays each time,
 * so an emitted book never changes afterwards; levels are replaced, never mutated, so copies are shallow.
 *
 * @example
 * ```ts
 * const book = new DepthBook();
 * book.replace([[100, 1]], [[101, 2]]);
 * book.set("bid", 100.5, 3); // a new best bid
 * book.set("ask", 101, 0); // level removed
 * book.bids(); // [[100.5, 3, 0], [100, 1, 0]]
 * ```
 */
export class DepthBook {
  // Held worst first, so the many changes near the top insert and delete near the end of the arrays.
  #bids: RecordedLevel[] = [];
  #asks: RecordedLevel[] = [];

  /** Levels per side now held. */
  get depth(): { bids: number; asks: number } {
    return { bids: this.#bids.length, asks: this.#asks.length };
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
    this.#bids = [];
    this.#asks = [];
  }

  /** Replaces the book with a snapshot (`[price, size]` pairs in any order; size 0 entries are dropped). */
  replace(bids: readonly (readonly number[])[], asks: readonly (readonly number[])[]): void {
    this.clear();
    for (const [price, size] of bids) this.set("bid", price!, size!);
    for (const [price, size] of asks) this.set("ask", price!, size!);
  }

  /** Sets the size at a price (0 removes the level). */
  set(side: "bid" | "ask", price: number, size: number): void {
    const isBid = side === "bid";
    const levels = isBid ? this.#bids : this.#asks;
    const at = search(levels, price, isBid);
    if (at >= 0) {
      if (size > 0) levels[at] = [price, size, 0];
      else levels.splice(at, 1);
    } else if (size > 0) {
      const index = -at - 1;
      if (index === levels.length) levels.push([price, size, 0]);
      else levels.splice(index, 0, [price, size, 0]);
    }
  }

  /** The bids, best (highest) first: a new array. */
  bids(): RecordedLevel[] {
    return bestFirst(this.#bids);
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
    return bestFirst(this.#asks);
  }
}
