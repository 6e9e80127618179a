import { test } from "vitest";
import { benchPrices, UPDATES_PER_ITERATION } from "../test/bench-prices.ts";
import { biasShiftPrice, DirectionalBias } from "./directional-bias.ts";

const prices = benchPrices(UPDATES_PER_ITERATION);

test("DirectionalBias", async ({ bench }) => {
  const bias = new DirectionalBias({ kalman: { processNoise: 0.05, measurementNoise: 25 } });
  const shift = biasShiftPrice; // a local binding: no module-getter access inside the loop
  let sink = 0;
  await bench.compare(
    bench(`update() × ${UPDATES_PER_ITERATION}`, () => {
      for (let i = 0; i < prices.length; i++) bias.update(prices[i] as number);
    }),
    bench(`biasShiftPrice() × ${UPDATES_PER_ITERATION}`, () => {
      for (let i = 0; i < prices.length; i++) sink += shift(0.25, 0.5, (prices[i] as number) * 1e-4);
    }),
  );
  if (Number.isNaN(sink)) throw new Error("biasShiftPrice returned NaN");
});
