import { signBybit, startBybitEmulator } from "@botmm/bybit-emulator";
import { ManualClock } from "@botmm/core";

const clock = new ManualClock(1_700_000_000_000);
const emulator = await startBybitEmulator({ clock, accounts: [{ apiKey: "k", secret: "s" }] });

// Bybit v5 signing: HMAC-SHA256 of timestamp + key + recvWindow + (query string | JSON body).
const post = async (path: string, body: object) => {
  const payload = JSON.stringify(body);
  const sign = signBybit({ timestamp: clock.now(), apiKey: "k", recvWindow: 5000, payload }, "s");
  const headers = {
    "Content-Type": "application/json",
    "X-BAPI-API-KEY": "k",
    "X-BAPI-TIMESTAMP": String(clock.now()),
    "X-BAPI-RECV-WINDOW": "5000",
    "X-BAPI-SIGN": sign,
  };
  const res = await fetch(`${emulator.url}${path}`, { method: "POST", headers, body: payload });
  return (await res.json()) as { retCode: number; retMsg: string; result: { orderLinkId?: string } };
};

const order = {
  category: "linear",
  symbol: "BTCUSDT",
  orderType: "Limit",
  qty: "0.002",
  timeInForce: "PostOnly",
};
const placed = await post("/v5/order/create", { ...order, side: "Buy", price: "59990", orderLinkId: "q1" });
console.log(placed.retCode, placed.result.orderLinkId); // 0 q1
const gone = await post("/v5/order/cancel", { category: "linear", symbol: "BTCUSDT", orderLinkId: "zz" });
console.log(gone.retCode, gone.retMsg); // 110001 order not exists or too late to cancel

emulator.injectHttpFault({ kind: "drop", when: "after" }); // the next request executes, its answer is lost
await emulator.close();
