import type { Side } from "@botmm/core";
import type { Inventory } from "@botmm/inventory";
import type { CoinKernel, PnlSplit, RiskMode } from "@botmm/strategy";
import type { CandleColumns } from "./candle-columns.ts";
import type { BacktestOptions, BacktestRun, FillRecord } from "./engine.ts";
import { FundingCursor } from "./funding.ts";
import type { SlotVenue } from "./slot-venue.ts";

const HOUR_MS = 3_600_000;

/** The per-bar series of a candle run: the arrays of {@link BacktestRun} of the same names. */
export type RunSeries = Pick<
  BacktestRun,
  | "equityUsd"
  | "positionUsd"
  | "spreadUsdByBar"
  | "feesUsdByBar"
  | "fundingUsdByBar"
  | "restingBid"
  | "restingAsk"
  | "decidedBid"
  | "decidedAsk"
>;

/**
 * Arrays for the per-bar series of runs of up to `bars` bars, to pass as `BacktestOptions.series` to every run
 * of a caller that runs many (a sweep worker): each run writes its series into them instead of allocating
 * 9 × 8 bytes a bar, so many runs cost no new memory, no page faults on fresh memory and no collections.
 *
 * @example
 * ```ts
 * const series = createRunSeries(columns.length);
 * for (const strategy of strategies) {
 *   const run = runCandleBacktest(columns, { ...options, strategy, series });
 *   rows.push(computeMetrics(run, columns).sharpe); // read a run before the next one overwrites its series
 * }
 * ```
 */
export function createRunSeries(bars: number): RunSeries {
  return {
    equityUsd: new Float64Array(bars),
    positionUsd: new Float64Array(bars),
    spreadUsdByBar: new Float64Array(bars),
    feesUsdByBar: new Float64Array(bars),
    fundingUsdByBar: new Float64Array(bars),
    restingBid: new Float64Array(bars),
    restingAsk: new Float64Array(bars),
    decidedBid: new Float64Array(bars),
    decidedAsk: new Float64Array(bars),
  };
}

/** The first `bars` values of one of `series`' arrays (a view, no copy). */
function seriesOf(series: RunSeries, name: keyof RunSeries, bars: number): Float64Array {
  const array = series[name];
  if (array.length < bars)
    throw new RangeError(`series.${name} holds ${array.length} bars, the run needs ${bars}`);
  return array.length === bars ? array : array.subarray(0, bars);
}

/** The order instructions of one decision, as the kernel counts them. */
type OrderCounts = { placed: number; modified: number; cancelled: number };

/**
 * The parts of a candle backtest both engines share besides the venue: the fill ledger, funding at each
 * hour's open, the per-bar series and counts, progress reports and the {@link BacktestRun} they add up to.
 * The engine walks the bars and calls it at the fixed points of a bar: its open ({@link chargeFunding}),
 * every fill, its close ({@link closeBar}) and the decision for the next bar ({@link endBar}).
 *
 * @example
 * ```ts
 * const recorder = new CandleRunRecorder(columns, options, kernel, venue);
 * recorder.bar = i;
 * if (openTime >= recorder.nextFundingTime) recorder.chargeFunding(openTime, open);
 * recorder.recordFill(clientId, "buy", 100, 0.01, "maker", openTime + 20_000);
 * const closeTime = recorder.closeBar(i, openTime, close);
 * recorder.endBar(i, kernel.decide(closeTime, venue), kernel.decidedRiskMode, onProgress);
 * const run = recorder.result(quotedSideBars);
 * ```
 */
