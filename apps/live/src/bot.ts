import type {
  CancelRequest,
  Candle,
  Clock,
  Fill,
  Instrument,
  ModifyRequest,
  Order,
  OrderRequest,
  OrderResult,
  Unsubscribe,
  VenueEvent,
} from "@botmm/core";
import { Inventory } from "@botmm/inventory";
import { hyperliquidExchangeWeight, type RiskAction, type RiskDecision, RiskEngine } from "@botmm/risk";
import {
  createQuoteSet,
  MarketMaker,
  type OrderActionSink,
  OrderManager,
  type QuoteSet,
  type WorkingOrder,
} from "@botmm/strategy";
import type { Logger } from "pino";
import { BarBuilder } from "./bars.ts";
import type { LiveConfig } from "./config.ts";
import type { Journal } from "./journal.ts";
import type { Metrics } from "./metrics.ts";
import { CLIENT_ID_BLOCK, firstClientIdOfBlock } from "./prefix.ts";
import type { LiveVenue } from "./venue.ts";

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
  candles?: (coin: string, intervalMs: number, startMs: number) => Promise<Candle[]>;
  /** Where {@link candles} come from, for log lines (e.g. `api.hyperliquid.xyz`). */
  candlesHost?: string;
}

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

/**
 * Start-up priming asks for this many volatility half-lives of closed bars (at least the warm-up), so the
 * estimate starts where a bot that had been running would be rather than at the first few bars' noise.
 */
const PRIME_HALF_LIVES = 5;

/** A hard-limit exit is retried at most this often (bot clock) while the position stays beyond the limit. */
const HARD_LIMIT_EXIT_RETRY_MS = 5_000;

interface CoinState {
  readonly coin: string;
  readonly instrument: Instrument;
  readonly maker: MarketMaker;
  readonly manager: OrderManager;
  inventory: Inventory;
  readonly bars: BarBuilder;
  readonly quotes: QuoteSet;
  readonly sink: CoinSink;
  bid: number;
  ask: number;
  mid: number;
  bookDirty: boolean;
  lastQuoteAt: number;
  lastAction: RiskAction | "none";
  lastReasonKey: string;
  spreadUsd: number;
  venueSize: number | null;
  /** Venue position minus journal position found at start-up (fills missed while the bot was down). */
  positionGap: number;
  maxAbsPositionUsd: number;
  /** A hard-limit taker exit is in flight; the last one was sent at `lastExitAt` (bot clock). */
  exitInFlight: boolean;
  lastExitAt: number;
  /** Closed candles fed to the strategy at start-up. */
  primedBars: number;
}

type Kind = "place" | "modify" | "cancel";

interface PendingModify {
  request: ModifyRequest;
  slotId: number;
  previousId: number;
}

/**
 * Collects one coin's OrderManager actions for the current tick, after the risk engine's order check.
 * Refused actions are undone once `reconcile` returns (the manager's slots must not change mid-loop).
 */
class CoinSink implements OrderActionSink {
  readonly places: OrderRequest[] = [];
  readonly modifies: PendingModify[] = [];
  readonly cancels: CancelRequest[] = [];
  readonly refused: { clientId: number; previousId: number; reason: string }[] = [];

  readonly coin: string;
  readonly risk: RiskEngine;

  constructor(coin: string, risk: RiskEngine) {
    this.coin = coin;
    this.risk = risk;
  }

  #check(order: WorkingOrder): string | null {
    const check = this.risk.checkOrder({
      coin: this.coin,
      side: order.side,
      notionalUsd: order.price * order.size,
      reduceOnly: false,
    });
    return check.allowed ? null : check.reasons.map((reason) => reason.message).join("; ") || "refused";
  }

  place(order: WorkingOrder): void {
    const refusal = this.#check(order);
    if (refusal !== null) {
      this.refused.push({ clientId: order.clientId, previousId: 0, reason: refusal });
      return;
    }
    this.places.push({
      clientId: String(order.clientId),
      coin: this.coin,
      side: order.side,
      price: order.price,
      size: order.size,
      timeInForce: "alo",
      reduceOnly: false,
    });
  }

  modify(order: WorkingOrder, previousClientId: number): void {
    const refusal = this.#check(order);
    if (refusal !== null) {
      this.refused.push({ clientId: order.clientId, previousId: previousClientId, reason: refusal });
      return;
    }
    this.modifies.push({
      request: {
        clientId: String(previousClientId),
        newClientId: String(order.clientId),
        coin: this.coin,
        side: order.side,
        price: order.price,
        size: order.size,
        timeInForce: "alo",
        reduceOnly: false,
      },
      slotId: order.clientId,
      previousId: previousClientId,
    });
  }

  cancel(order: WorkingOrder): void {
    this.cancels.push({ clientId: String(order.clientId), coin: this.coin });
  }
}

/**
 * The live market-making bot: the same `MarketMaker` and `OrderManager` the backtester runs, driven by a
 * venue's book and own-order streams, with the risk engine in front of every action, every intent, answer
 * and fill journaled, and restarts reconciled against the venue.
 *
 * Loop: book updates set the coin's best bid/ask and mid and feed 1-bar closes (built from the mid) to
 * `MarketMaker.onBar`; at most every `requoteIntervalMs` (longer when the request budget says slow down)
 * the bot asks the risk engine for the coin's mode, computes quotes and lets the OrderManager diff them
 * against working orders; the actions of every coin are sent as one place, one batchModify and one cancel
 * request per tick, never more than one in flight per kind.
 *
 * @example
 * ```ts
 * const bot = new Bot({ venue, clock, config, journal, logger });
 * await bot.start();
 * const summary = await bot.finished; // after bot.stop("SIGINT") or the configured duration
 * ```
 */
