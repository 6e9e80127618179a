// What a `screen` command line asks for: its own flags, read here, and strategy / simulation flags of a single
// run, handed to the run's parser so the per-coin backtest is configured exactly as a single run would be.
import { resolve } from "node:path";
import { SCREEN_SCORES, type ScreenScore } from "@botmm/backtest";
import { FEE_TIER_NAMES, FEE_TIERS, type FeeTierName } from "../fee-tiers.ts";
import { rowOfFlag } from "../option-table.ts";
import { type BacktestCliOptions, CliUsageError, parseCliOptions } from "../options.ts";
import { parseQueueFlags, QUEUE_FLAGS, type QueueCliSpec } from "../queue/queue-flags.ts";

interface ScreenFlag {
  flag: string;
  value?: string;
  description: string;
}

/** The screen's own flags, in help order. */
export const SCREEN_FLAGS: readonly ScreenFlag[] = [
  {
    flag: "csv",
    value: "FILE",
    description:
      "candles of many coins in one long-format CSV (plain or .gz): coin,date,open,high,low,close,volume",
  },
  {
    flag: "dir",
    value: "DIR",
    description:
      "a directory of per-coin candle files named <COIN>.csv(.gz) or <COIN>-1m.csv (or long-format files)",
  },
  {
    flag: "online",
    description: "every listed Hyperliquid perp: meta + candleSnapshot through the SDK, with the disk cache",
  },
  { flag: "coins", value: "A,B,…", description: "screen only these coins (each must be in the input)" },
  {
    flag: "funding",
    value: "FILE",
    description: "funding rates per hour in the same long format: coin,date,funding_rate",
  },
  {
    flag: "recordings",
    value: "PATH",
    description:
      "recorded order books (any --replay layout): adds the real quoted spread, the share of time it pays the fee and the depth at the touch",
  },
  {
    flag: "fee-tier",
    value: "TIER",
    description: `the fees the screen and the backtests charge (default hl-0): ${FEE_TIER_NAMES.join(" | ")}`,
  },
  {
    flag: "rank-by",
    value: "SCORE",
    description: `${SCREEN_SCORES.join(" | ")} (default edge: estimated spread − round-trip maker fee, bps)`,
  },
  {
    flag: "min-volume-usd",
    value: "USD",
    description: "rank only coins trading at least this much a day; the rest are listed after (default 0)",
  },
  { flag: "top", value: "N", description: "rows of the ranked table printed (default 20)" },
  { flag: "json", value: "PATH", description: "write one JSON object per coin, best first" },
  { flag: "results-csv", value: "PATH.csv", description: "write one CSV row per coin, best first" },
  {
    flag: "report",
    value: "PATH.html",
    description:
      "write an HTML page: the ranked table and a coin × hour-of-day heatmap of the estimated spread",
  },
  { flag: "no-backtest", description: "skip the default-settings candle backtest of each coin" },
  { flag: "workers", value: "N", description: "worker threads for the backtests (default: the core count)" },
  {
    flag: "days",
    value: "N",
    description: "--online: days of candles, ending now (default 3; Hyperliquid serves 5000 bars)",
  },
  { flag: "interval", value: "INTERVAL", description: "--online: bar interval (default 1m)" },
  {
    flag: "hyperliquid-url",
    value: "URL",
    description: "--online: API base URL (default https://api.hyperliquid.xyz)",
  },
  {
    flag: "cache-dir",
    value: "DIR",
    description:
      "--online: candle cache directory; --csv: where the parsed copy of the file is kept (default as a single run)",
  },
  { flag: "no-progress", description: "no progress bar" },
  ...QUEUE_FLAGS,
];

/** A parsed `screen` command line. */
export interface ScreenSpec {
  input: { type: "csv"; path: string } | { type: "dir"; path: string } | { type: "online" };
  coins?: string[];
  funding?: string;
  recordings?: string;
  feeTier: FeeTierName | null;
  rankBy: ScreenScore;
  minVolumeUsd: number;
  top: number;
  json?: string;
  resultsCsv?: string;
  report?: string;
  backtest: boolean;
  workers: number;
  /** --queue: the backtests go to a BullMQ queue instead of local threads. */
  queue?: QueueCliSpec;
  days: number;
  interval: string;
  hyperliquidUrl: string;
  cacheDir?: string;
  progress: boolean;
  /** The single-run options the backtests use (strategy and simulation flags given, the rest defaults). */
  base: BacktestCliOptions;
}

