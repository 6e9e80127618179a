import { type Candle, createRandom, type Random } from "@botmm/core";
import type { CoinSpec, CoinState, MatchingEngine } from "./engine.ts";

const MS_PER_YEAR = 365 * 86_400_000;
// Volatility clustering: GARCH(1,1) on per-step diffusion returns. Persistence 0.999 per 100 ms step is a
// half-life of about 70 s; the long-run variance is the configured one. Jumps arrive at a rate scaled by the
// same variance ratio, so they cluster with it.
const GARCH_ALPHA = 0.01;
const GARCH_BETA = 0.989;
const GARCH_MAX_MULTIPLE = 25;
// The largest taker order drawn is 3 log-normal standard deviations above the median (BTC $3.4 M): the
// largest one in the calibration sample (BTC, $2.7 M) was 2.9.
const TAKER_MAX_Z = 3;
// A sweep displaces the book from the fair price by its distance, and the displacement decays with this
// half-life: on the recording the mid 1–10 s after a print ≥ 2 bps past the last book's mid stands 4–10 bps
// further in its direction (measured from that book), a third of that 30 s on.
const SWEEP_HALF_LIFE_MS = 15_000;
// When the book moves through its old touch by at least WALK_MIN_BPS in a step (a jump or a sweep), makers
// cancel the levels it passes but this share, which the moving takers trade: the prints walk past the displayed
// depth without a taker the size of it. Smaller moves are makers requoting: no print (but users' orders the new
// book crosses still fill).
const SWEPT_DEPTH_KEPT = 0.002;
const WALK_MIN_BPS = 1;
/** Hours of 1-minute history generated before the start, so `candleSnapshot` can prime a strategy. */
export const HISTORY_HOURS = 24;

/** The market-model part of a {@link CoinSpec}: spread, depth, taker flow and volatility. */
export type MarketProfile = Pick<
  CoinSpec,
  | "annualVolatility"
  | "jumpRatePerSec"
  | "jumpMeanBps"
  | "halfSpreadBps"
  | "levelSpacingBps"
  | "levels"
  | "touchNotionalUsd"
  | "levelNotionalUsd"
  | "takerRatePerSec"
  | "takerMedianNotionalUsd"
  | "takerNotionalLogSd"
  | "sweepProbability"
  | "sweepMeanBps"
>;

