// Engine throughput in candle-steps per second on 90 days of 1m candles (129,600 bars), outside vitest's
// module runner (which slows every cross-module call). Run: pnpm --filter @botmm/backtest bench
// Pass a CSV path to measure on real candles instead of the seeded random walk.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { type Candle, parseCandleCsv } from "@botmm/core";
import { parseStrategyConfig } from "@botmm/strategy";
import { DEFAULT_SIMULATION, runCandleBacktest, toCandleColumns } from "../src/index.ts";
import { ETH, randomWalkCandles } from "../src/test-support.ts";

// pnpm passes a literal "--" through to the script.
const path = process.argv.slice(2).find((arg) => arg !== "--");
let candles: Candle[];
if (path) {
  const bytes = readFileSync(path);
  candles = parseCandleCsv((path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8"), {
    sourceName: path,
  });
} else {
  candles = randomWalkCandles(90 * 1440, 1);
}
const columns = toCandleColumns(candles);
const options = {
  instrument: ETH,
  strategy: parseStrategyConfig(),
  intervalMs: 60_000,
  fillModel: DEFAULT_SIMULATION.fillModel,
  barPath: DEFAULT_SIMULATION.barPath,
  maxVolumeShare: DEFAULT_SIMULATION.maxVolumeShare,
  latencyMs: DEFAULT_SIMULATION.latencyMs,
  funding: { type: "constant" as const, ratePerHour: DEFAULT_SIMULATION.fundingRatePerHour },
  takerSlippageBps: DEFAULT_SIMULATION.takerSlippageBps,
  seed: 1,
};
const times: number[] = [];
let fills = 0;
for (let run = 0; run < (Number(process.env.RUNS) || 25); run++) {
  const started = performance.now();
  fills = runCandleBacktest(columns, options).fills.length;
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
const median = times[times.length >> 1]!;
const best = times[0]!;
const rate = (ms: number) => `${(columns.length / ms / 1000).toFixed(2)}M candle-steps/s`;
console.log(
  `engine: ${columns.length.toLocaleString("en-US")} bars, ${fills} fills — best ${best.toFixed(1)} ms (${rate(best)}), ` +
    `median ${median.toFixed(1)} ms (${rate(median)}) over 25 runs`,
);
