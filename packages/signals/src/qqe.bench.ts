import { test } from "vitest";
import { benchPrices, UPDATES_PER_ITERATION } from "../test/bench-prices.ts";
import { Ema } from "./ema.ts";
import { Qqe } from "./qqe.ts";
import { WilderRsi } from "./rsi.ts";

const prices = benchPrices(UPDATES_PER_ITERATION);

test("Qqe and its parts", async ({ bench }) => {
  const qqe = new Qqe();
  const rsi = new WilderRsi(14);
  const ema = new Ema(27);
  await bench.compare(
    bench(`Qqe update() × ${UPDATES_PER_ITERATION}`, () => {
      for (let i = 0; i < prices.length; i++) qqe.update(prices[i] as number);
    }),
    bench(`WilderRsi update() × ${UPDATES_PER_ITERATION}`, () => {
      for (let i = 0; i < prices.length; i++) rsi.update(prices[i] as number);
    }),
    bench(`Ema update() × ${UPDATES_PER_ITERATION}`, () => {
      for (let i = 0; i < prices.length; i++) ema.update(prices[i] as number);
    }),
  );
});
