// Sweep throughput and memory: 1,000 configurations × a candles file (90 days of 1m BTCUSDT in BENCHMARKS.md),
// each as its own CLI process under /usr/bin/time: 2 workers, then 1 worker (one run of this script, so both
// see the same machine), then 100 configurations on 2 workers for the RSS comparison.
// Run: node --conditions=@botmm/source bench/sweep.ts path/to/candles.csv.gz
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { userWorkingDirectory } from "../src/paths.ts";

const csvArg = process.argv.slice(2).find((arg) => arg !== "--");
if (csvArg === undefined) {
  process.stderr.write("usage: node --conditions=@botmm/source bench/sweep.ts CANDLES.csv[.gz]\n");
  process.exit(2);
}
const csv = resolve(userWorkingDirectory(process.env, process.cwd()), csvArg);
const values = (from: number, step: number) =>
  Array.from({ length: 10 }, (_, i) => Number((from + i * step).toFixed(3))).join(",");
const grids = {
  1000: [
    "--grid",
    `base-spread-bps=${values(0.5, 1)}`,
    "--grid",
    `vol-multiplier=${values(0, 0.3)}`,
    "--grid",
    `inventory-skew-factor=${values(0, 0.1)}`,
  ],
  100: ["--grid", `base-spread-bps=${values(0.5, 1)}`, "--grid", `vol-multiplier=${values(0, 0.3)}`],
};

/** The node flags of the app's `start` script (V8's inlining budgets among them): the sweep runs as users run it. */
function startScriptNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, "../package.json"), "utf8")) as {
    scripts: { start: string };
  };
  return pkg.scripts.start.split(/\s+/).filter((word) => word.startsWith("--"));
}

function sweep(configs: 100 | 1000, workers: number): { wallS: number; rssMb: number; line: string } {
  const args = [
    "-f",
    "TIME %e %M",
    process.execPath,
    ...startScriptNodeFlags(),
    "src/main.mjs",
    "sweep",
    "--csv",
    csv,
    ...grids[configs],
  ];
  args.push("--workers", String(workers), "--no-progress", "--top", "1");
  const result = spawnSync("/usr/bin/time", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const time = /TIME ([\d.]+) (\d+)/.exec(result.stderr);
  if (result.status !== 0 || time === null)
    throw new Error(`sweep failed (${result.status}): ${result.stderr}`);
  const line = result.stdout.trim().split("\n").at(-1) ?? "";
  return { wallS: Number(time[1]), rssMb: Number(time[2]) / 1024, line };
}

process.stdout.write(
  `load average before: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}\n`,
);
const two = sweep(1000, 2);
process.stdout.write(
  `1000 configs, 2 workers: ${two.wallS.toFixed(1)} s wall, max RSS ${two.rssMb.toFixed(0)} MB — ${two.line}\n`,
);
const one = sweep(1000, 1);
process.stdout.write(
  `1000 configs, 1 worker:  ${one.wallS.toFixed(1)} s wall, max RSS ${one.rssMb.toFixed(0)} MB — ${one.line}\n`,
);
const small = sweep(100, 2);
process.stdout.write(
  `100 configs, 2 workers:  ${small.wallS.toFixed(1)} s wall, max RSS ${small.rssMb.toFixed(0)} MB — ${small.line}\n`,
);
process.stdout.write(`speed-up 2 vs 1 worker: ${(one.wallS / two.wallS).toFixed(2)}×\n`);
process.stdout.write(
  `load average after: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}\n`,
);
