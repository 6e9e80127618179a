import { ManualClock } from "@botmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RiskConfigInput } from "./config.ts";
import { ALLOW_DECISION, type OrderIntent, type RiskDecision, type RiskRuleId } from "./decision.ts";
import { RiskEngine } from "./engine.ts";
import { T0 } from "./test-helpers.ts";

const COINS = ["BTC", "ETH"] as const;
const ASKED = [undefined, "BTC", "ETH", "SOL"] as const;

const CONFIG: RiskConfigInput = {
  maxPosition: { limitUsd: 2_000, perCoinLimitUsd: { ETH: 1_000 } },
  maxAccountPosition: { limitUsd: 2_500 },
  maxOrderNotional: { limitUsd: 500 },
  dailyLoss: { limitUsd: 300 },
  maxDrawdown: { limitFraction: 0.1 },
  volatility: { thresholdSigmaPerSqrtHour: 0.02, cooldownMs: 60_000 },
  staleData: { timeoutMs: 5_000 },
  errorBurst: { maxErrors: 3, windowMs: 10_000, cooldownMs: 30_000 },
  requestBudget: {
    initialRequests: 600,
    addressReserveRequests: 200,
    ipWeightLimit: 500,
    ipReserveWeight: 100,
  },
};

type Op =
  | { type: "advance"; ms: number }
  | { type: "position"; coin: string; size: number; mark: number }
  | { type: "data"; coin: string }
  | { type: "equity"; usd: number }
  | { type: "vol"; coin: string; sigma: number }
  | { type: "error" }
  | { type: "request"; requests: number; weight: number }
  | { type: "traded"; usd: number }
  | { type: "kill" }
  | { type: "release" }
  | { type: "resetDrawdown" };

