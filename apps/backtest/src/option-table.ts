// The one table of the backtest CLI's options: the parser, the config-file keys, the validation, the mode
// checks and `--help` are all generated from it, so a flag cannot exist without being documented.
import { DEFAULT_SIMULATION } from "@botmm/backtest";
import {
  DEFAULT_STRATEGY_CONFIG,
  type StrategyConfig,
  strategyConfigSchema,
  strategySettingHelp,
} from "@botmm/strategy";
import { z } from "zod";
import { FEE_TIER_NAMES } from "./fee-tiers.ts";
import { REPLAY_FORMATS } from "./recordings/source.ts";
import { BACKTEST_VENUES } from "./venue-presets.ts";

/**
 * What a run is: a candle backtest on downloaded (or synthetic) candles, one on a candles file, or an
 * order-book replay. Two parts of a replay switch on with a flag and make more options meaningful:
 * `compare-candles` (the candle backtest run beside it) and `prime-download` (candles downloaded to warm up).
 */
export type RunMode = "candles" | "csv" | "replay";
/** A mode, or a part of a replay that its own flag switches on. */
export type OptionContext = RunMode | "compare-candles" | "prime-download";

/** How a flag's value is read from the command line. */
export type OptionKind = "string" | "number" | "boolean" | "path";

/** The help sections, in print order. */
export const SECTIONS = [
  "Data",
  "Instrument",
  "Simulation",
  "Order-book replay",
  "Strategy",
  "Output",
] as const;
export type Section = (typeof SECTIONS)[number];

/** One option: a flag, and (except `--config` / `--help`) the config-file key of the same name in camelCase. */
export interface OptionRow {
  /** The flag without dashes, kebab-case: `latency-ms`. */
  flag: string;
  /** The config-file key: `latencyMs`; null for options that only exist as flags (`--config`, `--help`). */
  key: string | null;
  /** Where the validated value goes: the run's options, the strategy configuration, or nowhere (CLI only). */
  group: "run" | "strategy" | "cli";
  kind: OptionKind;
  /** Placeholder of the value in `--help` (`MS`, `PATH`); booleans have none. */
  value?: string;
  /** Validation and default of a `run` option (strategy options use `strategyConfigSchema`). */
  schema?: z.ZodType;
  /** The default as printed, when it is not the schema's (`2 × --max-position-usd`). */
  defaultText?: string;
  description: string;
  /** Where the option has an effect; given anywhere else it is an error. */
  appliesTo: readonly OptionContext[];
  section: Section;
  /** A number option whose `--no-…` form turns the feature off (`--no-request-budget`). */
  negatable?: boolean;
  short?: string;
}

export const ALL_MODES: readonly OptionContext[] = ["candles", "csv", "replay"];
const CANDLE_RUNS: readonly OptionContext[] = ["candles", "csv"];
const CANDLE_SIMULATION: readonly OptionContext[] = ["candles", "csv", "compare-candles"];
const DOWNLOADS: readonly OptionContext[] = ["candles", "prime-download"];
const REPLAY: readonly OptionContext[] = ["replay"];

const decimalString = z
  .union([z.string(), z.number().transform(String)])
  .pipe(z.string().regex(/^\d+(\.\d+)?$/, "expected a positive decimal such as 0.1"))
  .refine((value) => Number(value) > 0, "must be > 0");

type RunRow = Omit<OptionRow, "flag" | "key" | "group"> & { schema: z.ZodType };

