/**
 * Soak test (not part of `pnpm test`): runs the bot in `--sim` against the in-process emulator at accelerated
 * speed until it has received `--updates` book updates (default 1,000,000), then reports RSS before and after
 * (after a warm-up, both after a forced GC), unhandled rejections and the run summary.
 *
 *   pnpm --filter live soak -- --updates 1000000 --speed 400 --coins BTC,ETH
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { start as startEmulator, testAccount } from "@botmm/hl-emulator";
import { pino } from "pino";
import { buildConfig } from "../src/config.ts";
import { startSession } from "../src/run.ts";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    updates: { type: "string", default: "1000000" },
    speed: { type: "string", default: "400" },
    coins: { type: "string", default: "BTC,ETH" },
    warmup: { type: "string", default: "50000" },
  },
});
const target = Number(values.updates);
const speed = Number(values.speed);
const warmup = Number(values.warmup);
const coins = values.coins.split(",");

let unhandled = 0;
process.on("unhandledRejection", (reason) => {
  unhandled++;
  console.error("unhandled rejection:", reason);
});
const gc = (globalThis as { gc?: () => void }).gc;
const rssMb = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().rss / 2 ** 20;
};

const seed = 3;
const emulator = await startEmulator({
  coins,
  seed,
  speed,
  accounts: [{ privateKey: testAccount(seed).privateKey, usdc: 1_000_000 }],
  scheduleCancelMinVolumeUsd: 0,
  nonceWindowMs: Number.POSITIVE_INFINITY,
  ipWeightPerMinute: Number.POSITIVE_INFINITY,
  addressBudget: false,
  l2BookIntervalMs: 0,
});
const dir = mkdtempSync(join(tmpdir(), "botmm-soak-"));
const config = buildConfig([
  {
    mode: "sim",
    coins,
    sim: { seed, speed },
    barIntervalMs: 60_000,
    statusIntervalMs: 0,
    deadManSwitchMs: 3_600_000,
    journal: join(dir, "journal.sqlite"),
    strategy: { volatilityWarmupBars: 5, toxicityGuard: true },
    risk: {
      requestBudget: { enabled: false },
      maxDrawdown: { enabled: false },
      dailyLoss: { enabled: false },
    },
  },
]);
const session = await startSession(
  config,
  { env: {}, stdout: process.stdout, stderr: process.stderr },
  { emulator, logger: pino({ level: process.env.SOAK_LOG ?? "silent" }) },
);
const started = Date.now();
let rssBefore = Number.NaN;
let lastReport = 0;
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    const updates = session.bot.summary().bookUpdates;
    if (Number.isNaN(rssBefore) && updates >= warmup) {
      rssBefore = rssMb();
      console.log(`warm-up done at ${updates} updates: RSS ${rssBefore.toFixed(1)} MB`);
    }
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      const rate = updates / ((Date.now() - started) / 1000);
      console.log(
        `${updates} book updates (${rate.toFixed(0)}/s), RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} MB`,
      );
    }
    if (updates >= target) {
      clearInterval(timer);
      resolve();
    }
  }, 200);
});
const summary = await session.close("soak done");
await emulator.stop();
const rssAfter = rssMb();
const seconds = (Date.now() - started) / 1000;
const result = {
  bookUpdates: summary.bookUpdates,
  realSeconds: Number(seconds.toFixed(1)),
  simulatedHours: Number((summary.durationMs / 3_600_000).toFixed(1)),
  rssBeforeMb: Number(rssBefore.toFixed(1)),
  rssAfterMb: Number(rssAfter.toFixed(1)),
  rssGrowthMb: Number((rssAfter - rssBefore).toFixed(1)),
  unhandledRejections: unhandled,
  orders: summary.orders,
  fills: summary.fills,
  pnl: summary.pnl,
  errors: summary.errors,
  openOrdersAtExit: summary.openOrdersAtExit,
};
console.log(JSON.stringify(result, null, 2));
process.exitCode = unhandled === 0 && summary.openOrdersAtExit === 0 ? 0 : 1;
