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
}

interface PaperOrder {
  order: Order;
  /** Displayed size at the order's price, on its side, when it arrived: it fills only after that is traded. */
  queueAhead: number;
}

const EPSILON = 1e-9;

/**
 * A venue that takes real market data from another venue and simulates the bot's own orders locally: a
 * post-only order that would cross the book is rejected; a resting order fills only when public trades go
 * through its price, after the displayed size ahead of it at arrival has been consumed (a conservative queue
 * rule: trades at its price first eat that size; a trade through its price fills it). No keys needed.
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
  readonly #orders = new Map<string, PaperOrder>();
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
  }

  instruments(): Promise<Instrument[]> {
    return this.#market.instruments();
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
      this.#emitOrder(paper.order, "cancelled");
      return { clientId: request.clientId, status: "cancelled" };
    });
  }

  async cancelAllOwnOrders(coin?: string): Promise<void> {
    for (const [id, paper] of this.#orders) {
      if (coin !== undefined && paper.order.coin !== coin) continue;
      this.#orders.delete(id);
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
    const levels = request.side === "buy" ? book.bids : book.asks;
    const level = levels.find(
      (candidate) => Math.abs(candidate.price - request.price) <= EPSILON * request.price,
    );
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
    this.#orders.set(request.clientId, { order, queueAhead: level?.size ?? 0 });
    return { clientId: request.clientId, status: "open", venueOrderId: order.venueOrderId };
  }

  #onMarket(event: VenueEvent): void {
    if (event.type === "book") {
      this.#books.set(event.book.coin, event.book);
      this.#emit(event);
    } else if (event.type === "trades") {
      for (const trade of event.trades) this.#onTrade(trade);
    } else if (event.type === "connection" || event.type === "error" || event.type === "bookTop") {
      this.#emit(event);
    }
  }

  /** A public trade: the aggressor's side is `trade.side`; it may fill own orders on the other side. */
  #onTrade(trade: Trade): void {
    for (const [id, paper] of this.#orders) {
      const order = paper.order;
      if (order.coin !== trade.coin) continue;
      // A sell aggressor hits bids at or above the trade price; a buy aggressor lifts asks at or below it.
      const reaches =
        order.side === "buy"
          ? trade.side === "sell" && trade.price <= order.price
          : trade.side === "buy" && trade.price >= order.price;
      if (!reaches) continue;
      let available = trade.size;
      const atPrice = Math.abs(trade.price - order.price) <= EPSILON * order.price;
      if (atPrice) {
        const eaten = Math.min(paper.queueAhead, available);
        paper.queueAhead -= eaten;
        available -= eaten;
      } else {
        paper.queueAhead = 0; // traded through the price: everything ahead of it is gone
      }
      const size = Math.min(available, order.size - order.filledSize);
      if (size <= EPSILON) continue;
      order.filledSize += size;
      const now = this.#clock.now();
      order.updatedAt = now;
      const fill: Fill = {
        clientId: order.clientId,
        venueOrderId: order.venueOrderId,
        tradeId: `paper-${trade.id}-${++this.#tradeSeq}`,
        coin: order.coin,
        side: order.side,
        price: order.price,
        size,
        fee: this.#makerFee * order.price * size,
        liquidity: "maker",
        time: trade.time,
      };
      let inventory = this.#inventories.get(order.coin);
      if (!inventory) {
        inventory = new Inventory({ coin: order.coin, maxPositionUsd: 1e12 });
        this.#inventories.set(order.coin, inventory);
      }
      inventory.applyFill(fill);
      const done = order.filledSize >= order.size - EPSILON;
      if (done) {
        this.#orders.delete(id);
        order.status = "filled";
      }
      this.#emit({ type: "fill", fill, receivedAt: now });
      if (done) this.#emitOrder(order, "filled");
    }
  }
}

function midOf(book: L2Book): number {
  const bid = book.bids[0]?.price;
  const ask = book.asks[0]?.price;
  return bid !== undefined && ask !== undefined ? (bid + ask) / 2 : Number.NaN;
}
