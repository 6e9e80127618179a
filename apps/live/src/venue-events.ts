import type { Fill, Order, VenueEvent } from "@botmm/core";
import { type BotContext, type CoinState, errorText, numericId, recordError } from "./context.ts";
import type { OrderRouter } from "./order-router.ts";

/**
 * What the venue's streams say, applied to the coins' kernels: book tops mark the position and build bars,
 * own fills are journaled first and then booked, funding is booked as the venue reports it, order updates
 * close working orders.
 *
 * @example
 * ```ts
 * const events = new VenueEvents(context, router, { onPositionGap, onBookedFill });
 * await venue.subscribe({ coins, book: "l2", trades: false, account: true }, (event) => events.onEvent(event));
 * ```
 */
export class VenueEvents {
  readonly #context: BotContext;
  readonly #router: OrderRouter;
  readonly #hooks: VenueEventHooks;
  /** Fills before this time that are not of a working order are history the journal's position holds. */
  fillsSince = 0;

  constructor(context: BotContext, router: OrderRouter, hooks: VenueEventHooks) {
    this.#context = context;
    this.#router = router;
    this.#hooks = hooks;
  }

  onEvent(event: VenueEvent): void {
    const context = this.#context;
    try {
      switch (event.type) {
        case "book": {
          const state = context.coins.get(event.book.coin);
          if (state) {
            const book = event.book;
            const bid = book.bids[0]?.price ?? Number.NaN;
            const ask = book.asks[0]?.price ?? Number.NaN;
            // The levels as they are: microprice and the top-N imbalance read their sizes.
            if (bid > 0 && ask > 0 && ask > bid) state.kernel.setBookLevels(book.bids, book.asks);
            this.#onTop(state, bid, ask);
          }
          return;
        }
        case "bookTop": {
          const top = event.top;
          const state = context.coins.get(top.coin);
          if (state) {
            const bid = top.bid?.price ?? Number.NaN;
            const ask = top.ask?.price ?? Number.NaN;
            if (bid > 0 && ask > 0 && ask > bid)
              state.kernel.setBook(bid, ask, top.bid?.size ?? Number.NaN, top.ask?.size ?? Number.NaN);
            this.#onTop(state, bid, ask);
          }
          return;
        }
        case "trades": {
          const now = context.clock.now();
          for (const trade of event.trades) {
            // Anyone's trade, aggressor side: the trade-flow imbalance and the online A, k fit.
            context.coins.get(trade.coin)?.kernel.onTrade(trade.side, trade.size, now, trade.price);
          }
          return;
        }
        case "fill":
          this.bookFill(event.fill);
          return;
        case "funding": {
          const state = context.coins.get(event.funding.coin);
          if (!state || !context.journal.recordFunding(event.funding)) return;
          // The venue's payment, as reported (its own rate and mark); its rate steers the funding skew.
          state.kernel.ledger.inventory.recordFundingPayment(event.funding.paymentUsd);
          state.kernel.setFundingRate(event.funding.rate);
          this.#hooks.onStateChanged(state);
          context.log.info({ ...event.funding }, "funding");
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
          context.log.warn({ state: event.state, reason: event.reason }, "venue connection");
          if (event.state !== "disconnected") context.reconcileWanted = true;
          return;
        case "error":
          recordError(context);
          context.log.error({ err: errorText(event.error) }, "venue error");
          return;
        default:
          return;
      }
    } catch (error) {
      context.counters.errors++;
      context.log.error({ err: errorText(error), event: event.type }, "failed to handle a venue event");
    }
  }

  #onTop(state: CoinState, bid: number, ask: number): void {
    const context = this.#context;
    const now = context.clock.now();
    if (!(bid > 0 && ask > 0 && ask > bid)) return;
    const kernel = state.kernel;
    state.bid = bid;
    state.ask = ask;
    state.mid = (bid + ask) / 2;
    // The caller set the book with its sizes; `markAt` adds the mark-outs in time, the seconds toxicity guard
    // and the online σ to the mark.
    kernel.markAt(state.mid, now);
    state.bookDirty = true;
    context.counters.bookUpdates++;
    if (state.positionGap !== 0) this.#hooks.onPositionGap(state);
    context.risk.recordMarketData(state.coin);
    context.metrics?.bookUpdates.inc();
    const close = state.bars.onMid(state.mid, now);
    if (!(close > 0)) return;
    kernel.onBarClose(close);
    context.journal.recordBar(
      state.coin,
      state.bars.lastClosed,
      kernel.positionSize,
      kernel.riskMode === "halt",
    );
    this.#updateRiskVolatility(state);
    const warmupBars = context.config.strategy.volatilityWarmupBars;
    if (kernel.maker.barsSeen === warmupBars)
      context.log.info({ coin: state.coin, bars: kernel.maker.barsSeen }, "warm-up done: quoting");
  }

