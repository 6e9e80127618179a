/** Which side of the book: `buy` is a bid, `sell` an ask. */
export type Side = "buy" | "sell";

/** One OHLCV bar. `openTime` is the bar's open in ms since the epoch (UTC); volume is in base units. */
export interface Candle {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** One price level of a book: total resting `size` (base units) at `price`; `orders` when the venue says. */
export interface Level {
  price: number;
  size: number;
  orders?: number;
}

/** Best bid and ask. Either side may be empty. `time` is the venue's timestamp (ms). */
export interface BookTop {
  coin: string;
  time: number;
  bid: Level | null;
  ask: Level | null;
}

/** A depth snapshot: bids best (highest) first, asks best (lowest) first. */
export interface L2Book {
  coin: string;
  time: number;
  bids: Level[];
  asks: Level[];
}

/** A public trade. `side` is the aggressor's: `buy` lifted an ask, `sell` hit a bid. */
export interface Trade {
  coin: string;
  time: number;
  side: Side;
  price: number;
  size: number;
  id: string;
}

/** A quote the strategy wants resting: one order's side, price and size (before venue rounding). */
export interface Quote {
  side: Side;
  price: number;
  size: number;
  /** 0 for the best level of that side, 1 for the next, … */
  level: number;
}

/** Time in force: `alo` = add-liquidity-only (post only), `gtc` = good till cancelled, `ioc` = immediate or cancel. */
export type TimeInForce = "alo" | "gtc" | "ioc";

/** What the bot asks a venue to do: place one order. */
export interface OrderRequest {
  clientId: string;
  coin: string;
  side: Side;
  price: number;
  size: number;
  timeInForce: TimeInForce;
  reduceOnly: boolean;
}

/** Move a working order (by client id) to a new price and/or size. */
export interface ModifyRequest {
  clientId: string;
  coin: string;
  side: Side;
  price: number;
  size: number;
  timeInForce: TimeInForce;
  reduceOnly: boolean;
  /** Client id the order carries after the modify; venues that re-issue the order may need a new one. */
  newClientId?: string;
}

/** Cancel a working order by client id. */
export interface CancelRequest {
  clientId: string;
  coin: string;
}

/**
 * The life of an order. `pending` = sent, not acknowledged; `open` = resting; `filled`, `cancelled` and
 * `rejected` are final.
 */
export type OrderStatus = "pending" | "open" | "filled" | "cancelled" | "rejected";

/** An order as the bot knows it. `filledSize` grows with fills; `size` is the original size. */
export interface Order {
  clientId: string;
  venueOrderId: string | null;
  coin: string;
  side: Side;
  price: number;
  size: number;
  filledSize: number;
  status: OrderStatus;
  timeInForce: TimeInForce;
  reduceOnly: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Whether a fill added liquidity (maker) or took it (taker). */
export type Liquidity = "maker" | "taker";

/**
 * One execution of an own order. `fee` is in quote currency and signed as a cost: positive = paid,
 * negative = a rebate received.
 */
export interface Fill {
  clientId: string | null;
  venueOrderId: string | null;
  tradeId: string;
  coin: string;
  side: Side;
  price: number;
  size: number;
  fee: number;
  liquidity: Liquidity;
  time: number;
}

/**
 * A funding payment on a perp position as the venue booked it. `paymentUsd` is signed as received:
 * negative = paid. `rate` is the rate applied for the interval (positive = longs pay shorts).
 */
export interface FundingPayment {
  coin: string;
  time: number;
  rate: number;
  /** Signed position size the payment was charged on. */
  positionSize: number;
  paymentUsd: number;
}

/** A perp position: signed `size` (> 0 long, < 0 short) at an average `entryPrice`. */
export interface Position {
  coin: string;
  size: number;
  entryPrice: number;
}

/**
 * Fee rates as fractions of notional (0.00015 = 1.5 bp), signed as costs: positive = paid, negative = rebate.
 */
export interface FeeSchedule {
  makerRate: number;
  takerRate: number;
}

/** Hyperliquid's base tier (tier 0) perp fees: maker +0.015% and taker +0.045%, both costs. */
export const HYPERLIQUID_TIER0_FEES: Readonly<FeeSchedule> = Object.freeze({
  makerRate: 0.00015,
  takerRate: 0.00045,
});
