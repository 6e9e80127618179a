// The queue's cost against a local sweep (issue 15), interleaved in one run so every variant sees the same
// machine: 1,000 configurations × a candles file on local threads (--workers 2), through the queue with one
// worker process of 2 threads, and with two worker processes of 1 thread; then the per-job overhead: 400 jobs
// of one run on 30 bars (nothing to compute) through the queue with one worker of 1 thread, against the same
// runs local. A throwaway redis-server on a free loopback port; a fresh sweep id per run (no resume) and fresh
// workers per run (the data is fetched from Redis in every run, as a new fleet would).
// Run: node --conditions=@botmm/source bench/queue-sweep.ts path/to/candles.csv.gz [rounds]
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { userWorkingDirectory } from "../src/paths.ts";
import { redisServerBinary, startTestRedis } from "../src/queue/redis-test-server.ts";

const args = process.argv.slice(2).filter((arg) => arg !== "--");
if (args[0] === undefined) {
  process.stderr.write(
    "usage: node --conditions=@botmm/source bench/queue-sweep.ts CANDLES.csv[.gz] [rounds]\n",
  );
  process.exit(2);
}
const csv = resolve(userWorkingDirectory(process.env, process.cwd()), args[0]);
const rounds = Number(args[1] ?? 1);
const binary = redisServerBinary();
if (binary === undefined) throw new Error("redis-server is not installed (apt-get install redis-server)");
const redis = await startTestRedis(binary);
const dir = mkdtempSync(join(tmpdir(), "botmm-queue-bench-"));
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

const values = (from: number, step: number, n = 10) =>
  Array.from({ length: n }, (_, i) => Number((from + i * step).toFixed(3))).join(",");
const grid1000 = [
  "--grid",
  `base-spread-bps=${values(0.5, 1)}`,
  "--grid",
  `vol-multiplier=${values(0, 0.3)}`,
  "--grid",
  `inventory-skew-factor=${values(0, 0.1)}`,
];
const grid400 = [
  "--grid",
  `base-spread-bps=${values(0.5, 1, 20)}`,
  "--grid",
  `vol-multiplier=${values(0, 0.3, 20)}`,
];
const tinyCsv = join(dir, "tiny.csv");
const start = Date.UTC(2025, 4, 20);
writeFileSync(
  tinyCsv,
  `open_time,open,high,low,close,volume\n${Array.from({ length: 30 }, (_, i) => `${start + i * 60_000},100,100.1,99.9,100,10`).join("\n")}\n`,
);

const cli = (cliArgs: readonly string[]) => [
  process.execPath,
  "--conditions=@botmm/source",
  "src/cli.ts",
  ...cliArgs,
];

/** Worker processes, returned once each has said it is on the queue (their start-up is not the sweep's). */
async function startWorkers(processes: number, concurrency: number): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: processes }, () => {
      const [node, ...rest] = cli(["worker", "--queue", redis.url, "--concurrency", String(concurrency)]);
      const child = spawn(node!, rest, { stdio: ["ignore", "pipe", "inherit"] });
      return new Promise<ChildProcess>((resolveReady) => {
        let out = "";
        child.stdout!.on("data", (data) => {
          out += data;
          if (out.includes(" worker on ")) resolveReady(child);
        });
      });
    }),
  );
}

/** CPU seconds (user + system, all threads) a running process has used so far: /proc/PID/stat, 100 ticks/s. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * One sweep; the seconds of its "N runs in X s" line (data loaded before, outputs after, not counted), and the
 * CPU seconds of the whole command plus its workers (less sensitive than wall time to what else runs).
 */
