import { ManualClock } from "@botmm/core";
import { test } from "vitest";
import { hyperliquidExchangeWeight } from "./budget.ts";
import type { OrderIntent } from "./decision.ts";
import { RiskEngine } from "./engine.ts";

/** Calls per benchmark iteration: the reported time per iteration ÷ 1000 is the cost of one call. */
const N = 1_000;
const T0 = Date.UTC(2025, 0, 1, 10);
let sink = 0;

function quietEngine(): { clock: ManualClock; risk: RiskEngine } {
  const clock = new ManualClock(T0);
  const risk = new RiskEngine({ clock }); // every rule enabled, defaults
  for (const coin of ["BTC", "ETH", "SOL"]) {
    risk.recordMarketData(coin);
    risk.updateVolatility(coin, 0.005);
  }
  risk.updatePosition("BTC", 0.005, 100_000);
  risk.updatePosition("ETH", -0.2, 3_000);
  risk.updateEquity(10_000);
  for (let i = 0; i < 5; i++) risk.recordError();
  risk.budget.record(1_000, 100);
  return { clock, risk };
}

const buy: OrderIntent = { coin: "BTC", side: "buy", notionalUsd: 250, reduceOnly: false };

test("RiskEngine", async ({ bench, expect }) => {
  const quiet = quietEngine();
  const busy = quietEngine();
  busy.risk.updatePosition("BTC", 0.03, 100_000);
  busy.risk.updateVolatility("BTC", 0.05);
  busy.risk.budget.record(7_500, 0);
  const loop = quietEngine();
  const budget = quietEngine().risk.budget;
  const weight = hyperliquidExchangeWeight(10);

  await bench.compare(
    bench(`evaluate(coin), every rule checked, nothing active × ${N}`, () => {
      for (let i = 0; i < N; i++) sink += quiet.risk.evaluate("BTC").reasons.length;
    }),
    bench(`checkOrder, allowed × ${N}`, () => {
      for (let i = 0; i < N; i++) sink += quiet.risk.checkOrder(buy).allowed ? 1 : 0;
    }),
    bench(`evaluate(coin), 3 active reasons × ${N}`, () => {
      for (let i = 0; i < N; i++) sink += busy.risk.evaluate("BTC").reasons.length;
    }),
    bench(`checkOrder, refused under reduce-only × ${N}`, () => {
      for (let i = 0; i < N; i++) sink += busy.risk.checkOrder(buy).reasons.length;
    }),
    bench(`backtest step (advance, 4 updates, evaluate, 2 checkOrder) × ${N}`, () => {
      const { clock, risk } = loop;
      for (let i = 0; i < N; i++) {
        clock.advance(100);
        risk.recordMarketData("BTC");
        risk.updatePosition("BTC", 0.005 + (i % 7) * 0.0001, 100_000 + (i % 13));
        risk.updateEquity(10_000 + (i % 11));
        risk.updateVolatility("BTC", 0.005);
        sink += risk.evaluate("BTC").reasons.length;
        sink += risk.checkOrder(buy).allowed ? 1 : 0;
        sink += risk.checkOrder({ coin: "BTC", side: "sell", notionalUsd: 250, reduceOnly: false }).allowed
          ? 1
          : 0;
      }
    }),
    bench(`budget.canSpend(10, weight) × ${N}`, () => {
      for (let i = 0; i < N; i++) sink += budget.canSpend(10, weight) ? 1 : 0;
    }),
  );
  expect(Number.isFinite(sink)).toBe(true);
});
