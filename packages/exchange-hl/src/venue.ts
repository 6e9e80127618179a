import {
  type CancelRequest,
  type CancelResult,
  type Candle,
  type Fill,
  hyperliquidPerpInstrument,
  type Instrument,
  type ModifyRequest,
  type Order,
  type OrderRequest,
  type OrderResult,
  type OrderStatus,
  type Position,
  type SubscriptionRequest,
  type Unsubscribe,
  type Venue,
  type VenueEvent,
} from "@botmm/core";
import { hyperliquidExchangeWeight, hyperliquidInfoWeight, RequestBudget } from "@botmm/risk";
import {
  ApiRequestError,
  ExchangeClient,
  HttpTransport,
  InfoClient,
  type ISubscription,
  MAINNET_API_URL,
  MAINNET_API_WS_URL,
  SubscriptionClient,
  TESTNET_API_URL,
  TESTNET_API_WS_URL,
  ValidationError,
  WebSocketTransport,
} from "@nktkas/hyperliquid";
import { clientIdToCloid, cloidToClientId, isValidClientId } from "./cloid.ts";
import {
  bookFromWire,
  bookTopFromWire,
  fillFromWire,
  openOrderFromWire,
  orderStatusFromWire,
  orderStatusToResult,
  orderUpdateFromWire,
  prepareOrder,
  rejectionKind,
  toWireTif,
  tradesFromWire,
  type WireFill,
  type WireOpenOrder,
  type WireOrder,
} from "./convert.ts";
import { HyperliquidVenueError } from "./errors.ts";
import {
  type HyperliquidLogEntry,
  type HyperliquidVenueOptions,
  type ResolvedOptions,
  resolveOptions,
} from "./options.ts";

/** Hyperliquid mainnet endpoints (from the SDK). */
export const HYPERLIQUID_MAINNET = Object.freeze({ apiUrl: MAINNET_API_URL, wsUrl: MAINNET_API_WS_URL });
/** Hyperliquid testnet endpoints (from the SDK). */
export const HYPERLIQUID_TESTNET = Object.freeze({ apiUrl: TESTNET_API_URL, wsUrl: TESTNET_API_WS_URL });

/** Counters of {@link HyperliquidVenue.requestStats}. */
export interface HyperliquidRequestStats {
  /** HTTP requests sent (info and exchange). */
  requests: number;
  /** IP weight spent in total (the venue allows 1,200 per minute). */
  weight: number;
  /** Requests that failed (transport errors, timeouts, HTTP errors, refused actions). */
  errors: number;
  /** Requests left in the address budget (10,000 + 1 per USD traded − used); ≤ 0 means throttled. */
  addressBudgetRemaining: number;
  /** A budget is at or below its reserve: send fewer requests (widen refresh tolerance). */
  slowDown: boolean;
}

/**
 * Where an order stands according to the venue (`orderStatus` by cloid). `notFound`: the venue never saw
 * the cloid (the request did not arrive); `unknown`: the query itself failed.
 */
export interface ReconciledOrder {
  clientId: string;
  status: OrderStatus | "notFound" | "unknown";
  venueOrderId: string | null;
  /** The venue's status word (e.g. `scheduledCancel`, `badAloPxRejected`) or what went wrong. */
  reason?: string;
  size?: number;
  filledSize?: number;
  price?: number;
}

type ActionOutcome =
  | { kind: "statuses"; statuses: readonly unknown[] }
  | { kind: "ok" }
  | { kind: "refused"; reason: string }
  | { kind: "unknown"; reason: string };

/** One venue-level `subscribe` call. */
interface Stream {
  readonly listener: (event: VenueEvent) => void;
  readonly channels: Channel[];
  closed: boolean;
  awaitingReconnect: boolean;
}

/** One server subscription shared by every stream that needs it (the SDK shares identical payloads anyway). */
interface Channel {
  readonly key: string;
  readonly streams: Set<Stream>;
  readonly open: (onError: (error: Error) => void) => Promise<ISubscription>;
  handle: ISubscription | null;
  state: "pending" | "live" | "dead";
  pending: Promise<boolean> | null;
  attempts: number;
  retryTimer: ReturnType<typeof setTimeout> | null;
  removed: boolean;
  lastError: string;
}

const SEEN_FILLS_CAPACITY = 20_000;
const MAX_RETRY_DELAY_MS = 30_000;

/** Per-signer nonces shared by every venue in the process: clock time, strictly increasing. */
const lastNonces = new Map<string, number>();

function nextNonce(address: string, nowMs: number): number {
  const last = lastNonces.get(address) ?? 0;
  const now = Math.floor(nowMs);
  const nonce = now > last ? now : last + 1;
  lastNonces.set(address, nonce);
  return nonce;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}

/** Hyperliquid's candle intervals by length in ms. */
const CANDLE_INTERVALS = new Map<
  number,
  "1m" | "3m" | "5m" | "15m" | "30m" | "1h" | "2h" | "4h" | "8h" | "12h" | "1d"
>([
  [60_000, "1m"],
  [180_000, "3m"],
  [300_000, "5m"],
  [900_000, "15m"],
  [1_800_000, "30m"],
  [3_600_000, "1h"],
  [7_200_000, "2h"],
  [14_400_000, "4h"],
  [28_800_000, "8h"],
  [43_200_000, "12h"],
  [86_400_000, "1d"],
]);

/**
 * BotMM's {@link Venue} on Hyperliquid perps, over the `@nktkas/hyperliquid` SDK (HTTP for requests, one
 * WebSocket for streams). It hides the wire format completely:
 *
 * - instruments from `meta` (tick/lot rules, asset ids), refreshed periodically;
 * - orders rounded exactly (bids down, asks up, sizes down) and checked against the $10 minimum before
 *   signing; many orders per `order` action; quotes moved with `batchModify`; cancels by cloid in one request;
 * - every batch answered per order, with the venue's own error strings; a lost request (timeout, transport
 *   error, HTTP 5xx/429) answers `unknown` for each of its orders — resolve them with {@link reconcile} or
 *   {@link openOrders};
 * - streams (books, trades, own orders and fills) as core events, with `disconnected` / `reconnected`
 *   connection events, resubscription after a reconnect and fills deduplicated by trade id;
 * - a dead-man's switch (`scheduleCancel`) kept alive while armed, and a local request budget.
 *
 * @example
 * ```ts
 * const venue = await HyperliquidVenue.connect({
 *   network: { apiUrl: emulator.url, wsUrl: emulator.wsUrl },
 *   wallet: loadWallet({ env: process.env }),
 *   clock: systemClock(),
 *   clientIdPrefix: "b07a11ce00000001",
 * });
 * const [result] = await venue.placeOrders([
 *   { clientId: "1", coin: "BTC", side: "buy", price: 90_000, size: 0.001, timeInForce: "alo", reduceOnly: false },
 * ]);
 * await venue.close();
 * ```
 */
