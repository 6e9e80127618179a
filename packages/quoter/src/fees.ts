import { invalidInput, NON_NEGATIVE, POSITIVE, unusableQuote } from "./errors.ts";

/** 1 bp = 0.0001 (the same value as the exported `BPS_PER_UNIT`; local so hot paths read no import). */
const BPS_PER_UNIT = 10_000;

// Sign convention, everywhere in this file: makerFeeFraction > 0 is a COST you pay (Hyperliquid tier 0:
// +0.00015 = 1.5 bps), makerFeeFraction < 0 is a REBATE you receive. Fees are charged on the fill's notional.

/** |makerFeeFraction| must stay below 1% — catches bps or percent passed as a fraction (1.5 or 0.015). */
const MAX_ABS_FEE_FRACTION = 0.01;

function checkFee(makerFeeFraction: number): void {
  if (!(Number.isFinite(makerFeeFraction) && Math.abs(makerFeeFraction) < MAX_ABS_FEE_FRACTION)) {
    throw invalidInput(
      "makerFeeFraction",
      "a finite fraction in (-0.01, 0.01), positive = cost, negative = rebate (0.00015 = 1.5 bps)",
      makerFeeFraction,
    );
  }
}

/** Inputs of {@link minHalfSpreadBps}. */
export interface FeeFloorInput {
  /** Maker fee as a fraction of notional: > 0 = cost (0.00015 = 1.5 bps), < 0 = rebate. |fee| < 0.01. */
  readonly makerFeeFraction: number;
  /** Extra edge each fill must keep after its fee, in bps of the mid (≥ 0, default 0). */
  readonly marginBps?: number;
}

/**
 * The smallest half spread, in bps of the mid, at which a maker fill — marked to the mid — pays its own fee
 * plus `marginBps`. A fill at distance h from mid m costs fee × (m ± h) (the fee is on the fill price), so on
 * the side where the fill price is the larger (the ask for a cost, the bid for a rebate):
 * `h / m ≥ (fee + margin) / (1 − |fee|)`. Never below 0: a rebate larger than the margin gives 0, not a
 * negative spread.
 *
 * @throws {QuoterInputError} `INVALID_INPUT` if the fee is not a fraction in (−0.01, 0.01) or the margin < 0
 * @example
 * ```ts
 * import { minHalfSpreadBps } from "@botmm/quoter";
 * minHalfSpreadBps({ makerFeeFraction: 0.00015, marginBps: 0.5 }); // (1.5 + 0.5) / 0.99985 = 2.0003 bps
 * minHalfSpreadBps({ makerFeeFraction: -0.0001 }); // rebate: 0
 * ```
 */
export function minHalfSpreadBps(input: FeeFloorInput): number {
  const fee = input.makerFeeFraction;
  const marginBps = input.marginBps ?? 0;
  checkFee(fee);
  if (!(Number.isFinite(marginBps) && marginBps >= 0))
    throw invalidInput("marginBps", NON_NEGATIVE, marginBps);
  const needed = fee + marginBps / BPS_PER_UNIT;
  return needed > 0 ? (needed / (1 - Math.abs(fee))) * BPS_PER_UNIT : 0;
}

/**
 * {@link minHalfSpreadBps} in price units at a given mid: `midPrice × minHalfSpreadBps / 10 000`.
 *
 * @throws {QuoterInputError} `INVALID_INPUT` for a field out of its domain
 * @example
 * ```ts
 * import { minHalfSpreadPrice } from "@botmm/quoter";
 * minHalfSpreadPrice({ midPrice: 100_000, makerFeeFraction: 0.00015 }); // 15.002… (USD)
 * ```
 */
export function minHalfSpreadPrice(input: FeeFloorInput & { readonly midPrice: number }): number {
  if (!(Number.isFinite(input.midPrice) && input.midPrice > 0))
    throw invalidInput("midPrice", POSITIVE, input.midPrice);
  return (input.midPrice * minHalfSpreadBps(input)) / BPS_PER_UNIT;
}

/** Inputs of {@link canPayRoundTrip}. */
export interface RoundTripInput {
  /** Best bid (or your bid) in quote currency (> 0). */
  readonly bidPrice: number;
  /** Best ask (or your ask) in quote currency (≥ bidPrice). */
  readonly askPrice: number;
  /** Maker fee as a fraction of notional: > 0 = cost, < 0 = rebate. |fee| < 0.01. */
  readonly makerFeeFraction: number;
  /** Edge the round trip must keep after both fees, in bps of the mid (≥ 0, default 0). */
  readonly marginBps?: number;
}

/**
 * The spread between a bid and an ask, in bps of their mid: `(ask − bid) / ((ask + bid) / 2) × 10 000`.
 *
 * @throws {QuoterInputError} `INVALID_INPUT` unless 0 < bid ≤ ask, finite
 * @example
 * ```ts
 * import { spreadBps } from "@botmm/quoter";
 * spreadBps(99.99, 100.01); // 2 bps
 * ```
 */
