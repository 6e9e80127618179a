// `pnpm --filter backtest start -- calibrate`: fits the sub-bar fill model's parameters to order-book replays.
import { writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { DEFAULT_SUBBAR_PARAMS, subbarParamsSchema } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { ProgressBar } from "../progress.ts";
import type { CliIo } from "../run.ts";
import { buildCases } from "./cases.ts";
import type { CalibrationCase, CaseFit } from "./fit.ts";
import { CALIBRATE_USAGE, type CalibrateOptions, parseCalibrateOptions } from "./options.ts";
import { bestOf, caseFits, runSearches, type SearchSetup, searchStarts } from "./searches.ts";

const cell = (value: number | null, digits = 2) => (value === null ? "n/a" : value.toFixed(digits));

/**
 * The per-case table of a fit: replay and candle (seed mean) volume, PnL and mark-out, the ratio of volume and
 * of the mean |PnL|, whether the seed mean meets the acceptance (as `realism --candle-seeds` judges it) and how
 * many single seeds do.
 */
export function formatFitTable(cases: readonly CalibrationCase[], fits: readonly CaseFit[]): string {
  const lines = [
    `  ${"case".padEnd(14)}${"vol replay".padStart(12)}${"vol candle".padStart(12)}${"ratio".padStart(8)}${"pnl replay".padStart(12)}${"pnl candle".padStart(12)}${"|ratio|".padStart(9)}${"mo replay".padStart(11)}${"mo candle".padStart(11)}${"meets".padStart(7)}${"seeds".padStart(7)}`,
  ];
  cases.forEach((item, i) => {
    const fit = fits[i]!;
    const volumeRatio = item.replay.volumeUsd > 0 ? fit.volumeUsd / item.replay.volumeUsd : null;
    const pnlRatio = item.replay.pnlUsd !== 0 ? fit.absolutePnlUsd / Math.abs(item.replay.pnlUsd) : null;
    lines.push(
      `  ${`${item.coin} ${item.quoteBps} bp`.padEnd(14)}${cell(item.replay.volumeUsd, 0).padStart(12)}${cell(fit.volumeUsd, 0).padStart(12)}${cell(volumeRatio).padStart(8)}${cell(item.replay.pnlUsd).padStart(12)}${cell(fit.pnlUsd).padStart(12)}${cell(pnlRatio).padStart(9)}${cell(item.replay.markoutBps).padStart(11)}${cell(fit.markoutBps).padStart(11)}${(fit.meanMeets ? "yes" : "no").padStart(7)}${`${fit.seedsMeeting}`.padStart(7)}`,
    );
  });
  return lines.join("\n");
}

/** `calibrate`: fit, print the table and write the parameter file. Returns the exit code. */
export async function runCalibrateCli(argv: readonly string[], io: CliIo): Promise<number> {
  let options: CalibrateOptions | "help";
  try {
    options = parseCalibrateOptions(argv, io.cwd, availableParallelism());
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return 2;
  }
  if (options === "help") {
    io.stdout.write(`${CALIBRATE_USAGE}\n`);
    return 0;
  }
  try {
    const started = performance.now();
    const log = (line: string) => io.stdout.write(`${line}\n`);
    const cases = await buildCases(options, log);
    const usable = cases.filter((item) => item.replay.volumeUsd > 0);
    if (usable.length === 0) {
      throw new BotmmError(
        "NO_DATA",
        "calibrate: no replay filled any order: nothing to fit (try a tighter --quote-bps)",
      );
    }
    const setup: SearchSetup = { cases: usable, settings: options };
    const before = caseFits(setup, DEFAULT_SUBBAR_PARAMS);
    log("");
    const beforeLoss = before.reduce((sum, fit) => sum + fit.loss, 0) / usable.length;
    log(
      `with the shipped parameters ${JSON.stringify(DEFAULT_SUBBAR_PARAMS)} (loss ${beforeLoss.toFixed(3)}):`,
    );
    log(formatFitTable(usable, before));
    // Several starting points, so that a coordinate search stuck in one valley does not decide the fit.
    const starts = searchStarts(options.restarts);
    const progress = new ProgressBar(io.stdout, "calibrate");
    let done = 0;
    const results = await runSearches(setup, starts, options.workers, (index, result) => {
      progress.finish();
      log(`${starts[index]!.label}: loss ${result.loss.toFixed(4)} at ${JSON.stringify(result.params)}`);
      progress.update(++done, starts.length, `${done}/${starts.length} searches`);
    });
    progress.finish();
    const search = bestOf(results);
    const fits = caseFits(setup, search.params);
    const fittedOn = `${[
      ...new Set(
        options.replay.map((path) =>
          path
            .split("/")
            .filter((p) => p !== "")
            .at(-1),
        ),
      ),
    ].join(
      ", ",
    )} (${options.symbol.join(", ")}; quotes ${options.quoteBps.join(" and ")} bp from the mid; ${options.seeds} seeds; objective ${options.objective}${options.restarts > 0 ? `; ${options.restarts} restarts` : ""})`;
    const output = {
      model: "subbar",
      params: subbarParamsSchema.parse(search.params),
      fittedOn,
      loss: search.loss,
      evaluations: search.evaluations,
      settings: {
        seeds: options.seeds,
        volatilityWarmupBars: options.volatilityWarmupBars,
        latencyMs: options.latencyMs,
        requoteIntervalMs: options.requoteIntervalMs,
        maxVolumeShare: options.maxVolumeShare,
        objective: options.objective,
        restarts: options.restarts,
        strategy: "basic model, volatility multiplier 0, fee-aware quoting off",
      },
      cases: usable.map((item, i) => ({
        recording: item.recording,
        coin: item.coin,
        quoteBps: item.quoteBps,
        replay: item.replay,
        candle: {
          volumeUsd: fits[i]!.volumeUsd,
          pnlUsd: fits[i]!.pnlUsd,
          absolutePnlUsd: fits[i]!.absolutePnlUsd,
          markoutBps: fits[i]!.markoutBps,
          meanMeets: fits[i]!.meanMeets,
          seedsMeeting: fits[i]!.seedsMeeting,
        },
      })),
    };
    await writeFile(options.out, `${JSON.stringify(output, null, 2)}\n`);
    const skipped = cases.length - usable.length;
    log(
      `fitted (${search.evaluations} evaluations, loss ${search.loss.toFixed(3)}): ${JSON.stringify(search.params)}`,
    );
    log(formatFitTable(usable, fits));
    if (skipped > 0) log(`${skipped} case(s) left out: the replay filled nothing`);
    log(
      `wrote ${options.out} (fitted on ${fittedOn}); use it with --fill-model subbar --fill-model-params ${options.out}`,
    );
    log(`runtime ${Math.round(performance.now() - started)} ms`);
    return 0;
  } catch (error) {
    const code = error instanceof BotmmError ? ` [${error.code}]` : "";
    io.stderr.write(`error${code}: ${(error as Error).message}\n`);
    return 1;
  }
}
