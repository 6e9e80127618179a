import { BotmmError } from "@botmm/core";
import { z } from "zod";

/**
 * Every strategy default, in one place. The quoting defaults are the seed design's; the fees are
 * Hyperliquid's real tier 0 (a maker fee is a **cost**: +0.015%). A rebate must be asked for explicitly.
 */
export const DEFAULT_STRATEGY_CONFIG = {
  /** Quote model: `basic` (fixed bps + volatility), `as` (Avellaneda–Stoikov, finite horizon), `glft`. */
  model: "basic",
  /** Half spread floor of the basic model, in bps of the mid. */
  baseSpreadBps: 2.0,
  /** Half spread widens by this × the per-bar volatility in bps. */
  volMultiplier: 1.5,
  /** Skew: at a full position, both quotes move by this fraction of the half spread against the position. */
  inventorySkewFactor: 0.5,
  /** Soft position limit: the side that would grow the position past it is not quoted. */
  maxPositionUsd: 500,
  /** Above this multiple of maxPositionUsd, the position is cut back to maxPositionUsd with a taker order. */
  hardLimitMultiple: 1.5,
  /**
   * What happens to the position when the risk engine halts quoting: `flatten` closes it with a reduce-only
   * taker order (priced and charged like the hard-limit exit), `hold` keeps it (still cut back at the hard
   * limit). Flatten is the default because a halted bot can no longer manage the position it carries.
   */
  onHalt: "flatten",
  /** Size of each quote, in USD of notional at the mid. */
  orderSizeUsd: 100,
  /** Orders per side; level i sits i × levelSpacingBps further from the mid. */
  levels: 1,
  levelSpacingBps: 1.0,
  /** Maker and taker fees as fractions of notional, signed as costs (negative = rebate). */
  makerFee: 0.00015,
  takerFee: 0.00045,
  /** Never quote a half spread below maker fee + this margin (bps). */
  feeAware: true,
  feeMarginBps: 0.5,
  /** Volatility estimator: EWMA of per-bar log returns with this half-life (bars); quotes wait for warm-up. */
  volatilityHalfLifeBars: 30,
  volatilityWarmupBars: 30,
  /** Directional bias (Kalman trend + QQE): shifts the quoting mid by bias × strength × volatility. */
  bias: false,
  biasStrength: 0.5,
  /** Avellaneda–Stoikov / GLFT parameters, in basis-point units (prices in bps of the mid, q in orders). */
  riskAversion: 0.05,
  /** k of λ(δ) = A·e^(−kδ), per bp of distance from the mid. */
  intensityDecayPerBps: 0.5,
  /** A of λ(δ) = A·e^(−kδ), fills per bar at the mid. */
  intensityScalePerBar: 1.0,
  /** AS finite-horizon T − t, in bars (a rolling horizon). */
  horizonBars: 1,
  /** GLFT damping factors (hftbacktest found the raw skew too strong). */
  glftHalfSpreadDamping: 1.0,
  glftSkewDamping: 1.0,
  /** Working orders move only when the wanted price is more than this many bps away. */
  refreshToleranceBps: 0.5,
  /** … or when the wanted size differs from the remaining size by more than this fraction. */
  sizeTolerance: 0.25,
  /**
   * Toxicity defence: the mark-out (mid move against a fill) of recent fills per side, EWMA over this many
   * fills and faded with time (`toxicityRecoveryBars`); when it is worse than `toxicityThresholdBps`, that
   * side's half spread widens by the excess.
   */
  toxicityGuard: true,
  toxicityFills: 10,
  toxicityThresholdBps: 2.0,
  /** Bars after a fill at which its mark-out is taken for the toxicity guard. */
  toxicityHorizonBars: 5,
  /**
   * The toxicity guard forgets with time as well as with fills. A side's estimate fades from the bar a mark-out
   * arrives and is exactly 0 (no widening) this many bars after that side's last fill, so a widened side that
   * stops filling is back at its normal distance within this horizon; and a side is never widened for more than
   * this many bars in a row (then its estimate is forgotten and re-learned from new fills). An integer above
   * `toxicityHorizonBars`.
   *
   * 240 bars (4 hours of 1m bars) is about the time ten fills — the EWMA's span — take at the normal distance
   * (BTCUSDT 1m, May–Aug 2025, guard off: a fill per side every ~27 bars; ETHUSDT every ~17), so time forgets
   * about as fast as fills would have if the side had not been widened. The fade's half-life is a quarter of
   * the 235 bars after the mark-out (~59 bars): a −10 bp estimate still widens by ~2.6 bp an hour later. Without
   * this horizon a BTCUSDT side stayed wide for 21 days (2025-06-23 → 07-15).
   */
  toxicityRecoveryBars: 240,
} as const;

