import { ManualClock } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { DEFAULT_RISK_CONFIG } from "./config.ts";
import { ALLOW_DECISION, ORDER_ALLOWED, type RiskReason } from "./decision.ts";
import { RiskEngine } from "./engine.ts";
import { RiskConfigError, RiskInputError, RiskSnapshotError } from "./errors.ts";
import { only, setup, T0 } from "./test-helpers.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NEXT_MIDNIGHT = Date.UTC(2025, 0, 2);

function rules(reasons: readonly RiskReason[]): string[] {
  return reasons.map((r) => `${r.rule}:${r.effect}`);
}

describe("RiskEngine: allow", () => {
  it("returns the shared ALLOW_DECISION (no allocation) when every rule is quiet", () => {
    const clock = new ManualClock(T0);
    const risk = new RiskEngine({ clock });
    risk.recordMarketData("BTC");
    risk.updateEquity(10_000);
    risk.updatePosition("BTC", 0.001, 100_000);
    risk.updateVolatility("BTC", 0.005);
    expect(risk.evaluate("BTC")).toBe(ALLOW_DECISION);
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
    expect(risk.checkOrder({ coin: "BTC", side: "buy", notionalUsd: 100, reduceOnly: false })).toBe(
      ORDER_ALLOWED,
    );
    expect(risk.config).toEqual(DEFAULT_RISK_CONFIG);
  });

  it("rejects an invalid config with RiskConfigError naming the field", () => {
    const clock = new ManualClock(T0);
    expect(() => new RiskEngine({ clock, config: { dailyLoss: { limitUsd: Number.NaN } } })).toThrow(
      RiskConfigError,
    );
    try {
      new RiskEngine({ clock, config: { maxPosition: { limitUsd: -5 } } });
    } catch (error) {
      expect((error as RiskConfigError).field).toBe("maxPosition.limitUsd");
    }
  });
});

describe("max-position (|notional| ≥ limit → reduce-only for that coin)", () => {
  const config = { maxPosition: { limitUsd: 2_000 } };

  it("is quiet just below the limit", () => {
    const { risk } = setup(config);
    risk.updatePosition("BTC", 0.019_999_9, 100_000); // $1,999.99
    expect(risk.evaluate("BTC")).toBe(ALLOW_DECISION);
  });

  it("is breached at the limit, long or short, and above it", () => {
    for (const size of [0.02, -0.02, 0.0201]) {
      const { risk } = setup(config);
      risk.updatePosition("BTC", size, 100_000);
      const decision = risk.evaluate("BTC");
      expect(decision.action).toBe("reduce-only");
      expect(decision.reasons).toEqual([
        expect.objectContaining({
          rule: "max-position",
          effect: "reduce-only",
          coin: "BTC",
          value: Math.abs(size) * 100_000,
          threshold: 2_000,
          untilMs: null,
        }),
      ]);
      expect(decision.reasons[0]!.message).toContain("BTC |position|");
    }
  });

  it("applies to that coin only, and not to the account-wide decision", () => {
    const { risk } = setup(config);
    risk.updatePosition("BTC", 0.03, 100_000);
    risk.updatePosition("ETH", 0.1, 3_000);
    expect(risk.evaluate("BTC").action).toBe("reduce-only");
    expect(risk.evaluate("ETH")).toBe(ALLOW_DECISION);
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
  });

  it("uses per-coin limits where given", () => {
    const { risk } = setup({ maxPosition: { limitUsd: 2_000, perCoinLimitUsd: { ETH: 1_000 } } });
    risk.updatePosition("ETH", 0.333, 3_000); // $999
    expect(risk.evaluate("ETH")).toBe(ALLOW_DECISION);
    risk.updatePosition("ETH", 1, 1_000); // $1,000
    expect(risk.evaluate("ETH").reasons[0]).toMatchObject({ rule: "max-position", threshold: 1_000 });
    risk.updatePosition("BTC", 0.015, 100_000); // $1,500 < $2,000
    expect(risk.evaluate("BTC")).toBe(ALLOW_DECISION);
  });

  it("follows the mark price", () => {
    const { risk } = setup(config);
    risk.updatePosition("BTC", 0.02, 99_000);
    expect(risk.evaluate("BTC")).toBe(ALLOW_DECISION);
    risk.updatePosition("BTC", 0.02, 100_000);
    expect(risk.evaluate("BTC").action).toBe("reduce-only");
  });

  it("can be disabled", () => {
    const { risk } = setup({ maxPosition: { enabled: false } });
    risk.updatePosition("BTC", 1, 100_000);
    expect(risk.evaluate("BTC")).toBe(ALLOW_DECISION);
  });
});

