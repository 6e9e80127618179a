import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MarketEvent, type ReplayRun, runReplayBacktest } from "@botmm/backtest";
import { ManualClock } from "@botmm/core";
import { CoinKernel, type OrderActionSink, type PnlSplit } from "@botmm/strategy";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Bot } from "./bot.ts";
import { Journal } from "./journal.ts";
import { PaperVenue } from "./paper.ts";
import {
  fastConfig,
  memoryLogger,
  SCRIPT_INSTRUMENT,
  ScriptedMarket,
  scriptedMarketEvents,
  toVenueEvent,
} from "./test-support.ts";

/**
 * One kernel, two drivers: a seeded script of books and trades is fed to the `CoinKernel` through the order-book
 * replay and through the live bot trading on a `PaperVenue` over the same books and trades, on a manual clock.
 * Both must make the same decisions (every place / modify / cancel, its price and size, at the same time), get
 * the same fills and report the same PnL split.
 *
 * The common ground, and why it is what it is:
 * - Latency 0 on both sides. The paper venue acts on an order when the bot sends it, against the book the
 *   bot decided from; the replay at latency 0 applies it before its next event, also against that book. With
 *   latency > 0 the drivers differ by design, not by accident: the bot keeps one request per kind in flight
 *   and queues the rest, the replay pipelines every action.
 * - The bot's loop runs once after every book update, as the replay requotes on book updates (at most every
 *   `requoteIntervalMs` in both).
 * - The replay's bars are 1 minute; so are the bot's here. Its risk engine stays at `allow` (asserted), as the
 *   replay without a risk gate; the request budget's pacing is off on both (the replay has no budget).
 * - Funding: the same constant hourly rate, charged by the replay and by the paper venue at the hour's first
 *   market event on the position held; the script crosses an hour.
 */

const SEED = 20_250_301;
/** 00:55 UTC: the script crosses the 01:00 funding hour. */
const START_MS = Date.UTC(2025, 2, 1, 0, 55);
const FUNDING_RATE_PER_HOUR = 0.0002;
const LOOP_INTERVAL_MS = 20;

const config = fastConfig({
  mode: "paper",
  barIntervalMs: 60_000,
  requoteIntervalMs: 1_000,
  reconcileIntervalMs: 3_600_000,
  orderTimeoutMs: 3_600_000,
  strategy: {
    volatilityWarmupBars: 2,
    baseSpreadBps: 0.5,
    refreshToleranceBps: 0.5,
    orderSizeUsd: 60,
    maxPositionUsd: 5_000,
    toxicityGuard: true,
  },
  risk: {
    maxPosition: { limitUsd: 10_000 },
    requestBudget: { pacingEnabled: false },
  },
});

/** What a driver's kernel did: its decisions and the fills it booked, in order. */
interface KernelTrace {
  actions: string[];
  fills: string[];
}

/** Records every `CoinKernel.decide` action and `bookFill` of whichever driver runs into `trace`. */
function traceKernels(trace: KernelTrace): void {
  const decide = CoinKernel.prototype.decide;
  const bookFill = CoinKernel.prototype.bookFill;
  const round = (value: number) => Number(value.toPrecision(12));
  vi.spyOn(CoinKernel.prototype, "decide").mockImplementation(function (
    this: CoinKernel,
    timeMs,
    sink,
    pacer,
  ) {
    const recording: OrderActionSink = {
      place(order) {
        trace.actions.push(`${timeMs} place ${order.side}${order.level} ${order.price} ${order.size}`);
        sink.place(order);
      },
      modify(order, previousClientId) {
        trace.actions.push(`${timeMs} modify ${order.side}${order.level} ${order.price} ${order.size}`);
        sink.modify(order, previousClientId);
      },
      cancel(order) {
        trace.actions.push(`${timeMs} cancel ${order.side}${order.level}`);
        sink.cancel(order);
      },
    };
    return decide.call(this, timeMs, recording, pacer);
  });
  vi.spyOn(CoinKernel.prototype, "bookFill").mockImplementation(function (this: CoinKernel, ...args) {
    const feeUsd = bookFill.apply(this, args);
    const [, side, price, size, liquidity, timeMs] = args;
    trace.fills.push(`${timeMs} ${side} ${price} ${round(size)} ${liquidity} fee ${round(feeUsd)}`);
    return feeUsd;
  });
}

