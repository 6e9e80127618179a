import { writeFile } from "node:fs/promises";
import {
  type BacktestReport,
  buildReport,
  computeMetrics,
  type MarkoutsBps,
  markoutsBpsOf,
  pnlSamplingNoise,
  type ReplayReport,
  runCandleBacktest,
} from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { type StrategyConfig, type StrategyConfigInput, strategyConfigSchema } from "@botmm/strategy";
import { type BacktestCliOptions, parseCliOptions, USAGE } from "./options.ts";
import { replayOnce } from "./replay-run.ts";
import type { CliIo } from "./run.ts";
import { candleRunSetup, prepareCandleRun } from "./run-candles.ts";

/** A variant of the ablation: a name and the strategy settings it changes from the baseline. */
export interface AblationVariant {
  variant: string;
  /** Settings over the baseline; `null` for `default` (the user's flags over BotMM's defaults, as shipped). */
  overrides: StrategyConfigInput | null;
}

/** σ, A, k a candle run last quoted with (null: not a number), as the replay report writes them. */
export type CandleCalibration = ReplayReport["calibration"];

/**
 * One row of the ablation's JSON: the single-run JSON fields (a replay's, or a candle run's plus the σ, A, k it
 * quoted with) plus the variant and its mark-outs in time.
 */
export type AblationRow = { variant: string; markoutsBps: MarkoutsBps } & (
  | ReplayReport
  | (BacktestReport & { calibration: CandleCalibration })
) & {
    /** `best` only: the components it combines. */
    components?: string[];
    /** The variant's total PnL minus the baseline's, with its standard error; null on the baseline's own row. */
    versusBaseline?: PnlDifference | null;
  };

/** A variant's PnL minus the baseline's over the same data, and how much of it luck could explain. */
export interface PnlDifference {
  totalUsd: number;
  /**
   * Standard error of the difference: a seeded block bootstrap of the two runs' per-minute PnL differences
   * (`pnlSamplingNoise`), paired because both runs saw the same market minute by minute. NaN when the runs'
   * bars differ.
   */
  standardErrorUsd: number;
}

/**
 * How far a variant's PnL is from the baseline's, and whether the data can tell: the difference of the totals
 * and the standard error of that difference from the two equity series (cumulative PnL at each 1-minute bar's
 * close). A difference inside about two standard errors is what the same strategy could show by luck.
 *
 * @example
 * ```ts
 * const gain = pnlVersusBaseline(variant.equityUsd, baseline.equityUsd);
 * gain.totalUsd; // e.g. −0.02
 * gain.standardErrorUsd; // e.g. 0.41: the variant's $0.02 less is noise
 * ```
 */
export function pnlVersusBaseline(
  variantEquityUsd: ArrayLike<number>,
  baselineEquityUsd: ArrayLike<number>,
): PnlDifference {
  const bars = variantEquityUsd.length;
  const last = (series: ArrayLike<number>) => (series.length === 0 ? 0 : series[series.length - 1]!);
  const totalUsd = last(variantEquityUsd) - last(baselineEquityUsd);
  if (bars === 0 || bars !== baselineEquityUsd.length) return { totalUsd, standardErrorUsd: Number.NaN };
  const difference = new Float64Array(bars);
  for (let i = 0; i < bars; i++) difference[i] = variantEquityUsd[i]! - baselineEquityUsd[i]!;
  return { totalUsd, standardErrorUsd: pnlSamplingNoise(difference, { seed: 1 }).standardErrorUsd };
}

/**
 * Today's basic model with every feature of issue 13 off: the fair price is the mid, constants, the bar
 * toxicity guard, no pull, no size decay, no funding skew, no trade-flow shift, no imbalance skip, no bias.
 */
export const BASELINE_OVERRIDES: StrategyConfigInput = {
  model: "basic",
  fairPrice: "mid",
  calibration: "constants",
  toxicityClock: "bars",
  toxicityPull: false,
  sizeDecay: 0,
  fundingSkewBps: 0,
  tradeFlowShiftBps: 0,
  imbalanceSkipThreshold: 0,
  imbalanceSkipExit: 0,
  imbalanceSkipHoldMs: 0,
  sweepPullBps: 0,
  toxicityEaseExit: false,
  bias: false,
};

/** The imbalance skip's threshold in the ablation: skip a side only when the book is ≥ 9 : 1 against it. */
export const IMBALANCE_SKIP_THRESHOLD = 0.8;

