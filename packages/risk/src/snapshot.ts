import { z } from "zod";
import type { RequestBudgetSnapshot } from "./budget.ts";
import { toIssues } from "./config.ts";
import { RiskSnapshotError } from "./errors.ts";

/** Per-coin state inside a {@link RiskSnapshot}. */
export interface CoinRiskSnapshot {
  coin: string;
  /** Signed position size in base units (> 0 long). */
  size: number;
  markPriceUsd: number;
  /** When market data last arrived, or `null` if never. */
  lastDataMs: number | null;
  /** The last σ reported, or `null` if never. */
  sigmaPerSqrtHour: number | null;
  volatilityTripped: boolean;
  /** When σ was first reported back below the threshold after a trip (the cool-down start), or `null`. */
  volatilityBelowSinceMs: number | null;
}

/**
 * Everything a `RiskEngine` remembers, as plain JSON (`null` where the engine has no value yet), so latches,
 * cool-downs and budgets survive a restart of the live bot. Write it with `RiskEngine.snapshot()`, read it
 * back with `RiskEngine.restore()`. The config is not part of it: it comes from the app's config.
 */
export interface RiskSnapshot {
  version: 1;
  killSwitch: { engaged: boolean; note: string | null; engagedAtMs: number | null };
  equity: {
    lastUsd: number | null;
    peakUsd: number | null;
    /** Start of the current risk day (ms). */
    dayStartMs: number | null;
    dayStartEquityUsd: number | null;
    /** The largest loss measured today (USD). */
    dayWorstLossUsd: number;
    dailyHaltUntilMs: number | null;
    drawdownLatched: boolean;
    drawdownTripFraction: number | null;
    drawdownLatchedAtMs: number | null;
  };
  errorBurst: { errorTimesMs: number[]; haltUntilMs: number | null; tripCount: number };
  coins: CoinRiskSnapshot[];
  requestBudget: RequestBudgetSnapshot;
}

const finite = z.number();
const nullableFinite = z.number().nullable();
const count = z.number().gte(0);

/**
 * zod schema of a {@link RiskSnapshot} (strict). `RiskEngine.restore` uses it through
 * {@link parseRiskSnapshot}; apps can embed it in a larger persisted state.
 *
 * @example
 * ```ts
 * riskSnapshotSchema.safeParse(risk.snapshot()).success; // true
 * ```
 */
export const riskSnapshotSchema = z.strictObject({
  version: z.literal(1),
  killSwitch: z.strictObject({
    engaged: z.boolean(),
    note: z.string().nullable(),
    engagedAtMs: nullableFinite,
  }),
  equity: z.strictObject({
    lastUsd: nullableFinite,
    peakUsd: nullableFinite,
    dayStartMs: nullableFinite,
    dayStartEquityUsd: nullableFinite,
    dayWorstLossUsd: finite,
    dailyHaltUntilMs: nullableFinite,
    drawdownLatched: z.boolean(),
    drawdownTripFraction: nullableFinite,
    drawdownLatchedAtMs: nullableFinite,
  }),
  errorBurst: z.strictObject({
    errorTimesMs: z.array(finite),
    haltUntilMs: nullableFinite,
    tripCount: count,
  }),
  coins: z.array(
    z.strictObject({
      coin: z.string().min(1),
      size: finite,
      markPriceUsd: finite,
      lastDataMs: nullableFinite,
      sigmaPerSqrtHour: z.number().gte(0).nullable(),
      volatilityTripped: z.boolean(),
      volatilityBelowSinceMs: nullableFinite,
    }),
  ),
  requestBudget: z.strictObject({
    requestsUsed: count,
    tradedUsd: count,
    lastRequestMs: nullableFinite,
    ipWindow: z.array(z.tuple([finite, count])),
    recentTradedUsd: z.array(z.tuple([finite, count])).optional(),
  }),
}) satisfies z.ZodType<RiskSnapshot>;

/**
 * Validates an unknown value (e.g. parsed JSON) as a {@link RiskSnapshot}; throws {@link RiskSnapshotError}
 * naming the field when it is not one.
 *
 * @example
 * ```ts
 * const snapshot = parseRiskSnapshot(JSON.parse(text));
 * ```
 */
export function parseRiskSnapshot(input: unknown): RiskSnapshot {
  const parsed = riskSnapshotSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new RiskSnapshotError(toIssues(parsed.error, input));
}
