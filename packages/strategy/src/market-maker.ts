import { type Instrument, lotStepOf, PriceGrid, type Side } from "@botmm/core";
import { asFiniteHorizonQuote, basicQuote, EwmaVolatility, glftQuote, minHalfSpreadBps } from "@botmm/quoter";
import { biasShiftPrice, DirectionalBias } from "@botmm/signals";
import type { StrategyConfig } from "./config.ts";
import { clearQuoteSet, type QuoteSet } from "./quote-set.ts";
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
}

/** Details of the last decision (one object, reused). */
export interface QuoteDecision {
  status: QuoteStatus;
  /** The mid after the directional bias shift. */
  fairPrice: number;
  /** Per-bar volatility of log returns, in bps. */
  volatilityBps: number;
  /** Directional bias in [−1, 1] (0 when off or warming up). */
  bias: number;
  /** Distance of the best bid / ask from the fair price, in bps, after fee floor and toxicity widening. */
  bidHalfSpreadBps: number;
  askHalfSpreadBps: number;
}

const BPS = 10_000;
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
  readonly decision: QuoteDecision = {
    status: "warming-up",
    fairPrice: 0,
    volatilityBps: 0,
    bias: 0,
    bidHalfSpreadBps: 0,
    askHalfSpreadBps: 0,
  };
  readonly #volatility: EwmaVolatility;
  #bias: DirectionalBias | null = null;
  readonly #toxicity: ToxicityGuard | null;
  readonly #lotStep: number;
  readonly #grid: PriceGrid;
  readonly #minHalfSpreadBps: number;
  #lastClose = Number.NaN;
  // Reused inputs of the quote models: one allocation per MarketMaker, not per quote.
  readonly #basicInput = { midPrice: 0, volatilityBps: 0, inventoryUsd: 0 };
  readonly #basicQuote = { reservationPrice: 0, halfSpreadBps: 0, bidPrice: 0, askPrice: 0 };
  readonly #basicParams: {
    baseSpreadBps: number;
    volMultiplier: number;
    inventorySkewFactor: number;
    maxPositionUsd: number;
  };
  readonly #asInput = {
    midPrice: MID_IN_BPS,
    inventory: 0,
    riskAversion: 0,
    priceVolatility: 0,
    timeToHorizon: 0,
    intensityDecay: 0,
  };
  readonly #glftInput = {
    midPrice: MID_IN_BPS,
    inventory: 0,
    riskAversion: 0,
    priceVolatility: 0,
    intensityScale: 0,
    intensityDecay: 0,
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
    this.#toxicity = config.toxicityGuard
      ? new ToxicityGuard({
          horizonBars: config.toxicityHorizonBars,
          fills: config.toxicityFills,
          thresholdBps: config.toxicityThresholdBps,
          recoveryBars: config.toxicityRecoveryBars,
        })
      : null;
    this.#lotStep = lotStepOf(instrument);
    this.#grid = new PriceGrid(instrument.priceRule);
    this.#basicParams = {
      baseSpreadBps: config.baseSpreadBps,
      volMultiplier: config.volMultiplier,
      inventorySkewFactor: config.inventorySkewFactor,
      maxPositionUsd: config.maxPositionUsd,
    };
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
  }

  /** The smallest half spread the fee floor allows, in bps (0 when the fee-aware gate is off). */
  get minHalfSpreadBps(): number {
    return this.#minHalfSpreadBps;
  }

  /** Bars seen so far. */
  get barsSeen(): number {
    return this.#volatility.count;
  }

  /** Feeds one closed bar's close. Call once per bar, in time order, after the bar has closed. */
  onBar(close: number): void {
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
  onOwnFill(side: Side, price: number): void {
    this.#toxicity?.onFill(side, price);
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
    decision.volatilityBps = this.#volatility.volatilityBps ?? 0;
    decision.bias = this.#bias?.isReady ? this.#bias.bias : 0;
    decision.fairPrice = mid;
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
    const fair =
      decision.bias === 0
        ? mid
        : mid + biasShiftPrice(decision.bias, config.biasStrength, (mid * volatilityBps) / BPS);
    decision.fairPrice = fair;
    const positionUsd = input.positionSize * mid;

    let bid: number;
    let ask: number;
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
      let quote: { bidPrice: number; askPrice: number };
      if (config.model === "as") {
        this.#asInput.inventory = inventoryInOrders;
        this.#asInput.priceVolatility = volatilityBps;
        quote = asFiniteHorizonQuote(this.#asInput);
      } else {
        this.#glftInput.inventory = inventoryInOrders;
        this.#glftInput.priceVolatility = volatilityBps;
        quote = glftQuote(this.#glftInput);
      }
      bid = (fair * quote.bidPrice) / MID_IN_BPS;
      ask = (fair * quote.askPrice) / MID_IN_BPS;
    }

    // Fee floor and toxicity widening, each side measured from the fair price.
    let bidHalfBps = ((fair - bid) / fair) * BPS;
    let askHalfBps = ((ask - fair) / fair) * BPS;
    if (bidHalfBps < this.#minHalfSpreadBps) bidHalfBps = this.#minHalfSpreadBps;
    if (askHalfBps < this.#minHalfSpreadBps) askHalfBps = this.#minHalfSpreadBps;
    if (this.#toxicity !== null) {
      bidHalfBps += this.#toxicity.extraBps("buy");
      askHalfBps += this.#toxicity.extraBps("sell");
    }
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
      if (bidRoom > 0 && bestBid > 0) {
        const size = reduceOnly
          ? Math.min(orderSize, this.#lotSize(-input.positionSize - level * orderSize))
          : orderSize;
        const price = grid.snap(bestBid * (1 - level * levelSpacing), "buy");
        if (size > 0 && price > 0 && size * price >= this.instrument.minNotionalUsd) {
          out.bidPrices[level] = price;
          out.bidSizes[level] = size;
        }
      }
      const askRoom = reduceOnly
        ? positionUsd - level * orderUsd
        : maxPositionUsd + positionUsd - level * orderUsd;
      if (askRoom > 0) {
        const size = reduceOnly
          ? Math.min(orderSize, this.#lotSize(input.positionSize - level * orderSize))
          : orderSize;
        const price = grid.snap(bestAsk * (1 + level * levelSpacing), "sell");
        if (size > 0 && size * price >= this.instrument.minNotionalUsd) {
          out.askPrices[level] = price;
          out.askSizes[level] = size;
        }
      }
    }
    return decision;
  }

  #lotSize(size: number): number {
    if (!(size > 0)) return 0;
    return Math.floor(size / this.#lotStep + 1e-9) * this.#lotStep;
  }
}
