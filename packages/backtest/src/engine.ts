import { createRandom, type Instrument, PriceGrid, type Random, type Side } from "@botmm/core";
import type { Inventory } from "@botmm/inventory";
import {
  CoinKernel,
  type HaltAccounting,
  type OrderActionSink,
  type RiskInputs,
  type RiskMode,
  type StrategyConfig,
  type WorkingOrder,
} from "@botmm/strategy";
import type { CandleColumns } from "./candle-columns.ts";
import type { BarPath, FillModel } from "./fill-model.ts";
import { FundingCursor, type FundingSchedule } from "./funding.ts";
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
  /** Best bid / ask resting during each bar (NaN when none): the quotes the bar was tested against. */
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
}

const HOUR_MS = 3_600_000;
const NONE = 0;
const PLACE = 1;
const MODIFY = 2;
const CANCEL = 3;

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

class CandleBacktest implements OrderActionSink {
  readonly #candles: CandleColumns;
  readonly #options: BacktestOptions;
  readonly #kernel: CoinKernel;
  readonly #inventory: Inventory;
  readonly #random: Random;
  readonly #levels: number;
  readonly #slots: number;
  // The venue's view of each quote slot (bids 0..L−1, asks L..2L−1).
  readonly #active: Uint8Array;
  readonly #clientId: Float64Array;
  readonly #price: Float64Array;
  readonly #remaining: Float64Array;
  /** 1 once the order resting in the slot has had a fill. */
  readonly #slotFilled: Uint8Array;
  #ordersFilled = 0;
  readonly #triggerPrice: Float64Array;
  readonly #grid: PriceGrid;
  /** Ticks an order must be traded through to fill (0 unless the fill model is `cross`). */
  readonly #throughTicks: number;
  readonly #decidedBar: Float64Array;
  // Instructions sent at the last close, taking effect after the latency.
  readonly #pendingKind: Uint8Array;
  readonly #pendingClientId: Float64Array;
  readonly #pendingPrice: Float64Array;
  readonly #pendingSize: Float64Array;
  // The bar path: four points at times 0, 1/3, 2/3, 1.
  readonly #pathPrice = new Float64Array(4);
  #pendingCount = 0;
  #bar = 0;
  #barOpenTime = 0;
  #volumeLeft = 0;
  #fills: FillRecord[] = [];
  #rejectedPostOnly = 0;

  constructor(candles: CandleColumns, options: BacktestOptions) {
    this.#candles = candles;
    this.#options = options;
    this.#kernel = new CoinKernel(options.strategy, options.instrument);
    this.#levels = options.strategy.levels;
    this.#inventory = this.#kernel.ledger.inventory;
    this.#random = createRandom(options.seed);
    const slots = 2 * this.#levels;
    this.#slots = slots;
    this.#active = new Uint8Array(slots);
    this.#clientId = new Float64Array(slots);
    this.#price = new Float64Array(slots);
    this.#remaining = new Float64Array(slots);
    this.#slotFilled = new Uint8Array(slots);
    this.#triggerPrice = new Float64Array(slots);
    this.#grid = new PriceGrid(options.instrument.priceRule);
    this.#throughTicks = options.fillModel.type === "cross" ? options.fillModel.throughTicks : 0;
    this.#decidedBar = new Float64Array(slots).fill(-1);
    this.#pendingKind = new Uint8Array(slots);
    this.#pendingClientId = new Float64Array(slots);
    this.#pendingPrice = new Float64Array(slots);
    this.#pendingSize = new Float64Array(slots);
  }

  // OrderActionSink: the strategy's instructions at a close, applied by the venue after the latency.
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
    this.#pendingCount++;
    this.#pendingKind[slot] = kind;
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
    const activation = Math.min(1, options.latencyMs / options.intervalMs);
    const unlimitedVolume = options.maxVolumeShare === Number.POSITIVE_INFINITY;
    const slippage = options.takerSlippageBps / 10_000;
    const path = this.#pathPrice;
    const progressEvery = Math.max(1, Math.floor(n / 100));
    let progressCountdown = progressEvery;
    let nextFundingTime = n > 0 ? Math.floor(candles.openTime[0]! / HOUR_MS) * HOUR_MS + HOUR_MS : 0;
    const risk = options.risk;

