// One pool of worker threads for the sweep and the screen: tasks go out in batches as threads free up, replies
// are placed by the caller (by task index or id), so results do not depend on the thread count or on which
// thread finished first.
import { Worker } from "node:worker_threads";

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
