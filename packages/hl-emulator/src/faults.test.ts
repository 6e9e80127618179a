import {
  HttpRequestError,
  HttpTransport,
  InfoClient,
  SubscriptionClient,
  WebSocketTransport,
} from "@nktkas/hyperliquid";
import type { OrderUpdatesEvent } from "@nktkas/hyperliquid/api/subscription";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setup, top, until } from "./testSupport.ts";

type Setup = Awaited<ReturnType<typeof setup>>;
const alo = (p: number, b = true) => ({
  a: 0,
  b,
  p: String(p),
  s: "0.001",
  r: false,
  t: { limit: { tif: "Alo" as const } },
});

describe("fault injection", () => {
  let t: Setup;
  beforeEach(async () => {
    t = await setup();
  });
  afterEach(async () => {
    await t.emulator.stop();
  });

  it("drops WebSocket connections; the SDK reconnects and resubscribes", async () => {
    const transport = new WebSocketTransport({ url: t.emulator.wsUrl, reconnect: { reconnectionDelay: 10 } });
    try {
      const subs = new SubscriptionClient({ transport });
      const trades: number[] = [];
      await subs.trades({ coin: "BTC" }, (e) => trades.push(...e.map((trade) => trade.tid)));
      expect(t.emulator.connectionCount).toBe(1);
      t.emulator.dropConnections();
      await until(() => t.emulator.connectionCount === 1 && transport.socket.readyState === 1);
      // Resubscription is a round trip: keep the market moving until trades flow again, however long it takes.
      const before = trades.length;
      await until(() => {
        if (trades.length > before) return true;
        t.emulator.advance(1_000);
        return false;
      });
      expect(trades.length).toBeGreaterThan(before);
    } finally {
      await transport.close();
    }
  });

  it("fails HTTP with 5xx and 429, delays it, and hangs it until the client times out", async () => {
    t.emulator.injectHttpFault({ kind: "status", status: 503, count: 2 });
    for (let i = 0; i < 2; i++) {
      const error = await t.info.allMids().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpRequestError);
      expect((error as HttpRequestError).response?.status).toBe(503);
    }
    await expect(t.info.allMids()).resolves.toBeTruthy();
    t.emulator.injectHttpFault({ kind: "status", status: 429 });
    expect(((await t.info.allMids().catch((e: unknown) => e)) as HttpRequestError).response?.status).toBe(
      429,
    );
    t.emulator.injectHttpFault({ kind: "delay", ms: 80 });
    const started = performance.now();
    await t.info.allMids();
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
    t.emulator.injectHttpFault({ kind: "hang" });
    const impatient = new InfoClient({
      transport: new HttpTransport({ apiUrl: t.emulator.url, timeout: 100 }),
    });
    await expect(impatient.allMids()).rejects.toThrow("Request timed out after 100 ms");
  });

  it("stalls the book: no price moves, rebuilds, trades or pushes until resumed", async () => {
    const before = JSON.stringify(t.emulator.book("BTC")?.levels);
    const ethBefore = JSON.stringify(t.emulator.book("ETH")?.levels);
    t.emulator.stallBook("BTC");
    t.emulator.advance(5_000);
    expect(JSON.stringify(t.emulator.book("BTC")?.levels)).toBe(before);
    expect(JSON.stringify(t.emulator.book("ETH")?.levels)).not.toBe(ethBefore);
    t.emulator.resumeBook();
    t.emulator.advance(1_000);
    expect(JSON.stringify(t.emulator.book("BTC")?.levels)).not.toBe(before);
  });

  it("rejects the next n orders with a chosen error", async () => {
    const { bid } = top(t.emulator, "BTC");
    t.emulator.rejectNextOrders(2, "Insufficient margin to place order. asset=0");
    const error = await t.exchange
      .order({ orders: [alo(bid - 10), alo(bid - 20), alo(bid - 30)], grouping: "na" })
      .catch((e: Error) => e);
    expect((error as Error).message).toBe(
      "order 0: Insufficient margin to place order. asset=0, order 1: Insufficient margin to place order. asset=0",
    );
    expect(await t.info.openOrders({ user: t.user })).toHaveLength(1);
    await expect(t.exchange.order({ orders: [alo(bid - 40)], grouping: "na" })).resolves.toBeTruthy();
  });

  it("restarts on the same port keeping state", async () => {
    const { bid } = top(t.emulator, "BTC");
    await t.exchange.order({ orders: [alo(bid - 10)], grouping: "na" });
    const port = t.emulator.port;
    await t.emulator.restart();
    expect(t.emulator.port).toBe(port);
    expect(await t.info.openOrders({ user: t.user })).toHaveLength(1);
    // Nonces are kept too: the SDK's later nonces still go through.
    await expect(t.exchange.order({ orders: [alo(bid - 20)], grouping: "na" })).resolves.toBeTruthy();
  });
});

describe("dead-man's switch (scheduleCancel)", () => {
  let t: Setup;
  afterEach(async () => {
    await t.emulator.stop();
  });

  it("cancels every order with status scheduledCancel once the client goes silent", async () => {
    t = await setup();
    const transport = new WebSocketTransport({ url: t.emulator.wsUrl });
    try {
      const updates: OrderUpdatesEvent = [];
      await new SubscriptionClient({ transport }).orderUpdates({ user: t.user }, (e) => updates.push(...e));
      const { bid, ask } = top(t.emulator, "BTC");
      await t.exchange.order({ orders: [alo(bid - 100), alo(ask + 100, false)], grouping: "na" });
      const now = t.emulator.now();
      await expect(t.exchange.scheduleCancel({ time: now + 4_000 })).rejects.toThrow(
        "Scheduled cancel time too early, must be at least 5 seconds from now.",
      );
      await t.exchange.scheduleCancel({ time: now + 10_000 });
      t.emulator.advance(9_000);
      expect(await t.info.openOrders({ user: t.user })).toHaveLength(2);
      t.emulator.advance(1_000);
      expect(await t.info.openOrders({ user: t.user })).toHaveLength(0);
      await until(() => updates.filter((u) => u.status === "scheduledCancel").length === 2);
    } finally {
      await transport.close();
    }
  });

  it("can be cleared, and fires at most 10 times a day", async () => {
    t = await setup();
    const { bid } = top(t.emulator, "BTC");
    await t.exchange.order({ orders: [alo(bid - 100)], grouping: "na" });
    await t.exchange.scheduleCancel({ time: t.emulator.now() + 6_000 });
    await t.exchange.scheduleCancel(); // no time: clear
    t.emulator.advance(7_000);
    expect(await t.info.openOrders({ user: t.user })).toHaveLength(1);
    const account = t.emulator.account(t.user);
    if (!account) throw new Error("no account");
    account.scheduledCancelDay = Math.floor(t.emulator.now() / 86_400_000);
    account.scheduledCancelTriggers = 10;
    await expect(t.exchange.scheduleCancel({ time: t.emulator.now() + 6_000 })).rejects.toThrow(
      "Too many scheduled cancel triggers today",
    );
  });

  it("is gated on traded volume by default, as on the venue", async () => {
    t = await setup({ scheduleCancelMinVolumeUsd: 1_000_000 });
    await expect(t.exchange.scheduleCancel({ time: t.emulator.now() + 10_000 })).rejects.toThrow(
      "Cannot set scheduled cancel time until enough volume traded. Required: $1000000. Traded: $0.",
    );
  });
});