/** The `--help` of `screen`. */
export function screenHelp(): string {
  const lines = [
    "Usage: pnpm --filter backtest start -- screen (--csv FILE | --dir DIR | --online) [--funding FILE] [--fee-tier hl-0] [options]",
    "",
    "Ranks coins by where market making can pay at a fee tier: effective spread estimated from the candles",
    "(Corwin–Schultz high-low and Abdi–Ranaldo close-high-low), volatility, volume, funding, the share of hours",
    "whose estimated spread pays the round-trip maker fee, per hour of day, and a default-settings candle backtest",
    "of each coin. Strategy and Simulation options of a single run (pnpm --filter backtest start -- --help)",
    "change the backtests.",
    "",
    "screen options",
  ];
  for (const row of SCREEN_FLAGS) {
    const syntax = `  --${row.flag}${row.value === undefined ? "" : ` ${row.value}`}`;
    lines.push(
      syntax.length < 33
        ? `${syntax.padEnd(34)}${row.description}`
        : `${syntax}\n${"".padEnd(34)}${row.description}`,
    );
  }
  return lines.join("\n");
}

const positiveInteger = (text: string, flag: string): number => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new CliUsageError(`--${flag} must be an integer ≥ 1, got ${JSON.stringify(text)}`);
  return value;
};

/**
 * Parses a `screen` command line. Flags of a single run are accepted when they configure the backtest
 * (strategy or Simulation settings); data and output flags of a single run are errors naming the screen's own.
 */
