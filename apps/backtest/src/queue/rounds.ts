// The sweep's and the screen's runs as queue rounds: their data as content-addressed blobs, their runs in
// batches. Run through a Coordinator, they give the values a local worker-thread run gives, in the same order.
import { createHash } from "node:crypto";
import type { CandleColumns } from "@botmm/backtest";
import type { CoinBacktest, CoinBacktestJob } from "../screen/coin-backtest.ts";
import type { Job, JobOptions, SharedRunData, SweepReport } from "../sweep/job.ts";
import { type Blob, encodeBlob } from "./blobs.ts";
import type { Coordinator } from "./coordinator.ts";
import { defaultBatchSize, type JobPayload, PAYLOAD_VERSION } from "./protocol.ts";

/** The queue flags of a sweep, walk-forward or screen command. */
export interface QueueRunOptions {
  sweepId?: string;
  batchSize?: number;
}

/** The sweep data blob's value: the run context and the six columns, one after another. */
export interface SweepDataValue {
  meta: Omit<SharedRunData, "buffer">;
  values: Float64Array;
}

const hashOf = (value: unknown): string => createHash("sha256").update(JSON.stringify(value)).digest("hex");

const dataBlobs = new WeakMap<SharedRunData, Blob>();
/** The candles and context of a sweep as one blob (made once per data set: a walk-forward has two rounds). */
export function sweepDataBlob(shared: SharedRunData): Blob {
  let blob = dataBlobs.get(shared);
  if (blob === undefined) {
    const { buffer, ...meta } = shared;
    // A copy: a SharedArrayBuffer cannot be serialized.
    const value: SweepDataValue = { meta, values: new Float64Array(new Float64Array(buffer)) };
    blob = encodeBlob(value);
    dataBlobs.set(shared, blob);
  }
  return blob;
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const roundIdOf = (options: QueueRunOptions, contentHash: string, phase: string) =>
  `${options.sweepId ?? contentHash.slice(0, 16)}.${phase}`;

/** A round ready to run; its id is printed so a user knows what resumes. */
export interface PlannedRound<T> {
  roundId: string;
  run(
    coordinator: Coordinator,
    onProgress: ((done: number, total: number) => void) | undefined,
    resumeHint: string,
  ): Promise<T[]>;
}

/**
 * Plans a sweep round: `jobs` (configuration `config` on bars `[from, to)`) of `configs` on `shared`'s
 * candles. `phase` tells a walk-forward's rounds apart under one --sweep-id.
 */
export function planSweepRound(
  shared: SharedRunData,
  configs: readonly JobOptions[],
  jobs: readonly Job[],
  options: QueueRunOptions,
  phase: string,
  describeJob: (job: Job) => string,
): PlannedRound<SweepReport> {
  const data = sweepDataBlob(shared);
  const configBlob = encodeBlob(configs);
  const items = jobs.map((job, id) => ({ id, config: job.config, from: job.from, to: job.to }));
  const bars = jobs.reduce((sum, job) => sum + (job.to - job.from), 0) / Math.max(1, jobs.length);
  const batchSize = options.batchSize ?? defaultBatchSize(jobs.length, bars);
  const contentHash = hashOf({
    v: PAYLOAD_VERSION,
    kind: "sweep",
    data: data.hash,
    configs: configBlob.hash,
    items,
    batchSize,
  });
  const roundId = roundIdOf(options, contentHash, phase);
  const payloads: JobPayload[] = batches(items, batchSize).map((chunk, batch) => ({
    v: PAYLOAD_VERSION,
    kind: "sweep",
    roundId,
    batch,
    data: data.hash,
    configs: configBlob.hash,
    items: chunk,
  }));
  return {
    roundId,
    run: async (coordinator, onProgress, resumeHint) =>
      (await coordinator.run(
        { roundId, contentHash, blobs: [data, configBlob], batches: payloads, runs: jobs.length },
        onProgress,
        (id) => describeJob(jobs[id]!),
        resumeHint,
      )) as SweepReport[],
  };
}

const copyColumns = (columns: CandleColumns): CandleColumns => ({
  length: columns.length,
  openTime: Float64Array.from(columns.openTime),
  open: Float64Array.from(columns.open),
  high: Float64Array.from(columns.high),
  low: Float64Array.from(columns.low),
  close: Float64Array.from(columns.close),
  volume: Float64Array.from(columns.volume),
});

/** Plans a screen's backtests: each coin a blob (its columns copied: a view would carry its whole buffer). */
export function planScreenRound(
  jobs: readonly CoinBacktestJob[],
  options: JobOptions,
  queueOptions: QueueRunOptions,
): PlannedRound<CoinBacktest> {
  const optionsBlob = encodeBlob(options);
  const coinBlobs = jobs.map((job) =>
    encodeBlob({
      ...job,
      columns: copyColumns(job.columns),
      funding:
        job.funding === null
          ? null
          : {
              timeMs: Float64Array.from(job.funding.timeMs),
              ratePerHour: Float64Array.from(job.funding.ratePerHour),
            },
    } satisfies CoinBacktestJob),
  );
  const items = coinBlobs.map((blob, id) => ({ id, coin: blob.hash }));
  const bars = jobs.reduce((sum, job) => sum + job.columns.length, 0) / Math.max(1, jobs.length);
  const batchSize = queueOptions.batchSize ?? defaultBatchSize(jobs.length, bars);
  const contentHash = hashOf({
    v: PAYLOAD_VERSION,
    kind: "screen",
    options: optionsBlob.hash,
    items,
    batchSize,
  });
  const roundId = roundIdOf(queueOptions, contentHash, "screen");
  const payloads: JobPayload[] = batches(items, batchSize).map((chunk, batch) => ({
    v: PAYLOAD_VERSION,
    kind: "screen",
    roundId,
    batch,
    options: optionsBlob.hash,
    items: chunk,
  }));
  return {
    roundId,
    run: async (coordinator, onProgress, resumeHint) =>
      (await coordinator.run(
        { roundId, contentHash, blobs: [optionsBlob, ...coinBlobs], batches: payloads, runs: jobs.length },
        onProgress,
        (id) => `backtest of ${jobs[id]!.coin}`,
        resumeHint,
      )) as CoinBacktest[],
  };
}