describe("max-account-position (Σ|notional| ≥ limit → reduce-only everywhere)", () => {
  const config = { maxAccountPosition: { limitUsd: 5_000 } };

  it("is quiet below, breached at and above the limit, for every coin", () => {
    const { risk } = setup(config);
    risk.updatePosition("BTC", 0.03, 100_000); // $3,000
    risk.updatePosition("ETH", -0.5, 3_999.98); // −$1,999.99
    expect(risk.evaluate()).toBe(ALLOW_DECISION);

    risk.updatePosition("ETH", -0.5, 4_000); // −$2,000 → gross $5,000
    for (const coin of [undefined, "BTC", "ETH", "SOL"]) {
      const decision = risk.evaluate(coin);
      expect(decision.action).toBe("reduce-only");
      expect(decision.reasons[0]).toMatchObject({
        rule: "max-account-position",
        coin: null,
        value: 5_000,
        threshold: 5_000,
      });
    }
    risk.updatePosition("ETH", -0.5, 4_100);
    expect(risk.evaluate().reasons[0]!.value).toBeCloseTo(5_050, 9);
  });

  it("counts a closed position as zero", () => {
    const { risk } = setup(config);
    risk.updatePosition("BTC", 0.05, 100_000);
    expect(risk.evaluate().action).toBe("reduce-only");
    risk.updatePosition("BTC", 0, 100_000);
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
  });
});

describe("checkOrder", () => {
  it("max-order-notional: at the maximum is allowed, above it is refused", () => {
    const { risk } = setup({ maxOrderNotional: { limitUsd: 500 } });
    const order = { coin: "BTC", side: "buy" as const, reduceOnly: false };
    expect(risk.checkOrder({ ...order, notionalUsd: 499.99 })).toBe(ORDER_ALLOWED);
    expect(risk.checkOrder({ ...order, notionalUsd: 500 })).toBe(ORDER_ALLOWED);
    const refused = risk.checkOrder({ ...order, notionalUsd: 500.01 });
    expect(refused.allowed).toBe(false);
    expect(refused.reasons).toEqual([
      expect.objectContaining({
        rule: "max-order-notional",
        effect: "refuse",
        value: 500.01,
        threshold: 500,
      }),
    ]);
    // a reduce-only order is still a fat finger
    expect(risk.checkOrder({ ...order, notionalUsd: 600, reduceOnly: true }).allowed).toBe(false);
  });

  it("under reduce-only refuses orders that increase |position| and allows the others", () => {
    const { risk } = setup({ maxPosition: { limitUsd: 2_000 } });
    risk.updatePosition("BTC", 0.02, 100_000); // $2,000 long: reduce-only
    const buy = risk.checkOrder({ coin: "BTC", side: "buy", notionalUsd: 10, reduceOnly: false });
    expect(buy.allowed).toBe(false);
    expect(rules(buy.reasons)).toEqual(["max-position:reduce-only"]);
    expect(risk.checkOrder({ coin: "BTC", side: "sell", notionalUsd: 10, reduceOnly: false })).toBe(
      ORDER_ALLOWED,
    );
    // flipping to the same size short does not increase |position|; one cent more does
    expect(
      risk.checkOrder({ coin: "BTC", side: "sell", notionalUsd: 4_000, reduceOnly: false }).allowed,
    ).toBe(true);
    expect(
      risk.checkOrder({ coin: "BTC", side: "sell", notionalUsd: 4_000.01, reduceOnly: false }).allowed,
    ).toBe(false);
    // a venue reduce-only order can never increase |position|
    expect(risk.checkOrder({ coin: "BTC", side: "buy", notionalUsd: 10, reduceOnly: true })).toBe(
      ORDER_ALLOWED,
    );
  });

  it("under reduce-only refuses any order on a flat coin", () => {
    const { risk } = setup({ maxAccountPosition: { limitUsd: 1_000 } });
    risk.updatePosition("BTC", 0.01, 100_000);
    for (const side of ["buy", "sell"] as const) {
      const check = risk.checkOrder({ coin: "ETH", side, notionalUsd: 10, reduceOnly: false });
      expect(rules(check.reasons)).toEqual(["max-account-position:reduce-only"]);
    }
  });

  it("refuses an order whose fill would take |position| above the coin limit (landing on it is allowed)", () => {
    const { risk } = setup({ maxPosition: { limitUsd: 2_000 } });
    risk.updatePosition("BTC", 0.015, 100_000); // $1,500 long
    expect(risk.checkOrder({ coin: "BTC", side: "buy", notionalUsd: 500, reduceOnly: false })).toBe(
      ORDER_ALLOWED,
    );
    const over = risk.checkOrder({ coin: "BTC", side: "buy", notionalUsd: 500.01, reduceOnly: false });
    expect(over.reasons).toEqual([
      expect.objectContaining({ rule: "max-position", effect: "refuse", coin: "BTC", threshold: 2_000 }),
    ]);
    expect(over.reasons[0]!.value).toBeCloseTo(2_000.01, 9);
    expect(
      risk.checkOrder({ coin: "BTC", side: "sell", notionalUsd: 3_500, reduceOnly: false }).allowed,
    ).toBe(true);
    expect(
      risk.checkOrder({ coin: "BTC", side: "sell", notionalUsd: 3_600, reduceOnly: false }).allowed,
    ).toBe(false);
    // unknown coin: the default limit
    expect(
      risk.checkOrder({ coin: "SOL", side: "sell", notionalUsd: 2_000.01, reduceOnly: false }).allowed,
    ).toBe(false);
  });

  it("refuses an order whose fill would take the gross position above the account limit", () => {
    const { risk } = setup({ maxAccountPosition: { limitUsd: 5_000 } });
    risk.updatePosition("BTC", 0.04, 100_000); // $4,000
    expect(risk.checkOrder({ coin: "ETH", side: "sell", notionalUsd: 1_000, reduceOnly: false })).toBe(
      ORDER_ALLOWED,
    );
    const over = risk.checkOrder({ coin: "ETH", side: "sell", notionalUsd: 1_000.5, reduceOnly: false });
    expect(over.reasons).toEqual([
      expect.objectContaining({
        rule: "max-account-position",
        effect: "refuse",
        value: 5_000.5,
        threshold: 5_000,
      }),
    ]);
    // reducing BTC is always fine
    expect(risk.checkOrder({ coin: "BTC", side: "sell", notionalUsd: 2_000, reduceOnly: false })).toBe(
      ORDER_ALLOWED,
    );
  });

  it("under halt refuses everything, reduce-only orders too, with the halt reasons", () => {
    const { risk } = setup({ maxOrderNotional: { limitUsd: 500 }, maxPosition: { limitUsd: 2_000 } });
    risk.updatePosition("BTC", 0.03, 100_000);
    risk.engageKillSwitch("test");
    const check = risk.checkOrder({ coin: "BTC", side: "sell", notionalUsd: 600, reduceOnly: true });
    expect(check.allowed).toBe(false);
    expect(rules(check.reasons)).toEqual(["max-order-notional:refuse", "kill-switch:halt"]);
  });

  it("rejects a negative or non-finite notional", () => {
    const { risk } = setup({});
    for (const notionalUsd of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => risk.checkOrder({ coin: "BTC", side: "buy", notionalUsd, reduceOnly: false })).toThrow(
        RiskInputError,
      );
    }
  });
});

