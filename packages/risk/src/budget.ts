import type { Clock } from "@botmm/core";
import { type RequestBudgetConfig, resolveRiskConfig } from "./config.ts";
import { RiskInputError } from "./errors.ts";
import { SlidingWindow } from "./window.ts";

/** Which address cap a request counts against: `cancel` (cancel, cancelByCloid) has the higher one. */
export type RequestKind = "order" | "cancel";

/** A point-in-time view of a {@link RequestBudget}, for logs and metrics. */
export interface RequestBudgetStatus {
  /** Requests sent so far (cumulative, a batch of n orders counting n). */
  requestsUsed: number;
  /** Cumulative traded volume in USD. */
  tradedUsd: number;
  /** `initialRequests + floor(tradedUsd × requestsPerUsdTraded)`. */
  addressLimit: number;
  /** `addressLimit − requestsUsed`; ≤ 0 means limited (one request per `throttledIntervalMs`). */
  addressRemaining: number;
  /** `min(addressLimit + cancelExtraRequests, 2 × addressLimit)`. */
  cancelLimit: number;
  cancelRemaining: number;
  /** Weight spent inside the current sliding window. */
  ipWeightUsed: number;
  ipWeightRemaining: number;
  /** A budget is at or below its reserve: send fewer requests. */
  slowDown: boolean;
  /** A budget is spent: the venue will throttle the next request. */
  exhausted: boolean;
  /** The address-budget spend rate that can be kept up, requests per second (see `sustainableRatePerSecond`). */
  sustainableRatePerSecond: number;
  /** Discretionary requests held back by pacing so far. */
  deferredRequests: number;
}

/** The JSON-safe state of a {@link RequestBudget}, part of `RiskSnapshot`. */
export interface RequestBudgetSnapshot {
  requestsUsed: number;
  tradedUsd: number;
  /** When the last request counting against the address budget was sent, or `null`. */
  lastRequestMs: number | null;
  /** IP weight still inside the window: `[timeMs, weight]`, oldest first. */
  ipWindow: Array<[number, number]>;
  /** Volume traded inside the pacing earn window: `[timeMs, usd]`, oldest first (absent in older snapshots). */
  recentTradedUsd?: Array<[number, number]>;
}

/** How to build a {@link RequestBudget}. */
export interface RequestBudgetOptions {
  clock: Clock;
  /** Any fields; the rest from `DEFAULT_RISK_CONFIG.requestBudget`. */
  config?: Partial<RequestBudgetConfig>;
}

/**
 * Hyperliquid's two request limits, tracked locally so the bot slows down before the venue throttles it.
 *
 * - **Address budget** (cumulative): `initialRequests + floor(tradedUsd × requestsPerUsdTraded)` requests
 *   (10,000 + 1 per USDC traded). Every exchange action counts; a batch of n orders counts n. Cancels may go
 *   on to `min(limit + 100,000, 2 × limit)`. Once spent, the venue allows one request per 10 s.
 * - **IP weight**: 1,200 per sliding minute; an exchange request weighs `1 + floor(batch / 40)`
 *   ({@link hyperliquidExchangeWeight}), info requests 2 or 20 ({@link hyperliquidInfoWeight}).
 *
 * Boundaries: a request that lands exactly on a limit is allowed (`used + n ≤ limit`); the slow-down signal
 * is on when a remaining budget is at or below its reserve. Resync with the venue's own count
 * (`userRateLimit`: `nRequestsUsed`, `cumVlm`) through {@link RequestBudget.sync} after a restart.
 * With `enabled: false` every check passes (the counts are still kept).
 *
 * @example
 * ```ts
 * const budget = new RequestBudget({ clock: new ManualClock(0) });
 * const weight = hyperliquidExchangeWeight(5); // 1
 * if (budget.canSpend(5, weight)) budget.record(5, weight); // a batch of 5 orders
 * budget.recordTradedUsd(2_500); // fills earn 2,500 more requests
 * budget.addressRemaining(); // 12495
 * ```
 */
export class RequestBudget {
  /** The validated configuration. */
  readonly config: Readonly<RequestBudgetConfig>;
  readonly #clock: Clock;
  readonly #ip: SlidingWindow;
  #requestsUsed = 0;
  #tradedUsd = 0;
  #lastRequestMs = Number.NaN;
  // Discretionary pacing: a token bucket refilled at the sustainable rate; recent volume earns requests.
  readonly #recentTradedUsd: SlidingWindow;
  #pacingTokens: number;
  #pacingRefilledAtMs = Number.NaN;
  #deferred = 0;

