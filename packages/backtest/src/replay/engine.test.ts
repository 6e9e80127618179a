import { RequestBudget } from "@botmm/risk";
import { describe, expect, it } from "vitest";
import { runReplayBacktest } from "./engine.ts";
import {
  ASK,
  BID,
  book,
  gap,
  generateMarket,
  replayOptions,
  standardBook,
  T0,
  trade,
} from "./test-support.ts";
import type { MarketEvent } from "./types.ts";

const buys = (run: { fills: { side: string; size: number; price: number; source: string }[] }) =>
  run.fills.filter((fill) => fill.side === "buy");

describe("queue position", () => {
  it("quotes 2 bps around a flat 100 and joins behind the displayed size", async () => {
    const run = await runReplayBacktest([standardBook(0), standardBook(5_000)], replayOptions());
    expect(run.orders.placed).toBe(2);
    expect(run.queue.ordersRested).toBe(2);
    expect(run.restingBid[0]).toBeCloseTo(BID, 10);
    expect(run.restingAsk[0]).toBeCloseTo(ASK, 10);
    expect(run.fills).toHaveLength(0);
  });

  it("reports how far its quotes were from the fair price next to the market's half spread", async () => {
    const run = await runReplayBacktest([standardBook(0), standardBook(5_000)], replayOptions());
    // The book is 99.97 / 100.03 around 100: a 3 bp half spread; the fee floor quotes a little over 2 bp.
    expect(run.calibration.meanMarketHalfSpreadBps).toBeCloseTo(3, 9);
    expect(run.calibration.meanBidHalfSpreadBps).toBeGreaterThan(2);
    expect(run.calibration.meanBidHalfSpreadBps).toBeLessThan(3);
    expect(run.calibration.meanAskHalfSpreadBps).toBeCloseTo(run.calibration.meanBidHalfSpreadBps, 9);
    const none = await runReplayBacktest([standardBook(0)], replayOptions({ primeCloses: [] }));
    expect(none.calibration.meanBidHalfSpreadBps).toBeNaN();
  });

  it("risk-averse: behind 10 units, a 5-unit trade does not fill; the excess of later trades does", async () => {
    // Our bid (1 unit at 99.97) arrives at 200 ms behind the 10 displayed units.
    const events = [
      standardBook(0),
      trade(1_000, "A", 99.97, 5), // 10 → 5 ahead: nothing
      trade(2_000, "A", 99.97, 5.4), // 5 ahead consumed, 0.4 left for us: a partial fill
      trade(3_000, "A", 99.97, 1), // at the front: the remaining 0.6 fills
    ];
    const run = await runReplayBacktest(events, replayOptions());
    expect(buys(run).map((fill) => fill.size)).toEqual([0.4, 0.6]);
    expect(run.fills[0]).toMatchObject({ side: "buy", price: 99.97, liquidity: "maker", source: "trade" });
    expect(run.fills[0]!.timeMs).toBe(T0 + 2_000);
    expect(run.fills[0]!.feeUsd).toBeCloseTo(0.00015 * 99.97 * 0.4, 12);
    expect(run.queue.timeToFillMs.median).toBe(1_800); // rested at 200 ms, first fill at 2,000 ms
    expect(run.queue.ordersFilled).toBe(1);
  });

  it("two 5-unit trades exactly consume the 10 ahead: the order is at the front, not yet filled", async () => {
    const events = [standardBook(0), trade(1_000, "A", 99.97, 5), trade(2_000, "A", 99.97, 5)];
    expect((await runReplayBacktest(events, replayOptions())).fills).toHaveLength(0);
    const third = [...events, trade(3_000, "A", 99.97, 0.25)];
    expect(buys(await runReplayBacktest(third, replayOptions())).map((fill) => fill.size)).toEqual([0.25]);
  });

  it("trades on the other side or at other prices do not advance the order", async () => {
    const events = [
      standardBook(0),
      trade(1_000, "B", 100.03, 5), // lifts asks: our ask is behind 10, 5 consumed
      trade(1_500, "A", 99.96, 0.5), // below our bid: a trade through it fills 0.5
      trade(2_000, "A", 99.97, 9.9),
    ];
    const run = await runReplayBacktest(events, replayOptions());
    expect(run.fills.map((fill) => [fill.side, fill.size, fill.source])).toEqual([
      ["buy", 0.5, "trade-through"],
    ]);
  });

  it("probabilistic: a level shrinking without trades advances the order; risk-averse does not", async () => {
    // 10 ahead; 10 more join behind (20); 5 are cancelled (15). p = f(10)/(f(10)+f(10)) = 0.5 with f = x²:
    // front = 10 − 0.5·5 + min(10 − 0.5·5, 0) = 7.5. An 8-unit trade then fills 0.5 — or nothing risk-averse.
    const events = [
      standardBook(0),
      standardBook(500, 20),
      standardBook(1_500, 15),
      trade(2_000, "A", 99.97, 8),
    ];
    const averse = await runReplayBacktest(events, replayOptions());
    expect(averse.fills).toHaveLength(0);
    const probabilistic = await runReplayBacktest(
      events,
      replayOptions({ queueModel: { type: "probabilistic", power: 2 } }),
    );
    expect(buys(probabilistic).map((fill) => fill.size)).toEqual([0.5]);
  });

  it("probabilistic: the power shapes where cancels are assumed to come from", async () => {
    // 10 ahead, 30 behind (40), 10 cancelled (30). f = x²: p = 900/1000 = 0.9 → front = 10 − 0.1·10 = 9;
    // f = x¹: p = 0.75 → front = 10 − 0.25·10 = 7.5. An 8.5-unit trade fills the 1-unit order only in the second.
    const events = [
      standardBook(0),
      standardBook(500, 40),
      standardBook(1_500, 30),
      trade(2_000, "A", 99.97, 8.5),
    ];
    const square = await runReplayBacktest(
      events,
      replayOptions({ queueModel: { type: "probabilistic", power: 2 } }),
    );
    expect(square.fills).toHaveLength(0);
    const linear = await runReplayBacktest(
      events,
      replayOptions({ queueModel: { type: "probabilistic", power: 1 } }),
    );
    expect(buys(linear).map((fill) => fill.size)).toEqual([1]);
  });

  it("a shrinking level caps the quantity ahead at the level's size in both models", async () => {
    const events = [standardBook(0), standardBook(1_500, 3), trade(2_000, "A", 99.97, 3.5)];
    const run = await runReplayBacktest(events, replayOptions());
    expect(buys(run).map((fill) => fill.size)).toEqual([0.5]);
  });

  it("a new price level has nothing ahead", async () => {
    // Bids thin out: the best bid is 99.95, so our 99.97 bid is a new level at the top.
    const thin = book(0, [[99.95, 10]], [[100.05, 10]]);
    const run = await runReplayBacktest([thin, trade(1_000, "A", 99.97, 0.3)], replayOptions());
    expect(buys(run).map((fill) => [fill.size, fill.source])).toEqual([[0.3, "trade"]]);
  });
});

