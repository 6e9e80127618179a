import { startBybitEmulator } from "@botmm/bybit-emulator";
import { systemClock } from "@botmm/core";
import { BybitLinearVenue } from "@botmm/exchange-bybit";

const clock = systemClock();
const keys = { apiKey: "local-key", secret: "local-secret" };
const emulator = await startBybitEmulator({ clock, accounts: [keys] });
// With { baseUrl } the streams come from the same host: ws://127.0.0.1:<port>/v5/public/linear and /v5/private.
const venue = await BybitLinearVenue.connect({ network: { baseUrl: emulator.url }, ...keys, clock });

let fillSeen = () => {};
let backUp = () => {};
const filled = new Promise<void>((resolve) => (fillSeen = resolve));
const reconnected = new Promise<void>((resolve) => (backUp = resolve));
const stop = await venue.subscribe(
  { coins: ["BTCUSDT"], book: "top", trades: false, account: true },
  (event) => {
    if (event.type === "fill") {
      const { clientId, side, size, liquidity } = event.fill;
      console.log("fill", clientId, side, size, liquidity);
      fillSeen();
    }
    if (event.type === "connection") console.log(event.state);
    if (event.type === "connection" && event.state === "reconnected") backUp();
  },
);

// Our ask rests; the emulator's taker lifts it: the fill comes on the private stream (`execution`).
await venue.placeOrders([
  {
    clientId: "1",
    coin: "BTCUSDT",
    side: "sell",
    price: 60_000,
    size: 0.002,
    timeInForce: "alo",
    reduceOnly: false,
  },
]);
emulator.sim.takeLiquidity("BTCUSDT", "buy", 0.002, clock.now(), "60000");
await filled; // fill 1 sell 0.002 maker

// The sockets drop: the venue dials again, re-authenticates, resubscribes, recovers missed fills over REST.
emulator.dropStreams("all");
await reconnected; // disconnected, then reconnected

await stop();
await venue.close();
await emulator.close();
