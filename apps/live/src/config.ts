import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { BotmmError } from "@botmm/core";
import { type RiskConfig, RiskConfigError, type RiskConfigInput, resolveRiskConfig } from "@botmm/risk";
import { type StrategyConfig, strategyConfigSchema } from "@botmm/strategy";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { nearestFlag, type OptionRow, renderOptionRows } from "./help.ts";
import { RECORD_OPTIONS } from "./record/record-options.ts";

/** A flag, environment variable or config-file value that cannot be used; the message names it. */
export class ConfigError extends BotmmError {
  constructor(message: string) {
    super("INVALID_CONFIG", message);
  }
}

/** Mainnet trading needs this flag next to `--mainnet`. */
export const MAINNET_CONFIRMATION_FLAG = "--i-understand-this-trades-real-money";

/** How the bot trades: against the in-process emulator, on paper, on testnet (or any URL), or on mainnet. */
export type LiveMode = "sim" | "paper" | "testnet" | "mainnet";

/**
 * Every default of the live app, in one place. Strategy and risk defaults come from their packages
 * (`DEFAULT_STRATEGY_CONFIG`, `DEFAULT_RISK_CONFIG`); only the live app's own settings are here.
 */
export const LIVE_DEFAULTS = {
  mode: "sim" as LiveMode,
  /** Part of the client-order-id prefix: two bots on one account need different names. */
  botName: "botmm",
  coins: ["BTC"],
  /**
   * Beyond the strategy's hard limit the position is cut back to the soft limit with an IOC reduce-only order
   * priced this far through the best opposite price (a marketable limit, never a blind market order).
   */
  exitSlippageBps: 10,
  /** Requote on book updates at most this often (bot clock). */
  requoteIntervalMs: 1_000,
  /** Bars fed to `MarketMaker.onBar` are built from the mid over this interval. */
  barIntervalMs: 60_000,
  leverage: 3,
  /** Dead-man's switch: the venue cancels every order this long after the last re-arm. */
  deadManSwitchMs: 60_000,
  requestTimeoutMs: 10_000,
  /** Every so often, open orders and positions are compared with the venue. */
  reconcileIntervalMs: 30_000,
  /** A place / modify / cancel unanswered for this long is treated as lost and reconciled. */
  orderTimeoutMs: 15_000,
  /** One status line in the terminal this often (real time); 0 = off. */
  statusIntervalMs: 10_000,
  logLevel: "info" as "trace" | "debug" | "info" | "warn" | "error",
  /** In-process emulator of `--sim`. */
  sim: { seed: 1, speed: 60, usdc: 100_000 },
  /** `--paper`: simulated collateral and where market data comes from. */
  paper: {
    capitalUsd: 10_000,
    source: "mainnet" as "mainnet" | "testnet",
    /** The replay backtester's queue models: risk-averse (only trades at our price advance us) or probabilistic. */
    queueModel: "risk-averse" as "risk-averse" | "probabilistic",
    queuePower: 2,
  },
} as const;

const durationSchema = z.union([
  z.number().positive(),
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({
        code: "custom",
        message: `expected a duration such as 90s, 10m, 2h or 1d, got "${text}"`,
      });
      return z.NEVER;
    }
    return ms;
  }),
]);

const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected an address: 0x followed by 40 hex digits");

/**
 * Help text and command-line wiring of a schema field (zod metadata): every field of the live schema becomes
 * a flag, `--` + the kebab-case of its path (`sim.speed` → `--sim-speed`), documented in `--help` from this.
 */
type FieldMeta = {
  description?: string;
  /** Placeholder of the flag's value in `--help`, e.g. `PATH`. */
  value?: string;
  /** Environment variable that sets it (between the config file and the flags in precedence). */
  env?: string;
  /** A file path: relative paths resolve against the user's directory (flags, env) or the config file's. */
  path?: boolean;
  /** The modes the setting applies to; a flag given in another mode is an error. */
  modes?: readonly LiveMode[];
};

const field = (meta: FieldMeta) => meta;

