import { createRandom, type Instrument, PriceGrid, type Random, type Side } from "@botmm/core";
import {
  CoinKernel,
  type HaltAccounting,
  type RiskInputs,
  type RiskMode,
  type StrategyConfig,
} from "@botmm/strategy";
import type { CandleColumns } from "./candle-columns.ts";
import { CandleRunRecorder, type RunSeries } from "./candle-run-recorder.ts";
import type { BarPath, FillModel } from "./fill-model.ts";
import type { FundingSchedule } from "./funding.ts";
import { SlotVenue } from "./slot-venue.ts";
import { SubbarBacktest } from "./subbar-engine.ts";

/** Everything a candle backtest needs besides the candles. */
export interface BacktestOptions {
  instrument: Instrument;
  strategy: StrategyConfig;
  /** Bar length in ms (60,000 for 1m). */
  intervalMs: number;
  fillModel: FillModel;
  barPath: BarPath;
  /** Own fills in one bar are capped at this share of the bar's traded volume (∞: no cap). */
  maxVolumeShare: number;
  /** Order entry / modify / cancel latency: new instructions take effect this long after the bar opens. */
  latencyMs: number;
  /** How often the strategy requotes inside a bar under the `subbar` fill model (default 1,000 ms, as live). */
  requoteIntervalMs?: number;
  funding: FundingSchedule;
  /** A taker exit pays this much slippage beyond the open it executes at, in bps, plus the taker fee. */
  takerSlippageBps: number;
  seed: number;
  /** Decides the risk mode after each bar; default: always allow. */
  risk?: RiskGate;
  /**
   * Arrays to write the run's per-bar series into (`createRunSeries`, at least as long as the candles) instead
   * of allocating them: the run's result refers to them, so read it before the next run that gets them.
   */
  series?: RunSeries;
  /**
   * Record the best resting and decided quotes of each bar (`restingBid` … `decidedAsk`; default true). false
   * leaves those four arrays empty: a caller that reads only a run's totals and equity (a sweep's jobs) saves
   * their memory traffic, 4 × 8 bytes written a bar.
   */
  quoteSeries?: boolean;
}

/** The risk engine as the backtest sees it: one decision per closed bar. */
export interface RiskGate {
  decide(state: RiskGateState): RiskMode;
  /** Bars each rule was active in (rule id → bars), for the report. */
  activeBarsByRule?(): Record<string, number>;
}

/** What a {@link RiskGate} sees at a bar's close: the kernel's risk inputs. */
export type RiskGateState = RiskInputs;

/** One own fill in the ledger. */
export interface FillRecord {
  timeMs: number;
  barIndex: number;
  side: Side;
  price: number;
  size: number;
  /** Fee in USD, signed as a cost (negative = rebate). */
  feeUsd: number;
  liquidity: "maker" | "taker";
  /** Position (base units) after this fill. */
  positionAfter: number;
  /** The mid the order was priced from (close of the bar before it rested): spread capture is measured from it. */
  referenceMid: number;
}

/** Raw outcome of a run; {@link summarize} turns it into the report. */
export interface BacktestRun {
  bars: number;
  fills: FillRecord[];
  /** Total PnL (USD) at each bar's close. */
  equityUsd: Float64Array;
  /** Position notional (USD) at each bar's close. */
  positionUsd: Float64Array;
  /** Cumulative spread capture, fees and funding (USD) at each bar's close; inventory PnL is the rest. */
  spreadUsdByBar: Float64Array;
  feesUsdByBar: Float64Array;
  fundingUsdByBar: Float64Array;
  /**
   * Best bid / ask resting during each bar (NaN when none): the quotes the bar was tested against. Empty when
   * the run was asked not to record them (`quoteSeries: false`), as are the two below.
   */
  restingBid: Float64Array;
  restingAsk: Float64Array;
  /** Best bid / ask the strategy decided at each bar's close for the next bar (NaN when none). */
  decidedBid: Float64Array;
  decidedAsk: Float64Array;
  pnl: { totalUsd: number; spreadUsd: number; inventoryUsd: number; feesUsd: number; fundingUsd: number };
  /** The same total computed independently by the position ledger (realized + unrealized − fees + funding). */
  ledgerTotalUsd: number;
  finalPosition: number;
  /** Bars × sides with an order resting (after latency): the denominator of the fill rate. */
  quotedSideBars: number;
  orders: { placed: number; modified: number; cancelled: number; rejectedPostOnly: number };
  takerExits: number;
  /** Orders that received at least one maker fill (a partly filled order counts once; `fills` counts each fill). */
  ordersFilled: number;
  fundingHoursMissing: number;
  fundingHoursApplied: number;
  warmupBars: number;
  haltedBars: number;
  reduceOnlyBars: number;
  /** Halts, the PnL made while halted and the largest position carried while halted. */
  halt: HaltAccounting;
  /**
   * The kernel's mark-outs of own maker fills in time (`{ "1s", "5s", "30s", "60s" }`, bps, NaN where none),
   * on the mids the engine fed it: the bar closes (candle model) or the simulated path (sub-bar model).
   */
  markoutsBps: Record<string, number>;
  /** σ, A, k of the last decision and where they came from (the online calibration or the constants). */
  calibration: RunCalibration;
}

