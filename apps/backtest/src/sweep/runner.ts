// Where a sweep's runs go: local worker threads, or (--queue) a BullMQ queue and whatever workers serve it.
// Either way the reports come back by job, the same values in the same order.
import type { QueueCliSpec } from "../queue/queue-flags.ts";
import type { CliIo } from "../run.ts";
import type { Job, JobOptions, SharedRunData, SweepReport } from "./job.ts";
import { runJobs } from "./pool.ts";

/** Runs rounds of jobs on one data set. */
export interface SweepRunner {
  /** `phase` names the round within the command (a walk-forward has a training and a test round). */
  run(
    configs: readonly JobOptions[],
    jobs: readonly Job[],
    onProgress: ((done: number, total: number) => void) | undefined,
    describeJob: (job: Job) => string,
    phase: string,
  ): Promise<SweepReport[]>;
  /** "2 workers", or the queue's URL, for the closing line. */
  readonly where: string;
  close(): Promise<void>;
}

/** The runner of a command: local threads, or a queue coordinator when `queue` is given. */
export async function sweepRunner(
  settings: { workers: number; queue?: QueueCliSpec },
  shared: SharedRunData,
  io: CliIo,
): Promise<SweepRunner> {
  if (settings.queue === undefined)
    return {
      run: (configs, jobs, onProgress, describeJob) =>
        runJobs(shared, configs, jobs, settings.workers, onProgress, describeJob),
      where: `${settings.workers} worker${settings.workers === 1 ? "" : "s"}`,
      close: async () => {},
    };
  const queue = settings.queue;
  // Loaded only here: a local run never loads BullMQ or ioredis.
  const [{ Coordinator }, { planSweepRound }] = await Promise.all([
    import("../queue/coordinator.ts"),
    import("../queue/rounds.ts"),
  ]);
  const coordinator = await Coordinator.connect({
    target: queue.target,
    redisTimeoutMs: queue.redisTimeoutMs,
    log: (line) => io.stdout.write(`${line}\n`),
  });
  return {
    run: (configs, jobs, onProgress, describeJob, phase) => {
      const round = planSweepRound(shared, configs, jobs, queue, phase, describeJob);
      const sweepId = round.roundId.slice(0, round.roundId.lastIndexOf("."));
      io.stdout.write(
        `queue ${queue.target.display}: sweep ${sweepId}, round ${phase}, ${jobs.length} runs (workers: \`worker --queue ${queue.target.display}\`)\n`,
      );
      return round.run(coordinator, onProgress, `run the same command again to resume (sweep id ${sweepId})`);
    },
    where: `the queue at ${queue.target.display}`,
    close: () => coordinator.close(),
  };
}
