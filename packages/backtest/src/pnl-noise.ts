import { createRandom } from "@botmm/core";

/** Settings of {@link pnlSamplingNoise}. */
export interface PnlNoiseOptions {
  /**
   * The ratio band a comparison must meet (e.g. a candle model's |PnL| within ×0.75–×1.33 of a replay's): the
   * result says how often a model whose PnL equalled this run's expectation would land in it. Without it,
   * `chanceInBand` is NaN.
   */
  band?: readonly [number, number];
  /** Bars per resampled block; default ⌈n^⅓⌉ for n bars (at least 1), a common rule for the block length. */
  blockBars?: number;
  /** Bootstrap resamples; default 4,000. */
  resamples?: number;
  /** Seed of the resampling; default 1. */
  seed?: number;
}

/** How much a run's total PnL owes to the luck of its sample, from {@link pnlSamplingNoise}. */
export interface PnlNoise {
  /** The run's total: the last value of the equity series. */
  totalUsd: number;
  /** Standard deviation of the resampled totals: the total's standard error. */
  standardErrorUsd: number;
  /**
   * Share of the resampled totals `T*` for which `|total| / |T*|` lies in the band: how often a model whose PnL
   * were exactly this run's expectation would meet the band against one run of this length. NaN when the total
   * is 0 (no ratio exists) or no band was given.
   */
  chanceInBand: number;
  blockBars: number;
  resamples: number;
}

/**
 * The sampling noise of a run's total PnL, by a circular moving-block bootstrap of its per-bar PnL (the changes
 * of `equityUsd`, cumulative PnL at each bar's close, from 0 before the first bar): resampling whole blocks of
 * consecutive bars keeps the dependence between neighbouring bars (an inventory held across them). Künsch,
 * "The jackknife and the bootstrap for general stationary observations", Annals of Statistics 17(3), 1989;
 * the circular variant: Politis & Romano, "A circular block-resampling procedure for stationary data", 1992.
 *
 * What it answers: whether a recording is long enough for a ratio test against it to mean anything. A run whose
 * total is small next to its standard error is mostly luck, and a model matching its expectation exactly would
 * still miss a ratio band most of the time. The path of prices is what it is (one evening); only the timing of
 * the run's gains and losses within it is resampled, so the error is, if anything, understated.
 *
 * @throws RangeError when the series is empty, a value is not finite, the band is not `0 < low ≤ high`, or a
 *   count is not a whole number ≥ 1.
 * @example
 * ```ts
 * const noise = pnlSamplingNoise(replay.run.equityUsd, { band: [0.75, 1.33] });
 * noise.standardErrorUsd; // e.g. 0.84 on a −$1.55 total: the total is known to ±54 %
 * noise.chanceInBand; // e.g. 0.39: a perfect model meets the band on 39 % of such recordings
 * // Two runs over the same bars (a variant and its baseline): the noise of their difference.
 * const gain = variant.equityUsd.map((equity, i) => equity - baseline.equityUsd[i]!);
 * pnlSamplingNoise(gain, {}).standardErrorUsd;
 * ```
 */
export function pnlSamplingNoise(equityUsd: ArrayLike<number>, options: PnlNoiseOptions): PnlNoise {
  const n = equityUsd.length;
  if (n === 0) throw new RangeError("pnlSamplingNoise: equityUsd is empty (expected one value a bar)");
  const [low, high] = options.band ?? [Number.NaN, Number.NaN];
  if (options.band !== undefined && !(low > 0 && high >= low && Number.isFinite(high)))
    throw new RangeError(`pnlSamplingNoise: band must be 0 < low ≤ high, got [${low}, ${high}]`);
  const blockBars = options.blockBars ?? Math.max(1, Math.ceil(Math.cbrt(n)));
  const resamples = options.resamples ?? 4000;
  for (const [name, value] of [
    ["blockBars", blockBars],
    ["resamples", resamples],
  ] as const) {
    if (!(Number.isInteger(value) && value >= 1))
      throw new RangeError(`pnlSamplingNoise: ${name} must be a whole number ≥ 1, got ${value}`);
  }
  // prefix[k]: the PnL of the first k bars (the equity at bar k − 1's close), so that a block's PnL is a
  // difference of two entries and a resample costs one draw per block, not one addition per bar.
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const equity = equityUsd[i]!;
    if (!Number.isFinite(equity))
      throw new RangeError(`pnlSamplingNoise: equityUsd[${i}] is ${equity} (expected a finite USD amount)`);
    prefix[i + 1] = equity;
  }
  const total = prefix[n]!;
  const random = createRandom(options.seed ?? 1);
  let sum = 0;
  let sumOfSquares = 0;
  let inBand = 0;
  for (let r = 0; r < resamples; r++) {
    let resampled = 0;
    for (let filled = 0; filled < n; filled += blockBars) {
      const start = random.nextInt(n);
      // The last block is cut to the series' length; a block past the end wraps around to the start.
      const end = start + Math.min(blockBars, n - filled);
      resampled += end <= n ? prefix[end]! - prefix[start]! : prefix[n]! - prefix[start]! + prefix[end - n]!;
    }
    sum += resampled;
    sumOfSquares += resampled * resampled;
    const ratio = Math.abs(total) / Math.abs(resampled);
    if (ratio >= low && ratio <= high) inBand++;
  }
  const mean = sum / resamples;
  return {
    totalUsd: total,
    standardErrorUsd: Math.sqrt(Math.max(0, sumOfSquares / resamples - mean * mean)),
    chanceInBand: total === 0 || options.band === undefined ? Number.NaN : inBand / resamples,
    blockBars,
    resamples,
  };
}
