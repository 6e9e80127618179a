import type { Clock, Unsubscribe } from "@botmm/core";
import { type RiskDecision, RiskEngine } from "@botmm/risk";
import { BarBuilder, type StrategyConfig } from "@botmm/strategy";
import type { Logger } from "pino";
import type { LiveConfig } from "./config.ts";
import { type BotContext, type CoinState, errorText, newRunCounters, sleep } from "./context.ts";
import type { Journal } from "./journal.ts";
import { restoreKernel, writeKernelState } from "./kernel-state.ts";
import type { Metrics } from "./metrics.ts";
import { CoinSink, OrderRouter } from "./order-router.ts";
import { CLIENT_ID_BLOCK, firstClientIdOfBlock } from "./prefix.ts";
import { type CandleSource, primeFromCandles } from "./prime.ts";
import { Reconciler } from "./reconciler.ts";
import { RunReport, type RunSummary } from "./run-report.ts";
import type { LiveVenue } from "./venue.ts";
import { VenueEvents } from "./venue-events.ts";

export type { CoinState } from "./context.ts";
export type { RunSummary } from "./run-report.ts";

/** How to build a {@link Bot}. */
export interface BotOptions {
  venue: LiveVenue;
  /** The bot's clock: the system clock live, the emulator's (simulated) clock in `--sim` and tests. */
  clock: Clock;
  config: LiveConfig;
  journal: Journal;
  logger: Logger;
  metrics?: Metrics;
  /** Equity to measure drawdown and daily loss from when the venue cannot tell (paper). */
  fallbackEquityUsd?: number;
  /** How often the bot's loop runs, in real ms (default 20). */
  loopIntervalMs?: number;
  /**
   * The venue's recent candles of a coin from `startMs` on (Hyperliquid `candleSnapshot`): at start-up their
   * closed bars prime the strategy, so it quotes at once instead of warming up on live bars. Absent or failing:
   * the bot warms up on live bars and says so.
   */
  candles?: CandleSource;
  /** Where {@link candles} come from, for log lines (e.g. `api.hyperliquid.xyz`). */
  candlesHost?: string;
}

/**
 * The live market-making bot: one `CoinKernel` per coin (the same kernel the backtests drive: quotes, working
 * orders, fill booking, the PnL split, hard-limit and halt exits), driven by a venue's book and own-order
 * streams, with the risk engine in front of every action, every intent, answer and fill journaled, and
 * restarts reconciled against the venue.
 *
 * This file is the lifecycle (start, loop, stop, shutdown, journal state); the jobs live beside it:
 * {@link VenueEvents} (what the streams say), {@link OrderRouter} (queues, batching, in-flight control,
 * answers), {@link Reconciler} (start-up and periodic reconciliation), {@link RunReport} (summary, status line,
 * metrics). They share one {@link BotContext}.
 *
 * @example
 * ```ts
 * const bot = new Bot({ venue, clock, config, journal, logger });
 * await bot.start();
 * const summary = await bot.finished; // after bot.stop("SIGINT") or the configured duration
 * ```
 */
export class Bot {
  readonly risk: RiskEngine;
  readonly #context: BotContext;
  readonly #router: OrderRouter;
  readonly #reconciler: Reconciler;
  readonly #events: VenueEvents;
  readonly #report: RunReport;
  readonly #loopIntervalMs: number;
  readonly #candles: BotOptions["candles"];
  readonly #candlesHost: string;
  #baseEquityUsd = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastReconcileAt = 0;
  #unsubscribe: Unsubscribe | null = null;
  #stopping = false;
  #stopReason = "";
  #lastStateSave = 0;
  #lastEquityUpdate = 0;
  #dmsArmed = false;
  #resolveFinished!: (summary: RunSummary) => void;
  #rejectFinished!: (error: unknown) => void;
  /** Resolves with the summary once the bot has stopped (duration, signal, kill or fatal error). */
  readonly finished: Promise<RunSummary>;

