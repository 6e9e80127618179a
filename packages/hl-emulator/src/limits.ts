/** Nonce windows and rate limits, as the venue applies them. Pure: time is always passed in. */

/** How many nonces the venue keeps per signer. */
export const NONCES_KEPT_PER_SIGNER = 100;

/**
 * Hyperliquid's nonce rule: per signer the highest {@link NONCES_KEPT_PER_SIGNER} nonces are kept; a new nonce
 * must be unused, larger than the smallest kept once the set is full, and within `windowMs` of server time.
 *
 * @example
 * ```ts
 * const nonces = new NonceTracker();
 * nonces.check("0xabc", 1_700_000_000_000, 1_700_000_000_000); // null (accepted and recorded)
 * nonces.check("0xabc", 1_700_000_000_000, 1_700_000_000_000); // "Invalid nonce: duplicate nonce 1700000000000"
 * ```
 */
export class NonceTracker {
  readonly #kept = new Map<string, number[]>();
  readonly #windowMs: number;

  /** @param windowMs how far a nonce may be from server time (default one day; `Infinity` turns it off). */
  constructor(windowMs = 86_400_000) {
    this.#windowMs = windowMs;
  }

  /**
   * Checks a nonce and records it when accepted. Returns the venue's error string, or `null` when accepted.
   *
   * @example
   * ```ts
   * nonces.check("0xabc", nonce, Date.now()); // null when accepted
   * ```
   */
  check(signer: string, nonce: number, nowMs: number): string | null {
    const kept = this.#kept.get(signer) ?? [];
    if (kept.includes(nonce)) return `Invalid nonce: duplicate nonce ${nonce}`;
    if (kept.length >= NONCES_KEPT_PER_SIGNER && nonce <= (kept[0] ?? 0)) {
      return `Invalid nonce: nonce ${nonce} is too low, it must be larger than ${kept[0]}`;
    }
    if (Math.abs(nonce - nowMs) > this.#windowMs) {
      return `Invalid nonce: nonce ${nonce} is too far from the current time ${nowMs}`;
    }
    // Keep sorted ascending; drop the smallest beyond the cap.
    let index = kept.length;
    while (index > 0 && (kept[index - 1] ?? 0) > nonce) index--;
    kept.splice(index, 0, nonce);
    if (kept.length > NONCES_KEPT_PER_SIGNER) kept.shift();
    this.#kept.set(signer, kept);
    return null;
  }
}

/** Weights of `/info` request types (the documented ones; everything else weighs 20). */
const INFO_WEIGHT_2 = new Set([
  "l2Book",
  "allMids",
  "clearinghouseState",
  "orderStatus",
  "spotClearinghouseState",
  "exchangeStatus",
]);
/** Info types whose weight grows with the number of items returned (per 20 items; candles per 60). */
const INFO_WEIGHT_PER_ITEMS: Record<string, number> = {
  recentTrades: 20,
  historicalOrders: 20,
  userFills: 20,
  userFillsByTime: 20,
  fundingHistory: 20,
  userFunding: 20,
  nonUserFundingUpdates: 20,
  twapHistory: 20,
  userTwapSliceFills: 20,
  userTwapSliceFillsByTime: 20,
  delegatorHistory: 20,
  delegatorRewards: 20,
  validatorStats: 20,
  candleSnapshot: 60,
};

/**
 * The IP weight of an `/info` request: 2 for the light types, 60 for `userRole`, 20 for the rest, plus one per
 * 20 items returned (60 for candles) on the types that return lists.
 *
 * @example
 * ```ts
 * infoRequestWeight("l2Book", 0); // 2
 * infoRequestWeight("userFills", 45); // 22
 * ```
 */
export function infoRequestWeight(type: string, itemsReturned: number): number {
  if (INFO_WEIGHT_2.has(type)) return 2;
  if (type === "userRole") return 60;
  const per = INFO_WEIGHT_PER_ITEMS[type];
  return 20 + (per !== undefined ? Math.floor(itemsReturned / per) : 0);
}

/**
 * The IP weight of an `/exchange` request: `1 + floor(batchLength / 40)`.
 *
 * @example
 * ```ts
 * exchangeRequestWeight(1); // 1
 * exchangeRequestWeight(80); // 3
 * ```
 */
