import type { PriceGrid } from "@botmm/core";
import type { OrderActionSink, OrderManager, WorkingOrder } from "@botmm/strategy";

const NONE = 0;
const PLACE = 1;
const MODIFY = 2;
const CANCEL = 3;

/** What the venue tells the strategy's order manager about its instructions. */
export type VenueAnswers = Pick<OrderManager, "onAccepted" | "onClosed">;

/** What the venue reads of an instruction's order. */
export type VenueOrder = Pick<WorkingOrder, "side" | "level" | "clientId" | "price" | "size">;

/** How a {@link SlotVenue} decides post-only rejections and where trades reach a resting order. */
export interface SlotVenueRules {
  /** The market's spread in ticks: its best bid and ask sit half of it either side of the price it trades at. */
  spreadTicks: number;
  /** Ticks the market must trade through an order before it fills (the `cross` fill model). */
  throughTicks: number;
  /** The same as a fraction of the order's price (the `subbar` fill model's `throughBps` / 10,000). */
  throughFraction: number;
}

/**
 * The simulated venue of the candle engines: one quote slot per side and level (bids 0..L−1, asks L..2L−1),
 * each with the order resting there and the one instruction in flight to it (the order manager sends no
 * second one before the answer). It is the strategy's {@link OrderActionSink}: an instruction is held until
 * the engine lets it arrive, then applied as the venue would — a cancel closes the order, a modify of an
 * order that filled meanwhile is refused, a post-only order at or through the market's other side is
 * rejected — and the kernel's order manager is told the answer. The engines walk their price paths over the
 * public slot arrays (typed arrays, read in their hot loops) and take fills with {@link SlotVenue.take}.
 *
 * @example
 * ```ts
 * const venue = new SlotVenue(2, kernel.orders, grid, { spreadTicks: 0, throughTicks: 1, throughFraction: 0 });
 * venue.arrivalTime = closeTime + latencyMs;
 * kernel.decide(closeTime, venue);
 * venue.applyDue(Number.POSITIVE_INFINITY, open); // everything sent so far arrives, the market at the open
 * venue.active[0]; // 1 when a bid rests at the first level
 * ```
 */
export class SlotVenue implements OrderActionSink {
  readonly levels: number;
  readonly slots: number;
  /** 1 while an order rests in the slot. */
  readonly active: Uint8Array;
  readonly clientId: Float64Array;
  /** The resting order's limit price. */
  readonly price: Float64Array;
  /** The price the market must trade at for the resting order to fill (its limit moved by the fill rule). */
  readonly trigger: Float64Array;
  readonly remaining: Float64Array;
  /** 1 once the order resting in the slot has had a fill. */
  readonly slotFilled: Uint8Array;
  /**
   * The walk unit (a bar, a step) the slot was last tried for a fill in, −1 for a new order: the engines try a
   * slot once per unit.
   */
  readonly triedIn: Float64Array;
  /** Set to 1 when an order is accepted in the slot; the engine clears it when it starts counting. */
  readonly quotedSinceReset: Uint8Array;
  readonly pendingKind: Uint8Array;
  /** When the instruction in flight reaches the venue. */
  readonly pendingAt: Float64Array;
  readonly pendingClientId: Float64Array;
  readonly pendingPrice: Float64Array;
  readonly pendingSize: Float64Array;
  /** Instructions in flight. */
  pendingCount = 0;
  /** When the instructions the strategy sends now reach the venue (set by the engine before a decision). */
  arrivalTime = Number.NaN;
  /** Orders that received at least one fill. */
  ordersFilled = 0;
  rejectedPostOnly = 0;
  readonly #orders: VenueAnswers;
  readonly #grid: PriceGrid;
  readonly #halfSpreadTicks: number;
  readonly #throughTicks: number;
  readonly #throughFraction: number;

  constructor(levels: number, orders: VenueAnswers, grid: PriceGrid, rules: SlotVenueRules) {
    this.levels = levels;
    const slots = 2 * levels;
    this.slots = slots;
    this.#orders = orders;
    this.#grid = grid;
    this.#halfSpreadTicks = rules.spreadTicks / 2;
    this.#throughTicks = rules.throughTicks;
    this.#throughFraction = rules.throughFraction;
    this.active = new Uint8Array(slots);
    this.clientId = new Float64Array(slots);
    this.price = new Float64Array(slots);
    this.trigger = new Float64Array(slots);
    this.remaining = new Float64Array(slots);
    this.slotFilled = new Uint8Array(slots);
    this.triedIn = new Float64Array(slots).fill(-1);
    this.quotedSinceReset = new Uint8Array(slots);
    this.pendingKind = new Uint8Array(slots);
    this.pendingAt = new Float64Array(slots);
    this.pendingClientId = new Float64Array(slots);
    this.pendingPrice = new Float64Array(slots);
    this.pendingSize = new Float64Array(slots);
  }

