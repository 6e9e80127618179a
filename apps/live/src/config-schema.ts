import { BotmmError } from "@botmm/core";
import type { RiskConfig, RiskConfigInput } from "@botmm/risk";
import type { StrategyConfig } from "@botmm/strategy";
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

/** `--venue`: the exchanges the live bot trades. */
export const LIVE_VENUE_NAMES = ["hyperliquid", "binance", "bybit"] as const;
export type LiveVenueName = (typeof LIVE_VENUE_NAMES)[number];

/**
 * Each venue's entry fee tier (fractions of notional), put into the strategy's `makerFee` / `takerFee` unless
 * the user set them: Binance USDⓈ-M VIP 0 and Bybit linear VIP 0. Hyperliquid's tier 0 is the strategy's own
 * default.
 */
export const LIVE_VENUE_FEES: Readonly<Record<LiveVenueName, { makerFee: number; takerFee: number } | null>> =
  {
    hyperliquid: null,
    binance: { makerFee: 0.0002, takerFee: 0.0005 },
    bybit: { makerFee: 0.0002, takerFee: 0.00055 },
  };

/**
 * `--sim` and `--paper` on Binance: the strategy's default $100 order rounds down to 0.001 BTC (≈ $60 in the sim),
 * below BTCUSDT's $100 minimum notional, and would never be placed; they quote $200 unless the order size is set.
 */
export const LIVE_VENUE_SIM_PRESETS: Readonly<Record<LiveVenueName, Readonly<Record<string, number>>>> = {
  hyperliquid: {},
  binance: { orderSizeUsd: 200 },
  bybit: {},
};

/** `--sim-quotes`: the starter spreads that trade within minutes, or the strategy's live defaults. */
export type SimQuotes = "starter" | "defaults";

/**
 * Every default of the live app, in one place. Strategy and risk defaults come from their packages
 * (`DEFAULT_STRATEGY_CONFIG`, `DEFAULT_RISK_CONFIG`); only the live app's own settings are here.
 */
export const LIVE_DEFAULTS = {
  mode: "sim" as LiveMode,
  /** The exchange traded (and emulated in `--sim`). */
  venue: "hyperliquid" as LiveVenueName,
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
  /** In-process emulator of `--sim`; `quotes`: which strategy spreads `--sim` uses (see simStarterStrategy). */
  sim: { seed: 1, speed: 60, usdc: 100_000, quotes: "starter" as SimQuotes },
  /**
   * `--sim-quotes starter` (the `--sim` default): these strategy settings replace the strategy's defaults, so a
   * first run trades within minutes. On the emulated Hyperliquid market (measured like the real one, see
   * @botmm/hl-emulator's HYPERLIQUID_MARKET_PROFILES) a BTC quote 2 bps from the mid fills about once a minute
   * against 0.04 a minute at the default distance (2 bps + 1.5 × σ(1m), ≈ 8 bps); at tier-0 fees (maker 1.5 bps)
   * such tight quotes lose to fees and adverse selection. The fee floor stays on (maker fee + 0.5 bps = 2 bps).
   * A setting given explicitly (flag, environment, config file) always wins.
   */
  simStarterStrategy: { baseSpreadBps: 2, volMultiplier: 0 },
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
export type FieldMeta = {
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
    venue: z
      .enum(LIVE_VENUE_NAMES)
      .default(LIVE_DEFAULTS.venue)
      .meta(
        field({
          description:
            "exchange: hyperliquid, binance (USDⓈ-M perps; keys BOTMM_BINANCE_API_KEY / BOTMM_BINANCE_API_SECRET) or bybit (linear perps; BOTMM_BYBIT_API_KEY / BOTMM_BYBIT_API_SECRET); --sim emulates it in-process",
          env: "BOTMM_VENUE",
        }),
      ),
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
          description:
            'file holding the private key (instead of BOTMM_PRIVATE_KEY); with --venue binance|bybit a JSON file {"apiKey": "…", "secret": "…"}',
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
            "dead-man's switch: the venue cancels every order this long after the last re-arm (0 = off; at least 5000; scaled by speed/10 in --sim)",
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
      .meta(
        field({
          description:
            "compare open orders and positions with the venue this long after the last comparison ended",
        }),
      ),
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
        quotes: z
          .enum(["starter", "defaults"])
          .default(LIVE_DEFAULTS.sim.quotes)
          .meta(
            field({
              description: `starter: tight quotes (${starterText()}) that trade within minutes and, at tier-0 fees, lose to fees and adverse selection; defaults: the strategy's own, which fill a few times an hour like the real market. Strategy settings given explicitly win over both`,
            }),
          ),
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

/**
 * The starter strategy settings as flags, e.g. `--base-spread-bps 2 --vol-multiplier 0`.
 *
 * @example
 * ```ts
 * starterText(); // "--base-spread-bps 2 --vol-multiplier 0"
 * ```
 */
export function starterText(
  settings: Readonly<Record<string, unknown>> = LIVE_DEFAULTS.simStarterStrategy,
): string {
  return Object.entries(settings)
    .map(
      ([key, value]) => `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} ${String(value)}`,
    )
    .join(" ");
}

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
  /**
   * The starter settings this run quotes with (`--sim` with `--sim-quotes starter`, minus the ones set
   * explicitly); empty otherwise.
   */
  simStarterApplied: Readonly<Record<string, unknown>>;
  /**
   * The venue's presets put into the strategy (those not set explicitly): its fee tier, and in `--sim` on Binance
   * an order size above BTCUSDT's $100 minimum notional; empty on Hyperliquid.
   */
  venuePresetsApplied: Readonly<Record<string, number>>;
};

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
