// The coordinator side of a queued sweep: store the data, add one BullMQ job per batch (ids deterministic, so
// adding again is a no-op), then collect finished batches from Redis until every run has its result.
//
// A batch counts as finished only when its result is in Redis: a worker writes the result and marks the batch
// done in one transaction before it completes the job. Results are placed by run id, each once, so a batch run
// twice (a worker killed after writing, its job retried elsewhere) cannot count twice. A restarted coordinator
// reads the batches already done and adds only the rest. Retries, backoff and stalled-job detection are
// BullMQ's: a killed worker's lock expires, another worker's stalled check puts the job back.
import { BotmmError } from "@botmm/core";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { type Blob, decodeResults, storeBlob } from "./blobs.ts";
import { type JobPayload, jobIdOf, KEEP_SECONDS, keys, parseItemFailure, QUEUE_NAME } from "./protocol.ts";
import type { RedisTarget } from "./redis-url.ts";

/** Redis unreachable: nothing was reported done that was not; the same command resumes. */
export class QueueUnavailableError extends BotmmError {
  constructor(message: string) {
    super("QUEUE_UNAVAILABLE", message);
  }
}

/** A batch the workers gave up on: a run that failed (not retried), or a transient error past its retries. */
export class QueueJobError extends BotmmError {
  constructor(message: string) {
    super("QUEUE_JOB", message);
  }
}

/** How a coordinator talks to the queue. */
export interface QueueSettings {
  target: RedisTarget;
  /** --sweep-id: names the rounds of this command (default: a hash of the data, configurations and options). */
  sweepId?: string;
  /** Runs per job; default {@link defaultBatchSize}. */
  batchSize?: number;
  /** How long Redis may stay unreachable before the command gives up (ms). */
  redisTimeoutMs: number;
  /** Poll interval for finished batches (ms). */
  pollMs?: number;
  /** Status lines (resuming, where the sweep is); not the progress bar. */
  log?: (line: string) => void;
}

/** One round: the jobs of a sweep, of a walk-forward's training or test runs, of a screen's backtests. */
export interface QueueRound {
  roundId: string;
  /** Hash of everything the results depend on: a round id reused for other content is refused. */
  contentHash: string;
  blobs: readonly Blob[];
  batches: readonly JobPayload[];
  /** Number of runs; item ids are 0..runs-1. */
  runs: number;
}

/** Job options: retried with exponential backoff; results live in our keys, so the finished job is dropped. */
const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: "exponential", delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: { age: KEEP_SECONDS },
} as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a rejection after `ms` (a command queued while ioredis reconnects must not hang the loop). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The connection options of a coordinator or worker client: reconnects every 0.5 s, commands fail fast. */
export function redisOptions(target: RedisTarget, blocking: boolean) {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.tls ? { tls: {} } : {}),
    // BullMQ requires null on a worker's connection; a coordinator's commands give up after one reconnect.
    maxRetriesPerRequest: blocking ? null : 1,
    retryStrategy: () => 500,
    lazyConnect: true,
  };
}

/**
 * A connected coordinator: its Redis client and BullMQ queue. Gives up with a clear error naming the URL when
 * Redis is unreachable for `redisTimeoutMs`.
 */
export class Coordinator {
  readonly #settings: QueueSettings;
  readonly #redis: Redis;
  readonly #queue: Queue;
  #lastError = "";

  private constructor(settings: QueueSettings, redis: Redis, queue: Queue) {
    this.#settings = settings;
    this.#redis = redis;
    this.#queue = queue;
    redis.on("error", (error: Error) => {
      this.#lastError = error.message;
    });
    queue.on("error", (error: Error) => {
      this.#lastError = error.message;
    });
  }

