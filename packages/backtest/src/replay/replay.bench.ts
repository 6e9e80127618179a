import { expect, test } from "vitest";
import { runReplayBacktest } from "./engine.ts";
import { generateMarket, replayOptions, T0 } from "./test-support.ts";
import type { MarketEvent } from "./types.ts";

// Six hours of a day-like market: a 20-level book every 500 ms and ~1 trade a second (≈ 65,000 events);
// a day is four times this. Events are generated once, outside the measurement.
const events: MarketEvent[] = [...generateMarket({ durationMs: 6 * 3_600_000, seed: 1, startMs: T0 })];
const options = replayOptions(
  { queueModel: { type: "probabilistic", power: 2 } },
  { baseSpreadBps: 0.3, volMultiplier: 0, feeAware: false },
);

test("order-book replay throughput", async ({ bench }) => {
  let fills = 0;
  const result = await bench(
    `replay ${events.length.toLocaleString("en-US")} events (6 h, book + trades)`,
    async () => {
      fills = (await runReplayBacktest(events, options)).fills.length;
    },
  ).run({ time: 2_000 });
  expect(fills).toBeGreaterThan(0);
  const seconds = result.latency.mean / 1000;
  console.log(
    `${Math.round(events.length / seconds).toLocaleString("en-US")} events/s; a day (${(events.length * 4).toLocaleString("en-US")} events) ≈ ${(seconds * 4).toFixed(2)} s of engine time`,
  );
});
