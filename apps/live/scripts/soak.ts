/**
 * Soak test (not part of `pnpm test`): runs the bot in `--sim` against the emulator at accelerated speed until it
 * has received `--updates` book updates (default 1,000,000). The emulator runs in a child process
 * (`soak-emulator.ts`), so this process's heap and RSS are the bot's. Every `--every` updates (default 200,000)
 * it records the bot's heap after a forced GC, how much of it is V8's compiled code and bytecode, and its RSS,
 * and the emulator's; at the end it prints the table, the spread from the first checkpoint on of the bot's heap
 * and of its data heap (the heap minus compiled code and bytecode), unhandled rejections and the run summary.
 * `--snapshot-at 100000,300000` writes V8 heap snapshots of the bot at those counts into `--snapshot-dir`.
 * `--keep-resource-timings` puts back Node's default buffer of fetch timings (250) that the bot turns off, to
 * measure what that saves.
 *
 *   pnpm --filter live soak -- --updates 1000000 --speed 400 --coins BTC,ETH
 */
import { fork } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getHeapCodeStatistics, writeHeapSnapshot } from "node:v8";
import { type Emulator, type EmulatorOptions, testAccount } from "@botmm/hl-emulator";
import { pino } from "pino";
import { buildConfig } from "../src/config.ts";
import { startSession } from "../src/run.ts";
import type { EmulatorReply, EmulatorRequest } from "./soak-emulator.ts";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    updates: { type: "string", default: "1000000" },
    speed: { type: "string", default: "400" },
    coins: { type: "string", default: "BTC,ETH" },
    warmup: { type: "string", default: "50000" },
    every: { type: "string", default: "200000" },
    "snapshot-at": { type: "string", default: "" },
    "snapshot-dir": { type: "string", default: "." },
    "keep-resource-timings": { type: "boolean", default: false },
  },
});
const target = Number(values.updates);
const speed = Number(values.speed);
const warmup = Number(values.warmup);
const every = Number(values.every);
const coins = values.coins.split(",");
const snapshotAt = values["snapshot-at"]
  .split(",")
  .filter((count) => count !== "")
  .map(Number);
const numbers: [string, number][] = [
  ["updates", target],
  ["speed", speed],
  ["warmup", warmup],
  ["every", every],
  ...snapshotAt.map((count): [string, number] => ["snapshot-at", count]),
];
for (const [name, value] of numbers) {
  if (!(Number.isFinite(value) && value > 0))
    throw new Error(`--${name}: expected a positive number, got ${value}`);
}

let unhandled = 0;
process.on("unhandledRejection", (reason) => {
  unhandled++;
  console.error("unhandled rejection:", reason);
});
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("soak.ts needs node --expose-gc (the `soak` script passes it)");
/**
 * A forced GC, then a few ticks for the FinalizationRegistry callbacks it queued, then another: undici keeps each
 * finished `fetch`'s AbortSignal until its registry callback runs, a few hundred right after a GC.
 */
const collectGarbage = async () => {
  gc();
  for (let tick = 0; tick < 5; tick++) await new Promise((resolve) => setTimeout(resolve, 20));
  gc();
};
/**
 * Heap after a forced GC, the part of it that is V8's compiled code and bytecode, and RSS of this (the bot's)
 * process, in MB.
 */
const measureBot = async () => {
  await collectGarbage();
  const usage = process.memoryUsage();
  // Compiled code is heap too, but not data the bot keeps: V8 tiers hot functions up (more optimised code) and
  // flushes the bytecode of functions not run lately (start-up code), so it moves both ways over a run.
  const code = getHeapCodeStatistics();
  const codeMb = (code.code_and_metadata_size + code.bytecode_and_metadata_size) / 2 ** 20;
  const heapMb = usage.heapUsed / 2 ** 20;
  return { heapMb, codeMb, dataMb: heapMb - codeMb, rssMb: usage.rss / 2 ** 20 };
};