/**
 * The imbalance skip with hysteresis, its exit level from the market rather than from these runs: on the four
 * Hyperliquid recordings, when a top-5 imbalance episode at ≥ 0.8 ends as it falls back below 0.8 the mid goes
 * on moving its way (+0.15 to +1.49 bp within 5 s on ETH, SOL and WLFI); when it ends below 0.5 it does not
 * (−0.41 to −0.06 bp on BTC, ETH and SOL).
 */
export const IMBALANCE_SKIP_HYSTERESIS = {
  imbalanceSkipThreshold: IMBALANCE_SKIP_THRESHOLD,
  imbalanceSkipExit: 0.5,
} as const;

/**
 * The sweep pull in the ablation, from the market's measurement rather than a sweep of these settings: after a
 * print ≥ 2 bp past the mid the mid ran on 4–10 bp within 1–10 s on the Hyperliquid recordings, so a 2 bp print
 * pulls the side it runs towards for 10 s.
 */
export const SWEEP_PULL = { sweepPullBps: 2, sweepPullCooldownMs: 10_000 } as const;

/** The components switched on one at a time over the baseline. */
export const ABLATION_COMPONENTS: readonly AblationVariant[] = [
  { variant: "+fair-price=imbalance", overrides: { fairPrice: "imbalance" } },
  { variant: "+fair-price=microprice", overrides: { fairPrice: "microprice" } },
  { variant: "+calibration=online", overrides: { calibration: "online" } },
  { variant: "+model=glft(online)", overrides: { model: "glft", calibration: "online" } },
  { variant: "+model=as-infinite(online)", overrides: { model: "as-infinite", calibration: "online" } },
  // The guard's clock alone, so the pull's own effect reads as the difference between the next two rows.
  { variant: "+toxicity-clock=seconds", overrides: { toxicityClock: "seconds" } },
  {
    variant: "+toxicity-pull",
    overrides: {
      toxicityClock: "seconds",
      toxicityPull: true,
      toxicityPullFills: 3,
      toxicityPullThresholdBps: 3,
      toxicityPullWindowMs: 60_000,
      toxicityPullCooldownMs: 30_000,
    },
  },
  { variant: "-toxicity-guard", overrides: { toxicityGuard: false } },
  // The guard (bars, as in the baseline) spares the side that reduces the position as it nears the limit.
  { variant: "+toxicity-ease-exit", overrides: { toxicityEaseExit: true } },
  // No bid while the top `imbalanceLevels` (5 unless set) hold ≥ 9× more size on the ask than on the bid, no
  // ask in the mirror case: only a strongly one-sided book says which way the next move goes.
  { variant: "+imbalance-skip", overrides: { imbalanceSkipThreshold: IMBALANCE_SKIP_THRESHOLD } },
  // The same skip with hysteresis: a skipped side returns once the imbalance against it is below 0.5.
  { variant: "+imbalance-skip-hysteresis", overrides: { ...IMBALANCE_SKIP_HYSTERESIS } },
  // A taker printing ≥ 2 bp past the mid pulls the side that flow runs towards next, for 10 s.
  { variant: "+sweep-pull", overrides: { ...SWEEP_PULL } },
  { variant: "+size-decay", overrides: { sizeDecay: 1 } },
  { variant: "+funding-skew", overrides: { fundingSkewBps: 1 } },
  { variant: "+bias", overrides: { bias: true } },
];

/**
 * The components that mean something on candles: there is no book, so the fair price falls back to the mid and
 * the imbalance skip never skips, and no trades, so nothing sweeps; the fair-price, skip and sweep-pull variants
 * would repeat the baseline.
 */
export const CANDLE_ABLATION_COMPONENTS: readonly AblationVariant[] = ABLATION_COMPONENTS.filter(
  (component) =>
    component.overrides === null ||
    !(
      "fairPrice" in component.overrides ||
      "imbalanceSkipThreshold" in component.overrides ||
      "sweepPullBps" in component.overrides
    ),
);

/**
 * What the table says about a candle ablation: what candles cannot show and where the mark-outs come from.
 *
 * @example
 * ```ts
 * candleAblationNotes("subbar"); // ["candles have no book: the fair price falls back to the mid, …", …]
 * ```
 */
