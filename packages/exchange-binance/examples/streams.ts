import { startBinanceEmulator } from "@botmm/binance-emulator";
import { systemClock } from "@botmm/core";
import { BinanceUsdmVenue } from "@botmm/exchange-binance";

const clock = systemClock();
const keys = { apiKey: "local-key", secret: "local-secret" };
const emulator = await startBinanceEmulator({ clock, accounts: [keys] });
// With { baseUrl } the streams come from the same host: ws://127.0.0.1:<port>/ws (ccxt pro's urls.api.ws.future).
const venue = await BinanceUsdmVenue.connect({ network: { baseUrl: emulator.url }, ...keys, clock });

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

// Our ask rests; someone else lifts it: the fill comes on the user data stream (ORDER_TRADE_UPDATE).
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
const ioc = {
  symbol: "BTCUSDT",
  side: "BUY",
  timeInForce: "IOC",
  price: "60000",
  quantity: "0.002",
} as const;
emulator.engine.place("someone-else", { ...ioc, clientOrderId: "x", reduceOnly: false }, clock.now());
emulator.flushStreams();
await filled; // fill 1 sell 0.002 maker

// The sockets drop: the venue dials again, resubscribes, recovers missed fills over REST, then says so.
emulator.injectWsFault({ kind: "drop", target: "all" });
await reconnected; // disconnected, then reconnected

await stop();
await venue.close();
await emulator.close();