describe("daily-loss (loss since the day's start ≥ limit → halt until the next day)", () => {
  const config = { dailyLoss: { limitUsd: 300 } };

  it("is quiet just below the limit", () => {
    const { risk } = setup(config);
    risk.updateEquity(10_000);
    risk.updateEquity(9_700.01);
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
  });

  it("halts at and above the limit until the next UTC midnight, even if equity recovers", () => {
    for (const equity of [9_700, 9_699]) {
      const { clock, risk } = setup(config);
      risk.updateEquity(10_000);
      risk.updateEquity(equity);
      const decision = risk.evaluate("BTC");
      expect(decision.action).toBe("halt");
      expect(decision.reasons).toEqual([
        expect.objectContaining({
          rule: "daily-loss",
          effect: "halt",
          value: 10_000 - equity,
          threshold: 300,
          untilMs: NEXT_MIDNIGHT,
        }),
      ]);
      expect(decision.reasons[0]!.message).toContain("2025-01-02T00:00:00.000Z");
      risk.updateEquity(10_100); // recovered: still halted today
      expect(risk.evaluate().action).toBe("halt");
      clock.set(NEXT_MIDNIGHT - 1);
      expect(risk.evaluate().action).toBe("halt");
      clock.set(NEXT_MIDNIGHT);
      expect(risk.evaluate()).toBe(ALLOW_DECISION);
    }
  });

  it("starts the day from the last equity reported before midnight", () => {
    const { clock, risk } = setup(config);
    risk.updateEquity(10_000);
    clock.set(NEXT_MIDNIGHT - HOUR);
    risk.updateEquity(9_800); // −$200 on day one: fine
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
    clock.set(NEXT_MIDNIGHT + HOUR);
    risk.updateEquity(9_500.01); // −$299.99 from 9,800
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
    risk.updateEquity(9_500);
    expect(risk.evaluate().reasons[0]).toMatchObject({
      rule: "daily-loss",
      untilMs: NEXT_MIDNIGHT + 24 * HOUR,
    });
  });

  it("takes timestamps passed in and ignores a time going back to an earlier day", () => {
    const { risk } = setup(config);
    risk.updateEquity(10_000, NEXT_MIDNIGHT + HOUR);
    risk.updateEquity(9_000, NEXT_MIDNIGHT - HOUR); // late report: still measured against today's start
    expect(risk.evaluate().action).toBe("halt");
    expect(risk.snapshot().equity.dayStartMs).toBe(NEXT_MIDNIGHT);
  });

  it("honours dayStartOffsetMs (a day starting at 08:00 UTC)", () => {
    const { clock, risk } = setup(
      { dailyLoss: { limitUsd: 300, dayStartOffsetMs: 8 * HOUR } },
      Date.UTC(2025, 0, 1, 7),
    );
    risk.updateEquity(10_000);
    clock.set(Date.UTC(2025, 0, 1, 9, 0)); // a new risk day began at 08:00
    risk.updateEquity(9_700);
    expect(risk.evaluate().reasons[0]!.untilMs).toBe(Date.UTC(2025, 0, 2, 8, 0));
  });

  it("can be disabled", () => {
    const { risk } = setup({ dailyLoss: { enabled: false } });
    risk.updateEquity(10_000);
    risk.updateEquity(1_000);
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
  });
});

