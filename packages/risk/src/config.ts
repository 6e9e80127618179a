import { z } from "zod";
import { RiskConfigError, type RiskIssue } from "./errors.ts";

/**
 * Per-coin position limit. `|size × markPrice| ≥ limitUsd` puts that coin in reduce-only (at the limit =
 * breached); `checkOrder` also refuses an order whose fill would take `|position|` above the limit.
 */
export interface MaxPositionConfig {
  enabled: boolean;
  /** Limit for every coin without an entry in `perCoinLimitUsd` (USD notional at mark). */
  limitUsd: number;
  /** Limits for named coins, e.g. `{ ETH: 1500 }`; they replace `limitUsd` for that coin. */
  perCoinLimitUsd: Readonly<Record<string, number>>;
}

/**
 * Account-level (gross) position limit: `Σ |notional|` over all coins `≥ limitUsd` puts every coin in
 * reduce-only (at the limit = breached).
 */
export interface MaxAccountPositionConfig {
  enabled: boolean;
  limitUsd: number;
}

/** Fat-finger guard: `checkOrder` refuses an order whose notional is strictly above `limitUsd`. */
export interface MaxOrderNotionalConfig {
  enabled: boolean;
  limitUsd: number;
}

/**
 * Daily loss limit: `dayStartEquity − equity ≥ limitUsd` halts until the next day starts (at the limit =
 * breached). A day starts at UTC midnight plus `dayStartOffsetMs`.
 */
export interface DailyLossConfig {
  enabled: boolean;
  limitUsd: number;
  /** When the risk day starts, in ms after 00:00 UTC (0 = UTC midnight; 28_800_000 = 08:00 UTC). */
  dayStartOffsetMs: number;
}

/**
 * Drawdown kill switch: `(peak − equity) / peak ≥ limitFraction` halts, latched until `resetDrawdown()`
 * (at the limit = breached).
 */
export interface MaxDrawdownConfig {
  enabled: boolean;
  /** 0.1 = 10% below the highest equity seen since the last reset. */
  limitFraction: number;
}

/**
 * Volatility circuit breaker per coin: `σ ≥ thresholdSigmaPerSqrtHour` trips `action` for that coin; it
 * clears `cooldownMs` after σ was last reported below the threshold (at the threshold = tripped).
 */
export interface VolatilityConfig {
  enabled: boolean;
  /** σ of log mid returns (a fraction: 0.01 = 1%) scaled to one hour, i.e. per √hour. */
  thresholdSigmaPerSqrtHour: number;
  /** What a trip does to the coin. */
  action: "reduce-only" | "halt";
  /** How long σ must stay below the threshold before the breaker clears. */
  cooldownMs: number;
}

/**
 * Stale-data timeout per coin: no market data for `timeoutMs` or more halts that coin until data arrives
 * (at the timeout = stale). A coin that never had data is stale.
 */
export interface StaleDataConfig {
  enabled: boolean;
  timeoutMs: number;
}

/**
 * Error-burst breaker: `maxErrors` or more errors within the last `windowMs` halt for `cooldownMs` after the
 * error that completed the burst (an error exactly `windowMs` old no longer counts).
 */
export interface ErrorBurstConfig {
  enabled: boolean;
  /** Integer ≥ 1. */
  maxErrors: number;
  windowMs: number;
  cooldownMs: number;
}

/**
 * Hyperliquid's request limits (see `RequestBudget`). Address budget: `initialRequests +
 * floor(tradedUsd × requestsPerUsdTraded)` requests, cumulative, a batch of n orders counting n; cancels may
 * go on to `min(limit + cancelExtraRequests, 2 × limit)`. IP budget: `ipWeightLimit` weight per sliding
 * `ipWindowMs`.
 */
