/**
 * Before/after throughput of the candle engine: the engine of another checkout (a worktree of an earlier
 * commit) and this one, on the same candles. Both run with the toxicity guard off and onHalt "hold" where it
 * exists, so their results must agree to the cent — the script checks it before it reports a speed.
 *
 * By default each engine runs in processes of its own, alternately (before, after, before, …; `rounds`
 * processes each, 10 timed runs after 10 warm-up runs in each), as a user runs one engine: two engines loaded in
 * one process share V8's object layouts for literals of the same keys, so the older engine's integer-initialised
 * objects made the newer engine's fields boxed (a slowdown neither has alone). `--same-process` runs both in
 * this process instead, alternately, best of `rounds` each (the method before 2026-12-06).
 *
 *   git worktree add ../botmm-before <commit> && (cd ../botmm-before && pnpm install --offline)
 *   pnpm --filter @botmm/backtest bench:ab -- ../botmm-before path/to/candles.csv.gz [rounds] [--same-process]
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gunzipSync } from "node:zlib";

const argv = process.argv.slice(2).filter((arg) => arg !== "--");
const sameProcess = argv.includes("--same-process");
const afterIndex = argv.indexOf("--after");
const afterDir = afterIndex >= 0 ? argv[afterIndex + 1] : undefined;
if (afterIndex >= 0 && (afterDir === undefined || afterDir.startsWith("--"))) {
  console.error("--after needs the directory of a checkout");
  process.exit(2);
}
// A child process of the isolated mode: `--child <before|after> <root>` runs one engine, prints its timings.
const childIndex = argv.indexOf("--child");
const child = childIndex >= 0 ? { key: argv[childIndex + 1] as Key, root: argv[childIndex + 2]! } : null;
const args = argv.filter(
  (arg, i) =>
    arg !== "--same-process" &&
    (afterIndex < 0 || (i !== afterIndex && i !== afterIndex + 1)) &&
    (childIndex < 0 || i < childIndex),
);
const [beforeDir, csvPath, roundsText] = args;
if (beforeDir === undefined || csvPath === undefined) {
  console.error(
    "usage: bench:ab -- <checkout of the earlier commit> <candles.csv[.gz]> [rounds] [--same-process] [--after <checkout>]",
  );
  process.exit(2);
}
const rounds = Number(roundsText ?? (sameProcess ? 20 : 8));
const here = resolve(import.meta.dirname, "../../..");
const cwd = process.env.INIT_CWD ?? process.cwd();
type Key = "before" | "after";
const WARM_UP_RUNS = 10;
const TIMED_RUNS_PER_PROCESS = 10;
const raw = readFileSync(resolve(cwd, csvPath));
const text = (csvPath.endsWith(".gz") ? gunzipSync(raw) : raw).toString();

type Engine = () => { bars: number; fills: unknown[]; pnl: { totalUsd: number } };

async function load(root: string, extra: Record<string, unknown>): Promise<Engine> {
  const core = await import(resolve(root, "packages/core/src/index.ts"));
  const strategy = await import(resolve(root, "packages/strategy/src/index.ts"));
  const backtest = await import(resolve(root, "packages/backtest/src/index.ts"));
  const columns = backtest.toCandleColumns(core.parseCandleCsv(text));
  const options = {
    instrument: core.hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 }),
    strategy: strategy.parseStrategyConfig({ toxicityGuard: false, ...extra }),
    intervalMs: 60_000,
    fillModel: { type: "cross", throughTicks: 1 },
    barPath: "nearest",
    maxVolumeShare: 0.1,
    latencyMs: 200,
    funding: { type: "constant", ratePerHour: 0.0000125 },
    takerSlippageBps: 1,
    seed: 1,
  };
  return () => backtest.runCandleBacktest(columns, options);
}

const extraOf = (key: Key): Record<string, unknown> => (key === "after" ? { onHalt: "hold" } : {});
const afterRoot = afterDir === undefined ? here : resolve(cwd, afterDir);
const rootOf = (key: Key): string => (key === "after" ? afterRoot : resolve(cwd, beforeDir));

/**
 * One timed run: wall ms, CPU ms of the process, the run's total PnL and bars, and the minor page faults it took
 * (fresh memory touched for the first time: on this machine each costs ≈ 12 µs, and whether a run gets reused
 * memory or fresh pages varies from run to run — most of the spread between a best and a median run).
 */