describe("latency and post-only", () => {
  it("an order arriving after a trade is not filled by it", async () => {
    const events = [standardBook(0), trade(100, "A", 99.9, 5)]; // a sweep through 99.97 at 100 ms
    const slow = await runReplayBacktest(events, replayOptions({ latencyMs: 200 }));
    expect(slow.fills).toHaveLength(0);
    const fast = await runReplayBacktest(events, replayOptions({ latencyMs: 50 }));
    expect(fast.fills.map((fill) => [fill.side, fill.size, fill.source])).toEqual([
      ["buy", 1, "trade-through"],
    ]);
  });

  it("a cancel takes the latency too: the order can fill while the cancel travels", async () => {
    // Halt at the first bar close (12:01): the cancel leaves at 60,000 ms and arrives at 60,200.
    const risk = { decide: () => "halt" as const };
    const books = Array.from({ length: 7 }, (_, i) => standardBook(i * 10_000)); // no silence long enough for a gap
    const events = [...books, trade(60_100, "A", 99.9, 5), trade(60_300, "A", 99.9, 5)];
    const run = await runReplayBacktest(events, replayOptions({ risk }, { onHalt: "hold" }));
    expect(run.orders.cancelled).toBe(2);
    expect(run.fills.map((fill) => fill.timeMs - T0)).toEqual([60_100]);
    expect(run.halt.halts).toBe(1);
    expect(run.halt.maxPositionWhileHaltedUsd).toBeGreaterThan(0);
  });

  it("a halt with onHalt flatten closes the position with one taker order after the latency", async () => {
    const risk = { decide: () => "halt" as const };
    const books = Array.from({ length: 7 }, (_, i) => standardBook(i * 10_000));
    const events = [...books, trade(60_100, "A", 99.9, 5), trade(60_300, "A", 99.9, 5)];
    const run = await runReplayBacktest(events, replayOptions({ risk }));
    expect(run.fills.map((fill) => [fill.timeMs - T0, fill.side, fill.source])).toEqual([
      [60_100, "buy", "trade-through"],
      [60_300, "sell", "taker-exit"],
    ]);
    expect(run.finalPosition).toBe(0);
    // The exit's cost (taker fee, crossing the spread) is PnL made while halted.
    expect(run.halt.whileHaltedUsd).toBeLessThan(0);
  });

  it("rejects a post-only order that would cross on arrival", async () => {
    // Decided at 0 against 99.97 / 100.03; at 100 ms the ask drops to 99.97: the bid arrives crossing.
    const moved = book(
      100,
      [[99.96, 10]],
      [
        [99.97, 5],
        [100.03, 10],
      ],
    );
    const run = await runReplayBacktest([standardBook(0), moved, standardBook(400)], replayOptions());
    expect(run.orders.rejectedPostOnly).toBe(1);
    expect(run.queue.ordersRested).toBe(1); // the ask
    expect(run.fills).toHaveLength(0);
  });
});