describe("max-drawdown (from the peak ≥ limit → halt, latched until reset)", () => {
  const config = { maxDrawdown: { limitFraction: 0.1 } };

  it("is quiet just below the limit", () => {
    const { risk } = setup(config);
    risk.updateEquity(10_000);
    risk.updateEquity(9_000.01);
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
  });

  it("latches at and above the limit until resetDrawdown()", () => {
    for (const equity of [9_000, 8_999]) {
      const { clock, risk } = setup(config);
      risk.updateEquity(9_500);
      risk.updateEquity(10_000); // the peak
      risk.updateEquity(equity);
      expect(risk.drawdownLatched).toBe(true);
      expect(risk.evaluate().reasons).toEqual([
        expect.objectContaining({
          rule: "max-drawdown",
          effect: "halt",
          value: (10_000 - equity) / 10_000,
          threshold: 0.1,
          untilMs: null,
        }),
      ]);
      risk.updateEquity(10_500);
      clock.advance(7 * 24 * HOUR);
      expect(risk.evaluate().action).toBe("halt"); // latched through recovery and days
      risk.resetDrawdown();
      expect(risk.evaluate()).toBe(ALLOW_DECISION);
      // the peak restarts from the last equity
      risk.updateEquity(9_450.01);
      expect(risk.evaluate()).toBe(ALLOW_DECISION);
      risk.updateEquity(9_450);
      expect(risk.evaluate().action).toBe("halt");
    }
  });

  it("does nothing without a positive peak, and can be disabled", () => {
    const { risk } = setup(config);
    risk.updateEquity(-100);
    risk.updateEquity(-500);
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
    const off = setup({ maxDrawdown: { enabled: false } }).risk;
    off.updateEquity(10_000);
    off.updateEquity(1);
    expect(off.evaluate()).toBe(ALLOW_DECISION);
  });
});

