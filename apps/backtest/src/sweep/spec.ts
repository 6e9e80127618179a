// What a `sweep` / `walk-forward` command line asks for: its own flags, read here, and the flags of one run,
// passed to the run's parser once per configuration so every configuration is validated exactly as a single
// run would be.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  drawRandomConfigs,
  expandGrid,
  SWEEP_OBJECTIVES,
  type SweepAxis,
  type SweepConfig,
  type SweepObjective,
  type SweepRange,
  SweepSpecError,
  type SweepValue,
} from "@botmm/backtest";
import { createRandom } from "@botmm/core";
import { strategyConfigSchema } from "@botmm/strategy";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { OPTION_ROWS, type OptionRow, rowOfFlag, rowOfKey } from "../option-table.ts";
import { type BacktestCliOptions, CliUsageError, parseCliOptions } from "../options.ts";
import { parseQueueFlags, QUEUE_FLAGS, type QueueCliSpec } from "../queue/queue-flags.ts";

export type SweepCommand = "sweep" | "walk-forward";

interface SweepFlag {
  flag: string;
  value?: string;
  repeatable?: boolean;
  description: string;
  commands: readonly SweepCommand[];
}

const BOTH: readonly SweepCommand[] = ["sweep", "walk-forward"];

/** The flags of the two commands beyond a single run's; `--json` and `--report` change meaning here. */
export const SWEEP_FLAGS: readonly SweepFlag[] = [
  {
    flag: "grid",
    value: "KEY=V1,V2,…",
    repeatable: true,
    description:
      "sweep a setting over these values; KEY is a flag name (base-spread-bps, fill-model, fee-tier, …). Repeat for more settings: every combination runs. A config file can hold grid: { baseSpreadBps: [1, 2] }",
    commands: BOTH,
  },
  {
    flag: "range",
    value: "KEY=MIN:MAX",
    repeatable: true,
    description:
      "with --random: draw a number setting uniformly from MIN..MAX (integers for an integer setting)",
    commands: BOTH,
  },
  {
    flag: "random",
    value: "N",
    description: "N random configurations over the --range and --grid settings instead of the full grid",
    commands: BOTH,
  },
  { flag: "random-seed", value: "N", description: "seed of the --random draws (default 1)", commands: BOTH },
  { flag: "workers", value: "N", description: "worker threads (default: the core count)", commands: BOTH },
  {
    flag: "objective",
    value: "OBJECTIVE",
    description: `what ranks configurations: ${SWEEP_OBJECTIVES.join(" | ")} (default total; sharpe needs ≥ 30 days)`,
    commands: BOTH,
  },
  { flag: "top", value: "N", description: "rows of the ranked table printed (default 20)", commands: BOTH },
  { flag: "json", value: "PATH", description: "write every configuration's result as JSON", commands: BOTH },
  {
    flag: "results-csv",
    value: "PATH.csv",
    description: "write one CSV row per configuration, best first",
    commands: ["sweep"],
  },
  {
    flag: "report",
    value: "PATH.html",
    description:
      "write an HTML page: a heatmap of two swept settings and the equity curves of the top configurations",
    commands: ["sweep"],
  },
  {
    flag: "heatmap",
    value: "A,B",
    description: "the two settings of the heatmap (default the first two swept)",
    commands: ["sweep"],
  },
  {
    flag: "curves",
    value: "N",
    description: "equity curves of the top N configurations in --report (default 5)",
    commands: ["sweep"],
  },
  {
    flag: "train",
    value: "DURATION",
    description: "training window: 30d, 12h, 90m (required)",
    commands: ["walk-forward"],
  },
  {
    flag: "test",
    value: "DURATION",
    description: "test window, also the step between windows (required)",
    commands: ["walk-forward"],
  },
  {
    flag: "anchored",
    description: "training windows all start at the data's start and grow (default: rolling)",
    commands: ["walk-forward"],
  },
  {
    flag: "pbo-groups",
    value: "S",
    description:
      "groups of days the probability of backtest overfitting cuts the data into (even, default 8)",
    commands: ["walk-forward"],
  },
  ...QUEUE_FLAGS.map((row) => ({ ...row, commands: BOTH })),
];

