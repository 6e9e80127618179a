import type { SimFill, SimMarketEvent, SimOrder } from "@botmm/sim-exchange";
import { type EmulatedOrder, formatQty, type MatchingEngine } from "./engine.ts";

/** `<symbol>@depth` event: absolute quantities per changed level (`"0"` = level gone), with update ids. */
export interface DepthUpdateEvent {
  e: "depthUpdate";
  E: number;
  T: number;
  s: string;
  /** First update id in the event. */
  U: number;
  /** Final update id in the event. */
  u: number;
  /** Final update id of the previous event (what a client checks for gaps). */
  pu: number;
  b: [string, string][];
  a: [string, string][];
}

/** `<symbol>@trade` event (`m`: the buyer was the maker, i.e. the taker sold). */
export interface TradeEvent {
  e: "trade";
  E: number;
  T: number;
  s: string;
  t: number;
  p: string;
  q: string;
  X: "MARKET";
  m: boolean;
}

/** `<symbol>@aggTrade` event (one trade per aggregate here). */
export interface AggTradeEvent {
  e: "aggTrade";
  E: number;
  s: string;
  a: number;
  p: string;
  q: string;
  f: number;
  l: number;
  T: number;
  m: boolean;
}

/** A fill as `GET /fapi/v1/userTrades` lists it (the same trade id as the stream's `t`). */
export interface AccountTrade {
  symbol: string;
  id: number;
  orderId: number;
  side: "BUY" | "SELL";
  price: string;
  qty: string;
  quoteQty: string;
  realizedPnl: string;
  commission: string;
  commissionAsset: "USDT";
  time: number;
  positionSide: "BOTH";
  buyer: boolean;
  maker: boolean;
}

/** User data stream events (`ORDER_TRADE_UPDATE`, `ACCOUNT_UPDATE`), as Binance sends them. */
export type UserStreamEvent =
  | { e: "ORDER_TRADE_UPDATE"; E: number; T: number; o: Record<string, unknown> }
  | { e: "ACCOUNT_UPDATE"; E: number; T: number; a: Record<string, unknown> };

/** Receives the stream events {@link StreamEvents} makes. */
export interface StreamEventSink {
  /** A market event for stream `<lowercase symbol>@<channel>` (`depth`, `trade`, `aggTrade`). */
  market(symbol: string, channel: "depth" | "trade" | "aggTrade", event: unknown): void;
  user(account: string, event: UserStreamEvent): void;
}

const TERMINAL = new Set(["FILLED", "CANCELED", "EXPIRED"]);

/**
 * A symbol's depth as Binance prints it: one level per price (the engine keys levels by the price string an
 * order was sent with, so "59999.5" and "59999.50" would be two), prices with the tick's decimals.
 *
 * @example
 * ```ts
 * aggregatedDepth(engine, "BTCUSDT", 2).bids; // [["59999.90", "5"], ["59999.80", "5"]]
 * ```
 */
export function aggregatedDepth(
  engine: MatchingEngine,
  symbol: string,
  limit: number,
): { bids: [string, string][]; asks: [string, string][] } {
  const spec = engine.symbols().find((s) => s.instrument.coin === symbol);
  const rule = spec?.instrument.priceRule;
  const tick = rule?.type === "tick" ? rule.tickSize : "1";
  const decimals = tick.includes(".") ? tick.length - tick.indexOf(".") - 1 : 0;
  const merge = (rows: [string, string][]) => {
    const levels = new Map<string, number>();
    for (const [price, qty] of rows) {
      const key = Number(price).toFixed(decimals);
      levels.set(key, (levels.get(key) ?? 0) + Number(qty));
    }
    return [...levels].slice(0, limit).map(([p, q]): [string, string] => [p, formatQty(q)]);
  };
  // Enough raw levels that merging cannot leave fewer than `limit`.
  const { bids, asks } = engine.depth(symbol, limit * 2 + 10);
  return { bids: merge(bids), asks: merge(asks) };
}

