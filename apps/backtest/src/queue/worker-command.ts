// `worker --queue redis://HOST:PORT`: takes batches of sweep, walk-forward and screen runs from the queue and
// runs them on `--concurrency` threads, on any machine that can reach the Redis. The BullMQ worker lives on the
// main thread, which only fetches data and writes results, so its job locks are renewed while the threads
// compute; a killed worker's lock expires and BullMQ's stalled check gives its job to another worker.
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { Worker as Thread } from "node:worker_threads";
import { BotmmError } from "@botmm/core";
import { CliUsageError } from "../options.ts";
import type { CliIo } from "../run.ts";
import type { CoinBacktestJob } from "../screen/coin-backtest.ts";
import type { JobOptions, SharedRunData } from "../sweep/job.ts";
import { BlobCache, encodeResults } from "./blobs.ts";
import type { ComputeRequest, ComputeResponse } from "./compute-thread.ts";
import { redisOptions } from "./coordinator.ts";
import {
  itemFailure,
  type JobPayload,
  jobPayloadSchema,
  KEEP_SECONDS,
  keys,
  QUEUE_NAME,
} from "./protocol.ts";
import { parseRedisUrl, type RedisTarget } from "./redis-url.ts";
import type { SweepDataValue } from "./rounds.ts";

/** A parsed `worker` command line. */
export interface WorkerSpec {
  target: RedisTarget;
  concurrency: number;
  dataDir?: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/** The worker's flags, in help order. */
export const WORKER_FLAGS: readonly { flag: string; value?: string; description: string }[] = [
  { flag: "queue", value: "redis://HOST:PORT[/DB]", description: "the Redis of the queue (required)" },
  {
    flag: "concurrency",
    value: "N",
    description: "batches run at once, each on its own thread (default: the core count)",
  },
  {
    flag: "data-dir",
    value: "DIR",
    description:
      "read data blobs from DIR/<sha256>.v8 when there (a path shared between machines), and keep the ones fetched from Redis there",
  },
  {
    flag: "lock-duration-ms",
    value: "MS",
    description:
      "BullMQ job lock: a killed worker's job goes to another worker after about this (default 30000)",
  },
  {
    flag: "stalled-interval-ms",
    value: "MS",
    description: "how often this worker looks for stalled jobs of killed workers (default 30000)",
  },
];

/** The `--help` of `worker`. */
export function workerHelp(): string {
  return [
    "Usage: pnpm --filter backtest start -- worker --queue redis://HOST:PORT[/DB] [--concurrency N]",
    "",
    "Runs the batches that `sweep`, `walk-forward` and `screen` enqueue with --queue, on any machine that reaches",
    "the Redis; start as many as you like, anywhere. Data arrives by content hash (fetched once, checked). Stop",
    "with Ctrl-C (finishes the batches in hand) or kill it: its batches are retried elsewhere.",
    "",
    "worker options",
    ...WORKER_FLAGS.map((row) => {
      const syntax = `  --${row.flag}${row.value === undefined ? "" : ` ${row.value}`}`;
      return syntax.length < 33
        ? `${syntax.padEnd(34)}${row.description}`
        : `${syntax}\n${"".padEnd(34)}${row.description}`;
    }),
  ].join("\n");
}

const positive = (text: string | undefined, flag: string): number => {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 1)
    throw new CliUsageError(`--${flag} must be a positive integer, got ${JSON.stringify(text ?? "")}`);
  return value;
};

/**
 * Parses the worker's command line.
 *
 * @example
 * ```ts
 * parseWorkerArgs(["--queue", "redis://127.0.0.1:6379", "--concurrency", "2"], "/tmp", 4);
 * ```
 */
