import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { DEFAULT_SIMULATION, type FillModel } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { DEFAULT_STRATEGY_CONFIG, strategyConfigSchema } from "@botmm/strategy";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** A command-line or config-file value that cannot be used; the message names the flag or field. */
export class CliUsageError extends BotmmError {
  constructor(message: string) {
    super("USAGE", message);
  }
}

const simulationSchema = z
  .object({
    symbol: z.string().min(1).default("BTCUSDT"),
    days: z.number().positive().max(3650).default(7),
    interval: z.string().default("1m"),
    start: z.string().optional(),
    end: z.string().optional(),
    source: z.enum(["auto", "binance", "hyperliquid", "csv", "synthetic"]).default("auto"),
    csv: z.string().optional(),
    cacheDir: z.string().optional(),
    binanceUrl: z.url().optional(),
    hyperliquidUrl: z.url().optional(),
    gaps: z.enum(["error", "skip"]).default("error"),
    fillModel: z.enum(["touch", "cross", "probabilistic"]).default(DEFAULT_SIMULATION.fillModel.type),
    throughTicks: z.number().int().min(1).default(1),
    touchProbability: z.number().min(0).max(1).default(0.3),
    fullFillPenetrationBps: z.number().positive().default(5),
    barPath: z.enum(["ohlc", "nearest"]).default(DEFAULT_SIMULATION.barPath),
    maxVolumeShare: z.number().positive().max(1).default(DEFAULT_SIMULATION.maxVolumeShare),
    latencyMs: z.number().min(0).default(DEFAULT_SIMULATION.latencyMs),
    takerSlippageBps: z.number().min(0).default(DEFAULT_SIMULATION.takerSlippageBps),
    fundingRate: z.number().gt(-0.04).lt(0.04).default(DEFAULT_SIMULATION.fundingRatePerHour),
    funding: z.string().optional(),
    seed: z.number().int().default(DEFAULT_SIMULATION.seed),
    capital: z.number().positive().optional(),
    szDecimals: z.number().int().min(0).max(8).optional(),
    json: z.string().optional(),
    report: z.string().optional(),
    fills: z.string().optional(),
    progress: z.boolean().default(true),
    risk: z.boolean().default(true),
    replay: z.string().optional(),
    queueModel: z.enum(["risk-averse", "probabilistic"]).default("risk-averse"),
    queuePower: z.number().positive().default(2),
    requoteIntervalMs: z.number().min(0).default(1_000),
    /** Address requests left when the replay starts (a fresh Hyperliquid address has 10,000); false: not modelled. */
    requestBudget: z.union([z.number().min(0), z.literal(false)]).default(10_000),
    compareCandles: z.boolean().default(false),
  })
  .strict();

/** The validated options of one backtest run: data, simulation, outputs and the strategy. */
export type BacktestCliOptions = z.infer<typeof simulationSchema> & {
  strategy: z.infer<typeof strategyConfigSchema>;
  fillModelSpec: FillModel;
  configFile: string | null;
};

