import { describe, expect, it } from "vitest";
import { PnlLedger } from "./pnl-ledger.ts";

describe("PnlLedger", () => {
  it("splits PnL into spread and inventory that add up to the ledger's total with fees", () => {
    const ledger = new PnlLedger({ coin: "ETH", maxPositionUsd: 500, makerFee: 0.00015, takerFee: 0.00045 });
    // Buy 1 at 99.98 priced from a 100 mid (spread +0.02), marked at 100 (inventory 0).
    expect(ledger.recordFill("buy", 99.98, 1, "maker", 100, 100, 0)).toBeCloseTo(0.00015 * 99.98, 15);
    ledger.markHeld(100, 100.5); // +0.5 on the held unit
    // Sell it as a taker at 100.4 from a 100.5 mid: spread −0.1, fee 0.00045 × 100.4.
    ledger.recordFill("sell", 100.4, 1, "taker", 100.5, 100.5, 1);
    expect(ledger.spreadUsd).toBeCloseTo(0.02 - 0.1, 12);
    expect(ledger.inventoryUsd).toBeCloseTo(0.5, 12);
    const fees = 0.00015 * 99.98 + 0.00045 * 100.4;
    expect(ledger.inventory.netFeesUsd).toBeCloseTo(fees, 12);
    expect(ledger.spreadUsd + ledger.inventoryUsd - fees).toBeCloseTo(
      ledger.inventory.totalPnlUsd(100.5),
      12,
    );
  });
});
