import type { Side } from "@botmm/core";
import type { StrategyConfig } from "./config.ts";
import type { QuoteSet } from "./quote-set.ts";

/**
 * Where a quote slot stands. `placing`, `modifying` and `cancelling` wait for the venue's answer; `unknown`
 * means a request's outcome was lost (timeout, dropped connection) and must be reconciled against the
 * venue's open orders before the slot is used again.
 */
export type SlotState = "idle" | "placing" | "open" | "modifying" | "cancelling" | "unknown";

/**
 * One quote slot (a side and a level) and the order working in it. The manager reuses these objects; a sink
 * must copy what it needs before returning.
 */
export interface WorkingOrder {
  readonly side: Side;
  readonly level: number;
  /** The client id of the order now working (or being placed) in this slot. */
  clientId: number;
  /** During a modify: the id of the order being replaced, whose fills may still arrive. 0 otherwise. */
  replacedClientId: number;
  price: number;
  size: number;
  filledSize: number;
  state: SlotState;
  /** Clock time (ms) the last request for this slot was sent. */
  sentAt: number;
  /** The mid the working order was priced from (its quote set's `referenceMid`). */
  referenceMid: number;
  /** During a modify: the mid the replaced order was priced from. */
  replacedReferenceMid: number;
}

/** Receives the actions the manager decides on. The backtest simulates them; the live bot batches them. */
/**
 * A slot's working order. A class rather than an object literal: literals with the same keys share one hidden
 * class across the process, so one made elsewhere with integer fields would make these fields boxed again. The
 * number fields that change start at −0 and are set to 0 at once: a field whose first value is a small integer
 * holds every later number as a new heap object (two or three at each modify), one whose first value is a
 * double is updated in place.
 */
class Slot implements WorkingOrder {
  readonly side: Side;
  readonly level: number;
  clientId = 0;
  replacedClientId = 0;
  price = -0;
  size = -0;
  filledSize = -0;
  state: SlotState = "idle";
  sentAt = -0;
  referenceMid = Number.NaN;
  replacedReferenceMid = Number.NaN;

  constructor(side: Side, level: number) {
    this.side = side;
    this.level = level;
    this.price = 0;
    this.size = 0;
    this.filledSize = 0;
    this.sentAt = 0;
  }
}

export interface OrderActionSink {
  place(order: WorkingOrder): void;
  /** Replace the order `previousClientId` by `order` (new id, price and size). */
  modify(order: WorkingOrder, previousClientId: number): void;
  cancel(order: WorkingOrder): void;
}

/**
 * Holds back discretionary modifies — those that only move a quote towards the market or enlarge it — when
 * the venue's request budget cannot sustain them. `RequestBudget` of `@botmm/risk` is one.
 */
export interface ModifyPacer {
  /** Whether `requests` discretionary requests may be sent now (and, if so, takes them from the allowance). */
  allowDiscretionary(requests: number): boolean;
}

/** How eagerly working orders follow the wanted quotes. */
export interface OrderManagerOptions {
  levels: number;
  /** A working order is moved only when its price is more than this far from the wanted price. */
  refreshToleranceBps: number;
  /** … or when its remaining size differs from the wanted size by more than this fraction of the wanted size. */
  sizeTolerance: number;
  /** The first client id to hand out (ids only grow, so a restarted bot continues past its journal's last). */
  firstClientId?: number;
}

/** What one {@link OrderManager.reconcile} call did. */
export interface ReconcileCounts {
  placed: number;
  modified: number;
  cancelled: number;
  /** Discretionary modifies the pacer held back (the order keeps resting where it is). */
  deferred: number;
}

const SIZE_EPSILON = 1e-12;

/**
 * Turns "the quotes I want" into place / modify / cancel actions against working orders, and tracks those
 * orders through acknowledgements, fills and cancellations by client id. The backtester and the live bot use
 * this same class; only the sink differs.
 *
 * Rules: a slot with a request in flight is left alone until the venue answers (no stacked requests); an
 * order inside the refresh tolerance is kept (saving the venue's request budget); an order that must move is
 * modified, not cancelled and re-placed. With a {@link ModifyPacer}, a modify that would only chase the market
 * (a bid up, an ask down, or a larger size) waits for the pacer; one that moves a quote away from the market
 * or shrinks it — protection against adverse selection — is never held back.
 *
 * @example
 * ```ts
 * const manager = new OrderManager({ levels: 1, refreshToleranceBps: 1, sizeTolerance: 0.25 });
 * const quotes = createQuoteSet(1);
 * quotes.bidPrices[0] = 99.9; quotes.bidSizes[0] = 1;
 * manager.reconcile(quotes, 0, {
 *   place: (order) => console.log("place", order.side, order.price, order.size),
 *   modify: () => {},
 *   cancel: () => {},
 * }); // place buy 99.9 1
 * ```
 */
