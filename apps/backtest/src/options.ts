import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { DEFAULT_SIMULATION, type FillModel, subbarFillModel, subbarParamsSchema } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { strategyConfigSchema } from "@botmm/strategy";
import type { z } from "zod";
import { mapSymbol } from "./data/symbols.ts";
import { FEE_TIERS, type FeeTierName } from "./fee-tiers.ts";
import { BUILT_IN_COINS, knownSzDecimals } from "./instrument.ts";
import { renderHelp } from "./option-help.ts";
import {
  OPTION_ROWS,
  type OptionContext,
  type OptionRow,
  type RunMode,
  rowOfFlag,
  rowOfKey,
  runOptionsSchema,
} from "./option-table.ts";
import {
  type BacktestVenue,
  lotDecimals,
  VENUE_PRESETS,
  venueSymbolRules,
  venueSymbolsKnown,
} from "./venue-presets.ts";

/** A command-line or config-file value that cannot be used; the message lists every problem found. */
export class CliUsageError extends BotmmError {
  constructor(message: string) {
    super("USAGE", message);
  }
}

/** The validated options of one backtest run: data, simulation, outputs and the strategy. */
export type BacktestCliOptions = z.infer<typeof runOptionsSchema> & {
  strategy: z.infer<typeof strategyConfigSchema>;
  fillModelSpec: FillModel;
  /** The config file read, as an absolute path, or null. */
  configFile: string | null;
  mode: RunMode;
  /** True when --funding-rate was given (a --venue preset's funding history does not replace it then). */
  fundingRateGiven?: boolean;
};

/** The usage text printed by `--help`, generated from the option table. */
export const USAGE = renderHelp();

const camel = (flag: string): string =>
  flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Where a value came from, for error messages: `--days` or `days (in /abs/config.yaml)`. */
type Origin = { type: "flag"; flag: string } | { type: "file"; key: string; file: string };

const describeOrigin = (origin: Origin): string =>
  origin.type === "flag" ? origin.flag : `${origin.key} (in ${origin.file})`;

interface RawValue {
  value: unknown;
  origin: Origin;
  row: OptionRow;
}

/**
 * Parses argv (and a `--config` file) into validated options. Flags override the file. Every problem is
 * collected — unknown or malformed flags, zod issues of the file and the flags, options that have no effect in
 * the run's mode, a coin the backtester cannot trade — and thrown together as one {@link CliUsageError}.
 * Relative paths resolve against `cwd` (the user's directory), those in a config file against the file's.
 */
