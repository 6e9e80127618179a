/**
 * Deterministic benchmark input: a multiplicative random walk from a small LCG (no Math.random in this
 * package). Not part of the public API; only the `src/*.bench.ts` files import it.
 * @internal
 * @example
 * ```ts
 * const prices = benchPrices(1000); // 1000 positive prices around 60 000
 * ```
 */
export function benchPrices(count: number, seed = 12345): Float64Array {
  const prices = new Float64Array(count);
  let state = seed >>> 0;
  let price = 60_000;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    price *= 1 + (state / 4294967296 - 0.5) * 0.002;
    prices[i] = price;
  }
  return prices;
}

/** Updates per benchmark iteration; divide the reported time per iteration by this for one update. */
export const UPDATES_PER_ITERATION = 1000;
