import { checkInteger, FINITE, invalidInput, POSITIVE } from "./errors.ts";

/** Options of {@link FillIntensityEstimator}. */
export interface FillIntensityOptions {
  /**
   * Spacing of the depth grid, in price units (> 0). Bucket i stands for a quote at depth δᵢ = (i + 1) × step
   * from the mid. Half a tick is the natural choice (the mid sits on a half tick when the spread is one tick).
   */
  readonly depthStepPrice: number;
  /** Number of depth buckets, i.e. how far from the mid the fit reaches (integer ≥ 2, default 70). */
  readonly depthBuckets?: number;
  /** Length of one observation window in ms (> 0, default 100, as hftbacktest). */
  readonly windowMs?: number;
  /** Rolling horizon in ms, a whole multiple of `windowMs` (default 600 000 = 10 minutes). */
  readonly horizonMs?: number;
  /** Time unit of the reported A, in ms (> 0, default 1 000: A in fills per second). */
  readonly timeUnitMs?: number;
  /** Closed windows needed before {@link FillIntensityEstimator.estimate} answers (integer ≥ 1, default: the whole horizon). */
  readonly minWindows?: number;
  /** Depth buckets with a positive count needed for the fit (integer ≥ 2, default 3). */
  readonly minFitPoints?: number;
}

/** A fitted fill intensity λ(δ) = A·e^(−kδ). */
export interface FillIntensityEstimate {
  /** A: intensity at zero depth, in windows-with-a-fill per `timeUnitMs` (see the class notes). */
  readonly A: number;
  /** k: decay per price unit (> 0). */
  readonly k: number;
  /** Closed observation windows the fit rests on (elapsed time = samples × windowMs). */
  readonly samples: number;
  /** Depth buckets used in the least-squares fit. */
  readonly fitPoints: number;
}

/** Depths within this fraction of a step of a grid point count as at that point (float noise in price diffs). */
const GRID_TOLERANCE = 1e-9;

/**
 * Streaming estimator of the fill intensity λ(δ) = A·e^(−kδ) (Avellaneda–Stoikov eq. 20) from trades and
 * mids, in the way of hftbacktest's GLFT example:
 *
 * 1. Time is cut into fixed windows of `windowMs` (aligned to multiples of `windowMs`). For each window the
 *    reference is the previous mid: the last mid seen before the window started.
 * 2. In each window, record the deepest trade distance from that mid: a buyer-initiated trade at price p
 *    reaches asks up to p − mid, a seller-initiated one bids down to mid − p (both sides pooled; feed one side
 *    to a separate instance for per-side estimates). A window without trades records no depth, but still counts
 *    as elapsed time.
 * 3. A quote at depth δᵢ would have been reached in a window if δᵢ < the window's deepest depth (a trade exactly
 *    at your price does not count: you would have been at the back of the queue).
 * 4. λ̂(δᵢ) = (windows reaching δᵢ) / (elapsed time), over the rolling `horizonMs`.
 * 5. Fit ln λ̂ = ln A − k·δ by ordinary least squares over the near-mid buckets with a positive count.
 *
 * Note that this counts windows, not fills: at most one per window, so λ̂ ≈ (1 − e^(−λ·Δt))/Δt, which is λ
 * when λ·Δt ≪ 1 (keep windows short: 100 ms). Updates are O(1) and allocation-free (a ring of per-window
 * depth indices and a histogram); {@link estimate} is O(depthBuckets). Time is always passed in (ms);
 * events older than the current window are counted in the current window.
 *
 * @example
 * ```ts
 * import { FillIntensityEstimator } from "@botmm/quoter";
 * const intensity = new FillIntensityEstimator({ depthStepPrice: 0.5, minWindows: 600 });
 * intensity.onMid(100_000, 1_000);
 * intensity.onTrade(100_001.5, true, 1_050); // a buy 1.5 above the previous mid
 * intensity.estimate(); // null: not enough windows yet
 * ```
 */
export class FillIntensityEstimator {
  /** Depth grid spacing, in price units. */
  readonly depthStepPrice: number;
  /** Number of depth buckets. */
  readonly depthBuckets: number;
  /** Observation window, in ms. */
  readonly windowMs: number;
  /** Windows in the rolling horizon. */
  readonly horizonWindows: number;
  /** Time unit of A, in ms. */
  readonly timeUnitMs: number;
  /** Windows needed before an estimate. */
  readonly minWindows: number;
  /** Buckets with a positive count needed for a fit. */
  readonly minFitPoints: number;