/** The options of a run that are not strategy settings, by config key; the flag is its kebab-case. */
const RUN_OPTIONS = {
  // Data
  symbol: {
    kind: "string",
    value: "SYMBOL",
    schema: z.string().min(1).default("BTCUSDT"),
    description:
      "the market, written as any venue writes it: BTCUSDT, BTC, ETHUSDT, BTC/USDT:USDT, kPEPE, 1000PEPEUSDT; with --replay it picks the coin",
    appliesTo: ALL_MODES,
    section: "Data",
  },
  days: {
    kind: "number",
    value: "N",
    schema: z.number().positive().max(3650).default(7),
    description: "length of the run, ending now (or at --end)",
    appliesTo: ["candles"],
    section: "Data",
  },
  interval: {
    kind: "string",
    value: "INTERVAL",
    schema: z.string().min(1).optional(),
    defaultText: "1m; with --csv: inferred from the file",
    description: "bar interval: 1m, 3m, 5m, 15m, 30m, 1h, …; with --csv it is checked against the file",
    appliesTo: CANDLE_RUNS,
    section: "Data",
  },
  start: {
    kind: "string",
    value: "TIME",
    schema: z.string().min(1).optional(),
    defaultText: "--end − --days; with --csv: the file's first bar",
    description: "first bar: a UTC date (2025-05-20), an ISO time or ms since the epoch",
    appliesTo: CANDLE_RUNS,
    section: "Data",
  },
  end: {
    kind: "string",
    value: "TIME",
    schema: z.string().min(1).optional(),
    defaultText: "now; with --csv: after the file's last bar",
    description: "end of the range (exclusive), written as --start",
    appliesTo: CANDLE_RUNS,
    section: "Data",
  },
  source: {
    kind: "string",
    value: "SOURCE",
    schema: z.enum(["auto", "binance", "bybit", "hyperliquid", "csv", "synthetic"]).default("auto"),
    description:
      "auto | binance | bybit | hyperliquid | csv | synthetic. auto: the cache, then Binance USDⓈ-M, then Hyperliquid; offline, seeded synthetic candles under a banner. bybit: Bybit linear perps (never tried by auto)",
    appliesTo: CANDLE_RUNS,
    section: "Data",
  },
  csv: {
    kind: "path",
    value: "PATH",
    schema: z.string().min(1).optional(),
    description:
      "candles file (.csv or .csv.gz): Binance's 12-column klines or a headered open_time,open,high,low,close,volume",
    appliesTo: ["csv"],
    section: "Data",
  },
  gaps: {
    kind: "string",
    value: "POLICY",
    schema: z.enum(["error", "skip"]).default("error"),
    description: "error | skip: what to do when more than 1% of the bars are missing (gaps are never filled)",
    appliesTo: CANDLE_RUNS,
    section: "Data",
  },
  cacheDir: {
    kind: "path",
    value: "DIR",
    schema: z.string().min(1).optional(),
    defaultText: "$BOTMM_CACHE_DIR, else $XDG_CACHE_HOME/botmm/candles, else ~/.cache/botmm/candles",
    description:
      "download cache, and where the parsed copy of a --csv file of 1 MiB or more is kept (its csv/ folder)",
    appliesTo: [...DOWNLOADS, "csv"],
    section: "Data",
  },
  binanceUrl: {
    kind: "string",
    value: "URL",
    schema: z.url().optional(),
    defaultText: "https://fapi.binance.com",
    description: "Binance USDⓈ-M API base URL (klines are read from <URL>/fapi/v1/klines)",
    appliesTo: DOWNLOADS,
    section: "Data",
  },
  bybitUrl: {
    kind: "string",
    value: "URL",
    schema: z.url().optional(),
    defaultText: "https://api.bybit.com",
    description:
      "Bybit API base URL (klines from <URL>/v5/market/kline, funding from <URL>/v5/market/funding/history)",
    appliesTo: ["candles"],
    section: "Data",
  },
  hyperliquidUrl: {
    kind: "string",
    value: "URL",
    schema: z.url().optional(),
    defaultText: "https://api.hyperliquid.xyz",
    description: "Hyperliquid API base URL (candles are read from <URL>/info)",
    appliesTo: DOWNLOADS,
    section: "Data",
  },
  funding: {
    kind: "path",
    value: "FILE",
    schema: z.string().min(1).optional(),
    description:
      "hourly funding series, CSV time_ms,funding_rate (per hour, positive = longs pay); replaces --funding-rate",
    appliesTo: ALL_MODES,
    section: "Data",
  },
  fundingRate: {
    kind: "number",
    value: "RATE",
    schema: z.number().gt(-0.04).lt(0.04).default(DEFAULT_SIMULATION.fundingRatePerHour),
    description: "constant funding per hour as a fraction (0.0000125 = 0.00125%/h, Hyperliquid's baseline)",
    appliesTo: ALL_MODES,
    section: "Data",
  },
  // Instrument
  venue: {
    kind: "string",
    value: "VENUE",
    schema: z.enum(BACKTEST_VENUES).optional(),
    defaultText: "none: Hyperliquid's grid and the strategy's fees, constant funding",
    description:
      "hyperliquid | binance | bybit: the venue's preset — its base fee tier (hl-0, binance-vip0, bybit-vip0), its tick and lot for BTCUSDT, ETHUSDT, SOLUSDT (else pass --tick and --sz-decimals) and its funding: Binance's or Bybit's funding history (every 8 h, downloaded and cached) beside downloaded candles. Explicit fee, grid and funding flags win",
    appliesTo: CANDLE_RUNS,
    section: "Instrument",
  },
  szDecimals: {
    kind: "number",
    value: "N",
    schema: z.number().int().min(0).max(8).optional(),
    defaultText: "Hyperliquid's, for the coins built in (BTC, ETH, SOL, …)",
    description:
      "size decimals of the coin (Hyperliquid's szDecimals); required for a coin that is not built in. The price grid is Hyperliquid's: 5 significant figures, at most 6 − N decimals",
    appliesTo: ALL_MODES,
    section: "Instrument",
  },
  tick: {
    kind: "string",
    value: "PRICE",
    schema: decimalString.optional(),
    defaultText: "Hyperliquid's 5-significant-figure rule",
    description: "a fixed price tick instead (0.1, 0.01, …), as on Binance or Bybit",
    appliesTo: ALL_MODES,
    section: "Instrument",
  },
  // Simulation
  fillModel: {
    kind: "string",
    value: "MODEL",
    schema: z.enum(["touch", "cross", "probabilistic", "subbar"]).default(DEFAULT_SIMULATION.fillModel.type),
    description:
      "touch | cross | probabilistic | subbar: cross fills a quote only when the price trades through it by --through-ticks; subbar walks each bar as a seeded path at --requote-interval-ms, the strategy requoting on the path so far",
    appliesTo: CANDLE_SIMULATION,
    section: "Simulation",
  },
  fillModelParams: {
    kind: "path",
    value: "FILE",
    schema: z.string().min(1).optional(),
    defaultText: "the set shipped in @botmm/backtest, fitted on Hyperliquid recordings",
    description:
      "parameters of --fill-model subbar, as written by the calibrate command (pnpm --filter backtest start -- calibrate --help)",
    appliesTo: CANDLE_SIMULATION,
    section: "Simulation",
  },
  throughTicks: {
    kind: "number",
    value: "N",
    schema: z.number().int().min(1).default(1),
    description: "ticks the price must trade through a quote to fill it (--fill-model cross)",
    appliesTo: CANDLE_SIMULATION,
    section: "Simulation",
  },
  touchProbability: {
    kind: "number",
    value: "P",
    schema: z.number().min(0).max(1).default(0.3),
    description: "chance a touched quote fills (--fill-model probabilistic)",
    appliesTo: CANDLE_SIMULATION,
    section: "Simulation",
  },
  fullFillPenetrationBps: {
    kind: "number",
    value: "BPS",
    schema: z.number().positive().default(5),
    description: "trade-through at which a quote surely fills (--fill-model probabilistic)",
    appliesTo: CANDLE_SIMULATION,
    section: "Simulation",
  },
  barPath: {
    kind: "string",
    value: "PATH",
    schema: z.enum(["ohlc", "nearest"]).default(DEFAULT_SIMULATION.barPath),
    description:
      "nearest | ohlc: the order a bar's extremes are visited in (nearest: the one nearer the open first)",
    appliesTo: CANDLE_SIMULATION,
    section: "Simulation",
  },
  maxVolumeShare: {
    kind: "number",
    value: "FRACTION",
    schema: z.number().positive().max(1).default(DEFAULT_SIMULATION.maxVolumeShare),
    description: "own fills take at most this share of a bar's traded volume",
    appliesTo: CANDLE_SIMULATION,
    section: "Simulation",
  },
  takerSlippageBps: {
    kind: "number",
    value: "BPS",
    schema: z.number().min(0).default(DEFAULT_SIMULATION.takerSlippageBps),
    description: "slippage a forced taker exit pays beyond the price it executes at, plus the taker fee",
    appliesTo: CANDLE_SIMULATION,
    section: "Simulation",
  },
  latencyMs: {
    kind: "number",
    value: "MS",
    schema: z.number().min(0).default(DEFAULT_SIMULATION.latencyMs),
    description: "order entry / modify / cancel latency",
    appliesTo: ALL_MODES,
    section: "Simulation",
  },
  seed: {
    kind: "number",
    value: "N",
    schema: z.number().int().default(DEFAULT_SIMULATION.seed),
    description: "seed of the probabilistic fill model and of synthetic candles (same seed, same run)",
    appliesTo: ALL_MODES,
    section: "Simulation",
  },
  capital: {
    kind: "number",
    value: "USD",
    schema: z.number().positive().optional(),
    defaultText: "2 × --max-position-usd",
    description: "the account returns and the risk limits are measured on",
    appliesTo: ALL_MODES,
    section: "Simulation",
  },
  risk: {
    kind: "boolean",
    schema: z.boolean().default(true),
    description: "the risk engine: daily loss, drawdown and volatility breakers",
    appliesTo: CANDLE_RUNS,
    section: "Simulation",
  },
  feeTier: {
    kind: "string",
    value: "TIER",
    schema: z.enum(FEE_TIER_NAMES).optional(),
    description: `named maker/taker fees instead of --maker-fee/--taker-fee (which it cannot be combined with): ${FEE_TIER_NAMES.join(" | ")}; hl-N are Hyperliquid's perp volume tiers, hl-rebate-N its maker-rebate tiers`,
    appliesTo: ALL_MODES,
    section: "Simulation",
  },
  // Order-book replay
  replay: {
    kind: "path",
    value: "PATH",
    schema: z.string().min(1).optional(),
    description:
      "replay recorded books and trades instead of candles: a recording directory (botmm-md v1), a Hyperliquid archive l2Book file, an hftbacktest Hyperliquid capture, Binance collector captures (hftbacktest format; a file or a directory of consecutive files), Tardis CSVs (a directory or file) or a Hyperliquid orderbooks_/trades_<COIN>.csv capture directory",
    appliesTo: REPLAY,
    section: "Order-book replay",
  },
  replayFormat: {
    kind: "string",
    value: "FORMAT",
    schema: z.enum(["auto", ...REPLAY_FORMATS]).default("auto"),
    description: `what --replay PATH holds: auto (told from the path and its first line) | ${REPLAY_FORMATS.join(" | ")}`,
    appliesTo: REPLAY,
    section: "Order-book replay",
  },
  skipBadBooks: {
    kind: "boolean",
    schema: z.boolean().default(false),
    description:
      "skip crossed or locked books (best bid ≥ best ask) and count them in the report, instead of stopping with an error naming the file and line",
    appliesTo: REPLAY,
    section: "Order-book replay",
  },
  queueModel: {
    kind: "string",
    value: "MODEL",
    schema: z.enum(["risk-averse", "probabilistic"]).default("risk-averse"),
    description:
      "risk-averse | probabilistic: how an own order advances in the queue (risk-averse: only trades at its price)",
    appliesTo: REPLAY,
    section: "Order-book replay",
  },
  queuePower: {
    kind: "number",
    value: "N",
    schema: z.number().positive().default(2),
    description: "power of the probabilistic queue model's f(x) = x^N",
    appliesTo: REPLAY,
    section: "Order-book replay",
  },
  requoteIntervalMs: {
    kind: "number",
    value: "MS",
    schema: z.number().min(0).default(1_000),
    description:
      "requote on a book update at most this often (replay); the step the sub-bar fill model walks a bar in (candles)",
    appliesTo: ALL_MODES,
    section: "Order-book replay",
  },
  requestBudget: {
    kind: "number",
    value: "N",
    negatable: true,
    schema: z.union([z.number().min(0), z.literal(false)]).default(10_000),
    description:
      "address requests left at the start: chasing modifies are paced as live (a fresh Hyperliquid address has 10,000 + 1 per USDC traded); --no-request-budget: not modelled",
    appliesTo: REPLAY,
    section: "Order-book replay",
  },
  compareCandles: {
    kind: "boolean",
    schema: z.boolean().default(false),
    description:
      "also run the candle backtest on 1m candles built from the same data and print both side by side (the candle --fill-model flags then apply)",
    appliesTo: REPLAY,
    section: "Order-book replay",
  },
  primeCandles: {
    kind: "path",
    value: "PATH",
    schema: z.string().min(1).optional(),
    description:
      "warm the strategy up on the 1m candles of this file (as --csv) that close before the recording starts, instead of on the recording's first minutes",
    appliesTo: REPLAY,
    section: "Order-book replay",
  },
  primeDownload: {
    kind: "boolean",
    schema: z.boolean().default(false),
    description:
      "warm the strategy up on the 1m candles before the recording, downloaded (Binance USDⓈ-M, then Hyperliquid) through the cache (--cache-dir, --binance-url, --hyperliquid-url)",
    appliesTo: REPLAY,
    section: "Order-book replay",
  },
  // Output
  json: {
    kind: "path",
    value: "PATH",
    schema: z.string().min(1).optional(),
    description: "write the report as JSON",
    appliesTo: ALL_MODES,
    section: "Output",
  },
  report: {
    kind: "path",
    value: "PATH.html",
    schema: z.string().min(1).optional(),
    description: "write a self-contained HTML report with charts",
    appliesTo: ALL_MODES,
    section: "Output",
  },
  fills: {
    kind: "path",
    value: "PATH.csv",
    schema: z.string().min(1).optional(),
    description: "write the fill ledger as CSV",
    appliesTo: ALL_MODES,
    section: "Output",
  },
  progress: {
    kind: "boolean",
    schema: z.boolean().default(true),
    description: "progress bars on a terminal",
    appliesTo: ALL_MODES,
    section: "Output",
  },
} satisfies Record<string, RunRow>;

