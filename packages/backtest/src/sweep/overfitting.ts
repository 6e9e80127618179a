// Two measures of how much a sweep's best result is owed to the search itself rather than to an edge.
import { SweepSpecError } from "./grid.ts";

const EULER_MASCHERONI = 0.5772156649015329;

/**
 * Φ(x), the standard normal CDF, from the complementary error function (Numerical Recipes' `erfcc`,
 * fractional error < 1.2e-7 everywhere).
 *
 * @example
 * ```ts
 * normalCdf(0); // 0.5
 * normalCdf(1.959964); // ≈ 0.975
 * ```
 */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/**
 * Φ⁻¹(p), the standard normal quantile (P. J. Acklam's rational approximation, relative error < 1.2e-9).
 *
 * @example
 * ```ts
 * normalQuantile(0.975); // ≈ 1.959964
 * ```
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low || p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(p < low ? p : 1 - p));
    const value =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
    return p < low ? value : -value;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** Mean, sample standard deviation, skewness γ₃ and (non-excess) kurtosis γ₄ of a series. */
export interface Moments {
  mean: number;
  std: number;
  skewness: number;
  kurtosis: number;
}

/**
 * The moments of `values` (standard deviation with n − 1; skewness and kurtosis as population ratios, a
 * normal series has γ₃ = 0, γ₄ = 3).
 *
 * @example
 * ```ts
 * moments([1, 2, 3, 4]).mean; // 2.5
 * ```
 */
export function moments(values: ArrayLike<number>): Moments {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= Math.max(1, n);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const deviation = values[i]! - mean;
    const square = deviation * deviation;
    m2 += square;
    m3 += square * deviation;
    m4 += square * square;
  }
  const variance = n > 0 ? m2 / n : 0;
  return {
    mean,
    std: n > 1 ? Math.sqrt(m2 / (n - 1)) : 0,
    skewness: variance > 0 ? m3 / n / variance ** 1.5 : 0,
    kurtosis: variance > 0 ? m4 / n / (variance * variance) : 3,
  };
}

/**
 * The per-period (not annualised) Sharpe ratio of a series: mean / sample standard deviation; 0 when it has
 * no dispersion.
 *
 * @example
 * ```ts
 * periodSharpe([1, 2, 3]); // 2
 * ```
 */
export function periodSharpe(values: ArrayLike<number>): number {
  const { mean, std } = moments(values);
  return std > 0 ? mean / std : 0;
}

/** The deflated Sharpe ratio of a chosen configuration and what went into it. */
export interface DeflatedSharpe {
  /** P(the true Sharpe ratio > 0) after the deflation: near 1 an edge, ≤ 0.5 indistinguishable from luck. */
  dsr: number;
  /** The chosen configuration's per-period Sharpe ratio. */
  sharpe: number;
  /** The Sharpe ratio the best of `trials` skill-less configurations is expected to reach (per period). */
  expectedMaxSharpe: number;
  trials: number;
  observations: number;
}

/**
 * The deflated Sharpe ratio (Bailey & López de Prado, "The Deflated Sharpe Ratio: Correcting for Selection
 * Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5), 2014, eqs. 1–2):
 *
 *   SR₀ = √V[SRₙ] · ((1 − γ) · Φ⁻¹(1 − 1/N) + γ · Φ⁻¹(1 − 1/(N·e)))
 *   DSR = Φ( (SR̂ − SR₀) · √(T − 1) / √(1 − γ₃·SR̂ + (γ₄ − 1)/4 · SR̂²) )
 *
 * with SR̂ the chosen series' per-period Sharpe, V[SRₙ] the variance of the N trials' Sharpe ratios, γ the
 * Euler–Mascheroni constant, T the observations and γ₃, γ₄ the chosen returns' skewness and kurtosis. SR₀ is
 * the expected maximum Sharpe of N independent skill-less trials; configurations of one grid are correlated,
 * so N overstates the independent trials and the DSR errs on the side of calling a result luck.
 *
 * @throws SweepSpecError with fewer than 2 returns or no trials.
 * @example
 * ```ts
 * deflatedSharpeRatio(bestDailyPnl, allConfigsDailySharpes).dsr; // e.g. 0.31: the best is no better than luck
 * ```
 */
export function deflatedSharpeRatio(
  returns: ArrayLike<number>,
  trialSharpes: readonly number[],
): DeflatedSharpe {
  const observations = returns.length;
  if (observations < 2)
    throw new SweepSpecError(`the deflated Sharpe ratio needs ≥ 2 returns, got ${observations}`);
  if (trialSharpes.length === 0)
    throw new SweepSpecError("the deflated Sharpe ratio needs at least one trial");
  const trials = trialSharpes.length;
  const { mean, std, skewness, kurtosis } = moments(returns);
  const sharpe = std > 0 ? mean / std : 0;
  const spread = moments(trialSharpes).std;
  const expectedMaxSharpe =
    trials < 2
      ? 0
      : spread *
        ((1 - EULER_MASCHERONI) * normalQuantile(1 - 1 / trials) +
          EULER_MASCHERONI * normalQuantile(1 - 1 / (trials * Math.E)));
  const denominator = Math.sqrt(
    Math.max(1e-12, 1 - skewness * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe),
  );
  const dsr = normalCdf(((sharpe - expectedMaxSharpe) * Math.sqrt(observations - 1)) / denominator);
  return { dsr, sharpe, expectedMaxSharpe, trials, observations };
}

