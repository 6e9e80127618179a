import { floorToLot, type Side } from "@botmm/core";

/**
 * How an own order's place in the queue at its price level is estimated (hftbacktest's models).
 * - `risk-averse`: only trades at the order's price advance it; a shrinking level can only cap the quantity
 *   ahead at the level's size.
 * - `probabilistic`: a level shrinking by more than its trades also advances the order, by the share of the
 *   cancelled quantity estimated to have been ahead: p = f(back)/(f(back)+f(front)), f(x) = x^power.
 */
export type QueueModel = { type: "risk-averse" } | { type: "probabilistic"; power: number };

/**
 * One side of a book, best first, read by index without building an array per book: what the replay's
 * full-depth books hand to {@link OrderQueue}.
 *
 * @example
 * ```ts
 * const levels = [[99, 10], [98, 20]] as const;
 * const bids: LevelView = { length: levels.length, price: (i) => levels[i]![0], size: (i) => levels[i]![1] };
 * new OrderQueue().add({ id: 1, side: "buy", price: 99, size: 1 }, bids, []); // joins behind the 10 at 99
 * ```
 */
export interface LevelView {
  readonly length: number;
  /** Price of the `i`-th level from the best (0: the best). */
  price(i: number): number;
  /** Size of the `i`-th level from the best. */
  size(i: number): number;
}

/** A price level as the queue reads it: price and displayed size first (a recorded level's order count is ignored). */
export type QueueLevel = readonly [price: number, size: number, ...rest: unknown[]];

/** One side of a book as the queue reads it, best first: levels in an array, or a {@link LevelView}. */
export type QueueLevels = readonly QueueLevel[] | LevelView;

/** How a queue fill came about: a trade at the order's price, a trade through it, or a book crossing it. */
export type QueueFillSource = "trade" | "trade-through" | "book-cross";

/** An own order joining the queue. */
export interface QueueOrderInput<Id> {
  id: Id;
  side: Side;
  price: number;
  size: number;
}

/** What the queue knows of a resting own order (a snapshot; the queue's own state is not exposed). */
export interface QueuedOrder<Id> {
  id: Id;
  side: Side;
  price: number;
  /** Size still resting (base units). */
  remaining: number;
  /** Estimated quantity ahead of it at its price (base units). */
  ahead: number;
}

/** A public trade as the queue reads it. `side` is the aggressor's: a `sell` hits bids, a `buy` lifts asks. */
export interface QueueTrade {
  side: Side;
  price: number;
  size: number;
}

/** A simulated fill of an own order, always at the order's price (maker). */
export interface QueueFill<Id> {
  id: Id;
  side: Side;
  price: number;
  size: number;
  /** Size left resting after this fill; 0 when the fill completed the order (it has left the queue). */
  remaining: number;
  source: QueueFillSource;
}

/** How an {@link OrderQueue} simulates. */
export interface OrderQueueOptions {
  /** The queue position model (default risk-averse: only trades at the order's price advance it). */
  model?: QueueModel;
  /**
   * Lot size: a partial fill is rounded down to it (a fill rounding to 0 does not happen) and a remainder
   * within a millionth of it completes the order. 0 or absent: no rounding.
   */
  lotStep?: number;
  /**
   * Whether {@link OrderQueue.onBook} fills an order fully when the opposite best reaches its price (a book
   * that could not exist with the order resting). The replay engine always does (default `true`); it is the
   * only fill signal of data without trades.
   */
  bookCrossFills?: boolean;
}

/** Relative price tolerance: prices within it are the same level. */
const PRICE_EPSILON = 1e-9;
/** Size tolerance when no lot step is given. */
const SIZE_EPSILON = 1e-9;

interface Resting<Id> {
  id: Id;
  isBid: boolean;
  price: number;
  remaining: number;
  /** Estimated quantity ahead in the queue (base units). */
  ahead: number;
  /** Displayed size at the order's price at the last book (own order not included). */
  levelQty: number;
  /** Traded at the order's price since the last book. */
  tradedSinceBook: number;
}