function timed(engine: Engine): { ms: number; cpuMs: number; total: number; bars: number; faults: number } {
  const faultsAtStart = process.resourceUsage().minorPageFault;
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  const run = engine();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpuAtStart);
  const faults = process.resourceUsage().minorPageFault - faultsAtStart;
  return { ms, cpuMs: (used.user + used.system) / 1000, total: run.pnl.totalUsd, bars: run.bars, faults };
}

if (child !== null) {
  const engine = await load(child.root, extraOf(child.key));
  for (let i = 0; i < WARM_UP_RUNS; i++) engine();
  const runs = Array.from({ length: TIMED_RUNS_PER_PROCESS }, () => timed(engine));
  console.log(JSON.stringify(runs));
  process.exit(0);
}

const wall: Record<Key, number[]> = { before: [], after: [] };
// CPU time of the process during each run as well: on a shared machine the wall time includes the time the
// run waited for a core, the CPU time much less so.
const cpu: Record<Key, number[]> = { before: [], after: [] };
const faults: Record<Key, number[]> = { before: [], after: [] };
const totals = { before: Number.NaN, after: Number.NaN };
let bars = 0;
const record = (key: Key, run: ReturnType<typeof timed>) => {
  wall[key].push(run.ms);
  cpu[key].push(run.cpuMs);
  faults[key].push(run.faults);
  totals[key] = run.total;
  bars = run.bars;
};
if (sameProcess) {
  const engines: Record<Key, Engine> = {
    before: await load(rootOf("before"), extraOf("before")),
    after: await load(rootOf("after"), extraOf("after")),
  };
  for (let round = 0; round < rounds; round++) {
    for (const key of ["before", "after"] as const) record(key, timed(engines[key]));
  }
} else {
  for (let round = 0; round < rounds; round++) {
    for (const key of ["before", "after"] as const) {
      const output = execFileSync(
        process.execPath,
        [...process.execArgv, import.meta.filename, beforeDir, csvPath, "--child", key, rootOf(key)],
        { cwd, encoding: "utf8", maxBuffer: 1 << 20 },
      );
      for (const run of JSON.parse(output) as ReturnType<typeof timed>[]) record(key, run);
    }
  }
}
if (Math.abs(totals.before - totals.after) > 0.005) {
  console.error(`the engines disagree: before ${totals.before}, after ${totals.after} — not the same run`);
  process.exit(1);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const best = (values: number[]) => Math.min(...values);
console.log(
  sameProcess
    ? `both engines in this process, alternately, ${rounds} runs each`
    : `each engine in ${rounds} processes of its own, alternately; ${TIMED_RUNS_PER_PROCESS} timed runs after ${WARM_UP_RUNS} warm-up runs in each`,
);
for (const key of ["before", "after"] as const) console.log(`${key.padEnd(6)} ${rootOf(key)}`);
for (const key of ["before", "after"] as const) {
  const meanFaults = faults[key].reduce((sum, value) => sum + value, 0) / faults[key].length;
  console.log(
    `${key.padEnd(6)} best of ${wall[key].length}: ${best(wall[key]).toFixed(1)} ms, ${(bars / best(wall[key]) / 1000).toFixed(2)}M candle-steps/s; median ${median(wall[key]).toFixed(1)} ms; CPU best ${best(cpu[key]).toFixed(1)} ms, median ${median(cpu[key]).toFixed(1)} ms; page faults a run ${meanFaults.toFixed(0)}`,
  );
}
console.log(
  `after / before by CPU time: best ${(best(cpu.before) / best(cpu.after)).toFixed(3)}, median ${(median(cpu.before) / median(cpu.after)).toFixed(3)}`,
);
console.log(
  `after / before throughput: best ${(best(wall.before) / best(wall.after)).toFixed(3)}, median ${(median(wall.before) / median(wall.after)).toFixed(3)} (same result: total ${totals.after.toFixed(2)} USD)`,
);