  // Per closed window: how many buckets it reached (0..depthBuckets), in a ring over the horizon.
  private readonly reached: Int32Array;
  // histogram[n] = windows in the ring that reached exactly n buckets.
  private readonly histogram: Float64Array;
  private readonly counts: Float64Array; // scratch for estimate()
  private next = 0;
  private filled = 0;
  private window = Number.NaN; // index (⌊t / windowMs⌋) of the open window
  private windowMid = Number.NaN; // the previous mid: reference of the open window
  private lastMid = Number.NaN;
  private deepest = Number.NEGATIVE_INFINITY;

  constructor(options: FillIntensityOptions) {
    if (!(Number.isFinite(options.depthStepPrice) && options.depthStepPrice > 0))
      throw invalidInput("depthStepPrice", POSITIVE, options.depthStepPrice);
    const depthBuckets = options.depthBuckets ?? 70;
    checkInteger(depthBuckets, "depthBuckets", 2);
    const windowMs = options.windowMs ?? 100;
    if (!(Number.isFinite(windowMs) && windowMs > 0)) throw invalidInput("windowMs", POSITIVE, windowMs);
    const horizonMs = options.horizonMs ?? 600_000;
    if (!(Number.isFinite(horizonMs) && horizonMs > 0)) throw invalidInput("horizonMs", POSITIVE, horizonMs);
    const horizonWindows = horizonMs / windowMs;
    if (!(Number.isInteger(horizonWindows) && horizonWindows >= 1)) {
      throw invalidInput("horizonMs", `a whole multiple (>= 1) of windowMs (${windowMs})`, horizonMs);
    }
    const timeUnitMs = options.timeUnitMs ?? 1_000;
    if (!(Number.isFinite(timeUnitMs) && timeUnitMs > 0))
      throw invalidInput("timeUnitMs", POSITIVE, timeUnitMs);
    const minWindows = options.minWindows ?? horizonWindows;
    checkInteger(minWindows, "minWindows", 1);
    if (minWindows > horizonWindows) {
      throw invalidInput("minWindows", `at most horizonMs / windowMs (${horizonWindows})`, minWindows);
    }
    const minFitPoints = options.minFitPoints ?? 3;
    checkInteger(minFitPoints, "minFitPoints", 2);

    this.depthStepPrice = options.depthStepPrice;
    this.depthBuckets = depthBuckets;
    this.windowMs = windowMs;
    this.horizonWindows = horizonWindows;
    this.timeUnitMs = timeUnitMs;
    this.minWindows = minWindows;
    this.minFitPoints = minFitPoints;
    this.reached = new Int32Array(horizonWindows);
    this.histogram = new Float64Array(depthBuckets + 1);
    this.counts = new Float64Array(depthBuckets);
  }

  /**
   * Records a mid price (> 0) at `timestampMs`. It becomes the reference of the next window.
   *
   * @throws {QuoterInputError} `INVALID_INPUT` unless midPrice > 0 and timestampMs are finite
   * @example
   * ```ts
   * import { FillIntensityEstimator } from "@botmm/quoter";
   * new FillIntensityEstimator({ depthStepPrice: 0.5 }).onMid(100_000, 1_000);
   * ```
   */
  onMid(midPrice: number, timestampMs: number): void {
    if (!(Number.isFinite(midPrice) && midPrice > 0)) throw invalidInput("midPrice", POSITIVE, midPrice);
    this.advance(timestampMs);
    this.lastMid = midPrice;
  }

  /**
   * Records a trade at `price` (> 0); `buyerIsAggressor` is true for a buyer-initiated trade (it lifted asks).
   *
   * @throws {QuoterInputError} `INVALID_INPUT` unless price > 0 and timestampMs are finite
   * @example
   * ```ts
   * import { FillIntensityEstimator } from "@botmm/quoter";
   * const intensity = new FillIntensityEstimator({ depthStepPrice: 0.5 });
   * intensity.onMid(100_000, 1_000);
   * intensity.onTrade(99_998, false, 1_120); // a sell 2.0 below the previous mid
   * ```
   */
  onTrade(price: number, buyerIsAggressor: boolean, timestampMs: number): void {
    if (!(Number.isFinite(price) && price > 0)) throw invalidInput("price", POSITIVE, price);
    this.advance(timestampMs);
    const mid = this.windowMid;
    if (!Number.isNaN(mid)) {
      const depth = buyerIsAggressor ? price - mid : mid - price;
      if (depth > this.deepest) this.deepest = depth;
    }
  }

