// The queue flags shared by `sweep`, `walk-forward` and `screen` (read here; nothing here loads BullMQ).
import { CliUsageError } from "../options.ts";
import { SWEEP_ID_PATTERN } from "./protocol.ts";
import { parseRedisUrl, type RedisTarget } from "./redis-url.ts";

/** The flags, with their help text, in help order. */
export const QUEUE_FLAGS: readonly { flag: string; value: string; description: string }[] = [
  {
    flag: "queue",
    value: "redis://HOST:PORT[/DB]",
    description:
      "run on a BullMQ queue in this Redis instead of local threads: start workers anywhere with `worker --queue URL` (README: a worker fleet)",
  },
  {
    flag: "sweep-id",
    value: "ID",
    description:
      "--queue: name of this sweep in Redis (default: a hash of the data, configurations and options, so the same command resumes)",
  },
  {
    flag: "batch-size",
    value: "N",
    description: "--queue: runs per job (default: about 2 s of work a job, and at least 16 jobs)",
  },
  {
    flag: "redis-timeout-ms",
    value: "MS",
    description: "--queue: give up (resumable) when Redis stays unreachable this long (default 15000)",
  },
];

/** A command's queue settings: absent without --queue. */
export interface QueueCliSpec {
  target: RedisTarget;
  sweepId?: string;
  batchSize?: number;
  redisTimeoutMs: number;
}

/**
 * Reads the queue flags from `value(flag)`; undefined when --queue is not given (then the others are errors).
 *
 * @example
 * ```ts
 * parseQueueFlags((flag) => ({ queue: "redis://127.0.0.1:6379" })[flag]); // { target: …, redisTimeoutMs: 15000 }
 * ```
 */
export function parseQueueFlags(value: (flag: string) => string | undefined): QueueCliSpec | undefined {
  const url = value("queue");
  if (url === undefined) {
    const stray = QUEUE_FLAGS.find((row) => row.flag !== "queue" && value(row.flag) !== undefined);
    if (stray !== undefined) throw new CliUsageError(`--${stray.flag} applies with --queue only`);
    return undefined;
  }
  const spec: QueueCliSpec = { target: parseRedisUrl(url), redisTimeoutMs: 15_000 };
  const sweepId = value("sweep-id");
  if (sweepId !== undefined) {
    if (!SWEEP_ID_PATTERN.test(sweepId))
      throw new CliUsageError(
        `--sweep-id ${JSON.stringify(sweepId)}: expected 1 to 64 letters, digits, '-' or '_'`,
      );
    spec.sweepId = sweepId;
  }
  const integer = (flag: string): number | undefined => {
    const text = value(flag);
    if (text === undefined) return undefined;
    const number = Number(text);
    if (!Number.isInteger(number) || number < 1)
      throw new CliUsageError(`--${flag} must be a positive integer, got ${JSON.stringify(text)}`);
    return number;
  };
  const batchSize = integer("batch-size");
  if (batchSize !== undefined) spec.batchSize = batchSize;
  spec.redisTimeoutMs = integer("redis-timeout-ms") ?? spec.redisTimeoutMs;
  return spec;
}
