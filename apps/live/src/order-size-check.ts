import { floorToLot, type Instrument, lotStepOf } from "@botmm/core";

/**
 * What one order of `orderSizeUsd` is worth at `price` once its size is rounded down to the venue's lot, when
 * that is under the venue's minimum notional — the strategy then drops every quote of that size before it is
 * sent, so the bot would run without an order; null when the order is big enough (or the price is unknown).
 *
 * @example
 * ```ts
 * orderBelowMinimumNotional(binanceBtc, 100, 97_000); // 97: 0.001 BTC, under Binance's $100 minimum
 * orderBelowMinimumNotional(binanceBtc, 200, 97_000); // null: 0.002 BTC is $194
 * ```
 */
export function orderBelowMinimumNotional(
  instrument: Instrument,
  orderSizeUsd: number,
  price: number,
): number | null {
  if (!(price > 0) || !(instrument.minNotionalUsd > 0)) return null;
  const notional = floorToLot(orderSizeUsd / price, lotStepOf(instrument)) * price;
  return notional < instrument.minNotionalUsd ? notional : null;
}