describe("volatility (σ ≥ threshold → action, cool-down after it falls back)", () => {
  const config = { volatility: { thresholdSigmaPerSqrtHour: 0.02, cooldownMs: 15 * MINUTE } };

  it("is quiet just below the threshold", () => {
    const { risk } = setup(config);
    risk.updateVolatility("BTC", 0.019_99);
    expect(risk.evaluate("BTC")).toBe(ALLOW_DECISION);
  });

  it("trips at and above the threshold, for that coin only", () => {
    for (const sigma of [0.02, 0.03]) {
      const { risk } = setup(config);
      risk.updateVolatility("BTC", sigma);
      expect(risk.evaluate("BTC").reasons).toEqual([
        expect.objectContaining({
          rule: "volatility",
          effect: "reduce-only",
          coin: "BTC",
          value: sigma,
          threshold: 0.02,
          untilMs: null,
        }),
      ]);
      expect(risk.evaluate("ETH")).toBe(ALLOW_DECISION);
      expect(risk.evaluate()).toBe(ALLOW_DECISION);
    }
  });

  it("clears exactly cooldownMs after σ falls back, restarting the cool-down if σ returns", () => {
    const { clock, risk } = setup(config);
    risk.updateVolatility("BTC", 0.05);
    clock.advance(MINUTE);
    risk.updateVolatility("BTC", 0.01); // falls back at T0 + 1 min
    const fellAt = clock.now();
    expect(risk.evaluate("BTC").reasons[0]).toMatchObject({
      effect: "reduce-only",
      untilMs: fellAt + 15 * MINUTE,
    });
    expect(risk.evaluate("BTC").reasons[0]!.message).toContain("cooling down");
    clock.advance(5 * MINUTE);
    risk.updateVolatility("BTC", 0.011); // still below: the cool-down keeps its start
    clock.set(fellAt + 15 * MINUTE - 1);
    expect(risk.evaluate("BTC").action).toBe("reduce-only");
    clock.set(fellAt + 15 * MINUTE);
    expect(risk.evaluate("BTC")).toBe(ALLOW_DECISION);

    risk.updateVolatility("BTC", 0.02); // back: tripped, no end in sight
    clock.advance(MINUTE);
    risk.updateVolatility("BTC", 0.01);
    const secondFall = clock.now();
    clock.advance(5 * MINUTE);
    risk.updateVolatility("BTC", 0.025); // returns during the cool-down
    clock.advance(MINUTE);
    expect(risk.evaluate("BTC").reasons[0]!.untilMs).toBeNull();
    risk.updateVolatility("BTC", 0.01);
    expect(risk.evaluate("BTC").reasons[0]!.untilMs).toBe(clock.now() + 15 * MINUTE);
    expect(clock.now()).toBeGreaterThan(secondFall);
    clock.advance(15 * MINUTE);
    risk.updateVolatility("BTC", 0.01); // an update after the cool-down clears the latch for good
    expect(risk.snapshot().coins[0]!.volatilityTripped).toBe(false);
  });

  it("halts when configured to, and clears at once with no cool-down", () => {
    const { risk } = setup({
      volatility: { thresholdSigmaPerSqrtHour: 0.02, action: "halt", cooldownMs: 0 },
    });
    risk.updateVolatility("BTC", 0.02);
    expect(risk.evaluate("BTC").action).toBe("halt");
    risk.updateVolatility("BTC", 0.019);
    expect(risk.evaluate("BTC")).toBe(ALLOW_DECISION);
  });

  it("can be disabled", () => {
    const { risk } = setup({ volatility: { enabled: false } });
    risk.updateVolatility("BTC", 5);
    expect(risk.evaluate("BTC")).toBe(ALLOW_DECISION);
  });
});

describe("stale-data (no market data for ≥ timeout → halt that coin until data arrives)", () => {
  const config = { staleData: { timeoutMs: 5_000 } };

  it("halts a coin that never had data", () => {
    const { risk } = setup(config);
    const decision = risk.evaluate("BTC");
    expect(decision.reasons).toEqual([
      expect.objectContaining({
        rule: "stale-data",
        effect: "halt",
        coin: "BTC",
        value: Number.POSITIVE_INFINITY,
      }),
    ]);
    expect(decision.reasons[0]!.message).toContain("no market data for BTC yet");
    expect(risk.evaluate()).toBe(ALLOW_DECISION); // account-wide view has no per-coin rules
  });

  it("is fresh just below the timeout, stale at and above it, fresh again on new data", () => {
    const { clock, risk } = setup(config);
    risk.recordMarketData("BTC");
    clock.advance(4_999);
    expect(risk.evaluate("BTC")).toBe(ALLOW_DECISION);
    clock.advance(1);
    expect(risk.evaluate("BTC").reasons[0]).toMatchObject({
      rule: "stale-data",
      value: 5_000,
      threshold: 5_000,
    });
    clock.advance(1);
    expect(risk.evaluate("BTC").reasons[0]!.value).toBe(5_001);
    risk.recordMarketData("BTC");
    expect(risk.evaluate("BTC")).toBe(ALLOW_DECISION);
  });

  it("keeps the latest arrival when an older timestamp comes in late", () => {
    const { clock, risk } = setup(config);
    risk.recordMarketData("BTC", T0 + 3_000);
    risk.recordMarketData("BTC", T0);
    clock.set(T0 + 7_999);
    expect(risk.evaluate("BTC")).toBe(ALLOW_DECISION);
  });

  it("can be disabled", () => {
    const { risk } = setup({ staleData: { enabled: false } });
    expect(risk.evaluate("BTC")).toBe(ALLOW_DECISION);
  });
});

