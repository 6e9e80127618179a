import {
  type Clock,
  type KeyedVenueOptions,
  keyedVenueOptionFields,
  parseVenueOptions,
  resolveVenueNetwork,
  type VenueNetwork,
} from "@botmm/core";
import { z } from "zod";
import type { BybitBudgetConfig } from "./budget.ts";
import { BybitVenueError } from "./errors.ts";

/**
 * Where the adapter sends requests. Mainnet must be asked for by name; there is no default network. A custom
 * `baseUrl` (the emulator) streams from `wsUrl`, by default the same host as `ws://…` (paths
 * `/v5/public/linear` and `/v5/private` under it).
 */
export type BybitNetwork = VenueNetwork;

/** One line of the adapter's log (stream drops, reconnects, recoveries); never carries a key or signature. */
export interface BybitLogEntry {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  [key: string]: unknown;
}

/** Options of {@link BybitLinearVenue.connect}. Keys come from the caller only; they are never logged. */
export interface BybitVenueOptions extends KeyedVenueOptions {
  /** Marks this bot's orders: wire `orderLinkId`s are `<prefix>-<clientId>` (default "botmm"; 1–12 of [A-Za-z0-9_]). */
  clientIdPrefix?: string;
  /** `X-BAPI-RECV-WINDOW` (default 5000 ms). */
  recvWindowMs?: number;
  /**
   * Bybit accepts a PostOnly order that would cross and then cancels it; with `confirmPlacements` (default
   * true) every place/amend batch is followed by a look-up (one `order/realtime` per coin, plus one per order
   * no longer open) so a crossing order answers `rejected` / `post-only` at once.
   */
  confirmPlacements?: boolean;
  /** Send several orders (cancels) of one coin as one `/v5/order/create-batch` (`cancel-batch`); default true. */
  batchOrders?: boolean;
  /** Local request budget (Bybit UTA linear: 10/s create, amend, cancel; 50/s queries; 600 per 5 s per IP). */
  requestBudget?: Partial<BybitBudgetConfig>;
  /** Levels a side in streamed `book` events (default 20; the stream carries 50). */
  bookLevels?: number;
  /** Receives the adapter's log lines (none by default). */
  onLog?: (entry: BybitLogEntry) => void;
}

/** Options after validation. */
export interface ResolvedBybitOptions {
  urls: Record<string, string>;
  /** ccxt's `urls.api.ws` (public linear and private contract streams). */
  wsUrls: BybitWsUrls;
  reconnectDelayMs: number;
  bookLevels: number;
  onLog: ((entry: BybitLogEntry) => void) | undefined;
  apiKey: string;
  secret: string;
  clock: Clock;
  clientIdPrefix: string;
  requestTimeoutMs: number;
  recvWindowMs: number;
  confirmPlacements: boolean;
  batchOrders: boolean;
  budget: BybitBudgetConfig;
}

const NETWORKS = {
  mainnet: { rest: "https://api.bybit.com", ws: "wss://stream.bybit.com" },
  testnet: { rest: "https://api-testnet.bybit.com", ws: "wss://stream-testnet.bybit.com" },
};

/** ccxt's `urls.api.ws` for Bybit's linear public and private streams. */
export interface BybitWsUrls {
  public: { linear: string };
  private: { contract: string };
}

/**
 * ccxt's `urls.api.ws` for Bybit, all under one WebSocket root (so no stream can leave for another host).
 *
 * @example
 * ```ts
 * bybitWsUrls("ws://127.0.0.1:4000").private.contract; // "ws://127.0.0.1:4000/v5/private"
 * ```
 */
export function bybitWsUrls(wsBase: string): BybitWsUrls {
  const base = wsBase.replace(/\/+$/, "");
  return { public: { linear: `${base}/v5/public/linear` }, private: { contract: `${base}/v5/private` } };
}

/**
 * ccxt's `urls.api` keys for Bybit, all pointed at one base URL (so no request can leave for another host).
 * The only place hostnames live.
 *
 * @example
 * ```ts
 * bybitUrls("http://127.0.0.1:4000").private; // "http://127.0.0.1:4000"
 * ```
 */
export function bybitUrls(baseUrl: string): Record<string, string> {
  const base = baseUrl.replace(/\/+$/, "");
  return { spot: base, futures: base, v2: base, public: base, private: base };
}

const DEFAULT_BUDGET: BybitBudgetConfig = {
  createPerSecond: 10,
  amendPerSecond: 10,
  cancelPerSecond: 10,
  queryPerSecond: 50,
  dcpPerSecond: 5,
  ipPer5s: 600,
};

const schema = z.object({
  ...keyedVenueOptionFields,
  confirmPlacements: z.boolean().default(true),
  batchOrders: z.boolean().default(true),
  requestBudget: z
    .object({
      createPerSecond: z.number().positive(),
      amendPerSecond: z.number().positive(),
      cancelPerSecond: z.number().positive(),
      queryPerSecond: z.number().positive(),
      dcpPerSecond: z.number().positive(),
      ipPer5s: z.number().positive(),
    })
    .partial()
    .default({}),
  bookLevels: z.number().int().min(1).max(50).default(20),
  onLog: z.custom<(entry: BybitLogEntry) => void>((value) => typeof value === "function").optional(),
});

/**
 * Validates options; errors name the field and never echo the key or secret.
 *
 * @throws BybitVenueError `INVALID_OPTION`.
 * @example
 * ```ts
 * resolveBybitOptions({ network: { baseUrl: emulator.url }, apiKey, secret, clock }).clientIdPrefix; // "botmm"
 * ```
 */
export function resolveBybitOptions(options: BybitVenueOptions): ResolvedBybitOptions {
  const { clock, options: o } = parseVenueOptions(
    schema,
    options,
    "Bybit",
    (message) => new BybitVenueError("INVALID_OPTION", message),
  );
  const { rest: base, ws: wsBase } = resolveVenueNetwork(o.network, NETWORKS);
  return {
    urls: bybitUrls(base),
    wsUrls: bybitWsUrls(wsBase),
    reconnectDelayMs: o.reconnectDelayMs,
    bookLevels: o.bookLevels,
    onLog: o.onLog,
    apiKey: o.apiKey,
    secret: o.secret,
    clock,
    clientIdPrefix: o.clientIdPrefix,
    requestTimeoutMs: o.requestTimeoutMs,
    recvWindowMs: o.recvWindowMs,
    confirmPlacements: o.confirmPlacements,
    batchOrders: o.batchOrders,
    budget: { ...DEFAULT_BUDGET, ...o.requestBudget },
  };
}
