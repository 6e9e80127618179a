// Sub-bar fill model throughput on 90 days of 1m candles, outside vitest, against the `cross` model on the
// same candles. Run: node --conditions=@botmm/source bench/subbar-throughput.ts [CSV] (RUNS=n for more runs).
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
const runs = Number(process.env.RUNS) || 7;
for (const [name, fillModel] of [
  ["cross", DEFAULT_SIMULATION.fillModel],
  ["subbar", subbarFillModel()],
] as const) {
  const times: number[] = [];
  let fills = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    fills = runCandleBacktest(columns, { ...base, fillModel }).fills.length;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const best = times[0]!;
  const median = times[times.length >> 1]!;
  console.log(
    `${name}: ${columns.length.toLocaleString("en-US")} bars, ${fills} fills — best ${best.toFixed(0)} ms, median ${median.toFixed(0)} ms over ${runs} runs (${((best * 1e6) / (columns.length * 60)).toFixed(0)} ns per 1 s step)`,
  );
}
