import type { Fill, Liquidity, Side } from "@botmm/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Inventory } from "./inventory.ts";

type FillEvent = { kind: "fill"; side: Side; price: number; size: number; fee: number; liquidity: Liquidity };
type FundingEvent = { kind: "funding"; rate: number; markPrice: number };
type Event = FillEvent | FundingEvent;

const price = fc.oneof(
  fc.double({ min: 0.0001, max: 1e6, noNaN: true }),
  fc.constantFrom(90, 100, 110), // repeated prices: closes at the entry, zero-PnL round trips
);
// Small fixed sizes make exact closes and flips frequent; doubles cover odd magnitudes and float residue.
const size = fc.oneof(
  fc.constantFrom(0.1, 0.2, 0.3, 1, 2, 3),
  fc.double({ min: 1e-6, max: 1e4, noNaN: true }),
);

const fillEvent: fc.Arbitrary<Event> = fc.record({
  kind: fc.constant("fill" as const),
  side: fc.constantFrom<Side>("buy", "sell"),
  price,
  size,
  fee: fc.oneof(fc.double({ min: -50, max: 50, noNaN: true }), fc.constant(0)),
  liquidity: fc.constantFrom<Liquidity>("maker", "taker"),
});

const fundingEvent: fc.Arbitrary<Event> = fc.record({
  kind: fc.constant("funding" as const),
  rate: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
  markPrice: price,
});

const scenario = fc.record({
  events: fc.array(fc.oneof({ arbitrary: fillEvent, weight: 4 }, { arbitrary: fundingEvent, weight: 1 }), {
    maxLength: 200,
    size: "max", // without it fast-check stops near 10 events
  }),
  finalMark: price,
});

function toFill(event: FillEvent): Fill {
  return {
    clientId: null,
    venueOrderId: null,
    tradeId: "t",
    coin: "SOL",
    side: event.side,
    price: event.price,
    size: event.size,
    fee: event.fee,
    liquidity: event.liquidity,
    time: 0,
  };
}

/** Independent cash-flow accounting: no average entry, no realized/unrealized split. */
function cashFlow(events: Event[], finalMark: number) {
  let cash = 0;
  let position = 0;
  let scale = 0; // Σ |every cash flow|: the size of the numbers the two methods add up
  let fees = 0;
  let volumeUsd = 0;
  for (const event of events) {
    if (event.kind === "fill") {
      const direction = event.side === "buy" ? 1 : -1;
      cash += -direction * event.price * event.size - event.fee;
      position += direction * event.size;
      scale += event.price * event.size + Math.abs(event.fee);
      fees += event.fee;
      volumeUsd += event.price * event.size;
    } else {
      const payment = -position * event.markPrice * event.rate;
      cash += payment;
      scale += Math.abs(payment) + Math.abs(position * event.markPrice);
    }
  }
  scale += Math.abs(position * finalMark);
  return { equity: cash + position * finalMark, position, scale: Math.max(1, scale), fees, volumeUsd };
}

/** |actual − expected| ≤ 1e-12 × max(1, scale): float sums agree to rounding, relative to their size. */
function expectNear(actual: number, expected: number, scale: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, scale));
}

function run(events: Event[]): Inventory {
  const inventory = new Inventory({ coin: "SOL", maxPositionUsd: 10_000 });
  for (const event of events) {
    if (event.kind === "fill") inventory.applyFill(toFill(event));
    else inventory.applyFunding(event.rate, event.markPrice);
  }
  return inventory;
}