export interface RequestBudgetConfig {
  enabled: boolean;
  /** Requests every address starts with. */
  initialRequests: number;
  /** Requests earned per USD (USDC) of cumulative traded volume. */
  requestsPerUsdTraded: number;
  /** How far past the address limit cancels may go, capped at twice the limit. */
  cancelExtraRequests: number;
  /** IP weight allowed per window. */
  ipWeightLimit: number;
  /** The IP window (sliding). */
  ipWindowMs: number;
  /** Signal slow-down when the address budget has this many requests or fewer left. */
  addressReserveRequests: number;
  /** Signal slow-down when the IP window has this much weight or less left. Must be < `ipWeightLimit`. */
  ipReserveWeight: number;
  /** Once the address budget is spent, the venue allows one request per this interval. */
  throttledIntervalMs: number;
  /**
   * Pace discretionary requests (modifies that only chase the market or enlarge a quote) to a rate the
   * address budget can sustain; protective requests are never paced. See `RequestBudget.allowDiscretionary`.
   */
  pacingEnabled: boolean;
  /** The spare budget (remaining − reserve) is spread over this long, on top of what recent trading earns. */
  pacingHorizonMs: number;
  /** Discretionary requests that may go at once after a quiet spell (the token bucket's capacity). */
  pacingBurstRequests: number;
  /** Requests earned by the volume traded in this trailing window count towards the sustainable rate. */
  pacingEarnWindowMs: number;
}

/** The full, validated configuration of a `RiskEngine`: one section per rule. */
export interface RiskConfig {
  maxPosition: MaxPositionConfig;
  maxAccountPosition: MaxAccountPositionConfig;
  maxOrderNotional: MaxOrderNotionalConfig;
  dailyLoss: DailyLossConfig;
  maxDrawdown: MaxDrawdownConfig;
  volatility: VolatilityConfig;
  staleData: StaleDataConfig;
  errorBurst: ErrorBurstConfig;
  requestBudget: RequestBudgetConfig;
}

/** What callers pass: any section, any field; the rest comes from {@link DEFAULT_RISK_CONFIG}. */
export type RiskConfigInput = { [K in keyof RiskConfig]?: Partial<RiskConfig[K]> };

/** Milliseconds in a minute. */
const MINUTE_MS = 60_000;

/**
 * The defaults, in one place. USD limits are sized for a **$10,000 account** quoting one to three majors on
 * Hyperliquid; scale them with yours. Every rule is enabled: a risk engine should fail closed.
 *
 * @example
 * ```ts
 * DEFAULT_RISK_CONFIG.maxPosition.limitUsd; // 2000
 * const engine = new RiskEngine({ clock, config: { maxPosition: { limitUsd: 5_000 } } });
 * ```
 */
