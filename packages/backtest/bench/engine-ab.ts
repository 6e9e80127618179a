/**
 * Before/after throughput of the candle engine in one process: the engine of another checkout (a worktree
 * of an earlier commit) and this one, run alternately on the same candles, best of N each, so both see the
 * same machine load. Both run with the toxicity guard off and onHalt "hold" where it exists, so their
 * results must agree to the cent — the script checks it before it reports a speed.
 *
 *   git worktree add ../botmm-before <commit> && (cd ../botmm-before && pnpm install --offline)
 *   pnpm --filter @botmm/backtest bench:ab -- ../botmm-before path/to/candles.csv.gz [rounds]
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gunzipSync } from "node:zlib";

const args = process.argv.slice(2).filter((arg) => arg !== "--");
const [beforeDir, csvPath, roundsText] = args;
if (beforeDir === undefined || csvPath === undefined) {
  console.error("usage: bench:ab -- <checkout of the earlier commit> <candles.csv[.gz]> [rounds]");
  process.exit(2);
}
const rounds = Number(roundsText ?? 20);
const here = resolve(import.meta.dirname, "../../..");
const cwd = process.env.INIT_CWD ?? process.cwd();
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

const engines: Record<"before" | "after", Engine> = {
  before: await load(resolve(cwd, beforeDir), {}),
  after: await load(here, { onHalt: "hold" }),
};
const best = { before: Number.POSITIVE_INFINITY, after: Number.POSITIVE_INFINITY };
// CPU time of the process during each run as well: on a shared machine the wall time includes the time the
// run waited for a core, the CPU time much less so.
const cpu: Record<"before" | "after", number[]> = { before: [], after: [] };
const totals = { before: Number.NaN, after: Number.NaN };
let bars = 0;
for (let round = 0; round < rounds; round++) {
  for (const key of ["before", "after"] as const) {
    const cpuAtStart = process.cpuUsage();
    const started = performance.now();
    const run = engines[key]();
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpuAtStart);
    cpu[key].push((used.user + used.system) / 1000);
    bars = run.bars;
    totals[key] = run.pnl.totalUsd;
    if (ms < best[key]) best[key] = ms;
  }
}
if (Math.abs(totals.before - totals.after) > 0.005) {
  console.error(`the engines disagree: before ${totals.before}, after ${totals.after} — not the same run`);
  process.exit(1);
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
for (const key of ["before", "after"] as const) {
  console.log(
    `${key.padEnd(6)} best of ${rounds}: ${best[key].toFixed(1)} ms, ${(bars / best[key] / 1000).toFixed(2)}M candle-steps/s; CPU best ${Math.min(...cpu[key]).toFixed(1)} ms, median ${median(cpu[key]).toFixed(1)} ms`,
  );
}
console.log(
  `after / before by CPU time: best ${(Math.min(...cpu.before) / Math.min(...cpu.after)).toFixed(3)}, median ${(median(cpu.before) / median(cpu.after)).toFixed(3)}`,
);
console.log(
  `after / before throughput: ${(best.before / best.after).toFixed(3)} (same result: total ${totals.after.toFixed(2)} USD)`,
);