async function runReplay(events: readonly MarketEvent[]): Promise<{ run: ReplayRun; trace: KernelTrace }> {
  const trace: KernelTrace = { actions: [], fills: [] };
  traceKernels(trace);
  const run = await runReplayBacktest(events, {
    instrument: SCRIPT_INSTRUMENT,
    strategy: config.strategy,
    latencyMs: 0,
    requoteIntervalMs: config.requoteIntervalMs,
    funding: { type: "constant", ratePerHour: FUNDING_RATE_PER_HOUR },
  });
  vi.restoreAllMocks();
  return { run, trace };
}

/** Flushes the promise chains the bot's requests and the paper venue's answers run on. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

async function runBotOnPaper(
  events: readonly MarketEvent[],
): Promise<{ pnl: PnlSplit; trace: KernelTrace; bot: Bot }> {
  const trace: KernelTrace = { actions: [], fills: [] };
  traceKernels(trace);
  // The bot's loop runs only when the test steps it; everything else (promises, real-time waits) is real.
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
  const clock = new ManualClock(START_MS - 1_000);
  const market = new ScriptedMarket([SCRIPT_INSTRUMENT]);
  const venue = new PaperVenue({
    market,
    clock,
    makerFee: config.strategy.makerFee,
    takerFee: config.strategy.takerFee,
    capitalUsd: 10_000,
    funding: { type: "constant", ratePerHour: FUNDING_RATE_PER_HOUR },
  });
  const journal = Journal.open(join(mkdtempSync(join(tmpdir(), "botmm-conformance-")), "journal.sqlite"));
  const bot = new Bot({
    venue,
    clock,
    config,
    journal,
    logger: memoryLogger("warn").logger,
    fallbackEquityUsd: 10_000,
    loopIntervalMs: LOOP_INTERVAL_MS,
  });
  await bot.start();
  const modes = new Set<string>();
  for (const event of events) {
    const venueEvent = toVenueEvent(event, clock);
    if (venueEvent === null) continue;
    clock.set(event.type === "gap" ? event.from : event.lt);
    market.emit(venueEvent);
    if (event.type !== "book") continue;
    vi.advanceTimersByTime(LOOP_INTERVAL_MS);
    await settle();
    modes.add(bot.coins.get(SCRIPT_INSTRUMENT.coin)!.kernel.riskMode);
  }
  const pnl = { ...bot.coins.get(SCRIPT_INSTRUMENT.coin)!.kernel.pnl() };
  expect([...modes]).toEqual(["allow"]);
  vi.useRealTimers();
  await bot.stop("test");
  journal.close();
  vi.restoreAllMocks();
  return { pnl, trace, bot };
}

describe("conformance: the replay and the live bot on paper drive the kernel alike", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it(`makes the same decisions, fills and PnL split on one seeded script (seed ${SEED})`, async () => {
    const events = scriptedMarketEvents({ seed: SEED, startMs: START_MS, minutes: 10 });
    const replay = await runReplay(events);
    const live = await runBotOnPaper(events);

    // The script is not a trivial one: both sides quote, fill, and the position pays funding.
    expect(replay.trace.actions.length, `seed ${SEED}`).toBeGreaterThan(50);
    expect(replay.trace.actions.some((action) => action.includes(" modify "))).toBe(true);
    expect(replay.trace.fills.filter((fill) => fill.includes(" buy ")).length).toBeGreaterThan(3);
    expect(replay.trace.fills.filter((fill) => fill.includes(" sell ")).length).toBeGreaterThan(3);
    expect(replay.run.pnl.fundingUsd).not.toBe(0);

    expect(live.trace.actions, `seed ${SEED}`).toEqual(replay.trace.actions);
    expect(live.trace.fills, `seed ${SEED}`).toEqual(replay.trace.fills);
    // The same numbers, up to float rounding of a different order of additions (far below a cent).
    for (const key of ["spreadUsd", "inventoryUsd", "feesUsd", "fundingUsd", "totalUsd"] as const) {
      expect(live.pnl[key], `${key}, seed ${SEED}`).toBeCloseTo(replay.run.pnl[key], 8);
    }
  }, 60_000);
});