export const DEFAULT_RISK_CONFIG = deepFreeze({
  /**
   * $2,000 per coin (20% of the account). A market maker earns the spread, not direction: inventory beyond
   * a few fills is a directional bet, and adverse selection (fills exactly when price runs through you) is
   * what sank the earlier Python BotMM. Reduce-only lets the skewed side work the position back down.
   */
  maxPosition: { enabled: true, limitUsd: 2_000, perCoinLimitUsd: {} as Readonly<Record<string, number>> },
  /**
   * $5,000 gross across coins (0.5× the account): majors are highly correlated in a crash, so per-coin
   * limits alone would let three coins add up to one large correlated bet.
   */
  maxAccountPosition: { enabled: true, limitUsd: 5_000 },
  /**
   * $500 per order: quotes are small (Hyperliquid's minimum is $10), and four full fills reach the per-coin
   * limit. Anything larger is a sizing bug or a fat finger.
   */
  maxOrderNotional: { enabled: true, limitUsd: 500 },
  /**
   * $300 a day (3% of the account), measured on the UTC day Hyperliquid and most reports use. A bad day
   * for a market maker is usually a regime (trend) change; stopping until tomorrow caps it.
   */
  dailyLoss: { enabled: true, limitUsd: 300, dayStartOffsetMs: 0 },
  /**
   * 10% from the peak: more than three bad days in a row means the strategy or the market changed; a human
   * must look before it trades again, hence the latch.
   */
  maxDrawdown: { enabled: true, limitFraction: 0.1 },
  /**
   * σ ≥ 2% per √hour (≈ 10% a day): BTC's usual hourly σ is 0.3–0.8%, so 2% is a crash or squeeze, when
   * fills are the most toxic. Reduce-only keeps working inventory down without adding to it; 15 minutes of
   * calm before quoting both sides again avoids flapping on the edge of the threshold.
   */
  volatility: {
    enabled: true,
    thresholdSigmaPerSqrtHour: 0.02,
    action: "reduce-only",
    cooldownMs: 15 * MINUTE_MS,
  },
  /**
   * 5 s: Hyperliquid pushes l2Book at most every 0.5 s and a busy book about that often, so 5 s of silence is
   * ~10 missed updates: the socket is probably dead (the SDK only notices after its 30 s ping + 10 s pong
   * timeout). Quoting on a stale mid is how makers get picked off. Raise it for candle-driven backtests.
   */
  staleData: { enabled: true, timeoutMs: 5_000 },
  /**
   * 10 errors in 60 s halt for 5 minutes. A few rejections are routine (count only real failures: timeouts,
   * 5xx, margin, signature, not ALO post-only rejects); ten a minute means something systemic, and
   * retrying into it burns the request budget.
   */
  errorBurst: { enabled: true, maxErrors: 10, windowMs: MINUTE_MS, cooldownMs: 5 * MINUTE_MS },
  /**
   * Hyperliquid's published limits: 10,000 initial requests + 1 per USDC traded, cancels up to
   * min(limit + 100,000, 2 × limit), IP weight 1,200 per minute, one request per 10 s once limited. The
   * reserves (2,000 requests ≈ 15 minutes of quoting at two requests a second; 240 weight = 20% of a minute)
   * leave room to slow down and still cancel before the venue throttles.
   */
  requestBudget: {
    enabled: true,
    initialRequests: 10_000,
    requestsPerUsdTraded: 1,
    cancelExtraRequests: 100_000,
    ipWeightLimit: 1_200,
    ipWindowMs: MINUTE_MS,
    addressReserveRequests: 2_000,
    ipReserveWeight: 240,
    throttledIntervalMs: 10_000,
    /**
     * Chasing the mid is what spends a small account's budget: at a 0.5 bp refresh tolerance BTC's
     * second-to-second moves ask for ~80,000 modifies a day against 10,000 + 1 per USDC traded. Pacing holds
     * back only modifies that move a quote towards the market (they cost fill chances, never adverse
     * selection) to the spare budget over a day plus what the last hour's volume earns.
     */
    pacingEnabled: true,
    pacingHorizonMs: 24 * 60 * MINUTE_MS,
    pacingBurstRequests: 20,
    pacingEarnWindowMs: 60 * MINUTE_MS,
  },
} satisfies RiskConfig);

const positive = (what: string) =>
  z.number({ error: `expected ${what} > 0` }).gt(0, { error: `expected ${what} > 0` });
const nonNegative = (what: string) =>
  z.number({ error: `expected ${what} ≥ 0` }).gte(0, { error: `expected ${what} ≥ 0` });
const enabled = z.boolean({ error: "expected true or false" });
const usd = () => positive("a finite number of USD");
const ms = () => positive("a finite number of ms");

/**
 * zod schema of a complete {@link RiskConfig}: strict (unknown keys are errors, so a typo is not silently
 * ignored). Apps can embed it in their own config schema; `resolveRiskConfig` merges defaults first.
 *
 * @example
 * ```ts
 * const parsed = riskConfigSchema.safeParse(DEFAULT_RISK_CONFIG);
 * parsed.success; // true
 * ```
 */
