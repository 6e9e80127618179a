/** A position as the simulated venues keep it: signed size (negative = short) and average entry price. */
export interface SimPosition {
  size: number;
  entryPrice: number;
}

/** What one fill did to a position. */
export interface SimPositionChange {
  /** Size before the fill. */
  start: number;
  /** Size after it. */
  size: number;
  entryPrice: number;
  /** PnL realised by the part of the fill that closed the position, in quote. */
  closedPnl: number;
  /** Price × quantity of the fill, in quote. */
  notional: number;
  /** Fee of the fill at the rate given, in quote (positive = paid). */
  fee: number;
}

/** How {@link applyFillToPosition} reads sizes, and the fee rate of the fill. */
export interface SimFillOptions {
  /** Fee rate of this fill (maker or taker), as a fraction of notional; default 0. */
  feeRate?: number;
  /** Cleans a new size (e.g. rounds float noise away); integer lots need none. */
  normalize?(size: number): number;
  /** A size in base units, for PnL, notional and fee (e.g. lots → coins); default: sizes are base units. */
  baseQty?(size: number): number;
}

/**
 * Books a fill of `signedQty` (positive = bought) at `price` on a position: adding averages the entry price,
 * reducing keeps it and realises PnL on the closed part, flipping or opening starts at the fill's price, flat
 * resets it to 0; also answers the fill's notional and its fee at `options.feeRate`.
 *
 * @example
 * ```ts
 * applyFillToPosition({ size: 2, entryPrice: 100 }, -3, 110, { feeRate: 0.001 });
 * // { start: 2, size: -1, entryPrice: 110, closedPnl: 20, notional: 330, fee: 0.33 }
 * ```
 */
export function applyFillToPosition(
  position: SimPosition,
  signedQty: number,
  price: number,
  options: SimFillOptions = {},
): SimPositionChange {
  const start = position.size;
  let closedPnl = 0;
  if (start !== 0 && Math.sign(start) !== Math.sign(signedQty)) {
    const closing = Math.min(Math.abs(signedQty), Math.abs(start));
    closedPnl = (price - position.entryPrice) * (options.baseQty?.(closing) ?? closing) * Math.sign(start);
  }
  const size = options.normalize?.(start + signedQty) ?? start + signedQty;
  let entryPrice = position.entryPrice;
  if (size === 0) entryPrice = 0;
  else if (start === 0 || Math.sign(start) !== Math.sign(size)) entryPrice = price;
  else if (Math.sign(start) === Math.sign(signedQty)) {
    entryPrice = (position.entryPrice * Math.abs(start) + price * Math.abs(signedQty)) / Math.abs(size);
  }
  const notional = price * (options.baseQty?.(Math.abs(signedQty)) ?? Math.abs(signedQty));
  return { start, size, entryPrice, closedPnl, notional, fee: notional * (options.feeRate ?? 0) };
}
