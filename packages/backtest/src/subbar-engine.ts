import { PriceGrid, type PriceRule, type Side } from "@botmm/core";
import type { Inventory } from "@botmm/inventory";
import { CoinKernel, type MidRange } from "@botmm/strategy";
import type { CandleColumns } from "./candle-columns.ts";
import { CandleRunRecorder } from "./candle-run-recorder.ts";
import type { BacktestOptions, BacktestRun, FillRecord } from "./engine.ts";
import { aggregateMarkouts } from "./metrics.ts";
import { SlotVenue } from "./slot-venue.ts";
import { BarRandom, barPath, type SubbarParams, stepVolumeShares } from "./subbar-path.ts";

/** Random streams of a bar: its path and its volume profile. */
const PATH_STREAM = 0x5a17;
const VOLUME_STREAM = 0x70b3;

/** Default requote cadence of the sub-bar model: the live bot's (1 s). */
export const DEFAULT_REQUOTE_INTERVAL_MS = 1_000;

/**
 * Steps a bar is walked in: one per requote interval, at least 3 (so the path can visit both extremes inside
 * the bar) and at most 3,600.
 *
 * @example
 * ```ts
 * subbarSteps(60_000, 1_000); // 60
 * subbarSteps(60_000, 60_000); // 3
 * ```
 */
export function subbarSteps(intervalMs: number, requoteIntervalMs: number): number {
  const steps = requoteIntervalMs > 0 ? Math.round(intervalMs / requoteIntervalMs) : 3_600;
  return Math.min(3_600, Math.max(3, steps));
}

/** Test seams of {@link SubbarBacktest}: replace the path generator, watch the decisions. */
export interface SubbarHooks {
  /** Writes bar `bar`'s path into `out[0..steps]` instead of the seeded generator. */
  path?: (bar: number, out: Float64Array) => void;
  /** Called after every decision with its time, the price it was decided at and the wanted best bid / ask (NaN: none). */
  onDecision?: (timeMs: number, mark: number, bid: number, ask: number) => void;
  /** Decide at every step, skipping none: the reference the skipping is tested against. */
  noSkip?: boolean;
}

/**
 * The candle engine with the sub-bar fill model (`runCandleBacktest` dispatches here for
 * `fillModel.type === "subbar"`).
 *
 * Each bar is walked as a seeded path through its open, extremes and close (see {@link barPath}) in steps of
 * the requote interval. At every step the strategy is marked at the path's price at the step's time (`markAt`:
 * mark-outs in time, the seconds toxicity guard and the calibration see the path) and decides its quotes from
 * the path so far and the bars closed before (it is fed a bar's close only once the bar has closed). Its
 * instructions reach the venue `latencyMs` later, where a post-only order at or through the market's other
 * side (the path ± `spreadTicks`/2 ticks) is rejected. A resting order fills at its own price where the market
 * trades through it (by `throughBps`), for at most `queueShare` of the step's share of the bar volume and the
 * bar's volume cap; the position is marked at the path's price at that moment. A position beyond the hard
 * limit is cut by a taker order at the path's price plus the slippage, `latencyMs` after the step that saw it.
 * A decision inside a bar is skipped only when it would send nothing, so the skip changes no result. Between
 * fills, venue answers and bar closes the kernel's decision is a pure function of the price when the strategy
 * has no clock of its own (no toxicity pull, no seconds toxicity guard, no online calibration: with one of them
 * every step decides), and the kernel says for which prices it sends nothing ({@link CoinKernel.quietMidRange},
 * recomputed after each of those events and each decision that sent something): a step whose price lies
 * inside that range skips the decision and the exit check (the kernel wants no exit there either). Outside it
 * (or where the kernel gives no range) a step still skips when nothing changed since the last decision, the
 * price included.
 *
 * @example
 * ```ts
 * const run = new SubbarBacktest(columns, { ...options, fillModel: subbarFillModel(), requoteIntervalMs: 1_000 }).run();
 * run.fills.length;
 * ```
 */
