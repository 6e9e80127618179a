import type { Side } from "@botmm/core";

/** Relative tolerance of the crossing test, so a price equal to the opposite best up to float noise crosses. */
const PRICE_EPSILON = 1e-9;

/**
 * The post-only rule every simulated venue applies (the replay, paper mode): whether an order at `price` would
 * take liquidity on arrival, i.e. a buy at or above the best ask, a sell at or below the best bid. An unknown
 * opposite side (NaN) never crosses.
 *
 * @example
 * ```ts
 * postOnlyCrosses("buy", 100.01, 100, 100.01); // true: it would lift the ask
 * postOnlyCrosses("sell", 100.01, 100, 100.01); // false: it joins the ask
 * ```
 */
export function postOnlyCrosses(side: Side, price: number, bestBid: number, bestAsk: number): boolean {
  return side === "buy" ? price >= bestAsk * (1 - PRICE_EPSILON) : price <= bestBid * (1 + PRICE_EPSILON);
}
