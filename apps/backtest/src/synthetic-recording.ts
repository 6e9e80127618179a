// Tests only: seeded random-walk books with trades, written as a botmm-md v1 recording.
import type { MarketEvent } from "@botmm/backtest";
import { createRandom } from "@botmm/core";
import { writeRecordingFixture } from "./recordings/test-support.ts";

/** One coin of a synthetic recording: its starting mid and its tick as a power of ten. */
export interface SyntheticMarket {
  coin: string;
  mid: number;
  /** Price decimals: the tick is 10^-decimals. */
  decimals: number;
}

/** What {@link writeSyntheticRecording} writes. */
export interface SyntheticRecordingOptions {
  seed: number;
  startMs: number;
  minutes: number;
  /** Default: ETH at 3000 with a 0.1 tick. */
  markets?: readonly SyntheticMarket[];
  /** Level sizes 5 + i plus a uniform 0–4 (true) or exactly 5 + i (false). */
  sizeJitter: boolean;
}

const ETH_ONLY: readonly SyntheticMarket[] = [{ coin: "ETH", mid: 3000, decimals: 1 }];

/**
 * Writes a seeded random walk of 5-level books every 500 ms (1-tick spread, ~2 bps of noise a step) with a
 * taker trade on 40 % of the steps, through 0, 1 or more levels, under `rootDir`. Returns the files written.
 */
export function writeSyntheticRecording(rootDir: string, options: SyntheticRecordingOptions): string[] {
  const random = createRandom(options.seed);
  const markets = (options.markets ?? ETH_ONLY).map((market) => ({
    ...market,
    scale: 10 ** market.decimals,
  }));
  const events: MarketEvent[] = [];
  const size = (i: number): number => (options.sizeJitter ? 5 + i + random.next() * 4 : 5 + i);
  let tid = 0;
  const end = options.startMs + options.minutes * 60_000;
  for (let t = options.startMs; t < end; t += 500) {
    for (const market of markets) {
      market.mid *= Math.exp(random.nextNormal() * 0.0002);
      const tick = 1 / market.scale;
      const bid = Math.floor(market.mid * market.scale) / market.scale;
      const ask = bid + tick;
      const level = (price: number, levelSize: number): [number, number, number] => [
        Number(price.toFixed(market.decimals)),
        levelSize,
        3,
      ];
      events.push({
        type: "book",
        coin: market.coin,
        t,
        lt: t + 20,
        bids: Array.from({ length: 5 }, (_, i) => level(bid - i * tick, size(i))),
        asks: Array.from({ length: 5 }, (_, i) => level(ask + i * tick, size(i))),
      });
      if (random.next() < 0.4) {
        const side = random.next() < 0.5 ? "B" : "A";
        const depth = Math.floor(random.nextExponential(0.5));
        const px = side === "B" ? ask + depth * tick : bid - depth * tick;
        events.push({
          type: "trades",
          coin: market.coin,
          lt: t + 250,
          trades: [{ t: t + 240, px: Number(px.toFixed(market.decimals)), sz: 8, side, tid: ++tid }],
        });
      }
    }
  }
  return writeRecordingFixture(rootDir, events);
}