/** Flags: kebab-case of the config keys. Booleans have a `--no-…` form. */
const FLAGS = {
  symbol: { type: "string" },
  days: { type: "string" },
  interval: { type: "string" },
  start: { type: "string" },
  end: { type: "string" },
  source: { type: "string" },
  csv: { type: "string" },
  "cache-dir": { type: "string" },
  "binance-url": { type: "string" },
  "hyperliquid-url": { type: "string" },
  gaps: { type: "string" },
  "fill-model": { type: "string" },
  "through-ticks": { type: "string" },
  "touch-probability": { type: "string" },
  "full-fill-penetration-bps": { type: "string" },
  "bar-path": { type: "string" },
  "max-volume-share": { type: "string" },
  "latency-ms": { type: "string" },
  "taker-slippage-bps": { type: "string" },
  "funding-rate": { type: "string" },
  funding: { type: "string" },
  seed: { type: "string" },
  capital: { type: "string" },
  "sz-decimals": { type: "string" },
  json: { type: "string" },
  report: { type: "string" },
  fills: { type: "string" },
  progress: { type: "boolean" },
  "no-progress": { type: "boolean" },
  risk: { type: "boolean" },
  "no-risk": { type: "boolean" },
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
  replay: { type: "string" },
  "queue-model": { type: "string" },
  "queue-power": { type: "string" },
  "requote-interval-ms": { type: "string" },
  "request-budget": { type: "string" },
  "no-request-budget": { type: "boolean" },
  "compare-candles": { type: "boolean" },
  // strategy
  model: { type: "string" },
  "base-spread-bps": { type: "string" },
  "vol-multiplier": { type: "string" },
  "inventory-skew-factor": { type: "string" },
  "max-position-usd": { type: "string" },
  "hard-limit-multiple": { type: "string" },
  "order-size-usd": { type: "string" },
  levels: { type: "string" },
  "level-spacing-bps": { type: "string" },
  "maker-fee": { type: "string" },
  "taker-fee": { type: "string" },
  "fee-aware": { type: "boolean" },
  "no-fee-aware": { type: "boolean" },
  "fee-margin-bps": { type: "string" },
  "volatility-half-life-bars": { type: "string" },
  "volatility-warmup-bars": { type: "string" },
  bias: { type: "boolean" },
  "no-bias": { type: "boolean" },
  "bias-strength": { type: "string" },
  "risk-aversion": { type: "string" },
  "intensity-decay-per-bps": { type: "string" },
  "intensity-scale-per-bar": { type: "string" },
  "horizon-bars": { type: "string" },
  "refresh-tolerance-bps": { type: "string" },
  "toxicity-guard": { type: "boolean" },
  "no-toxicity-guard": { type: "boolean" },
  "toxicity-threshold-bps": { type: "string" },
} as const;

const STRATEGY_KEYS = new Set(Object.keys(DEFAULT_STRATEGY_CONFIG));
const STRING_VALUED = new Set([
  "replay",
  "queueModel",
  "symbol",
  "interval",
  "start",
  "end",
  "source",
  "csv",
  "cacheDir",
  "binanceUrl",
  "hyperliquidUrl",
  "gaps",
  "fillModel",
  "barPath",
  "funding",
  "json",
  "report",
  "fills",
  "model",
]);

const camel = (flag: string): string =>
  flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** The usage text printed by `--help`. */
export const USAGE = `Usage: pnpm --filter backtest start -- [options]

Data
  --symbol BTCUSDT          symbol (BTCUSDT, BTC, ETHUSDT, …)          --days 7        length of the run
  --interval 1m             bar interval                              --start/--end   UTC dates or ISO times
  --source auto             auto | binance | hyperliquid | csv | synthetic
  --csv PATH                candles file (.csv or .csv.gz): Binance klines or open_time,open,high,low,close,volume
  --gaps error              error | skip missing bars                 --cache-dir DIR download cache
  --funding FILE            hourly funding series (time_ms,funding_rate); else --funding-rate (per hour)
Simulation (conservative defaults)
  --fill-model cross        touch | cross | probabilistic             --through-ticks 1
  --touch-probability 0.3   --full-fill-penetration-bps 5            --bar-path nearest (or ohlc)
  --max-volume-share 0.1    --latency-ms 200   --taker-slippage-bps 1 --seed 1   --capital USD
  --no-risk                 run without the risk engine (daily loss, drawdown, volatility breakers)
Strategy
  --model basic             basic | as | glft     --base-spread-bps 2  --vol-multiplier 1.5
  --inventory-skew-factor 0.5  --max-position-usd 500  --order-size-usd 100  --levels 1  --level-spacing-bps 1
  --maker-fee 0.00015       a COST on Hyperliquid tier 0; a rebate (e.g. -0.00015) must be asked for
  --taker-fee 0.00045       --no-fee-aware  --fee-margin-bps 0.5  --bias --bias-strength 0.5  --no-toxicity-guard
  --risk-aversion --intensity-decay-per-bps --intensity-scale-per-bar --horizon-bars  (AS / GLFT, in bps units)
Order-book replay (instead of candles)
  --replay PATH             a recording directory (botmm-md v1), a Hyperliquid archive l2Book file (.jsonl/.gz)
                            or an hftbacktest capture; --symbol picks the coin (BTC)
  --queue-model risk-averse risk-averse | probabilistic (--queue-power 2)   --requote-interval-ms 1000
  --request-budget 10000    address requests left at the start: chasing modifies are paced as live
                            (a fresh Hyperliquid address has 10,000 + 1 per USDC traded); --no-request-budget: off
  --compare-candles         also run the candle backtest on 1m candles built from the same data, side by side
Output
  --json PATH  --report PATH.html  --fills PATH.csv  --no-progress  --config FILE (JSON or YAML; flags override)`;