/** σ (per bar, bps), A (fills per bar at the mid) and k (per bp) the strategy last quoted with, and their sources. */
export interface RunCalibration {
  sigmaBps: number;
  intensityScalePerBar: number;
  intensityDecayPerBps: number;
  sigmaSource: string;
  intensitySource: string;
}

/**
 * Runs the strategy over candles with a simulated venue.
 *
 * Time discipline (no look-ahead): orders resting during bar t were decided at the close of bar t−1 from
 * data up to that close. New instructions take effect `latencyMs` into bar t; until then the previous orders
 * rest and can still be filled. Each bar is walked as a price path (open → extremes → close); an order fills
 * at its own limit price when the path satisfies the fill model, in the order the path reaches it, capped by
 * the bar's volume. A post-only order that would cross the price at the moment it arrives is rejected.
 * Funding is charged at each hour's open; a position beyond the hard limit is cut back with a taker order
 * at the next open.
 *
 * With `fillModel.type === "subbar"` the bar is instead walked as a seeded path at the requote cadence and the
 * strategy requotes inside the bar on the path so far (see {@link SubbarBacktest}); the same time discipline
 * holds at every step: a decision sees the path up to its instant and the bars closed before.
 *
 * @example
 * ```ts
 * const run = runCandleBacktest(toCandleColumns(candles), {
 *   instrument, strategy: parseStrategyConfig(), intervalMs: 60_000, fillModel: defaultFillModel(),
 *   barPath: "nearest", maxVolumeShare: 0.1, latencyMs: 200, funding: { type: "constant", ratePerHour: 0 },
 *   takerSlippageBps: 1, seed: 1,
 * });
 * run.pnl.totalUsd;
 * ```
 */
export function runCandleBacktest(
  candles: CandleColumns,
  options: BacktestOptions,
  onProgress?: (barsDone: number, barsTotal: number) => void,
): BacktestRun {
  if (options.fillModel.type === "subbar") return new SubbarBacktest(candles, options).run(onProgress);
  return new CandleBacktest(candles, options).run(onProgress);
}

class CandleBacktest {
  readonly #candles: CandleColumns;
  readonly #options: BacktestOptions;
  readonly #kernel: CoinKernel;
  readonly #random: Random;
  readonly #venue: SlotVenue;
  readonly #recorder: CandleRunRecorder;
  readonly #levels: number;
  readonly #slots: number;
  // The venue's slot arrays, read in the path walk.
  readonly #active: Uint8Array;
  readonly #price: Float64Array;
  readonly #triggerPrice: Float64Array;
  readonly #remaining: Float64Array;
  /** The bar each slot was last tried in (one try per bar). */
  readonly #decidedBar: Float64Array;
  // The bar path: four points at times 0, 1/3, 2/3, 1.
  readonly #pathPrice = new Float64Array(4);
  /** The share of a bar after which new instructions arrive (latency ÷ bar length, at most 1). */
  readonly #activation: number;
  readonly #unlimitedVolume: boolean;
  #bar = 0;
  #barOpenTime = 0;
  #volumeLeft = 0;
  /** Signed size of the taker exit decided at the last close (+ buy, − sell), executed at the next open. */
  #pendingExitSize = 0;
  /** Bars × sides with an order resting. */
  #quotedSideBars = 0;

  constructor(candles: CandleColumns, options: BacktestOptions) {
    this.#candles = candles;
    this.#options = options;
    this.#kernel = new CoinKernel(options.strategy, options.instrument);
    this.#levels = options.strategy.levels;
    this.#activation = Math.min(1, options.latencyMs / options.intervalMs);
    this.#unlimitedVolume = options.maxVolumeShare === Number.POSITIVE_INFINITY;
    this.#random = createRandom(options.seed);
    const throughTicks = options.fillModel.type === "cross" ? options.fillModel.throughTicks : 0;
    const venue = new SlotVenue(
      this.#levels,
      this.#kernel.orders,
      new PriceGrid(options.instrument.priceRule),
      {
        spreadTicks: 0,
        throughTicks,
        throughFraction: 0,
      },
    );
    this.#venue = venue;
    this.#recorder = new CandleRunRecorder(candles, options, this.#kernel, venue);
    this.#slots = venue.slots;
    this.#active = venue.active;
    this.#price = venue.price;
    this.#triggerPrice = venue.trigger;
    this.#remaining = venue.remaining;
    this.#decidedBar = venue.triedIn;
  }