/**
 * Turns the matching engine's own events (`engine.sim.onEvent` and `onMarketEvent`) into Binance's stream
 * events, exactly and in order, with no polling: depth diffs after each request that changed a book (with
 * `U`/`u`/`pu` update ids that `GET /fapi/v1/depth`'s `lastUpdateId` matches), every public trade (whoever
 * the taker is: an account, an unlisted account or the house), `ORDER_TRADE_UPDATE` (NEW, AMENDMENT, TRADE,
 * CANCELED, EXPIRED) and `ACCOUNT_UPDATE`, and it keeps each account's fills for `GET /fapi/v1/userTrades`.
 * Events wait in a queue until the first {@link flush} names the sink; after that each goes out as it happens
 * (and `flush` only drains anything queued).
 *
 * @example
 * ```ts
 * const events = new StreamEvents(engine, ["acct"], { makerFeeRate: 0.0002, takerFeeRate: 0.0005 });
 * events.flush(clock.now(), { market: (s, ch, e) => console.log(s, ch, e), user: (a, e) => console.log(a, e) });
 * events.lastUpdateId("BTCUSDT"); // what the REST depth snapshot reports
 * ```
 */
export class StreamEvents {
  readonly #engine: MatchingEngine;
  /** Orders reported at least once: their price and size as last reported (an AMENDMENT changes them). */
  readonly #known = new Map<number, { price: string; origQty: number }>();
  readonly #depth = new Map<string, Map<string, string>>();
  readonly #updateId = new Map<string, number>();
  readonly #positions = new Map<string, string>();
  readonly #trades = new Map<string, AccountTrade[]>();
  readonly #pending: ((sink: StreamEventSink) => void)[] = [];
  #sink: StreamEventSink | null = null;

  constructor(
    engine: MatchingEngine,
    _accounts: readonly string[],
    _fees: { makerFeeRate: number; takerFeeRate: number },
  ) {
    this.#engine = engine;
    for (const { instrument } of engine.symbols()) {
      this.#updateId.set(instrument.coin, 1);
      this.#depth.set(instrument.coin, this.#levels(instrument.coin));
    }
    engine.sim.onEvent((event) => {
      if (event.type === "fill") this.#onFill(event.fill);
      else this.#onOrder(event.order);
    });
    engine.sim.onMarketEvent((event) => {
      if (event.type === "book") this.#diffDepth(event.symbol, event.time);
      else this.#onTrade(event);
    });
  }

  /**
   * The update id of a symbol's book as last published (a REST snapshot's `lastUpdateId`).
   *
   * @example
   * ```ts
   * events.lastUpdateId("BTCUSDT"); // 1 before anything changed
   * ```
   */
  lastUpdateId(symbol: string): number {
    return this.#updateId.get(symbol) ?? 0;
  }

  /**
   * An account's fills of a symbol, oldest first, as `userTrades` filters them.
   *
   * @example
   * ```ts
   * events.accountTrades("acct", "BTCUSDT", { startTime: t0 }).map((t) => t.id);
   * ```
   */
  accountTrades(
    account: string,
    symbol: string,
    filter: { startTime?: number; endTime?: number; fromId?: number; limit?: number } = {},
  ): AccountTrade[] {
    const rows = (this.#trades.get(account) ?? []).filter(
      (t) =>
        t.symbol === symbol &&
        (filter.fromId === undefined || t.id >= filter.fromId) &&
        (filter.startTime === undefined || t.time >= filter.startTime) &&
        (filter.endTime === undefined || t.time <= filter.endTime),
    );
    return rows.slice(0, Math.min(filter.limit ?? 500, 1000));
  }