export const riskConfigSchema = z.strictObject({
  maxPosition: z.strictObject({
    enabled,
    limitUsd: usd(),
    perCoinLimitUsd: z.record(z.string().min(1, { error: "expected a coin name" }), usd(), {
      error: (issue) =>
        issue.code === "invalid_type" ? "expected an object of coin → USD limit" : undefined,
    }),
  }),
  maxAccountPosition: z.strictObject({ enabled, limitUsd: usd() }),
  maxOrderNotional: z.strictObject({ enabled, limitUsd: usd() }),
  dailyLoss: z.strictObject({
    enabled,
    limitUsd: usd(),
    dayStartOffsetMs: nonNegative("a number of ms").lt(86_400_000, {
      error: "expected a number of ms < 86400000",
    }),
  }),
  maxDrawdown: z.strictObject({
    enabled,
    limitFraction: positive("a fraction").lte(1, { error: "expected a fraction ≤ 1" }),
  }),
  volatility: z.strictObject({
    enabled,
    thresholdSigmaPerSqrtHour: positive("a σ per √hour"),
    action: z.enum(["reduce-only", "halt"], { error: 'expected "reduce-only" or "halt"' }),
    cooldownMs: nonNegative("a number of ms"),
  }),
  staleData: z.strictObject({ enabled, timeoutMs: ms() }),
  errorBurst: z.strictObject({
    enabled,
    maxErrors: positive("an integer").int({ error: "expected an integer ≥ 1" }),
    windowMs: ms(),
    cooldownMs: ms(),
  }),
  requestBudget: z
    .strictObject({
      enabled,
      initialRequests: nonNegative("a number of requests"),
      requestsPerUsdTraded: nonNegative("a number of requests per USD"),
      cancelExtraRequests: nonNegative("a number of requests"),
      ipWeightLimit: positive("a weight"),
      ipWindowMs: ms(),
      addressReserveRequests: nonNegative("a number of requests"),
      ipReserveWeight: nonNegative("a weight"),
      throttledIntervalMs: ms(),
      pacingEnabled: enabled,
      pacingHorizonMs: ms(),
      pacingBurstRequests: z
        .number({ error: "expected a whole number of requests ≥ 1" })
        .int({ error: "expected a whole number of requests ≥ 1" })
        .gte(1, { error: "expected a whole number of requests ≥ 1" }),
      pacingEarnWindowMs: ms(),
    })
    .refine((budget) => budget.ipReserveWeight < budget.ipWeightLimit, {
      error: "expected ipReserveWeight < ipWeightLimit (otherwise the bot would always be slowed down)",
      path: ["ipReserveWeight"],
    }),
}) satisfies z.ZodType<RiskConfig>;

/**
 * Merges `input` over {@link DEFAULT_RISK_CONFIG} (section by section, field by field) and validates the
 * result. Throws {@link RiskConfigError} naming the field for negative or non-finite limits, wrong types and
 * unknown keys.
 *
 * @example
 * ```ts
 * const config = resolveRiskConfig({ maxPosition: { limitUsd: 5_000 }, staleData: { enabled: false } });
 * config.maxPosition.limitUsd; // 5000
 * config.dailyLoss.limitUsd; // 300 (the default)
 * ```
 */
export function resolveRiskConfig(input: RiskConfigInput = {}): RiskConfig {
  const raw: unknown = input;
  if (!isPlainObject(raw)) {
    throw new RiskConfigError([{ field: "(root)", message: `expected an object, got ${describe(raw)}` }]);
  }
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(DEFAULT_RISK_CONFIG)) merged[key] = value;
  for (const [key, value] of Object.entries(raw)) {
    const base = merged[key];
    merged[key] = isPlainObject(base) && isPlainObject(value) ? { ...base, ...value } : value;
  }
  const parsed = riskConfigSchema.safeParse(merged);
  if (parsed.success) return deepFreeze(parsed.data);
  throw new RiskConfigError(toIssues(parsed.error, merged));
}

/** Turns zod issues into `{ field, message }`, appending the value received. */
export function toIssues(error: z.ZodError, input: unknown): RiskIssue[] {
  const issues: RiskIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        issues.push({ field: [...path, key].join("."), message: "unknown field (check its spelling)" });
      }
      continue;
    }
    const field = path.length > 0 ? path.join(".") : "(root)";
    if (issue.code === "invalid_key") {
      const expected = issue.issues.map((inner) => inner.message).join("; ");
      issues.push({ field, message: `invalid key: ${expected}, got ${describe(path.at(-1))}` });
      continue;
    }
    issues.push({ field, message: `${issue.message}, got ${describe(valueAt(input, issue.path))}` });
  }
  return issues;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `T` with every property, at every depth, read-only. */
type DeepReadonly<T> = { readonly [K in keyof T]: DeepReadonly<T[K]> };

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}
