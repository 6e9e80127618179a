import { test } from "vitest";
import { hyperliquidPerpInstrument } from "./instrument.ts";
import { PriceGrid } from "./price-step.ts";
import { roundPrice, roundSize } from "./rounding.ts";

const N = 1000;
const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });
const prices = Float64Array.from({ length: N }, (_, i) => 60_000 + Math.sin(i) * 500);
// Local bindings: vitest's module runner tracks every read of an imported binding.
const roundPriceLocal = roundPrice;
const roundSizeLocal = roundSize;
let sink = 0;

test("venue rounding", async ({ bench }) => {
  const grid = new PriceGrid(btc.priceRule);
  await bench.compare(
    bench(`roundPrice (big.js, exact) × ${N}`, () => {
      for (let i = 0; i < N; i++) sink += roundPriceLocal(btc, prices[i]!, i & 1 ? "buy" : "sell").length;
    }),
    bench(`roundSize (big.js, exact) × ${N}`, () => {
      for (let i = 0; i < N; i++) sink += roundSizeLocal(btc, 0.0016 + i * 1e-6).length;
    }),
    bench(`PriceGrid.snap (float, hot loops) × ${N}`, () => {
      for (let i = 0; i < N; i++) sink += grid.snap(prices[i]!, i & 1 ? "buy" : "sell");
    }),
  );
  if (sink === 0) throw new Error("benchmark did nothing");
});
