import { HttpTransport, InfoClient } from "@nktkas/hyperliquid";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { start } from "./emulator.ts";
import { setup, until } from "./testSupport.ts";

describe("WebSocket protocol", () => {
  let t: Awaited<ReturnType<typeof setup>>;
  let ws: WebSocket;
  const received: { channel: string; data?: unknown }[] = [];
  beforeEach(async () => {
    t = await setup();
    received.length = 0;
    ws = new WebSocket(t.emulator.wsUrl);
    ws.on("message", (data) => received.push(JSON.parse(data.toString())));
    await new Promise((resolve) => ws.once("open", resolve));
  });
  afterEach(async () => {
    ws.close();
    await t.emulator.stop();
  });

  it("answers ping with pong and echoes subscriptions exactly", async () => {
    ws.send('{"method":"ping"}');
    await until(() => received.some((m) => m.channel === "pong"));
    const subscription = { type: "l2Book", coin: "BTC", nSigFigs: null, mantissa: null };
    ws.send(JSON.stringify({ method: "subscribe", subscription }));
    await until(() => received.some((m) => m.channel === "l2Book"));
    expect(received.find((m) => m.channel === "subscriptionResponse")).toEqual({
      channel: "subscriptionResponse",
      data: { method: "subscribe", subscription },
    });
    ws.send(JSON.stringify({ method: "subscribe", subscription }));
    await until(() => received.some((m) => m.channel === "error"));
    expect(received.find((m) => m.channel === "error")?.data).toBe(
      `Already subscribed: ${JSON.stringify(subscription)}`,
    );
    ws.send(JSON.stringify({ method: "unsubscribe", subscription }));
    await until(() => received.filter((m) => m.channel === "subscriptionResponse").length === 2);
  });

  it("rejects invalid subscriptions the way the SDK expects", async () => {
    const subscription = { type: "l2Book", coin: "NOPE" };
    ws.send(JSON.stringify({ method: "subscribe", subscription }));
    await until(() => received.some((m) => m.channel === "error"));
    expect(received[0]?.data).toBe(`Invalid subscription ${JSON.stringify(subscription)}`);
  });

  it("serves info posts with the request type echoed", async () => {
    ws.send(
      JSON.stringify({ method: "post", id: 7, request: { type: "info", payload: { type: "allMids" } } }),
    );
    await until(() => received.some((m) => m.channel === "post"));
    expect(received[0]).toMatchObject({
      channel: "post",
      data: { id: 7, response: { type: "info", payload: { type: "allMids" } } },
    });
  });
});

describe("real-time mode", () => {
  it("runs the market on the system clock, scaled by speed", async () => {
    const emulator = await start({ speed: 20 });
    try {
      const info = new InfoClient({ transport: new HttpTransport({ apiUrl: emulator.url }) });
      const before = emulator.market.lastStepMs;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const mids = await info.allMids();
      expect(Number(mids.BTC)).toBeGreaterThan(0);
      // 300 ms of wall time at 20x is ~6 s of market time.
      expect(emulator.market.lastStepMs - before).toBeGreaterThanOrEqual(4_000);
      expect(() => emulator.advance(1)).toThrow(/ManualClock/);
      expect(emulator.testAccount?.address).toMatch(/^0x[0-9a-f]{40}$/);
    } finally {
      await emulator.stop();
    }
  });
});

describe("a client slower than the market", () => {
  it("gets the latest book once it drains, not every book pushed while it was backed up", async () => {
    const t = await setup({ coins: ["BTC"], l2BookIntervalMs: 0 });
    const ws = new WebSocket(t.emulator.wsUrl);
    const bookTimes: number[] = [];
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as { channel: string; data: { time: number } };
      if (message.channel === "l2Book") bookTimes.push(message.data.time);
    });
    try {
      await new Promise((resolve) => ws.once("open", resolve));
      ws.send(JSON.stringify({ method: "subscribe", subscription: { type: "l2Book", coin: "BTC" } }));
      await until(() => bookTimes.length > 0);
      ws.pause();
      // 10,000 market steps of ~1 KB books each: far more than the socket buffers and the 1 MiB backlog hold.
      const steps = 10_000;
      for (let i = 0; i < 10; i++) t.emulator.advance((steps / 10) * t.emulator.market.stepMs);
      const last = t.emulator.now();
      ws.resume();
      await until(() => {
        t.emulator.sync(); // a drained client's held-back book goes out at the next sync
        return bookTimes.at(-1) === last;
      });
      expect(bookTimes.length).toBeLessThan(steps / 2);
    } finally {
      ws.close();
      await t.emulator.stop();
    }
  });
});