export async function parseCliOptions(
  argv: readonly string[],
  cwd: string,
  /** Config-file keys another command reads itself (`grid` of a sweep): skipped here, not reported. */
  foreignConfigKeys: readonly string[] = [],
): Promise<BacktestCliOptions | "help"> {
  const problems: string[] = [];
  const flags = readFlags(argv, problems);
  if (flags === "help") return "help";

  const values = new Map<string, RawValue>();
  let configFile: string | null = null;
  const configFlag = flags.find((flag) => flag.row.flag === "config");
  if (configFlag !== undefined) {
    configFile = resolve(cwd, String(configFlag.value));
    for (const entry of await readConfigFile(configFile, problems, foreignConfigKeys))
      values.set(entry.row.key!, entry);
  }
  for (const flag of flags) {
    if (flag.row.key === null) continue;
    const value = flag.row.kind === "path" ? resolve(cwd, String(flag.value)) : flag.value;
    values.set(flag.row.key, { ...flag, value });
  }

  const runInput: Record<string, unknown> = {};
  const strategyInput: Record<string, unknown> = {};
  for (const [key, entry] of values)
    (entry.row.group === "strategy" ? strategyInput : runInput)[key] = entry.value;
  const run = runOptionsSchema.safeParse(runInput);
  if (!run.success) problems.push(...describeIssues(run.error, values));
  const venue = typeof runInput.venue === "string" ? (runInput.venue as BacktestVenue) : undefined;
  if (
    venue !== undefined &&
    Object.hasOwn(VENUE_PRESETS, venue) &&
    !values.has("feeTier") &&
    !values.has("makerFee") &&
    !values.has("takerFee")
  ) {
    const tier = FEE_TIERS[VENUE_PRESETS[venue].feeTier];
    strategyInput.makerFee = tier.makerFee;
    strategyInput.takerFee = tier.takerFee;
  }
  const feeTier = values.get("feeTier");
  if (feeTier !== undefined && typeof feeTier.value === "string" && Object.hasOwn(FEE_TIERS, feeTier.value)) {
    const explicit = ["makerFee", "takerFee"].flatMap((key) => {
      const entry = values.get(key);
      return entry === undefined ? [] : [describeOrigin(entry.origin)];
    });
    if (explicit.length > 0)
      problems.push(
        `${describeOrigin(feeTier.origin)} sets both fees: it cannot be combined with ${explicit.join(" and ")}`,
      );
    const tier = FEE_TIERS[feeTier.value as FeeTierName];
    strategyInput.makerFee = tier.makerFee;
    strategyInput.takerFee = tier.takerFee;
  }
  const strategy = strategyConfigSchema.safeParse(strategyInput);
  if (!strategy.success) problems.push(...describeIssues(strategy.error, values));

  const source = runInput.source;
  const mode: RunMode =
    runInput.replay !== undefined
      ? "replay"
      : runInput.csv !== undefined || source === "csv"
        ? "csv"
        : "candles";
  problems.push(...modeProblems(mode, values));
  if (mode === "csv" && runInput.csv === undefined) problems.push("--source csv needs --csv PATH");
  if (runInput.csv !== undefined && source !== undefined && source !== "csv" && source !== "auto")
    problems.push(`--csv reads candles from a file: it cannot be combined with --source ${String(source)}`);
  if (
    runInput.fillModelParams !== undefined &&
    (runInput.fillModel ?? DEFAULT_SIMULATION.fillModel.type) !== "subbar"
  )
    problems.push(
      `--fill-model-params ${String(runInput.fillModelParams)} sets the parameters of --fill-model subbar; the run uses --fill-model ${String(runInput.fillModel ?? DEFAULT_SIMULATION.fillModel.type)}`,
    );
  if (runInput.primeCandles !== undefined && runInput.primeDownload === true)
    problems.push("--prime-candles and --prime-download both prime the strategy: pass one of them");
  const symbol = typeof runInput.symbol === "string" ? runInput.symbol : "BTCUSDT";
  if ((venue === "binance" || venue === "bybit") && mode !== "replay") {
    const venueSymbol = mapSymbol(symbol).binance;
    const rules = venueSymbolRules(venue, venueSymbol);
    if (rules === undefined && (runInput.tick === undefined || runInput.szDecimals === undefined)) {
      problems.push(
        `--venue ${venue}: the backtester has no tick/lot rules for ${venueSymbol} (it knows ${venueSymbolsKnown(venue).join(", ")}): ` +
          `pass --tick PRICE and --sz-decimals N (the venue's tick size and the decimals of its lot size)`,
      );
    } else if (rules !== undefined) {
      runInput.tick ??= rules.tick;
      runInput.szDecimals ??= lotDecimals(rules.lot);
    }
  }
  if (runInput.szDecimals === undefined) {
    const coin = mapSymbol(symbol).hyperliquid;
    if (knownSzDecimals(coin) === undefined) {
      problems.push(
        `--symbol ${symbol}: the backtester does not know how ${coin} trades (its size decimals)` +
          `${runInput.tick === undefined ? "" : "; --tick sets only the price grid"}. Pass --sz-decimals N ` +
          `(Hyperliquid's szDecimals of the coin; optionally --tick PRICE), or use a built-in coin: ${BUILT_IN_COINS.join(", ")}`,
      );
    }
  }

  if (problems.length > 0 || !run.success || !strategy.success) {
    const where = configFile === null ? "" : ` (flags and ${configFile})`;
    throw new CliUsageError(
      `${problems.length} problem${problems.length === 1 ? "" : "s"} with the options${where}:\n${problems.map((line) => `  ${line}`).join("\n")}\n(--help lists every option)`,
    );
  }
  const options = run.data;
  if (options.csv !== undefined) options.source = "csv";
  if (venue === "binance" || venue === "bybit") {
    // The preset's grid (checked above); run.data was parsed before it was filled in.
    options.tick ??= runInput.tick as string | undefined;
    options.szDecimals ??= runInput.szDecimals as number | undefined;
  }
  const fillModelSpec: FillModel =
    options.fillModel === "touch"
      ? { type: "touch" }
      : options.fillModel === "cross"
        ? { type: "cross", throughTicks: options.throughTicks }
        : options.fillModel === "subbar"
          ? await readFillModelParams(options.fillModelParams)
          : {
              type: "probabilistic",
              touchProbability: options.touchProbability,
              fullFillPenetrationBps: options.fullFillPenetrationBps,
            };
  return {
    ...options,
    strategy: strategy.data,
    fillModelSpec,
    configFile,
    mode,
    ...(values.has("fundingRate") ? { fundingRateGiven: true } : {}),
  };
}

