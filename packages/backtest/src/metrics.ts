import type { CandleColumns } from "./candle-columns.ts";
import type { BacktestRun, FillRecord } from "./engine.ts";

const DAY_MS = 86_400_000;
/**
 * Fewest daily points an annualised ratio (Sharpe, Sortino) is computed from: below it the standard error of
 * a daily Sharpe (≈ 1/√n) dwarfs any value, so the ratios are withheld rather than printed as "10.09".
 */
export const MIN_DAILY_POINTS_FOR_RATIOS = 30;
/** Mark-out horizons, in bars after the fill. */
export const MARKOUT_BARS = [1, 5, 15] as const;

/** PnL of one UTC day. */
export interface DailyPnl {
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  pnl: number;
  fills: number;
  volumeUsd: number;
}

/** Mid move after fills, signed so that negative = the market moved against the fill (adverse selection). */
export interface Markouts {
  bars: number[];
  /** Size-weighted mean mark-out of buys / sells / all fills at each horizon, in bps of the fill price. */
  buyBps: (number | null)[];
  sellBps: (number | null)[];
  allBps: (number | null)[];
  /** Sum of size × signed price move at each horizon, USD. */
  totalUsd: number[];
}

/** The numbers a user judges a run by. */
export interface BacktestMetrics {
  fills: { buy: number; sell: number; maker: number; taker: number };
  /** Fills per side-bar with a resting quote. */
  fillRate: number;
  volumeUsd: number;
  maxAbsInventoryUsd: number;
  maxDrawdownUsd: number;
  /**
   * Annualised (√365) Sharpe and Sortino of daily PnL; null with fewer than
   * {@link MIN_DAILY_POINTS_FOR_RATIOS} daily points or no dispersion ({@link BacktestMetrics.ratiosUnavailable} says which).
   */
  sharpe: number | null;
  sortino: number | null;
  /** Why `sharpe` / `sortino` are null, in words; null when both were computed. */
  ratiosUnavailable: string | null;
  returnOverDrawdown: number | null;
  bestDay: DailyPnl | null;
  worstDay: DailyPnl | null;
  daysWon: number;
  daysLost: number;
  dailyMeanPnl: number;
  dailyMedianPnl: number;
  daily: DailyPnl[];
  markouts: Markouts;
}

/** {@link barExtremes}' answer: the largest |position| (USD) and the largest drawdown (USD). */
const extremes = new Float64Array(2);

/**
 * The largest |position| (USD) at a bar's close and the largest fall of equity from its peak, over the per-bar
 * series, into {@link extremes}. A function of its own: V8 compiles a hot loop on stack replacement with the
 * feedback it has so far, and inside computeMetrics that compiled code deoptimised at the first call after the
 * loop in every run. Its answer goes to a typed array, not an object literal: building the literal after the
 * loop made the compiled loop deoptimise at the end of every run as well ("insufficient type feedback").
 */
function barExtremes(run: BacktestRun): void {
  let peak = 0;
  let maxDrawdownUsd = 0;
  let maxAbsInventoryUsd = 0;
  const positionUsd = run.positionUsd;
  const equityUsd = run.equityUsd;
  for (let i = 0; i < run.bars; i++) {
    const inventory = Math.abs(positionUsd[i]!);
    if (inventory > maxAbsInventoryUsd) maxAbsInventoryUsd = inventory;
    const equity = equityUsd[i]!;
    if (equity > peak) peak = equity;
    if (peak - equity > maxDrawdownUsd) maxDrawdownUsd = peak - equity;
  }
  extremes[0] = maxAbsInventoryUsd;
  extremes[1] = maxDrawdownUsd;
}

/**
 * Computes the report's metrics from a run: fills per side, fill rate, volume, max inventory, drawdown, daily
 * PnL (UTC days), Sharpe and Sortino (daily, annualised with √365; only from
 * {@link MIN_DAILY_POINTS_FOR_RATIOS} daily points on), and mark-outs at 1, 5 and 15 bars.
 *
 * @example
 * ```ts
 * const metrics = computeMetrics(run, columns);
 * metrics.sharpe; // e.g. 1.4, or null for fewer than 30 days
 * metrics.ratiosUnavailable; // e.g. "only 2 daily points: Sharpe and Sortino need at least 30"
 * ```
 */
