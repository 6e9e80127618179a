import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type RiskConfig, RiskConfigError, type RiskConfigInput, resolveRiskConfig } from "@botmm/risk";
import { strategyConfigSchema } from "@botmm/strategy";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import {
  ConfigError,
  LIVE_DEFAULTS,
  LIVE_VENUE_FEES,
  LIVE_VENUE_NAMES,
  LIVE_VENUE_SIM_PRESETS,
  type LiveConfig,
  type LiveMode,
  type LiveVenueName,
  liveConfigSchema,
  MAINNET_CONFIRMATION_FLAG,
} from "./config-schema.ts";
import { nearestFlag } from "./help.ts";
import { type CliRequest, LIVE_MODES, LIVE_OPTIONS, type LiveOption } from "./options.ts";

export {
  ConfigError,
  LIVE_DEFAULTS,
  type LiveConfig,
  type LiveMode,
  liveConfigSchema,
  MAINNET_CONFIRMATION_FLAG,
  parseDuration,
} from "./config-schema.ts";
export {
  type CliRequest,
  LIVE_OPTIONS,
  type LiveOption,
  STATUS_LEGEND,
  UNDOCUMENTED,
  USAGE,
} from "./options.ts";

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
/** `--no-<flag>` of the negatable booleans: the option it turns off. */
const NEGATED_BY_FLAG = new Map(
  LIVE_OPTIONS.filter((option) => option.negatable === true).map((option) => [`no-${option.flag}`, option]),
);
const PARSE_OPTIONS = Object.fromEntries([
  ...LIVE_OPTIONS.map((option) => [
    option.flag,
    { type: option.type, ...(option.short ? { short: option.short } : {}) },
  ]),
  ...[...NEGATED_BY_FLAG.keys()].map((flag) => [flag, { type: "boolean" as const }]),
]);

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
  const given: { option: LiveOption; value: string | boolean }[] = [];
  let unknownFlag = false;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.kind === "positional") {
      problems.push(`unexpected argument "${token.value}" (every option is a --flag)`);
      continue;
    }
    if (token.kind !== "option") continue;
    const negated = NEGATED_BY_FLAG.get(token.name);
    if (negated !== undefined) {
      if (token.inlineValue === true) problems.push(`${token.rawName} takes no value`);
      else given.push({ option: negated, value: false });
      continue;
    }
    const option = OPTION_BY_FLAG.get(token.name);
    if (option === undefined) {
      unknownFlag = true;
      const near = nearestFlag(token.name, [...OPTION_BY_FLAG.keys(), ...NEGATED_BY_FLAG.keys()]);
      problems.push(
        `${token.rawName}: unknown flag${near === undefined ? "" : ` (did you mean --${near}?)`}`,
      );
      // Its value, if it had one, is no separate mistake.
      const next = tokens[index + 1];
      if (!token.inlineValue && next?.kind === "positional") index++;
    } else if (option.type === "string") {
      // `--coins --sim`: parseArgs took the next flag as the value.
      const swallowed = token.inlineValue ? "" : (token.value?.match(/^--?(.+)$/)?.[1] ?? "");
      const swallowedFlag = OPTION_BY_FLAG.has(swallowed) || NEGATED_BY_FLAG.has(swallowed);
      if (token.value === undefined || swallowedFlag) {
        problems.push(`--${option.flag}: expected a value: --${option.flag} ${option.value ?? "VALUE"}`);
        const negatedFlag = NEGATED_BY_FLAG.get(swallowed);
        if (negatedFlag !== undefined) given.push({ option: negatedFlag, value: false });
        const flag = OPTION_BY_FLAG.get(swallowed);
        if (flag?.type === "boolean") given.push({ option: flag, value: true });
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
    const converted =
      typeof value === "boolean" ? value : convert(option, value, `--${option.flag}`, userDir, problems);
    if (converted === undefined) continue;
    setPath(flagLayer, option.path, converted);
    origins.set(option.path.join("."), value === false ? `--no-${option.flag}` : `--${option.flag}`);
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
  const explicitStrategy = merged.strategy ?? {};
  const simQuotes = isObject(merged.sim) ? merged.sim.quotes : undefined;
  // The starter quotes fill what the user left unset: an explicit strategy setting always wins.
  const simStarterApplied =
    (merged.mode ?? LIVE_DEFAULTS.mode) === "sim" &&
    (simQuotes ?? LIVE_DEFAULTS.sim.quotes) === "starter" &&
    isObject(explicitStrategy)
      ? Object.fromEntries(
          Object.entries(LIVE_DEFAULTS.simStarterStrategy).filter(([key]) => !(key in explicitStrategy)),
        )
      : {};
  const venueName = (LIVE_VENUE_NAMES as readonly unknown[]).includes(merged.venue)
    ? (merged.venue as LiveVenueName)
    : LIVE_DEFAULTS.venue;
  const venueFees = LIVE_VENUE_FEES[venueName];
  const venuePresets = {
    ...(venueFees ?? {}),
    // Paper trades no money either, and on real Binance prices the default order falls below the minimum notional.
    ...(["sim", "paper"].includes(String(merged.mode ?? LIVE_DEFAULTS.mode))
      ? LIVE_VENUE_SIM_PRESETS[venueName]
      : {}),
  };
  const venuePresetsApplied: Record<string, number> = isObject(explicitStrategy)
    ? Object.fromEntries(Object.entries(venuePresets).filter(([key]) => !(key in explicitStrategy)))
    : {};
  const strategyInput = isObject(explicitStrategy)
    ? { ...simStarterApplied, ...venuePresetsApplied, ...explicitStrategy }
    : explicitStrategy;
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
  if (merged.account !== undefined && merged.venue !== undefined && merged.venue !== "hyperliquid") {
    problems.push(
      `account: an agent wallet's master address is Hyperliquid's; --venue ${String(merged.venue)} trades the API key's own account`,
    );
  }
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
    simStarterApplied,
    venuePresetsApplied,
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