  constructor(options: RequestBudgetOptions) {
    this.#clock = options.clock;
    this.config = resolveRiskConfig({ requestBudget: options.config ?? {} }).requestBudget;
    this.#ip = new SlidingWindow(this.config.ipWindowMs, 256);
    this.#recentTradedUsd = new SlidingWindow(this.config.pacingEarnWindowMs, 256);
    this.#pacingTokens = this.config.pacingBurstRequests;
  }

  /**
   * Requests the address may have sent in total: `initialRequests + floor(tradedUsd × requestsPerUsdTraded)`.
   *
   * @example
   * ```ts
   * budget.addressLimit(); // 10000 before any trading
   * ```
   */
  addressLimit(): number {
    return this.config.initialRequests + Math.floor(this.#tradedUsd * this.config.requestsPerUsdTraded);
  }

  /**
   * Requests left before the address is limited (negative once past it).
   *
   * @example
   * ```ts
   * budget.record(3, 1);
   * budget.addressRemaining(); // 9997
   * ```
   */
  addressRemaining(): number {
    return this.addressLimit() - this.#requestsUsed;
  }

  /**
   * The higher cap for cancels: `min(addressLimit + cancelExtraRequests, 2 × addressLimit)`.
   *
   * @example
   * ```ts
   * budget.cancelLimit(); // 20000 = min(10000 + 100000, 2 × 10000)
   * ```
   */
  cancelLimit(): number {
    const limit = this.addressLimit();
    return Math.min(limit + this.config.cancelExtraRequests, 2 * limit);
  }

  /**
   * Cancel requests left before cancels are limited too.
   *
   * @example
   * ```ts
   * budget.cancelRemaining(); // 20000 on a fresh address
   * ```
   */
  cancelRemaining(): number {
    return this.cancelLimit() - this.#requestsUsed;
  }

  /**
   * IP weight spent inside the sliding window ending at `nowMs`.
   *
   * @example
   * ```ts
   * budget.record(0, 20); // an info request
   * budget.ipWeightUsed(); // 20
   * ```
   */
  ipWeightUsed(nowMs: number = this.#clock.now()): number {
    return this.#ip.sum(nowMs);
  }

  /**
   * IP weight left in the sliding window ending at `nowMs`.
   *
   * @example
   * ```ts
   * budget.ipWeightRemaining(); // 1200 when nothing was sent in the last minute
   * ```
   */
  ipWeightRemaining(nowMs: number = this.#clock.now()): number {
    return this.config.ipWeightLimit - this.#ip.sum(nowMs);
  }

  /**
   * When enough of the window will have expired for the IP weight to be below its limit again, i.e. the
   * moment the oldest weight in the window leaves it; `null` when the window is empty.
   *
   * @example
   * ```ts
   * budget.record(0, 1_200, 1_000);
   * budget.ipWindowFreesAtMs(1_000); // 61000
   * ```
   */
  ipWindowFreesAtMs(nowMs: number = this.#clock.now()): number | null {
    const oldest = this.#ip.oldestMs(nowMs);
    return Number.isNaN(oldest) ? null : oldest + this.config.ipWindowMs;
  }

  /**
   * Whether sending now fits both budgets: `requests` against the address budget (a batch of n orders is
   * n; 0 for info requests) and `weight` against the IP window. Once the address budget is spent a single
   * request still passes every `throttledIntervalMs`, as on the venue. Does not record anything.
   *
   * @example
   * ```ts
   * budget.canSpend(40, hyperliquidExchangeWeight(40)); // a batch of 40 orders, weight 2
   * budget.canSpend(10, 1, "cancel"); // cancels count against the higher cancel cap
   * budget.canSpend(0, hyperliquidInfoWeight("l2Book")); // an info request: IP weight only
   * ```
   */
  canSpend(
    requests: number,
    weight: number,
    kind: RequestKind = "order",
    nowMs: number = this.#clock.now(),
  ): boolean {
    checkCount(requests, "requests");
    checkCount(weight, "weight");
    if (!this.config.enabled) return true;
    if (this.#ip.sum(nowMs) + weight > this.config.ipWeightLimit) return false;
    if (requests === 0) return true;
    const cap = kind === "cancel" ? this.cancelLimit() : this.addressLimit();
    if (this.#requestsUsed + requests <= cap) return true;
    return (
      requests <= 1 &&
      (Number.isNaN(this.#lastRequestMs) || nowMs - this.#lastRequestMs >= this.config.throttledIntervalMs)
    );
  }

  /**
   * Records what was sent: `requests` against the address budget and `weight` in the IP window at `nowMs`.
   * Call it for every request, allowed or not (the venue counts them all).
   *
   * @example
   * ```ts
   * budget.record(3, hyperliquidExchangeWeight(3)); // a batch of 3 orders
   * budget.record(0, hyperliquidInfoWeight("clearinghouseState")); // an info request
   * ```
   */
  record(requests: number, weight: number, nowMs: number = this.#clock.now()): void {
    checkCount(requests, "requests");
    checkCount(weight, "weight");
    checkTime(nowMs);
    this.#requestsUsed += requests;
    if (requests > 0) this.#lastRequestMs = nowMs;
    if (weight > 0) this.#ip.add(nowMs, weight);
  }

  /**
   * Adds traded volume (USD notional of own fills, either side): the address earns `requestsPerUsdTraded`
   * requests per USD.
   *
   * @example
   * ```ts
   * budget.recordTradedUsd(1_000.5);
   * budget.addressLimit(); // 11000
   * ```
   */
  recordTradedUsd(notionalUsd: number): void {
    if (!Number.isFinite(notionalUsd))
      throw new RiskInputError("notionalUsd", "a finite number", notionalUsd);
    this.#tradedUsd += Math.abs(notionalUsd);
    this.#recentTradedUsd.add(this.#clock.now(), Math.abs(notionalUsd));
  }

  /**
   * The address-budget spend rate (requests per second) that can be kept up: the spare budget
   * (`addressRemaining − addressReserveRequests`, not below 0) spread over `pacingHorizonMs`, plus what the
   * volume traded in the last `pacingEarnWindowMs` earns per second.
   *
   * @example
   * ```ts
   * budget.sustainableRatePerSecond(); // 0.0926 on a fresh address: 8,000 spare requests over a day
   * ```
   */
  sustainableRatePerSecond(nowMs: number = this.#clock.now()): number {
    const config = this.config;
    const spare = Math.max(0, this.addressRemaining() - config.addressReserveRequests);
    const earned = config.requestsPerUsdTraded * this.#recentTradedUsd.sum(nowMs);
    return (spare * 1_000) / config.pacingHorizonMs + (earned * 1_000) / config.pacingEarnWindowMs;
  }

  /**
   * Whether a discretionary request — a modify that only moves a quote towards the market or enlarges it —
   * may be sent now, and if so takes `requests` from the pacing bucket (capacity `pacingBurstRequests`,
   * refilled at {@link RequestBudget.sustainableRatePerSecond}). Protective requests (cancels, a quote moved
   * away from the market or shrunk, exits) must not ask: they are never paced. The request still has to be
   * counted with {@link RequestBudget.record} when sent. Always true with `enabled` or `pacingEnabled` off.
   * Matches the `ModifyPacer` that `OrderManager.reconcile` of `@botmm/strategy` takes.
   *
   * @example
   * ```ts
   * manager.reconcile(quotes, now, sink, budget); // chasing modifies wait for the budget; others go
   * budget.allowDiscretionary(1); // true while the bucket has a request left
   * ```
   */
  allowDiscretionary(requests: number, nowMs: number = this.#clock.now()): boolean {
    checkCount(requests, "requests");
    const config = this.config;
    if (!config.enabled || !config.pacingEnabled) return true;
    const elapsedMs = Number.isNaN(this.#pacingRefilledAtMs)
      ? 0
      : Math.max(0, nowMs - this.#pacingRefilledAtMs);
    this.#pacingRefilledAtMs = nowMs;
    this.#pacingTokens = Math.min(
      config.pacingBurstRequests,
      this.#pacingTokens + (this.sustainableRatePerSecond(nowMs) * elapsedMs) / 1_000,
    );
    if (this.#pacingTokens < requests) {
      this.#deferred += 1;
      return false;
    }
    this.#pacingTokens -= requests;
    return true;
  }

  /**
   * How many discretionary requests {@link RequestBudget.allowDiscretionary} has held back so far.
   *
   * @example
   * ```ts
   * budget.deferredRequests; // e.g. 412 chasing modifies skipped today
   * ```
   */
  get deferredRequests(): number {
    return this.#deferred;
  }

  /**
   * Replaces the address counters with the venue's own (Hyperliquid's `userRateLimit` info request:
   * `nRequestsUsed`, `cumVlm`), e.g. after a restart or to correct drift.
   *
   * @example
   * ```ts
   * budget.sync({ requestsUsed: 15_230, tradedUsd: 48_112.7 });
   * budget.addressRemaining(); // 42882
   * ```
   */
  sync(counts: { requestsUsed: number; tradedUsd: number }): void {
    checkCount(counts.requestsUsed, "requestsUsed");
    checkCount(counts.tradedUsd, "tradedUsd");
    this.#requestsUsed = counts.requestsUsed;
    this.#tradedUsd = counts.tradedUsd;
  }

  /**
   * True when either budget is at or below its reserve (`addressReserveRequests`, `ipReserveWeight`): slow
   * down before the venue throttles. Always false with `enabled: false`.
   *
   * @example
   * ```ts
   * if (budget.shouldSlowDown()) refreshToleranceBps *= 2;
   * ```
   */
  shouldSlowDown(nowMs: number = this.#clock.now()): boolean {
    if (!this.config.enabled) return false;
    return (
      this.addressRemaining() <= this.config.addressReserveRequests ||
      this.ipWeightRemaining(nowMs) <= this.config.ipReserveWeight
    );
  }

  /**
   * All counters at `nowMs`, for logs and metrics (allocates; not for the hot path).
   *
   * @example
   * ```ts
   * const { addressRemaining, ipWeightRemaining, slowDown } = budget.status();
   * ```
   */
  status(nowMs: number = this.#clock.now()): RequestBudgetStatus {
    const addressRemaining = this.addressRemaining();
    const ipWeightUsed = this.#ip.sum(nowMs);
    const ipWeightRemaining = this.config.ipWeightLimit - ipWeightUsed;
    return {
      requestsUsed: this.#requestsUsed,
      tradedUsd: this.#tradedUsd,
      addressLimit: this.addressLimit(),
      addressRemaining,
      cancelLimit: this.cancelLimit(),
      cancelRemaining: this.cancelRemaining(),
      ipWeightUsed,
      ipWeightRemaining,
      slowDown: this.shouldSlowDown(nowMs),
      exhausted: this.config.enabled && (addressRemaining <= 0 || ipWeightRemaining <= 0),
      sustainableRatePerSecond: this.sustainableRatePerSecond(nowMs),
      deferredRequests: this.#deferred,
    };
  }

  /**
   * The JSON-safe state (see {@link RequestBudgetSnapshot}).
   *
   * @example
   * ```ts
   * const saved = JSON.stringify(budget.snapshot());
   * ```
   */
  snapshot(nowMs: number = this.#clock.now()): RequestBudgetSnapshot {
    return {
      requestsUsed: this.#requestsUsed,
      tradedUsd: this.#tradedUsd,
      lastRequestMs: Number.isNaN(this.#lastRequestMs) ? null : this.#lastRequestMs,
      ipWindow: this.#ip.entries(nowMs),
      recentTradedUsd: this.#recentTradedUsd.entries(nowMs),
    };
  }

  /**
   * Replaces the state with a snapshot. Trusts its input: `RiskEngine.restore` validates snapshots first.
   *
   * @example
   * ```ts
   * other.restore(budget.snapshot());
   * ```
   */
  restore(snapshot: RequestBudgetSnapshot): void {
    this.#requestsUsed = snapshot.requestsUsed;
    this.#tradedUsd = snapshot.tradedUsd;
    this.#lastRequestMs = snapshot.lastRequestMs ?? Number.NaN;
    this.#ip.clear();
    for (const [timeMs, weight] of snapshot.ipWindow) this.#ip.add(timeMs, weight);
    this.#recentTradedUsd.clear();
    for (const [timeMs, usd] of snapshot.recentTradedUsd ?? []) this.#recentTradedUsd.add(timeMs, usd);
  }
}

const EXCHANGE_ORDERS_PER_EXTRA_WEIGHT = 40;

/**
 * IP weight of one Hyperliquid exchange request carrying a batch of `batchLength` orders or cancels:
 * `1 + floor(batchLength / 40)`.
 *
 * @example
 * ```ts
 * hyperliquidExchangeWeight(1); // 1
 * hyperliquidExchangeWeight(40); // 2
 * hyperliquidExchangeWeight(79); // 2
 * ```
 */
export function hyperliquidExchangeWeight(batchLength: number): number {
  checkCount(batchLength, "batchLength");
  return 1 + Math.floor(batchLength / EXCHANGE_ORDERS_PER_EXTRA_WEIGHT);
}

const LIGHT_INFO_REQUESTS: ReadonlySet<string> = new Set([
  "l2Book",
  "allMids",
  "clearinghouseState",
  "orderStatus",
]);

/**
 * IP weight of one Hyperliquid info request by its `type`: 2 for `l2Book`, `allMids`, `clearinghouseState`
 * and `orderStatus`, 20 for the others. The venue adds weight for long results (e.g. many candles or fills);
 * add that yourself when you know the result size.
 *
 * @example
 * ```ts
 * hyperliquidInfoWeight("l2Book"); // 2
 * hyperliquidInfoWeight("meta"); // 20
 * ```
 */
export function hyperliquidInfoWeight(type: string): number {
  return LIGHT_INFO_REQUESTS.has(type) ? 2 : 20;
}

function checkCount(value: number, field: string): void {
  if (!(value >= 0) || value === Number.POSITIVE_INFINITY) {
    throw new RiskInputError(field, "a finite number ≥ 0", value);
  }
}

function checkTime(value: number): void {
  if (!Number.isFinite(value)) throw new RiskInputError("nowMs", "a finite number of ms", value);
}