export function candleAblationNotes(fillModel: string): string[] {
  const skipped = ABLATION_COMPONENTS.filter((c) => !CANDLE_ABLATION_COMPONENTS.includes(c)).map(
    (c) => c.variant,
  );
  return [
    `candles have no book: the fair price falls back to the mid and nothing is skipped on the book's imbalance, and no trades to sweep it, so ${skipped.join(", ")} are not run (they equal the baseline)`,
    "candles have no trades: online calibration fits σ only (from the mids below, or bar ranges); A and k stay the constants",
    fillModel === "subbar"
      ? "mark-outs are taken on the sub-bar model's simulated path (one price per requote step)"
      : "mark-outs are taken on the bar closes: every horizon up to a bar is measured at the close of the fill's bar",
  ];
}

/** Variants that set the same setting exclusively (only one of each group can join `best`). */
const EXCLUSIVE_KEYS = ["fairPrice", "model", "toxicityClock", "imbalanceSkipThreshold"] as const;

/**
 * The strategy of a variant: the baseline (or, for `null`, the user's configuration as parsed) with the
 * variant's settings.
 *
 * @example
 * ```ts
 * variantStrategy(parsedOptions.strategy, { fairPrice: "microprice" }).fairPrice; // "microprice"
 * ```
 */
export function variantStrategy(base: StrategyConfig, overrides: StrategyConfigInput | null): StrategyConfig {
  if (overrides === null) return base;
  return strategyConfigSchema.parse({ ...base, ...BASELINE_OVERRIDES, ...overrides });
}

/** What `best` is chosen on: a run's total PnL and its mean 1 s and 30 s mark-outs (null: no fill reached them). */
export interface AblationScore {
  pnlUsd: number;
  markout1sBps: number | null;
  markout30sBps: number | null;
}

/**
 * Whether a run may be `best`: its 1 s and 30 s mark-outs are both at least the baseline's (a run without fills
 * at those horizons may not, unless the baseline has none either). PnL alone would reward a combination whose
 * gain is a lucky inventory path while its fills are picked off more.
 *
 * @example
 * ```ts
 * keepsMarkouts({ pnlUsd: 1, markout1sBps: -0.5, markout30sBps: 0.2 }, { pnlUsd: 0, markout1sBps: -0.9, markout30sBps: 0 }); // true
 * ```
 */
export function keepsMarkouts(score: AblationScore, baseline: AblationScore): boolean {
  const noWorse = (value: number | null, base: number | null) =>
    base === null || (value !== null && value >= base);
  return (
    noWorse(score.markout1sBps, baseline.markout1sBps) && noWorse(score.markout30sBps, baseline.markout30sBps)
  );
}

/**
 * Greedy forward selection of the helpful components: total PnL subject to the mark-outs not worse than the
 * baseline's ({@link keepsMarkouts}). Components that raise the total PnL alone are tried in order of their gain;
 * each joins the combination when the combination's total PnL rises with it and its 1 s and 30 s mark-outs stay
 * no worse than the baseline's; at most one per exclusive setting (fair price, model, guard clock, imbalance
 * skip). `evaluate` runs a combination and returns its score.
 *
 * @example
 * ```ts
 * const baseline = { pnlUsd: 0, markout1sBps: -1, markout30sBps: -1 };
 * const best = await bestCombination(baseline,
 *   [{ variant: "+size-decay", overrides: { sizeDecay: 1 }, score: { pnlUsd: 2, markout1sBps: -1, markout30sBps: -0.5 } }],
 *   async (overrides) => run(overrides));
 * best.variants; // ["+size-decay"]: more PnL, mark-outs no worse
 * ```
 */
export async function bestCombination(
  baseline: AblationScore,
  singles: readonly (AblationVariant & { score: AblationScore })[],
  evaluate: (overrides: StrategyConfigInput) => Promise<AblationScore>,
): Promise<{ variants: string[]; overrides: StrategyConfigInput; score: AblationScore }> {
  const helpful = singles
    .filter((single) => single.score.pnlUsd > baseline.pnlUsd && single.overrides !== null)
    .sort((a, b) => b.score.pnlUsd - a.score.pnlUsd);
  let overrides: StrategyConfigInput = {};
  let score = baseline;
  const variants: string[] = [];
  for (const single of helpful) {
    const add = single.overrides!;
    if (EXCLUSIVE_KEYS.some((key) => key in add && key in overrides)) continue;
    const candidate = { ...overrides, ...add };
    const candidateScore = variants.length === 0 ? single.score : await evaluate(candidate);
    if (candidateScore.pnlUsd > score.pnlUsd && keepsMarkouts(candidateScore, baseline)) {
      overrides = candidate;
      score = candidateScore;
      variants.push(single.variant);
    }
  }
  return { variants, overrides, score };
}

