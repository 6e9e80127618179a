import type { Instrument, Level, Liquidity, Side } from "@botmm/core";
import type { Inventory } from "@botmm/inventory";
import type { Ohlc } from "@botmm/quoter";
import { TradeFlow } from "./book-signals.ts";
import type { StrategyConfig } from "./config.ts";
import {
  MarketMaker,
  type MidRange,
  type QuoteDecision,
  type QuoteInput,
  type RiskMode,
} from "./market-maker.ts";
import { MARKOUT_HORIZONS_MS, MarkoutTracker } from "./markouts.ts";
import {
  type ModifyPacer,
  type OrderActionSink,
  OrderManager,
  type ReconcileCounts,
} from "./order-manager.ts";
import { PnlLedger } from "./pnl-ledger.ts";
import { createQuoteSet, type QuoteSet } from "./quote-set.ts";

/**
 * One book level: `@botmm/core`'s `{ price, size }`, or an array whose first two entries are the price and the
 * size, as the replay readers keep them (`[price, size, orders]`).
 */
export type BookLevel = Level | readonly number[];

const priceOf = (level: BookLevel): number => ("price" in level ? level.price : (level[0] ?? Number.NaN));
const sizeOf = (level: BookLevel): number => ("size" in level ? level.size : (level[1] ?? Number.NaN));

/** What the risk engine is told about a coin: the inputs of its decision, read from the kernel. */
export interface RiskInputs {
  timeMs: number;
  /** Total PnL so far (USD), marked at `markPrice`. */
  equityUsd: number;
  /** Signed position in base units and the price it is marked at. */
  positionSize: number;
  markPrice: number;
  /** Per-bar volatility of log returns, in bps. */
  volatilityBps: number;
}

/** The PnL split every driver reports, USD. `total = spread + inventory − fees + funding`. */
export interface PnlSplit {
  totalUsd: number;
  /** Σ side × (the mid each fill's order was priced from − fill price) × size. */
  spreadUsd: number;
  /** Mark-to-market of the position, from each fill's reference mid onwards. */
  inventoryUsd: number;
  /** Net fees paid (negative = rebates earned). */
  feesUsd: number;
  fundingUsd: number;
}

/** What happened while the risk engine halted quoting. */
export interface HaltAccounting {
  /** Times quoting was halted (transitions into `halt`). */
  halts: number;
  /** PnL earned or lost while halted (marks of the position carried, the flattening exit, funding), USD. */
  whileHaltedUsd: number;
  /** The largest |position| carried while halted, USD at the mark. */
  maxPositionWhileHaltedUsd: number;
}

/** Options of a {@link CoinKernel} beyond the strategy. */
export interface CoinKernelOptions {
  /** The first client id the order manager hands out (a restarted bot continues past its journal). */
  firstClientId?: number;
  /**
   * The position ledger to continue (a restarted live bot restores it from its journal with
   * `Inventory.fromSnapshot`); restore `ledger.spreadUsd`, `ledger.inventoryUsd` and the last mark with it.
   */
  inventory?: Inventory;
}

/**
 * The kernel's reused {@link QuoteInput}. A class rather than an object literal: literals with the same keys share
 * one hidden class across the process, so one made elsewhere with integer fields would make these fields boxed
 * again. midPrice, positionSize, tradeFlow and fundingRate start at −0 and are set to 0 at once: a field whose
 * first value is a small integer holds every later number as a new heap object, one whose first value is a
 * double is updated in place.
 */
class DecisionInput implements QuoteInput {
  midPrice = -0;
  positionSize = -0;
  riskMode: RiskMode = "allow";
  marketBid = Number.NaN;
  marketAsk = Number.NaN;
  timeMs = Number.NaN;
  bidSize = Number.NaN;
  askSize = Number.NaN;
  bidDepth = Number.NaN;
  askDepth = Number.NaN;
  tradeFlow = -0;
  fundingRate = -0;

  constructor() {
    this.midPrice = 0;
    this.positionSize = 0;
    this.tradeFlow = 0;
    this.fundingRate = 0;
  }
}

