/**
 * The quotes a strategy wants resting, by side and level (0 = best). A size of 0 means "no order at that
 * level". Plain typed arrays so that a backtest can rewrite them every bar without allocating.
 */
export interface QuoteSet {
  readonly levels: number;
  readonly bidPrices: Float64Array;
  readonly bidSizes: Float64Array;
  readonly askPrices: Float64Array;
  readonly askSizes: Float64Array;
  /**
   * The mid these quotes were decided from (NaN until decided). Orders sent for them remember it, so every
   * fill's spread capture is measured against the mid it was priced from, in every driver.
   */
  referenceMid: number;
}

/**
 * Creates an empty {@link QuoteSet} with room for `levels` orders per side.
 *
 * @example
 * ```ts
 * const quotes = createQuoteSet(2);
 * quotes.bidPrices[0] = 99.9;
 * quotes.bidSizes[0] = 1;
 * ```
 */
export function createQuoteSet(levels: number): QuoteSet {
  if (!Number.isInteger(levels) || levels < 1)
    throw new RangeError(`levels must be an integer ≥ 1, got ${levels}`);
  return {
    levels,
    bidPrices: new Float64Array(levels),
    bidSizes: new Float64Array(levels),
    askPrices: new Float64Array(levels),
    askSizes: new Float64Array(levels),
    referenceMid: Number.NaN,
  };
}

/**
 * Clears every level of a {@link QuoteSet} (no quotes wanted).
 *
 * @example
 * ```ts
 * clearQuoteSet(quotes);
 * quotes.bidSizes[0]; // 0
 * ```
 */
export function clearQuoteSet(quotes: QuoteSet): void {
  for (let level = 0; level < quotes.levels; level++) {
    quotes.bidPrices[level] = 0;
    quotes.bidSizes[level] = 0;
    quotes.askPrices[level] = 0;
    quotes.askSizes[level] = 0;
  }
}