  place(order: VenueOrder): void {
    this.#setPending(order, PLACE);
  }

  modify(order: VenueOrder): void {
    this.#setPending(order, MODIFY);
  }

  cancel(order: VenueOrder): void {
    this.#setPending(order, CANCEL);
  }

  #setPending(order: VenueOrder, kind: number): void {
    const slot = order.side === "buy" ? order.level : this.levels + order.level;
    if (this.pendingKind[slot] === NONE) this.pendingCount++;
    this.pendingKind[slot] = kind;
    this.pendingAt[slot] = this.arrivalTime;
    this.pendingClientId[slot] = order.clientId;
    this.pendingPrice[slot] = order.price;
    this.pendingSize[slot] = order.size;
  }

  /** The earliest time an instruction reaches the venue (`before` when none is due earlier). */
  nextArrival(before: number): number {
    let next = before;
    if (this.pendingCount === 0) return next;
    for (let s = 0; s < this.slots; s++) {
      if (this.pendingKind[s] !== NONE && this.pendingAt[s]! < next) next = this.pendingAt[s]!;
    }
    return next;
  }

  /**
   * Applies the instructions that reach the venue by `time`, the market trading at `price`; returns how many
   * it applied.
   */
  applyDue(time: number, price: number): number {
    if (this.pendingCount === 0) return 0;
    const orders = this.#orders;
    let applied = 0;
    for (let s = 0; s < this.slots; s++) {
      const kind = this.pendingKind[s]!;
      if (kind === NONE || this.pendingAt[s]! > time) continue;
      this.pendingKind[s] = NONE;
      this.pendingCount--;
      applied++;
      const clientId = this.pendingClientId[s]!;
      if (kind === CANCEL) {
        this.active[s] = 0;
        orders.onClosed(clientId);
        continue;
      }
      if (kind === MODIFY && this.active[s] !== 1) {
        // The order to modify was filled before the modify arrived: the venue refuses it.
        orders.onClosed(clientId);
        continue;
      }
      const limit = this.pendingPrice[s]!;
      const isBid = s < this.levels;
      // The market's best bid and ask sit half the spread either side of the price it trades at.
      const halfSpread = this.#halfSpreadTicks === 0 ? 0 : this.#halfSpreadTicks * this.#grid.stepAt(limit);
      if (isBid ? limit >= price + halfSpread : limit <= price - halfSpread) {
        // Post-only: an order that would take liquidity on arrival is rejected (a modify loses the old order too).
        this.active[s] = 0;
        this.rejectedPostOnly++;
        orders.onClosed(clientId);
        continue;
      }
      this.active[s] = 1;
      this.quotedSinceReset[s] = 1;
      this.clientId[s] = clientId;
      this.price[s] = limit;
      this.trigger[s] = this.#triggerFor(isBid, limit, halfSpread);
      this.remaining[s] = this.pendingSize[s]!;
      this.slotFilled[s] = 0;
      this.triedIn[s] = -1;
      orders.onAccepted(clientId);
    }
    return applied;
  }

  /** Trades reach an order once the market's near side is through it by the fill rule's ticks or fraction. */
  #triggerFor(isBid: boolean, limit: number, halfSpread: number): number {
    if (this.#throughTicks !== 0) {
      const step = this.#grid.stepAt(limit) * this.#throughTicks;
      return isBid ? limit - step : limit + step;
    }
    return isBid
      ? limit * (1 - this.#throughFraction) + halfSpread
      : limit * (1 + this.#throughFraction) - halfSpread;
  }

  /** Takes a fill of `size` (> 0) from the order in `slot`; returns true when that fills it completely. */
  take(slot: number, size: number): boolean {
    if (this.slotFilled[slot] === 0) {
      this.slotFilled[slot] = 1;
      this.ordersFilled++;
    }
    this.remaining[slot] = this.remaining[slot]! - size;
    if (this.remaining[slot]! > 1e-12) return false;
    this.active[slot] = 0;
    return true;
  }
}