/**
 * The sub-bar model with the parameters of `path` (a calibrate output: `{ params: {...}, fittedOn, ... }`, or the
 * bare parameters object), or the shipped set when no file is given.
 */
export async function readFillModelParams(path: string | undefined): Promise<FillModel> {
  if (path === undefined) return subbarFillModel();
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliUsageError(
      `--fill-model-params ${path}: ${code === undefined ? `not valid JSON: ${(error as Error).message}` : `cannot read the file (${code})`}`,
    );
  }
  const params =
    value !== null && typeof value === "object" && "params" in value
      ? (value as { params: unknown }).params
      : value;
  const parsed = subbarParamsSchema.safeParse(params);
  if (!parsed.success) {
    throw new CliUsageError(
      `--fill-model-params ${path}: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "(params)"}: ${issue.message}`).join("; ")} (expected the JSON the calibrate command writes)`,
    );
  }
  const fittedOn =
    value !== null && typeof value === "object" && "fittedOn" in value
      ? String((value as { fittedOn: unknown }).fittedOn)
      : null;
  return {
    type: "subbar",
    params: parsed.data,
    source: `${path}${fittedOn === null ? "" : ` (fitted on ${fittedOn})`}`,
  };
}

/** The contexts a run of `mode` with these values switches on. */
function activeContexts(mode: RunMode, values: ReadonlyMap<string, RawValue>): Set<OptionContext> {
  const active = new Set<OptionContext>([mode]);
  if (mode === "replay" && values.get("compareCandles")?.value === true) active.add("compare-candles");
  if (mode === "replay" && values.get("primeDownload")?.value === true) active.add("prime-download");
  return active;
}

const MODE_TEXT: Record<RunMode, string> = {
  candles: "a candle run on downloaded or synthetic candles",
  csv: "a --csv run",
  replay: "a --replay run",
};
const CONTEXT_TEXT: Record<OptionContext, string> = {
  candles: "candle runs on downloaded or synthetic candles",
  csv: "--csv runs",
  replay: "--replay runs",
  "compare-candles": "--replay with --compare-candles",
  "prime-download": "--replay with --prime-download",
};

function modeProblems(mode: RunMode, values: ReadonlyMap<string, RawValue>): string[] {
  const active = activeContexts(mode, values);
  const problems: string[] = [];
  for (const entry of values.values()) {
    if (entry.row.appliesTo.some((context) => active.has(context))) continue;
    // Turning off a feature the mode does not have is harmless only when it was off already.
    if (
      entry.value === false &&
      entry.row.kind === "boolean" &&
      entry.row.schema?.safeParse(undefined).data === false
    )
      continue;
    const name = entry.origin.type === "flag" ? entry.origin.flag : describeOrigin(entry.origin);
    const hint =
      mode === "csv" && entry.row.flag === "days"
        ? "; a candles file has its own range: use --start/--end to cut it"
        : "";
    problems.push(
      `${name} has no effect in ${MODE_TEXT[mode]}: it applies to ${entry.row.appliesTo.map((context) => CONTEXT_TEXT[context]).join(", ")}${hint}`,
    );
  }
  return problems;
}

interface FlagValue {
  row: OptionRow;
  value: unknown;
  origin: Origin;
}

const levenshtein = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
};

function suggestion(name: string): string {
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const row of OPTION_ROWS) {
    const distance = levenshtein(name, row.flag);
    if (distance < bestDistance) {
      best = row.flag;
      bestDistance = distance;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(name.length / 4))
    ? ` (did you mean --${best}?)`
    : "";
}

/** Reads `--flag value`, `--flag=value`, `--no-flag` and `-h`; problems are collected, not thrown. */
function readFlags(argv: readonly string[], problems: string[]): FlagValue[] | "help" {
  const out: FlagValue[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "-h" || token === "--help") return "help";
    if (!token.startsWith("--")) {
      problems.push(`unexpected argument ${JSON.stringify(token)}: every option is a --flag (see --help)`);
      continue;
    }
    const equals = token.indexOf("=");
    const name = token.slice(2, equals < 0 ? undefined : equals);
    const inline = equals < 0 ? undefined : token.slice(equals + 1);
    let row = rowOfFlag(name);
    let negated = false;
    if (row === undefined && name.startsWith("no-")) {
      const positive = rowOfFlag(name.slice(3));
      if (positive !== undefined && (positive.kind === "boolean" || positive.negatable === true)) {
        row = positive;
        negated = true;
      }
    }
    if (row === undefined) {
      problems.push(`unknown option --${name}${suggestion(name)}`);
      // Its value, if it had one, is not a second problem.
      if (inline === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("-")) i++;
      continue;
    }
    const origin: Origin = { type: "flag", flag: `--${name}` };
    if (negated || row.kind === "boolean") {
      if (inline !== undefined) {
        problems.push(
          `--${name} takes no value (got ${JSON.stringify(inline)}); write --${row.flag} or --no-${row.flag}`,
        );
        continue;
      }
      out.push({ row, value: !negated, origin });
      continue;
    }
    let text = inline;
    if (text === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) {
        problems.push(`--${name} needs a value (${row.value ?? "VALUE"})`);
        continue;
      }
      text = next;
      i++;
    }
    if (row.kind === "number") {
      const number = Number(text);
      if (text.trim() === "" || !Number.isFinite(number)) {
        problems.push(`--${name} must be a number, got ${JSON.stringify(text)}`);
        continue;
      }
      out.push({ row, value: number, origin });
    } else out.push({ row, value: text, origin });
  }
  return out;
}

async function readConfigFile(
  path: string,
  problems: string[],
  foreignKeys: readonly string[],
): Promise<RawValue[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    problems.push(
      `--config ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
    return [];
  }
  const yaml = /\.ya?ml$/i.test(path);
  let value: unknown;
  try {
    // The YAML parser (~70 modules) loads only for a YAML config: most runs have none.
    value = yaml ? (await import("yaml")).parse(text) : JSON.parse(text);
  } catch (error) {
    problems.push(`--config ${path}: not valid ${yaml ? "YAML" : "JSON"}: ${(error as Error).message}`);
    return [];
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    problems.push(`--config ${path}: expected an object of settings at the top level`);
    return [];
  }
  const entries: RawValue[] = [];
  const add = (key: string, raw: unknown, prefix: string) => {
    const row = rowOfKey(key);
    if (row === undefined || (prefix !== "" && row.group !== "strategy")) {
      const flagLike = rowOfFlag(key) ?? rowOfKey(camel(key));
      const hint = flagLike?.key ? ` (did you mean ${flagLike.key}?)` : "";
      problems.push(`${prefix}${key} (in ${path}): not a setting${hint}`);
      return;
    }
    const value =
      row.kind === "path" && typeof raw === "string" && !isAbsolute(raw) ? resolve(dirname(path), raw) : raw;
    entries.push({ row, value, origin: { type: "file", key: `${prefix}${key}`, file: path } });
  };
  for (const [key, raw] of Object.entries(value)) {
    if (foreignKeys.includes(key)) continue;
    if (key === "strategy" && raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
      for (const [inner, innerValue] of Object.entries(raw)) add(inner, innerValue, "strategy.");
    } else add(key, raw, "");
  }
  return entries;
}

function describeIssues(error: z.ZodError, values: ReadonlyMap<string, RawValue>): string[] {
  return error.issues.map((issue) => {
    const key = String(issue.path[0] ?? "");
    const entry = values.get(key);
    const name = entry === undefined ? (key === "" ? "(options)" : `--${key}`) : describeOrigin(entry.origin);
    const unknownKeys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
    const got = entry === undefined ? "" : ` (got ${JSON.stringify(entry.value)})`;
    return `${name}: ${issue.message}${unknownKeys}${got}`;
  });
}
