import {
  hyperliquidPerpInstrument,
  type Instrument,
  isValidPrice,
  isValidSize,
  meetsMinNotional,
} from "@botmm/core";
import { applyFillToPosition, SimBook } from "@botmm/sim-exchange";
import type {
  FrontendOpenOrdersResponse,
  OpenOrdersResponse,
  OrderStatusResponse,
  UserFillsResponse,
} from "@nktkas/hyperliquid/api/info";
import { marketProfile } from "./market.ts";
import { counterHash, decimalString, type Hex, unitsToWire, wireToUnits, ZERO_ADDRESS } from "./wire.ts";

/** One user fill as the venue reports it. */
export type UserFillWire = UserFillsResponse[number];
/** An open order as `openOrders` reports it. */
export type OpenOrderWire = OpenOrdersResponse[number];
/** An open order as `frontendOpenOrders` reports it. */
export type FrontendOpenOrderWire = FrontendOpenOrdersResponse[number];
/** The venue's order status names. */
export type OrderProcessingStatus = Extract<OrderStatusResponse, { status: "order" }>["order"]["status"];
/** One element of the `orderUpdates` channel. */
export interface OrderUpdateWire {
  order: OpenOrderWire;
  status: OrderProcessingStatus;
  statusTimestamp: number;
}
/** One public trade as the `trades` channel carries it. */
export interface TradeWire {
  coin: string;
  side: "B" | "A";
  px: string;
  sz: string;
  time: number;
  hash: Hex;
  tid: number;
  users: [Hex, Hex];
}
/** A funding payment as the `user` channel carries it. */
export interface FundingWire {
  time: number;
  coin: string;
  usdc: string;
  szi: string;
  fundingRate: string;
  nSamples: null;
}
/** One order as it appears in an `order` / `batchModify` action. */
export interface OrderWire {
  a: number;
  b: boolean;
  p: string;
  s: string;
  r: boolean;
  t: { limit: { tif: "Gtc" | "Ioc" | "Alo" | "FrontendMarket" } } | { trigger: unknown };
  c?: string | undefined;
}
/** A per-order status in an `order` / `batchModify` response. */
export type OrderStatusWire =
  | { resting: { oid: number; cloid?: Hex } }
  | { filled: { totalSz: string; avgPx: string; oid: number; cloid?: Hex } }
  | { error: string };

/** What the engine tells the server about, in the order it happened. */
export type EngineEvent =
  | { type: "trades"; coin: string; trades: TradeWire[] }
  | { type: "fills"; user: Hex; fills: UserFillWire[] }
  | { type: "orderUpdates"; user: Hex; updates: OrderUpdateWire[] }
  | { type: "funding"; user: Hex; funding: FundingWire }
  | { type: "book"; coin: string };

/** Static and market-model settings of one perp. */
export interface CoinSpec {
  /** Symbol, e.g. `BTC`. */
  name: string;
  szDecimals: number;
  maxLeverage: number;
  /** Starting fair price in USD. */
  initialPx: number;
  /** Volatility of the synthetic fair price's diffusion (jumps come on top), as a fraction per √year (0.6 = 60 %/√yr). */
  annualVolatility: number;
  /** Poisson rate of fair-price jumps, per second (at the long-run volatility; jumps cluster with it). */
  jumpRatePerSec: number;
  /** Mean absolute size of a fair-price jump, in bps (Laplace distributed). */
  jumpMeanBps: number;
  /** Funding rate applied each hour, as a fraction (0.0000125 = 0.01 % per 8 h). */
  fundingRatePerHour: number;
  /** Half of the background book's spread, in bps of the fair price (0: the two ticks around the fair price). */
  halfSpreadBps: number;
  /** Distance between background levels, in bps (at least one tick). */
  levelSpacingBps: number;
  /** Background levels per side. */
  levels: number;
  /** Mean size of the best background level, in USD notional. */
  touchNotionalUsd: number;
  /** Mean size of the other background levels, in USD notional (growing 5 % a level away from the touch). */
  levelNotionalUsd: number;
  /** Poisson arrival rate of synthetic taker orders, per second. */
  takerRatePerSec: number;
  /** Median notional of a synthetic taker order, in USD (log-normally distributed). */
  takerMedianNotionalUsd: number;
  /** Standard deviation of the natural log of a taker order's notional. */
  takerNotionalLogSd: number;
  /**
   * Probability that a taker order is a sweep: makers pull their quotes and it walks the book a random distance
   * (mean {@link CoinSpec.sweepMeanBps}), displacing the book from the fair price for a while.
   */
  sweepProbability: number;
  /** Mean distance a sweep moves the book, in bps (exponentially distributed). */
  sweepMeanBps: number;
}

const PRESETS: Record<string, Pick<CoinSpec, "szDecimals" | "maxLeverage" | "initialPx">> = {
  BTC: { szDecimals: 5, maxLeverage: 40, initialPx: 100_000 },
  ETH: { szDecimals: 4, maxLeverage: 25, initialPx: 3_500 },
  SOL: { szDecimals: 2, maxLeverage: 20, initialPx: 150 },
  HYPE: { szDecimals: 2, maxLeverage: 10, initialPx: 30 },
  DOGE: { szDecimals: 0, maxLeverage: 10, initialPx: 0.2 },
};

/**
 * Fills in a {@link CoinSpec} from a symbol and overrides, using Hyperliquid-like presets for BTC, ETH, SOL,
 * HYPE and DOGE (szDecimals, max leverage, a plausible price) and generic defaults otherwise; the market model
 * (spread, depth, taker flow, volatility) is the coin's calibrated {@link marketProfile}.
 *
 * @example
 * ```ts
 * coinSpec("BTC").szDecimals; // 5
 * coinSpec("XYZ", { initialPx: 2 }).initialPx; // 2
 * ```
 */