export class SubbarBacktest {
  readonly #candles: CandleColumns;
  readonly #options: BacktestOptions;
  readonly #params: Readonly<SubbarParams>;
  readonly #kernel: CoinKernel;
  readonly #inventory: Inventory;
  readonly #venue: SlotVenue;
  readonly #recorder: CandleRunRecorder;
  readonly #levels: number;
  readonly #slots: number;
  readonly #steps: number;
  readonly #stepMs: number;
  readonly #latencyMs: number;
  readonly #unlimitedVolume: boolean;
  readonly #pathRandom = new BarRandom();
  readonly #volumeRandom = new BarRandom();
  readonly #path: Float64Array;
  readonly #volumeShares: Float64Array;
  #volumeSharesReady = false;
  // The venue's slot arrays, read in the path walk.
  readonly #active: Uint8Array;
  readonly #trigger: Float64Array;
  /** The last step a slot filled in (one fill per slot and step). */
  readonly #filledStep: Float64Array;
  #exitAt = Number.NaN;
  // Fields holding fractional numbers start as one (NaN), so V8 keeps them as unboxed doubles.
  #exitSize = Number.NaN;
  /** Something the decision reads changed since the last decision. */
  #dirty = true;
  /** Something the decision reads changed since {@link SubbarBacktest.#quiet} was computed. */
  #quietStale = true;
  /** The prices at which a decision now would send nothing (NaN: none known). */
  readonly #quiet: MidRange = { low: Number.NaN, high: Number.NaN };
  /** Decisions may be skipped (not `noSkip`, no clock of the strategy's own). */
  readonly #skipping: boolean;
  #skipped = 0;
  #lastDecisionMark = Number.NaN;
  #bar = 0;
  #stepIndex = 0;
  /** Steps walked so far over the whole run. */
  #stepSerial = 0;
  #barVolume = Number.NaN;
  #volumeLeft = Number.NaN;
  #stepVolumeLeft = Number.NaN;
  readonly #hooks: SubbarHooks;
  /**
   * The decision can change with time alone (a pulled side's cool-down ends, the seconds toxicity guard
   * recovers, the calibration's σ samples the mid): no decision is skipped.
   */
  readonly #timeSensitive: boolean;

  constructor(candles: CandleColumns, options: BacktestOptions, hooks: SubbarHooks = {}) {
    this.#hooks = hooks;
    if (options.fillModel.type !== "subbar") {
      throw new RangeError(`SubbarBacktest needs fillModel.type "subbar", got "${options.fillModel.type}"`);
    }
    this.#candles = candles;
    this.#options = options;
    this.#params = options.fillModel.params;
    this.#kernel = new CoinKernel(options.strategy, options.instrument);
    this.#inventory = this.#kernel.ledger.inventory;
    this.#levels = options.strategy.levels;
    const venue = new SlotVenue(
      this.#levels,
      this.#kernel.orders,
      new PriceGrid(options.instrument.priceRule),
      {
        spreadTicks: this.#params.spreadTicks,
        throughTicks: 0,
        throughFraction: this.#params.throughBps / 10_000,
      },
    );
    this.#venue = venue;
    this.#recorder = new CandleRunRecorder(candles, options, this.#kernel, venue);
    this.#slots = venue.slots;
    this.#active = venue.active;
    this.#trigger = venue.trigger;
    this.#filledStep = venue.triedIn;
    this.#steps = subbarSteps(options.intervalMs, options.requoteIntervalMs ?? DEFAULT_REQUOTE_INTERVAL_MS);
    this.#stepMs = options.intervalMs / this.#steps;
    this.#latencyMs = options.latencyMs;
    this.#unlimitedVolume = options.maxVolumeShare === Number.POSITIVE_INFINITY;
    this.#path = new Float64Array(this.#steps + 1);
    this.#volumeShares = new Float64Array(this.#steps);
    const strategy = options.strategy;
    this.#timeSensitive =
      strategy.toxicityPull ||
      (strategy.toxicityGuard && strategy.toxicityClock === "seconds") ||
      strategy.calibration === "online";
    this.#skipping = hooks.noSkip !== true && !this.#timeSensitive;
    primePriceGrid(options.instrument.priceRule);
  }

