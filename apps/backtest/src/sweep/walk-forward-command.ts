// `walk-forward`: on each training window choose the best configuration, run it on the test window after it;
// the test windows, put end to end, are the out-of-sample result. Overfitting is measured on the full-period
// runs of every configuration: PBO by CSCV and the deflated Sharpe ratio of the full-period best.
import { writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import {
  type BacktestOverfitting,
  type DeflatedSharpe,
  deflatedSharpeRatio,
  lowerBound,
  objectiveValue,
  periodSharpe,
  planWalkForwardWindows,
  probabilityOfBacktestOverfitting,
  rankByObjective,
  type SweepConfig,
  type WalkForwardWindow,
} from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { CliUsageError } from "../options.ts";
import type { CliIo } from "../run.ts";
import { loadSweepData } from "./data.ts";
import type { Job, SharedRunData, SweepReport } from "./job.ts";
import { jobOptions } from "./job.ts";
import { objectiveFields, type SweepRow } from "./output.ts";
import { type SweepRunner, sweepRunner } from "./runner.ts";
import { describeConfig, parseSweepArgs, type SweepSpec, sweepHelp } from "./spec.ts";
import { runProgress } from "./sweep-command.ts";

/** One window's choice and its results. */
export interface WalkForwardStep {
  window: WalkForwardWindow;
  /** The bars of the training and test windows. */
  trainBars: [number, number];
  testBars: [number, number];
  chosen: { index: number; config: SweepConfig };
  /** The chosen configuration's objective value and report on its training window (in-sample). */
  trainObjective: number | null;
  train: SweepReport;
  /** The same configuration on the test window (out-of-sample). */
  test: SweepReport;
  /** Every configuration's objective value on the training window, by configuration index. */
  trainObjectives: (number | null)[];
}

/** The result of a walk-forward. */
export interface WalkForwardResult {
  steps: WalkForwardStep[];
  outOfSample: { totalUsd: number; days: number; dailyMeanPnl: number; dailySharpe: number | null };
  inSample: { totalUsd: number; days: number; dailyMeanPnl: number; dailySharpe: number | null };
  fullPeriodBest: { index: number; config: SweepConfig; totalUsd: number; dailyMeanPnl: number };
  pbo: BacktestOverfitting | { unavailable: string };
  deflatedSharpe: DeflatedSharpe | { unavailable: string };
}

const dailyStats = (reports: readonly SweepReport[]) => {
  const daily = reports.flatMap((report) => report.daily.map((day) => day.pnl));
  const totalUsd = reports.reduce((sum, report) => sum + report.pnl.total, 0);
  return {
    totalUsd,
    days: daily.length,
    dailyMeanPnl: daily.length > 0 ? daily.reduce((sum, pnl) => sum + pnl, 0) / daily.length : 0,
    // Per day, not annualised: windows are short and the number is compared between the two samples.
    dailySharpe: daily.length >= 2 ? periodSharpe(daily) : null,
  };
};

/**
 * Runs a walk-forward: every configuration on every training window and on the full period, the best of each
 * training window on its test window. A training window only ever sees its own bars, so data after its end
 * cannot change its choice.
 */
export async function walkForward(
  spec: SweepSpec,
  shared: SharedRunData,
  openTime: Float64Array,
  io: CliIo,
  runner?: SweepRunner,
): Promise<WalkForwardResult> {
  const run = runner ?? (await sweepRunner({ workers: spec.workers }, shared, io));
  const startMs = openTime[0]!;
  const endMs = openTime[shared.length - 1]! + shared.intervalMs;
  const windows = planWalkForwardWindows({
    startMs,
    endMs,
    trainMs: spec.trainMs!,
    testMs: spec.testMs!,
    anchored: spec.anchored,
  });
  const bars = (from: number, to: number): [number, number] => [
    lowerBound(openTime, from),
    lowerBound(openTime, to),
  ];
  const configs = spec.options.map(jobOptions);
  const n = spec.configs.length;
  const jobs: Job[] = [];
  for (const window of windows) {
    const [from, to] = bars(window.trainStartMs, window.trainEndMs);
    for (let c = 0; c < n; c++) jobs.push({ id: jobs.length, config: c, from, to });
  }
  for (let c = 0; c < n; c++) jobs.push({ id: jobs.length, config: c, from: 0, to: shared.length });
  const describe = (job: Job) =>
    `configuration ${job.config + 1} (${describeConfig(spec.configs[job.config]!)}) on bars ${job.from}–${job.to}`;
  const progress = runProgress(io, spec.base.progress, "train   ");
  const trained = await run.run(configs, jobs, progress.update, describe, "train");
  progress.finish();

  const choices = windows.map((window, w) => {
    const rows: SweepRow[] = spec.configs.map((config, c) => ({
      index: c,
      config,
      report: trained[w * n + c]!,
    }));
    const best = rows[rankByObjective(rows.map(objectiveFields), spec.objective)[0]!]!;
    return { window, rows, best };
  });
  const testJobs: Job[] = choices.map(({ window, best }, w) => {
    const [from, to] = bars(window.testStartMs, window.testEndMs);
    return { id: w, config: best.index, from, to };
  });
  const tested = await run.run(configs, testJobs, undefined, describe, "test");
  const steps: WalkForwardStep[] = choices.map(({ window, rows, best }, w) => ({
    window,
    trainBars: bars(window.trainStartMs, window.trainEndMs),
    testBars: [testJobs[w]!.from, testJobs[w]!.to],
    chosen: { index: best.index, config: best.config },
    trainObjective: objectiveValue(objectiveFields(best), spec.objective),
    train: best.report,
    test: tested[w]!,
    trainObjectives: rows.map((row) => objectiveValue(objectiveFields(row), spec.objective)),
  }));

  const full: SweepRow[] = spec.configs.map((config, c) => ({
    index: c,
    config,
    report: trained[windows.length * n + c]!,
  }));
  const fullBest = full[rankByObjective(full.map(objectiveFields), spec.objective)[0]!]!;
  const dailyOf = (row: SweepRow) => row.report.daily.map((day) => day.pnl);
  let pbo: WalkForwardResult["pbo"];
  let deflated: WalkForwardResult["deflatedSharpe"];
  try {
    pbo = probabilityOfBacktestOverfitting(full.map(dailyOf), spec.pboGroups);
  } catch (error) {
    pbo = { unavailable: (error as Error).message };
  }
  try {
    deflated = deflatedSharpeRatio(
      dailyOf(fullBest),
      full.map((row) => periodSharpe(dailyOf(row))),
    );
  } catch (error) {
    deflated = { unavailable: (error as Error).message };
  }
  return {
    steps,
    outOfSample: dailyStats(steps.map((step) => step.test)),
    inSample: dailyStats(steps.map((step) => step.train)),
    fullPeriodBest: {
      index: fullBest.index,
      config: fullBest.config,
      totalUsd: fullBest.report.pnl.total,
      dailyMeanPnl: fullBest.report.dailyMeanPnl,
    },
    pbo,
    deflatedSharpe: deflated,
  };
}

const usd = (value: number): string => `${value < 0 ? "−" : ""}$${Math.abs(value).toFixed(2)}`;
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** The terminal text of a walk-forward. */
export function formatWalkForward(spec: SweepSpec, shared: SharedRunData, result: WalkForwardResult): string {
  const lines = [
    `BotMM walk-forward — ${shared.symbol} ${shared.interval} (${shared.source}); ${spec.configs.length} configurations, ${spec.anchored ? "anchored" : "rolling"} training, chosen by ${spec.objective}`,
    "",
    "window  train from        test from → to                      chosen                          train $/day   test $/day    test $",
  ];
  for (const step of result.steps) {
    const trainDays = ((step.trainBars[1] - step.trainBars[0]) * shared.intervalMs) / 86_400_000;
    const testDays = ((step.testBars[1] - step.testBars[0]) * shared.intervalMs) / 86_400_000;
    lines.push(
      `${String(step.window.index + 1).padStart(6)}  ${day(step.window.trainStartMs)}  ${day(step.window.testStartMs)} → ${day(step.window.testEndMs)}  ${describeConfig(step.chosen.config).padEnd(30)}  ${usd(step.train.pnl.total / trainDays).padStart(11)}  ${usd(step.test.pnl.total / testDays).padStart(11)}  ${usd(step.test.pnl.total).padStart(8)}`,
    );
  }
  const sample = (name: string, s: WalkForwardResult["inSample"]) =>
    `  ${name}  ${usd(s.dailyMeanPnl)}/day over ${s.days} days (total ${usd(s.totalUsd)}), daily Sharpe ${s.dailySharpe === null ? "n/a" : s.dailySharpe.toFixed(3)}`;
  lines.push(
    "",
    "in-sample vs out-of-sample",
    sample("in-sample (chosen, on their training windows)", result.inSample),
    sample("out-of-sample (test windows end to end)      ", result.outOfSample),
    `  gap: ${usd(result.inSample.dailyMeanPnl - result.outOfSample.dailyMeanPnl)}/day lost out of sample`,
    `  full-period best (pure in-sample): ${describeConfig(result.fullPeriodBest.config)} ${usd(result.fullPeriodBest.totalUsd)} (${usd(result.fullPeriodBest.dailyMeanPnl)}/day)`,
    "overfitting",
  );
  const pbo = result.pbo;
  lines.push(
    "unavailable" in pbo
      ? `  PBO (CSCV): n/a — ${pbo.unavailable}`
      : `  PBO (CSCV, ${spec.pboGroups} groups of ${pbo.groupSize} days, ${pbo.splits} splits): ${(pbo.pbo * 100).toFixed(1)}% — the chance the in-sample best is below the median out of sample (≥ 50%: the choice is noise)`,
  );
  const dsr = result.deflatedSharpe;
  lines.push(
    "unavailable" in dsr
      ? `  deflated Sharpe: n/a — ${dsr.unavailable}`
      : `  deflated Sharpe of the full-period best: ${dsr.dsr.toFixed(3)} (daily Sharpe ${dsr.sharpe.toFixed(3)} vs ${dsr.expectedMaxSharpe.toFixed(3)} expected from the best of ${dsr.trials} skill-less trials; ${dsr.observations} days) — P(true Sharpe > 0)`,
  );
  return lines.join("\n");
}

/** The `walk-forward` command. Returns the exit code (0 ok, 1 failure, 2 usage error). */
export async function runWalkForwardCli(argv: readonly string[], io: CliIo): Promise<number> {
  const started = performance.now();
  let spec: SweepSpec | "help";
  try {
    spec = await parseSweepArgs("walk-forward", argv, io.cwd, availableParallelism());
    if (spec !== "help" && spec.objective === "sharpe" && spec.trainMs! < 30 * 86_400_000)
      throw new CliUsageError(
        "--objective sharpe needs --train of at least 30d (Sharpe is withheld below 30 daily points)",
      );
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return error instanceof CliUsageError ? 2 : 1;
  }
  if (spec === "help") {
    io.stdout.write(`${sweepHelp("walk-forward")}\n`);
    return 0;
  }
  try {
    const { shared, columns } = await loadSweepData(spec.base, io);
    const runner = await sweepRunner(spec, shared, io);
    let result: WalkForwardResult;
    try {
      result = await walkForward(spec, shared, columns.openTime, io, runner);
    } finally {
      await runner.close();
    }
    const banner = shared.synthetic ? (result.steps[0]?.test.banner ?? null) : null;
    if (banner !== null) io.stdout.write(`!!! ${banner} !!!\n\n`);
    io.stdout.write(`${formatWalkForward(spec, shared, result)}\n`);
    if (spec.json !== undefined) {
      await writeFile(
        spec.json,
        `${JSON.stringify({ banner, objective: spec.objective, anchored: spec.anchored, ...result }, null, 2)}\n`,
      );
      io.stdout.write(`wrote json ${spec.json}\n`);
    }
    io.stdout.write(`runtime ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  } catch (error) {
    const code = error instanceof BotmmError ? ` [${error.code}]` : "";
    io.stderr.write(`error${code}: ${(error as Error).message}\n`);
    return 1;
  }
}
