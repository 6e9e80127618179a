import { RequestBudget } from "@botmm/risk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clientIdToCloid } from "./cloid.ts";
import { order, PREFIX, type Setup, setup } from "./test-support.ts";

describe("HyperliquidVenue against the emulator (real SDK over HTTP)", () => {
  let t: Setup;
  beforeEach(async () => {
    t = await setup();
  });
  afterEach(async () => {
    await t.stop();
  });

  it("counts every request in the app's budget once handed one (useRequestBudget)", async () => {
    const budget = new RequestBudget({ clock: t.clock, config: {} });
    await t.venue.useRequestBudget(budget); // synced with the venue's userRateLimit
    const synced = budget.addressRemaining();
    const bid = t.bid();
    await t.venue.placeOrders([order("1", "buy", bid - 50, 0.001), order("2", "buy", bid - 60, 0.001)]);
    // One batch of two orders: two requests of the address budget, in the app's budget and in requestStats.
    expect(budget.addressRemaining()).toBe(synced - 2);
    expect(t.venue.requestStats().addressBudgetRemaining).toBe(synced - 2);
  });

  it("loads instruments from meta", async () => {
    const instruments = await t.venue.instruments();
    expect(instruments.map((i) => [i.coin, i.assetId, i.sizeRule, i.maxLeverage])).toEqual([
      ["BTC", 0, { type: "decimals", decimals: 5 }, 40],
      ["ETH", 1, { type: "decimals", decimals: 4 }, 25],
    ]);
    expect(t.venue.name).toBe("hyperliquid");
  });

  it("places a batch in one request, rounding bids down and asks up, and lists them as own open orders", async () => {
    const before = t.venue.requestStats().requests;
    const bid = t.bid();
    const ask = t.ask();
    const results = await t.venue.placeOrders([
      order("1", "buy", bid - 10.7, 0.0012345),
      order("2", "sell", ask + 10.2, 0.0012345),
    ]);
    expect(results).toEqual([
      { clientId: "1", status: "open", venueOrderId: expect.stringMatching(/^\d+$/) },
      { clientId: "2", status: "open", venueOrderId: expect.stringMatching(/^\d+$/) },
    ]);
    expect(t.venue.requestStats().requests).toBe(before + 1);
    const open = await t.venue.openOrders("BTC");
    const byId = new Map(open.map((o) => [o.clientId, o]));
    expect(byId.get("1")).toMatchObject({
      side: "buy",
      price: Math.floor(bid - 10.7),
      size: 0.00123,
      timeInForce: "alo",
      status: "open",
      venueOrderId: results[0]?.venueOrderId,
    });
    expect(byId.get("2")).toMatchObject({ side: "sell", price: Math.ceil(ask + 10.2), size: 0.00123 });
    const raw = t.emulator.engine.orders.get(Number(results[0]?.venueOrderId));
    expect(raw?.cloid).toBe(clientIdToCloid(PREFIX, "1"));
  });

  it("refuses orders under $10 or rounding to zero without sending anything", async () => {
    const before = t.venue.requestStats().requests;
    const results = await t.venue.placeOrders([
      order("1", "buy", 50_000, 0.00019),
      order("2", "buy", 50_000, 0.000001),
      order("3", "buy", Number.NaN, 0.001),
      order("4", "buy", 50_000, 0.001, { coin: "DOGE" }),
      order("x", "buy", 50_000, 0.001),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
    ]);
    expect(results[0]?.reason).toMatch(/^Order must have minimum value of \$10\. \(refused locally/);
    expect(results[1]?.reason).toMatch(/rounds to 0/);
    expect(results[3]?.reason).toMatch(/unknown coin "DOGE"/);
    expect(results[4]?.reason).toMatch(/clientId/);
    expect(t.venue.requestStats().requests).toBe(before);
  });

  it("moves quotes with one batchModify and gives them their new client ids", async () => {
    const bid = t.bid();
    const ask = t.ask();
    await t.venue.placeOrders([order("1", "buy", bid - 50, 0.001), order("2", "sell", ask + 50, 0.001)]);
    const before = t.venue.requestStats().requests;
    const results = await t.venue.modifyOrders([
      { ...order("1", "buy", bid - 40, 0.002), newClientId: "3" },
      { ...order("2", "sell", ask + 40, 0.002), newClientId: "4" },
    ]);
    expect(t.venue.requestStats().requests).toBe(before + 1);
    expect(results.map((r) => [r.clientId, r.status])).toEqual([
      ["3", "open"],
      ["4", "open"],
    ]);
    const open = await t.venue.openOrders();
    expect(open.map((o) => [o.clientId, o.price, o.size]).sort()).toEqual(
      [
        ["3", bid - 40, 0.002],
        ["4", ask + 40, 0.002],
      ].sort(),
    );
    // Keeping the same client id works too.
    const same = await t.venue.modifyOrders([order("3", "buy", bid - 30, 0.002)]);
    expect(same[0]).toMatchObject({ clientId: "3", status: "open" });
    // A modify of an order that is gone answers with the venue's words.
    const gone = await t.venue.modifyOrders([order("99", "buy", bid - 30, 0.002)]);
    expect(gone[0]).toMatchObject({ clientId: "99", status: "rejected" });
    expect(gone[0]?.reason).toMatch(/Cannot modify/);
  });

  it("cancels by cloid in one request and surfaces the venue's words for an order that is gone", async () => {
    const bid = t.bid();
    await t.venue.placeOrders([order("1", "buy", bid - 50, 0.001), order("2", "buy", bid - 60, 0.001)]);
    const results = await t.venue.cancelOrders([
      { clientId: "1", coin: "BTC" },
      { clientId: "2", coin: "BTC" },
      { clientId: "5", coin: "BTC" },
    ]);
    expect(results).toEqual([
      { clientId: "1", status: "cancelled" },
      { clientId: "2", status: "cancelled" },
      {
        clientId: "5",
        status: "rejected",
        reason: "Order was never placed, already canceled, or filled. asset=0",
      },
    ]);
    expect(await t.venue.openOrders()).toEqual([]);
  });

  it("surfaces every venue error string per order", async () => {
    const bid = t.bid();
    const ask = t.ask();
    const results = await t.venue.placeOrders([
      order("1", "buy", bid - 50, 30), // $3M at 20× on $100k
      order("2", "sell", ask + 50, 0.001, { reduceOnly: true }), // flat: reduce-only would open
      order("3", "buy", ask, 0.001), // ALO at the ask
      order("4", "buy", bid - 500, 0.001, { timeInForce: "ioc" }), // IOC far below the ask
    ]);
    expect(results.map((r) => [r.clientId, r.status, r.reason, r.rejection])).toEqual([
      ["1", "rejected", "Insufficient margin to place order. asset=0", "margin"],
      ["2", "rejected", "Reduce only order would increase position. asset=0", "other"],
      [
        "3",
        "rejected",
        `Post only order would have immediately matched, bbo was ${bid}@${ask}. asset=0`,
        "post-only",
      ],
      ["4", "rejected", "Order could not immediately match against any resting orders. asset=0", "other"],
    ]);
    // Strings the adapter never provokes itself (it rounds and checks first) still come through verbatim.
    for (const error of [
      "Price must be divisible by tick size. asset=0",
      "Order must have minimum value of $10. asset=0",
    ]) {
      t.emulator.rejectNextOrders(1, error);
      const [result] = await t.venue.placeOrders([order("9", "buy", bid - 50, 0.001)]);
      expect(result).toEqual({
        clientId: "9",
        status: "rejected",
        venueOrderId: null,
        reason: error,
        rejection: "other",
      });
    }
  });

  it("answers a batch where one order fails and the others rest, per order", async () => {
    const bid = t.bid();
    const results = await t.venue.placeOrders([
      order("1", "buy", bid - 50, 0.001),
      order("2", "buy", bid - 60, 30),
      order("3", "buy", bid - 70, 0.001),
    ]);
    expect(results.map((r) => r.status)).toEqual(["open", "rejected", "open"]);
    expect(results[1]?.reason).toBe("Insufficient margin to place order. asset=0");
    expect((await t.venue.openOrders()).map((o) => o.clientId).sort()).toEqual(["1", "3"]);
  });

  it("fills IOC orders, reports the position, the account value and sets leverage", async () => {
    const ask = t.ask();
    const [filled] = await t.venue.placeOrders([order("1", "buy", ask + 100, 0.01, { timeInForce: "ioc" })]);
    expect(filled).toMatchObject({ clientId: "1", status: "filled", filledSize: 0.01 });
    expect(filled?.averagePrice).toBeGreaterThanOrEqual(ask);
    const position = await t.venue.position("BTC");
    expect(position.size).toBe(0.01);
    expect(position.entryPrice).toBeCloseTo(filled?.averagePrice ?? 0, 6);
    expect(await t.venue.position("ETH")).toEqual({ coin: "ETH", size: 0, entryPrice: 0 });
    expect(await t.venue.accountValue()).toBeGreaterThan(99_000);
    await t.venue.setLeverage("BTC", 5);
    await expect(t.venue.setLeverage("BTC", 41)).rejects.toMatchObject({ code: "INVALID_OPTION" });
    await expect(t.venue.position("DOGE")).rejects.toMatchObject({ code: "UNKNOWN_COIN" });
  });

  it("cancels all own orders and leaves other bots' orders alone", async () => {
    const bid = t.bid();
    await t.venue.placeOrders([
      order("1", "buy", bid - 50, 0.001),
      order("2", "buy", bid - 60, 0.001, { coin: "BTC" }),
    ]);
    // Same account, another bot (another prefix).
    const { HyperliquidVenue } = await import("./venue.ts");
    const { privateKeyToAccount } = await import("viem/accounts");
    const sibling = await HyperliquidVenue.connect({
      ...t.base,
      wallet: privateKeyToAccount(t.key),
      clientIdPrefix: "ffffffffffffffff",
    });
    await sibling.placeOrders([order("1", "buy", bid - 70, 0.001)]);
    expect(await t.venue.cancelAllOwnOrders()).toBe(2);
    expect(await t.venue.openOrders()).toEqual([]);
    const everything = await t.venue.openOrders(undefined, { includeForeign: true });
    expect(everything).toHaveLength(1);
    expect(everything[0]?.clientId).toMatch(/^0xffffffffffffffff/);
    expect((await sibling.openOrders()).map((o) => o.clientId)).toEqual(["1"]);
    await sibling.close();
  });

  it("reconciles client ids through orderStatus", async () => {
    const bid = t.bid();
    await t.venue.placeOrders([order("1", "buy", bid - 50, 0.001), order("2", "buy", bid - 60, 0.001)]);
    await t.venue.cancelOrders([{ clientId: "2", coin: "BTC" }]);
    const states = await t.venue.reconcile(["1", "2", "3"]);
    expect(states.map((s) => [s.clientId, s.status])).toEqual([
      ["1", "open"],
      ["2", "cancelled"],
      ["3", "notFound"],
    ]);
    expect(states[0]).toMatchObject({ size: 0.001, filledSize: 0, price: bid - 50 });
  });

  it("surfaces a signature the venue cannot match to an account, per order", async () => {
    const { HyperliquidVenue } = await import("./venue.ts");
    const { privateKeyToAccount } = await import("viem/accounts");
    const stranger = await HyperliquidVenue.connect({
      ...t.base,
      wallet: privateKeyToAccount(`0x${"11".repeat(32)}`),
      clientIdPrefix: PREFIX,
    });
    const results = await stranger.placeOrders([
      order("1", "buy", t.bid() - 50, 0.001),
      order("2", "buy", t.bid() - 60, 0.001),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(results[0]?.reason).toMatch(/^User or API Wallet 0x[0-9a-f]{40} does not exist\.$/);
    await stranger.close();
  });

  it("surfaces a nonce the venue refuses (a clock two days off), per order", async () => {
    const { HyperliquidVenue } = await import("./venue.ts");
    const { privateKeyToAccount } = await import("viem/accounts");
    const { ManualClock } = await import("@botmm/core");
    const { testAccount } = await import("@botmm/hl-emulator");
    // A signer of its own: nonces are tracked per signer, and this one's run two days ahead.
    const account = testAccount(7, 5);
    t.emulator.fund(account.address, 1_000);
    const skewed = await HyperliquidVenue.connect({
      ...t.base,
      clock: new ManualClock(t.clock.now() + 2 * 86_400_000),
      wallet: privateKeyToAccount(account.privateKey),
      clientIdPrefix: PREFIX,
    });
    const [result] = await skewed.placeOrders([order("1", "buy", t.bid() - 50, 0.001)]);
    expect(result?.status).toBe("rejected");
    expect(result?.reason).toMatch(/^Invalid nonce/);
    await skewed.close();
  });
});
