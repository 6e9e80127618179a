import { type Instrument, instrumentSchema } from "@botmm/core";
import { SimExchange } from "@botmm/sim-exchange";

const btc = instrumentSchema.parse({
  venue: "example",
  coin: "BTCUSDT",
  assetId: 0,
  priceRule: { type: "tick", tickSize: "0.10" },
  sizeRule: { type: "step", stepSize: "0.001" },
  minNotionalUsd: 5,
  maxLeverage: 20,
}) as Instrument;
// House liquidity one tick apart around 60,000: best bid 59,999.90, best ask 60,000.10.
const sim = new SimExchange([{ instrument: btc, midPrice: 60_000 }], { houseLevels: 5, houseSize: 1 });
const order = { symbol: "BTCUSDT", quantity: "0.002", clientId: "a", reduceOnly: false } as const;

console.log(sim.place("acct", { ...order, side: "buy", timeInForce: "alo", price: "60000.10" }, 1)); // {"reject":"post-only"}
sim.place("acct", { ...order, side: "buy", timeInForce: "alo", price: "60000.00" }, 2); // rests inside the spread

// An emulator-driven taker sells into the book: it hits the account's bid first.
const [fill] = sim.takeLiquidity("BTCUSDT", "sell", 0.002, 3);
console.log(fill?.liquidity, sim.position("acct", "BTCUSDT")); // maker {"size":0.002,"entryPrice":60000}
