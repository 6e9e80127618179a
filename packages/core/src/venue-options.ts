import { z } from "zod";
import type { Clock } from "./clock.ts";

/**
 * Where a keyed venue adapter sends requests. Mainnet must be asked for by name; there is no default network.
 * A custom `baseUrl` (an emulator) streams from `wsUrl`, by default the same host as `ws://…`.
 */
export type VenueNetwork = "mainnet" | "testnet" | { baseUrl: string; wsUrl?: string };

/** The options every keyed (API key and secret) venue adapter takes; keys are never logged. */
export interface KeyedVenueOptions {
  network: VenueNetwork;
  apiKey: string;
  secret: string;
  clock: Clock;
  /** Marks this bot's orders: wire client ids are `<prefix>-<clientId>` (default "botmm"; 1–12 of [A-Za-z0-9_]). */
  clientIdPrefix?: string;
  /** Per-request timeout (default 5000 ms); a timed-out order answers `unknown`. */
  requestTimeoutMs?: number;
  /** How long a signed request stays valid after its timestamp (the venue's recvWindow; default 5000 ms). */
  recvWindowMs?: number;
  /** First wait before a dropped WebSocket is dialled again (default 250 ms; doubles, capped at 5 s). */
  reconnectDelayMs?: number;
}

/**
 * The zod fields every keyed (API key and secret) venue adapter validates the same way; spread them into the
 * venue's own schema next to its venue-specific fields.
 *
 * @example
 * ```ts
 * const schema = z.object({ ...keyedVenueOptionFields, bookLevels: z.number().int().default(20) });
 * ```
 */
export const keyedVenueOptionFields = {
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
  reconnectDelayMs: z.number().int().positive().max(60_000).default(250),
};

/**
 * Validates a venue's options: the clock by duck type (zod cannot see a class), the rest by the venue's
 * schema. Errors name every bad field and never echo a value, so a key or secret never reaches a log.
 *
 * @param venue the venue's name in the error ("invalid Binance venue options: …").
 * @param fail builds the venue's own error from the message.
 * @example
 * ```ts
 * const { clock, options } = parseVenueOptions(schema, input, "Binance", (m) => new BinanceVenueError("INVALID_OPTION", m));
 * ```
 */
export function parseVenueOptions<S extends z.ZodType, I extends { clock: Clock }>(
  schema: S,
  input: I,
  venue: string,
  fail: (message: string) => Error,
): { clock: Clock; options: z.output<S> } {
  const { clock, ...rest } = input;
  if (typeof clock?.now !== "function") throw fail("clock must be a Clock (an object with now())");
  const parsed = schema.safeParse(rest);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`);
    throw fail(`invalid ${venue} venue options: ${issues.join("; ")}`);
  }
  return { clock, options: parsed.data };
}

/**
 * The REST base and WebSocket root of a network: the venue's named hosts, or a custom base whose WebSocket
 * root defaults to the same host as `ws://…` plus `wsPath`.
 *
 * @example
 * ```ts
 * const hosts = { mainnet: { rest: "https://api.example.com", ws: "wss://stream.example.com" }, testnet: { rest: "https://t.example.com", ws: "wss://t-stream.example.com" } };
 * resolveVenueNetwork({ baseUrl: "http://127.0.0.1:4000/" }, hosts, "/ws"); // { rest: "http://127.0.0.1:4000/", ws: "ws://127.0.0.1:4000/ws" }
 * resolveVenueNetwork("mainnet", hosts).ws; // "wss://stream.example.com"
 * ```
 */
export function resolveVenueNetwork(
  network: VenueNetwork,
  hosts: Record<"mainnet" | "testnet", { rest: string; ws: string }>,
  wsPath = "",
): { rest: string; ws: string } {
  if (network === "mainnet" || network === "testnet") return hosts[network];
  return {
    rest: network.baseUrl,
    ws: network.wsUrl ?? `${network.baseUrl.replace(/^http/, "ws").replace(/\/+$/, "")}${wsPath}`,
  };
}
