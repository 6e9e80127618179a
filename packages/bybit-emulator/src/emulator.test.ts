import { ManualClock } from "@botmm/core";
import { afterEach, describe, expect, it } from "vitest";
import { type BybitEmulator, signBybit, startBybitEmulator } from "./emulator.ts";

const account = { apiKey: "k-bybit-emulator-test", secret: "s-bybit-emulator-test" };
let emulator: BybitEmulator | undefined;
afterEach(async () => emulator?.close());

type Envelope = { retCode: number; retMsg: string; result: Record<string, unknown>; time: number };

async function signed(
  clock: ManualClock,
  method: "GET" | "POST",
  path: string,
  params: Record<string, unknown>,
  secret = account.secret,
) {
  const timestamp = clock.now();
  const payload =
    method === "POST"
      ? JSON.stringify(params)
      : new URLSearchParams(
          Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
        ).toString();
  const sign = signBybit({ timestamp, apiKey: account.apiKey, recvWindow: 5000, payload }, secret);
  const headers = {
    "Content-Type": "application/json",
    "X-BAPI-API-KEY": account.apiKey,
    "X-BAPI-TIMESTAMP": String(timestamp),
    "X-BAPI-RECV-WINDOW": "5000",
    "X-BAPI-SIGN": sign,
  };
  const res =
    method === "POST"
      ? await fetch(`${emulator!.url}${path}`, { method, headers, body: payload })
      : await fetch(`${emulator!.url}${path}?${payload}`, { headers });
  return { status: res.status, json: (await res.json()) as Envelope };
}

const order = { category: "linear", symbol: "BTCUSDT", orderType: "Limit", qty: "0.002" };

describe("Bybit emulator HTTP", () => {
  it("serves instruments-info filters in Bybit's envelope", async () => {
    emulator = await startBybitEmulator({ clock: new ManualClock(1_700_000_000_000), accounts: [account] });
    const info = (await (
      await fetch(`${emulator.url}/v5/market/instruments-info?category=linear`)
    ).json()) as {
      retCode: number;
      result: {
        list: {
          symbol: string;
          priceFilter: { tickSize: string };
          lotSizeFilter: { minNotionalValue: string };
        }[];
      };
    };
    expect(info.retCode).toBe(0);
    expect(info.result.list[0]).toMatchObject({
      symbol: "BTCUSDT",
      priceFilter: { tickSize: "0.10" },
      lotSizeFilter: { qtyStep: "0.001", minNotionalValue: "5" },
    });
  });

  it("accepts a crossing PostOnly and cancels it with EC_PostOnlyWillTakeLiquidity; refuses a reused orderLinkId", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    emulator = await startBybitEmulator({ clock, accounts: [account] });
    const crossing = await signed(clock, "POST", "/v5/order/create", {
      ...order,
      side: "Buy",
      price: "60000.10",
      timeInForce: "PostOnly",
      orderLinkId: "c1",
    });
    expect(crossing.json).toMatchObject({ retCode: 0, retMsg: "OK", result: { orderLinkId: "c1" } });
    const state = await signed(clock, "GET", "/v5/order/realtime", {
      category: "linear",
      symbol: "BTCUSDT",
      orderLinkId: "c1",
    });
    expect((state.json.result.list as unknown[])[0]).toMatchObject({
      orderStatus: "Cancelled",
      rejectReason: "EC_PostOnlyWillTakeLiquidity",
      timeInForce: "PostOnly",
    });
    const again = await signed(clock, "POST", "/v5/order/create", {
      ...order,
      side: "Buy",
      price: "59990",
      timeInForce: "PostOnly",
      orderLinkId: "c1",
    });
    expect(again.json).toMatchObject({ retCode: 110072, retMsg: "OrderLinkedID is duplicate" });
  });

  it("answers 110001 for a cancel of an unknown order and arms disconnection protection", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    emulator = await startBybitEmulator({ clock, accounts: [account] });
    const gone = await signed(clock, "POST", "/v5/order/cancel", {
      category: "linear",
      symbol: "BTCUSDT",
      orderLinkId: "zz",
    });
    expect(gone.json).toMatchObject({ retCode: 110001, retMsg: "order not exists or too late to cancel" });
    await signed(clock, "POST", "/v5/order/create", {
      ...order,
      side: "Sell",
      price: "60100",
      timeInForce: "GTC",
      orderLinkId: "d1",
    });
    const bad = await signed(clock, "POST", "/v5/order/disconnected-cancel-all", { timeWindow: 1 });
    expect(bad.json.retCode).toBe(10001);
    const ok = await signed(clock, "POST", "/v5/order/disconnected-cancel-all", { timeWindow: 10 });
    expect(ok.json).toMatchObject({ retCode: 0, retMsg: "success" });
    emulator.dropPrivateStream(account.apiKey);
    clock.advance(9_999);
    expect(emulator.sim.openOrders(account.apiKey)).toHaveLength(1);
    clock.advance(1);
    const open = await signed(clock, "GET", "/v5/order/realtime", { category: "linear", symbol: "BTCUSDT" });
    expect(open.json.result.list).toEqual([]);
  });

  it("rejects an unknown key with 10003, a wrong secret with 10004 and a stale timestamp with 10002", async () => {
    const clock = new ManualClock(1_700_000_000_000);
    emulator = await startBybitEmulator({ clock, accounts: [account] });
    const query = { category: "linear", symbol: "BTCUSDT" };
    expect((await signed(clock, "GET", "/v5/order/realtime", query, "wrong")).json.retCode).toBe(10004);
    const res = await fetch(`${emulator.url}/v5/order/realtime?category=linear`, {
      headers: { "X-BAPI-API-KEY": "nobody" },
    });
    expect(((await res.json()) as Envelope).retCode).toBe(10003);
    const timestamp = clock.now() - 6_000;
    const payload = "category=linear";
    const sign = signBybit({ timestamp, apiKey: account.apiKey, recvWindow: 5000, payload }, account.secret);
    const stale = await fetch(`${emulator.url}/v5/order/realtime?${payload}`, {
      headers: {
        "X-BAPI-API-KEY": account.apiKey,
        "X-BAPI-TIMESTAMP": String(timestamp),
        "X-BAPI-RECV-WINDOW": "5000",
        "X-BAPI-SIGN": sign,
      },
    });
    expect(((await stale.json()) as Envelope).retCode).toBe(10002);
  });

  it("injects retCode 10006, a 403 ban and a 503, then serves again", async () => {
    emulator = await startBybitEmulator({ clock: new ManualClock(1), accounts: [account] });
    emulator.injectHttpFault({ kind: "rate-limit", as: "10006" });
    emulator.injectHttpFault({ kind: "rate-limit", as: "403" });
    emulator.injectHttpFault({ kind: "status", status: 503 });
    const time = () => fetch(`${emulator!.url}/v5/market/time`);
    const limited = await time();
    expect([limited.status, ((await limited.json()) as Envelope).retCode]).toEqual([200, 10006]);
    expect((await time()).status).toBe(403);
    expect((await time()).status).toBe(503);
    expect(((await (await time()).json()) as Envelope).retCode).toBe(0);
  });
});
