import { writeFile } from "node:fs/promises";
import {
  buildReport,
  computeMetrics,
  fillsCsv,
  formatSummary,
  renderHtmlReport,
  runCandleBacktest,
  SYNTHETIC_BANNER,
} from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { type BacktestCliOptions, parseCliOptions, USAGE } from "./options.ts";
import { ProgressBar, type ProgressOutput } from "./progress.ts";
import { candleRunSetup, prepareCandleRun } from "./run-candles.ts";

/** Where the CLI writes and what time it is: the real process in `cli.ts`, fakes in tests. */
export interface CliIo {
  stdout: ProgressOutput;
  stderr: { write(text: string): unknown };
  /** Wall clock (ms), for the default range and the runtime. */
  now(): number;
  /** The user's working directory: relative paths resolve against it (see `userWorkingDirectory`). */
  cwd: string;
}

/**
 * Runs the backtest CLI: parse and validate options, load candles, simulate, print the summary and write the
 * requested outputs. Returns the process exit code (0 ok, 1 failure, 2 usage error).
 */
export async function runBacktestCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Each subcommand's modules load only when it runs: a single run, the common case, loads none of them.
  const rest = argv.slice(1);
  switch (argv[0]) {
    case "calibrate":
      return (await import("./calibrate/calibrate-command.ts")).runCalibrateCli(rest, io);
    case "ablation":
      return (await import("./ablation.ts")).runAblationCli(rest, io);
    case "realism":
      return (await import("./realism.ts")).runRealismCli(rest, io);
    case "sweep":
      return (await import("./sweep/sweep-command.ts")).runSweepCli(rest, io);
    case "walk-forward":
      return (await import("./sweep/walk-forward-command.ts")).runWalkForwardCli(rest, io);
    case "screen":
      return (await import("./screen/screen-command.ts")).runScreenCli(rest, io);
    case "worker":
      return (await import("./queue/worker-command.ts")).runWorkerCli(rest, io);
  }
  const started = performance.now();
  let options: BacktestCliOptions | "help";
  try {
    options = await parseCliOptions(argv, io.cwd);
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return 2;
  }
  if (options === "help") {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    if (options.replay !== undefined)
      await (await import("./replay-run.ts")).runReplayCli(options, io, started);
    else await runWithOptions(options, io, started);
    return 0;
  } catch (error) {
    const code = error instanceof BotmmError ? ` [${error.code}]` : "";
    io.stderr.write(`error${code}: ${(error as Error).message}\n`);
    return 1;
  }
}

async function runWithOptions(options: BacktestCliOptions, io: CliIo, started: number): Promise<void> {
  const inputs = await prepareCandleRun(options, io);
  const { loaded, columns } = inputs;
  const { backtestOptions, reportContext } = candleRunSetup(inputs, options, options.strategy);
  const simulation = new ProgressBar(io.stdout, "backtest", options.progress);
  const run = runCandleBacktest(columns, backtestOptions, (done, total) =>
    simulation.update(done, total, `${done.toLocaleString("en-US")} bars`),
  );
  simulation.finish();

  const metrics = computeMetrics(run, columns);
  const report = buildReport(run, metrics, columns, backtestOptions, reportContext(loaded.warnings));
  const writes: Promise<void>[] = [];
  const written: string[] = [];
  if (options.report !== undefined) {
    writes.push(writeFile(options.report, renderHtmlReport(report, run, columns)));
    written.push(`report ${options.report}`);
  }
  if (options.fills !== undefined) {
    const banner = loaded.synthetic ? `# ${SYNTHETIC_BANNER}\n` : "";
    writes.push(writeFile(options.fills, banner + fillsCsv(run)));
    written.push(`fills ${options.fills}`);
  }
  await Promise.all(writes);
  report.runtimeMs = Math.round(performance.now() - started);
  if (options.json !== undefined) {
    await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
    written.push(`json ${options.json}`);
  }
  io.stdout.write(`${formatSummary(report)}\n`);
  if (written.length > 0) io.stdout.write(`wrote ${written.join(", ")}\n`);
  io.stdout.write(`runtime ${report.runtimeMs} ms\n`);
}