/**
 * The queue position and fill rules of the order-book replay, for own post-only orders resting on one
 * instrument, shared by the replay backtester and the live bot's paper venue. Pure and deterministic: no clock,
 * no I/O; the caller feeds books and trades in order and books the fills it returns.
 *
 * - An order joins behind the displayed size at its price (0 ahead at a price with no level).
 * - A book caps the quantity ahead at the level's new size; the probabilistic model also advances it when the
 *   level shrinks net of the trades seen since the last book, by the share p = f(back)/(f(back)+f(front)) of
 *   the cancelled quantity estimated to have been ahead, f(x) = x^power. A book whose opposite best reaches the
 *   order's price fills it fully (unless `bookCrossFills` is false).
 * - A trade through an order's price fills it up to the trade's size (orders priced best first); what is left
 *   of the trade at an order's price consumes the quantity ahead first, and the excess fills the order.
 *
 * @example
 * ```ts
 * const queue = new OrderQueue<number>({ model: { type: "risk-averse" } });
 * queue.add({ id: 1, side: "buy", price: 99, size: 1 }, [[99, 10]], [[101, 5]]); // 10 ahead
 * queue.onTrade({ side: "sell", price: 99, size: 5 }); // [] (5 ahead left)
 * queue.onBook([[99, 4]], [[101, 5]]); // [] (the level shrank: 4 ahead)
 * queue.onTrade({ side: "sell", price: 99, size: 4.4 }); // [{ id: 1, size: 0.4, remaining: 0.6, source: "trade", … }]
 * queue.get(1)?.ahead; // 0
 * queue.remove(1); // true
 * ```
 */
export class OrderQueue<Id = number> {
  readonly #power: number;
  readonly #lotStep: number;
  readonly #bookCrossFills: boolean;
  readonly #orders: Resting<Id>[] = [];

  constructor(options: OrderQueueOptions = {}) {
    const model = options.model ?? { type: "risk-averse" };
    this.#power = model.type === "probabilistic" ? model.power : 0;
    this.#lotStep = options.lotStep ?? 0;
    this.#bookCrossFills = options.bookCrossFills ?? true;
  }

  /**
   * Number of resting orders.
   *
   * @example
   * ```ts
   * if (queue.size > 0) queue.onBook(bids, asks); // skip the work while nothing rests
   * ```
   */
  get size(): number {
    return this.#orders.length;
  }

