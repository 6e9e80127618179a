import { ApiRequestError, SubscriptionClient, WebSocketTransport } from "@nktkas/hyperliquid";
import type { OrderUpdatesEvent, UserFillsEvent } from "@nktkas/hyperliquid/api/subscription";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setup, top, until } from "./testSupport.ts";

type Setup = Awaited<ReturnType<typeof setup>>;
const CLOID = "0x1234567890abcdef1234567890abcdef" as const;

function limit(a: number, b: boolean, p: number | string, s: string, tif: "Alo" | "Gtc" | "Ioc", extra = {}) {
  return { a, b, p: String(p), s, r: false, t: { limit: { tif } }, ...extra };
}

describe("through the real SDK over HTTP", () => {
  let t: Setup;
  beforeEach(async () => {
    t = await setup();
  });
  afterEach(async () => {
    await t.emulator.stop();
  });

  it("serves the info endpoints in the venue's shapes", async () => {
    const meta = await t.info.meta();
    expect(meta.universe.map((u) => [u.name, u.szDecimals, u.maxLeverage])).toEqual([
      ["BTC", 5, 40],
      ["ETH", 4, 25],
    ]);
    const spot = await t.info.spotMeta();
    expect(spot.universe).toEqual([]);
    const [meta2, ctxs] = await t.info.metaAndAssetCtxs();
    expect(meta2).toEqual(meta);
    expect(ctxs).toHaveLength(2);
    expect(Number(ctxs[0]?.markPx)).toBeGreaterThan(90_000);
    expect(ctxs[0]?.funding).toBe("0.0000125");
    const book = await t.info.l2Book({ coin: "BTC" });
    expect(book?.coin).toBe("BTC");
    expect(book?.levels[0]).toHaveLength(20);
    expect(book?.levels[1]).toHaveLength(20);
    expect(Number(book?.levels[0][0]?.px)).toBeLessThan(Number(book?.levels[1][0]?.px));
    expect(await t.info.l2Book({ coin: "NOPE" })).toBeNull();
    const coarse = await t.info.l2Book({ coin: "BTC", nSigFigs: 2 });
    expect(coarse?.levels[0][0]?.px).toMatch(/^\d+000$/);
    const mids = await t.info.allMids();
    expect(Object.keys(mids)).toEqual(["BTC", "ETH"]);
    const now = t.emulator.now();
    const candles = await t.info.candleSnapshot({
      coin: "ETH",
      interval: "1h",
      startTime: now - 6 * 3_600_000,
    });
    expect(candles.length).toBeGreaterThanOrEqual(6);
    expect(candles[0]).toMatchObject({ s: "ETH", i: "1h" });
    expect(candles[0]?.T).toBe((candles[0]?.t ?? 0) + 3_599_999);
    const state = await t.info.clearinghouseState({ user: t.user });
    expect(state.marginSummary.accountValue).toBe("100000");
    expect(state.assetPositions).toEqual([]);
    expect(await t.info.openOrders({ user: t.user })).toEqual([]);
    expect(await t.info.frontendOpenOrders({ user: t.user })).toEqual([]);
    expect(await t.info.userFills({ user: t.user })).toEqual([]);
    expect(await t.info.orderStatus({ user: t.user, oid: 1 })).toEqual({ status: "unknownOid" });
  });

  it("rests ALO and GTC orders and reports them in openOrders, frontendOpenOrders and orderStatus", async () => {
    const { bid, ask } = top(t.emulator, "BTC");
    const result = await t.exchange.order({
      orders: [
        limit(0, true, bid - 10, "0.001", "Alo", { c: CLOID }),
        limit(0, false, ask + 10, "0.002", "Gtc"),
      ],
      grouping: "na",
    });
    const [first, second] = result.response.data.statuses;
    expect(first).toEqual({ resting: { oid: expect.any(Number), cloid: CLOID } });
    expect(second).toEqual({ resting: { oid: expect.any(Number) } });
    const open = await t.info.openOrders({ user: t.user });
    expect(open).toHaveLength(2);
    expect(open.find((o) => o.cloid === CLOID)).toMatchObject({
      coin: "BTC",
      side: "B",
      limitPx: String(bid - 10),
      sz: "0.001",
      origSz: "0.001",
    });
    const frontend = await t.info.frontendOpenOrders({ user: t.user });
    expect(frontend.find((o) => o.side === "A")).toMatchObject({
      tif: "Gtc",
      orderType: "Limit",
      cloid: null,
      reduceOnly: false,
    });
    const byCloid = await t.info.orderStatus({ user: t.user, oid: CLOID });
    expect(byCloid).toMatchObject({ status: "order", order: { status: "open", order: { cloid: CLOID } } });
  });

  it("fills a crossing GTC order against the background book as a taker and opens a position", async () => {
    const { ask } = top(t.emulator, "BTC");
    const result = await t.exchange.order({
      orders: [limit(0, true, ask + 100, "0.01", "Gtc")],
      grouping: "na",
    });
    const status = result.response.data.statuses[0];
    expect(status).toMatchObject({ filled: { totalSz: "0.01" } });
    const fills = await t.info.userFills({ user: t.user });
    expect(fills[0]).toMatchObject({
      coin: "BTC",
      side: "B",
      crossed: true,
      dir: "Open Long",
      startPosition: "0",
      feeToken: "USDC",
    });
    const notional = fills.reduce((sum, f) => sum + Number(f.px) * Number(f.sz), 0);
    const fees = fills.reduce((sum, f) => sum + Number(f.fee), 0);
    expect(fees).toBeCloseTo(notional * 0.00045, 5);
    const state = await t.info.clearinghouseState({ user: t.user });
    expect(state.assetPositions[0]?.position).toMatchObject({
      coin: "BTC",
      szi: "0.01",
      leverage: { type: "cross", value: 20 },
    });
  });

  it("fills IOC partially, rejects an IOC that cannot match, and rejects a crossing ALO with the bbo", async () => {
    const { bid, ask } = top(t.emulator, "BTC");
    const bestAskSize = Number(t.emulator.book("BTC")?.levels[1][0]?.sz);
    // IOC limited to the best ask for more than is there: partial fill, remainder cancelled.
    const more = (bestAskSize + 1).toFixed(5);
    const partial = await t.exchange.order({ orders: [limit(0, true, ask, more, "Ioc")], grouping: "na" });
    expect(partial.response.data.statuses[0]).toMatchObject({
      filled: { totalSz: String(bestAskSize), avgPx: String(ask) },
    });
    await expect(
      t.exchange.order({ orders: [limit(0, true, bid - 100, "0.001", "Ioc")], grouping: "na" }),
    ).rejects.toThrow("Order could not immediately match against any resting orders. asset=0");
    const now = top(t.emulator, "BTC");
    await expect(
      t.exchange.order({ orders: [limit(0, true, now.ask, "0.001", "Alo")], grouping: "na" }),
    ).rejects.toThrow(
      `Post only order would have immediately matched, bbo was ${now.bid}@${now.ask}. asset=0`,
    );
  });

  it("returns the venue's per-order error strings", async () => {
    const { bid } = top(t.emulator, "BTC");
    const cases: [ReturnType<typeof limit>, string][] = [
      [limit(0, true, "99990.5", "0.001", "Alo"), "Price must be divisible by tick size. asset=0"],
      [limit(0, true, bid - 10, "0.00001", "Alo"), "Order must have minimum value of $10. asset=0"],
      [limit(0, true, bid - 10, "0.000001", "Alo"), "Order has invalid size. asset=0"],
      [
        { ...limit(0, true, bid - 10, "0.001", "Alo"), r: true },
        "Reduce only order would increase position. asset=0",
      ],
      [limit(0, true, bid - 10, "30", "Alo"), "Insufficient margin to place order. asset=0"],
    ];
    for (const [order, message] of cases) {
      const error = await t.exchange.order({ orders: [order], grouping: "na" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiRequestError);
      expect((error as Error).message).toBe(`order 0: ${message}`);
    }
    // In a batch, the good order still rests and the error names its index.
    const error = await t.exchange
      .order({
        orders: [limit(0, true, bid - 10, "0.001", "Alo"), limit(0, true, "99990.55", "1", "Alo")],
        grouping: "na",
      })
      .catch((e: unknown) => e as ApiRequestError);
    expect((error as ApiRequestError).message).toBe("order 1: Price must be divisible by tick size. asset=0");
    expect(await t.info.openOrders({ user: t.user })).toHaveLength(1);
    await expect(t.exchange.cancel({ cancels: [{ a: 0, o: 424242 }] })).rejects.toThrow(
      "Order was never placed, already canceled, or filled. asset=0",
    );
  });

  it("cancels by oid and by cloid", async () => {
    const { bid } = top(t.emulator, "BTC");
    const placed = await t.exchange.order({
      orders: [
        limit(0, true, bid - 10, "0.001", "Alo"),
        limit(0, true, bid - 20, "0.001", "Alo", { c: CLOID }),
      ],
      grouping: "na",
    });
    const oid = (placed.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
    const cancelled = await t.exchange.cancel({ cancels: [{ a: 0, o: oid }] });
    expect(cancelled.response.data.statuses).toEqual(["success"]);
    const byCloid = await t.exchange.cancelByCloid({ cancels: [{ asset: 0, cloid: CLOID }] });
    expect(byCloid.response.data.statuses).toEqual(["success"]);
    expect(await t.info.openOrders({ user: t.user })).toEqual([]);
    expect(await t.info.orderStatus({ user: t.user, oid })).toMatchObject({ order: { status: "canceled" } });
    await expect(t.exchange.cancelByCloid({ cancels: [{ asset: 0, cloid: CLOID }] })).rejects.toThrow(
      "Order was never placed, already canceled, or filled. asset=0",
    );
  });

  it("modifies (new oid) and batch-modifies orders", async () => {
    const { bid, ask } = top(t.emulator, "BTC");
    const placed = await t.exchange.order({
      orders: [
        limit(0, true, bid - 10, "0.001", "Alo", { c: CLOID }),
        limit(0, false, ask + 10, "0.001", "Alo"),
      ],
      grouping: "na",
    });
    const [b, a] = placed.response.data.statuses as { resting: { oid: number } }[];
    const modified = await t.exchange.modify({
      oid: CLOID,
      order: limit(0, true, bid - 20, "0.002", "Alo", { c: CLOID }),
    });
    expect(modified).toEqual({ status: "ok", response: { type: "default" } });
    const open = await t.info.openOrders({ user: t.user });
    const moved = open.find((o) => o.cloid === CLOID);
    expect(moved).toMatchObject({ limitPx: String(bid - 20), sz: "0.002" });
    expect(moved?.oid).not.toBe(b?.resting.oid);
    expect(await t.info.orderStatus({ user: t.user, oid: b?.resting.oid ?? 0 })).toMatchObject({
      order: { status: "canceled" },
    });
    const batch = await t.exchange.batchModify({
      modifies: [
        { oid: moved?.oid ?? 0, order: limit(0, true, bid - 30, "0.001", "Alo") },
        { oid: a?.resting.oid ?? 0, order: limit(0, false, ask + 30, "0.001", "Alo") },
      ],
    });
    expect(batch.response.data.statuses).toEqual([
      { resting: { oid: expect.any(Number) } },
      { resting: { oid: expect.any(Number) } },
    ]);
    const prices = (await t.info.openOrders({ user: t.user })).map((o) => o.limitPx).sort();
    expect(prices).toEqual([String(bid - 30), String(ask + 30)].sort());
    await expect(
      t.exchange.modify({ oid: 1, order: limit(0, true, bid - 10, "0.001", "Alo") }),
    ).rejects.toThrow("Cannot modify canceled or filled order");
  });

  it("updates leverage and uses it in margin checks", async () => {
    await expect(t.exchange.updateLeverage({ asset: 0, isCross: true, leverage: 5 })).resolves.toEqual({
      status: "ok",
      response: { type: "default" },
    });
    await expect(t.exchange.updateLeverage({ asset: 0, isCross: true, leverage: 41 })).rejects.toThrow(
      "Invalid leverage value",
    );
    const { bid } = top(t.emulator, "BTC");
    // 100k USDC at 5x buys at most ~5 BTC of notional.
    await expect(
      t.exchange.order({ orders: [limit(0, true, bid - 10, "6", "Alo")], grouping: "na" }),
    ).rejects.toThrow("Insufficient margin to place order. asset=0");
    await expect(
      t.exchange.order({ orders: [limit(0, true, bid - 10, "4", "Alo")], grouping: "na" }),
    ).resolves.toBeTruthy();
  });

  it("closes a position with reduce-only orders and realises PnL", async () => {
    const { ask } = top(t.emulator, "BTC");
    await t.exchange.order({ orders: [limit(0, true, ask + 100, "0.01", "Ioc")], grouping: "na" });
    const { bid } = top(t.emulator, "BTC");
    const close = await t.exchange.order({
      orders: [{ ...limit(0, false, bid - 100, "0.05", "Ioc"), r: true }],
      grouping: "na",
    });
    expect(close.response.data.statuses[0]).toMatchObject({ filled: { totalSz: "0.01" } });
    const fills = await t.info.userFills({ user: t.user });
    expect(fills[0]).toMatchObject({ dir: "Close Long", startPosition: "0.01" });
    expect(Number(fills[0]?.closedPnl)).toBeLessThan(0); // bought the ask, sold the bid
    expect((await t.info.clearinghouseState({ user: t.user })).assetPositions).toEqual([]);
  });
});

describe("through the real SDK over WebSocket", () => {
  let t: Setup;
  let transport: WebSocketTransport;
  let subs: SubscriptionClient;
  beforeEach(async () => {
    t = await setup();
    transport = new WebSocketTransport({
      url: t.emulator.wsUrl,
      timeout: 2_000,
      reconnect: { reconnectionDelay: 20 },
    });
    subs = new SubscriptionClient({ transport });
    await transport.ready();
  });
  afterEach(async () => {
    await transport.close();
    await t.emulator.stop();
  });

  it("streams l2Book (throttled to 500 ms), trades, bbo and allMids", async () => {
    const books: number[] = [];
    const trades: unknown[] = [];
    const bbos: unknown[] = [];
    const mids: unknown[] = [];
    await subs.l2Book({ coin: "BTC" }, (e) => books.push(e.time));
    await subs.trades({ coin: "BTC" }, (e) => trades.push(...e));
    await subs.bbo({ coin: "BTC" }, (e) => bbos.push(e));
    await subs.allMids((e) => mids.push(e.mids));
    await until(() => books.length === 1 && mids.length === 1); // snapshots
    t.emulator.advance(2_000);
    await until(() => books.length >= 5 && trades.length > 0 && bbos.length > 1 && mids.length > 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // After the snapshot, pushes come at most every 500 ms of simulated time.
    const pushes = books.slice(1);
    const gaps = pushes.slice(1).map((time, i) => time - (pushes[i] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
    expect(trades[0]).toMatchObject({
      coin: "BTC",
      side: expect.stringMatching(/^[AB]$/),
      tid: expect.any(Number),
    });
  });

  it("sends a userFills snapshot, then partial and full fills with orderUpdates", async () => {
    const fillEvents: UserFillsEvent[] = [];
    const updates: OrderUpdatesEvent = [];
    const userEvents: unknown[] = [];
    await subs.userFills({ user: t.user }, (e) => fillEvents.push(e));
    await subs.orderUpdates({ user: t.user }, (e) => updates.push(...e));
    await subs.userEvents({ user: t.user }, (e) => userEvents.push(e));
    await until(() => fillEvents.length === 1);
    expect(fillEvents[0]).toEqual({ user: t.user, fills: [], isSnapshot: true });
    // BTC trades one tick wide: widen this book to a few ticks so there is room inside the spread.
    const btc = t.emulator.engine.coin("BTC");
    if (!btc) throw new Error("no BTC");
    btc.spec.halfSpreadBps = 0.5;
    t.emulator.advance(100);
    const { bid, ask } = top(t.emulator, "BTC");
    const price = bid + 1; // inside the spread: first in the queue
    expect(price).toBeLessThan(ask);
    const placed = await t.exchange.order({
      orders: [limit(0, false, price, "0.01", "Alo", { c: CLOID })],
      grouping: "na",
    });
    const oid = (placed.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
    await until(() => updates.some((u) => u.status === "open"));
    // The second account takes 40 % then the rest.
    await t.other.order({ orders: [limit(0, true, price, "0.004", "Ioc")], grouping: "na" });
    await until(() => fillEvents.length === 2);
    expect(fillEvents[1]?.fills[0]).toMatchObject({
      oid,
      sz: "0.004",
      side: "A",
      crossed: false,
      cloid: CLOID,
    });
    expect(fillEvents[1]?.isSnapshot).toBeUndefined();
    expect((await t.info.orderStatus({ user: t.user, oid })).status).toBe("order");
    await t.other.order({ orders: [limit(0, true, price, "0.006", "Ioc")], grouping: "na" });
    await until(() => updates.some((u) => u.status === "filled"));
    expect(updates.map((u) => u.status)).toEqual(["open", "filled"]);
    expect(updates[1]?.order).toMatchObject({ oid, cloid: CLOID, origSz: "0.01" });
    expect(userEvents.length).toBeGreaterThanOrEqual(2);
    const fee = Number(fillEvents[1]?.fills[0]?.fee);
    expect(fee).toBeCloseTo(price * 0.004 * 0.00015, 6);
  });

  it("answers info and action posts over the socket", async () => {
    const wsInfo = new (await import("@nktkas/hyperliquid")).InfoClient({ transport });
    const mids = await wsInfo.allMids();
    expect(Object.keys(mids)).toContain("BTC");
    const { ExchangeClient } = await import("@nktkas/hyperliquid");
    const wsExchange = new ExchangeClient({ transport, wallet: t.wallet });
    const { bid } = top(t.emulator, "BTC");
    const result = await wsExchange.order({
      orders: [limit(0, true, bid - 10, "0.001", "Alo")],
      grouping: "na",
    });
    expect(result.response.data.statuses[0]).toEqual({ resting: { oid: expect.any(Number) } });
    await expect(wsExchange.cancel({ cancels: [{ a: 0, o: 7 }] })).rejects.toThrow("Order was never placed");
  });

  it("fills quotes from synthetic taker flow as time passes", async () => {
    const fills: UserFillsEvent[] = [];
    await subs.userFills({ user: t.user }, (e) => fills.push(e));
    // BTC trades one tick wide: the quotes join the touch, and the market moving through them fills them.
    const { bid, ask } = top(t.emulator, "BTC");
    await t.exchange.order({
      orders: [limit(0, true, bid, "0.01", "Alo"), limit(0, false, ask, "0.01", "Alo")],
      grouping: "na",
    });
    // Advance simulated time until the fills have arrived (the snapshot and one fill event), however long their
    // delivery takes in real time.
    await until(() => {
      if (fills.length >= 2) return true;
      t.emulator.advance(1_000);
      return false;
    });
    expect(fills[1]?.fills[0]?.crossed).toBe(false);
  });
});