/** zod schema of the live app's own settings (strategy and risk are validated by their packages). */
export const liveConfigSchema = z
  .object({
    mode: z.enum(["sim", "paper", "testnet", "mainnet"]).default(LIVE_DEFAULTS.mode),
    confirmRealMoney: z.boolean().default(false),
    botName: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, "expected 1–64 letters, digits, _ . or -")
      .default(LIVE_DEFAULTS.botName)
      .meta(
        field({
          description: "part of the client-order-id prefix: two bots on one account need different names",
          value: "NAME",
          env: "BOTMM_BOT_NAME",
        }),
      ),
    coins: z
      .array(z.string().regex(/^[A-Za-z0-9]{1,20}$/, "expected a coin symbol such as BTC"))
      .min(1, "expected at least one coin")
      .default([...LIVE_DEFAULTS.coins])
      .meta(field({ description: "coins to quote, comma-separated", value: "BTC,ETH", env: "BOTMM_COINS" })),
    apiUrl: z
      .url({ error: "expected an http(s) URL" })
      .optional()
      .meta(
        field({
          description:
            "any Hyperliquid-compatible endpoint, e.g. a standalone emulator http://127.0.0.1:8787 (with --testnet; --paper reads its market data there)",
          value: "URL",
          env: "BOTMM_API_URL",
        }),
      ),
    wsUrl: z
      .url({ error: "expected a ws(s) URL" })
      .optional()
      .meta(
        field({
          description: "WebSocket endpoint (default: derived from --api-url as ws://host/ws)",
          value: "URL",
          env: "BOTMM_WS_URL",
          modes: ["paper", "testnet"],
        }),
      ),
    account: addressSchema.optional().meta(
      field({
        description: "master address when the key is an agent (API) wallet's",
        value: "0x…",
        env: "BOTMM_ACCOUNT",
        modes: ["testnet", "mainnet"],
      }),
    ),
    keyFile: z
      .string()
      .min(1)
      .optional()
      .meta(
        field({
          description: "file holding the private key (instead of BOTMM_PRIVATE_KEY)",
          value: "PATH",
          env: "BOTMM_KEY_FILE",
          path: true,
          modes: ["testnet", "mainnet"],
        }),
      ),
    duration: durationSchema.optional().meta(
      field({
        description:
          "stop after this long, e.g. 90s, 10m, 2h, 1d (bot clock: simulated time in --sim); default: until Ctrl-C",
        value: "DURATION",
      }),
    ),
    journal: z
      .string()
      .min(1)
      .optional()
      .meta(
        field({
          description: "SQLite journal: resume PnL, orders and fills across restarts",
          value: "PATH",
          env: "BOTMM_JOURNAL",
          path: true,
        }),
      ),
    json: z
      .string()
      .min(1)
      .optional()
      .meta(field({ description: "write the run summary as JSON on exit", value: "PATH", path: true })),
    logFormat: z
      .enum(["pretty", "json"])
      .optional()
      .meta(
        field({
          description: "log format (default: pretty on a terminal, json otherwise)",
          env: "BOTMM_LOG_FORMAT",
        }),
      ),
    logLevel: z
      .enum(["trace", "debug", "info", "warn", "error"])
      .default(LIVE_DEFAULTS.logLevel)
      .meta(field({ description: "least severe log level printed", env: "BOTMM_LOG_LEVEL" })),
    metricsPort: z
      .number()
      .int()
      .min(0)
      .max(65_535)
      .optional()
      .meta(
        field({
          description: "serve Prometheus metrics on this port (0 = any free port)",
          value: "PORT",
          env: "BOTMM_METRICS_PORT",
        }),
      ),
    killFile: z
      .string()
      .min(1)
      .optional()
      .meta(
        field({
          description: "when this file exists: halt and cancel everything (like kill -USR2)",
          value: "PATH",
          env: "BOTMM_KILL_FILE",
          path: true,
        }),
      ),
    requoteIntervalMs: z
      .number()
      .int()
      .min(10)
      .default(LIVE_DEFAULTS.requoteIntervalMs)
      .meta(field({ description: "requote on book updates at most this often (bot clock)" })),
    exitSlippageBps: z
      .number()
      .min(0)
      .max(500)
      .default(LIVE_DEFAULTS.exitSlippageBps)
      .meta(
        field({
          description:
            "beyond the hard limit the position is cut with an IOC reduce-only order priced this far through the best opposite price",
          value: "BPS",
        }),
      ),
    barIntervalMs: z
      .number()
      .int()
      .min(100)
      .default(LIVE_DEFAULTS.barIntervalMs)
      .meta(field({ description: "bars fed to the strategy are built from the mid over this interval" })),
    leverage: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(LIVE_DEFAULTS.leverage)
      .meta(field({ description: "leverage set on each coin at start" })),
    deadManSwitchMs: z
      .number()
      .int()
      .min(0)
      .default(LIVE_DEFAULTS.deadManSwitchMs)
      .meta(
        field({
          description:
            "dead-man's switch: the venue cancels every order this long after the last re-arm (0 = off; at least 5000)",
        }),
      ),
    requestTimeoutMs: z
      .number()
      .int()
      .min(100)
      .default(LIVE_DEFAULTS.requestTimeoutMs)
      .meta(field({ description: "timeout of each HTTP request to the venue" })),
    reconcileIntervalMs: z
      .number()
      .int()
      .min(100)
      .default(LIVE_DEFAULTS.reconcileIntervalMs)
      .meta(field({ description: "compare open orders and positions with the venue this often" })),
    orderTimeoutMs: z
      .number()
      .int()
      .min(100)
      .default(LIVE_DEFAULTS.orderTimeoutMs)
      .meta(
        field({
          description:
            "a place / modify / cancel unanswered for this long is treated as lost and reconciled (scaled by speed/10 in --sim unless set)",
        }),
      ),
    statusIntervalMs: z
      .number()
      .int()
      .min(0)
      .default(LIVE_DEFAULTS.statusIntervalMs)
      .meta(field({ description: "print the status line (legend below) this often, real time; 0 = off" })),
    sim: z
      .object({
        seed: z
          .number()
          .int()
          .default(LIVE_DEFAULTS.sim.seed)
          .meta(field({ description: "seed of the emulated market and of the public TEST key" })),
        speed: z
          .number()
          .positive()
          .max(10_000)
          .default(LIVE_DEFAULTS.sim.speed)
          .meta(
            field({ description: "simulated time runs this many times faster than real time", value: "X" }),
          ),
        usdc: z
          .number()
          .positive()
          .default(LIVE_DEFAULTS.sim.usdc)
          .meta(field({ description: "collateral of the TEST account", value: "USD" })),
      })
      .strict()
      .default({ ...LIVE_DEFAULTS.sim }),
    paper: z
      .object({
        capitalUsd: z
          .number()
          .positive()
          .default(LIVE_DEFAULTS.paper.capitalUsd)
          .meta(field({ description: "simulated collateral", value: "USD" })),
        source: z
          .enum(["mainnet", "testnet"])
          .default(LIVE_DEFAULTS.paper.source)
          .meta(field({ description: "where market data comes from (or --api-url)" })),
        queueModel: z
          .enum(["risk-averse", "probabilistic"])
          .default(LIVE_DEFAULTS.paper.queueModel)
          .meta(
            field({
              description:
                "how paper fills advance in the queue: only trades at our price (risk-averse), or also part of each cancellation ahead",
            }),
          ),
        queuePower: z
          .number()
          .positive()
          .default(LIVE_DEFAULTS.paper.queuePower)
          .meta(field({ description: "exponent of the probabilistic queue model", value: "X" })),
      })
      .strict()
      .default({ ...LIVE_DEFAULTS.paper }),
    strategy: z.record(z.string(), z.unknown()).default({}),
    risk: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** The validated configuration of one live run. */
export type LiveConfig = Omit<z.infer<typeof liveConfigSchema>, "strategy" | "risk" | "duration"> & {
  /** Run length in ms of the bot's clock, or undefined to run until stopped. */
  durationMs: number | undefined;
  strategy: StrategyConfig;
  risk: RiskConfig;
  /** The raw risk overrides (what `RiskEngine` takes). */
  riskInput: RiskConfigInput;
  /** Where the config file came from, if any. */
  configFile: string | null;
};

/** What the command line asked for besides a run. */
export type CliRequest =
  | { kind: "run"; config: LiveConfig }
  | { kind: "print-config"; config: LiveConfig }
  | { kind: "help" };

/** How a flag's text becomes a config value. */
type FlagKind = "boolean" | "number" | "list" | "text";

/** One flag of the live app: what `parseArgs` reads, what `--help` prints and which config field it sets. */
export interface LiveOption extends OptionRow {
  /** The config field it sets (`["sim", "speed"]`), or null for the mode and command flags. */
  path: readonly string[] | null;
  kind: FlagKind;
  /** Its value is a file path (resolved against the user's directory). */
  isPath: boolean;
  /** The modes it applies to; given in another mode, it is an error. */
  modes?: readonly LiveMode[];
  /** Heading it is listed under in `--help`. */
  group: string;
}

/** Schema fields that are not flags: modes have their own flags; strategy and risk are config-file sections. */
const NOT_FLAGS = new Set(["mode", "confirmRealMoney", "strategy", "risk"]);

const kebab = (name: string): string => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** One option per leaf of the schema (nested objects such as `sim` give `--sim-…`), in schema order. */
function schemaOptions(schema: z.ZodObject, prefix: readonly string[] = []): LiveOption[] {
  const options: LiveOption[] = [];
  for (const [key, fieldSchema] of Object.entries(schema.shape)) {
    if (prefix.length === 0 && NOT_FLAGS.has(key)) continue;
    let inner = fieldSchema as z.ZodType;
    let meta: FieldMeta = {};
    let defaultValue: unknown;
    for (;;) {
      meta = { ...((inner.meta() ?? {}) as FieldMeta), ...meta };
      if (inner instanceof z.ZodDefault) {
        defaultValue = inner.def.defaultValue;
        inner = inner.unwrap() as z.ZodType;
      } else if (inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
      else break;
    }
    const path = [...prefix, key];
    if (inner instanceof z.ZodObject) {
      options.push(...schemaOptions(inner, path));
      continue;
    }
    const kind: FlagKind =
      inner instanceof z.ZodBoolean
        ? "boolean"
        : inner instanceof z.ZodNumber
          ? "number"
          : inner instanceof z.ZodArray
            ? "list"
            : "text";
    const placeholder =
      meta.value ??
      (inner instanceof z.ZodEnum
        ? inner.options.join("|")
        : kind === "number"
          ? key.endsWith("Ms")
            ? "MS"
            : "N"
          : kind === "list"
            ? "A,B"
            : "TEXT");
    const section = prefix[0] as LiveMode | undefined;
    const modes =
      meta.modes ?? (section !== undefined && LIVE_MODES.includes(section) ? [section] : undefined);
    options.push({
      flag: kebab(path.join("-")),
      type: kind === "boolean" ? "boolean" : "string",
      ...(kind === "boolean" ? {} : { value: placeholder }),
      description: meta.description ?? UNDOCUMENTED,
      ...(defaultValue === undefined
        ? {}
        : { defaultText: Array.isArray(defaultValue) ? defaultValue.join(",") : String(defaultValue) }),
      ...(meta.env === undefined ? {} : { env: meta.env }),
      path,
      kind,
      isPath: meta.path === true,
      ...(modes === undefined ? {} : { modes }),
      group: section !== undefined && LIVE_MODES.includes(section) ? `--${section} options` : "Options",
    });
  }
  return options;
}

const LIVE_MODES: readonly LiveMode[] = ["sim", "paper", "testnet", "mainnet"];

/** What `--help` says of a schema field added without `.meta({ description })`; a test refuses it. */
export const UNDOCUMENTED = "(undocumented: give its schema field .meta({ description }) in src/config.ts)";

const modeOption = (flag: string, description: string, path: string[] | null = null): LiveOption => ({
  flag,
  type: "boolean",
  description,
  path,
  kind: "boolean",
  isPath: false,
  group: "Modes",
});

/**
 * Every flag of the live app, in `--help` order. `parseCli` reads exactly these and `--help` prints exactly
 * these: a new schema field gets its flag and its help line from here.
 */
export const LIVE_OPTIONS: readonly LiveOption[] = [
  modeOption(
    "sim",
    "in-process Hyperliquid emulator with a funded public TEST account: no keys, no network (the default)",
  ),
  modeOption("paper", "real Hyperliquid market data, own fills simulated locally (no keys)"),
  modeOption(
    "testnet",
    "Hyperliquid testnet, or any endpoint with --api-url; key from BOTMM_PRIVATE_KEY or --key-file",
  ),
  modeOption(
    "mainnet",
    `Hyperliquid mainnet: REAL MONEY; refuses to start without ${MAINNET_CONFIRMATION_FLAG}`,
  ),
  modeOption(MAINNET_CONFIRMATION_FLAG.slice(2), "required next to --mainnet", ["confirmRealMoney"]),
  {
    flag: "config",
    type: "string",
    value: "FILE",
    description:
      'JSON or YAML file of these settings in camelCase (e.g. requoteIntervalMs, sim: { speed }), plus "strategy" and "risk" sections',
    path: null,
    kind: "text",
    isPath: true,
    group: "Options",
  },
  ...schemaOptions(liveConfigSchema),
  {
    flag: "print-config",
    type: "boolean",
    description: "print the effective config (secrets redacted) and exit",
    path: null,
    kind: "boolean",
    isPath: false,
    group: "Other",
  },
  {
    flag: "help",
    short: "h",
    type: "boolean",
    description: "print this help",
    path: null,
    kind: "boolean",
    isPath: false,
    group: "Other",
  },
];

/**
 * The status line's legend. Keep it in step with `Bot.statusLine()`: a test checks that every word and
 * symbol of a real status line is explained here.
 */
export const STATUS_LEGEND = `Status line (every --status-interval-ms), e.g.
  t+12.0m BTC mid 97012.5 pos 0.0021 q 97001/97024 allow | pnl 1.84 (spread 2.10 fees 0.31) fills 3b/2s orders +2 ~198 x0 !0 deferred 4 err 0
  t+12.0m           time since start on the bot's clock (simulated minutes in --sim)
  BTC mid … pos …   per coin: mid price and position in base units (+ long, − short)
  q 97001/97024     our best resting bid/ask (- = none resting); "warming up 3/30 bars" while the strategy
                    waits for its volatility estimate
  allow             risk mode of the coin: allow, reduce-only or halt (none before the first decision)
  pnl … (spread … fees …)  PnL in USD over every run of the journal: total, the spread captured, the fees paid
  fills 3b/2s       fills of this run: buys/sells
  orders +2 ~198 x0 !0  orders of this run: +placed ~modified (requotes) xcancelled !rejected (by the venue
                    or a risk check; a post-only order that would cross counts here)
  deferred 4        modifies held back by the request-budget pacing (the quote rests less aggressively)
  err 0             errors: failed or unanswered requests and unexpected rejections`;

const SIGNALS_HELP = `Signals: Ctrl-C (SIGINT) or SIGTERM stops gracefully: quoting stops, every order is cancelled, the summary
  is printed, exit code 0; a second one forces exit (130) without cleanup. SIGUSR2 engages the kill switch
  (halt and cancel everything until stopped): send it to the pid the bot prints at start, not to pnpm.
Exit codes: 0 stopped cleanly, 1 failed (or orders left open at exit), 2 usage or config error.`;

function renderUsage(): string {
  const groups = [...new Set(LIVE_OPTIONS.map((option) => option.group))];
  const heading = (group: string) =>
    group === "Modes"
      ? "Modes (one of; --sim when none is given; env BOTMM_MODE=sim|paper|testnet|mainnet):"
      : group === "Options"
        ? "Options (precedence: defaults < --config file < environment < flags; durations like 90s, 10m, 2h, 1d):"
        : `${group}:`;
  const sections = groups.map(
    (group) =>
      `${heading(group)}\n${renderOptionRows(
        LIVE_OPTIONS.filter((option) => option.group === group),
        34,
      )}`,
  );
  return `Usage: pnpm --filter live start -- [--sim | --paper | --testnet | --mainnet …] [options]
       pnpm --filter live start -- record --out DIR [record options]

${sections.join("\n\n")}

Config file only: "strategy" (@botmm/strategy's config, e.g. orderSizeUsd, baseSpreadBps, volatilityWarmupBars)
  and "risk" (@botmm/risk's, e.g. maxPosition: { limitUsd }, dailyLoss: { limitUsd }) sections.

Subcommand record: Hyperliquid L2 books and trades → recording files for replay backtests (no key).
${renderOptionRows(RECORD_OPTIONS, 34)}

${STATUS_LEGEND}

${SIGNALS_HELP}`;
}

/** Usage text for `--help`, generated from {@link LIVE_OPTIONS} and the `record` options. */
export const USAGE = renderUsage();

/**
 * Parses a duration such as `90s`, `10m`, `2h`, `1d`, `500ms` or a bare number of seconds into ms.
 *
 * @example
 * ```ts
 * parseDuration("10m"); // 600000
 * parseDuration("bad"); // null
 * ```
 */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return null;
  const value = Number(match[1]);
  const unit = match[2] ?? "s";
  const factor = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit]!;
  const ms = value * factor;
  return ms > 0 ? ms : null;
}