    let fundingHoursMissing = 0;
    let fundingHoursApplied = 0;
    let takerExits = 0;
    let pendingExitSize = 0; // signed: + buy, − sell, executed at the next open
    let quotedSideBars = 0;
    let placed = 0;
    let modified = 0;
    let cancelled = 0;
    let haltedBars = 0;
    let reduceOnlyBars = 0;
    let warmupBars = 0;

    for (let i = 0; i < n; i++) {
      const openTime = candles.openTime[i]!;
      const open = candles.open[i]!;
      const high = candles.high[i]!;
      const low = candles.low[i]!;
      const close = candles.close[i]!;
      this.#bar = i;
      this.#barOpenTime = openTime;
      // An unlimited share (data without volume, e.g. candles built from books only) must not become ∞ × 0.
      this.#volumeLeft = unlimitedVolume
        ? Number.POSITIVE_INFINITY
        : options.maxVolumeShare * candles.volume[i]!;
      const positionAtOpen = this.#inventory.size;

      // Marks: what the position held into this bar earned or lost from the previous close to this close.
      kernel.mark(close);

      if (openTime >= nextFundingTime) {
        // Funding is charged at each hour's open; a bar that starts past an hour (a gap) charges it once.
        nextFundingTime = Math.floor(openTime / HOUR_MS) * HOUR_MS + HOUR_MS;
        const rate = funding.rateAt(openTime);
        if (Number.isNaN(rate)) fundingHoursMissing++;
        else {
          if (positionAtOpen !== 0) kernel.applyFunding(rate, open);
          fundingHoursApplied++;
        }
      }

      if (pendingExitSize !== 0) {
        const side: Side = pendingExitSize > 0 ? "buy" : "sell";
        const price = side === "buy" ? open * (1 + slippage) : open * (1 - slippage);
        this.#recordFill(0, side, price, Math.abs(pendingExitSize), "taker", openTime, open);
        pendingExitSize = 0;
        takerExits++;
      }

      // The bar's path.
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
      if (activation > 0 && this.#anyReachable(low, high)) this.#fillAlongPath(0, activation);
      this.#applyPending(activation);
      if (this.#anyReachable(low, high)) this.#fillAlongPath(activation, 1);

      for (let s = 0; s < this.#slots; s++) {
        if (this.#active[s] === 1) {
          quotedSideBars++;
          if (s < this.#levels) {
            if (s === 0) restingBid[i] = this.#price[s]!;
          } else if (s === this.#levels) restingAsk[i] = this.#price[s]!;
        }
      }

      // The close: mark, then decide the next bar's quotes from data up to this close.
      const position = this.#inventory.size;
      const equity = this.#inventory.totalPnlUsd(close);
      equityUsd[i] = equity;
      positionUsd[i] = position * close;
      spreadUsdByBar[i] = kernel.ledger.spreadUsd;
      feesUsdByBar[i] = this.#inventory.netFeesUsd;
      fundingUsdByBar[i] = this.#inventory.fundingPnlUsd;

      kernel.onBarClose(close);
      const closeTime = openTime + options.intervalMs;
      if (risk !== undefined) kernel.setRiskMode(risk.decide(kernel.riskInputs(closeTime)));
      // The hard-limit cut, or the whole position on a halt with onHalt "flatten": a taker order at the next open.
      pendingExitSize = kernel.exitSize();
      const counts = kernel.decide(closeTime, this);
      const mode: RiskMode = kernel.decidedRiskMode;
      if (mode === "halt") haltedBars++;
      else if (mode === "reduce-only") reduceOnlyBars++;
      if (kernel.decision.status === "warming-up") warmupBars++;
      if (quotes.bidSizes[0]! > 0) decidedBid[i] = quotes.bidPrices[0]!;
      if (quotes.askSizes[0]! > 0) decidedAsk[i] = quotes.askPrices[0]!;
      placed += counts.placed;
      modified += counts.modified;
      cancelled += counts.cancelled;

      if (--progressCountdown === 0) {
        progressCountdown = progressEvery;
        onProgress?.(i + 1, n);
      }
    }
    onProgress?.(n, n);

    const lastClose = n > 0 ? candles.close[n - 1]! : 0;
    const ledgerTotalUsd = this.#inventory.totalPnlUsd(lastClose);
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
      ledgerTotalUsd,
      finalPosition: this.#inventory.size,
      quotedSideBars,
      orders: { placed, modified, cancelled, rejectedPostOnly: this.#rejectedPostOnly },
      takerExits,
      ordersFilled: this.#ordersFilled,
      fundingHoursMissing,
      fundingHoursApplied,
      warmupBars,
      haltedBars,
      reduceOnlyBars,
      halt: kernel.haltAccounting(),
    };
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

  /** The price an order must reach to fill under the fill model. */
  #triggerFor(slot: number, price: number): number {
    if (this.#throughTicks === 0) return price;
    const step = this.#grid.stepAt(price) * this.#throughTicks;
    return slot < this.#levels ? price - step : price + step;
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
    if (this.#slotFilled[slot] === 0) {
      this.#slotFilled[slot] = 1;
      this.#ordersFilled++;
    }
    const side: Side = slot < this.#levels ? "buy" : "sell";
    const price = this.#price[slot]!;
    const clientId = this.#clientId[slot]!;
    this.#remaining[slot] = this.#remaining[slot]! - size;
    if (this.#remaining[slot]! <= 1e-12) this.#active[slot] = 0;
    const timeMs = Math.floor(this.#barOpenTime + t * this.#options.intervalMs);
    this.#recordFill(clientId, side, price, size, "maker", timeMs);
  }

  #recordFill(
    clientId: number,
    side: Side,
    price: number,
    size: number,
    liquidity: "maker" | "taker",
    timeMs: number,
    exitReferenceMid = Number.NaN,
  ): void {
    // The kernel is marked at this bar's close: units are marked from their reference mid to it here.
    const kernel = this.#kernel;
    const feeUsd = kernel.bookFill(clientId, side, price, size, liquidity, timeMs, exitReferenceMid);
    const referenceMid = kernel.lastFillReferenceMid;
    this.#fills.push({
      timeMs,
      barIndex: this.#bar,
      side,
      price,
      size,
      feeUsd,
      liquidity,
      positionAfter: this.#inventory.size,
      referenceMid,
    });
  }

  /** New instructions reach the venue at time fraction `t` of the bar. */
  #applyPending(t: number): void {
    if (this.#pendingCount === 0) return;
    this.#pendingCount = 0;
    const priceNow = this.#priceAt(t);
    for (let s = 0; s < this.#slots; s++) {
      const kind = this.#pendingKind[s]!;
      if (kind === NONE) continue;
      this.#pendingKind[s] = NONE;
      const clientId = this.#pendingClientId[s]!;
      if (kind === CANCEL) {
        this.#active[s] = 0;
        this.#kernel.orders.onClosed(clientId);
        continue;
      }
      if (kind === MODIFY && this.#active[s] !== 1) {
        // The order to modify was filled before the modify arrived: the venue refuses it.
        this.#kernel.orders.onClosed(clientId);
        continue;
      }
      const price = this.#pendingPrice[s]!;
      const isBid = s < this.#levels;
      if (isBid ? price >= priceNow : price <= priceNow) {
        // Post-only: an order that would take liquidity on arrival is rejected (a modify loses the old order too).
        this.#active[s] = 0;
        this.#rejectedPostOnly++;
        this.#kernel.orders.onClosed(clientId);
        continue;
      }
      this.#active[s] = 1;
      this.#clientId[s] = clientId;
      this.#price[s] = price;
      this.#triggerPrice[s] = this.#triggerFor(s, price);
      this.#remaining[s] = this.#pendingSize[s]!;
      this.#slotFilled[s] = 0;
      this.#decidedBar[s] = -1;
      this.#kernel.orders.onAccepted(clientId);
    }
  }
}
