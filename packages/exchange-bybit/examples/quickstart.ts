import { startBybitEmulator } from "@botmm/bybit-emulator";
import { systemClock } from "@botmm/core";
import { BybitLinearVenue } from "@botmm/exchange-bybit";

// A local Bybit v5 emulator on 127.0.0.1 (ephemeral port); keys are the caller's, here made up.
const keys = { apiKey: "local-key", secret: "local-secret" }; // live: BOTMM_BYBIT_KEY / BOTMM_BYBIT_SECRET
const clock = systemClock();
const emulator = await startBybitEmulator({ clock, accounts: [keys] });
const venue = await BybitLinearVenue.connect({ network: { baseUrl: emulator.url }, ...keys, clock });

// PostOnly, rounded exactly: bids down, asks up, sizes down. The house book is 59,999.9 / 60,000.1.
const quote = { coin: "BTCUSDT", size: 0.002, timeInForce: "alo", reduceOnly: false } as const;
const placed = await venue.placeOrders([
  { ...quote, clientId: "1", side: "buy", price: 59_990.07 },
  { ...quote, clientId: "2", side: "sell", price: 59_999.9 }, // would cross the bid: Bybit cancels it
]);
console.log(placed.map((r) => `${r.status} ${r.rejection ?? ""}`.trim())); // ["open","rejected post-only"]

// Move it with /v5/order/amend; it answers to client id 3 from now on.
const [moved] = await venue.modifyOrders([
  { ...quote, clientId: "1", newClientId: "3", side: "buy", price: 60_000 },
]);
console.log(moved!.clientId, moved!.status); // 3 open

// Someone sells into the bid (the emulator's taker); the fill shows up over REST.
emulator.sim.takeLiquidity("BTCUSDT", "sell", 0.002, clock.now());
const [fill] = await venue.recentFills("BTCUSDT");
console.log(fill!.clientId, fill!.liquidity, (await venue.position("BTCUSDT")).size); // 3 maker 0.002

await venue.close();
await emulator.close();