/** The keys of a config file this module reads instead of the run's parser. */
export const SWEEP_CONFIG_KEYS = ["grid", "range", "random"] as const;

/** A parsed `sweep` / `walk-forward` command line. */
export interface SweepSpec {
  command: SweepCommand;
  /** The flags of one run, as given (sweep flags removed). */
  baseArgv: string[];
  base: BacktestCliOptions;
  /** The swept settings by flag name, in order. */
  keys: string[];
  configs: SweepConfig[];
  /** Each configuration's validated options, index for index. */
  options: BacktestCliOptions[];
  workers: number;
  /** --queue: the runs go to a BullMQ queue instead of local threads. */
  queue?: QueueCliSpec;
  objective: SweepObjective;
  top: number;
  json?: string;
  resultsCsv?: string;
  report?: string;
  heatmap?: [string, string | null];
  curves: number;
  trainMs?: number;
  testMs?: number;
  anchored: boolean;
  pboGroups: number;
}

/** The `--help` of a sweep command, from {@link SWEEP_FLAGS}. */
export function sweepHelp(command: SweepCommand): string {
  const lines = [
    `Usage: pnpm --filter backtest start -- ${command} [--csv FILE | --symbol S …] --grid KEY=V1,V2 [--grid …] [options]`,
    "",
    command === "sweep"
      ? "Runs every configuration on the same candles in worker threads and ranks them."
      : "On each training window picks the best configuration, runs it on the following test window, and reports the out-of-sample result beside the in-sample one, with the probability of backtest overfitting (CSCV) and the deflated Sharpe ratio.",
    "Every option of a single candle run applies (pnpm --filter backtest start -- --help) and is the base each configuration changes.",
    "",
    `${command} options`,
  ];
  for (const row of SWEEP_FLAGS) {
    if (!row.commands.includes(command)) continue;
    const syntax = `  --${row.flag}${row.value === undefined ? "" : ` ${row.value}`}`;
    lines.push(
      syntax.length < 33
        ? `${syntax.padEnd(34)}${row.description}`
        : `${syntax}\n${"".padEnd(34)}${row.description}`,
    );
  }
  return lines.join("\n");
}

const DURATION_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A duration such as `30d`, `12h`, `90m`, `2w` in ms.
 *
 * @example
 * ```ts
 * parseDuration("7d", "--test"); // 604800000
 * ```
 */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)([mhdw])$/.exec(text.trim());
  if (match === null || Number(match[1]) <= 0)
    throw new CliUsageError(
      `${flag} ${JSON.stringify(text)}: expected a positive duration such as 30d, 12h or 90m`,
    );
  return Number(match[1]) * DURATION_UNITS[match[2]!]!;
}

/** Settings a sweep may vary: the strategy's and the simulation's; data, instrument and output flags fix the run. */
function sweepableRow(name: string, where: string): OptionRow {
  const row = rowOfFlag(name) ?? rowOfKey(name);
  if (row === undefined || row.key === null) {
    const near = OPTION_ROWS.filter(
      (candidate) => candidate.key !== null && candidate.flag.includes(name.slice(0, 4)),
    )
      .map((candidate) => candidate.flag)
      .slice(0, 3);
    throw new CliUsageError(
      `${where}: unknown setting ${JSON.stringify(name)}${near.length > 0 ? ` (did you mean ${near.join(", ")}?)` : ""}; a grid key is a flag name such as base-spread-bps`,
    );
  }
  const simulation =
    row.group === "run" &&
    (row.section === "Simulation" || row.flag === "funding-rate" || row.flag === "requote-interval-ms");
  if (!(row.group === "strategy" || (simulation && row.kind !== "path")))
    throw new CliUsageError(
      `${where}: --${row.flag} cannot be swept: every configuration runs on the same data and outputs; sweep strategy settings or the Simulation options (--help)`,
    );
  return row;
}

