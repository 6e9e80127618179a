import { signQuery, startBinanceEmulator } from "@botmm/binance-emulator";
import { ManualClock } from "@botmm/core";

const clock = new ManualClock(1_700_000_000_000);
const emulator = await startBinanceEmulator({ clock, accounts: [{ apiKey: "k", secret: "s" }] });
const query = `symbol=BTCUSDT&timestamp=${clock.now()}`;
const res = await fetch(`${emulator.url}/fapi/v1/openOrders?${query}&signature=${signQuery(query, "s")}`, {
  headers: { "X-MBX-APIKEY": "k" },
});
console.log(await res.json()); // []
emulator.injectHttpFault({ kind: "drop", when: "after" }); // the next request executes, its answer is lost
await emulator.close();
