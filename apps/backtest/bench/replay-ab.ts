// Read + replay of one recording by two checkouts in one process, alternately, so both see the same machine
// load: best wall and best CPU time (user + system) of N runs each, as `--replay PATH --symbol COIN` runs it
// (options parsed as the CLI does, report built). CPU time is the number to compare on a shared machine.
//
// Run (from apps/backtest): node --conditions=@botmm/source bench/replay-ab.ts PATH COIN RUNS ROOT_A ROOT_B
// where each ROOT is a checkout with its node_modules (e.g. a `git archive` of the old commit beside this one).
import { resolve } from "node:path";

const [path, coin = "BTC", runsText = "4", ...roots] = process.argv.slice(2).filter((arg) => arg !== "--");
if (path === undefined || roots.length === 0) {
  console.error("usage: bench/replay-ab.ts PATH COIN RUNS ROOT_A [ROOT_B …]");
  process.exit(2);
}
const file = resolve(path);
const sink = { write: () => true };
const impls = await Promise.all(
  roots.map(async (root) => ({
    root,
    parseCliOptions: (await import(`${resolve(root)}/apps/backtest/src/options.ts`)).parseCliOptions,
    runReplayCli: (await import(`${resolve(root)}/apps/backtest/src/replay-run.ts`)).runReplayCli,
  })),
);
const best = new Map<string, { wall: number; cpu: number }>();
for (let run = 0; run < Number(runsText); run++) {
  for (const impl of impls) {
    const options = await impl.parseCliOptions(
      ["--replay", file, "--symbol", coin, "--no-progress"],
      process.cwd(),
    );
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await impl.runReplayCli(options, { stdout: sink, stderr: sink, now: () => 0, cwd: process.cwd() }, t0);
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - t0;
    const previous = best.get(impl.root) ?? { wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY };
    best.set(impl.root, {
      wall: Math.min(previous.wall, wall),
      cpu: Math.min(previous.cpu, (cpu.user + cpu.system) / 1000),
    });
  }
}
for (const [root, result] of best) {
  console.log(`${root}: best wall ${result.wall.toFixed(0)} ms, best CPU ${result.cpu.toFixed(0)} ms`);
}
