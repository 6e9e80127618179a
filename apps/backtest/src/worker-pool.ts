// One pool of worker threads for the sweep, the screen and calibrate: tasks go out in batches as threads free up,
// replies are placed by the caller (by task index or id), so results do not depend on the thread count or on
// which thread finished first.
import { type MessagePort, Worker } from "node:worker_threads";

/** How a command runs its tasks on worker threads. */
export interface WorkerPoolSpec<Reply> {
  /** The worker's module; it answers every message but `{ type: "stop" }` with one reply. */
  script: URL;
  workerData: unknown;
  threads: number;
  tasks: number;
  /** The most tasks in one batch (batches shrink towards the end: {@link guidedBatchEnd}). */
  batchSize: number;
  /** The message that hands tasks [from, to) to a thread (at most `batchSize` of them). */
  batchMessage(from: number, to: number): unknown;
  /** Applies a reply and returns how many tasks it completed; a returned Error fails the pool. */
  onReply(reply: Reply): number | Error;
  /** The error for a thread that failed or exited early, from what happened. */
  failure(what: string): Error;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Where the batch that starts at task `next` ends: guided self-scheduling — a quarter of each thread's share of
 * what is left, at most `maxBatch`, at least 1. Batches shrink towards the end, so the threads finish within
 * about one task of each other instead of one waiting out another's last full batch.
 *
 * @example
 * ```ts
 * guidedBatchEnd(0, 1_000, 2, 32); // 32: a full batch while much is left
 * guidedBatchEnd(990, 1_000, 2, 32); // 992: 10 left, batches of 2
 * ```
 */
export function guidedBatchEnd(next: number, tasks: number, threads: number, maxBatch: number): number {
  const size = Math.max(1, Math.min(maxBatch, Math.ceil((tasks - next) / (4 * threads))));
  return Math.min(tasks, next + size);
}

/**
 * Runs `spec.tasks` tasks on `spec.threads` worker threads (started from the CLI's bundle when it runs from
 * it; from the sources, workspace packages resolving to their TypeScript, otherwise) and resolves when every
 * task is done; the threads are always terminated. Batches of at most `spec.batchSize` tasks go out as threads
 * free up ({@link guidedBatchEnd}).
 *
 * @throws the first Error of `onReply` or `failure`.
 */
export async function runWorkerPool<Reply>(spec: WorkerPoolSpec<Reply>): Promise<void> {
  if (spec.tasks === 0) return;
  const threads = Math.max(1, Math.min(spec.threads, spec.tasks));
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
        if (next >= spec.tasks) {
          worker.postMessage({ type: "stop" });
          if (++stopped === threads) resolvePool();
          return;
        }
        const from = next;
        next = guidedBatchEnd(next, spec.tasks, threads, spec.batchSize);
        worker.postMessage(spec.batchMessage(from, next));
      };
      for (let t = 0; t < threads; t++) {
        const worker = new Worker(spec.script, {
          workerData: spec.workerData,
          execArgv: ["-C", "@botmm/source"],
        });
        pool.push(worker);
        worker.on("message", (reply: Reply) => {
          const completed = spec.onReply(reply);
          if (completed instanceof Error) {
            fail(completed);
            return;
          }
          done += completed;
          spec.onProgress?.(done, spec.tasks);
          feed(worker);
        });
        worker.on("error", (error) => fail(spec.failure(`failed: ${error.message}`)));
        worker.on("exit", (code) => {
          if (code !== 0) fail(spec.failure(`exited with code ${code}`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
}

/** A message to a worker of {@link runTasksOneByOne}: task `index`, or the end. */
export type OneTaskRequest<Task> = { type: "task"; index: number; task: Task } | { type: "stop" };
/** A worker's answer to a {@link OneTaskRequest}: the task's result or its error. */
export type OneTaskResponse<Result> =
  | { type: "result"; index: number; result: Result }
  | { type: "error"; index: number; message: string };

/**
 * Runs `tasks` one at a time per thread (tasks long enough that one message each costs nothing) on the worker
 * `script`, which answers with {@link answerTasksOneByOne}; each result goes to `onResult` by task index.
 *
 * @throws the Error `taskError` makes of the first task that failed, or `failure`'s for a thread that died.
 */
export async function runTasksOneByOne<Task, Result>(spec: {
  script: URL;
  workerData: unknown;
  threads: number;
  tasks: readonly Task[];
  onResult(index: number, result: Result): void;
  taskError(index: number, message: string): Error;
  failure(what: string): Error;
  onProgress?: (done: number, total: number) => void;
}): Promise<void> {
  await runWorkerPool<OneTaskResponse<Result>>({
    script: spec.script,
    workerData: spec.workerData,
    threads: spec.threads,
    tasks: spec.tasks.length,
    batchSize: 1,
    batchMessage: (index) =>
      ({ type: "task", index, task: spec.tasks[index]! }) satisfies OneTaskRequest<Task>,
    onReply: (response) => {
      if (response.type === "error") return spec.taskError(response.index, response.message);
      spec.onResult(response.index, response.result);
      return 1;
    },
    failure: spec.failure,
    ...(spec.onProgress === undefined ? {} : { onProgress: spec.onProgress }),
  });
}

/**
 * The worker side of {@link runTasksOneByOne}: answers each task on `port` with `run`'s result (or the error
 * it threw) and closes the port at the end.
 */
export function answerTasksOneByOne<Task, Result>(port: MessagePort, run: (task: Task) => Result): void {
  port.on("message", (request: OneTaskRequest<Task>) => {
    if (request.type === "stop") {
      port.close();
      return;
    }
    let response: OneTaskResponse<Result>;
    try {
      response = { type: "result", index: request.index, result: run(request.task) };
    } catch (error) {
      response = { type: "error", index: request.index, message: (error as Error).message };
    }
    port.postMessage(response);
  });
}