/** The probability of backtest overfitting and its parts. */
export interface BacktestOverfitting {
  /** Share of the splits where the in-sample best ranks in the bottom half out of sample. */
  pbo: number;
  /** Splits evaluated: C(S, S/2). */
  splits: number;
  /** Rows per group (rows beyond `groups × groupSize` at the end are left out). */
  groupSize: number;
  /** λ = ln(ω / (1 − ω)) of each split, ω the out-of-sample relative rank of the in-sample best. */
  logits: number[];
}

function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick = (start: number, chosen: number[]): void => {
    if (chosen.length === k) {
      out.push([...chosen]);
      return;
    }
    for (let i = start; i <= n - (k - chosen.length); i++) {
      chosen.push(i);
      pick(i + 1, chosen);
      chosen.pop();
    }
  };
  pick(0, []);
  return out;
}

/**
 * The probability of backtest overfitting by combinatorially symmetric cross-validation (Bailey, Borwein,
 * López de Prado & Zhu, "The Probability of Backtest Overfitting", Journal of Computational Finance 20(4),
 * 2017, §2): the T × N matrix of per-period results (`returns[config][t]`) is cut into S groups of rows; for
 * each of the C(S, S/2) ways to take half the groups as the training set J (the rest, J̄, for testing), the
 * configuration n* with the best Sharpe on J is found, its relative rank ω = rank(n* on J̄) / (N + 1) and its
 * logit λ = ln(ω / (1 − ω)). PBO = #{λ ≤ 0} / C(S, S/2): how often the in-sample best is at or below the
 * out-of-sample median. Ties take the mean rank, an argmax tie the lowest index.
 *
 * @throws SweepSpecError with fewer than 2 configurations, an odd or < 2 `groups`, rows of unequal length, or
 * fewer rows than groups.
 * @example
 * ```ts
 * probabilityOfBacktestOverfitting(configs.map((c) => c.dailyPnl), 8).pbo; // e.g. 0.6: mostly luck
 * ```
 */
export function probabilityOfBacktestOverfitting(
  returns: readonly ArrayLike<number>[],
  groups: number,
): BacktestOverfitting {
  const configs = returns.length;
  if (configs < 2) throw new SweepSpecError(`PBO needs ≥ 2 configurations, got ${configs}`);
  if (!Number.isInteger(groups) || groups < 2 || groups % 2 !== 0)
    throw new SweepSpecError(`PBO needs an even number of groups ≥ 2, got ${groups}`);
  const rows = returns[0]!.length;
  for (let n = 1; n < configs; n++) {
    if (returns[n]!.length !== rows)
      throw new SweepSpecError(
        `PBO: configuration ${n} has ${returns[n]!.length} periods, configuration 0 has ${rows}`,
      );
  }
  const groupSize = Math.floor(rows / groups);
  if (groupSize < 1) throw new SweepSpecError(`PBO: ${rows} periods cannot be cut into ${groups} groups`);
  const splits = combinations(groups, groups / 2);
  const logits: number[] = [];
  const sharpeOn = (series: ArrayLike<number>, chosen: readonly boolean[]): number => {
    const values: number[] = [];
    for (let g = 0; g < groups; g++) {
      if (!chosen[g]) continue;
      for (let t = g * groupSize; t < (g + 1) * groupSize; t++) values.push(series[t]!);
    }
    return periodSharpe(values);
  };
  for (const split of splits) {
    const train = Array.from({ length: groups }, (_, g) => split.includes(g));
    const test = train.map((inTrain) => !inTrain);
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let n = 0; n < configs; n++) {
      const value = sharpeOn(returns[n]!, train);
      if (value > bestValue) {
        bestValue = value;
        best = n;
      }
    }
    const outOfSample = returns.map((series) => sharpeOn(series, test));
    const chosen = outOfSample[best]!;
    let below = 0;
    let equal = 0;
    for (const value of outOfSample) {
      if (value < chosen) below++;
      else if (value === chosen) equal++;
    }
    const rank = below + (equal + 1) / 2;
    const omega = rank / (configs + 1);
    logits.push(Math.log(omega / (1 - omega)));
  }
  return {
    pbo: logits.filter((logit) => logit <= 0).length / splits.length,
    splits: splits.length,
    groupSize,
    logits,
  };
}
