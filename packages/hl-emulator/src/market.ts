import { type Candle, createRandom, type Random } from "@botmm/core";
import type { CoinState, MatchingEngine } from "./engine.ts";

const MS_PER_YEAR = 365 * 86_400_000;
// Volatility clustering: GARCH(1,1) on per-step returns. Persistence 0.999 per 100 ms step is a half-life of
// about 70 s; the long-run variance is the configured one.
const GARCH_ALPHA = 0.01;
const GARCH_BETA = 0.989;
const GARCH_MAX_MULTIPLE = 25;

/** Where a coin's fair price comes from. */
export type PriceSource = { kind: "synthetic" } | { kind: "replay"; candles: Candle[] };

interface CoinModel {
  coin: CoinState;
  source: PriceSource;
  variance: number;
  longRunVariance: number;
  nextArrivalMs: number | null;
  replayStartMs: number;
  replayIntervalMs: number;
}

/**
 * The market driver: moves each coin's fair price (GBM with GARCH volatility clustering, or a replay of
 * candles), rebuilds the background book around it (levels on the venue's tick grid; sizes persist and
 * replenish), and sends Poisson taker flow through the book, users' orders included, so quotes get filled
 * and adversely selected. Steps on a fixed time grid, so the same seed and the same clock steps give the same
 * book and trades.
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
    coin.fairPx *= Math.exp(r - model.variance / 2);
    const next =
      model.longRunVariance * (1 - GARCH_ALPHA - GARCH_BETA) +
      GARCH_ALPHA * r * r +
      GARCH_BETA * model.variance;
    model.variance = Math.min(next, model.longRunVariance * GARCH_MAX_MULTIPLE);
  }

  #rebuildBackground(model: CoinModel, nowMs: number): void {
    const engine = this.#engine;
    const coin = model.coin;
    const spec = coin.spec;
    const scale = 10 ** coin.pxDecimals;
    const fairUnits = coin.fairPx * scale;
    const tick = engine.tickUnits(coin, coin.fairPx);
    const half = Math.max(tick, (fairUnits * spec.halfSpreadBps) / 10_000);
    const spacing = Math.max(tick, Math.round((fairUnits * spec.levelSpacingBps) / 10_000 / tick) * tick);
    const bestBid = Math.floor((fairUnits - half) / tick) * tick;
    let bestAsk = Math.ceil((fairUnits + half) / tick) * tick;
    if (bestAsk <= bestBid) bestAsk = bestBid + tick;
    const lot = 10 ** -spec.szDecimals;
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    for (let i = 0; i < spec.levels; i++) {
      for (const [side, pxInt, previous] of [
        [bids, bestBid - i * spacing, coin.bgBids],
        [asks, bestAsk + i * spacing, coin.bgAsks],
      ] as const) {
        if (pxInt <= 0) continue;
        const target =
          ((spec.levelNotionalUsd * (1 + 0.1 * i)) / coin.fairPx / lot) * (0.5 + this.#random.next());
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
    const ratePerMs = spec.takerRatePerSec / 1000;
    if (model.nextArrivalMs === null) model.nextArrivalMs = fromMs + this.#random.nextExponential(ratePerMs);
    const stepSigma = Math.sqrt(model.longRunVariance);
    // Informed flow: takers lean towards the direction the fair price just moved.
    const buyProbability = 0.5 + 0.25 * Math.tanh(stepReturn / (stepSigma || 1));
    const scale = 10 ** coin.pxDecimals;
    while (model.nextArrivalMs < toMs) {
      const at = Math.max(fromMs, Math.floor(model.nextArrivalMs));
      const isBuy = this.#random.next() < buyProbability;
      const notional = 10 + this.#random.nextExponential(1 / spec.takerMeanNotionalUsd);
      const szInt = Math.max(1, Math.round((notional / coin.fairPx) * 10 ** spec.szDecimals));
      const limit = Math.round(coin.fairPx * (isBuy ? 1.005 : 0.995) * scale);
      engine.matchTaker(coin, isBuy, limit, szInt, null, at);
      model.nextArrivalMs += this.#random.nextExponential(ratePerMs);
    }
  }
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

/** A day of synthetic 1-minute history ending at the start price, so `candleSnapshot` has data to warm up on. */
function seedHistory(coin: CoinState, startMs: number, random: Random): void {
  const minutes = 1_440;
  const sigmaPerMinute = coin.spec.annualVolatility * Math.sqrt(60_000 / MS_PER_YEAR);
  const closes: number[] = [coin.fairPx];
  for (let i = 1; i < minutes; i++) {
    closes.push((closes[i - 1] ?? coin.fairPx) * Math.exp(-sigmaPerMinute * random.nextNormal()));
  }
  closes.reverse();
  const firstMinute = Math.floor(startMs / 60_000) * 60_000 - minutes * 60_000;
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
      v: (coin.spec.takerRatePerSec * 60 * coin.spec.takerMeanNotionalUsd) / close,
      n: Math.round(coin.spec.takerRatePerSec * 60),
    });
    open = close;
  }
  coin.prevDayPx = closes[0] ?? coin.fairPx;
}