function parseValue(row: OptionRow, text: string, where: string): SweepValue {
  const trimmed = text.trim();
  if (trimmed === "") throw new CliUsageError(`${where}: an empty value for ${row.flag}`);
  if (row.kind === "number") {
    const value = Number(trimmed);
    if (!Number.isFinite(value))
      throw new CliUsageError(`${where}: ${row.flag} must be numbers, got ${JSON.stringify(trimmed)}`);
    return value;
  }
  if (row.kind === "boolean") {
    if (["true", "on", "yes"].includes(trimmed)) return true;
    if (["false", "off", "no"].includes(trimmed)) return false;
    throw new CliUsageError(
      `${where}: ${row.flag} is on or off (true | false), got ${JSON.stringify(trimmed)}`,
    );
  }
  return trimmed;
}

function axisOf(name: string, values: readonly unknown[], where: string): SweepAxis {
  const row = sweepableRow(name, where);
  if (values.length === 0 || (values.length === 1 && String(values[0]).trim() === ""))
    throw new CliUsageError(`${where}: ${row.flag} has no values (expected ${row.flag}=V1,V2,…)`);
  return { name: row.flag, values: values.map((value) => parseValue(row, String(value), where)) };
}

/** Whether a number setting only takes integers, asked of its own schema. */
function integerSetting(row: OptionRow, probe: number): boolean {
  const schema: z.ZodType | undefined =
    row.group === "strategy"
      ? (strategyConfigSchema.shape as Record<string, z.ZodType>)[row.key!]
      : row.schema;
  if (schema === undefined) return false;
  const whole = Math.floor(probe);
  return (
    !schema.safeParse(whole + 0.5).success &&
    (schema.safeParse(whole).success || schema.safeParse(whole + 1).success)
  );
}

function rangeOf(name: string, text: string, where: string): SweepRange {
  const row = sweepableRow(name, where);
  if (row.kind !== "number")
    throw new CliUsageError(`${where}: ${row.flag} is not a number setting: give it a --grid`);
  const match = /^\s*(-?[\d.]+(?:e-?\d+)?)\s*:\s*(-?[\d.]+(?:e-?\d+)?)\s*$/.exec(text);
  if (match === null)
    throw new CliUsageError(`${where}: expected ${row.flag}=MIN:MAX, got ${JSON.stringify(text)}`);
  const min = Number(match[1]);
  const max = Number(match[2]);
  if (!(max >= min))
    throw new CliUsageError(`${where}: the range ${row.flag}=${min}:${max} is empty (expected MIN ≤ MAX)`);
  return { name: row.flag, min, max, integer: integerSetting(row, min) };
}

function splitKeyValue(text: string, flag: string): [string, string] {
  const equals = text.indexOf("=");
  if (equals <= 0)
    throw new CliUsageError(
      `--${flag} ${JSON.stringify(text)}: expected KEY=${flag === "grid" ? "V1,V2,…" : "MIN:MAX"}`,
    );
  return [text.slice(0, equals).trim(), text.slice(equals + 1)];
}

const positiveInteger = (text: string | undefined, flag: string): number => {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < 1)
    throw new CliUsageError(`--${flag} must be an integer ≥ 1, got ${JSON.stringify(text)}`);
  return value;
};

