// Runs a sweep's jobs on worker threads that share the candles (a SharedArrayBuffer: the workers read the
// main thread's memory, nothing is copied). Jobs go out in batches as workers free up; results are placed by
// job id, so they do not depend on the number of workers or on which finished first.
import { Worker } from "node:worker_threads";
import { BotmmError } from "@botmm/core";
import type { Job, JobOptions, SharedRunData, SweepReport } from "./job.ts";
import type { WorkerRequest, WorkerResponse } from "./worker.ts";

/** A run that failed in a worker, naming its job. */
export class SweepRunError extends BotmmError {
  constructor(message: string) {
    super("SWEEP_RUN", message);
  }
}

/**
 * Runs every job on `workers` threads and returns the reports by job id. `onProgress` is called from the main
 * thread as batches come back.
 */
export async function runJobs(
  shared: SharedRunData,
  configs: readonly JobOptions[],
  jobs: readonly Job[],
  workers: number,
  onProgress?: (done: number, total: number) => void,
  describeJob: (job: Job) => string = (job) => `job ${job.id}`,
): Promise<SweepReport[]> {
  const results: SweepReport[] = new Array(jobs.length);
  if (jobs.length === 0) return results;
  const threads = Math.max(1, Math.min(workers, jobs.length));
  // Small enough batches that the last ones balance across threads, large enough to keep messages rare.
  const batchSize = Math.max(1, Math.min(32, Math.ceil(jobs.length / (threads * 8))));
  const byId = new Map(jobs.map((job, position) => [job.id, position]));
  let next = 0;
  let done = 0;
  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolvePool, rejectPool) => {
      let finished = 0;
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        rejectPool(error);
      };
      const feed = (worker: Worker) => {
        if (next >= jobs.length) {
          worker.postMessage({ type: "stop" } satisfies WorkerRequest);
          if (++finished === threads) resolvePool();
          return;
        }
        const batch = jobs.slice(next, next + batchSize);
        next += batch.length;
        worker.postMessage({ type: "batch", jobs: batch } satisfies WorkerRequest);
      };
      for (let t = 0; t < threads; t++) {
        const worker = new Worker(new URL("./worker.ts", import.meta.url), {
          workerData: { shared, configs },
          // Workspace packages resolve to their TypeScript sources, as in the CLI (-C: the export condition).
          execArgv: ["-C", "@botmm/source"],
        });
        pool.push(worker);
        worker.on("message", (response: WorkerResponse) => {
          if (response.type === "error") {
            const job = jobs[byId.get(response.id)!]!;
            fail(new SweepRunError(`${describeJob(job)}: ${response.message}`));
            return;
          }
          for (const result of response.results) results[byId.get(result.id)!] = result.report;
          done += response.results.length;
          onProgress?.(done, jobs.length);
          feed(worker);
        });
        worker.on("error", (error) => fail(new SweepRunError(`a sweep worker failed: ${error.message}`)));
        worker.on("exit", (code) => {
          if (code !== 0) fail(new SweepRunError(`a sweep worker exited with code ${code}`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
  return results;
}