export function parseWorkerArgs(argv: readonly string[], cwd: string, cores: number): WorkerSpec | "help" {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--help" || token === "-h") return "help";
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(token);
    const row = match === null ? undefined : WORKER_FLAGS.find((candidate) => candidate.flag === match[1]);
    if (match === null || row === undefined)
      throw new CliUsageError(
        `worker: unknown argument ${JSON.stringify(token)} (expected ${WORKER_FLAGS.map((f) => `--${f.flag}`).join(", ")})`,
      );
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new CliUsageError(`--${row.flag} needs a value (${row.value})`);
    values.set(row.flag, value);
  }
  const url = values.get("queue");
  if (url === undefined) throw new CliUsageError("worker needs --queue redis://HOST:PORT[/DB]");
  const spec: WorkerSpec = {
    target: parseRedisUrl(url),
    concurrency: values.has("concurrency") ? positive(values.get("concurrency"), "concurrency") : cores,
    lockDurationMs: values.has("lock-duration-ms")
      ? positive(values.get("lock-duration-ms"), "lock-duration-ms")
      : 30_000,
    stalledIntervalMs: values.has("stalled-interval-ms")
      ? positive(values.get("stalled-interval-ms"), "stalled-interval-ms")
      : 30_000,
  };
  if (values.has("data-dir")) spec.dataDir = resolve(cwd, values.get("data-dir")!);
  return spec;
}

/** Compute threads, one batch each at a time; a crashed thread is replaced and its batch rejected (retried). */
class ThreadPool {
  readonly #idle: Thread[] = [];
  readonly #waiting: ((thread: Thread) => void)[] = [];
  readonly #all = new Set<Thread>();

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.#idle.push(this.#spawn());
  }

  #spawn(): Thread {
    const thread = new Thread(new URL("./compute-thread.ts", import.meta.url), {
      // From the sources (not the CLI's bundle), workspace packages resolve to their TypeScript.
      execArgv: ["-C", "@botmm/source"],
    });
    this.#all.add(thread);
    return thread;
  }

  async run(request: ComputeRequest): Promise<ComputeResponse> {
    const thread =
      this.#idle.pop() ?? (await new Promise<Thread>((resolveThread) => this.#waiting.push(resolveThread)));
    let replaced = false;
    try {
      return await new Promise<ComputeResponse>((resolveRun, rejectRun) => {
        const onMessage = (response: ComputeResponse) => {
          cleanup();
          resolveRun(response);
        };
        const onError = (error: Error) => {
          cleanup();
          rejectRun(new Error(`a compute thread failed: ${error.message}`));
        };
        const onExit = (code: number) => {
          cleanup();
          rejectRun(new Error(`a compute thread exited with code ${code}`));
        };
        const cleanup = () => {
          thread.off("message", onMessage);
          thread.off("error", onError);
          thread.off("exit", onExit);
        };
        thread.on("message", onMessage);
        thread.on("error", onError);
        thread.on("exit", onExit);
        thread.postMessage(request);
      });
    } catch (error) {
      replaced = true;
      this.#all.delete(thread);
      void thread.terminate();
      this.#release(this.#spawn());
      throw error;
    } finally {
      if (!replaced) this.#release(thread);
    }
  }

  #release(thread: Thread): void {
    const waiter = this.#waiting.shift();
    if (waiter === undefined) this.#idle.push(thread);
    else waiter(thread);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#all].map((thread) => thread.terminate()));
  }
}

const decodeSweepData = (value: unknown): SharedRunData => {
  const { meta, values } = value as SweepDataValue;
  const buffer = new SharedArrayBuffer(values.byteLength);
  new Float64Array(buffer).set(values);
  return { ...meta, buffer };
};

/** The `worker` command. Runs until SIGINT/SIGTERM; returns the exit code. */
export async function runWorkerCli(argv: readonly string[], io: CliIo): Promise<number> {
  let spec: WorkerSpec | "help";
  try {
    spec = parseWorkerArgs(argv, io.cwd, availableParallelism());
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return error instanceof CliUsageError ? 2 : 1;
  }
  if (spec === "help") {
    io.stdout.write(`${workerHelp()}\n`);
    return 0;
  }
  try {
    await runWorker(spec, io);
    return 0;
  } catch (error) {
    const code = error instanceof BotmmError ? ` [${error.code}]` : "";
    io.stderr.write(`error${code}: ${(error as Error).message}\n`);
    return 1;
  }
}