  #updateRiskVolatility(state: CoinState): void {
    const context = this.#context;
    if (state.kernel.maker.barsSeen < context.config.strategy.volatilityWarmupBars) return;
    // The estimate of the last quote computed (one requote behind the bar, as before priming existed).
    const volatilityBps = state.kernel.decision.volatilityBps;
    if (volatilityBps > 0) {
      const barsPerHour = 3_600_000 / context.config.barIntervalMs;
      context.risk.updateVolatility(state.coin, (volatilityBps / 10_000) * Math.sqrt(barsPerHour));
    }
  }

  /**
   * An own fill: journaled first (a duplicate stops here), then booked by the coin's kernel with the venue's
   * fee, its reference mid written back to the journal. `recovered`: asked for at start-up, so booked even
   * when older than the journal.
   */
  bookFill(fill: Fill, recovered = false): void {
    const context = this.#context;
    const state = context.coins.get(fill.coin);
    if (!state) return;
    const kernel = state.kernel;
    const id = numericId(fill.clientId);
    // History from before this journal is already in the position; recovered fills were asked for.
    if (!recovered && fill.time < this.fillsSince && !(id > 0 && kernel.orders.find(id) !== undefined))
      return;
    if (!context.journal.recordFill(fill)) return; // already journaled (snapshot replay, reconnect)
    const exitReferenceMid = state.exitReferenceMids.get(id);
    // A fill of an order the manager does not work (an order of an earlier run, a replaced one) closes it.
    const slot = id > 0 ? kernel.orders.find(id) : undefined;
    const closesOrder = id > 0 && (slot === undefined || slot.clientId !== id);
    kernel.bookFill(
      exitReferenceMid === undefined ? id : 0,
      fill.side,
      fill.price,
      fill.size,
      fill.liquidity,
      fill.time,
      exitReferenceMid ?? Number.NaN,
      fill.fee,
    );
    context.journal.setFillReferenceMid(fill.tradeId, kernel.lastFillReferenceMid);
    context.counters.fills[fill.side]++;
    context.metrics?.fills.inc({ coin: fill.coin, side: fill.side });
    if (closesOrder) {
      this.#router.noteClosed(String(id));
      context.journal.recordOrderEvent("closed", fill.coin, String(id), context.clock.now(), {
        filled: true,
      });
    }
    const mark = state.mid > 0 ? state.mid : fill.price;
    context.risk.updatePosition(fill.coin, kernel.positionSize, mark);
    if (!context.venueFeedsBudget) context.risk.budget.recordTradedUsd(fill.price * fill.size);
    this.#hooks.onStateChanged(state);
    state.bookDirty = true;
    context.log.info(
      {
        coin: fill.coin,
        side: fill.side,
        price: fill.price,
        size: fill.size,
        fee: fill.fee,
        position: kernel.positionSize,
        clientId: fill.clientId,
      },
      "fill",
    );
  }

  #onOrderUpdate(coin: string, clientId: string | null, status: Order["status"], reason?: string): void {
    const context = this.#context;
    const state = context.coins.get(coin);
    const id = numericId(clientId);
    if (!state || id === 0) return;
    if (status === "cancelled" || status === "rejected") {
      this.#router.noteClosed(String(id));
      if (state.kernel.orders.onClosed(id)) {
        context.journal.recordOrderEvent("closed", coin, String(id), context.clock.now(), { status, reason });
        if (reason === "scheduledCancel")
          context.log.warn({ coin, clientId }, "order cancelled by the dead-man's switch");
        state.bookDirty = true;
      }
    } else if (status === "filled") {
      context.journal.recordOrderEvent("closed", coin, String(id), context.clock.now(), { status });
    }
  }
}

/** What {@link VenueEvents} asks of the bot. */
export interface VenueEventHooks {
  /** The coin's first mid arrived with a position gap to book (see `Reconciler.applyPositionGap`). */
  onPositionGap(state: CoinState): void;
  /** The coin's position ledger changed: save it to the journal. */
  onStateChanged(state: CoinState): void;
}