  /**
   * Names the sink events go to from now on (as they happen) and sends it what was queued before.
   *
   * @example
   * ```ts
   * engine.cancelAll("acct", "BTCUSDT", now);
   * events.flush(now, sink); // ORDER_TRADE_UPDATE CANCELED per order, then a depthUpdate
   * ```
   */
  flush(_now: number, sink: StreamEventSink): void {
    this.#sink = sink;
    for (const deliver of this.#pending.splice(0)) deliver(sink);
  }

  #out(deliver: (sink: StreamEventSink) => void): void {
    if (this.#sink) deliver(this.#sink);
    else this.#pending.push(deliver);
  }

  #onOrder(o: SimOrder): void {
    const order = this.#engine.find(o.account, { symbol: o.symbol, orderId: o.orderId });
    if (!order) return;
    const before = this.#known.get(o.orderId);
    const now = o.updateTime;
    if (!before) this.#orderUpdate(order, "NEW", "NEW", now);
    else if (before.price !== order.price || before.origQty !== order.origQty)
      this.#orderUpdate(order, "AMENDMENT", order.executedQty > 0 ? "PARTIALLY_FILLED" : "NEW", now);
    if (order.status === "CANCELED" || order.status === "EXPIRED")
      this.#orderUpdate(order, order.status, order.status, now);
    // FILLED and PARTIALLY_FILLED were reported with their TRADE.
    if (TERMINAL.has(order.status)) this.#known.delete(o.orderId);
    else this.#known.set(o.orderId, { price: order.price, origQty: order.origQty });
  }