export class HyperliquidVenue implements Venue {
  readonly name = "hyperliquid" as const;
  /** The account traded for (lowercase). */
  readonly user: `0x${string}`;

  readonly #o: ResolvedOptions;
  readonly #http: HttpTransport;
  readonly #info: InfoClient;
  readonly #exchange: ExchangeClient;
  #budget: RequestBudget;
  readonly #stats = { requests: 0, weight: 0, errors: 0 };
  #instruments = new Map<string, Instrument>();
  #instrumentsLoadedAt = Number.NEGATIVE_INFINITY;
  #refreshing = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  #ticking = false;
  #closed = false;

  #dmsArmed = false;
  #dmsArmedAt = 0;
  #dmsRetryAt = 0;

  #ws: WebSocketTransport | null = null;
  #subscriptions: SubscriptionClient | null = null;
  #wsEverOpened = false;
  #wsDisconnected = false;
  readonly #streams = new Set<Stream>();
  readonly #channels = new Map<string, Channel>();
  #fillsSeeded = false;
  readonly #seenFills = new Set<string>();
  readonly #seenFunding = new Set<string>();
  readonly #seenFillsOrder: string[] = [];

  private constructor(options: ResolvedOptions) {
    this.#o = options;
    this.user = options.user;
    this.#http = new HttpTransport({
      isTestnet: options.isTestnet,
      timeout: options.requestTimeoutMs,
      ...(options.apiUrl === undefined ? {} : { apiUrl: options.apiUrl }),
    });
    this.#info = new InfoClient({ transport: this.#http });
    const clock = options.clock;
    this.#exchange = new ExchangeClient({
      transport: this.#http,
      wallet: options.wallet,
      nonceManager: (address) => nextNonce(address.toLowerCase(), clock.now()),
    });
    this.#budget = new RequestBudget({ clock, config: options.requestBudget ?? {} });
  }

  /**
   * Connects: validates the options, loads `meta` (instruments), syncs the request budget with the venue's
   * `userRateLimit` and starts the housekeeping loop (instrument refresh, dead-man's switch re-arm). The
   * WebSocket opens on the first {@link subscribe}.
   *
   * @throws HyperliquidVenueError `INVALID_OPTION` for bad options, `REQUEST_FAILED` when `meta` cannot be loaded.
   * @example
   * ```ts
   * const venue = await HyperliquidVenue.connect({
   *   network: "testnet",
   *   wallet: loadWallet({ env: process.env }),
   *   clock: systemClock(),
   *   clientIdPrefix: "b07a11ce00000001",
   * });
   * ```
   */
  static async connect(options: HyperliquidVenueOptions): Promise<HyperliquidVenue> {
    const venue = new HyperliquidVenue(resolveOptions(options));
    await venue.refreshInstruments();
    if (venue.#o.syncRequestBudget) await venue.#syncBudget();
    venue.#startHousekeeping();
    venue.#log("info", "connected to Hyperliquid", {
      user: venue.user,
      signer: options.wallet.address,
      instruments: venue.#instruments.size,
    });
    return venue;
  }

  // -----------------------------------------------------------------------------------------------------------
  // Instruments
  // -----------------------------------------------------------------------------------------------------------

  /**
   * The listed perps (delisted ones left out) with their tick and lot rules, from the last `meta` load.
   *
   * @example
   * ```ts
   * const btc = (await venue.instruments()).find((i) => i.coin === "BTC");
   * btc?.sizeRule; // { type: "decimals", decimals: 5 }
   * ```
   */
  async instruments(): Promise<Instrument[]> {
    return [...this.#instruments.values()];
  }

  /**
   * Reloads `meta` now (the housekeeping loop does it every `instrumentRefreshMs` of clock time).
   *
   * @throws HyperliquidVenueError `REQUEST_FAILED`.
   * @example
   * ```ts
   * const instruments = await venue.refreshInstruments();
   * ```
   */
  async refreshInstruments(): Promise<Instrument[]> {
    const meta = await this.#infoCall("meta", () => this.#info.meta());
    const next = new Map<string, Instrument>();
    meta.universe.forEach((asset, assetId) => {
      if (asset.isDelisted) return;
      next.set(
        asset.name,
        hyperliquidPerpInstrument({
          coin: asset.name,
          assetId,
          szDecimals: asset.szDecimals,
          maxLeverage: asset.maxLeverage,
        }),
      );
    });
    this.#instruments = next;
    this.#instrumentsLoadedAt = this.#o.clock.now();
    return [...next.values()];
  }

  #instrument(coin: string): Instrument | undefined {
    return this.#instruments.get(coin);
  }

  #requireInstrument(coin: string): Instrument {
    const instrument = this.#instruments.get(coin);
    if (!instrument) {
      throw new HyperliquidVenueError(
        "UNKNOWN_COIN",
        `coin ${JSON.stringify(coin)} is not listed in meta; known: ${[...this.#instruments.keys()].slice(0, 20).join(", ")}`,
      );
    }
    return instrument;
  }

  // -----------------------------------------------------------------------------------------------------------
  // Orders
  // -----------------------------------------------------------------------------------------------------------

  /**
   * Places orders in one `order` action: each rounded exactly (bids down, asks up, sizes down), post-only
   * (`alo`) unless asked otherwise, with its cloid. Orders that cannot be sent (unknown coin, bad client id,
   * rounding to zero, under $10 after rounding) are `rejected` without a request. Answers per order in request
   * order: `open`, `filled` (IOC/GTC that crossed), `rejected` with the venue's error string, or `unknown`
   * when the request's outcome was lost (reconcile before reusing the id).
   *
   * @example
   * ```ts
   * const results = await venue.placeOrders([
   *   { clientId: "1", coin: "BTC", side: "buy", price: 99_000, size: 0.001, timeInForce: "alo", reduceOnly: false },
   *   { clientId: "2", coin: "BTC", side: "sell", price: 101_000, size: 0.001, timeInForce: "alo", reduceOnly: false },
   * ]);
   * results.map((r) => r.status); // ["open", "open"]
   * ```
   */
  async placeOrders(requests: readonly OrderRequest[]): Promise<OrderResult[]> {
    const results: OrderResult[] = new Array(requests.length);
    const wire: WireOrder[] = [];
    const sentIndex: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i]!;
      const built = this.#buildOrder(request, request.clientId);
      if (typeof built === "string") {
        results[i] = rejected(request.clientId, built);
      } else {
        wire.push(built);
        sentIndex.push(i);
      }
    }
    if (wire.length === 0) return results;
    const outcome = await this.#action("order", wire.length, async () => {
      const response = await this.#exchange.order({ orders: wire, grouping: "na" });
      return response.response.data.statuses;
    });
    this.#fillResults(results, sentIndex, outcome, (i) => requests[i]!.clientId);
    return results;
  }

  /**
   * Moves working orders with one `batchModify` (never cancel + place). Each request addresses the order by
   * its current client id; the order carries `newClientId` (when given) afterwards, and the result's
   * `clientId` is that id. Refused requests (as in {@link placeOrders}) send nothing and leave the order
   * as it was. A modify the venue rejects (e.g. the order is gone or the new price would cross) answers
   * `rejected` with the venue's words.
   *
   * @example
   * ```ts
   * const [moved] = await venue.modifyOrders([
   *   { clientId: "1", newClientId: "3", coin: "BTC", side: "buy", price: 99_100, size: 0.001, timeInForce: "alo", reduceOnly: false },
   * ]);
   * moved.clientId; // "3"
   * ```
   */
  async modifyOrders(requests: readonly ModifyRequest[]): Promise<OrderResult[]> {
    const results: OrderResult[] = new Array(requests.length);
    const modifies: { oid: `0x${string}`; order: WireOrder }[] = [];
    const sentIndex: number[] = [];
    const resultId = (request: ModifyRequest) => request.newClientId ?? request.clientId;
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i]!;
      if (!isValidClientId(request.clientId)) {
        results[i] = rejected(
          resultId(request),
          `clientId must be the decimal digits of a positive integer, got ${JSON.stringify(request.clientId)} (nothing sent)`,
        );
        continue;
      }
      const built = this.#buildOrder(request, resultId(request));
      if (typeof built === "string") {
        results[i] = rejected(resultId(request), built);
        continue;
      }
      modifies.push({ oid: clientIdToCloid(this.#o.clientIdPrefix, request.clientId), order: built });
      sentIndex.push(i);
    }
    if (modifies.length === 0) return results;
    const outcome = await this.#action("batchModify", modifies.length, async () => {
      const response = await this.#exchange.batchModify({ modifies });
      return response.response.data.statuses;
    });
    this.#fillResults(results, sentIndex, outcome, (i) => resultId(requests[i]!));
    return results;
  }

  /**
   * Cancels orders by cloid in one `cancelByCloid` request. Answers per order: `cancelled`, `rejected` with
   * the venue's words (e.g. `Order was never placed, already canceled, or filled. asset=0`), or `unknown`.
   *
   * @example
   * ```ts
   * const [cancelled] = await venue.cancelOrders([{ clientId: "1", coin: "BTC" }]);
   * cancelled.status; // "cancelled"
   * ```
   */
  async cancelOrders(requests: readonly CancelRequest[]): Promise<CancelResult[]> {
    const results: CancelResult[] = new Array(requests.length);
    const cancels: { asset: number; cloid: `0x${string}` }[] = [];
    const sentIndex: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i]!;
      const instrument = this.#instrument(request.coin);
      if (!instrument) {
        results[i] = {
          clientId: request.clientId,
          status: "rejected",
          reason: `unknown coin ${JSON.stringify(request.coin)} (not in meta; nothing sent)`,
        };
      } else if (!isValidClientId(request.clientId)) {
        results[i] = {
          clientId: request.clientId,
          status: "rejected",
          reason: `clientId must be the decimal digits of a positive integer, got ${JSON.stringify(request.clientId)} (nothing sent)`,
        };
      } else {
        cancels.push({
          asset: instrument.assetId,
          cloid: clientIdToCloid(this.#o.clientIdPrefix, request.clientId),
        });
        sentIndex.push(i);
      }
    }
    if (cancels.length === 0) return results;
    const outcome = await this.#action("cancelByCloid", cancels.length, async () => {
      const response = await this.#exchange.cancelByCloid({ cancels });
      return response.response.data.statuses;
    });
    for (let k = 0; k < sentIndex.length; k++) {
      const i = sentIndex[k]!;
      const clientId = requests[i]!.clientId;
      if (outcome.kind === "statuses") {
        const status = outcome.statuses[k];
        if (status === "success") results[i] = { clientId, status: "cancelled" };
        else if (typeof status === "object" && status !== null && "error" in status) {
          results[i] = { clientId, status: "rejected", reason: String((status as { error: unknown }).error) };
        } else results[i] = { clientId, status: "unknown", reason: `venue status ${JSON.stringify(status)}` };
      } else if (outcome.kind === "refused") {
        results[i] = { clientId, status: "rejected", reason: outcome.reason };
      } else {
        results[i] = {
          clientId,
          status: "unknown",
          reason: outcome.kind === "unknown" ? outcome.reason : "no status",
        };
      }
    }
    return results;
  }

  /**
   * Cancels every open order (of one coin, or all) whose cloid carries this bot's prefix, in one request;
   * other bots' and manual orders are left alone. Returns how many the venue confirmed cancelled.
   *
   * @throws HyperliquidVenueError `REQUEST_FAILED` when the open orders cannot be read.
   * @example
   * ```ts
   * const n = await venue.cancelAllOwnOrders("BTC");
   * ```
   */
  async cancelAllOwnOrders(coin?: string): Promise<number> {
    const own = await this.openOrders(coin);
    if (own.length === 0) return 0;
    const results = await this.cancelOrders(
      own.map((order) => ({ clientId: order.clientId, coin: order.coin })),
    );
    return results.filter((result) => result.status === "cancelled").length;
  }

  /**
   * This bot's working orders (cloid with its prefix), optionally of one coin, from `frontendOpenOrders`
   * (with time in force and reduce-only). With `includeForeign`, orders of other bots or placed by hand come
   * too, their `clientId` being their cloid or `oid:<n>` (never decimal digits).
   *
   * @throws HyperliquidVenueError `REQUEST_FAILED`.
   * @example
   * ```ts
   * const mine = await venue.openOrders("BTC");
   * const everything = await venue.openOrders(undefined, { includeForeign: true });
   * ```
   */
  async openOrders(coin?: string, options: { includeForeign?: boolean } = {}): Promise<Order[]> {
    const orders = (await this.#infoCall("frontendOpenOrders", () =>
      this.#info.frontendOpenOrders({ user: this.user }),
    )) as WireOpenOrder[];
    const result: Order[] = [];
    for (const order of orders) {
      if (coin !== undefined && order.coin !== coin) continue;
      const clientId = cloidToClientId(this.#o.clientIdPrefix, order.cloid);
      if (clientId !== null) result.push(openOrderFromWire(clientId, order));
      else if (options.includeForeign)
        result.push(openOrderFromWire(order.cloid ?? `oid:${order.oid}`, order));
    }
    return result;
  }

  /**
   * Asks the venue where each order stands (`orderStatus` by cloid, one light request each, in parallel):
   * how callers resolve `unknown` results. `notFound` means the venue never saw that cloid.
   *
   * @example
   * ```ts
   * const [state] = await venue.reconcile(["7"]);
   * if (state.status === "notFound") resendOrder("7");
   * ```
   */
  async reconcile(clientIds: readonly string[]): Promise<ReconciledOrder[]> {
    return Promise.all(
      clientIds.map(async (clientId): Promise<ReconciledOrder> => {
        if (!isValidClientId(clientId)) {
          return { clientId, status: "unknown", venueOrderId: null, reason: "not a valid client id" };
        }
        try {
          const answer = await this.#infoCall("orderStatus", () =>
            this.#info.orderStatus({
              user: this.user,
              oid: clientIdToCloid(this.#o.clientIdPrefix, clientId),
            }),
          );
          if (answer.status !== "order") return { clientId, status: "notFound", venueOrderId: null };
          const { order, status } = answer.order;
          const size = Number(order.origSz);
          return {
            clientId,
            status: orderStatusFromWire(status),
            venueOrderId: String(order.oid),
            reason: status,
            size,
            filledSize: Math.max(0, Number((size - Number(order.sz)).toFixed(10))),
            price: Number(order.limitPx),
          };
        } catch (error) {
          return { clientId, status: "unknown", venueOrderId: null, reason: describe(error) };
        }
      }),
    );
  }

  /**
   * The position of a coin from `clearinghouseState` (size 0 and entry 0 when flat).
   *
   * @throws HyperliquidVenueError `UNKNOWN_COIN`, `REQUEST_FAILED`.
   * @example
   * ```ts
   * const { size, entryPrice } = await venue.position("BTC"); // size > 0 long, < 0 short
   * ```
   */
  async position(coin: string): Promise<Position> {
    this.#requireInstrument(coin);
    const state = await this.#clearinghouseState();
    const entry = state.assetPositions.find((p) => p.position.coin === coin);
    if (!entry) return { coin, size: 0, entryPrice: 0 };
    return { coin, size: Number(entry.position.szi), entryPrice: Number(entry.position.entryPx) };
  }

  /**
   * The account value in USD (`marginSummary.accountValue` of `clearinghouseState`).
   *
   * @throws HyperliquidVenueError `REQUEST_FAILED`.
   * @example
   * ```ts
   * const equityUsd = await venue.accountValue();
   * ```
   */
  async accountValue(): Promise<number> {
    const state = await this.#clearinghouseState();
    return Number(state.marginSummary.accountValue);
  }

  /**
   * This account's fills since `timeMs` (Hyperliquid's `userFillsByTime`, at most 2000), oldest first, as core
   * `Fill`s with the same trade ids as the stream's: what a restarted bot uses to book the fills it missed.
   *
   * @throws HyperliquidVenueError `REQUEST_FAILED`.
   * @example
   * ```ts
   * for (const fill of await venue.fillsSince(journal.lastFillTime())) journal.recordFill(fill);
   * ```
   */
  async fillsSince(timeMs: number): Promise<Fill[]> {
    const wire = await this.#infoCall("userFillsByTime", () =>
      this.#info.userFillsByTime({ user: this.user, startTime: Math.max(0, Math.floor(timeMs)) }),
    );
    return (wire as readonly WireFill[])
      .map((fill) => fillFromWire(this.#o.clientIdPrefix, fill))
      .sort((a, b) => a.time - b.time || a.tradeId.localeCompare(b.tradeId));
  }

  /**
   * Candles of `coin` (Hyperliquid's `candleSnapshot`, at most the 5000 most recent), oldest first, as core
   * `Candle`s: what a starting bot primes its volatility estimate with instead of waiting for live bars. The
   * last candle may still be open; callers that want closed bars only drop those whose interval has not ended.
   *
   * @throws HyperliquidVenueError `INVALID_OPTION` for an interval Hyperliquid does not serve, `REQUEST_FAILED`.
   * @example
   * ```ts
   * const candles = await venue.candles("BTC", 60_000, Date.now() - 3_600_000); // the last hour of 1m bars
   * ```
   */
  async candles(coin: string, intervalMs: number, startTime: number, endTime?: number): Promise<Candle[]> {
    const interval = CANDLE_INTERVALS.get(intervalMs);
    if (interval === undefined) {
      throw new HyperliquidVenueError(
        "INVALID_OPTION",
        `candles: no Hyperliquid candle interval of ${intervalMs} ms (expected one of ${[...CANDLE_INTERVALS.values()].join(", ")})`,
      );
    }
    const wire = await this.#infoCall("candleSnapshot", () =>
      this.#info.candleSnapshot({
        coin,
        interval,
        startTime: Math.max(0, Math.floor(startTime)),
        ...(endTime === undefined ? {} : { endTime: Math.max(0, Math.floor(endTime)) }),
      }),
    );
    return wire
      .map((candle) => ({
        openTime: candle.t,
        open: Number(candle.o),
        high: Number(candle.h),
        low: Number(candle.l),
        close: Number(candle.c),
        volume: Number(candle.v),
      }))
      .sort((x, y) => x.openTime - y.openTime);
  }

  #clearinghouseState() {
    return this.#infoCall("clearinghouseState", () => this.#info.clearinghouseState({ user: this.user }));
  }

  /**
   * Sets a coin's leverage (`updateLeverage`), cross by default.
   *
   * @throws HyperliquidVenueError `UNKNOWN_COIN`, `INVALID_OPTION` (not an integer in 1…maxLeverage),
   *   `LEVERAGE_REFUSED` (with the venue's words) or `REQUEST_FAILED`.
   * @example
   * ```ts
   * await venue.setLeverage("BTC", 5); // 5× cross
   * await venue.setLeverage("ETH", 3, false); // 3× isolated
   * ```
   */
  async setLeverage(coin: string, leverage: number, isCross = true): Promise<void> {
    const instrument = this.#requireInstrument(coin);
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > instrument.maxLeverage) {
      throw new HyperliquidVenueError(
        "INVALID_OPTION",
        `leverage for ${coin} must be an integer from 1 to ${instrument.maxLeverage}, got ${leverage}`,
      );
    }
    const outcome = await this.#action("updateLeverage", 1, async () => {
      await this.#exchange.updateLeverage({ asset: instrument.assetId, isCross, leverage });
      return null;
    });
    if (outcome.kind === "refused") {
      throw new HyperliquidVenueError(
        "LEVERAGE_REFUSED",
        `updateLeverage ${coin} ${leverage}× refused: ${outcome.reason}`,
      );
    }
    if (outcome.kind === "unknown") {
      throw new HyperliquidVenueError("REQUEST_FAILED", `updateLeverage ${coin} failed: ${outcome.reason}`);
    }
  }

  #buildOrder(request: OrderRequest | ModifyRequest, cloidClientId: string): WireOrder | string {
    const instrument = this.#instrument(request.coin);
    if (!instrument) return `unknown coin ${JSON.stringify(request.coin)} (not in meta; nothing sent)`;
    if (!isValidClientId(cloidClientId)) {
      return `clientId must be the decimal digits of a positive integer, got ${JSON.stringify(cloidClientId)} (nothing sent)`;
    }
    if (request.side !== "buy" && request.side !== "sell") {
      return `side must be "buy" or "sell", got ${JSON.stringify(request.side)} (nothing sent)`;
    }
    const prepared = prepareOrder(instrument, request.side, request.price, request.size);
    if (!prepared.ok) return prepared.reason;
    return {
      a: instrument.assetId,
      b: request.side === "buy",
      p: prepared.price,
      s: prepared.size,
      r: request.reduceOnly === true,
      t: { limit: { tif: toWireTif(request.timeInForce ?? "alo") } },
      c: clientIdToCloid(this.#o.clientIdPrefix, cloidClientId),
    };
  }

  #fillResults(
    results: OrderResult[],
    sentIndex: readonly number[],
    outcome: ActionOutcome,
    clientIdOf: (index: number) => string,
  ): void {
    for (let k = 0; k < sentIndex.length; k++) {
      const i = sentIndex[k]!;
      const clientId = clientIdOf(i);
      if (outcome.kind === "statuses") {
        results[i] = orderStatusToResult(clientId, outcome.statuses[k]);
      } else if (outcome.kind === "refused") {
        results[i] = rejected(clientId, outcome.reason);
      } else {
        results[i] = {
          clientId,
          status: "unknown",
          venueOrderId: null,
          reason: outcome.kind === "unknown" ? outcome.reason : "no status in the venue's answer",
        };
      }
    }
  }

  // -----------------------------------------------------------------------------------------------------------
  // Dead-man's switch
  // -----------------------------------------------------------------------------------------------------------

  /**
   * Arms the dead-man's switch: `scheduleCancel({ time: now + deadManSwitchMs })`, then re-armed every
   * deadManSwitchMs / 3 (clock time) while armed. If the bot goes silent (crash, hang, lost network) the venue
   * cancels every open order once the horizon passes. The venue refuses it until the account has traded $1M;
   * that refusal is logged (warn) and thrown, never retried in a loop.
   *
   * @throws HyperliquidVenueError `DEAD_MAN_SWITCH_REFUSED` (the venue's words), `DEAD_MAN_SWITCH_DISABLED`
   *   (`deadManSwitchMs: null`) or `REQUEST_FAILED`.
   * @example
   * ```ts
   * try {
   *   await venue.armDeadManSwitch();
   * } catch (error) {
   *   log.warn(String(error)); // quote without it, or with fewer levels
   * }
   * ```
   */
  async armDeadManSwitch(): Promise<void> {
    const horizon = this.#o.deadManSwitchMs;
    if (horizon === null) {
      throw new HyperliquidVenueError(
        "DEAD_MAN_SWITCH_DISABLED",
        "the dead-man's switch is disabled (deadManSwitchMs: null)",
      );
    }
    await this.#scheduleCancel(this.#o.clock.now() + horizon, "arm");
    this.#dmsArmed = true;
  }

  /**
   * Stops re-arming and clears the venue's scheduled cancel (`scheduleCancel` without a time).
   *
   * @throws HyperliquidVenueError `DEAD_MAN_SWITCH_REFUSED` or `REQUEST_FAILED` (the re-arming stops anyway).
   * @example
   * ```ts
   * await venue.disarmDeadManSwitch();
   * ```
   */
  async disarmDeadManSwitch(): Promise<void> {
    this.#dmsArmed = false;
    await this.#scheduleCancel(null, "disarm");
  }

  async #scheduleCancel(time: number | null, what: "arm" | "re-arm" | "disarm"): Promise<void> {
    const sentAt = this.#o.clock.now();
    const outcome = await this.#action(
      "scheduleCancel",
      1,
      async () => {
        if (time === null) await this.#exchange.scheduleCancel();
        else await this.#exchange.scheduleCancel({ time: Math.floor(time) });
        return null;
      },
      false,
    );
    if (outcome.kind === "refused") {
      this.#log("warn", `dead-man's switch ${what} refused by the venue: ${outcome.reason}`, {
        reason: outcome.reason,
      });
      throw new HyperliquidVenueError(
        "DEAD_MAN_SWITCH_REFUSED",
        `scheduleCancel (${what}) refused by the venue: ${outcome.reason}`,
      );
    }
    if (outcome.kind === "unknown") {
      throw new HyperliquidVenueError("REQUEST_FAILED", `scheduleCancel (${what}) failed: ${outcome.reason}`);
    }
    if (time !== null) this.#dmsArmedAt = sentAt;
    this.#log("debug", `dead-man's switch ${what}ed`, time === null ? {} : { cancelAt: time });
  }

  async #rearmDeadManSwitch(): Promise<void> {
    const horizon = this.#o.deadManSwitchMs;
    if (horizon === null) return;
    try {
      await this.#scheduleCancel(this.#o.clock.now() + horizon, "re-arm");
    } catch (error) {
      if (error instanceof HyperliquidVenueError && error.code === "DEAD_MAN_SWITCH_REFUSED") {
        // A refusal will not go away by retrying every second: stop and tell the bot.
        this.#dmsArmed = false;
        this.#broadcast({ type: "error", error, receivedAt: this.#o.clock.now() });
        return;
      }
      this.#dmsRetryAt = this.#o.clock.now() + horizon / 10;
      this.#log("warn", `dead-man's switch re-arm failed, retrying: ${describe(error)}`);
    }
  }

  // -----------------------------------------------------------------------------------------------------------
  // Request accounting
  // -----------------------------------------------------------------------------------------------------------

  /**
   * Request counters and the local budget (address budget, IP weight): when `slowDown` is true, send fewer
   * requests before the venue throttles.
   *
   * @example
   * ```ts
   * const { slowDown, addressBudgetRemaining } = venue.requestStats();
   * ```
   */
  requestStats(): HyperliquidRequestStats {
    return {
      requests: this.#stats.requests,
      weight: this.#stats.weight,
      errors: this.#stats.errors,
      addressBudgetRemaining: this.#budget.addressRemaining(),
      slowDown: this.#budget.shouldSlowDown(),
    };
  }

  /**
   * Counts every request (and traded volume) in `budget` from now on instead of the adapter's own, so an app
   * whose risk engine paces and halts on a request budget keeps exactly one, fed with everything this adapter
   * sends; synced with the venue's `userRateLimit` when syncing is on. `requestStats()` reads it too.
   *
   * @example
   * ```ts
   * await venue.useRequestBudget(riskEngine.budget);
   * ```
   */
  async useRequestBudget(budget: RequestBudget): Promise<void> {
    this.#budget = budget;
    if (this.#o.syncRequestBudget) await this.#syncBudget();
  }

  async #syncBudget(): Promise<void> {
    try {
      const limits = await this.#infoCall("userRateLimit", () =>
        this.#info.userRateLimit({ user: this.user }),
      );
      this.#budget.sync({ requestsUsed: limits.nRequestsUsed, tradedUsd: Number(limits.cumVlm) });
    } catch (error) {
      this.#log("warn", `could not sync the request budget with userRateLimit: ${describe(error)}`);
    }
  }

  #record(requests: number, weight: number): void {
    this.#stats.requests++;
    this.#stats.weight += weight;
    this.#budget.record(requests, weight);
  }

  async #infoCall<T>(type: string, call: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new HyperliquidVenueError("CLOSED", `${type}: the venue is closed`);
    this.#record(0, hyperliquidInfoWeight(type));
    try {
      return await call();
    } catch (error) {
      this.#stats.errors++;
      this.#log("warn", `info ${type} failed: ${describe(error)}`, { request: type });
      throw new HyperliquidVenueError("REQUEST_FAILED", `info request ${type} failed: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  /** Sends one exchange action and classifies its outcome; never throws. */
  async #action(
    type: string,
    batch: number,
    call: () => Promise<readonly unknown[] | null>,
    logRefusal = true,
  ): Promise<ActionOutcome> {
    if (this.#closed) return { kind: "refused", reason: "the venue is closed (nothing sent)" };
    this.#record(batch, hyperliquidExchangeWeight(batch));
    try {
      const statuses = await call();
      return statuses === null ? { kind: "ok" } : { kind: "statuses", statuses };
    } catch (error) {
      this.#stats.errors++;
      if (error instanceof ApiRequestError) {
        const body = error.response as { status?: unknown; response?: unknown } | undefined;
        const statuses = (body?.response as { data?: { statuses?: unknown } } | undefined)?.data?.statuses;
        if (Array.isArray(statuses)) return { kind: "statuses", statuses };
        const reason = typeof body?.response === "string" ? body.response : error.message;
        if (logRefusal)
          this.#log("warn", `${type} refused by the venue: ${reason}`, { request: type, reason });
        return { kind: "refused", reason };
      }
      if (error instanceof ValidationError) {
        const reason = `${type} not sent, it failed the SDK's validation: ${error.message}`;
        this.#log("error", reason, { request: type });
        return { kind: "refused", reason };
      }
      const reason = `${type} outcome unknown: ${describe(error)}`;
      this.#log("warn", reason, { request: type });
      return { kind: "unknown", reason };
    }
  }

  // -----------------------------------------------------------------------------------------------------------
  // Streams
  // -----------------------------------------------------------------------------------------------------------

  /**
   * Opens streams over the WebSocket: per coin an L2 book (`book: "l2"`) or best bid/offer (`"top"`) and
   * trades; with `account`, own order updates and fills. Events carry the venue's times and `receivedAt` from
   * the clock. Fills already seen (by trade id) are never repeated, and the fill history sent on subscribing
   * is not replayed as new fills; fills made while disconnected arrive after the reconnect.
   *
   * On a dropped connection every listener gets `{ type: "connection", state: "disconnected" }`; once the
   * socket is back and all its streams are resubscribed, `state: "reconnected"` (reconcile orders then). A
   * resubscription the venue refuses is retried with backoff and reported as an `error` event each time.
   *
   * @throws HyperliquidVenueError `UNKNOWN_COIN`, `REQUEST_FAILED` (the socket or a subscription failed).
   * @example
   * ```ts
   * const stop = await venue.subscribe({ coins: ["BTC"], book: "l2", trades: true, account: true }, (event) => {
   *   if (event.type === "fill") inventory.apply(event.fill);
   *   if (event.type === "connection" && event.state === "reconnected") void reconcileOrders();
   * });
   * await stop();
   * ```
   */
  async subscribe(request: SubscriptionRequest, listener: (event: VenueEvent) => void): Promise<Unsubscribe> {
    if (this.#closed) throw new HyperliquidVenueError("CLOSED", "subscribe: the venue is closed");
    for (const coin of request.coins) this.#requireInstrument(coin);
    const subscriptions = await this.#ensureWebSocket();
    const stream: Stream = { listener, channels: [], closed: false, awaitingReconnect: false };
    for (const coin of request.coins) {
      if (request.book === "l2") {
        stream.channels.push(
          this.#channel(`l2Book:${coin}`, (onError) =>
            subscriptions.l2Book(
              { coin },
              (data) =>
                this.#dispatch(`l2Book:${coin}`, (now) => ({
                  type: "book",
                  book: bookFromWire(data),
                  receivedAt: now,
                })),
              { onError },
            ),
          ),
        );
      } else if (request.book === "top") {
        stream.channels.push(
          this.#channel(`bbo:${coin}`, (onError) =>
            subscriptions.bbo(
              { coin },
              (data) =>
                this.#dispatch(`bbo:${coin}`, (now) => ({
                  type: "bookTop",
                  top: bookTopFromWire(data),
                  receivedAt: now,
                })),
              { onError },
            ),
          ),
        );
      }
      if (request.trades) {
        stream.channels.push(
          this.#channel(`trades:${coin}`, (onError) =>
            subscriptions.trades(
              { coin },
              (data) =>
                this.#dispatch(`trades:${coin}`, (now) => ({
                  type: "trades",
                  trades: tradesFromWire(data),
                  receivedAt: now,
                })),
              { onError },
            ),
          ),
        );
      }
    }
    if (request.account) {
      stream.channels.push(
        this.#channel("orderUpdates", (onError) =>
          subscriptions.orderUpdates(
            { user: this.user },
            (updates) => {
              const channel = this.#channels.get("orderUpdates");
              if (!channel) return;
              const now = this.#o.clock.now();
              for (const update of updates) {
                const event: VenueEvent = {
                  type: "order",
                  update: orderUpdateFromWire(
                    this.#o.clientIdPrefix,
                    update as Parameters<typeof orderUpdateFromWire>[1],
                  ),
                  receivedAt: now,
                };
                for (const s of channel.streams) this.#emit(s, event);
              }
            },
            { onError },
          ),
        ),
        this.#channel("userFills", (onError) =>
          subscriptions.userFills({ user: this.user }, (data) => this.#onUserFills(data), { onError }),
        ),
        this.#channel("userEvents", (onError) =>
          subscriptions.userEvents({ user: this.user }, (data) => this.#onUserEvents(data), { onError }),
        ),
      );
    }
    // Dedupe channels asked twice by one request (same coin listed twice).
    const unique = [...new Set(stream.channels)];
    stream.channels.length = 0;
    stream.channels.push(...unique);
    this.#streams.add(stream);
    for (const channel of unique) channel.streams.add(stream);
    const opened = await Promise.all(unique.map((channel) => this.#openChannel(channel, false)));
    if (opened.some((ok) => !ok)) {
      await this.#removeStream(stream);
      throw new HyperliquidVenueError(
        "REQUEST_FAILED",
        `subscribe failed for ${unique
          .filter((_, i) => !opened[i])
          .map((c) => `${c.key} (${c.lastError || "socket closed"})`)
          .join(", ")}`,
      );
    }
    return () => this.#removeStream(stream);
  }

  async #ensureWebSocket(): Promise<SubscriptionClient> {
    if (this.#subscriptions && this.#ws) return this.#subscriptions;
    const reconnectDelay = this.#o.reconnectDelayMs;
    const transport = new WebSocketTransport({
      isTestnet: this.#o.isTestnet,
      timeout: this.#o.requestTimeoutMs,
      resubscribe: false, // this adapter resubscribes itself, so it knows when every stream is back
      ...(this.#o.wsUrl === undefined ? {} : { url: this.#o.wsUrl }),
      ...(reconnectDelay === undefined ? {} : { reconnect: { reconnectionDelay: reconnectDelay } }),
    });
    this.#ws = transport;
    this.#subscriptions = new SubscriptionClient({ transport });
    transport.socket.addEventListener("close", (event) => this.#onSocketClose(transport, event));
    transport.socket.addEventListener("open", () => this.#onSocketOpen(transport));
    try {
      await transport.ready(AbortSignal.timeout(this.#o.requestTimeoutMs));
    } catch (error) {
      this.#ws = null;
      this.#subscriptions = null;
      transport.close();
      throw new HyperliquidVenueError("REQUEST_FAILED", `WebSocket connection failed: ${describe(error)}`, {
        cause: error,
      });
    }
    return this.#subscriptions;
  }

  #onSocketClose(transport: WebSocketTransport, event: Event): void {
    if (this.#closed || transport !== this.#ws) return;
    if (this.#wsDisconnected) return;
    this.#wsDisconnected = true;
    const code = (event as { code?: number }).code;
    const reason = `WebSocket closed${code === undefined ? "" : ` (code ${code})`}`;
    this.#log("warn", `${reason}; reconnecting`);
    const now = this.#o.clock.now();
    for (const channel of this.#channels.values()) {
      channel.handle = null;
      if (channel.state === "live") channel.state = "dead";
    }
    for (const stream of this.#streams) {
      stream.awaitingReconnect = true;
      this.#emit(stream, { type: "connection", state: "disconnected", reason, receivedAt: now });
    }
  }

  #onSocketOpen(transport: WebSocketTransport): void {
    if (this.#closed || transport !== this.#ws) return;
    if (!this.#wsEverOpened) {
      this.#wsEverOpened = true;
      return;
    }
    if (!this.#wsDisconnected) return;
    this.#wsDisconnected = false;
    this.#log("info", "WebSocket reconnected; resubscribing");
    const attempts: Promise<boolean>[] = [];
    for (const channel of this.#channels.values()) {
      if (channel.retryTimer !== null) clearTimeout(channel.retryTimer);
      channel.retryTimer = null;
      channel.attempts = 0;
      // A subscribe still in flight from before the drop fails with the old socket: try again on this one.
      const inFlight = channel.pending;
      attempts.push(
        inFlight
          ? inFlight.then((ok) => (ok || channel.removed ? ok : this.#openChannel(channel, true)))
          : this.#openChannel(channel, true),
      );
    }
    // Once every channel is back, or refused (an `error` event said so and it keeps retrying), tell every
    // listener: the bot reconciles its orders on `reconnected`, so it must come even if one stream is refused.
    void Promise.all(attempts).then(() => {
      if (this.#wsDisconnected || this.#closed || transport !== this.#ws) return;
      const now = this.#o.clock.now();
      for (const stream of this.#streams) {
        if (!stream.awaitingReconnect || stream.closed) continue;
        stream.awaitingReconnect = false;
        this.#emit(stream, { type: "connection", state: "reconnected", receivedAt: now });
      }
    });
  }

  #channel(key: string, open: Channel["open"]): Channel {
    let channel = this.#channels.get(key);
    if (!channel) {
      channel = {
        key,
        streams: new Set(),
        open,
        handle: null,
        state: "dead",
        pending: null,
        attempts: 0,
        retryTimer: null,
        removed: false,
        lastError: "",
      };
      this.#channels.set(key, channel);
    }
    return channel;
  }

  /** Subscribes a channel unless it is live; resolves true once live. Retries by itself when `retry`. */
  #openChannel(channel: Channel, retry: boolean): Promise<boolean> {
    if (channel.state === "live") return Promise.resolve(true);
    if (channel.pending) return channel.pending;
    channel.state = "pending";
    const onError = (error: Error) => this.#onChannelError(channel, error);
    const pending = (async () => {
      try {
        const handle = await channel.open(onError);
        if (channel.removed || this.#closed) {
          await handle.unsubscribe().catch(() => {});
          return false;
        }
        channel.handle = handle;
        channel.state = "live";
        channel.attempts = 0;
        return true;
      } catch (error) {
        channel.state = "dead";
        channel.lastError = describe(error);
        if (channel.removed || this.#closed) return false;
        if (this.#socketOpen()) {
          // A live socket refused it (or timed out): surface it, never go silent.
          this.#log("error", `subscription ${channel.key} failed: ${describe(error)}`, {
            channel: channel.key,
          });
          if (retry) {
            const wrapped = new HyperliquidVenueError(
              "REQUEST_FAILED",
              `subscription ${channel.key} failed, retrying: ${describe(error)}`,
              { cause: error },
            );
            for (const stream of channel.streams)
              this.#emit(stream, { type: "error", error: wrapped, receivedAt: this.#o.clock.now() });
            this.#scheduleRetry(channel);
          }
        }
        // On a dead socket the next open resubscribes.
        return false;
      } finally {
        channel.pending = null;
      }
    })();
    channel.pending = pending;
    return pending;
  }

  #scheduleRetry(channel: Channel): void {
    if (channel.retryTimer !== null || channel.removed) return;
    const delay = Math.min(MAX_RETRY_DELAY_MS, 250 * 2 ** channel.attempts);
    channel.attempts++;
    channel.retryTimer = setTimeout(() => {
      channel.retryTimer = null;
      if (!channel.removed && !this.#closed && this.#socketOpen()) void this.#openChannel(channel, true);
    }, delay);
    channel.retryTimer.unref?.();
  }

  #onChannelError(channel: Channel, error: Error): void {
    channel.handle = null;
    channel.state = "dead";
    if (channel.removed || this.#closed || !this.#socketOpen()) return; // a drop: the reconnect handles it
    this.#log("error", `subscription ${channel.key} dropped by the venue: ${describe(error)}`, {
      channel: channel.key,
    });
    const wrapped = new HyperliquidVenueError(
      "REQUEST_FAILED",
      `subscription ${channel.key} dropped, resubscribing: ${describe(error)}`,
      { cause: error },
    );
    for (const stream of channel.streams)
      this.#emit(stream, { type: "error", error: wrapped, receivedAt: this.#o.clock.now() });
    void this.#openChannel(channel, true);
  }

  #socketOpen(): boolean {
    return this.#ws !== null && this.#ws.socket.readyState === 1;
  }

  async #removeStream(stream: Stream): Promise<void> {
    if (stream.closed) return;
    stream.closed = true;
    this.#streams.delete(stream);
    const unsubscribes: Promise<void>[] = [];
    for (const channel of stream.channels) {
      channel.streams.delete(stream);
      if (channel.streams.size > 0) continue;
      channel.removed = true;
      this.#channels.delete(channel.key);
      if (channel.retryTimer !== null) clearTimeout(channel.retryTimer);
      if (channel.key === "userFills") this.#fillsSeeded = false;
      const handle = channel.handle;
      channel.handle = null;
      if (handle) unsubscribes.push(handle.unsubscribe().catch(() => {}));
    }
    await Promise.all(unsubscribes);
  }

  #dispatch(key: string, build: (now: number) => VenueEvent): void {
    const channel = this.#channels.get(key);
    if (!channel || channel.streams.size === 0) return;
    const event = build(this.#o.clock.now());
    for (const stream of channel.streams) this.#emit(stream, event);
  }

  #onUserFills(data: { fills: readonly WireFill[]; isSnapshot?: true }): void {
    const channel = this.#channels.get("userFills");
    if (!channel) return;
    if (data.isSnapshot && !this.#fillsSeeded) {
      // The history sent on subscribing: already in the position, never replayed as new fills.
      for (const fill of data.fills) this.#markSeen(fill);
      this.#fillsSeeded = true;
      return;
    }
    this.#fillsSeeded = true;
    const now = this.#o.clock.now();
    // Deliver a snapshot's missed fills oldest first, whatever order the venue lists them in.
    const fills = data.isSnapshot
      ? [...data.fills].sort((a, b) => a.time - b.time || a.tid - b.tid)
      : data.fills;
    for (const fill of fills) {
      if (!this.#markSeen(fill)) continue;
      const event: VenueEvent = {
        type: "fill",
        fill: fillFromWire(this.#o.clientIdPrefix, fill),
        receivedAt: now,
      };
      this.#budget.recordTradedUsd(event.fill.price * event.fill.size);
      for (const stream of channel.streams) this.#emit(stream, event);
    }
  }

  /** Funding payments from the `user` channel (fills come through `userFills`, deduplicated there). */
  #onUserEvents(data: object): void {
    if (!("funding" in data)) return;
    const channel = this.#channels.get("userEvents");
    if (!channel) return;
    const wire = (
      data as { funding: { time: number; coin: string; usdc: string; szi: string; fundingRate: string } }
    ).funding;
    const key = `${wire.coin}:${wire.time}`;
    if (this.#seenFunding.has(key)) return;
    this.#seenFunding.add(key);
    if (this.#seenFunding.size > 4_096)
      this.#seenFunding.delete(this.#seenFunding.values().next().value as string);
    const event: VenueEvent = {
      type: "funding",
      funding: {
        coin: wire.coin,
        time: wire.time,
        rate: Number(wire.fundingRate),
        positionSize: Number(wire.szi),
        paymentUsd: Number(wire.usdc),
      },
      receivedAt: this.#o.clock.now(),
    };
    for (const stream of channel.streams) this.#emit(stream, event);
  }

  /** Records a fill as seen; false when it was seen before. */
  #markSeen(fill: WireFill): boolean {
    const key = `${fill.tid}:${fill.oid}`;
    if (this.#seenFills.has(key)) return false;
    this.#seenFills.add(key);
    this.#seenFillsOrder.push(key);
    if (this.#seenFillsOrder.length > SEEN_FILLS_CAPACITY) {
      const drop = this.#seenFillsOrder.splice(0, this.#seenFillsOrder.length - SEEN_FILLS_CAPACITY / 2);
      for (const old of drop) this.#seenFills.delete(old);
    }
    return true;
  }

  #emit(stream: Stream, event: VenueEvent): void {
    if (stream.closed) return;
    try {
      stream.listener(event);
    } catch (error) {
      this.#log("error", `a venue event listener threw: ${describe(error)}`, { event: event.type });
    }
  }

  #broadcast(event: VenueEvent): void {
    for (const stream of this.#streams) this.#emit(stream, event);
  }

  // -----------------------------------------------------------------------------------------------------------
  // Housekeeping and lifecycle
  // -----------------------------------------------------------------------------------------------------------

  #startHousekeeping(): void {
    this.#timer = setInterval(() => void this.#housekeeping(), this.#o.housekeepingIntervalMs);
    this.#timer.unref?.();
  }

  async #housekeeping(): Promise<void> {
    if (this.#ticking || this.#closed) return;
    this.#ticking = true;
    try {
      const now = this.#o.clock.now();
      const horizon = this.#o.deadManSwitchMs;
      if (
        this.#dmsArmed &&
        horizon !== null &&
        now - this.#dmsArmedAt >= horizon / 3 &&
        now >= this.#dmsRetryAt
      ) {
        await this.#rearmDeadManSwitch();
      }
      if (!this.#refreshing && now - this.#instrumentsLoadedAt >= this.#o.instrumentRefreshMs) {
        this.#refreshing = true;
        try {
          await this.refreshInstruments();
        } catch (error) {
          this.#instrumentsLoadedAt = now; // try again one period later, not on every tick
          this.#log("warn", `instrument refresh failed: ${describe(error)}`);
        } finally {
          this.#refreshing = false;
        }
      }
    } finally {
      this.#ticking = false;
    }
  }

  /**
   * Stops timers and streams and closes the WebSocket. The venue's scheduled cancel (dead-man's switch), if
   * armed, is left in place: call {@link disarmDeadManSwitch} first for a clean stop, or let it fire.
   *
   * @example
   * ```ts
   * await venue.cancelAllOwnOrders();
   * await venue.disarmDeadManSwitch();
   * await venue.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    for (const stream of this.#streams) stream.closed = true;
    this.#streams.clear();
    for (const channel of this.#channels.values()) {
      channel.removed = true;
      if (channel.retryTimer !== null) clearTimeout(channel.retryTimer);
    }
    this.#channels.clear();
    const ws = this.#ws;
    this.#ws = null;
    this.#subscriptions = null;
    ws?.close();
    this.#log("info", "closed");
  }

  #log(level: HyperliquidLogEntry["level"], message: string, fields: Record<string, unknown> = {}): void {
    const onLog = this.#o.onLog;
    if (!onLog) return;
    try {
      onLog({ ...fields, level, message });
    } catch {
      // A failing logger must not break trading.
    }
  }
}

/** A refused order's result, its kind read from the venue's (or the local) reason. */
function rejected(clientId: string, reason: string): OrderResult {
  return { clientId, status: "rejected", venueOrderId: null, reason, rejection: rejectionKind(reason) };
}