/**
 * Reads a JSON or YAML config file into a plain object.
 *
 * @throws ConfigError naming the file when it cannot be read or parsed.
 * @example
 * ```ts
 * const raw = await readConfigFile("live.yaml");
 * ```
 */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(`--config: cannot read ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(`--config: ${path} is not valid JSON/YAML: ${(error as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(`--config: ${path} must hold an object of settings`);
  }
  return value as Record<string, unknown>;
}

/** Where a value came from, for error messages. */
type Origins = Map<string, string>;

const OPTION_BY_FLAG = new Map(LIVE_OPTIONS.map((option) => [option.flag, option]));
const PARSE_OPTIONS = Object.fromEntries(
  LIVE_OPTIONS.map((option) => [
    option.flag,
    { type: option.type, ...(option.short ? { short: option.short } : {}) },
  ]),
);

/**
 * Turns argv, the environment and an optional config file into a validated {@link LiveConfig}. Precedence:
 * defaults < config file < environment < flags. Every problem — unknown or malformed flags, an unreadable config
 * file, each invalid field of the file, the environment and the flags (strategy and risk sections included), a
 * flag that does not apply to the mode, mainnet without its confirmation — is collected and thrown together, each
 * naming its field and where it was set. Relative paths resolve against the user's directory (`INIT_CWD`, which
 * pnpm sets to where it was started, else `cwd`); those in a config file against the file's directory.
 *
 * @throws ConfigError listing every problem.
 * @example
 * ```ts
 * const request = await parseCli(["--sim", "--coins", "BTC,ETH", "--duration", "5m"], process.env);
 * if (request.kind === "run") request.config.coins; // ["BTC", "ETH"]
 * ```
 */
export async function parseCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): Promise<CliRequest> {
  const problems: string[] = [];
  const userDir = env.INIT_CWD || cwd;
  const { tokens } = parseArgs({
    args: argv.filter((arg) => arg !== "--"),
    options: PARSE_OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const given: { option: LiveOption; value: string | true }[] = [];
  let unknownFlag = false;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.kind === "positional") {
      problems.push(`unexpected argument "${token.value}" (every option is a --flag)`);
      continue;
    }
    if (token.kind !== "option") continue;
    const option = OPTION_BY_FLAG.get(token.name);
    if (option === undefined) {
      unknownFlag = true;
      const near = nearestFlag(token.name, [...OPTION_BY_FLAG.keys()]);
      problems.push(
        `${token.rawName}: unknown flag${near === undefined ? "" : ` (did you mean --${near}?)`}`,
      );
      // Its value, if it had one, is no separate mistake.
      const next = tokens[index + 1];
      if (!token.inlineValue && next?.kind === "positional") index++;
    } else if (option.type === "string") {
      // `--coins --sim`: parseArgs took the next flag as the value.
      const swallowedFlag =
        !token.inlineValue &&
        token.value?.startsWith("-") === true &&
        OPTION_BY_FLAG.has(token.value.replace(/^--?/, ""));
      if (token.value === undefined || swallowedFlag) {
        problems.push(`--${option.flag}: expected a value: --${option.flag} ${option.value ?? "VALUE"}`);
        if (swallowedFlag) {
          const flag = OPTION_BY_FLAG.get(token.value!.replace(/^--?/, ""))!;
          if (flag.type === "boolean") given.push({ option: flag, value: true });
        }
      } else given.push({ option, value: token.value });
    } else if (token.inlineValue === true) problems.push(`--${option.flag} takes no value`);
    else given.push({ option, value: true });
  }
  if (given.some((entry) => entry.option.flag === "help")) return { kind: "help" };

  const uniqueModes = [
    ...new Set(
      given
        .filter((entry) => entry.option.group === "Modes" && entry.option.path === null)
        .map((entry) => entry.option.flag as LiveMode),
    ),
  ];
  if (uniqueModes.length > 1) {
    problems.push(`choose one mode, got ${uniqueModes.map((mode) => `--${mode}`).join(" and ")}`);
  }

  const origins: Origins = new Map();
  const configFlag = given.findLast((entry) => entry.option.flag === "config");
  let configFile: string | null = null;
  let fileLayer: Record<string, unknown> = {};
  if (configFlag !== undefined) {
    configFile = resolve(userDir, String(configFlag.value));
    try {
      fileLayer = await readConfigFile(configFile);
    } catch (error) {
      problems.push((error as Error).message);
    }
    for (const option of LIVE_OPTIONS) {
      if (!option.isPath || option.path === null) continue;
      const value = getPath(fileLayer, option.path);
      if (typeof value === "string") setPath(fileLayer, option.path, resolve(dirname(configFile), value));
    }
    for (const key of Object.keys(fileLayer)) origins.set(key, `in ${configFile}`);
  }

  const envLayer: Record<string, unknown> = {};
  if (env.BOTMM_MODE) {
    envLayer.mode = env.BOTMM_MODE;
    origins.set("mode", "env BOTMM_MODE");
  }
  for (const option of LIVE_OPTIONS) {
    if (option.env === undefined || option.path === null) continue;
    const text = env[option.env];
    if (text === undefined || text === "") continue;
    const value = convert(option, text, option.env, userDir, problems);
    if (value === undefined) continue;
    setPath(envLayer, option.path, value);
    origins.set(option.path.join("."), `env ${option.env}`);
  }

  const flagLayer: Record<string, unknown> = {};
  if (uniqueModes.length === 1) {
    flagLayer.mode = uniqueModes[0];
    origins.set("mode", `--${uniqueModes[0]}`);
  }
  for (const { option, value } of given) {
    if (option.path === null) continue;
    const converted = value === true ? true : convert(option, value, `--${option.flag}`, userDir, problems);
    if (converted === undefined) continue;
    setPath(flagLayer, option.path, converted);
    origins.set(option.path.join("."), `--${option.flag}`);
  }

  const merged = mergeLayers([fileLayer, envLayer, flagLayer]);
  const mode =
    typeof merged.mode === "string" && (LIVE_MODES as readonly string[]).includes(merged.mode)
      ? (merged.mode as LiveMode)
      : LIVE_DEFAULTS.mode;
  for (const { option } of given) {
    if (option.modes !== undefined && !option.modes.includes(mode)) {
      problems.push(
        `--${option.flag} only applies to ${option.modes.map((m) => `--${m}`).join(" or ")}, and this run is --${mode}: drop it or change the mode`,
      );
    }
  }
  const config = validate(merged, origins, configFile, problems);
  if (problems.length > 0 || config === null) {
    throw new ConfigError(
      formatProblems(problems, unknownFlag ? "run with --help for every flag" : undefined),
    );
  }
  const printConfig = given.some((entry) => entry.option.flag === "print-config");
  return { kind: printConfig ? "print-config" : "run", config };
}

