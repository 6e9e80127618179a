// The kernel calls a driver adds for issue 13: markAt (time-based mark-outs, seconds guard, calibration),
// setBookLevels / setBook with sizes (fair price), onTrade (trade flow, A and k), setFundingRate (skew).
import { hyperliquidPerpInstrument } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { CoinKernel } from "./coin-kernel.ts";
import { parseStrategyConfig, type StrategyConfigInput } from "./config.ts";
import type { OrderActionSink } from "./order-manager.ts";

const eth = hyperliquidPerpInstrument({ coin: "ETH", assetId: 1, szDecimals: 4, maxLeverage: 25 });
const sink: OrderActionSink = { place: () => {}, modify: () => {}, cancel: () => {} };

function warmKernel(overrides: StrategyConfigInput = {}) {
  const kernel = new CoinKernel(
    parseStrategyConfig({ toxicityGuard: false, volatilityWarmupBars: 2, ...overrides }),
    eth,
  );
  for (let i = 0; i < 5; i++) {
    kernel.markAt(100, i * 60_000);
    kernel.onBarClose(100);
  }
  return kernel;
}

describe("CoinKernel: book, trades, funding", () => {
  it("centres quotes on the imbalance of the top levels given by setBookLevels", () => {
    const kernel = warmKernel({ fairPrice: "imbalance", imbalanceLevels: 2 });
    kernel.setBookLevels(
      [
        { price: 99.99, size: 1 },
        { price: 99.98, size: 1 },
        { price: 99.97, size: 100 }, // beyond the top 2: ignored
      ],
      [
        { price: 100.01, size: 3 },
        { price: 100.02, size: 3 },
      ],
    );
    kernel.decide(300_000, sink);
    expect(kernel.decision.bookImbalance).toBeCloseTo(-0.5, 12);
    expect(kernel.decision.fairPrice).toBeCloseTo(100 - 0.5 * 0.01, 12);
    kernel.setBookLevels(
      [
        [99.99, 3, 1],
        [99.98, 3, 2],
      ],
      [[100.01, 2, 1]],
    ); // the replay's [price, size, orders]
    kernel.decide(300_000, sink);
    expect(kernel.decision.bookImbalance).toBeCloseTo(0.5, 12);
  });

  it("keeps the two-argument setBook: the mid, no imbalance; sizes give the microprice", () => {
    const kernel = warmKernel({ fairPrice: "microprice" });
    kernel.setBook(99.99, 100.01);
    kernel.decide(300_000, sink);
    expect(kernel.decision.fairPrice).toBe(100);
    kernel.setBook(99.99, 100.01, 3, 1);
    kernel.decide(300_000, sink);
    expect(kernel.decision.fairPrice).toBeCloseTo(100.005, 12);
  });

  it("shifts the fair price with the trade flow of the last seconds, and forgets it", () => {
    const kernel = warmKernel({ tradeFlowShiftBps: 2, tradeFlowWindowMs: 5_000 });
    kernel.onTrade("buy", 1, 299_000, 100.01);
    kernel.decide(300_000, sink);
    expect(kernel.decision.fairPrice).toBeCloseTo(100.02, 12);
    kernel.decide(305_000, sink);
    expect(kernel.decision.fairPrice).toBe(100);
  });

  it("leans against the side that pays funding", () => {
    const kernel = warmKernel({ fundingSkewBps: 2 });
    kernel.setFundingRate(0.0001); // longs pay 1 bp per period
    kernel.decide(300_000, sink);
    expect(kernel.decision.fairPrice).toBeCloseTo(99.98, 12);
    kernel.setFundingRate(Number.NaN);
    kernel.decide(300_000, sink);
    expect(kernel.decision.fairPrice).toBe(100);
  });
});

describe("CoinKernel: mark-outs in seconds and the toxicity pull", () => {
  it("measures each maker fill's mark-outs at 1 s, 5 s, 30 s and 60 s on the mids of markAt", () => {
    const kernel = warmKernel();
    kernel.markAt(100, 300_000);
    kernel.bookFill(0, "buy", 100, 1, "maker", 300_000);
    kernel.bookFill(0, "sell", 100, 1, "taker", 300_000); // a taker exit is not marked out
    kernel.markAt(99.99, 300_500);
    kernel.markAt(99.95, 304_000);
    kernel.markAt(99.9, 400_000);
    expect(kernel.markouts.summary()).toEqual({
      "1s": expect.closeTo(-1, 9),
      "5s": expect.closeTo(-5, 9),
      "30s": expect.closeTo(-5, 9),
      "60s": expect.closeTo(-5, 9),
    });
    expect(kernel.markouts.count(0)).toBe(1);
  });

  it("pulls the bid after a burst of toxic buys, then quotes it again after the cool-down", () => {
    const kernel = warmKernel({
      toxicityPull: true,
      toxicityPullFills: 2,
      toxicityHorizonMs: 1_000,
      toxicityPullThresholdBps: 3,
      toxicityPullCooldownMs: 20_000,
    });
    const placed: string[] = [];
    const cancelled: string[] = [];
    // A venue that acks at once: places are accepted, cancels close the order.
    const recording: OrderActionSink = {
      place: (order) => {
        placed.push(order.side);
        accepted.push(order.clientId);
      },
      modify: () => {},
      cancel: (order) => {
        cancelled.push(order.side);
        closed.push(order.clientId);
      },
    };
    const accepted: number[] = [];
    const closed: number[] = [];
    const settle = () => {
      for (const id of accepted.splice(0)) kernel.orders.onAccepted(id);
      for (const id of closed.splice(0)) kernel.orders.onClosed(id);
    };
    kernel.markAt(100, 300_000);
    kernel.decide(300_000, recording);
    settle();
    expect(placed).toEqual(["buy", "sell"]);
    kernel.bookFill(0, "buy", 100, 1, "maker", 300_000);
    kernel.bookFill(0, "buy", 100, 1, "maker", 300_100);
    kernel.markAt(99.9, 300_200); // both buys −10 bps at 1 s
    kernel.markAt(99.9, 301_100);
    kernel.decide(301_100, recording);
    settle();
    expect(kernel.decision.bidPulled).toBe(true);
    expect(cancelled).toEqual(["buy"]);
    kernel.markAt(99.9, 321_099);
    placed.length = 0;
    kernel.decide(321_099, recording);
    settle();
    expect(kernel.decision.bidPulled).toBe(true);
    expect(placed).toEqual([]);
    kernel.markAt(99.9, 321_100);
    placed.length = 0;
    kernel.decide(321_100, recording);
    expect(kernel.decision.bidPulled).toBe(false);
    expect(placed).toContain("buy");
  });

  it("shows the σ, A, k the model used in the decision", () => {
    const kernel = warmKernel({ model: "glft", calibration: "online" });
    kernel.decide(300_000, sink);
    expect(kernel.decision).toMatchObject({
      sigmaSource: "closes",
      intensitySource: "constants",
      intensityScalePerBar: 1,
      intensityDecayPerBps: 0.5,
    });
  });
});
