import { afterEach, describe, expect, it } from "vitest";
import { collector, order, type Setup, setup, sleep, until } from "./test-support.ts";

// The emulated BTC book is one tick wide, as on Hyperliquid; tests that quote inside the spread widen it.
const WIDE_BTC = { name: "BTC", halfSpreadBps: 0.5 };

describe("HyperliquidVenue streams (real SDK over WebSocket)", () => {
  let t: Setup;
  afterEach(async () => {
    await t.stop();
  });

  it("streams L2 books, best bid/offer and trades with exchange times and receivedAt from the clock", async () => {
    t = await setup();
    const l2 = collector();
    const top = collector();
    await t.venue.subscribe({ coins: ["BTC"], book: "l2", trades: true, account: false }, l2.listener);
    await t.venue.subscribe({ coins: ["ETH"], book: "top", trades: false, account: false }, top.listener);
    await until(() => l2.of("book").length >= 1 && top.of("bookTop").length >= 1, "snapshots");
    const snapshot = l2.of("book")[0]!;
    expect(snapshot.book.coin).toBe("BTC");
    expect(snapshot.book.bids[0]?.price).toBe(t.bid());
    expect(snapshot.book.asks[0]?.price).toBe(t.ask());
    expect(snapshot.book.bids[0]!.price).toBeGreaterThan(snapshot.book.bids[1]!.price);
    expect(snapshot.receivedAt).toBe(t.clock.now());
    expect(top.of("bookTop")[0]?.top).toMatchObject({
      coin: "ETH",
      bid: { price: t.bid("ETH") },
      ask: { price: t.ask("ETH") },
    });
    t.emulator.advance(3_000);
    await until(() => l2.of("book").length >= 3 && l2.of("trades").length >= 1, "pushes");
    const trade = l2.of("trades")[0]!.trades[0]!;
    expect(trade).toMatchObject({
      coin: "BTC",
      side: expect.stringMatching(/^(buy|sell)$/),
      id: expect.stringMatching(/^\d+$/),
    });
    expect(l2.of("book").at(-1)!.book.time).toBeGreaterThan(snapshot.book.time);
    expect(l2.all.some((e) => e.type === "bookTop")).toBe(false);
  });

  it("reads back the fills since a time (userFillsByTime) with the stream's trade ids, oldest first", async () => {
    t = await setup();
    const mine = collector();
    await t.venue.subscribe({ coins: [], book: "none", trades: false, account: true }, mine.listener);
    const since = t.clock.now();
    await t.venue.placeOrders([order("1", "buy", t.ask() + 50, 0.002, { timeInForce: "ioc" })]);
    t.clock.advance(1_000);
    await t.venue.placeOrders([order("2", "sell", t.bid() - 50, 0.001, { timeInForce: "ioc" })]);
    await until(() => mine.of("fill").length >= 2, "fills on the stream");
    const read = await t.venue.fillsSince(since);
    const streamed = mine.of("fill").map((e) => e.fill);
    expect(read.map((fill) => fill.tradeId).sort()).toEqual(streamed.map((fill) => fill.tradeId).sort());
    expect(read.map((fill) => fill.clientId)).toEqual(["1", "2"]);
    expect(await t.venue.fillsSince(t.clock.now() + 1)).toEqual([]);
  });

  it("forwards funding payments from the user channel, signed as received", async () => {
    t = await setup({ emulator: { coins: [{ name: "BTC", fundingRatePerHour: 0.0001 }] } });
    const mine = collector();
    await t.venue.subscribe({ coins: [], book: "none", trades: false, account: true }, mine.listener);
    // Take a long position against the background book, then let an hour pass on the emulator's clock.
    const [taken] = await t.venue.placeOrders([
      order("1", "buy", t.ask() + 50, 0.01, { timeInForce: "ioc" }),
    ]);
    expect(taken?.status).toBe("filled");
    t.emulator.advance(3_600_000);
    await until(() => mine.of("funding").length >= 1, "funding event");
    const [funding] = mine.of("funding").map((e) => e.funding);
    expect(funding).toMatchObject({ coin: "BTC", rate: 0.0001, positionSize: 0.01 });
    // A long pays a positive rate: ≈ −0.01 × price × 0.0001.
    expect(funding!.paymentUsd).toBeLessThan(0);
    expect(funding!.paymentUsd).toBeCloseTo(-0.01 * t.bid() * 0.0001, 2);
  });

  it("turns partial and full fills into core Fill events with the fee as a cost, liquidity and the client id", async () => {
    t = await setup({ emulator: { coins: [WIDE_BTC] } });
    const mine = collector();
    const theirs = collector();
    await t.venue.subscribe({ coins: [], book: "none", trades: false, account: true }, mine.listener);
    await t.other.subscribe({ coins: [], book: "none", trades: false, account: true }, theirs.listener);
    const price = t.bid() + 1; // inside the spread: first in the queue
    const [placed] = await t.venue.placeOrders([order("7", "sell", price, 0.01)]);
    expect(placed?.status).toBe("open");
    await t.other.placeOrders([order("1", "buy", price, 0.004, { timeInForce: "ioc" })]);
    await until(() => mine.of("fill").length === 1 && theirs.of("fill").length === 1, "first fill");
    await t.other.placeOrders([order("2", "buy", price, 0.006, { timeInForce: "ioc" })]);
    await until(() => mine.of("fill").length === 2, "second fill");
    await until(() => mine.of("order").some((e) => e.update.status === "filled"), "filled update");
    const fills = mine.of("fill").map((e) => e.fill);
    expect(fills[0]).toMatchObject({
      clientId: "7",
      venueOrderId: placed?.venueOrderId,
      coin: "BTC",
      side: "sell",
      price,
      size: 0.004,
      liquidity: "maker",
      time: t.clock.now(),
    });
    expect(fills[1]).toMatchObject({ clientId: "7", size: 0.006, liquidity: "maker" });
    expect(fills[0]!.fee).toBeCloseTo(price * 0.004 * 0.00015, 5); // tier-0 maker fee: a cost, positive
    expect(fills[0]!.fee).toBeGreaterThan(0);
    const taker = theirs.of("fill")[0]!.fill;
    expect(taker).toMatchObject({ clientId: "1", side: "buy", liquidity: "taker", size: 0.004 });
    expect(taker.fee).toBeCloseTo(price * 0.004 * 0.00045, 5);
    expect(mine.of("order").map((e) => [e.update.clientId, e.update.status])).toEqual([
      ["7", "open"],
      ["7", "filled"],
    ]);
    expect(mine.of("fill")[0]!.receivedAt).toBe(t.clock.now());
    expect((await t.venue.position("BTC")).size).toBe(-0.01);
  });

  it("does not replay the fill history sent on subscribing, and stops after unsubscribe", async () => {
    t = await setup();
    const ask = t.ask();
    await t.venue.placeOrders([order("1", "buy", ask + 100, 0.01, { timeInForce: "ioc" })]);
    const events = collector();
    const stop = await t.venue.subscribe(
      { coins: ["BTC"], book: "l2", trades: false, account: true },
      events.listener,
    );
    await until(() => events.of("book").length >= 1);
    await sleep(30);
    expect(events.of("fill")).toEqual([]);
    await t.venue.placeOrders([order("2", "buy", t.ask() + 100, 0.01, { timeInForce: "ioc" })]);
    await until(() => events.of("fill").length >= 1);
    expect(new Set(events.of("fill").map((e) => e.fill.clientId))).toEqual(new Set(["2"]));
    await stop();
    const count = events.all.length;
    t.emulator.advance(2_000);
    await t.venue.placeOrders([order("3", "buy", t.ask() + 100, 0.01, { timeInForce: "ioc" })]);
    await sleep(50);
    expect(events.all.length).toBe(count);
  });

  it("survives a WebSocket drop: disconnected → reconnected, fills made meanwhile once, no orphan or duplicate orders", async () => {
    t = await setup({ emulator: { coins: [WIDE_BTC] }, venue: { reconnectDelayMs: 250 } });
    const events = collector();
    await t.venue.subscribe({ coins: ["BTC"], book: "l2", trades: true, account: true }, events.listener);
    await until(() => events.of("book").length >= 1);
    const bid = t.bid();
    const ask = t.ask();
    // One fill before the drop (must not be repeated afterwards).
    const before = await t.venue.placeOrders([
      order("1", "sell", bid + 1, 0.002),
      order("2", "buy", bid - 5, 0.002),
    ]);
    expect(before.map((r) => r.status)).toEqual(["open", "open"]);
    await t.other.placeOrders([order("1", "buy", bid + 1, 0.002, { timeInForce: "ioc" })]);
    await until(() => events.of("fill").length === 1, "fill before the drop");
    // A quote on the ask side, then the drop; it is filled while the socket is down. The taker order goes
    // straight into the matching engine in the same synchronous step as the drop, so it is filled before the
    // adapter can reconnect, however slow the machine (an HTTP order would race the 250 ms reconnect).
    await t.venue.placeOrders([order("3", "sell", ask - 1, 0.003)]);
    const quote = [...(t.emulator.account(t.venue.user)?.openOrders ?? [])].find((o) => !o.isBuy);
    if (quote === undefined) throw new Error("order 3 is not resting");
    t.emulator.dropConnections();
    const taken = t.emulator.engine.placeOrder(
      t.other.user,
      {
        a: quote.coin.assetId,
        b: true,
        p: t.emulator.engine.pxWire(quote.coin, quote.pxInt),
        s: "0.003",
        r: false,
        t: { limit: { tif: "Ioc" } },
      },
      t.emulator.now(),
    );
    expect(taken).toMatchObject({ filled: { totalSz: "0.003" } });
    expect(events.of("fill")).toHaveLength(1);
    await until(() => events.of("connection").some((e) => e.state === "disconnected"), "disconnected");
    await until(() => events.of("connection").some((e) => e.state === "reconnected"), "reconnected");
    await until(() => events.of("fill").length >= 2, "fill made during the drop");
    await sleep(50);
    const fills = events.of("fill").map((e) => [e.fill.clientId, e.fill.size]);
    expect(fills).toEqual([
      ["1", 0.002],
      ["3", 0.003],
    ]);
    // The bot reconciles: exactly the one order that should rest, no orphan, no duplicate.
    const open = await t.venue.openOrders();
    expect(open.map((o) => o.clientId)).toEqual(["2"]);
    // Streams flow again after the reconnect.
    const books = events.of("book").length;
    t.emulator.advance(2_000);
    await until(() => events.of("book").length > books, "books after the reconnect");
    const [moved] = await t.venue.modifyOrders([{ ...order("2", "buy", bid - 6, 0.002), newClientId: "4" }]);
    expect(moved?.status).toBe("open");
    await until(() =>
      events.of("order").some((e) => e.update.clientId === "4" && e.update.status === "open"),
    );
    expect((await t.venue.openOrders()).map((o) => o.clientId)).toEqual(["4"]);
    expect(events.of("connection").map((e) => e.state)).toEqual(["disconnected", "reconnected"]);
    expect(t.logs.some((l) => l.level === "warn" && /WebSocket closed/.test(l.message))).toBe(true);
  });

  it("reconnects after the venue restarts (HTTP and WebSocket down for a while)", async () => {
    t = await setup();
    const events = collector();
    await t.venue.subscribe({ coins: ["BTC"], book: "l2", trades: false, account: true }, events.listener);
    await until(() => events.of("book").length >= 1);
    await t.emulator.restart(150);
    await until(() => events.of("connection").some((e) => e.state === "reconnected"), "reconnected");
    expect(events.of("connection").map((e) => e.state)).toEqual(["disconnected", "reconnected"]);
    const books = events.of("book").length;
    t.emulator.advance(1_000);
    await until(() => events.of("book").length > books, "books after the restart");
  });

  it("reports a resubscription the venue refuses after a reconnect as error events, keeps retrying, still says reconnected", async () => {
    t = await setup();
    const events = collector();
    await t.venue.subscribe(
      { coins: ["BTC", "ETH"], book: "top", trades: false, account: false },
      events.listener,
    );
    await until(() => events.of("bookTop").length >= 2);
    // The venue comes back on the same address without BTC (a delisting): BTC's resubscription is refused.
    const port = t.emulator.port;
    await t.emulator.stop();
    const { start } = await import("@botmm/hl-emulator");
    const relisted = await start({ clock: t.clock, port, coins: ["ETH"], seed: 7 });
    try {
      await until(() => events.of("connection").some((e) => e.state === "reconnected"), "reconnected");
      await until(() => events.of("error").length >= 2, "repeated error events");
      expect(events.of("error")[0]!.error.message).toMatch(
        /subscription bbo:BTC failed, retrying: .*Invalid subscription/,
      );
      const ethTops = events.of("bookTop").filter((e) => e.top.coin === "ETH").length;
      relisted.advance(2_000);
      await until(
        () => events.of("bookTop").filter((e) => e.top.coin === "ETH").length > ethTops,
        "ETH flows",
      );
      expect(t.logs.some((l) => l.level === "error" && /bbo:BTC/.test(l.message))).toBe(true);
    } finally {
      await t.venue.close();
      await relisted.stop();
    }
  });

  it("refuses a subscription to an unknown coin", async () => {
    t = await setup();
    await expect(
      t.venue.subscribe({ coins: ["DOGE"], book: "l2", trades: false, account: false }, () => {}),
    ).rejects.toMatchObject({ code: "UNKNOWN_COIN" });
  });
});