  /** Decisions inside bars skipped so far because they would have sent nothing. */
  get decisionsSkipped(): number {
    return this.#skipped;
  }

  run(onProgress?: (barsDone: number, barsTotal: number) => void): BacktestRun {
    const n = this.#candles.length;
    const venue = this.#venue;
    let quotedSideBars = 0;
    // A bar's open, general step and close are methods of their own: V8 compiles and recompiles them as
    // functions instead of the whole run as one loop replaced on the stack (what a cold CLI run pays).
    for (let i = 0; i < n; i++) {
      this.#openBar(i);
      const openTime = this.#candles.openTime[i]!;
      const steps = this.#steps;
      for (let k = 0; k < steps; k++) {
        // Most steps lie in the quiet range and reach no order: walked in a loop of their own.
        if (this.#skipping && !this.#quietStale && venue.pendingCount === 0 && Number.isNaN(this.#exitAt)) {
          k = this.#quietSteps(k, openTime);
          if (k === steps) break;
        }
        this.#step(k, openTime);
      }
      quotedSideBars += this.#closeBar(i, onProgress);
    }
    onProgress?.(n, n);
    return this.#recorder.result(quotedSideBars);
  }

  /** Starts bar `i`: its volume, its path, the funding due at its open. */
  #openBar(i: number): void {
    const candles = this.#candles;
    const recorder = this.#recorder;
    const openTime = candles.openTime[i]!;
    const open = candles.open[i]!;
    this.#bar = i;
    recorder.bar = i;
    this.#barVolume = candles.volume[i]!;
    // An unlimited share (data without volume, e.g. candles built from books only) must not become ∞ × 0.
    this.#volumeLeft = this.#unlimitedVolume
      ? Number.POSITIVE_INFINITY
      : this.#options.maxVolumeShare * this.#barVolume;
    this.#volumeSharesReady = false;
    const quotedInBar = this.#venue.quotedSinceReset;
    const active = this.#active;
    for (let s = 0; s < this.#slots; s++) quotedInBar[s] = active[s]!;
    const path = this.#path;
    if (this.#hooks.path !== undefined) this.#hooks.path(i, path);
    else {
      this.#pathRandom.reset(this.#options.seed, openTime, PATH_STREAM);
      barPath(
        open,
        candles.high[i]!,
        candles.low[i]!,
        candles.close[i]!,
        this.#steps,
        this.#params,
        this.#pathRandom,
        path,
      );
    }
    if (openTime >= recorder.nextFundingTime) {
      recorder.chargeFunding(openTime, open);
      // The funding rate moves quotes with the funding skew.
      this.#dirty = true;
      this.#quietStale = true;
    }
  }

  /** Step `k` of the bar opening at `openTime`: mark, arrivals, exit check, decision, walk to the next step. */
  #step(k: number, openTime: number): void {
    const kernel = this.#kernel;
    const venue = this.#venue;
    const t = openTime + k * this.#stepMs;
    const price = this.#path[k]!;
    this.#stepIndex = k;
    this.#stepSerial++;
    this.#stepVolumeLeft = Number.NaN;
    kernel.markAt(price, t);
    // Instructions (or an exit) due before this step (after a gap in the candles) arrive at its start.
    if (venue.pendingCount > 0 || !Number.isNaN(this.#exitAt)) this.#arrive(t, price);
    let quiet = false;
    if (this.#skipping) {
      if (this.#quietStale) {
        this.#quietStale = false;
        kernel.quietMidRange(this.#quiet);
      }
      quiet = price >= this.#quiet.low && price <= this.#quiet.high;
    }
    // Inside the quiet range the kernel wants no exit either.
    if (Number.isNaN(this.#exitAt) && this.#inventory.size !== 0 && !quiet) {
      const exit = kernel.exitSize();
      if (exit !== 0) {
        this.#exitSize = exit;
        this.#exitAt = t + this.#latencyMs;
      }
    }
    if (!this.#skipping) this.#recorder.countOrders(this.#decide(t, price));
    else {
      if (quiet) this.#skipped++;
      else if (this.#dirty || price !== this.#lastDecisionMark) {
        const counts = this.#decide(t, price);
        this.#recorder.countOrders(counts);
        if (counts.placed + counts.modified + counts.cancelled > 0) this.#quietStale = true;
      }
    }
    const nextPrice = this.#path[k + 1]!;
    // Most steps have nothing arriving and reach no order (the test #fillPiece starts with): no walk.
    if (venue.pendingCount === 0 && Number.isNaN(this.#exitAt)) {
      if (this.#reachDirty) this.#updateReach();
      if (
        !(Math.min(price, nextPrice) < this.#highestBidTrigger) &&
        !(Math.max(price, nextPrice) > this.#lowestAskTrigger)
      )
        return;
    }
    this.#walkFrom = t;
    this.#walkFromPrice = price;
    this.#walkTo = t + this.#stepMs;
    this.#walkToPrice = nextPrice;
    this.#walk();
  }

  /** Closes bar `i`: mark at the close, decide the next bar's first quotes; returns the sides it quoted. */
  #closeBar(i: number, onProgress?: (barsDone: number, barsTotal: number) => void): number {
    const kernel = this.#kernel;
    const recorder = this.#recorder;
    const openTime = this.#candles.openTime[i]!;
    const close = this.#candles.close[i]!;
    // The close: mark, then decide the next bar's first quotes from data up to this close.
    kernel.markAt(close, openTime + this.#options.intervalMs);
    const quotedInBar = this.#venue.quotedSinceReset;
    let quotedSides = 0;
    for (let s = 0; s < this.#slots; s++) if (quotedInBar[s] === 1) quotedSides++;
    const closeTime = recorder.closeBar(i, openTime, close);
    this.#dirty = true;
    const counts = this.#decide(closeTime, close);
    // The bar's close moved the strategy on (volatility, toxicity guard, risk mode).
    this.#quietStale = true;
    recorder.endBar(i, counts, kernel.effectiveRiskMode(), onProgress);
    return quotedSides;
  }

  /**
   * Walks the steps from `k` on whose price lies in the quiet range and whose segment to the next step reaches
   * no resting order, while nothing is in flight: each is only marked (the general step would do nothing
   * else there). Returns the first step it did not walk.
   */
  #quietSteps(k: number, openTime: number): number {
    if (this.#reachDirty) this.#updateReach();
    const path = this.#path;
    const steps = this.#steps;
    const stepMs = this.#stepMs;
    const kernel = this.#kernel;
    const low = this.#quiet.low;
    const high = this.#quiet.high;
    const bid = this.#highestBidTrigger;
    const ask = this.#lowestAskTrigger;
    const start = k;
    for (; k < steps; k++) {
      const price = path[k]!;
      if (!(price >= low && price <= high)) break;
      const next = path[k + 1]!;
      if (Math.min(price, next) < bid || Math.max(price, next) > ask) break;
      kernel.markAt(price, openTime + k * stepMs);
    }
    this.#stepSerial += k - start;
    this.#skipped += k - start;
    return k;
  }

  /** Lets the strategy decide at time `t`, the market at `price`; returns its order instructions' counts. */
  #decide(t: number, price: number): ReturnType<CoinKernel["decide"]> {
    this.#dirty = false;
    this.#lastDecisionMark = price;
    // Its instructions reach the venue `latencyMs` later.
    this.#venue.arrivalTime = t + this.#latencyMs;
    const counts = this.#kernel.decide(t, this.#venue);
    if (this.#hooks.onDecision !== undefined) {
      const quotes = this.#kernel.quotes;
      this.#hooks.onDecision(
        t,
        price,
        quotes.bidSizes[0]! > 0 ? quotes.bidPrices[0]! : Number.NaN,
        quotes.askSizes[0]! > 0 ? quotes.askPrices[0]! : Number.NaN,
      );
    }
    return counts;
  }

  // The step #walk walks and the straight piece #fillBetween fills on, in fields: doubles passed to a call
  // that is not inlined are boxed on the heap, and these calls come at every step.
  #walkFrom = Number.NaN;
  #walkFromPrice = Number.NaN;
  #walkTo = Number.NaN;
  #walkToPrice = Number.NaN;
  #pieceFrom = Number.NaN;
  #pieceFromPrice = Number.NaN;
  #pieceTo = Number.NaN;
  #pieceToPrice = Number.NaN;

  /**
   * Walks the path from (`#walkFrom`, `#walkFromPrice`) to (`#walkTo`, `#walkToPrice`) in a straight line:
   * instructions and the taker exit arrive at their times, resting orders fill where the line trades through
   * them.
   */
  #walk(): void {
    const from = this.#walkFrom;
    const fromPrice = this.#walkFromPrice;
    const to = this.#walkTo;
    const toPrice = this.#walkToPrice;
    if (this.#venue.pendingCount === 0 && Number.isNaN(this.#exitAt)) {
      this.#fillBetween(from, fromPrice, to, toPrice);
      return;
    }
    let start = from;
    let startPrice = fromPrice;
    const span = to - from;
    for (;;) {
      const next = this.#venue.nextArrival(
        Number.isNaN(this.#exitAt) ? Number.POSITIVE_INFINITY : this.#exitAt,
      );
      if (!(next < to)) {
        this.#fillBetween(start, startPrice, to, toPrice);
        return;
      }
      const at = Math.max(next, start);
      const atPrice = fromPrice + ((toPrice - fromPrice) * (at - from)) / span;
      this.#fillBetween(start, startPrice, at, atPrice);
      this.#arrive(at, atPrice);
      start = at;
      startPrice = atPrice;
    }
  }

  /** Fills the resting orders the straight path from `fromPrice` to `toPrice` trades through, earliest first. */
  #fillBetween(from: number, fromPrice: number, to: number, toPrice: number): void {
    this.#pieceFrom = from;
    this.#pieceFromPrice = fromPrice;
    this.#pieceTo = to;
    this.#pieceToPrice = toPrice;
    this.#fillPiece();
  }

  /** {@link SubbarBacktest.#fillBetween} on the piece in the fields. */
  #fillPiece(): void {
    const from = this.#pieceFrom;
    const fromPrice = this.#pieceFromPrice;
    const to = this.#pieceTo;
    const toPrice = this.#pieceToPrice;
    const lowest = Math.min(fromPrice, toPrice);
    const highest = Math.max(fromPrice, toPrice);
    // Most steps reach no order: the highest bid trigger and the lowest ask trigger decide it at once.
    if (this.#reachDirty) this.#updateReach();
    if (!(lowest < this.#highestBidTrigger) && !(highest > this.#lowestAskTrigger)) return;
    const slots = this.#slots;
    const levels = this.#levels;
    const active = this.#active;
    const trigger = this.#trigger;
    const step = this.#stepSerial;
    while (this.#volumeLeft > 0) {
      let best = -1;
      let bestFraction = 2;
      for (let s = 0; s < slots; s++) {
        if (active[s] !== 1 || this.#filledStep[s] === step) continue;
        const level = trigger[s]!;
        const isBid = s < levels;
        if (isBid ? !(lowest < level) : !(highest > level)) continue;
        // Where on the line it is first traded through (0: already through at the start).
        const beyond = isBid ? fromPrice < level : fromPrice > level;
        const fraction = beyond ? 0 : (level - fromPrice) / (toPrice - fromPrice);
        if (fraction < bestFraction) {
          best = s;
          bestFraction = fraction;
        }
      }
      if (best < 0) return;
      this.#filledStep[best] = step;
      const time = from + (to - from) * bestFraction;
      const pathPrice = bestFraction === 0 ? fromPrice : trigger[best]!;
      this.#fillSlot(best, time, pathPrice);
    }
  }

  #reachDirty = true;
  #highestBidTrigger = Number.NaN;
  #lowestAskTrigger = Number.NaN;

  #updateReach(): void {
    this.#reachDirty = false;
    let bid = Number.NEGATIVE_INFINITY;
    let ask = Number.POSITIVE_INFINITY;
    for (let s = 0; s < this.#slots; s++) {
      if (this.#active[s] !== 1) continue;
      const trigger = this.#trigger[s]!;
      if (s < this.#levels) {
        if (trigger > bid) bid = trigger;
      } else if (trigger < ask) ask = trigger;
    }
    this.#highestBidTrigger = bid;
    this.#lowestAskTrigger = ask;
  }

  #fillSlot(slot: number, time: number, pathPrice: number): void {
    if (!this.#volumeSharesReady) {
      this.#volumeSharesReady = true;
      this.#volumeRandom.reset(this.#options.seed, this.#candles.openTime[this.#bar]!, VOLUME_STREAM);
      stepVolumeShares(this.#steps, this.#params.tradeSizeDispersion, this.#volumeRandom, this.#volumeShares);
    }
    // The step's volume is shared by the orders it fills: what earlier fills of the step took is gone.
    if (Number.isNaN(this.#stepVolumeLeft)) {
      this.#stepVolumeLeft = this.#unlimitedVolume
        ? Number.POSITIVE_INFINITY
        : this.#params.queueShare * this.#barVolume * this.#volumeShares[this.#stepIndex]!;
    }
    const venue = this.#venue;
    const size = Math.min(venue.remaining[slot]!, this.#volumeLeft, this.#stepVolumeLeft);
    if (!(size > 0)) return;
    this.#stepVolumeLeft -= size;
    this.#volumeLeft -= size;
    const clientId = venue.clientId[slot]!;
    if (venue.take(slot, size)) this.#reachDirty = true;
    // The market is where the path traded through the order when it fills.
    const timeMs = Math.floor(time);
    this.#kernel.markAt(pathPrice, timeMs);
    this.#dirty = true;
    this.#quietStale = true;
    this.#recorder.recordFill(
      clientId,
      slot < this.#levels ? "buy" : "sell",
      venue.price[slot]!,
      size,
      "maker",
      timeMs,
    );
  }

  /** Applies the instructions (and the exit) that reach the venue by `time`, the path being at `price`. */
  #arrive(time: number, price: number): void {
    if (this.#exitAt <= time) this.#executeExit(time, price);
    if (this.#venue.applyDue(time, price) > 0) {
      this.#dirty = true;
      this.#quietStale = true;
      this.#reachDirty = true;
    }
  }

  /** The taker exit reaches the venue: it trades at the path's price plus the slippage, never flipping the position. */
  #executeExit(time: number, price: number): void {
    const signed = this.#exitSize;
    this.#exitAt = Number.NaN;
    this.#exitSize = 0;
    const position = this.#inventory.size;
    const size = Math.min(Math.abs(signed), Math.abs(position));
    if (size <= 0 || Math.sign(signed) === Math.sign(position)) return;
    const slippage = this.#options.takerSlippageBps / 10_000;
    const side: Side = signed > 0 ? "buy" : "sell";
    const fillPrice = side === "buy" ? price * (1 + slippage) : price * (1 - slippage);
    this.#dirty = true;
    this.#quietStale = true;
    this.#recorder.recordExit(side, fillPrice, size, Math.floor(time), price);
  }
}

/**
 * Runs a price grid's slow path (a new power of ten on a significant-figures grid) a few times before the run.
 * Its first runs, at start-up, leave V8 no type feedback there; a path that later crosses a power of ten where
 * the step changes (SOL through 100; BTC through 100,000 did until the grid kept its capped step of 1 across it)
 * then deoptimises every compiled function that inlined the grid — the step loop, the walk, the strategy's
 * quotes and quiet range — and V8 compiles them all again (≈ 0.4 s of compiler CPU on the 90-day BTC file).
 * Results are unchanged: the grid is a throwaway.
 */
function primePriceGrid(rule: PriceRule): void {
  const grid = new PriceGrid(rule);
  for (let i = 0; i < 24; i++) grid.stepAt(i % 2 === 0 ? 1.5 : 15);
}

/**
 * The sub-bar model's simulated price at any time of a run, regenerated from the same seeded bar paths the
 * run walked (a path depends only on its bar, the seed, the parameters and the step count): what time-based
 * mark-outs of a sub-bar run are measured against. NaN outside the candles.
 *
 * @example
 * ```ts
 * const prices = subbarPathPrices(columns, options);
 * prices.priceAt(fill.timeMs + 60_000); // the simulated mid a minute after the fill
 * ```
 */
export function subbarPathPrices(
  candles: CandleColumns,
  options: BacktestOptions,
): { priceAt(timeMs: number): number } {
  if (options.fillModel.type !== "subbar") {
    throw new RangeError(`subbarPathPrices needs fillModel.type "subbar", got "${options.fillModel.type}"`);
  }
  const params = options.fillModel.params;
  const steps = subbarSteps(options.intervalMs, options.requoteIntervalMs ?? DEFAULT_REQUOTE_INTERVAL_MS);
  const stepMs = options.intervalMs / steps;
  const path = new Float64Array(steps + 1);
  const random = new BarRandom();
  let cachedBar = -1;
  return {
    priceAt(timeMs: number): number {
      const n = candles.length;
      if (n === 0) return Number.NaN;
      // The bar holding `timeMs`: binary search on the open times.
      let low = 0;
      let high = n - 1;
      if (timeMs < candles.openTime[0]! || timeMs > candles.openTime[n - 1]! + options.intervalMs)
        return Number.NaN;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (candles.openTime[middle]! <= timeMs) low = middle;
        else high = middle - 1;
      }
      const into = timeMs - candles.openTime[low]!;
      // In a gap between bars the market is unknown.
      if (into > options.intervalMs) return Number.NaN;
      if (low !== cachedBar) {
        cachedBar = low;
        random.reset(options.seed, candles.openTime[low]!, PATH_STREAM);
        barPath(
          candles.open[low]!,
          candles.high[low]!,
          candles.low[low]!,
          candles.close[low]!,
          steps,
          params,
          random,
          path,
        );
      }
      const position = into / stepMs;
      const k = Math.min(steps - 1, Math.floor(position));
      return path[k]! + (path[k + 1]! - path[k]!) * (position - k);
    },
  };
}

/**
 * Size-weighted mark-out (bps, negative = adverse) of a sub-bar run's fills `horizonMs` after each fill,
 * against the run's own simulated path ({@link subbarPathPrices}); null when no fill has a price that far.
 *
 * @example
 * ```ts
 * subbarMarkoutBps(run.fills, columns, options, 60_000); // e.g. −1.8
 * ```
 */
export function subbarMarkoutBps(
  fills: readonly FillRecord[],
  candles: CandleColumns,
  options: BacktestOptions,
  horizonMs: number,
): number | null {
  const prices = subbarPathPrices(candles, options);
  return (
    aggregateMarkouts(fills, [horizonMs], (fill) => prices.priceAt(fill.timeMs + horizonMs)).allBps[0] ?? null
  );
}