async function sweep(
  label: string,
  sweepArgs: readonly string[],
  workers?: { processes: number; concurrency: number },
): Promise<{ seconds: number; cpu: number }> {
  const fleet = workers === undefined ? [] : await startWorkers(workers.processes, workers.concurrency);
  const fleetCpuBefore = fleet.reduce((sum, worker) => sum + cpuSeconds(worker.pid!), 0);
  const result = spawnSync(
    "/usr/bin/time",
    ["-f", "CPU %U %S", ...cli(["sweep", ...sweepArgs, "--no-progress", "--top", "1"])],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const fleetCpu = fleet.reduce((sum, worker) => sum + cpuSeconds(worker.pid!), 0) - fleetCpuBefore;
  for (const worker of fleet) worker.kill("SIGKILL");
  const line = /(\d+) runs in ([\d.]+) s on (.*); runtime/.exec(result.stdout);
  const time = /CPU ([\d.]+) ([\d.]+)/.exec(result.stderr);
  if (result.status !== 0 || line === null || time === null)
    throw new Error(`${label} failed (${result.status}): ${result.stderr}`);
  const seconds = Number(line[2]);
  const cpu = Number(time[1]) + Number(time[2]) + fleetCpu;
  process.stdout.write(
    `${label.padEnd(44)} ${seconds.toFixed(1).padStart(6)} s  ${(Number(line[1]) / seconds).toFixed(1).padStart(7)} runs/s  CPU ${cpu.toFixed(1).padStart(6)} s (workers ${fleetCpu.toFixed(1)})  (load ${load()})\n`,
  );
  return { seconds, cpu };
}

process.stdout.write(`load average before: ${load()}; redis ${redis.url}\n`);
const base = ["--csv", csv, ...grid1000];
const results: Record<string, { seconds: number; cpu: number }[]> = {
  local: [],
  q1: [],
  q2: [],
  emptyLocal: [],
  emptyQueue: [],
};
for (let round = 1; round <= rounds; round++) {
  results.local!.push(await sweep(`r${round} 1000 × file, local --workers 2`, [...base, "--workers", "2"]));
  results.q1!.push(
    await sweep(
      `r${round} 1000 × file, queue 1 worker × 2 threads`,
      [...base, "--queue", redis.url, "--sweep-id", `bench-${round}-q1`],
      {
        processes: 1,
        concurrency: 2,
      },
    ),
  );
  results.q2!.push(
    await sweep(
      `r${round} 1000 × file, queue 2 workers × 1 thread`,
      [...base, "--queue", redis.url, "--sweep-id", `bench-${round}-q2`],
      {
        processes: 2,
        concurrency: 1,
      },
    ),
  );
  const tiny = ["--csv", tinyCsv, ...grid400];
  results.emptyLocal!.push(
    await sweep(`r${round} 400 × 30 bars, local --workers 1`, [...tiny, "--workers", "1"]),
  );
  results.emptyQueue!.push(
    await sweep(
      `r${round} 400 × 30 bars, queue 400 jobs, 1 × 1`,
      [...tiny, "--queue", redis.url, "--sweep-id", `bench-${round}-empty`, "--batch-size", "1"],
      { processes: 1, concurrency: 1 },
    ),
  );
}
const best = (xs: { seconds: number; cpu: number }[], key: "seconds" | "cpu") =>
  Math.min(...xs.map((x) => x[key]));
const ratio = (key: "seconds" | "cpu", variant: string) =>
  `${((best(results.local!, key) / best(results[variant]!, key)) * 100).toFixed(0)}%`;
process.stdout.write(
  `efficiency (best of ${rounds}), wall: queue 1×2 ${ratio("seconds", "q1")}, queue 2×1 ${ratio("seconds", "q2")}; CPU: queue 1×2 ${ratio("cpu", "q1")}, queue 2×1 ${ratio("cpu", "q2")}\n`,
);
process.stdout.write(
  `per-job overhead: wall ${(((best(results.emptyQueue!, "seconds") - best(results.emptyLocal!, "seconds")) / 400) * 1000).toFixed(1)} ms, CPU ${(((best(results.emptyQueue!, "cpu") - best(results.emptyLocal!, "cpu")) / 400) * 1000).toFixed(1)} ms\n`,
);
process.stdout.write(`load average after: ${load()}\n`);
await redis.stop();
spawnSync("rm", ["-rf", dir]);