/**
 * Merges config layers (later wins; `sim`, `paper`, `strategy` and `risk` merge key by key) and validates
 * them, including the strategy (`strategyConfigSchema`) and risk (`resolveRiskConfig`) sections.
 *
 * @throws ConfigError listing each bad field.
 * @example
 * ```ts
 * const config = buildConfig([{ coins: ["ETH"] }, { mode: "paper" }]);
 * config.mode; // "paper"
 * ```
 */
export function buildConfig(
  layers: readonly Record<string, unknown>[],
  configFile: string | null = null,
): LiveConfig {
  const problems: string[] = [];
  const config = validate(mergeLayers(layers), new Map(), configFile, problems);
  if (problems.length > 0 || config === null) throw new ConfigError(formatProblems(problems));
  return config;
}

function mergeLayers(layers: readonly Record<string, unknown>[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const base = merged[key];
      if (key === "risk" && isObject(base) && isObject(value)) {
        const risk: Record<string, unknown> = { ...base };
        for (const [section, fields] of Object.entries(value)) {
          risk[section] =
            isObject(risk[section]) && isObject(fields) ? { ...risk[section], ...fields } : fields;
        }
        merged[key] = risk;
      } else merged[key] = isObject(base) && isObject(value) ? { ...base, ...value } : value;
    }
  }
  return merged;
}

