import type { Fill, Position } from "@botmm/core";
import { describeValue, InventoryInputError, invalidPrice, invalidRate, invalidSize } from "./errors.ts";
import { INVENTORY_SNAPSHOT_VERSION, type InventorySnapshot, parseInventorySnapshot } from "./snapshot.ts";

/**
 * A reduction that leaves less than this fraction of the old position open closes it exactly, so float
 * residue such as `0.3 − 0.1 − 0.2` never leaves a dust position with a stale entry price.
 */
const DUST_FRACTION = 1e-10;

/** Options of a new {@link Inventory}. */
export interface InventoryOptions {
  /** The coin this ledger tracks; fills for another coin are refused. */
  coin: string;
  /** The position notional (USD) at which {@link Inventory.skew} reaches ±1. */
  maxPositionUsd: number;
}

/** Optional replacements when restoring a snapshot (e.g. a limit changed in the config between runs). */
export interface RestoreOverrides {
  maxPositionUsd?: number;
}

/**
 * PnL of a ledger at one mark price, in quote currency (USD).
 * `totalPnlUsd = realizedPnlUsd + unrealizedPnlUsd − netFeesUsd + fundingPnlUsd`.
 */
export interface InventoryTotals {
  markPrice: number;
  /** Price PnL realized by reductions, closes and flips (before fees and funding). */
  realizedPnlUsd: number;
  /** `size × (markPrice − entryPrice)`. */
  unrealizedPnlUsd: number;
  /** Fees paid (≥ 0). */
  feesPaidUsd: number;
  /** Rebates received (≥ 0). */
  rebatesUsd: number;
  /** `feesPaidUsd − rebatesUsd`, signed as a cost: positive = net paid. Subtracted from the total. */
  netFeesUsd: number;
  /** Funding received (+) or paid (−). Added to the total. */
  fundingPnlUsd: number;
  totalPnlUsd: number;
}

/**
 * A perp position ledger for one coin, built from fills: signed size, average entry price, realized PnL on
 * reductions / closes / flips, fees (paid and rebates apart), funding, traded volume, and PnL, notional and
 * skew at a mark price.
 *
 * Sign conventions: `size > 0` is long. `Fill.fee` is a cost (positive = paid, negative = rebate received).
 * Funding PnL is positive when received; a positive funding rate makes longs pay shorts (Hyperliquid).
 * `total = realized + unrealized − netFees + funding`.
 *
 * Updates are O(1) and allocate nothing, so the backtester can apply millions of fills and marks. The state is
 * plain data: `JSON.stringify(inventory)` writes it and {@link Inventory.fromSnapshot} restores it.
 *
 * @example
 * ```ts
 * const inventory = new Inventory({ coin: "BTC", maxPositionUsd: 10_000 });
 * inventory.applyFill({ ...fill, side: "buy", price: 100, size: 2, fee: 0.03 });
 * inventory.applyFill({ ...fill, side: "sell", price: 110, size: 1, fee: 0.0165 });
 * inventory.realizedPnlUsd; // 10
 * inventory.unrealizedPnlUsd(105); // 5
 * inventory.totalPnlUsd(105); // 10 + 5 − 0.0465 = 14.9535
 * ```
 */
export class Inventory {
  /** The coin this ledger tracks. */
  readonly coin: string;
  /** The position notional (USD) at which {@link Inventory.skew} reaches ±1. */
  readonly maxPositionUsd: number;

  #size = 0;
  #entryPrice = 0;
  #realizedPnlUsd = 0;
  #feesPaidUsd = 0;
  #rebatesUsd = 0;
  #fundingPnlUsd = 0;
  #volumeUsd = 0;
  #volumeBase = 0;
  #makerVolumeUsd = 0;
  #takerVolumeUsd = 0;
  #makerVolumeBase = 0;
  #takerVolumeBase = 0;
  #buyCount = 0;
  #sellCount = 0;

  /**
   * A flat ledger for `coin`.
   *
   * @example
   * ```ts
   * const inventory = new Inventory({ coin: "ETH", maxPositionUsd: 5_000 });
   * inventory.size; // 0
   * ```
   */
  constructor(options: InventoryOptions) {
    if (typeof options.coin !== "string" || options.coin.length === 0) {
      throw new InventoryInputError(
        "INVALID_OPTION",
        "coin",
        `coin must be a non-empty string, got ${describeValue(options.coin)}`,
      );
    }
    if (!(options.maxPositionUsd > 0 && options.maxPositionUsd < Number.POSITIVE_INFINITY)) {
      throw new InventoryInputError(
        "INVALID_OPTION",
        "maxPositionUsd",
        `maxPositionUsd must be a finite number > 0, got ${describeValue(options.maxPositionUsd)}`,
      );
    }
    this.coin = options.coin;
    this.maxPositionUsd = options.maxPositionUsd;
  }

