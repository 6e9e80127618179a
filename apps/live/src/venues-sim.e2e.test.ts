import { afterAll, describe, expect, it } from "vitest";
import { buildConfig } from "./config.ts";
import { type LiveSession, startSession } from "./run.ts";
import { memoryLogger, waitFor } from "./test-support.ts";

const io = { env: {}, stdout: process.stdout, stderr: process.stderr };

/** Quotes within a second of real time on the emulated market: tight spreads, no volatility term. */
const settings = (venue: string) => ({
  mode: "sim",
  venue,
  coins: ["BTC"],
  requoteIntervalMs: 200,
  reconcileIntervalMs: 5_000,
  statusIntervalMs: 0,
  deadManSwitchMs: 20_000,
  sim: { seed: 7, speed: 20 },
  strategy: {
    baseSpreadBps: 1,
    volMultiplier: 0,
    feeAware: false,
    toxicityGuard: false,
    maxPositionUsd: 1_000,
  },
  risk: {
    maxPosition: { limitUsd: 2_000 },
    maxDrawdown: { enabled: false },
    dailyLoss: { limitUsd: 5_000 },
    // Injected faults are errors by design: the burst breaker must not end the run.
    errorBurst: { maxErrors: 1_000 },
    volatility: { enabled: false },
  },
});

describe.each(["binance", "bybit"] as const)("--venue %s --sim end to end with fault injection", (venue) => {
  let session: LiveSession | undefined;
  const { logger, lines } = memoryLogger("info");

  afterAll(async () => {
    await session?.close();
  });

  it("trades through a WebSocket drop, a 5xx and a rate limit, then exits with no open orders", async () => {
    const config = buildConfig([settings(venue)]);
    // The venue's VIP 0 fee tier went into the strategy since the test set no fees.
    expect(config.venuePresetsApplied).toMatchObject({ makerFee: 0.0002 });
    session = await startSession(config, io, { logger });
    const sim = session.venueSim!;
    expect(sim.venue).toBe(venue);
    let finished = false;
    void session.bot.finished.then(
      () => {
        finished = true;
      },
      () => {
        finished = true;
      },
    );
    const ownOpen = () => sim.sim.openOrders(sim.keys.apiKey).length;
    // The venue ending a resting post-only order because its modify would have crossed (Binance −5022 cancels
    // it; Bybit accepts the amend, then cancels), and the first own fill after that.
    let refusedModifyAt: number | null = null;
    let fillAfterRefusalAt: number | null = null;
    const stopWatching = sim.sim.onEvent((event) => {
      if (event.type === "order") {
        const { order } = event;
        const ended = order.status === "expired" || order.status === "cancelled";
        if (ended && order.endReason === "post-only" && order.updateTime > order.createdTime)
          refusedModifyAt ??= order.updateTime;
      } else if (refusedModifyAt !== null && event.fill.time >= refusedModifyAt) {
        fillAfterRefusalAt ??= event.fill.time;
      }
    });
    /** A bid and an ask of this bot rest, each placed or moved at or after `since` (the bot requoted both). */
    const bothSidesQuotedSince = (since: number) => {
      const fresh = sim.sim.openOrders(sim.keys.apiKey).filter((order) => order.updateTime >= since);
      return fresh.some((order) => order.side === "buy") && fresh.some((order) => order.side === "sell");
    };
    const reconnects = () => lines.filter((line) => line.includes('"state":"reconnected"')).length;
    /** The emulator answered the faulted request and at least two more: the bot carried on. */
    const carriesOn = async (inject: () => void) => {
      const before = sim.requestCount();
      inject();
      return waitFor(() => sim.requestCount() >= before + 3, 60_000);
    };
    const startedAt = sim.drivers[0]!.time;

    expect(await waitFor(() => session!.bot.summary().orders.placed > 0 && ownOpen() > 0, 60_000)).toBe(true);
    expect(sim.dropWebSockets()).toBeGreaterThan(0);
    expect(await waitFor(() => reconnects() > 0, 60_000)).toBe(true);
    expect(await carriesOn(() => sim.injectServerError())).toBe(true);
    expect(await carriesOn(() => sim.injectRateLimit())).toBe(true);
    // A few simulated minutes of trading in all.
    expect(await waitFor(() => sim.drivers[0]!.time >= startedAt + 180_000, 120_000)).toBe(true);
    expect(finished).toBe(false);
    // A refused modify and a fill leave no side stuck: both are quoted again afterwards.
    expect(await waitFor(() => fillAfterRefusalAt !== null, 120_000)).toBe(true);
    expect(await waitFor(() => bothSidesQuotedSince(fillAfterRefusalAt!), 60_000)).toBe(true);
    stopWatching();

    const summary = await session.close("test over");
    expect(summary.orders.placed).toBeGreaterThan(0);
    expect(summary.openOrdersAtExit).toBe(0);
    expect(ownOpen()).toBe(0);
    // The strategy was primed from the emulated market's history rather than warming up.
    expect(summary.primedBars.BTCUSDT).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain(sim.keys.secret);
  }, 300_000);
});