const kebab = (key: string): string => key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** Every strategy setting gets a flag, derived from the schema, so a new setting cannot lack one. */
function strategyRows(): OptionRow[] {
  const defaults = DEFAULT_STRATEGY_CONFIG as Readonly<Record<string, unknown>>;
  return Object.keys(strategyConfigSchema.shape).map((key) => {
    const example = defaults[key];
    const help = strategySettingHelp(key as keyof StrategyConfig);
    const kind: OptionKind =
      typeof example === "boolean" ? "boolean" : typeof example === "number" ? "number" : "string";
    return {
      flag: kebab(key),
      key,
      group: "strategy",
      kind,
      ...(kind === "boolean" ? {} : { value: help.value ?? (kind === "number" ? "N" : "VALUE") }),
      description: help.description,
      appliesTo: ALL_MODES,
      section: "Strategy",
    };
  });
}

/** Every option, in help order. */
export const OPTION_ROWS: readonly OptionRow[] = [
  ...Object.entries(RUN_OPTIONS).map(
    ([key, row]): OptionRow => ({ ...row, flag: kebab(key), key, group: "run" }),
  ),
  ...strategyRows(),
  {
    flag: "config",
    key: null,
    group: "cli",
    kind: "path",
    value: "FILE",
    description:
      "settings as JSON or YAML, keyed like the flags in camelCase (latencyMs: 300; strategy settings at the top level or under strategy:). Flags override it; paths in it are relative to the file",
    appliesTo: ALL_MODES,
    section: "Output",
  },
  {
    flag: "help",
    key: null,
    group: "cli",
    kind: "boolean",
    short: "h",
    description: "print this help",
    appliesTo: ALL_MODES,
    section: "Output",
  },
];

type RunSchemas = { [K in keyof typeof RUN_OPTIONS]: (typeof RUN_OPTIONS)[K]["schema"] };

/** zod schema of the run options (strategy settings apart), built from the table. */
export const runOptionsSchema = z
  .object(
    Object.fromEntries(Object.entries(RUN_OPTIONS).map(([key, row]) => [key, row.schema])) as RunSchemas,
  )
  .strict();

const byFlag = new Map(OPTION_ROWS.map((row) => [row.flag, row]));
const byKey = new Map(OPTION_ROWS.filter((row) => row.key !== null).map((row) => [row.key!, row]));

/** The row of a flag (without dashes), or undefined. */
export const rowOfFlag = (flag: string): OptionRow | undefined => byFlag.get(flag);
/** The row of a config-file key, or undefined. */
export const rowOfKey = (key: string): OptionRow | undefined => byKey.get(key);
