import { strategyConfigSchema } from "@botmm/strategy";
import { z } from "zod";
import {
  type FieldMeta,
  type LiveConfig,
  type LiveMode,
  liveConfigSchema,
  MAINNET_CONFIRMATION_FLAG,
} from "./config-schema.ts";
import { type OptionRow, renderOptionRows } from "./help.ts";
import { RECORD_OPTIONS } from "./record/record-options.ts";

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
  /** A boolean that `--no-<flag>` turns off (a strategy setting that may be on by default or in the file). */
  negatable?: boolean;
}

/**
 * Schema fields that are not flags of {@link liveConfigSchema}: modes have their own flags, the strategy's
 * fields get theirs from `strategyConfigSchema` ({@link strategyOptions}), risk is a config-file section.
 */
const NOT_FLAGS = new Set(["mode", "confirmRealMoney", "strategy", "risk"]);

const kebab = (name: string): string => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** One option per leaf of the schema (nested objects such as `sim` give `--sim-…`), in schema order. */
function schemaOptions(schema: z.ZodObject, prefix: readonly string[] = []): LiveOption[] {
  const options: LiveOption[] = [];
  for (const [key, fieldSchema] of Object.entries(schema.shape)) {
    if (prefix.length === 0 && NOT_FLAGS.has(key)) continue;
    const { inner, meta, defaultValue } = unwrapField(fieldSchema as z.ZodType);
    const path = [...prefix, key];
    if (inner instanceof z.ZodObject) {
      options.push(...schemaOptions(inner, path));
      continue;
    }
    const section = prefix[0] as LiveMode | undefined;
    const modes =
      meta.modes ?? (section !== undefined && LIVE_MODES.includes(section) ? [section] : undefined);
    options.push({
      ...leafOption(kebab(path.join("-")), key, inner, meta, defaultValue),
      ...(meta.env === undefined ? {} : { env: meta.env }),
      path,
      isPath: meta.path === true,
      ...(modes === undefined ? {} : { modes }),
      group: section !== undefined && LIVE_MODES.includes(section) ? `--${section} options` : "Options",
    });
  }
  return options;
}

/** A field's schema without its default / optional wrappers, with the metadata and default found on the way. */
function unwrapField(fieldSchema: z.ZodType): { inner: z.ZodType; meta: FieldMeta; defaultValue: unknown } {
  let inner = fieldSchema;
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
  return { inner, meta, defaultValue };
}

/** The parts of an option that follow from a leaf field: its kind, value placeholder, help text and default. */
function leafOption(
  flag: string,
  key: string,
  inner: z.ZodType,
  meta: FieldMeta,
  defaultValue: unknown,
): Pick<LiveOption, "flag" | "type" | "value" | "description" | "defaultText" | "kind"> {
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
  return {
    flag,
    type: kind === "boolean" ? "boolean" : "string",
    ...(kind === "boolean" ? {} : { value: placeholder }),
    description: meta.description ?? UNDOCUMENTED,
    ...(defaultValue === undefined
      ? {}
      : { defaultText: Array.isArray(defaultValue) ? defaultValue.join(",") : String(defaultValue) }),
    kind,
  };
}

/**
 * One flag per field of `strategyConfigSchema`, named after the field alone (`model` → `--model`, as in the
 * backtest app): no live setting has a strategy field's name, and a test keeps it so. Booleans also take
 * `--no-<flag>`, since some are on by default.
 */
function strategyOptions(): LiveOption[] {
  return Object.entries(strategyConfigSchema.shape).map(([key, fieldSchema]) => {
    const unwrapped = unwrapField(fieldSchema as z.ZodType);
    const meta: FieldMeta = { ...unwrapped.meta };
    // An enum's choices say more than a placeholder: `--fair-price mid|microprice|imbalance`.
    if (unwrapped.inner instanceof z.ZodEnum) delete meta.value;
    const option = leafOption(kebab(key), key, unwrapped.inner, meta, unwrapped.defaultValue);
    return {
      ...option,
      path: ["strategy", key],
      isPath: false,
      group: "Strategy options",
      ...(option.kind === "boolean" ? { negatable: true } : {}),
    };
  });
}

export const LIVE_MODES: readonly LiveMode[] = ["sim", "paper", "testnet", "mainnet"];

/** What `--help` says of a schema field added without `.meta({ description })`; a test refuses it. */
export const UNDOCUMENTED =
  "(undocumented: give its schema field .meta({ description }) in src/config-schema.ts or @botmm/strategy's config.ts)";

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
  modeOption(
    "paper",
    "real market data of the --venue (public streams), own fills simulated locally (no keys)",
  ),
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
  ...strategyOptions(),
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

const duplicateFlags = LIVE_OPTIONS.map((option) => option.flag).filter(
  (flag, index, flags) => flags.indexOf(flag) !== index,
);
if (duplicateFlags.length > 0)
  throw new Error(`two live settings make the same flag: --${duplicateFlags.join(", --")}`);

/**
 * The status line's legend. Keep it in step with `Bot.statusLine()`: a test checks that every word and
 * symbol of a real status line is explained here.
 */
export const STATUS_LEGEND = `Status line (every --status-interval-ms), e.g.
  t+12.0m BTC mid 97012.5 pos 0.0021 q 97001/97024 allow σ 3.10bp A 1.00 k 0.50 | pnl 1.84 (spread 2.10 fees 0.31) fills 3b/2s orders +2 ~198 x0 !0 deferred 4 err 0
  t+12.0m           time since start on the bot's clock (simulated minutes in --sim)
  BTC mid … pos …   per coin: mid price and position in base units (+ long, − short)
  q 97001/97024     our best resting bid/ask (- = none resting); "warming up 3/30 bars" while the strategy
                    waits for its volatility estimate
  allow             risk mode of the coin: allow, reduce-only or halt (none before the first decision)
  σ 3.10bp A 1.00 k 0.50  the σ (per bar, bps), A (fills per bar) and k (per bp) of the last decision, "(fit)"
                    when A, k come from the online calibration; "pulled bid/ask" while the toxicity pull, the
                    sweep pull or the imbalance skip holds a side out
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
        : group === "Strategy options"
          ? "Strategy options (@botmm/strategy's settings; defaults < --config file's strategy section < flags):"
          : `${group}:`;
  const sections = groups.map(
    (group) =>
      `${heading(group)}\n${renderOptionRows(
        LIVE_OPTIONS.filter((option) => option.group === group).map((option) =>
          option.negatable === true ? { ...option, flag: `${option.flag}, --no-${option.flag}` } : option,
        ),
        34,
      )}`,
  );
  return `Usage: pnpm --filter live start -- [--sim | --paper | --testnet | --mainnet …] [options]
       pnpm --filter live start -- record --out DIR [record options]

${sections.join("\n\n")}

Strategy options are @botmm/strategy's settings, also written in a config file's "strategy" section (e.g.
  strategy: { model: glft, fairPrice: microprice }). Config file only: the "risk" section (@botmm/risk's, e.g.
  maxPosition: { limitUsd }, dailyLoss: { limitUsd }).

Subcommand record: Hyperliquid or Binance L2 books and trades → recording files for replay backtests (no key).
${renderOptionRows(RECORD_OPTIONS, 34)}

${STATUS_LEGEND}

${SIGNALS_HELP}`;
}

/** Usage text for `--help`, generated from {@link LIVE_OPTIONS} and the `record` options. */
export const USAGE = renderUsage();