  /**
   * An order starts resting, behind the size displayed at its price in the book it arrives to (0 ahead at a
   * price with no level, or beyond the displayed depth). Checking that it does not cross is the caller's job.
   *
   * @example
   * ```ts
   * queue.add({ id: 7, side: "sell", price: 101, size: 2 }, book.bids, book.asks);
   * queue.get(7)?.ahead; // the displayed size at 101
   * ```
   */
  add(order: QueueOrderInput<Id>, bids: QueueLevels, asks: QueueLevels): void {
    const isBid = order.side === "buy";
    const levelQty = Math.max(displayedAt(isBid ? bids : asks, isBid, order.price), 0);
    this.#orders.push({
      id: order.id,
      isBid,
      price: order.price,
      remaining: order.size,
      ahead: levelQty,
      levelQty,
      tradedSinceBook: 0,
    });
  }

  /**
   * An order leaves the queue (cancelled, or replaced by a modify). Returns whether it was resting.
   *
   * @example
   * ```ts
   * queue.remove(7); // true; false when 7 had filled or was never added
   * ```
   */
  remove(id: Id): boolean {
    const orders = this.#orders;
    for (let i = 0; i < orders.length; i++) {
      if (orders[i]!.id !== id) continue;
      orders.splice(i, 1);
      return true;
    }
    return false;
  }

  /**
   * Drops every order (a data gap, a disconnect).
   *
   * @example
   * ```ts
   * queue.clear(); queue.size; // 0
   * ```
   */
  clear(): void {
    this.#orders.length = 0;
  }

  /**
   * Whether an order is resting.
   *
   * @example
   * ```ts
   * queue.has(7); // false once it filled or was removed
   * ```
   */
  has(id: Id): boolean {
    return this.#find(id) !== undefined;
  }

  /**
   * A snapshot of a resting order, or undefined.
   *
   * @example
   * ```ts
   * queue.get(7)?.ahead; // the estimated quantity ahead of order 7
   * ```
   */
  get(id: Id): QueuedOrder<Id> | undefined {
    const order = this.#find(id);
    return order === undefined ? undefined : snapshot(order);
  }

  /**
   * Snapshots of the resting orders, in arrival order.
   *
   * @example
   * ```ts
   * queue.orders().filter((order) => order.side === "buy").length; // resting bids
   * ```
   */
  orders(): QueuedOrder<Id>[] {
    return this.#orders.map(snapshot);
  }

  /**
   * A new book (best first on each side): fills the orders it crosses (when `bookCrossFills`), then moves the
   * others' queue positions per the model. A level beyond the displayed depth tells nothing.
   *
   * @example
   * ```ts
   * queue.onBook([[99, 4, 2]], [[101, 5, 1]]); // [] or the book-cross fills
   * ```
   */
  onBook(bids: QueueLevels, asks: QueueLevels): QueueFill<Id>[] {
    const fills: QueueFill<Id>[] = [];
    const orders = this.#orders;
    if (orders.length === 0) return fills;
    const bestBid = bids.length > 0 ? bestPrice(bids) : Number.NaN;
    const bestAsk = asks.length > 0 ? bestPrice(asks) : Number.NaN;
    const power = this.#power;
    for (let i = 0; i < orders.length; i++) {
      const order = orders[i]!;
      if (this.#bookCrossFills) {
        // A book whose opposite side reaches the order's price could not exist with the order resting: it was
        // taken. The only fill signal in data without trades.
        const crossed = order.isBid
          ? bestAsk <= order.price * (1 + PRICE_EPSILON)
          : bestBid >= order.price * (1 - PRICE_EPSILON);
        if (crossed) {
          this.#fill(order, order.remaining, "book-cross", fills);
          if (order.remaining <= 0) {
            i--;
            continue;
          }
        }
      }
      const newQty = displayedAt(order.isBid ? bids : asks, order.isBid, order.price);
      if (newQty < 0) continue; // beyond the displayed depth: nothing known
      if (power === 0) {
        if (order.ahead > newQty) order.ahead = newQty;
      } else {
        const change = order.levelQty - newQty - order.tradedSinceBook;
        if (change <= 0) {
          if (order.ahead > newQty) order.ahead = newQty;
        } else {
          const front = order.ahead;
          const back = Math.max(0, order.levelQty - front);
          const fBack = back ** power;
          const fFront = front ** power;
          const p = fBack + fFront > 0 ? fBack / (fBack + fFront) : 1;
          const estimate = front - (1 - p) * change + Math.min(back - p * change, 0);
          order.ahead = Math.max(0, Math.min(estimate, newQty));
        }
      }
      order.levelQty = newQty;
      order.tradedSinceBook = 0;
    }
    return fills;
  }

  /**
   * A public trade: orders it went through fill first (best priced first, up to the trade's size); what is left
   * at an order's price consumes the quantity ahead, and the excess fills the order.
   *
   * @example
   * ```ts
   * queue.onTrade({ side: "sell", price: 98.5, size: 3 }); // fills bids above 98.5 ("trade-through")
   * ```
   */
  onTrade(trade: QueueTrade): QueueFill<Id>[] {
    const fills: QueueFill<Id>[] = [];
    const orders = this.#orders;
    if (orders.length === 0) return fills;
    const hitsBids = trade.side === "sell";
    const px = trade.price;
    let left = trade.size;
    for (;;) {
      let best: Resting<Id> | null = null;
      for (let i = 0; i < orders.length; i++) {
        const order = orders[i]!;
        if (order.isBid !== hitsBids) continue;
        const through = hitsBids
          ? order.price > px * (1 + PRICE_EPSILON)
          : order.price < px * (1 - PRICE_EPSILON);
        if (!through) continue;
        if (best === null || (hitsBids ? order.price > best.price : order.price < best.price)) best = order;
      }
      if (best === null || left <= 0) break;
      const size = this.#fill(best, Math.min(best.remaining, left), "trade-through", fills);
      if (size <= 0) break;
      left -= size;
    }
    if (left <= 0) return fills;
    for (let i = 0; i < orders.length; i++) {
      const order = orders[i]!;
      if (order.isBid !== hitsBids || Math.abs(order.price - px) > px * PRICE_EPSILON) continue;
      order.tradedSinceBook += left;
      const excess = left - order.ahead;
      order.ahead = Math.max(0, order.ahead - left);
      if (excess > 0) {
        const size = this.#fill(order, Math.min(order.remaining, excess), "trade", fills);
        left -= size;
        if (order.remaining <= 0) i--;
      }
      if (left <= 0) break;
    }
    return fills;
  }

  #find(id: Id): Resting<Id> | undefined {
    const orders = this.#orders;
    for (let i = 0; i < orders.length; i++) if (orders[i]!.id === id) return orders[i];
    return undefined;
  }

  /** Fills `size` (rounded down to the lot unless it completes the order); returns the size filled. */
  #fill(order: Resting<Id>, size: number, source: QueueFillSource, fills: QueueFill<Id>[]): number {
    const step = this.#lotStep;
    const tolerance = step > 0 ? step * 1e-6 : SIZE_EPSILON;
    if (size < order.remaining - tolerance) {
      size = floorToLot(size, step);
      if (size <= (step > 0 ? 0 : tolerance)) return 0;
    } else size = order.remaining;
    order.remaining -= size;
    const done = order.remaining <= tolerance;
    if (done) {
      order.remaining = 0;
      const index = this.#orders.indexOf(order);
      if (index >= 0) this.#orders.splice(index, 1);
    }
    fills.push({
      id: order.id,
      side: order.isBid ? "buy" : "sell",
      price: order.price,
      size,
      remaining: order.remaining,
      source,
    });
    return size;
  }
}