/**
 * Market profiles measured on 35 minutes of Hyperliquid mainnet WebSocket data (l2Book every ~0.5 s and
 * trades of BTC, ETH and SOL, 2025-09-04 19:47–20:22 UTC):
 * - spread: one tick on all three (BTC 0.09 bps, ETH 0.23, SOL 0.49), hence `halfSpreadBps` 0 (one tick);
 * - depth per side: at the touch BTC $1.0 M, ETH $0.57 M, SOL $0.21 M (median); within 2 bps BTC $4.9 M,
 *   ETH $3.8 M, SOL $0.7 M; within 5 bps ETH $12 M, SOL $3.0 M (the l2Book's 20 levels end there; the
 *   levels beyond, 60 in all here, extend that depth so that no realistic taker empties a side);
 * - taker orders (trade prints grouped by time and side): BTC 1.14/s, ETH 1.38/s, SOL 0.92/s, log-normal
 *   notional with medians $490 / $620 / $170 and log10 s.d. ≈ 1.27 (natural-log s.d. ≈ 2.95);
 * - mid returns over 1 s: 64–76 % of seconds unchanged, kurtosis 16–58; split at 3 s.d. into a diffusion of
 *   0.25 / 0.69 / 0.79 bps per √s and jumps of 0.021 / 0.014 / 0.023 per s with a mean size of 2.2 / 4.9 /
 *   4.3 bps (Laplace here). Together: σ over 1 min ≈ 4 / 7.5 / 9 bps (measured 3.3–5.3 / 7.3–7.6 / 8.0–9.3).
 * - sweeps: a share of taker orders (`sweepProbability`) moves the book an exponential distance (mean
 *   `sweepMeanBps`) from the fair price, trading through what makers leave of it; the displacement decays with
 *   a 15 s half-life. Fitted to the fill rates below: on the recording, taker orders reach ≥ 2 bps past the last
 *   book's mid 1.0 (BTC) to 2.8 (ETH) times a minute, half of them by walking further than the displayed depth
 *   allows, and the mid 1–10 s later stands 4–10 bps further in their direction.
 * Other coins get the SOL profile (in bps and USD, so it fits any price).
 *
 * Fill rates, measured by `scripts/fill-rates.ts` on the recording and here (seeds 1–3, 2 simulated hours each,
 * so 6 h a coin): a bid and an ask re-centred on the book mid every second, live 200 ms later, filled (once a
 * second and side) when a taker prints at or through them ("prints"); here also real post-only orders of
 * 1 lot over $10 at those prices, whose fills count the queue ahead and the moves that cross them ("orders").
 * Per minute, both sides, at 2 / 3 / 5 bps and at the strategy's default quote (half spread 2 bps + 1.5 × σ of
 * 1-minute returns; its half spread in brackets), and σ of 1-minute mid returns here:
 *
 * | coin | recording prints | model prints | model orders | σ(1m) |
 * |---|---|---|---|---|
 * | BTC | 0.87 / 0.38 / 0.03 / 0 (10.1 bps) | 0.91 / 0.43 / 0.15 / 0.044 (8.4) | 0.96 / 0.46 / 0.16 / 0.039 | 4.2 bps |
 * | ETH | 3.16 / 1.54 / 0.46 / 0.06 (13.7) | 3.11 / 1.71 / 0.65 / 0.028 (14.2) | 3.94 / 1.89 / 0.70 / 0.031 | 8.8 |
 * | SOL | 4.20 / 1.80 / 0.38 / 0 (16.0) | 3.15 / 1.54 / 0.55 / 0.044 (15.7) | 3.54 / 1.54 / 0.55 / 0.042 | 8.6 |
 *
 * (An earlier count on the same recording, σ measured differently: BTC 1.06 / 0.46, ETH 3.2 / 1.7, SOL 3.8 /
 * 1.75 at 2 / 3 bps, 0.06 / 0.06 / 0 at the default.) So a quote 2–3 bps out fills within ×0.8–1.25 of the
 * recording, and the default quote 0.02–0.05 a minute (recording 0–0.06: 2 fills in 35 min): a default 5-minute
 * run usually ends with no fill, an hour with a few per coin. At 5 bps the model fills 1.2–1.5× (ETH, SOL) and
 * 5× (BTC: one print-second in 35 minutes on the recording, Poisson 95 % interval 0.001–0.16 a minute) more
 * than the recording, mostly through the jumps; without the sweeps it gave 0.22 / 0.11, 0.78 / 0.28 and
 * 1.29 / 0.40 prints at 2 / 3 bps. WLFI (not modelled) needs a half spread ≤ 15 bps to fill once a minute: its
 * σ of 33 bps a minute puts the default quote 52 bps out.
 */
export const HYPERLIQUID_MARKET_PROFILES: Readonly<Record<string, MarketProfile>> = {
  BTC: {
    annualVolatility: 0.14,
    jumpRatePerSec: 0.021,
    jumpMeanBps: 2.2,
    halfSpreadBps: 0,
    levelSpacingBps: 0.25,
    levels: 60,
    touchNotionalUsd: 1_000_000,
    levelNotionalUsd: 300_000,
    takerRatePerSec: 1.14,
    takerMedianNotionalUsd: 490,
    takerNotionalLogSd: 2.95,
    sweepProbability: 0.07,
    sweepMeanBps: 0.8,
  },
  ETH: {
    annualVolatility: 0.39,
    jumpRatePerSec: 0.014,
    jumpMeanBps: 4.0,
    halfSpreadBps: 0,
    levelSpacingBps: 0.5,
    levels: 60,
    touchNotionalUsd: 570_000,
    levelNotionalUsd: 600_000,
    takerRatePerSec: 1.38,
    takerMedianNotionalUsd: 620,
    takerNotionalLogSd: 2.92,
    sweepProbability: 0.075,
    sweepMeanBps: 1.6,
  },
  SOL: {
    annualVolatility: 0.44,
    jumpRatePerSec: 0.023,
    jumpMeanBps: 3.8,
    halfSpreadBps: 0,
    levelSpacingBps: 0.5,
    levels: 60,
    touchNotionalUsd: 210_000,
    levelNotionalUsd: 150_000,
    takerRatePerSec: 0.92,
    takerMedianNotionalUsd: 170,
    takerNotionalLogSd: 2.9,
    sweepProbability: 0.17,
    sweepMeanBps: 1.0,
  },
};

