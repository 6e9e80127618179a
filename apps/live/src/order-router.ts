import type { CancelRequest, ModifyRequest, OrderRequest, OrderResult } from "@botmm/core";
import { hyperliquidExchangeWeight, type RiskEngine } from "@botmm/risk";
import type { OrderActionSink, WorkingOrder } from "@botmm/strategy";
import { type BotContext, type CoinState, errorText, recordError } from "./context.ts";

/** A taker exit is retried at most this often (bot clock) while the kernel still asks for one. */
const EXIT_RETRY_MS = 5_000;

/** Client ids remembered as closed lately (a venue snapshot older than the close may still list them). */
const RECENTLY_CLOSED_KEPT = 512;

/** Taker exits whose reference mid is kept per coin (their fills arrive within seconds). */
const EXIT_REFERENCES_KEPT = 64;

type Kind = "place" | "modify" | "cancel";

interface PendingModify {
  request: ModifyRequest;
  slotId: number;
  previousId: number;
}

/**
 * Collects one coin's kernel actions for the current tick, after the risk engine's order check.
 * Refused actions are undone once `decide` returns (the order manager's slots must not change mid-loop).
 */
export class CoinSink implements OrderActionSink {
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
 * Order routing and in-flight control: turns each coin's kernel decision into queued requests, sends every
 * coin's actions as one place, one batchModify and one cancel request per tick (never more than one in flight
 * per kind), sends the kernel's taker exits, and applies the venue's answers to the kernels and the journal.
 *
 * @example
 * ```ts
 * const router = new OrderRouter(context);
 * router.requote(state, now); // the kernel decides; actions are queued
 * router.flush(); // queued actions go out
 * ```
 */
