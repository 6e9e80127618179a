// Runs a sweep's jobs on worker threads that share the candles (a SharedArrayBuffer: the workers read the
// main thread's memory, nothing is copied). Jobs go out in batches as workers free up; results are placed by
// job id, so they do not depend on the number of workers or on which finished first.
import { BotmmError } from "@botmm/core";
import { runWorkerPool } from "../worker-pool.ts";
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
  await runWorkerPool<WorkerResponse>({
    script: new URL("./worker.ts", import.meta.url),
    workerData: { shared, configs },
    threads,
    tasks: jobs.length,
    batchSize,
    batchMessage: (from, to) => ({ type: "batch", jobs: jobs.slice(from, to) }) satisfies WorkerRequest,
    onReply: (response) => {
      if (response.type === "error") {
        const job = jobs[byId.get(response.id)!]!;
        return new SweepRunError(`${describeJob(job)}: ${response.message}`);
      }
      for (const result of response.results) results[byId.get(result.id)!] = result.report;
      return response.results.length;
    },
    failure: (what) => new SweepRunError(`a sweep worker ${what}`),
    onProgress,
  });
  return results;
}