/**
 * The calibrated market profile of a coin ({@link HYPERLIQUID_MARKET_PROFILES}; SOL's for other coins).
 *
 * @example
 * ```ts
 * marketProfile("BTC").takerRatePerSec; // 1.14
 * marketProfile("XYZ").levels; // 60 (SOL's profile)
 * ```
 */
export function marketProfile(coin: string): MarketProfile {
  const profile = HYPERLIQUID_MARKET_PROFILES[coin] ?? HYPERLIQUID_MARKET_PROFILES.SOL;
  if (!profile) throw new Error("HYPERLIQUID_MARKET_PROFILES has no SOL entry");
  return { ...profile };
}

/**
 * Standard deviation of a profile's 1-minute log return (diffusion plus jumps), as a fraction.
 *
 * @example
 * ```ts
 * minuteVolatility(marketProfile("BTC")); // ≈ 0.0004 (4 bps)
 * ```
 */
export function minuteVolatility(profile: MarketProfile): number {
  const diffusion = profile.annualVolatility ** 2 * (60_000 / MS_PER_YEAR);
  const jumps = profile.jumpRatePerSec * 60 * 2 * (profile.jumpMeanBps / 10_000) ** 2;
  return Math.sqrt(diffusion + jumps + sweepMinuteVariance(profile));
}

/** Variance of the 1-minute change of the sweeps' decaying displacement (shot noise with exponential decay). */
function sweepMinuteVariance(profile: MarketProfile): number {
  const ratePerSec = profile.takerRatePerSec * profile.sweepProbability;
  const decayPerSec = Math.LN2 / (SWEEP_HALF_LIFE_MS / 1000);
  const stationary = (ratePerSec * 2 * (profile.sweepMeanBps / 10_000) ** 2) / (2 * decayPerSec);
  return 2 * stationary * (1 - Math.exp(-60 * decayPerSec));
}

/** Where a coin's fair price comes from. */
export type PriceSource = { kind: "synthetic" } | { kind: "replay"; candles: Candle[] };

interface CoinModel {
  coin: CoinState;
  source: PriceSource;
  variance: number;
  longRunVariance: number;
  /** Log displacement of the book's centre from the fair price, left by sweeps. */
  displacement: number;
  /** Centre of the book at the last rebuild. */
  centre: number;
  nextArrivalMs: number | null;
  replayStartMs: number;
  replayIntervalMs: number;
}

/**
 * The market driver: moves each coin's fair price (GBM with GARCH volatility clustering plus Laplace jumps
 * that cluster with it, or a replay of candles), rebuilds the background book around it (levels on the
 * venue's tick grid, a deep touch; sizes persist and replenish), and sends Poisson taker flow of log-normal
 * size through the book, users' orders included (behind the displayed size at their price), so quotes get
 * filled and adversely selected. Defaults are calibrated on Hyperliquid ({@link HYPERLIQUID_MARKET_PROFILES}).
 * Before the start it writes {@link HISTORY_HOURS} of 1-minute candles of the same process, so
 * `candleSnapshot` can prime a strategy. Steps on a fixed time grid, so the same seed and the same clock steps
 * give the same book and trades.
 *
 * @example
 * ```ts
 * const driver = new MarketDriver(engine, { seed: 1, stepMs: 100, startMs: 0 });
 * driver.runUntil(10_000); // 100 steps
 * ```
 */
export class MarketDriver {
  readonly #engine: MatchingEngine;
  readonly #random: Random;
  readonly #models: CoinModel[];
  readonly stepMs: number;
  #lastStepMs: number;
  /** Coins whose market is stalled (no fair-price moves, book rebuilds or taker flow). */
  readonly stalled = new Set<string>();
  /** Set to stall every coin. */
  stalledAll = false;