/**
 * Everything one coin's trading decision and its accounting need, in one place, so the candle engine, the
 * order-book replay, paper mode and the live bot run the same code and report the same numbers. A driver only
 * moves market events in (`mark`, `setBook`, `onBarClose`, `applyFunding`), venue answers in (`bookFill` and
 * the order manager's acks) and executes what the kernel decides (`decide` → an {@link OrderActionSink};
 * `exitSize` → one reduce-only taker order).
 *
 * It owns:
 * - the {@link MarketMaker} (quotes), the {@link OrderManager} (working orders by client id) and the
 *   {@link PnlLedger} (the one definition of the PnL split: each fill against the mid its order was priced
 *   from, the position marked from mark to mark, fees, funding);
 * - the risk mode the driver's risk engine set, and what it implies: reduce-only quotes beyond the hard limit,
 *   and on a halt, with `onHalt: "flatten"`, an exit of the whole position (`hold` keeps it);
 * - the halt accounting the reports show.
 *
 * @example
 * ```ts
 * const kernel = new CoinKernel(parseStrategyConfig(), btc);
 * for (const close of closes) { kernel.mark(close); kernel.onBarClose(close); }
 * kernel.decide(now, sink); // place / modify / cancel through the driver's sink
 * kernel.bookFill(7, "buy", 59_990, 0.001, "maker", now); // a fill of order 7
 * kernel.pnl().totalUsd;
 * ```
 */
export class CoinKernel {
  readonly coin: string;
  readonly config: StrategyConfig;
  readonly instrument: Instrument;
  readonly maker: MarketMaker;
  readonly orders: OrderManager;
  readonly ledger: PnlLedger;
  /** The quotes of the last decision (reused). */
  readonly quotes: QuoteSet;
  readonly #input: QuoteInput = new DecisionInput();
  /** Mark-outs of own fills at 1 s, 5 s, 30 s and 60 s on the mids given to {@link CoinKernel.markAt}. */
  readonly markouts: MarkoutTracker = new MarkoutTracker(MARKOUT_HORIZONS_MS);
  readonly #tradeFlow: TradeFlow;
  /** Whether the trade-flow imbalance moves quotes (`tradeFlowShiftBps` > 0): otherwise it is not computed. */
  readonly #tradeFlowShifts: boolean;
  #timeMs = Number.NaN;
  /** What {@link CoinKernel.riskInputs} returns: accessors over {@link #riskValues}. */
  readonly #riskInputs: RiskInputs;
  /**
   * The risk inputs' numbers (time, equity, position, mark, volatility): a typed array because they change at
   * every bar, stored in place (as a field would be only if its first value were a double).
   */
  readonly #riskValues = new Float64Array(5);
  readonly #pnl: PnlSplit = { totalUsd: 0, spreadUsd: 0, inventoryUsd: 0, feesUsd: 0, fundingUsd: 0 };
  readonly #halt: HaltAccounting = { halts: 0, whileHaltedUsd: 0, maxPositionWhileHaltedUsd: 0 };
  #mark = Number.NaN;
  #riskMode: RiskMode = "allow";
  #equityAtHaltUsd = 0;
  #lastFillReferenceMid = Number.NaN;

  constructor(config: StrategyConfig, instrument: Instrument, options: CoinKernelOptions = {}) {
    this.coin = instrument.coin;
    this.config = config;
    this.instrument = instrument;
    this.maker = new MarketMaker(config, instrument);
    this.orders = OrderManager.forStrategy(
      config,
      options.firstClientId === undefined ? {} : { firstClientId: options.firstClientId },
    );
    this.ledger = PnlLedger.forStrategy(instrument.coin, config, options.inventory);
    this.quotes = createQuoteSet(config.levels);
    this.#tradeFlow = new TradeFlow(config.tradeFlowWindowMs);
    this.#tradeFlowShifts = config.tradeFlowShiftBps > 0;
    this.#riskInputs = new RiskInputValues(this.#riskValues);
  }

