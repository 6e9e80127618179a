// `sweep`: every configuration of a grid (or random draws) on the same candles, ranked.
import { writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { type CandleColumns, rankByObjective } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { CliUsageError } from "../options.ts";
import { ProgressBar } from "../progress.ts";
import type { CliIo } from "../run.ts";
import { loadSweepData } from "./data.ts";
import { type Job, jobOptions, runJob, type SharedRunData } from "./job.ts";
import {
  heatmapSvg,
  objectiveFields,
  rankedTable,
  type SweepRow,
  sweepCsv,
  sweepHtml,
  sweepJson,
} from "./output.ts";
import { runJobs } from "./pool.ts";
import { type SweepRunner, sweepRunner } from "./runner.ts";
import { describeConfig, parseSweepArgs, type SweepSpec, sweepHelp } from "./spec.ts";

const seconds = (ms: number): string =>
  ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;

/** A progress bar over runs, with the ETA from the rate so far. */
export function runProgress(
  io: CliIo,
  enabled: boolean,
  label: string,
): { update(done: number, total: number): void; finish(): void } {
  const bar = new ProgressBar(io.stdout, label, enabled);
  const started = performance.now();
  return {
    update(done, total) {
      const elapsed = performance.now() - started;
      const eta = done > 0 ? (elapsed / done) * (total - done) : Number.NaN;
      bar.update(done, total, `${done}/${total} runs${Number.isFinite(eta) ? `, ETA ${seconds(eta)}` : ""}`);
    },
    finish: () => bar.finish(),
  };
}

/**
 * Runs every configuration of `spec` on bars `[from, to)` (all by default) and returns the rows, best first.
 * `runner`: local threads (`spec.workers`) unless given (a queue's).
 */
export async function sweepRows(
  spec: SweepSpec,
  shared: SharedRunData,
  io: CliIo,
  range?: { from: number; to: number },
  runner?: SweepRunner,
): Promise<SweepRow[]> {
  const configs = spec.options.map(jobOptions);
  const jobs: Job[] = spec.configs.map((_, i) => ({
    id: i,
    config: i,
    from: range?.from ?? 0,
    to: range?.to ?? shared.length,
  }));
  const progress = runProgress(io, spec.base.progress, "sweep   ");
  const describe = (job: Job) =>
    `configuration ${job.config + 1} (${describeConfig(spec.configs[job.config]!)})`;
  const reports =
    runner === undefined
      ? await runJobs(shared, configs, jobs, spec.workers, progress.update, describe)
      : await runner.run(configs, jobs, progress.update, describe, "sweep");
  progress.finish();
  const rows = reports.map((report, i) => ({ index: i, config: spec.configs[i]!, report }));
  return rankByObjective(rows.map(objectiveFields), spec.objective).map((position) => rows[position]!);
}

/**
 * The `sweep` command: parse, load the candles once, run every configuration in worker threads, print the
 * ranked table and write the outputs. Returns the exit code (0 ok, 1 failure, 2 usage error).
 */
export async function runSweepCli(argv: readonly string[], io: CliIo): Promise<number> {
  const started = performance.now();
  let spec: SweepSpec | "help";
  try {
    spec = await parseSweepArgs("sweep", argv, io.cwd, availableParallelism());
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return error instanceof CliUsageError ? 2 : 1;
  }
  if (spec === "help") {
    io.stdout.write(`${sweepHelp("sweep")}\n`);
    return 0;
  }
  try {
    await sweep(spec, io, started);
    return 0;
  } catch (error) {
    const code = error instanceof BotmmError ? ` [${error.code}]` : "";
    io.stderr.write(`error${code}: ${(error as Error).message}\n`);
    return 1;
  }
}

async function sweep(spec: SweepSpec, io: CliIo, started: number): Promise<void> {
  const { shared, columns } = await loadSweepData(spec.base, io);
  const sweepStarted = performance.now();
  const runner = await sweepRunner(spec, shared, io);
  let rows: SweepRow[];
  try {
    rows = await sweepRows(spec, shared, io, undefined, runner);
  } finally {
    await runner.close();
  }
  const sweepMs = performance.now() - sweepStarted;
  const banner = shared.synthetic ? (rows[0]?.report.banner ?? null) : null;
  const threads = Math.min(spec.workers, rows.length);
  const summary = [
    ...(banner === null ? [] : [`!!! ${banner} !!!`, ""]),
    `BotMM sweep — ${shared.symbol} ${shared.interval}, ${shared.length.toLocaleString("en-US")} candles (${shared.source}); ${rows.length} configurations ranked by ${spec.objective}`,
    "",
    rankedTable(rows, spec.keys, spec.objective, spec.top),
  ].join("\n");
  const written: string[] = [];
  if (spec.json !== undefined) {
    await writeFile(spec.json, sweepJson(rows));
    written.push(`json ${spec.json}`);
  }
  if (spec.resultsCsv !== undefined) {
    await writeFile(spec.resultsCsv, sweepCsv(rows, spec.keys));
    written.push(`csv ${spec.resultsCsv}`);
  }
  if (spec.report !== undefined) {
    await writeFile(spec.report, sweepReportPage(spec, shared, columns, rows, summary, banner));
    written.push(`report ${spec.report}`);
  }
  io.stdout.write(`${summary}\n`);
  if (written.length > 0) io.stdout.write(`wrote ${written.join(", ")}\n`);
  io.stdout.write(
    `${rows.length} runs in ${seconds(sweepMs)} on ${spec.queue === undefined ? `${threads} worker${threads === 1 ? "" : "s"}` : runner.where}; runtime ${seconds(performance.now() - started)}\n`,
  );
}

/** The HTML page; the top configurations are run again here for their equity curves (rows keep no per-bar data). */
function sweepReportPage(
  spec: SweepSpec,
  shared: SharedRunData,
  columns: CandleColumns,
  rows: readonly SweepRow[],
  summary: string,
  banner: string | null,
): string {
  const curves = rows.slice(0, spec.curves).map((row, rank) => {
    const { run } = runJob(shared, columns, jobOptions(spec.options[row.index]!), 0, shared.length);
    return { label: `#${rank + 1}`, openTime: columns.openTime, equity: run.equityUsd };
  });
  const heatmap =
    spec.heatmap === undefined ? null : heatmapSvg(rows, spec.heatmap[0], spec.heatmap[1], spec.objective);
  const legend = rows
    .slice(0, spec.curves)
    .map((row, rank) => `#${rank + 1}  ${describeConfig(row.config)}`)
    .join("\n");
  return sweepHtml(
    `BotMM sweep — ${shared.symbol} ${shared.interval}`,
    banner,
    `${summary}\n\nequity curves\n${legend}`,
    heatmap,
    curves,
  );
}
