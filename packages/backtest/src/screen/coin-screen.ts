// What the candles of one coin say about market making on it: spread estimates, volatility, volume, funding,
// overall, per hour of day (UTC) and per clock hour (how often an hour's spread would have paid the fees).
import type { CandleColumns } from "../candle-columns.ts";
import { combinedSpreadBps, SpreadAccumulator, type SpreadEstimate } from "./spread-estimators.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** One hour of day (UTC) of a coin: the spread estimates over every pair of bars starting in it. */
export interface HourOfDayScreen extends SpreadEstimate {
  hour: number;
  /** {@link combinedSpreadBps} of the hour. */
  spreadBps: number | null;
}

/** Funding rates of one coin: parallel arrays, rates per hour (positive: longs pay), times in ms. */
export interface FundingRates {
  timeMs: Float64Array | readonly number[];
  ratePerHour: Float64Array | readonly number[];
}

/** What {@link screenCoin} needs besides the candles. */
export interface CoinScreenOptions {
  coin: string;
  intervalMs: number;
  /** The round trip a maker pays (2 × maker fee) in bps; negative with a rebate. */
  roundTripFeeBps: number;
  /** The coin's funding; rates inside the candles' span are averaged. */
  funding?: FundingRates;
  /** Clock hours with fewer bar pairs than this do not count in {@link CoinScreen.payingHoursShare}; default half the hour's bars. */
  minPairsPerHour?: number;
}

/** The candle screen of one coin. */
export interface CoinScreen extends SpreadEstimate {
  coin: string;
  bars: number;
  /** First open time and the end of the last bar (ms). */
  startMs: number;
  endMs: number;
  days: number;
  /** {@link combinedSpreadBps}: the mean of Corwin–Schultz and Abdi–Ranaldo. */
  spreadBps: number | null;
  /** spreadBps − the round-trip maker fee: what a maker capturing the whole estimated spread keeps, bps. */
  edgeBps: number | null;
  roundTripFeeBps: number;
  /** Standard deviation of bar-to-bar log returns scaled to a day (√(bars a day)), in percent. */
  volatilityDailyPct: number | null;
  /** Σ volume × close over the span, per day. */
  volumeUsdPerDay: number;
  /** Mean funding rate per hour over the span (null: no rates in it). */
  fundingMeanPerHour: number | null;
  /** The mean × 24 × 365, in percent (positive: longs pay). */
  fundingAnnualisedPct: number | null;
  fundingPoints: number;
  /** Share of clock hours whose combined spread estimate exceeds the round-trip maker fee. */
  payingHoursShare: number | null;
  hoursCounted: number;
  /** 24 rows, hour 0–23 UTC. */
  byHour: HourOfDayScreen[];
}

/**
 * Screens one coin's candles: Corwin–Schultz and Abdi–Ranaldo spread estimates over every pair of consecutive
 * bars (a pair across a gap in the data is skipped), overall and per hour of day; the share of clock hours
 * whose estimate pays the round-trip maker fee; daily volatility, USD volume per day and mean funding.
 *
 * @example
 * ```ts
 * const screen = screenCoin(toCandleColumns(candles), { coin: "BTC", intervalMs: 60_000, roundTripFeeBps: 3 });
 * screen.spreadBps; // e.g. 1.4
 * screen.byHour[14]!.spreadBps;
 * ```
 */
export function screenCoin(candles: CandleColumns, options: CoinScreenOptions): CoinScreen {
  const { intervalMs, roundTripFeeBps } = options;
  const { openTime, high, low, close, volume } = candles;
  const n = candles.length;
  const all = new SpreadAccumulator();
  const hours = Array.from({ length: 24 }, () => new SpreadAccumulator());
  const minPairs = options.minPairsPerHour ?? Math.max(1, Math.floor(HOUR_MS / intervalMs / 2));

  let payingHours = 0;
  let hoursCounted = 0;
  let clockHour = Number.NaN;
  let hourWindow = new SpreadAccumulator();
  const closeHour = () => {
    if (hourWindow.pairs >= minPairs) {
      hoursCounted++;
      const spread = combinedSpreadBps(hourWindow.estimate());
      if (spread !== null && spread > roundTripFeeBps) payingHours++;
    }
  };

  let returnSum = 0;
  let returnSquares = 0;
  let returns = 0;
  let volumeUsd = 0;
  for (let i = 0; i < n; i++) {
    volumeUsd += volume[i]! * close[i]!;
    if (i + 1 >= n || openTime[i + 1]! - openTime[i]! !== intervalMs) continue;
    const h0 = high[i]!;
    const l0 = low[i]!;
    const c0 = close[i]!;
    const h1 = high[i + 1]!;
    const l1 = low[i + 1]!;
    all.addPair(h0, l0, c0, h1, l1);
    const hourStart = Math.floor(openTime[i]! / HOUR_MS);
    hours[hourStart % 24]!.addPair(h0, l0, c0, h1, l1);
    if (hourStart !== clockHour) {
      closeHour();
      clockHour = hourStart;
      hourWindow = new SpreadAccumulator();
    }
    hourWindow.addPair(h0, l0, c0, h1, l1);
    const r = Math.log(close[i + 1]! / c0);
    if (Number.isFinite(r)) {
      returnSum += r;
      returnSquares += r * r;
      returns++;
    }
  }
  closeHour();

  const startMs = n > 0 ? openTime[0]! : 0;
  const endMs = n > 0 ? openTime[n - 1]! + intervalMs : 0;
  const days = (endMs - startMs) / DAY_MS;
  const estimate = all.estimate();
  const spreadBps = combinedSpreadBps(estimate);
  const variance = returns > 1 ? (returnSquares - (returnSum * returnSum) / returns) / (returns - 1) : null;
  const funding = meanFunding(options.funding, startMs, endMs);
  return {
    coin: options.coin,
    bars: n,
    startMs,
    endMs,
    days,
    ...estimate,
    spreadBps,
    edgeBps: spreadBps === null ? null : spreadBps - roundTripFeeBps,
    roundTripFeeBps,
    volatilityDailyPct:
      variance === null ? null : Math.sqrt(Math.max(0, variance) * (DAY_MS / intervalMs)) * 100,
    volumeUsdPerDay: days > 0 ? volumeUsd / days : 0,
    fundingMeanPerHour: funding.mean,
    fundingAnnualisedPct: funding.mean === null ? null : funding.mean * 24 * 365 * 100,
    fundingPoints: funding.points,
    payingHoursShare: hoursCounted > 0 ? payingHours / hoursCounted : null,
    hoursCounted,
    byHour: hours.map((accumulator, hour) => {
      const hourEstimate = accumulator.estimate();
      return { hour, ...hourEstimate, spreadBps: combinedSpreadBps(hourEstimate) };
    }),
  };
}

function meanFunding(
  funding: FundingRates | undefined,
  startMs: number,
  endMs: number,
): { mean: number | null; points: number } {
  if (funding === undefined) return { mean: null, points: 0 };
  let sum = 0;
  let points = 0;
  for (let i = 0; i < funding.timeMs.length; i++) {
    const t = funding.timeMs[i]!;
    if (t < startMs || t >= endMs) continue;
    sum += funding.ratePerHour[i]!;
    points++;
  }
  return { mean: points > 0 ? sum / points : null, points };
}
