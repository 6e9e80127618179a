import { createRandom, hyperliquidPerpInstrument } from "@botmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CoinKernel } from "./coin-kernel.ts";
import { parseStrategyConfig, type StrategyConfigInput } from "./config.ts";
import type { OrderActionSink } from "./order-manager.ts";
import { SweepPull } from "./sweep-pull.ts";

const SEED = 20_261_206;

describe("SweepPull", () => {
  it("pulls the ask after a buy printing ≥ threshold above the mid, the bid after a sell below, for the cool-down", () => {
    const pull = new SweepPull({ thresholdBps: 2, cooldownMs: 10_000 });
    expect(pull.onTrade("buy", 100.019, 100, 1_000)).toBe(false); // 1.9 bp: inside the threshold
    expect(pull.isPulled("sell", 1_000)).toBe(false);
    expect(pull.onTrade("buy", 100.02, 100, 1_000)).toBe(true); // 2 bp
    expect(pull.isPulled("sell", 1_000)).toBe(true);
    expect(pull.isPulled("buy", 1_000)).toBe(false);
    expect(pull.isPulled("sell", 10_999)).toBe(true);
    expect(pull.isPulled("sell", 11_000)).toBe(false);
    expect(pull.onTrade("sell", 99.97, 100, 12_000)).toBe(true);
    expect(pull.isPulled("buy", 12_000)).toBe(true);
    expect(pull.isPulled("sell", 12_000)).toBe(false);
    // A buy far below the mid (or a sell above it) walked nothing: it is not a sweep.
    expect(pull.onTrade("buy", 99.9, 100, 13_000)).toBe(false);
    expect(pull.onTrade("sell", 100.1, 100, 13_000)).toBe(false);
    expect(pull.sweeps).toBe(2);
  });

  it("extends a pull with each new sweep and shortens it by the cool-down scale", () => {
    const pull = new SweepPull({ thresholdBps: 2, cooldownMs: 10_000 });
    pull.onTrade("sell", 99.9, 100, 0);
    pull.onTrade("sell", 99.9, 100, 8_000);
    expect(pull.isPulled("buy", 17_999)).toBe(true);
    expect(pull.isPulled("buy", 18_000)).toBe(false);
    expect(pull.isPulled("buy", 12_000, 0.5)).toBe(true);
    expect(pull.isPulled("buy", 13_000, 0.5)).toBe(false);
    expect(pull.isPulled("buy", 8_000, 0)).toBe(false);
  });

  it("ignores trades without a mid, price or time", () => {
    const pull = new SweepPull({ thresholdBps: 1, cooldownMs: 1_000 });
    expect(pull.onTrade("buy", 101, Number.NaN, 0)).toBe(false);
    expect(pull.onTrade("buy", Number.NaN, 100, 0)).toBe(false);
    expect(pull.onTrade("buy", 101, 100, Number.NaN)).toBe(false);
    expect(pull.isPulled("sell", 0)).toBe(false);
  });

  it("is pulled exactly while a sweep towards the side is younger than the cool-down, and never locks a side", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2_000_000_000 }), fc.integer({ min: 1, max: 300 }), (seed, n) => {
        const random = createRandom(seed);
        const thresholdBps = 0.5 + random.next() * 5;
        const cooldownMs = 100 + random.nextInt(20_000);
        const pull = new SweepPull({ thresholdBps, cooldownMs });
        const sweepTimes = { buy: [] as number[], sell: [] as number[] };
        let mid = 100;
        let t = 0;
        for (let i = 0; i < n; i++) {
          t += random.nextInt(3_000);
          mid *= 1 + (random.next() - 0.5) * 0.001;
          const aggressor = random.next() < 0.5 ? "buy" : "sell";
          const pastMidBps = (random.next() - 0.2) * 2 * thresholdBps;
          const price = mid * (1 + ((aggressor === "buy" ? 1 : -1) * pastMidBps) / 10_000);
          if (pull.onTrade(aggressor, price, mid, t))
            sweepTimes[aggressor === "buy" ? "sell" : "buy"].push(t);
          for (const side of ["buy", "sell"] as const) {
            const young = sweepTimes[side].some((at) => t - at < cooldownMs);
            expect(pull.isPulled(side, t)).toBe(young);
          }
        }
        for (const side of ["buy", "sell"] as const) expect(pull.isPulled(side, t + cooldownMs)).toBe(false);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("names the setting it rejects", () => {
    expect(() => new SweepPull({ thresholdBps: 0, cooldownMs: 1 })).toThrow(
      "SweepPull thresholdBps must be > 0, got 0",
    );
    expect(() => new SweepPull({ thresholdBps: 1, cooldownMs: Number.NaN })).toThrow(
      /cooldownMs must be > 0, got NaN/,
    );
  });
});

describe("CoinKernel with sweepPullBps", () => {
  const eth = hyperliquidPerpInstrument({ coin: "ETH", assetId: 1, szDecimals: 4, maxLeverage: 25 });
  const sink: OrderActionSink = { place: () => {}, modify: () => {}, cancel: () => {} };
  const kernel = (overrides: StrategyConfigInput) => {
    const k = new CoinKernel(
      parseStrategyConfig({ toxicityGuard: false, volatilityWarmupBars: 2, ...overrides }),
      eth,
    );
    for (let i = 0; i < 5; i++) {
      k.markAt(3_000, i * 60_000);
      k.onBarClose(3_000);
    }
    k.setBook(2_999.9, 3_000.1, 5, 5);
    return k;
  };

  it("takes the ask out of the book after a buy sweep through the kernel's trades, and puts it back after the cool-down", () => {
    const k = kernel({ sweepPullBps: 2, sweepPullCooldownMs: 10_000 });
    k.onTrade("buy", 0.5, 300_000, 3_000.9); // 3 bp above the mid of 3,000
    k.decide(300_100, sink);
    expect(k.decision.askPulled).toBe(true);
    expect(k.decision.bidPulled).toBe(false);
    expect(k.quotes.askSizes[0]).toBe(0);
    expect(k.quotes.bidSizes[0]).toBeGreaterThan(0);
    k.decide(310_000, sink);
    expect(k.decision.askPulled).toBe(false);
    expect(k.quotes.askSizes[0]).toBeGreaterThan(0);
  });

  it("pulls nothing by default (sweepPullBps 0)", () => {
    const k = kernel({});
    k.onTrade("buy", 0.5, 300_000, 3_003);
    k.onTrade("sell", 0.5, 300_000, 2_997);
    k.decide(300_100, sink);
    expect([k.decision.bidPulled, k.decision.askPulled]).toEqual([false, false]);
  });
});
