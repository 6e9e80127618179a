import { hyperliquidPerpInstrument } from "@botmm/core";
import { expect, it } from "vitest";
import { createQuoteSet, MarketMaker, OrderManager, parseStrategyConfig } from "./index.ts";

it("runs the README example", () => {
  const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });
  const config = parseStrategyConfig({ model: "basic", orderSizeUsd: 100 });
  const maker = new MarketMaker(config, btc);
  for (let i = 0; i < 40; i++) maker.onBar(60_000 + Math.sin(i) * 20);
  const quotes = createQuoteSet(config.levels);
  const decision = maker.computeQuotes(
    {
      midPrice: 60_000,
      positionSize: 0.002,
      riskMode: "allow",
      marketBid: Number.NaN,
      marketAsk: Number.NaN,
    },
    quotes,
  );
  expect(decision.status).toBe("quoting");
  expect([quotes.bidPrices[0], quotes.askPrices[0]]).toEqual([59963, 60029]);
  const placed: string[] = [];
  const orders = new OrderManager({
    levels: config.levels,
    refreshToleranceBps: config.refreshToleranceBps,
    sizeTolerance: config.sizeTolerance,
  });
  orders.reconcile(quotes, 0, {
    place: (order) => placed.push(order.side),
    modify: () => {},
    cancel: () => {},
  });
  expect(placed).toEqual(["buy", "sell"]);
});
