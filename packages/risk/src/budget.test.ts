import { ManualClock } from "@botmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hyperliquidExchangeWeight, hyperliquidInfoWeight, RequestBudget } from "./budget.ts";
import { RiskConfigError, RiskInputError } from "./errors.ts";

const T0 = Date.UTC(2025, 0, 1, 10);

function fresh(config: ConstructorParameters<typeof RequestBudget>[0]["config"] = {}) {
  const clock = new ManualClock(T0);
  return { clock, budget: new RequestBudget({ clock, config }) };
}

describe("Hyperliquid weights", () => {
  it("exchange: 1 + floor(batch / 40)", () => {
    expect([0, 1, 39, 40, 79, 80, 200].map(hyperliquidExchangeWeight)).toEqual([1, 1, 1, 2, 2, 3, 6]);
    expect(() => hyperliquidExchangeWeight(-1)).toThrow(RiskInputError);
  });

  it("info: 2 for the light requests, 20 for the others", () => {
    for (const type of ["l2Book", "allMids", "clearinghouseState", "orderStatus"]) {
      expect(hyperliquidInfoWeight(type)).toBe(2);
    }
    for (const type of ["meta", "openOrders", "userFills", "candleSnapshot"])
      expect(hyperliquidInfoWeight(type)).toBe(20);
  });
});

describe("address budget", () => {
  it("starts at 10,000 and earns 1 request per USD traded (cumulative, floored)", () => {
    const { budget } = fresh();
    expect(budget.addressLimit()).toBe(10_000);
    budget.recordTradedUsd(1_000.9);
    budget.recordTradedUsd(-0.2); // a sell's signed notional counts as volume too
    expect(budget.addressLimit()).toBe(11_001);
    expect(budget.status().tradedUsd).toBeCloseTo(1_001.1, 9);
  });

  it("counts a batch of n orders as n; a request landing on the limit is allowed, one past it is not", () => {
    const { budget } = fresh();
    budget.record(9_990, 1);
    expect(budget.canSpend(9, 1)).toBe(true); // just below
    expect(budget.canSpend(10, 1)).toBe(true); // exactly at the limit
    expect(budget.canSpend(11, 1)).toBe(false); // above
    budget.record(10, 1);
    expect(budget.addressRemaining()).toBe(0);
  });

  it("lets cancels go on to min(limit + 100,000, 2 × limit)", () => {
    const { budget } = fresh();
    expect(budget.cancelLimit()).toBe(20_000); // 2 × 10,000 is the smaller
    budget.record(10_000, 0);
    expect(budget.canSpend(2, 1)).toBe(false);
    expect(budget.canSpend(10_000, 1, "cancel")).toBe(true);
    expect(budget.canSpend(10_001, 1, "cancel")).toBe(false);
    expect(budget.cancelRemaining()).toBe(10_000);

    const big = fresh().budget;
    big.sync({ requestsUsed: 0, tradedUsd: 190_000 }); // limit 200,000
    expect(big.cancelLimit()).toBe(300_000); // limit + 100,000 is the smaller
  });

  it("once limited, allows one request per throttledIntervalMs (as the venue does)", () => {
    const { clock, budget } = fresh({ initialRequests: 5 });
    expect(budget.canSpend(5, 1)).toBe(true);
    budget.record(5, 1);
    expect(budget.canSpend(1, 1)).toBe(false); // the last request was just now
    expect(budget.canSpend(2, 1)).toBe(false);
    clock.advance(9_999);
    expect(budget.canSpend(1, 1)).toBe(false);
    clock.advance(1);
    expect(budget.canSpend(1, 1)).toBe(true);
    expect(budget.canSpend(2, 1)).toBe(false);
    budget.record(1, 1);
    expect(budget.canSpend(1, 1)).toBe(false);
    expect(budget.addressRemaining()).toBe(-1);

    const synced = fresh({ initialRequests: 5 }).budget;
    synced.sync({ requestsUsed: 5, tradedUsd: 0 }); // limited, but no request seen yet
    expect(synced.canSpend(1, 1)).toBe(true);
  });

  it("info requests (0 requests) only need IP weight", () => {
    const { budget } = fresh({ initialRequests: 0 });
    expect(budget.canSpend(0, hyperliquidInfoWeight("l2Book"))).toBe(true);
    expect(budget.canSpend(1, 1)).toBe(true); // throttled single request
  });
});