export function computeMetrics(run: BacktestRun, candles: CandleColumns): BacktestMetrics {
  // One pass over the fills and one over the bars (a sweep computes this for every configuration).
  let buy = 0;
  let maker = 0;
  let volumeUsd = 0;
  let maxAbsInventoryUsd = 0;
  const runFills = run.fills;
  for (let f = 0; f < runFills.length; f++) {
    const fill = runFills[f]!;
    if (fill.side === "buy") buy++;
    if (fill.liquidity === "maker") maker++;
    volumeUsd += fill.price * fill.size;
    const inventory = Math.abs(fill.positionAfter * fill.price);
    if (inventory > maxAbsInventoryUsd) maxAbsInventoryUsd = inventory;
  }
  const fills = { buy, sell: runFills.length - buy, maker, taker: runFills.length - maker };

  barExtremes(run);
  if (extremes[0]! > maxAbsInventoryUsd) maxAbsInventoryUsd = extremes[0]!;
  const maxDrawdownUsd = extremes[1]!;

  const daily = dailyPnl(run, candles);
  const pnls = daily.map((day) => day.pnl);
  const mean = average(pnls);
  const enoughDays = pnls.length >= MIN_DAILY_POINTS_FOR_RATIOS;
  const sharpe = enoughDays ? annualisedRatio(pnls, false) : null;
  const sortino = enoughDays ? annualisedRatio(pnls, true) : null;
  const ratiosUnavailable = !enoughDays
    ? `only ${pnls.length} daily point${pnls.length === 1 ? "" : "s"}: Sharpe and Sortino need at least ${MIN_DAILY_POINTS_FOR_RATIOS}`
    : sharpe === null || sortino === null
      ? `daily PnL has no ${sharpe === null ? "dispersion" : "losing day"}: ${sharpe === null ? "Sharpe and Sortino are" : "Sortino is"} undefined`
      : null;
  let bestDay: DailyPnl | null = null;
  let worstDay: DailyPnl | null = null;
  for (const day of daily) {
    if (bestDay === null || day.pnl > bestDay.pnl) bestDay = day;
    if (worstDay === null || day.pnl < worstDay.pnl) worstDay = day;
  }
  return {
    fills,
    fillRate: run.quotedSideBars > 0 ? fills.maker / run.quotedSideBars : 0,
    volumeUsd,
    maxAbsInventoryUsd,
    maxDrawdownUsd,
    sharpe,
    sortino,
    ratiosUnavailable,
    returnOverDrawdown: maxDrawdownUsd > 0 ? run.pnl.totalUsd / maxDrawdownUsd : null,
    bestDay,
    worstDay,
    daysWon: pnls.filter((pnl) => pnl > 0).length,
    daysLost: pnls.filter((pnl) => pnl < 0).length,
    dailyMeanPnl: mean,
    dailyMedianPnl: median(pnls),
    daily,
    markouts: markouts(run.fills, candles),
  };
}

function dailyPnl(run: BacktestRun, candles: CandleColumns): DailyPnl[] {
  const days: DailyPnl[] = [];
  const fills = run.fills;
  const openTime = candles.openTime;
  const equityUsd = run.equityUsd;
  let fillIndex = 0;
  // The bar of the next fill to attribute (-1: none left); fills come in bar order.
  let nextFillBar = fills.length > 0 ? fills[0]!.barIndex : -1;
  let previousEquity = 0;
  // The current UTC day as [dayStart, dayEnd) ms: a bar in it needs no division to know its day.
  let dayStart = Number.NaN;
  let dayEnd = Number.NaN;
  let current: DailyPnl | null = null;
  for (let i = 0; i < run.bars; i++) {
    const time = openTime[i]!;
    if (!(time >= dayStart && time < dayEnd)) {
      const barDay = Math.floor(time / DAY_MS);
      if (current !== null) {
        current.pnl = equityUsd[i - 1]! - previousEquity;
        previousEquity = equityUsd[i - 1]!;
        days.push(current);
      }
      dayStart = barDay * DAY_MS;
      dayEnd = dayStart + DAY_MS;
      current = {
        date: new Date(barDay * DAY_MS).toISOString().slice(0, 10),
        pnl: 0,
        fills: 0,
        volumeUsd: 0,
      };
    }
    while (nextFillBar === i) {
      const fill = fills[fillIndex]!;
      current!.fills++;
      current!.volumeUsd += fill.price * fill.size;
      fillIndex++;
      nextFillBar = fillIndex < fills.length ? fills[fillIndex]!.barIndex : -1;
    }
  }
  if (current !== null) {
    current.pnl = equityUsd[run.bars - 1]! - previousEquity;
    days.push(current);
  }
  return days;
}

/** Size-weighted mark-outs of fills at each horizon, per side and overall, in bps of the fill price. */
export interface MarkoutSums {
  buyBps: (number | null)[];
  sellBps: (number | null)[];
  allBps: (number | null)[];
  totalUsd: number[];
}

/**
 * Aggregates mark-outs: for each horizon, each fill's signed price move from its fill price to
 * `priceAfter(fill, horizon)` (NaN: no price that far, the fill is left out), size-weighted per side.
 * Negative = the market moved against the fill (adverse selection). Shared by the candle and replay reports.
 *
 * @example
 * ```ts
 * const sums = aggregateMarkouts(fills, [1, 5], (fill, bars) => closes[fill.barIndex + bars] ?? Number.NaN);
 * sums.allBps[0]; // e.g. −1.4
 * ```
 */
