import { lotStepOf, type Side } from "@botmm/core";
import type { Inventory } from "@botmm/inventory";
import { OrderQueue, postOnlyCrosses, type QueueFill, type QueueTrade } from "@botmm/sim-exchange";
import { CoinKernel, type OrderActionSink, type QuoteStatus, type WorkingOrder } from "@botmm/strategy";
import type { CandleColumns } from "../candle-columns.ts";
import { DEFAULT_SIMULATION } from "../defaults.ts";
import type { BacktestRun, FillRecord } from "../engine.ts";
import { FundingCursor } from "../funding.ts";
import { aggregateMarkouts } from "../metrics.ts";
import { ArrayLevelView } from "./books.ts";
import {
  DEFAULT_REPLAY,
  parseReplaySimulation,
  type QueueModel,
  type ReplayOptions,
  type ReplayRequestBudget,
} from "./options.ts";
import type { BookEvent, LevelView, MarketEvent, RecordedTrade } from "./types.ts";

/** How an own fill came about. */
export type FillSource = "trade" | "trade-through" | "book-cross" | "taker-exit";

/** A fill of the replay ledger: the candle engine's record plus how it was inferred. */
export interface ReplayFillRecord extends FillRecord {
  source: FillSource;
}

/** A stretch of time without data. `recorded` gaps come from the file; `detected` ones from silence. */
export interface DataGap {
  fromMs: number;
  toMs: number;
  reason: string;
  source: "recorded" | "detected";
}

/** Queue statistics of a replay. */
export interface QueueStats {
  model: QueueModel;
  /** Orders that reached the venue and rested (after latency, not rejected). */
  ordersRested: number;
  /** Of those, how many received at least one fill. */
  ordersFilled: number;
  /** `ordersFilled / ordersRested` (0 when none rested). */
  shareOfQuotesFilled: number;
  /** From an order starting to rest to its first fill, ms: median and 90th percentile (null when none). */
  timeToFillMs: { median: number | null; p90: number | null; count: number };
  /** Share of the data's time (gaps excluded) with at least one own bid / ask / both / either resting. */
  shareOfTimeQuoted: { bid: number; ask: number; both: number; any: number };
}

/** Mid move after fills at fixed times, signed so that negative = the market moved against the fill. */
export interface TimeMarkouts {
  horizonsMs: number[];
  /** Size-weighted mean mark-out of buys / sells / all fills per horizon, in bps of the fill price. */
  buyBps: (number | null)[];
  sellBps: (number | null)[];
  allBps: (number | null)[];
  /** Sum of size × signed mid move per horizon, USD. */
  totalUsd: number[];
}

/** The σ, A, k the quote model used at the end of a replay (the last decision's), and where they came from. */
export interface ReplayCalibration {
  /** Per-bar volatility of log returns, bps. */
  sigmaBps: number;
  /** A: fills per bar at the mid. */
  intensityScalePerBar: number;
  /** k: decay of the fill intensity per bp from the mid. */
  intensityDecayPerBps: number;
  sigmaSource: string;
  intensitySource: string;
  /**
   * Mean distance of the best bid / ask from the fair price over the decisions that quoted that side, and the
   * market's half spread at the same decisions (over every decision that had a book), bps of the mid: the
   * model's quotes next to the market they quote into. NaN: no such decision.
   */
  meanBidHalfSpreadBps: number;
  meanAskHalfSpreadBps: number;
  meanMarketHalfSpreadBps: number;
}

/** Counts of what the replay read. */
export interface ReplayEventCounts {
  books: number;
  tradeMessages: number;
  trades: number;
  /** Trades of the venue's subscription snapshots, skipped. */
  snapshotTradesSkipped: number;
  gaps: number;
  /** Events of coins other than the instrument's, skipped. */
  otherCoin: number;
}

/** The outcome of a replay: a candle-compatible {@link BacktestRun} over 1-minute bars, plus replay detail. */
export interface ReplayRun extends BacktestRun {
  coin: string;
  fills: ReplayFillRecord[];
  /** The 1-minute mid candles the bars are (volume: traded size from the trades). Aligned with the bars. */
  candles: CandleColumns;
  /** First and last event time (local ms); NaN when no book was seen. */
  startMs: number;
  endMs: number;
  /** Time covered minus gaps, ms. */
  activeMs: number;
  events: ReplayEventCounts;
  /** `trades` when the data had trades; `book-changes` when fills could only be inferred from the book. */
  fillInference: "trades" | "book-changes";
  fillsBySource: Record<FillSource, number>;
  gaps: DataGap[];
  gapMs: number;
  queue: QueueStats;
  markouts: TimeMarkouts;
  /** The strategy's mark-outs of own maker fills, bps, keyed `"1s"`, `"5s"`, `"30s"`, `"60s"` (NaN: none reached it). */
  markoutsBps: Record<string, number>;
  calibration: ReplayCalibration;
  latencyMs: number;
  requoteIntervalMs: number;
  /** How far through the best opposite price the taker exit's limit was, bps. */
  exitSlippageBps: number;
  seed: number;
  /** What the request budget saw, or null when the replay ran without one (every modify sent). */
  requestBudget: ReplayBudgetStats | null;
}

