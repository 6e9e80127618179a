import { writeFile } from "node:fs/promises";
import type { MarkoutsBps, ReplayReport } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { type StrategyConfig, type StrategyConfigInput, strategyConfigSchema } from "@botmm/strategy";
import { type BacktestCliOptions, parseCliOptions, USAGE } from "./options.ts";
import { replayOnce } from "./replay-run.ts";
import type { CliIo } from "./run.ts";

/** A variant of the ablation: a name and the strategy settings it changes from the baseline. */
export interface AblationVariant {
  variant: string;
  /** Settings over the baseline; `null` for `default` (the user's flags over BotMM's defaults, as shipped). */
  overrides: StrategyConfigInput | null;
}

/** One row of the ablation's JSON: the single-run JSON fields plus the variant and its mark-outs in time. */
export type AblationRow = { variant: string; markoutsBps: MarkoutsBps } & ReplayReport & {
    /** `best` only: the components it combines. */
    components?: string[];
  };

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
  bias: false,
};

/** The components switched on one at a time over the baseline. */
export const ABLATION_COMPONENTS: readonly AblationVariant[] = [
  { variant: "+fair-price=imbalance", overrides: { fairPrice: "imbalance" } },
  { variant: "+fair-price=microprice", overrides: { fairPrice: "microprice" } },
  { variant: "+calibration=online", overrides: { calibration: "online" } },
  { variant: "+model=glft(online)", overrides: { model: "glft", calibration: "online" } },
  { variant: "+model=as-infinite(online)", overrides: { model: "as-infinite", calibration: "online" } },
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
  { variant: "+size-decay", overrides: { sizeDecay: 1 } },
  { variant: "+funding-skew", overrides: { fundingSkewBps: 1 } },
  { variant: "+bias", overrides: { bias: true } },
];

/** Variants that set the same setting exclusively (only one of each group can join `best`). */
const EXCLUSIVE_KEYS = ["fairPrice", "model"] as const;

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

/**
 * Greedy forward selection of the helpful components: sorted by their gain over the baseline, each joins the
 * combination when the combination's total PnL improves with it; at most one per exclusive setting (fair price,
 * model). `evaluate` runs a combination and returns its total PnL.
 *
 * @example
 * ```ts
 * const best = await bestCombination(0, [{ variant: "+size-decay", overrides: { sizeDecay: 1 }, pnlUsd: 2 }],
 *   async (overrides) => run(overrides));
 * best.variants; // ["+size-decay"] when it still helps
 * ```
 */
export async function bestCombination(
  baselinePnlUsd: number,
  singles: readonly (AblationVariant & { pnlUsd: number })[],
  evaluate: (overrides: StrategyConfigInput) => Promise<number>,
): Promise<{ variants: string[]; overrides: StrategyConfigInput; pnlUsd: number }> {
  const helpful = singles
    .filter((single) => single.pnlUsd > baselinePnlUsd && single.overrides !== null)
    .sort((a, b) => b.pnlUsd - a.pnlUsd);
  let overrides: StrategyConfigInput = {};
  let pnlUsd = baselinePnlUsd;
  const variants: string[] = [];
  for (const single of helpful) {
    const add = single.overrides!;
    if (EXCLUSIVE_KEYS.some((key) => key in add && key in overrides)) continue;
    const candidate = { ...overrides, ...add };
    const candidatePnl = variants.length === 0 ? single.pnlUsd : await evaluate(candidate);
    if (candidatePnl > pnlUsd) {
      overrides = candidate;
      pnlUsd = candidatePnl;
      variants.push(single.variant);
    }
  }
  return { variants, overrides, pnlUsd };
}

const cell = (value: number | null, digits = 2): string => (value === null ? "n/a" : value.toFixed(digits));

/**
 * The ablation table: PnL split, volume, orders filled and mark-outs per variant.
 *
 * @example
 * ```ts
 * console.log(formatAblationTable(rows));
 * ```
 */
export function formatAblationTable(rows: readonly AblationRow[]): string {
  const header = [
    "variant",
    "total $",
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
    "mark-outs (mo) in bps of own maker fills after 1/5/30/60 s on the book's mid; negative = adverse selection",
  ].join("\n");
}

/**
 * `ablation --replay PATH --symbol S [--json FILE] [any run flag]`: replays the recording once per variant —
 * `baseline` (today's basic model, every new feature off), `default` (the flags as given over BotMM's
 * defaults), each component alone over the baseline, and `best` (the greedy combination of the helpful ones by
 * total PnL) — and prints the table; `--json` writes an array of `{ variant, ...report, markoutsBps }`.
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
      `usage: ablation --replay PATH --symbol S [--json FILE] [run flags]\n  runs the recording once per variant (baseline, default, ${ABLATION_COMPONENTS.map((c) => c.variant).join(", ")}, best) and prints PnL split, volume, orders filled and mark-outs per variant\n\n${USAGE}\n`,
    );
    return 0;
  }
  if (options.replay === undefined) {
    io.stderr.write(
      "error: ablation needs --replay PATH (a recording with trades); candles (--csv) are not supported yet\n",
    );
    return 2;
  }
  const parsed = options;
  try {
    const rows: AblationRow[] = [];
    const run = async (variant: string, overrides: StrategyConfigInput | null): Promise<AblationRow> => {
      const strategy = variantStrategy(parsed.strategy, overrides);
      const { report } = await replayOnce({ ...parsed, strategy, progress: false }, io);
      return { variant, ...report };
    };
    const baseline = await run("baseline", {});
    rows.push(baseline, await run("default", null));
    const singles: (AblationVariant & { pnlUsd: number })[] = [];
    for (const component of ABLATION_COMPONENTS) {
      const row = await run(component.variant, component.overrides);
      rows.push(row);
      singles.push({ ...component, pnlUsd: row.pnl.total });
    }
    const best = await bestCombination(
      baseline.pnl.total,
      singles,
      async (overrides) => (await run("candidate", overrides)).pnl.total,
    );
    const bestRow = await run("best", best.overrides);
    rows.push({ ...bestRow, components: best.variants });
    io.stdout.write(`ablation — ${baseline.data.symbol}, ${baseline.data.source}\n`);
    io.stdout.write(`${formatAblationTable(rows)}\n`);
    io.stdout.write(
      `best = baseline ${best.variants.length === 0 ? "(no component helped)" : `+ ${best.variants.join(" + ")}`} (greedy by total PnL)\n`,
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