export function exchangeRequestWeight(batchLength: number): number {
  return 1 + Math.floor(batchLength / 40);
}

/**
 * A sliding one-minute window of request weight per IP (the venue allows 1200 per minute).
 *
 * @example
 * ```ts
 * const ip = new IpWeightLimiter(1200);
 * ip.tryConsume("127.0.0.1", 20, 0); // true
 * ```
 */
export class IpWeightLimiter {
  readonly #limitPerMinute: number;
  readonly #events = new Map<string, { timeMs: number; weight: number }[]>();

  constructor(limitPerMinute: number) {
    this.#limitPerMinute = limitPerMinute;
  }

  /**
   * Adds `weight` for `ip` at `nowMs` if the last minute's total stays within the limit; says whether it did.
   *
   * @example
   * ```ts
   * limiter.tryConsume("127.0.0.1", 2, nowMs); // true while under 1200/min
   * ```
   */
  tryConsume(ip: string, weight: number, nowMs: number): boolean {
    const events = (this.#events.get(ip) ?? []).filter((event) => event.timeMs > nowMs - 60_000);
    const used = events.reduce((sum, event) => sum + event.weight, 0);
    if (used + weight > this.#limitPerMinute) {
      this.#events.set(ip, events);
      return false;
    }
    events.push({ timeMs: nowMs, weight });
    this.#events.set(ip, events);
    return true;
  }

  /**
   * Adds weight without checking the limit (extra weight known only after answering).
   *
   * @example
   * ```ts
   * limiter.add("127.0.0.1", 3, nowMs);
   * ```
   */
  add(ip: string, weight: number, nowMs: number): void {
    const events = this.#events.get(ip) ?? [];
    events.push({ timeMs: nowMs, weight });
    this.#events.set(ip, events);
  }

  /**
   * Weight used by `ip` in the minute before `nowMs`.
   *
   * @example
   * ```ts
   * limiter.used("127.0.0.1", nowMs); // e.g. 42
   * ```
   */
  used(ip: string, nowMs: number): number {
    return (this.#events.get(ip) ?? [])
      .filter((event) => event.timeMs > nowMs - 60_000)
      .reduce((sum, event) => sum + event.weight, 0);
  }

  /**
   * Forgets all usage.
   *
   * @example
   * ```ts
   * limiter.reset();
   * ```
   */
  reset(): void {
    this.#events.clear();
  }
}

/** Per-address request budget state (kept on the account). */
export interface AddressBudgetState {
  /** Cumulative requests counted so far (a batch of n counts n). */
  requestsUsed: number;
  /** Cumulative traded notional in USDC. */
  volumeUsd: number;
  /** When the last request allowed while over the limit went through (one per 10 s is allowed). */
  lastThrottledAllowedMs: number | null;
}

/** Initial buffer of the address budget. */
export const ADDRESS_BUDGET_INITIAL = 10_000;

/**
 * Applies the address-based limit: budget `10,000 + floor(volume traded in USDC)`; cancels get
 * `min(limit + 100,000, 2 · limit)`. Over the budget one request per 10 s still goes through. Returns the
 * venue's error string or `null`; counts the request when it is allowed.
 *
 * @example
 * ```ts
 * const state = { requestsUsed: 0, volumeUsd: 0, lastThrottledAllowedMs: null };
 * consumeAddressBudget(state, 1, false, 0); // null
 * ```
 */
export function consumeAddressBudget(
  state: AddressBudgetState,
  weight: number,
  isCancel: boolean,
  nowMs: number,
): string | null {
  const base = ADDRESS_BUDGET_INITIAL + Math.floor(state.volumeUsd);
  const limit = isCancel ? Math.min(base + 100_000, 2 * base) : base;
  const after = state.requestsUsed + weight;
  if (after > limit) {
    if (state.lastThrottledAllowedMs === null || nowMs - state.lastThrottledAllowedMs >= 10_000) {
      state.lastThrottledAllowedMs = nowMs;
      state.requestsUsed = after;
      return null;
    }
    const traded = Number(state.volumeUsd.toFixed(2)).toString();
    return `Too many cumulative requests sent (${after} > ${limit}) for cumulative volume traded $${traded}. Place taker orders to free up 1 request per USDC traded.`;
  }
  state.requestsUsed = after;
  return null;
}
