import { hyperliquidPerpInstrument } from "@botmm/core";
import { Inventory } from "@botmm/inventory";
import { describe, expect, it } from "vitest";
import { CoinKernel } from "./coin-kernel.ts";
import { parseStrategyConfig } from "./config.ts";
import type { OrderActionSink, WorkingOrder } from "./order-manager.ts";

const eth = hyperliquidPerpInstrument({ coin: "ETH", assetId: 1, szDecimals: 4, maxLeverage: 25 });

/** A sink that remembers the actions of the last decision. */
function recordingSink() {
  const actions: { kind: string; side: string; clientId: number; price: number; previous?: number }[] = [];
  const sink: OrderActionSink = {
    place: (o: WorkingOrder) =>
      actions.push({ kind: "place", side: o.side, clientId: o.clientId, price: o.price }),
    modify: (o: WorkingOrder, previous: number) =>
      actions.push({ kind: "modify", side: o.side, clientId: o.clientId, price: o.price, previous }),
    cancel: (o: WorkingOrder) =>
      actions.push({ kind: "cancel", side: o.side, clientId: o.clientId, price: o.price }),
  };
  return { sink, actions };
}

/** A kernel past its volatility warm-up at a flat 100. */
function warmKernel(overrides: Parameters<typeof parseStrategyConfig>[0] = {}) {
  const kernel = new CoinKernel(
    parseStrategyConfig({ toxicityGuard: false, volatilityWarmupBars: 2, ...overrides }),
    eth,
  );
  for (let i = 0; i < 5; i++) {
    kernel.mark(100);
    kernel.onBarClose(100);
  }
  return kernel;
}

