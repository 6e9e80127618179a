import { describe, expect, it } from "vitest";
import { parseStrategyConfig } from "./config.ts";
import { type ModifyPacer, type OrderActionSink, OrderManager, type WorkingOrder } from "./order-manager.ts";
import { createQuoteSet } from "./quote-set.ts";

function recordingSink() {
  const actions: string[] = [];
  const sink: OrderActionSink = {
    place: (order: WorkingOrder) =>
      actions.push(`place ${order.side} #${order.clientId} ${order.price}x${order.size}`),
    modify: (order: WorkingOrder, previous: number) =>
      actions.push(`modify ${order.side} #${previous}→#${order.clientId} ${order.price}x${order.size}`),
    cancel: (order: WorkingOrder) => actions.push(`cancel ${order.side} #${order.clientId}`),
  };
  return { sink, actions };
}

function quotes(bid: [number, number] | null, ask: [number, number] | null) {
  const set = createQuoteSet(1);
  if (bid) [set.bidPrices[0], set.bidSizes[0]] = bid;
  if (ask) [set.askPrices[0], set.askSizes[0]] = ask;
  return set;
}

describe("OrderManager", () => {
  it("places, keeps inside the tolerance, modifies outside it and cancels what is no longer wanted", () => {
    const manager = new OrderManager({ levels: 1, refreshToleranceBps: 1, sizeTolerance: 0.25 });
    const { sink, actions } = recordingSink();
    expect(manager.reconcile(quotes([100, 1], [101, 1]), 0, sink)).toEqual({
      placed: 2,
      modified: 0,
      cancelled: 0,
      deferred: 0,
    });
    // Nothing moves until the venue answers: no stacked requests.
    manager.reconcile(quotes([99, 1], [101, 1]), 1, sink);
    expect(actions).toEqual(["place buy #1 100x1", "place sell #2 101x1"]);
    expect(manager.onAccepted(1)).toBe(true);
    expect(manager.onAccepted(2)).toBe(true);
    // 0.5 bp away: inside the 1 bp tolerance → kept.
    manager.reconcile(quotes([100.005, 1], [101, 1]), 2, sink);
    expect(actions).toHaveLength(2);
    // 2 bp away → modified to a new client id.
    manager.reconcile(quotes([100.02, 1], [101, 1]), 3, sink);
    expect(actions[2]).toBe("modify buy #1→#3 100.02x1");
    manager.onAccepted(3);
    // Size off by more than 25% → modified.
    manager.reconcile(quotes([100.02, 2], [101, 1]), 4, sink);
    expect(actions[3]).toBe("modify buy #3→#4 100.02x2");
    manager.onAccepted(4);
    manager.reconcile(quotes([100.02, 2], null), 5, sink);
    expect(actions[4]).toBe("cancel sell #2");
    expect(manager.onClosed(2)).toBe(true);
    expect(manager.asks[0]!.state).toBe("idle");
  });

  it("tracks partial and full fills, including fills of the order a modify replaces", () => {
    const manager = new OrderManager({ levels: 1, refreshToleranceBps: 0, sizeTolerance: 0 });
    const { sink } = recordingSink();
    manager.reconcile(quotes([100, 2], null), 0, sink);
    manager.onAccepted(1);
    expect(manager.onFill(1, 0.5)?.filledSize).toBe(0.5);
    manager.reconcile(quotes([99, 2], null), 1, sink); // modify #1 → #2 in flight
    expect(manager.bids[0]!.state).toBe("modifying");
    expect(manager.onFill(1, 0.5)).toBe(manager.bids[0]); // the old order still fills; the replacement is untouched
    expect(manager.bids[0]!.filledSize).toBe(0);
    manager.onAccepted(2);
    manager.onFill(2, 2);
    expect(manager.bids[0]!.state).toBe("idle");
    expect(manager.onFill(2, 1)).toBeUndefined(); // an unknown / finished order
  });

  it("marks lost requests unknown and restores slots from the venue's open orders", () => {
    const manager = new OrderManager({
      levels: 1,
      refreshToleranceBps: 0,
      sizeTolerance: 0,
      firstClientId: 100,
    });
    const { sink } = recordingSink();
    manager.reconcile(quotes([100, 1], [101, 1]), 0, sink);
    expect(manager.liveClientIds()).toEqual([100, 101]);
    expect(manager.overdue(5_000, 1_000).map((slot) => slot.clientId)).toEqual([100, 101]);
    manager.onUnknown(100);
    manager.onUnknown(101);
    manager.restore((id) => (id === 100 ? { remainingSize: 0.4 } : undefined));
    expect(manager.bids[0]).toMatchObject({ state: "open", filledSize: 0.6 });
    expect(manager.asks[0]!.state).toBe("idle");
    expect(manager.nextClientId).toBe(102);
  });

  it("rejects invalid options", () => {
    expect(() => new OrderManager({ levels: 0, refreshToleranceBps: 1, sizeTolerance: 0 })).toThrow(
      "levels must be an integer ≥ 1, got 0",
    );
    expect(() => new OrderManager({ levels: 1, refreshToleranceBps: -1, sizeTolerance: 0 })).toThrow(
      /refreshToleranceBps/,
    );
    expect(() => new OrderManager({ levels: 1, refreshToleranceBps: 1, sizeTolerance: Number.NaN })).toThrow(
      /sizeTolerance/,
    );
    expect(
      () => new OrderManager({ levels: 1, refreshToleranceBps: 1, sizeTolerance: 0, firstClientId: 0 }),
    ).toThrow(/firstClientId/);
  });

  it("with a pacer, holds back only modifies that chase the market or enlarge a quote", () => {
    const manager = new OrderManager({ levels: 1, refreshToleranceBps: 1, sizeTolerance: 0.25 });
    const { sink, actions } = recordingSink();
    const asked: number[] = [];
    const closed: ModifyPacer = {
      allowDiscretionary: (requests) => {
        asked.push(requests);
        return false;
      },
    };
    manager.reconcile(quotes([100, 1], [101, 1]), 0, sink, closed); // places are never paced
    manager.onAccepted(1);
    manager.onAccepted(2);
    expect(actions).toHaveLength(2);

    // The market rose: bid up (chasing) waits; ask up (away from the market) goes.
    const rose = manager.reconcile(quotes([100.5, 1], [101.5, 1]), 1, sink, closed);
    expect(rose).toMatchObject({ modified: 1, deferred: 1 });
    expect(actions.slice(2)).toEqual(["modify sell #2→#3 101.5x1"]);
    expect(asked).toEqual([1]);
    manager.onAccepted(3);

    // The market fell: bid down (away) goes; ask down (chasing) waits.
    manager.reconcile(quotes([99.5, 1], [100.8, 1]), 2, sink, closed);
    expect(actions.slice(3)).toEqual(["modify buy #1→#4 99.5x1"]);
    manager.onAccepted(4);

    // A smaller size is protection (goes); a larger one at the same price waits.
    manager.reconcile(quotes([99.5, 0.5], [101.5, 2]), 3, sink, closed);
    expect(actions.slice(4)).toEqual(["modify buy #4→#5 99.5x0.5"]);
    manager.onAccepted(5);

    // Once the pacer allows, the chasing modifies go; without a pacer nothing is held back.
    const open: ModifyPacer = { allowDiscretionary: () => true };
    expect(manager.reconcile(quotes([99.8, 0.5], [101.2, 2]), 4, sink, open)).toMatchObject({
      modified: 2,
      deferred: 0,
    });
  });

  it("forStrategy takes the levels and tolerances of a strategy config", () => {
    const config = parseStrategyConfig({ levels: 2, refreshToleranceBps: 5 });
    const manager = OrderManager.forStrategy(config, { firstClientId: 1_000 });
    expect(manager.bids).toHaveLength(2);
    expect(manager.nextClientId).toBe(1_000);
    const { sink, actions } = recordingSink();
    const one = createQuoteSet(1);
    one.bidPrices[0] = 100;
    one.bidSizes[0] = 1;
    manager.reconcile(one, 0, sink);
    manager.onAccepted(1_000);
    one.bidPrices[0] = 100.04; // 4 bps: inside the config's 5 bps
    manager.reconcile(one, 1, sink);
    one.bidPrices[0] = 100.06; // 6 bps: outside
    manager.reconcile(one, 2, sink);
    expect(actions).toEqual(["place buy #1000 100x1", "modify buy #1000→#1001 100.06x1"]);
  });
});