export class OrderRouter {
  readonly #context: BotContext;
  readonly #inFlight: Record<Kind, boolean> = { place: false, modify: false, cancel: false };
  readonly #queues: { place: OrderRequest[]; modify: PendingModify[]; cancel: CancelRequest[] } = {
    place: [],
    modify: [],
    cancel: [],
  };
  readonly #orphanCancels: CancelRequest[] = [];
  readonly #recentlyClosed = new Set<string>();

  constructor(context: BotContext) {
    this.#context = context;
  }

  /**
   * Counts one request of `kind` carrying `n` actions: the run's counters and metrics, and the risk engine's
   * request budget unless the venue records it there itself.
   */
  spend(kind: Kind | "other", n: number): void {
    const context = this.#context;
    if (!context.venueFeedsBudget && kind !== "other")
      context.risk.budget.record(n, hyperliquidExchangeWeight(n));
    context.counters.requests[kind]++;
    if (kind !== "other") context.metrics?.requests.inc({ kind });
  }

  /** Whether a client id was closed lately (its order may still show in an older venue snapshot). */
  recentlyClosed(clientId: string): boolean {
    return this.#recentlyClosed.has(clientId);
  }

  noteClosed(clientId: string): void {
    this.#recentlyClosed.add(clientId);
    if (this.#recentlyClosed.size > RECENTLY_CLOSED_KEPT) {
      const oldest = this.#recentlyClosed.values().next().value;
      if (oldest !== undefined) this.#recentlyClosed.delete(oldest);
    }
  }

  /** Queues a cancel of an order the bot no longer tracks (sent with the next flush). */
  cancelOrphan(clientId: string, coin: string): void {
    this.#orphanCancels.push({ clientId, coin });
  }

  queuesEmpty(): boolean {
    return (
      this.#queues.place.length === 0 &&
      this.#queues.modify.length === 0 &&
      this.#queues.cancel.length === 0 &&
      this.#orphanCancels.length === 0
    );
  }

  anyInFlight(): boolean {
    return this.#inFlight.place || this.#inFlight.modify || this.#inFlight.cancel;
  }

  /**
   * The kernel decides the coin's quotes under its effective risk mode; the resulting actions are queued. The
   * kernel's taker exit (beyond the hard limit, or a halt with onHalt "flatten") is sent first, unless the
   * book is stale (`bookFresh` false: no price to trade from) or the kill switch is engaged (it only cancels).
   */
  requote(state: CoinState, now: number, bookFresh = true): void {
    const context = this.#context;
    state.bookDirty = false;
    state.lastQuoteAt = now;
    if (!(state.mid > 0)) return;
    const kernel = state.kernel;
    const exitSize = kernel.exitSize();
    if (
      exitSize !== 0 &&
      bookFresh &&
      !context.risk.killSwitchEngaged &&
      !state.exitInFlight &&
      now - state.lastExitAt >= EXIT_RETRY_MS
    ) {
      void this.#sendExit(state, exitSize, now);
    }
    // Chasing modifies wait for the request budget's pacing; protective ones always go.
    const sink = state.sink;
    const counts = kernel.decide(now, sink, context.risk.budget);
    const counters = context.counters;
    if (kernel.decision.status === "quoting" && counters.quotingSince === null) {
      counters.quotingSince = now;
      context.log.info({ afterMs: now - counters.startedAt }, "first quote");
    }
    counters.orders.deferred += counts.deferred;
    counters.orders.placed += counts.placed - sink.refused.filter((r) => r.previousId === 0).length;
    counters.orders.modified += counts.modified - sink.refused.filter((r) => r.previousId !== 0).length;
    counters.orders.cancelled += counts.cancelled;
    for (const refused of sink.refused) {
      context.log.warn(
        {
          coin: state.coin,
          clientId: refused.clientId,
          previousId: refused.previousId,
          reason: refused.reason,
        },
        "risk refused an order",
      );
      kernel.orders.onClosed(refused.clientId);
      if (refused.previousId !== 0) this.cancelOrphan(String(refused.previousId), state.coin);
    }
    sink.refused.length = 0;
    this.#queues.place.push(...sink.places);
    this.#queues.modify.push(...sink.modifies);
    this.#queues.cancel.push(...sink.cancels);
    sink.places.length = 0;
    sink.modifies.length = 0;
    sink.cancels.length = 0;
    if (counts.placed + counts.modified + counts.cancelled > 0) {
      context.metrics?.quotes.set({ coin: state.coin, side: "bid" }, kernel.quotes.bidPrices[0] ?? 0);
      context.metrics?.quotes.set({ coin: state.coin, side: "ask" }, kernel.quotes.askPrices[0] ?? 0);
    }
  }

  /** Sends queued actions: at most one request per kind in flight, each one batch. */
  flush(): void {
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

  /**
   * Sends the kernel's exit as one IOC reduce-only order, priced `exitSlippageBps` through the best opposite
   * price (the adapter rounds it and the size exactly). Journaled like every order; its fill comes back on the
   * stream like any other and is booked against the mid it was priced from.
   */
  async #sendExit(state: CoinState, exitSize: number, now: number): Promise<void> {
    const context = this.#context;
    const side = exitSize > 0 ? "buy" : "sell";
    const reference = side === "buy" ? state.ask : state.bid;
    if (!(reference > 0)) return;
    state.exitInFlight = true;
    state.lastExitAt = now;
    const slippage = context.config.exitSlippageBps / 10_000;
    const clientId = state.kernel.orders.reserveClientId();
    state.exitReferenceMids.set(clientId, state.mid);
    if (state.exitReferenceMids.size > EXIT_REFERENCES_KEPT) {
      const oldest = state.exitReferenceMids.keys().next().value;
      if (oldest !== undefined) state.exitReferenceMids.delete(oldest);
    }
    const order: OrderRequest = {
      clientId: String(clientId),
      coin: state.coin,
      side,
      price: side === "buy" ? reference * (1 + slippage) : reference * (1 - slippage),
      size: Math.abs(exitSize),
      timeInForce: "ioc",
      reduceOnly: true,
    };
    const halted = state.kernel.riskMode === "halt";
    context.log.warn(
      {
        coin: state.coin,
        side,
        size: order.size,
        price: order.price,
        position: state.kernel.positionSize,
        halted,
      },
      halted && context.config.strategy.onHalt === "flatten"
        ? "halted: flattening the position with a taker order"
        : "hard limit: cutting the position back to the soft limit with a taker order",
    );
    context.journal.recordIntent("place", order, now);
    this.spend("place", 1);
    try {
      const [result] = await context.venue.placeOrders([order]);
      const status = result?.status ?? "unknown";
      context.journal.recordOrderEvent(
        status === "rejected" ? "reject" : "closed",
        order.coin,
        order.clientId,
        context.clock.now(),
        { exit: true, status, reason: result?.reason },
      );
      if (status === "unknown") context.reconcileWanted = true;
    } catch (error) {
      context.counters.errors++;
      context.log.error({ coin: state.coin, err: errorText(error) }, "taker exit failed");
    } finally {
      state.exitInFlight = false;
    }
  }

  /**
   * Sends one batch request of a kind: counts it, times it, clears the kind's in-flight flag, and turns a
   * thrown error into an `unknown` answer for every item (never a guess).
   */
  async #request<I, R>(
    kind: Kind,
    batch: readonly I[],
    send: () => Promise<R[]>,
    unknown: (item: I, reason: string) => R,
  ): Promise<R[]> {
    this.spend(kind, batch.length);
    const started = performance.now();
    try {
      return await send();
    } catch (error) {
      const reason = errorText(error);
      return batch.map((item) => unknown(item, reason));
    } finally {
      this.#context.metrics?.latency.observe({ kind }, (performance.now() - started) / 1000);
      this.#inFlight[kind] = false;
    }
  }

  async #sendPlaces(batch: OrderRequest[]): Promise<void> {
    const context = this.#context;
    this.#inFlight.place = true;
    const now = context.clock.now();
    for (const order of batch) context.journal.recordIntent("place", order, now);
    const results = await this.#request(
      "place",
      batch,
      () => context.venue.placeOrders(batch),
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
    const context = this.#context;
    this.#inFlight.modify = true;
    const now = context.clock.now();
    for (const item of batch) {
      context.journal.recordIntent(
        "modify",
        { ...item.request, clientId: item.request.newClientId!, replaces: item.request.clientId },
        now,
      );
    }
    const results = await this.#request(
      "modify",
      batch,
      () => context.venue.modifyOrders(batch.map((item) => item.request)),
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
    const context = this.#context;
    const now = context.clock.now();
    let lost = false;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      const result = results[i] ?? {
        clientId: String(item.id),
        status: "unknown" as const,
        venueOrderId: null,
      };
      const state = context.coins.get(item.coin);
      if (!state) continue;
      const orders = state.kernel.orders;
      const id = String(item.id);
      switch (result.status) {
        case "open":
        case "filled":
          if (orders.onAccepted(item.id)) {
            context.journal.recordOrderEvent("ack", item.coin, id, now, {
              venueOrderId: result.venueOrderId,
            });
          } else if (!this.#recentlyClosed.has(id) && result.status === "open") {
            // Resting, but its slot moved on meanwhile: cancel it rather than leave an orphan.
            this.cancelOrphan(id, item.coin);
          }
          if (item.previousId !== 0)
            context.journal.recordOrderEvent("closed", item.coin, String(item.previousId), now, {
              replacedBy: id,
            });
          break;
        case "rejected": {
          context.counters.orders.rejected++;
          // Routine: a post-only order that would cross, or a modify of an order that has just filled.
          const routine = result.rejection === "post-only" || result.rejection === "order-gone";
          if (!routine) recordError(context);
          context.log[routine ? "debug" : "warn"](
            { coin: item.coin, clientId: id, kind, rejection: result.rejection, reason: result.reason },
            "order rejected",
          );
          context.metrics?.rejections.inc({ coin: item.coin });
          orders.onClosed(item.id);
          context.journal.recordOrderEvent("reject", item.coin, id, now, {
            rejection: result.rejection,
            reason: result.reason,
          });
          // A refused modify may leave the old order resting: cancel it (a no-op when it is gone).
          if (item.previousId !== 0) this.cancelOrphan(String(item.previousId), item.coin);
          break;
        }
        default:
          recordError(context);
          context.log.warn(
            { coin: item.coin, clientId: id, kind, reason: result.reason },
            "order outcome unknown; reconciling",
          );
          orders.onUnknown(item.id);
          context.journal.recordOrderEvent("unknown", item.coin, id, now, { reason: result.reason });
          lost = true;
      }
      state.bookDirty = true;
    }
    if (lost) context.reconcileWanted = true;
    context.stateDirty = true;
  }

  async #sendCancels(batch: CancelRequest[]): Promise<void> {
    const context = this.#context;
    this.#inFlight.cancel = true;
    const now = context.clock.now();
    for (const cancel of batch) {
      context.journal.recordIntent("cancel", { ...cancel, side: "buy", price: 0, size: 0 }, now);
    }
    const results = await this.#request(
      "cancel",
      batch,
      () => context.venue.cancelOrders(batch),
      (cancel, reason) => ({
        clientId: cancel.clientId,
        status: "unknown" as const,
        reason,
      }),
    );
    const done = context.clock.now();
    let lost = false;
    for (let i = 0; i < batch.length; i++) {
      const cancel = batch[i]!;
      const result = results[i] ?? { clientId: cancel.clientId, status: "unknown" as const };
      const state = context.coins.get(cancel.coin);
      const id = Number(cancel.clientId);
      if (result.status === "unknown") {
        recordError(context);
        state?.kernel.orders.onUnknown(id);
        context.journal.recordOrderEvent("unknown", cancel.coin, cancel.clientId, done, {
          reason: result.reason,
        });
        lost = true;
        continue;
      }
      // Cancelled, or refused because the order is already gone (filled or cancelled): either way it is closed.
      this.noteClosed(cancel.clientId);
      state?.kernel.orders.onClosed(id);
      context.journal.recordOrderEvent("closed", cancel.coin, cancel.clientId, done, {
        cancel: result.status,
        reason: result.reason,
      });
      if (state) state.bookDirty = true;
    }
    if (lost) context.reconcileWanted = true;
  }
}