const seed = 3;
const emulatorOptions: EmulatorOptions = {
  coins,
  seed,
  speed,
  accounts: [{ privateKey: testAccount(seed).privateKey, usdc: 1_000_000 }],
  scheduleCancelMinVolumeUsd: 0,
  // JSON has no Infinity: a year and a rate nobody reaches stand for "off".
  nonceWindowMs: 365 * 86_400_000,
  ipWeightPerMinute: Number.MAX_SAFE_INTEGER,
  addressBudget: false,
  l2BookIntervalMs: 0,
};
const child = fork(new URL("./soak-emulator.ts", import.meta.url), [JSON.stringify(emulatorOptions)], {
  execArgv: ["--conditions=@botmm/source", "--expose-gc"],
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
const replies: ((reply: EmulatorReply) => void)[] = [];
child.on("message", (reply: EmulatorReply) => {
  for (const listener of replies) listener(reply);
});
child.on("exit", (code) => {
  if (!stopping) {
    console.error(`soak: the emulator process exited early (code ${code})`);
    process.exit(1);
  }
});
let stopping = false;
const ask = <T extends EmulatorReply["type"]>(request: EmulatorRequest | null, type: T) =>
  new Promise<Extract<EmulatorReply, { type: T }>>((resolve) => {
    const listener = (reply: EmulatorReply) => {
      if (reply.type !== type) return;
      replies.splice(replies.indexOf(listener), 1);
      resolve(reply as Extract<EmulatorReply, { type: T }>);
    };
    replies.push(listener);
    if (request) child.send(request);
  });
const ready = await ask(null, "ready");
let measureId = 0;
const measureEmulator = () => ask({ type: "measure", id: ++measureId }, "measured");
// The session reads only the URLs and the simulated clock of an emulator it did not start.
const emulator = {
  url: ready.url,
  wsUrl: ready.wsUrl,
  now: () => ready.simMs + (Date.now() - ready.realMs) * ready.speed,
} as Emulator;
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
).catch((error: unknown) => {
  // A busy emulator can miss the start-up time-outs; do not leave it running on its own.
  stopping = true;
  child.kill();
  throw error;
});
if (values["keep-resource-timings"]) performance.setResourceTimingBufferSize(250);
interface Checkpoint {
  updates: number;
  bot: { heapMb: number; codeMb: number; dataMb: number; rssMb: number };
  emulator: { heapMb: number; rssMb: number; externalMb: number; loopDelayMaxMs: number };
}
const checkpoint = async (updates: number): Promise<Checkpoint> => ({
  updates,
  bot: await measureBot(),
  emulator: await measureEmulator(),
});
const started = Date.now();
let warmedUp: Checkpoint | null = null;
const checkpoints: Checkpoint[] = [];
let nextCheckpoint = every;
const snapshots = [...snapshotAt].sort((a, b) => a - b);
if (snapshots.length > 0) mkdirSync(values["snapshot-dir"], { recursive: true });
let lastReport = 0;
const mb = (value: number) => value.toFixed(1);
while (true) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const updates = session.bot.summary().bookUpdates;
  if (warmedUp === null && updates >= warmup) {
    warmedUp = await checkpoint(updates);
    console.log(
      `warm-up done at ${updates} updates: bot heap ${mb(warmedUp.bot.heapMb)} MB, RSS ${mb(warmedUp.bot.rssMb)} MB`,
    );
  }
  if (snapshots.length > 0 && updates >= snapshots[0]!) {
    snapshots.shift();
    await collectGarbage();
    const path = writeHeapSnapshot(join(values["snapshot-dir"], `soak-bot-${updates}.heapsnapshot`));
    const emulatorPath = join(values["snapshot-dir"], `soak-emulator-${updates}.heapsnapshot`);
    await ask({ type: "snapshot", id: ++measureId, path: emulatorPath }, "snapshotted");
    console.log(`heap snapshots at ${updates} updates: ${path}, ${emulatorPath}`);
  }
  if (updates >= nextCheckpoint) {
    const point = await checkpoint(updates);
    checkpoints.push(point);
    nextCheckpoint += every;
    console.log(
      `${updates} updates: bot heap ${mb(point.bot.heapMb)} MB (code ${mb(point.bot.codeMb)}, data ${mb(point.bot.dataMb)}) RSS ${mb(point.bot.rssMb)} MB; emulator heap ${mb(point.emulator.heapMb)} MB RSS ${mb(point.emulator.rssMb)} MB external ${mb(point.emulator.externalMb)} MB, longest event-loop stall ${point.emulator.loopDelayMaxMs.toFixed(0)} ms`,
    );
  }
  if (Date.now() - lastReport > 15_000) {
    lastReport = Date.now();
    const rate = updates / ((Date.now() - started) / 1000);
    console.log(
      `${updates} book updates (${rate.toFixed(0)}/s), bot RSS ${mb(process.memoryUsage().rss / 2 ** 20)} MB`,
    );
  }
  if (updates >= target) break;
}
const summary = await session.close("soak done");
stopping = true;
child.send({ type: "stop" } satisfies EmulatorRequest);
await new Promise((resolve) => child.once("exit", resolve));
const seconds = (Date.now() - started) / 1000;
/** (max − min) / min of the checkpoints' values, from the first checkpoint (not the warm-up) on. */
const spreadOf = (values: number[]) =>
  values.length > 0 ? (Math.max(...values) - Math.min(...values)) / Math.min(...values) : Number.NaN;
const spreadText = (values: number[]) =>
  `${(spreadOf(values) * 100).toFixed(1)}% (max − min over min, checkpoints every ${every})`;
console.log(
  "\n| book updates | bot heap after GC (MB) | of which code and bytecode (MB) | bot data heap (MB) | bot RSS (MB) | emulator heap after GC (MB) | emulator RSS (MB) |",
);
console.log("|---:|---:|---:|---:|---:|---:|---:|");
const rows = [
  ...(warmedUp ? [{ ...warmedUp, label: " (warm-up)" }] : []),
  ...checkpoints.map((value) => ({ ...value, label: "" })),
];
for (const row of rows) {
  console.log(
    `| ${row.updates.toLocaleString("en-US")}${row.label} | ${mb(row.bot.heapMb)} | ${mb(row.bot.codeMb)} | ${mb(row.bot.dataMb)} | ${mb(row.bot.rssMb)} | ${mb(row.emulator.heapMb)} | ${mb(row.emulator.rssMb)} |`,
  );
}
const result = {
  bookUpdates: summary.bookUpdates,
  realSeconds: Number(seconds.toFixed(1)),
  simulatedHours: Number((summary.durationMs / 3_600_000).toFixed(1)),
  botHeapSpread: spreadText(checkpoints.map((point) => point.bot.heapMb)),
  botDataHeapSpread: spreadText(checkpoints.map((point) => point.bot.dataMb)),
  resourceTimingsHeld: performance.getEntriesByType("resource").length,
  loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
  unhandledRejections: unhandled,
  orders: summary.orders,
  fills: summary.fills,
  pnl: summary.pnl,
  errors: summary.errors,
  openOrdersAtExit: summary.openOrdersAtExit,
};
console.log(JSON.stringify(result, null, 2));
process.exitCode = unhandled === 0 && summary.openOrdersAtExit === 0 ? 0 : 1;
