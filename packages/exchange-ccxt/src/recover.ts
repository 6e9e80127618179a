import type { CancelRequest, Clock, Order, OrderStatus, OrderUpdate } from "@botmm/core";

/** Where an order stands on the venue, looked up by client id (what the adapters' `reconcile` answers). */
export interface CcxtReconciledOrder {
  clientId: string;
  /** `notFound`: the venue never saw this client id; `unknown`: the lookup itself failed. */
  status: OrderStatus | "notFound" | "unknown";
  venueOrderId: string | null;
  reason?: string;
  order?: Order;
}

/** What {@link settleTrackedOrders} asks of the adapter: its own open orders and look-up by client id. */
export interface TrackedOrdersVenue {
  openOrders(coin: string): Promise<Order[]>;
  reconcile(orders: readonly CancelRequest[]): Promise<CcxtReconciledOrder[]>;
}

/**
 * After an outage: of the orders the adapter tracked on `coin`, those no longer open are looked up by client
 * id and answered as order updates (filled, cancelled, or `rejected` for one the venue never saw, timed by the
 * venue or else by `clock`), each passed to `forget` once settled; a failed look-up stays tracked for the next
 * recovery.
 *
 * @example
 * ```ts
 * const updates = await settleTrackedOrders(venue, "BTCUSDT", ["7", "8"], (id) => live.delete(id), clock);
 * // e.g. [{ clientId: "8", status: "cancelled", … }] when 7 still rests
 * ```
 */
export async function settleTrackedOrders(
  venue: TrackedOrdersVenue,
  coin: string,
  tracked: readonly string[],
  forget: (clientId: string) => void,
  clock: Clock,
): Promise<OrderUpdate[]> {
  if (tracked.length === 0) return [];
  const open = new Set((await venue.openOrders(coin)).map((o) => o.clientId));
  const gone = tracked.filter((clientId) => !open.has(clientId));
  const updates: OrderUpdate[] = [];
  for (const state of await venue.reconcile(gone.map((clientId) => ({ clientId, coin })))) {
    if (state.status === "unknown") continue;
    forget(state.clientId);
    updates.push({
      clientId: state.clientId,
      venueOrderId: state.venueOrderId,
      coin,
      status: state.status === "notFound" ? "rejected" : state.status,
      ...(state.status === "notFound" ? { reason: "not on the venue (never reached its engine)" } : {}),
      time: state.order?.updatedAt ?? clock.now(),
    });
  }
  return updates;
}