  run(onProgress?: (barsDone: number, barsTotal: number) => void): BacktestRun {
    this.#walk(onProgress);
    onProgress?.(this.#candles.length, this.#candles.length);
    return this.#recorder.result(this.#quotedSideBars);
  }

  /**
   * Walks every bar. The loop has a function of its own: V8 compiles a hot loop on stack replacement with the
   * feedback it has so far, and code after the loop (never run yet the first time) made that compiled loop
   * deoptimise at the end of every run. A bar is two calls that take its index only: a price or time passed to
   * a call V8 does not inline is boxed on the heap, and the bar's trading, too large to be inlined here, gets an
   * inlining budget of its own for the kernel's mark and the venue's range checks inside it.
   */
  #walk(onProgress: ((barsDone: number, barsTotal: number) => void) | undefined): void {
    const n = this.#candles.length;
    for (let i = 0; i < n; i++) {
      this.#tradeBar(i);
      this.#closeBar(i, onProgress);
    }
  }

  /**
   * Bar `i` up to its close: marks, funding at the hour, the exit decided at the last close, then the resting
   * orders along the bar's path, before and after the new instructions arrive.
   */
  #tradeBar(i: number): void {
    const candles = this.#candles;
    const options = this.#options;
    const kernel = this.#kernel;
    const venue = this.#venue;
    const recorder = this.#recorder;
    const openTime = candles.openTime[i]!;
    const open = candles.open[i]!;
    const high = candles.high[i]!;
    const low = candles.low[i]!;
    const close = candles.close[i]!;
    this.#bar = i;
    recorder.bar = i;
    this.#barOpenTime = openTime;
    // An unlimited share (data without volume, e.g. candles built from books only) must not become ∞ × 0.
    this.#volumeLeft = this.#unlimitedVolume
      ? Number.POSITIVE_INFINITY
      : options.maxVolumeShare * candles.volume[i]!;

    // Marks: what the position held into this bar earned or lost from the previous close to this close. The
    // close is the mid from the bar's close on (mark-outs, the seconds toxicity guard, the calibration).
    kernel.markAt(close, openTime + options.intervalMs);
    if (openTime >= recorder.nextFundingTime) recorder.chargeFunding(openTime, open);

    const exitSize = this.#pendingExitSize;
    if (exitSize !== 0) {
      const side: Side = exitSize > 0 ? "buy" : "sell";
      const slippage = options.takerSlippageBps / 10_000;
      const price = side === "buy" ? open * (1 + slippage) : open * (1 - slippage);
      recorder.recordExit(side, price, Math.abs(exitSize), openTime, open);
      this.#pendingExitSize = 0;
    }

    // The bar's path.
    const path = this.#pathPrice;
    path[0] = open;
    if (options.barPath === "ohlc" || open - low > high - open) {
      path[1] = high;
      path[2] = low;
    } else {
      path[1] = low;
      path[2] = high;
    }
    path[3] = close;

