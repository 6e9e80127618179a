import { ManualClock } from "@botmm/core";
import { hyperliquidExchangeWeight, RiskEngine } from "@botmm/risk";

// Backtests and tests drive time with a ManualClock; the live app passes systemClock().
const clock = new ManualClock(Date.UTC(2025, 0, 1, 12));
const risk = new RiskEngine({ clock, config: { maxPosition: { limitUsd: 1_000 } } });

// Feed it state as it happens.
risk.recordMarketData("BTC");
risk.updateEquity(10_000);
risk.updatePosition("BTC", 0.007, 100_000); // $700 long
console.log(risk.evaluate("BTC").action); // allow

// Ask before every order.
console.log(
  risk.checkOrder({ coin: "BTC", side: "buy", notionalUsd: 450, reduceOnly: false }).reasons[0]?.message,
);
// BTC order would take |position| to $1150.00, above the $1000.00 limit

// At the limit the coin goes reduce-only: only orders that shrink |position| pass.
risk.updatePosition("BTC", 0.01, 100_000);
console.log(risk.evaluate("BTC").reasons.map((r) => `${r.rule}: ${r.value} ≥ ${r.threshold}`));
// [ 'max-position: 1000 ≥ 1000' ]
console.log(risk.checkOrder({ coin: "BTC", side: "sell", notionalUsd: 200, reduceOnly: false }).allowed); // true

// No market data for 5 s halts the coin until fresh data arrives.
clock.advance(5_000);
console.log(risk.evaluate("BTC").action); // halt
risk.recordMarketData("BTC");

// Spend Hyperliquid's request budget carefully: check, send, record.
const weight = hyperliquidExchangeWeight(2);
if (risk.budget.canSpend(2, weight)) risk.budget.record(2, weight);
console.log(risk.budget.addressRemaining()); // 9998

// Persist the state so latches and budgets survive a restart.
const saved = JSON.stringify(risk.snapshot());
const restored = new RiskEngine({
  clock,
  config: { maxPosition: { limitUsd: 1_000 } },
  snapshot: JSON.parse(saved),
});
console.log(restored.evaluate("BTC").action); // reduce-only
