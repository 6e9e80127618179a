// The calibration's fit: the loss of a candle run's figures against the replay's, and the search over the
// sub-bar model's parameters.
import {
  type BacktestOptions,
  type CandleColumns,
  computeMetrics,
  DEFAULT_SIMULATION,
  DEFAULT_SUBBAR_PARAMS,
  runCandleBacktest,
  type SubbarParams,
  subbarMarkoutBps,
} from "@botmm/backtest";
import type { Instrument } from "@botmm/core";
import type { StrategyConfig } from "@botmm/strategy";
import { meetsAcceptance, REALISM_BAND } from "../realism.ts";
import type { RunFigures } from "../replay-run.ts";
import type { CalibrateOptions } from "./options.ts";

/** One recording × coin × quote distance: what the replay measured and the candles the candle model runs on. */
export interface CalibrationCase {
  recording: string;
  coin: string;
  quoteBps: number;
  instrument: Instrument;
  strategy: StrategyConfig;
  candles: CandleColumns;
  replay: { volumeUsd: number; pnlUsd: number; markoutBps: number | null; ordersFilled: number };
}

/** What the candle model gives on a case, averaged over seeds, and its loss. */
export interface CaseFit {
  volumeUsd: number;
  pnlUsd: number;
  /** Mean |PnL| over the seeds (what a single run's |PnL| is compared with). */
  absolutePnlUsd: number;
  markoutBps: number | null;
  /** The case's share of the objective (see {@link FitObjective}). */
  loss: number;
  /** The seed mean meets the acceptance band (volume and |mean PnL| within {@link REALISM_BAND}, mark-out of the replay's sign). */
  meanMeets: boolean;
  /** Single seeds that meet the acceptance band on their own. */
  seedsMeeting: number;
}

/** Search grid of each parameter, the shipped default included. */
export const CALIBRATION_GRID: Readonly<Record<keyof SubbarParams, readonly number[]>> = {
  roughness: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.25, 1.5, 2, 3],
  persistence: [0, 0.2, 0.4, 0.6, 0.8, 0.9],
  spreadTicks: [0, 0.5, 1, 1.5, 2, 3, 4],
  throughBps: [0, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2],
  jumpShare: [0, 0.01, 0.02, 0.05, 0.1, 0.2],
  jumpSize: [2, 3, 4, 6, 8],
  jumpFollowThrough: [-0.75, -0.5, -0.25, 0, 0.25, 0.5, 1, 2],
  queueShare: [0.02, 0.05, 0.1, 0.2, 0.5, 1],
  tradeSizeDispersion: [0, 0.5, 1, 1.5, 2],
  wickShare: [0, 0.25, 0.5, 0.75, 0.9, 1],
};

/** Starting points of the search besides the shipped parameters (each completed by them). */
export const CALIBRATION_STARTS: readonly Partial<SubbarParams>[] = [
  { roughness: 0.3, persistence: 0 },
  { roughness: 0.3, persistence: 0.6, queueShare: 0.5 },
  { roughness: 0.5, persistence: 0.4, jumpShare: 0.05 },
  { roughness: 0.8, persistence: 0.8, queueShare: 1 },
  { roughness: 0.2, persistence: 0.9, jumpShare: 0.02, throughBps: 0.3 },
  { roughness: 0.5, persistence: 0.9, jumpShare: 0.02, jumpSize: 6, queueShare: 1, spreadTicks: 0 },
];

/** Seed of the random starting points of `--restarts` (fixed: the same command gives the same fit). */
export const RESTART_SEED = 7;

/**
 * A point of {@link CALIBRATION_GRID} drawn uniformly per parameter: a starting point of `--restarts`.
 *
 * @example
 * ```ts
 * const start = randomGridPoint(createRandom(7)); // e.g. { roughness: 0.4, persistence: 0.4, … }
 * ```
 */
export function randomGridPoint(random: { next(): number }): SubbarParams {
  const point = { ...DEFAULT_SUBBAR_PARAMS };
  for (const key of Object.keys(CALIBRATION_GRID) as (keyof SubbarParams)[]) {
    const values = CALIBRATION_GRID[key];
    point[key] = values[Math.floor(random.next() * values.length)]!;
  }
  return point;
}

/**
 * What `calibrate` minimises (`--objective`).
 * - `band` (default): the acceptance itself. Each figure the acceptance checks — volume and |PnL| within
 *   ×0.75–×1.33 of the replay's, a mark-out of its sign — costs {@link BAND_MISS} when it misses plus how far
 *   it lies outside the band (|log|, capped at {@link BAND_DISTANCE_CAP}), both for the mean of the seeds (the
 *   model's bias: mean volume, mean |PnL|, mean mark-out) and, averaged, for each single seed (what one run
 *   gives); a small pull towards ratio 1
 *   breaks ties inside the band. Capped absolute distances keep a case whose replay PnL is almost nothing from
 *   deciding the fit alone.
 * - `log`: the squared log error of the mean volume and mean |PnL| over the seeds plus a penalty when the mean
 *   mark-out has the other sign (the objective of the first fits).
 */
