import { type Instrument, lotStepOf, PriceGrid, type Side } from "@botmm/core";
import {
  asFiniteHorizonQuote,
  asInfiniteHorizonQuote,
  basicQuote,
  EwmaVolatility,
  glftQuote,
  minHalfSpreadBps,
  type Ohlc,
  QuoterInputError,
} from "@botmm/quoter";
import { biasShiftPrice, DirectionalBias } from "@botmm/signals";
import { bookImbalance } from "./book-signals.ts";
import { OnlineCalibrator, type SigmaSource } from "./calibrator.ts";
import type { StrategyConfig } from "./config.ts";
import { exitDefenceScale } from "./exit-relief.ts";
import { ImbalanceSkip } from "./imbalance-skip.ts";
import type { OrderManager } from "./order-manager.ts";
import { clearQuoteSet, type QuoteSet } from "./quote-set.ts";
import { SweepPull } from "./sweep-pull.ts";
import { TimedToxicityGuard } from "./timed-toxicity.ts";
import { ToxicityGuard } from "./toxicity.ts";

/** What the risk engine allows right now. */
export type RiskMode = "allow" | "reduce-only" | "halt";

/** Why a quote decision came out as it did. */
export type QuoteStatus = "quoting" | "warming-up" | "halted";

/** The market state a decision is made from. Everything must be known at decision time (no look-ahead). */
export interface QuoteInput {
  /** The mid (or last close) to quote around, in quote currency. */
  midPrice: number;
  /** Signed position in base units. */
  positionSize: number;
  riskMode: RiskMode;
  /** Best bid/ask when a book is known (live, replay): quotes never cross them. NaN when unknown (candles). */
  marketBid: number;
  marketAsk: number;
  /** The decision's time, ms of the driver's clock (the seconds toxicity guard's pulls and fades). */
  timeMs?: number;
  /** Sizes at the best bid / ask (microprice); NaN or absent when unknown. */
  bidSize?: number;
  askSize?: number;
  /** Sizes summed over the top `imbalanceLevels` levels (imbalance fair price, imbalance skip). */
  bidDepth?: number;
  askDepth?: number;
  /** Trade-flow imbalance in [−1, 1] over `tradeFlowWindowMs` (0 or absent when unknown). */
  tradeFlow?: number;
  /** The current funding rate per period (longs pay when positive); 0 or absent when unknown. */
  fundingRate?: number;
}

/** Details of the last decision (one object, reused). */
export interface QuoteDecision {
  status: QuoteStatus;
  /** The price quotes are centred on: the mid moved by the book (fair-price mode), trade flow, funding and bias. */
  fairPrice: number;
  /** The imbalance the fair price and the skip used, in [−1, 1] (0 without book sizes). */
  bookImbalance: number;
  /** Per-bar volatility of log returns, in bps. */
  volatilityBps: number;
  /** Directional bias in [−1, 1] (0 when off or warming up). */
  bias: number;
  /** Distance of the best bid / ask from the fair price, in bps, after fee floor and toxicity widening. */
  bidHalfSpreadBps: number;
  askHalfSpreadBps: number;
  /**
   * The σ (per bar, bps), A (fills per bar at the mid) and k (per bp) the AS / GLFT model used (the basic model
   * reports what AS / GLFT would use), and where they came from: `closes` is the close-to-close EWMA;
   * `constants` the configured A, k.
   */
  sigmaBps: number;
  intensityScalePerBar: number;
  intensityDecayPerBps: number;
  sigmaSource: "closes" | Exclude<SigmaSource, "none">;
  intensitySource: "constants" | "fitted";
  /** Sides taken out of the book by the toxicity pull, the sweep pull or the imbalance skip in this decision. */
  bidPulled: boolean;
  askPulled: boolean;
  /** The model refused this state (an INFEASIBLE inventory or parameters): nothing was quoted. */
  modelInfeasible: boolean;
}

const BPS = 10_000;

// The objects a decision writes its numbers into are classes rather than object literals: literals with the same
// keys share one hidden class across the process, so one made elsewhere with integer fields would make these
// fields boxed again. Their number fields start at −0 and the constructor sets them to 0: a field whose first
// value is a small integer holds every later number as a new heap object (16 bytes a store, several stores a
// decision), one whose first value is a double is updated in place.

/** {@link QuoteDecision}'s storage (see above). */
class Decision implements QuoteDecision {
  status: QuoteStatus = "warming-up";
  fairPrice = -0;
  bookImbalance = -0;
  volatilityBps = -0;
  bias = -0;
  bidHalfSpreadBps = -0;
  askHalfSpreadBps = -0;
  sigmaBps = -0;
  intensityScalePerBar = -0;
  intensityDecayPerBps = -0;
  sigmaSource: QuoteDecision["sigmaSource"] = "closes";
  intensitySource: QuoteDecision["intensitySource"] = "constants";
  bidPulled = false;
  askPulled = false;
  modelInfeasible = false;

  constructor() {
    this.fairPrice = 0;
    this.bookImbalance = 0;
    this.volatilityBps = 0;
    this.bias = 0;
    this.bidHalfSpreadBps = 0;
    this.askHalfSpreadBps = 0;
    this.sigmaBps = 0;
    this.intensityScalePerBar = 0;
    this.intensityDecayPerBps = 0;
  }
}

/** The basic model's reused input (see above). */
class BasicInput {
  midPrice = -0;
  volatilityBps = -0;
  inventoryUsd = -0;

  constructor() {
    this.midPrice = 0;
    this.volatilityBps = 0;
    this.inventoryUsd = 0;
  }
}

/** The basic model's reused result (see above). */
class BasicResult {
  reservationPrice = -0;
  halfSpreadBps = -0;
  bidPrice = -0;
  askPrice = -0;