const coin = fc.constantFrom(...COINS);
/** Integers scaled down: fc.double spreads over all doubles and would make most values tiny. */
const scaled = (min: number, max: number, scale: number) => fc.integer({ min, max }).map((n) => n / scale);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ type: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 20_000 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant("position" as const),
      coin,
      size: scaled(-400, 400, 10_000),
      mark: fc.integer({ min: 1_000, max: 100_000 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ type: fc.constant("data" as const), coin }) },
  {
    weight: 2,
    arbitrary: fc.record({ type: fc.constant("equity" as const), usd: scaled(800_000, 1_200_000, 100) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ type: fc.constant("vol" as const), coin, sigma: scaled(0, 40, 1_000) }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("error" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("request" as const),
      requests: fc.integer({ min: 0, max: 400 }),
      weight: fc.integer({ min: 0, max: 300 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant("traded" as const), usd: fc.integer({ min: 0, max: 2_000 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ type: "kill" as const }) },
  { weight: 1, arbitrary: fc.constant({ type: "release" as const }) },
  { weight: 1, arbitrary: fc.constant({ type: "resetDrawdown" as const }) },
);
const ops = (maxLength: number) => fc.array(op, { maxLength, size: "max" });

const order: fc.Arbitrary<OrderIntent> = fc.record({
  coin: fc.constantFrom("BTC", "ETH", "SOL"),
  side: fc.constantFrom("buy" as const, "sell" as const),
  notionalUsd: scaled(0, 80_000, 100),
  reduceOnly: fc.boolean(),
});

function apply(risk: RiskEngine, clock: ManualClock, step: Op): void {
  switch (step.type) {
    case "advance":
      clock.advance(step.ms);
      break;
    case "position":
      risk.updatePosition(step.coin, step.size, step.mark);
      break;
    case "data":
      risk.recordMarketData(step.coin);
      break;
    case "equity":
      risk.updateEquity(step.usd);
      break;
    case "vol":
      risk.updateVolatility(step.coin, step.sigma);
      break;
    case "error":
      risk.recordError();
      break;
    case "request":
      risk.budget.record(step.requests, step.weight);
      break;
    case "traded":
      risk.budget.recordTradedUsd(step.usd);
      break;
    case "kill":
      risk.engageKillSwitch("property");
      break;
    case "release":
      risk.releaseKillSwitch();
      break;
    case "resetDrawdown":
      risk.resetDrawdown();
      break;
  }
}

function checkConsistent(decision: RiskDecision): void {
  const effects = decision.reasons.map((r) => r.effect);
  const expected = effects.includes("halt")
    ? "halt"
    : effects.includes("reduce-only")
      ? "reduce-only"
      : "allow";
  expect(decision.action).toBe(expected);
  expect(decision.slowDown).toBe(effects.includes("slow-down"));
  expect(decision === ALLOW_DECISION).toBe(decision.reasons.length === 0);
  expect(effects).not.toContain("refuse");
  // halts first
  const firstNonHalt = effects.findIndex((e) => e !== "halt");
  if (firstNonHalt >= 0) expect(effects.slice(firstNonHalt)).not.toContain("halt");
}

describe("RiskEngine properties", () => {
  it("the action is the strongest effect among the reasons; checkOrder honours halt and reduce-only", () => {
    fc.assert(
      fc.property(ops(60), fc.array(order, { minLength: 1, maxLength: 5 }), (steps, orders) => {
        const clock = new ManualClock(T0);
        const risk = new RiskEngine({ clock, config: CONFIG });
        for (const step of steps) {
          apply(risk, clock, step);
          for (const asked of ASKED) checkConsistent(risk.evaluate(asked));
          for (const o of orders) {
            const decision = risk.evaluate(o.coin);
            const check = risk.checkOrder(o);
            if (decision.action === "halt") expect(check.allowed).toBe(false);
            if (check.allowed && o.notionalUsd > 500) expect.unreachable("an order above the maximum passed");
            if (!check.allowed) expect(check.reasons.length).toBeGreaterThan(0);
            if (decision.action === "reduce-only" && check.allowed && !o.reduceOnly) {
              const position = risk.snapshot().coins.find((c) => c.coin === o.coin);
              const before = position === undefined ? 0 : position.size * position.markPriceUsd;
              const after = before + (o.side === "buy" ? o.notionalUsd : -o.notionalUsd);
              expect(Math.abs(after)).toBeLessThanOrEqual(Math.abs(before));
            }
          }
        }
      }),
      { seed: 1, numRuns: 150 },
    );
  });

  it("evaluateRules gives evaluate's action and the rules of its reasons, in their order", () => {
    fc.assert(
      fc.property(ops(60), (steps) => {
        const clock = new ManualClock(T0);
        const risk = new RiskEngine({ clock, config: CONFIG });
        const rules: RiskRuleId[] = [];
        const note = (rule: RiskRuleId) => rules.push(rule);
        for (const step of steps) {
          apply(risk, clock, step);
          for (const asked of ASKED) {
            rules.length = 0;
            const action = risk.evaluateRules(asked, note);
            const decision = risk.evaluate(asked);
            expect(action).toBe(decision.action);
            expect(rules).toEqual(decision.reasons.map((r) => r.rule));
          }
        }
      }),
      { seed: 4, numRuns: 150 },
    );
  });

  it("observeCoin and its active rules equal updateEquity, updatePosition, updateVolatility and evaluateRules at its time", () => {
    const bar = fc.record({
      coin,
      ms: fc.integer({ min: 0, max: 20_000 }),
      usd: scaled(800_000, 1_200_000, 100),
      size: scaled(-400, 400, 10_000),
      mark: fc.integer({ min: 1_000, max: 100_000 }),
      sigma: scaled(0, 40, 1_000),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(ops(4), bar), { maxLength: 40 }), (steps) => {
        const clock = new ManualClock(T0);
        const separate = new RiskEngine({ clock, config: CONFIG });
        const combined = new RiskEngine({ clock, config: CONFIG });
        const rules = { separate: [] as RiskRuleId[], combined: [] as RiskRuleId[] };
        for (const [between, b] of steps) {
          for (const step of between) {
            apply(separate, clock, step);
            apply(combined, clock, step);
          }
          clock.advance(b.ms);
          rules.separate.length = 0;
          rules.combined.length = 0;
          separate.updateEquity(b.usd);
          separate.updatePosition(b.coin, b.size, b.mark);
          separate.updateVolatility(b.coin, b.sigma);
          const expected = separate.evaluateRules(b.coin, (rule) => rules.separate.push(rule));
          const action = combined.observeCoin(b.coin, b.usd, b.size, b.mark, b.sigma, clock.now());
          for (let i = 0; i < combined.activeRuleCount; i++) rules.combined.push(combined.activeRule(i));
          expect(action).toBe(expected);
          expect(rules.combined).toEqual(rules.separate);
          expect(combined.snapshot()).toEqual(separate.snapshot());
        }
      }),
      { seed: 5, numRuns: 150 },
    );
  });

  it("observeCoin rejects what the single updates reject, naming the field", () => {
    const risk = new RiskEngine({ clock: new ManualClock(T0), config: CONFIG });
    expect(() => risk.observeCoin("BTC", Number.NaN, 0, 100, 0, T0)).toThrow(/equityUsd/);
    expect(() => risk.observeCoin("BTC", 1_000, 0, 100, 0, Number.NaN)).toThrow(/timeMs/);
    expect(() => risk.observeCoin("BTC", 1_000, Number.NaN, 100, 0, T0)).toThrow(/size/);
    expect(() => risk.observeCoin("BTC", 1_000, 0, -1, 0, T0)).toThrow(/markPriceUsd/);
    expect(() => risk.observeCoin("BTC", 1_000, 0, 100, -1, T0)).toThrow(/sigmaPerSqrtHour/);
  });

  it("activeRule refuses an index outside the active rules, naming the count", () => {
    const risk = new RiskEngine({ clock: new ManualClock(T0), config: CONFIG });
    // No market data yet: stale.
    expect(risk.observeCoin("BTC", 1_000, 0, 100, 0, T0)).toBe("halt");
    expect(risk.activeRuleCount).toBe(1);
    expect(risk.activeRule(0)).toBe("stale-data");
    expect(() => risk.activeRule(1)).toThrow("activeRule(1): the index must be below activeRuleCount (1)");
    expect(() => risk.activeRule(-1)).toThrow(RangeError);
  });

  it("a JSON snapshot restores an engine that decides exactly like the original from then on", () => {
    fc.assert(
      fc.property(ops(40), ops(40), order, (before, after, o) => {
        const clock = new ManualClock(T0);
        const original = new RiskEngine({ clock, config: CONFIG });
        for (const step of before) apply(original, clock, step);
        const restored = new RiskEngine({
          clock,
          config: CONFIG,
          snapshot: JSON.parse(JSON.stringify(original.snapshot())),
        });
        expect(restored.snapshot()).toEqual(original.snapshot());
        for (const step of after) {
          apply(original, clock, step);
          apply(restored, clock, step);
          for (const asked of ASKED) expect(restored.evaluate(asked)).toEqual(original.evaluate(asked));
          expect(restored.checkOrder(o)).toEqual(original.checkOrder(o));
        }
        expect(restored.snapshot()).toEqual(original.snapshot());
      }),
      { seed: 2, numRuns: 150 },
    );
  });

  it("is deterministic: the same inputs give the same decisions", () => {
    fc.assert(
      fc.property(ops(40), (steps) => {
        const run = () => {
          const clock = new ManualClock(T0);
          const risk = new RiskEngine({ clock, config: CONFIG });
          const out: RiskDecision[] = [];
          for (const step of steps) {
            apply(risk, clock, step);
            out.push(risk.evaluate("BTC"));
          }
          return out;
        };
        expect(run()).toEqual(run());
      }),
      { seed: 3, numRuns: 50 },
    );
  });
});
