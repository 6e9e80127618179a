import {
  type Clock,
  type KeyedVenueOptions,
  keyedVenueOptionFields,
  parseVenueOptions,
  resolveVenueNetwork,
  type VenueNetwork,
} from "@botmm/core";
import { z } from "zod";
import { BinanceVenueError } from "./errors.ts";

/**
 * Where the adapter sends requests. Mainnet must be asked for by name; there is no default network. A custom
 * `baseUrl` (the emulator) streams from `wsUrl`, by default the same host as `ws://…/ws`.
 */
export type BinanceNetwork = VenueNetwork;

/** One line of the adapter's log (stream drops, reconnects, recoveries); never carries a key or listen key. */
export interface BinanceLogEntry {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  [key: string]: unknown;
}

/** Options of {@link BinanceUsdmVenue.connect}. Keys come from the caller only; they are never logged. */
export interface BinanceVenueOptions extends KeyedVenueOptions {
  /** Leverage ceiling reported in instruments (Binance serves it only per account; default 20). */
  maxLeverage?: number;
  /** Local request budget (Binance: 2400 weight per minute, 300 orders per 10 s, 1200 per minute). */
  requestBudget?: Partial<BinanceBudgetConfig>;
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

const NETWORKS = {
  mainnet: { rest: "https://fapi.binance.com", ws: "wss://fstream.binance.com/ws" },
  testnet: { rest: "https://testnet.binancefuture.com", ws: "wss://fstream.binancefuture.com/ws" },
};

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
  ...keyedVenueOptionFields,
  maxLeverage: z.number().positive().default(20),
  requestBudget: z
    .object({
      weightPerMinute: z.number().positive().default(2_400),
      ordersPer10s: z.number().positive().default(300),
      ordersPerMinute: z.number().positive().default(1_200),
    })
    .default({ weightPerMinute: 2_400, ordersPer10s: 300, ordersPerMinute: 1_200 }),
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
  const { clock, options: o } = parseVenueOptions(
    schema,
    options,
    "Binance",
    (message) => new BinanceVenueError("INVALID_OPTION", message),
  );
  const { rest: base, ws: wsUrl } = resolveVenueNetwork(o.network, NETWORKS, "/ws");
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
