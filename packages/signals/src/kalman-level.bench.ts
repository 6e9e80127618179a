import { test } from "vitest";
import { benchPrices, UPDATES_PER_ITERATION } from "../test/bench-prices.ts";
import { KalmanLevelFilter } from "./kalman-level.ts";

const prices = benchPrices(UPDATES_PER_ITERATION);

test("KalmanLevelFilter", async ({ bench }) => {
  const filter = new KalmanLevelFilter({ processNoise: 4, measurementNoise: 25 });
  await bench(`update() × ${UPDATES_PER_ITERATION}`, () => {
    for (let i = 0; i < prices.length; i++) filter.update(prices[i] as number);
  }).run();
});
