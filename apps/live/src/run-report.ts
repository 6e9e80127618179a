import type { WorkingOrder } from "@botmm/strategy";
import type { BotContext } from "./context.ts";

/** The run summary written by `--json` and printed at exit. */
export interface RunSummary {
  mode: string;
  coins: string[];
  startedAt: number;
  endedAt: number;
  /** Bot-clock ms the run lasted. */
  durationMs: number;
  stopReason: string;
  /** This run's order actions. */
  orders: { placed: number; modified: number; cancelled: number; rejected: number; deferred: number };
  /** Bot-clock time of the first quote (after any warm-up), or null when the bot never quoted. */
  quotingSince: number | null;
  /** Per coin: closed bars of the venue's candles the strategy was primed with at start-up. */
  primedBars: Record<string, number>;
  /** This run's own fills by side; `fillsAllRuns` counts every run of the journal. */
  fills: { buy: number; sell: number };
  fillsAllRuns: { buy: number; sell: number };
  /** PnL in USD over every run of the journal (it survives restarts). `fees` is a cost (positive = paid). */
  pnl: { total: number; spread: number; inventory: number; fees: number; funding: number };
  /** Per coin: signed size and notional at the last mid. */
  positions: Record<string, { size: number; notionalUsd: number; venueSize: number | null }>;
  /** The largest |position × mid| of any coin seen during this run. */
  maxAbsPositionUsd: number;
  /** This bot's orders still resting on the venue after the final cancel (should be 0). */
  openOrdersAtExit: number;
  /** Exchange requests sent this run (place, modify, cancel batches and cancel-all). */
  requests: number;
  requestsByKind: { place: number; modify: number; cancel: number; other: number };
  /** Errors this run: failed or lost requests, unexpected rejections, venue errors. */
  errors: number;
  /** How many earlier runs this journal carries. */
  restarts: number;
  /** Book updates received this run. */
  bookUpdates: number;
  /** Orphan orders found on the venue and cancelled; position mismatches seen by reconciliation. */
  orphansCancelled: number;
  positionMismatches: number;
  killSwitch: boolean;
}

const BREAKER_RULES = [
  "kill-switch",
  "max-drawdown",
  "daily-loss",
  "error-burst",
  "stale-data",
  "volatility",
  "address-budget",
  "ip-budget",
  "max-position",
  "max-account-position",
] as const;

/**
 * The run report: the PnL over every coin's kernel, the run summary, the terminal status line and the
 * Prometheus gauges, all read from the shared context.
 *
 * @example
 * ```ts
 * const report = new RunReport(context);
 * console.log(report.statusLine());
 * report.summary("SIGINT", 0).pnl.total;
 * ```
 */
export class RunReport {
  readonly #context: BotContext;

  constructor(context: BotContext) {
    this.#context = context;
  }

  /** The PnL split summed over the coins' kernels (USD; every run of the journal). */
  pnl(): RunSummary["pnl"] {
    const pnl = { total: 0, spread: 0, inventory: 0, fees: 0, funding: 0 };
    for (const state of this.#context.coins.values()) {
      const split = state.kernel.pnl();
      pnl.total += split.totalUsd;
      pnl.spread += split.spreadUsd;
      pnl.inventory += split.inventoryUsd;
      pnl.fees += split.feesUsd;
      pnl.funding += split.fundingUsd;
    }
    return pnl;
  }

  /** The run summary now (`openOrdersAtExit` −1 when unknown). */
  summary(stopReason: string, openOrdersAtExit: number): RunSummary {
    const context = this.#context;
    const counters = context.counters;
    const positions: RunSummary["positions"] = {};
    const primedBars: RunSummary["primedBars"] = {};
    let maxAbsPositionUsd = 0;
    for (const state of context.coins.values()) {
      primedBars[state.coin] = state.primedBars;
      const size = state.kernel.positionSize;
      positions[state.coin] = {
        size,
        notionalUsd: state.mid > 0 ? size * state.mid : 0,
        venueSize: state.venueSize,
      };
      maxAbsPositionUsd = Math.max(maxAbsPositionUsd, state.maxAbsPositionUsd);
    }
    const requests = counters.requests;
    const endedAt = context.clock.now();
    return {
      mode: context.config.mode,
      coins: [...context.coins.keys()],
      startedAt: counters.startedAt,
      endedAt,
      durationMs: endedAt - counters.startedAt,
      stopReason,
      quotingSince: counters.quotingSince,
      primedBars,
      orders: { ...counters.orders },
      fills: { ...counters.fills },
      fillsAllRuns: context.journal.fillCounts(),
      pnl: this.pnl(),
      positions,
      maxAbsPositionUsd,
      openOrdersAtExit,
      requests: requests.place + requests.modify + requests.cancel + requests.other,
      requestsByKind: { ...requests },
      errors: counters.errors,
      restarts: counters.restarts,
      bookUpdates: counters.bookUpdates,
      orphansCancelled: counters.orphansCancelled,
      positionMismatches: counters.positionMismatches,
      killSwitch: counters.killed,
    };
  }