  /**
   * Closes every window that ended at or before `timestampMs` (onMid and onTrade call it; call it yourself on a
   * timer so quiet periods count as time without trades).
   *
   * @throws {QuoterInputError} `INVALID_INPUT` unless timestampMs is finite
   * @example
   * ```ts
   * import { FillIntensityEstimator } from "@botmm/quoter";
   * const intensity = new FillIntensityEstimator({ depthStepPrice: 0.5 });
   * intensity.onMid(100_000, 0);
   * intensity.advance(1_000); // windows 100 ms … 900 ms closed, without trades
   * intensity.samples; // 9
   * ```
   */
  advance(timestampMs: number): void {
    if (!Number.isFinite(timestampMs)) throw invalidInput("timestampMs", FINITE, timestampMs);
    const window = Math.floor(timestampMs / this.windowMs);
    const open = this.window;
    if (window <= open) return; // same window, or a late event: counted in the open window
    if (!Number.isNaN(open)) {
      // Close the open window (only windows that had a reference mid are observations).
      if (!Number.isNaN(this.windowMid)) this.record(this.bucketsReached(this.deepest));
      // Windows skipped without any event: no trades, reference = the last mid. More than a horizon of them
      // clears the ring, so the loop is bounded by horizonWindows.
      if (!Number.isNaN(this.lastMid)) {
        const skipped = window - open - 1;
        const empty = Math.min(skipped, this.horizonWindows);
        for (let i = 0; i < empty; i++) this.record(0);
      }
    }
    this.window = window;
    this.windowMid = this.lastMid;
    this.deepest = Number.NEGATIVE_INFINITY;
  }

  /** Number of buckets i with δᵢ = (i + 1)·step < depth, capped at depthBuckets. */
  private bucketsReached(depth: number): number {
    const steps = depth / this.depthStepPrice;
    if (!(steps > 1)) return 0;
    const n = Math.ceil(steps - GRID_TOLERANCE) - 1;
    return Math.min(n, this.depthBuckets);
  }

  private record(n: number): void {
    const i = this.next;
    if (this.filled === this.horizonWindows) this.histogram[this.reached[i]!]!--;
    else this.filled++;
    this.reached[i] = n;
    this.histogram[n]!++;
    this.next = i + 1 === this.horizonWindows ? 0 : i + 1;
  }

  /** Closed windows in the rolling horizon. */
  get samples(): number {
    return this.filled;
  }

  /**
   * Fits λ(δ) = A·e^(−kδ) to the current horizon, or returns `null` when there is not enough data: fewer than
   * `minWindows` closed windows, fewer than `minFitPoints` depths with a positive count, or a fit without decay
   * (k ≤ 0). Never a made-up number. O(depthBuckets); allocates only the result.
   *
   * @example
   * ```ts
   * import { FillIntensityEstimator } from "@botmm/quoter";
   * const intensity = new FillIntensityEstimator({ depthStepPrice: 0.5, minWindows: 1 });
   * intensity.estimate(); // null: no windows yet
   * ```
   */
  estimate(): FillIntensityEstimate | null {
    const samples = this.filled;
    if (samples < this.minWindows) return null;
    const buckets = this.depthBuckets;
    const histogram = this.histogram;
    const counts = this.counts;
    // counts[i] = windows that reached bucket i = windows that reached more than i buckets (a suffix sum).
    let running = 0;
    for (let n = buckets; n >= 1; n--) {
      running += histogram[n]!;
      counts[n - 1] = running;
    }
    let points = 0;
    while (points < buckets && counts[points]! > 0) points++; // counts fall with depth: positives are a prefix
    if (points < this.minFitPoints) return null;

    const elapsed = (samples * this.windowMs) / this.timeUnitMs;
    const step = this.depthStepPrice;
    let sumX = 0;
    let sumY = 0;
    for (let i = 0; i < points; i++) {
      sumX += (i + 1) * step;
      sumY += Math.log(counts[i]! / elapsed);
    }
    const meanX = sumX / points;
    const meanY = sumY / points;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < points; i++) {
      const dx = (i + 1) * step - meanX;
      sxx += dx * dx;
      sxy += dx * (Math.log(counts[i]! / elapsed) - meanY);
    }
    const k = -sxy / sxx;
    const A = Math.exp(meanY + k * meanX);
    if (!(k > 0 && Number.isFinite(k) && A > 0 && Number.isFinite(A))) return null;
    return { A, k, samples, fitPoints: points };
  }

  /**
   * Forgets all windows and mids (keeps the settings).
   *
   * @example
   * ```ts
   * import { FillIntensityEstimator } from "@botmm/quoter";
   * const intensity = new FillIntensityEstimator({ depthStepPrice: 0.5 });
   * intensity.reset(); intensity.samples; // 0
   * ```
   */
  reset(): void {
    this.reached.fill(0);
    this.histogram.fill(0);
    this.next = 0;
    this.filled = 0;
    this.window = Number.NaN;
    this.windowMid = Number.NaN;
    this.lastMid = Number.NaN;
    this.deepest = Number.NEGATIVE_INFINITY;
  }
}