  constructor() {
    this.reservationPrice = 0;
    this.halfSpreadBps = 0;
    this.bidPrice = 0;
    this.askPrice = 0;
  }
}

/** The top-N imbalance of a quote input, falling back to the top level's sizes when no depth is given. */
function depthImbalance(input: QuoteInput): number {
  const bidDepth = input.bidDepth ?? Number.NaN;
  const askDepth = input.askDepth ?? Number.NaN;
  if (bidDepth + askDepth > 0) return bookImbalance(bidDepth, askDepth);
  return bookImbalance(input.bidSize ?? Number.NaN, input.askSize ?? Number.NaN);
}

/** AS and GLFT are evaluated in basis points of the mid: a "price" of 10,000 is the mid itself. */
const MID_IN_BPS = 10_000;

/**
 * The market-making strategy: turns bars (and, live, the book) into the quotes it wants resting. It composes
 * the quote model (basic / Avellaneda–Stoikov / GLFT from `@botmm/quoter`), the optional directional bias
 * (`@botmm/signals`), inventory skew, the fee floor, a toxicity guard, the position limits and the risk mode.
 * The backtester and the live bot run this same class.
 *
 * Time discipline: `onBar` is called with a bar only after it has closed; `computeQuotes` uses only what has
 * been seen, so quotes for bar t come from data up to the close of bar t−1.
 *
 * @example
 * ```ts
 * const maker = new MarketMaker(parseStrategyConfig(), btcInstrument);
 * for (const bar of closedBars) maker.onBar(bar.close);
 * const quotes = createQuoteSet(1);
 * maker.computeQuotes({ midPrice: 60_000, positionSize: 0, riskMode: "allow", marketBid: NaN, marketAsk: NaN }, quotes);
 * quotes.bidPrices[0]; // e.g. 59_987
 * ```
 */