  /** One line for the terminal: per coin mid, position, quotes and mode, then PnL and counters. */
  statusLine(): string {
    const context = this.#context;
    const counters = context.counters;
    const parts: string[] = [];
    for (const state of context.coins.values()) {
      const kernel = state.kernel;
      const quote = (slot: WorkingOrder | undefined) =>
        slot && slot.state !== "idle" ? String(Number(slot.price.toPrecision(10))) : "-";
      const warmupBars = context.config.strategy.volatilityWarmupBars;
      const quotes =
        kernel.maker.barsSeen < warmupBars
          ? `warming up ${kernel.maker.barsSeen}/${warmupBars} bars`
          : `q ${quote(kernel.orders.bids[0])}/${quote(kernel.orders.asks[0])}`;
      const decision = kernel.decision;
      const pulled = decision.bidPulled || decision.askPulled;
      parts.push(
        `${state.coin} mid ${state.mid > 0 ? state.mid.toPrecision(6) : "?"} pos ${round(kernel.positionSize, 6)} ` +
          `${quotes} ${state.lastAction} ` +
          `σ ${fixedOrDash(decision.sigmaBps)}bp A ${fixedOrDash(decision.intensityScalePerBar)} k ${fixedOrDash(decision.intensityDecayPerBps)}` +
          `${decision.intensitySource === "fitted" ? " (fit)" : ""}` +
          (pulled ? ` pulled ${decision.bidPulled ? "bid" : ""}${decision.askPulled ? "ask" : ""}` : ""),
      );
    }
    const pnl = this.pnl();
    const elapsedMinutes = (context.clock.now() - counters.startedAt) / 60_000;
    const orders = counters.orders;
    return (
      `t+${elapsedMinutes.toFixed(1)}m ${parts.join(" | ")} | pnl ${pnl.total.toFixed(2)} (spread ${pnl.spread.toFixed(2)} fees ${pnl.fees.toFixed(2)}) ` +
      `fills ${counters.fills.buy}b/${counters.fills.sell}s orders +${orders.placed} ~${orders.modified} ` +
      `x${orders.cancelled} !${orders.rejected} deferred ${orders.deferred} err ${counters.errors}`
    );
  }

  /** Pushes the current state into the Prometheus gauges. */
  updateMetrics(): void {
    const context = this.#context;
    const metrics = context.metrics;
    if (!metrics) return;
    const pnl = this.pnl();
    metrics.pnl.set({ part: "total" }, pnl.total);
    metrics.pnl.set({ part: "spread" }, pnl.spread);
    metrics.pnl.set({ part: "inventory" }, pnl.inventory);
    metrics.pnl.set({ part: "fees" }, pnl.fees);
    metrics.pnl.set({ part: "funding" }, pnl.funding);
    const elapsedHours = Math.max(1e-9, (context.clock.now() - context.counters.startedAt) / 3_600_000);
    for (const state of context.coins.values()) {
      const inventory = state.kernel.ledger.inventory;
      metrics.position.set({ coin: state.coin }, inventory.size);
      metrics.positionUsd.set({ coin: state.coin }, state.mid > 0 ? inventory.size * state.mid : 0);
      metrics.fillRate.set({ coin: state.coin }, (inventory.buyCount + inventory.sellCount) / elapsedHours);
    }
    const risk = context.risk;
    const budget = risk.budget.status();
    metrics.budget.set({ budget: "address_remaining" }, budget.addressRemaining);
    metrics.budget.set({ budget: "ip_weight_remaining" }, budget.ipWeightRemaining);
    metrics.budget.set({ budget: "slow_down" }, budget.slowDown ? 1 : 0);
    metrics.budget.set({ budget: "sustainable_requests_per_second" }, budget.sustainableRatePerSecond);
    metrics.budget.set({ budget: "deferred_modifies" }, budget.deferredRequests);
    const active = new Set(risk.evaluate().reasons.map((reason) => reason.rule));
    for (const state of context.coins.values()) {
      for (const reason of risk.evaluate(state.coin).reasons) active.add(reason.rule);
    }
    for (const rule of BREAKER_RULES) metrics.breaker.set({ rule }, active.has(rule) ? 1 : 0);
    metrics.errors.set(context.counters.errors);
  }
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/** Two decimals, or `-` for a number not yet known. */
const fixedOrDash = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : "-");