/** The request budget's side of a replay. */
export interface ReplayBudgetStats {
  /** Order actions sent (each order of a place, modify or cancel counts 1, the taker exit too). */
  requestsSent: number;
  /** Modifies that only chased the market and were held back by pacing. */
  deferredModifies: number;
  /** The address budget left at the end of the replay. */
  addressRemainingAtEnd: number;
}

/** Mark-out horizons of a replay, ms after the fill. */
export const MARKOUT_HORIZONS_MS = [1_000, 10_000, 60_000] as const;

const HOUR_MS = 3_600_000;
/** A taker exit is sent at most this often while the kernel still asks for one (the live order router's). */
const EXIT_RETRY_MS = 5_000;
const PLACE = 1;
const MODIFY = 2;
const CANCEL = 3;

interface PendingAction {
  at: number;
  kind: number;
  clientId: number;
  previousClientId: number;
  isBid: boolean;
  slot: number;
  price: number;
  size: number;
}

/** The engine's side of a resting own order; its queue position and remaining size live in the {@link OrderQueue}. */
interface OwnOrder {
  clientId: number;
  isBid: boolean;
  slot: number;
  price: number;
  arrivedAt: number;
  filled: boolean;
}

/**
 * Replays recorded order-book and trade events through the same `MarketMaker` and `OrderManager` the candle
 * engine and the live bot run, against a simulated venue with queue positions and latency.
 *
 * - The strategy sees every book (mid, best bid/ask), is fed 1-minute bars of the mid (`onBar`, the candle
 *   engine's volatility units) and requotes on a book update at most every `requoteIntervalMs`, never crossing
 *   the book it saw.
 * - Own orders are post-only. A place, modify or cancel decided at local time L acts at the venue at
 *   L + `latencyMs` (on the recorded local clock); an order that would cross on arrival is rejected (a refused
 *   modify leaves the old order resting until the bot's cancel of it arrives, a latency later). A modify re-queues the order at the back.
 * - An order joins behind the displayed size at its price (0 ahead at a new level). Trades at its price
 *   consume the quantity ahead first; a trade through its price fills it up to the trade's size. The
 *   probabilistic queue model also advances it when the level shrinks net of trades. A book whose opposite
 *   best price reaches the order's price fills it fully (the only fill signal in data without trades).
 * - Fees: maker fee (a cost at Hyperliquid's tier 0) on every maker fill; a position beyond the hard limit is
 *   cut back to the soft limit (or flattened by a halt) by a taker order priced as the live bot prices it: IOC,
 *   limited to `exitSlippageBps` through the best opposite price seen when it was sent; it walks the recorded
 *   book up to that limit, pays the taker fee, and what the limit leaves unfilled is asked for again at most
 *   every 5 s.
 * - Funding is charged at each hour's first event at the mid. A data gap cancels every own order (nothing is
 *   simulated while the market is unknown) and is reported.
 * - PnL is split as the candle engine does: spread (fill vs the mid at decision time), inventory
 *   (mark-to-market at the mid), fees and funding; the ledger's independent total is returned beside it.
 *
 * Deterministic: the same events and options give the same run.
 *
 * @example
 * ```ts
 * const run = await runReplayBacktest(readRecording("rec", { coins: ["BTC"] }), {
 *   instrument: btc, strategy: parseStrategyConfig(), queueModel: { type: "probabilistic", power: 2 },
 * });
 * run.pnl.totalUsd; run.queue.timeToFillMs.median;
 * ```
 */
export async function runReplayBacktest(
  events: Iterable<MarketEvent> | AsyncIterable<MarketEvent>,
  options: ReplayOptions,
): Promise<ReplayRun> {
  const engine = new ReplayEngine(options);
  let count = 0;
  const onProgress = options.onProgress;
  if (Symbol.iterator in events) {
    for (const event of events as Iterable<MarketEvent>) {
      engine.push(event);
      if (onProgress !== undefined && ++count % 100_000 === 0) onProgress(count);
    }
  } else {
    for await (const event of events as AsyncIterable<MarketEvent>) {
      engine.push(event);
      if (onProgress !== undefined && ++count % 100_000 === 0) onProgress(count);
    }
  }
  return engine.finish();
}

/** A growable Float64Array. */
class Series {
  values = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  get last(): number {
    return this.values[this.length - 1]!;
  }

  set last(value: number) {
    this.values[this.length - 1] = value;
  }

  toArray(): Float64Array {
    return this.values.slice(0, this.length);
  }
}

class ReplayEngine implements OrderActionSink {
  readonly #coin: string;
  readonly #kernel: CoinKernel;
  readonly #inventory: Inventory;
  readonly #levels: number;
  readonly #latencyMs: number;
  readonly #requoteIntervalMs: number;
  readonly #maxSilenceMs: number;
  readonly #queueModel: QueueModel;
  readonly #queue: OrderQueue<number>;
  /** Scratch trade handed to the queue (one allocation per engine, not per trade). */
  readonly #queueTrade: QueueTrade = { side: "buy", price: 0, size: 0 };
  readonly #seed: number;
  readonly #barMs = DEFAULT_REPLAY.barIntervalMs;
  readonly #funding: FundingCursor;
  readonly #options: ReplayOptions;
  readonly #budget: ReplayRequestBudget | undefined;
  #requestsSent = 0;

