// Wall time of the whole backtest CLI on 90 days of cached 1m candles: seeds a temporary cache (from a CSV
// given as argument, else from the seeded synthetic generator), then runs
// `node src/cli.ts --source binance --symbol BTCUSDT --start … --end …` as a child process five times.
// Run: pnpm --filter backtest bench [path/to/candles.csv.gz]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Candle } from "@botmm/core";
import { partitionsOverlapping, writePartition } from "../src/data/cache.ts";
import { loadCsvFile } from "../src/data/csv-file.ts";
import { generateSyntheticCandles } from "../src/data/synthetic.ts";
import { userWorkingDirectory } from "../src/paths.ts";

const DAY_MS = 86_400_000;
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
const args = ["--conditions=@botmm/source", "src/cli.ts", "--source", "binance", "--symbol", "BTCUSDT"];
args.push(
  "--start",
  new Date(start).toISOString(),
  "--end",
  new Date(end).toISOString(),
  "--cache-dir",
  cacheDir,
  "--no-progress",
);
const walls: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  execFileSync(process.execPath, args, { stdio: i === 0 ? ["ignore", "inherit", "inherit"] : "ignore" });
  walls.push(performance.now() - t0);
}
rmSync(cacheDir, { recursive: true, force: true });
walls.sort((a, b) => a - b);
console.log(
  `cli on cached data: ${candles.length.toLocaleString("en-US")} bars (${csv ? csv : "synthetic"}) — wall best ${walls[0]!.toFixed(0)} ms, median ${walls[2]!.toFixed(0)} ms over 5 runs`,
);
