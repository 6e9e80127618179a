// The queue against a real Redis (Debian's redis-server on a free loopback port, one per test), with worker
// and coordinator processes started, killed and restarted as a user's would be. No timing is asserted: every
// wait is on a condition (a log line, an exit), with a generous cap.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Candle } from "@botmm/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generateSyntheticCandles } from "../data/synthetic.ts";
import { parseCliOptions } from "../options.ts";
import { runBacktestCli } from "../run.ts";
import { loadSweepData } from "../sweep/data.ts";
import { jobOptions } from "../sweep/job.ts";
import { captureIo } from "../test-support.ts";
import { BlobCache, encodeBlob, QueueDataError, storeBlob } from "./blobs.ts";
import { Coordinator, QueueJobError } from "./coordinator.ts";
import { keys } from "./protocol.ts";
import { redisServerBinary, startTestRedis, type TestRedis } from "./redis-test-server.ts";
import { parseRedisUrl } from "./redis-url.ts";
import { planSweepRound } from "./rounds.ts";

const binary = redisServerBinary();
if (binary === undefined)
  console.warn(
    "queue.test.ts SKIPPED: redis-server is not installed (apt-get install redis-server; .ci/run installs it)",
  );

const APP_DIR = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "botmm-queue-"));
const DAY = 86_400_000;
const START = Date.UTC(2025, 4, 20);
// A loaded 2-core CI machine starts a CLI process in seconds: generous caps, no timing asserted.
const CAP_MS = 150_000;