export function aggregateMarkouts<F extends { side: "buy" | "sell"; price: number; size: number }>(
  fills: readonly F[],
  horizons: readonly number[],
  priceAfter: (fill: F, horizon: number) => number,
): MarkoutSums {
  const result: MarkoutSums = { buyBps: [], sellBps: [], allBps: [], totalUsd: [] };
  for (const horizon of horizons) {
    let buyWeighted = 0;
    let buySize = 0;
    let sellWeighted = 0;
    let sellSize = 0;
    let usd = 0;
    for (const fill of fills) {
      const later = priceAfter(fill, horizon);
      if (Number.isNaN(later)) continue;
      const sign = fill.side === "buy" ? 1 : -1;
      const move = sign * (later - fill.price);
      usd += move * fill.size;
      const bps = (move / fill.price) * 10_000;
      if (sign > 0) {
        buyWeighted += bps * fill.size;
        buySize += fill.size;
      } else {
        sellWeighted += bps * fill.size;
        sellSize += fill.size;
      }
    }
    result.buyBps.push(buySize > 0 ? buyWeighted / buySize : null);
    result.sellBps.push(sellSize > 0 ? sellWeighted / sellSize : null);
    result.allBps.push(buySize + sellSize > 0 ? (buyWeighted + sellWeighted) / (buySize + sellSize) : null);
    result.totalUsd.push(usd);
  }
  return result;
}

/**
 * {@link aggregateMarkouts} at {@link MARKOUT_BARS} on the candles' closes, inlined: every horizon in one pass
 * over the fills, each horizon's sums added in the same order (so the same numbers, to the bit).
 */
function markouts(fills: readonly FillRecord[], candles: CandleColumns): Markouts {
  const close = candles.close;
  const length = candles.length;
  const [h0, h1, h2] = MARKOUT_BARS;
  // Per horizon k: [buyWeighted, buySize, sellWeighted, sellSize, usd] at 5k…5k+4.
  const sums = new Float64Array(15);
  for (let f = 0; f < fills.length; f++) {
    const fill = fills[f]!;
    const buy = fill.side === "buy";
    const sign = buy ? 1 : -1;
    const price = fill.price;
    const size = fill.size;
    const side = buy ? 0 : 2;
    const bar = fill.barIndex;
    addMarkout(sums, 0, side, bar + h0 < length ? close[bar + h0]! : Number.NaN, sign, price, size);
    addMarkout(sums, 5, side, bar + h1 < length ? close[bar + h1]! : Number.NaN, sign, price, size);
    addMarkout(sums, 10, side, bar + h2 < length ? close[bar + h2]! : Number.NaN, sign, price, size);
  }
  const result: Markouts = { bars: [...MARKOUT_BARS], buyBps: [], sellBps: [], allBps: [], totalUsd: [] };
  for (let k = 0; k < MARKOUT_BARS.length; k++) {
    const buyWeighted = sums[5 * k]!;
    const buySize = sums[5 * k + 1]!;
    const sellWeighted = sums[5 * k + 2]!;
    const sellSize = sums[5 * k + 3]!;
    result.buyBps.push(buySize > 0 ? buyWeighted / buySize : null);
    result.sellBps.push(sellSize > 0 ? sellWeighted / sellSize : null);
    result.allBps.push(buySize + sellSize > 0 ? (buyWeighted + sellWeighted) / (buySize + sellSize) : null);
    result.totalUsd.push(sums[5 * k + 4]!);
  }
  return result;
}

/** One fill's mark-out at one horizon into `sums` (the horizon's five sums at `at`; `side` 0 buy, 2 sell). */
function addMarkout(
  sums: Float64Array,
  at: number,
  side: number,
  later: number,
  sign: number,
  price: number,
  size: number,
): void {
  if (Number.isNaN(later)) return;
  const move = sign * (later - price);
  sums[at + 4] = sums[at + 4]! + move * size;
  const bps = (move / price) * 10_000;
  sums[at + side] = sums[at + side]! + bps * size;
  sums[at + side + 1] = sums[at + side + 1]! + size;
}

function average(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Mean over standard deviation (or downside deviation), × √365. Scale-free, so capital does not matter. */
function annualisedRatio(values: readonly number[], downsideOnly: boolean): number | null {
  if (values.length < 2) return null;
  const mean = average(values);
  let sumSquares = 0;
  for (const value of values) {
    const deviation = downsideOnly ? Math.min(0, value) : value - mean;
    sumSquares += deviation * deviation;
  }
  const deviation = Math.sqrt(sumSquares / (downsideOnly ? values.length : values.length - 1));
  if (deviation === 0) return null;
  return (mean / deviation) * Math.sqrt(365);
}
