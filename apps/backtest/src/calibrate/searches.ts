// The calibration's searches: one coordinate search from each starting point, independent of each other, so
// they run on worker threads; results come back in the order of their starts, whatever the thread count.
import { DEFAULT_SUBBAR_PARAMS, type SubbarParams } from "@botmm/backtest";
import { BotmmError, createRandom } from "@botmm/core";
import { runTasksOneByOne } from "../worker-pool.ts";
import {
  CALIBRATION_STARTS,
  type CalibrationCase,
  type CaseFit,
  fitCase,
  RESTART_SEED,
  randomGridPoint,
  searchParams,
} from "./fit.ts";
import type { CalibrateOptions } from "./options.ts";

/** What every search fits on: the cases (each replay's figures and candles) and how the candle model runs. */
export interface SearchSetup {
  cases: CalibrationCase[];
  settings: Pick<
    CalibrateOptions,
    "seeds" | "objective" | "latencyMs" | "requoteIntervalMs" | "maxVolumeShare"
  >;
}

/** Where one search started and how it is named in the command's output. */
export interface SearchStart {
  /** "search from the shipped parameters", "search from {…}", "restart 3". */
  label: string;
  params: SubbarParams;
}

/** One search's end: the best parameters it found, their loss and how many parameter sets it scored. */
export interface SearchResult {
  params: SubbarParams;
  loss: number;
  evaluations: number;
}

/**
 * The starting points of a calibration, in the order the command reports them: the shipped parameters, each
 * of {@link CALIBRATION_STARTS} (completed by the shipped ones), then `restarts` seeded random grid points.
 */
export function searchStarts(restarts: number): SearchStart[] {
  const starts: SearchStart[] = [
    { label: "search from the shipped parameters", params: { ...DEFAULT_SUBBAR_PARAMS } },
  ];
  for (const start of CALIBRATION_STARTS)
    starts.push({
      label: `search from ${JSON.stringify(start)}`,
      params: { ...DEFAULT_SUBBAR_PARAMS, ...start },
    });
  const random = createRandom(RESTART_SEED);
  for (let r = 0; r < restarts; r++)
    starts.push({ label: `restart ${r + 1}`, params: randomGridPoint(random) });
  return starts;
}

/** Each case's fit of `params` (the candle model over the seeds against that case's replay). */
export function caseFits(setup: SearchSetup, params: Readonly<SubbarParams>): CaseFit[] {
  const { cases, settings } = setup;
  return cases.map((item) => fitCase(item, params, settings.seeds, settings, settings.objective));
}

/** The mean loss of `params` over the cases: what every search minimises. */
export function meanLoss(setup: SearchSetup, params: Readonly<SubbarParams>): number {
  return caseFits(setup, params).reduce((sum, fit) => sum + fit.loss, 0) / setup.cases.length;
}

/** One coordinate search from `start`. */
export function searchFrom(setup: SearchSetup, start: Readonly<SubbarParams>): SearchResult {
  return searchParams((params) => meanLoss(setup, params), start);
}

/**
 * Runs a search from every start on `workers` threads (one thread: in this one) and returns the results in
 * the order of `starts`; `onResult` hears each in that order as soon as it and every earlier one are done.
 *
 * @throws BotmmError `CALIBRATE_SEARCH` naming the search that failed.
 */
export async function runSearches(
  setup: SearchSetup,
  starts: readonly SearchStart[],
  workers: number,
  onResult?: (index: number, result: SearchResult) => void,
): Promise<SearchResult[]> {
  const results: SearchResult[] = new Array(starts.length);
  const threads = Math.max(1, Math.min(workers, starts.length));
  const failed = (index: number, message: string) =>
    new BotmmError("CALIBRATE_SEARCH", `${starts[index]!.label} failed: ${message}`);
  if (threads === 1) {
    for (const [i, start] of starts.entries()) {
      try {
        results[i] = searchFrom(setup, start.params);
      } catch (error) {
        throw failed(i, (error as Error).message);
      }
      onResult?.(i, results[i]!);
    }
    return results;
  }
  let reported = 0;
  await runTasksOneByOne<SubbarParams, SearchResult>({
    script: new URL("./worker.ts", import.meta.url),
    workerData: setup,
    threads,
    tasks: starts.map((start) => start.params),
    onResult: (index, result) => {
      results[index] = result;
      while (reported < starts.length && results[reported] !== undefined) {
        onResult?.(reported, results[reported]!);
        reported++;
      }
    },
    taskError: failed,
    failure: (what) => new BotmmError("CALIBRATE_SEARCH", `a calibrate worker ${what}`),
  });
  return results;
}

/**
 * The best of the searches' results: the lowest loss, the earliest start on a tie (as when they ran one after
 * the other), with the evaluations of all of them.
 */
export function bestOf(results: readonly SearchResult[]): SearchResult {
  let best = results[0]!;
  let evaluations = 0;
  for (const result of results) {
    evaluations += result.evaluations;
    if (result.loss < best.loss - 1e-12) best = result;
  }
  return { ...best, evaluations };
}
