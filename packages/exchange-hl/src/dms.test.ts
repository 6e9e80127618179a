import { afterEach, describe, expect, it } from "vitest";
import { collector, order, type Setup, setup, until } from "./test-support.ts";

describe("HyperliquidVenue dead-man's switch", () => {
  let t: Setup;
  afterEach(async () => {
    await t.stop();
  });

  it("keeps the switch alive while the client is alive, and the venue cancels everything once it goes silent", async () => {
    t = await setup({ venue: { deadManSwitchMs: 6_000 } });
    const bid = t.bid();
    await t.venue.placeOrders([order("1", "buy", bid - 50, 0.001), order("2", "buy", bid - 60, 0.001)]);
    // A watcher on the same account (another process of the same bot) sees the venue's cancels.
    const { HyperliquidVenue } = await import("./venue.ts");
    const { privateKeyToAccount } = await import("viem/accounts");
    const watcher = await HyperliquidVenue.connect({
      ...t.base,
      wallet: privateKeyToAccount(t.key),
      clientIdPrefix: "b07a11ce00000001",
      deadManSwitchMs: null,
    });
    const events = collector();
    await watcher.subscribe({ coins: [], book: "none", trades: false, account: true }, events.listener);
    await t.venue.armDeadManSwitch();
    const account = () => t.emulator.account(t.venue.user);
    const firstDeadline = account()?.scheduledCancelAtMs;
    expect(firstDeadline).toBe(t.clock.now() + 6_000);
    // While alive: as the clock passes a third of the horizon the housekeeping loop re-arms it.
    for (let i = 0; i < 5; i++) {
      const deadline = account()?.scheduledCancelAtMs ?? 0;
      t.emulator.advance(2_100);
      await until(() => (account()?.scheduledCancelAtMs ?? 0) > deadline, "re-arm");
    }
    expect(t.clock.now()).toBeGreaterThan((firstDeadline ?? 0) + 4_000);
    expect((await watcher.openOrders()).map((o) => o.clientId).sort()).toEqual(["1", "2"]);
    // Silent: the process dies (no disarm, no more re-arms).
    await t.venue.close();
    t.emulator.advance(6_100);
    await until(
      () => events.of("order").filter((e) => e.update.status === "cancelled").length === 2,
      "cancels",
    );
    expect(
      events
        .of("order")
        .map((e) => [e.update.clientId, e.update.status, e.update.reason])
        .sort(),
    ).toEqual([
      ["1", "cancelled", "scheduledCancel"],
      ["2", "cancelled", "scheduledCancel"],
    ]);
    expect(await watcher.openOrders()).toEqual([]);
    await watcher.close();
  });

  it("disarms: no scheduled cancel remains and orders survive past the horizon", async () => {
    t = await setup({ venue: { deadManSwitchMs: 5_000 } });
    await t.venue.placeOrders([order("1", "buy", t.bid() - 50, 0.001)]);
    await t.venue.armDeadManSwitch();
    await t.venue.disarmDeadManSwitch();
    expect(t.emulator.account(t.venue.user)?.scheduledCancelAtMs).toBeNull();
    t.emulator.advance(6_000);
    expect((await t.venue.openOrders()).map((o) => o.clientId)).toEqual(["1"]);
  });

  it("surfaces the venue's refusal (under $1M traded) as a warning and a clear error, without retrying", async () => {
    t = await setup({ emulator: { scheduleCancelMinVolumeUsd: 1_000_000 } });
    const before = t.venue.requestStats().requests;
    const error = await t.venue.armDeadManSwitch().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "DEAD_MAN_SWITCH_REFUSED",
      message: expect.stringContaining(
        "Cannot set scheduled cancel time until enough volume traded. Required: $1000000.",
      ),
    });
    expect(
      t.logs.filter((l) => l.level === "warn" && /refused/.test(l.message)),
      JSON.stringify(t.logs),
    ).toHaveLength(1);
    t.emulator.advance(60_000);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(t.venue.requestStats().requests).toBe(before + 1);
  });

  it("refuses to arm when disabled", async () => {
    t = await setup({ venue: { deadManSwitchMs: null } });
    await expect(t.venue.armDeadManSwitch()).rejects.toMatchObject({ code: "DEAD_MAN_SWITCH_DISABLED" });
  });
});