export class Bot {
  readonly #venue: LiveVenue;
  readonly #clock: Clock;
  readonly #config: LiveConfig;
  readonly #journal: Journal;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #loopIntervalMs: number;
  readonly #candles: BotOptions["candles"];
  readonly #candlesHost: string;
  readonly risk: RiskEngine;
  readonly #coins = new Map<string, CoinState>();
  readonly #inFlight: Record<Kind, boolean> = { place: false, modify: false, cancel: false };
  readonly #queues: { place: OrderRequest[]; modify: PendingModify[]; cancel: CancelRequest[] } = {
    place: [],
    modify: [],
    cancel: [],
  };
  readonly #orphanCancels: CancelRequest[] = [];
  /** Client ids closed lately (fills, cancels): a venue snapshot older than the close may still list them. */
  readonly #recentlyClosed = new Set<string>();
  readonly #counts = { placed: 0, modified: 0, cancelled: 0, rejected: 0, deferred: 0 };
  readonly #fillCounts = { buy: 0, sell: 0 };
  readonly #requests = { place: 0, modify: 0, cancel: 0, other: 0 };
  #errors = 0;
  #bookUpdates = 0;
  #orphansCancelled = 0;
  #positionMismatches = 0;
  #restarts = 0;
  #startedAt = 0;
  #quotingSince: number | null = null;
  #fillsSince = 0;
  #baseEquityUsd = 0;
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastReconcileAt = 0;
  #unsubscribe: Unsubscribe | null = null;
  #reconcileWanted = false;
  #reconciling = false;
  #stopping = false;
  #stopReason = "";
  #stateDirty = false;
  #lastStateSave = 0;
  #lastEquityUpdate = 0;
  #dmsArmed = false;
  #killed = false;
  #resolveFinished!: (summary: RunSummary) => void;
  #rejectFinished!: (error: unknown) => void;
  /** Resolves with the summary once the bot has stopped (duration, signal, kill or fatal error). */
  readonly finished: Promise<RunSummary>;

  constructor(options: BotOptions) {
    this.#venue = options.venue;
    this.#clock = options.clock;
    this.#config = options.config;
    this.#journal = options.journal;
    this.#log = options.logger;
    this.#metrics = options.metrics;
    this.#loopIntervalMs = options.loopIntervalMs ?? 20;
    this.#candles = options.candles;
    this.#candlesHost = options.candlesHost ?? this.#venue.name;
    this.#baseEquityUsd = options.fallbackEquityUsd ?? 0;
    const riskSnapshot = this.#journal.getState("risk");
    this.risk = new RiskEngine({ clock: this.#clock, config: this.#config.riskInput });
    if (riskSnapshot !== undefined) {
      try {
        this.risk.restore(riskSnapshot);
      } catch (error) {
        this.#log.warn(
          { err: (error as Error).message },
          "risk snapshot in the journal is unusable; starting fresh",
        );
      }
    }
    this.finished = new Promise<RunSummary>((resolve, reject) => {
      this.#resolveFinished = resolve;
      this.#rejectFinished = reject;
    });
    // The promise is observed by callers; keep an unobserved rejection from crashing the process.
    this.finished.catch(() => {});
  }

  /** The coins quoted, with their live state (read-only use: tests, status line). */
  get coins(): ReadonlyMap<string, Readonly<CoinState>> {
    return this.#coins;
  }

  /**
   * Start-up: journal run, instruments, journal ↔ venue reconciliation (stale orders of this bot cancelled
   * by prefix), positions, leverage, the dead-man's switch, streams and the loop.
   */
  async start(): Promise<void> {
    const now = this.#clock.now();
    this.#startedAt = now;
    this.#restarts = this.#journal.beginRun(this.#config.mode, now);
    const firstRun = this.#journal.runs()[0];
    this.#fillsSince = Math.max(this.#journal.lastFillTime(), firstRun?.startedAt ?? now);
    this.#log.info(
      {
        mode: this.#config.mode,
        coins: this.#config.coins,
        restarts: this.#restarts,
        venue: this.#venue.name,
      },
      "starting",
    );

    if (this.risk.killSwitchEngaged) {
      this.#log.warn(
        "the kill switch was engaged in the previous run; releasing it for this deliberate start",
      );
      this.risk.releaseKillSwitch();
    }

    const instruments = await this.#venue.instruments();
    const blocks = (this.#journal.getState("coinBlocks") as Record<string, number> | undefined) ?? {};
    for (const coin of this.#config.coins) {
      const instrument = instruments.find((candidate) => candidate.coin === coin);
      if (!instrument) {
        throw new Error(
          `coin ${coin} is not listed on ${this.#venue.name}; listed: ${instruments.map((i) => i.coin).join(", ")}`,
        );
      }
      if (blocks[coin] === undefined) blocks[coin] = Object.keys(blocks).length;
      const block = blocks[coin]!;
      const firstClientId = Math.max(firstClientIdOfBlock(block), this.#journal.maxClientId(coin) + 1);
      if (firstClientId >= (block + 1) * CLIENT_ID_BLOCK)
        throw new Error(`client ids of ${coin} are exhausted`);
      const strategy = this.#config.strategy;
      const savedInventory = this.#journal.getState(`inventory:${coin}`);
      const inventory =
        savedInventory === undefined
          ? new Inventory({ coin, maxPositionUsd: strategy.maxPositionUsd })
          : Inventory.fromSnapshot(savedInventory, { maxPositionUsd: strategy.maxPositionUsd });
      const savedPnl = this.#journal.getState(`pnl:${coin}`) as { spreadUsd?: number } | undefined;
      this.#coins.set(coin, {
        coin,
        instrument,
        maker: new MarketMaker(strategy, instrument),
        manager: OrderManager.forStrategy(strategy, { firstClientId }),
        inventory,
        bars: new BarBuilder(this.#config.barIntervalMs),
        quotes: createQuoteSet(strategy.levels),
        sink: new CoinSink(coin, this.risk),
        bid: Number.NaN,
        ask: Number.NaN,
        mid: Number.NaN,
        bookDirty: false,
        lastQuoteAt: Number.NEGATIVE_INFINITY,
        lastAction: "none",
        lastReasonKey: "",
        spreadUsd: savedPnl?.spreadUsd ?? 0,
        venueSize: null,
        positionGap: 0,
        maxAbsPositionUsd: 0,
        exitInFlight: false,
        lastExitAt: Number.NEGATIVE_INFINITY,
        primedBars: 0,
      });
    }
    this.#journal.setState("coinBlocks", blocks);

    // Equity base: the venue's account value at the first run (kept in the journal so restarts agree).
    const savedBase = this.#journal.getState("baseEquityUsd");
    if (typeof savedBase === "number") this.#baseEquityUsd = savedBase;
    else {
      if (this.#venue.accountValue) {
        try {
          this.#baseEquityUsd = await this.#venue.accountValue();
        } catch (error) {
          this.#log.warn({ err: errorText(error) }, "could not read the account value");
        }
      }
      this.#journal.setState("baseEquityUsd", this.#baseEquityUsd);
    }

    await this.#reconcileStartup();
    await this.#primeFromCandles();

    for (const state of this.#coins.values()) {
      if (this.#venue.setLeverage) {
        try {
          await this.#venue.setLeverage(
            state.coin,
            Math.min(this.#config.leverage, state.instrument.maxLeverage),
          );
          this.#requests.other++;
        } catch (error) {
          this.#log.warn(
            { coin: state.coin, err: errorText(error) },
            "could not set leverage; using the venue's",
          );
        }
      }
    }
    await this.#armDeadManSwitch();

    this.#unsubscribe = await this.#venue.subscribe(
      { coins: [...this.#coins.keys()], book: "l2", trades: false, account: true },
      (event) => this.#onEvent(event),
    );
    this.#journal.note(this.#clock.now(), { event: "started", restarts: this.#restarts });
    this.#timer = setInterval(() => this.#loop(), this.#loopIntervalMs);
    this.#lastReconcileAt = this.#clock.now();
  }

  /**
   * Engages the kill switch: halt, cancel every order, stay halted until restarted.
   *
   * @example
   * ```ts
   * process.on("SIGUSR2", () => bot.kill("SIGUSR2"));
   * ```
   */
  kill(source: string): void {
    if (this.risk.killSwitchEngaged) return;
    this.#killed = true;
    this.risk.engageKillSwitch(`kill switch: ${source}`);
    this.#log.error({ source }, "KILL SWITCH engaged: halting and cancelling every order");
    this.#journal.note(this.#clock.now(), { event: "kill-switch", source });
    for (const state of this.#coins.values()) state.bookDirty = true;
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

  // ── events ──────────────────────────────────────────────────────────────────────────────────────────

  #onEvent(event: VenueEvent): void {
    try {
      switch (event.type) {
        case "book": {
          const state = this.#coins.get(event.book.coin);
          if (!state) return;
          this.#onTop(
            state,
            event.book.bids[0]?.price ?? Number.NaN,
            event.book.asks[0]?.price ?? Number.NaN,
          );
          return;
        }
        case "bookTop": {
          const state = this.#coins.get(event.top.coin);
          if (!state) return;
          this.#onTop(state, event.top.bid?.price ?? Number.NaN, event.top.ask?.price ?? Number.NaN);
          return;
        }
        case "fill":
          this.#onFill(event.fill);
          return;
        case "funding": {
          const state = this.#coins.get(event.funding.coin);
          if (!state || !this.#journal.recordFunding(event.funding)) return;
          state.inventory.recordFundingPayment(event.funding.paymentUsd);
          this.#saveCoinState(state);
          this.#log.info({ ...event.funding }, "funding");
          return;
        }
        case "order":
          this.#onOrderUpdate(
            event.update.coin,
            event.update.clientId,
            event.update.status,
            event.update.reason,
          );
          return;
        case "connection":
          this.#log.warn({ state: event.state, reason: event.reason }, "venue connection");
          if (event.state !== "disconnected") this.#reconcileWanted = true;
          return;
        case "error":
          this.#errors++;
          this.risk.recordError();
          this.#log.error({ err: errorText(event.error) }, "venue error");
          return;
        default:
          return;
      }
    } catch (error) {
      this.#errors++;
      this.#log.error({ err: errorText(error), event: event.type }, "failed to handle a venue event");
    }
  }

  #onTop(state: CoinState, bid: number, ask: number): void {
    const now = this.#clock.now();
    if (!(bid > 0 && ask > 0 && ask > bid)) return;
    state.bid = bid;
    state.ask = ask;
    state.mid = (bid + ask) / 2;
    state.bookDirty = true;
    this.#bookUpdates++;
    if (state.positionGap !== 0) this.#applyPositionGap(state);
    this.risk.recordMarketData(state.coin);
    this.#metrics?.bookUpdates.inc();
    const close = state.bars.onMid(state.mid, now);
    if (close > 0) {
      state.maker.onBar(close);
      this.#updateRiskVolatility(state);
      if (state.maker.barsSeen === this.#config.strategy.volatilityWarmupBars) {
        this.#log.info({ coin: state.coin, bars: state.maker.barsSeen }, "warm-up done: quoting");
      }
    }
  }

  #updateRiskVolatility(state: CoinState): void {
    if (state.maker.barsSeen < this.#config.strategy.volatilityWarmupBars) return;
    // The estimate of the last quote computed (one requote behind the bar, as before priming existed).
    const volatilityBps = state.maker.decision.volatilityBps;
    if (volatilityBps > 0) {
      const barsPerHour = 3_600_000 / this.#config.barIntervalMs;
      this.risk.updateVolatility(state.coin, (volatilityBps / 10_000) * Math.sqrt(barsPerHour));
    }
  }

  /**
   * Primes each coin's strategy with the venue's recent closed bars (`candleSnapshot`), so no live warm-up is
   * needed. When the venue cannot serve them, or serves too few, the bot warms up on live bars and says how long
   * that takes.
   */
  async #primeFromCandles(): Promise<void> {
    const strategy = this.#config.strategy;
    const intervalMs = this.#config.barIntervalMs;
    const warmupBars = strategy.volatilityWarmupBars;
    // N returns need N + 1 closes.
    const wanted = Math.max(warmupBars, PRIME_HALF_LIVES * strategy.volatilityHalfLifeBars) + 1;
    for (const state of this.#coins.values()) {
      const currentBarStart = Math.floor(this.#clock.now() / intervalMs) * intervalMs;
      let reason = "";
      let closes: number[] = [];
      if (this.#candles === undefined) reason = "this venue serves no candles";
      else {
        try {
          const candles = await this.#candles(state.coin, intervalMs, currentBarStart - wanted * intervalMs);
          this.#requests.other++;
          closes = candles
            .filter((candle) => candle.openTime < currentBarStart && candle.close > 0)
            .slice(-wanted)
            .map((candle) => candle.close);
        } catch (error) {
          reason = errorText(error);
        }
      }
      for (const close of closes) state.maker.onBar(close);
      state.primedBars = closes.length;
      const seen = state.maker.barsSeen;
      if (seen >= warmupBars) {
        this.#log.info(
          { coin: state.coin, bars: closes.length, host: this.#candlesHost },
          "strategy primed from the venue's candles: no warm-up",
        );
        continue;
      }
      const minutes = ((warmupBars - seen) * intervalMs) / 60_000;
      this.#log.warn(
        { coin: state.coin, host: this.#candlesHost, bars: closes.length, needed: warmupBars + 1 },
        `candleSnapshot from ${this.#candlesHost} gave ${closes.length} of ${warmupBars + 1} closed bars` +
          `${reason === "" ? "" : ` (${reason})`}: warming up on live bars for about ${round(minutes, 1)} min ` +
          "of bot clock; --duration counts from the first quote",
      );
    }
  }

  #onFill(fill: Fill, recovered = false): void {
    const state = this.#coins.get(fill.coin);
    if (!state) return;
    // History from before this journal is already in the position; recovered fills were asked for.
    if (!recovered && fill.time < this.#fillsSince && !this.#isLiveClientId(state, fill.clientId)) return;
    if (!this.#journal.recordFill(fill)) return; // already journaled (snapshot replay, reconnect)
    state.inventory.applyFill(fill);
    const sign = fill.side === "buy" ? 1 : -1;
    const reference = state.mid > 0 ? state.mid : fill.price;
    state.spreadUsd += sign * (reference - fill.price) * fill.size;
    this.#fillCounts[fill.side]++;
    this.#metrics?.fills.inc({ coin: fill.coin, side: fill.side });
    const id = numericId(fill.clientId);
    if (id > 0) {
      const slot = state.manager.onFill(id, fill.size);
      if (slot === undefined || slot.clientId !== id) {
        this.#noteClosed(String(id));
        this.#journal.recordOrderEvent("closed", fill.coin, String(id), this.#clock.now(), { filled: true });
      }
    }
    state.maker.onOwnFill(fill.side, fill.price);
    const mark = state.mid > 0 ? state.mid : fill.price;
    this.risk.updatePosition(fill.coin, state.inventory.size, mark);
    this.risk.budget.recordTradedUsd(fill.price * fill.size);
    this.#trackPosition(state);
    this.#saveCoinState(state);
    state.bookDirty = true;
    this.#log.info(
      {
        coin: fill.coin,
        side: fill.side,
        price: fill.price,
        size: fill.size,
        fee: fill.fee,
        position: state.inventory.size,
        clientId: fill.clientId,
      },
      "fill",
    );
  }

  #noteClosed(clientId: string): void {
    this.#recentlyClosed.add(clientId);
    if (this.#recentlyClosed.size > 512) {
      const oldest = this.#recentlyClosed.values().next().value;
      if (oldest !== undefined) this.#recentlyClosed.delete(oldest);
    }
  }

  #isLiveClientId(state: CoinState, clientId: string | null): boolean {
    const id = numericId(clientId);
    return id > 0 && state.manager.find(id) !== undefined;
  }

  #onOrderUpdate(coin: string, clientId: string | null, status: Order["status"], reason?: string): void {
    const state = this.#coins.get(coin);
    const id = numericId(clientId);
    if (!state || id === 0) return;
    if (status === "cancelled" || status === "rejected") {
      this.#noteClosed(String(id));
      if (state.manager.onClosed(id)) {
        this.#journal.recordOrderEvent("closed", coin, String(id), this.#clock.now(), { status, reason });
        if (reason && /scheduledCancel/i.test(reason)) {
          this.#log.warn({ coin, clientId }, "order cancelled by the dead-man's switch");
        }
        state.bookDirty = true;
      }
    } else if (status === "filled") {
      this.#journal.recordOrderEvent("closed", coin, String(id), this.#clock.now(), { status });
    }
  }

  // ── loop ────────────────────────────────────────────────────────────────────────────────────────────

  #loop(): void {
    if (this.#stopping) return;
    try {
      const now = this.#clock.now();
      if (this.#config.durationMs !== undefined && now - this.#durationFrom() >= this.#config.durationMs) {
        void this.stop("duration");
        return;
      }
      if (now - this.#lastEquityUpdate >= 1_000) {
        this.#lastEquityUpdate = now;
        this.risk.updateEquity(this.#baseEquityUsd + this.#totalPnl().total);
        for (const state of this.#coins.values()) {
          if (state.mid > 0) this.risk.updatePosition(state.coin, state.inventory.size, state.mid);
          this.#trackPosition(state);
        }
      }
      if (now - this.#lastReconcileAt >= this.#config.reconcileIntervalMs) {
        this.#lastReconcileAt = now;
        this.#reconcileWanted = true;
      }
      if (this.#reconcileWanted) {
        // Reconcile only when quiet: nothing in flight and nothing queued (a queued action's order is not on
        // the venue yet, and restoring its slot from the venue's view would orphan it once it is sent).
        if (!this.#reconciling && !this.#anyInFlight() && this.#queuesEmpty()) {
          this.#reconcileWanted = false;
          void this.#reconcileWithVenue("periodic");
          return;
        }
        this.#flush();
        return;
      }
      if (this.#reconciling) return;
      const slowDown = this.#slowDown();
      const interval = this.#config.requoteIntervalMs * (slowDown ? 3 : 1);
      for (const state of this.#coins.values()) {
        const overdue = state.manager.overdue(now, this.#config.orderTimeoutMs);
        if (overdue.length > 0) {
          for (const slot of overdue) {
            this.#log.warn(
              { coin: state.coin, clientId: slot.clientId, state: slot.state },
              "request overdue",
            );
            state.manager.onUnknown(slot.clientId);
          }
          this.#reconcileWanted = true;
        }
        const decision = this.risk.evaluate(state.coin);
        const actionChanged = this.#noteRisk(state, decision);
        if (!actionChanged && (!state.bookDirty || now - state.lastQuoteAt < interval)) continue;
        this.#requote(state, decision.action, now);
      }
      this.#flush();
      if (this.#stateDirty && now - this.#lastStateSave >= 5_000) this.#saveState();
    } catch (error) {
      this.#errors++;
      this.#log.error({ err: errorText(error) }, "loop failed");
    }
  }

  /**
   * Where `--duration` counts from: the first quote, so a warm-up does not eat it; at the latest the end of
   * the longest possible warm-up, so a run without market data still ends.
   */
  #durationFrom(): number {
    if (this.#quotingSince !== null) return this.#quotingSince;
    const warmupMs = (this.#config.strategy.volatilityWarmupBars + 2) * this.#config.barIntervalMs;
    return this.#startedAt + warmupMs;
  }

  #slowDown(): boolean {
    if (this.risk.budget.shouldSlowDown()) return true;
    try {
      return this.#venue.requestStats?.().slowDown === true;
    } catch {
      return false;
    }
  }

  /** Logs a change of the coin's risk mode or reasons; returns whether the action changed. */
  #noteRisk(state: CoinState, decision: RiskDecision): boolean {
    const key = decision.reasons.map((reason) => reason.rule).join(",");
    const changed = decision.action !== state.lastAction;
    if (changed || key !== state.lastReasonKey) {
      const level = decision.action === "allow" ? "info" : "warn";
      this.#log[level](
        {
          coin: state.coin,
          action: decision.action,
          reasons: decision.reasons.map((reason) => ({ rule: reason.rule, message: reason.message })),
        },
        decision.action === "allow" ? "risk: quoting allowed" : `risk: ${decision.action}`,
      );
      if (state.lastAction !== "none" || decision.action !== "allow") {
        this.#journal.note(this.#clock.now(), {
          event: "risk",
          coin: state.coin,
          action: decision.action,
          reasons: key,
        });
      }
      state.lastAction = decision.action;
      state.lastReasonKey = key;
      this.#metrics?.riskMode.set(
        { coin: state.coin },
        decision.action === "allow" ? 0 : decision.action === "reduce-only" ? 1 : 2,
      );
    }
    return changed;
  }

  #requote(state: CoinState, action: RiskAction, now: number): void {
    state.bookDirty = false;
    state.lastQuoteAt = now;
    if (!(state.mid > 0)) return;
    let mode = action;
    // Beyond the hard limit: reduce-only quotes, and the same taker exit the backtester assumes.
    const exitSize = state.maker.hardLimitExitSize(state.inventory.size, state.mid);
    if (exitSize !== 0) {
      if (mode === "allow") mode = "reduce-only";
      if (action !== "halt" && !state.exitInFlight && now - state.lastExitAt >= HARD_LIMIT_EXIT_RETRY_MS) {
        void this.#sendExit(state, exitSize, now);
      }
    }
    const decision = state.maker.computeQuotes(
      {
        midPrice: state.mid,
        positionSize: state.inventory.size,
        riskMode: mode,
        marketBid: state.bid,
        marketAsk: state.ask,
      },
      state.quotes,
    );
    if (decision.status === "quoting" && this.#quotingSince === null) {
      this.#quotingSince = now;
      this.#log.info({ afterMs: now - this.#startedAt }, "first quote");
    }
    const sink = state.sink;
    // Chasing modifies wait for the request budget's pacing; protective ones always go.
    const counts = state.manager.reconcile(state.quotes, now, sink, this.risk.budget);
    this.#counts.deferred += counts.deferred;
    this.#counts.placed += counts.placed - sink.refused.filter((r) => r.previousId === 0).length;
    this.#counts.modified += counts.modified - sink.refused.filter((r) => r.previousId !== 0).length;
    this.#counts.cancelled += counts.cancelled;
    for (const refused of sink.refused) {
      this.#log.warn(
        {
          coin: state.coin,
          clientId: refused.clientId,
          previousId: refused.previousId,
          reason: refused.reason,
        },
        "risk refused an order",
      );
      state.manager.onClosed(refused.clientId);
      if (refused.previousId !== 0)
        this.#orphanCancels.push({ clientId: String(refused.previousId), coin: state.coin });
    }
    sink.refused.length = 0;
    this.#queues.place.push(...sink.places);
    this.#queues.modify.push(...sink.modifies);
    this.#queues.cancel.push(...sink.cancels);
    sink.places.length = 0;
    sink.modifies.length = 0;
    sink.cancels.length = 0;
    if (counts.placed + counts.modified + counts.cancelled > 0) {
      this.#metrics?.quotes.set({ coin: state.coin, side: "bid" }, state.quotes.bidPrices[0] ?? 0);
      this.#metrics?.quotes.set({ coin: state.coin, side: "ask" }, state.quotes.askPrices[0] ?? 0);
    }
  }

  /**
   * Cuts a position beyond the hard limit with one IOC reduce-only order, priced `exitSlippageBps` through the
   * best opposite price (the adapter rounds it and the size exactly). Journaled like every order; its fill comes
   * back on the stream like any other.
   */
  async #sendExit(state: CoinState, exitSize: number, now: number): Promise<void> {
    const side = exitSize > 0 ? "buy" : "sell";
    const reference = side === "buy" ? state.ask : state.bid;
    if (!(reference > 0)) return;
    state.exitInFlight = true;
    state.lastExitAt = now;
    const slippage = this.#config.exitSlippageBps / 10_000;
    const order: OrderRequest = {
      clientId: String(state.manager.reserveClientId()),
      coin: state.coin,
      side,
      price: side === "buy" ? reference * (1 + slippage) : reference * (1 - slippage),
      size: Math.abs(exitSize),
      timeInForce: "ioc",
      reduceOnly: true,
    };
    this.#log.warn(
      { coin: state.coin, side, size: order.size, price: order.price, position: state.inventory.size },
      "hard limit: cutting the position back to the soft limit with a taker order",
    );
    this.#journal.recordIntent("place", order, now);
    this.#spend("place", 1);
    try {
      const [result] = await this.#venue.placeOrders([order]);
      const status = result?.status ?? "unknown";
      this.#journal.recordOrderEvent(
        status === "rejected" ? "reject" : "closed",
        order.coin,
        order.clientId,
        this.#clock.now(),
        {
          exit: true,
          status,
          reason: result?.reason,
        },
      );
      if (status === "unknown") this.#reconcileWanted = true;
    } catch (error) {
      this.#errors++;
      this.#log.error({ coin: state.coin, err: errorText(error) }, "hard-limit exit failed");
    } finally {
      state.exitInFlight = false;
    }
  }

  #queuesEmpty(): boolean {
    return (
      this.#queues.place.length === 0 &&
      this.#queues.modify.length === 0 &&
      this.#queues.cancel.length === 0 &&
      this.#orphanCancels.length === 0
    );
  }

  #anyInFlight(): boolean {
    return this.#inFlight.place || this.#inFlight.modify || this.#inFlight.cancel;
  }

  /** Sends queued actions: at most one request per kind in flight, each one batch. */
  #flush(): void {
    if (this.#orphanCancels.length > 0) {
      this.#queues.cancel.push(...this.#orphanCancels);
      this.#orphanCancels.length = 0;
    }
    if (!this.#inFlight.cancel && this.#queues.cancel.length > 0) {
      const batch = this.#queues.cancel.splice(0);
      void this.#sendCancels(batch);
    }
    if (!this.#inFlight.modify && this.#queues.modify.length > 0) {
      const batch = this.#queues.modify.splice(0);
      void this.#sendModifies(batch);
    }
    if (!this.#inFlight.place && this.#queues.place.length > 0) {
      const batch = this.#queues.place.splice(0);
      void this.#sendPlaces(batch);
    }
  }

  #spend(kind: Kind, n: number): void {
    this.risk.budget.record(n, hyperliquidExchangeWeight(n));
    this.#requests[kind]++;
    this.#metrics?.requests.inc({ kind });
  }

  /**
   * Sends one batch request of a kind: counts it against the budget, times it, clears the kind's in-flight
   * flag, and turns a thrown error into an `unknown` answer for every item (never a guess).
   */
  async #request<I, R>(
    kind: Kind,
    batch: readonly I[],
    send: () => Promise<R[]>,
    unknown: (item: I, reason: string) => R,
  ): Promise<R[]> {
    this.#spend(kind, batch.length);
    const started = performance.now();
    try {
      return await send();
    } catch (error) {
      const reason = errorText(error);
      return batch.map((item) => unknown(item, reason));
    } finally {
      this.#metrics?.latency.observe({ kind }, (performance.now() - started) / 1000);
      this.#inFlight[kind] = false;
    }
  }

  async #sendPlaces(batch: OrderRequest[]): Promise<void> {
    this.#inFlight.place = true;
    const now = this.#clock.now();
    for (const order of batch) this.#journal.recordIntent("place", order, now);
    const results = await this.#request(
      "place",
      batch,
      () => this.#venue.placeOrders(batch),
      (order, reason) => ({
        clientId: order.clientId,
        status: "unknown" as const,
        venueOrderId: null,
        reason,
      }),
    );
    this.#onOrderResults(
      "place",
      batch.map((order) => ({ coin: order.coin, id: Number(order.clientId), previousId: 0 })),
      results,
    );
  }

  async #sendModifies(batch: PendingModify[]): Promise<void> {
    this.#inFlight.modify = true;
    const now = this.#clock.now();
    for (const item of batch) {
      this.#journal.recordIntent(
        "modify",
        { ...item.request, clientId: item.request.newClientId!, replaces: item.request.clientId },
        now,
      );
    }
    const results = await this.#request(
      "modify",
      batch,
      () => this.#venue.modifyOrders(batch.map((item) => item.request)),
      (item, reason) => ({
        clientId: item.request.clientId,
        status: "unknown" as const,
        venueOrderId: null,
        reason,
      }),
    );
    this.#onOrderResults(
      "modify",
      batch.map((item) => ({ coin: item.request.coin, id: item.slotId, previousId: item.previousId })),
      results,
    );
  }

  #onOrderResults(
    kind: "place" | "modify",
    items: { coin: string; id: number; previousId: number }[],
    results: OrderResult[],
  ): void {
    const now = this.#clock.now();
    let lost = false;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const result = results[i] ?? {
        clientId: String(item.id),
        status: "unknown" as const,
        venueOrderId: null,
      };
      const state = this.#coins.get(item.coin);
      if (!state) continue;
      const id = String(item.id);
      switch (result.status) {
        case "open":
        case "filled":
          if (state.manager.onAccepted(item.id)) {
            this.#journal.recordOrderEvent("ack", item.coin, id, now, { venueOrderId: result.venueOrderId });
          } else if (!this.#recentlyClosed.has(id) && result.status === "open") {
            // Resting, but its slot moved on meanwhile: cancel it rather than leave an orphan.
            this.#orphanCancels.push({ clientId: id, coin: item.coin });
          }
          if (item.previousId !== 0)
            this.#journal.recordOrderEvent("closed", item.coin, String(item.previousId), now, {
              replacedBy: id,
            });
          break;
        case "rejected": {
          this.#counts.rejected++;
          // Routine: a post-only order that would cross, or a modify of an order that has just filled.
          const postOnly = /post only|would have immediately matched|cannot modify canceled or filled/i.test(
            result.reason ?? "",
          );
          if (!postOnly) {
            this.#errors++;
            this.risk.recordError();
          }
          this.#log[postOnly ? "debug" : "warn"](
            { coin: item.coin, clientId: id, kind, reason: result.reason },
            "order rejected",
          );
          this.#metrics?.rejections.inc({ coin: item.coin });
          state.manager.onClosed(item.id);
          this.#journal.recordOrderEvent("reject", item.coin, id, now, { reason: result.reason });
          // A refused modify may leave the old order resting: cancel it (a no-op when it is gone).
          if (item.previousId !== 0)
            this.#orphanCancels.push({ clientId: String(item.previousId), coin: item.coin });
          break;
        }
        default:
          this.#errors++;
          this.risk.recordError();
          this.#log.warn(
            { coin: item.coin, clientId: id, kind, reason: result.reason },
            "order outcome unknown; reconciling",
          );
          state.manager.onUnknown(item.id);
          this.#journal.recordOrderEvent("unknown", item.coin, id, now, { reason: result.reason });
          lost = true;
      }
      state.bookDirty = true;
    }
    if (lost) this.#reconcileWanted = true;
    this.#stateDirty = true;
  }

  async #sendCancels(batch: CancelRequest[]): Promise<void> {
    this.#inFlight.cancel = true;
    const now = this.#clock.now();
    for (const cancel of batch) {
      this.#journal.recordIntent("cancel", { ...cancel, side: "buy", price: 0, size: 0 }, now);
    }
    const results = await this.#request(
      "cancel",
      batch,
      () => this.#venue.cancelOrders(batch),
      (cancel, reason) => ({
        clientId: cancel.clientId,
        status: "unknown" as const,
        reason,
      }),
    );
    const done = this.#clock.now();
    let lost = false;
    for (let i = 0; i < batch.length; i++) {
      const cancel = batch[i]!;
      const result = results[i] ?? { clientId: cancel.clientId, status: "unknown" as const };
      const state = this.#coins.get(cancel.coin);
      const id = Number(cancel.clientId);
      if (result.status === "unknown") {
        this.#errors++;
        this.risk.recordError();
        state?.manager.onUnknown(id);
        this.#journal.recordOrderEvent("unknown", cancel.coin, cancel.clientId, done, {
          reason: result.reason,
        });
        lost = true;
        continue;
      }
      // Cancelled, or refused because the order is already gone (filled or cancelled): either way it is closed.
      this.#noteClosed(cancel.clientId);
      state?.manager.onClosed(id);
      this.#journal.recordOrderEvent("closed", cancel.coin, cancel.clientId, done, {
        cancel: result.status,
        reason: result.reason,
      });
      if (state) state.bookDirty = true;
    }
    if (lost) this.#reconcileWanted = true;
  }

  // ── reconciliation ──────────────────────────────────────────────────────────────────────────────────

  /** Open orders of this bot's coins on the venue, by client id (orders without one of ours are left out). */
  async #venueOrders(): Promise<Map<string, Order>> {
    const open = await this.#venue.openOrders();
    this.#requests.other++;
    const byId = new Map<string, Order>();
    for (const order of open) {
      if (!this.#coins.has(order.coin) || order.clientId === null || numericId(order.clientId) === 0)
        continue;
      byId.set(order.clientId, order);
    }
    return byId;
  }

  async #reconcileStartup(): Promise<void> {
    const now = this.#clock.now();
    const journaled = this.#journal.liveOrders();
    let venueOrders: Map<string, Order>;
    try {
      venueOrders = await this.#venueOrders();
    } catch (error) {
      this.#log.warn({ err: errorText(error) }, "could not read open orders at start-up");
      venueOrders = new Map();
    }
    const known = new Set(journaled.map((order) => order.clientId));
    const unknown = [...venueOrders.keys()].filter((id) => !known.has(id));
    this.#log.info(
      { journalLive: journaled.length, venueOpen: venueOrders.size, notInJournal: unknown.length },
      "start-up reconciliation: cancelling this bot's stale orders",
    );
    // Stale orders of this bot (its prefix) are cancelled; fresh quotes follow once the book is known.
    if (this.#venue.cancelAllOwnOrders) {
      try {
        await this.#venue.cancelAllOwnOrders();
        this.#requests.other++;
      } catch (error) {
        this.#log.warn({ err: errorText(error) }, "cancelAllOwnOrders failed; cancelling by client id");
      }
    }
    try {
      const remaining = await this.#venueOrders();
      if (remaining.size > 0) {
        await this.#venue.cancelOrders(
          [...remaining.values()].map((order) => ({ clientId: order.clientId!, coin: order.coin })),
        );
        this.#requests.cancel++;
      }
    } catch (error) {
      this.#log.warn({ err: errorText(error) }, "could not cancel stale orders; reconciliation will retry");
      this.#reconcileWanted = true;
    }
    for (const order of journaled) {
      this.#journal.recordOrderEvent("closed", order.coin, order.clientId, now, {
        startup: true,
        wasOnVenue: venueOrders.has(order.clientId),
      });
    }
    for (const state of this.#coins.values()) {
      try {
        const position = await this.#venue.position(state.coin);
        state.venueSize = position.size;
        this.#log.info(
          { coin: state.coin, venueSize: position.size, journalSize: state.inventory.size },
          "position at start-up",
        );
        await this.#recoverMissedFills(state, position.size);
      } catch (error) {
        this.#log.warn({ coin: state.coin, err: errorText(error) }, "could not read the position");
      }
    }
    this.#journal.note(now, {
      event: "startup-reconciled",
      journalLive: journaled.length,
      venueOpen: venueOrders.size,
    });
  }

  /**
   * Fills that happened while the bot was down (after its last journaled fill) are not replayed by the
   * stream. Asks the venue for them when it can (`fillsSince`); otherwise books the position difference as
   * one synthetic adjustment fill at the first mid seen, so the journal and the venue agree again.
   */
  async #recoverMissedFills(state: CoinState, venueSize: number): Promise<void> {
    const lot = lotStep(state.instrument);
    if (Math.abs(venueSize - state.inventory.size) <= lot / 2) return;
    if (this.#venue.fillsSince) {
      try {
        const fills = await this.#venue.fillsSince(this.#fillsSince);
        this.#requests.other++;
        for (const fill of fills) if (fill.coin === state.coin) this.#onFill(fill, true);
      } catch (error) {
        this.#log.warn(
          { coin: state.coin, err: errorText(error) },
          "could not read fills since the last journal time",
        );
      }
    }
    const gap = venueSize - state.inventory.size;
    if (Math.abs(gap) > lot / 2) {
      state.positionGap = gap;
      this.#log.warn(
        { coin: state.coin, venueSize, journalSize: state.inventory.size },
        "position differs from the journal: fills were missed while the bot was down; booking an adjustment",
      );
    }
  }

  #applyPositionGap(state: CoinState): void {
    const gap = state.positionGap;
    state.positionGap = 0;
    const price = state.mid;
    const size = Math.abs(gap);
    this.#onFill(
      {
        clientId: null,
        venueOrderId: null,
        tradeId: `adjustment:${this.#journal.runId}:${state.coin}`,
        coin: state.coin,
        side: gap > 0 ? "buy" : "sell",
        price,
        size,
        fee: this.#config.strategy.makerFee * price * size,
        liquidity: "maker",
        time: this.#clock.now(),
      },
      true,
    );
  }

  async #reconcileWithVenue(reason: string): Promise<void> {
    this.#reconciling = true;
    try {
      const open = await this.#venueOrders();
      const now = this.#clock.now();
      for (const state of this.#coins.values()) {
        state.manager.restore((clientId) => {
          const order = open.get(String(clientId));
          return order ? { remainingSize: order.size - order.filledSize } : undefined;
        });
        const live = new Set(state.manager.liveClientIds().map(String));
        for (const order of open.values()) {
          if (order.coin !== state.coin || live.has(order.clientId!)) continue;
          // Closed a moment ago (the snapshot predates the fill or cancel): cancel to be sure, but it is no orphan.
          if (!this.#recentlyClosed.has(order.clientId!)) {
            this.#log.warn(
              { coin: order.coin, clientId: order.clientId, reason },
              "orphan order on the venue: cancelling",
            );
            this.#orphansCancelled++;
          }
          this.#orphanCancels.push({ clientId: order.clientId!, coin: order.coin });
        }
        state.bookDirty = true;
      }
      for (const order of this.#journal.liveOrders()) {
        if (!open.has(order.clientId))
          this.#journal.recordOrderEvent("closed", order.coin, order.clientId, now, { reconciled: reason });
        else if (order.status !== "open")
          this.#journal.recordOrderEvent("ack", order.coin, order.clientId, now, { reconciled: reason });
      }
      for (const state of this.#coins.values()) {
        const position = await this.#venue.position(state.coin);
        state.venueSize = position.size;
        const lot = lotStep(state.instrument);
        if (Math.abs(position.size - state.inventory.size) > lot / 2) {
          this.#positionMismatches++;
          this.#log.warn(
            { coin: state.coin, venueSize: position.size, journalSize: state.inventory.size },
            "position differs from the journal's (fills may still be arriving)",
          );
        }
      }
    } catch (error) {
      this.#errors++;
      this.risk.recordError();
      this.#log.warn({ err: errorText(error), reason }, "reconciliation failed; will retry");
      this.#reconcileWanted = true;
    } finally {
      this.#reconciling = false;
    }
  }

  /** Arms the venue's dead-man's switch once (the adapter keeps it armed); a refusal is loud but not fatal. */
  async #armDeadManSwitch(): Promise<void> {
    if (!this.#venue.armDeadManSwitch || this.#config.deadManSwitchMs <= 0) {
      this.#log.warn("!!! no dead-man's switch on this venue: orders stay up if the bot dies");
      return;
    }
    try {
      await this.#venue.armDeadManSwitch();
      this.#requests.other++;
      this.#dmsArmed = true;
      this.#log.info({ ms: this.#config.deadManSwitchMs }, "dead-man's switch armed");
    } catch (error) {
      this.#log.warn(
        { err: errorText(error) },
        "!!! the venue refused the dead-man's switch: orders will NOT be cancelled if this bot dies; carrying on",
      );
    }
  }

  // ── shutdown ────────────────────────────────────────────────────────────────────────────────────────

  async #shutdown(): Promise<RunSummary> {
    this.#log.info({ reason: this.#stopReason }, "stopping: cancelling every order");
    if (this.#timer) clearInterval(this.#timer);
    const deadline = Date.now() + this.#config.requestTimeoutMs;
    while ((this.#anyInFlight() || this.#reconciling) && Date.now() < deadline) await sleep(10);
    let openAtExit = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        if (this.#venue.cancelAllOwnOrders) {
          await this.#venue.cancelAllOwnOrders();
          this.#requests.other++;
        }
        const open = await this.#venueOrders();
        if (open.size > 0) {
          await this.#venue.cancelOrders(
            [...open.values()].map((order) => ({ clientId: order.clientId!, coin: order.coin })),
          );
          this.#requests.cancel++;
        }
        const left = await this.#venueOrders();
        openAtExit = left.size;
        const now = this.#clock.now();
        for (const order of this.#journal.liveOrders()) {
          if (!left.has(order.clientId))
            this.#journal.recordOrderEvent("closed", order.coin, order.clientId, now, { shutdown: true });
        }
        if (openAtExit === 0) break;
      } catch (error) {
        this.#errors++;
        this.#log.warn({ err: errorText(error), attempt }, "cancel at shutdown failed");
        openAtExit = -1;
        await sleep(200);
      }
    }
    for (const state of this.#coins.values()) {
      try {
        state.venueSize = (await this.#venue.position(state.coin)).size;
      } catch {
        // keep the last known venue size
      }
    }
    if (this.#dmsArmed && this.#venue.disarmDeadManSwitch) {
      try {
        await this.#venue.disarmDeadManSwitch();
      } catch (error) {
        this.#log.warn({ err: errorText(error) }, "could not disarm the dead-man's switch");
      }
    }
    try {
      await this.#unsubscribe?.();
    } catch {
      // the connection may already be gone
    }
    this.#saveState();
    const summary = this.summary(openAtExit);
    this.#journal.endRun(this.#clock.now(), summary);
    this.#log.info({ summary }, "stopped");
    return summary;
  }

  // ── state ───────────────────────────────────────────────────────────────────────────────────────────

  #trackPosition(state: CoinState): void {
    if (!(state.mid > 0)) return;
    const usd = Math.abs(state.inventory.size * state.mid);
    if (usd > state.maxAbsPositionUsd) state.maxAbsPositionUsd = usd;
  }

  #saveCoinState(state: CoinState): void {
    this.#journal.transaction(() => {
      this.#journal.setState(`inventory:${state.coin}`, state.inventory.toJSON());
      this.#journal.setState(`pnl:${state.coin}`, { spreadUsd: state.spreadUsd });
    });
    this.#stateDirty = true;
  }

  #saveState(): void {
    this.#lastStateSave = this.#clock.now();
    this.#stateDirty = false;
    this.#journal.transaction(() => {
      for (const state of this.#coins.values()) {
        this.#journal.setState(`inventory:${state.coin}`, state.inventory.toJSON());
        this.#journal.setState(`pnl:${state.coin}`, { spreadUsd: state.spreadUsd });
      }
      this.#journal.setState("risk", this.risk.snapshot());
    });
  }

  #totalPnl(): RunSummary["pnl"] {
    let total = 0;
    let spread = 0;
    let fees = 0;
    let funding = 0;
    for (const state of this.#coins.values()) {
      const mark = state.mid > 0 ? state.mid : Math.max(state.inventory.entryPrice, 0);
      total +=
        mark > 0
          ? state.inventory.totalPnlUsd(mark)
          : state.inventory.realizedPnlUsd - state.inventory.netFeesUsd + state.inventory.fundingPnlUsd;
      spread += state.spreadUsd;
      fees += state.inventory.netFeesUsd;
      funding += state.inventory.fundingPnlUsd;
    }
    return { total, spread, inventory: total - spread + fees - funding, fees, funding };
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
    const positions: RunSummary["positions"] = {};
    const primedBars: RunSummary["primedBars"] = {};
    let maxAbsPositionUsd = 0;
    for (const state of this.#coins.values()) {
      primedBars[state.coin] = state.primedBars;
      positions[state.coin] = {
        size: state.inventory.size,
        notionalUsd: state.mid > 0 ? state.inventory.size * state.mid : 0,
        venueSize: state.venueSize,
      };
      maxAbsPositionUsd = Math.max(maxAbsPositionUsd, state.maxAbsPositionUsd);
    }
    const requests =
      this.#requests.place + this.#requests.modify + this.#requests.cancel + this.#requests.other;
    const endedAt = this.#clock.now();
    return {
      mode: this.#config.mode,
      coins: [...this.#coins.keys()],
      startedAt: this.#startedAt,
      endedAt,
      durationMs: endedAt - this.#startedAt,
      stopReason: this.#stopReason,
      quotingSince: this.#quotingSince,
      primedBars,
      orders: { ...this.#counts },
      fills: { ...this.#fillCounts },
      fillsAllRuns: this.#journal.fillCounts(),
      pnl: this.#totalPnl(),
      positions,
      maxAbsPositionUsd,
      openOrdersAtExit,
      requests,
      requestsByKind: { ...this.#requests },
      errors: this.#errors,
      restarts: this.#restarts,
      bookUpdates: this.#bookUpdates,
      orphansCancelled: this.#orphansCancelled,
      positionMismatches: this.#positionMismatches,
      killSwitch: this.#killed,
    };
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
    const parts: string[] = [];
    for (const state of this.#coins.values()) {
      const bid = state.manager.bids[0];
      const ask = state.manager.asks[0];
      const quote = (slot: WorkingOrder | undefined) =>
        slot && slot.state !== "idle" ? String(Number(slot.price.toPrecision(10))) : "-";
      const warmupBars = this.#config.strategy.volatilityWarmupBars;
      const quotes =
        state.maker.barsSeen < warmupBars
          ? `warming up ${state.maker.barsSeen}/${warmupBars} bars`
          : `q ${quote(bid)}/${quote(ask)}`;
      parts.push(
        `${state.coin} mid ${state.mid > 0 ? state.mid.toPrecision(6) : "?"} pos ${round(state.inventory.size, 6)} ` +
          `${quotes} ${state.lastAction}`,
      );
    }
    const pnl = this.#totalPnl();
    const elapsedMinutes = (this.#clock.now() - this.#startedAt) / 60_000;
    return (
      `t+${elapsedMinutes.toFixed(1)}m ${parts.join(" | ")} | pnl ${pnl.total.toFixed(2)} (spread ${pnl.spread.toFixed(2)} fees ${pnl.fees.toFixed(2)}) ` +
      `fills ${this.#fillCounts.buy}b/${this.#fillCounts.sell}s orders +${this.#counts.placed} ~${this.#counts.modified} ` +
      `x${this.#counts.cancelled} !${this.#counts.rejected} deferred ${this.#counts.deferred} err ${this.#errors}`
    );
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
    const metrics = this.#metrics;
    if (!metrics) return;
    const pnl = this.#totalPnl();
    metrics.pnl.set({ part: "total" }, pnl.total);
    metrics.pnl.set({ part: "spread" }, pnl.spread);
    metrics.pnl.set({ part: "inventory" }, pnl.inventory);
    metrics.pnl.set({ part: "fees" }, pnl.fees);
    metrics.pnl.set({ part: "funding" }, pnl.funding);
    for (const state of this.#coins.values()) {
      metrics.position.set({ coin: state.coin }, state.inventory.size);
      metrics.positionUsd.set({ coin: state.coin }, state.mid > 0 ? state.inventory.size * state.mid : 0);
      const elapsedHours = Math.max(1e-9, (this.#clock.now() - this.#startedAt) / 3_600_000);
      metrics.fillRate.set(
        { coin: state.coin },
        (state.inventory.buyCount + state.inventory.sellCount) / elapsedHours,
      );
    }
    const budget = this.risk.budget.status();
    metrics.budget.set({ budget: "address_remaining" }, budget.addressRemaining);
    metrics.budget.set({ budget: "ip_weight_remaining" }, budget.ipWeightRemaining);
    metrics.budget.set({ budget: "slow_down" }, budget.slowDown ? 1 : 0);
    metrics.budget.set({ budget: "sustainable_requests_per_second" }, budget.sustainableRatePerSecond);
    metrics.budget.set({ budget: "deferred_modifies" }, budget.deferredRequests);
    const decision = this.risk.evaluate();
    const active = new Set(decision.reasons.map((reason) => reason.rule));
    for (const state of this.#coins.values()) {
      for (const reason of this.risk.evaluate(state.coin).reasons) active.add(reason.rule);
    }
    for (const rule of BREAKER_RULES) metrics.breaker.set({ rule }, active.has(rule) ? 1 : 0);
    metrics.errors.set(this.#errors);
  }
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

function numericId(clientId: string | null | undefined): number {
  if (typeof clientId !== "string" || !/^\d{1,16}$/.test(clientId)) return 0;
  return Number(clientId);
}

function lotStep(instrument: Instrument): number {
  return instrument.sizeRule.type === "decimals"
    ? 10 ** -instrument.sizeRule.decimals
    : Number(instrument.sizeRule.stepSize);
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
