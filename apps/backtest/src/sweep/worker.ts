// A sweep's worker thread: receives batches of jobs, runs each on the shared candles, returns the reports.
import { parentPort, workerData } from "node:worker_threads";
import { createRunSeries } from "@botmm/backtest";
import { columnsOf, type Job, type JobOptions, runJob, type SharedRunData, type SweepReport } from "./job.ts";

/** What the main thread sends: a batch to run, or the end. */
export type WorkerRequest = { type: "batch"; jobs: Job[] } | { type: "stop" };
/** What a worker answers: the batch's reports (in the batch's order) or the first error. */
export type WorkerResponse =
  | { type: "results"; results: { id: number; report: SweepReport }[] }
  | { type: "error"; id: number; message: string };

const { shared, configs } = workerData as { shared: SharedRunData; configs: JobOptions[] };
const columns = columnsOf(shared.buffer, shared.length);
// Every run of this worker writes its per-bar series here: a run's report is built before the next run starts.
const series = createRunSeries(shared.length);
const port = parentPort!;
port.on("message", (request: WorkerRequest) => {
  if (request.type === "stop") {
    port.close();
    return;
  }
  const results: { id: number; report: SweepReport }[] = [];
  for (const job of request.jobs) {
    try {
      results.push({
        id: job.id,
        report: runJob(shared, columns, configs[job.config]!, job.from, job.to, series).report,
      });
    } catch (error) {
      port.postMessage({
        type: "error",
        id: job.id,
        message: (error as Error).message,
      } satisfies WorkerResponse);
      return;
    }
  }
  port.postMessage({ type: "results", results } satisfies WorkerResponse);
});
