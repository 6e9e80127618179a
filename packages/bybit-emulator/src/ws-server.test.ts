import { createHmac } from "node:crypto";
import { systemClock } from "@botmm/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type BybitEmulator, startBybitEmulator } from "./emulator.ts";

// Test-only credentials for the local emulator (not real keys).
const API_KEY = "ws-test-key";
const SECRET = "ws-test-secret";

let emulator: BybitEmulator;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  emulator = await startBybitEmulator({
    clock: systemClock(),
    accounts: [{ apiKey: API_KEY, secret: SECRET }],
  });
});

afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await emulator.close();
});

type Message = Record<string, unknown> & { data?: unknown; topic?: string; op?: string };

/** A socket whose messages queue up; `next` waits (generous cap) for the first one matching. */
async function open(path: string) {
  const socket = new WebSocket(`${emulator.wsUrl}${path}`);
  sockets.push(socket);
  const inbox: Message[] = [];
  socket.on("message", (data) => inbox.push(JSON.parse(String(data)) as Message));
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  return {
    send: (message: unknown) => socket.send(JSON.stringify(message)),
    async next(match: (m: Message) => boolean, what: string): Promise<Message> {
      for (let waited = 0; waited < 10_000; waited += 10) {
        const i = inbox.findIndex(match);
        if (i >= 0) return inbox.splice(i, 1)[0]!;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`no ${what}; got ${JSON.stringify(inbox)}`);
    },
  };
}

const sign = (expires: number, secret = SECRET) =>
  createHmac("sha256", secret).update(`GET/realtime${expires}`).digest("hex");

describe("the emulator's Bybit WebSockets", () => {
  it("public: pong, a book snapshot then deltas whose u the REST book reports, public trades", async () => {
    const pub = await open("/v5/public/linear");
    pub.send({ req_id: "p", op: "ping" });
    expect(await pub.next((m) => m.op === "ping", "pong")).toMatchObject({ success: true, ret_msg: "pong" });
    pub.send({ req_id: "1", op: "subscribe", args: ["orderbook.50.BTCUSDT", "publicTrade.BTCUSDT"] });
    expect(await pub.next((m) => m.op === "subscribe", "ack")).toMatchObject({ success: true, req_id: "1" });
    const snapshot = await pub.next(
      (m) => m.type === "snapshot" && m.topic === "orderbook.50.BTCUSDT",
      "snapshot",
    );
    const snap = snapshot.data as { b: string[][]; a: string[][]; u: number };
    expect(snap.b[0]).toEqual(["59999.90", "5"]);
    expect(snap.a).toHaveLength(10);

    // An order placed and fully filled by one engine call still shows: the events come from the engine.
    emulator.sim.place(
      API_KEY,
      {
        symbol: "BTCUSDT",
        side: "buy",
        timeInForce: "gtc",
        price: "60000.10",
        quantity: "6",
        clientId: "x",
        reduceOnly: false,
      },
      Date.now(),
    );
    const delta = await pub.next((m) => m.type === "delta", "delta");
    const d = delta.data as { a: string[][]; b: string[][]; u: number };
    expect(d.u).toBe(snap.u + 1);
    expect(d.a).toContainEqual(["60000.10", "0"]); // the ask it took
    expect(d.b).toContainEqual(["60000.10", "1"]); // its rest
    const trade = await pub.next((m) => m.topic === "publicTrade.BTCUSDT", "trade");
    expect(trade.data).toEqual([expect.objectContaining({ S: "Buy", p: "60000.1", v: "5" })]);
    const rest = await (
      await fetch(`${emulator.url}/v5/market/orderbook?category=linear&symbol=BTCUSDT`)
    ).json();
    expect((rest as { result: { u: number } }).result.u).toBe(d.u);

    pub.send({ req_id: "2", op: "subscribe", args: ["orderbook.50.NOPE"] });
    expect(await pub.next((m) => m.req_id === "2", "refusal")).toMatchObject({ success: false });
  });

  it("private: auth checks the signature and expiry; then order, execution and position; op pong", async () => {
    const priv = await open("/v5/private");
    priv.send({ req_id: "s0", op: "subscribe", args: ["order"] });
    expect(await priv.next((m) => m.req_id === "s0", "refusal")).toMatchObject({ success: false });
    const expires = Date.now() + 10_000;
    priv.send({ op: "auth", args: [API_KEY, expires, sign(expires, "wrong")] });
    const refused = await priv.next((m) => m.op === "auth", "auth refusal");
    expect(refused).toMatchObject({ success: false });
    expect(JSON.stringify(refused)).not.toContain(API_KEY);
    priv.send({ op: "auth", args: [API_KEY, Date.now() - 1, sign(Date.now() - 1)] });
    expect(await priv.next((m) => m.op === "auth", "expired refusal")).toMatchObject({ success: false });
    priv.send({ op: "auth", args: [API_KEY, expires, sign(expires)] });
    expect(await priv.next((m) => m.op === "auth", "auth")).toMatchObject({ success: true });
    expect(emulator.openStreams("private")).toBe(1);
    priv.send({ req_id: "s1", op: "subscribe", args: ["order", "execution", "position"] });
    expect(await priv.next((m) => m.req_id === "s1", "ack")).toMatchObject({ success: true });
    priv.send({ req_id: "q", op: "ping" });
    expect(await priv.next((m) => m.op === "pong", "pong")).toMatchObject({ req_id: "q" });

    emulator.sim.place(
      API_KEY,
      {
        symbol: "BTCUSDT",
        side: "sell",
        timeInForce: "alo",
        price: "60000.00",
        quantity: "0.002",
        clientId: "m1",
        reduceOnly: false,
      },
      Date.now(),
    );
    emulator.sim.takeLiquidity("BTCUSDT", "buy", 0.002, Date.now(), "60000.00");
    const topics = ["order", "order", "execution", "position"];
    const rows: Record<string, unknown>[] = [];
    for (const topic of topics) {
      const m = await priv.next((x) => x.topic === topic, topic);
      rows.push(...(m.data as Record<string, unknown>[]));
    }
    expect(rows.map((r) => r.orderStatus ?? r.execType ?? r.side)).toEqual([
      "New",
      "Filled",
      "Trade",
      "Sell",
    ]);
    expect(rows[2]).toMatchObject({ category: "linear", orderLinkId: "m1", isMaker: true, execQty: "0.002" });
  });

  it("refuses new sockets while told to, and drops open ones", async () => {
    await open("/v5/public/linear");
    emulator.refuseStreamConnections(true);
    await expect(open("/v5/public/linear")).rejects.toThrow(/503/);
    emulator.refuseStreamConnections(false);
    expect(emulator.dropStreams("public")).toBe(1);
    await expect(open("/v5/nowhere")).rejects.toThrow(/404/);
  });
});