  // The venue: the last book's sides, best first.
  #bids: LevelView = new ArrayLevelView();
  #asks: LevelView = new ArrayLevelView();
  /** Views over the levels of books that come as arrays (one pair, re-pointed at each such book). */
  readonly #bidArray = new ArrayLevelView();
  readonly #askArray = new ArrayLevelView();
  /** The top `imbalanceLevels` levels handed to the kernel: `#topBids[k]` holds the first k of the pool. */
  readonly #topBids: [number, number][][];
  readonly #topAsks: [number, number][][];
  #bestBid = Number.NaN;
  #bestAsk = Number.NaN;
  #bookValid = false;
  /** Resting own orders by client id, in arrival order. */
  readonly #own = new Map<number, OwnOrder>();
  #ownBids = 0;
  #ownAsks = 0;
  #pending: PendingAction[] = [];
  #pendingHead = 0;
  #exitAt = Number.NaN;
  #exitSize = 0;
  #exitLimit = Number.NaN;
  #lastExitAt = Number.NEGATIVE_INFINITY;
  readonly #exitSlippage: number;
  readonly #exitSlippageBps: number;

  // Time.
  #clock = Number.NaN;
  #startMs = Number.NaN;
  #lastBookTime = Number.NaN;
  #lastRequote = Number.NEGATIVE_INFINITY;
  #nextFundingTime = Number.NaN;