describe("CoinKernel", () => {
  it("continues a restored position ledger and books the fee the venue charged", () => {
    const config = parseStrategyConfig({ toxicityGuard: false, volatilityWarmupBars: 2 });
    const first = new CoinKernel(config, eth);
    first.mark(100);
    first.bookFill(0, "buy", 99.9, 2, "maker", 0, 100, 0.05); // the venue's fee, not the strategy's rate
    first.mark(101);
    expect(first.pnl().feesUsd).toBeCloseTo(0.05, 12);
    const saved = JSON.parse(JSON.stringify(first.ledger.inventory));
    const restarted = new CoinKernel(config, eth, {
      inventory: Inventory.fromSnapshot(saved, { maxPositionUsd: config.maxPositionUsd }),
    });
    restarted.ledger.spreadUsd = first.ledger.spreadUsd;
    restarted.ledger.inventoryUsd = first.ledger.inventoryUsd;
    restarted.mark(101); // the last mark of the earlier run
    restarted.mark(103);
    first.mark(103);
    expect(restarted.positionSize).toBe(2);
    expect(restarted.pnl()).toEqual(first.pnl());
    expect(restarted.pnl().totalUsd).toBeCloseTo(restarted.ledger.inventory.totalPnlUsd(103), 9);
    const btc = new Inventory({ coin: "BTC", maxPositionUsd: 1_000 });
    expect(() => new CoinKernel(config, eth, { inventory: btc })).toThrow(
      /inventory to continue is of BTC, expected ETH/,
    );
  });

  it("measures each fill's spread from the mid its order was priced from, not the mid at the fill", () => {
    const kernel = warmKernel();
    const { sink, actions } = recordingSink();
    kernel.decide(0, sink);
    const bid = actions.find((a) => a.kind === "place" && a.side === "buy")!;
    kernel.orders.onAccepted(bid.clientId);
    kernel.mark(99); // the market falls to the bid before it fills
    kernel.bookFill(bid.clientId, "buy", bid.price, 1, "maker", 1_000);
    expect(kernel.ledger.spreadUsd).toBeCloseTo(100 - bid.price, 12);
    expect(kernel.ledger.inventoryUsd).toBeCloseTo(99 - 100, 12);
    expect(kernel.lastFillReferenceMid).toBe(100);
  });

  it("books a fill of an order replaced by a modify in flight against the replaced order's mid", () => {
    const kernel = warmKernel({ refreshToleranceBps: 0 });
    const { sink, actions } = recordingSink();
    kernel.decide(0, sink);
    for (const a of actions) kernel.orders.onAccepted(a.clientId);
    const oldBid = actions.find((a) => a.side === "buy")!;
    kernel.mark(101);
    actions.length = 0;
    kernel.decide(1_000, sink);
    const modify = actions.find((a) => a.kind === "modify" && a.side === "buy")!;
    expect(modify.previous).toBe(oldBid.clientId);
    kernel.bookFill(oldBid.clientId, "buy", oldBid.price, 0.5, "maker", 1_100);
    expect(kernel.lastFillReferenceMid).toBe(100);
    kernel.orders.onAccepted(modify.clientId);
    kernel.bookFill(modify.clientId, "buy", modify.price, 0.5, "maker", 1_200);
    expect(kernel.lastFillReferenceMid).toBe(101);
  });

  it("measures a taker exit from the mid the driver priced it from, or the mark", () => {
    const kernel = warmKernel();
    kernel.bookFill(0, "sell", 99.9, 1, "taker", 0, 100);
    expect(kernel.ledger.spreadUsd).toBeCloseTo(-(100 - 99.9), 12);
    kernel.mark(102);
    kernel.bookFill(0, "buy", 102.1, 1, "taker", 1);
    expect(kernel.lastFillReferenceMid).toBe(102);
  });

  it("keeps total = spread + inventory − fees + funding equal to the position ledger's total", () => {
    const kernel = warmKernel();
    kernel.bookFill(0, "buy", 99.95, 2, "maker", 0, 100);
    kernel.mark(100.4);
    kernel.applyFunding(0.0001);
    kernel.bookFill(0, "sell", 100.5, 1, "maker", 1, 100.4);
    kernel.mark(99.7);
    const pnl = kernel.pnl();
    expect(pnl.totalUsd).toBeCloseTo(kernel.ledger.inventory.totalPnlUsd(99.7), 10);
    expect(pnl.fundingUsd).toBeCloseTo(-2 * 100.4 * 0.0001, 12);
  });

  it("asks for a cut back to the soft limit beyond the hard limit and quotes reduce-only meanwhile", () => {
    const kernel = warmKernel({ maxPositionUsd: 500, hardLimitMultiple: 1.5 });
    kernel.bookFill(0, "buy", 100, 8, "maker", 0, 100); // $800 > $750
    expect(kernel.exitSize()).toBeCloseTo(-3, 12);
    expect(kernel.effectiveRiskMode()).toBe("reduce-only");
    const { sink, actions } = recordingSink();
    kernel.decide(0, sink);
    expect(actions.map((a) => a.side)).toEqual(["sell"]);
  });

  it("flattens the whole position on a halt by default, holds it with onHalt hold", () => {
    const flatten = warmKernel();
    flatten.bookFill(0, "buy", 100, 2, "maker", 0, 100);
    expect(flatten.exitSize()).toBe(0);
    flatten.setRiskMode("halt");
    expect(flatten.exitSize()).toBe(-2);
    const { sink, actions } = recordingSink();
    flatten.decide(0, sink);
    expect(actions).toEqual([]);

    const hold = warmKernel({ onHalt: "hold" });
    hold.bookFill(0, "buy", 100, 2, "maker", 0, 100);
    hold.setRiskMode("halt");
    expect(hold.exitSize()).toBe(0);
  });

  it("accounts the PnL made while halted and the largest position carried", () => {
    const kernel = warmKernel({ onHalt: "hold" });
    kernel.bookFill(0, "buy", 100, 2, "maker", 0, 100);
    kernel.mark(101); // +2 before the halt
    kernel.setRiskMode("halt");
    kernel.mark(98); // −6 while halted
    expect(kernel.haltAccounting()).toEqual({ halts: 1, whileHaltedUsd: -6, maxPositionWhileHaltedUsd: 202 });
    kernel.setRiskMode("allow");
    kernel.mark(99); // +2 after: not counted
    kernel.setRiskMode("halt");
    kernel.mark(99.5); // +1
    const halt = kernel.haltAccounting();
    expect(halt.halts).toBe(2);
    expect(halt.whileHaltedUsd).toBeCloseTo(-5, 12);
  });

  it("hands the risk engine its inputs", () => {
    const kernel = warmKernel();
    kernel.bookFill(0, "buy", 100, 1, "maker", 0, 100);
    kernel.mark(100.5);
    const inputs = kernel.riskInputs(60_000);
    expect(inputs).toMatchObject({ timeMs: 60_000, positionSize: 1, markPrice: 100.5 });
    expect(inputs.equityUsd).toBeCloseTo(0.5 - 100 * 0.00015, 12);
  });
});
