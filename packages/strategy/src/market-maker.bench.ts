import { hyperliquidPerpInstrument } from "@botmm/core";
import { test } from "vitest";
import { parseStrategyConfig } from "./config.ts";
import { MarketMaker, type QuoteInput } from "./market-maker.ts";
import { type OrderActionSink, OrderManager } from "./order-manager.ts";
import { createQuoteSet } from "./quote-set.ts";

const N = 1000;
const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });
const closes = Float64Array.from({ length: N }, (_, i) => 60_000 * (1 + 0.002 * Math.sin(i / 9)));

test("strategy per bar", async ({ bench }) => {
  const makers = (["basic", "as", "glft"] as const).map((model) => {
    const maker = new MarketMaker(parseStrategyConfig({ model }), btc);
    for (let i = 0; i < 60; i++) maker.onBar(closes[i]!);
    return maker;
  });
  const quotes = createQuoteSet(1);
  const input: QuoteInput = {
    midPrice: 0,
    positionSize: 0.002,
    riskMode: "allow",
    marketBid: Number.NaN,
    marketAsk: Number.NaN,
  };
  const manager = new OrderManager({ levels: 1, refreshToleranceBps: 0.5, sizeTolerance: 0.25 });
  const sink: OrderActionSink = {
    place: (order) => manager.onAccepted(order.clientId),
    modify: (order) => manager.onAccepted(order.clientId),
    cancel: (order) => manager.onClosed(order.clientId),
  };
  const cases = makers.map((maker) =>
    bench(`onBar + computeQuotes (${maker.config.model}) × ${N}`, () => {
      for (let i = 0; i < N; i++) {
        maker.onBar(closes[i]!);
        input.midPrice = closes[i]!;
        maker.computeQuotes(input, quotes);
      }
    }),
  );
  await bench.compare(
    ...cases,
    bench(`OrderManager.reconcile (modify each bar) × ${N}`, () => {
      for (let i = 0; i < N; i++) {
        quotes.bidPrices[0] = closes[i]! * 0.9998;
        quotes.bidSizes[0] = 0.0016;
        quotes.askPrices[0] = closes[i]! * 1.0002;
        quotes.askSizes[0] = 0.0016;
        manager.reconcile(quotes, i, sink);
      }
    }),
  );
});