function snapshot<Id>(order: Resting<Id>): QueuedOrder<Id> {
  return {
    id: order.id,
    side: order.isBid ? "buy" : "sell",
    price: order.price,
    remaining: order.remaining,
    ahead: order.ahead,
  };
}

/** The best price of a non-empty side. */
function bestPrice(levels: QueueLevels): number {
  return Array.isArray(levels) ? (levels as readonly QueueLevel[])[0]![0] : (levels as LevelView).price(0);
}

/**
 * Displayed size at `price` on one side (best first): the level's size; 0 when the price lies inside the
 * displayed range (or better than the best) but has no level; −1 when it lies beyond the displayed depth.
 */
function displayedAt(levels: QueueLevels, isBid: boolean, price: number): number {
  const tolerance = price * PRICE_EPSILON;
  if (Array.isArray(levels)) {
    const array = levels as readonly QueueLevel[];
    for (let i = 0; i < array.length; i++) {
      const levelPrice = array[i]![0];
      if (Math.abs(levelPrice - price) <= tolerance) return array[i]![1];
      if (isBid ? levelPrice < price : levelPrice > price) return 0;
    }
    return -1;
  }
  const view = levels as LevelView;
  const n = view.length;
  for (let i = 0; i < n; i++) {
    const levelPrice = view.price(i);
    if (Math.abs(levelPrice - price) <= tolerance) return view.size(i);
    if (isBid ? levelPrice < price : levelPrice > price) return 0;
  }
  return -1;
}
