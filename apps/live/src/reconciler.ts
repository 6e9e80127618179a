import { type Fill, lotStepOf, type Order } from "@botmm/core";
import { type BotContext, type CoinState, errorText, numericId, recordError } from "./context.ts";
import type { OrderRouter } from "./order-router.ts";

/**
 * Reconciliation of the journal and the kernels with the venue: at start-up (this bot's stale orders
 * cancelled, positions read, fills missed while down recovered or booked as one adjustment) and periodically
 * (orders restored from the venue's view, orphans cancelled, position mismatches counted).
 *
 * @example
 * ```ts
 * const reconciler = new Reconciler(context, router, (fill) => bookFill(fill, true));
 * await reconciler.startup(fillsSince);
 * void reconciler.periodic("periodic");
 * ```
 */
export class Reconciler {
  readonly #context: BotContext;
  readonly #router: OrderRouter;
  readonly #bookRecoveredFill: (fill: Fill) => void;
  #running = false;

  constructor(context: BotContext, router: OrderRouter, bookRecoveredFill: (fill: Fill) => void) {
    this.#context = context;
    this.#router = router;
    this.#bookRecoveredFill = bookRecoveredFill;
  }

  /** A periodic reconciliation is under way. */
  get running(): boolean {
    return this.#running;
  }

  /** Open orders of this bot's coins on the venue, by client id (orders without one of ours are left out). */
  async venueOrders(): Promise<Map<string, Order>> {
    const context = this.#context;
    const open = await context.venue.openOrders();
    this.#router.spend("other", 1);
    const byId = new Map<string, Order>();
    for (const order of open) {
      if (!context.coins.has(order.coin) || order.clientId === null || numericId(order.clientId) === 0)
        continue;
      byId.set(order.clientId, order);
    }
    return byId;
  }

  /**
   * Start-up: cancels this bot's stale orders (fresh quotes follow once the book is known), closes the
   * journal's live orders, reads each position and recovers fills made after `fillsSince` while the bot was down.
   */
  async startup(fillsSince: number): Promise<void> {
    const context = this.#context;
    const now = context.clock.now();
    const journaled = context.journal.liveOrders();
    let venueOrders: Map<string, Order>;
    try {
      venueOrders = await this.venueOrders();
    } catch (error) {
      context.log.warn({ err: errorText(error) }, "could not read open orders at start-up");
      venueOrders = new Map();
    }
    const known = new Set(journaled.map((order) => order.clientId));
    const unknown = [...venueOrders.keys()].filter((id) => !known.has(id));
    context.log.info(
      { journalLive: journaled.length, venueOpen: venueOrders.size, notInJournal: unknown.length },
      "start-up reconciliation: cancelling this bot's stale orders",
    );
    if (context.venue.cancelAllOwnOrders) {
      try {
        await context.venue.cancelAllOwnOrders();
        this.#router.spend("other", 1);
      } catch (error) {
        context.log.warn({ err: errorText(error) }, "cancelAllOwnOrders failed; cancelling by client id");
      }
    }
    try {
      const remaining = await this.venueOrders();
      if (remaining.size > 0) {
        await context.venue.cancelOrders(
          [...remaining.values()].map((order) => ({ clientId: order.clientId!, coin: order.coin })),
        );
        context.counters.requests.cancel++;
      }
    } catch (error) {
      context.log.warn({ err: errorText(error) }, "could not cancel stale orders; reconciliation will retry");
      context.reconcileWanted = true;
    }
    for (const order of journaled) {
      context.journal.recordOrderEvent("closed", order.coin, order.clientId, now, {
        startup: true,
        wasOnVenue: venueOrders.has(order.clientId),
      });
    }
    for (const state of context.coins.values()) {
      try {
        const position = await context.venue.position(state.coin);
        state.venueSize = position.size;
        context.log.info(
          { coin: state.coin, venueSize: position.size, journalSize: state.kernel.positionSize },
          "position at start-up",
        );
        await this.#recoverMissedFills(state, position.size, fillsSince);
      } catch (error) {
        context.log.warn({ coin: state.coin, err: errorText(error) }, "could not read the position");
      }
    }
    context.journal.note(now, {
      event: "startup-reconciled",
      journalLive: journaled.length,
      venueOpen: venueOrders.size,
    });
  }

