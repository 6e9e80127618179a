import type { Fill, Liquidity, Side } from "@botmm/core";
import { Inventory } from "@botmm/inventory";
import type { StrategyConfig } from "./config.ts";

/**
 * The one definition of the PnL split, kept by every driver's kernel (candles, replay, paper, live): the position ledger (`Inventory`: realized, unrealized, signed fees,
 * funding) plus spread capture (each fill against the mid it was priced from) and inventory PnL (the position
 * marked from mid to mid). Kept apart so that `spread + inventory − fees + funding` can be checked against the
 * ledger's own total.
 *
 * @example
 * ```ts
 * const ledger = new PnlLedger({ coin: "ETH", maxPositionUsd: 500, makerFee: 0.00015, takerFee: 0.00045 });
 * ledger.recordFill("buy", 99.98, 1, "maker", 100, 100, 0); // fee 0.014997; spread +0.02
 * ledger.markHeld(100, 100.5); // inventory +0.5
 * ledger.spreadUsd + ledger.inventoryUsd - ledger.inventory.netFeesUsd; // = ledger.inventory.totalPnlUsd(100.5)
 * ```
 */
export class PnlLedger {
  readonly inventory: Inventory;
  // Both start at −0 and the constructor sets them to 0: a field whose first value is a small integer holds
  // every later number as a new heap object (one a bar for the mark), one whose first value is a double is
  // updated in place.
  /** Σ side × (reference mid − fill price) × size, USD. */
  spreadUsd = -0;
  /** Mark-to-market of the position from each fill's reference mid onwards, USD. */
  inventoryUsd = -0;
  readonly #makerFee: number;
  readonly #takerFee: number;
  readonly #fill: Fill;

  /**
   * `inventory`: a position ledger to continue (a restarted live bot restores it from its journal); its coin
   * must be `coin`. Restore `spreadUsd` and `inventoryUsd` alongside it (both are plain fields).
   */
  constructor(options: {
    coin: string;
    maxPositionUsd: number;
    makerFee: number;
    takerFee: number;
    inventory?: Inventory;
  }) {
    if (options.inventory !== undefined && options.inventory.coin !== options.coin)
      throw new RangeError(
        `PnlLedger: the inventory to continue is of ${options.inventory.coin}, expected ${options.coin}`,
      );
    this.inventory =
      options.inventory ?? new Inventory({ coin: options.coin, maxPositionUsd: options.maxPositionUsd });
    this.spreadUsd = 0;
    this.inventoryUsd = 0;
    this.#makerFee = options.makerFee;
    this.#takerFee = options.takerFee;
    this.#fill = {
      clientId: null,
      venueOrderId: null,
      tradeId: "",
      coin: options.coin,
      side: "buy",
      price: 0,
      size: 0,
      fee: 0,
      liquidity: "maker",
      time: 0,
    };
  }

  /**
   * A ledger for `coin` with a strategy's position limit and fees: what both simulators keep.
   *
   * @example
   * ```ts
   * const ledger = PnlLedger.forStrategy("BTC", parseStrategyConfig());
   * ```
   */
  static forStrategy(
    coin: string,
    config: Pick<StrategyConfig, "maxPositionUsd" | "makerFee" | "takerFee">,
    inventory?: Inventory,
  ): PnlLedger {
    return new PnlLedger({
      coin,
      maxPositionUsd: config.maxPositionUsd,
      makerFee: config.makerFee,
      takerFee: config.takerFee,
      ...(inventory === undefined ? {} : { inventory }),
    });
  }

  /**
   * Books one fill and returns its fee (USD, signed as a cost). The fill's units are marked from
   * `referenceMid` to `markPrice` (the mark of this moment); {@link PnlLedger.markHeld} marks them onwards.
   * `feeUsd`: the fee the venue charged, when it says (live); otherwise the strategy's rate for `liquidity`.
   *
   * @example
   * ```ts
   * const feeUsd = ledger.recordFill("sell", 100.02, 1, "maker", 100, 100, 60_000);
   * ```
   */
  recordFill(
    side: Side,
    price: number,
    size: number,
    liquidity: Liquidity,
    referenceMid: number,
    markPrice: number,
    timeMs: number,
    venueFeeUsd = Number.NaN,
  ): number {
    const feeUsd = Number.isFinite(venueFeeUsd)
      ? venueFeeUsd
      : (liquidity === "maker" ? this.#makerFee : this.#takerFee) * price * size;
    const fill = this.#fill;
    fill.side = side;
    fill.price = price;
    fill.size = size;
    fill.fee = feeUsd;
    fill.liquidity = liquidity;
    fill.time = timeMs;
    this.inventory.applyFill(fill);
    const sign = side === "buy" ? 1 : -1;
    this.spreadUsd += sign * (referenceMid - price) * size;
    this.inventoryUsd += sign * size * (markPrice - referenceMid);
    return feeUsd;
  }

  /**
   * Marks the position held from one mark to the next (call before booking the fills at the new mark).
   *
   * @example
   * ```ts
   * ledger.markHeld(previousClose, close);
   * ```
   */
  markHeld(fromPrice: number, toPrice: number): void {
    this.inventoryUsd += this.inventory.size * (toPrice - fromPrice);
  }
}
