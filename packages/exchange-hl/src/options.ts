import type { Clock } from "@botmm/core";
import type { RequestBudgetConfig } from "@botmm/risk";
import type { LocalAccount } from "viem";
import { z } from "zod";
import { HyperliquidVenueError } from "./errors.ts";

/** One log line of the adapter. Never carries a key; `message` is human-readable, the rest structured. */
export interface HyperliquidLogEntry {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  [key: string]: unknown;
}

/** Where the venue is: Hyperliquid mainnet, testnet, or any URLs (the emulator on 127.0.0.1). */
export type HyperliquidNetwork =
  | "mainnet"
  | "testnet"
  | { apiUrl: string; wsUrl: string; isTestnet?: boolean };

/** How to connect a {@link HyperliquidVenue}. */
export interface HyperliquidVenueOptions {
  network: HyperliquidNetwork;
  /** The signer: the master key or an agent (API) wallet, from {@link loadWallet}. */
  wallet: LocalAccount;
  /** The account traded for (default `wallet.address`; set it when `wallet` is an agent). */
  user?: `0x${string}`;
  clock: Clock;
  /** 16 hex digits identifying this bot's orders inside every cloid. */
  clientIdPrefix: string;
  /** Timeout of every HTTP request and WebSocket request (default 10,000 ms). */
  requestTimeoutMs?: number;
  /**
   * Horizon of the dead-man's switch (`scheduleCancel`) kept alive while armed (default 60,000 ms; ≥ 5,000);
   * `null` disables it.
   */
  deadManSwitchMs?: number | null;
  onLog?: (entry: HyperliquidLogEntry) => void;
  /** How often (clock time) `meta` is reloaded (default 600,000 ms = 10 min). */
  instrumentRefreshMs?: number;
  /**
   * Real-time period of the housekeeping loop that re-arms the dead-man's switch and refreshes instruments when
   * the clock says they are due (default min(1,000, deadManSwitchMs / 6) ms).
   */
  housekeepingIntervalMs?: number;
  /** Delay before a WebSocket reconnect attempt (default: the SDK's backoff, 150 ms doubling to 10 s). */
  reconnectDelayMs?: number;
  /** Local request-budget settings (default: Hyperliquid's limits, see `@botmm/risk` `RequestBudget`). */
  requestBudget?: Partial<RequestBudgetConfig>;
  /** Sync the local budget with the venue's `userRateLimit` at connect (default true). */
  syncRequestBudget?: boolean;
}

/** {@link HyperliquidVenueOptions} with every default filled in. */
export interface ResolvedOptions {
  apiUrl: string | undefined;
  wsUrl: string | undefined;
  isTestnet: boolean;
  wallet: LocalAccount;
  user: `0x${string}`;
  clock: Clock;
  clientIdPrefix: string;
  requestTimeoutMs: number;
  deadManSwitchMs: number | null;
  onLog: ((entry: HyperliquidLogEntry) => void) | undefined;
  instrumentRefreshMs: number;
  housekeepingIntervalMs: number;
  reconnectDelayMs: number | undefined;
  requestBudget: Partial<RequestBudgetConfig> | undefined;
  syncRequestBudget: boolean;
}

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected an address: 0x + 40 hex digits");
const positiveMs = z.number().int("expected an integer number of ms").positive("expected ms > 0");

// The wallet is checked by hand and never given to zod, so no error message can ever echo it.
const schema = z.strictObject({
  network: z.union(
    [
      z.enum(["mainnet", "testnet"]),
      z.strictObject({
        apiUrl: z.string().regex(/^https?:\/\//, "expected an http(s) URL"),
        wsUrl: z.string().regex(/^wss?:\/\//, "expected a ws(s) URL"),
        isTestnet: z.boolean().optional(),
      }),
    ],
    { error: 'expected "mainnet", "testnet" or { apiUrl, wsUrl, isTestnet? }' },
  ),
  user: address.optional(),
  clock: z.custom<Clock>(
    (value) => typeof (value as Clock | null)?.now === "function",
    "expected a Clock ({ now(): number })",
  ),
  clientIdPrefix: z.string().regex(/^[0-9a-fA-F]{16}$/, "expected 16 hex digits such as b07a11ce00000001"),
  requestTimeoutMs: positiveMs.optional(),
  deadManSwitchMs: z
    .number()
    .int()
    .min(5_000, "expected ≥ 5000 ms (the venue's minimum) or null")
    .nullable()
    .optional(),
  onLog: z.custom<(entry: HyperliquidLogEntry) => void>((value) => typeof value === "function").optional(),
  instrumentRefreshMs: positiveMs.optional(),
  housekeepingIntervalMs: z.number().positive().optional(),
  reconnectDelayMs: z.number().nonnegative().optional(),
  requestBudget: z.record(z.string(), z.unknown()).optional(),
  syncRequestBudget: z.boolean().optional(),
});

/**
 * Validates {@link HyperliquidVenueOptions} and fills in the defaults.
 *
 * @throws HyperliquidVenueError `INVALID_OPTION` naming the field and what was expected.
 * @example
 * ```ts
 * const resolved = resolveOptions({ network: "testnet", wallet, clock, clientIdPrefix: "b07a11ce00000001" });
 * resolved.deadManSwitchMs; // 60000
 * ```
 */
export function resolveOptions(options: HyperliquidVenueOptions): ResolvedOptions {
  const { wallet, ...rest } = options ?? ({} as HyperliquidVenueOptions);
  if (
    typeof wallet !== "object" ||
    wallet === null ||
    typeof wallet.address !== "string" ||
    typeof wallet.signTypedData !== "function"
  ) {
    throw new HyperliquidVenueError(
      "INVALID_OPTION",
      "wallet: expected a viem LocalAccount (use loadWallet({ env: process.env }))",
    );
  }
  const parsed = schema.safeParse(rest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HyperliquidVenueError(
      "INVALID_OPTION",
      `${issue?.path.join(".") || "options"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const o = parsed.data;
  const network = o.network;
  const deadManSwitchMs = o.deadManSwitchMs === undefined ? 60_000 : o.deadManSwitchMs;
  return {
    apiUrl: typeof network === "string" ? undefined : network.apiUrl,
    wsUrl: typeof network === "string" ? undefined : network.wsUrl,
    isTestnet: typeof network === "string" ? network === "testnet" : (network.isTestnet ?? false),
    wallet,
    user: (o.user ?? wallet.address).toLowerCase() as `0x${string}`,
    clock: o.clock,
    clientIdPrefix: o.clientIdPrefix.toLowerCase(),
    requestTimeoutMs: o.requestTimeoutMs ?? 10_000,
    deadManSwitchMs,
    onLog: o.onLog,
    instrumentRefreshMs: o.instrumentRefreshMs ?? 600_000,
    housekeepingIntervalMs: o.housekeepingIntervalMs ?? Math.min(1_000, (deadManSwitchMs ?? 6_000) / 6),
    reconnectDelayMs: o.reconnectDelayMs,
    requestBudget: o.requestBudget as Partial<RequestBudgetConfig> | undefined,
    syncRequestBudget: o.syncRequestBudget ?? true,
  };
}
