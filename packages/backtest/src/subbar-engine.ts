import { PriceGrid, type Side } from "@botmm/core";
import type { Inventory } from "@botmm/inventory";
import { CoinKernel, type OrderActionSink, type RiskMode, type WorkingOrder } from "@botmm/strategy";
import type { CandleColumns } from "./candle-columns.ts";
import type { BacktestOptions, BacktestRun, FillRecord } from "./engine.ts";
import { FundingCursor } from "./funding.ts";
import { aggregateMarkouts } from "./metrics.ts";
import { BarRandom, barPath, type SubbarParams, stepVolumeShares } from "./subbar-path.ts";

const HOUR_MS = 3_600_000;
const NONE = 0;
const PLACE = 1;
const MODIFY = 2;
const CANCEL = 3;
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
}

/**
 * The candle engine with the sub-bar fill model (`runCandleBacktest` dispatches here for
 * `fillModel.type === "subbar"`).
 *
 * Each bar is walked as a seeded path through its open, extremes and close (see {@link barPath}) in steps of
 * the requote interval. At every step the strategy is marked at the path's price and decides its quotes from
 * the path so far and the bars closed before (it is fed a bar's close only once the bar has closed). Its
 * instructions reach the venue `latencyMs` later, where a post-only order at or through the market's other
 * side (the path ± `spreadTicks`/2 ticks) is rejected. A resting order fills at its own price where the market
 * trades through it (by `throughBps`), for at most `queueShare` of the step's share of the bar volume and the
 * bar's volume cap; the position is marked at the path's price at that moment. A position beyond the hard
 * limit is cut by a taker order at the path's price plus the slippage, `latencyMs` after the step that saw it.
 * A decision is skipped only when nothing it reads changed since the last one (same price, no fill, no venue
 * answer, no bar closed): the kernel's decision is a pure function of those, so the skip changes no result.
 *
 * @example
 * ```ts
 * const run = new SubbarBacktest(columns, { ...options, fillModel: subbarFillModel(), requoteIntervalMs: 1_000 }).run();
 * run.fills.length;
 * ```
 */