/** Validates the merged settings, the strategy and risk sections and the mode together; appends to `problems`. */
function validate(
  merged: Record<string, unknown>,
  origins: Origins,
  configFile: string | null,
  problems: string[],
): LiveConfig | null {
  const where = (path: readonly PropertyKey[]): string => {
    for (let length = path.length; length > 0; length--) {
      const origin = origins.get(path.slice(0, length).map(String).join("."));
      if (origin !== undefined) return ` (${origin})`;
    }
    return "";
  };
  const issueText = (prefix: string, issue: z.core.$ZodIssue): string[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => {
        const path = [...prefix.split(".").filter(Boolean), ...issue.path.map(String), key];
        return `${path.join(".")}: unknown setting (check its spelling)${where(path)}`;
      });
    }
    const path = [...prefix.split(".").filter(Boolean), ...issue.path.map(String)];
    return [`${path.join(".") || "(root)"}: ${issue.message}${where(path)}`];
  };
  const live = liveConfigSchema.safeParse(merged);
  if (!live.success) problems.push(...live.error.issues.flatMap((issue) => issueText("", issue)));
  const strategyInput = merged.strategy ?? {};
  const strategy = isObject(strategyInput) ? strategyConfigSchema.safeParse(strategyInput) : null;
  if (strategy !== null && !strategy.success)
    problems.push(...strategy.error.issues.flatMap((issue) => issueText("strategy", issue)));
  const riskInput = (merged.risk ?? {}) as RiskConfigInput;
  let risk: RiskConfig | null = null;
  if (isObject(riskInput)) {
    try {
      risk = resolveRiskConfig(riskInput);
    } catch (error) {
      if (!(error instanceof RiskConfigError)) throw error;
      for (const issue of error.issues) {
        problems.push(`risk.${issue.field}: ${issue.message}${where(["risk", ...issue.field.split(".")])}`);
      }
    }
  }
  problems.push(
    ...modeProblems({
      mode: live.success ? live.data.mode : ((merged.mode as LiveMode | undefined) ?? LIVE_DEFAULTS.mode),
      confirmRealMoney: merged.confirmRealMoney === true,
      apiUrl: typeof merged.apiUrl === "string" ? merged.apiUrl : undefined,
    }),
  );
  if (!live.success || strategy === null || !strategy.success || risk === null || problems.length > 0)
    return null;
  const { strategy: _strategy, risk: _risk, duration, ...settings } = live.data;
  return {
    ...settings,
    coins: [...new Set(settings.coins.map((coin) => coin.toUpperCase()))],
    durationMs: duration,
    strategy: strategy.data,
    risk,
    riskInput,
    configFile,
  };
}

