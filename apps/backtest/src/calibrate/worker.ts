// A calibrate worker thread: runs the coordinate searches it is sent on the cases it was started with.
import { parentPort, workerData } from "node:worker_threads";
import type { SubbarParams } from "@botmm/backtest";
import { answerTasksOneByOne } from "../worker-pool.ts";
import { type SearchSetup, searchFrom } from "./searches.ts";

const setup = workerData as SearchSetup;
answerTasksOneByOne(parentPort!, (start: SubbarParams) => searchFrom(setup, start));