export function coinSpec(name: string, overrides: Partial<CoinSpec> = {}): CoinSpec {
  const preset = PRESETS[name] ?? { szDecimals: 2, maxLeverage: 10, initialPx: 10 };
  return {
    name,
    ...preset,
    fundingRatePerHour: 0.0000125,
    ...marketProfile(name),
    ...overrides,
  };
}

/** Fee rates as fractions of notional; both are costs at tier 0. */
export interface FeeRates {
  maker: number;
  taker: number;
}

/** Hyperliquid tier-0 perp fees: maker 0.015 %, taker 0.045 %. */
export const TIER0_FEES: FeeRates = { maker: 0.00015, taker: 0.00045 };

/** Engine-wide settings. */
export interface EngineOptions {
  fees: FeeRates;
  maxOpenOrders: number;
  /** Volume an account must have traded before `scheduleCancel` is accepted (the venue asks for $1,000,000). */
  scheduleCancelMinVolumeUsd: number;
  /** Dead-man's-switch triggers allowed per UTC day. */
  scheduleCancelMaxTriggersPerDay: number;
  /**
   * Orders kept for `orderStatus` (default 100,000): past it the oldest closed order is forgotten (open orders
   * never are), so a long-running emulator's order history stays bounded. The venue keeps them all.
   */
  ordersKept?: number;
}

/** A resting or historical order. */
export interface OrderRecord {
  oid: number;
  user: Hex;
  coin: CoinState;
  isBuy: boolean;
  pxInt: number;
  szInt: number;
  origSzInt: number;
  timestamp: number;
  cloid: Hex | undefined;
  reduceOnly: boolean;
  tif: "Gtc" | "Ioc" | "Alo";
  status: OrderProcessingStatus;
  statusTimestamp: number;
}

/** Live state of one perp. */
export interface CoinState {
  spec: CoinSpec;
  assetId: number;
  instrument: Instrument;
  /** Price decimals: 6 − szDecimals. Prices are held as integers in units of 10^-pxDecimals. */
  pxDecimals: number;
  /**
   * The book (the shared simulated-execution core's): background (synthetic) liquidity and users' resting
   * orders, prices in price units, sizes in lots; an order queues behind the background displayed at its price.
   */
  book: SimBook<OrderRecord>;
  /** The market model's fair (oracle) price. */
  fairPx: number;
  prevDayPx: number;
  dayNtlVlm: number;
  dayBaseVlm: number;
  dayIndex: number;
  /** 1-minute candles built from trades (and the fair price when there were none), oldest first. */
  candles: MinuteCandle[];
}

/** A 1-minute candle kept by the engine. */
export interface MinuteCandle {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
}

/** A perp position. Size in lots (signed). */
export interface PositionState {
  sziInt: number;
  entryPx: number;
  cumFundingAllTime: number;
  cumFundingSinceOpen: number;
  cumFundingSinceChange: number;
}

/** A trading account (cross margin, USDC collateral). */
export interface AccountState {
  address: Hex;
  /** Collateral including realised PnL, fees and funding. */
  usdc: number;
  positions: Map<string, PositionState>;
  leverage: Map<string, { type: "cross" | "isolated"; value: number }>;
  openOrders: Set<OrderRecord>;
  fills: UserFillWire[];
  /** Address rate-limit budget. */
  requestsUsed: number;
  volumeUsd: number;
  lastThrottledAllowedMs: number | null;
  scheduledCancelAtMs: number | null;
  scheduledCancelDay: number;
  scheduledCancelTriggers: number;
}

const MAX_CANDLES = 10_000;
const MAX_FILLS_KEPT = 2_000;
const DEFAULT_ORDERS_KEPT = 100_000;

/**
 * The matching engine: Hyperliquid's order handling (validation and error strings, statuses, self-trade
 * prevention, reduce-only, modify as a new order), accounts, margin, funding and the dead-man's switch, on the
 * shared simulated-execution core of `@botmm/sim-exchange` (each coin's `SimBook`: background liquidity plus
 * users' orders, price-time priority with queue position behind the displayed background size, the post-only
 * rule; `applyFillToPosition` for positions and fees). Pure: no I/O, time is passed in, events go to listeners.
 *
 * @example
 * ```ts
 * const engine = new MatchingEngine([coinSpec("BTC")], { fees: TIER0_FEES, maxOpenOrders: 1000,
 *   scheduleCancelMinVolumeUsd: 0, scheduleCancelMaxTriggersPerDay: 10 });
 * engine.addAccount("0xabc…", 10_000);
 * ```
 */
export class MatchingEngine {
  readonly coins: CoinState[];
  readonly accounts = new Map<Hex, AccountState>();
  readonly orders = new Map<number, OrderRecord>();
  readonly options: EngineOptions;
  #nextOid = 1_000_000;
  #nextTid = 1;
  #nextHash = 1;
  readonly #listeners = new Set<(event: EngineEvent) => void>();
  readonly #byName = new Map<string, CoinState>();

  constructor(specs: CoinSpec[], options: EngineOptions) {
    this.options = options;
    this.coins = specs.map((spec, assetId) => {
      const state: CoinState = {
        spec,
        assetId,
        instrument: hyperliquidPerpInstrument({
          coin: spec.name,
          assetId,
          szDecimals: spec.szDecimals,
          maxLeverage: spec.maxLeverage,
        }),
        pxDecimals: 6 - spec.szDecimals,
        book: new SimBook<OrderRecord>({ remaining: (order) => order.szInt }),
        fairPx: spec.initialPx,
        prevDayPx: spec.initialPx,
        dayNtlVlm: 0,
        dayBaseVlm: 0,
        dayIndex: -1,
        candles: [],
      };
      this.#byName.set(spec.name, state);
      return state;
    });
  }