const positive = (field: string) =>
  z.number({ error: `${field} must be a number` }).positive(`${field} must be > 0`);
const nonNegative = (field: string) =>
  z.number({ error: `${field} must be a number` }).nonnegative(`${field} must be ≥ 0`);
const fee = (field: string) =>
  z
    .number({ error: `${field} must be a number` })
    .gt(-0.01, `${field} must be a fraction of notional (0.00015 = 1.5 bp), got a value ≤ −1%`)
    .lt(0.01, `${field} must be a fraction of notional (0.00015 = 1.5 bp), got a value ≥ 1%`);

/** zod schema of the strategy configuration; every field has its default from {@link DEFAULT_STRATEGY_CONFIG}. */
export const strategyConfigSchema = z
  .object({
    model: z.enum(["basic", "as", "glft"]).default(DEFAULT_STRATEGY_CONFIG.model),
    baseSpreadBps: positive("baseSpreadBps").default(DEFAULT_STRATEGY_CONFIG.baseSpreadBps),
    volMultiplier: nonNegative("volMultiplier").default(DEFAULT_STRATEGY_CONFIG.volMultiplier),
    inventorySkewFactor: nonNegative("inventorySkewFactor").default(
      DEFAULT_STRATEGY_CONFIG.inventorySkewFactor,
    ),
    maxPositionUsd: positive("maxPositionUsd").default(DEFAULT_STRATEGY_CONFIG.maxPositionUsd),
    hardLimitMultiple: z
      .number()
      .min(1, "hardLimitMultiple must be ≥ 1")
      .default(DEFAULT_STRATEGY_CONFIG.hardLimitMultiple),
    onHalt: z.enum(["flatten", "hold"]).default(DEFAULT_STRATEGY_CONFIG.onHalt),
    orderSizeUsd: positive("orderSizeUsd").default(DEFAULT_STRATEGY_CONFIG.orderSizeUsd),
    levels: z.number().int().min(1).max(20).default(DEFAULT_STRATEGY_CONFIG.levels),
    levelSpacingBps: nonNegative("levelSpacingBps").default(DEFAULT_STRATEGY_CONFIG.levelSpacingBps),
    makerFee: fee("makerFee").default(DEFAULT_STRATEGY_CONFIG.makerFee),
    takerFee: fee("takerFee").default(DEFAULT_STRATEGY_CONFIG.takerFee),
    feeAware: z.boolean().default(DEFAULT_STRATEGY_CONFIG.feeAware),
    feeMarginBps: nonNegative("feeMarginBps").default(DEFAULT_STRATEGY_CONFIG.feeMarginBps),
    volatilityHalfLifeBars: positive("volatilityHalfLifeBars").default(
      DEFAULT_STRATEGY_CONFIG.volatilityHalfLifeBars,
    ),
    volatilityWarmupBars: z.number().int().min(2).default(DEFAULT_STRATEGY_CONFIG.volatilityWarmupBars),
    bias: z.boolean().default(DEFAULT_STRATEGY_CONFIG.bias),
    biasStrength: nonNegative("biasStrength").default(DEFAULT_STRATEGY_CONFIG.biasStrength),
    riskAversion: positive("riskAversion").default(DEFAULT_STRATEGY_CONFIG.riskAversion),
    intensityDecayPerBps: positive("intensityDecayPerBps").default(
      DEFAULT_STRATEGY_CONFIG.intensityDecayPerBps,
    ),
    intensityScalePerBar: positive("intensityScalePerBar").default(
      DEFAULT_STRATEGY_CONFIG.intensityScalePerBar,
    ),
    horizonBars: positive("horizonBars").default(DEFAULT_STRATEGY_CONFIG.horizonBars),
    glftHalfSpreadDamping: positive("glftHalfSpreadDamping").default(
      DEFAULT_STRATEGY_CONFIG.glftHalfSpreadDamping,
    ),
    glftSkewDamping: nonNegative("glftSkewDamping").default(DEFAULT_STRATEGY_CONFIG.glftSkewDamping),
    refreshToleranceBps: nonNegative("refreshToleranceBps").default(
      DEFAULT_STRATEGY_CONFIG.refreshToleranceBps,
    ),
    sizeTolerance: nonNegative("sizeTolerance").default(DEFAULT_STRATEGY_CONFIG.sizeTolerance),
    toxicityGuard: z.boolean().default(DEFAULT_STRATEGY_CONFIG.toxicityGuard),
    toxicityFills: positive("toxicityFills").default(DEFAULT_STRATEGY_CONFIG.toxicityFills),
    toxicityThresholdBps: nonNegative("toxicityThresholdBps").default(
      DEFAULT_STRATEGY_CONFIG.toxicityThresholdBps,
    ),
    toxicityHorizonBars: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(DEFAULT_STRATEGY_CONFIG.toxicityHorizonBars),
    toxicityRecoveryBars: z
      .number({ error: "toxicityRecoveryBars must be a number" })
      .int("toxicityRecoveryBars must be a whole number of bars")
      .max(1_000_000, "toxicityRecoveryBars must be ≤ 1,000,000 bars")
      .default(DEFAULT_STRATEGY_CONFIG.toxicityRecoveryBars),
  })
  .strict()
  .superRefine((config, context) => {
    if (config.toxicityRecoveryBars > config.toxicityHorizonBars) return;
    context.addIssue({
      code: "custom",
      path: ["toxicityRecoveryBars"],
      message: `toxicityRecoveryBars must be > toxicityHorizonBars (${config.toxicityHorizonBars}), got ${config.toxicityRecoveryBars}: a fill's mark-out arrives toxicityHorizonBars after it`,
    });
  });

/** The validated strategy configuration. */
export type StrategyConfig = z.infer<typeof strategyConfigSchema>;

/** What a user may pass: any subset of the fields. */
export type StrategyConfigInput = z.input<typeof strategyConfigSchema>;

/**
 * A configuration value that failed validation; the message names the field.
 *
 * @example
 * ```ts
 * try { parseStrategyConfig({ levels: 0 }); } catch (error) { if (error instanceof StrategyConfigError) console.log(error.message); }
 * ```
 */
export class StrategyConfigError extends BotmmError {
  constructor(message: string) {
    super("INVALID_CONFIG", message);
  }
}

/**
 * Validates a (partial) strategy configuration and fills in the defaults.
 *
 * @throws StrategyConfigError naming each bad field and what was expected.
 * @example
 * ```ts
 * const config = parseStrategyConfig({ model: "glft", orderSizeUsd: 50 });
 * config.makerFee; // 0.00015 — Hyperliquid tier 0, a cost
 * ```
 */
export function parseStrategyConfig(input: StrategyConfigInput = {}): StrategyConfig {
  const parsed = strategyConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new StrategyConfigError(`invalid strategy config: ${problems.join("; ")}`);
  }
  return parsed.data;
}
