// What the coordinator and the workers agree on: the queue, the Redis keys, a job's payload, and how long
// things are kept. A job is one batch of runs of one sweep "round" (a sweep, a walk-forward's training or test
// round, a screen's backtests); its id is the round's id and the batch index, so adding it twice is a no-op.
import { z } from "zod";

/** The BullMQ queue every coordinator adds to and every worker takes from. */
export const QUEUE_NAME = "botmm-backtest";
/** Payload version: a worker refuses (without retrying) a payload it does not know. */
export const PAYLOAD_VERSION = 1;
/** Data, results and finished-batch sets live this long after their last write (a week: resumable). */
export const KEEP_SECONDS = 7 * 86_400;

/** Redis keys outside BullMQ's own (`bull:botmm-backtest:*`). */
export const keys = {
  /** A content-addressed blob: candles, a sweep's configurations, one coin of a screen. */
  blob: (hash: string) => `botmm:blob:${hash}`,
  /** The content hash a round id was first used for (a reused --sweep-id with other data is refused). */
  manifest: (roundId: string) => `botmm:round:${roundId}:manifest`,
  /** One finished batch's results (gzipped V8 serialization of `{ id, value }[]`). */
  result: (roundId: string, batch: number) => `botmm:round:${roundId}:result:${batch}`,
  /** The set of finished batch indices, written in the same transaction as the batch's result. */
  done: (roundId: string) => `botmm:round:${roundId}:done`,
};

/** The BullMQ job id of a batch (BullMQ forbids `:` in custom ids). */
export const jobIdOf = (roundId: string, batch: number): string => `${roundId}.${batch}`;

/** A sweep id given with --sweep-id: it becomes part of Redis keys and job ids. */
export const SWEEP_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "expected a sha256 in hex");

/** A batch of a sweep: configurations (by index into the configs blob) on bars `[from, to)` of the data blob. */
const sweepPayload = z.object({
  v: z.literal(PAYLOAD_VERSION),
  kind: z.literal("sweep"),
  roundId: z.string(),
  batch: z.number().int().nonnegative(),
  data: sha256,
  configs: sha256,
  items: z.array(
    z.object({
      id: z.number().int().nonnegative(),
      config: z.number().int().nonnegative(),
      from: z.number().int().nonnegative(),
      to: z.number().int().nonnegative(),
    }),
  ),
});

/** A batch of a screen: coins (each its own blob) backtested with one options blob. */
const screenPayload = z.object({
  v: z.literal(PAYLOAD_VERSION),
  kind: z.literal("screen"),
  roundId: z.string(),
  batch: z.number().int().nonnegative(),
  options: sha256,
  items: z.array(z.object({ id: z.number().int().nonnegative(), coin: sha256 })),
});

/** The payload of a job, checked by the worker before it runs anything. */
export const jobPayloadSchema = z.discriminatedUnion("kind", [sweepPayload, screenPayload]);
export type JobPayload = z.infer<typeof jobPayloadSchema>;
export type SweepPayload = z.infer<typeof sweepPayload>;
export type ScreenPayload = z.infer<typeof screenPayload>;

/** A failure message of a run the worker will not retry: the coordinator reads the item id back from it. */
export const itemFailure = (id: number, message: string): string => `item ${id}: ${message}`;
/** The item id and message of an {@link itemFailure} message, or null. */
export function parseItemFailure(reason: string): { id: number; message: string } | null {
  const match = /^item (\d+): ([\s\S]*)$/.exec(reason);
  return match === null ? null : { id: Number(match[1]), message: match[2]! };
}

/** Bar·runs in one job: about 2 s of engine time (~1.5M bars/s per thread), so a job is seconds, not ms. */
const BAR_RUNS_PER_JOB = 3_000_000;

/**
 * The number of runs in one job: about {@link BAR_RUNS_PER_JOB} bar·runs, and at least 16 jobs when there are
 * enough runs, so a fleet of workers has something to balance.
 *
 * @example
 * ```ts
 * defaultBatchSize(1_000, 129_600); // 23 (≈ 3M bar·runs a job, 44 jobs)
 * ```
 */
export function defaultBatchSize(runs: number, barsPerRun: number): number {
  const bySize = Math.round(BAR_RUNS_PER_JOB / Math.max(1, barsPerRun));
  return Math.max(1, Math.min(bySize, Math.ceil(runs / 16)));
}