  constructor(
    engine: MatchingEngine,
    options: { seed: number; stepMs: number; startMs: number; sources?: Record<string, PriceSource> },
  ) {
    this.#engine = engine;
    this.#random = createRandom(options.seed);
    this.stepMs = options.stepMs;
    this.#lastStepMs = Math.floor(options.startMs / options.stepMs) * options.stepMs;
    this.#models = engine.coins.map((coin) => {
      const source = options.sources?.[coin.spec.name] ?? { kind: "synthetic" };
      const stepVariance = coin.spec.annualVolatility ** 2 * (options.stepMs / MS_PER_YEAR);
      let replayIntervalMs = 60_000;
      if (source.kind === "replay") {
        const [first, second] = source.candles;
        if (first) coin.fairPx = first.open;
        if (first && second) replayIntervalMs = Math.max(1, second.openTime - first.openTime);
        coin.prevDayPx = coin.fairPx;
      }
      return {
        coin,
        source,
        variance: stepVariance,
        longRunVariance: stepVariance,
        displacement: 0,
        centre: coin.fairPx,
        nextArrivalMs: null,
        replayStartMs: this.#lastStepMs,
        replayIntervalMs,
      };
    });
    const history = createRandom(options.seed ^ 0x5bd1e995);
    for (const model of this.#models) {
      seedHistory(model.coin, this.#lastStepMs, history);
      this.#rebuildBackground(model, this.#lastStepMs);
    }
  }

  /** Time of the last completed step. */
  get lastStepMs(): number {
    return this.#lastStepMs;
  }

  /**
   * Runs every whole step up to `nowMs`. Returns how many steps ran.
   *
   * @example
   * ```ts
   * driver.runUntil(clock.now()); // number of 100 ms steps run
   * ```
   */
  runUntil(nowMs: number): number {
    let steps = 0;
    while (this.#lastStepMs + this.stepMs <= nowMs) {
      this.#step(this.#lastStepMs, this.#lastStepMs + this.stepMs);
      this.#lastStepMs += this.stepMs;
      steps++;
    }
    return steps;
  }

  #step(fromMs: number, toMs: number): void {
    const engine = this.#engine;
    for (const model of this.#models) {
      const coin = model.coin;
      if (this.stalledAll || this.stalled.has(coin.spec.name)) continue;
      const previous = coin.fairPx;
      this.#moveFair(model, toMs);
      const stepReturn = Math.log(coin.fairPx / previous);
      this.#sweep(model, stepReturn);
      this.#rebuildBackground(model, toMs);
      this.#takerFlow(model, fromMs, toMs, stepReturn);
      engine.recordPrice(coin, toMs, engine.midPx(coin));
    }
    engine.flush();
    if (Math.floor(fromMs / 3_600_000) !== Math.floor(toMs / 3_600_000)) {
      engine.applyFunding(Math.floor(toMs / 3_600_000) * 3_600_000);
    }
    engine.runScheduledCancels(toMs);
  }

  #moveFair(model: CoinModel, toMs: number): void {
    const coin = model.coin;
    if (model.source.kind === "replay") {
      coin.fairPx = replayPrice(model.source.candles, model.replayStartMs, model.replayIntervalMs, toMs);
      return;
    }
    const z = this.#random.nextNormal();
    const r = Math.sqrt(model.variance) * z;
    const spec = coin.spec;
    // Jumps: Poisson arrivals at a rate that follows the diffusion's current variance, Laplace sizes.
    const jumpProbability =
      1 - Math.exp(-spec.jumpRatePerSec * (this.stepMs / 1000) * (model.variance / model.longRunVariance));
    const u = this.#random.next();
    const jumpSize = this.#random.nextExponential(1) * (spec.jumpMeanBps / 10_000);
    const jump = u < jumpProbability ? (u < jumpProbability / 2 ? jumpSize : -jumpSize) : 0;
    coin.fairPx *= Math.exp(r - model.variance / 2 + jump);
    const next =
      model.longRunVariance * (1 - GARCH_ALPHA - GARCH_BETA) +
      GARCH_ALPHA * r * r +
      GARCH_BETA * model.variance;
    model.variance = Math.min(next, model.longRunVariance * GARCH_MAX_MULTIPLE);
  }

  /** Decays the book's displacement and draws this step's sweep, if any. */
  #sweep(model: CoinModel, stepReturn: number): void {
    const spec = model.coin.spec;
    model.displacement *= 0.5 ** (this.stepMs / SWEEP_HALF_LIFE_MS);
    const ratePerSec = spec.takerRatePerSec * spec.sweepProbability;
    if (ratePerSec <= 0) return;
    if (this.#random.next() >= 1 - Math.exp((-ratePerSec * this.stepMs) / 1000)) return;
    const isBuy = this.#random.next() < buyProbability(model, stepReturn);
    const distance = this.#random.nextExponential(1) * (spec.sweepMeanBps / 10_000);
    model.displacement += isBuy ? distance : -distance;
  }

  /**
   * Takers trade through what is left of the old book's side that the new touch crosses (see
   * SWEPT_DEPTH_KEPT), users' orders there included, before the background is rebuilt.
   */
  #walkThrough(coin: CoinState, isBuy: boolean, limitPxInt: number, nowMs: number): void {
    const bg = coin.book.background(!isBuy);
    const crossed = (pxInt: number): boolean => (isBuy ? pxInt <= limitPxInt : pxInt >= limitPxInt);
    for (const [pxInt, size] of bg) {
      if (crossed(pxInt)) bg.set(pxInt, Math.max(1, Math.round(size * SWEPT_DEPTH_KEPT)));
    }
    let szInt = 0;
    for (const level of coin.book.levels(!isBuy)) if (crossed(level.price)) szInt += level.size;
    if (szInt > 0) this.#engine.matchTaker(coin, isBuy, limitPxInt, szInt, null, nowMs);
  }

  #rebuildBackground(model: CoinModel, nowMs: number): void {
    const engine = this.#engine;
    const coin = model.coin;
    const spec = coin.spec;
    const scale = 10 ** coin.pxDecimals;
    const centre = coin.fairPx * Math.exp(model.displacement);
    const fairUnits = centre * scale;
    const tick = engine.tickUnits(coin, centre);
    // Majors trade one tick wide on Hyperliquid: a half spread under a tick gives the two ticks around fair.
    const half = (fairUnits * spec.halfSpreadBps) / 10_000;
    const spacing = Math.max(tick, Math.round((fairUnits * spec.levelSpacingBps) / 10_000 / tick) * tick);
    const bestBid = Math.floor((fairUnits - half) / tick) * tick;
    let bestAsk = Math.ceil((fairUnits + half) / tick) * tick;
    if (bestAsk <= bestBid) bestAsk = bestBid + tick;
    if (Math.abs(centre / model.centre - 1) * 10_000 >= WALK_MIN_BPS) {
      const { bid: oldBid, ask: oldAsk } = engine.bbo(coin);
      if (oldAsk && bestBid >= oldAsk.pxInt) this.#walkThrough(coin, true, bestBid, nowMs);
      if (oldBid && bestAsk <= oldBid.pxInt) this.#walkThrough(coin, false, bestAsk, nowMs);
    }
    model.centre = centre;
    const lot = 10 ** -spec.szDecimals;
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    for (let i = 0; i < spec.levels; i++) {
      for (const [side, pxInt, previous] of [
        [bids, bestBid - i * spacing, coin.book.background(true)],
        [asks, bestAsk + i * spacing, coin.book.background(false)],
      ] as const) {
        if (pxInt <= 0) continue;
        const notionalUsd = i === 0 ? spec.touchNotionalUsd : spec.levelNotionalUsd * (1 + 0.05 * i);
        const target = (notionalUsd / coin.fairPx / lot) * (0.5 + this.#random.next());
        const existing = previous.get(pxInt);
        // Sizes persist and replenish towards a fresh random target (20 % a step), so what takers consume
        // comes back gradually rather than at once.
        const size = existing === undefined ? target : existing + (target - existing) * 0.2;
        side.set(pxInt, Math.max(1, Math.round(size)));
      }
    }
    engine.setBackground(coin, bids, asks, nowMs);
  }

  #takerFlow(model: CoinModel, fromMs: number, toMs: number, stepReturn: number): void {
    const engine = this.#engine;
    const coin = model.coin;
    const spec = coin.spec;
    if (spec.takerRatePerSec <= 0) return;
    const ratePerMs = (spec.takerRatePerSec * (1 - spec.sweepProbability)) / 1000;
    if (ratePerMs <= 0) return;
    if (model.nextArrivalMs === null) model.nextArrivalMs = fromMs + this.#random.nextExponential(ratePerMs);
    const buyShare = buyProbability(model, stepReturn);
    const scale = 10 ** coin.pxDecimals;
    while (model.nextArrivalMs < toMs) {
      const at = Math.max(fromMs, Math.floor(model.nextArrivalMs));
      const isBuy = this.#random.next() < buyShare;
      const z = Math.min(TAKER_MAX_Z, this.#random.nextNormal());
      const notional = Math.max(10, spec.takerMedianNotionalUsd * Math.exp(spec.takerNotionalLogSd * z));
      const szInt = Math.max(1, Math.round((notional / coin.fairPx) * 10 ** spec.szDecimals));
      const limit = Math.round(coin.fairPx * (isBuy ? 1.005 : 0.995) * scale);
      engine.matchTaker(coin, isBuy, limit, szInt, null, at);
      model.nextArrivalMs += this.#random.nextExponential(ratePerMs);
    }
  }
}

