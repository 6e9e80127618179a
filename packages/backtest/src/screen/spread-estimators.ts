// Effective bid-ask spread estimated from OHLC bars alone, for markets where no quotes were recorded.
//
// Corwin, S. A. & Schultz, P. (2012), "A Simple Way to Estimate Bid-Ask Spreads from Daily High and Low
// Prices", Journal of Finance 67(2), 719–760. For two consecutive bars t, t+1 with highs H and lows L (the pair's high H_{t,t+1} = max of the two, its low L_{t,t+1} = min of the two):
//   β = [ln(H_t/L_t)]² + [ln(H_{t+1}/L_{t+1})]²
//   γ = [ln(H_{t,t+1}/L_{t,t+1})]²
//   α = (√(2β) − √β) / (3 − 2√2) − √(γ / (3 − 2√2))
//   S = 2(e^α − 1) / (1 + e^α)
// The idea: a bar's high is (almost always) a buy at the ask and its low a sell at the bid, so ln(H/L) holds
// the spread once and the variance once; the variance grows with the window, the spread does not, so one
// and two-bar ranges separate them. The paper's adjustment for a move between bars (there: overnight) is
// applied too: when bar t+1 trades wholly above (below) bar t's close, its high and low are shifted down
// (up) by the gap. Two-bar estimates can be negative; as in the paper they are set to 0 before averaging.
//
// Abdi, F. & Ranaldo, A. (2017), "A Simple Estimation of Bid-Ask Spreads from Daily Close, High, and Low
// Prices", Review of Financial Studies 30(12), 4437–4480. With c_t = ln(close_t) and the mid-range
// η_t = (ln H_t + ln L_t) / 2:
//   S² = 4 E[(c_t − η_t)(c_t − η_{t+1})]
// The close sits half a spread from the efficient price on a random side; the mid-ranges of bars t and t+1
// bracket the efficient price at the close of t, so the product's mean is S²/4 and the variance cancels.
// We average the products over a window and take S = √max(0, mean) (the paper's estimator over a window of
// many pairs; single products are too noisy to floor one by one).

/** 3 − 2√2, the constant of Corwin & Schultz's α. */
const CS_K = 3 - 2 * Math.SQRT2;

/**
 * Corwin–Schultz spread of one pair of consecutive bars, as a fraction of price (0.001 = 10 bps), before the
 * flooring at 0: may be negative. `closeBefore` is bar t's close, for the between-bar adjustment (pass NaN to
 * skip it).
 *
 * @example
 * ```ts
 * // A constant price quoted 99.95 / 100.05: each bar's range is the spread, S is exactly (A − B) / mid.
 * corwinSchultzPair(100.05, 99.95, 100, 100.05, 99.95); // ≈ 0.001
 * ```
 */
export function corwinSchultzPair(
  high0: number,
  low0: number,
  closeBefore: number,
  high1: number,
  low1: number,
): number {
  let h1 = high1;
  let l1 = low1;
  if (l1 > closeBefore) {
    h1 -= l1 - closeBefore;
    l1 = closeBefore;
  } else if (h1 < closeBefore) {
    l1 += closeBefore - h1;
    h1 = closeBefore;
  }
  const r0 = Math.log(high0 / low0);
  const r1 = Math.log(h1 / l1);
  const beta = r0 * r0 + r1 * r1;
  const r01 = Math.log(Math.max(high0, h1) / Math.min(low0, l1));
  const gamma = r01 * r01;
  const alpha = (Math.sqrt(2 * beta) - Math.sqrt(beta)) / CS_K - Math.sqrt(gamma / CS_K);
  const e = Math.exp(alpha);
  return (2 * (e - 1)) / (1 + e);
}

/**
 * Abdi–Ranaldo's squared-spread term of one pair of consecutive bars, `4 (c_t − η_t)(c_t − η_{t+1})`: its mean
 * over a window is S² (S as a fraction of price). A single term may be negative.
 *
 * @example
 * ```ts
 * // Constant mid 100, quotes 99.95 / 100.05, bar t closes at the ask: the term is ln(A/B)².
 * abdiRanaldoPairSquared(100.05, 100.05, 99.95, 100.05, 99.95); // ≈ 1e-6 (S ≈ 10 bps)
 * ```
 */
export function abdiRanaldoPairSquared(
  close0: number,
  high0: number,
  low0: number,
  high1: number,
  low1: number,
): number {
  const c = Math.log(close0);
  const eta0 = 0.5 * (Math.log(high0) + Math.log(low0));
  const eta1 = 0.5 * (Math.log(high1) + Math.log(low1));
  return 4 * (c - eta0) * (c - eta1);
}

/** Both estimates over one window, in bps, and the number of bar pairs they rest on. */
export interface SpreadEstimate {
  /** Corwin–Schultz: the mean of the two-bar estimates floored at 0. Null without pairs. */
  csBps: number | null;
  /** Abdi–Ranaldo: √max(0, mean of the squared-spread terms). Null without pairs. */
  arBps: number | null;
  pairs: number;
}

/**
 * Sums of pair estimates over one window (a coin, an hour of day, one clock hour); add pairs, read the
 * estimate. Plain numbers so thousands of them stay cheap.
 *
 * @example
 * ```ts
 * const window = new SpreadAccumulator();
 * window.addPair(100.05, 99.95, 100.05, 100.05, 99.95);
 * window.estimate().csBps; // ≈ 10
 * ```
 */
export class SpreadAccumulator {
  csSum = 0;
  arSquaredSum = 0;
  pairs = 0;

  /** Adds the pair (bar t, bar t+1). */
  addPair(high0: number, low0: number, close0: number, high1: number, low1: number): void {
    const cs = corwinSchultzPair(high0, low0, close0, high1, low1);
    const ar = abdiRanaldoPairSquared(close0, high0, low0, high1, low1);
    if (!Number.isFinite(cs) || !Number.isFinite(ar)) return;
    this.csSum += Math.max(cs, 0);
    this.arSquaredSum += ar;
    this.pairs++;
  }

  /** The window's estimates. */
  estimate(): SpreadEstimate {
    if (this.pairs === 0) return { csBps: null, arBps: null, pairs: 0 };
    const arSquared = this.arSquaredSum / this.pairs;
    return {
      csBps: (this.csSum / this.pairs) * 10_000,
      arBps: Math.sqrt(Math.max(arSquared, 0)) * 10_000,
      pairs: this.pairs,
    };
  }
}

/**
 * The mean of the two estimators (bps), the figure the screen compares with fees; the one that exists when
 * the other does not; null when neither does.
 *
 * @example
 * ```ts
 * combinedSpreadBps({ csBps: 4, arBps: 2, pairs: 10 }); // 3
 * ```
 */
export function combinedSpreadBps(estimate: SpreadEstimate): number | null {
  const { csBps, arBps } = estimate;
  if (csBps === null) return arBps;
  if (arBps === null) return csBps;
  return (csBps + arBps) / 2;
}
