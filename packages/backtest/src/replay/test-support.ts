// Shared by this folder's tests and benchmark only (not exported): event builders and a generated market.
import { createRandom } from "@botmm/core";
import { parseStrategyConfig, type StrategyConfigInput } from "@botmm/strategy";
import { ETH } from "../test-support.ts";
import type { ReplayOptions } from "./options.ts";
import type { BookEvent, GapEvent, MarketEvent, RecordedLevel, TradesEvent } from "./types.ts";

export const T0 = Date.UTC(2024, 0, 1, 12);

/** A book at local time `T0 + ms` with `[price, size]` levels (best first). */
export function book(
  ms: number,
  bids: [number, number][],
  asks: [number, number][],
  coin = "ETH",
): BookEvent {
  const levels = (side: [number, number][]): RecordedLevel[] => side.map(([price, size]) => [price, size, 1]);
  return { type: "book", coin, t: T0 + ms, lt: T0 + ms, bids: levels(bids), asks: levels(asks) };
}

/** One trade at `T0 + ms`; `side` is the aggressor's: `A` sells into bids, `B` buys from asks. */
export function trade(ms: number, side: "A" | "B", px: number, sz: number, coin = "ETH"): TradesEvent {
  return { type: "trades", coin, lt: T0 + ms, trades: [{ t: T0 + ms, px, sz, side, tid: ms }] };
}

export function gap(fromMs: number, toMs: number, coin = "ETH"): GapEvent {
  return { type: "gap", coin, from: T0 + fromMs, to: T0 + toMs, reason: "disconnect" };
}

/** Where the test strategy quotes around a mid of 100 (a half spread just over 2 bps, snapped outwards). */
export const BID = 99.97;
export const ASK = 100.03;

/** The standard book around a mid of 100: `bidSize` units at {@link BID} and `askSize` at {@link ASK}. */
export const standardBook = (ms: number, bidSize = 10, askSize = 10): BookEvent =>
  book(
    ms,
    [
      [BID, bidSize],
      [99.96, 20],
      [99.95, 30],
    ],
    [
      [ASK, askSize],
      [100.04, 20],
      [100.05, 30],
    ],
  );

/**
 * Options for ETH at 100: 40 flat primed bars → volatility 0 → the fee-floor half spread → bid 99.97, ask 100.03,
 * one unit each ($100 orders). Funding 0 unless given.
 */
export function replayOptions(
  overrides: Partial<ReplayOptions> = {},
  strategy: StrategyConfigInput = {},
): ReplayOptions {
  return {
    instrument: ETH,
    strategy: parseStrategyConfig({ toxicityGuard: false, ...strategy }),
    primeCloses: Array.from({ length: 40 }, () => 100),
    funding: { type: "constant", ratePerHour: 0 },
    latencyMs: 200,
    ...overrides,
  };
}

/**
 * A generated market for ETH around 3,000: a book every `bookIntervalMs` (20 levels a side, 1-tick spread most
 * of the time, sizes that drift, cancel and refill) and Poisson trades at the touch that sometimes sweep a level.
 * Deterministic for a seed.
 */
export function* generateMarket(options: {
  durationMs: number;
  seed: number;
  startMs?: number;
  bookIntervalMs?: number;
  tradesPerSecond?: number;
  /** Chance per book that the touch moves one tick by itself. */
  moveProbability?: number;
  startPrice?: number;
  coin?: string;
}): Generator<MarketEvent> {
  const random = createRandom(options.seed);
  const coin = options.coin ?? "ETH";
  const start = options.startMs ?? T0;
  const interval = options.bookIntervalMs ?? 500;
  const tradeRate = options.tradesPerSecond ?? 1;
  const moveProbability = options.moveProbability ?? 0.15;
  const tick = 0.1;
  let midTicks = Math.round((options.startPrice ?? 3000) / tick);
  const depth = 20;
  const bidSizes = Array.from({ length: depth }, () => 1 + random.next() * 20);
  const askSizes = Array.from({ length: depth }, () => 1 + random.next() * 20);
  let nextTrade = start + random.nextExponential(tradeRate / 1000);
  let tid = 1;
  for (let time = start; time < start + options.durationMs; time += interval) {
    // Trades since the last book, at the touch; big ones move the price.
    while (nextTrade < time) {
      const sells = random.next() < 0.5;
      const size = random.nextExponential(1 / 1.5);
      const bestBid = (midTicks - 1) * tick;
      const bestAsk = (midTicks + 1) * tick;
      const px = Math.round((sells ? bestBid : bestAsk) * 10) / 10;
      yield {
        type: "trades",
        coin,
        lt: Math.floor(nextTrade),
        trades: [{ t: Math.floor(nextTrade) - 50, px, sz: size, side: sells ? "A" : "B", tid: tid++ }],
      };
      const sizes = sells ? bidSizes : askSizes;
      sizes[0] = sizes[0]! - size;
      if (sizes[0]! <= 0) {
        // The level is gone: the price moves one tick.
        midTicks += sells ? -1 : 1;
        sizes.shift();
        sizes.push(1 + random.next() * 20);
        const other = sells ? askSizes : bidSizes;
        other.unshift(1 + random.next() * 5);
        other.pop();
      }
      nextTrade += random.nextExponential(tradeRate / 1000);
    }
    // Quiet drift: sizes change, now and then the touch moves by itself.
    for (let i = 0; i < depth; i++) {
      bidSizes[i] = Math.max(0.01, bidSizes[i]! + (random.next() - 0.5) * 2);
      askSizes[i] = Math.max(0.01, askSizes[i]! + (random.next() - 0.5) * 2);
    }
    if (random.next() < moveProbability) {
      const up = random.next() < 0.5;
      midTicks += up ? 1 : -1;
      if (up) {
        bidSizes.unshift(1 + random.next() * 5);
        bidSizes.pop();
        askSizes.shift();
        askSizes.push(1 + random.next() * 20);
      } else {
        askSizes.unshift(1 + random.next() * 5);
        askSizes.pop();
        bidSizes.shift();
        bidSizes.push(1 + random.next() * 20);
      }
    }
    const bids: RecordedLevel[] = new Array(depth);
    const asks: RecordedLevel[] = new Array(depth);
    for (let i = 0; i < depth; i++) {
      bids[i] = [Math.round((midTicks - 1 - i) * tick * 10) / 10, Math.round(bidSizes[i]! * 1e4) / 1e4, 1];
      asks[i] = [Math.round((midTicks + 1 + i) * tick * 10) / 10, Math.round(askSizes[i]! * 1e4) / 1e4, 1];
    }
    yield { type: "book", coin, t: time - 50, lt: time, bids, asks };
  }
}

/**
 * Events with every book as a plain object (`type, coin, t, lt, bids, asks`): books rebuilt from diffs keep
 * their levels behind accessors, which `toEqual` would not compare.
 */
export function plainEvents(events: readonly MarketEvent[]): MarketEvent[] {
  return events.map((event) =>
    event.type === "book"
      ? { type: "book", coin: event.coin, t: event.t, lt: event.lt, bids: event.bids, asks: event.asks }
      : event,
  );
}
