// A queue worker's compute thread: runs one batch at a time, exactly as a local sweep's or screen's worker
// thread runs it, while the worker's main thread keeps its BullMQ locks renewed.
import { parentPort } from "node:worker_threads";
import { createRunSeries } from "@botmm/backtest";
import { backtestCoin, type CoinBacktestJob } from "../screen/coin-backtest.ts";
import { columnsOf, type JobOptions, runJob, type SharedRunData } from "../sweep/job.ts";

/** A batch with its inputs resolved: a sweep's (candles shared, not copied) or a screen's. */
export type ComputeRequest =
  | {
      kind: "sweep";
      shared: SharedRunData;
      items: { id: number; options: JobOptions; from: number; to: number }[];
    }
  | { kind: "screen"; options: JobOptions; items: { id: number; job: CoinBacktestJob }[] };

/** The batch's values by item id, or the first run that failed. */
export type ComputeResponse =
  | { type: "results"; results: { id: number; value: unknown }[] }
  | { type: "error"; id: number; message: string };

const port = parentPort!;
port.on("message", (request: ComputeRequest) => {
  const results: { id: number; value: unknown }[] = [];
  let current = -1;
  try {
    if (request.kind === "sweep") {
      const columns = columnsOf(request.shared.buffer, request.shared.length);
      // The batch's runs write their per-bar series here in turn: a run's report is built before the next starts.
      const series = createRunSeries(request.shared.length);
      for (const item of request.items) {
        current = item.id;
        results.push({
          id: item.id,
          value: runJob(request.shared, columns, item.options, item.from, item.to, series).report,
        });
      }
    } else {
      for (const item of request.items) {
        current = item.id;
        results.push({ id: item.id, value: backtestCoin(item.job, request.options) });
      }
    }
  } catch (error) {
    port.postMessage({
      type: "error",
      id: current,
      message: (error as Error).message,
    } satisfies ComputeResponse);
    return;
  }
  port.postMessage({ type: "results", results } satisfies ComputeResponse);
});
