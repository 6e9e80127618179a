/** Options of {@link SimBook}. */
export interface SimBookOptions<O> {
  /** Size of a resting order still to fill, in the book's size unit. */
  remaining(order: O): number;
  /** A size at or below this is nothing left (0 for integer lots; 1e-12 for float quantities). Default 0. */
  epsilon?: number;
}

/** One aggregated level: price key, size (background plus resting orders) and how many orders make it. */
export interface SimBookLevel {
  price: number;
  size: number;
  /** Resting orders, plus one for the background size when there is any (like one maker's quote). */
  n: number;
}

/** Where a removed order stood, to put it back exactly there with {@link SimBook.restore}. */
export interface SimBookSlot {
  index: number;
  ahead: number;
}

/** An aggressing order as {@link SimBook.match} runs it; the callbacks book the trades. */
export interface SimTaker<O> {
  isBuy: boolean;
  /** Worst price key it trades at; `null`: any. */
  limit: number | null;
  /** Size it still wants. */
  remaining(): number;
  /** A trade of `size` at `price` against background liquidity. */
  onBackground(price: number, size: number): void;
  /**
   * A trade of `size` at `price` against a resting order: book it, and take the order off the book with
   * {@link SimBook.remove} once it is filled.
   */
  onMaker(maker: O, price: number, size: number): void;
  /**
   * Self-trade prevention, asked about the order first in line before each trade with it: answer `true` after
   * taking it off the book (the taker goes on), `false` to trade with it. Absent: always trades.
   */
  selfTrade?(maker: O): boolean;
}

interface Entry<O> {
  order: O;
  /** Background size queued at this price before the order that has not traded yet. */
  ahead: number;
}

interface Side<O> {
  isBid: boolean;
  /** Background (house) liquidity: price key → size. */
  background: Map<number, number>;
  /** Resting orders by price key, each level in time priority. */
  own: Map<number, Entry<O>[]>;
}

/**
 * One symbol's order book for the simulated venues: price-time priority over resting orders, optional
 * background liquidity per level that orders queue behind (an order joins behind the background size displayed
 * at its price and gets filled only once that has traded, or has been taken away), the post-only crossing rule
 * and a matching walk that hands each trade to the caller. Prices are number keys (integer price units or a
 * decimal's value), sizes numbers in one unit; orders are the caller's own objects. Pure: no time, no events.
 *
 * @example
 * ```ts
 * const book = new SimBook<{ id: number; left: number }>({ remaining: (o) => o.left });
 * book.setBackground(new Map([[99, 5]]), new Map([[101, 5]]));
 * const mine = { id: 1, left: 2 };
 * book.rest(mine, true, 99); // behind the 5 of background at 99
 * let left = 6; // a market sell of 6
 * book.match({ isBuy: false, limit: null, remaining: () => left,
 *   onBackground: (_price, size) => { left -= size; },
 *   onMaker: (order, price, size) => { order.left -= size; left -= size; if (order.left === 0) book.remove(order, true, price); } });
 * mine.left; // 1: the first 5 traded with the background ahead of it
 * ```
 */
export class SimBook<O> {
  readonly #bids: Side<O> = { isBid: true, background: new Map(), own: new Map() };
  readonly #asks: Side<O> = { isBid: false, background: new Map(), own: new Map() };
  readonly #remaining: (order: O) => number;
  readonly #epsilon: number;

  constructor(options: SimBookOptions<O>) {
    this.#remaining = options.remaining;
    this.#epsilon = options.epsilon ?? 0;
  }

  /**
   * Background liquidity of one side (price key → size), live: a driver may shrink it in place.
   *
   * @example
   * ```ts
   * book.background(true).get(99); // 5
   * ```
   */
  background(isBid: boolean): Map<number, number> {
    return this.#side(isBid).background;
  }