export class CandleRunRecorder {
  /** The bar being walked: fills are booked to it. */
  bar = 0;
  /** The next hour's open, when funding is next due (engines test it before calling {@link chargeFunding}). */
  nextFundingTime: number;
  readonly fills: FillRecord[] = [];
  readonly equityUsd: Float64Array;
  readonly positionUsd: Float64Array;
  readonly spreadUsdByBar: Float64Array;
  readonly feesUsdByBar: Float64Array;
  readonly fundingUsdByBar: Float64Array;
  readonly restingBid: Float64Array;
  readonly restingAsk: Float64Array;
  readonly decidedBid: Float64Array;
  readonly decidedAsk: Float64Array;
  readonly #candles: CandleColumns;
  readonly #options: BacktestOptions;
  readonly #kernel: CoinKernel;
  readonly #inventory: Inventory;
  readonly #venue: SlotVenue;
  readonly #funding: FundingCursor;
  readonly #progressEvery: number;
  #progressCountdown: number;
  #fundingHoursMissing = 0;
  #fundingHoursApplied = 0;
  #takerExits = 0;
  #placed = 0;
  #modified = 0;
  #cancelled = 0;
  #haltedBars = 0;
  #reduceOnlyBars = 0;
  #warmupBars = 0;
  /** Whether the best resting and decided quotes are recorded per bar (`BacktestOptions.quoteSeries`). */
  readonly #quoteSeries: boolean;
  /**
   * The close price and time of the bar being closed (set by closeBar / closeCandle, read by #recordClose): a
   * typed array, stored in place at every bar (as a field would be only if its first value were a double).
   */
  readonly #closing = new Float64Array(2);
  /** The closed bar handed to the kernel when it reads OHLC (reused: the calibration reads it and keeps nothing). */
  readonly #bar: { open: number; high: number; low: number; close: number } = {
    open: Number.NaN,
    high: Number.NaN,
    low: Number.NaN,
    close: Number.NaN,
  };

  constructor(candles: CandleColumns, options: BacktestOptions, kernel: CoinKernel, venue: SlotVenue) {
    const n = candles.length;
    this.#candles = candles;
    this.#options = options;
    this.#kernel = kernel;
    this.#inventory = kernel.ledger.inventory;
    this.#venue = venue;
    this.#funding = new FundingCursor(options.funding);
    this.#progressEvery = Math.max(1, Math.floor(n / 100));
    this.#progressCountdown = this.#progressEvery;
    this.nextFundingTime = n > 0 ? Math.floor(candles.openTime[0]! / HOUR_MS) * HOUR_MS + HOUR_MS : 0;
    const series = options.series ?? createRunSeries(n);
    this.equityUsd = seriesOf(series, "equityUsd", n);
    this.positionUsd = seriesOf(series, "positionUsd", n);
    this.spreadUsdByBar = seriesOf(series, "spreadUsdByBar", n);
    this.feesUsdByBar = seriesOf(series, "feesUsdByBar", n);
    this.fundingUsdByBar = seriesOf(series, "fundingUsdByBar", n);
    // Written only at bars with a quote: the rest must read NaN, also in arrays an earlier run wrote.
    this.#quoteSeries = options.quoteSeries !== false;
    const quoteBars = this.#quoteSeries ? n : 0;
    this.restingBid = seriesOf(series, "restingBid", quoteBars).fill(Number.NaN);
    this.restingAsk = seriesOf(series, "restingAsk", quoteBars).fill(Number.NaN);
    this.decidedBid = seriesOf(series, "decidedBid", quoteBars).fill(Number.NaN);
    this.decidedAsk = seriesOf(series, "decidedAsk", quoteBars).fill(Number.NaN);
    // The funding skew leans on the rate in force from the first bar, not only from the first hour's open.
    if (n > 0) kernel.setFundingRate(this.#funding.rateAt(candles.openTime[0]!));
  }

  /**
   * Charges funding on the position held at the open of a bar starting at or after {@link nextFundingTime};
   * a bar that starts past an hour (a gap) charges it once. The hour's rate becomes the kernel's funding rate
   * (the funding skew).
   */
  chargeFunding(openTime: number, open: number): void {
    this.nextFundingTime = Math.floor(openTime / HOUR_MS) * HOUR_MS + HOUR_MS;
    const rate = this.#funding.rateAt(openTime);
    // The funding skew's rate (a missing hour counts as 0, as the kernel takes NaN).
    this.#kernel.setFundingRate(rate);
    if (Number.isNaN(rate)) this.#fundingHoursMissing++;
    else {
      if (this.#inventory.size !== 0) this.#kernel.applyFunding(rate, open);
      this.#fundingHoursApplied++;
    }
  }

  /** Books a fill with the kernel (which must be marked where the fill's mark-out starts) and logs it. */
  recordFill(
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
    this.fills.push({
      timeMs,
      barIndex: this.bar,
      side,
      price,
      size,
      feeUsd,
      liquidity,
      positionAfter: this.#inventory.size,
      referenceMid: kernel.lastFillReferenceMid,
    });
  }

  /** A taker exit (the hard-limit cut or a flatten on halt): a fill with no order, priced off `referenceMid`. */
  recordExit(side: Side, price: number, size: number, timeMs: number, referenceMid: number): void {
    this.#takerExits++;
    this.recordFill(0, side, price, size, "taker", timeMs, referenceMid);
  }

  /**
   * The bar's close (the kernel marked at `close`): records the bar's series and the best quotes resting at
   * the close, feeds the kernel the closed bar (its OHLC and close time, for the range estimators of the
   * online calibration) and the risk gate's decision; returns the close time.
   */
  closeBar(i: number, openTime: number, close: number): number {
    const closeTime = openTime + this.#options.intervalMs;
    this.#closing[0] = close;
    this.#closing[1] = closeTime;
    this.#recordClose(i);
    return closeTime;
  }

  /**
   * {@link CandleRunRecorder.closeBar} of candle `i` at its own close. Takes and returns no price or time: a
   * number passed to or returned from a call that is not inlined is boxed on the heap, once per bar.
   */
  closeCandle(i: number): void {
    this.#closing[0] = this.#candles.close[i]!;
    this.#closing[1] = this.#candles.openTime[i]! + this.#options.intervalMs;
    this.#recordClose(i);
  }

  /** The close of bar `i` at the price and time in {@link #closing}. */
  #recordClose(i: number): void {
    const close = this.#closing[0]!;
    const closeTime = this.#closing[1]!;
    const inventory = this.#inventory;
    const kernel = this.#kernel;
    const venue = this.#venue;
    if (this.#quoteSeries) {
      if (venue.active[0] === 1) this.restingBid[i] = venue.price[0]!;
      if (venue.active[venue.levels] === 1) this.restingAsk[i] = venue.price[venue.levels]!;
    }
    this.equityUsd[i] = inventory.totalPnlUsd(close);
    this.positionUsd[i] = inventory.size * close;
    this.spreadUsdByBar[i] = kernel.ledger.spreadUsd;
    this.feesUsdByBar[i] = inventory.netFeesUsd;
    this.fundingUsdByBar[i] = inventory.fundingPnlUsd;
    if (kernel.maker.readsOhlc) {
      const candles = this.#candles;
      const bar = this.#bar;
      bar.open = candles.open[i]!;
      bar.high = candles.high[i]!;
      bar.low = candles.low[i]!;
      bar.close = close;
      kernel.onBarClose(close, bar, closeTime);
    } else kernel.onBarClose(close, null, closeTime);
    const risk = this.#options.risk;
    if (risk !== undefined) kernel.setRiskMode(risk.decide(kernel.riskInputs(closeTime)));
  }

  /**
   * Ends bar `i`: records the decision made at its close for the next bar (its order instructions `counts`,
   * made in risk mode `mode`) and reports progress about every 1% of the bars.
   */
  endBar(
    i: number,
    counts: OrderCounts,
    mode: RiskMode,
    onProgress: ((barsDone: number, barsTotal: number) => void) | undefined,
  ): void {
    this.countOrders(counts);
    const kernel = this.#kernel;
    const quotes = kernel.quotes;
    if (mode === "halt") this.#haltedBars++;
    else if (mode === "reduce-only") this.#reduceOnlyBars++;
    if (kernel.decision.status === "warming-up") this.#warmupBars++;
    if (this.#quoteSeries) {
      if (quotes.bidSizes[0]! > 0) this.decidedBid[i] = quotes.bidPrices[0]!;
      if (quotes.askSizes[0]! > 0) this.decidedAsk[i] = quotes.askPrices[0]!;
    }
    if (--this.#progressCountdown !== 0) return;
    this.#progressCountdown = this.#progressEvery;
    onProgress?.(i + 1, this.#candles.length);
  }

  /** Adds a decision's order instructions to the run's counts. */
  countOrders(counts: OrderCounts): void {
    this.#placed += counts.placed;
    this.#modified += counts.modified;
    this.#cancelled += counts.cancelled;
  }

  /** The run's outcome once every bar is walked. */
  result(quotedSideBars: number): BacktestRun {
    const n = this.#candles.length;
    const kernel = this.#kernel;
    const inventory = this.#inventory;
    const venue = this.#venue;
    const lastClose = n > 0 ? this.#candles.close[n - 1]! : 0;
    return {
      bars: n,
      fills: this.fills,
      equityUsd: this.equityUsd,
      positionUsd: this.positionUsd,
      spreadUsdByBar: this.spreadUsdByBar,
      feesUsdByBar: this.feesUsdByBar,
      fundingUsdByBar: this.fundingUsdByBar,
      restingBid: this.restingBid,
      restingAsk: this.restingAsk,
      decidedBid: this.decidedBid,
      decidedAsk: this.decidedAsk,
      pnl: pnlTotals(kernel.pnl()),
      ledgerTotalUsd: inventory.totalPnlUsd(lastClose),
      finalPosition: inventory.size,
      quotedSideBars,
      orders: {
        placed: this.#placed,
        modified: this.#modified,
        cancelled: this.#cancelled,
        rejectedPostOnly: venue.rejectedPostOnly,
      },
      takerExits: this.#takerExits,
      ordersFilled: venue.ordersFilled,
      fundingHoursMissing: this.#fundingHoursMissing,
      fundingHoursApplied: this.#fundingHoursApplied,
      warmupBars: this.#warmupBars,
      haltedBars: this.#haltedBars,
      reduceOnlyBars: this.#reduceOnlyBars,
      halt: kernel.haltAccounting(),
      markoutsBps: kernel.markouts.summary(),
      calibration: {
        sigmaBps: kernel.decision.sigmaBps,
        intensityScalePerBar: kernel.decision.intensityScalePerBar,
        intensityDecayPerBps: kernel.decision.intensityDecayPerBps,
        sigmaSource: kernel.decision.sigmaSource,
        intensitySource: kernel.decision.intensitySource,
      },
    };
  }
}

/**
 * The PnL split of a run's report, copied out of the kernel's live split (which keeps changing).
 *
 * @example
 * ```ts
 * pnlTotals(kernel.pnl()); // { totalUsd, spreadUsd, inventoryUsd, feesUsd, fundingUsd }
 * ```
 */
export function pnlTotals(pnl: PnlSplit): BacktestRun["pnl"] {
  return {
    totalUsd: pnl.totalUsd,
    spreadUsd: pnl.spreadUsd,
    inventoryUsd: pnl.inventoryUsd,
    feesUsd: pnl.feesUsd,
    fundingUsd: pnl.fundingUsd,
  };
}