function formatProblems(problems: readonly string[], hint?: string): string {
  const text =
    problems.length === 1
      ? problems[0]!
      : `${problems.length} problems:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`;
  return hint === undefined ? text : `${text}\n${hint}`;
}

/**
 * Refuses combinations that must not run: mainnet without the explicit confirmation flag, the confirmation
 * without mainnet, `--api-url` in sim or mainnet.
 *
 * @throws ConfigError saying why and what to do.
 * @example
 * ```ts
 * checkMode({ ...config, mode: "mainnet", confirmRealMoney: false }); // throws
 * ```
 */
export function checkMode(config: Pick<LiveConfig, "mode" | "confirmRealMoney" | "apiUrl">): void {
  const problems = modeProblems(config);
  if (problems.length > 0) throw new ConfigError(formatProblems(problems));
}

function modeProblems(config: Pick<LiveConfig, "mode" | "confirmRealMoney" | "apiUrl">): string[] {
  const problems: string[] = [];
  if (config.mode === "mainnet" && !config.confirmRealMoney) {
    problems.push(
      `refusing to start on mainnet: this trades REAL MONEY. Add ${MAINNET_CONFIRMATION_FLAG} next to --mainnet ` +
        "if that is what you want (try --sim or --testnet first).",
    );
  }
  if (config.confirmRealMoney && config.mode !== "mainnet") {
    problems.push(`${MAINNET_CONFIRMATION_FLAG} only makes sense with --mainnet`);
  }
  if (config.mode === "mainnet" && config.apiUrl !== undefined) {
    problems.push("--api-url cannot be combined with --mainnet; use --testnet --api-url URL");
  }
  if (config.mode === "sim" && config.apiUrl !== undefined) {
    problems.push(
      "--api-url is for testnet-style trading against an endpoint: use --testnet --api-url URL (not --sim)",
    );
  }
  return problems;
}

