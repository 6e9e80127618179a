import { afterEach, describe, expect, it } from "vitest";
import type { HyperliquidLogEntry } from "./options.ts";
import { order, REQUEST_TIMEOUT_MS, type Setup, setup, until } from "./test-support.ts";

describe("HyperliquidVenue under transport faults", () => {
  let t: Setup;
  afterEach(async () => {
    t.emulator.clearHttpFaults();
    await t.stop();
  });

  for (const status of [503, 502, 429]) {
    it(`answers unknown for every order of a request that got HTTP ${status}, then reconciles`, async () => {
      t = await setup();
      const bid = t.bid();
      t.emulator.injectHttpFault({ kind: "status", status });
      const results = await t.venue.placeOrders([
        order("1", "buy", bid - 50, 0.001),
        order("2", "buy", bid - 60, 0.001),
      ]);
      expect(results.map((r) => [r.clientId, r.status, r.venueOrderId])).toEqual([
        ["1", "unknown", null],
        ["2", "unknown", null],
      ]);
      expect(results[0]?.reason).toContain(String(status));
      expect(t.venue.requestStats().errors).toBeGreaterThanOrEqual(1);
      // Reconcile: the venue never saw them (a status fault answers before processing).
      const states = await t.venue.reconcile(["1", "2"]);
      expect(states.map((s) => s.status)).toEqual(["notFound", "notFound"]);
      expect(await t.venue.openOrders()).toEqual([]);
      const again = await t.venue.placeOrders([order("1", "buy", bid - 50, 0.001)]);
      expect(again[0]?.status).toBe("open");
    });
  }

  // Faulted requests time out for certain, at any machine load: a hung request is never answered, and a delayed
  // one is answered a full second after the client's timer (started first, when it sent the request) fired.
  // Every other request keeps the generous REQUEST_TIMEOUT_MS, so none of them can time out by accident.
  it("answers unknown on a timeout even though the venue acted, and reconciliation finds the order resting once", async () => {
    t = await setup();
    const bid = t.bid();
    t.emulator.injectHttpFault({ kind: "delay", ms: REQUEST_TIMEOUT_MS + 1_000 });
    const [result] = await t.venue.placeOrders([order("1", "buy", bid - 50, 0.001)]);
    expect(result).toMatchObject({ clientId: "1", status: "unknown", venueOrderId: null });
    // The delayed request is processed after the client gave up.
    await until(() => t.emulator.account(t.venue.user)?.openOrders.size === 1, "the delayed order to rest");
    const [state] = await t.venue.reconcile(["1"]);
    expect(state).toMatchObject({ clientId: "1", status: "open", size: 0.001, price: bid - 50 });
    expect((await t.venue.openOrders()).map((o) => o.clientId)).toEqual(["1"]);
  });

  it("answers unknown for cancels of a request that hangs, and reconciles them as still open", async () => {
    t = await setup();
    const bid = t.bid();
    await t.venue.placeOrders([order("1", "buy", bid - 50, 0.001), order("2", "buy", bid - 60, 0.001)]);
    t.emulator.injectHttpFault({ kind: "hang" });
    const results = await t.venue.cancelOrders([
      { clientId: "1", coin: "BTC" },
      { clientId: "2", coin: "BTC" },
    ]);
    expect(results.map((r) => r.status)).toEqual(["unknown", "unknown"]);
    t.emulator.clearHttpFaults();
    const states = await t.venue.reconcile(["1", "2"]);
    expect(states.map((s) => s.status)).toEqual(["open", "open"]);
    const retried = await t.venue.cancelOrders([
      { clientId: "1", coin: "BTC" },
      { clientId: "2", coin: "BTC" },
    ]);
    expect(retried.map((r) => r.status)).toEqual(["cancelled", "cancelled"]);
  });

  it("throws a typed error when an info request fails", async () => {
    t = await setup();
    t.emulator.injectHttpFault({ kind: "status", status: 500 });
    await expect(t.venue.openOrders()).rejects.toMatchObject({ code: "REQUEST_FAILED" });
    await expect(t.venue.openOrders()).resolves.toEqual([]);
  });

  it("tracks the request budget locally and says when to slow down", async () => {
    t = await setup({ venue: { requestBudget: { initialRequests: 12, addressReserveRequests: 5 } } });
    const stats = t.venue.requestStats();
    expect(stats.slowDown).toBe(false);
    expect(stats.addressBudgetRemaining).toBe(12);
    const bid = t.bid();
    await t.venue.placeOrders([order("1", "buy", bid - 50, 0.001), order("2", "buy", bid - 60, 0.001)]);
    expect(t.venue.requestStats().addressBudgetRemaining).toBe(10);
    await t.venue.modifyOrders([order("1", "buy", bid - 51, 0.001), order("2", "buy", bid - 61, 0.001)]);
    await t.venue.cancelOrders([
      { clientId: "1", coin: "BTC" },
      { clientId: "2", coin: "BTC" },
    ]);
    const after = t.venue.requestStats();
    expect(after.addressBudgetRemaining).toBe(6);
    expect(t.venue.requestStats().slowDown).toBe(false);
    await t.venue.placeOrders([order("3", "buy", bid - 50, 0.001)]);
    expect(t.venue.requestStats()).toMatchObject({ addressBudgetRemaining: 5, slowDown: true });
    expect(after.weight).toBeGreaterThan(after.requests); // info requests weigh 2 or 20
  });

  it("never puts the private key in logs, errors or results", async () => {
    t = await setup();
    const seen: unknown[] = [];
    const bid = t.bid();
    t.emulator.injectHttpFault({ kind: "status", status: 503 });
    seen.push(await t.venue.placeOrders([order("1", "buy", bid - 50, 0.001)]));
    t.emulator.injectHttpFault({ kind: "hang" });
    seen.push(await t.venue.placeOrders([order("2", "buy", bid - 50, 0.001)]));
    t.emulator.clearHttpFaults();
    seen.push(await t.venue.placeOrders([order("3", "buy", bid - 50, 30), order("4", "buy", 1, 0.001)]));
    t.emulator.injectHttpFault({ kind: "status", status: 500 });
    seen.push(
      await t.venue.openOrders().catch((error: Error) => [error.message, error.stack, String(error.cause)]),
    );
    seen.push(await t.venue.armDeadManSwitch().catch((error: Error) => error.message));
    const text = JSON.stringify([seen, t.logs satisfies HyperliquidLogEntry[]]);
    expect(t.logs.length).toBeGreaterThan(0);
    const hex = t.key.slice(2).toLowerCase();
    expect(text.toLowerCase()).not.toContain(hex);
    expect(text.toLowerCase()).not.toContain(hex.slice(0, 16));
  });
});
