/**
 * Latency from an l2Book push by the emulator to the resulting order request arriving at the emulator:
 * `pnpm --filter @botmm/exchange-hl latency [updates]` (default 10,000 book updates).
 */
import { createLatencyLoop, type LatencySample, quantile } from "./latency-loop.ts";

// pnpm passes a literal "--" through to the script.
const argument = process.argv.slice(2).find((arg) => arg !== "--");
const target = argument === undefined ? 10_000 : Number(argument);
if (!Number.isInteger(target) || target < 1) {
  throw new Error(`updates: expected a whole number ≥ 1, got ${JSON.stringify(argument)}`);
}
const warmup = 200;
const loop = await createLatencyLoop();
const samples: LatencySample[] = [];
let steps = 0;
const startedAt = performance.now();
while (samples.length < target + warmup) {
  steps++;
  const sample = await loop.step();
  if (sample) samples.push(sample);
  if (steps > (target + warmup) * 5) throw new Error("the market pushes too few book updates");
}
const measured = samples.slice(warmup);
const row = (name: string, values: number[]) =>
  `${name.padEnd(36)} p50 ${quantile(values, 0.5).toFixed(3).padStart(7)} ms   p90 ${quantile(values, 0.9).toFixed(3).padStart(7)} ms   p99 ${quantile(values, 0.99).toFixed(3).padStart(7)} ms   max ${Math.max(
    ...values,
  )
    .toFixed(3)
    .padStart(8)} ms`;
console.log(
  `${measured.length} book updates (after ${warmup} warm-up), ${steps} steps, ${loop.failures} failed requests, ${((performance.now() - startedAt) / 1000).toFixed(1)} s, Node ${process.version}`,
);
console.log(
  row(
    "push → order request arrives (total)",
    measured.map((s) => s.totalMs),
  ),
);
console.log(
  row(
    "  push → book event (WS + SDK)",
    measured.map((s) => s.wsMs),
  ),
);
console.log(
  row(
    "  book event → request arrives",
    measured.map((s) => s.orderMs),
  ),
);
console.log(
  row(
    "    book event → fetch (sign)",
    measured.map((s) => s.signMs),
  ),
);
console.log(
  row(
    "    fetch → request arrives (HTTP)",
    measured.map((s) => s.httpMs),
  ),
);
await loop.stop();