  /**
   * Restores a ledger from {@link Inventory.toJSON} output (or its `JSON.parse`d text). Validates every field
   * and throws {@link InventoryInputError} `INVALID_SNAPSHOT` naming the first bad one.
   *
   * @example
   * ```ts
   * const saved = JSON.stringify(inventory);
   * const restored = Inventory.fromSnapshot(JSON.parse(saved));
   * restored.totalPnlUsd(mark) === inventory.totalPnlUsd(mark); // true
   * ```
   */
  static fromSnapshot(snapshot: unknown, overrides: RestoreOverrides = {}): Inventory {
    const state = parseInventorySnapshot(snapshot);
    const inventory = new Inventory({
      coin: state.coin,
      maxPositionUsd: overrides.maxPositionUsd ?? state.maxPositionUsd,
    });
    inventory.#size = state.size;
    inventory.#entryPrice = state.entryPrice;
    inventory.#realizedPnlUsd = state.realizedPnlUsd;
    inventory.#feesPaidUsd = state.feesPaidUsd;
    inventory.#rebatesUsd = state.rebatesUsd;
    inventory.#fundingPnlUsd = state.fundingPnlUsd;
    inventory.#volumeUsd = state.volumeUsd;
    inventory.#volumeBase = state.volumeBase;
    inventory.#makerVolumeUsd = state.makerVolumeUsd;
    inventory.#takerVolumeUsd = state.takerVolumeUsd;
    inventory.#makerVolumeBase = state.makerVolumeBase;
    inventory.#takerVolumeBase = state.takerVolumeBase;
    inventory.#buyCount = state.buyCount;
    inventory.#sellCount = state.sellCount;
    return inventory;
  }

  /** Signed position in base units: > 0 long, < 0 short, 0 flat. */
  get size(): number {
    return this.#size;
  }

  /** Average entry price of the open position; 0 when flat. */
  get entryPrice(): number {
    return this.#entryPrice;
  }

  /** Price PnL realized so far by reductions, closes and flips (USD), before fees and funding. */
  get realizedPnlUsd(): number {
    return this.#realizedPnlUsd;
  }

  /** Fees paid so far (USD, ≥ 0): the sum of the positive `Fill.fee`s. */
  get feesPaidUsd(): number {
    return this.#feesPaidUsd;
  }

  /** Rebates received so far (USD, ≥ 0): minus the sum of the negative `Fill.fee`s. */
  get rebatesUsd(): number {
    return this.#rebatesUsd;
  }

  /** Net fees (USD) signed as a cost: `feesPaidUsd − rebatesUsd`; positive = net paid. */
  get netFeesUsd(): number {
    return this.#feesPaidUsd - this.#rebatesUsd;
  }

  /** Funding PnL so far (USD): positive = received, negative = paid. */
  get fundingPnlUsd(): number {
    return this.#fundingPnlUsd;
  }

  /** Traded volume in USD: Σ price × size over all fills. */
  get volumeUsd(): number {
    return this.#volumeUsd;
  }

  /** Traded volume in base units: Σ size over all fills. */
  get volumeBase(): number {
    return this.#volumeBase;
  }

  /** USD volume of fills that added liquidity. */
  get makerVolumeUsd(): number {
    return this.#makerVolumeUsd;
  }

  /** USD volume of fills that took liquidity. */
  get takerVolumeUsd(): number {
    return this.#takerVolumeUsd;
  }

  /** Base volume of fills that added liquidity. */
  get makerVolumeBase(): number {
    return this.#makerVolumeBase;
  }

  /** Base volume of fills that took liquidity. */
  get takerVolumeBase(): number {
    return this.#takerVolumeBase;
  }

  /** Number of buy fills. */
  get buyCount(): number {
    return this.#buyCount;
  }

  /** Number of sell fills. */
  get sellCount(): number {
    return this.#sellCount;
  }