export function spreadBps(bidPrice: number, askPrice: number): number {
  if (!(Number.isFinite(bidPrice) && bidPrice > 0)) throw invalidInput("bidPrice", POSITIVE, bidPrice);
  if (!(Number.isFinite(askPrice) && askPrice > 0)) throw invalidInput("askPrice", POSITIVE, askPrice);
  if (askPrice < bidPrice) throw invalidInput("askPrice", `>= bidPrice (${bidPrice})`, askPrice);
  return ((askPrice - bidPrice) / ((askPrice + bidPrice) / 2)) * BPS_PER_UNIT;
}

/**
 * Does this spread pay a maker round trip? Buying at the bid and selling at the ask, both as maker, earns
 * `ask − bid − fee × (ask + bid)`; it pays when that is at least `margin × mid`, which is exactly
 * `spreadBps ≥ 2 × fee (bps) + marginBps`. With Hyperliquid's tier-0 maker fee (+1.5 bps) a market spread
 * must be ≥ 3 bps; on BTC that held in well under 1% of snapshots of the checked hour (lessons.md).
 *
 * @throws {QuoterInputError} `INVALID_INPUT` for a field out of its domain
 * @example
 * ```ts
 * import { canPayRoundTrip } from "@botmm/quoter";
 * canPayRoundTrip({ bidPrice: 99.99, askPrice: 100.01, makerFeeFraction: 0.00015 }); // false: 2 bps < 3 bps
 * canPayRoundTrip({ bidPrice: 99.98, askPrice: 100.02, makerFeeFraction: 0.00015 }); // true: 4 bps ≥ 3 bps
 * ```
 */
export function canPayRoundTrip(input: RoundTripInput): boolean {
  const fee = input.makerFeeFraction;
  const marginBps = input.marginBps ?? 0;
  checkFee(fee);
  if (!(Number.isFinite(marginBps) && marginBps >= 0))
    throw invalidInput("marginBps", NON_NEGATIVE, marginBps);
  return spreadBps(input.bidPrice, input.askPrice) >= 2 * fee * BPS_PER_UNIT + marginBps;
}

/** Inputs of {@link widenToFeeFloor}. */
export interface WidenToFeeFloorInput extends FeeFloorInput {
  /** The mid the floor is measured from (the market mid, not your reservation price), > 0. */
  readonly midPrice: number;
  /** Proposed bid (> 0, < askPrice). */
  readonly bidPrice: number;
  /** Proposed ask. */
  readonly askPrice: number;
}

/** Result of {@link widenToFeeFloor}. */
export interface WidenedQuotes {
  /** min(bid, mid − floor). */
  readonly bidPrice: number;
  /** max(ask, mid + floor). */
  readonly askPrice: number;
  /** True when either side moved. */
  readonly widened: boolean;
}

/**
 * Pushes each side of a quote pair out to at least {@link minHalfSpreadPrice} from the mid, so no fill is
 * priced below its maker fee plus margin. Sides already outside the floor are left alone; a skewed quote keeps
 * its skew where it can (only the side inside the floor moves).
 *
 * @throws {QuoterInputError} `INVALID_INPUT` for a field out of its domain; `INFEASIBLE` if the widened bid ≤ 0
 * @example
 * ```ts
 * import { widenToFeeFloor } from "@botmm/quoter";
 * // floor = 100 × 1.50023 bps = 0.0150023: the bid is already further out, the ask moves out
 * widenToFeeFloor({ midPrice: 100, bidPrice: 99.98, askPrice: 100.01, makerFeeFraction: 0.00015 });
 * // { bidPrice: 99.98, askPrice: 100.0150023, widened: true }
 * ```
 */
export function widenToFeeFloor(input: WidenToFeeFloorInput): WidenedQuotes {
  const mid = input.midPrice;
  const bid = input.bidPrice;
  const ask = input.askPrice;
  if (!(Number.isFinite(mid) && mid > 0)) throw invalidInput("midPrice", POSITIVE, mid);
  if (!(Number.isFinite(bid) && bid > 0)) throw invalidInput("bidPrice", POSITIVE, bid);
  if (!(Number.isFinite(ask) && ask > 0)) throw invalidInput("askPrice", POSITIVE, ask);
  if (!(bid < ask)) throw invalidInput("bidPrice", `< askPrice (${ask})`, bid);
  const floor = (mid * minHalfSpreadBps(input)) / BPS_PER_UNIT;
  const floorBid = mid - floor;
  const floorAsk = mid + floor;
  const bidPrice = Math.min(bid, floorBid);
  const askPrice = Math.max(ask, floorAsk);
  if (!(bidPrice > 0 && bidPrice < askPrice && askPrice < Number.POSITIVE_INFINITY))
    throw unusableQuote(bidPrice, askPrice);
  return { bidPrice, askPrice, widened: bidPrice !== bid || askPrice !== ask };
}
