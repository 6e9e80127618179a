// Wall and CPU time of the whole backtest CLI as users start it (`node <start-script flags> src/main.mjs`, i.e.
// from its bundle) on 90 days of 1m candles, after one warm-up run (bundle built, CSV copy written):
// - downloaded candles from the disk cache, seeded in a temporary cache from the CSV given as argument (else
//   from the seeded synthetic generator);
// - with a CSV: `--csv FILE` with the default fill model and with `--fill-model subbar`.
// Five runs each, interleaved. CPU (user + sys of the child, all its threads) is read from /proc on Linux.
// Run: pnpm --filter backtest bench [path/to/candles.csv.gz]
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Candle } from "@botmm/core";
import { partitionsOverlapping, writePartition } from "../src/data/cache.ts";
import { loadCsvFile } from "../src/data/csv-file.ts";
import { generateSyntheticCandles } from "../src/data/synthetic.ts";
import { userWorkingDirectory } from "../src/paths.ts";

const DAY_MS = 86_400_000;
const RUNS = 5;
const APP_DIR = resolve(import.meta.dirname, "..");
// pnpm passes a literal "--" through to the script; a relative path is the user's, as in the CLI.
const csvArg = process.argv.slice(2).find((arg) => arg !== "--");
const csv =
  csvArg === undefined ? undefined : resolve(userWorkingDirectory(process.env, process.cwd()), csvArg);
let candles: Candle[];
if (csv) {
  candles = await loadCsvFile(csv);
  const firstDay = Math.ceil(candles[0]!.openTime / DAY_MS) * DAY_MS;
  candles = candles.filter((c) => c.openTime >= firstDay && c.openTime < firstDay + 90 * DAY_MS);
} else {
  const start = Date.UTC(2025, 4, 20);
  candles = generateSyntheticCandles({ start, end: start + 90 * DAY_MS, intervalMs: 60_000, seed: 1 });
}
const start = candles[0]!.openTime;
const end = candles[candles.length - 1]!.openTime + 60_000;
const cacheDir = mkdtempSync(join(tmpdir(), "botmm-cache-bench-"));
const series = {
  cacheDir,
  source: "binance-usdm" as const,
  symbol: "BTCUSDT",
  interval: "1m",
  intervalMs: 60_000,
};
for (const partition of partitionsOverlapping(start, end, 60_000)) {
  const inside = candles.filter((c) => c.openTime >= partition.start && c.openTime < partition.end);
  await writePartition(series, {
    partition,
    coveredFrom: partition.start,
    coveredTo: partition.end,
    candles: inside,
  });
}

/** The node flags of the app's `start` script: the CLI runs as users run it. */
const pkg = JSON.parse(readFileSync(join(APP_DIR, "package.json"), "utf8")) as { scripts: { start: string } };
const nodeFlags = pkg.scripts.start.split(/\s+/).filter((word) => word.startsWith("--"));
const cases: { name: string; args: string[] }[] = [
  {
    name: "cached download",
    args: ["--source", "binance", "--symbol", "BTCUSDT", "--start", new Date(start).toISOString()],
  },
];
cases[0]!.args.push("--end", new Date(end).toISOString(), "--cache-dir", cacheDir);
if (csv) {
  cases.push({ name: "--csv", args: ["--csv", csv] });
  cases.push({ name: "--csv --fill-model subbar", args: ["--csv", csv, "--fill-model", "subbar"] });
}
// --csv keeps its parsed copy under $BOTMM_CACHE_DIR/csv: the temporary cache here.
const env = { ...process.env, BOTMM_CACHE_DIR: cacheDir };
const times = cases.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
for (let round = 0; round <= RUNS; round++) {
  cases.forEach((c, i) => {
    const cpu0 = childrenCpuMs();
    const t0 = performance.now();
    execFileSync(process.execPath, [...nodeFlags, "src/main.mjs", ...c.args, "--no-progress"], {
      cwd: APP_DIR,
      env,
      stdio: round === 0 && i === 0 ? ["ignore", "inherit", "inherit"] : "ignore",
    });
    // Round 0 warms up: the bundle is built if stale and the CSV's parsed copy written.
    if (round === 0) return;
    times[i]!.wall.push(performance.now() - t0);
    times[i]!.cpu.push(childrenCpuMs() - cpu0);
  });
}
rmSync(cacheDir, { recursive: true, force: true });
const source = csv ?? "synthetic";
console.log(`cli, ${candles.length.toLocaleString("en-US")} bars (${source}), best / median of ${RUNS}:`);
cases.forEach((c, i) => {
  const wall = times[i]!.wall.sort((a, b) => a - b);
  const cpu = times[i]!.cpu.sort((a, b) => a - b);
  const cpuText = Number.isNaN(cpu[0]!)
    ? ""
    : `, CPU ${cpu[0]!.toFixed(0)} / ${cpu[RUNS >> 1]!.toFixed(0)} ms`;
  console.log(`  ${c.name}: wall ${wall[0]!.toFixed(0)} / ${wall[RUNS >> 1]!.toFixed(0)} ms${cpuText}`);
});

/** CPU time (ms) of this process's finished children, from /proc (NaN elsewhere). */
function childrenCpuMs(): number {
  if (!existsSync("/proc/self/stat")) return Number.NaN;
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // cutime and cstime are fields 16 and 17 of the line (13 and 14 after the command name), in clock ticks
  // (USER_HZ, 100 on Linux).
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}