async function runWorker(spec: WorkerSpec, io: CliIo): Promise<void> {
  const [{ Redis }, { Worker, UnrecoverableError }] = await Promise.all([
    import("ioredis"),
    import("bullmq"),
  ]);
  const log = (line: string) => io.stdout.write(`${new Date(io.now()).toISOString()} ${line}\n`);
  const redis = new Redis({ ...redisOptions(spec.target, false), maxRetriesPerRequest: 3 });
  let lastError = "";
  const onRedisError = (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    log(`redis ${spec.target.display}: ${error.message} (retrying)`);
  };
  redis.on("error", onRedisError);
  redis.on("ready", () => {
    if (lastError !== "") log(`redis ${spec.target.display}: connected again`);
    lastError = "";
  });
  await redis.connect().catch(() => {});
  const cache = new BlobCache(redis, spec.dataDir === undefined ? {} : { dataDir: spec.dataDir });
  const pool = new ThreadPool(spec.concurrency);

  const resolveRequest = async (payload: JobPayload): Promise<ComputeRequest> => {
    if (payload.kind === "sweep") {
      const [shared, configs] = await Promise.all([
        cache.get(payload.data, decodeSweepData),
        cache.get<JobOptions[]>(payload.configs),
      ]);
      return {
        kind: "sweep",
        shared,
        items: payload.items.map((item) => {
          const options = configs[item.config];
          if (options === undefined || item.to > shared.length || item.from > item.to)
            throw new UnrecoverableError(
              itemFailure(
                item.id,
                `configuration ${item.config} on bars ${item.from}–${item.to} is not in the data`,
              ),
            );
          return { id: item.id, options, from: item.from, to: item.to };
        }),
      };
    }
    const [options, jobs] = await Promise.all([
      cache.get<JobOptions>(payload.options),
      Promise.all(payload.items.map((item) => cache.get<CoinBacktestJob>(item.coin))),
    ]);
    return {
      kind: "screen",
      options,
      items: payload.items.map((item, i) => ({ id: item.id, job: jobs[i]! })),
    };
  };

  const worker = new Worker(
    QUEUE_NAME,
    async (job) => {
      const parsed = jobPayloadSchema.safeParse(job.data);
      if (!parsed.success)
        throw new UnrecoverableError(
          `job ${job.id}: a payload this worker does not understand (${parsed.error.issues[0]?.message ?? "invalid"} at ${parsed.error.issues[0]?.path.join(".") ?? "?"}); is it older than the coordinator?`,
        );
      const payload = parsed.data;
      const started = performance.now();
      log(`start ${job.id} (${payload.items.length} runs, attempt ${job.attemptsMade + 1})`);
      const response = await pool.run(await resolveRequest(payload));
      // A run that threw is deterministic (a bad configuration): retrying it cannot help.
      if (response.type === "error") throw new UnrecoverableError(itemFailure(response.id, response.message));
      const written = await redis
        .multi()
        .set(keys.result(payload.roundId, payload.batch), encodeResults(response.results), "EX", KEEP_SECONDS)
        .sadd(keys.done(payload.roundId), String(payload.batch))
        .expire(keys.done(payload.roundId), KEEP_SECONDS)
        .exec();
      const failed = written?.find(([error]) => error !== null)?.[0];
      if (written === null || failed !== undefined)
        throw new Error(`storing the results in Redis: ${failed?.message ?? "transaction aborted"}`);
      log(
        `done ${job.id} (${payload.items.length} runs in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
      return { runs: payload.items.length };
    },
    {
      connection: redisOptions(spec.target, true),
      concurrency: spec.concurrency,
      lockDuration: spec.lockDurationMs,
      stalledInterval: spec.stalledIntervalMs,
      // A job whose worker died twice more is not retried forever (it may be what kills them).
      maxStalledCount: 3,
      autorun: false,
    },
  );
  worker.on("error", onRedisError);
  // Logged at each failed attempt: BullMQ retries with backoff unless the error is unrecoverable.
  worker.on("failed", (job, error) => log(`failed ${job?.id ?? "?"}: ${error.message}`));

  log(
    `worker on ${spec.target.display}, queue ${QUEUE_NAME}, ${spec.concurrency} thread${spec.concurrency === 1 ? "" : "s"}${spec.dataDir === undefined ? "" : `, data dir ${spec.dataDir}`}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log(`${signal} again: exiting now (the batches in hand will be retried elsewhere)`);
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: finishing the batches in hand, then exiting (again to exit now)`);
    void worker.close();
  };
  const onSigint = () => stop("SIGINT");
  const onSigterm = () => stop("SIGTERM");
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  try {
    await worker.run();
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
    await pool.close();
    redis.disconnect();
    log(
      `stopped (data fetched: ${cache.fetched.redis} from Redis, ${cache.fetched.dataDir} from the data dir)`,
    );
  }
}