function writeCandles(name: string, candles: readonly Candle[]): string {
  const path = join(dir, name);
  const lines = ["open_time,open,high,low,close,volume"];
  for (const c of candles) lines.push(`${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume}`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}
const candles = (days: number, seed: number) =>
  generateSyntheticCandles({ start: START, end: START + days * DAY, intervalMs: 60_000, seed });
/** Two days: runs of a few ms, for the identity tests. */
const smallCsv = writeCandles("small.csv", candles(2, 3));
/** Thirty days: a batch of four runs is a few hundred ms, long enough to kill a worker in the middle of one. */
const longCsv = writeCandles("long.csv", candles(30, 5));
const GRID = [
  "--grid",
  "base-spread-bps=1,2,3,4",
  "--grid",
  "vol-multiplier=0,1",
  "--grid",
  "fill-model=touch,probabilistic",
];
const SMALL_GRID = [
  "--grid",
  "base-spread-bps=1,3",
  "--grid",
  "vol-multiplier=0,1",
  "--grid",
  "fill-model=touch,probabilistic",
];

/** A CLI process (a coordinator or a worker) whose output is kept. */
interface Proc {
  child: ChildProcess;
  out(): string;
  err(): string;
  exit: Promise<number | null>;
}
const procs: Proc[] = [];

function cli(args: readonly string[]): Proc {
  const child = spawn(process.execPath, ["--conditions=@botmm/source", "src/cli.ts", ...args], {
    cwd: APP_DIR,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (data) => (out += data));
  child.stderr!.on("data", (data) => (err += data));
  const proc: Proc = {
    child,
    out: () => out,
    err: () => err,
    exit: new Promise((resolveExit) => child.once("exit", (code) => resolveExit(code))),
  };
  procs.push(proc);
  return proc;
}

const worker = (redis: TestRedis) =>
  cli([
    "worker",
    "--queue",
    redis.url,
    "--concurrency",
    "1",
    "--lock-duration-ms",
    "2000",
    "--stalled-interval-ms",
    "1000",
  ]);

/** Waits until `condition` holds (polling), failing with `what` and the processes' output after the cap. */
async function waitFor(condition: () => boolean, what: string, watched: readonly Proc[] = []): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > CAP_MS)
      throw new Error(
        `gave up waiting for ${what}:\n${watched.map((p) => `--- out\n${p.out()}\n--- err\n${p.err()}`).join("\n")}`,
      );
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

async function finished(proc: Proc): Promise<number | null> {
  const code = await proc.exit;
  return code;
}

const jobLines = (text: string, verb: "start" | "done"): string[] =>
  [...text.matchAll(new RegExp(`^\\S+ ${verb} (\\S+)`, "gm"))].map((match) => match[1]!);

/** A local run of the same command, in this process: the rows the queue must reproduce. */
async function local(args: readonly string[], json: string): Promise<string> {
  const io = captureIo(dir);
  const code = await runBacktestCli([...args, "--json", json], io);
  expect(io.err()).toBe("");
  expect(code).toBe(0);
  return readFileSync(json, "utf8");
}

describe.skipIf(binary === undefined)(
  "sweeps through a BullMQ queue on a real Redis",
  { timeout: 300_000 },
  () => {
    let redis: TestRedis;
    beforeEach(async () => {
      redis = await startTestRedis(binary!);
    });
    afterEach(async () => {
      for (const proc of procs.splice(0)) if (proc.child.exitCode === null) proc.child.kill("SIGKILL");
      await redis.stop();
    });

    it("gives the same rows as a local sweep, on two worker processes", async () => {
      const args = ["sweep", "--csv", smallCsv, ...SMALL_GRID];
      const expected = await local([...args, "--workers", "2"], join(dir, "local-sweep.json"));
      const workers = [worker(redis), worker(redis)];
      const json = join(dir, "queue-sweep.json");
      const coordinator = cli([...args, "--queue", redis.url, "--batch-size", "2", "--json", json]);
      expect(await finished(coordinator), coordinator.err()).toBe(0);
      expect(readFileSync(json, "utf8")).toBe(expected);
      expect(coordinator.out()).toContain(`on the queue at ${redis.url}/0`);
      // Every batch ran once: 8 configurations in batches of 2.
      const done = workers.flatMap((w) => jobLines(w.out(), "done"));
      expect(done.sort()).toEqual([...new Set(done)].sort());
      expect(done).toHaveLength(4);
    });

    it("gives the same walk-forward and screen as a local run", async () => {
      const walk = ["walk-forward", "--csv", smallCsv, ...SMALL_GRID, "--train", "12h", "--test", "6h"];
      const expectedWalk = await local(walk, join(dir, "local-walk.json"));
      const coins = ["AAA", "BBB", "CCC"].map((coin, i) => ({ coin, bars: candles(1, 20 + i) }));
      const screenCsv = join(dir, "coins.csv");
      writeFileSync(
        screenCsv,
        `coin,date,open,high,low,close,volume\n${coins
          .flatMap(({ coin, bars }) =>
            bars.map(
              (c) =>
                `${coin},${new Date(c.openTime).toISOString()},${c.open},${c.high},${c.low},${c.close},${c.volume}`,
            ),
          )
          .join("\n")}\n`,
      );
      const screen = ["screen", "--csv", screenCsv, "--no-progress"];
      const expectedScreen = await local(screen, join(dir, "local-screen.json"));
      worker(redis);
      const walkJson = join(dir, "queue-walk.json");
      const walkRun = cli([...walk, "--queue", redis.url, "--batch-size", "3", "--json", walkJson]);
      expect(await finished(walkRun), walkRun.err()).toBe(0);
      expect(readFileSync(walkJson, "utf8")).toBe(expectedWalk);
      const screenJson = join(dir, "queue-screen.json");
      const screenRun = cli([...screen, "--queue", redis.url, "--batch-size", "1", "--json", screenJson]);
      expect(await finished(screenRun), screenRun.err()).toBe(0);
      expect(readFileSync(screenJson, "utf8")).toBe(expectedScreen);
    });

    it("loses nothing when a worker is killed with SIGKILL in the middle of a job", async () => {
      const args = ["sweep", "--csv", longCsv, ...GRID];
      const expected = await local([...args, "--workers", "2"], join(dir, "local-long.json"));
      const json = join(dir, "queue-killed.json");
      const coordinator = cli([...args, "--queue", redis.url, "--batch-size", "4", "--json", json]);
      const first = worker(redis);
      await waitFor(() => jobLines(first.out(), "start").length > 0, "the first worker to start a job", [
        first,
        coordinator,
      ]);
      first.child.kill("SIGKILL");
      await first.exit;
      const [killedJob] = jobLines(first.out(), "start");
      // The premise: the job was still running when the worker died.
      expect(jobLines(first.out(), "done")).not.toContain(killedJob);
      const second = worker(redis);
      expect(await finished(coordinator), coordinator.err()).toBe(0);
      expect(readFileSync(json, "utf8")).toBe(expected);
      // BullMQ's stalled check gave the killed job to the second worker, which ran every batch once.
      const done = jobLines(second.out(), "done");
      expect(done).toContain(killedJob);
      expect(done.sort()).toEqual([...new Set(done)].sort());
      expect(done).toHaveLength(4);
    });

    it("resumes when the coordinator is restarted, skipping the finished batches", async () => {
      const args = ["sweep", "--csv", longCsv, ...GRID, "--queue", redis.url, "--batch-size", "2"];
      const expected = await local(["sweep", "--csv", longCsv, ...GRID], join(dir, "local-restart.json"));
      const json = join(dir, "queue-restart.json");
      const firstCoordinator = cli([...args, "--json", json]);
      const first = worker(redis);
      await waitFor(() => jobLines(first.out(), "done").length >= 2, "two finished batches", [
        first,
        firstCoordinator,
      ]);
      // Freeze the worker (it does no more), kill the coordinator, then the worker too.
      first.child.kill("SIGSTOP");
      firstCoordinator.child.kill("SIGKILL");
      await firstCoordinator.exit;
      first.child.kill("SIGKILL");
      await first.exit;
      const doneBefore = jobLines(first.out(), "done");
      expect(existsSync(json)).toBe(false);

      const secondCoordinator = cli([...args, "--json", json]);
      const second = worker(redis);
      expect(await finished(secondCoordinator), secondCoordinator.err()).toBe(0);
      expect(readFileSync(json, "utf8")).toBe(expected);
      const resumed = /(\d+) of 8 batches already done/.exec(secondCoordinator.out());
      expect(resumed, secondCoordinator.out()).not.toBeNull();
      expect(Number(resumed![1])).toBeGreaterThanOrEqual(doneBefore.length);
      // No finished batch ran again.
      for (const job of jobLines(second.out(), "start")) expect(doneBefore).not.toContain(job);
    });

    it("stops with a clear error when Redis goes away, writes nothing, and resumes once it is back", async () => {
      const args = ["sweep", "--csv", longCsv, ...GRID, "--queue", redis.url, "--batch-size", "2"];
      const expected = await local(["sweep", "--csv", longCsv, ...GRID], join(dir, "local-redis.json"));
      const json = join(dir, "queue-redis.json");
      const coordinator = cli([...args, "--redis-timeout-ms", "2000", "--json", json]);
      const first = worker(redis);
      await waitFor(() => jobLines(first.out(), "done").length >= 1, "a finished batch", [
        first,
        coordinator,
      ]);
      first.child.kill("SIGSTOP");
      await redis.kill();
      expect(await finished(coordinator)).toBe(1);
      expect(coordinator.err()).toContain(`Redis at ${redis.url}/0 is unreachable`);
      expect(coordinator.err()).toMatch(
        /\d+ of 16 runs had finished, nothing written — run the same command again to resume/,
      );
      expect(existsSync(json)).toBe(false);
      first.child.kill("SIGKILL");

      await redis.restart();
      worker(redis);
      const again = cli([...args, "--json", json]);
      expect(await finished(again), again.err()).toBe(0);
      expect(readFileSync(json, "utf8")).toBe(expected);
    });

    it("fetches data once by hash, from a data dir when there, and refuses what does not match", async () => {
      const { Redis } = await import("ioredis");
      const client = new Redis(redis.port, "127.0.0.1");
      try {
        const blob = encodeBlob({ candles: new Float64Array([1, 2, 3]) });
        await storeBlob(client, blob);
        const dataDir = join(dir, "data");
        const first = new BlobCache(client, { dataDir });
        const [a, b] = await Promise.all([first.get(blob.hash), first.get(blob.hash)]);
        expect(a).toEqual({ candles: new Float64Array([1, 2, 3]) });
        expect(b).toBe(a);
        expect(first.fetched).toEqual({ redis: 1, dataDir: 0 });
        // A second worker sharing the directory reads the file, not Redis.
        await client.del(keys.blob(blob.hash));
        const second = new BlobCache(client, { dataDir });
        expect(await second.get(blob.hash)).toEqual(a);
        expect(second.fetched).toEqual({ redis: 0, dataDir: 1 });
        // A damaged file is not trusted: fetched again from Redis (here gone: a clear error naming both places).
        const file = join(dataDir, `${blob.hash}.v8`);
        writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from([0])]));
        await expect(new BlobCache(client, { dataDir }).get(blob.hash)).rejects.toThrow(
          new RegExp(`data ${blob.hash.slice(0, 12)} is not in Redis nor in ${file}`),
        );
        await storeBlob(client, blob);
        const third = new BlobCache(client, { dataDir });
        expect(await third.get(blob.hash)).toEqual(a);
        expect(third.fetched).toEqual({ redis: 1, dataDir: 0 });
        await expect(new BlobCache(client).get("0".repeat(64))).rejects.toBeInstanceOf(QueueDataError);
      } finally {
        client.disconnect();
      }
    });

    it("reports a run that fails with its configuration, without retrying it", async () => {
      const io = captureIo(dir);
      const base = await parseCliOptions(["--csv", smallCsv], dir);
      if (base === "help") throw new Error("unexpected help");
      const { shared } = await loadSweepData(base, io);
      const good = jobOptions(base);
      // A configuration the engine cannot run (no strategy): the same error on every attempt.
      const configs = [good, { ...good, strategy: null as never }];
      const jobs = configs.map((_, i) => ({ id: i, config: i, from: 0, to: shared.length }));
      const w = worker(redis);
      const coordinator = await Coordinator.connect({
        target: parseRedisUrl(redis.url),
        redisTimeoutMs: 10_000,
      });
      try {
        const round = planSweepRound(shared, configs, jobs, { batchSize: 1 }, "bad", (job) =>
          job.config === 1 ? "configuration 2 (no strategy)" : "configuration 1",
        );
        const error = await round.run(coordinator, undefined, "resume").catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(QueueJobError);
        expect((error as Error).message).toMatch(
          /^configuration 2 \(no strategy\): .+ \(failed on a worker; not retried\)$/,
        );
        const failedJob = `${round.roundId}.1`;
        await waitFor(() => w.out().includes(`failed ${failedJob}`), "the worker's failure line", [w]);
        expect(jobLines(w.out(), "start").filter((job) => job === failedJob)).toHaveLength(1);
      } finally {
        await coordinator.close();
      }
    });
  },
);
