// A calibrate worker thread: runs the coordinate searches it is sent on the cases it was started with.
import { parentPort, workerData } from "node:worker_threads";
import type { SubbarParams } from "@botmm/backtest";
import { type SearchResult, type SearchSetup, searchFrom } from "./searches.ts";

/** What the main thread sends: a search to run (by its start's index), or the end. */
export type SearchWorkerRequest = { type: "search"; index: number; start: SubbarParams } | { type: "stop" };
/** The answer: the search's result or its error. */
export type SearchWorkerResponse =
  | { type: "result"; index: number; result: SearchResult }
  | { type: "error"; index: number; message: string };

const setup = workerData as SearchSetup;
const port = parentPort!;
port.on("message", (request: SearchWorkerRequest) => {
  if (request.type === "stop") {
    port.close();
    return;
  }
  try {
    port.postMessage({
      type: "result",
      index: request.index,
      result: searchFrom(setup, request.start),
    } satisfies SearchWorkerResponse);
  } catch (error) {
    port.postMessage({
      type: "error",
      index: request.index,
      message: (error as Error).message,
    } satisfies SearchWorkerResponse);
  }
});