export async function parseScreenArgs(
  argv: readonly string[],
  cwd: string,
  cores: number,
): Promise<ScreenSpec | "help"> {
  const own = new Map<string, string | true>();
  const runArgv: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "-h" || token === "--help") return "help";
    if (!token.startsWith("--"))
      throw new CliUsageError(
        `unexpected argument ${JSON.stringify(token)}: every option is a --flag (screen --help)`,
      );
    const equals = token.indexOf("=");
    const name = token.slice(2, equals < 0 ? undefined : equals);
    const row = SCREEN_FLAGS.find((flag) => flag.flag === name);
    if (row !== undefined) {
      if (row.value === undefined) {
        own.set(name, true);
        continue;
      }
      const value = equals >= 0 ? token.slice(equals + 1) : argv[++i];
      if (value === undefined || (equals < 0 && value.startsWith("--")))
        throw new CliUsageError(`--${name} needs a value (${row.value})`);
      own.set(name, value);
      continue;
    }
    const runRow = rowOfFlag(name.startsWith("no-") && rowOfFlag(name) === undefined ? name.slice(3) : name);
    if (runRow === undefined)
      throw new CliUsageError(`unknown option --${name} (screen --help lists the screen's options)`);
    if (!(runRow.group === "strategy" || (runRow.section === "Simulation" && runRow.flag !== "fee-tier")))
      throw new CliUsageError(
        `--${name} does not apply to a screen: the screen takes its data from --csv, --dir or --online, and strategy and Simulation options for its backtests (screen --help)`,
      );
    runArgv.push(token);
    if (equals < 0 && runRow.kind !== "boolean" && !name.startsWith("no-")) {
      const value = argv[++i];
      if (value === undefined)
        throw new CliUsageError(`--${name} needs a value (${runRow.value ?? "VALUE"})`);
      runArgv.push(value);
    }
  }

  const text = (flag: string): string | undefined => {
    const value = own.get(flag);
    return typeof value === "string" ? value : undefined;
  };
  const inputs = (["csv", "dir", "online"] as const).filter((flag) => own.has(flag));
  if (inputs.length !== 1)
    throw new CliUsageError(
      inputs.length === 0
        ? "screen needs candles: --csv FILE (many coins in one file), --dir DIR (a file per coin) or --online"
        : `--${inputs.join(" and --")}: pass one source of candles`,
    );
  const kind = inputs[0]!;
  if (kind !== "online")
    for (const flag of ["days", "interval", "hyperliquid-url", ...(kind === "dir" ? ["cache-dir"] : [])])
      if (own.has(flag))
        throw new CliUsageError(`--${flag} applies to --online only; --${kind} reads its own range`);

  const feeTierText = text("fee-tier");
  const explicitFees = runArgv.some((token) => /^--(maker|taker)-fee(=|$)/.test(token));
  if (feeTierText !== undefined && !Object.hasOwn(FEE_TIERS, feeTierText))
    throw new CliUsageError(
      `--fee-tier ${JSON.stringify(feeTierText)}: expected one of ${FEE_TIER_NAMES.join(", ")}`,
    );
  if (feeTierText !== undefined && explicitFees)
    throw new CliUsageError(
      `--fee-tier ${feeTierText} sets both fees: it cannot be combined with --maker-fee/--taker-fee`,
    );
  const feeTier = explicitFees ? null : ((feeTierText ?? "hl-0") as FeeTierName);

  const rankBy = text("rank-by") ?? "edge";
  if (!(SCREEN_SCORES as readonly string[]).includes(rankBy))
    throw new CliUsageError(
      `--rank-by ${JSON.stringify(rankBy)}: expected one of ${SCREEN_SCORES.join(", ")}`,
    );
  const minVolumeUsd = Number(text("min-volume-usd") ?? 0);
  if (!(minVolumeUsd >= 0))
    throw new CliUsageError(`--min-volume-usd must be a number ≥ 0, got ${text("min-volume-usd")}`);
  const days = Number(text("days") ?? 3);
  if (!(days > 0 && days <= 365)) throw new CliUsageError(`--days must be in (0, 365], got ${text("days")}`);
  const coinsText = text("coins");
  const coins = coinsText
    ?.split(",")
    .map((coin) => coin.trim())
    .filter((coin) => coin !== "");
  if (coinsText !== undefined && coins!.length === 0) throw new CliUsageError("--coins: no coin named");
  const path = (flag: string) => {
    const value = text(flag);
    return value === undefined ? undefined : resolve(cwd, value);
  };

  // The run's parser validates the strategy and simulation flags and fills in every default a single run has.
  const base = await parseCliOptions(
    [
      ...runArgv,
      ...(feeTier === null ? [] : ["--fee-tier", feeTier]),
      "--csv",
      resolve(cwd, "screen-input.csv"),
    ],
    cwd,
  );
  if (base === "help") return "help";
  const queue = parseQueueFlags(text);
  if (queue !== undefined && own.has("workers"))
    throw new CliUsageError(
      "--workers sets local threads; with --queue the workers are `worker --queue URL --concurrency N` processes",
    );
  return {
    ...(queue === undefined ? {} : { queue }),
    input: kind === "online" ? { type: "online" } : { type: kind, path: path(kind)! },
    ...(coins === undefined ? {} : { coins }),
    ...(own.has("funding") ? { funding: path("funding")! } : {}),
    ...(own.has("recordings") ? { recordings: path("recordings")! } : {}),
    feeTier,
    rankBy: rankBy as ScreenScore,
    minVolumeUsd,
    top: own.has("top") ? positiveInteger(text("top")!, "top") : 20,
    ...(own.has("json") ? { json: path("json")! } : {}),
    ...(own.has("results-csv") ? { resultsCsv: path("results-csv")! } : {}),
    ...(own.has("report") ? { report: path("report")! } : {}),
    backtest: !own.has("no-backtest"),
    workers: own.has("workers") ? positiveInteger(text("workers")!, "workers") : cores,
    days,
    interval: text("interval") ?? "1m",
    hyperliquidUrl: text("hyperliquid-url") ?? "https://api.hyperliquid.xyz",
    ...(own.has("cache-dir") ? { cacheDir: path("cache-dir")! } : {}),
    progress: !own.has("no-progress"),
    base,
  };
}
