import { test } from "vitest";
import { benchPrices, UPDATES_PER_ITERATION } from "../test/bench-prices.ts";
import { KalmanTrendFilter } from "./kalman-trend.ts";

const prices = benchPrices(UPDATES_PER_ITERATION);

test("KalmanTrendFilter", async ({ bench }) => {
  const filter = new KalmanTrendFilter({ processNoise: 0.05, measurementNoise: 25 });
  const timed = new KalmanTrendFilter({ processNoise: 0.05, measurementNoise: 25 });
  await bench.compare(
    bench(`update(price) × ${UPDATES_PER_ITERATION}`, () => {
      for (let i = 0; i < prices.length; i++) filter.update(prices[i] as number);
    }),
    bench(`update(price, varying dt) × ${UPDATES_PER_ITERATION}`, () => {
      for (let i = 0; i < prices.length; i++) timed.update(prices[i] as number, 0.5 + (i & 3) * 0.25);
    }),
  );
});