describe("error-burst (≥ maxErrors in the sliding window → halt for the cool-down)", () => {
  const config = { errorBurst: { maxErrors: 10, windowMs: MINUTE, cooldownMs: 5 * MINUTE } };

  it("is quiet one error below the limit", () => {
    const { clock, risk } = setup(config);
    for (let i = 0; i < 9; i++) {
      risk.recordError();
      clock.advance(1_000);
    }
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
  });

  it("halts at the limit for cooldownMs after the error completing the burst", () => {
    const { clock, risk } = setup(config);
    for (let i = 0; i < 10; i++) {
      clock.advance(1_000);
      risk.recordError();
    }
    const burstAt = clock.now();
    expect(risk.evaluate().reasons).toEqual([
      expect.objectContaining({
        rule: "error-burst",
        effect: "halt",
        value: 10,
        threshold: 10,
        untilMs: burstAt + 5 * MINUTE,
      }),
    ]);
    clock.set(burstAt + 5 * MINUTE - 1);
    expect(risk.evaluate().action).toBe("halt");
    clock.set(burstAt + 5 * MINUTE);
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
  });

  it("counts an 11th error and extends the halt", () => {
    const { clock, risk } = setup(config);
    for (let i = 0; i < 11; i++) risk.recordError();
    clock.advance(30_000);
    risk.recordError();
    expect(risk.evaluate().reasons[0]).toMatchObject({ value: 12, untilMs: T0 + 30_000 + 5 * MINUTE });
  });

  it("slides: an error exactly windowMs old no longer counts, one a millisecond younger does", () => {
    const atEdge = setup(config);
    for (let i = 0; i < 9; i++) atEdge.risk.recordError(T0);
    atEdge.clock.set(T0 + MINUTE);
    atEdge.risk.recordError();
    expect(atEdge.risk.evaluate()).toBe(ALLOW_DECISION);

    const inside = setup(config);
    for (let i = 0; i < 9; i++) inside.risk.recordError(T0);
    inside.clock.set(T0 + MINUTE - 1);
    inside.risk.recordError();
    expect(inside.risk.evaluate().action).toBe("halt");
  });

  it("can be disabled", () => {
    const { risk } = setup({ errorBurst: { enabled: false } });
    for (let i = 0; i < 100; i++) risk.recordError();
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
  });
});

describe("request budget in the decision", () => {
  const config = {
    requestBudget: {
      initialRequests: 10_000,
      addressReserveRequests: 2_000,
      ipWeightLimit: 1_200,
      ipReserveWeight: 240,
    },
  };

  it("address: slows down at the reserve, halts when spent", () => {
    const { risk } = setup(config);
    risk.budget.record(7_999, 0); // 2,001 left
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
    risk.budget.record(1, 0); // 2,000 left: at the reserve
    let decision = risk.evaluate("BTC");
    expect(decision.action).toBe("allow");
    expect(decision.slowDown).toBe(true);
    expect(decision.reasons).toEqual([
      expect.objectContaining({
        rule: "address-budget",
        effect: "slow-down",
        value: 2_000,
        threshold: 2_000,
      }),
    ]);
    risk.budget.record(1, 0);
    expect(risk.evaluate().reasons[0]!.value).toBe(1_999);
    risk.budget.record(1_998, 0); // 1 left
    expect(risk.evaluate().action).toBe("allow");
    risk.budget.record(1, 0); // 0 left
    decision = risk.evaluate();
    expect(decision.action).toBe("halt");
    expect(decision.slowDown).toBe(false);
    expect(rules(decision.reasons)).toEqual(["address-budget:halt"]);
    risk.budget.recordTradedUsd(1_000); // trading earns requests back
    expect(risk.evaluate().slowDown).toBe(true);
    risk.budget.recordTradedUsd(5_000);
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
  });

  it("IP weight: slows down at the reserve, halts when spent, frees after the window", () => {
    const { clock, risk } = setup(config);
    risk.budget.record(0, 959); // 241 left
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
    risk.budget.record(0, 1); // 240 left
    expect(risk.evaluate().reasons).toEqual([
      expect.objectContaining({ rule: "ip-budget", effect: "slow-down", value: 240, threshold: 240 }),
    ]);
    clock.advance(10_000);
    risk.budget.record(0, 240); // 0 left
    expect(risk.evaluate().reasons).toEqual([
      expect.objectContaining({
        rule: "ip-budget",
        effect: "halt",
        value: 0,
        threshold: 0,
        untilMs: T0 + MINUTE,
      }),
    ]);
    clock.set(T0 + MINUTE - 1);
    expect(risk.evaluate().action).toBe("halt");
    clock.set(T0 + MINUTE); // the first 960 left the window
    expect(risk.evaluate().slowDown).toBe(false);
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
  });

  it("can be disabled", () => {
    const { risk } = setup({});
    risk.budget.record(20_000, 5_000);
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
  });
});

