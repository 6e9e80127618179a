// A screen worker thread: backtests the coins it is sent with the options it was started with.
import { parentPort, workerData } from "node:worker_threads";
import type { JobOptions } from "../sweep/job.ts";
import { answerTasksOneByOne } from "../worker-pool.ts";
import { backtestCoin, type CoinBacktestJob } from "./coin-backtest.ts";

const options = (workerData as { options: JobOptions }).options;
answerTasksOneByOne(parentPort!, (job: CoinBacktestJob) => backtestCoin(job, options));
