import type { Fill } from "@botmm/core";
import { createRandom } from "@botmm/core";
import { expect, test } from "vitest";
import { Inventory } from "./inventory.ts";

const FILLS = 4_096; // a power of two: the index wraps with a mask
const random = createRandom(42);
const fills: Fill[] = [];
const marks: number[] = [];
for (let index = 0; index < FILLS; index++) {
  const price = 60_000 + (random.next() - 0.5) * 2_000;
  const size = 0.001 + random.next() * 0.05;
  fills.push({
    clientId: null,
    venueOrderId: null,
    tradeId: String(index),
    coin: "BTC",
    side: random.next() < 0.5 ? "buy" : "sell",
    price,
    size,
    fee: price * size * (random.next() < 0.8 ? 0.00015 : 0.00045),
    liquidity: random.next() < 0.8 ? "maker" : "taker",
    time: index,
  });
  marks.push(price + (random.next() - 0.5) * 20);
}

test("Inventory hot path", async ({ bench }) => {
  const inventory = new Inventory({ coin: "BTC", maxPositionUsd: 50_000 });
  let fillIndex = 0;
  const marked = new Inventory({ coin: "BTC", maxPositionUsd: 50_000 });
  for (const fill of fills.slice(0, 100)) marked.applyFill(fill);
  let markIndex = 0;
  const funded = new Inventory({ coin: "BTC", maxPositionUsd: 50_000 });
  funded.applyFill(fills[0]!);
  let fundingIndex = 0;
  let sink = 0;

  await bench.compare(
    bench("applyFill (mixed adds, reduces, flips)", () => {
      inventory.applyFill(fills[fillIndex]!);
      fillIndex = (fillIndex + 1) & (FILLS - 1);
    }),
    bench("mark: unrealizedPnlUsd + skew + totalPnlUsd", () => {
      const mark = marks[markIndex]!;
      sink += marked.unrealizedPnlUsd(mark) + marked.skew(mark) + marked.totalPnlUsd(mark);
      markIndex = (markIndex + 1) & (FILLS - 1);
    }),
    bench("applyFunding", () => {
      funded.applyFunding(0.0000125, marks[fundingIndex]!);
      fundingIndex = (fundingIndex + 1) & (FILLS - 1);
    }),
    bench("1 000 × (applyFill + totalPnlUsd)", () => {
      const ledger = new Inventory({ coin: "BTC", maxPositionUsd: 50_000 });
      for (let index = 0; index < 1_000; index++) {
        ledger.applyFill(fills[index]!);
        sink += ledger.totalPnlUsd(marks[index]!);
      }
    }),
    bench("totals() object (reports; allocates)", () => {
      sink += marked.totals(marks[markIndex]!).totalPnlUsd;
    }),
  );
  expect(Number.isFinite(sink)).toBe(true);
  expect(Number.isFinite(inventory.totalPnlUsd(60_000))).toBe(true);
});
