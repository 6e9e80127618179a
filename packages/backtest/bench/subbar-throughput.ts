// Sub-bar fill model throughput on 90 days of 1m candles, outside vitest, against the `cross` model on the
// same candles, and with the decisions that would send nothing skipped (as runs do) or not (every 1 s step
// decides), interleaved run by run; prints the times (wall and CPU) and that both give the same run.
// Run: node --conditions=@botmm/source bench/subbar-throughput.ts [CSV] (RUNS=n for more runs). With COLD=1 it
// runs the sub-bar engine once in a fresh process and prints that run's CPU and wall time: the cost a CLI run
// pays, V8 compiling the engine and the strategy during it (run it several times, alternating with a baseline,
// and with and without the app's `start` inlining flags).
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { type Candle, parseCandleCsv } from "@botmm/core";
import { parseStrategyConfig } from "@botmm/strategy";
import {
  type BacktestOptions,
  DEFAULT_SIMULATION,
  runCandleBacktest,
  subbarFillModel,
  toCandleColumns,
} from "../src/index.ts";
import { SubbarBacktest } from "../src/subbar-engine.ts";
import { ETH, randomWalkCandles } from "../src/test-support.ts";

const path = process.argv.slice(2).find((arg) => arg !== "--");
let candles: Candle[];
if (path) {
  const bytes = readFileSync(path);
  candles = parseCandleCsv((path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8"), {
    sourceName: path,
  });
} else candles = randomWalkCandles(90 * 1440, 1);
const columns = toCandleColumns(candles);
const base: BacktestOptions = {
  instrument: ETH,
  strategy: parseStrategyConfig(),
  intervalMs: 60_000,
  fillModel: DEFAULT_SIMULATION.fillModel,
  barPath: DEFAULT_SIMULATION.barPath,
  maxVolumeShare: DEFAULT_SIMULATION.maxVolumeShare,
  latencyMs: DEFAULT_SIMULATION.latencyMs,
  funding: { type: "constant", ratePerHour: DEFAULT_SIMULATION.fundingRatePerHour },
  takerSlippageBps: DEFAULT_SIMULATION.takerSlippageBps,
  seed: 1,
};
if (process.env.COLD === "1") {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const engine = new SubbarBacktest(columns, { ...base, fillModel: subbarFillModel() });
  const result = engine.run();
  const cpuUsed = process.cpuUsage(cpuStarted);
  console.log(
    `subbar, cold: ${columns.length.toLocaleString("en-US")} bars — ${(performance.now() - started).toFixed(0)} ms wall (${((cpuUsed.user + cpuUsed.system) / 1_000).toFixed(0)} ms CPU), ${result.fills.length} fills, ${engine.decisionsSkipped.toLocaleString("en-US")} decisions skipped`,
  );
  process.exit(0);
}
const runs = Number(process.env.RUNS) || 7;
const variants = [
  ["cross", () => runCandleBacktest(columns, base)],
  ["subbar", () => runCandleBacktest(columns, { ...base, fillModel: subbarFillModel() })],
  [
    "subbar, every step decides",
    () => new SubbarBacktest(columns, { ...base, fillModel: subbarFillModel() }, { noSkip: true }).run(),
  ],
] as const;
const wall = variants.map((): number[] => []);
const cpu = variants.map((): number[] => []);
const digests = variants.map(() => "");
for (let run = 0; run < runs; run++) {
  variants.forEach(([, go], v) => {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const result = go();
    const cpuUsed = process.cpuUsage(cpuStarted);
    wall[v]!.push(performance.now() - started);
    cpu[v]!.push((cpuUsed.user + cpuUsed.system) / 1_000);
    digests[v] = JSON.stringify({
      fills: result.fills,
      equity: Array.from(result.equityUsd),
      orders: result.orders,
    });
  });
}
const steps = columns.length * 60;
variants.forEach(([name], v) => {
  const times = wall[v]!.sort((a, b) => a - b);
  const cpuTimes = cpu[v]!.sort((a, b) => a - b);
  const best = times[0]!;
  console.log(
    `${name}: ${columns.length.toLocaleString("en-US")} bars — best ${best.toFixed(0)} ms wall (${cpuTimes[0]!.toFixed(0)} ms CPU), median ${times[times.length >> 1]!.toFixed(0)} ms over ${runs} runs (${((best * 1e6) / steps).toFixed(0)} ns per 1 s step)`,
  );
});
console.log(
  `subbar with and without skipping: ${digests[1] === digests[2] ? "the same run" : "DIFFERENT RUNS"}`,
);
