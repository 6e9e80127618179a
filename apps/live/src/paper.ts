import { OrderQueue, type QueueFill, type QueueLevel, type QueueModel } from "@botmm/backtest";
import type {
  CancelRequest,
  CancelResult,
  Clock,
  Fill,
  Instrument,
  L2Book,
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
import { Inventory } from "@botmm/inventory";
import type { LiveVenue } from "./venue.ts";

/** How a {@link PaperVenue} simulates. */
export interface PaperVenueOptions {
  /** Where the real market data comes from (Hyperliquid, or the emulator in tests). */
  market: Venue;
  clock: Clock;
  /** Maker fee as a fraction of notional, a cost (Hyperliquid tier 0: 0.00015). */
  makerFee: number;
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
 * order-book replay backtester's queue and fill rules ({@link OrderQueue} of `@botmm/backtest`): a post-only
 * order that would cross the book is rejected; a resting order joins behind the displayed size at its price;
 * each book caps the quantity ahead at the level's size (the probabilistic model also advances it when the level
 * shrinks net of trades) and fills the order fully when the opposite best reaches its price; public trades at its
 * price consume the quantity ahead first, the excess fills it; a trade through its price fills it up to the
 * trade's size (best priced orders first). Partial fills are rounded down to the lot once {@link
 * PaperVenue.instruments} has been asked for. No keys needed.
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

  constructor(options: PaperVenueOptions) {
    this.#market = options.market;
    this.#clock = options.clock;
    this.#makerFee = options.makerFee;
    this.#capitalUsd = options.capitalUsd;
    this.#queueModel = options.queueModel ?? { type: "risk-averse" };
  }

  async instruments(): Promise<Instrument[]> {
    const instruments = await this.#market.instruments();
    for (const instrument of instruments) {
      const rule = instrument.sizeRule;
      this.#lotSteps.set(
        instrument.coin,
        rule.type === "decimals" ? 10 ** -rule.decimals : Number(rule.stepSize),
      );
    }
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
        };
      }
      const newId = request.newClientId ?? request.clientId;
      const result = this.#place({ ...request, clientId: newId });
      if (result.status === "open") {
        this.#orders.delete(request.clientId);
        this.#queues.get(old.order.coin)?.remove(request.clientId);
        this.#emitOrder(old.order, "cancelled", "modified");
      }
      return result;
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
    const book = this.#books.get(request.coin);
    if (!book) {
      return {
        clientId: request.clientId,
        status: "rejected",
        venueOrderId: null,
        reason: "No market data yet for this coin",
      };
    }
    if (this.#orders.has(request.clientId)) {
      return {
        clientId: request.clientId,
        status: "rejected",
        venueOrderId: null,
        reason: "Duplicate cloid",
      };
    }
    const bestBid = book.bids[0]?.price ?? Number.NaN;
    const bestAsk = book.asks[0]?.price ?? Number.NaN;
    const crosses = request.side === "buy" ? request.price >= bestAsk : request.price <= bestBid;
    if (request.timeInForce === "alo" && crosses) {
      return {
        clientId: request.clientId,
        status: "rejected",
        venueOrderId: null,
        reason: `Post only order would have immediately matched, bbo was ${bestBid}@${bestAsk}.`,
      };
    }
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

  #queueOf(coin: string): OrderQueue<string> {
    let queue = this.#queues.get(coin);
    if (!queue) {
      queue = new OrderQueue<string>({ model: this.#queueModel, lotStep: this.#lotSteps.get(coin) ?? 0 });
      this.#queues.set(coin, queue);
    }
    return queue;
  }

  #onMarket(event: VenueEvent): void {
    if (event.type === "book") {
      const book = event.book;
      this.#books.set(book.coin, book);
      // The venue reacts to the new book (queue positions, orders it crosses) before the bot sees it.
      const queue = this.#queues.get(book.coin);
      if (queue !== undefined && queue.size > 0) {
        const fills = queue.onBook(queueLevels(book.bids), queueLevels(book.asks));
        this.#settle(fills, book.coin, `book-${book.time}`, book.time);
      }
      this.#emit(event);
    } else if (event.type === "trades") {
      for (const trade of event.trades) this.#onTrade(trade);
    } else if (event.type === "connection" || event.type === "error" || event.type === "bookTop") {
      this.#emit(event);
    }
  }

  /** A public trade: the aggressor's side is `trade.side`; it may fill own orders on the other side. */
  #onTrade(trade: Trade): void {
    const queue = this.#queues.get(trade.coin);
    if (queue === undefined || queue.size === 0) return;
    const fills = queue.onTrade({ side: trade.side, price: trade.price, size: trade.size });
    this.#settle(fills, trade.coin, trade.id, trade.time);
  }

  /** Books the queue's fills of one coin and reports them, in the order the queue decided them. */
  #settle(fills: readonly QueueFill<string>[], coin: string, sourceId: string, time: number): void {
    for (const queueFill of fills) {
      const paper = this.#orders.get(queueFill.id);
      if (!paper) continue;
      const order = paper.order;
      order.filledSize += queueFill.size;
      const now = this.#clock.now();
      order.updatedAt = now;
      const fill: Fill = {
        clientId: order.clientId,
        venueOrderId: order.venueOrderId,
        tradeId: `paper-${sourceId}-${++this.#tradeSeq}`,
        coin,
        side: order.side,
        price: queueFill.price,
        size: queueFill.size,
        fee: this.#makerFee * queueFill.price * queueFill.size,
        liquidity: "maker",
        time,
      };
      let inventory = this.#inventories.get(coin);
      if (!inventory) {
        inventory = new Inventory({ coin, maxPositionUsd: 1e12 });
        this.#inventories.set(coin, inventory);
      }
      inventory.applyFill(fill);
      const done = queueFill.remaining <= 0;
      if (done) {
        this.#orders.delete(queueFill.id);
        order.status = "filled";
      }
      this.#emit({ type: "fill", fill, receivedAt: now });
      if (done) this.#emitOrder(order, "filled");
    }
  }
}

/** Core book levels as the queue reads them. */
function queueLevels(levels: L2Book["bids"]): QueueLevel[] {
  return levels.map((level) => [level.price, level.size]);
}

function midOf(book: L2Book): number {
  const bid = book.bids[0]?.price;
  const ask = book.asks[0]?.price;
  return bid !== undefined && ask !== undefined ? (bid + ask) / 2 : Number.NaN;
}