  #onFill(fill: SimFill): void {
    const order = this.#engine.find(fill.account, { symbol: fill.symbol, orderId: fill.orderId });
    if (!order) return;
    // An order that took liquidity as it arrived fills before the engine reports it: NEW first, as Binance.
    const known = this.#known.get(fill.orderId);
    const filledBefore = {
      executedQty: order.executedQty - fill.quantity,
      cumQuote: order.cumQuote - fill.quantity * fill.price,
    };
    if (!known) this.#orderUpdate({ ...order, executedQty: 0, cumQuote: 0 }, "NEW", "NEW", fill.time);
    // A modify that crossed fills before the engine reports the new price: AMENDMENT first, as Binance.
    else if (known.price !== order.price || known.origQty !== order.origQty)
      this.#orderUpdate(
        { ...order, ...filledBefore },
        "AMENDMENT",
        filledBefore.executedQty > 1e-12 ? "PARTIALLY_FILLED" : "NEW",
        fill.time,
      );
    this.#known.set(fill.orderId, { price: order.price, origQty: order.origQty });
    const rows = this.#trades.get(fill.account) ?? [];
    rows.push({
      symbol: fill.symbol,
      id: fill.tradeId,
      orderId: fill.orderId,
      side: order.side,
      price: String(fill.price),
      qty: formatQty(fill.quantity),
      quoteQty: String(fill.quantity * fill.price),
      realizedPnl: "0",
      commission: String(fill.fee),
      commissionAsset: "USDT",
      time: fill.time,
      positionSide: "BOTH",
      buyer: order.side === "BUY",
      maker: fill.liquidity === "maker",
    });
    if (rows.length > 10_000) rows.splice(0, rows.length - 10_000);
    this.#trades.set(fill.account, rows);
    const status = fill.leavesQty <= 1e-12 ? "FILLED" : "PARTIALLY_FILLED";
    this.#orderUpdate(order, "TRADE", status, fill.time, fill);
    const key = `${fill.account}\u0000${fill.symbol}`;
    const pos = this.#engine.position(fill.account, fill.symbol);
    const wire = `${formatQty(pos.size)}@${pos.entryPrice}`;
    if (this.#positions.get(key) === wire) return;
    this.#positions.set(key, wire);
    const account = fill.account;
    const now = fill.time;
    this.#out((sink) =>
      sink.user(account, {
        e: "ACCOUNT_UPDATE",
        E: now,
        T: now,
        a: {
          m: "ORDER",
          B: [{ a: "USDT", wb: "100000", cw: "100000", bc: "0" }],
          P: [
            {
              s: fill.symbol,
              pa: formatQty(pos.size),
              ep: String(pos.entryPrice),
              bep: String(pos.entryPrice),
              cr: "0",
              up: "0",
              mt: "cross",
              iw: "0",
              ps: "BOTH",
              ma: "USDT",
            },
          ],
        },
      }),
    );
  }

  #orderUpdate(order: EmulatedOrder, x: string, status: string, now: number, fill?: SimFill): void {
    const event: UserStreamEvent = {
      e: "ORDER_TRADE_UPDATE",
      E: now,
      T: now,
      o: {
        s: order.symbol,
        c: order.clientOrderId,
        S: order.side,
        o: "LIMIT",
        f: order.timeInForce,
        q: formatQty(order.origQty),
        p: order.price,
        ap: order.executedQty > 0 ? String(order.cumQuote / order.executedQty) : "0",
        sp: "0",
        x,
        X: status,
        i: order.orderId,
        l: fill ? formatQty(fill.quantity) : "0",
        z: formatQty(order.executedQty),
        L: fill ? String(fill.price) : "0",
        N: "USDT",
        n: String(fill?.fee ?? 0),
        T: now,
        t: fill?.tradeId ?? 0,
        b: "0",
        a: "0",
        m: fill?.liquidity === "maker",
        R: order.reduceOnly,
        wt: "CONTRACT_PRICE",
        ot: "LIMIT",
        ps: "BOTH",
        cp: false,
        rp: "0",
        pP: false,
        si: 0,
        ss: 0,
        V: "NONE",
        pm: "NONE",
        gtd: 0,
      },
    };
    this.#out((sink) => sink.user(order.account, event));
  }

  #onTrade(trade: Extract<SimMarketEvent, { type: "trade" }>): void {
    const m = trade.takerSide === "sell"; // the buyer was the maker
    const p = String(trade.price);
    const q = formatQty(trade.quantity);
    const t = trade.tradeId;
    const now = trade.time;
    const symbol = trade.symbol;
    this.#out((sink) => {
      sink.market(symbol, "trade", {
        e: "trade",
        E: now,
        T: now,
        s: symbol,
        t,
        p,
        q,
        X: "MARKET",
        m,
      } satisfies TradeEvent);
      sink.market(symbol, "aggTrade", {
        e: "aggTrade",
        E: now,
        s: symbol,
        a: t,
        p,
        q,
        f: t,
        l: t,
        T: now,
        m,
      } satisfies AggTradeEvent);
    });
  }

  #diffDepth(symbol: string, now: number): void {
    const before = this.#depth.get(symbol) ?? new Map<string, string>();
    const after = this.#levels(symbol);
    const b: [string, string][] = [];
    const a: [string, string][] = [];
    const push = (key: string, qty: string) => (key[0] === "b" ? b : a).push([key.slice(1), qty]);
    for (const [key, qty] of after) if (before.get(key) !== qty) push(key, qty);
    for (const key of before.keys()) if (!after.has(key)) push(key, "0");
    if (b.length === 0 && a.length === 0) return;
    const pu = this.lastUpdateId(symbol);
    const u = pu + 1;
    this.#updateId.set(symbol, u);
    this.#depth.set(symbol, after);
    const event: DepthUpdateEvent = { e: "depthUpdate", E: now, T: now, s: symbol, U: u, u, pu, b, a };
    this.#out((sink) => sink.market(symbol, "depth", event));
  }

  #levels(symbol: string): Map<string, string> {
    const { bids, asks } = aggregatedDepth(this.#engine, symbol, 5_000);
    const levels = new Map<string, string>();
    for (const [price, qty] of bids) levels.set(`b${price}`, qty);
    for (const [price, qty] of asks) levels.set(`a${price}`, qty);
    return levels;
  }
}