describe("refused modifies and the taker exit (as the paper venue and the live bot)", () => {
  // At 1 s the mid moves up 0.05: the bid is modified from 99.97 to 100.02 and the ask from 100.03 to 100.08.
  // By the time the modifies arrive (1.2 s) the best ask is 100.01: the bid's modify would cross.
  const movedUp = book(
    1_000,
    [
      [100.02, 10],
      [100.01, 20],
    ],
    [
      [100.08, 10],
      [100.09, 20],
    ],
  );
  const backDown = book(
    1_100,
    [
      [BID, 10],
      [99.96, 20],
    ],
    [
      [100.01, 10],
      [100.02, 20],
    ],
  );

  it("a refused modify leaves the old order resting until the bot's cancel of it arrives", async () => {
    // Refused at 1.2 s; the cancel of the old bid (99.97) arrives a latency later, at 1.4 s.
    const sweepBefore = await runReplayBacktest(
      [standardBook(0), movedUp, backDown, trade(1_300, "A", 99.9, 5)],
      replayOptions(),
    );
    expect(sweepBefore.orders.rejectedPostOnly).toBe(1);
    expect(sweepBefore.fills.map((fill) => [fill.timeMs - T0, fill.side, fill.price, fill.size])).toEqual([
      [1_300, "buy", BID, 1],
    ]);
    const sweepAfter = await runReplayBacktest(
      [standardBook(0), movedUp, backDown, trade(1_500, "A", 99.9, 5)],
      replayOptions(),
    );
    expect(sweepAfter.orders.rejectedPostOnly).toBe(1);
    expect(sweepAfter.fills).toHaveLength(0);
    // The cancel of the old order is a request like any other.
    expect(sweepAfter.orders.cancelled).toBe(1);
  });

  it("the taker exit is limited to exitSlippageBps through the best price it was sent at, and retried", async () => {
    const risk = { decide: () => "halt" as const };
    const books = Array.from({ length: 7 }, (_, i) => standardBook(i * 10_000));
    // The exit is sent at 60.1 s against a best bid of 99.97: limit 99.97 × (1 − 10 bps) = 99.870.
    const thin = (ms: number, bids: [number, number][]) => book(ms, bids, [[ASK, 10]]);
    const events = [
      ...books,
      trade(60_100, "A", 99.9, 5),
      thin(60_250, [
        [BID, 0.3],
        [99.8, 10],
      ]),
      thin(60_400, [
        [BID, 0.3],
        [99.8, 10],
      ]),
      thin(66_000, [[99.95, 5]]),
      thin(66_400, [[99.95, 5]]),
    ];
    const run = await runReplayBacktest(events, replayOptions({ risk }));
    expect(
      run.fills.map((fill) => [fill.timeMs - T0, fill.side, fill.price, fill.size, fill.source]),
    ).toEqual([
      [60_100, "buy", BID, 1, "trade-through"],
      // 0.3 at 99.97; the 99.80 level is beyond the limit: the rest is not filled (IOC) …
      [60_300, "sell", expect.closeTo(BID, 10), 0.3, "taker-exit"],
      // … and the retry, 5 s after the first exit was sent, sells the remaining 0.7 at the new best bid.
      [66_200, "sell", expect.closeTo(99.95, 10), expect.closeTo(0.7, 12), "taker-exit"],
    ]);
    expect(run.finalPosition).toBeCloseTo(0, 12);
    expect(run.takerExits).toBe(2);
    // Without a limit (a wide slippage) the first exit walks down to 99.80.
    const wide = await runReplayBacktest(events, replayOptions({ risk, exitSlippageBps: 100 }));
    expect(wide.fills[1]).toMatchObject({ timeMs: T0 + 60_300, size: 1, source: "taker-exit" });
    expect(wide.fills[1]!.price).toBeCloseTo(0.3 * BID + 0.7 * 99.8, 10);
  });
});