  // Accounting.
  #mid = Number.NaN;
  readonly #spreadStats = new QuoteSpreadStats();
  readonly #fills: ReplayFillRecord[] = [];
  readonly #fillsBySource: Record<FillSource, number> = {
    trade: 0,
    "trade-through": 0,
    "book-cross": 0,
    "taker-exit": 0,
  };
  #placed = 0;
  #modified = 0;
  #cancelled = 0;
  #rejectedPostOnly = 0;
  #takerExits = 0;
  #fundingHoursApplied = 0;
  #fundingHoursMissing = 0;
  #lastStatus: QuoteStatus = "warming-up";

  // Queue statistics.
  #ordersRested = 0;
  #ordersFilled = 0;
  readonly #timeToFill: number[] = [];
  #quotedBidMs = 0;
  #quotedAskMs = 0;
  #quotedBothMs = 0;
  #quotedAnyMs = 0;
  readonly #gaps: DataGap[] = [];
  #gapMs = 0;
  readonly #counts: ReplayEventCounts = {
    books: 0,
    tradeMessages: 0,
    trades: 0,
    snapshotTradesSkipped: 0,
    gaps: 0,
    otherCoin: 0,
  };

  // Bars (1 minute of the mid).
  #barMinute = Number.NaN;
  #barOpen = false;
  readonly #slotQuoted: Uint8Array;
  readonly #bar = {
    openTime: new Series(),
    open: new Series(),
    high: new Series(),
    low: new Series(),
    close: new Series(),
    volume: new Series(),
    equity: new Series(),
    position: new Series(),
    spread: new Series(),
    fees: new Series(),
    funding: new Series(),
    restingBid: new Series(),
    restingAsk: new Series(),
    decidedBid: new Series(),
    decidedAsk: new Series(),
  };
  #quotedSideBars = 0;
  #warmupBars = 0;
  #haltedBars = 0;
  #reduceOnlyBars = 0;
  // Mid at every book, for time mark-outs.
  readonly #midTimes = new Series();
  readonly #midValues = new Series();

  constructor(options: ReplayOptions) {
    const simulation = parseReplaySimulation(options);
    this.#options = options;
    this.#coin = options.instrument.coin;
    this.#kernel = new CoinKernel(options.strategy, options.instrument);
    this.#levels = options.strategy.levels;
    this.#inventory = this.#kernel.ledger.inventory;
    this.#latencyMs = simulation.latencyMs;
    this.#requoteIntervalMs = simulation.requoteIntervalMs;
    this.#maxSilenceMs = simulation.maxSilenceMs;
    this.#exitSlippageBps = simulation.exitSlippageBps;
    this.#exitSlippage = simulation.exitSlippageBps / 10_000;
    this.#queueModel = simulation.queueModel;
    this.#seed = simulation.seed;
    this.#queue = new OrderQueue<number>({
      model: simulation.queueModel,
      lotStep: lotStepOf(options.instrument),
    });
    this.#funding = new FundingCursor(
      options.funding ?? { type: "constant", ratePerHour: DEFAULT_SIMULATION.fundingRatePerHour },
    );
    this.#slotQuoted = new Uint8Array(2 * this.#levels);
    const top = Math.max(1, options.strategy.imbalanceLevels);
    const pool = (): [number, number][][] => {
      const tuples = Array.from({ length: top }, (): [number, number] => [0, 0]);
      return Array.from({ length: top + 1 }, (_, k) => tuples.slice(0, k));
    };
    this.#topBids = pool();
    this.#topAsks = pool();
    for (const close of options.primeCloses ?? []) this.#kernel.onBarClose(close);
    this.#budget = options.requestBudget?.({ now: () => this.#clock });
  }

  // OrderActionSink: the strategy's instructions, acting at the venue after the latency.
  place(order: WorkingOrder): void {
    this.#enqueue(PLACE, order, 0);
  }

  modify(order: WorkingOrder, previousClientId: number): void {
    this.#enqueue(MODIFY, order, previousClientId);
  }

  cancel(order: WorkingOrder): void {
    this.#enqueue(CANCEL, order, 0);
  }

  #enqueue(kind: number, order: WorkingOrder, previousClientId: number): void {
    const isBid = order.side === "buy";
    this.#pending.push({
      at: this.#clock + this.#latencyMs,
      kind,
      clientId: order.clientId,
      previousClientId,
      isBid,
      slot: isBid ? order.level : this.#levels + order.level,
      price: order.price,
      size: order.size,
    });
  }

  push(event: MarketEvent): void {
    if (event.coin !== this.#coin) {
      this.#counts.otherCoin++;
      return;
    }
    if (event.type === "gap") {
      this.#counts.gaps++;
      if (Number.isNaN(this.#startMs)) return; // before the first book: nothing to interrupt
      this.#applyDue(event.from);
      this.#advanceClock(event.from);
      this.#gap(event.from, event.to, event.reason, "recorded");
      return;
    }
    if (event.type === "book") this.#onBook(event);
    else {
      if (event.snapshot === true) {
        this.#counts.snapshotTradesSkipped += event.trades.length;
        return;
      }
      this.#counts.tradeMessages++;
      this.#counts.trades += event.trades.length;
      if (Number.isNaN(this.#startMs)) return; // no book yet: no orders, no mid
      const time = Math.max(event.lt, this.#clock);
      this.#applyDue(time);
      this.#advanceClock(time);
      this.#rollBar(time);
      this.#chargeFunding(time);
      this.#openBar(time);
      const trades = event.trades;
      for (let i = 0; i < trades.length; i++) {
        const trade = trades[i]!;
        this.#bar.volume.last += trade.sz;
        this.#onTrade(trade, time);
      }
      this.#checkHardLimit(time);
    }
  }

  #onBook(book: BookEvent): void {
    this.#counts.books++;
    // Full-depth books come with a view: read it, never the arrays (building them costs more than the replay).
    const view = book.view;
    if (
      view !== undefined
        ? view.bids.length === 0 || view.asks.length === 0
        : book.bids.length === 0 || book.asks.length === 0
    )
      return; // a one-sided book has no mid
    const bestBid = view !== undefined ? view.bids.price(0) : book.bids[0]![0];
    const bestAsk = view !== undefined ? view.asks.price(0) : book.asks[0]![0];
    const mid = (bestBid + bestAsk) / 2;
    if (Number.isNaN(this.#startMs)) {
      this.#startMs = book.lt;
      this.#clock = book.lt;
      this.#mid = mid;
      this.#nextFundingTime = Math.floor(book.lt / HOUR_MS) * HOUR_MS + HOUR_MS;
      // The rate in force from the start, for the funding skew (charges wait for the hour).
      const rate = this.#funding.rateAt(book.lt);
      if (!Number.isNaN(rate)) this.#kernel.setFundingRate(rate);
    }
    const time = Math.max(book.lt, this.#clock);
    if (!Number.isNaN(this.#lastBookTime) && time - this.#lastBookTime > this.#maxSilenceMs) {
      this.#applyDue(this.#lastBookTime);
      this.#advanceClock(this.#lastBookTime);
      this.#gap(
        this.#lastBookTime,
        time,
        `no book update for ${((time - this.#lastBookTime) / 1000).toFixed(1)} s`,
        "detected",
      );
    }
    this.#applyDue(time);
    this.#advanceClock(time);
    this.#rollBar(time);
    this.#chargeFunding(time);

    // The market moves: the position held is marked to the new mid, then the venue reacts to the new book.
    let bids: LevelView;
    let asks: LevelView;
    if (view !== undefined) {
      bids = view.bids;
      asks = view.asks;
    } else {
      this.#bidArray.levels = book.bids;
      this.#askArray.levels = book.asks;
      bids = this.#bidArray;
      asks = this.#askArray;
    }
    this.#kernel.markAt(mid, time);
    this.#kernel.setBookLevels(topLevels(bids, this.#topBids), topLevels(asks, this.#topAsks));
    this.#mid = mid;
    this.#bids = bids;
    this.#asks = asks;
    this.#bestBid = bestBid;
    this.#bestAsk = bestAsk;
    this.#bookValid = true;
    this.#lastBookTime = time;
    this.#openBar(time);
    this.#midTimes.push(time);
    this.#midValues.push(mid);

    if (this.#own.size > 0) this.#settle(this.#queue.onBook(bids, asks), time);
    if (!Number.isNaN(this.#exitAt) && this.#exitAt <= time) this.#executeExit(time);
    this.#checkHardLimit(time);
    if (time - this.#lastRequote >= this.#requoteIntervalMs) this.#requote(time);
  }

  #requote(time: number): void {
    this.#lastRequote = time;
    const kernel = this.#kernel;
    const counts = kernel.decide(time, this, this.#budget);
    const decision = kernel.decision;
    this.#lastStatus = decision.status;
    const bar = this.#bar;
    const quotes = kernel.quotes;
    bar.decidedBid.last = quotes.bidSizes[0]! > 0 ? quotes.bidPrices[0]! : Number.NaN;
    bar.decidedAsk.last = quotes.askSizes[0]! > 0 ? quotes.askPrices[0]! : Number.NaN;
    this.#spreadStats.add(
      quotes.bidSizes[0]! > 0 ? decision.bidHalfSpreadBps : Number.NaN,
      quotes.askSizes[0]! > 0 ? decision.askHalfSpreadBps : Number.NaN,
      this.#bookValid ? ((this.#bestAsk - this.#bestBid) / 2 / this.#mid) * 10_000 : Number.NaN,
    );
    this.#placed += counts.placed;
    this.#modified += counts.modified;
    this.#cancelled += counts.cancelled;
    this.#spendRequests(counts.placed + counts.modified + counts.cancelled);
  }

  #spendRequests(requests: number): void {
    if (requests === 0) return;
    this.#requestsSent += requests;
    this.#budget?.record(requests, 0);
  }

  /** Applies the instructions and the taker exit that reach the venue by `time`, each at its own arrival. */
  #applyDue(time: number): void {
    const pending = this.#pending;
    while (this.#pendingHead < pending.length && pending[this.#pendingHead]!.at <= time) {
      const action = pending[this.#pendingHead++]!;
      if (!Number.isNaN(this.#exitAt) && this.#exitAt <= action.at && this.#bookValid) {
        this.#advanceClock(this.#exitAt);
        this.#executeExit(this.#exitAt);
      }
      this.#advanceClock(action.at);
      this.#apply(action);
    }
    if (this.#pendingHead === pending.length) {
      pending.length = 0;
      this.#pendingHead = 0;
    }
    if (!Number.isNaN(this.#exitAt) && this.#exitAt <= time && this.#bookValid) {
      this.#advanceClock(this.#exitAt);
      this.#executeExit(this.#exitAt);
    }
  }

  #apply(action: PendingAction): void {
    const orders = this.#kernel.orders;
    if (action.kind === CANCEL) {
      this.#removeOrder(action.clientId);
      orders.onClosed(action.clientId);
      return;
    }
    const isModify = action.kind === MODIFY;
    if (isModify && !this.#queue.has(action.previousClientId)) {
      // The order to modify was filled (or cancelled) before the modify arrived: the venue refuses it.
      orders.onClosed(action.clientId);
      return;
    }
    const price = action.price;
    const crosses = postOnlyCrosses(action.isBid ? "buy" : "sell", price, this.#bestBid, this.#bestAsk);
    if (!this.#bookValid || crosses) {
      // Post-only: it would take liquidity on arrival (or the market is unknown after a gap): rejected.
      if (crosses) this.#rejectedPostOnly++;
      orders.onClosed(action.clientId);
      // A refused modify leaves the old order resting, as on Hyperliquid and the paper venue; the bot learns
      // of the refusal and cancels the old order, which arrives a latency later (the live order router's
      // `cancelOrphan`). Until then the old order keeps its place in the queue and can fill.
      if (isModify) this.#cancelOrphan(action);
      return;
    }
    if (isModify) this.#removeOrder(action.previousClientId);
    const order: OwnOrder = {
      clientId: action.clientId,
      isBid: action.isBid,
      slot: action.slot,
      price,
      arrivedAt: action.at,
      filled: false,
    };
    this.#queue.add(
      { id: action.clientId, side: action.isBid ? "buy" : "sell", price, size: action.size },
      this.#bids,
      this.#asks,
    );
    this.#own.set(order.clientId, order);
    if (order.isBid) this.#ownBids++;
    else this.#ownAsks++;
    this.#markQuoted(order);
    this.#ordersRested++;
    orders.onAccepted(action.clientId);
  }

  /** Sends a cancel of the old order of the refused modify `action`: it acts a latency after the refusal. */
  #cancelOrphan(action: PendingAction): void {
    this.#cancelled++;
    this.#spendRequests(1);
    this.#pending.push({
      at: action.at + this.#latencyMs,
      kind: CANCEL,
      clientId: action.previousClientId,
      previousClientId: 0,
      isBid: action.isBid,
      slot: action.slot,
      price: 0,
      size: 0,
    });
  }

  /** Takes an own order off the venue (a cancel or modify); whether it was resting. */
  #removeOrder(clientId: number): boolean {
    if (!this.#queue.remove(clientId)) return false;
    this.#forget(clientId);
    return true;
  }

  /** Drops the engine's record of an order that left the queue. */
  #forget(clientId: number): void {
    const order = this.#own.get(clientId);
    if (order === undefined) return;
    if (order.isBid) this.#ownBids--;
    else this.#ownAsks--;
    this.#own.delete(clientId);
  }

  #onTrade(trade: RecordedTrade, time: number): void {
    // `A`: the seller was the aggressor and hit bids; `B`: the buyer lifted asks.
    const side = trade.side === "A" ? "sell" : "buy";
    this.#kernel.onTrade(side, trade.sz, time, trade.px);
    if (this.#own.size === 0) return;
    const queueTrade = this.#queueTrade;
    queueTrade.side = side;
    queueTrade.price = trade.px;
    queueTrade.size = trade.sz;
    this.#settle(this.#queue.onTrade(queueTrade), time);
  }

  /** Books the queue's fills, in the order the queue decided them. */
  #settle(fills: readonly QueueFill<number>[], time: number): void {
    for (let i = 0; i < fills.length; i++) {
      const fill = fills[i]!;
      const order = this.#own.get(fill.id)!;
      if (!order.filled) {
        order.filled = true;
        this.#ordersFilled++;
        this.#timeToFill.push(time - order.arrivedAt);
      }
      this.#record(fill.id, fill.side, fill.price, fill.size, "maker", time, fill.source);
      if (fill.remaining <= 0) this.#forget(fill.id);
    }
  }

  #record(
    clientId: number,
    side: Side,
    price: number,
    size: number,
    liquidity: "maker" | "taker",
    time: number,
    source: FillSource,
  ): void {
    // The kernel is marked at the current mid: units are marked from the mid they were priced from to it.
    const feeUsd = this.#kernel.bookFill(clientId, side, price, size, liquidity, time);
    const referenceMid = this.#kernel.lastFillReferenceMid;
    this.#budget?.recordTradedUsd(price * size);
    this.#fillsBySource[source]++;
    this.#fills.push({
      timeMs: time,
      barIndex: this.#bar.openTime.length - 1,
      side,
      price,
      size,
      feeUsd,
      liquidity,
      positionAfter: this.#inventory.size,
      referenceMid,
      source,
    });
  }

  /**
   * Sends the kernel's taker exit when it wants one, as the live order router does: one IOC reduce-only order
   * priced `exitSlippageBps` through the best opposite price seen now, at most every {@link EXIT_RETRY_MS}.
   */
  #checkHardLimit(time: number): void {
    if (!Number.isNaN(this.#exitAt) || time - this.#lastExitAt < EXIT_RETRY_MS) return;
    const exitSize = this.#kernel.exitSize();
    if (exitSize === 0) return;
    const reference = exitSize > 0 ? this.#bestAsk : this.#bestBid;
    if (!this.#bookValid || !(reference > 0)) return;
    this.#exitSize = exitSize;
    this.#exitLimit =
      exitSize > 0 ? reference * (1 + this.#exitSlippage) : reference * (1 - this.#exitSlippage);
    this.#exitAt = time + this.#latencyMs;
    this.#lastExitAt = time;
  }

  /**
   * The taker exit reaches the venue: it walks the recorded book up to its limit price; what the book does not
   * fill within the limit is cancelled (IOC), and the kernel asks again at the next retry.
   */
  #executeExit(time: number): void {
    const signed = this.#exitSize;
    const limit = this.#exitLimit;
    this.#exitAt = Number.NaN;
    this.#exitSize = 0;
    const position = this.#inventory.size;
    // Never flip or grow the position: the exit only reduces what is still held.
    const size = Math.min(Math.abs(signed), Math.abs(position));
    if (size <= 0 || Math.sign(signed) === Math.sign(position)) return;
    this.#spendRequests(1);
    const isBuy = signed > 0;
    const levels = isBuy ? this.#asks : this.#bids;
    let filled = 0;
    let cost = 0;
    for (let i = 0; i < levels.length && filled < size; i++) {
      const price = levels.price(i);
      if (isBuy ? price > limit : price < limit) break;
      const take = Math.min(size - filled, levels.size(i));
      cost += take * price;
      filled += take;
    }
    if (!(filled > 0)) return;
    this.#takerExits++;
    this.#record(0, isBuy ? "buy" : "sell", cost / filled, filled, "taker", time, "taker-exit");
  }

  /** A stretch without data: every own order and instruction in flight is dropped; nothing is simulated. */
  #gap(from: number, to: number, reason: string, source: DataGap["source"]): void {
    const orders = this.#kernel.orders;
    for (const order of this.#own.values()) orders.onClosed(order.clientId);
    this.#own.clear();
    this.#queue.clear();
    this.#ownBids = 0;
    this.#ownAsks = 0;
    for (let i = this.#pendingHead; i < this.#pending.length; i++) {
      const action = this.#pending[i]!;
      orders.onClosed(action.clientId);
    }
    this.#pending.length = 0;
    this.#pendingHead = 0;
    this.#bookValid = false;
    this.#lastBookTime = Number.NaN;
    this.#lastRequote = Number.NEGATIVE_INFINITY;
    const duration = Math.max(0, to - from);
    this.#gapMs += duration;
    this.#gaps.push({ fromMs: from, toMs: to, reason, source });
    // Time inside the gap is not counted as quoted or unquoted.
    if (to > this.#clock) this.#clock = to;
  }

  /** Accumulates quoted time up to `to` with the orders resting now. */
  #advanceClock(to: number): void {
    const dt = to - this.#clock;
    if (!(dt > 0)) return;
    this.#clock = to;
    const bid = this.#ownBids > 0;
    const ask = this.#ownAsks > 0;
    if (bid) this.#quotedBidMs += dt;
    if (ask) this.#quotedAskMs += dt;
    if (bid && ask) this.#quotedBothMs += dt;
    if (bid || ask) this.#quotedAnyMs += dt;
  }

  #chargeFunding(time: number): void {
    if (time < this.#nextFundingTime) return;
    // Charged once at each hour's first event; an event past several hours (a gap) charges one hour.
    const hour = Math.floor(time / HOUR_MS) * HOUR_MS;
    this.#nextFundingTime = hour + HOUR_MS;
    const rate = this.#funding.rateAt(hour);
    if (Number.isNaN(rate)) {
      this.#fundingHoursMissing++;
      return;
    }
    this.#fundingHoursApplied++;
    this.#kernel.setFundingRate(rate);
    this.#kernel.applyFunding(rate);
  }

  #markQuoted(order: OwnOrder): void {
    if (this.#barOpen && this.#slotQuoted[order.slot] === 0) this.#slotQuoted[order.slot] = 1;
  }

  /** Closes the current bar when `time` is in a later minute. */
  #rollBar(time: number): void {
    if (!this.#barOpen) return;
    const minute = Math.floor(time / this.#barMs);
    if (minute === this.#barMinute) return;
    this.#closeBar();
  }

  /** Opens the bar of `time`'s minute at the current mid when none is open. */
  #openBar(time: number): void {
    const bar = this.#bar;
    if (this.#barOpen) {
      const mid = this.#mid;
      if (mid > bar.high.last) bar.high.last = mid;
      if (mid < bar.low.last) bar.low.last = mid;
      bar.close.last = mid;
      return;
    }
    this.#barOpen = true;
    this.#barMinute = Math.floor(time / this.#barMs);
    const mid = this.#mid;
    bar.openTime.push(this.#barMinute * this.#barMs);
    bar.open.push(mid);
    bar.high.push(mid);
    bar.low.push(mid);
    bar.close.push(mid);
    bar.volume.push(0);
    bar.equity.push(0);
    bar.position.push(0);
    bar.spread.push(0);
    bar.fees.push(0);
    bar.funding.push(0);
    bar.restingBid.push(Number.NaN);
    bar.restingAsk.push(Number.NaN);
    bar.decidedBid.push(Number.NaN);
    bar.decidedAsk.push(Number.NaN);
    this.#slotQuoted.fill(0);
    for (const order of this.#own.values()) this.#slotQuoted[order.slot] = 1;
  }

  #closeBar(): void {
    this.#barOpen = false;
    const bar = this.#bar;
    const close = this.#mid;
    const equity = this.#inventory.totalPnlUsd(close);
    bar.equity.last = equity;
    bar.position.last = this.#inventory.size * close;
    bar.spread.last = this.#kernel.ledger.spreadUsd;
    bar.fees.last = this.#inventory.netFeesUsd;
    bar.funding.last = this.#inventory.fundingPnlUsd;
    let bestOwnBid = Number.NaN;
    let bestOwnAsk = Number.NaN;
    for (const order of this.#own.values()) {
      if (order.isBid) {
        if (!(order.price <= bestOwnBid)) bestOwnBid = order.price;
      } else if (!(order.price >= bestOwnAsk)) bestOwnAsk = order.price;
    }
    bar.restingBid.last = bestOwnBid;
    bar.restingAsk.last = bestOwnAsk;
    for (let s = 0; s < this.#slotQuoted.length; s++) this.#quotedSideBars += this.#slotQuoted[s]!;
    if (this.#lastStatus === "warming-up") this.#warmupBars++;

    const kernel = this.#kernel;
    kernel.onBarClose(close);
    const risk = this.#options.risk;
    if (risk !== undefined)
      kernel.setRiskMode(risk.decide(kernel.riskInputs((this.#barMinute + 1) * this.#barMs)));
    const mode = kernel.effectiveRiskMode();
    if (mode === "halt") this.#haltedBars++;
    else if (mode === "reduce-only" || !Number.isNaN(this.#exitAt)) this.#reduceOnlyBars++;
  }

  finish(): ReplayRun {
    if (this.#barOpen) this.#closeBar();
    const bar = this.#bar;
    const n = bar.openTime.length;
    const mid = this.#mid;
    const hasMid = mid > 0;
    const pnl = this.#kernel.pnl();
    const endMs = Number.isNaN(this.#startMs) ? Number.NaN : this.#clock;
    const activeMs = Number.isNaN(this.#startMs) ? 0 : Math.max(0, endMs - this.#startMs - this.#gapMs);
    const share = (ms: number) => (activeMs > 0 ? ms / activeMs : 0);
    const sortedWaits = [...this.#timeToFill].sort((a, b) => a - b);
    const decision = this.#kernel.decision;
    return {
      coin: this.#coin,
      bars: n,
      fills: this.#fills,
      equityUsd: bar.equity.toArray(),
      positionUsd: bar.position.toArray(),
      spreadUsdByBar: bar.spread.toArray(),
      feesUsdByBar: bar.fees.toArray(),
      fundingUsdByBar: bar.funding.toArray(),
      restingBid: bar.restingBid.toArray(),
      restingAsk: bar.restingAsk.toArray(),
      decidedBid: bar.decidedBid.toArray(),
      decidedAsk: bar.decidedAsk.toArray(),
      pnl: {
        totalUsd: pnl.totalUsd,
        spreadUsd: pnl.spreadUsd,
        inventoryUsd: pnl.inventoryUsd,
        feesUsd: pnl.feesUsd,
        fundingUsd: pnl.fundingUsd,
      },
      ledgerTotalUsd: hasMid ? this.#inventory.totalPnlUsd(mid) : 0,
      finalPosition: this.#inventory.size,
      quotedSideBars: this.#quotedSideBars,
      orders: {
        placed: this.#placed,
        modified: this.#modified,
        cancelled: this.#cancelled,
        rejectedPostOnly: this.#rejectedPostOnly,
      },
      takerExits: this.#takerExits,
      ordersFilled: this.#ordersFilled,
      fundingHoursMissing: this.#fundingHoursMissing,
      fundingHoursApplied: this.#fundingHoursApplied,
      warmupBars: this.#warmupBars,
      haltedBars: this.#haltedBars,
      reduceOnlyBars: this.#reduceOnlyBars,
      halt: this.#kernel.haltAccounting(),
      candles: {
        length: n,
        openTime: bar.openTime.toArray(),
        open: bar.open.toArray(),
        high: bar.high.toArray(),
        low: bar.low.toArray(),
        close: bar.close.toArray(),
        volume: bar.volume.toArray(),
      },
      startMs: this.#startMs,
      endMs,
      activeMs,
      events: { ...this.#counts },
      fillInference: this.#counts.trades > 0 ? "trades" : "book-changes",
      fillsBySource: { ...this.#fillsBySource },
      gaps: this.#gaps,
      gapMs: this.#gapMs,
      queue: {
        model: this.#queueModel,
        ordersRested: this.#ordersRested,
        ordersFilled: this.#ordersFilled,
        shareOfQuotesFilled: this.#ordersRested > 0 ? this.#ordersFilled / this.#ordersRested : 0,
        timeToFillMs: {
          median: quantile(sortedWaits, 0.5),
          p90: quantile(sortedWaits, 0.9),
          count: sortedWaits.length,
        },
        shareOfTimeQuoted: {
          bid: share(this.#quotedBidMs),
          ask: share(this.#quotedAskMs),
          both: share(this.#quotedBothMs),
          any: share(this.#quotedAnyMs),
        },
      },
      markouts: timeMarkouts(this.#fills, this.#midTimes, this.#midValues),
      markoutsBps: this.#kernel.markouts.summary(),
      calibration: {
        sigmaBps: decision.sigmaBps,
        intensityScalePerBar: decision.intensityScalePerBar,
        intensityDecayPerBps: decision.intensityDecayPerBps,
        sigmaSource: decision.sigmaSource,
        intensitySource: decision.intensitySource,
        meanBidHalfSpreadBps: this.#spreadStats.bid.mean(),
        meanAskHalfSpreadBps: this.#spreadStats.ask.mean(),
        meanMarketHalfSpreadBps: this.#spreadStats.market.mean(),
      },
      latencyMs: this.#latencyMs,
      requoteIntervalMs: this.#requoteIntervalMs,
      exitSlippageBps: this.#exitSlippageBps,
      seed: this.#seed,
      requestBudget:
        this.#budget === undefined
          ? null
          : {
              requestsSent: this.#requestsSent,
              deferredModifies: this.#budget.deferredRequests,
              addressRemainingAtEnd: this.#budget.addressRemaining(),
            },
    };
  }
}

/** The first `pool.length − 1` (at most) levels of `side` as `[price, size]` tuples of the pool, best first. */
function topLevels(side: LevelView, pool: [number, number][][]): [number, number][] {
  const k = Math.min(side.length, pool.length - 1);
  const levels = pool[k]!;
  for (let i = 0; i < k; i++) {
    const level = levels[i]!;
    level[0] = side.price(i);
    level[1] = side.size(i);
  }
  return levels;
}

/** Linear-interpolated quantile of sorted values, or null when empty. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** Mid at or before `time` (binary search), or NaN past the end of the data. */
function midAt(times: Series, values: Series, time: number): number {
  const n = times.length;
  if (n === 0 || time > times.values[n - 1]!) return Number.NaN;
  let low = 0;
  let high = n - 1;
  if (time < times.values[0]!) return Number.NaN;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (times.values[middle]! <= time) low = middle;
    else high = middle - 1;
  }
  return values.values[low]!;
}

function timeMarkouts(fills: readonly ReplayFillRecord[], times: Series, values: Series): TimeMarkouts {
  const sums = aggregateMarkouts(fills, MARKOUT_HORIZONS_MS, (fill, horizon) =>
    midAt(times, values, fill.timeMs + horizon),
  );
  return { horizonsMs: [...MARKOUT_HORIZONS_MS], ...sums };
}

/** A running mean that ignores NaN samples. */
class RunningMean {
  #sum = 0;
  #count = 0;

  add(value: number): void {
    if (Number.isNaN(value)) return;
    this.#sum += value;
    this.#count++;
  }

  mean(): number {
    return this.#count === 0 ? Number.NaN : this.#sum / this.#count;
  }
}

/** The quotes' distances from the fair price and the market's half spread, sampled at each decision. */
class QuoteSpreadStats {
  readonly bid = new RunningMean();
  readonly ask = new RunningMean();
  readonly market = new RunningMean();

  add(bidBps: number, askBps: number, marketBps: number): void {
    this.bid.add(bidBps);
    this.ask.add(askBps);
    this.market.add(marketBps);
  }
}