describe("kill switch", () => {
  it("halts everything until released, whatever else is fine", () => {
    const clock = new ManualClock(T0);
    const risk = new RiskEngine({ clock });
    risk.recordMarketData("BTC");
    risk.engageKillSwitch("operator: venue incident");
    expect(risk.killSwitchEngaged).toBe(true);
    const decision = risk.evaluate("BTC");
    expect(decision.reasons).toEqual([
      expect.objectContaining({ rule: "kill-switch", effect: "halt", coin: null, value: 1, threshold: 1 }),
    ]);
    expect(decision.reasons[0]!.message).toContain("operator: venue incident");
    clock.advance(30 * 24 * HOUR);
    expect(risk.evaluate().action).toBe("halt"); // latched: time does not release it
    risk.engageKillSwitch(); // again, without a note: keeps the first note and time
    expect(risk.snapshot().killSwitch).toEqual({
      engaged: true,
      note: "operator: venue incident",
      engagedAtMs: T0,
    });
    risk.releaseKillSwitch();
    expect(risk.killSwitchEngaged).toBe(false);
    expect(risk.evaluate()).toBe(ALLOW_DECISION);
  });

  it("survives a snapshot and restore", () => {
    const clock = new ManualClock(T0);
    const risk = new RiskEngine({ clock });
    risk.engageKillSwitch();
    expect(risk.evaluate().reasons[0]!.message).toBe("manual kill switch engaged; halted until released");
    const restored = new RiskEngine({ clock, snapshot: JSON.parse(JSON.stringify(risk.snapshot())) });
    expect(restored.evaluate().action).toBe("halt");
  });
});

describe("precedence and several reasons", () => {
  it("halt beats reduce-only beats allow, listing every active reason with halts first", () => {
    const { risk } = setup({
      maxPosition: { limitUsd: 2_000 },
      volatility: { thresholdSigmaPerSqrtHour: 0.02 },
      staleData: { timeoutMs: 5_000 },
      requestBudget: { initialRequests: 10_000, addressReserveRequests: 2_000 },
    });
    risk.recordMarketData("BTC");
    risk.updatePosition("BTC", 0.03, 100_000);
    risk.updateVolatility("BTC", 0.05);
    risk.budget.record(9_000, 0);
    let decision = risk.evaluate("BTC");
    expect(decision.action).toBe("reduce-only");
    expect(decision.slowDown).toBe(true);
    expect(rules(decision.reasons)).toEqual([
      "volatility:reduce-only",
      "max-position:reduce-only",
      "address-budget:slow-down",
    ]);
    risk.engageKillSwitch();
    decision = risk.evaluate("BTC");
    expect(decision.action).toBe("halt");
    expect(rules(decision.reasons)).toEqual([
      "kill-switch:halt",
      "volatility:reduce-only",
      "max-position:reduce-only",
      "address-budget:slow-down",
    ]);
  });

  it("reports every halting rule at once", () => {
    const clock = new ManualClock(T0);
    const risk = new RiskEngine({ clock });
    risk.updateEquity(10_000);
    risk.updateEquity(8_000);
    for (let i = 0; i < 10; i++) risk.recordError();
    risk.engageKillSwitch();
    risk.budget.record(10_000, 1_200);
    expect(rules(risk.evaluate("BTC").reasons)).toEqual([
      "kill-switch:halt",
      "max-drawdown:halt",
      "daily-loss:halt",
      "error-burst:halt",
      "address-budget:halt",
      "ip-budget:halt",
      "stale-data:halt",
    ]);
  });
});