  /**
   * Applies one own fill: updates size and average entry, realizes PnL on the reduced part (a flip realizes
   * the closed part and opens the rest at the fill price), books the fee (positive = paid, negative = rebate)
   * and the volume. O(1), allocates nothing. Throws {@link InventoryInputError} naming the field for a coin
   * other than the ledger's, an unknown side or liquidity, a non-finite or non-positive price or size, or a
   * non-finite fee; the ledger is unchanged when it throws.
   *
   * @example
   * ```ts
   * inventory.applyFill({ ...fill, side: "buy", price: 100, size: 2, fee: 0.03, liquidity: "maker" });
   * inventory.size; // 2
   * inventory.entryPrice; // 100
   * ```
   */
  applyFill(fill: Fill): void {
    const { side, price, size, fee, liquidity } = fill;
    if (fill.coin !== this.coin) {
      throw new InventoryInputError(
        "COIN_MISMATCH",
        "fill.coin",
        `fill.coin must be ${JSON.stringify(this.coin)} (this ledger's coin), got ${describeValue(fill.coin)}`,
      );
    }
    let direction: number;
    if (side === "buy") direction = 1;
    else if (side === "sell") direction = -1;
    else {
      throw new InventoryInputError(
        "INVALID_SIDE",
        "fill.side",
        `fill.side must be "buy" or "sell", got ${describeValue(side)}`,
      );
    }
    if (!(price > 0 && price < Number.POSITIVE_INFINITY)) throw invalidPrice("fill.price", price);
    if (!(size > 0 && size < Number.POSITIVE_INFINITY)) throw invalidSize("fill.size", size);
    if (!(fee > Number.NEGATIVE_INFINITY && fee < Number.POSITIVE_INFINITY)) {
      throw new InventoryInputError(
        "INVALID_FEE",
        "fill.fee",
        `fill.fee must be a finite number (quote currency, positive = paid, negative = rebate), got ${describeValue(fee)}`,
      );
    }
    const notionalUsd = price * size;
    if (liquidity === "maker") {
      this.#makerVolumeUsd += notionalUsd;
      this.#makerVolumeBase += size;
    } else if (liquidity === "taker") {
      this.#takerVolumeUsd += notionalUsd;
      this.#takerVolumeBase += size;
    } else {
      throw new InventoryInputError(
        "INVALID_LIQUIDITY",
        "fill.liquidity",
        `fill.liquidity must be "maker" or "taker", got ${describeValue(liquidity)}`,
      );
    }

    this.#volumeUsd += notionalUsd;
    this.#volumeBase += size;
    if (direction > 0) this.#buyCount++;
    else this.#sellCount++;
    if (fee >= 0) this.#feesPaidUsd += fee;
    else this.#rebatesUsd -= fee;

    const oldSize = this.#size;
    if (oldSize === 0 || oldSize > 0 === direction > 0) {
      // Open or add: the entry becomes the size-weighted average.
      const oldAbs = oldSize > 0 ? oldSize : -oldSize;
      const newAbs = oldAbs + size;
      this.#entryPrice = oldSize === 0 ? price : (oldAbs * this.#entryPrice + size * price) / newAbs;
      this.#size = direction * newAbs;
      return;
    }

    // Reduce, close or flip: realize the closed part against the average entry.
    const oldAbs = oldSize > 0 ? oldSize : -oldSize;
    const oldSign = oldSize > 0 ? 1 : -1;
    const leftover = size - oldAbs; // < 0 reduce, 0 close, > 0 flip
    const dust = DUST_FRACTION * oldAbs;
    if (leftover < -dust) {
      this.#realizedPnlUsd += oldSign * size * (price - this.#entryPrice);
      this.#size = oldSize + direction * size;
      return;
    }
    this.#realizedPnlUsd += oldSign * oldAbs * (price - this.#entryPrice);
    if (leftover > dust) {
      this.#size = direction * leftover;
      this.#entryPrice = price;
    } else {
      this.#size = 0;
      this.#entryPrice = 0;
    }
  }

  /**
   * Books one funding payment: `payment = −size × markPrice × rate`, added to {@link Inventory.fundingPnlUsd}
   * and returned (USD, positive = received). A positive `rate` means longs pay shorts (Hyperliquid); `rate`
   * is the fraction for this one interval. A flat position pays and receives nothing.
   *
   * @example
   * ```ts
   * // long 2 at a mark of 100, rate +0.01% for the hour
   * inventory.applyFunding(0.0001, 100); // -0.02 (the long pays)
   * ```
   */
  applyFunding(rate: number, markPrice: number): number {
    if (!(rate > Number.NEGATIVE_INFINITY && rate < Number.POSITIVE_INFINITY))
      throw invalidRate("rate", rate);
    if (!(markPrice > 0 && markPrice < Number.POSITIVE_INFINITY)) throw invalidPrice("markPrice", markPrice);
    const size = this.#size;
    if (size === 0) return 0;
    const paymentUsd = -size * markPrice * rate;
    this.#fundingPnlUsd += paymentUsd;
    return paymentUsd;
  }

  /**
   * Books a funding payment exactly as the venue reported it (USD, positive = received, negative = paid),
   * for live trading where the venue computes the amount. Backtests use {@link Inventory.applyFunding}.
   *
   * @example
   * ```ts
   * inventory.recordFundingPayment(-0.0125); // the venue charged the long 1.25 cents
   * inventory.fundingPnlUsd; // -0.0125
   * ```
   */
  recordFundingPayment(paymentUsd: number): void {
    if (!(paymentUsd > Number.NEGATIVE_INFINITY && paymentUsd < Number.POSITIVE_INFINITY)) {
      throw new InventoryInputError(
        "INVALID_RATE",
        "paymentUsd",
        `paymentUsd must be a finite number, got ${describeValue(paymentUsd)}`,
      );
    }
    this.#fundingPnlUsd += paymentUsd;
  }

