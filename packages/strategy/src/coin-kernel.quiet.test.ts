import { createRandom, hyperliquidPerpInstrument, type Instrument } from "@botmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CoinKernel } from "./coin-kernel.ts";
import { parseStrategyConfig, type StrategyConfigInput } from "./config.ts";
import type { MidRange } from "./market-maker.ts";
import type { OrderActionSink, WorkingOrder } from "./order-manager.ts";

const eth = hyperliquidPerpInstrument({ coin: "ETH", assetId: 1, szDecimals: 4, maxLeverage: 25 });
const coarse: Instrument = {
  venue: "test",
  coin: "X",
  assetId: 0,
  priceRule: { type: "tick", tickSize: "0.5" },
  sizeRule: { type: "step", stepSize: "0.01" },
  minNotionalUsd: 10,
  maxLeverage: 10,
};

/** A sink that counts what it is sent and remembers the orders placed or modified. */
function countingSink() {
  const sent: WorkingOrder[] = [];
  let actions = 0;
  const sink: OrderActionSink = {
    place: (order) => {
      actions++;
      sent.push(order);
    },
    modify: (order) => {
      actions++;
      sent.push(order);
    },
    cancel: () => {
      actions++;
    },
  };
  return { sink, sent, actions: () => actions };
}

/**
 * A kernel 40 bars into a seeded walk around 3,000, its quotes resting (accepted by the venue), some filled
 * into a position.
 */
function restingKernel(strategy: StrategyConfigInput, instrument: Instrument, seed: number, fills: number) {
  const kernel = new CoinKernel(parseStrategyConfig({ volatilityWarmupBars: 5, ...strategy }), instrument);
  const random = createRandom(seed);
  let price = 3_000;
  let time = 0;
  for (let bar = 0; bar < 40; bar++) {
    price *= 1 + (random.next() - 0.5) * 0.002;
    time += 60_000;
    kernel.markAt(price, time);
    kernel.onBarClose(price);
  }
  for (let round = 0; round <= fills; round++) {
    const { sink, sent } = countingSink();
    kernel.decide(time, sink);
    for (const order of sent) kernel.orders.onAccepted(order.clientId);
    if (round < fills) {
      const order = (round % 3 === 2 ? kernel.orders.asks : kernel.orders.bids)[0]!;
      if (order.state === "open")
        kernel.bookFill(order.clientId, order.side, order.price, order.size, "maker", time);
    }
  }
  return kernel;
}

describe("CoinKernel.quietMidRange", () => {
  it("holds only mids at which a decision sends nothing and no exit is wanted", () => {
    let ranges = 0;
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000 }),
          fills: fc.integer({ min: 0, max: 4 }),
          levels: fc.integer({ min: 1, max: 3 }),
          inventorySkewFactor: fc.constantFrom(0, 0.5, 2),
          refreshToleranceBps: fc.constantFrom(0, 0.5, 3),
          sizeDecay: fc.constantFrom(0, 1.5),
          maxPositionUsd: fc.constantFrom(150, 500),
          coarse: fc.boolean(),
          samples: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }),
        }),
        (c) => {
          const kernel = restingKernel(
            {
              levels: c.levels,
              inventorySkewFactor: c.inventorySkewFactor,
              refreshToleranceBps: c.refreshToleranceBps,
              sizeDecay: c.sizeDecay,
              maxPositionUsd: c.maxPositionUsd,
              hardLimitMultiple: 1.2,
            },
            c.coarse ? coarse : eth,
            c.seed,
            c.fills,
          );
          const mark = kernel.markPrice;
          const range: MidRange = { low: Number.NaN, high: Number.NaN };
          kernel.quietMidRange(range);
          if (Number.isNaN(range.low)) return;
          ranges++;
          expect(range.low).toBeLessThanOrEqual(mark);
          expect(range.high).toBeGreaterThanOrEqual(mark);
          // The ends, and mids drawn inside: no decision sends anything (nor changes the working orders).
          for (const mid of [
            range.low,
            range.high,
            ...c.samples.map((u) => range.low + u * (range.high - range.low)),
          ]) {
            kernel.markAt(mid, 3_000_000);
            const { sink, actions } = countingSink();
            kernel.decide(3_000_000, sink);
            expect(actions(), `a decision at ${mid} in [${range.low}, ${range.high}]`).toBe(0);
            expect(kernel.exitSize(), `the exit at ${mid}`).toBe(0);
          }
        },
      ),
      { seed: 7, numRuns: 120 },
    );
    expect(ranges).toBeGreaterThan(60);
  });

  it("reaches near the refresh tolerance, and beyond it a decision moves the quotes", () => {
    const kernel = restingKernel({ refreshToleranceBps: 2 }, eth, 3, 0);
    const range: MidRange = { low: Number.NaN, high: Number.NaN };
    kernel.quietMidRange(range);
    const mark = kernel.markPrice;
    // ± 2 bp less the grid's 0.1 step (≈ 0.33 bp at 3,000) at most.
    expect((range.high - mark) / mark).toBeGreaterThan(1.5e-4);
    expect((mark - range.low) / mark).toBeGreaterThan(1.5e-4);
    kernel.markAt(mark * 1.0005, 3_000_000);
    const { sink, actions } = countingSink();
    kernel.decide(3_000_000, sink);
    expect(actions()).toBe(2);
  });

  it("gives none where the quotes move without the mid or in ways it does not follow", () => {
    const range: MidRange = { low: 0, high: 0 };
    for (const strategy of [
      { toxicityPull: true },
      { toxicityClock: "seconds" as const },
      { model: "glft" as const, calibration: "online" as const },
      { model: "as" as const },
      { bias: true },
      { fundingSkewBps: 2 },
      { tradeFlowShiftBps: 1 },
    ]) {
      restingKernel(strategy, eth, 1, 0).quietMidRange(range);
      expect(range.low, JSON.stringify(strategy)).toBeNaN();
      expect(range.high, JSON.stringify(strategy)).toBeNaN();
    }
    const kernel = restingKernel({}, eth, 1, 0);
    kernel.setBook(2_999, 3_001);
    kernel.quietMidRange(range);
    expect(range.low).toBeNaN();
    // Halted with nothing resting: every mid is quiet.
    const halted = new CoinKernel(parseStrategyConfig(), eth);
    halted.markAt(3_000, 0);
    halted.setRiskMode("halt");
    halted.quietMidRange(range);
    expect(range).toEqual({ low: 0, high: Number.POSITIVE_INFINITY });
  });
});
