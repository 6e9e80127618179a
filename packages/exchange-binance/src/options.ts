import type { Clock } from "@botmm/core";
import { z } from "zod";
import { BinanceVenueError } from "./errors.ts";

/**
 * Where the adapter sends requests. Mainnet must be asked for by name; there is no default network. A custom
 * `baseUrl` (the emulator) streams from `wsUrl`, by default the same host as `ws://…/ws`.
 */
export type BinanceNetwork = "mainnet" | "testnet" | { baseUrl: string; wsUrl?: string };

/** One line of the adapter's log (stream drops, reconnects, recoveries); never carries a key or listen key. */
export interface BinanceLogEntry {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  [key: string]: unknown;
}

/** Options of {@link BinanceUsdmVenue.connect}. Keys come from the caller only; they are never logged. */
export interface BinanceVenueOptions {
  network: BinanceNetwork;
  apiKey: string;
  secret: string;
  clock: Clock;
  /** Marks this bot's orders: wire client ids are `<prefix>-<clientId>` (default "botmm"; 1–12 of [A-Za-z0-9_]). */
  clientIdPrefix?: string;
  /** Per-request timeout (default 5000 ms); a timed-out order answers `unknown`. */
  requestTimeoutMs?: number;
  /** recvWindow sent with signed requests (default 5000 ms). */
  recvWindowMs?: number;
  /** Leverage ceiling reported in instruments (Binance serves it only per account; default 20). */
  maxLeverage?: number;
  /** Local request budget (Binance: 2400 weight per minute, 300 orders per 10 s, 1200 per minute). */
  requestBudget?: Partial<BinanceBudgetConfig>;
  /** First wait before a dropped WebSocket is dialled again (default 250 ms; doubles, capped at 5 s). */
  reconnectDelayMs?: number;
  /** Levels per side in `book` events (default 20). */
  bookLevels?: number;
  /** Receives the adapter's log lines (none by default). */
  onLog?: (entry: BinanceLogEntry) => void;
}

/** Binance USDⓈ-M request limits, tracked locally. */
export interface BinanceBudgetConfig {
  weightPerMinute: number;
  ordersPer10s: number;
  ordersPerMinute: number;
}

/** Options after validation. */
export interface ResolvedBinanceOptions {
  urls: Record<string, string>;
  /** ccxt's `urls.api.ws.future` (ccxt derives `/public/ws`, `/market/ws`, `/private/ws` from it). */
  wsUrl: string;
  reconnectDelayMs: number;
  bookLevels: number;
  onLog: ((entry: BinanceLogEntry) => void) | undefined;
  apiKey: string;
  secret: string;
  clock: Clock;
  clientIdPrefix: string;
  requestTimeoutMs: number;
  recvWindowMs: number;
  maxLeverage: number;
  budget: BinanceBudgetConfig;
}

const MAINNET_BASE = "https://fapi.binance.com";
const TESTNET_BASE = "https://testnet.binancefuture.com";
const MAINNET_WS = "wss://fstream.binance.com/ws";
const TESTNET_WS = "wss://fstream.binancefuture.com/ws";

/**
 * ccxt's `urls.api` keys for USDⓈ-M futures, all pointed at one base URL (so no request can leave for another
 * host). The only place hostnames live.
 *
 * @example
 * ```ts
 * binanceUsdmUrls("http://127.0.0.1:4000").fapiPrivate; // "http://127.0.0.1:4000/fapi/v1"
 * ```
 */
export function binanceUsdmUrls(baseUrl: string): Record<string, string> {
  const base = baseUrl.replace(/\/+$/, "");
  return {
    fapiPublic: `${base}/fapi/v1`,
    fapiPublicV2: `${base}/fapi/v2`,
    fapiPublicV3: `${base}/fapi/v3`,
    fapiPrivate: `${base}/fapi/v1`,
    fapiPrivateV2: `${base}/fapi/v2`,
    fapiPrivateV3: `${base}/fapi/v3`,
    fapiData: `${base}/futures/data`,
  };
}

const schema = z.object({
  network: z.union([
    z.literal("mainnet"),
    z.literal("testnet"),
    z.object({
      baseUrl: z.url({ protocol: /^https?$/ }),
      wsUrl: z.url({ protocol: /^wss?$/ }).optional(),
    }),
  ]),
  apiKey: z.string().min(1, "apiKey must be a non-empty string"),
  secret: z.string().min(1, "secret must be a non-empty string"),
  clientIdPrefix: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,12}$/, "1–12 of [A-Za-z0-9_]")
    .default("botmm"),
  requestTimeoutMs: z.number().int().positive().default(5_000),
  recvWindowMs: z.number().int().positive().max(60_000).default(5_000),
  maxLeverage: z.number().positive().default(20),
  requestBudget: z
    .object({
      weightPerMinute: z.number().positive().default(2_400),
      ordersPer10s: z.number().positive().default(300),
      ordersPerMinute: z.number().positive().default(1_200),
    })
    .default({ weightPerMinute: 2_400, ordersPer10s: 300, ordersPerMinute: 1_200 }),
  reconnectDelayMs: z.number().int().positive().max(60_000).default(250),
  bookLevels: z.number().int().min(1).max(1_000).default(20),
  onLog: z.custom<(entry: BinanceLogEntry) => void>((value) => typeof value === "function").optional(),
});

/**
 * Validates options; errors name the field and never echo the key or secret.
 *
 * @throws BinanceVenueError `INVALID_OPTION`.
 * @example
 * ```ts
 * resolveBinanceOptions({ network: { baseUrl: emulator.url }, apiKey, secret, clock }).clientIdPrefix; // "botmm"
 * ```
 */
export function resolveBinanceOptions(options: BinanceVenueOptions): ResolvedBinanceOptions {
  const { clock, ...rest } = options;
  if (typeof clock?.now !== "function")
    throw new BinanceVenueError("INVALID_OPTION", "clock must be a Clock (an object with now())");
  const parsed = schema.safeParse(rest);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`);
    throw new BinanceVenueError("INVALID_OPTION", `invalid Binance venue options: ${issues.join("; ")}`);
  }
  const o = parsed.data;
  const base =
    o.network === "mainnet" ? MAINNET_BASE : o.network === "testnet" ? TESTNET_BASE : o.network.baseUrl;
  const wsUrl =
    o.network === "mainnet"
      ? MAINNET_WS
      : o.network === "testnet"
        ? TESTNET_WS
        : (o.network.wsUrl ?? `${base.replace(/^http/, "ws").replace(/\/+$/, "")}/ws`);
  return {
    urls: binanceUsdmUrls(base),
    wsUrl,
    reconnectDelayMs: o.reconnectDelayMs,
    bookLevels: o.bookLevels,
    onLog: o.onLog,
    apiKey: o.apiKey,
    secret: o.secret,
    clock,
    clientIdPrefix: o.clientIdPrefix,
    requestTimeoutMs: o.requestTimeoutMs,
    recvWindowMs: o.recvWindowMs,
    maxLeverage: o.maxLeverage,
    budget: { ...o.requestBudget },
  };
}