/** The `grid`, `range` and `random` of a config file (the rest is the run's). */
async function readFileAxes(
  path: string,
): Promise<{ grid: SweepAxis[]; ranges: SweepRange[]; random?: number }> {
  let value: unknown;
  try {
    const text = await readFile(path, "utf8");
    value = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch {
    return { grid: [], ranges: [] }; // the run's parser reports an unreadable file
  }
  if (value === null || typeof value !== "object") return { grid: [], ranges: [] };
  const file = value as Record<string, unknown>;
  const grid: SweepAxis[] = [];
  const ranges: SweepRange[] = [];
  const objectOf = (key: string): Record<string, unknown> => {
    const inner = file[key];
    if (inner === undefined) return {};
    if (inner === null || typeof inner !== "object" || Array.isArray(inner))
      throw new CliUsageError(
        `${key} (in ${path}): expected an object of setting → ${key === "grid" ? "list of values" : "MIN:MAX"}`,
      );
    return inner as Record<string, unknown>;
  };
  for (const [key, values] of Object.entries(objectOf("grid"))) {
    const list = Array.isArray(values) ? values : String(values).split(",");
    grid.push(axisOf(key, list, `grid.${key} (in ${path})`));
  }
  for (const [key, range] of Object.entries(objectOf("range"))) {
    const text = Array.isArray(range) ? range.join(":") : String(range);
    ranges.push(rangeOf(key, text, `range.${key} (in ${path})`));
  }
  const random =
    file.random === undefined ? undefined : positiveInteger(String(file.random), `random (in ${path})`);
  return { grid, ranges, ...(random === undefined ? {} : { random }) };
}

/** The flag tokens that set one configuration on top of the base run. */
export function configArgv(config: SweepConfig): string[] {
  return Object.entries(config).map(([flag, value]) =>
    typeof value === "boolean" ? (value ? `--${flag}` : `--no-${flag}`) : `--${flag}=${value}`,
  );
}

/** How a configuration prints: `base-spread-bps=4 vol-multiplier=1`. */
export const describeConfig = (config: SweepConfig): string =>
  Object.entries(config)
    .map(([flag, value]) => `${flag}=${value}`)
    .join(" ");

/**
 * Reads a sweep command line: the sweep's flags, the grid (flags and the config file), and every configuration
 * validated by the run's own parser. Returns "help" for `--help`.
 *
 * @throws CliUsageError naming the flag, key or configuration at fault.
 */
export async function parseSweepArgs(
  command: SweepCommand,
  argv: readonly string[],
  cwd: string,
  defaultWorkers: number,
): Promise<SweepSpec | "help"> {
  const own = new Map<string, string[]>();
  const baseArgv: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "-h" || token === "--help") return "help";
    const equals = token.indexOf("=");
    const name = token.startsWith("--") ? token.slice(2, equals < 0 ? undefined : equals) : "";
    const row = SWEEP_FLAGS.find((candidate) => candidate.flag === name);
    if (row === undefined) {
      if (name === "fills" || name === "replay")
        throw new CliUsageError(
          `--${name} is a single run's option: a ${command} runs candle backtests and keeps no fill ledger`,
        );
      baseArgv.push(token);
      continue;
    }
    if (!row.commands.includes(command))
      throw new CliUsageError(`--${name} is an option of ${row.commands.join(" and ")}, not of ${command}`);
    let value: string;
    if (row.value === undefined) value = "true";
    else if (equals >= 0) value = token.slice(equals + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--"))
        throw new CliUsageError(`--${name} needs a value (${row.value})`);
      value = next;
      i++;
    }
    const values = own.get(name) ?? [];
    if (values.length > 0 && !row.repeatable) throw new CliUsageError(`--${name} is given twice`);
    own.set(name, [...values, value]);
  }
  const one = (flag: string): string | undefined => own.get(flag)?.[0];

  const base = await parseCliOptions(baseArgv, cwd, SWEEP_CONFIG_KEYS);
  if (base === "help") return "help";
  if (base.mode === "replay")
    throw new CliUsageError(`a ${command} runs candle backtests: --replay is not supported`);

  const fromFile = base.configFile === null ? { grid: [], ranges: [] } : await readFileAxes(base.configFile);
  const flagAxes = (own.get("grid") ?? []).map((text) => {
    const [key, values] = splitKeyValue(text, "grid");
    return axisOf(key, values.split(","), `--grid ${text}`);
  });
  const flagRanges = (own.get("range") ?? []).map((text) => {
    const [key, range] = splitKeyValue(text, "range");
    return rangeOf(key, range, `--range ${text}`);
  });
  // A flag replaces the file's axis of the same setting.
  const given = new Set([...flagAxes, ...flagRanges].map((axis) => axis.name));
  const axes = [...fromFile.grid.filter((axis) => !given.has(axis.name)), ...flagAxes];
  const ranges = [...fromFile.ranges.filter((range) => !given.has(range.name)), ...flagRanges];
  const randomText = one("random");
  const random = randomText === undefined ? fromFile.random : positiveInteger(randomText, "random");
  let configs: SweepConfig[];
  try {
    if (random !== undefined) {
      if (ranges.length === 0 && axes.length === 0)
        throw new CliUsageError("--random N draws over --range (or --grid) settings: none given");
      const seedText = one("random-seed");
      const seed = seedText === undefined ? 1 : Number(seedText);
      if (!Number.isInteger(seed))
        throw new CliUsageError(`--random-seed must be an integer, got ${JSON.stringify(seedText)}`);
      configs = drawRandomConfigs(ranges, axes, random, createRandom(seed));
    } else {
      if (ranges.length > 0)
        throw new CliUsageError(`--range ${ranges[0]!.name} needs --random N (how many draws)`);
      if (axes.length === 0)
        throw new CliUsageError(
          `nothing to ${command}: give --grid KEY=V1,V2 (or --range KEY=MIN:MAX with --random N)`,
        );
      configs = expandGrid(axes);
    }
  } catch (error) {
    if (error instanceof SweepSpecError) throw new CliUsageError(error.message);
    throw error;
  }
  const keys = [...ranges.map((range) => range.name), ...axes.map((axis) => axis.name)];
  if (random === undefined) keys.splice(0, keys.length, ...axes.map((axis) => axis.name));

  const options: BacktestCliOptions[] = [];
  for (let i = 0; i < configs.length; i++) {
    let parsed: BacktestCliOptions | "help";
    try {
      parsed = await parseCliOptions([...baseArgv, ...configArgv(configs[i]!)], cwd, SWEEP_CONFIG_KEYS);
    } catch (error) {
      throw new CliUsageError(
        `configuration ${i + 1} (${describeConfig(configs[i]!)}): ${(error as Error).message}`,
      );
    }
    options.push(parsed as BacktestCliOptions);
  }

  const objective = (one("objective") ?? "total") as SweepObjective;
  if (!SWEEP_OBJECTIVES.includes(objective))
    throw new CliUsageError(`--objective ${objective}: expected ${SWEEP_OBJECTIVES.join(" | ")}`);
  let heatmap: [string, string | null] | undefined;
  const heatmapText = one("heatmap");
  if (heatmapText !== undefined) {
    const names = heatmapText
      .split(",")
      .map((name) => sweepableRow(name.trim(), `--heatmap ${heatmapText}`).flag);
    for (const name of names)
      if (!keys.includes(name))
        throw new CliUsageError(`--heatmap ${heatmapText}: ${name} is not swept (swept: ${keys.join(", ")})`);
    if (names.length < 1 || names.length > 2)
      throw new CliUsageError(`--heatmap ${heatmapText}: expected A,B`);
    heatmap = [names[0]!, names[1] ?? null];
  } else if (keys.length > 0) heatmap = [keys[0]!, keys[1] ?? null];
  const path = (flag: string): string | undefined => {
    const value = one(flag);
    return value === undefined ? undefined : resolve(cwd, value);
  };
  const train = one("train");
  const test = one("test");
  if (command === "walk-forward" && (train === undefined || test === undefined))
    throw new CliUsageError(
      "walk-forward needs --train DURATION and --test DURATION (e.g. --train 30d --test 7d)",
    );
  const pboGroups = one("pbo-groups") === undefined ? 8 : positiveInteger(one("pbo-groups"), "pbo-groups");
  if (pboGroups % 2 !== 0 || pboGroups < 2)
    throw new CliUsageError(`--pbo-groups must be even and ≥ 2, got ${pboGroups}`);
  const spec: SweepSpec = {
    command,
    baseArgv,
    base,
    keys,
    configs,
    options,
    workers: one("workers") === undefined ? defaultWorkers : positiveInteger(one("workers"), "workers"),
    objective,
    top: one("top") === undefined ? 20 : positiveInteger(one("top"), "top"),
    curves: one("curves") === undefined ? 5 : positiveInteger(one("curves"), "curves"),
    anchored: own.has("anchored"),
    pboGroups,
  };
  if (heatmap !== undefined) spec.heatmap = heatmap;
  const queue = parseQueueFlags(one);
  if (queue !== undefined) {
    if (own.has("workers"))
      throw new CliUsageError(
        "--workers sets local threads; with --queue the workers are `worker --queue URL --concurrency N` processes",
      );
    spec.queue = queue;
  }
  const json = path("json");
  if (json !== undefined) spec.json = json;
  const resultsCsv = path("results-csv");
  if (resultsCsv !== undefined) spec.resultsCsv = resultsCsv;
  const report = path("report");
  if (report !== undefined) spec.report = report;
  if (train !== undefined) spec.trainMs = parseDuration(train, "--train");
  if (test !== undefined) spec.testMs = parseDuration(test, "--test");
  return spec;
}
