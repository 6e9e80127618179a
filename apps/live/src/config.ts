import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { BotmmError } from "@botmm/core";
import { type RiskConfig, RiskConfigError, type RiskConfigInput, resolveRiskConfig } from "@botmm/risk";
import { type StrategyConfig, strategyConfigSchema } from "@botmm/strategy";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

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

/** zod schema of the live app's own settings (strategy and risk are validated by their packages). */
export const liveConfigSchema = z
  .object({
    mode: z.enum(["sim", "paper", "testnet", "mainnet"]).default(LIVE_DEFAULTS.mode),
    confirmRealMoney: z.boolean().default(false),
    botName: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, "expected 1–64 letters, digits, _ . or -")
      .default(LIVE_DEFAULTS.botName),
    coins: z
      .array(z.string().regex(/^[A-Za-z0-9]{1,20}$/, "expected a coin symbol such as BTC"))
      .min(1, "expected at least one coin")
      .default([...LIVE_DEFAULTS.coins]),
    apiUrl: z.url({ error: "expected an http(s) URL" }).optional(),
    wsUrl: z.url({ error: "expected a ws(s) URL" }).optional(),
    account: addressSchema.optional(),
    keyFile: z.string().min(1).optional(),
    duration: durationSchema.optional(),
    journal: z.string().min(1).optional(),
    json: z.string().min(1).optional(),
    logFormat: z.enum(["pretty", "json"]).optional(),
    logLevel: z.enum(["trace", "debug", "info", "warn", "error"]).default(LIVE_DEFAULTS.logLevel),
    metricsPort: z.number().int().min(0).max(65_535).optional(),
    killFile: z.string().min(1).optional(),
    requoteIntervalMs: z.number().int().min(10).default(LIVE_DEFAULTS.requoteIntervalMs),
    exitSlippageBps: z.number().min(0).max(500).default(LIVE_DEFAULTS.exitSlippageBps),
    barIntervalMs: z.number().int().min(100).default(LIVE_DEFAULTS.barIntervalMs),
    leverage: z.number().int().min(1).max(50).default(LIVE_DEFAULTS.leverage),
    deadManSwitchMs: z.number().int().min(0).default(LIVE_DEFAULTS.deadManSwitchMs),
    requestTimeoutMs: z.number().int().min(100).default(LIVE_DEFAULTS.requestTimeoutMs),
    reconcileIntervalMs: z.number().int().min(100).default(LIVE_DEFAULTS.reconcileIntervalMs),
    orderTimeoutMs: z.number().int().min(100).default(LIVE_DEFAULTS.orderTimeoutMs),
    statusIntervalMs: z.number().int().min(0).default(LIVE_DEFAULTS.statusIntervalMs),
    sim: z
      .object({
        seed: z.number().int().default(LIVE_DEFAULTS.sim.seed),
        speed: z.number().positive().max(10_000).default(LIVE_DEFAULTS.sim.speed),
        usdc: z.number().positive().default(LIVE_DEFAULTS.sim.usdc),
      })
      .strict()
      .default({ ...LIVE_DEFAULTS.sim }),
    paper: z
      .object({
        capitalUsd: z.number().positive().default(LIVE_DEFAULTS.paper.capitalUsd),
        source: z.enum(["mainnet", "testnet"]).default(LIVE_DEFAULTS.paper.source),
        queueModel: z.enum(["risk-averse", "probabilistic"]).default(LIVE_DEFAULTS.paper.queueModel),
        queuePower: z.number().positive().default(LIVE_DEFAULTS.paper.queuePower),
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

/** Command-line flags; kebab-case of the config keys. */
const FLAGS = {
  sim: { type: "boolean" },
  paper: { type: "boolean" },
  testnet: { type: "boolean" },
  mainnet: { type: "boolean" },
  "i-understand-this-trades-real-money": { type: "boolean" },
  config: { type: "string" },
  "bot-name": { type: "string" },
  coins: { type: "string" },
  "api-url": { type: "string" },
  "ws-url": { type: "string" },
  account: { type: "string" },
  "key-file": { type: "string" },
  duration: { type: "string" },
  journal: { type: "string" },
  json: { type: "string" },
  "log-format": { type: "string" },
  "log-level": { type: "string" },
  "metrics-port": { type: "string" },
  "kill-file": { type: "string" },
  "requote-interval-ms": { type: "string" },
  "bar-interval-ms": { type: "string" },
  leverage: { type: "string" },
  "dead-man-switch-ms": { type: "string" },
  "request-timeout-ms": { type: "string" },
  "reconcile-interval-ms": { type: "string" },
  "order-timeout-ms": { type: "string" },
  "status-interval-ms": { type: "string" },
  "sim-seed": { type: "string" },
  "sim-speed": { type: "string" },
  "sim-usdc": { type: "string" },
  "paper-capital-usd": { type: "string" },
  "paper-source": { type: "string" },
  "paper-queue-model": { type: "string" },
  "paper-queue-power": { type: "string" },
  "print-config": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Environment variables read (besides the key, which only the wallet loader reads). */
const ENV_KEYS: Record<string, string> = {
  BOTMM_MODE: "mode",
  BOTMM_BOT_NAME: "botName",
  BOTMM_COINS: "coins",
  BOTMM_API_URL: "apiUrl",
  BOTMM_WS_URL: "wsUrl",
  BOTMM_ACCOUNT: "account",
  BOTMM_KEY_FILE: "keyFile",
  BOTMM_JOURNAL: "journal",
  BOTMM_LOG_FORMAT: "logFormat",
  BOTMM_LOG_LEVEL: "logLevel",
  BOTMM_METRICS_PORT: "metricsPort",
  BOTMM_KILL_FILE: "killFile",
};

/** Usage text for `--help`. */
export const USAGE = `Usage: pnpm --filter live start -- [mode] [options]

Modes (one of):
  --sim                 in-process Hyperliquid emulator with a funded TEST account (default; no keys, no network)
  --paper               real market data, own fills simulated locally (no keys)
  --testnet             Hyperliquid testnet; key from BOTMM_PRIVATE_KEY or --key-file
  --mainnet ${MAINNET_CONFIRMATION_FLAG}
                        Hyperliquid mainnet: REAL MONEY; refuses to start without both flags

Options:
  --config FILE         JSON or YAML config (keys as below in camelCase, plus "strategy" and "risk" sections)
  --coins BTC,ETH       coins to quote                     --bot-name NAME   part of the order-id prefix
  --api-url URL         any Hyperliquid-compatible endpoint (e.g. http://127.0.0.1:8787); --ws-url to override
  --account 0x…         master address when the key is an agent (API) wallet's
  --key-file PATH       file holding the private key (instead of BOTMM_PRIVATE_KEY)
  --duration 10m        stop after this long (bot clock: simulated time in --sim)
  --journal PATH        SQLite journal: resume PnL, orders and fills across restarts
  --json PATH           write the run summary as JSON on exit
  --log-format pretty|json  --log-level info   --metrics-port 9464   --status-interval-ms 10000
  --kill-file PATH      when this file exists: halt and cancel everything
  --requote-interval-ms 1000  --bar-interval-ms 60000  --leverage 3  --dead-man-switch-ms 60000
  --sim-seed 1 --sim-speed 60 --sim-usdc 100000      --paper-capital-usd 10000 --paper-source mainnet|testnet
  --paper-queue-model risk-averse|probabilistic (--paper-queue-power 2): how paper fills advance in the queue
  --print-config        print the effective config (secrets redacted) and exit
Signals: SIGINT/SIGTERM stop gracefully (a second one forces exit); SIGUSR2 engages the kill switch.`;

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

/**
 * Turns argv, the environment and an optional config file into a validated {@link LiveConfig}. Precedence:
 * defaults < config file < environment < flags. Refuses mainnet without the confirmation flag.
 *
 * @throws ConfigError naming the flag, variable or field at fault.
 * @example
 * ```ts
 * const request = await parseCli(["--sim", "--coins", "BTC,ETH", "--duration", "5m"], process.env);
 * if (request.kind === "run") request.config.coins; // ["BTC", "ETH"]
 * ```
 */
export async function parseCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<CliRequest> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true; allowPositionals: false }>>;
  try {
    parsed = parseArgs({
      args: argv.filter((arg) => arg !== "--"),
      options: FLAGS,
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const flags = parsed.values;
  if (flags.help) return { kind: "help" };

  const modes = (["sim", "paper", "testnet", "mainnet"] as const).filter((mode) => flags[mode] === true);
  if (modes.length > 1) {
    throw new ConfigError(`choose one mode, got ${modes.map((mode) => `--${mode}`).join(" and ")}`);
  }

  const fileLayer = flags.config ? await readConfigFile(flags.config) : {};
  const envLayer: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    envLayer[key] = coerceEnv(key, value, name);
  }
  const flagLayer: Record<string, unknown> = {};
  if (modes[0]) flagLayer.mode = modes[0];
  if (flags["i-understand-this-trades-real-money"]) flagLayer.confirmRealMoney = true;
  const text = (flag: keyof typeof flags, key: string) => {
    const value = flags[flag];
    if (typeof value === "string") flagLayer[key] = value;
  };
  const int = (flag: keyof typeof flags, key: string) => {
    const value = flags[flag];
    if (typeof value === "string") flagLayer[key] = toNumber(value, `--${flag}`);
  };
  text("bot-name", "botName");
  if (typeof flags.coins === "string") flagLayer.coins = splitList(flags.coins);
  text("api-url", "apiUrl");
  text("ws-url", "wsUrl");
  text("account", "account");
  text("key-file", "keyFile");
  text("duration", "duration");
  text("journal", "journal");
  text("json", "json");
  text("log-format", "logFormat");
  text("log-level", "logLevel");
  int("metrics-port", "metricsPort");
  text("kill-file", "killFile");
  int("requote-interval-ms", "requoteIntervalMs");
  int("bar-interval-ms", "barIntervalMs");
  int("leverage", "leverage");
  int("dead-man-switch-ms", "deadManSwitchMs");
  int("request-timeout-ms", "requestTimeoutMs");
  int("reconcile-interval-ms", "reconcileIntervalMs");
  int("order-timeout-ms", "orderTimeoutMs");
  int("status-interval-ms", "statusIntervalMs");
  const sim: Record<string, unknown> = {};
  if (flags["sim-seed"]) sim.seed = toNumber(flags["sim-seed"], "--sim-seed");
  if (flags["sim-speed"]) sim.speed = toNumber(flags["sim-speed"], "--sim-speed");
  if (flags["sim-usdc"]) sim.usdc = toNumber(flags["sim-usdc"], "--sim-usdc");
  if (Object.keys(sim).length > 0) flagLayer.sim = sim;
  const paper: Record<string, unknown> = {};
  if (flags["paper-capital-usd"])
    paper.capitalUsd = toNumber(flags["paper-capital-usd"], "--paper-capital-usd");
  if (flags["paper-source"]) paper.source = flags["paper-source"];
  if (flags["paper-queue-model"]) paper.queueModel = flags["paper-queue-model"];
  if (flags["paper-queue-power"])
    paper.queuePower = toNumber(flags["paper-queue-power"], "--paper-queue-power");
  if (Object.keys(paper).length > 0) flagLayer.paper = paper;

  const config = buildConfig([fileLayer, envLayer, flagLayer], flags.config ?? null);
  return { kind: flags["print-config"] ? "print-config" : "run", config };
}

/**
 * Merges config layers (later wins; `sim`, `paper`, `strategy` and `risk` merge key by key) and validates
 * them, including the strategy (`strategyConfigSchema`) and risk (`resolveRiskConfig`) sections.
 *
 * @throws ConfigError naming each bad field.
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
  const parsed = liveConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      if (issue.code === "unrecognized_keys") {
        const where = issue.path.length > 0 ? `${issue.path.join(".")}.` : "";
        return `${issue.keys.map((key) => where + key).join(", ")}: unknown setting (check its spelling)`;
      }
      return `${issue.path.join(".") || "(root)"}: ${issue.message}`;
    });
    throw new ConfigError(`invalid config: ${problems.join("; ")}`);
  }
  const { strategy: strategyInput, risk: riskInput, duration, ...live } = parsed.data;
  const strategyParsed = strategyConfigSchema.safeParse(strategyInput);
  if (!strategyParsed.success) {
    const problems = strategyParsed.error.issues.map((issue) => {
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => `strategy.${key}: unknown setting (check its spelling)`).join("; ");
      }
      return `strategy.${issue.path.join(".")}: ${issue.message}`;
    });
    throw new ConfigError(`invalid config: ${problems.join("; ")}`);
  }
  let risk: RiskConfig;
  try {
    risk = resolveRiskConfig(riskInput as RiskConfigInput);
  } catch (error) {
    if (error instanceof RiskConfigError) {
      const text = error.issues.map((issue) => `risk.${issue.field}: ${issue.message}`).join("; ");
      throw new ConfigError(`invalid config: ${text}`);
    }
    throw error;
  }
  const config: LiveConfig = {
    ...live,
    coins: [...new Set(live.coins.map((coin) => coin.toUpperCase()))],
    durationMs: duration,
    strategy: strategyParsed.data,
    risk,
    riskInput: riskInput as RiskConfigInput,
    configFile,
  };
  checkMode(config);
  return config;
}

/**
 * Refuses combinations that must not run: mainnet without the explicit confirmation flag, key material for
 * modes that need none, `--api-url` in sim or mainnet.
 *
 * @throws ConfigError saying why and what to do.
 * @example
 * ```ts
 * checkMode({ ...config, mode: "mainnet", confirmRealMoney: false }); // throws
 * ```
 */
export function checkMode(config: LiveConfig): void {
  if (config.mode === "mainnet" && !config.confirmRealMoney) {
    throw new ConfigError(
      `refusing to start on mainnet: this trades REAL MONEY. Add ${MAINNET_CONFIRMATION_FLAG} next to --mainnet ` +
        "if that is what you want (try --sim or --testnet first).",
    );
  }
  if (config.confirmRealMoney && config.mode !== "mainnet") {
    throw new ConfigError(`${MAINNET_CONFIRMATION_FLAG} only makes sense with --mainnet`);
  }
  if (config.mode === "mainnet" && config.apiUrl !== undefined) {
    throw new ConfigError("--api-url cannot be combined with --mainnet; use --testnet --api-url URL");
  }
  if (config.mode === "sim" && config.apiUrl !== undefined) {
    throw new ConfigError(
      "--api-url is for testnet-style trading against an endpoint: use --testnet --api-url URL (not --sim)",
    );
  }
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

function coerceEnv(key: string, value: string, name: string): unknown {
  if (key === "coins") return splitList(value);
  if (key === "metricsPort") return toNumber(value, name);
  return value;
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

function toNumber(text: string, name: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) {
    throw new ConfigError(`${name}: expected a number, got "${text}"`);
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