  /**
   * Unrealized PnL at `markPrice` (USD): `size × (markPrice − entryPrice)`; 0 when flat.
   *
   * @example
   * ```ts
   * // short 3 from 90
   * inventory.unrealizedPnlUsd(80); // 30
   * ```
   */
  unrealizedPnlUsd(markPrice: number): number {
    if (!(markPrice > 0 && markPrice < Number.POSITIVE_INFINITY)) throw invalidPrice("markPrice", markPrice);
    const size = this.#size;
    return size === 0 ? 0 : size * (markPrice - this.#entryPrice);
  }

  /**
   * Signed notional at `markPrice` (USD): `size × markPrice`, > 0 long, < 0 short.
   *
   * @example
   * ```ts
   * // long 2
   * inventory.notionalUsd(110); // 220
   * ```
   */
  notionalUsd(markPrice: number): number {
    if (!(markPrice > 0 && markPrice < Number.POSITIVE_INFINITY)) throw invalidPrice("markPrice", markPrice);
    return this.#size === 0 ? 0 : this.#size * markPrice;
  }

  /**
   * Inventory skew in [−1, 1]: `clamp(notionalUsd(markPrice) / maxPositionUsd, −1, 1)`. +1 = at or over the
   * long limit, −1 = at or over the short limit.
   *
   * @example
   * ```ts
   * // maxPositionUsd 1_000, long 2
   * inventory.skew(100); // 0.2
   * ```
   */
  skew(markPrice: number): number {
    const ratio = this.notionalUsd(markPrice) / this.maxPositionUsd;
    return Math.min(1, Math.max(-1, ratio));
  }

  /**
   * Total PnL at `markPrice` (USD): `realized + unrealized − netFees + funding`. Allocates nothing.
   *
   * @example
   * ```ts
   * inventory.totalPnlUsd(105); // realized + size × (105 − entry) − (paid − rebates) + funding
   * ```
   */
  totalPnlUsd(markPrice: number): number {
    return (
      this.#realizedPnlUsd +
      this.unrealizedPnlUsd(markPrice) -
      (this.#feesPaidUsd - this.#rebatesUsd) +
      this.#fundingPnlUsd
    );
  }

  /**
   * Every PnL component at `markPrice` as one object (for reports and logs; allocates).
   *
   * @example
   * ```ts
   * const { realizedPnlUsd, unrealizedPnlUsd, netFeesUsd, fundingPnlUsd, totalPnlUsd } = inventory.totals(105);
   * ```
   */
  totals(markPrice: number): InventoryTotals {
    const unrealizedPnlUsd = this.unrealizedPnlUsd(markPrice);
    const netFeesUsd = this.#feesPaidUsd - this.#rebatesUsd;
    return {
      markPrice,
      realizedPnlUsd: this.#realizedPnlUsd,
      unrealizedPnlUsd,
      feesPaidUsd: this.#feesPaidUsd,
      rebatesUsd: this.#rebatesUsd,
      netFeesUsd,
      fundingPnlUsd: this.#fundingPnlUsd,
      totalPnlUsd: this.#realizedPnlUsd + unrealizedPnlUsd - netFeesUsd + this.#fundingPnlUsd,
    };
  }

  /**
   * The position as the core domain type.
   *
   * @example
   * ```ts
   * inventory.position(); // { coin: "BTC", size: 2, entryPrice: 100 }
   * ```
   */
  position(): Position {
    return { coin: this.coin, size: this.#size, entryPrice: this.#entryPrice };
  }

  /**
   * The whole state as plain JSON-safe data; `JSON.stringify(inventory)` calls it.
   *
   * @example
   * ```ts
   * const text = JSON.stringify(inventory);
   * const restored = Inventory.fromSnapshot(JSON.parse(text));
   * ```
   */
  toJSON(): InventorySnapshot {
    return {
      version: INVENTORY_SNAPSHOT_VERSION,
      coin: this.coin,
      maxPositionUsd: this.maxPositionUsd,
      size: this.#size,
      entryPrice: this.#entryPrice,
      realizedPnlUsd: this.#realizedPnlUsd,
      feesPaidUsd: this.#feesPaidUsd,
      rebatesUsd: this.#rebatesUsd,
      fundingPnlUsd: this.#fundingPnlUsd,
      volumeUsd: this.#volumeUsd,
      volumeBase: this.#volumeBase,
      makerVolumeUsd: this.#makerVolumeUsd,
      takerVolumeUsd: this.#takerVolumeUsd,
      makerVolumeBase: this.#makerVolumeBase,
      takerVolumeBase: this.#takerVolumeBase,
      buyCount: this.#buyCount,
      sellCount: this.#sellCount,
    };
  }
}
