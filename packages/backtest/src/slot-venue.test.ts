import { PriceGrid } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { SlotVenue, type SlotVenueRules, type VenueOrder } from "./slot-venue.ts";
import { ETH } from "./test-support.ts";

const CROSS: SlotVenueRules = { spreadTicks: 0, throughTicks: 1, throughFraction: 0 };

function order(side: "buy" | "sell", clientId: number, price: number, size = 1, level = 0): VenueOrder {
  return { side, level, clientId, price, size };
}

function venueWith(rules: SlotVenueRules, levels = 1) {
  const answers: string[] = [];
  const venue = new SlotVenue(
    levels,
    {
      onAccepted: (id: number) => answers.push(`accepted ${id}`) > 0,
      onClosed: (id: number) => answers.push(`closed ${id}`) > 0,
    },
    new PriceGrid(ETH.priceRule),
    rules,
  );
  return { venue, answers };
}

describe("SlotVenue", () => {
  it("holds an instruction until its arrival time, then rests it with the fill rule's trigger", () => {
    const { venue, answers } = venueWith(CROSS);
    venue.arrivalTime = 1_200;
    venue.place(order("buy", 7, 3000.5, 2));
    venue.place(order("sell", 8, 3001.5, 3));
    expect(venue.pendingCount).toBe(2);
    expect(venue.nextArrival(Number.POSITIVE_INFINITY)).toBe(1_200);
    expect(venue.applyDue(1_199, 3001)).toBe(0);
    expect(venue.active[0]).toBe(0);
    expect(venue.applyDue(1_200, 3001)).toBe(2);
    expect(answers).toEqual(["accepted 7", "accepted 8"]);
    expect([venue.active[0], venue.active[1]]).toEqual([1, 1]);
    const tick = new PriceGrid(ETH.priceRule).stepAt(3000.5);
    expect(venue.trigger[0]).toBe(3000.5 - tick);
    expect(venue.trigger[1]).toBe(3001.5 + new PriceGrid(ETH.priceRule).stepAt(3001.5));
    expect(venue.remaining[0]).toBe(2);
    expect(venue.quotedSinceReset[0]).toBe(1);
  });

  it("rejects a post-only order at or through the market's other side, counting it", () => {
    const { venue, answers } = venueWith(CROSS);
    venue.place(order("buy", 1, 3001));
    venue.place(order("sell", 2, 3002));
    venue.applyDue(Number.POSITIVE_INFINITY, 3001);
    expect(answers).toEqual(["closed 1", "accepted 2"]);
    expect(venue.rejectedPostOnly).toBe(1);
    expect(venue.active[0]).toBe(0);
  });

  it("widens the post-only line and the trigger by half the spread and throughFraction", () => {
    const { venue, answers } = venueWith({ spreadTicks: 2, throughTicks: 0, throughFraction: 0.001 });
    const tick = new PriceGrid(ETH.priceRule).stepAt(3000);
    // The market's ask is one tick above 3000: a bid there would take it.
    venue.place(order("buy", 1, 3000 + tick));
    venue.place(order("sell", 2, 3000 + 2 * tick));
    venue.applyDue(Number.POSITIVE_INFINITY, 3000);
    expect(answers).toEqual(["closed 1", "accepted 2"]);
    const limit = 3000 + 2 * tick;
    expect(venue.trigger[1]).toBe(limit * 1.001 - tick);
  });

  it("refuses a modify of an order that filled meanwhile, and closes a cancelled one", () => {
    const { venue, answers } = venueWith(CROSS);
    venue.place(order("buy", 1, 2990, 1));
    venue.place(order("sell", 2, 3010, 1));
    venue.applyDue(Number.POSITIVE_INFINITY, 3000);
    expect(venue.take(0, 0.4)).toBe(false);
    expect(venue.take(0, 0.6)).toBe(true);
    expect(venue.active[0]).toBe(0);
    expect(venue.ordersFilled).toBe(1);
    venue.modify(order("buy", 3, 2991));
    venue.cancel(order("sell", 2, 3010));
    expect(venue.applyDue(Number.POSITIVE_INFINITY, 3000)).toBe(2);
    expect(answers.slice(2)).toEqual(["closed 3", "closed 2"]);
    expect([venue.active[0], venue.active[1], venue.pendingCount]).toEqual([0, 0, 0]);
  });

  it("keeps one instruction per slot: a second one replaces the first", () => {
    const { venue, answers } = venueWith(CROSS);
    venue.arrivalTime = 100;
    venue.place(order("buy", 1, 2990));
    venue.arrivalTime = 300;
    venue.cancel(order("buy", 1, 2990));
    expect(venue.pendingCount).toBe(1);
    expect(venue.nextArrival(Number.POSITIVE_INFINITY)).toBe(300);
    expect(venue.nextArrival(200)).toBe(200);
    venue.applyDue(300, 3000);
    expect(answers).toEqual(["closed 1"]);
  });
});