/** The score of an ablation row. */
const scoreOf = (row: Pick<AblationRow, "pnl" | "markoutsBps">): AblationScore => ({
  pnlUsd: row.pnl.total,
  markout1sBps: row.markoutsBps["1s"],
  markout30sBps: row.markoutsBps["30s"],
});

const cell = (value: number | null, digits = 2): string => (value === null ? "n/a" : value.toFixed(digits));

/**
 * The ablation table: PnL split, volume, orders filled and mark-outs per variant, then `notes` (what the data
 * could not show) and the mark-out legend. The legend names where the mark-outs come from: `markoutSource`
 * (default: the book's mid).
 *
 * @example
 * ```ts
 * console.log(formatAblationTable(rows));
 * console.log(formatAblationTable(rows, candleAblationNotes("cross"), "the bar closes"));
 * ```
 */
export function formatAblationTable(
  rows: readonly AblationRow[],
  notes: readonly string[] = [],
  markoutSource = "the book's mid",
): string {
  const header = [
    "variant",
    "total $",
    "vs baseline $",
    "spread $",
    "inventory $",
    "fees $",
    "funding $",
    "volume $",
    "orders filled",
    "mo 1s",
    "mo 5s",
    "mo 30s",
    "mo 60s",
  ];
  const body = rows.map((row) => [
    row.variant,
    cell(row.pnl.total),
    versusCell(row.versusBaseline),
    cell(row.pnl.spread),
    cell(row.pnl.inventory),
    cell(row.pnl.fees),
    cell(row.pnl.funding),
    cell(row.volumeUsd, 0),
    String(row.ordersFilled),
    cell(row.markoutsBps["1s"]),
    cell(row.markoutsBps["5s"]),
    cell(row.markoutsBps["30s"]),
    cell(row.markoutsBps["60s"]),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((line) => line[i]!.length)));
  const format = (line: readonly string[]) =>
    line.map((text, i) => (i === 0 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join("  ");
  return [
    format(header),
    ...body.map(format),
    ...notes.map((note) => `note: ${note}`),
    "vs baseline = the variant's total minus the baseline's ± its standard error (block bootstrap of the two runs'",
    "per-minute PnL differences): a difference inside about two standard errors could be luck",
    `mark-outs (mo) in bps of own maker fills after 1/5/30/60 s on ${markoutSource}; negative = adverse selection`,
  ].join("\n");
}

const versusCell = (versus: PnlDifference | null | undefined): string => {
  if (versus === null || versus === undefined) return "—";
  const sign = versus.totalUsd > 0 ? "+" : "";
  return `${sign}${versus.totalUsd.toFixed(2)} ± ${Number.isNaN(versus.standardErrorUsd) ? "n/a" : versus.standardErrorUsd.toFixed(2)}`;
};

/** Runs one variant's strategy over the loaded data: its row (without the variant name) and its equity series. */
type VariantRunner = (
  strategy: StrategyConfig,
) => Promise<{ row: Omit<AblationRow, "variant">; equityUsd: Float64Array }>;

/**
 * Loads the candles once (as a single `backtest` run would: `--csv`, a download or synthetic) and returns a
 * runner of the candle engine over them, with the run's fill model, funding, latency and risk gate.
 */
async function candleRunner(options: BacktestCliOptions, io: CliIo): Promise<VariantRunner> {
  const inputs = await prepareCandleRun(options, io, false);
  const { loaded, columns } = inputs;
  return async (strategy) => {
    const { backtestOptions, reportContext } = candleRunSetup(inputs, options, strategy);
    const started = performance.now();
    const run = runCandleBacktest(columns, backtestOptions);
    const report = buildReport(
      run,
      computeMetrics(run, columns),
      columns,
      backtestOptions,
      reportContext(loaded.warnings),
    );
    report.runtimeMs = Math.round(performance.now() - started);
    const calibration = run.calibration;
    const row = {
      ...report,
      markoutsBps: markoutsBpsOf(run.markoutsBps),
      calibration: {
        sigmaBps: finiteOrNull(calibration.sigmaBps),
        intensityScalePerBar: finiteOrNull(calibration.intensityScalePerBar),
        intensityDecayPerBps: finiteOrNull(calibration.intensityDecayPerBps),
        sigmaSource: calibration.sigmaSource,
        intensitySource: calibration.intensitySource,
        // The candle engines do not keep the fair price of each decision: no quote distances.
        meanBidHalfSpreadBps: null,
        meanAskHalfSpreadBps: null,
        meanMarketHalfSpreadBps: null,
      },
    };
    return { row, equityUsd: run.equityUsd };
  };
}

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

/**
 * `ablation (--replay PATH | --csv FILE | any candle source) --symbol S [--json FILE] [any run flag]`: runs the
 * data once per variant — `baseline` (today's basic model, every new feature off), `default` (the flags as
 * given over BotMM's defaults), each component alone over the baseline, and `best` (the greedy combination of
 * the helpful ones by total PnL, its 1 s and 30 s mark-outs no worse than the baseline's) — and prints the table; `--json` writes an array of
 * `{ variant, ...report, markoutsBps }`. On candles (no book, no trades) the fair-price components are not run
 * and the table says why.
 */
export async function runAblationCli(argv: readonly string[], io: CliIo): Promise<number> {
  let options: BacktestCliOptions | "help";
  try {
    options = await parseCliOptions(argv, io.cwd);
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return 2;
  }
  if (options === "help") {
    io.stdout.write(
      `usage: ablation (--replay PATH | --csv FILE) --symbol S [--json FILE] [run flags]\n  runs the recording or the candles once per variant (baseline, default, ${ABLATION_COMPONENTS.map((c) => c.variant).join(", ")}, best) and prints PnL split, volume, orders filled and mark-outs per variant; on candles (no book, no trades) the fair-price, imbalance-skip and sweep-pull variants are skipped: the fair price falls back to the mid and nothing is skipped or swept\n\n${USAGE}\n`,
    );
    return 0;
  }
  const parsed = options;
  const onCandles = parsed.replay === undefined;
  try {
    const runVariant: VariantRunner = onCandles
      ? await candleRunner(parsed, io)
      : async (strategy) => {
          const once = await replayOnce({ ...parsed, strategy, progress: false }, io);
          return { row: once.report, equityUsd: once.run.equityUsd };
        };
    const components = onCandles ? CANDLE_ABLATION_COMPONENTS : ABLATION_COMPONENTS;
    const rows: AblationRow[] = [];
    const baselineRun = await runVariant(variantStrategy(parsed.strategy, {}));
    const baseline = { variant: "baseline", ...baselineRun.row, versusBaseline: null } as AblationRow;
    // A row that is printed: its PnL against the baseline's, with the noise of the difference.
    const run = async (variant: string, overrides: StrategyConfigInput | null): Promise<AblationRow> => {
      const { row, equityUsd } = await runVariant(variantStrategy(parsed.strategy, overrides));
      const versusBaseline = pnlVersusBaseline(equityUsd, baselineRun.equityUsd);
      return { variant, ...row, versusBaseline } as AblationRow;
    };
    rows.push(baseline, await run("default", null));
    const singles: (AblationVariant & { score: AblationScore })[] = [];
    for (const component of components) {
      const row = await run(component.variant, component.overrides);
      rows.push(row);
      singles.push({ ...component, score: scoreOf(row) });
    }
    // Candidates are only scored, never printed: no row, no bootstrap.
    const best = await bestCombination(scoreOf(baseline), singles, async (overrides) =>
      scoreOf((await runVariant(variantStrategy(parsed.strategy, overrides))).row),
    );
    const bestRow = await run("best", best.overrides);
    rows.push({ ...bestRow, components: best.variants });
    const fillModel = parsed.fillModelSpec.type;
    io.stdout.write(`ablation — ${baseline.data.symbol}, ${baseline.data.source}\n`);
    io.stdout.write(
      `${
        onCandles
          ? formatAblationTable(
              rows,
              candleAblationNotes(fillModel),
              fillModel === "subbar" ? "the simulated path" : "the bar closes",
            )
          : formatAblationTable(rows)
      }\n`,
    );
    io.stdout.write(
      `best = baseline ${best.variants.length === 0 ? "(no component helped)" : `+ ${best.variants.join(" + ")}`} (greedy by total PnL, keeping the 1 s and 30 s mark-outs no worse than the baseline's)\n`,
    );
    if (parsed.json !== undefined) {
      await writeFile(parsed.json, `${JSON.stringify(rows, null, 2)}\n`);
      io.stdout.write(`wrote json ${parsed.json}\n`);
    }
    return 0;
  } catch (error) {
    const code = error instanceof BotmmError ? ` [${error.code}]` : "";
    io.stderr.write(`error${code}: ${(error as Error).message}\n`);
    return 1;
  }
}