describe("IP weight (sliding window)", () => {
  it("allows up to the limit inside a window and frees weight as it slides", () => {
    const { clock, budget } = fresh();
    budget.record(0, 600);
    clock.advance(30_000);
    budget.record(0, 599);
    expect(budget.ipWeightUsed()).toBe(1_199);
    expect(budget.canSpend(0, 1)).toBe(true); // lands on 1,200
    expect(budget.canSpend(0, 2)).toBe(false);
    expect(budget.canSpend(1, 2)).toBe(false); // address budget is fine, IP is not
    expect(budget.ipWindowFreesAtMs()).toBe(T0 + 60_000);
    clock.set(T0 + 59_999);
    expect(budget.ipWeightRemaining()).toBe(1);
    clock.set(T0 + 60_000); // the first 600 are exactly a window old: gone
    expect(budget.ipWeightRemaining()).toBe(601);
    clock.set(T0 + 90_000);
    expect(budget.ipWeightUsed()).toBe(0);
    expect(budget.ipWindowFreesAtMs()).toBeNull();
  });

  it("keeps counting correctly over many requests (the ring buffer grows)", () => {
    const { clock, budget } = fresh({ ipWeightLimit: 100_000 });
    for (let i = 0; i < 1_000; i++) {
      budget.record(1, hyperliquidExchangeWeight(1));
      clock.advance(30);
    }
    // sent at T0, T0 + 30, …, T0 + 29,970; now T0 + 30,000: all inside the minute
    expect(budget.ipWeightUsed()).toBe(1_000);
    clock.set(T0 + 60_000); // the one sent at T0 is exactly a window old
    expect(budget.ipWeightUsed()).toBe(999);
    clock.set(T0 + 75_000); // those sent at T0 … T0 + 15,000 (501 of them) have left
    expect(budget.ipWeightUsed()).toBe(499);
  });
});

describe("slow-down signal", () => {
  it("turns on at the address reserve, not before", () => {
    const { budget } = fresh({ addressReserveRequests: 2_000 });
    budget.record(7_999, 0);
    expect(budget.shouldSlowDown()).toBe(false); // 2,001 left
    budget.record(1, 0);
    expect(budget.shouldSlowDown()).toBe(true); // 2,000 left
    budget.record(1, 0);
    expect(budget.shouldSlowDown()).toBe(true);
  });

  it("turns on at the IP reserve, not before, and off when the window slides", () => {
    const { clock, budget } = fresh({ ipReserveWeight: 240 });
    budget.record(0, 959);
    expect(budget.shouldSlowDown()).toBe(false);
    budget.record(0, 1);
    expect(budget.shouldSlowDown()).toBe(true);
    budget.record(0, 1);
    expect(budget.status()).toMatchObject({ slowDown: true, exhausted: false, ipWeightRemaining: 239 });
    clock.advance(60_000);
    expect(budget.shouldSlowDown()).toBe(false);
  });

  it("reports exhaustion in the status", () => {
    const { budget } = fresh();
    budget.record(10_000, 0);
    expect(budget.status()).toEqual({
      requestsUsed: 10_000,
      tradedUsd: 0,
      addressLimit: 10_000,
      addressRemaining: 0,
      cancelLimit: 20_000,
      cancelRemaining: 10_000,
      ipWeightUsed: 0,
      ipWeightRemaining: 1_200,
      slowDown: true,
      exhausted: true,
      sustainableRatePerSecond: 0,
      deferredRequests: 0,
    });
  });
});

describe("pacing discretionary requests", () => {
  it("sustains the spare budget over the horizon plus what the last hour's volume earns", () => {
    const { clock, budget } = fresh();
    expect(budget.sustainableRatePerSecond()).toBeCloseTo(8_000 / 86_400, 12); // (10,000 − 2,000 reserve) / day
    budget.recordTradedUsd(3_600); // earns 3,600 requests: 1 per second over the hour window…
    expect(budget.sustainableRatePerSecond()).toBeCloseTo((8_000 + 3_600) / 86_400 + 1, 12);
    clock.advance(3_600_000); // …until it leaves the window (the requests earned stay in the spare budget)
    expect(budget.sustainableRatePerSecond()).toBeCloseTo((8_000 + 3_600) / 86_400, 12);
    budget.record(11_600, 1); // at the reserve: only what trading earns is left to spend
    expect(budget.sustainableRatePerSecond()).toBe(0);
  });

  it("lets a burst go, then one request per 1 / rate seconds, and counts what it held back", () => {
    const { clock, budget } = fresh({ pacingBurstRequests: 3 });
    const allowed = () => budget.allowDiscretionary(1);
    expect([allowed(), allowed(), allowed(), allowed()]).toEqual([true, true, true, false]);
    const secondsPerRequest = 86_400 / 8_000; // 10.8 s
    clock.advance(secondsPerRequest * 1_000 - 1);
    expect(allowed()).toBe(false);
    clock.advance(1);
    expect(allowed()).toBe(true);
    expect(allowed()).toBe(false);
    expect(budget.deferredRequests).toBe(3);
    expect(budget.status().deferredRequests).toBe(3);
    clock.advance(10 * 86_400_000); // a quiet spell refills only up to the burst
    expect([allowed(), allowed(), allowed(), allowed()]).toEqual([true, true, true, false]);
  });

  it("never paces with pacing or the budget off; a batch needs as many requests as it holds", () => {
    expect(fresh({ pacingEnabled: false }).budget.allowDiscretionary(1_000)).toBe(true);
    expect(fresh({ enabled: false }).budget.allowDiscretionary(1_000)).toBe(true);
    const { budget } = fresh({ pacingBurstRequests: 5 });
    expect(budget.allowDiscretionary(6)).toBe(false);
    expect(budget.allowDiscretionary(5)).toBe(true);
    expect(() => budget.allowDiscretionary(-1)).toThrow(RiskInputError);
  });

  it("names a bad pacing setting", () => {
    expect(() => fresh({ pacingBurstRequests: 0.5 })).toThrow(/pacingBurstRequests/);
    expect(() => fresh({ pacingHorizonMs: 0 })).toThrow(/pacingHorizonMs/);
  });
});