describe("fills from book changes (no trades)", () => {
  it("fills when the opposite best price reaches the order, and says so", async () => {
    const crossed = book(
      1_000,
      [[99.96, 10]],
      [
        [99.97, 4],
        [100.0, 10],
      ],
    );
    const run = await runReplayBacktest([standardBook(0), crossed], replayOptions());
    expect(run.fillInference).toBe("book-changes");
    expect(run.fills.map((fill) => [fill.side, fill.size, fill.price, fill.source])).toEqual([
      ["buy", 1, 99.97, "book-cross"],
    ]);
  });

  it("does not fill when the level merely disappears (it may have been cancelled)", async () => {
    const thinner = book(1_000, [[99.96, 10]], [[100.0, 10]]);
    const run = await runReplayBacktest([standardBook(0), thinner], replayOptions());
    expect(run.fills).toHaveLength(0);
    expect(run.fillInference).toBe("book-changes");
  });

  it("reports trades as the fill source when the data has them", async () => {
    const run = await runReplayBacktest([standardBook(0), trade(1_000, "B", 100.03, 1)], replayOptions());
    expect(run.fillInference).toBe("trades");
  });
});

describe("gaps", () => {
  it("reports a recorded gap, cancels own orders and leaves its time out", async () => {
    const events = [
      standardBook(0),
      gap(10_000, 70_000),
      trade(70_500, "A", 99.9, 5),
      standardBook(80_000),
      standardBook(90_000),
    ];
    const run = await runReplayBacktest(events, replayOptions());
    expect(run.gaps).toEqual([
      { fromMs: T0 + 10_000, toMs: T0 + 70_000, reason: "disconnect", source: "recorded" },
    ]);
    expect(run.gapMs).toBe(60_000);
    expect(run.fills).toHaveLength(0); // the sweep after the gap found no order resting
    expect(run.activeMs).toBe(30_000);
    // Quoted from 200 ms to the gap (9.8 s) and from 80.2 s to 90 s (9.8 s) of 30 s.
    expect(run.queue.shareOfTimeQuoted.bid).toBeCloseTo(19.6 / 30, 10);
    expect(run.orders.placed).toBe(4);
  });

  it("detects a silence longer than maxSilenceMs", async () => {
    const run = await runReplayBacktest([standardBook(0), standardBook(45_000)], replayOptions());
    expect(run.gaps).toHaveLength(1);
    expect(run.gaps[0]).toMatchObject({ fromMs: T0, toMs: T0 + 45_000, source: "detected" });
    const patient = await runReplayBacktest(
      [standardBook(0), standardBook(45_000)],
      replayOptions({ maxSilenceMs: 60_000 }),
    );
    expect(patient.gaps).toHaveLength(0);
  });
});

