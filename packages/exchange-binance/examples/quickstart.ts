import { startBinanceEmulator } from "@botmm/binance-emulator";
import { systemClock } from "@botmm/core";
import { BinanceUsdmVenue } from "@botmm/exchange-binance";

// A local Binance USDⓈ-M emulator on 127.0.0.1 (ephemeral port); keys are the caller's, here made up.
const keys = { apiKey: "local-key", secret: "local-secret" }; // live: BOTMM_BINANCE_KEY / BOTMM_BINANCE_SECRET
const emulator = await startBinanceEmulator({ clock: systemClock(), accounts: [keys] });
const venue = await BinanceUsdmVenue.connect({
  network: { baseUrl: emulator.url },
  ...keys,
  clock: systemClock(),
});

// Post only (GTX), rounded exactly: bids down, asks up, sizes down. The house book is 59,999.9 / 60,000.1.
const quote = { coin: "BTCUSDT", size: 0.002, timeInForce: "alo", reduceOnly: false } as const;
const placed = await venue.placeOrders([
  { ...quote, clientId: "1", side: "buy", price: 59_990.07 },
  { ...quote, clientId: "2", side: "sell", price: 59_999.9 }, // would cross the bid: −5022
]);
console.log(placed.map((r) => `${r.status} ${r.rejection ?? ""}`.trim())); // ["open","rejected post-only"]

// Move it with PUT /fapi/v1/order; it answers to client id 3 from now on.
const [moved] = await venue.modifyOrders([
  { ...quote, clientId: "1", newClientId: "3", side: "buy", price: 59_995 },
]);
console.log(moved!.clientId, moved!.status); // 3 open

const [cancelled] = await venue.cancelOrders([{ clientId: "3", coin: "BTCUSDT" }]);
console.log(cancelled!.status, (await venue.openOrders()).length); // cancelled 0

await venue.close();
await emulator.close();
