import { BotmmError } from "@botmm/core";
import { z } from "zod";

/**
 * Every strategy default, in one place. The quoting defaults are the seed design's; the fees are
 * Hyperliquid's real tier 0 (a maker fee is a **cost**: +0.015%). A rebate must be asked for explicitly.
 */
export const DEFAULT_STRATEGY_CONFIG = {
  /**
   * Quote model: `basic` (fixed bps + volatility), `as` (Avellaneda–Stoikov, finite horizon), `as-infinite`
   * (Avellaneda–Stoikov §2.3, ω = ½γ²σ²(q_max+1)² with q_max = maxPositionUsd / orderSizeUsd), `glft`.
   */
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
  /**
   * The price quotes are centred on: `mid`; `microprice` (Stoikov: the mid moved towards the thinner side of
   * the top level, mid + imbalance × spread / 2); `imbalance` (the same with the imbalance of the top
   * `imbalanceLevels` levels). Needs book sizes (`CoinKernel.setBook` with sizes, or `setBookLevels`); without
   * them it is the mid, so candle runs are unchanged. `mid` by default: the spread PnL is measured against the
   * mid, and no recording has shown yet that the shift pays for the extra fills it draws (see the ablation).
   */
  fairPrice: "mid",
  /** Levels per side summed for the `imbalance` fair price and the imbalance skip. */
  imbalanceLevels: 5,
  /** Sliding window of the trade-flow imbalance (aggressor volume, `CoinKernel.onTrade`), ms. */
  tradeFlowWindowMs: 5_000,
  /**
   * The fair price moves by this many bps × the trade-flow imbalance in [−1, 1] (buyers lifting → up). 0 = off:
   * the flow of the last seconds is a weaker predictor than the book and chases moves that have happened.
   */
  tradeFlowShiftBps: 0,
  /**
   * Skip the side the book says the next move runs through: with a top-`imbalanceLevels` imbalance ≤ −this
   * (sellers heavier) no bid, ≥ this no ask. 0 = off. A fraction in [0, 1).
   */
  imbalanceSkipThreshold: 0,
  /**
   * Imbalance skip hysteresis: a skipped side comes back only once the imbalance against it is below this
   * (in (0, `imbalanceSkipThreshold`]); 0 = the threshold itself (no hysteresis). 0.5 is what the market says
   * (README, the ablation): a one-sided book that eases back only to 0.8 is still followed by the move it
   * announced, one that falls below 0.5 is not.
   */
  imbalanceSkipExit: 0,
  /**
   * Imbalance skip hold: a skipped side stays out at least this long after the imbalance was last at or beyond
   * the exit level, ms. 0 = no hold.
   */
  imbalanceSkipHoldMs: 0,
  /**
   * Sweep pull: a market trade printing ≥ this many bps past the mid (a taker walking the book) pulls the quote
   * that flow would hit next — a buy sweep the ask, a sell sweep the bid — until `sweepPullCooldownMs` after the
   * last such sweep. 0 = off. Needs trades (`CoinKernel.onTrade`) and a mid (`markAt`); candles have neither.
   */
  sweepPullBps: 0,
  /** Sweep pull: a pulled side comes back this long after the last sweep towards it, ms. */
  sweepPullCooldownMs: 10_000,
  /**
   * The clock of the toxicity guard: `bars` (mark-outs `toxicityHorizonBars` bars after each fill, the guard
   * above) or `seconds` (mark-outs `toxicityHorizonMs` after each fill on the mid, needs `CoinKernel.markAt`).
   * Bars by default, so candle runs keep today's numbers; on a book, seconds react before the damage is done.
   */
  toxicityClock: "bars",
  /** `seconds` guard: a fill's mark-out is taken this long after it, ms. */
  toxicityHorizonMs: 5_000,
  /**
   * `seconds` guard: a side's widening fades to 0 this long after its last fill, and no side stays widened
   * longer in a row (the bar guard's recovery rule, on the clock). 10 minutes: about the time ten fills take
   * at the normal distance on the wide-spread Hyperliquid coins.
   */
  toxicityRecoveryMs: 600_000,
  /**
   * Pull a side after a burst of toxic fills: `toxicityPullFills` fills with a mark-out (at
   * `toxicityHorizonMs`) worse than −`toxicityPullThresholdBps` within `toxicityPullWindowMs` take the side (or
   * both, `toxicityPullBoth`) out of the book for `toxicityPullCooldownMs`; then it comes back and the burst is
   * forgotten. Off by default (it changes which fills happen); works with either clock (needs `markAt`).
   */
  toxicityPull: false,
  toxicityPullFills: 3,
  toxicityPullThresholdBps: 3,
  toxicityPullWindowMs: 60_000,
  toxicityPullCooldownMs: 30_000,
  toxicityPullBoth: false,
  /**
   * Ease the exit: the defences against adverse selection (the guard's widening, the pull, the sweep pull, the
   * imbalance skip) spare the side that reduces the position, the more the nearer the position is to
   * `maxPositionUsd`: its widening is scaled by 1 − |position| / maxPositionUsd, its pulls' cool-downs
   * likewise, and the imbalance needed to skip it is divided by that factor; at or past the limit the reducing
   * side is never widened, pulled or skipped. Without it a guard that widens the side which would unwind a
   * large position fights the inventory skew, and the position runs to the limit (see the README's calibrated
   * AS / GLFT section). On by default: the exit of a position at its limit is never blocked.
   */
  toxicityEaseExit: true,
  /**
   * Where AS / GLFT take σ, A and k: `constants` (`intensityScalePerBar`, `intensityDecayPerBps`, the bar σ) or
   * `online`: σ from the mid sampled every `calibrationSampleMs` when `markAt` feeds mids, else from the bars'
   * ranges (Garman–Klass, when `onBarClose` gets OHLC), else the close-to-close EWMA; A and k fitted from the
   * trades (`onTrade` with a price) at distance from the mid over `calibrationWindowMs`, refitted every
   * `calibrationRefreshMs`. Until a fit exists the constants are used. The basic model is unaffected.
   */
  calibration: "constants",
  calibrationSampleMs: 1_000,
  /** Half-life of the mid-sampled σ, in samples (300 × 1 s = 5 minutes). */
  calibrationHalfLifeSamples: 300,
  calibrationWindowMs: 600_000,
  calibrationRefreshMs: 5_000,
  /** Depth grid of the A, k fit, bps of the mid per bucket (40 buckets). */
  calibrationDepthStepBps: 0.5,
  /**
   * Size decay: the side that grows the position quotes orderSize × e^(−sizeDecay × |position| / maxPosition)
   * (Hummingbot's order-amount shape), so a full position quotes e^(−sizeDecay) of the size on the growing
   * side instead of the full size up to a hard stop. 0 = off.
   */
  sizeDecay: 0,
  /**
   * Funding skew: the fair price moves by −fundingSkewBps × the funding rate in bps per period
   * (`CoinKernel.setFundingRate`): when longs pay, quotes lean short, so the position drifts to the side that
   * is paid. 0 = off. Per bp of rate rather than per unit: rates are ~1e-5 per hour, so a per-unit factor would
   * read 10⁴–10⁵.
   */
  fundingSkewBps: 0,
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
    model: z.enum(["basic", "as", "as-infinite", "glft"]).default(DEFAULT_STRATEGY_CONFIG.model).meta({
      value: "basic|as|as-infinite|glft",
      description:
        "quote model: fixed bps + volatility, Avellaneda–Stoikov (finite or infinite horizon), or GLFT",
    }),
    baseSpreadBps: positive("baseSpreadBps")
      .default(DEFAULT_STRATEGY_CONFIG.baseSpreadBps)
      .meta({ value: "BPS", description: "half-spread floor of the basic model, in bps of the mid" }),
    volMultiplier: nonNegative("volMultiplier")
      .default(DEFAULT_STRATEGY_CONFIG.volMultiplier)
      .meta({ value: "X", description: "the half spread widens by this × the per-bar volatility in bps" }),
    inventorySkewFactor: nonNegative("inventorySkewFactor")
      .default(DEFAULT_STRATEGY_CONFIG.inventorySkewFactor)
      .meta({
        value: "X",
        description: "at a full position both quotes move by this fraction of the half spread against it",
      }),
    maxPositionUsd: positive("maxPositionUsd").default(DEFAULT_STRATEGY_CONFIG.maxPositionUsd).meta({
      value: "USD",
      description: "soft position limit: the side that would grow past it is not quoted",
    }),
    hardLimitMultiple: z
      .number()
      .min(1, "hardLimitMultiple must be ≥ 1")
      .default(DEFAULT_STRATEGY_CONFIG.hardLimitMultiple)
      .meta({
        value: "X",
        description: "above this multiple of --max-position-usd the position is cut back with a taker order",
      }),
    onHalt: z.enum(["flatten", "hold"]).default(DEFAULT_STRATEGY_CONFIG.onHalt).meta({
      value: "flatten|hold",
      description: "what happens to the position when the risk engine halts quoting",
    }),
    orderSizeUsd: positive("orderSizeUsd")
      .default(DEFAULT_STRATEGY_CONFIG.orderSizeUsd)
      .meta({ value: "USD", description: "size of each quote, in USD at the mid" }),
    levels: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(DEFAULT_STRATEGY_CONFIG.levels)
      .meta({ value: "N", description: "orders per side" }),
    levelSpacingBps: nonNegative("levelSpacingBps")
      .default(DEFAULT_STRATEGY_CONFIG.levelSpacingBps)
      .meta({ value: "BPS", description: "level i sits i × this further from the fair price" }),
    makerFee: fee("makerFee").default(DEFAULT_STRATEGY_CONFIG.makerFee).meta({
      value: "FRACTION",
      description:
        "maker fee, signed as a cost (Hyperliquid tier 0 is a cost; a rebate is negative, e.g. -0.00015)",
    }),
    takerFee: fee("takerFee")
      .default(DEFAULT_STRATEGY_CONFIG.takerFee)
      .meta({ value: "FRACTION", description: "taker fee, signed as a cost" }),
    feeAware: z
      .boolean()
      .default(DEFAULT_STRATEGY_CONFIG.feeAware)
      .meta({ description: "never quote a half spread below the maker fee + --fee-margin-bps" }),
    feeMarginBps: nonNegative("feeMarginBps")
      .default(DEFAULT_STRATEGY_CONFIG.feeMarginBps)
      .meta({ value: "BPS", description: "margin over the maker fee of the smallest half spread" }),
    volatilityHalfLifeBars: positive("volatilityHalfLifeBars")
      .default(DEFAULT_STRATEGY_CONFIG.volatilityHalfLifeBars)
      .meta({ value: "BARS", description: "half-life of the EWMA volatility of per-bar log returns" }),
    volatilityWarmupBars: z.number().int().min(2).default(DEFAULT_STRATEGY_CONFIG.volatilityWarmupBars).meta({
      value: "BARS",
      description:
        "bars of volatility the strategy waits for before it quotes (live primes them from the venue's candles; a replay from --prime-candles)",
    }),
    bias: z
      .boolean()
      .default(DEFAULT_STRATEGY_CONFIG.bias)
      .meta({ description: "directional bias from a Kalman trend and QQE shifts the quoting mid" }),
    biasStrength: nonNegative("biasStrength")
      .default(DEFAULT_STRATEGY_CONFIG.biasStrength)
      .meta({ value: "X", description: "bias × this × volatility is the shift of the mid" }),
    riskAversion: positive("riskAversion")
      .default(DEFAULT_STRATEGY_CONFIG.riskAversion)
      .meta({ value: "GAMMA", description: "AS / GLFT risk aversion (bps units)" }),
    intensityDecayPerBps: positive("intensityDecayPerBps")
      .default(DEFAULT_STRATEGY_CONFIG.intensityDecayPerBps)
      .meta({ value: "K", description: "AS / GLFT: k of the fill intensity λ(δ) = A·e^(−kδ), per bp" }),
    intensityScalePerBar: positive("intensityScalePerBar")
      .default(DEFAULT_STRATEGY_CONFIG.intensityScalePerBar)
      .meta({ value: "A", description: "AS / GLFT: A of λ(δ) = A·e^(−kδ), fills per bar at the mid" }),
    horizonBars: positive("horizonBars")
      .default(DEFAULT_STRATEGY_CONFIG.horizonBars)
      .meta({ value: "BARS", description: "AS finite horizon T − t (rolling)" }),
    glftHalfSpreadDamping: positive("glftHalfSpreadDamping")
      .default(DEFAULT_STRATEGY_CONFIG.glftHalfSpreadDamping)
      .meta({ value: "X", description: "GLFT: damping of the half spread" }),
    glftSkewDamping: nonNegative("glftSkewDamping")
      .default(DEFAULT_STRATEGY_CONFIG.glftSkewDamping)
      .meta({ value: "X", description: "GLFT: damping of the inventory skew" }),
    refreshToleranceBps: nonNegative("refreshToleranceBps")
      .default(DEFAULT_STRATEGY_CONFIG.refreshToleranceBps)
      .meta({
        value: "BPS",
        description: "working orders move only when the wanted price is more than this away",
      }),
    sizeTolerance: nonNegative("sizeTolerance").default(DEFAULT_STRATEGY_CONFIG.sizeTolerance).meta({
      value: "FRACTION",
      description: "… or when the wanted size differs from the remaining size by more than this",
    }),
    toxicityGuard: z
      .boolean()
      .default(DEFAULT_STRATEGY_CONFIG.toxicityGuard)
      .meta({ description: "widen a side whose recent fills were adversely selected" }),
    toxicityFills: positive("toxicityFills")
      .default(DEFAULT_STRATEGY_CONFIG.toxicityFills)
      .meta({ value: "N", description: "toxicity guard: EWMA of the mark-outs of this many recent fills" }),
    toxicityThresholdBps: nonNegative("toxicityThresholdBps")
      .default(DEFAULT_STRATEGY_CONFIG.toxicityThresholdBps)
      .meta({
        value: "BPS",
        description: "toxicity guard: a side's mark-out worse than this widens it by the excess",
      }),
    toxicityHorizonBars: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(DEFAULT_STRATEGY_CONFIG.toxicityHorizonBars)
      .meta({
        value: "BARS",
        description: "toxicity guard (bars clock): bars after a fill its mark-out is taken at",
      }),
    toxicityRecoveryBars: z
      .number({ error: "toxicityRecoveryBars must be a number" })
      .int("toxicityRecoveryBars must be a whole number of bars")
      .max(1_000_000, "toxicityRecoveryBars must be ≤ 1,000,000 bars")
      .default(DEFAULT_STRATEGY_CONFIG.toxicityRecoveryBars)
      .meta({
        value: "BARS",
        description:
          "toxicity guard (bars clock): a side's widening fades to 0 this many bars after its last fill",
      }),
    fairPrice: z.enum(["mid", "microprice", "imbalance"]).default(DEFAULT_STRATEGY_CONFIG.fairPrice).meta({
      value: "MODE",
      description:
        "mid | microprice | imbalance: the price quotes are centred on (microprice and imbalance need book sizes)",
    }),
    imbalanceLevels: z
      .number()
      .int("imbalanceLevels must be a whole number of levels")
      .min(1, "imbalanceLevels must be ≥ 1")
      .max(50, "imbalanceLevels must be ≤ 50")
      .default(DEFAULT_STRATEGY_CONFIG.imbalanceLevels)
      .meta({ value: "N", description: "book levels per side summed for the imbalance fair price and skip" }),
    tradeFlowWindowMs: positive("tradeFlowWindowMs")
      .default(DEFAULT_STRATEGY_CONFIG.tradeFlowWindowMs)
      .meta({ value: "MS", description: "window of the trade-flow imbalance (aggressor volume)" }),
    tradeFlowShiftBps: nonNegative("tradeFlowShiftBps")
      .default(DEFAULT_STRATEGY_CONFIG.tradeFlowShiftBps)
      .meta({ value: "BPS", description: "fair price shift at a one-sided trade flow (0 = off)" }),
    imbalanceSkipThreshold: z
      .number({ error: "imbalanceSkipThreshold must be a number" })
      .min(0, "imbalanceSkipThreshold must be ≥ 0")
      .lt(1, "imbalanceSkipThreshold must be < 1 (an imbalance is in [−1, 1])")
      .default(DEFAULT_STRATEGY_CONFIG.imbalanceSkipThreshold)
      .meta({
        value: "X",
        description: "skip the bid when the book imbalance is ≤ −X, the ask when ≥ X (0 = off)",
      }),
    imbalanceSkipExit: z
      .number({ error: "imbalanceSkipExit must be a number" })
      .min(0, "imbalanceSkipExit must be ≥ 0")
      .lt(1, "imbalanceSkipExit must be < 1 (an imbalance is in [−1, 1])")
      .default(DEFAULT_STRATEGY_CONFIG.imbalanceSkipExit)
      .meta({
        value: "X",
        description:
          "imbalance skip hysteresis: a skipped side returns only once the imbalance against it is below X (0 = the skip threshold)",
      }),
    imbalanceSkipHoldMs: nonNegative("imbalanceSkipHoldMs")
      .default(DEFAULT_STRATEGY_CONFIG.imbalanceSkipHoldMs)
      .meta({
        value: "MS",
        description:
          "imbalance skip: a skipped side stays out at least this long after the imbalance was last at the exit level (0 = no hold)",
      }),
    sweepPullBps: nonNegative("sweepPullBps").default(DEFAULT_STRATEGY_CONFIG.sweepPullBps).meta({
      value: "BPS",
      description:
        "sweep pull: a market trade this far past the mid pulls the side that flow hits next (buy sweep: the ask) (0 = off)",
    }),
    sweepPullCooldownMs: positive("sweepPullCooldownMs")
      .default(DEFAULT_STRATEGY_CONFIG.sweepPullCooldownMs)
      .meta({
        value: "MS",
        description: "sweep pull: a pulled side comes back this long after the last sweep",
      }),
    toxicityClock: z.enum(["bars", "seconds"]).default(DEFAULT_STRATEGY_CONFIG.toxicityClock).meta({
      value: "CLOCK",
      description: "bars | seconds: toxicity mark-outs in bars after a fill, or in ms on the mid",
    }),
    toxicityHorizonMs: positive("toxicityHorizonMs")
      .default(DEFAULT_STRATEGY_CONFIG.toxicityHorizonMs)
      .meta({ value: "MS", description: "seconds guard: a fill's mark-out is taken this long after it" }),
    toxicityRecoveryMs: positive("toxicityRecoveryMs")
      .default(DEFAULT_STRATEGY_CONFIG.toxicityRecoveryMs)
      .meta({
        value: "MS",
        description: "seconds guard: a side's widening fades to 0 this long after its last fill",
      }),
    toxicityPull: z
      .boolean()
      .default(DEFAULT_STRATEGY_CONFIG.toxicityPull)
      .meta({ description: "pull a side for a cool-down after a burst of toxic fills" }),
    toxicityPullFills: z
      .number()
      .int("toxicityPullFills must be a whole number of fills")
      .min(1, "toxicityPullFills must be ≥ 1")
      .max(1_000, "toxicityPullFills must be ≤ 1,000")
      .default(DEFAULT_STRATEGY_CONFIG.toxicityPullFills)
      .meta({ value: "N", description: "toxicity pull: toxic fills within the window that pull a side" }),
    toxicityPullThresholdBps: nonNegative("toxicityPullThresholdBps")
      .default(DEFAULT_STRATEGY_CONFIG.toxicityPullThresholdBps)
      .meta({
        value: "BPS",
        description: "toxicity pull: a fill is toxic when its mark-out is worse than −this",
      }),
    toxicityPullWindowMs: positive("toxicityPullWindowMs")
      .default(DEFAULT_STRATEGY_CONFIG.toxicityPullWindowMs)
      .meta({ value: "MS", description: "toxicity pull: the burst's window" }),
    toxicityPullCooldownMs: positive("toxicityPullCooldownMs")
      .default(DEFAULT_STRATEGY_CONFIG.toxicityPullCooldownMs)
      .meta({ value: "MS", description: "toxicity pull: how long a pulled side stays out of the book" }),
    toxicityPullBoth: z
      .boolean()
      .default(DEFAULT_STRATEGY_CONFIG.toxicityPullBoth)
      .meta({ description: "toxicity pull: a burst on one side pulls both sides" }),
    toxicityEaseExit: z.boolean().default(DEFAULT_STRATEGY_CONFIG.toxicityEaseExit).meta({
      description:
        "the side reducing the position is widened, pulled and skipped less as |position| nears the limit (× 1 − |position| / max position; never at it)",
    }),
    calibration: z.enum(["constants", "online"]).default(DEFAULT_STRATEGY_CONFIG.calibration).meta({
      value: "MODE",
      description: "constants | online: AS / GLFT read σ, A, k from the settings or fit them from the market",
    }),
    calibrationSampleMs: positive("calibrationSampleMs")
      .default(DEFAULT_STRATEGY_CONFIG.calibrationSampleMs)
      .meta({ value: "MS", description: "online calibration: the mid is sampled for σ every this many ms" }),
    calibrationHalfLifeSamples: positive("calibrationHalfLifeSamples")
      .default(DEFAULT_STRATEGY_CONFIG.calibrationHalfLifeSamples)
      .meta({ value: "N", description: "online calibration: half-life of the mid σ, in samples" }),
    calibrationWindowMs: z
      .number({ error: "calibrationWindowMs must be a number" })
      .int("calibrationWindowMs must be a whole number of ms")
      .min(1_000, "calibrationWindowMs must be ≥ 1000")
      .multipleOf(100, "calibrationWindowMs must be a multiple of 100 ms (the fit's observation window)")
      .default(DEFAULT_STRATEGY_CONFIG.calibrationWindowMs)
      .meta({ value: "MS", description: "online calibration: rolling window of the A, k fit" }),
    calibrationRefreshMs: positive("calibrationRefreshMs")
      .default(DEFAULT_STRATEGY_CONFIG.calibrationRefreshMs)
      .meta({ value: "MS", description: "online calibration: A, k are refitted this often" }),
    calibrationDepthStepBps: positive("calibrationDepthStepBps")
      .default(DEFAULT_STRATEGY_CONFIG.calibrationDepthStepBps)
      .meta({ value: "BPS", description: "online calibration: depth grid of the A, k fit" }),
    sizeDecay: nonNegative("sizeDecay").default(DEFAULT_STRATEGY_CONFIG.sizeDecay).meta({
      value: "X",
      description: "the side growing the position quotes size × e^(−X × |position| / max position) (0 = off)",
    }),
    fundingSkewBps: z
      .number({ error: "fundingSkewBps must be a number" })
      .default(DEFAULT_STRATEGY_CONFIG.fundingSkewBps)
      .meta({
        value: "BPS",
        description:
          "fair price moves −this × the funding rate in bps: lean against the side that pays (0 = off)",
      }),
  })
  .strict()
  .superRefine((config, context) => {
    if (!(config.toxicityRecoveryBars > config.toxicityHorizonBars))
      context.addIssue({
        code: "custom",
        path: ["toxicityRecoveryBars"],
        message: `toxicityRecoveryBars must be > toxicityHorizonBars (${config.toxicityHorizonBars}), got ${config.toxicityRecoveryBars}: a fill's mark-out arrives toxicityHorizonBars after it`,
      });
    if (!(config.toxicityRecoveryMs > config.toxicityHorizonMs))
      context.addIssue({
        code: "custom",
        path: ["toxicityRecoveryMs"],
        message: `toxicityRecoveryMs must be > toxicityHorizonMs (${config.toxicityHorizonMs}), got ${config.toxicityRecoveryMs}: a fill's mark-out arrives toxicityHorizonMs after it`,
      });
    if (
      config.imbalanceSkipThreshold > 0 &&
      config.imbalanceSkipExit > 0 &&
      !(config.imbalanceSkipExit <= config.imbalanceSkipThreshold)
    )
      context.addIssue({
        code: "custom",
        path: ["imbalanceSkipExit"],
        message: `imbalanceSkipExit must be ≤ imbalanceSkipThreshold (${config.imbalanceSkipThreshold}), got ${config.imbalanceSkipExit}: a side comes back at a smaller imbalance than the one that skipped it`,
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

/** What `--help` says of a strategy setting: its value placeholder (none for booleans) and description. */
export interface StrategySettingHelp {
  value?: string;
  description: string;
}

/**
 * The help of one strategy setting, from its schema field's metadata (every field has one; a test keeps it so),
 * so the backtest and live CLIs describe a setting in the same words.
 *
 * @example
 * ```ts
 * strategySettingHelp("baseSpreadBps"); // { value: "BPS", description: "half-spread floor of the basic model, …" }
 * ```
 */
export function strategySettingHelp(key: keyof StrategyConfig): StrategySettingHelp {
  let field: z.ZodType | undefined = strategyConfigSchema.shape[key] as z.ZodType;
  let found: { value?: unknown; description?: unknown } = {};
  while (field !== undefined) {
    found = { ...((field.meta() ?? {}) as typeof found), ...found };
    field =
      field instanceof z.ZodDefault || field instanceof z.ZodOptional
        ? (field.unwrap() as z.ZodType)
        : undefined;
  }
  if (typeof found.description !== "string") throw new Error(`strategy setting ${key} has no description`);
  return typeof found.value === "string"
    ? { value: found.value, description: found.description }
    : { description: found.description };
}