describe("accounting", () => {
  // Quote at the touch of the generated market (1 tick from the mid) so that fills happen.
  const touchQuotes = { baseSpreadBps: 0.3, volMultiplier: 0, feeAware: false, refreshToleranceBps: 1 };
  const market = (seed: number): MarketEvent[] => [
    ...generateMarket({ durationMs: 3 * 3_600_000, seed, startMs: T0 - 30 * 60_000 }),
  ];

  it("spread + inventory − fees + funding equals the ledger's total to the cent", async () => {
    const options = replayOptions(
      { funding: { type: "constant", ratePerHour: 0.0001 }, primeCloses: undefined },
      { ...touchQuotes, maxPositionUsd: 600, orderSizeUsd: 250, hardLimitMultiple: 1.2 },
    );
    const run = await runReplayBacktest(market(7), options);
    expect(run.fills.length).toBeGreaterThan(20);
    expect(run.takerExits).toBeGreaterThan(0);
    expect(run.fundingHoursApplied).toBe(3);
    expect(run.pnl.fundingUsd).not.toBe(0);
    const { spreadUsd, inventoryUsd, feesUsd, fundingUsd, totalUsd } = run.pnl;
    expect(Math.abs(spreadUsd + inventoryUsd - feesUsd + fundingUsd - run.ledgerTotalUsd)).toBeLessThan(
      0.005,
    );
    expect(Math.abs(totalUsd - run.ledgerTotalUsd)).toBeLessThan(0.005);
    expect(Math.abs(run.equityUsd[run.bars - 1]! - run.ledgerTotalUsd)).toBeLessThan(0.005);
    const makerFees = run.fills
      .filter((fill) => fill.liquidity === "maker")
      .reduce((sum, fill) => sum + fill.feeUsd, 0);
    expect(makerFees).toBeGreaterThan(0); // tier-0 maker fee is a cost
  });

  it("paces chasing modifies through a request budget and counts every order action it sends", async () => {
    const options = replayOptions({ primeCloses: undefined }, touchQuotes);
    const free = await runReplayBacktest(market(5), options);
    expect(free.requestBudget).toBeNull();
    const seenTimes: number[] = [];
    const paced = await runReplayBacktest(market(5), {
      ...options,
      requestBudget: (clock) => {
        const budget = new RequestBudget({
          clock,
          // Volume earns nothing and the budget starts at the reserve: after the burst no chasing modify goes.
          config: { initialRequests: 2_000, requestsPerUsdTraded: 0, pacingBurstRequests: 5 },
        });
        return {
          allowDiscretionary: (requests) => {
            seenTimes.push(clock.now());
            return budget.allowDiscretionary(requests);
          },
          record: (requests, weight) => budget.record(requests, weight),
          recordTradedUsd: (usd) => budget.recordTradedUsd(usd),
          addressRemaining: () => budget.addressRemaining(),
          get deferredRequests() {
            return budget.deferredRequests;
          },
        };
      },
    });
    const stats = paced.requestBudget!;
    expect(stats.deferredModifies).toBeGreaterThan(0);
    expect(paced.orders.modified).toBeLessThan(free.orders.modified);
    const { placed, modified, cancelled } = paced.orders;
    expect(stats.requestsSent).toBe(placed + modified + cancelled + paced.takerExits);
    expect(stats.addressRemainingAtEnd).toBe(2_000 - stats.requestsSent);
    // The budget runs on the replay's clock: event time, never going back.
    expect(seenTimes[0]).toBeGreaterThanOrEqual(T0 - 30 * 60_000);
    expect(seenTimes.every((time, i) => i === 0 || time >= seenTimes[i - 1]!)).toBe(true);
  });

  it("is deterministic: the same events and options give the same run", async () => {
    const options = replayOptions(
      { queueModel: { type: "probabilistic", power: 3 }, primeCloses: undefined },
      touchQuotes,
    );
    const first = await runReplayBacktest(market(3), options);
    const second = await runReplayBacktest(market(3), options);
    expect(second).toEqual(first);
    expect(first.fills.length).toBeGreaterThan(0);
  });

  it("accepts async iterables and skips other coins and snapshot trades", async () => {
    async function* source(): AsyncGenerator<MarketEvent> {
      yield standardBook(0);
      yield standardBook(100, 10, 10);
      yield { ...trade(150, "A", 99.9, 5), snapshot: true };
      yield trade(1_000, "A", 99.9, 5, "BTC");
    }
    const run = await runReplayBacktest(source(), replayOptions());
    expect(run.events).toMatchObject({ books: 2, otherCoin: 1, snapshotTradesSkipped: 1, trades: 0 });
    expect(run.fills).toHaveLength(0);
  });

  it("builds 1-minute bars of the mid, feeds the strategy and counts warm-up", async () => {
    const events = [...generateMarket({ durationMs: 10 * 60_000, seed: 1 })];
    const run = await runReplayBacktest(events, replayOptions({ primeCloses: undefined }));
    expect(run.bars).toBe(10);
    expect(run.warmupBars).toBe(10); // 30 bars of warm-up needed
    expect(run.candles.openTime[1]! - run.candles.openTime[0]!).toBe(60_000);
    expect(run.orders.placed).toBe(0);
  });
});