export type FitObjective = "band" | "log";

/** A mark-out sign disagreeing with the replay's costs this much under `log` (a log error of ~0.7). */
const MARKOUT_SIGN_PENALTY = 0.5;
/** Candle volume or |PnL| is floored at this share of the replay's before the log (a run with none). */
const LOG_FLOOR = 0.01;

/** A figure missing the acceptance band (or a mark-out of the other sign) costs this, besides its distance. */
export const BAND_MISS = 0.25;
/** The distance outside the band counted at most (|log| of the ratio beyond the band's edge): ×3 beyond it. */
export const BAND_DISTANCE_CAP = Math.log(3);
/** Weight of the squared log ratio inside the band (a tie-break towards ratio 1). */
const BAND_CENTRE_WEIGHT = 0.02;

/**
 * The `band` objective's cost of a candle/replay ratio: 0 inside {@link REALISM_BAND}, else {@link BAND_MISS}
 * plus the |log| distance to the band's nearer edge (capped), plus a small pull towards 1 everywhere.
 *
 * @example
 * ```ts
 * bandCost(1); // 0
 * bandCost(1.2); // 0.02 · ln(1.2)² ≈ 0.0007 (inside the band)
 * bandCost(2); // 0.25 + ln(2 / 1.33) + 0.02 · ln(2)² ≈ 0.67
 * ```
 */
export function bandCost(ratio: number): number {
  const log = Math.log(Math.max(ratio, LOG_FLOOR));
  const below = Math.log(REALISM_BAND[0]) - log;
  const above = log - Math.log(REALISM_BAND[1]);
  const outside = Math.max(below, above);
  const miss = outside > 1e-12 ? BAND_MISS + Math.min(outside, BAND_DISTANCE_CAP) : 0;
  return miss + BAND_CENTRE_WEIGHT * log * log;
}

/** One seed's candle figures on a case. */
interface SeedFigures {
  volumeUsd: number;
  pnlUsd: number;
  markoutBps: number | null;
}

const signAgrees = (candle: number | null, replay: number | null): boolean =>
  candle !== null && replay !== null && Math.sign(candle) === Math.sign(replay);

/** The `band` cost of one set of candle figures against the replay's: volume, |PnL| and the mark-out sign. */
function bandFigureCost(
  volumeUsd: number,
  pnlUsd: number,
  markoutBps: number | null,
  replay: CalibrationCase["replay"],
): number {
  let cost = bandCost(volumeUsd / replay.volumeUsd);
  if (replay.pnlUsd !== 0) cost += bandCost(Math.abs(pnlUsd) / Math.abs(replay.pnlUsd));
  if (replay.markoutBps !== null && !signAgrees(markoutBps, replay.markoutBps)) cost += BAND_MISS;
  return cost;
}

/** Whether candle figures meet the acceptance against the case's replay (as `realism` judges a row). */
function meets(
  volumeUsd: number,
  pnlUsd: number,
  markoutBps: number | null,
  replay: CalibrationCase["replay"],
): boolean {
  return (
    meetsAcceptance(
      { ...ZERO_FIGURES, volumeUsd, total: pnlUsd, markoutBps },
      { ...ZERO_FIGURES, volumeUsd: replay.volumeUsd, total: replay.pnlUsd, markoutBps: replay.markoutBps },
    ) === true
  );
}

const ZERO_FIGURES: RunFigures = {
  ordersFilled: 0,
  fills: 0,
  buys: 0,
  sells: 0,
  volumeUsd: 0,
  total: 0,
  spread: 0,
  inventory: 0,
  fees: 0,
  funding: 0,
  markoutBps: null,
};

/**
 * Runs the sub-bar model with `params` on a case for `seeds` seeds (1 … `seeds`) and scores it against the
 * replay under `objective`.
 *
 * @example
 * ```ts
 * const fit = fitCase(cases[0], DEFAULT_SUBBAR_PARAMS, 4, options); // { volumeUsd, pnlUsd, markoutBps, loss, … }
 * ```
 */