export class OrderManager {
  readonly bids: readonly WorkingOrder[];
  readonly asks: readonly WorkingOrder[];
  readonly #slots: WorkingOrder[];
  readonly #toleranceFraction: number;
  readonly #sizeTolerance: number;
  #nextClientId: number;

  constructor(options: OrderManagerOptions) {
    const { levels, refreshToleranceBps, sizeTolerance } = options;
    if (!Number.isInteger(levels) || levels < 1)
      throw new RangeError(`levels must be an integer ≥ 1, got ${levels}`);
    if (!(refreshToleranceBps >= 0)) {
      throw new RangeError(`refreshToleranceBps must be a number ≥ 0, got ${refreshToleranceBps}`);
    }
    if (!(sizeTolerance >= 0))
      throw new RangeError(`sizeTolerance must be a number ≥ 0, got ${sizeTolerance}`);
    const firstClientId = options.firstClientId ?? 1;
    if (!Number.isSafeInteger(firstClientId) || firstClientId < 1) {
      throw new RangeError(`firstClientId must be a safe integer ≥ 1, got ${firstClientId}`);
    }
    this.bids = Array.from({ length: levels }, (_, level): WorkingOrder => new Slot("buy", level));
    this.asks = Array.from({ length: levels }, (_, level): WorkingOrder => new Slot("sell", level));
    this.#slots = [...this.bids, ...this.asks];
    this.#toleranceFraction = refreshToleranceBps / 10_000;
    this.#sizeTolerance = sizeTolerance;
    this.#nextClientId = firstClientId;
  }

  /**
   * An order manager with a strategy's levels and refresh / size tolerances: what the candle engine, the
   * replay and the live bot each build per coin.
   *
   * @example
   * ```ts
   * const manager = OrderManager.forStrategy(parseStrategyConfig(), { firstClientId: 1_000 });
   * ```
   */
  static forStrategy(
    config: Pick<StrategyConfig, "levels" | "refreshToleranceBps" | "sizeTolerance">,
    options: { firstClientId?: number } = {},
  ): OrderManager {
    return new OrderManager({
      levels: config.levels,
      refreshToleranceBps: config.refreshToleranceBps,
      sizeTolerance: config.sizeTolerance,
      ...options,
    });
  }

  /**
   * Hands out the next client id for an order outside the quote slots (a taker exit), from the same sequence,
   * so ids stay unique and a restarted bot that continues past its journal's last id cannot reuse it.
   *
   * @example
   * ```ts
   * const exitId = manager.reserveClientId(); // e.g. 42; the next quote gets 43
   * ```
   */
  reserveClientId(): number {
    return this.#nextClientId++;
  }

  /** The next client id this manager will hand out. */
  get nextClientId(): number {
    return this.#nextClientId;
  }

  /**
   * Compares the wanted quotes with the working orders and tells `sink` what to do. Returns counts of the
   * actions taken (the object is reused between calls). `pacer`, when given, decides on discretionary
   * modifies (see {@link ModifyPacer}).
   */
  reconcile(wanted: QuoteSet, now: number, sink: OrderActionSink, pacer?: ModifyPacer): ReconcileCounts {
    const counts = this.#counts;
    counts.placed = 0;
    counts.modified = 0;
    counts.cancelled = 0;
    counts.deferred = 0;
    this.#pacer = pacer;
    this.#referenceMid = wanted.referenceMid;
    this.#now = now;
    this.#sink = sink;
    this.#wantedLevels = Math.min(wanted.levels, this.bids.length);
    for (let level = 0; level < this.bids.length; level++) {
      this.#reconcileSlot(this.bids[level]!, wanted.bidPrices, wanted.bidSizes, level);
      this.#reconcileSlot(this.asks[level]!, wanted.askPrices, wanted.askSizes, level);
    }
    this.#sink = undefined;
    return counts;
  }

  readonly #counts: ReconcileCounts = { placed: 0, modified: 0, cancelled: 0, deferred: 0 };
  // The reconcile in progress. Its slots read the wanted price and size from the quote set's arrays and the time
  // from here: a number passed to a call that is not inlined is boxed on the heap, a few times a decision.
  #pacer: ModifyPacer | undefined = undefined;
  #referenceMid = Number.NaN;
  #now = Number.NaN;
  #sink: OrderActionSink | undefined = undefined;
  #wantedLevels = 0;

