import type { Instrument } from "@botmm/core";
import { Inventory } from "@botmm/inventory";
import { CoinKernel, type StrategyConfig } from "@botmm/strategy";
import type { Journal } from "./journal.ts";

/** The PnL split a restart continues from (journal state `pnl:<coin>`). */
interface SavedPnl {
  spreadUsd?: number;
  inventoryUsd?: number;
  /** The last mark: the position held is marked from it to the first mid after the restart. */
  markPrice?: number;
}

/**
 * Writes what a restart continues from: the kernel's position ledger (`inventory:<coin>`), its PnL split and
 * last mark (`pnl:<coin>`). Call inside a journal transaction.
 *
 * @example
 * ```ts
 * journal.transaction(() => writeKernelState(journal, kernel));
 * ```
 */
export function writeKernelState(journal: Journal, kernel: CoinKernel): void {
  const ledger = kernel.ledger;
  journal.setState(`inventory:${kernel.coin}`, ledger.inventory.toJSON());
  const saved: SavedPnl = { spreadUsd: ledger.spreadUsd, inventoryUsd: ledger.inventoryUsd };
  if (kernel.markPrice > 0) saved.markPrice = kernel.markPrice;
  journal.setState(`pnl:${kernel.coin}`, saved);
}

/**
 * A coin's kernel, continuing the journal's position ledger and PnL split (fresh when the journal has none).
 * A journal of an earlier version kept only the spread: the position is then taken as marked at its entry
 * price, so the total PnL is the position ledger's own.
 *
 * @example
 * ```ts
 * const kernel = restoreKernel(journal, config.strategy, btc, 1_000_000);
 * kernel.positionSize; // the position of the last run
 * ```
 */
export function restoreKernel(
  journal: Journal,
  strategy: StrategyConfig,
  instrument: Instrument,
  firstClientId: number,
): CoinKernel {
  const coin = instrument.coin;
  const savedInventory = journal.getState(`inventory:${coin}`);
  if (savedInventory === undefined) return new CoinKernel(strategy, instrument, { firstClientId });
  const inventory = Inventory.fromSnapshot(savedInventory, { maxPositionUsd: strategy.maxPositionUsd });
  const kernel = new CoinKernel(strategy, instrument, { firstClientId, inventory });
  const saved = (journal.getState(`pnl:${coin}`) ?? {}) as SavedPnl;
  const ledger = kernel.ledger;
  ledger.spreadUsd = typeof saved.spreadUsd === "number" ? saved.spreadUsd : 0;
  if (typeof saved.inventoryUsd === "number") {
    ledger.inventoryUsd = saved.inventoryUsd;
    if (typeof saved.markPrice === "number") kernel.mark(saved.markPrice);
  } else {
    const entry = inventory.size !== 0 && inventory.entryPrice > 0 ? inventory.entryPrice : 0;
    ledger.inventoryUsd =
      inventory.totalPnlUsd(entry) - ledger.spreadUsd + inventory.netFeesUsd - inventory.fundingPnlUsd;
    if (entry > 0) kernel.mark(entry);
  }
  return kernel;
}
