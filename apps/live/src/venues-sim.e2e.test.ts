import type { SimSide } from "@botmm/sim-exchange";
import { afterAll, describe, expect, it } from "vitest";
import { buildConfig } from "./config.ts";
import { type LiveSession, startSession } from "./run.ts";
import { crossNextInwardModify, fillResting, memoryLogger, waitFor } from "./test-support.ts";

const io = { env: {}, stdout: process.stdout, stderr: process.stderr };
const SPEED = 20;
/** How far back `--sim` starts simulated time (ccxt stamps requests with real time, which must stay ahead). */
const SIM_CLOCK_LAG_MS = 365 * 86_400_000;
/**
 * Simulated time within which the bot quotes a side again after losing its order there (a refused modify, a
 * fill): two minutes of the market, where it takes about a second of it quiet. The clock runs at SPEED× real
 * time, so this also leaves a loaded machine 6 real seconds.
 */
const REQUOTE_WITHIN_MS = 120_000;

/** Quotes within a second of real time on the emulated market: tight spreads, no volatility term. */
const settings = (venue: string) => ({
  mode: "sim",
  venue,
  coins: ["BTC"],
  requoteIntervalMs: 200,
  reconcileIntervalMs: 5_000,
  statusIntervalMs: 0,
  deadManSwitchMs: 20_000,
  sim: { seed: 7, speed: SPEED },
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
    // The clock `--sim` would build (simulated time a year back, SPEED× real time), kept to act at known times.
    const wallStart = Date.now();
    const clock = { now: () => wallStart - SIM_CLOCK_LAG_MS + (Date.now() - wallStart) * SPEED };
    session = await startSession(config, io, { logger, clock });
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
    const apiKey = sim.keys.apiKey;
    const ownOpen = () => sim.sim.openOrders(apiKey).length;
    // Each time one of the bot's orders rests at a new place (placed or moved), by side, in simulated time.
    const quoted: { side: SimSide; time: number }[] = [];
    const stopWatching = sim.sim.onEvent((event) => {
      const order = event.type === "order" ? event.order : null;
      if (order?.account === apiKey && order.status === "open")
        quoted.push({ side: order.side, time: order.updateTime });
    });
    const quotedAgainAt = (side: SimSide, since: number) =>
      quoted.find((entry) => entry.side === side && entry.time >= since)?.time ?? null;
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

    // A refused modify: the bot's next modify toward the spread meets a book that moved through its new price.
    const forced = crossNextInwardModify(sim.sim, apiKey);
    expect(await waitFor(() => forced.refusal() !== null, 60_000)).toBe(true);
    forced.disarm();
    const refused = forced.refusal()!;
    expect(refused.order).toMatchObject({ status: "expired", endReason: "post-only" });
    // The refused side is not left stuck: it is quoted again, soon in simulated time.
    expect(await waitFor(() => quotedAgainAt(refused.order.side, refused.time) !== null, 60_000)).toBe(true);
    expect(quotedAgainAt(refused.order.side, refused.time)! - refused.time).toBeLessThanOrEqual(
      REQUOTE_WITHIN_MS,
    );

    // A fill at a known time: a taker takes a resting order of the bot (the other side's if one rests).
    expect(await waitFor(() => ownOpen() > 0, 60_000)).toBe(true);
    const open = sim.sim.openOrders(apiKey);
    const target = open.find((order) => order.side !== refused.order.side) ?? open[0]!;
    const filledAt = clock.now();
    const fills = fillResting(sim.sim, target, filledAt);
    expect(fills.filter((fill) => fill.account === apiKey && fill.leavesQty === 0)).toHaveLength(1);
    expect(await waitFor(() => quotedAgainAt(target.side, filledAt) !== null, 60_000)).toBe(true);
    expect(quotedAgainAt(target.side, filledAt)! - filledAt).toBeLessThanOrEqual(REQUOTE_WITHIN_MS);
    // And both sides rest again.
    expect(
      await waitFor(() => new Set(sim.sim.openOrders(apiKey).map((order) => order.side)).size === 2, 60_000),
    ).toBe(true);
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