  /**
   * Registers a listener for engine events; returns a function that removes it.
   *
   * @example
   * ```ts
   * const off = engine.onEvent((event) => { if (event.type === "fills") console.log(event.fills); });
   * ```
   */
  onEvent(listener: (event: EngineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: EngineEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /**
   * The coin with this symbol, if listed.
   *
   * @example
   * ```ts
   * engine.coin("BTC")?.assetId; // 0
   * ```
   */
  coin(name: string): CoinState | undefined {
    return this.#byName.get(name);
  }

  /**
   * Creates (or tops up) an account with `usdc` of collateral.
   *
   * @example
   * ```ts
   * engine.addAccount("0x1234567890123456789012345678901234567890", 10_000);
   * ```
   */
  addAccount(address: string, usdc: number, volumeUsd = 0): AccountState {
    const key = address.toLowerCase() as Hex;
    const existing = this.accounts.get(key);
    if (existing) {
      existing.usdc += usdc;
      existing.volumeUsd += volumeUsd;
      return existing;
    }
    const account: AccountState = {
      address: key,
      usdc,
      positions: new Map(),
      leverage: new Map(),
      openOrders: new Set(),
      fills: [],
      requestsUsed: 0,
      volumeUsd,
      lastThrottledAllowedMs: null,
      scheduledCancelAtMs: null,
      scheduledCancelDay: -1,
      scheduledCancelTriggers: 0,
    };
    this.accounts.set(key, account);
    return account;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Prices and books
  // ---------------------------------------------------------------------------------------------------------

  /**
   * Price tick (in price units) valid under 5 significant figures at `px` (integers are always valid).
   *
   * @example
   * ```ts
   * engine.tickUnits(btc, 100_000); // 10 (= $1 with 1 price decimal)
   * ```
   */
  tickUnits(coin: CoinState, px: number): number {
    const exponent = Math.floor(Math.log10(Math.max(px, 1e-12)));
    const tickDecimalsExponent = Math.min(exponent - 4, 0) + coin.pxDecimals;
    return tickDecimalsExponent <= 0 ? 1 : 10 ** tickDecimalsExponent;
  }

  /**
   * Price units → float USD.
   *
   * @example
   * ```ts
   * engine.px(btc, 1_000_005); // 100000.5
   * ```
   */
  px(coin: CoinState, pxInt: number): number {
    return pxInt / 10 ** coin.pxDecimals;
  }

  /**
   * Lots → float base units.
   *
   * @example
   * ```ts
   * engine.sz(btc, 150); // 0.0015
   * ```
   */
  sz(coin: CoinState, szInt: number): number {
    return szInt / 10 ** coin.spec.szDecimals;
  }

  /**
   * Price units → wire string.
   *
   * @example
   * ```ts
   * engine.pxWire(btc, 1_000_050); // "100005"
   * ```
   */
  pxWire(coin: CoinState, pxInt: number): string {
    return unitsToWire(pxInt, coin.pxDecimals);
  }

  /**
   * Lots → wire string.
   *
   * @example
   * ```ts
   * engine.szWire(btc, 1_000); // "0.01"
   * ```
   */
  szWire(coin: CoinState, szInt: number): string {
    return unitsToWire(szInt, coin.spec.szDecimals);
  }

  /**
   * Aggregated levels of one side, best first: background plus users' orders.
   *
   * @example
   * ```ts
   * engine.levels(btc, "bids", 5); // [{ pxInt, szInt, n }, …] best first
   * ```
   */
  levels(coin: CoinState, side: "bids" | "asks", depth = Number.POSITIVE_INFINITY): AggregatedLevel[] {
    return coin.book
      .levels(side === "bids", depth)
      .map((level) => ({ pxInt: level.price, szInt: level.size, n: level.n }));
  }

  /**
   * Best bid and ask (price units), `null` for an empty side.
   *
   * @example
   * ```ts
   * const { bid, ask } = engine.bbo(btc);
   * ```
   */
  bbo(coin: CoinState): { bid: AggregatedLevel | null; ask: AggregatedLevel | null } {
    return { bid: this.levels(coin, "bids", 1)[0] ?? null, ask: this.levels(coin, "asks", 1)[0] ?? null };
  }

  /**
   * Mid of the book, or the fair price when a side is empty.
   *
   * @example
   * ```ts
   * engine.midPx(btc); // e.g. 100000.5
   * ```
   */
  midPx(coin: CoinState): number {
    const { bid, ask } = this.bbo(coin);
    if (bid && ask) return (this.px(coin, bid.pxInt) + this.px(coin, ask.pxInt)) / 2;
    return coin.fairPx;
  }

  /**
   * Mark price: the book mid (fair price as fallback).
   *
   * @example
   * ```ts
   * engine.markPx(btc);
   * ```
   */
  markPx(coin: CoinState): number {
    return this.midPx(coin);
  }

  /**
   * Replaces the background liquidity of a coin. Users' orders that the new background crosses are filled first
   * (the market moved through them: they trade as makers at their own price), and queue positions shrink to the
   * new displayed size at their price.
   *
   * @example
   * ```ts
   * engine.setBackground(btc, new Map([[999_950, 100]]), new Map([[1_000_050, 100]]), nowMs);
   * ```
   */
  setBackground(coin: CoinState, bids: Map<number, number>, asks: Map<number, number>, nowMs: number): void {
    coin.book.setBackground(bids, asks, (order) => this.#fillMaker(order, order.szInt, null, nowMs));
    this.#flushTrades(coin);
    this.#emit({ type: "book", coin: coin.spec.name });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Matching
  // ---------------------------------------------------------------------------------------------------------

  #pendingTrades = new Map<string, TradeWire[]>();
  #pendingFills = new Map<Hex, UserFillWire[]>();
  #pendingUpdates = new Map<Hex, OrderUpdateWire[]>();

  /**
   * Runs a taker order against one side of the book (background and users' orders, price-time priority; a
   * user's order fills only after the background size queued ahead of it has traded). `taker` is `null` for
   * synthetic flow. Returns lots filled and the notional (USD).
   *
   * @example
   * ```ts
   * engine.matchTaker(btc, true, null, 1_000, null, nowMs); // a synthetic buy of 0.01 BTC
   * ```
   */
  matchTaker(
    coin: CoinState,
    isBuy: boolean,
    limitPxInt: number | null,
    szInt: number,
    taker: OrderRecord | null,
    nowMs: number,
  ): { filledInt: number; notionalUsd: number } {
    let remaining = szInt;
    let notionalUsd = 0;
    const traded = (pxInt: number, x: number): void => {
      notionalUsd += this.px(coin, pxInt) * this.sz(coin, x);
      remaining -= x;
    };
    coin.book.match({
      isBuy,
      limit: limitPxInt,
      remaining: () => remaining,
      onBackground: (pxInt, x) => {
        this.#tradeWithBackground(coin, isBuy, pxInt, x, taker, nowMs);
        traded(pxInt, x);
      },
      onMaker: (maker, pxInt, x) => {
        this.#fillMaker(maker, x, taker, nowMs);
        traded(pxInt, x);
      },
      // Self-trade prevention: the resting order is cancelled, the taker goes on.
      selfTrade: (maker) => {
        if (!taker || maker.user !== taker.user) return false;
        this.#finishOrder(maker, "selfTradeCanceled", nowMs);
        return true;
      },
    });
    const filledInt = szInt - remaining;
    if (filledInt > 0) this.#emit({ type: "book", coin: coin.spec.name });
    return { filledInt, notionalUsd };
  }

  #tradeWithBackground(
    coin: CoinState,
    takerIsBuy: boolean,
    pxInt: number,
    szInt: number,
    taker: OrderRecord | null,
    nowMs: number,
  ): void {
    const tid = this.#nextTid++;
    const hash = counterHash(this.#nextHash++);
    const takerUser = taker?.user ?? ZERO_ADDRESS;
    this.#publicTrade(
      coin,
      takerIsBuy,
      pxInt,
      szInt,
      nowMs,
      hash,
      tid,
      takerIsBuy ? takerUser : ZERO_ADDRESS,
      takerIsBuy ? ZERO_ADDRESS : takerUser,
    );
    if (taker) this.#applyFill(taker, pxInt, szInt, true, nowMs, tid, hash);
  }

  #fillMaker(maker: OrderRecord, szInt: number, taker: OrderRecord | null, nowMs: number): void {
    const coin = maker.coin;
    const tid = this.#nextTid++;
    const hash = counterHash(this.#nextHash++);
    const takerUser = taker?.user ?? ZERO_ADDRESS;
    const takerIsBuy = !maker.isBuy;
    this.#publicTrade(
      coin,
      takerIsBuy,
      maker.pxInt,
      szInt,
      nowMs,
      hash,
      tid,
      maker.isBuy ? maker.user : takerUser,
      maker.isBuy ? takerUser : maker.user,
    );
    this.#applyFill(maker, maker.pxInt, szInt, false, nowMs, tid, hash);
    if (taker) this.#applyFill(taker, maker.pxInt, szInt, true, nowMs, tid, hash);
    maker.szInt -= szInt;
    if (maker.szInt <= 0) this.#finishOrder(maker, "filled", nowMs);
  }

  #publicTrade(
    coin: CoinState,
    takerIsBuy: boolean,
    pxInt: number,
    szInt: number,
    nowMs: number,
    hash: Hex,
    tid: number,
    buyer: Hex,
    seller: Hex,
  ): void {
    const trades = this.#pendingTrades.get(coin.spec.name) ?? [];
    trades.push({
      coin: coin.spec.name,
      side: takerIsBuy ? "B" : "A",
      px: this.pxWire(coin, pxInt),
      sz: this.szWire(coin, szInt),
      time: nowMs,
      hash,
      tid,
      users: [buyer, seller],
    });
    this.#pendingTrades.set(coin.spec.name, trades);
    const px = this.px(coin, pxInt);
    const sz = this.sz(coin, szInt);
    this.#rollDay(coin, nowMs);
    coin.dayNtlVlm += px * sz;
    coin.dayBaseVlm += sz;
    this.#recordCandle(coin, nowMs, px, sz, 1);
  }

  #rollDay(coin: CoinState, nowMs: number): void {
    const day = Math.floor(nowMs / 86_400_000);
    if (day !== coin.dayIndex) {
      if (coin.dayIndex !== -1) coin.prevDayPx = this.midPx(coin);
      coin.dayIndex = day;
      coin.dayNtlVlm = 0;
      coin.dayBaseVlm = 0;
    }
  }

  /**
   * Records a price observation (trade, or the fair price once per step) into the coin's 1-minute candles.
   *
   * @example
   * ```ts
   * engine.recordPrice(btc, nowMs, 100_000);
   * ```
   */
  recordPrice(coin: CoinState, nowMs: number, px: number): void {
    this.#recordCandle(coin, nowMs, px, 0, 0);
  }

  #recordCandle(coin: CoinState, nowMs: number, px: number, volume: number, trades: number): void {
    const t = Math.floor(nowMs / 60_000) * 60_000;
    const last = coin.candles[coin.candles.length - 1];
    if (last && last.t === t) {
      last.h = Math.max(last.h, px);
      last.l = Math.min(last.l, px);
      last.c = px;
      last.v += volume;
      last.n += trades;
    } else if (!last || t > last.t) {
      coin.candles.push({ t, o: px, h: px, l: px, c: px, v: volume, n: trades });
      if (coin.candles.length > MAX_CANDLES) coin.candles.shift();
    }
  }

