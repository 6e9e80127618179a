// Backtests the screened coins on worker threads, one coin at a time per thread; results by coin index, so
// they do not depend on the thread count. One thread (or one coin) runs in the main thread, no workers.
import { Worker } from "node:worker_threads";
import { BotmmError } from "@botmm/core";
import type { JobOptions } from "../sweep/job.ts";
import { backtestCoin, type CoinBacktest, type CoinBacktestJob } from "./coin-backtest.ts";
import type { ScreenWorkerRequest, ScreenWorkerResponse } from "./worker.ts";

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
  let next = 0;
  let done = 0;
  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolvePool, rejectPool) => {
      let stopped = 0;
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        rejectPool(error);
      };
      const feed = (worker: Worker) => {
        if (next >= jobs.length) {
          worker.postMessage({ type: "stop" } satisfies ScreenWorkerRequest);
          if (++stopped === threads) resolvePool();
          return;
        }
        const index = next++;
        worker.postMessage({ type: "run", index, job: jobs[index]! } satisfies ScreenWorkerRequest);
      };
      for (let t = 0; t < threads; t++) {
        const worker = new Worker(new URL("./worker.ts", import.meta.url), {
          workerData: { options },
          // Workspace packages resolve to their TypeScript sources, as in the CLI.
          execArgv: ["-C", "@botmm/source"],
        });
        pool.push(worker);
        worker.on("message", (response: ScreenWorkerResponse) => {
          if (response.type === "error") {
            fail(
              new BotmmError(
                "SCREEN_BACKTEST",
                `backtest of ${jobs[response.index]!.coin}: ${response.message}`,
              ),
            );
            return;
          }
          results[response.index] = response.result;
          onProgress?.(++done, jobs.length);
          feed(worker);
        });
        worker.on("error", (error) =>
          fail(new BotmmError("SCREEN_BACKTEST", `a screen worker failed: ${error.message}`)),
        );
        worker.on("exit", (code) => {
          if (code !== 0) fail(new BotmmError("SCREEN_BACKTEST", `a screen worker exited with code ${code}`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
  return results;
}