  /** Reconciles one slot with the wanted `prices[level]` and `sizes[level]` (none beyond the wanted levels). */
  #reconcileSlot(slot: WorkingOrder, prices: Float64Array, sizes: Float64Array, level: number): void {
    const inRange = level < this.#wantedLevels;
    const price = inRange ? prices[level]! : 0;
    const size = inRange ? sizes[level]! : 0;
    const now = this.#now;
    const sink = this.#sink!;
    if (slot.state === "idle") {
      if (size <= 0) return;
      slot.clientId = this.#nextClientId++;
      slot.replacedClientId = 0;
      slot.price = price;
      slot.size = size;
      slot.filledSize = 0;
      slot.state = "placing";
      slot.sentAt = now;
      slot.referenceMid = this.#referenceMid;
      slot.replacedReferenceMid = Number.NaN;
      this.#counts.placed++;
      sink.place(slot);
      return;
    }
    if (slot.state !== "open") return;
    if (size <= 0) {
      slot.state = "cancelling";
      slot.sentAt = now;
      this.#counts.cancelled++;
      sink.cancel(slot);
      return;
    }
    if (this.keeps(slot, price, size)) return;
    if (this.#pacer !== undefined) {
      const remaining = slot.size - slot.filledSize;
      const towardsMarket = slot.side === "buy" ? price >= slot.price : price <= slot.price;
      const discretionary = towardsMarket && size >= remaining;
      if (discretionary && !this.#pacer.allowDiscretionary(1)) {
        this.#counts.deferred++;
        return;
      }
    }
    const previousClientId = slot.clientId;
    slot.clientId = this.#nextClientId++;
    slot.replacedClientId = previousClientId;
    slot.replacedReferenceMid = slot.referenceMid;
    slot.referenceMid = this.#referenceMid;
    slot.price = price;
    slot.size = size;
    slot.filledSize = 0;
    slot.state = "modifying";
    slot.sentAt = now;
    this.#counts.modified++;
    sink.modify(slot, previousClientId);
  }

  /**
   * The slot whose current or replaced order has this client id, or undefined.
   *
   * @example
   * ```ts
   * manager.find(7)?.state; // "open"
   * ```
   */
  find(clientId: number): WorkingOrder | undefined {
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (slot.state !== "idle" && (slot.clientId === clientId || slot.replacedClientId === clientId))
        return slot;
    }
    return undefined;
  }

  /**
   * The mid the order `clientId` (working, or replaced by a modify in flight) was priced from; NaN for an id
   * the manager does not know (an order of an earlier run, a taker exit).
   *
   * @example
   * ```ts
   * manager.referenceMidOf(7); // e.g. 60_000: the mid order 7's quotes were decided from
   * ```
   */
  referenceMidOf(clientId: number): number {
    const slot = this.find(clientId);
    if (slot === undefined) return Number.NaN;
    return slot.clientId === clientId ? slot.referenceMid : slot.replacedReferenceMid;
  }

  /**
   * The venue accepted a place or modify: the order rests. Returns false for an id it does not know.
   *
   * @example
   * ```ts
   * manager.onAccepted(7); // true: slot of order 7 is now "open"
   * ```
   */
  onAccepted(clientId: number): boolean {
    const slot = this.find(clientId);
    if (slot === undefined || slot.clientId !== clientId) return false;
    if (slot.state === "placing" || slot.state === "modifying" || slot.state === "unknown") {
      slot.state = "open";
      slot.replacedClientId = 0;
    }
    return true;
  }

  /**
   * The venue refused a place or modify, or reports the order gone (cancelled, expired, dead-man's switch).
   * The slot is free again. A refused modify leaves the replaced order's fate to the venue's own report;
   * venues that keep it resting must report it through {@link OrderManager.restore}.
   *
   * @example
   * ```ts
   * manager.onClosed(7); // order 7 was cancelled or refused: its slot is free
   * ```
   */
  onClosed(clientId: number): boolean {
    const slot = this.find(clientId);
    if (slot === undefined) return false;
    if (slot.clientId === clientId) {
      this.#free(slot);
    } else {
      // The replaced order of a modify is gone; the replacement's answer is still to come.
      slot.replacedClientId = 0;
    }
    return true;
  }

  /**
   * A fill of `size` on the order `clientId`. Returns the slot (or undefined for an unknown id, e.g. an order
   * of an earlier run). A fill of the replaced order of a modify in flight is accepted and does not touch the
   * replacement.
   *
   * @example
   * ```ts
   * manager.onFill(7, 0.5)?.filledSize; // 0.5 of order 7 filled; the slot frees itself when fully filled
   * ```
   */
  onFill(clientId: number, size: number): WorkingOrder | undefined {
    const slot = this.find(clientId);
    if (slot === undefined) return undefined;
    if (slot.clientId !== clientId) return slot;
    slot.filledSize += size;
    if (slot.filledSize >= slot.size - SIZE_EPSILON) this.#free(slot);
    return slot;
  }

  /**
   * A request's outcome was lost: the slot waits for {@link OrderManager.restore} from the venue's orders.
   *
   * @example
   * ```ts
   * manager.onUnknown(7); // timed out: slot 7 is "unknown" until restored
   * ```
   */
  onUnknown(clientId: number): boolean {
    const slot = this.find(clientId);
    if (slot === undefined || slot.clientId !== clientId) return false;
    slot.state = "unknown";
    return true;
  }

  /**
   * Rebuilds slot states from the venue's view: `isOpen(clientId)` tells whether an order with that id rests
   * (with its remaining size). Slots in flight or unknown whose order is not open become idle; those that are
   * open become open. Call after a reconnect or a lost request.
   *
   * @example
   * ```ts
   * const open = new Map((await venue.openOrders("BTC")).map((o) => [Number(o.clientId), o]));
   * manager.restore((id) => {
   *   const order = open.get(id);
   *   return order && { remainingSize: order.size - order.filledSize };
   * });
   * ```
   */
  restore(isOpen: (clientId: number) => { remainingSize: number } | undefined): void {
    for (const slot of this.#slots) {
      if (slot.state === "idle") continue;
      const open = isOpen(slot.clientId);
      if (open === undefined) {
        this.#free(slot);
        continue;
      }
      slot.state = "open";
      slot.replacedClientId = 0;
      slot.filledSize = Math.max(0, slot.size - open.remainingSize);
    }
  }

  /**
   * Slots whose request has waited longer than `timeoutMs`: candidates for reconciliation.
   *
   * @example
   * ```ts
   * for (const slot of manager.overdue(clock.now(), 5_000)) manager.onUnknown(slot.clientId);
   * ```
   */
  overdue(now: number, timeoutMs: number): WorkingOrder[] {
    return this.#slots.filter(
      (slot) =>
        (slot.state === "placing" || slot.state === "modifying" || slot.state === "cancelling") &&
        now - slot.sentAt > timeoutMs,
    );
  }

  /**
   * Client ids of every order that may be resting: open, in flight or unknown.
   *
   * @example
   * ```ts
   * manager.liveClientIds(); // e.g. [7, 8]: what a shutdown must cancel
   * ```
   */
  liveClientIds(): number[] {
    const ids: number[] = [];
    for (const slot of this.#slots) {
      if (slot.state === "idle") continue;
      ids.push(slot.clientId);
      if (slot.replacedClientId !== 0) ids.push(slot.replacedClientId);
    }
    return ids;
  }

  /**
   * Whether {@link OrderManager.reconcile} would leave the open order in `slot` where it is if `price` and
   * `size` were wanted for it: the price within the refresh tolerance and the size within the size tolerance
   * (the same tests reconcile makes).
   *
   * @example
   * ```ts
   * manager.keeps(manager.bids[0]!, 99.905, 1); // true for a 1-unit bid at 99.9 with a 1 bp tolerance
   * ```
   */
  keeps(slot: WorkingOrder, price: number, size: number): boolean {
    const remaining = slot.size - slot.filledSize;
    const priceMoved = Math.abs(price - slot.price) > this.#toleranceFraction * slot.price;
    const sizeMoved = Math.abs(size - remaining) > this.#sizeTolerance * size;
    return !priceMoved && !sizeMoved;
  }

  /**
   * Whether any slot holds an open order (one a reconcile may modify or cancel).
   *
   * @example
   * ```ts
   * manager.hasOpenOrder(); // false before the venue has accepted anything
   * ```
   */
  hasOpenOrder(): boolean {
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i++) if (slots[i]!.state === "open") return true;
    return false;
  }

  #free(slot: WorkingOrder): void {
    slot.state = "idle";
    slot.clientId = 0;
    slot.replacedClientId = 0;
    slot.price = 0;
    slot.size = 0;
    slot.filledSize = 0;
    slot.referenceMid = Number.NaN;
    slot.replacedReferenceMid = Number.NaN;
  }
}