export class SubbarBacktest implements OrderActionSink {
  readonly #candles: CandleColumns;
  readonly #options: BacktestOptions;
  readonly #params: Readonly<SubbarParams>;
  readonly #kernel: CoinKernel;
  readonly #inventory: Inventory;
  readonly #levels: number;
  readonly #slots: number;
  readonly #steps: number;
  readonly #stepMs: number;
  readonly #latencyMs: number;
  readonly #throughFraction: number;
  readonly #halfSpreadTicks: number;
  readonly #grid: PriceGrid;
  readonly #unlimitedVolume: boolean;
  readonly #pathRandom = new BarRandom();
  readonly #volumeRandom = new BarRandom();
  readonly #path: Float64Array;
  readonly #volumeShares: Float64Array;
  #volumeSharesReady = false;
  // The venue's view of each quote slot (bids 0..L−1, asks L..2L−1).
  readonly #active: Uint8Array;
  readonly #clientId: Float64Array;
  readonly #price: Float64Array;
  readonly #trigger: Float64Array;
  readonly #remaining: Float64Array;
  readonly #slotFilled: Uint8Array;
  /** The last step a slot filled in (one fill per slot and step). */
  readonly #filledStep: Float64Array;
  readonly #quotedInBar: Uint8Array;
  // Instructions in flight, one per slot (the order manager sends no second one before the answer).
  readonly #pendingKind: Uint8Array;
  readonly #pendingAt: Float64Array;
  readonly #pendingClientId: Float64Array;
  readonly #pendingPrice: Float64Array;
  readonly #pendingSize: Float64Array;
  #pendingCount = 0;
  #exitAt = Number.NaN;
  // Fields holding fractional numbers start as one (NaN), so V8 keeps them as unboxed doubles.
  #exitSize = Number.NaN;
  #takerExits = 0;
  /** Something the decision reads changed since the last decision. */
  #dirty = true;
  #lastDecisionMark = Number.NaN;
  /** Time of the decision being made (its instructions reach the venue `latencyMs` later). */
  #decisionTime = Number.NaN;
  #bar = 0;
  #stepIndex = 0;
  /** Steps walked so far over the whole run. */
  #stepSerial = 0;
  #barVolume = Number.NaN;
  #volumeLeft = Number.NaN;
  #stepVolumeLeft = Number.NaN;
  #ordersFilled = 0;
  #rejectedPostOnly = 0;
  #placed = 0;
  #modified = 0;
  #cancelled = 0;
  readonly #fills: FillRecord[] = [];
  readonly #hooks: SubbarHooks;

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
    const slots = 2 * this.#levels;
    this.#slots = slots;
    this.#steps = subbarSteps(options.intervalMs, options.requoteIntervalMs ?? DEFAULT_REQUOTE_INTERVAL_MS);
    this.#stepMs = options.intervalMs / this.#steps;
    this.#latencyMs = options.latencyMs;
    this.#throughFraction = this.#params.throughBps / 10_000;
    this.#halfSpreadTicks = this.#params.spreadTicks / 2;
    this.#grid = new PriceGrid(options.instrument.priceRule);
    this.#unlimitedVolume = options.maxVolumeShare === Number.POSITIVE_INFINITY;
    this.#path = new Float64Array(this.#steps + 1);
    this.#volumeShares = new Float64Array(this.#steps);
    this.#active = new Uint8Array(slots);
    this.#clientId = new Float64Array(slots);
    this.#price = new Float64Array(slots);
    this.#trigger = new Float64Array(slots);
    this.#remaining = new Float64Array(slots);
    this.#slotFilled = new Uint8Array(slots);
    this.#filledStep = new Float64Array(slots).fill(-1);
    this.#quotedInBar = new Uint8Array(slots);
    this.#pendingKind = new Uint8Array(slots);
    this.#pendingAt = new Float64Array(slots);
    this.#pendingClientId = new Float64Array(slots);
    this.#pendingPrice = new Float64Array(slots);
    this.#pendingSize = new Float64Array(slots);
  }

  // OrderActionSink: the strategy's instructions, reaching the venue after the latency.
  place(order: WorkingOrder): void {
    this.#setPending(order, PLACE);
  }

  modify(order: WorkingOrder): void {
    this.#setPending(order, MODIFY);
  }

  cancel(order: WorkingOrder): void {
    this.#setPending(order, CANCEL);
  }

  #setPending(order: WorkingOrder, kind: number): void {
    const slot = order.side === "buy" ? order.level : this.#levels + order.level;
    if (this.#pendingKind[slot] === NONE) this.#pendingCount++;
    this.#pendingKind[slot] = kind;
    this.#pendingAt[slot] = this.#decisionTime + this.#latencyMs;
    this.#pendingClientId[slot] = order.clientId;
    this.#pendingPrice[slot] = order.price;
    this.#pendingSize[slot] = order.size;
  }

  run(onProgress?: (barsDone: number, barsTotal: number) => void): BacktestRun {
    const candles = this.#candles;
    const options = this.#options;
    const n = candles.length;
    const equityUsd = new Float64Array(n);
    const positionUsd = new Float64Array(n);
    const spreadUsdByBar = new Float64Array(n);
    const feesUsdByBar = new Float64Array(n);
    const fundingUsdByBar = new Float64Array(n);
    const restingBid = new Float64Array(n).fill(Number.NaN);
    const restingAsk = new Float64Array(n).fill(Number.NaN);
    const decidedBid = new Float64Array(n).fill(Number.NaN);
    const decidedAsk = new Float64Array(n).fill(Number.NaN);
    const kernel = this.#kernel;
    const quotes = kernel.quotes;
    const funding = new FundingCursor(options.funding);
    const risk = options.risk;
    const steps = this.#steps;
    const stepMs = this.#stepMs;
    const path = this.#path;
    const params = this.#params;
    const seed = options.seed;
    const levels = this.#levels;
    const slots = this.#slots;
    const active = this.#active;
    const quotedInBar = this.#quotedInBar;
    const progressEvery = Math.max(1, Math.floor(n / 100));
    let progressCountdown = progressEvery;
    let nextFundingTime = n > 0 ? Math.floor(candles.openTime[0]! / HOUR_MS) * HOUR_MS + HOUR_MS : 0;
    let fundingHoursMissing = 0;
    let fundingHoursApplied = 0;
    let quotedSideBars = 0;
    let haltedBars = 0;
    let reduceOnlyBars = 0;
    let warmupBars = 0;

    for (let i = 0; i < n; i++) {
      const openTime = candles.openTime[i]!;
      const open = candles.open[i]!;
      const close = candles.close[i]!;
      this.#bar = i;
      this.#barVolume = candles.volume[i]!;
      // An unlimited share (data without volume, e.g. candles built from books only) must not become ∞ × 0.
      this.#volumeLeft = this.#unlimitedVolume
        ? Number.POSITIVE_INFINITY
        : options.maxVolumeShare * this.#barVolume;
      this.#volumeSharesReady = false;
      for (let s = 0; s < slots; s++) quotedInBar[s] = active[s]!;
      if (this.#hooks.path !== undefined) this.#hooks.path(i, path);
      else {
        this.#pathRandom.reset(seed, openTime, PATH_STREAM);
        barPath(open, candles.high[i]!, candles.low[i]!, close, steps, params, this.#pathRandom, path);
      }

      if (openTime >= nextFundingTime) {
        // Funding is charged at each hour's open; a bar that starts past an hour (a gap) charges it once.
        nextFundingTime = Math.floor(openTime / HOUR_MS) * HOUR_MS + HOUR_MS;
        const rate = funding.rateAt(openTime);
        if (Number.isNaN(rate)) fundingHoursMissing++;
        else {
          if (this.#inventory.size !== 0) kernel.applyFunding(rate, open);
          fundingHoursApplied++;
        }
      }

      for (let k = 0; k < steps; k++) {
        const t = openTime + k * stepMs;
        const price = path[k]!;
        this.#stepIndex = k;
        this.#stepSerial++;
        this.#stepVolumeLeft = Number.NaN;
        kernel.mark(price);
        // Instructions (or an exit) due before this step (after a gap in the candles) arrive at its start.
        if (this.#pendingCount > 0 || !Number.isNaN(this.#exitAt)) this.#arrive(t, price);
        if (Number.isNaN(this.#exitAt) && this.#inventory.size !== 0) {
          const exit = kernel.exitSize();
          if (exit !== 0) {
            this.#exitSize = exit;
            this.#exitAt = t + this.#latencyMs;
          }
        }
        if (this.#dirty || price !== this.#lastDecisionMark) this.#decide(t, price);
        this.#walk(t, price, t + stepMs, path[k + 1]!);
      }

      // The close: mark, then decide the next bar's first quotes from data up to this close.
      kernel.mark(close);
      for (let s = 0; s < slots; s++) {
        if (quotedInBar[s] === 1) quotedSideBars++;
        if (active[s] === 1) {
          if (s === 0) restingBid[i] = this.#price[0]!;
          else if (s === levels) restingAsk[i] = this.#price[levels]!;
        }
      }
      equityUsd[i] = this.#inventory.totalPnlUsd(close);
      positionUsd[i] = this.#inventory.size * close;
      spreadUsdByBar[i] = kernel.ledger.spreadUsd;
      feesUsdByBar[i] = this.#inventory.netFeesUsd;
      fundingUsdByBar[i] = this.#inventory.fundingPnlUsd;

      kernel.onBarClose(close);
      const closeTime = openTime + options.intervalMs;
      if (risk !== undefined) kernel.setRiskMode(risk.decide(kernel.riskInputs(closeTime)));
      this.#dirty = true;
      this.#decide(closeTime, close);
      const mode: RiskMode = kernel.effectiveRiskMode();
      if (mode === "halt") haltedBars++;
      else if (mode === "reduce-only") reduceOnlyBars++;
      if (kernel.decision.status === "warming-up") warmupBars++;
      if (quotes.bidSizes[0]! > 0) decidedBid[i] = quotes.bidPrices[0]!;
      if (quotes.askSizes[0]! > 0) decidedAsk[i] = quotes.askPrices[0]!;

      if (--progressCountdown === 0) {
        progressCountdown = progressEvery;
        onProgress?.(i + 1, n);
      }
    }
    onProgress?.(n, n);

    const lastClose = n > 0 ? candles.close[n - 1]! : 0;
    const pnl = kernel.pnl();
    return {
      bars: n,
      fills: this.#fills,
      equityUsd,
      positionUsd,
      spreadUsdByBar,
      feesUsdByBar,
      fundingUsdByBar,
      restingBid,
      restingAsk,
      decidedBid,
      decidedAsk,
      pnl: {
        totalUsd: pnl.totalUsd,
        spreadUsd: pnl.spreadUsd,
        inventoryUsd: pnl.inventoryUsd,
        feesUsd: pnl.feesUsd,
        fundingUsd: pnl.fundingUsd,
      },
      ledgerTotalUsd: this.#inventory.totalPnlUsd(lastClose),
      finalPosition: this.#inventory.size,
      quotedSideBars,
      orders: {
        placed: this.#placed,
        modified: this.#modified,
        cancelled: this.#cancelled,
        rejectedPostOnly: this.#rejectedPostOnly,
      },
      takerExits: this.#takerExits,
      ordersFilled: this.#ordersFilled,
      fundingHoursMissing,
      fundingHoursApplied,
      warmupBars,
      haltedBars,
      reduceOnlyBars,
      halt: kernel.haltAccounting(),
    };
  }

  #decide(t: number, price: number): void {
    this.#dirty = false;
    this.#lastDecisionMark = price;
    this.#decisionTime = t;
    const counts = this.#kernel.decide(t, this);
    if (this.#hooks.onDecision !== undefined) {
      const quotes = this.#kernel.quotes;
      this.#hooks.onDecision(
        t,
        price,
        quotes.bidSizes[0]! > 0 ? quotes.bidPrices[0]! : Number.NaN,
        quotes.askSizes[0]! > 0 ? quotes.askPrices[0]! : Number.NaN,
      );
    }
    this.#placed += counts.placed;
    this.#modified += counts.modified;
    this.#cancelled += counts.cancelled;
  }

  /**
   * Walks the path from (`from`, `fromPrice`) to (`to`, `toPrice`) in a straight line: instructions and the
   * taker exit arrive at their times, resting orders fill where the line trades through them.
   */
  #walk(from: number, fromPrice: number, to: number, toPrice: number): void {
    if (this.#pendingCount === 0 && Number.isNaN(this.#exitAt)) {
      this.#fillBetween(from, fromPrice, to, toPrice);
      return;
    }
    let start = from;
    let startPrice = fromPrice;
    const span = to - from;
    for (;;) {
      const next = this.#nextArrival();
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

  /** The earliest time an instruction or the exit reaches the venue (∞ when none is in flight). */
  #nextArrival(): number {
    let next = !Number.isNaN(this.#exitAt) ? this.#exitAt : Number.POSITIVE_INFINITY;
    if (this.#pendingCount === 0) return next;
    for (let s = 0; s < this.#slots; s++) {
      if (this.#pendingKind[s] !== NONE && this.#pendingAt[s]! < next) next = this.#pendingAt[s]!;
    }
    return next;
  }

  /** Fills the resting orders the straight path from `fromPrice` to `toPrice` trades through, earliest first. */
  #fillBetween(from: number, fromPrice: number, to: number, toPrice: number): void {
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
    const size = Math.min(this.#remaining[slot]!, this.#volumeLeft, this.#stepVolumeLeft);
    if (!(size > 0)) return;
    this.#stepVolumeLeft -= size;
    this.#volumeLeft -= size;
    if (this.#slotFilled[slot] === 0) {
      this.#slotFilled[slot] = 1;
      this.#ordersFilled++;
    }
    const side: Side = slot < this.#levels ? "buy" : "sell";
    const price = this.#price[slot]!;
    const clientId = this.#clientId[slot]!;
    this.#remaining[slot] = this.#remaining[slot]! - size;
    if (this.#remaining[slot]! <= 1e-12) {
      this.#active[slot] = 0;
      this.#reachDirty = true;
    }
    // The market is where the path traded through the order when it fills.
    this.#kernel.mark(pathPrice);
    this.#record(clientId, side, price, size, "maker", Math.floor(time));
  }

  #record(
    clientId: number,
    side: Side,
    price: number,
    size: number,
    liquidity: "maker" | "taker",
    timeMs: number,
    exitReferenceMid = Number.NaN,
  ): void {
    const kernel = this.#kernel;
    const feeUsd = kernel.bookFill(clientId, side, price, size, liquidity, timeMs, exitReferenceMid);
    this.#dirty = true;
    this.#fills.push({
      timeMs,
      barIndex: this.#bar,
      side,
      price,
      size,
      feeUsd,
      liquidity,
      positionAfter: this.#inventory.size,
      referenceMid: kernel.lastFillReferenceMid,
    });
  }

  /** Applies the instructions (and the exit) that reach the venue by `time`, the path being at `price`. */
  #arrive(time: number, price: number): void {
    if (this.#exitAt <= time) this.#executeExit(time, price);
    if (this.#pendingCount === 0) return;
    const orders = this.#kernel.orders;
    for (let s = 0; s < this.#slots; s++) {
      const kind = this.#pendingKind[s]!;
      if (kind === NONE || this.#pendingAt[s]! > time) continue;
      this.#pendingKind[s] = NONE;
      this.#pendingCount--;
      this.#dirty = true;
      const clientId = this.#pendingClientId[s]!;
      this.#reachDirty = true;
      if (kind === CANCEL) {
        this.#active[s] = 0;
        orders.onClosed(clientId);
        continue;
      }
      if (kind === MODIFY && this.#active[s] !== 1) {
        // The order to modify was filled before the modify arrived: the venue refuses it.
        orders.onClosed(clientId);
        continue;
      }
      const limit = this.#pendingPrice[s]!;
      const isBid = s < this.#levels;
      // The market's best bid and ask sit half the spread either side of the path.
      const halfSpread = this.#halfSpreadTicks === 0 ? 0 : this.#halfSpreadTicks * this.#grid.stepAt(limit);
      if (isBid ? limit >= price + halfSpread : limit <= price - halfSpread) {
        // Post-only: an order that would take liquidity on arrival is rejected (a modify loses the old order too).
        this.#active[s] = 0;
        this.#rejectedPostOnly++;
        orders.onClosed(clientId);
        continue;
      }
      this.#active[s] = 1;
      this.#quotedInBar[s] = 1;
      this.#reachDirty = true;
      this.#clientId[s] = clientId;
      this.#price[s] = limit;
      // Trades reach the order once the market's near side is through it (by throughBps).
      this.#trigger[s] = isBid
        ? limit * (1 - this.#throughFraction) + halfSpread
        : limit * (1 + this.#throughFraction) - halfSpread;
      this.#remaining[s] = this.#pendingSize[s]!;
      this.#slotFilled[s] = 0;
      this.#filledStep[s] = -1;
      orders.onAccepted(clientId);
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
    this.#takerExits++;
    this.#record(0, side, fillPrice, size, "taker", Math.floor(time), price);
  }
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