/**
 * The effective config as printable JSON, with secrets redacted: the private key itself never enters the
 * config (only the wallet loader reads it), and this says only whether one is set.
 *
 * @example
 * ```ts
 * console.log(JSON.stringify(redactedConfig(config, process.env), null, 2));
 * ```
 */
export function redactedConfig(
  config: LiveConfig,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, unknown> {
  const { riskInput: _riskInput, ...rest } = config;
  return {
    ...rest,
    privateKey: env.BOTMM_PRIVATE_KEY
      ? "[redacted: set in BOTMM_PRIVATE_KEY]"
      : config.keyFile
        ? "[from keyFile]"
        : null,
  };
}

/** A flag's or variable's text as the value of its field, or undefined (and a problem) when it is malformed. */
function convert(
  option: LiveOption,
  text: string,
  name: string,
  userDir: string,
  problems: string[],
): unknown {
  switch (option.kind) {
    case "number": {
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) {
        problems.push(`${name}: expected a number, got "${text}"`);
        return undefined;
      }
      return value;
    }
    case "list":
      return text
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);
    case "boolean":
      if (/^(1|true|yes)$/i.test(text)) return true;
      if (/^(0|false|no)$/i.test(text)) return false;
      problems.push(`${name}: expected true or false, got "${text}"`);
      return undefined;
    default:
      return option.isPath ? resolve(userDir, text) : text;
  }
}

function getPath(target: Record<string, unknown>, path: readonly string[]): unknown {
  let node: unknown = target;
  for (const key of path) node = isObject(node) ? node[key] : undefined;
  return node;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