  constructor(options: BotOptions) {
    this.#loopIntervalMs = options.loopIntervalMs ?? 20;
    this.#candles = options.candles;
    this.#candlesHost = options.candlesHost ?? options.venue.name;
    this.#baseEquityUsd = options.fallbackEquityUsd ?? 0;
    const riskSnapshot = options.journal.getState("risk");
    this.risk = new RiskEngine({ clock: options.clock, config: options.config.riskInput });
    if (riskSnapshot !== undefined) {
      try {
        this.risk.restore(riskSnapshot);
      } catch (error) {
        options.logger.warn(
          { err: (error as Error).message },
          "risk snapshot in the journal is unusable; starting fresh",
        );
      }
    }
    this.#context = {
      venue: options.venue,
      clock: options.clock,
      config: options.config,
      journal: options.journal,
      log: options.logger,
      metrics: options.metrics,
      risk: this.risk,
      coins: new Map(),
      counters: newRunCounters(),
      reconcileWanted: false,
      stateDirty: false,
      venueFeedsBudget: false,
    };
    this.#router = new OrderRouter(this.#context);
    this.#reconciler = new Reconciler(this.#context, this.#router, (fill) =>
      this.#events.bookFill(fill, true),
    );
    this.#events = new VenueEvents(this.#context, this.#router, {
      onPositionGap: (state) => this.#reconciler.applyPositionGap(state),
      onStateChanged: (state) => this.#saveCoinState(state),
    });
    this.#report = new RunReport(this.#context);
    this.finished = new Promise<RunSummary>((resolve, reject) => {
      this.#resolveFinished = resolve;
      this.#rejectFinished = reject;
    });
    // The promise is observed by callers; keep an unobserved rejection from crashing the process.
    this.finished.catch(() => {});
  }

  /** The coins quoted, with their live state (read-only use: tests, status line). */
  get coins(): ReadonlyMap<string, Readonly<CoinState>> {
    return this.#context.coins;
  }

  /**
   * Start-up: journal run, instruments, journal ↔ venue reconciliation (stale orders of this bot cancelled
   * by prefix), positions, leverage, the dead-man's switch, streams and the loop.
   */
  async start(): Promise<void> {
    const context = this.#context;
    const { venue, journal, config, log } = context;
    // Node's fetch keeps a PerformanceResourceTiming of every HTTP request in a process-wide buffer (up to 250,
    // ~0.3 MB) that nothing reads: a long run's heap would grow until it fills. Observers still see them.
    performance.setResourceTimingBufferSize(0);
    performance.clearResourceTimings();
    const now = context.clock.now();
    context.counters.startedAt = now;
    context.counters.restarts = journal.beginRun(config.mode, now);
    const firstRun = journal.runs()[0];
    this.#events.fillsSince = Math.max(journal.lastFillTime(), firstRun?.startedAt ?? now);
    log.info(
      { mode: config.mode, coins: config.coins, restarts: context.counters.restarts, venue: venue.name },
      "starting",
    );

    if (this.risk.killSwitchEngaged) {
      log.warn("the kill switch was engaged in the previous run; releasing it for this deliberate start");
      this.risk.releaseKillSwitch();
    }
    // One request budget: the risk engine's, fed by the adapter, which sees every request it sends.
    if (venue.useRequestBudget) {
      await venue.useRequestBudget(this.risk.budget);
      context.venueFeedsBudget = true;
    }

    const instruments = await venue.instruments();
    const blocks = (journal.getState("coinBlocks") as Record<string, number> | undefined) ?? {};
    for (const coin of config.coins) {
      const instrument = instruments.find((candidate) => candidate.coin === coin);
      if (!instrument) {
        throw new Error(
          `coin ${coin} is not listed on ${venue.name}; listed: ${instruments.map((i) => i.coin).join(", ")}`,
        );
      }
      if (blocks[coin] === undefined) blocks[coin] = Object.keys(blocks).length;
      const block = blocks[coin]!;
      const firstClientId = Math.max(firstClientIdOfBlock(block), journal.maxClientId(coin) + 1);
      if (firstClientId >= (block + 1) * CLIENT_ID_BLOCK)
        throw new Error(`client ids of ${coin} are exhausted`);
      context.coins.set(coin, {
        coin,
        instrument,
        kernel: restoreKernel(journal, config.strategy, instrument, firstClientId),
        bars: new BarBuilder(config.barIntervalMs),
        sink: new CoinSink(coin, this.risk),
        bid: Number.NaN,
        ask: Number.NaN,
        mid: Number.NaN,
        bookDirty: false,
        lastQuoteAt: Number.NEGATIVE_INFINITY,
        lastAction: "none",
        lastReasonKey: "",
        venueSize: null,
        positionGap: 0,
        maxAbsPositionUsd: 0,
        exitInFlight: false,
        lastExitAt: Number.NEGATIVE_INFINITY,
        exitReferenceMids: new Map(),
        primedBars: 0,
      });
    }
    journal.setState("coinBlocks", blocks);

    // Equity base: the venue's account value at the first run (kept in the journal so restarts agree).
    const savedBase = journal.getState("baseEquityUsd");
    if (typeof savedBase === "number") this.#baseEquityUsd = savedBase;
    else {
      if (venue.accountValue) {
        try {
          this.#baseEquityUsd = await venue.accountValue();
        } catch (error) {
          log.warn({ err: errorText(error) }, "could not read the account value");
        }
      }
      journal.setState("baseEquityUsd", this.#baseEquityUsd);
    }

    await this.#reconciler.startup(this.#events.fillsSince);
    await primeFromCandles(this.#context, {
      candles: this.#candles,
      host: this.#candlesHost,
      spend: () => this.#router.spend("other", 1),
    });

    for (const state of context.coins.values()) {
      if (!venue.setLeverage) continue;
      try {
        await venue.setLeverage(state.coin, Math.min(config.leverage, state.instrument.maxLeverage));
        this.#router.spend("other", 1);
      } catch (error) {
        log.warn({ coin: state.coin, err: errorText(error) }, "could not set leverage; using the venue's");
      }
    }
    await this.#armDeadManSwitch();

    this.#unsubscribe = await venue.subscribe(
      { coins: [...context.coins.keys()], book: "l2", trades: needsTrades(config.strategy), account: true },
      (event) => this.#events.onEvent(event),
    );
    journal.note(context.clock.now(), { event: "started", restarts: context.counters.restarts });
    this.#timer = setInterval(() => this.#loop(), this.#loopIntervalMs);
    this.#lastReconcileAt = context.clock.now();
  }

  /**
   * Engages the kill switch: halt, cancel every order, stay halted until restarted. It never trades: no exit.
   *
   * @example
   * ```ts
   * process.on("SIGUSR2", () => bot.kill("SIGUSR2"));
   * ```
   */
  kill(source: string): void {
    if (this.risk.killSwitchEngaged) return;
    const context = this.#context;
    context.counters.killed = true;
    this.risk.engageKillSwitch(`kill switch: ${source}`);
    context.log.error({ source }, "KILL SWITCH engaged: halting and cancelling every order");
    context.journal.note(context.clock.now(), { event: "kill-switch", source });
    for (const state of context.coins.values()) state.bookDirty = true;
  }

  /**
   * Stops gracefully: no more quoting, every order cancelled, the journal flushed; resolves {@link Bot.finished}.
   */
  stop(reason: string): Promise<RunSummary> {
    if (!this.#stopping) {
      this.#stopping = true;
      this.#stopReason = reason;
      void this.#shutdown().then(this.#resolveFinished, this.#rejectFinished);
    }
    return this.finished;
  }

  // ── loop ────────────────────────────────────────────────────────────────────────────────────────────

  #loop(): void {
    if (this.#stopping) return;
    const context = this.#context;
    const router = this.#router;
    try {
      const now = context.clock.now();
      const config = context.config;
      if (config.durationMs !== undefined && now - this.#durationFrom() >= config.durationMs) {
        void this.stop("duration");
        return;
      }
      if (now - this.#lastEquityUpdate >= 1_000) {
        this.#lastEquityUpdate = now;
        this.risk.updateEquity(this.#baseEquityUsd + this.#report.pnl().total);
        for (const state of context.coins.values()) {
          if (state.mid > 0) this.risk.updatePosition(state.coin, state.kernel.positionSize, state.mid);
          this.#trackPosition(state);
        }
      }
      if (context.reconcileWanted) {
        // Reconcile only when quiet: nothing in flight and nothing queued (a queued action's order is not on
        // the venue yet, and restoring its slot from the venue's view would orphan it once it is sent).
        if (!this.#reconciler.running && !router.anyInFlight() && router.queuesEmpty()) {
          context.reconcileWanted = false;
          void this.#reconciler.periodic("periodic").finally(() => {
            this.#lastReconcileAt = context.clock.now();
          });
          return;
        }
        router.flush();
        return;
      }
      if (this.#reconciler.running) return;
      const interval = config.requoteIntervalMs * (this.#slowDown() ? 3 : 1);
      for (const state of context.coins.values()) {
        const overdue = state.kernel.orders.overdue(now, config.orderTimeoutMs);
        if (overdue.length > 0) {
          for (const slot of overdue) {
            context.log.warn(
              { coin: state.coin, clientId: slot.clientId, state: slot.state },
              "request overdue",
            );
            state.kernel.orders.onUnknown(slot.clientId);
          }
          context.reconcileWanted = true;
        }
        const decision = this.risk.evaluate(state.coin);
        state.kernel.setRiskMode(decision.action);
        const actionChanged = this.#noteRisk(state, decision);
        if (!actionChanged && (!state.bookDirty || now - state.lastQuoteAt < interval)) continue;
        router.requote(state, now, !decision.reasons.some((reason) => reason.rule === "stale-data"));
      }
      router.flush();
      // Due from the end of the last reconciliation and asked for after this requote pass: one slower than
      // the interval (a throttled venue, an accelerated --sim clock) must not starve quoting back to back.
      if (now - this.#lastReconcileAt >= config.reconcileIntervalMs) context.reconcileWanted = true;
      if (context.stateDirty && now - this.#lastStateSave >= 5_000) this.#saveState();
    } catch (error) {
      context.counters.errors++;
      context.log.error({ err: errorText(error) }, "loop failed");
    }
  }

  /**
   * Where `--duration` counts from: the first quote, so a warm-up does not eat it; at the latest the end of
   * the longest possible warm-up, so a run without market data still ends.
   */
  #durationFrom(): number {
    const { counters, config } = this.#context;
    if (counters.quotingSince !== null) return counters.quotingSince;
    const warmupMs = (config.strategy.volatilityWarmupBars + 2) * config.barIntervalMs;
    return counters.startedAt + warmupMs;
  }

  /** The request budget says slow down (one budget: the risk engine's, fed by the adapter when it can). */
  #slowDown(): boolean {
    return this.risk.budget.shouldSlowDown();
  }

  /** Logs a change of the coin's risk mode or reasons; returns whether the action changed. */
  #noteRisk(state: CoinState, decision: RiskDecision): boolean {
    const context = this.#context;
    const key = decision.reasons.map((reason) => reason.rule).join(",");
    const changed = decision.action !== state.lastAction;
    if (changed || key !== state.lastReasonKey) {
      const level = decision.action === "allow" ? "info" : "warn";
      context.log[level](
        {
          coin: state.coin,
          action: decision.action,
          reasons: decision.reasons.map((reason) => ({ rule: reason.rule, message: reason.message })),
        },
        decision.action === "allow" ? "risk: quoting allowed" : `risk: ${decision.action}`,
      );
      if (state.lastAction !== "none" || decision.action !== "allow") {
        context.journal.note(context.clock.now(), {
          event: "risk",
          coin: state.coin,
          action: decision.action,
          reasons: key,
        });
      }
      state.lastAction = decision.action;
      state.lastReasonKey = key;
      context.metrics?.riskMode.set(
        { coin: state.coin },
        decision.action === "allow" ? 0 : decision.action === "reduce-only" ? 1 : 2,
      );
    }
    return changed;
  }

  /** Arms the venue's dead-man's switch once (the adapter keeps it armed); a refusal is loud but not fatal. */
  async #armDeadManSwitch(): Promise<void> {
    const { venue, config, log } = this.#context;
    if (!venue.armDeadManSwitch || config.deadManSwitchMs <= 0) {
      log.warn("!!! no dead-man's switch on this venue: orders stay up if the bot dies");
      return;
    }
    try {
      await venue.armDeadManSwitch();
      this.#router.spend("other", 1);
      this.#dmsArmed = true;
      log.info({ ms: config.deadManSwitchMs }, "dead-man's switch armed");
    } catch (error) {
      log.warn(
        { err: errorText(error) },
        "!!! the venue refused the dead-man's switch: orders will NOT be cancelled if this bot dies; carrying on",
      );
    }
  }

  // ── shutdown ────────────────────────────────────────────────────────────────────────────────────────

  async #shutdown(): Promise<RunSummary> {
    const context = this.#context;
    const { venue, journal, log } = context;
    log.info({ reason: this.#stopReason }, "stopping: cancelling every order");
    if (this.#timer) clearInterval(this.#timer);
    const deadline = Date.now() + context.config.requestTimeoutMs;
    while ((this.#router.anyInFlight() || this.#reconciler.running) && Date.now() < deadline) await sleep(10);
    let openAtExit = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        if (venue.cancelAllOwnOrders) {
          await venue.cancelAllOwnOrders();
          this.#router.spend("other", 1);
        }
        const open = await this.#reconciler.venueOrders();
        if (open.size > 0) {
          await venue.cancelOrders(
            [...open.values()].map((order) => ({ clientId: order.clientId!, coin: order.coin })),
          );
          context.counters.requests.cancel++;
        }
        const left = await this.#reconciler.venueOrders();
        openAtExit = left.size;
        const now = context.clock.now();
        for (const order of journal.liveOrders()) {
          if (!left.has(order.clientId))
            journal.recordOrderEvent("closed", order.coin, order.clientId, now, { shutdown: true });
        }
        if (openAtExit === 0) break;
      } catch (error) {
        context.counters.errors++;
        log.warn({ err: errorText(error), attempt }, "cancel at shutdown failed");
        openAtExit = -1;
        await sleep(200);
      }
    }
    for (const state of context.coins.values()) {
      try {
        state.venueSize = (await venue.position(state.coin)).size;
      } catch {
        // keep the last known venue size
      }
    }
    if (this.#dmsArmed && venue.disarmDeadManSwitch) {
      try {
        await venue.disarmDeadManSwitch();
      } catch (error) {
        log.warn({ err: errorText(error) }, "could not disarm the dead-man's switch");
      }
    }
    try {
      await this.#unsubscribe?.();
    } catch {
      // the connection may already be gone
    }
    // The open bar up to now, so the report marks the fills of the run's last minutes at the stop's mid; only a
    // journal of a killed bot ends before its last fills.
    const stoppedAt = context.clock.now();
    for (const state of context.coins.values()) {
      if (!state.bars.isOpen) continue;
      const halted = state.kernel.riskMode === "halt";
      journal.recordBar(state.coin, state.bars.current, state.kernel.positionSize, halted, stoppedAt);
    }
    this.#saveState();
    const summary = this.summary(openAtExit);
    journal.endRun(stoppedAt, summary);
    log.info({ summary }, "stopped");
    return summary;
  }

  // ── state ───────────────────────────────────────────────────────────────────────────────────────────

  #trackPosition(state: CoinState): void {
    if (!(state.mid > 0)) return;
    const usd = Math.abs(state.kernel.positionSize * state.mid);
    if (usd > state.maxAbsPositionUsd) state.maxAbsPositionUsd = usd;
  }

  #saveCoinState(state: CoinState): void {
    this.#trackPosition(state);
    const journal = this.#context.journal;
    journal.transaction(() => writeKernelState(journal, state.kernel));
    this.#context.stateDirty = true;
  }

  #saveState(): void {
    const context = this.#context;
    this.#lastStateSave = context.clock.now();
    context.stateDirty = false;
    context.journal.transaction(() => {
      for (const state of context.coins.values()) writeKernelState(context.journal, state.kernel);
      context.journal.setState("risk", this.risk.snapshot());
    });
  }

  /**
   * The run summary now (`openOrdersAtExit` as given, −1 when unknown).
   *
   * @example
   * ```ts
   * const summary = bot.summary(0);
   * summary.pnl.total;
   * ```
   */
  summary(openOrdersAtExit = -1): RunSummary {
    return this.#report.summary(this.#stopReason, openOrdersAtExit);
  }

  /**
   * One line for the terminal: per coin mid, position, quotes and mode, then PnL and counters.
   *
   * @example
   * ```ts
   * setInterval(() => console.log(bot.statusLine()), 10_000);
   * ```
   */
  statusLine(): string {
    return this.#report.statusLine();
  }

  /**
   * Pushes the current state into the Prometheus gauges (called by the metrics timer).
   *
   * @example
   * ```ts
   * setInterval(() => bot.updateMetrics(), 1_000);
   * ```
   */
  updateMetrics(): void {
    this.#report.updateMetrics();
  }
}

/**
 * Whether the strategy reads market trades: the trade-flow shift, the online A, k fit and the sweep pull do;
 * the rest does not, so the trade stream is left closed.
 *
 * @example
 * ```ts
 * needsTrades(parseStrategyConfig({ calibration: "online" })); // true
 * ```
 */
export function needsTrades(
  strategy: Pick<StrategyConfig, "tradeFlowShiftBps" | "calibration" | "sweepPullBps">,
): boolean {
  return strategy.tradeFlowShiftBps > 0 || strategy.calibration === "online" || strategy.sweepPullBps > 0;
}