describe("RequestBudget misc", () => {
  it("passes every check when disabled, still counting", () => {
    const { budget } = fresh({ enabled: false });
    budget.record(50_000, 5_000);
    expect(budget.canSpend(1_000, 1_000)).toBe(true);
    expect(budget.shouldSlowDown()).toBe(false);
    expect(budget.status()).toMatchObject({ requestsUsed: 50_000, exhausted: false });
  });

  it("syncs from the venue's counters", () => {
    const { budget } = fresh();
    budget.sync({ requestsUsed: 15_230, tradedUsd: 48_112.7 });
    expect(budget.addressRemaining()).toBe(42_882);
  });

  it("snapshots and restores, dropping weight that left the window", () => {
    const { clock, budget } = fresh();
    budget.record(3, 1);
    clock.advance(61_000);
    budget.record(2, 20);
    budget.recordTradedUsd(500);
    const snapshot = JSON.parse(JSON.stringify(budget.snapshot()));
    expect(snapshot).toEqual({
      requestsUsed: 5,
      tradedUsd: 500,
      lastRequestMs: T0 + 61_000,
      ipWindow: [[T0 + 61_000, 20]],
      recentTradedUsd: [[T0 + 61_000, 500]],
    });
    const other = new RequestBudget({ clock });
    other.restore(snapshot);
    expect(other.status()).toEqual(budget.status());
    expect(new RequestBudget({ clock }).snapshot().lastRequestMs).toBeNull();
  });

  it("rejects bad config and bad counts", () => {
    const clock = new ManualClock(T0);
    expect(() => new RequestBudget({ clock, config: { ipWeightLimit: -1 } })).toThrow(RiskConfigError);
    const budget = new RequestBudget({ clock });
    expect(() => budget.canSpend(-1, 1)).toThrow(RiskInputError);
    expect(() => budget.canSpend(1, Number.NaN)).toThrow(RiskInputError);
    expect(() => budget.record(1, Number.POSITIVE_INFINITY)).toThrow(RiskInputError);
    expect(() => budget.record(1, 1, Number.NaN)).toThrow(RiskInputError);
    expect(() => budget.recordTradedUsd(Number.NaN)).toThrow(RiskInputError);
    expect(() => budget.sync({ requestsUsed: -1, tradedUsd: 0 })).toThrow(RiskInputError);
  });
});

describe("RequestBudget properties", () => {
  it("a bot that sends only what canSpend allows never exceeds the IP limit in any window, nor the address limit", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            waitMs: fc.integer({ min: 0, max: 20_000 }),
            batch: fc.integer({ min: 0, max: 120 }),
            kind: fc.constantFrom("order" as const, "cancel" as const),
            tradedUsd: fc.integer({ min: 0, max: 200 }),
          }),
          { maxLength: 300 },
        ),
        (steps) => {
          const clock = new ManualClock(T0);
          const budget = new RequestBudget({
            clock,
            config: { initialRequests: 500, ipWeightLimit: 50, ipReserveWeight: 10 },
          });
          const sent: Array<[number, number]> = [];
          for (const step of steps) {
            clock.advance(step.waitMs);
            budget.recordTradedUsd(step.tradedUsd);
            const requests = step.batch;
            const weight = requests === 0 ? 20 : hyperliquidExchangeWeight(requests);
            const limitBefore = step.kind === "cancel" ? budget.cancelLimit() : budget.addressLimit();
            const usedBefore = budget.status().requestsUsed;
            if (budget.canSpend(requests, weight, step.kind)) {
              // either it fits the cap, or it is the single throttled request
              expect(usedBefore + requests <= limitBefore || requests === 1).toBe(true);
              budget.record(requests, weight);
              sent.push([clock.now(), weight]);
            }
            const inWindow = sent
              .filter(([t]) => clock.now() - t < 60_000)
              .reduce((sum, [, w]) => sum + w, 0);
            expect(inWindow).toBeLessThanOrEqual(50);
            expect(budget.ipWeightUsed()).toBe(inWindow);
          }
        },
      ),
      { seed: 1 },
    );
  });
});