export class MarketMaker {
  readonly config: StrategyConfig;
  readonly instrument: Instrument;
  readonly decision: QuoteDecision = new Decision();
  readonly #volatility: EwmaVolatility;
  #bias: DirectionalBias | null = null;
  readonly #toxicity: ToxicityGuard | null;
  readonly #timedToxicity: TimedToxicityGuard | null;
  readonly #calibrator: OnlineCalibrator | null;
  /** Pulls the side a sweep of the book runs towards (null unless `sweepPullBps` > 0). */
  readonly #sweepPull: SweepPull | null;
  /** Skips the side the book's imbalance runs against (null unless `imbalanceSkipThreshold` > 0). */
  readonly #imbalanceSkip: ImbalanceSkip | null;
  /** q_max of the infinite-horizon model, in orders. */
  readonly #maxInventoryOrders: number;
  readonly #lotStep: number;
  readonly #grid: PriceGrid;
  readonly #minHalfSpreadBps: number;
  /** Whether anything moves the fair price off the mid (book fair price, imbalance skip, flow, funding, bias). */
  readonly #fairMoves: boolean;
  /** Whether the timed toxicity guard or the online calibration reads mids ({@link MarketMaker.onMid}). */
  readonly #readsMids: boolean;
  /** Whether any adverse-selection defence (toxicity guards, sweep pull, imbalance skip) is on. */
  readonly #defends: boolean;
  #lastClose = Number.NaN;
  // Reused inputs of the quote models: one allocation per MarketMaker, not per quote.
  readonly #basicInput = new BasicInput();
  readonly #basicQuote = new BasicResult();
  readonly #basicParams: {
    baseSpreadBps: number;
    volMultiplier: number;
    inventorySkewFactor: number;
    maxPositionUsd: number;
  };
  readonly #asInput = {
    midPrice: MID_IN_BPS,
    inventory: -0,
    riskAversion: 0,
    priceVolatility: -0,
    timeToHorizon: 0,
    intensityDecay: -0,
  };
  readonly #glftInput = {
    midPrice: MID_IN_BPS,
    inventory: -0,
    riskAversion: 0,
    priceVolatility: -0,
    intensityScale: -0,
    intensityDecay: -0,
    orderSize: 1,
    halfSpreadDamping: 1,
    skewDamping: 1,
  };

  constructor(config: StrategyConfig, instrument: Instrument) {
    this.config = config;
    this.instrument = instrument;
    this.#volatility = new EwmaVolatility({
      halfLifeSamples: config.volatilityHalfLifeBars,
      warmUpSamples: config.volatilityWarmupBars,
    });
    this.#toxicity =
      config.toxicityGuard && config.toxicityClock === "bars"
        ? new ToxicityGuard({
            horizonBars: config.toxicityHorizonBars,
            fills: config.toxicityFills,
            thresholdBps: config.toxicityThresholdBps,
            recoveryBars: config.toxicityRecoveryBars,
          })
        : null;
    const timedWidening = config.toxicityGuard && config.toxicityClock === "seconds";
    this.#timedToxicity =
      timedWidening || config.toxicityPull
        ? new TimedToxicityGuard({
            horizonMs: config.toxicityHorizonMs,
            fills: config.toxicityFills,
            // Pull only: a threshold no mark-out can exceed keeps the widening at 0.
            thresholdBps: timedWidening ? config.toxicityThresholdBps : Number.POSITIVE_INFINITY,
            recoveryMs: config.toxicityRecoveryMs,
            pullFills: config.toxicityPull ? config.toxicityPullFills : 0,
            pullThresholdBps: config.toxicityPullThresholdBps,
            pullWindowMs: config.toxicityPullWindowMs,
            pullCooldownMs: config.toxicityPullCooldownMs,
            pullBoth: config.toxicityPullBoth,
          })
        : null;
    this.#calibrator =
      config.calibration === "online"
        ? new OnlineCalibrator({
            sampleMs: config.calibrationSampleMs,
            halfLifeSamples: config.calibrationHalfLifeSamples,
            halfLifeBars: config.volatilityHalfLifeBars,
            windowMs: config.calibrationWindowMs,
            refreshMs: config.calibrationRefreshMs,
            depthStepBps: config.calibrationDepthStepBps,
          })
        : null;
    this.#maxInventoryOrders = config.maxPositionUsd / config.orderSizeUsd;
    this.#lotStep = lotStepOf(instrument);
    this.#grid = new PriceGrid(instrument.priceRule);
    this.#basicParams = {
      baseSpreadBps: config.baseSpreadBps,
      volMultiplier: config.volMultiplier,
      inventorySkewFactor: config.inventorySkewFactor,
      maxPositionUsd: config.maxPositionUsd,
    };
    this.#asInput.inventory = 0;
    this.#asInput.priceVolatility = 0;
    this.#glftInput.inventory = 0;
    this.#glftInput.priceVolatility = 0;
    this.#asInput.riskAversion = config.riskAversion;
    this.#asInput.timeToHorizon = config.horizonBars;
    this.#asInput.intensityDecay = config.intensityDecayPerBps;
    this.#glftInput.riskAversion = config.riskAversion;
    this.#glftInput.intensityScale = config.intensityScalePerBar;
    this.#glftInput.intensityDecay = config.intensityDecayPerBps;
    this.#glftInput.halfSpreadDamping = config.glftHalfSpreadDamping;
    this.#glftInput.skewDamping = config.glftSkewDamping;
    this.#minHalfSpreadBps = config.feeAware
      ? minHalfSpreadBps({ makerFeeFraction: config.makerFee, marginBps: config.feeMarginBps })
      : 0;
    this.#fairMoves =
      config.fairPrice !== "mid" ||
      config.imbalanceSkipThreshold > 0 ||
      config.tradeFlowShiftBps > 0 ||
      config.fundingSkewBps !== 0 ||
      config.bias;
    this.#sweepPull =
      config.sweepPullBps > 0
        ? new SweepPull({ thresholdBps: config.sweepPullBps, cooldownMs: config.sweepPullCooldownMs })
        : null;
    const skip = config.imbalanceSkipThreshold;
    this.#imbalanceSkip =
      skip > 0
        ? new ImbalanceSkip({
            enter: skip,
            exit: config.imbalanceSkipExit > 0 ? config.imbalanceSkipExit : skip,
            holdMs: config.imbalanceSkipHoldMs,
          })
        : null;
    this.#readsMids = this.#timedToxicity !== null || this.#calibrator !== null;
    this.#defends =
      this.#toxicity !== null ||
      this.#timedToxicity !== null ||
      this.#sweepPull !== null ||
      this.#imbalanceSkip !== null;
    // Without the online calibration the model's A, k and their sources never change.
    const decision = this.decision;
    decision.sigmaSource = "closes";
    decision.intensityScalePerBar = config.intensityScalePerBar;
    decision.intensityDecayPerBps = config.intensityDecayPerBps;
    decision.intensitySource = "constants";
  }

  /**
   * Whether {@link MarketMaker.onMid} feeds anything (the seconds toxicity guard, the online calibration):
   * drivers may skip the call when it does not.
   *
   * @example
   * ```ts
   * if (maker.readsMids) maker.onMid(mid, now);
   * ```
   */
  get readsMids(): boolean {
    return this.#readsMids;
  }

  /**
   * Whether {@link MarketMaker.onBar} reads the bar's OHLC and close time (the online calibration): drivers may
   * pass only the close when it does not.
   *
   * @example
   * ```ts
   * maker.onBar(close, maker.readsOhlc ? { open, high, low, close } : null, closeTime);
   * ```
   */
  get readsOhlc(): boolean {
    return this.#calibrator !== null;
  }

  /** The smallest half spread the fee floor allows, in bps (0 when the fee-aware gate is off). */
  get minHalfSpreadBps(): number {
    return this.#minHalfSpreadBps;
  }

  /** Bars seen so far. */
  get barsSeen(): number {
    return this.#volatility.count;
  }

  /**
   * Feeds one closed bar's close. Call once per bar, in time order, after the bar has closed. With the bar's
   * OHLC the online calibration uses its range, and with its close time it learns the bar length.
   *
   * @example
   * ```ts
   * maker.onBar(60_010);
   * maker.onBar(60_020, { open: 60_010, high: 60_040, low: 60_000, close: 60_020 }, 120_000);
   * ```
   */
  onBar(close: number, bar: Ohlc | null = null, timeMs = Number.NaN): void {
    this.#calibrator?.onBar(bar, timeMs);
    this.#lastClose = close;
    this.#volatility.update(close);
    if (this.config.bias) {
      // The Kalman noises are set relative to the first price seen, so one setting fits every coin.
      this.#bias ??= new DirectionalBias({
        kalman: { processNoise: (close * 0.5e-4) ** 2, measurementNoise: (close * 5e-4) ** 2 },
      });
      this.#bias.update(close);
    }
    this.#toxicity?.onBar(close);
  }

  /**
   * Tells the strategy about an own fill (for the toxicity guard's mark-outs).
   *
   * @example
   * ```ts
   * maker.onOwnFill("buy", 59_990);
   * ```
   */
  onOwnFill(side: Side, price: number, timeMs = Number.NaN): void {
    this.#toxicity?.onFill(side, price);
    if (Number.isFinite(timeMs)) this.#timedToxicity?.onFill(side, price, timeMs);
  }

  /**
   * The mid is `mid` from `timeMs` on: the seconds toxicity guard marks out fills, the online calibration
   * samples it.
   *
   * @example
   * ```ts
   * maker.onMid(60_000.5, 1_700_000_000_000);
   * ```
   */
  onMid(mid: number, timeMs: number): void {
    if (!(mid > 0) || !Number.isFinite(timeMs)) return;
    this.#timedToxicity?.onMid(mid, timeMs);
    this.#calibrator?.onMid(mid, timeMs);
  }

  /**
   * A trade in the market (anyone's): `side` is the aggressor's. Feeds the online A, k fit and, with the mid
   * before it, the sweep pull (`sweepPullBps`).
   *
   * @example
   * ```ts
   * maker.onMarketTrade("buy", 60_001, 1_700_000_000_050);
   * maker.onMarketTrade("buy", 60_015, 1_700_000_000_060, 60_000); // 2.5 bp past the mid: a sweep
   * ```
   */
  onMarketTrade(side: Side, price: number, timeMs: number, mid = Number.NaN): void {
    this.#calibrator?.onTrade(price, side === "buy", timeMs);
    this.#sweepPull?.onTrade(side, price, mid, timeMs);
  }

  /** The seconds toxicity guard (null unless `toxicityClock: "seconds"` or `toxicityPull`). */
  get timedToxicity(): TimedToxicityGuard | null {
    return this.#timedToxicity;
  }

  /**
   * The signed size (base units; + buy, − sell) a taker order must trade to bring a position beyond the hard
   * limit (`maxPositionUsd × hardLimitMultiple`, valued at `midPrice`) back to the soft limit; 0 inside it.
   * The backtester and the live bot both cut positions with it.
   *
   * @example
   * ```ts
   * maker.hardLimitExitSize(0.02, 60_000); // $1,200 long > $750 → −0.011667 (sell back to $500)
   * ```
   */
  hardLimitExitSize(positionSize: number, midPrice: number): number {
    const { maxPositionUsd, hardLimitMultiple } = this.config;
    if (!(midPrice > 0) || Math.abs(positionSize * midPrice) <= maxPositionUsd * hardLimitMultiple) return 0;
    return (Math.sign(positionSize) * maxPositionUsd) / midPrice - positionSize;
  }

  /** The last close seen, or NaN before the first bar. */
  get lastClose(): number {
    return this.#lastClose;
  }

  /**
   * Writes the wanted quotes into `out` (sizes 0 where no order is wanted) and returns the decision details.
   * Allocation-free apart from the quote model's small result object.
   */
  computeQuotes(input: QuoteInput, out: QuoteSet): QuoteDecision {
    clearQuoteSet(out);
    out.referenceMid = input.midPrice;
    const decision = this.decision;
    const config = this.config;
    const mid = input.midPrice;
    decision.volatilityBps = this.#volatility.volatilityBpsOr(0);
    decision.bias = this.#bias?.isReady ? this.#bias.bias : 0;
    decision.fairPrice = mid;
    decision.bidPulled = false;
    decision.askPulled = false;
    decision.modelInfeasible = false;
    this.#modelInputs(decision);
    const timeMs = input.timeMs ?? Number.NaN;
    if (this.#timedToxicity !== null && Number.isFinite(timeMs)) this.#timedToxicity.advance(timeMs);
    if (input.riskMode === "halt") {
      decision.status = "halted";
      return decision;
    }
    if (!this.#volatility.isReady) {
      decision.status = "warming-up";
      return decision;
    }
    decision.status = "quoting";
    const volatilityBps = decision.volatilityBps;
    let fair = mid;
    decision.bookImbalance = 0;
    if (this.#fairMoves) fair = this.#fairPrice(input, decision);
    decision.fairPrice = fair;
    const positionUsd = input.positionSize * mid;

    let bid: number;
    let ask: number;
    let quoteBid = true;
    let quoteAsk = true;
    if (config.model === "basic") {
      const basicInput = this.#basicInput;
      basicInput.midPrice = fair;
      basicInput.volatilityBps = volatilityBps;
      basicInput.inventoryUsd = positionUsd;
      const quote = basicQuote(basicInput, this.#basicParams, this.#basicQuote);
      bid = quote.bidPrice;
      ask = quote.askPrice;
    } else {
      const inventoryInOrders = positionUsd / config.orderSizeUsd;
      let bidInBps: number | null;
      let askInBps: number | null;
      try {
        if (config.model === "as") {
          this.#asInput.inventory = inventoryInOrders;
          this.#asInput.priceVolatility = decision.sigmaBps;
          this.#asInput.intensityDecay = decision.intensityDecayPerBps;
          const quote = asFiniteHorizonQuote(this.#asInput);
          bidInBps = quote.bidPrice;
          askInBps = quote.askPrice;
        } else if (config.model === "as-infinite") {
          // Beyond q_max the model refuses the growing side anyway; clamping keeps ω > ½γ²σ²q² (the
          // reducing side is priced as at q_max) instead of failing past the soft limit.
          const qMax = this.#maxInventoryOrders;
          const quote = asInfiniteHorizonQuote({
            midPrice: MID_IN_BPS,
            inventory: Math.min(Math.max(inventoryInOrders, -qMax), qMax),
            riskAversion: config.riskAversion,
            // With the natural ω the quotes do not depend on σ (γ²σ² cancels in γ²σ²/D), but σ = 0 gives ω = 0,
            // which the formula refuses: a floor far below any real σ gives the σ → 0 limit.
            priceVolatility: Math.max(decision.sigmaBps, 1e-6),
            intensityDecay: decision.intensityDecayPerBps,
            maxInventory: qMax,
          });
          bidInBps = quote.bidPrice;
          askInBps = quote.askPrice;
        } else {
          this.#glftInput.inventory = inventoryInOrders;
          this.#glftInput.priceVolatility = decision.sigmaBps;
          this.#glftInput.intensityScale = decision.intensityScalePerBar;
          this.#glftInput.intensityDecay = decision.intensityDecayPerBps;
          const quote = glftQuote(this.#glftInput);
          bidInBps = quote.bidPrice;
          askInBps = quote.askPrice;
        }
      } catch (error) {
        if (!(error instanceof QuoterInputError)) throw error;
        // A state the model cannot quote (e.g. an inventory past its zero-bid boundary): quote nothing rather
        // than stop the bot; the decision says why.
        decision.modelInfeasible = true;
        return decision;
      }
      quoteBid = bidInBps !== null;
      quoteAsk = askInBps !== null;
      bid = quoteBid ? (fair * bidInBps!) / MID_IN_BPS : fair;
      ask = quoteAsk ? (fair * askInBps!) / MID_IN_BPS : fair;
    }

    // Fee floor and toxicity widening, each side measured from the fair price.
    let bidHalfBps = ((fair - bid) / fair) * BPS;
    let askHalfBps = ((ask - fair) / fair) * BPS;
    if (bidHalfBps < this.#minHalfSpreadBps) bidHalfBps = this.#minHalfSpreadBps;
    if (askHalfBps < this.#minHalfSpreadBps) askHalfBps = this.#minHalfSpreadBps;
    // How much of the adverse-selection defence each side keeps: all of it, unless toxicityEaseExit spares the
    // side that reduces the position (exitDefenceScale); × 1 and ÷ 1 leave the numbers exactly as without it.
    let bidDefence = 1;
    let askDefence = 1;
    if (config.toxicityEaseExit && this.#defends) {
      if (positionUsd < 0) bidDefence = exitDefenceScale(positionUsd, config.maxPositionUsd);
      else if (positionUsd > 0) askDefence = exitDefenceScale(positionUsd, config.maxPositionUsd);
    }
    if (this.#toxicity !== null) {
      bidHalfBps += this.#toxicity.extraBps("buy") * bidDefence;
      askHalfBps += this.#toxicity.extraBps("sell") * askDefence;
    }
    const timed = this.#timedToxicity;
    if (timed !== null) {
      bidHalfBps += timed.extraBps("buy") * bidDefence;
      askHalfBps += timed.extraBps("sell") * askDefence;
      if (Number.isFinite(timeMs)) {
        if (timed.isPulled("buy", timeMs, bidDefence)) quoteBid = false;
        if (timed.isPulled("sell", timeMs, askDefence)) quoteAsk = false;
      }
    }
    const sweep = this.#sweepPull;
    if (sweep !== null && Number.isFinite(timeMs)) {
      if (sweep.isPulled("buy", timeMs, bidDefence)) quoteBid = false;
      if (sweep.isPulled("sell", timeMs, askDefence)) quoteAsk = false;
    }
    const skip = this.#imbalanceSkip;
    if (skip !== null) {
      skip.decide(depthImbalance(input), timeMs, bidDefence, askDefence);
      if (skip.isSkipped("buy")) quoteBid = false;
      if (skip.isSkipped("sell")) quoteAsk = false;
    }
    decision.bidPulled = !quoteBid;
    decision.askPulled = !quoteAsk;
    decision.bidHalfSpreadBps = bidHalfBps;
    decision.askHalfSpreadBps = askHalfBps;

    const grid = this.#grid;
    let bestBid = fair * (1 - bidHalfBps / BPS);
    let bestAsk = fair * (1 + askHalfBps / BPS);
    // Post-only quotes must not cross the book; when it is known, stay on our side of it.
    if (input.marketAsk > 0 && bestBid >= input.marketAsk)
      bestBid = input.marketAsk - grid.stepAt(input.marketAsk);
    if (input.marketBid > 0 && bestAsk <= input.marketBid)
      bestAsk = input.marketBid + grid.stepAt(input.marketBid);

    const orderSize = this.#lotSize(config.orderSizeUsd / mid);
    // Size decay: the side that grows the position quotes less as the position grows.
    const decay = config.sizeDecay;
    const growingSize =
      decay > 0
        ? this.#lotSize(
            (config.orderSizeUsd / mid) * Math.exp(-decay * (Math.abs(positionUsd) / config.maxPositionUsd)),
          )
        : orderSize;
    const bidSize = positionUsd > 0 ? growingSize : orderSize;
    const askSize = positionUsd < 0 ? growingSize : orderSize;
    const levelSpacing = config.levelSpacingBps / BPS;
    const maxPositionUsd = config.maxPositionUsd;
    const orderUsd = orderSize * mid;
    const reduceOnly = input.riskMode === "reduce-only";

    for (let level = 0; level < out.levels; level++) {
      // Bids: only while the position plus the bids below this one stays under the limit, so all bids filling
      // at once overshoot the limit by less than one order.
      const bidRoom = reduceOnly
        ? -positionUsd - level * orderUsd
        : maxPositionUsd - positionUsd - level * orderUsd;
      if (quoteBid && bidRoom > 0 && bestBid > 0) {
        const size = reduceOnly
          ? Math.min(orderSize, this.#lotSize(-input.positionSize - level * orderSize))
          : bidSize;
        const price = grid.snap(bestBid * (1 - level * levelSpacing), "buy");
        if (size > 0 && price > 0 && size * price >= this.instrument.minNotionalUsd) {
          out.bidPrices[level] = price;
          out.bidSizes[level] = size;
        }
      }
      const askRoom = reduceOnly
        ? positionUsd - level * orderUsd
        : maxPositionUsd + positionUsd - level * orderUsd;
      if (quoteAsk && askRoom > 0) {
        const size = reduceOnly
          ? Math.min(orderSize, this.#lotSize(input.positionSize - level * orderSize))
          : askSize;
        const price = grid.snap(bestAsk * (1 + level * levelSpacing), "sell");
        if (size > 0 && size * price >= this.instrument.minNotionalUsd) {
          out.askPrices[level] = price;
          out.askSizes[level] = size;
        }
      }
    }
    return decision;
  }

  /** σ, A, k for AS / GLFT: calibrated where the calibration has them, else the close EWMA and constants. */
  #modelInputs(decision: QuoteDecision): void {
    const calibrator = this.#calibrator;
    decision.sigmaBps = decision.volatilityBps;
    if (calibrator === null) return;
    const config = this.config;
    decision.sigmaSource = "closes";
    decision.intensityScalePerBar = config.intensityScalePerBar;
    decision.intensityDecayPerBps = config.intensityDecayPerBps;
    decision.intensitySource = "constants";
    const sigma = calibrator.sigmaBpsPerBar();
    if (sigma >= 0) {
      decision.sigmaBps = sigma;
      decision.sigmaSource = calibrator.sigmaSource === "mids" ? "mids" : "ranges";
    }
    const k = calibrator.intensityDecayPerBps();
    const a = calibrator.intensityScalePerBar();
    if (k > 0 && a > 0) {
      decision.intensityDecayPerBps = k;
      decision.intensityScalePerBar = a;
      decision.intensitySource = "fitted";
    }
  }

  /** The mid moved by the book imbalance (fair-price mode), the trade flow, the funding skew and the bias. */
  #fairPrice(input: QuoteInput, decision: QuoteDecision): number {
    const config = this.config;
    const mid = input.midPrice;
    let fair = mid;
    const marketBid = input.marketBid;
    const marketAsk = input.marketAsk;
    decision.bookImbalance = 0;
    if (config.fairPrice !== "mid" && marketBid > 0 && marketAsk > marketBid) {
      const imbalance =
        config.fairPrice === "microprice"
          ? bookImbalance(input.bidSize ?? Number.NaN, input.askSize ?? Number.NaN)
          : depthImbalance(input);
      decision.bookImbalance = imbalance;
      fair += (imbalance * (marketAsk - marketBid)) / 2;
    } else if (config.imbalanceSkipThreshold > 0) decision.bookImbalance = depthImbalance(input);
    let shiftBps = 0;
    const flow = input.tradeFlow ?? 0;
    if (config.tradeFlowShiftBps > 0 && flow !== 0) shiftBps += config.tradeFlowShiftBps * flow;
    const funding = input.fundingRate ?? 0;
    if (config.fundingSkewBps !== 0 && Number.isFinite(funding))
      shiftBps -= config.fundingSkewBps * funding * BPS;
    if (shiftBps !== 0) fair += (mid * shiftBps) / BPS;
    if (decision.bias !== 0)
      fair += biasShiftPrice(decision.bias, config.biasStrength, (mid * decision.volatilityBps) / BPS);
    return fair;
  }

  // The quiet range's inputs that do not move with the mid, set by quietMidRange for #quietBetween.
  #quietHalfSpreadBps = Number.NaN;
  #quietExtraBidBps = Number.NaN;
  #quietExtraAskBps = Number.NaN;

  /**
   * The mids around `mid` at which a decision ({@link MarketMaker.computeQuotes} then
   * {@link OrderManager.reconcile}) would do nothing, everything but the mid being as now: every order open in
   * `orders` stays inside the refresh and size tolerances, no free slot gets an order, none is cancelled.
   * `positionSize` is the position and `riskMode` the driver's risk mode (the hard limit's `reduce-only` is
   * derived here, as the kernel does); the book is taken to be unknown (candles). Writes `[low, high]` into
   * `out`; NaN when `mid` is not found quiet, or when the quotes can change without the mid (the seconds
   * toxicity guard or pull, the online calibration) or move in ways this does not follow (a model other than
   * `basic`, a fair price off the mid, a driver's `reduce-only`, the exit easing of a widened side): the
   * caller then decides at every mid. A driver that walks the mid in small steps (the sub-bar candle engine)
   * skips the decisions at mids inside the range: they would change nothing.
   *
   * It is a sub-range of the quiet mids, never more: each quantity the decision compares (the snapped
   * prices, the lot sizes, the room under the position limit, the notional) is bounded over `[low, high]` by
   * its values at the ends — each is monotone in the mid, or a monotone function's value times a factor that
   * only moves with the inventory skew, itself monotone in the mid — widened by {@link QUIET_ROUNDING} against
   * rounding, and the order manager's own tests ({@link OrderManager.keeps}) pass at both bounds.
   *
   * @example
   * ```ts
   * const range = { low: Number.NaN, high: Number.NaN };
   * maker.quietMidRange(60_000, 0.004, "allow", kernel.orders, range);
   * range.low <= 60_002 && 60_002 <= range.high; // true: a decision at a mid of 60,002 would change nothing
   * ```
   */
  quietMidRange(
    mid: number,
    positionSize: number,
    riskMode: RiskMode,
    orders: OrderManager,
    out: MidRange,
  ): void {
    out.low = Number.NaN;
    out.high = Number.NaN;
    const config = this.config;
    if (
      !(mid > 0) ||
      this.#timedToxicity !== null ||
      this.#calibrator !== null ||
      this.#sweepPull !== null ||
      this.#fairMoves
    )
      return;
    if (riskMode === "halt" || !this.#volatility.isReady) {
      // No quotes at any mid: quiet while no order rests that the decision would cancel (and, flat, no exit).
      if (positionSize !== 0 || orders.hasOpenOrder()) return;
      out.low = 0;
      out.high = Number.POSITIVE_INFINITY;
      return;
    }
    if (riskMode !== "allow" || config.model !== "basic") return;
    if (
      config.toxicityEaseExit &&
      this.#toxicity !== null &&
      (this.#toxicity.extraBps("buy") !== 0 || this.#toxicity.extraBps("sell") !== 0)
    )
      return;
    // Most often a range is asked for just after an order moved to the quotes of its decision: when the mid
    // has since left that decision's mid by more than the tolerance, the order will move again (no range).
    const tolerance = config.refreshToleranceBps / BPS;
    const away = (tolerance + QUIET_SPAN / 100) * mid;
    for (let level = 0; level < orders.bids.length; level++) {
      const bid = orders.bids[level]!;
      if (bid.state === "open" && Math.abs(mid - bid.referenceMid) > away) return;
      const ask = orders.asks[level]!;
      if (ask.state === "open" && Math.abs(mid - ask.referenceMid) > away) return;
    }
    // Candidate bounds: where each open order's wanted price leaves its tolerance band, with the half spreads
    // as at `mid`, and where its lot size changes; then checked.
    let low = mid * (1 - QUIET_SPAN);
    let high = mid * (1 + QUIET_SPAN);
    const q = positionSize;
    const limitUsd = config.maxPositionUsd * config.hardLimitMultiple;
    if (q !== 0) high = Math.min(high, limitUsd / Math.abs(q));
    const volatilityBps = this.#volatility.volatilityBps ?? 0;
    // As basicQuote computes it.
    const halfSpreadBps = config.baseSpreadBps + config.volMultiplier * volatilityBps;
    // basicQuote refuses a bid at or below 0: keep well away from it.
    if (!((1 + config.inventorySkewFactor) * halfSpreadBps < BPS / 2)) return;
    this.#quietHalfSpreadBps = halfSpreadBps;
    this.#quietExtraBidBps = this.#toxicity === null ? 0 : this.#toxicity.extraBps("buy");
    this.#quietExtraAskBps = this.#toxicity === null ? 0 : this.#toxicity.extraBps("sell");
    const skew = config.inventorySkewFactor * Math.min(1, Math.max(-1, (q * mid) / config.maxPositionUsd));
    const bidFactor = 1 - this.#quietHalfBps(halfSpreadBps * (1 + skew), this.#quietExtraBidBps) / BPS;
    const askFactor = 1 + this.#quietHalfBps(halfSpreadBps * (1 - skew), this.#quietExtraAskBps) / BPS;
    const grid = this.#grid;
    const spacing = config.levelSpacingBps / BPS;
    if (config.sizeDecay === 0) {
      const lots = Math.floor(config.orderSizeUsd / mid / this.#lotStep + 1e-9);
      if (lots > 0) {
        low = Math.max(low, config.orderSizeUsd / ((lots + 1 - 1e-9) * this.#lotStep));
        high = Math.min(high, config.orderSizeUsd / ((lots - 1e-9) * this.#lotStep));
      }
    }
    for (let level = 0; level < orders.bids.length; level++) {
      // The grid prices within the tolerance of an order at p: p ± whole steps (k of them).
      const bid = orders.bids[level]!;
      if (bid.state === "open") {
        const step = grid.stepAt(bid.price);
        const steps = Math.floor((tolerance * bid.price) / step + 1e-9);
        // Bids snap down: x in [p − k·step, p + (k + 1)·step) keeps it.
        const factor = bidFactor * (1 - level * spacing);
        low = Math.max(low, (bid.price - steps * step) / factor);
        high = Math.min(high, (bid.price + (steps + 1 - 1e-6) * step) / factor);
      }
      const ask = orders.asks[level]!;
      if (ask.state === "open") {
        const step = grid.stepAt(ask.price);
        const steps = Math.floor((tolerance * ask.price) / step + 1e-9);
        // Asks snap up: x in (p − (k + 1)·step, p + k·step] keeps it.
        const factor = askFactor * (1 + level * spacing);
        low = Math.max(low, (ask.price - (steps + 1 - 1e-6) * step) / factor);
        high = Math.min(high, (ask.price + steps * step) / factor);
      }
    }
    // The half spreads move a little with the mid through the inventory skew: start a hair inside.
    low += mid * 1e-7;
    high -= mid * 1e-7;
    // An order's band excludes `mid` (by this estimate): the decision will almost surely send something.
    if (!(low <= mid && mid <= high)) return;
    // The estimate is only a candidate: the range is what the check proves.
    if (this.#quietBetween(low, high, q, orders)) {
      out.low = low;
      out.high = high;
    }
  }

  /** A side's half spread after the fee floor and the bars toxicity guard's `extraBps`, from the model's `rawBps`. */
  #quietHalfBps(rawBps: number, extraBps: number): number {
    return Math.max(rawBps, this.#minHalfSpreadBps) + extraBps;
  }

  /**
   * Whether a decision at every mid in `[m1, m2]` (0 < m1 ≤ m2) would do nothing, as
   * {@link MarketMaker.quietMidRange} describes (basic model, fair price at the mid, risk mode `allow`), with
   * the half spread and the guard's widening it set.
   */
  #quietBetween(m1: number, m2: number, q: number, orders: OrderManager): boolean {
    const config = this.config;
    const maxPositionUsd = config.maxPositionUsd;
    // The hard limit stays unreached, so the decision's risk mode stays `allow` (|q·m| grows with m).
    if (!(Math.abs(q * m2) <= maxPositionUsd * config.hardLimitMultiple)) return false;
    const halfSpreadBps = this.#quietHalfSpreadBps;
    // The basic model's skew is monotone in the mid; the half spreads, (1 ± skew) × h floored and widened,
    // are monotone in the skew.
    const ratio1 = Math.min(1, Math.max(-1, (q * m1) / maxPositionUsd));
    const ratio2 = Math.min(1, Math.max(-1, (q * m2) / maxPositionUsd));
    const skewLow = config.inventorySkewFactor * Math.min(ratio1, ratio2);
    const skewHigh = config.inventorySkewFactor * Math.max(ratio1, ratio2);
    const extraBid = this.#quietExtraBidBps;
    const extraAsk = this.#quietExtraAskBps;
    const bidHalfLow = this.#quietHalfBps(halfSpreadBps * (1 + skewLow), extraBid);
    const bidHalfHigh = this.#quietHalfBps(halfSpreadBps * (1 + skewHigh), extraBid);
    const askHalfLow = this.#quietHalfBps(halfSpreadBps * (1 - skewHigh), extraAsk);
    const askHalfHigh = this.#quietHalfBps(halfSpreadBps * (1 - skewLow), extraAsk);
    const bidFactorLow = 1 - bidHalfHigh / BPS;
    const bidFactorHigh = 1 - bidHalfLow / BPS;
    const askFactorLow = 1 + askHalfLow / BPS;
    const askFactorHigh = 1 + askHalfHigh / BPS;
    if (!(bidFactorLow > 0 && askFactorLow > 0)) return false;
    // Lot sizes: the order size in base units falls as the mid rises (so does the decayed one).
    const usd = config.orderSizeUsd;
    const orderLow = this.#lotSize(usd / m2);
    const orderHigh = this.#lotSize(usd / m1);
    let growingLow = orderLow;
    let growingHigh = orderHigh;
    const decay = config.sizeDecay;
    if (decay > 0) {
      const shrink1 = Math.exp(-decay * (Math.abs(q * m1) / maxPositionUsd));
      const shrink2 = Math.exp(-decay * (Math.abs(q * m2) / maxPositionUsd));
      growingLow = this.#lotSize((usd / m2) * shrink2 * (1 - QUIET_ROUNDING));
      growingHigh = this.#lotSize((usd / m1) * shrink1 * (1 + QUIET_ROUNDING));
    }
    const bidSizeLow = q > 0 ? growingLow : orderLow;
    const bidSizeHigh = q > 0 ? growingHigh : orderHigh;
    const askSizeLow = q < 0 ? growingLow : orderLow;
    const askSizeHigh = q < 0 ? growingHigh : orderHigh;
    const positionLow = Math.min(q * m1, q * m2);
    const positionHigh = Math.max(q * m1, q * m2);
    const minNotionalUsd = this.instrument.minNotionalUsd;
    const grid = this.#grid;
    const spacing = config.levelSpacingBps / BPS;
    const low = 1 - QUIET_ROUNDING;
    const high = 1 + QUIET_ROUNDING;
    for (let level = 0; level < orders.bids.length; level++) {
      const orderUsdLow = orderLow * m1;
      const orderUsdHigh = orderHigh * m2;
      const slack =
        QUIET_ROUNDING *
        (maxPositionUsd + Math.abs(positionLow) + Math.abs(positionHigh) + level * orderUsdHigh);
      const bid = orders.bids[level]!;
      if (bid.state === "open" || bid.state === "idle") {
        const levelFactor = 1 - level * spacing;
        if (!(levelFactor > 0)) return false;
        const priceLow = grid.snap(m1 * bidFactorLow * levelFactor * low, "buy");
        const priceHigh = grid.snap(m2 * bidFactorHigh * levelFactor * high, "buy");
        const roomLow = maxPositionUsd - positionHigh - level * orderUsdHigh - slack;
        const roomHigh = maxPositionUsd - positionLow - level * orderUsdLow + slack;
        if (bid.state === "open") {
          if (!(roomLow > 0 && bidSizeLow > 0 && priceLow > 0 && bidSizeLow * priceLow >= minNotionalUsd))
            return false;
          if (bidSizeLow !== bidSizeHigh) return false;
          if (!orders.keeps(bid, priceLow, bidSizeLow) || !orders.keeps(bid, priceHigh, bidSizeLow))
            return false;
        } else if (
          !(
            roomHigh <= 0 ||
            !(bidSizeHigh > 0) ||
            !(priceHigh > 0) ||
            bidSizeHigh * priceHigh < minNotionalUsd
          )
        )
          return false;
      }
      const ask = orders.asks[level]!;
      if (ask.state === "open" || ask.state === "idle") {
        const levelFactor = 1 + level * spacing;
        const priceLow = grid.snap(m1 * askFactorLow * levelFactor * low, "sell");
        const priceHigh = grid.snap(m2 * askFactorHigh * levelFactor * high, "sell");
        const roomLow = maxPositionUsd + positionLow - level * orderUsdHigh - slack;
        const roomHigh = maxPositionUsd + positionHigh - level * orderUsdLow + slack;
        if (ask.state === "open") {
          if (!(roomLow > 0 && askSizeLow > 0 && askSizeLow * priceLow >= minNotionalUsd)) return false;
          if (askSizeLow !== askSizeHigh) return false;
          if (!orders.keeps(ask, priceLow, askSizeLow) || !orders.keeps(ask, priceHigh, askSizeLow))
            return false;
        } else if (!(roomHigh <= 0 || !(askSizeHigh > 0) || askSizeHigh * priceHigh < minNotionalUsd))
          return false;
      }
    }
    return true;
  }

  #lotSize(size: number): number {
    if (!(size > 0)) return 0;
    return Math.floor(size / this.#lotStep + 1e-9) * this.#lotStep;
  }
}

/** A range of mids, `[low, high]` (NaN: none); see {@link MarketMaker.quietMidRange}. */
export interface MidRange {
  low: number;
  high: number;
}

/** How far a quiet mid range reaches from the mid at most, as a fraction of it. */
const QUIET_SPAN = 0.01;
/**
 * Relative allowance for the rounding of the decision's arithmetic in the quiet range's bounds: the prices and
 * sizes it bounds carry errors of a few 1e-16 relative; 1e-9 is far beyond them and far below a price tick.
 */
const QUIET_ROUNDING = 1e-9;