  #applyFill(
    order: OrderRecord,
    pxInt: number,
    szInt: number,
    crossed: boolean,
    nowMs: number,
    tid: number,
    hash: Hex,
  ): void {
    const account = this.accounts.get(order.user);
    if (!account) return;
    const coin = order.coin;
    const px = this.px(coin, pxInt);
    const position = account.positions.get(coin.spec.name) ?? {
      sziInt: 0,
      entryPx: 0,
      cumFundingAllTime: 0,
      cumFundingSinceOpen: 0,
      cumFundingSinceChange: 0,
    };
    const signed = order.isBuy ? szInt : -szInt;
    const {
      start,
      size: next,
      entryPrice,
      closedPnl,
      notional,
      fee,
    } = applyFillToPosition({ size: position.sziInt, entryPrice: position.entryPx }, signed, px, {
      baseQty: (lots) => this.sz(coin, lots),
      feeRate: crossed ? this.options.fees.taker : this.options.fees.maker,
    });
    let dir: string;
    if (start === 0) dir = order.isBuy ? "Open Long" : "Open Short";
    else if (Math.sign(start) === Math.sign(signed)) dir = start > 0 ? "Open Long" : "Open Short";
    else if (next !== 0 && Math.sign(next) !== Math.sign(start))
      dir = start > 0 ? "Long > Short" : "Short > Long";
    else dir = start > 0 ? "Close Long" : "Close Short";
    if (next !== 0 && (start === 0 || Math.sign(start) !== Math.sign(next))) position.cumFundingSinceOpen = 0;
    position.entryPx = entryPrice;
    position.sziInt = next;
    position.cumFundingSinceChange = 0;
    account.positions.set(coin.spec.name, position);
    account.usdc += closedPnl - fee;
    account.volumeUsd += notional;
    const fill: UserFillWire = {
      coin: coin.spec.name,
      px: this.pxWire(coin, pxInt),
      sz: this.szWire(coin, szInt),
      side: order.isBuy ? "B" : "A",
      time: nowMs,
      startPosition: this.szWire(coin, start),
      dir,
      closedPnl: decimalString(closedPnl, 6),
      hash,
      oid: order.oid,
      crossed,
      fee: decimalString(fee, 6),
      tid,
      feeToken: "USDC",
      twapId: null,
      ...(order.cloid !== undefined ? { cloid: order.cloid } : {}),
    };
    account.fills.push(fill);
    if (account.fills.length > MAX_FILLS_KEPT) account.fills.shift();
    const pending = this.#pendingFills.get(account.address) ?? [];
    pending.push(fill);
    this.#pendingFills.set(account.address, pending);
  }

  /** Sends out the trades, fills and order updates gathered since the last flush. */
  #flushTrades(coin?: CoinState): void {
    for (const [name, trades] of this.#pendingTrades) {
      if (coin && name !== coin.spec.name) continue;
      this.#pendingTrades.delete(name);
      if (trades.length > 0) this.#emit({ type: "trades", coin: name, trades });
    }
    for (const [user, fills] of this.#pendingFills) {
      this.#pendingFills.delete(user);
      if (fills.length > 0) this.#emit({ type: "fills", user, fills });
    }
    for (const [user, updates] of this.#pendingUpdates) {
      this.#pendingUpdates.delete(user);
      if (updates.length > 0) this.#emit({ type: "orderUpdates", user, updates });
    }
  }

  /**
   * Flushes all pending events (trades, fills, order updates).
   *
   * @example
   * ```ts
   * engine.flush();
   * ```
   */
  flush(): void {
    this.#flushTrades();
  }

  #orderUpdate(order: OrderRecord, status: OrderProcessingStatus, nowMs: number): void {
    const updates = this.#pendingUpdates.get(order.user) ?? [];
    updates.push({ order: this.openOrderWire(order), status, statusTimestamp: nowMs });
    this.#pendingUpdates.set(order.user, updates);
  }

  #finishOrder(order: OrderRecord, status: OrderProcessingStatus, nowMs: number): void {
    order.coin.book.remove(order, order.isBuy, order.pxInt);
    this.accounts.get(order.user)?.openOrders.delete(order);
    order.status = status;
    order.statusTimestamp = nowMs;
    this.#orderUpdate(order, status, nowMs);
    this.#emit({ type: "book", coin: order.coin.spec.name });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Wire views
  // ---------------------------------------------------------------------------------------------------------

  /**
   * An order as `openOrders` / `orderUpdates` show it.
   *
   * @example
   * ```ts
   * engine.openOrderWire(order).limitPx; // "99990"
   * ```
   */
  openOrderWire(order: OrderRecord): OpenOrderWire {
    return {
      coin: order.coin.spec.name,
      side: order.isBuy ? "B" : "A",
      limitPx: this.pxWire(order.coin, order.pxInt),
      sz: this.szWire(order.coin, order.szInt),
      oid: order.oid,
      timestamp: order.timestamp,
      origSz: this.szWire(order.coin, order.origSzInt),
      ...(order.cloid !== undefined ? { cloid: order.cloid } : {}),
      ...(order.reduceOnly ? { reduceOnly: true as const } : {}),
    };
  }

  /**
   * An order as `frontendOpenOrders` / `orderStatus` show it.
   *
   * @example
   * ```ts
   * engine.frontendOrderWire(order).tif; // "Alo"
   * ```
   */
  frontendOrderWire(order: OrderRecord): FrontendOpenOrderWire {
    return {
      ...this.openOrderWire(order),
      triggerCondition: "N/A",
      isTrigger: false,
      triggerPx: "0.0",
      children: [],
      isPositionTpsl: false,
      reduceOnly: order.reduceOnly,
      orderType: "Limit",
      tif: order.tif,
      cloid: order.cloid ?? null,
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Accounts and margin
  // ---------------------------------------------------------------------------------------------------------

  /**
   * Leverage setting of an account on a coin (default: min(20, max leverage), cross).
   *
   * @example
   * ```ts
   * engine.leverageOf(account, btc); // { type: "cross", value: 20 }
   * ```
   */
  leverageOf(account: AccountState, coin: CoinState): { type: "cross" | "isolated"; value: number } {
    return (
      account.leverage.get(coin.spec.name) ?? { type: "cross", value: Math.min(20, coin.spec.maxLeverage) }
    );
  }

  /**
   * Unrealised PnL of all positions at mark.
   *
   * @example
   * ```ts
   * engine.unrealizedPnl(account);
   * ```
   */
  unrealizedPnl(account: AccountState): number {
    let total = 0;
    for (const [name, position] of account.positions) {
      const coin = this.#byName.get(name);
      if (!coin || position.sziInt === 0) continue;
      total += (this.markPx(coin) - position.entryPx) * this.sz(coin, position.sziInt);
    }
    return total;
  }

  /**
   * Collateral plus unrealised PnL.
   *
   * @example
   * ```ts
   * engine.accountValue(account);
   * ```
   */
  accountValue(account: AccountState): number {
    return account.usdc + this.unrealizedPnl(account);
  }

  /**
   * Initial margin of positions only (notional at mark / leverage).
   *
   * @example
   * ```ts
   * engine.positionMargin(account);
   * ```
   */
  positionMargin(account: AccountState): number {
    let total = 0;
    for (const [name, position] of account.positions) {
      const coin = this.#byName.get(name);
      if (!coin || position.sziInt === 0) continue;
      total +=
        (Math.abs(this.sz(coin, position.sziInt)) * this.markPx(coin)) / this.leverageOf(account, coin).value;
    }
    return total;
  }

  /**
   * Margin needed for positions plus open orders (per coin, the worse of "all bids fill" and "all asks fill"),
   * optionally with one more order.
   *
   * @example
   * ```ts
   * engine.requiredMargin(account, { coin: btc, isBuy: true, szInt: 1_000, px: 100_000 });
   * ```
   */
  requiredMargin(
    account: AccountState,
    extra?: { coin: CoinState; isBuy: boolean; szInt: number; px: number },
  ): number {
    const names = new Set<string>([...account.positions.keys()]);
    for (const order of account.openOrders) names.add(order.coin.spec.name);
    if (extra) names.add(extra.coin.spec.name);
    let total = 0;
    for (const name of names) {
      const coin = this.#byName.get(name);
      if (!coin) continue;
      const position = account.positions.get(name)?.sziInt ?? 0;
      let buys = 0;
      let sells = 0;
      let orderNotionalPx = this.markPx(coin);
      for (const order of account.openOrders) {
        if (order.coin !== coin || order.reduceOnly) continue;
        if (order.isBuy) buys += order.szInt;
        else sells += order.szInt;
      }
      if (extra && extra.coin === coin) {
        if (extra.isBuy) buys += extra.szInt;
        else sells += extra.szInt;
        orderNotionalPx = Math.max(orderNotionalPx, extra.px);
      }
      const worst = Math.max(Math.abs(position + buys), Math.abs(position - sells));
      total += (this.sz(coin, worst) * orderNotionalPx) / this.leverageOf(account, coin).value;
    }
    return total;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Actions
  // ---------------------------------------------------------------------------------------------------------

  /**
   * Validates and executes one order for `user`. Returns its status as the `order` action reports it.
   *
   * @example
   * ```ts
   * engine.placeOrder(user, { a: 0, b: true, p: "99990", s: "0.001", r: false, t: { limit: { tif: "Alo" } } }, nowMs);
   * ```
   */
  placeOrder(user: Hex, wire: OrderWire, nowMs: number): OrderStatusWire {
    const status = this.#placeOrder(user, wire, nowMs);
    this.flush();
    return status;
  }

  #placeOrder(user: Hex, wire: OrderWire, nowMs: number): OrderStatusWire {
    const account = this.accounts.get(user);
    const coin = this.coins[wire.a];
    if (!account) return { error: `User or API Wallet ${user} does not exist.` };
    if (!coin) return { error: `Invalid asset: ${wire.a}` };
    const asset = ` asset=${wire.a}`;
    if (!("limit" in wire.t)) return { error: `Trigger orders are not supported by the emulator.${asset}` };
    const tif = wire.t.limit.tif === "FrontendMarket" ? "Ioc" : wire.t.limit.tif;
    const cloid = wire.c !== undefined ? (wire.c.toLowerCase() as Hex) : undefined;
    const szInt = wireToUnits(wire.s, coin.spec.szDecimals);
    if (szInt === null || szInt <= 0 || !isValidSize(coin.instrument, wire.s)) {
      return { error: `Order has invalid size.${asset}` };
    }
    const pxInt = wireToUnits(wire.p, coin.pxDecimals);
    if (pxInt === null || pxInt <= 0 || !isValidPrice(coin.instrument, wire.p)) {
      return { error: `Price must be divisible by tick size.${asset}` };
    }
    if (!wire.r && !meetsMinNotional(coin.instrument, wire.p, wire.s)) {
      return { error: `Order must have minimum value of $10.${asset}` };
    }
    if (cloid !== undefined) {
      for (const open of account.openOrders) {
        if (open.cloid === cloid) return { error: `Duplicate cloid: ${cloid}.${asset}` };
      }
    }
    const order: OrderRecord = {
      oid: 0,
      user,
      coin,
      isBuy: wire.b,
      pxInt,
      szInt,
      origSzInt: szInt,
      timestamp: nowMs,
      cloid,
      reduceOnly: wire.r,
      tif,
      status: "open",
      statusTimestamp: nowMs,
    };
    const reject = (message: string, status: OrderProcessingStatus): OrderStatusWire => {
      order.oid = this.#nextOid++;
      order.status = status;
      this.#remember(order);
      this.#orderUpdate(order, status, nowMs);
      return { error: message };
    };
    if (account.openOrders.size >= this.options.maxOpenOrders && tif !== "Ioc") {
      return reject(
        `Too many open orders: the limit is ${this.options.maxOpenOrders}.${asset}`,
        "tooManyOpenOrdersRejected",
      );
    }
    if (wire.r) {
      const position = account.positions.get(coin.spec.name)?.sziInt ?? 0;
      if (position === 0 || position > 0 === wire.b) {
        return reject(`Reduce only order would increase position.${asset}`, "reduceOnlyRejected");
      }
      order.szInt = Math.min(order.szInt, Math.abs(position));
      order.origSzInt = order.szInt;
    }
    const crosses = coin.book.crosses(wire.b, pxInt);
    if (tif === "Alo" && crosses) {
      const { bid, ask } = this.bbo(coin);
      const bidText = bid ? this.pxWire(coin, bid.pxInt) : "None";
      const askText = ask ? this.pxWire(coin, ask.pxInt) : "None";
      return reject(
        `Post only order would have immediately matched, bbo was ${bidText}@${askText}.${asset}`,
        "badAloPxRejected",
      );
    }
    if (
      !wire.r &&
      this.requiredMargin(account, { coin, isBuy: wire.b, szInt: order.szInt, px: this.px(coin, pxInt) }) >
        this.accountValue(account)
    ) {
      return reject(`Insufficient margin to place order.${asset}`, "perpMarginRejected");
    }
    if (tif === "Ioc" && !crosses) {
      return reject(
        `Order could not immediately match against any resting orders.${asset}`,
        "iocCancelRejected",
      );
    }
    order.oid = this.#nextOid++;
    this.#remember(order);
    let filledInt = 0;
    let notionalUsd = 0;
    if (crosses) {
      const result = this.matchTaker(coin, wire.b, pxInt, order.szInt, order, nowMs);
      filledInt = result.filledInt;
      notionalUsd = result.notionalUsd;
      order.szInt -= filledInt;
    }
    const cloidPart = cloid !== undefined ? { cloid } : {};
    if (order.szInt <= 0) {
      order.status = "filled";
      order.statusTimestamp = nowMs;
      this.#orderUpdate(order, "filled", nowMs);
      return {
        filled: {
          totalSz: this.szWire(coin, filledInt),
          avgPx: decimalString(notionalUsd / this.sz(coin, filledInt), coin.pxDecimals + 2),
          oid: order.oid,
          ...cloidPart,
        },
      };
    }
    if (tif === "Ioc") {
      order.status = "canceled";
      order.statusTimestamp = nowMs;
      this.#orderUpdate(order, "canceled", nowMs);
      if (filledInt === 0) {
        order.status = "iocCancelRejected";
        return { error: `Order could not immediately match against any resting orders.${asset}` };
      }
      return {
        filled: {
          totalSz: this.szWire(coin, filledInt),
          avgPx: decimalString(notionalUsd / this.sz(coin, filledInt), coin.pxDecimals + 2),
          oid: order.oid,
          ...cloidPart,
        },
      };
    }
    coin.book.rest(order, wire.b, pxInt);
    account.openOrders.add(order);
    this.#orderUpdate(order, "open", nowMs);
    this.#emit({ type: "book", coin: coin.spec.name });
    return { resting: { oid: order.oid, ...cloidPart } };
  }

  /** Records an order for `orderStatus`, forgetting the oldest closed one past `ordersKept`. */
  #remember(order: OrderRecord): void {
    this.orders.set(order.oid, order);
    if (this.orders.size <= (this.options.ordersKept ?? DEFAULT_ORDERS_KEPT)) return;
    for (const [oid, old] of this.orders) {
      if (old === order || this.accounts.get(old.user)?.openOrders.has(old)) continue;
      this.orders.delete(oid);
      return;
    }
  }

  /**
   * Finds a user's open order by oid or cloid.
   *
   * @example
   * ```ts
   * engine.findOpenOrder(user, btc, "0x1234567890abcdef1234567890abcdef");
   * ```
   */
  findOpenOrder(user: Hex, coin: CoinState | undefined, id: number | string): OrderRecord | undefined {
    const account = this.accounts.get(user);
    if (!account) return undefined;
    for (const order of account.openOrders) {
      if (coin && order.coin !== coin) continue;
      if (typeof id === "number" ? order.oid === id : order.cloid === id.toLowerCase()) return order;
    }
    return undefined;
  }

  /**
   * Cancels a user's open order by oid or cloid; returns "success" or the venue's error.
   *
   * @example
   * ```ts
   * engine.cancel(user, 0, 1_000_000, nowMs); // "success"
   * ```
   */
  cancel(user: Hex, asset: number, id: number | string, nowMs: number): "success" | { error: string } {
    const coin = this.coins[asset];
    const order = coin ? this.findOpenOrder(user, coin, id) : undefined;
    if (!order) return { error: `Order was never placed, already canceled, or filled. asset=${asset}` };
    this.#finishOrder(order, "canceled", nowMs);
    this.flush();
    return "success";
  }

  /**
   * Modifies an open order: the old order is cancelled and the new one placed under a new oid (queue priority is
   * lost). When the new order fails validation the old one stays.
   *
   * @example
   * ```ts
   * engine.modify(user, 1_000_000, { a: 0, b: true, p: "99980", s: "0.001", r: false, t: { limit: { tif: "Alo" } } }, nowMs);
   * ```
   */
  modify(user: Hex, id: number | string, wire: OrderWire, nowMs: number): OrderStatusWire {
    const coin = this.coins[wire.a];
    const existing = this.findOpenOrder(user, coin, id);
    if (!existing) return { error: "Cannot modify canceled or filled order" };
    // Take the old order out first so that it does not count against margin, open-order limits or the cloid.
    const slot = existing.coin.book.remove(existing, existing.isBuy, existing.pxInt);
    const account = this.accounts.get(user);
    account?.openOrders.delete(existing);
    const status = this.#placeOrder(user, wire, nowMs);
    if ("error" in status) {
      // Put the old order back where it was.
      if (slot) existing.coin.book.restore(existing, existing.isBuy, existing.pxInt, slot);
      account?.openOrders.add(existing);
      // Drop the rejection update of the failed replacement.
      this.#pendingUpdates.delete(user);
      return status;
    }
    existing.status = "canceled";
    existing.statusTimestamp = nowMs;
    const updates = this.#pendingUpdates.get(user) ?? [];
    updates.unshift({ order: this.openOrderWire(existing), status: "canceled", statusTimestamp: nowMs });
    this.#pendingUpdates.set(user, updates);
    this.flush();
    return status;
  }

  /**
   * Cancels all of a user's open orders with the given status (e.g. `scheduledCancel`).
   *
   * @example
   * ```ts
   * engine.cancelAll(user, "scheduledCancel", nowMs); // number cancelled
   * ```
   */
  cancelAll(user: Hex, status: OrderProcessingStatus, nowMs: number): number {
    const account = this.accounts.get(user);
    if (!account) return 0;
    const orders = [...account.openOrders];
    for (const order of orders) this.#finishOrder(order, status, nowMs);
    this.flush();
    return orders.length;
  }

  /**
   * Sets leverage on a coin. Returns `null` or the venue's error.
   *
   * @example
   * ```ts
   * engine.updateLeverage(user, 0, true, 5); // null
   * ```
   */
  updateLeverage(user: Hex, asset: number, isCross: boolean, leverage: number): string | null {
    const account = this.accounts.get(user);
    const coin = this.coins[asset];
    if (!account || !coin) return `Invalid asset: ${asset}`;
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > coin.spec.maxLeverage) {
      return "Invalid leverage value";
    }
    const previous = this.leverageOf(account, coin);
    account.leverage.set(coin.spec.name, { type: isCross ? "cross" : "isolated", value: leverage });
    if (this.requiredMargin(account) > this.accountValue(account)) {
      account.leverage.set(coin.spec.name, previous);
      return "Insufficient margin for leverage update";
    }
    return null;
  }

  /**
   * Sets or clears (`timeMs` undefined) the dead-man's switch. Returns `null` or the venue's error.
   *
   * @example
   * ```ts
   * engine.scheduleCancel(user, nowMs + 10_000, nowMs); // null
   * ```
   */
  scheduleCancel(user: Hex, timeMs: number | undefined, nowMs: number): string | null {
    const account = this.accounts.get(user);
    if (!account) return `User or API Wallet ${user} does not exist.`;
    if (account.volumeUsd < this.options.scheduleCancelMinVolumeUsd) {
      const traded = Number(account.volumeUsd.toFixed(2)).toString();
      return `Cannot set scheduled cancel time until enough volume traded. Required: $${this.options.scheduleCancelMinVolumeUsd}. Traded: $${traded}.`;
    }
    if (timeMs === undefined) {
      account.scheduledCancelAtMs = null;
      return null;
    }
    if (timeMs < nowMs + 5_000)
      return "Scheduled cancel time too early, must be at least 5 seconds from now.";
    const day = Math.floor(nowMs / 86_400_000);
    if (
      account.scheduledCancelDay === day &&
      account.scheduledCancelTriggers >= this.options.scheduleCancelMaxTriggersPerDay
    ) {
      return "Too many scheduled cancel triggers today";
    }
    account.scheduledCancelAtMs = timeMs;
    return null;
  }

  /**
   * Fires due dead-man's switches: all of the user's orders are cancelled with status `scheduledCancel`.
   *
   * @example
   * ```ts
   * engine.runScheduledCancels(nowMs);
   * ```
   */
  runScheduledCancels(nowMs: number): void {
    for (const account of this.accounts.values()) {
      if (account.scheduledCancelAtMs === null || account.scheduledCancelAtMs > nowMs) continue;
      const firedAt = account.scheduledCancelAtMs;
      account.scheduledCancelAtMs = null;
      const day = Math.floor(firedAt / 86_400_000);
      if (account.scheduledCancelDay !== day) {
        account.scheduledCancelDay = day;
        account.scheduledCancelTriggers = 0;
      }
      account.scheduledCancelTriggers++;
      this.cancelAll(account.address, "scheduledCancel", firedAt);
    }
  }

  /**
   * Pays funding for one hour on every position: longs pay `szi · oraclePx · rate` when the rate is positive.
   *
   * @example
   * ```ts
   * engine.applyFunding(nowMs);
   * ```
   */
  applyFunding(nowMs: number): void {
    for (const account of this.accounts.values()) {
      for (const [name, position] of account.positions) {
        const coin = this.#byName.get(name);
        if (!coin || position.sziInt === 0) continue;
        const rate = coin.spec.fundingRatePerHour;
        const payment = this.sz(coin, position.sziInt) * coin.fairPx * rate;
        account.usdc -= payment;
        position.cumFundingAllTime += payment;
        position.cumFundingSinceOpen += payment;
        position.cumFundingSinceChange += payment;
        this.#emit({
          type: "funding",
          user: account.address,
          funding: {
            time: nowMs,
            coin: name,
            usdc: decimalString(-payment, 6),
            szi: this.szWire(coin, position.sziInt),
            fundingRate: decimalString(rate, 10),
            nSamples: null,
          },
        });
      }
    }
  }
}

/** One aggregated book level (price units, lots, number of orders). */
export interface AggregatedLevel {
  pxInt: number;
  szInt: number;
  n: number;
}