/** Informed flow: takers lean towards the direction the fair price just moved. */
function buyProbability(model: CoinModel, stepReturn: number): number {
  const stepSigma = Math.sqrt(model.longRunVariance);
  return 0.5 + 0.25 * Math.tanh(stepReturn / (stepSigma || 1));
}

/** Fair price of a candle replay at `nowMs`: open → low → high → close (or open → high → low → close). */
function replayPrice(candles: Candle[], startMs: number, intervalMs: number, nowMs: number): number {
  const last = candles[candles.length - 1];
  if (!last) return Number.NaN;
  const elapsed = Math.max(0, nowMs - startMs);
  const index = Math.floor(elapsed / intervalMs);
  const candle = candles[index];
  if (!candle) return last.close;
  const fraction = (elapsed - index * intervalMs) / intervalMs;
  const bullish = candle.close >= candle.open;
  const path = bullish
    ? [candle.open, candle.low, candle.high, candle.close]
    : [candle.open, candle.high, candle.low, candle.close];
  const position = fraction * 3;
  const segment = Math.min(2, Math.floor(position));
  const from = path[segment] ?? candle.open;
  const to = path[segment + 1] ?? candle.close;
  return from + (to - from) * (position - segment);
}

/**
 * {@link HISTORY_HOURS} of synthetic 1-minute candles ending at the start price, drawn from the same
 * diffusion-plus-jumps process the driver runs (without clustering), so `candleSnapshot` has data to prime a
 * strategy's volatility on.
 */