export function fitCase(
  item: CalibrationCase,
  params: Readonly<SubbarParams>,
  seeds: number,
  options: Pick<CalibrateOptions, "latencyMs" | "requoteIntervalMs" | "maxVolumeShare">,
  objective: FitObjective = "band",
): CaseFit {
  const runs: SeedFigures[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const runOptions = candleOptions(item, params, seed, options);
    const run = runCandleBacktest(item.candles, runOptions);
    const metrics = computeMetrics(run, item.candles);
    runs.push({
      volumeUsd: metrics.volumeUsd,
      pnlUsd: run.pnl.totalUsd,
      // 60 s after each fill on the simulated path, as the replay's mark-out and --compare-candles take it.
      markoutBps: subbarMarkoutBps(run.fills, item.candles, runOptions, 60_000),
    });
  }
  const mean = (of: (run: SeedFigures) => number) => runs.reduce((sum, run) => sum + of(run), 0) / seeds;
  const volumeUsd = mean((run) => run.volumeUsd);
  const pnlUsd = mean((run) => run.pnlUsd);
  const absolutePnlUsd = mean((run) => Math.abs(run.pnlUsd));
  const markouts = runs.flatMap((run) => (run.markoutBps === null ? [] : [run.markoutBps]));
  const markoutBps =
    markouts.length > 0 ? markouts.reduce((sum, value) => sum + value, 0) / markouts.length : null;
  const replay = item.replay;
  let loss = 0;
  if (objective === "log") {
    // The model's expectation (the mean over seeds) is fitted, not each seed: a seed's own noise is not a bias.
    const logError = (candle: number, target: number) =>
      Math.log(Math.max(candle, LOG_FLOOR * target) / target) ** 2;
    if (replay.volumeUsd > 0) loss += logError(volumeUsd, replay.volumeUsd);
    if (replay.pnlUsd !== 0) loss += logError(absolutePnlUsd, Math.abs(replay.pnlUsd));
    if (replay.markoutBps !== null && markoutBps !== null && !signAgrees(markoutBps, replay.markoutBps))
      loss += MARKOUT_SIGN_PENALTY;
  } else if (replay.volumeUsd > 0) {
    // Half the model's bias (its mean over the seeds), half a single run. The mean's |PnL| is the mean of the
    // runs' |PnL|, not |mean PnL|: runs scattering either side of a replay PnL near 0 average to near 0 too,
    // and would meet a band none of them meets.
    const single = mean((run) => bandFigureCost(run.volumeUsd, run.pnlUsd, run.markoutBps, replay));
    loss = 0.5 * bandFigureCost(volumeUsd, absolutePnlUsd, markoutBps, replay) + 0.5 * single;
  }
  return {
    volumeUsd,
    pnlUsd,
    absolutePnlUsd,
    markoutBps,
    loss,
    meanMeets: replay.volumeUsd > 0 && meets(volumeUsd, pnlUsd, markoutBps, replay),
    seedsMeeting: runs.filter(
      (run) => replay.volumeUsd > 0 && meets(run.volumeUsd, run.pnlUsd, run.markoutBps, replay),
    ).length,
  };
}

function candleOptions(
  item: CalibrationCase,
  params: Readonly<SubbarParams>,
  seed: number,
  options: Pick<CalibrateOptions, "latencyMs" | "requoteIntervalMs" | "maxVolumeShare">,
): BacktestOptions {
  return {
    instrument: item.instrument,
    strategy: item.strategy,
    intervalMs: 60_000,
    fillModel: { type: "subbar", params: { ...params }, source: "calibration" },
    barPath: DEFAULT_SIMULATION.barPath,
    maxVolumeShare: options.maxVolumeShare,
    latencyMs: options.latencyMs,
    requoteIntervalMs: options.requoteIntervalMs,
    funding: { type: "constant", ratePerHour: DEFAULT_SIMULATION.fundingRatePerHour },
    takerSlippageBps: DEFAULT_SIMULATION.takerSlippageBps,
    seed,
  };
}

/**
 * Deterministic coordinate search: starting from the shipped parameters, each parameter in turn is set to the
 * grid value with the lowest total loss (ties keep the current value), for up to `rounds` passes or until a pass
 * changes nothing.
 *
 * @example
 * ```ts
 * const { params, loss } = searchParams((p) => cases.reduce((sum, c) => sum + fitCase(c, p, 4, o).loss, 0));
 * ```
 */
export function searchParams(
  lossOf: (params: Readonly<SubbarParams>) => number,
  start: Readonly<SubbarParams> = DEFAULT_SUBBAR_PARAMS,
  grid: Readonly<Record<keyof SubbarParams, readonly number[]>> = CALIBRATION_GRID,
  rounds = 3,
): { params: SubbarParams; loss: number; evaluations: number } {
  let params: SubbarParams = { ...start };
  let loss = lossOf(params);
  let evaluations = 1;
  for (let round = 0; round < rounds; round++) {
    let changed = false;
    for (const key of Object.keys(grid) as (keyof SubbarParams)[]) {
      for (const value of grid[key]) {
        if (value === params[key]) continue;
        const candidate = { ...params, [key]: value };
        const candidateLoss = lossOf(candidate);
        evaluations++;
        if (candidateLoss < loss - 1e-12) {
          params = candidate;
          loss = candidateLoss;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return { params, loss, evaluations };
}