  /**
   * Aggregated levels of one side, best first: background plus resting orders (empty levels skipped).
   *
   * @example
   * ```ts
   * book.levels(true, 1)[0]; // { price: 99, size: 7, n: 2 } with 5 of background and one order of 2
   * ```
   */
  levels(isBid: boolean, depth = Number.POSITIVE_INFINITY): SimBookLevel[] {
    const side = this.#side(isBid);
    const out: SimBookLevel[] = [];
    for (const price of this.#prices(side)) {
      if (out.length >= depth) break;
      const queue = side.own.get(price) ?? [];
      const background = side.background.get(price) ?? 0;
      let size = background;
      for (const entry of queue) size += this.#remaining(entry.order);
      if (size <= this.#epsilon) continue;
      out.push({ price, size, n: queue.length + (background > 0 ? 1 : 0) });
    }
    return out;
  }

  /**
   * Resting orders of one side, best price first, time priority within a price.
   *
   * @example
   * ```ts
   * book.queue(false)[0]; // the ask first in line
   * ```
   */
  queue(isBid: boolean): O[] {
    const side = this.#side(isBid);
    const out: O[] = [];
    for (const price of [...side.own.keys()].sort(bestFirst(isBid))) {
      for (const entry of side.own.get(price) ?? []) out.push(entry.order);
    }
    return out;
  }

  /**
   * The post-only rule: whether an order on `isBuy`'s side at `price` would trade on arrival, i.e. the opposite
   * side's best level (background or resting order) is at or through it.
   *
   * @example
   * ```ts
   * book.crosses(true, 101); // true: the best ask is 101
   * ```
   */
  crosses(isBuy: boolean, price: number): boolean {
    const best = this.levels(!isBuy, 1)[0];
    return best !== undefined && (isBuy ? price >= best.price : price <= best.price);
  }

  /**
   * Rests an order at `price`, behind the background size displayed there. `before(a, b)` orders the level
   * (true: `a` goes ahead of `b`); without it the order joins the back.
   *
   * @example
   * ```ts
   * book.rest(order, true, 99);
   * ```
   */
  rest(order: O, isBid: boolean, price: number, before?: (a: O, b: O) => boolean): void {
    const side = this.#side(isBid);
    const queue = side.own.get(price) ?? [];
    let index = queue.length;
    if (before) while (index > 0 && before(order, queue[index - 1]!.order)) index--;
    queue.splice(index, 0, { order, ahead: side.background.get(price) ?? 0 });
    side.own.set(price, queue);
  }

  /**
   * Takes a resting order off the book; answers where it stood, or `undefined` when it was not resting.
   *
   * @example
   * ```ts
   * const slot = book.remove(order, true, 99); // { index: 0, ahead: 5 }
   * ```
   */
  remove(order: O, isBid: boolean, price: number): SimBookSlot | undefined {
    const side = this.#side(isBid);
    const queue = side.own.get(price);
    const index = queue ? queue.findIndex((entry) => entry.order === order) : -1;
    if (!queue || index === -1) return undefined;
    const [entry] = queue.splice(index, 1);
    if (queue.length === 0) side.own.delete(price);
    return { index, ahead: entry!.ahead };
  }

  /**
   * Puts a removed order back where it stood (same place in line, same background ahead).
   *
   * @example
   * ```ts
   * book.restore(order, true, 99, slot);
   * ```
   */
  restore(order: O, isBid: boolean, price: number, slot: SimBookSlot): void {
    const side = this.#side(isBid);
    const queue = side.own.get(price) ?? [];
    queue.splice(Math.min(slot.index, queue.length), 0, { order, ahead: slot.ahead });
    side.own.set(price, queue);
  }

  /**
   * Replaces the background liquidity. Resting orders the new background crosses are handed to `crossed` first,
   * best first (the market moved through them: the caller fills them as makers at their own price and takes them
   * off); then each order's background ahead shrinks to the size now displayed at its price.
   *
   * @example
   * ```ts
   * book.setBackground(new Map([[98, 5]]), new Map([[99, 5]]), (order, isBid, price) => fillAndRemove(order));
   * ```
   */
  setBackground(
    bids: Map<number, number>,
    asks: Map<number, number>,
    crossed?: (order: O, isBid: boolean, price: number) => void,
  ): void {
    const bestAsk = Math.min(...asks.keys());
    const bestBid = Math.max(...bids.keys());
    for (const [side, reached] of [
      [this.#bids, (price: number) => price >= bestAsk],
      [this.#asks, (price: number) => price <= bestBid],
    ] as const) {
      for (const price of [...side.own.keys()].sort(bestFirst(side.isBid))) {
        if (!reached(price)) break;
        for (const entry of [...(side.own.get(price) ?? [])]) crossed?.(entry.order, side.isBid, price);
      }
    }
    this.#bids.background = bids;
    this.#asks.background = asks;
    for (const side of [this.#bids, this.#asks]) {
      for (const [price, queue] of side.own) {
        const displayed = side.background.get(price) ?? 0;
        for (const entry of queue) entry.ahead = Math.min(entry.ahead, displayed);
      }
    }
  }

  /**
   * Runs a taker through the opposite side, best price first: at each price, background queued ahead of the
   * first order trades first, then the orders in time priority, then the background behind them. Answers the
   * size traded.
   *
   * @example
   * ```ts
   * let left = 3;
   * book.match({ isBuy: true, limit: 101, remaining: () => left,
   *   onBackground: (_p, size) => { left -= size; }, onMaker: (_o, _p, size) => { left -= size; } });
   * ```
   */
  match(taker: SimTaker<O>): number {
    const side = this.#side(!taker.isBuy);
    const { background, own } = side;
    const epsilon = this.#epsilon;
    let traded = 0;
    for (const price of this.#prices(side)) {
      if (taker.remaining() <= epsilon) break;
      if (taker.limit !== null && (taker.isBuy ? price > taker.limit : price < taker.limit)) break;
      let backgroundSize = background.get(price) ?? 0;
      for (;;) {
        const remaining = taker.remaining();
        if (remaining <= epsilon) break;
        const queue = own.get(price);
        const first = queue?.[0];
        if (first && taker.selfTrade?.(first.order)) continue;
        let size: number;
        if (first && first.ahead > 0 && backgroundSize > 0) {
          size = Math.min(remaining, first.ahead, backgroundSize);
          backgroundSize -= size;
          for (const entry of queue ?? []) entry.ahead = Math.max(0, entry.ahead - size);
          taker.onBackground(price, size);
        } else if (first) {
          first.ahead = 0;
          size = Math.min(remaining, this.#remaining(first.order));
          taker.onMaker(first.order, price, size);
        } else if (backgroundSize > 0) {
          size = Math.min(remaining, backgroundSize);
          backgroundSize -= size;
          taker.onBackground(price, size);
        } else {
          break;
        }
        traded += size;
      }
      if (backgroundSize > 0) background.set(price, backgroundSize);
      else background.delete(price);
    }
    return traded;
  }

  #side(isBid: boolean): Side<O> {
    return isBid ? this.#bids : this.#asks;
  }

  #prices(side: Side<O>): number[] {
    return [...new Set<number>([...side.background.keys(), ...side.own.keys()])].sort(bestFirst(side.isBid));
  }
}

function bestFirst(isBid: boolean): (x: number, y: number) => number {
  return isBid ? (x, y) => y - x : (x, y) => x - y;
}
