import type { Side } from "@botmm/core";

/**
 * What the engine allows. Precedence: `halt` > `reduce-only` > `allow`.
 * - `allow`: quote normally.
 * - `reduce-only`: only orders that do not increase `|position|`; cancel the others.
 * - `halt`: no new orders at all (cancel resting ones; cancels have their own, larger request budget).
 */
export type RiskAction = "allow" | "reduce-only" | "halt";

/** Stable, machine-readable rule ids. */
export type RiskRuleId =
  | "kill-switch"
  | "max-drawdown"
  | "daily-loss"
  | "error-burst"
  | "stale-data"
  | "volatility"
  | "address-budget"
  | "ip-budget"
  | "max-position"
  | "max-account-position"
  | "max-order-notional";

/**
 * What one active rule does: `halt` / `reduce-only` (to the decision), `slow-down` (the request budget is in
 * its reserve: send fewer requests, the decision stays `allow`), `refuse` (one order, from `checkOrder`).
 */
export type RiskEffect = "halt" | "reduce-only" | "slow-down" | "refuse";

/**
 * One active rule, machine-readable: which rule, what it measured, the threshold it compared with, and a
 * sentence for humans. Plain data (JSON-safe except `value: Infinity` for "never", which JSON writes as null).
 */
export interface RiskReason {
  readonly rule: RiskRuleId;
  readonly effect: RiskEffect;
  /** The coin a per-coin rule is about; `null` for account-wide rules. */
  readonly coin: string | null;
  /** The measured value, in the unit of the rule (USD, fraction, σ per √hour, ms, count, requests, weight). */
  readonly value: number;
  /** The threshold `value` was compared with, in the same unit. */
  readonly threshold: number;
  /** When the effect lifts by itself (ms since the epoch), or `null` when it lasts until a condition changes. */
  readonly untilMs: number | null;
  /** One sentence for logs and humans. */
  readonly message: string;
}

/** The engine's answer: the strongest action and every active reason behind it. */
export interface RiskDecision {
  readonly action: RiskAction;
  /** True when a request budget is in its reserve: send fewer requests (widen refresh tolerances, batch). */
  readonly slowDown: boolean;
  /** Every active reason, `halt` ones first; empty when the action is `allow` and nothing slows down. */
  readonly reasons: readonly RiskReason[];
}

/** The answer to `checkOrder`: allowed, or refused with the reasons. */
export interface OrderCheck {
  readonly allowed: boolean;
  /** Empty when allowed. */
  readonly reasons: readonly RiskReason[];
}

/** An order the bot intends to send, as `checkOrder` sees it. */
export interface OrderIntent {
  coin: string;
  side: Side;
  /** `size × price` in USD, ≥ 0. */
  notionalUsd: number;
  /** A venue reduce-only order can never increase `|position|`, so it passes the reduce-only gate. */
  reduceOnly: boolean;
}

const NO_REASONS: readonly RiskReason[] = Object.freeze([]);

/**
 * The one `allow` decision, shared: evaluation returns this object (no allocation) when nothing is active.
 *
 * @example
 * ```ts
 * engine.evaluate("BTC") === ALLOW_DECISION; // true when every rule is quiet
 * ```
 */
export const ALLOW_DECISION: RiskDecision = Object.freeze({
  action: "allow",
  slowDown: false,
  reasons: NO_REASONS,
});

/**
 * The one "allowed" order check, shared: `checkOrder` returns this object (no allocation) for allowed orders.
 *
 * @example
 * ```ts
 * engine.checkOrder({ coin: "BTC", side: "buy", notionalUsd: 100, reduceOnly: false }) === ORDER_ALLOWED;
 * ```
 */
export const ORDER_ALLOWED: OrderCheck = Object.freeze({ allowed: true, reasons: NO_REASONS });
