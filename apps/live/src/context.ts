import type { Clock, Instrument } from "@botmm/core";
import type { RiskAction, RiskEngine } from "@botmm/risk";
import type { BarBuilder, CoinKernel } from "@botmm/strategy";
import type { Logger } from "pino";
import type { LiveConfig } from "./config.ts";
import type { Journal } from "./journal.ts";
import type { Metrics } from "./metrics.ts";
import type { CoinSink } from "./order-router.ts";
import type { LiveVenue } from "./venue.ts";

/** One coin's live state: its kernel (decisions and accounting) plus what only the live bot tracks. */
export interface CoinState {
  readonly coin: string;
  readonly instrument: Instrument;
  /** The coin's trading decision and accounting: the same kernel the backtests drive. */
  readonly kernel: CoinKernel;
  readonly bars: BarBuilder;
  readonly sink: CoinSink;
  bid: number;
  ask: number;
  mid: number;
  bookDirty: boolean;
  lastQuoteAt: number;
  lastAction: RiskAction | "none";
  lastReasonKey: string;
  venueSize: number | null;
  /** Venue position minus journal position found at start-up (fills missed while the bot was down). */
  positionGap: number;
  maxAbsPositionUsd: number;
  /** A taker exit is in flight; the last one was sent at `lastExitAt` (bot clock). */
  exitInFlight: boolean;
  lastExitAt: number;
  /** Client ids of taker exits sent, with the mid each was priced from (their fills' reference mid). */
  readonly exitReferenceMids: Map<number, number>;
  /** Closed candles fed to the strategy at start-up. */
  primedBars: number;
}

/** This run's counters, shown by the status line and the run summary. */
export interface RunCounters {
  readonly orders: {
    placed: number;
    modified: number;
    cancelled: number;
    rejected: number;
    deferred: number;
  };
  readonly fills: { buy: number; sell: number };
  /** Exchange requests by kind (place, modify, cancel batches; `other`: everything else). */
  readonly requests: { place: number; modify: number; cancel: number; other: number };
  errors: number;
  bookUpdates: number;
  orphansCancelled: number;
  positionMismatches: number;
  restarts: number;
  startedAt: number;
  /** Bot-clock time of the first quote, or null before it. */
  quotingSince: number | null;
  killed: boolean;
}

/**
 * What the bot's parts (order router, reconciler, run report, lifecycle) share: the venue and the services,
 * the coins, the run's counters and two requests between the parts. Nothing else is shared.
 */
export interface BotContext {
  readonly venue: LiveVenue;
  readonly clock: Clock;
  readonly config: LiveConfig;
  readonly journal: Journal;
  readonly log: Logger;
  readonly metrics: Metrics | undefined;
  readonly risk: RiskEngine;
  readonly coins: Map<string, CoinState>;
  readonly counters: RunCounters;
  /** A part lost track of an order or the position: the loop reconciles with the venue when quiet. */
  reconcileWanted: boolean;
  /** Order state changed since the last journal save. */
  stateDirty: boolean;
  /**
   * The venue adapter records every request and traded volume in the risk engine's budget itself
   * (`useRequestBudget`); otherwise the bot records its exchange requests there.
   */
  venueFeedsBudget: boolean;
}

/**
 * Fresh run counters.
 *
 * @example
 * ```ts
 * const counters = newRunCounters();
 * counters.errors++;
 * ```
 */
export function newRunCounters(): RunCounters {
  return {
    orders: { placed: 0, modified: 0, cancelled: 0, rejected: 0, deferred: 0 },
    fills: { buy: 0, sell: 0 },
    requests: { place: 0, modify: 0, cancel: 0, other: 0 },
    errors: 0,
    bookUpdates: 0,
    orphansCancelled: 0,
    positionMismatches: 0,
    restarts: 0,
    startedAt: 0,
    quotingSince: null,
    killed: false,
  };
}

/**
 * Counts an error of this run and tells the risk engine (its error-burst rule).
 *
 * @example
 * ```ts
 * recordError(context);
 * ```
 */
export function recordError(context: BotContext): void {
  context.counters.errors++;
  context.risk.recordError();
}

/**
 * The numeric client id of one of this bot's orders, or 0 for anything else.
 *
 * @example
 * ```ts
 * numericId("1000007"); // 1000007
 * numericId("0xabc"); // 0
 * ```
 */
export function numericId(clientId: string | null | undefined): number {
  if (typeof clientId !== "string" || !/^\d{1,16}$/.test(clientId)) return 0;
  return Number(clientId);
}

/**
 * An error as one log-friendly line.
 *
 * @example
 * ```ts
 * errorText(new TypeError("bad")); // "TypeError: bad"
 * ```
 */
export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Resolves after `ms` real milliseconds.
 *
 * @example
 * ```ts
 * await sleep(10);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