/**
 * Parses argv (and a `--config` file) into validated options. Flags override the file; both are validated by
 * zod, and an error names the flag or field.
 */
export async function parseCliOptions(argv: readonly string[]): Promise<BacktestCliOptions | "help"> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: false; strict: true }>>;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(argv),
      options: FLAGS,
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return "help";

  let fileValues: Record<string, unknown> = {};
  const configFile = typeof values.config === "string" ? values.config : null;
  if (configFile !== null) fileValues = await readConfigFile(configFile);

  const flagValues: Record<string, unknown> = {};
  for (const [flag, value] of Object.entries(values)) {
    if (value === undefined || flag === "config" || flag === "help") continue;
    if (flag.startsWith("no-")) {
      if (value === true) flagValues[camel(flag.slice(3))] = false;
      continue;
    }
    const key = camel(flag);
    if (typeof value === "boolean" || STRING_VALUED.has(key)) {
      flagValues[key] = value;
      continue;
    }
    const number = Number(value);
    if (value.trim() === "" || !Number.isFinite(number)) {
      throw new CliUsageError(`--${flag} must be a number, got ${JSON.stringify(value)}`);
    }
    flagValues[key] = number;
  }

  const merged: Record<string, unknown> = { ...fileValues, ...flagValues };
  const strategyInput: Record<string, unknown> = {
    ...((fileValues.strategy as Record<string, unknown> | undefined) ?? {}),
  };
  const simulationInput: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(merged)) {
    if (key === "strategy") continue;
    if (STRATEGY_KEYS.has(key)) strategyInput[key] = value;
    else simulationInput[key] = value;
  }
  const simulation = simulationSchema.safeParse(simulationInput);
  if (!simulation.success) throw new CliUsageError(describeIssues(simulation.error, configFile));
  const strategy = strategyConfigSchema.safeParse(strategyInput);
  if (!strategy.success) throw new CliUsageError(describeIssues(strategy.error, configFile, "strategy"));
  const options = simulation.data;
  if (options.source === "csv" && options.csv === undefined)
    throw new CliUsageError("--source csv needs --csv PATH");
  if (options.csv !== undefined && simulationInput.source === undefined) options.source = "csv";
  const fillModelSpec: FillModel =
    options.fillModel === "touch"
      ? { type: "touch" }
      : options.fillModel === "cross"
        ? { type: "cross", throughTicks: options.throughTicks }
        : {
            type: "probabilistic",
            touchProbability: options.touchProbability,
            fullFillPenetrationBps: options.fullFillPenetrationBps,
          };
  return { ...options, strategy: strategy.data, fillModelSpec, configFile };
}

/** `--maker-fee -0.00015` → `--maker-fee=-0.00015`: parseArgs would read a negative number as flags. */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    const next = argv[i + 1];
    const flag = token.startsWith("--")
      ? (FLAGS as Record<string, { type: string }>)[token.slice(2)]
      : undefined;
    if (flag?.type === "string" && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${token}=${next}`);
      i++;
    } else out.push(token);
  }
  return out;
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CliUsageError(
      `--config ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(
      `--config ${path}: not valid ${/\.ya?ml$/i.test(path) ? "YAML" : "JSON"}: ${(error as Error).message}`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new CliUsageError(`--config ${path}: expected an object of settings at the top level`);
  }
  return value as Record<string, unknown>;
}

function describeIssues(error: z.ZodError, configFile: string | null, prefix?: string): string {
  const lines = error.issues.map((issue) => {
    const path = [prefix, ...issue.path].filter((part) => part !== undefined).join(".");
    const key = String(issue.path[0] ?? "");
    const flag = `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    const unknownKeys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
    return `  ${path || "(options)"}${key ? ` / ${flag}` : ""}: ${issue.message}${unknownKeys}`;
  });
  return `invalid options${configFile ? ` (flags and ${configFile})` : ""}:\n${lines.join("\n")}`;
}
