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

/** Receives what {@link StreamEvents.flush} found. */
export interface StreamEventSink {
  /** A market event for stream `<lowercase symbol>@<channel>` (`depth`, `trade`, `aggTrade`). */
  market(symbol: string, channel: "depth" | "trade" | "aggTrade", event: unknown): void;
  user(account: string, event: UserStreamEvent): void;
}

interface Snapshot {
  account: string;
  symbol: string;
  price: string;
  origQty: number;
  executedQty: number;
  cumQuote: number;
  status: EmulatedOrder["status"];
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
 * Turns the matching engine's state changes into Binance's stream events. The engine has no event hooks, so
 * this diffs it: after every request (and on a timer) {@link flush} compares each account's orders, every
 * symbol's depth and the positions with what it saw last, and reports depth diffs (with `U`/`u`/`pu` update
 * ids that `GET /fapi/v1/depth`'s `lastUpdateId` matches), public trades, `ORDER_TRADE_UPDATE` (NEW,
 * AMENDMENT, TRADE, CANCELED, EXPIRED) and `ACCOUNT_UPDATE`, and keeps each account's fills for
 * `GET /fapi/v1/userTrades`. Only the listed accounts are watched: a public trade is published from the
 * taker's side, so a trade whose taker is another (unlisted) account moves the book and fills the maker but
 * prints no `trade` event. An order that a direct engine call placed and fully filled between two flushes is
 * only seen through {@link hint}.
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
  readonly #accounts: readonly string[];
  readonly #fees: { maker: number; taker: number };
  readonly #known = new Map<number, Snapshot>();
  readonly #hints = new Map<number, { account: string; symbol: string }>();
  readonly #depth = new Map<string, Map<string, string>>();
  readonly #updateId = new Map<string, number>();
  readonly #positions = new Map<string, string>();
  readonly #trades = new Map<string, AccountTrade[]>();
  #nextTradeId = 1;

  constructor(
    engine: MatchingEngine,
    accounts: readonly string[],
    fees: { makerFeeRate: number; takerFeeRate: number },
  ) {
    this.#engine = engine;
    this.#accounts = accounts;
    this.#fees = { maker: fees.makerFeeRate, taker: fees.takerFeeRate };
    for (const { instrument } of engine.symbols()) {
      this.#updateId.set(instrument.coin, 1);
      this.#depth.set(instrument.coin, this.#levels(instrument.coin));
    }
  }

  /**
   * The update id of a symbol's book as last flushed (a REST snapshot's `lastUpdateId`).
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
   * Names an order a request just created, so the next flush reports it even if it is already finished.
   *
   * @example
   * ```ts
   * events.hint("acct", "BTCUSDT", placed.orderId);
   * ```
   */
  hint(account: string, symbol: string, orderId: number): void {
    if (!this.#known.has(orderId)) this.#hints.set(orderId, { account, symbol });
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
   * Diffs the engine against the last flush and reports every change to `sink`.
   *
   * @example
   * ```ts
   * engine.cancelAll("acct", "BTCUSDT", now);
   * events.flush(now, sink); // ORDER_TRADE_UPDATE CANCELED per order, then a depthUpdate
   * ```
   */
  flush(now: number, sink: StreamEventSink): void {
    const touched = new Set<string>(); // account\0symbol with a fill
    for (const account of this.#accounts) {
      const candidates = new Map<number, EmulatedOrder>();
      for (const order of this.#engine.openOrders(account)) candidates.set(order.orderId, order);
      for (const [id, snap] of this.#known) {
        if (snap.account !== account || candidates.has(id)) continue;
        const order = this.#engine.find(account, { symbol: snap.symbol, orderId: id });
        if (order) candidates.set(id, { ...order });
      }
      for (const [id, hint] of this.#hints) {
        if (hint.account !== account || candidates.has(id)) continue;
        const order = this.#engine.find(account, { symbol: hint.symbol, orderId: id });
        if (order) candidates.set(id, { ...order });
      }
      for (const order of [...candidates.values()].sort((a, b) => a.orderId - b.orderId)) {
        if (this.#diffOrder(order, now, sink)) touched.add(`${account}\u0000${order.symbol}`);
      }
    }
    for (const [id, hint] of this.#hints) {
      if (this.#accounts.includes(hint.account)) this.#hints.delete(id);
    }
    for (const { instrument } of this.#engine.symbols()) this.#diffDepth(instrument.coin, now, sink);
    for (const key of touched) {
      const [account, symbol] = key.split("\u0000") as [string, string];
      const pos = this.#engine.position(account, symbol);
      const wire = `${formatQty(pos.size)}@${pos.entryPrice}`;
      if (this.#positions.get(key) === wire) continue;
      this.#positions.set(key, wire);
      sink.user(account, {
        e: "ACCOUNT_UPDATE",
        E: now,
        T: now,
        a: {
          m: "ORDER",
          B: [{ a: "USDT", wb: "100000", cw: "100000", bc: "0" }],
          P: [
            {
              s: symbol,
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
      });
    }
  }

  /** Reports one order's change; true when it filled. */
  #diffOrder(order: EmulatedOrder, now: number, sink: StreamEventSink): boolean {
    const before = this.#known.get(order.orderId);
    const base = {
      account: order.account,
      symbol: order.symbol,
      price: order.price,
      origQty: order.origQty,
      executedQty: before?.executedQty ?? 0,
      cumQuote: before?.cumQuote ?? 0,
      status: before?.status ?? "NEW",
    } satisfies Snapshot;
    const send = (x: string, status: string, fill?: { qty: number; price: number; maker: boolean }) => {
      const tradeId = fill ? this.#nextTradeId++ : 0;
      const commission = fill
        ? fill.qty * fill.price * (fill.maker ? this.#fees.maker : this.#fees.taker)
        : 0;
      if (fill) {
        const rows = this.#trades.get(order.account) ?? [];
        rows.push({
          symbol: order.symbol,
          id: tradeId,
          orderId: order.orderId,
          side: order.side,
          price: String(fill.price),
          qty: formatQty(fill.qty),
          quoteQty: String(fill.qty * fill.price),
          realizedPnl: "0",
          commission: String(commission),
          commissionAsset: "USDT",
          time: now,
          positionSide: "BOTH",
          buyer: order.side === "BUY",
          maker: fill.maker,
        });
        if (rows.length > 10_000) rows.splice(0, rows.length - 10_000);
        this.#trades.set(order.account, rows);
      }
      sink.user(order.account, {
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
          l: fill ? formatQty(fill.qty) : "0",
          z: formatQty(fill ? base.executedQty : order.executedQty),
          L: fill ? String(fill.price) : "0",
          N: "USDT",
          n: String(commission),
          T: now,
          t: tradeId,
          b: "0",
          a: "0",
          m: fill?.maker ?? false,
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
      });
      if (fill && !fill.maker) {
        const t = this.#nextTradeId - 1;
        const m = order.side === "SELL";
        const p = String(fill.price);
        const q = formatQty(fill.qty);
        sink.market(order.symbol, "trade", {
          e: "trade",
          E: now,
          T: now,
          s: order.symbol,
          t,
          p,
          q,
          X: "MARKET",
          m,
        } satisfies TradeEvent);
        sink.market(order.symbol, "aggTrade", {
          e: "aggTrade",
          E: now,
          s: order.symbol,
          a: t,
          p,
          q,
          f: t,
          l: t,
          T: now,
          m,
        } satisfies AggTradeEvent);
      }
    };
    // A new order, or one whose price or size moved since last seen, took liquidity if it filled now.
    const amended =
      before !== undefined && (before.price !== order.price || before.origQty !== order.origQty);
    if (!before) send("NEW", "NEW");
    else if (amended) send("AMENDMENT", base.executedQty > 0 ? "PARTIALLY_FILLED" : "NEW");
    const filledQty = order.executedQty - base.executedQty;
    let filled = false;
    if (filledQty > 1e-12) {
      const price = (order.cumQuote - base.cumQuote) / filledQty;
      base.executedQty = order.executedQty;
      base.cumQuote = order.cumQuote;
      const status = order.executedQty >= order.origQty - 1e-12 ? "FILLED" : "PARTIALLY_FILLED";
      send("TRADE", status, { qty: filledQty, price, maker: before !== undefined && !amended });
      filled = true;
    }
    if (order.status === "CANCELED" && base.status !== "CANCELED") send("CANCELED", "CANCELED");
    if (order.status === "EXPIRED" && base.status !== "EXPIRED") send("EXPIRED", "EXPIRED");
    if (TERMINAL.has(order.status)) this.#known.delete(order.orderId);
    else this.#known.set(order.orderId, { ...base, status: order.status });
    return filled;
  }

  #diffDepth(symbol: string, now: number, sink: StreamEventSink): void {
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
    sink.market(symbol, "depth", { e: "depthUpdate", E: now, T: now, s: symbol, U: u, u, pu, b, a });
  }

  #levels(symbol: string): Map<string, string> {
    const { bids, asks } = aggregatedDepth(this.#engine, symbol, 5_000);
    const levels = new Map<string, string>();
    for (const [price, qty] of bids) levels.set(`b${price}`, qty);
    for (const [price, qty] of asks) levels.set(`a${price}`, qty);
    return levels;
  }
}
