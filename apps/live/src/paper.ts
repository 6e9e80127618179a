import { DEFAULT_SIMULATION, FundingCursor, type FundingSchedule } from "@botmm/backtest";
import type {
  CancelRequest,
  CancelResult,
  Clock,
  Fill,
  Instrument,
  L2Book,
  Liquidity,
  ModifyRequest,
  Order,
  OrderRequest,
  OrderResult,
  Position,
  SubscriptionRequest,
  Trade,
  Unsubscribe,
  Venue,
  VenueEvent,
} from "@botmm/core";
import { floorToLot, lotStepOf } from "@botmm/core";
import { Inventory } from "@botmm/inventory";
import {
  OrderQueue,
  postOnlyCrosses,
  type QueueFill,
  type QueueLevel,
  type QueueModel,
} from "@botmm/sim-exchange";
import type { LiveVenue } from "./venue.ts";

/** How a {@link PaperVenue} simulates. */
export interface PaperVenueOptions {
  /** Where the real market data comes from (Hyperliquid, or the emulator in tests). */
  market: Venue;
  clock: Clock;
  /** Maker fee as a fraction of notional, a cost (Hyperliquid tier 0: 0.00015). */
  makerFee: number;
  /** Taker fee of IOC orders (the hard-limit and halt exits), a fraction of notional (default 0.00045, tier 0). */
  takerFee?: number;
  /**
   * Funding per hour, charged as the replay backtester does: at each hour's first market event, on the paper
   * position at the last mid, reported as a `funding` event (default: the replay's, Hyperliquid's baseline
   * 0.00125%/h, longs pay).
   */
  funding?: FundingSchedule;
  /** Simulated collateral in USD. */
  capitalUsd: number;
  /** The replay backtester's queue position model (default risk-averse: only trades at the price advance it). */
  queueModel?: QueueModel;
}

interface PaperOrder {
  order: Order;
}

/**
 * A venue that takes real market data from another venue and simulates the bot's own orders locally, with the
 * order-book replay backtester's queue and fill rules ({@link OrderQueue} of `@botmm/sim-exchange`): a post-only
 * order that would cross the book is rejected; a resting order joins behind the displayed size at its price;
 * each book caps the quantity ahead at the level's size (the probabilistic model also advances it when the level
 * shrinks net of trades) and fills the order fully when the opposite best reaches its price; public trades at its
 * price consume the quantity ahead first, the excess fills it; a trade through its price fills it up to the
 * trade's size (best priced orders first). Partial fills are rounded down to the lot once {@link
 * PaperVenue.instruments} has been asked for. An IOC order (the bot's taker exits) takes the displayed book up
 * to its limit price at once, paying the taker fee, and never grows a position when reduce-only; the rest is
 * cancelled. Funding is charged hourly as in the replay. No keys needed.
 *
 * @example
 * ```ts
 * const paper = new PaperVenue({ market: hyperliquidVenue, clock: systemClock(), makerFee: 0.00015, capitalUsd: 10_000 });
 * await paper.subscribe({ coins: ["BTC"], book: "l2", trades: false, account: true }, onEvent);
 * ```
 */
export class PaperVenue implements LiveVenue {
  readonly name = "paper";
  readonly #market: Venue;
  readonly #clock: Clock;
  readonly #makerFee: number;
  readonly #takerFee: number;
  readonly #funding: FundingCursor;
  readonly #capitalUsd: number;
  readonly #queueModel: QueueModel;
  readonly #orders = new Map<string, PaperOrder>();
  /** Own resting orders' queue positions, one queue per coin. */
  readonly #queues = new Map<string, OrderQueue<string>>();
  /** Lot size per coin, learnt from {@link PaperVenue.instruments}. */
  readonly #lotSteps = new Map<string, number>();
  readonly #books = new Map<string, L2Book>();
  readonly #inventories = new Map<string, Inventory>();
  readonly #listeners = new Set<(event: VenueEvent) => void>();
  #tradeSeq = 0;
  #venueOrderSeq = 0;
  /** The next hour (ms) at whose first market event funding is charged; NaN before the first event. */
  #nextFundingTime = Number.NaN;

