import { ManualClock } from "@botmm/core";
import { afterEach, describe, expect, it } from "vitest";
import { type BinanceEmulator, signQuery, startBinanceEmulator } from "./emulator.ts";

const account = { apiKey: "k-emulator-test", secret: "s-emulator-test" };
let emulator: BinanceEmulator | undefined;
afterEach(async () => emulator?.close());

async function signed(method: string, path: string, query: string, secret = account.secret) {
  const url = `${emulator!.url}${path}?${query}&signature=${signQuery(query, secret)}`;
  const res = await fetch(url, { method, headers: { "X-MBX-APIKEY": account.apiKey } });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

describe("Binance emulator HTTP", () => {
  it("serves exchangeInfo filters and places, cancels by origClientOrderId, and arms countdownCancelAll", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    emulator = await startBinanceEmulator({ clock, accounts: [account] });
    const info = (await (await fetch(`${emulator.url}/fapi/v1/exchangeInfo`)).json()) as {
      symbols: { symbol: string; filters: { filterType: string }[] }[];
    };
    expect(info.symbols[0]!.filters.map((f) => f.filterType)).toContain("MIN_NOTIONAL");
    const t = clock.now();
    const placed = await signed(
      "POST",
      "/fapi/v1/order",
      `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTX&quantity=0.002&price=59990&newClientOrderId=c1&timestamp=${t}`,
    );
    expect(placed.json).toMatchObject({ status: "NEW", clientOrderId: "c1", timeInForce: "GTX" });
    const gone = await signed(
      "DELETE",
      "/fapi/v1/order",
      `symbol=BTCUSDT&origClientOrderId=zz&timestamp=${t}`,
    );
    expect(gone.json).toEqual({ code: -2011, msg: "Unknown order sent." });
    await signed("POST", "/fapi/v1/countdownCancelAll", `symbol=BTCUSDT&countdownTime=1000&timestamp=${t}`);
    clock.advance(1_001);
    const open = await signed("GET", "/fapi/v1/openOrders", `symbol=BTCUSDT&timestamp=${clock.now()}`);
    expect(open.json).toEqual([]);
  });

  it("injects 429 with Retry-After and 418, then serves again", async () => {
    emulator = await startBinanceEmulator({ clock: new ManualClock(1), accounts: [account] });
    emulator.injectHttpFault({ kind: "rate-limit", status: 429, retryAfterSeconds: 7 });
    emulator.injectHttpFault({ kind: "rate-limit", status: 418, retryAfterSeconds: 60 });
    const first = await fetch(`${emulator.url}/fapi/v1/time`);
    expect([first.status, first.headers.get("retry-after")]).toEqual([429, "7"]);
    expect((await fetch(`${emulator.url}/fapi/v1/time`)).status).toBe(418);
    expect(await (await fetch(`${emulator.url}/fapi/v1/time`)).json()).toEqual({ serverTime: 1 });
  });

  it("rejects an unknown API key with −2015 and a wrong secret with −1022", async () => {
    emulator = await startBinanceEmulator({ clock: new ManualClock(5), accounts: [account] });
    expect((await signed("GET", "/fapi/v1/openOrders", "timestamp=5", "wrong")).json.code).toBe(-1022);
    const res = await fetch(`${emulator.url}/fapi/v1/openOrders?timestamp=5&signature=00`, {
      headers: { "X-MBX-APIKEY": "nobody" },
    });
    expect(((await res.json()) as { code: number }).code).toBe(-2015);
  });
});
