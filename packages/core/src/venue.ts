import type { Instrument } from "./instrument.ts";
import type {
  BookTop,
  CancelRequest,
  Fill,
  FundingPayment,
  L2Book,
  ModifyRequest,
  Order,
  OrderRequest,
  OrderStatus,
  Position,
  Trade,
} from "./types.ts";

/** A change in an own order's state as the venue reports it. */
export interface OrderUpdate {
  clientId: string | null;
  venueOrderId: string | null;
  coin: string;
  status: OrderStatus;
  /** Venue's words for a rejection or cancellation (e.g. "scheduledCancel"), when it gave any. */
  reason?: string;
  time: number;
}

/**
 * Why a venue refused an order, in words a bot can act on: `post-only` (it would have crossed: routine),
 * `order-gone` (a modify or cancel of an order already filled or cancelled: routine), `margin` (not enough
 * collateral), `rate-limit` (the venue's request budget is spent), `other` (anything else, including local
 * refusals before sending).
 */
export type RejectionKind = "post-only" | "order-gone" | "margin" | "rate-limit" | "other";

/**
 * What a venue says about one order of a batch. `unknown` means the request's outcome could not be learned
 * (timeout, dropped connection): reconcile through {@link Venue.openOrders} before acting on that order again.
 */
export interface OrderResult {
  clientId: string;
  status: "open" | "filled" | "rejected" | "unknown";
  venueOrderId: string | null;
  /** The venue's error string for `rejected`, or what went wrong for `unknown`. */
  reason?: string;
  /** What kind of refusal a `rejected` is, as the venue adapter reads its error (absent: not classified). */
  rejection?: RejectionKind;
  filledSize?: number;
  averagePrice?: number;
}

/** What a venue says about one cancel of a batch. */
export interface CancelResult {
  clientId: string;
  status: "cancelled" | "rejected" | "unknown";
  reason?: string;
}

/** Connection states a streaming venue reports. */
export type ConnectionState = "connected" | "disconnected" | "reconnected";

/**
 * Everything a venue streams to the strategy. `receivedAt` is the local clock's time on arrival; the
 * payloads carry the venue's own timestamps.
 */
export type VenueEvent =
  | { type: "book"; book: L2Book; receivedAt: number }
  | { type: "bookTop"; top: BookTop; receivedAt: number }
  | { type: "trades"; trades: Trade[]; receivedAt: number }
  | { type: "order"; update: OrderUpdate; receivedAt: number }
  | { type: "fill"; fill: Fill; receivedAt: number }
  | { type: "funding"; funding: FundingPayment; receivedAt: number }
  | { type: "connection"; state: ConnectionState; reason?: string; receivedAt: number }
  | { type: "error"; error: Error; receivedAt: number };

/** Which streams to open. */
export interface SubscriptionRequest {
  coins: string[];
  /** `l2` = depth snapshots, `top` = best bid/offer only. */
  book: "l2" | "top" | "none";
  trades: boolean;
  /** Own orders and fills. */
  account: boolean;
}

/** Stops a subscription. */
export type Unsubscribe = () => Promise<void>;

/**
 * The one interface the strategy talks to, whether the venue is a simulator, the emulator or Hyperliquid.
 * Orders are addressed by client id; every batch method answers per order, in request order, and never
 * throws for one bad order of a batch.
 */
export interface Venue {
  readonly name: string;
  /** The tradable instruments with their tick and lot rules. */
  instruments(): Promise<Instrument[]>;
  placeOrders(requests: readonly OrderRequest[]): Promise<OrderResult[]>;
  modifyOrders(requests: readonly ModifyRequest[]): Promise<OrderResult[]>;
  cancelOrders(requests: readonly CancelRequest[]): Promise<CancelResult[]>;
  /** Working orders, optionally of one coin. */
  openOrders(coin?: string): Promise<Order[]>;
  /** The current position of a coin (size 0 when flat). */
  position(coin: string): Promise<Position>;
  /** Opens streams; events arrive on `listener` until the returned function is called. */
  subscribe(request: SubscriptionRequest, listener: (event: VenueEvent) => void): Promise<Unsubscribe>;
}
