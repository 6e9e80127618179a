import { hyperliquidPerpInstrument } from "@botmm/core";
import { expect, it } from "vitest";
import { CoinKernel, createQuoteSet, MarketMaker, OrderManager, parseStrategyConfig } from "./index.ts";

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

it("runs the README's CoinKernel example", () => {
  const eth = hyperliquidPerpInstrument({ coin: "ETH", assetId: 1, szDecimals: 4, maxLeverage: 25 });
  const kernel = new CoinKernel(parseStrategyConfig({ volatilityWarmupBars: 2 }), eth);
  for (const close of [3_000, 3_001, 2_999, 3_000]) {
    kernel.mark(close);
    kernel.onBarClose(close);
  }
  const sent: number[] = [];
  kernel.decide(0, { place: (o) => sent.push(o.clientId), modify: () => {}, cancel: () => {} });
  expect(sent).toHaveLength(2);
  kernel.orders.onAccepted(sent[0]!);
  kernel.mark(2_998);
  const bid = kernel.quotes.bidPrices[0]!;
  kernel.bookFill(sent[0]!, "buy", bid, 0.0333, "maker", 1_000);
  const pnl = kernel.pnl();
  expect(pnl.spreadUsd).toBeCloseTo((3_000 - bid) * 0.0333, 9);
  expect(pnl.totalUsd).toBeCloseTo(kernel.ledger.inventory.totalPnlUsd(2_998), 9);
  kernel.setRiskMode("halt");
  expect(kernel.exitSize()).toBeCloseTo(-0.0333, 12);
});