describe("Inventory (property)", () => {
  it("realized + unrealized − fees + funding equals cash + size × mark (1e-9 relative)", () => {
    fc.assert(
      fc.property(scenario, ({ events, finalMark }) => {
        const inventory = run(events);
        const expected = cashFlow(events, finalMark);
        const totals = inventory.totals(finalMark);
        const sum =
          totals.realizedPnlUsd + totals.unrealizedPnlUsd - totals.netFeesUsd + totals.fundingPnlUsd;
        expect(Math.abs(totals.totalPnlUsd - expected.equity)).toBeLessThanOrEqual(1e-9 * expected.scale);
        expect(Math.abs(sum - totals.totalPnlUsd)).toBeLessThanOrEqual(1e-12 * expected.scale);
        expect(inventory.totalPnlUsd(finalMark)).toBe(totals.totalPnlUsd);
      }),
      { seed: 1, numRuns: 1_000 },
    );
  });

  it("tracks size, fees, volume and skew consistently", () => {
    fc.assert(
      fc.property(scenario, ({ events, finalMark }) => {
        const inventory = run(events);
        const expected = cashFlow(events, finalMark);
        const fills = events.filter((event): event is FillEvent => event.kind === "fill");
        const grossBase = fills.reduce((sum, event) => sum + event.size, 0);
        expect(Math.abs(inventory.size - expected.position)).toBeLessThanOrEqual(
          1e-9 * Math.max(1, grossBase),
        );
        expect(inventory.feesPaidUsd).toBeGreaterThanOrEqual(0);
        expect(inventory.rebatesUsd).toBeGreaterThanOrEqual(0);
        const grossFees = fills.reduce((sum, event) => sum + Math.abs(event.fee), 0);
        expectNear(inventory.netFeesUsd, expected.fees, grossFees);
        expectNear(inventory.feesPaidUsd + inventory.rebatesUsd, grossFees, grossFees);
        expectNear(inventory.volumeUsd, expected.volumeUsd, expected.volumeUsd);
        expectNear(
          inventory.makerVolumeUsd + inventory.takerVolumeUsd,
          inventory.volumeUsd,
          inventory.volumeUsd,
        );
        expectNear(inventory.volumeBase, grossBase, grossBase);
        expectNear(inventory.makerVolumeBase + inventory.takerVolumeBase, inventory.volumeBase, grossBase);
        expect(inventory.buyCount + inventory.sellCount).toBe(fills.length);
        const skew = inventory.skew(finalMark);
        expect(skew).toBeGreaterThanOrEqual(-1);
        expect(skew).toBeLessThanOrEqual(1);
        expect(Math.sign(skew)).toBe(Math.sign(inventory.size));
        if (inventory.size === 0) expect(inventory.entryPrice).toBe(0);
        else {
          const prices = fills.map((event) => event.price);
          expect(inventory.entryPrice).toBeGreaterThanOrEqual(Math.min(...prices) * (1 - 1e-12));
          expect(inventory.entryPrice).toBeLessThanOrEqual(Math.max(...prices) * (1 + 1e-12));
        }
      }),
      { seed: 2, numRuns: 500 },
    );
  });

  it("a snapshot restores the exact state, mid-stream", () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ({ events, finalMark }, cut) => {
        const split = events.length === 0 ? 0 : cut % (events.length + 1);
        const whole = run(events);
        const first = run(events.slice(0, split));
        const resumed = Inventory.fromSnapshot(JSON.parse(JSON.stringify(first)));
        for (const event of events.slice(split)) {
          if (event.kind === "fill") resumed.applyFill(toFill(event));
          else resumed.applyFunding(event.rate, event.markPrice);
        }
        expect(resumed.toJSON()).toEqual(whole.toJSON());
        expect(resumed.totals(finalMark)).toEqual(whole.totals(finalMark));
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  it("a flipped fee sign would be caught: paying fees never raises the total", () => {
    fc.assert(
      fc.property(scenario, fc.double({ min: 1e-6, max: 100, noNaN: true }), ({ events, finalMark }, fee) => {
        const withoutFee = run(events);
        const withFee = run(events);
        const extra: FillEvent = {
          kind: "fill",
          side: "buy",
          price: finalMark,
          size: 1,
          fee,
          liquidity: "maker",
        };
        withoutFee.applyFill(toFill({ ...extra, fee: 0 }));
        withFee.applyFill(toFill(extra));
        const scale = cashFlow([...events, extra], finalMark).scale;
        const difference = withFee.totalPnlUsd(finalMark) - withoutFee.totalPnlUsd(finalMark);
        expect(Math.abs(difference + fee)).toBeLessThanOrEqual(1e-9 * scale);
      }),
      { seed: 4, numRuns: 300 },
    );
  });
});