function seedHistory(coin: CoinState, startMs: number, random: Random): void {
  const spec = coin.spec;
  const minutes = HISTORY_HOURS * 60;
  const diffusionPerMinute = spec.annualVolatility * Math.sqrt(60_000 / MS_PER_YEAR);
  const jumpsPerMinute = spec.jumpRatePerSec * 60;
  const jumpFraction = spec.jumpMeanBps / 10_000;
  const sigmaPerMinute = minuteVolatility(spec);
  // The sweeps' displacement, drawn as independent minute noise (it mean-reverts within minutes).
  const sweepPerMinute = Math.sqrt(sweepMinuteVariance(spec));
  const minuteReturn = (): number => {
    let r = diffusionPerMinute * random.nextNormal() + sweepPerMinute * random.nextNormal();
    // Poisson count of jumps in the minute (inversion; the mean is about one).
    let count = 0;
    for (let p = Math.exp(-jumpsPerMinute), sum = p, u = random.next(); u > sum && count < 50; ) {
      count++;
      p *= jumpsPerMinute / count;
      sum += p;
    }
    for (let j = 0; j < count; j++) {
      r += (random.next() < 0.5 ? 1 : -1) * random.nextExponential(1) * jumpFraction;
    }
    return r;
  };
  const closes: number[] = [coin.fairPx];
  for (let i = 1; i < minutes; i++) closes.push((closes[i - 1] ?? coin.fairPx) * Math.exp(-minuteReturn()));
  closes.reverse();
  const firstMinute = Math.floor(startMs / 60_000) * 60_000 - minutes * 60_000;
  const meanNotionalUsd = spec.takerMedianNotionalUsd * Math.exp(spec.takerNotionalLogSd ** 2 / 2);
  let open = closes[0] ?? coin.fairPx;
  for (let i = 0; i < minutes; i++) {
    const close = closes[i] ?? open;
    const wiggle = Math.abs(random.nextNormal()) * sigmaPerMinute * 0.5;
    const t = firstMinute + i * 60_000;
    coin.candles.push({
      t,
      o: open,
      h: Math.max(open, close) * (1 + wiggle),
      l: Math.min(open, close) * (1 - wiggle),
      c: close,
      v: (spec.takerRatePerSec * 60 * meanNotionalUsd) / close,
      n: Math.round(spec.takerRatePerSec * 60),
    });
    open = close;
  }
  coin.prevDayPx = closes[Math.max(0, minutes - 1_440)] ?? coin.fairPx;
}
