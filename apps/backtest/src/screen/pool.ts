// Backtests the screened coins on worker threads, one coin at a time per thread; results by coin index, so
// they do not depend on the thread count. One thread (or one coin) runs in the main thread, no workers.
import { BotmmError } from "@botmm/core";
import type { JobOptions } from "../sweep/job.ts";
import { runTasksOneByOne } from "../worker-pool.ts";
import { backtestCoin, type CoinBacktest, type CoinBacktestJob } from "./coin-backtest.ts";

/** Runs every coin's backtest on `workers` threads; `onProgress` after each coin. */
export async function backtestCoins(
  jobs: readonly CoinBacktestJob[],
  options: JobOptions,
  workers: number,
  onProgress?: (done: number, total: number) => void,
): Promise<CoinBacktest[]> {
  const results: CoinBacktest[] = new Array(jobs.length);
  const threads = Math.max(1, Math.min(workers, jobs.length));
  if (threads === 1) {
    for (const [i, job] of jobs.entries()) {
      try {
        results[i] = backtestCoin(job, options);
      } catch (error) {
        throw new BotmmError("SCREEN_BACKTEST", `backtest of ${job.coin}: ${(error as Error).message}`);
      }
      onProgress?.(i + 1, jobs.length);
    }
    return results;
  }
  await runTasksOneByOne<CoinBacktestJob, CoinBacktest>({
    script: new URL("./worker.ts", import.meta.url),
    workerData: { options },
    threads,
    tasks: jobs,
    onResult: (index, result) => {
      results[index] = result;
    },
    taskError: (index, message) =>
      new BotmmError("SCREEN_BACKTEST", `backtest of ${jobs[index]!.coin}: ${message}`),
    failure: (what) => new BotmmError("SCREEN_BACKTEST", `a screen worker ${what}`),
    ...(onProgress === undefined ? {} : { onProgress }),
  });
  return results;
}