  /**
   * Fills that happened while the bot was down (after its last journaled fill) are not replayed by the
   * stream. Asks the venue for them when it can (`fillsSince`); otherwise the position difference is booked as
   * one synthetic adjustment fill at the first mid seen ({@link Reconciler.applyPositionGap}).
   */
  async #recoverMissedFills(state: CoinState, venueSize: number, fillsSince: number): Promise<void> {
    const context = this.#context;
    const lot = lotStepOf(state.instrument);
    if (Math.abs(venueSize - state.kernel.positionSize) <= lot / 2) return;
    if (context.venue.fillsSince) {
      try {
        const fills = await context.venue.fillsSince(fillsSince);
        this.#router.spend("other", 1);
        for (const fill of fills) if (fill.coin === state.coin) this.#bookRecoveredFill(fill);
      } catch (error) {
        context.log.warn(
          { coin: state.coin, err: errorText(error) },
          "could not read fills since the last journal time",
        );
      }
    }
    const gap = venueSize - state.kernel.positionSize;
    if (Math.abs(gap) > lot / 2) {
      state.positionGap = gap;
      context.log.warn(
        { coin: state.coin, venueSize, journalSize: state.kernel.positionSize },
        "position differs from the journal: fills were missed while the bot was down; booking an adjustment",
      );
    }
  }

  /** Books the position gap found at start-up as one adjustment fill at the coin's first mid. */
  applyPositionGap(state: CoinState): void {
    const context = this.#context;
    const gap = state.positionGap;
    state.positionGap = 0;
    const price = state.mid;
    const size = Math.abs(gap);
    this.#bookRecoveredFill({
      clientId: null,
      venueOrderId: null,
      tradeId: `adjustment:${context.journal.runId}:${state.coin}`,
      coin: state.coin,
      side: gap > 0 ? "buy" : "sell",
      price,
      size,
      fee: context.config.strategy.makerFee * price * size,
      liquidity: "maker",
      time: context.clock.now(),
    });
  }

  /**
   * Restores each kernel's working orders from the venue's open orders, cancels orphans, settles the
   * journal's order states and compares positions. A failure asks for another try.
   */
  async periodic(reason: string): Promise<void> {
    const context = this.#context;
    this.#running = true;
    try {
      const open = await this.venueOrders();
      const now = context.clock.now();
      for (const state of context.coins.values()) {
        const orders = state.kernel.orders;
        orders.restore((clientId) => {
          const order = open.get(String(clientId));
          return order ? { remainingSize: order.size - order.filledSize } : undefined;
        });
        const live = new Set(orders.liveClientIds().map(String));
        for (const order of open.values()) {
          if (order.coin !== state.coin || live.has(order.clientId!)) continue;
          // Closed a moment ago (the snapshot predates the fill or cancel): cancel to be sure, but it is no orphan.
          if (!this.#router.recentlyClosed(order.clientId!)) {
            context.log.warn(
              { coin: order.coin, clientId: order.clientId, reason },
              "orphan order on the venue: cancelling",
            );
            context.counters.orphansCancelled++;
          }
          this.#router.cancelOrphan(order.clientId!, order.coin);
        }
        state.bookDirty = true;
      }
      for (const order of context.journal.liveOrders()) {
        if (!open.has(order.clientId))
          context.journal.recordOrderEvent("closed", order.coin, order.clientId, now, { reconciled: reason });
        else if (order.status !== "open")
          context.journal.recordOrderEvent("ack", order.coin, order.clientId, now, { reconciled: reason });
      }
      for (const state of context.coins.values()) {
        const position = await context.venue.position(state.coin);
        state.venueSize = position.size;
        if (Math.abs(position.size - state.kernel.positionSize) > lotStepOf(state.instrument) / 2) {
          context.counters.positionMismatches++;
          context.log.warn(
            { coin: state.coin, venueSize: position.size, journalSize: state.kernel.positionSize },
            "position differs from the journal's (fills may still be arriving)",
          );
        }
      }
    } catch (error) {
      recordError(context);
      context.log.warn({ err: errorText(error), reason }, "reconciliation failed; will retry");
      context.reconcileWanted = true;
    } finally {
      this.#running = false;
    }
  }
}