    // Orders from before the last close rest until the new instructions arrive. Most bars reach no order:
    // the range check skips the path walk for them.
    const activation = this.#activation;
    if (activation > 0 && this.#anyReachable(low, high)) this.#fillAlongPath(0, activation);
    if (venue.pendingCount > 0) venue.applyDue(Number.POSITIVE_INFINITY, this.#priceAt(activation));
    if (this.#anyReachable(low, high)) this.#fillAlongPath(activation, 1);

    const active = this.#active;
    for (let s = 0; s < this.#slots; s++) if (active[s] === 1) this.#quotedSideBars++;
  }

  /** Bar `i`'s close: record it, then decide the next bar's quotes (and any exit) from data up to this close. */
  #closeBar(i: number, onProgress: ((barsDone: number, barsTotal: number) => void) | undefined): void {
    const kernel = this.#kernel;
    this.#recorder.closeCandle(i);
    // The hard-limit cut, or the whole position on a halt with onHalt "flatten": a taker order at the next open.
    this.#pendingExitSize = kernel.exitSize();
    const counts = kernel.decide(this.#candles.openTime[i]! + this.#options.intervalMs, this.#venue);
    this.#recorder.endBar(i, counts, kernel.decidedRiskMode, onProgress);
  }

  /** Price on the bar's path at time fraction `t` ∈ [0, 1]. */
  #priceAt(t: number): number {
    const path = this.#pathPrice;
    const scaled = t * 3;
    const leg = scaled >= 3 ? 2 : Math.floor(scaled);
    const within = scaled - leg;
    return path[leg]! + (path[leg + 1]! - path[leg]!) * within;
  }

  /** Lowest (or highest) price on the path from time `from` to `to`. */
  #extremeBetween(from: number, to: number, lowest: boolean): number {
    let extreme = this.#priceAt(from);
    const end = this.#priceAt(to);
    extreme = lowest ? Math.min(extreme, end) : Math.max(extreme, end);
    for (let k = 1; k <= 2; k++) {
      const t = k / 3;
      if (t > from && t < to) {
        const p = this.#pathPrice[k]!;
        extreme = lowest ? Math.min(extreme, p) : Math.max(extreme, p);
      }
    }
    return extreme;
  }

  /** Whether any resting order's trigger lies inside the bar's range. */
  #anyReachable(low: number, high: number): boolean {
    for (let s = 0; s < this.#slots; s++) {
      if (this.#active[s] !== 1) continue;
      if (s < this.#levels ? this.#triggerPrice[s]! >= low : this.#triggerPrice[s]! <= high) return true;
    }
    return false;
  }

  /** Fills resting orders along the path between time fractions `from` and `to`, in the order reached. */
  #fillAlongPath(from: number, to: number): void {
    if (from >= to) return;
    let start = from;
    let startPrice = this.#priceAt(from);
    // Orders the path is already past at `from` (a gap through them) fill first, at their own price.
    this.#fillReached(startPrice, startPrice, start, start, to);
    for (let k = 1; k <= 3; k++) {
      const t = k / 3;
      if (t <= start) continue;
      const end = Math.min(t, to);
      const endPrice = this.#priceAt(end);
      this.#fillReached(startPrice, endPrice, start, end, to);
      start = end;
      startPrice = endPrice;
      if (end >= to) break;
    }
  }

  /** Fills the orders whose trigger lies between `fromPrice` and `toPrice` on a straight leg, nearest first. */
  #fillReached(fromPrice: number, toPrice: number, fromT: number, toT: number, portionEnd: number): void {
    const falling = toPrice <= fromPrice;
    const rising = toPrice >= fromPrice;
    while (this.#volumeLeft > 0) {
      let best = -1;
      let bestTrigger = 0;
      for (let s = 0; s < this.#slots; s++) {
        if (this.#active[s] !== 1 || this.#decidedBar[s] === this.#bar) continue;
        const trigger = this.#triggerPrice[s]!;
        if (s < this.#levels) {
          if (!falling || toPrice > trigger) continue;
          if (best < 0 || trigger > bestTrigger) {
            best = s;
            bestTrigger = trigger;
          }
        } else {
          if (!rising || toPrice < trigger) continue;
          if (best < 0 || trigger < bestTrigger) {
            best = s;
            bestTrigger = trigger;
          }
        }
      }
      if (best < 0) return;
      const span = toPrice - fromPrice;
      const fraction = span === 0 ? 0 : Math.min(1, Math.max(0, (bestTrigger - fromPrice) / span));
      const t = fromT + (toT - fromT) * fraction;
      this.#decidedBar[best] = this.#bar;
      if (!this.#fillsUnderModel(best, t, portionEnd)) continue;
      this.#fillSlot(best, t);
    }
  }

  #fillsUnderModel(slot: number, t: number, portionEnd: number): boolean {
    const model = this.#options.fillModel;
    if (model.type !== "probabilistic") return true;
    const price = this.#price[slot]!;
    const isBid = slot < this.#levels;
    const extreme = this.#extremeBetween(t, portionEnd, isBid);
    const penetrationBps = ((isBid ? price - extreme : extreme - price) / price) * 10_000;
    const probability =
      model.touchProbability +
      (1 - model.touchProbability) * Math.min(1, Math.max(0, penetrationBps) / model.fullFillPenetrationBps);
    return this.#random.next() < probability;
  }

  #fillSlot(slot: number, t: number): void {
    const size = Math.min(this.#remaining[slot]!, this.#volumeLeft);
    if (size <= 0) return;
    this.#volumeLeft -= size;
    const venue = this.#venue;
    const clientId = venue.clientId[slot]!;
    venue.take(slot, size);
    const timeMs = Math.floor(this.#barOpenTime + t * this.#options.intervalMs);
    // The kernel is marked at this bar's close: units are marked from their reference mid to it here.
    this.#recorder.recordFill(
      clientId,
      slot < this.#levels ? "buy" : "sell",
      this.#price[slot]!,
      size,
      "maker",
      timeMs,
    );
  }
}
