// A screen worker thread: backtests the coins it is sent with the options it was started with.
import { parentPort, workerData } from "node:worker_threads";
import type { JobOptions } from "../sweep/job.ts";
import { backtestCoin, type CoinBacktest, type CoinBacktestJob } from "./coin-backtest.ts";

/** What the main thread sends: a coin to run (by its index), or the end. */
export type ScreenWorkerRequest = { type: "run"; index: number; job: CoinBacktestJob } | { type: "stop" };
/** The answer: the coin's result or its error. */
export type ScreenWorkerResponse =
  | { type: "result"; index: number; result: CoinBacktest }
  | { type: "error"; index: number; message: string };

const options = (workerData as { options: JobOptions }).options;
const port = parentPort!;
port.on("message", (request: ScreenWorkerRequest) => {
  if (request.type === "stop") {
    port.close();
    return;
  }
  try {
    port.postMessage({
      type: "result",
      index: request.index,
      result: backtestCoin(request.job, options),
    } satisfies ScreenWorkerResponse);
  } catch (error) {
    port.postMessage({
      type: "error",
      index: request.index,
      message: (error as Error).message,
    } satisfies ScreenWorkerResponse);
  }
});