  /** Connects (imports ioredis and BullMQ only now: a local run never loads them). */
  static async connect(settings: QueueSettings): Promise<Coordinator> {
    const [{ Redis }, { Queue }] = await Promise.all([import("ioredis"), import("bullmq")]);
    const redis = new Redis(redisOptions(settings.target, false));
    const coordinator = new Coordinator(
      settings,
      redis,
      new Queue(QUEUE_NAME, { connection: redis, skipWaitingForReady: true }),
    );
    redis.connect().catch(() => {}); // errors surface through the commands below
    try {
      await coordinator.#command(() => redis.ping(), "connecting");
    } catch (error) {
      await coordinator.close();
      throw error;
    }
    return coordinator;
  }

  get target(): RedisTarget {
    return this.#settings.target;
  }

  /**
   * Runs `fn` until it succeeds; gives up when Redis has failed for `redisTimeoutMs` in a row. `done` describes
   * what is finished, for the error.
   */
  async #command<T>(fn: () => Promise<T>, what: string, done = ""): Promise<T> {
    const timeoutMs = this.#settings.redisTimeoutMs;
    const firstFailure = performance.now();
    for (;;) {
      try {
        return await within(fn(), Math.max(1_000, Math.min(5_000, timeoutMs)), what);
      } catch (error) {
        const message = (error as Error).message;
        // Errors that are not about the connection are ours or BullMQ's: no point in waiting.
        const connection =
          this.#redis.status !== "ready" ||
          /connect|closed|ECONN|EPIPE|ETIMEDOUT|no answer|max retries|Stream isn't writeable|ENOTFOUND|EAI_AGAIN/i.test(
            message,
          );
        if (!connection) throw error;
        if (performance.now() - firstFailure >= timeoutMs)
          throw new QueueUnavailableError(
            `Redis at ${this.#settings.target.display} is unreachable (${this.#lastError || message}): gave up after ${(timeoutMs / 1000).toFixed(0)} s while ${what}${done}`,
          );
        await sleep(250);
      }
    }
  }

  /**
   * Runs a round and returns each run's value by item id. `onProgress` as batches finish (runs done, total);
   * `describeItem` names a run in a failure.
   */
  async run(
    round: QueueRound,
    onProgress: ((done: number, total: number) => void) | undefined,
    describeItem: (id: number) => string,
    resumeHint: string,
  ): Promise<unknown[]> {
    const redis = this.#redis;
    const values: unknown[] = new Array(round.runs);
    const have = new Uint8Array(round.runs);
    let doneRuns = 0;
    const finished = new Set<number>();
    const doneText = () =>
      `; ${doneRuns} of ${round.runs} runs had finished, nothing written — ${resumeHint}`;
    const command = <T>(fn: () => Promise<T>, what: string) => this.#command(fn, what, doneText());

    const claimed = await command(
      () => redis.set(keys.manifest(round.roundId), round.contentHash, "EX", KEEP_SECONDS, "NX"),
      "reading the sweep's manifest",
    );
    if (claimed === null) {
      const existing = await command(() => redis.get(keys.manifest(round.roundId)), "reading the manifest");
      if (existing !== null && existing !== round.contentHash)
        throw new QueueJobError(
          `sweep id ${round.roundId.split(".")[0]} was used for other data or configurations in Redis at ${this.#settings.target.display}: pass another --sweep-id (or none: the default is a hash of the inputs)`,
        );
      await command(() => redis.expire(keys.manifest(round.roundId), KEEP_SECONDS), "keeping the manifest");
    }
    const storeBlobs = async () => {
      for (const blob of round.blobs) await command(() => storeBlob(redis, blob), "storing the data");
    };
    await storeBlobs();

    const collect = async (batches: readonly number[]) => {
      for (const batch of batches) {
        if (finished.has(batch)) continue;
        const bytes = await command(
          () => redis.getBuffer(keys.result(round.roundId, batch)),
          "reading a finished batch",
        );
        // In the done set but its result gone (expired apart): run it again.
        if (bytes === null) {
          await command(() => redis.srem(keys.done(round.roundId), String(batch)), "repairing the done set");
          continue;
        }
        for (const { id, value } of decodeResults(bytes)) {
          if (have[id] === 1) continue;
          have[id] = 1;
          values[id] = value;
          doneRuns++;
        }
        finished.add(batch);
      }
    };
    const doneBatches = async () =>
      (await command(() => redis.smembers(keys.done(round.roundId)), "polling finished batches")).map(Number);

    await collect(await doneBatches());
    if (finished.size > 0)
      this.#settings.log?.(
        `resuming sweep round ${round.roundId}: ${finished.size} of ${round.batches.length} batches already done`,
      );
    onProgress?.(doneRuns, round.runs);

    const outstanding = () => round.batches.filter((payload) => !finished.has(payload.batch));
    const add = (payloads: readonly JobPayload[]) =>
      command(
        () =>
          this.#queue.addBulk(
            payloads.map((payload) => ({
              name: payload.kind,
              data: payload,
              opts: { ...JOB_OPTIONS, jobId: jobIdOf(round.roundId, payload.batch) },
            })),
          ),
        "adding jobs",
      );
    await add(outstanding());
    // Jobs added again (failed earlier, or lost with a Redis that restarted empty) need their data there too.
    const addAgain = async (payloads: readonly JobPayload[]) => {
      await storeBlobs();
      await add(payloads);
    };
    // A failed job from an earlier attempt is still there under its id: drop it and add it afresh.
    await this.#check(round, outstanding(), command, describeItem, addAgain, true);

    let tick = 0;
    while (finished.size < round.batches.length) {
      await sleep(this.#settings.pollMs ?? 200);
      const before = finished.size;
      await collect(await doneBatches());
      if (finished.size !== before) onProgress?.(doneRuns, round.runs);
      if (++tick % 10 === 0) await this.#check(round, outstanding(), command, describeItem, add, false);
    }
    if (doneRuns !== round.runs)
      throw new QueueJobError(
        `round ${round.roundId}: ${round.runs - doneRuns} runs have no result although every batch is done`,
      );
    return values;
  }

  /** Job states of unfinished batches: a failed one is an error (or, at the start, added again); a lost one is added again. */
  async #check(
    round: QueueRound,
    payloads: readonly JobPayload[],
    command: <T>(fn: () => Promise<T>, what: string) => Promise<T>,
    describeItem: (id: number) => string,
    add: (payloads: readonly JobPayload[]) => Promise<unknown>,
    retryFailed: boolean,
  ): Promise<void> {
    const again: JobPayload[] = [];
    for (let i = 0; i < payloads.length; i += 200) {
      const chunk = payloads.slice(i, i + 200);
      const states = await command(
        () => Promise.all(chunk.map((p) => this.#queue.getJobState(jobIdOf(round.roundId, p.batch)))),
        "reading job states",
      );
      for (const [k, state] of states.entries()) {
        const payload = chunk[k]!;
        const jobId = jobIdOf(round.roundId, payload.batch);
        if (state !== "failed" && state !== "unknown" && state !== "completed") continue;
        // Finished since the last poll: its job is gone or completed, its result is there.
        const isDone = await command(
          () => this.#redis.sismember(keys.done(round.roundId), String(payload.batch)),
          "reading the done set",
        );
        if (isDone === 1) continue;
        if (state === "failed" && !retryFailed) {
          const job = await command(() => this.#queue.getJob(jobId), "reading a failed job");
          const reason = job?.failedReason ?? "no reason recorded";
          const item = parseItemFailure(reason);
          throw new QueueJobError(
            item === null
              ? `job ${jobId} failed after ${job?.attemptsMade ?? "?"} attempts: ${reason}`
              : `${describeItem(item.id)}: ${item.message} (failed on a worker; not retried)`,
          );
        }
        if (state !== "unknown") {
          const job = await command(() => this.#queue.getJob(jobId), "reading a job");
          await command(async () => job?.remove(), "removing a stale job");
        }
        again.push(payload);
      }
    }
    if (again.length > 0) await add(again);
  }

  /** Closes the queue and the connection (quickly when Redis is gone). */
  async close(): Promise<void> {
    await within(this.#queue.close(), 2_000, "closing the queue").catch(() => {});
    this.#redis.disconnect();
  }
}