  constructor(options: PaperVenueOptions) {
    this.#market = options.market;
    this.#clock = options.clock;
    this.#makerFee = options.makerFee;
    this.#takerFee = options.takerFee ?? 0.00045;
    this.#funding = new FundingCursor(
      options.funding ?? { type: "constant", ratePerHour: DEFAULT_SIMULATION.fundingRatePerHour },
    );
    this.#capitalUsd = options.capitalUsd;
    this.#queueModel = options.queueModel ?? { type: "risk-averse" };
  }

  async instruments(): Promise<Instrument[]> {
    const instruments = await this.#market.instruments();
    for (const instrument of instruments) this.#lotSteps.set(instrument.coin, lotStepOf(instrument));
    return instruments;
  }

  async placeOrders(requests: readonly OrderRequest[]): Promise<OrderResult[]> {
    return requests.map((request) => this.#place(request));
  }

  async modifyOrders(requests: readonly ModifyRequest[]): Promise<OrderResult[]> {
    return requests.map((request) => {
      const old = this.#orders.get(request.clientId);
      if (!old) {
        return {
          clientId: request.clientId,
          status: "rejected",
          venueOrderId: null,
          reason: "Cannot modify canceled or filled order",
          rejection: "order-gone",
        };
      }
      const replacement = { ...request, clientId: request.newClientId ?? request.clientId };
      // A replacement the venue refuses leaves the old order resting, as on Hyperliquid (and the emulator).
      const refusal = this.#refusal(replacement, request.clientId);
      if (refusal !== null) return refusal;
      this.#orders.delete(request.clientId);
      this.#queues.get(old.order.coin)?.remove(request.clientId);
      this.#emitOrder(old.order, "cancelled", "modified");
      return this.#place(replacement);
    });
  }

  async cancelOrders(requests: readonly CancelRequest[]): Promise<CancelResult[]> {
    return requests.map((request) => {
      const paper = this.#orders.get(request.clientId);
      if (!paper) {
        return {
          clientId: request.clientId,
          status: "rejected",
          reason: "Order was never placed, already canceled, or filled.",
        };
      }
      this.#orders.delete(request.clientId);
      this.#queues.get(paper.order.coin)?.remove(request.clientId);
      this.#emitOrder(paper.order, "cancelled");
      return { clientId: request.clientId, status: "cancelled" };
    });
  }

  async cancelAllOwnOrders(coin?: string): Promise<void> {
    for (const [id, paper] of this.#orders) {
      if (coin !== undefined && paper.order.coin !== coin) continue;
      this.#orders.delete(id);
      this.#queues.get(paper.order.coin)?.remove(id);
      this.#emitOrder(paper.order, "cancelled");
    }
  }

  async openOrders(coin?: string): Promise<Order[]> {
    return [...this.#orders.values()]
      .map((paper) => ({ ...paper.order }))
      .filter((order) => coin === undefined || order.coin === coin);
  }

  async position(coin: string): Promise<Position> {
    const inventory = this.#inventories.get(coin);
    return { coin, size: inventory?.size ?? 0, entryPrice: inventory?.entryPrice ?? 0 };
  }

  async accountValue(): Promise<number> {
    let value = this.#capitalUsd;
    for (const inventory of this.#inventories.values()) {
      const book = this.#books.get(inventory.coin);
      const mid = book ? midOf(book) : Number.NaN;
      value += mid > 0 ? inventory.totalPnlUsd(mid) : inventory.realizedPnlUsd - inventory.netFeesUsd;
    }
    return value;
  }

  async subscribe(request: SubscriptionRequest, listener: (event: VenueEvent) => void): Promise<Unsubscribe> {
    this.#listeners.add(listener);
    const inner = await this.#market.subscribe(
      { coins: request.coins, book: "l2", trades: true, account: false },
      (event) => this.#onMarket(event),
    );
    return async () => {
      this.#listeners.delete(listener);
      await inner();
    };
  }

  #emit(event: VenueEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  #emitOrder(order: Order, status: Order["status"], reason?: string): void {
    const now = this.#clock.now();
    this.#emit({
      type: "order",
      update: {
        clientId: order.clientId,
        venueOrderId: order.venueOrderId,
        coin: order.coin,
        status,
        reason,
        time: now,
      },
      receivedAt: now,
    });
  }

  #place(request: OrderRequest): OrderResult {
    const refusal = this.#refusal(request);
    if (refusal !== null) return refusal;
    const book = this.#books.get(request.coin)!;
    return request.timeInForce === "ioc" ? this.#take(request, book) : this.#rest(request);
  }

  /** Why the venue refuses `request` at once (no book yet, a duplicate client id, post-only crossing), or null. */
  #refusal(request: OrderRequest, replacing?: string): OrderResult | null {
    const book = this.#books.get(request.coin);
    if (!book) {
      return {
        clientId: request.clientId,
        status: "rejected",
        venueOrderId: null,
        reason: "No market data yet for this coin",
      };
    }
    if (this.#orders.has(request.clientId) && request.clientId !== replacing) {
      return {
        clientId: request.clientId,
        status: "rejected",
        venueOrderId: null,
        reason: "Duplicate cloid",
      };
    }
    const bestBid = book.bids[0]?.price ?? Number.NaN;
    const bestAsk = book.asks[0]?.price ?? Number.NaN;
    if (request.timeInForce === "alo" && postOnlyCrosses(request.side, request.price, bestBid, bestAsk)) {
      return {
        clientId: request.clientId,
        status: "rejected",
        venueOrderId: null,
        reason: `Post only order would have immediately matched, bbo was ${bestBid}@${bestAsk}.`,
        rejection: "post-only",
      };
    }
    return null;
  }

  /** A limit order joins the queue at its price, behind the displayed size. */
  #rest(request: OrderRequest): OrderResult {
    const book = this.#books.get(request.coin)!;
    const now = this.#clock.now();
    const order: Order = {
      clientId: request.clientId,
      venueOrderId: `paper-${++this.#venueOrderSeq}`,
      coin: request.coin,
      side: request.side,
      price: request.price,
      size: request.size,
      filledSize: 0,
      status: "open",
      timeInForce: request.timeInForce,
      reduceOnly: request.reduceOnly,
      createdAt: now,
      updatedAt: now,
    };
    this.#orders.set(request.clientId, { order });
    const [bids, asks] = request.side === "buy" ? [queueLevels(book.bids), []] : [[], queueLevels(book.asks)];
    this.#queueOf(request.coin).add(
      { id: request.clientId, side: request.side, price: request.price, size: request.size },
      bids,
      asks,
    );
    return { clientId: request.clientId, status: "open", venueOrderId: order.venueOrderId };
  }

  /**
   * An IOC order: takes the displayed levels up to its limit price (reduce-only: never more than the position
   * to reduce), one taker fill at the average price; whatever is left is cancelled, as on Hyperliquid.
   */
  #take(request: OrderRequest, book: L2Book): OrderResult {
    const position = this.#inventories.get(request.coin)?.size ?? 0;
    const reducing = request.side === "buy" ? -position : position;
    let wanted = request.reduceOnly ? Math.min(request.size, Math.max(0, reducing)) : request.size;
    const lotStep = this.#lotSteps.get(request.coin) ?? 0;
    wanted = floorToLot(wanted, lotStep);
    const levels = request.side === "buy" ? book.asks : book.bids;
    let left = wanted;
    let cost = 0;
    for (const level of levels) {
      if (left <= 0) break;
      if (request.side === "buy" ? level.price > request.price : level.price < request.price) break;
      const take = Math.min(left, level.size);
      cost += take * level.price;
      left -= take;
    }
    const filled = wanted - left;
    const venueOrderId = `paper-${++this.#venueOrderSeq}`;
    if (!(filled > 0)) {
      return {
        clientId: request.clientId,
        status: "rejected",
        venueOrderId: null,
        reason: request.reduceOnly
          ? "Reduce only order would increase position, or no liquidity at the limit price."
          : "Order could not immediately match against any resting orders.",
        rejection: "other",
      };
    }
    const now = this.#clock.now();
    const order: Order = {
      clientId: request.clientId,
      venueOrderId,
      coin: request.coin,
      side: request.side,
      price: request.price,
      size: request.size,
      filledSize: filled,
      status: "filled",
      timeInForce: request.timeInForce,
      reduceOnly: request.reduceOnly,
      createdAt: now,
      updatedAt: now,
    };
    const averagePrice = cost / filled;
    this.#book(order, averagePrice, filled, "taker", `ioc-${venueOrderId}`, book.time);
    this.#emitOrder(order, "filled");
    return {
      clientId: request.clientId,
      status: "filled",
      venueOrderId,
      filledSize: filled,
      averagePrice,
    };
  }

  #queueOf(coin: string): OrderQueue<string> {
    let queue = this.#queues.get(coin);
    if (!queue) {
      queue = new OrderQueue<string>({ model: this.#queueModel, lotStep: this.#lotSteps.get(coin) ?? 0 });
      this.#queues.set(coin, queue);
    }
    return queue;
  }

  #onMarket(event: VenueEvent): void {
    if (event.type === "book") this.#chargeFunding(event.book.coin, event.book.time);
    else if (event.type === "trades" && event.trades.length > 0)
      this.#chargeFunding(event.trades[0]!.coin, event.trades[0]!.time);
    if (event.type === "book") {
      const book = event.book;
      this.#books.set(book.coin, book);
      // The bot sees the book, then the fills it caused, as the replay books them: a fill of this book belongs
      // to the bar the book opens and is marked at its mid (both arrive before the bot's next decision).
      this.#emit(event);
      const queue = this.#queues.get(book.coin);
      if (queue !== undefined && queue.size > 0) {
        const fills = queue.onBook(queueLevels(book.bids), queueLevels(book.asks));
        this.#settle(fills, `book-${book.time}`, book.time);
      }
    } else if (event.type === "trades") {
      for (const trade of event.trades) this.#onTrade(trade);
    } else if (event.type === "connection" || event.type === "error" || event.type === "bookTop") {
      this.#emit(event);
    }
  }

  /**
   * Funding at the hour's first market event, on the position held, at the last mid before it (the replay's
   * rule: one charge per hour, an event past several hours charges one).
   */
  #chargeFunding(coin: string, time: number): void {
    if (Number.isNaN(this.#nextFundingTime)) {
      this.#nextFundingTime = Math.floor(time / HOUR_MS) * HOUR_MS + HOUR_MS;
      return;
    }
    if (time < this.#nextFundingTime) return;
    const hour = Math.floor(time / HOUR_MS) * HOUR_MS;
    this.#nextFundingTime = hour + HOUR_MS;
    const rate = this.#funding.rateAt(hour);
    const book = this.#books.get(coin);
    const mid = book ? midOf(book) : Number.NaN;
    const inventory = this.#inventories.get(coin);
    if (!(mid > 0) || Number.isNaN(rate) || inventory === undefined || inventory.size === 0) return;
    const positionSize = inventory.size;
    const paymentUsd = inventory.applyFunding(rate, mid);
    this.#emit({
      type: "funding",
      funding: { coin, time, rate, positionSize, paymentUsd },
      receivedAt: this.#clock.now(),
    });
  }

  /** A public trade: the aggressor's side is `trade.side`; it may fill own orders on the other side. */
  #onTrade(trade: Trade): void {
    const queue = this.#queues.get(trade.coin);
    if (queue === undefined || queue.size === 0) return;
    const fills = queue.onTrade({ side: trade.side, price: trade.price, size: trade.size });
    this.#settle(fills, trade.id, trade.time);
  }

  /** Books the queue's fills (of one coin) and reports them, in the order the queue decided them. */
  #settle(fills: readonly QueueFill<string>[], sourceId: string, time: number): void {
    for (const queueFill of fills) {
      const paper = this.#orders.get(queueFill.id);
      if (!paper) continue;
      const order = paper.order;
      order.filledSize += queueFill.size;
      order.updatedAt = this.#clock.now();
      const done = queueFill.remaining <= 0;
      if (done) {
        this.#orders.delete(queueFill.id);
        order.status = "filled";
      }
      this.#book(order, queueFill.price, queueFill.size, "maker", sourceId, time);
      if (done) this.#emitOrder(order, "filled");
    }
  }

  /** One own fill: the paper position, then the `fill` event. */
  #book(
    order: Order,
    price: number,
    size: number,
    liquidity: Liquidity,
    sourceId: string,
    time: number,
  ): void {
    const fill: Fill = {
      clientId: order.clientId,
      venueOrderId: order.venueOrderId,
      tradeId: `paper-${sourceId}-${++this.#tradeSeq}`,
      coin: order.coin,
      side: order.side,
      price,
      size,
      fee: (liquidity === "maker" ? this.#makerFee : this.#takerFee) * price * size,
      liquidity,
      time,
    };
    let inventory = this.#inventories.get(order.coin);
    if (!inventory) {
      inventory = new Inventory({ coin: order.coin, maxPositionUsd: 1e12 });
      this.#inventories.set(order.coin, inventory);
    }
    inventory.applyFill(fill);
    this.#emit({ type: "fill", fill, receivedAt: this.#clock.now() });
  }
}

const HOUR_MS = 3_600_000;

/** Core book levels as the queue reads them. */
function queueLevels(levels: L2Book["bids"]): QueueLevel[] {
  return levels.map((level) => [level.price, level.size]);
}

function midOf(book: L2Book): number {
  const bid = book.bids[0]?.price;
  const ask = book.asks[0]?.price;
  return bid !== undefined && ask !== undefined ? (bid + ask) / 2 : Number.NaN;
}