describe("snapshot / restore", () => {
  function busyEngine(clock: ManualClock): RiskEngine {
    const risk = new RiskEngine({ clock, config: { maxPosition: { perCoinLimitUsd: { ETH: 1_000 } } } });
    risk.recordMarketData("BTC");
    risk.recordMarketData("ETH");
    risk.updatePosition("BTC", 0.03, 100_000);
    risk.updatePosition("ETH", -0.2, 3_000);
    risk.updateVolatility("ETH", 0.05);
    clock.advance(MINUTE);
    risk.updateVolatility("ETH", 0.01);
    risk.updateEquity(10_000);
    risk.updateEquity(9_600);
    for (let i = 0; i < 10; i++) risk.recordError();
    risk.budget.record(8_500, 1_000);
    risk.budget.recordTradedUsd(1_234.5);
    risk.engageKillSwitch("night");
    return risk;
  }

  it("round-trips through JSON: same decisions now and later, same snapshot", () => {
    const clock = new ManualClock(T0);
    const risk = busyEngine(clock);
    const json = JSON.stringify(risk.snapshot());
    const restored = new RiskEngine({
      clock,
      config: { maxPosition: { perCoinLimitUsd: { ETH: 1_000 } } },
      snapshot: JSON.parse(json),
    });
    expect(restored.snapshot()).toEqual(risk.snapshot());
    for (const step of [0, 1_000, 2 * MINUTE, 10 * MINUTE, 20 * HOUR]) {
      clock.advance(step);
      for (const coin of [undefined, "BTC", "ETH", "SOL"])
        expect(restored.evaluate(coin)).toEqual(risk.evaluate(coin));
      const order = { coin: "ETH", side: "sell" as const, notionalUsd: 100, reduceOnly: false };
      expect(restored.checkOrder(order)).toEqual(risk.checkOrder(order));
    }
    restored.releaseKillSwitch();
    risk.releaseKillSwitch();
    restored.resetDrawdown();
    expect(restored.evaluate("BTC")).toEqual(risk.evaluate("BTC"));
  });

  it("of a fresh engine is mostly nulls and restores to a fresh engine", () => {
    const clock = new ManualClock(T0);
    const fresh = new RiskEngine({ clock });
    const snapshot = fresh.snapshot();
    expect(snapshot.equity.lastUsd).toBeNull();
    expect(snapshot.coins).toEqual([]);
    const busy = busyEngine(clock);
    busy.restore(snapshot);
    expect(busy.snapshot()).toEqual(snapshot);
  });

  it("rejects a snapshot that is not one, naming the field", () => {
    const clock = new ManualClock(T0);
    const risk = new RiskEngine({ clock });
    const good = risk.snapshot();
    const cases: Array<[unknown, string]> = [
      [{ ...good, version: 2 }, "version"],
      [{ ...good, killSwitch: { ...good.killSwitch, engaged: "yes" } }, "killSwitch.engaged"],
      [{ ...good, coins: [{ coin: "BTC" }] }, "coins.0.size"],
      [{ ...good, extra: 1 }, "extra"],
      [null, "(root)"],
    ];
    for (const [bad, field] of cases) {
      try {
        risk.restore(bad);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(RiskSnapshotError);
        expect((error as RiskSnapshotError).field).toBe(field);
        expect((error as RiskSnapshotError).code).toBe("INVALID_RISK_SNAPSHOT");
      }
    }
  });
});

describe("inputs", () => {
  it("refuses NaN and infinities instead of silently disabling a rule", () => {
    const { risk } = setup({});
    const cases: Array<[() => void, string]> = [
      [() => risk.updateEquity(Number.NaN), "equityUsd"],
      [() => risk.updateEquity(1, Number.NaN), "timeMs"],
      [() => risk.updatePosition("BTC", Number.POSITIVE_INFINITY, 1), "size"],
      [() => risk.updatePosition("BTC", 1, -1), "markPriceUsd"],
      [() => risk.updatePosition("BTC", 1, Number.NaN), "markPriceUsd"],
      [() => risk.updateVolatility("BTC", -0.1), "sigmaPerSqrtHour"],
      [() => risk.updateVolatility("BTC", Number.NaN), "sigmaPerSqrtHour"],
      [() => risk.recordMarketData("BTC", Number.POSITIVE_INFINITY), "timeMs"],
      [() => risk.recordError(Number.NaN), "timeMs"],
      [() => risk.updatePosition("", 1, 1), "coin"],
    ];
    for (const [call, field] of cases) {
      try {
        call();
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(RiskInputError);
        expect((error as RiskInputError).field).toBe(field);
      }
    }
  });

  it("writes far-out dates as numbers rather than throwing", () => {
    const clock = new ManualClock(0);
    const risk = new RiskEngine({ clock, config: only({ errorBurst: { maxErrors: 1, cooldownMs: 9e15 } }) });
    risk.recordError();
    expect(risk.evaluate().reasons[0]!.message).toContain("9000000000000000 ms");
  });
});
