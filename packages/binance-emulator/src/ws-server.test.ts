import { ManualClock } from "@botmm/core";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type BinanceEmulator, signQuery, startBinanceEmulator } from "./emulator.ts";

const maker = { apiKey: "k-maker", secret: "s-maker" };
const taker = { apiKey: "k-taker", secret: "s-taker" };
let emulator: BinanceEmulator | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await emulator?.close();
});

const clock = new ManualClock(1_700_000_000_000);

async function signed(method: string, path: string, query: string, who = maker) {
  const q = `${query}&timestamp=${clock.now()}`;
  const res = await fetch(`${emulator!.url}${path}?${q}&signature=${signQuery(q, who.secret)}`, {
    method,
    headers: { "X-MBX-APIKEY": who.apiKey },
  });
  return (await res.json()) as Record<string, unknown> & Record<number, unknown>;
}

/** A socket whose messages are collected; `until` waits (capped) for a message matching a predicate. */
async function open(path: string) {
  const socket = new WebSocket(`${emulator!.wsUrl.replace(/\/ws$/, "")}${path}`);
  sockets.push(socket);
  const messages: Record<string, unknown>[] = [];
  socket.on("message", (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  const until = async (match: (m: Record<string, unknown>) => boolean, what: string) => {
    for (let i = 0; i < 500; i++) {
      const found = messages.find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no ${what} within the cap; got ${JSON.stringify(messages).slice(0, 500)}`);
  };
  return { socket, messages, until };
}

describe("Binance emulator WebSocket streams", () => {
  it("depth diffs continue the REST snapshot's lastUpdateId (pu chain) and rebuild the same book", async () => {
    emulator = await startBinanceEmulator({ clock, accounts: [maker, taker] });
    const market = await open("/public/ws/0");
    market.socket.send(JSON.stringify({ method: "SUBSCRIBE", params: ["btcusdt@depth@100ms"], id: 1 }));
    await market.until((m) => m.id === 1 && m.result === null, "subscribe ack");
    const snapshot = (await (
      await fetch(`${emulator.url}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`)
    ).json()) as {
      lastUpdateId: number;
      bids: [string, string][];
      asks: [string, string][];
    };
    const book = new Map<string, string>();
    for (const [p, q] of snapshot.bids) book.set(`b${p}`, q);
    for (const [p, q] of snapshot.asks) book.set(`a${p}`, q);
    await signed(
      "POST",
      "/fapi/v1/order",
      "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTX&quantity=0.002&price=59990&newClientOrderId=a",
    );
    await signed(
      "POST",
      "/fapi/v1/order",
      "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.5&price=60000.2&newClientOrderId=b",
      taker,
    );
    await market.until(
      (m) => m.e === "depthUpdate" && (m.u as number) >= snapshot.lastUpdateId + 2,
      "2 diffs",
    );
    let last = snapshot.lastUpdateId;
    for (const m of market.messages.filter((x) => x.e === "depthUpdate")) {
      expect(m.pu).toBe(last);
      last = m.u as number;
      for (const [p, q] of m.b as [string, string][]) q === "0" ? book.delete(`b${p}`) : book.set(`b${p}`, q);
      for (const [p, q] of m.a as [string, string][]) q === "0" ? book.delete(`a${p}`) : book.set(`a${p}`, q);
    }
    const now = (await (
      await fetch(`${emulator.url}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`)
    ).json()) as typeof snapshot;
    expect(now.lastUpdateId).toBe(last);
    expect(
      new Map([
        ...now.bids.map(([p, q]) => [`b${p}`, q] as const),
        ...now.asks.map(([p, q]) => [`a${p}`, q] as const),
      ]),
    ).toEqual(book);
  });

  it("user stream: a listen key, ORDER_TRADE_UPDATE NEW then TRADE with the userTrades id, ACCOUNT_UPDATE, public trade", async () => {
    emulator = await startBinanceEmulator({ clock, accounts: [maker, taker] });
    const noKey = await fetch(`${emulator.url}/fapi/v1/listenKey`, { method: "POST" });
    expect(((await noKey.json()) as { code: number }).code).toBe(-2015);
    const { listenKey } = (await (
      await fetch(`${emulator.url}/fapi/v1/listenKey`, {
        method: "POST",
        headers: { "X-MBX-APIKEY": maker.apiKey },
      })
    ).json()) as { listenKey: string };
    expect(listenKey).toMatch(/^[0-9a-f]{64}$/);
    const user = await open(`/private/ws?listenKey=${listenKey}`);
    const market = await open("/ws/btcusdt@trade");
    await signed(
      "POST",
      "/fapi/v1/order",
      "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTX&quantity=0.003&price=60000&newClientOrderId=m1",
    );
    const created = await user.until((m) => m.e === "ORDER_TRADE_UPDATE", "NEW");
    expect(created.o).toMatchObject({ c: "m1", x: "NEW", X: "NEW", S: "SELL", p: "60000" });
    await signed(
      "POST",
      "/fapi/v1/order",
      "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.002&price=60000&newClientOrderId=t1",
      taker,
    );
    const trade = (await user.until((m) => (m.o as { x?: string })?.x === "TRADE", "TRADE")).o as Record<
      string,
      unknown
    >;
    expect(trade).toMatchObject({
      c: "m1",
      X: "PARTIALLY_FILLED",
      l: "0.002",
      L: "60000",
      z: "0.002",
      m: true,
    });
    const account = await user.until((m) => m.e === "ACCOUNT_UPDATE", "ACCOUNT_UPDATE");
    expect((account.a as { P: { pa: string }[] }).P[0]!.pa).toBe("-0.002");
    const rows = (await signed("GET", "/fapi/v1/userTrades", "symbol=BTCUSDT")) as unknown as {
      id: number;
      maker: boolean;
    }[];
    expect(rows).toEqual([expect.objectContaining({ id: trade.t, maker: true, qty: "0.002" })]);
    // Public trade from the taker's side: the buyer took, so the buyer was not the maker.
    expect(await market.until((m) => m.e === "trade", "trade")).toMatchObject({
      p: "60000",
      q: "0.002",
      m: false,
    });
  });

  it("faults: dropped sockets close, refused upgrades, expired listen keys say listenKeyExpired", async () => {
    emulator = await startBinanceEmulator({ clock, accounts: [maker] });
    const post = () =>
      fetch(`${emulator!.url}/fapi/v1/listenKey`, {
        method: "POST",
        headers: { "X-MBX-APIKEY": maker.apiKey },
      }).then((r) => r.json() as Promise<{ listenKey: string }>);
    const { listenKey } = await post();
    expect((await post()).listenKey).toBe(listenKey);
    const user = await open(`/private/ws?listenKey=${listenKey}`);
    const closed = new Promise<number>((r) => user.socket.once("close", (code) => r(code)));
    expect(emulator.injectWsFault({ kind: "expire-listen-keys" })).toBe(0);
    expect(await closed).toBe(1000);
    expect(user.messages).toEqual([expect.objectContaining({ e: "listenKeyExpired", listenKey })]);
    await expect(open(`/private/ws?listenKey=${listenKey}`)).rejects.toThrow(/400/);
    const fresh = (await post()).listenKey;
    expect(fresh).not.toBe(listenKey);
    const market = await open("/public/ws/0");
    const dropped = new Promise<number>((r) => market.socket.once("close", (code) => r(code)));
    emulator.injectWsFault({ kind: "refuse-connections", refuse: true });
    expect(emulator.injectWsFault({ kind: "drop", target: "market" })).toBe(1);
    expect(await dropped).toBe(1006);
    await expect(open("/public/ws/0")).rejects.toThrow(/503/);
    emulator.injectWsFault({ kind: "refuse-connections", refuse: false });
    await open("/public/ws/0");
    expect(emulator.webSocketStats()).toMatchObject({ market: 1, user: 0 });
  });
});