  /** The price the position is marked at now (NaN before the first mark). */
  get markPrice(): number {
    return this.#mark;
  }

  /** Signed position, base units. */
  get positionSize(): number {
    return this.ledger.inventory.size;
  }

  /** The risk mode last set by the driver's risk engine. */
  get riskMode(): RiskMode {
    return this.#riskMode;
  }

  /**
   * The market moved to `price` (a mid or a close): the position held is marked from the previous mark to it.
   * Fills booked afterwards are marked at `price`.
   *
   * @example
   * ```ts
   * kernel.mark(60_010);
   * ```
   */
  mark(price: number): void {
    if (!(price > 0)) return;
    if (this.#mark > 0) this.ledger.markHeld(this.#mark, price);
    this.#mark = price;
    if (this.#riskMode === "halt") this.#notePositionWhileHalted();
  }

  /**
   * The market's mid is `price` from `timeMs` on: {@link CoinKernel.mark}, plus what needs the time — the
   * mark-outs of own fills at 1 s … 60 s, the seconds toxicity guard and the online calibration's σ. Drivers
   * with timestamps (replay, paper, live; the candle engine at each bar's close) call this instead of `mark`.
   *
   * @example
   * ```ts
   * kernel.markAt(60_010, 1_700_000_000_000);
   * ```
   */
  markAt(price: number, timeMs: number): void {
    this.mark(price);
    if (!(price > 0) || !Number.isFinite(timeMs)) return;
    this.#timeMs = timeMs;
    this.markouts.onMid(price, timeMs);
    if (this.maker.readsMids) this.maker.onMid(price, timeMs);
  }

  /**
   * The best bid and ask now (NaN when unknown, as on candles): quotes never cross them. With the sizes at
   * them, the `microprice` fair price can be computed (the top-N depth is taken to be the top level's; use
   * {@link CoinKernel.setBookLevels} for more levels).
   *
   * @example
   * ```ts
   * kernel.setBook(60_000, 60_001);
   * kernel.setBook(60_000, 60_001, 2.5, 0.4); // sizes in base units
   * ```
   */
  setBook(bestBid: number, bestAsk: number, bidSize = Number.NaN, askSize = Number.NaN): void {
    const input = this.#input;
    input.marketBid = bestBid;
    input.marketAsk = bestAsk;
    input.bidSize = bidSize;
    input.askSize = askSize;
    input.bidDepth = bidSize;
    input.askDepth = askSize;
  }

  /**
   * The book's levels now, best first on each side (`L2Book.bids` / `.asks` of `@botmm/core`, or the replay's
   * `[price, size]` tuples): sets the best bid
   * and ask with their sizes, and the sizes summed over the top `imbalanceLevels` levels for the `imbalance`
   * fair price and the imbalance skip. An empty side is unknown (NaN).
   *
   * @example
   * ```ts
   * kernel.setBookLevels(
   *   [{ price: 60_000, size: 1.2 }, { price: 59_999, size: 3 }],
   *   [{ price: 60_001, size: 0.3 }, { price: 60_002, size: 0.8 }],
   * );
   * kernel.setBookLevels([[60_000, 1.2]], [[60_001, 0.3]]); // tuples work too
   * ```
   */
  setBookLevels(bids: readonly BookLevel[], asks: readonly BookLevel[]): void {
    const input = this.#input;
    const n = this.config.imbalanceLevels;
    input.marketBid = bids.length === 0 ? Number.NaN : priceOf(bids[0]!);
    input.marketAsk = asks.length === 0 ? Number.NaN : priceOf(asks[0]!);
    input.bidSize = bids.length === 0 ? Number.NaN : sizeOf(bids[0]!);
    input.askSize = asks.length === 0 ? Number.NaN : sizeOf(asks[0]!);
    let bidDepth = 0;
    for (let i = 0; i < n && i < bids.length; i++) bidDepth += sizeOf(bids[i]!);
    let askDepth = 0;
    for (let i = 0; i < n && i < asks.length; i++) askDepth += sizeOf(asks[i]!);
    input.bidDepth = bids.length > 0 ? bidDepth : Number.NaN;
    input.askDepth = asks.length > 0 ? askDepth : Number.NaN;
  }

  /**
   * A trade in the market (anyone's) at `timeMs`: `side` is the aggressor's (`buy` lifted an ask), `size` in
   * base units. Feeds the trade-flow imbalance and, with `price`, the online A, k fit and the sweep pull (the
   * trade's distance from the current mark, the mid it swept).
   *
   * @example
   * ```ts
   * kernel.onTrade("buy", 0.25, 1_700_000_000_050, 60_001);
   * ```
   */
  onTrade(side: Side, size: number, timeMs: number, price = Number.NaN): void {
    this.#tradeFlow.onTrade(side, size, timeMs);
    if (price > 0) this.maker.onMarketTrade(side, price, timeMs, this.#mark);
  }

  /**
   * The funding rate now, per period (longs pay when positive), for the funding skew (`fundingSkewBps`). Does
   * not charge anything: payments go through {@link CoinKernel.applyFunding}.
   *
   * @example
   * ```ts
   * kernel.setFundingRate(0.0000125); // Hyperliquid's hourly baseline: with fundingSkewBps quotes lean short
   * ```
   */
  setFundingRate(rate: number): void {
    this.#input.fundingRate = Number.isFinite(rate) ? rate : 0;
  }

  /**
   * A bar closed at `close`: the strategy's volatility, bias and toxicity guard move on. With the bar's OHLC
   * the online calibration uses its range (Garman–Klass); its close time (default: the last `markAt` time)
   * teaches the calibration the bar length.
   *
   * @example
   * ```ts
   * const close = bars.roll(now);
   * if (close > 0) kernel.onBarClose(close);
   * kernel.onBarClose(bar.close, bar, bar.closeTimeMs); // candles: { open, high, low, close }
   * ```
   */
  onBarClose(close: number, bar: Ohlc | null = null, timeMs = this.#timeMs): void {
    this.maker.onBar(close, bar, timeMs);
  }

  /**
   * Sets the risk engine's decision. Entering `halt` starts the halt accounting; leaving it ends it.
   *
   * @example
   * ```ts
   * kernel.setRiskMode(riskEngine.decide(kernel.riskInputs(now)));
   * ```
   */
  setRiskMode(mode: RiskMode): void {
    if (mode === this.#riskMode) return;
    if (mode === "halt") {
      this.#halt.halts++;
      this.#equityAtHaltUsd = this.#equityUsd();
      this.#notePositionWhileHalted();
    } else if (this.#riskMode === "halt") {
      this.#halt.whileHaltedUsd += this.#equityUsd() - this.#equityAtHaltUsd;
    }
    this.#riskMode = mode;
  }

  /**
   * The inputs of the risk engine's decision at `timeMs` (one object, reused).
   *
   * @example
   * ```ts
   * const inputs = kernel.riskInputs(now); // { equityUsd, positionSize, markPrice, volatilityBps, timeMs }
   * ```
   */
  riskInputs(timeMs: number): RiskInputs {
    const values = this.#riskValues;
    values[0] = timeMs;
    values[1] = this.#equityUsd();
    values[2] = this.ledger.inventory.size;
    values[3] = this.#mark;
    values[4] = this.maker.decision.volatilityBps;
    return this.#riskInputs;
  }

  /**
   * The risk mode quotes are decided under: the risk engine's, tightened to `reduce-only` while the position
   * is beyond the hard limit (until the exit has brought it back).
   *
   * @example
   * ```ts
   * kernel.effectiveRiskMode(); // "reduce-only" while a $900 long exceeds a $750 hard limit
   * ```
   */
  effectiveRiskMode(): RiskMode {
    const mode = this.#riskMode;
    if (mode === "allow" && this.maker.hardLimitExitSize(this.ledger.inventory.size, this.#mark) !== 0)
      return "reduce-only";
    return mode;
  }

  /**
   * Decides the wanted quotes at the current mark and book and reconciles them with the working orders:
   * the driver's `sink` receives the places, modifies and cancels. `pacer` may hold back modifies that only
   * chase the market. Returns the counts (reused object); the decision is in {@link CoinKernel.decision}.
   *
   * @example
   * ```ts
   * const counts = kernel.decide(now, sink, requestBudget);
   * counts.placed + counts.modified + counts.cancelled; // requests to send
   * ```
   */
  decide(timeMs: number, sink: OrderActionSink, pacer?: ModifyPacer): ReconcileCounts {
    const input = this.#input;
    input.midPrice = this.#mark;
    input.positionSize = this.ledger.inventory.size;
    input.riskMode = this.effectiveRiskMode();
    input.timeMs = timeMs;
    input.tradeFlow = this.#tradeFlowShifts ? this.#tradeFlow.imbalance(timeMs) : 0;
    this.maker.computeQuotes(input, this.quotes);
    return this.orders.reconcile(this.quotes, timeMs, sink, pacer);
  }

  /** The risk mode the last {@link CoinKernel.decide} quoted under. */
  get decidedRiskMode(): RiskMode {
    return this.#input.riskMode;
  }

  /**
   * Details of the last decision: status, fair price and book imbalance, volatility, half spreads, the σ, A, k
   * the model used and their sources, and the sides pulled.
   */
  get decision(): QuoteDecision {
    return this.maker.decision;
  }

  /**
   * The signed size (+ buy, − sell) of the reduce-only taker order the position needs now, or 0: the whole
   * position while halted with `onHalt: "flatten"`, else (also while halted with `hold`) the cut back to the
   * soft limit when beyond the hard limit. The driver executes it (simulated or on the venue) and books its fill with {@link CoinKernel.bookFill}.
   *
   * @example
   * ```ts
   * const size = kernel.exitSize(); // e.g. −0.0116 BTC
   * if (size !== 0) venue.placeTaker(size);
   * ```
   */
  exitSize(): number {
    const position = this.ledger.inventory.size;
    if (position === 0 || !(this.#mark > 0)) return 0;
    if (this.#riskMode === "halt" && this.config.onHalt === "flatten") return -position;
    return this.maker.hardLimitExitSize(position, this.#mark);
  }

  /**
   * Books an own fill: the PnL ledger (spread against the mid the order was priced from), the order manager and
   * the toxicity guard. Returns the fee (USD, signed as a cost). `clientId` 0 = not a quote order (a taker
   * exit, an orphan of an earlier run): its spread is measured from `exitReferenceMid`, the mid the driver
   * priced it from, or the current mark when not given. `feeUsd`: the fee the venue charged (live), else the
   * strategy's rate.
   *
   * @example
   * ```ts
   * const feeUsd = kernel.bookFill(7, "sell", 60_012, 0.001, "maker", now);
   * ```
   */
  bookFill(
    clientId: number,
    side: Side,
    price: number,
    size: number,
    liquidity: Liquidity,
    timeMs: number,
    exitReferenceMid = Number.NaN,
    feeUsd = Number.NaN,
  ): number {
    const mark = this.#mark > 0 ? this.#mark : price;
    let referenceMid = clientId > 0 ? this.orders.referenceMidOf(clientId) : exitReferenceMid;
    if (!(referenceMid > 0)) referenceMid = mark;
    const chargedUsd = this.ledger.recordFill(
      side,
      price,
      size,
      liquidity,
      referenceMid,
      mark,
      timeMs,
      feeUsd,
    );
    if (clientId > 0) this.orders.onFill(clientId, size);
    if (liquidity === "maker") {
      this.maker.onOwnFill(side, price, timeMs);
      this.markouts.onFill(side, price, timeMs);
    }
    if (this.#riskMode === "halt") this.#notePositionWhileHalted();
    this.#lastFillReferenceMid = referenceMid;
    return chargedUsd;
  }

  /** The mid the last booked fill's spread was measured against. */
  get lastFillReferenceMid(): number {
    return this.#lastFillReferenceMid;
  }

  /**
   * Charges one funding payment at `rate` (per period, longs pay when positive) on the position valued at
   * `markPrice` (default: the current mark). Returns the payment (USD, positive = received).
   *
   * @example
   * ```ts
   * kernel.applyFunding(0.0000125); // a long of $1,000 pays $0.0125
   * ```
   */
  applyFunding(rate: number, markPrice = this.#mark): number {
    if (this.ledger.inventory.size === 0 || !(markPrice > 0)) return 0;
    return this.ledger.inventory.applyFunding(rate, markPrice);
  }

  /**
   * The PnL split now, marked at the current mark (one object, reused).
   *
   * @example
   * ```ts
   * const { totalUsd, spreadUsd, inventoryUsd, feesUsd, fundingUsd } = kernel.pnl();
   * ```
   */
  pnl(): PnlSplit {
    const pnl = this.#pnl;
    const inventory = this.ledger.inventory;
    pnl.spreadUsd = this.ledger.spreadUsd;
    pnl.inventoryUsd = this.ledger.inventoryUsd;
    pnl.feesUsd = inventory.netFeesUsd;
    pnl.fundingUsd = inventory.fundingPnlUsd;
    pnl.totalUsd = pnl.spreadUsd + pnl.inventoryUsd - pnl.feesUsd + pnl.fundingUsd;
    return pnl;
  }

  /**
   * What happened while halted, including a halt still running (a copy).
   *
   * @example
   * ```ts
   * kernel.haltAccounting().whileHaltedUsd; // e.g. −41.2: the held long lost while quoting was halted
   * ```
   */
  haltAccounting(): HaltAccounting {
    const halt = { ...this.#halt };
    if (this.#riskMode === "halt") halt.whileHaltedUsd += this.#equityUsd() - this.#equityAtHaltUsd;
    return halt;
  }

  /**
   * The mids at which {@link CoinKernel.decide}, everything but the mark being as now, would send nothing, and
   * {@link CoinKernel.exitSize} is 0: {@link MarketMaker.quietMidRange} at the current mark, position and risk
   * mode (NaN while a book is known: the quotes then also follow the book). A driver that walks the mark in
   * small steps may skip the decisions and exit checks at marks inside `[out.low, out.high]`: they would change
   * nothing, so the run's results are the same.
   *
   * @example
   * ```ts
   * const quiet = { low: Number.NaN, high: Number.NaN };
   * kernel.quietMidRange(quiet);
   * kernel.markAt(price, now);
   * if (!(price >= quiet.low && price <= quiet.high)) kernel.decide(now, sink);
   * ```
   */
  quietMidRange(out: MidRange): void {
    const input = this.#input;
    if (input.marketBid > 0 || input.marketAsk > 0 || this.#tradeFlowShifts) {
      out.low = Number.NaN;
      out.high = Number.NaN;
      return;
    }
    this.maker.quietMidRange(this.#mark, this.ledger.inventory.size, this.#riskMode, this.orders, out);
  }

  #equityUsd(): number {
    const ledger = this.ledger;
    const inventory = ledger.inventory;
    return ledger.spreadUsd + ledger.inventoryUsd - inventory.netFeesUsd + inventory.fundingPnlUsd;
  }

  #notePositionWhileHalted(): void {
    const positionUsd = Math.abs(this.ledger.inventory.size * this.#mark);
    if (positionUsd > this.#halt.maxPositionWhileHaltedUsd)
      this.#halt.maxPositionWhileHaltedUsd = positionUsd;
  }
}

/** {@link RiskInputs} read from a typed array (time, equity, position, mark, volatility). */
class RiskInputValues implements RiskInputs {
  readonly #values: Float64Array;
  constructor(values: Float64Array) {
    this.#values = values;
  }
  get timeMs(): number {
    return this.#values[0]!;
  }
  get equityUsd(): number {
    return this.#values[1]!;
  }
  get positionSize(): number {
    return this.#values[2]!;
  }
  get markPrice(): number {
    return this.#values[3]!;
  }
  get volatilityBps(): number {
    return this.#values[4]!;
  }
}
