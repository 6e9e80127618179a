import { HyperliquidVenueError } from "./errors.ts";

const PREFIX = /^[0-9a-f]{16}$/;
const CLIENT_ID = /^[1-9]\d{0,19}$/;
const CLOID = /^0x[0-9a-f]{32}$/;
const MAX_CLIENT_ID = (1n << 64n) - 1n;

/**
 * Checks and normalises a bot's cloid prefix: 16 hex digits (8 bytes), lowercased.
 *
 * @throws HyperliquidVenueError `INVALID_PREFIX` when it is not 16 hex digits.
 * @example
 * ```ts
 * normalizeClientIdPrefix("B07A11CE00000001"); // "b07a11ce00000001"
 * ```
 */
export function normalizeClientIdPrefix(prefix: string): string {
  const lower = typeof prefix === "string" ? prefix.toLowerCase() : "";
  if (!PREFIX.test(lower)) {
    throw new HyperliquidVenueError(
      "INVALID_PREFIX",
      `clientIdPrefix must be 16 hex digits (8 bytes) such as "b07a11ce00000001", got ${JSON.stringify(prefix)}`,
    );
  }
  return lower;
}

/**
 * The cloid (Hyperliquid client order id, 16 bytes) of a bot's order: `0x` + the bot's 16-hex-digit prefix +
 * the client id as 16 hex digits. The prefix tells this bot's orders from any other's.
 *
 * @param prefix 16 hex digits identifying the bot.
 * @param clientId the decimal digits of a positive integer below 2^64 (the OrderManager's numbering).
 * @throws HyperliquidVenueError `INVALID_PREFIX` or `INVALID_CLIENT_ID`.
 * @example
 * ```ts
 * clientIdToCloid("b07a11ce00000001", "42"); // "0xb07a11ce00000001000000000000002a"
 * ```
 */
export function clientIdToCloid(prefix: string, clientId: string): `0x${string}` {
  const normalized = normalizeClientIdPrefix(prefix);
  if (typeof clientId !== "string" || !CLIENT_ID.test(clientId) || BigInt(clientId) > MAX_CLIENT_ID) {
    throw new HyperliquidVenueError(
      "INVALID_CLIENT_ID",
      `clientId must be the decimal digits of an integer from 1 to 2^64 − 1 such as "42", got ${JSON.stringify(clientId)}`,
    );
  }
  return `0x${normalized}${BigInt(clientId).toString(16).padStart(16, "0")}`;
}

/**
 * The client id carried by a cloid, or `null` when the cloid is absent, malformed, carries another prefix
 * (another bot's or a manual order) or a zero id.
 *
 * @example
 * ```ts
 * cloidToClientId("b07a11ce00000001", "0xb07a11ce00000001000000000000002a"); // "42"
 * cloidToClientId("b07a11ce00000001", "0x0123456789abcdef000000000000002a"); // null
 * ```
 */
export function cloidToClientId(prefix: string, cloid: string | null | undefined): string | null {
  if (typeof cloid !== "string") return null;
  const lower = cloid.toLowerCase();
  if (!CLOID.test(lower) || lower.slice(2, 18) !== prefix.toLowerCase()) return null;
  const id = BigInt(`0x${lower.slice(18)}`);
  return id === 0n ? null : id.toString();
}

/**
 * Whether a client id is usable in a cloid: decimal digits of an integer from 1 to 2^64 − 1.
 *
 * @example
 * ```ts
 * isValidClientId("42"); // true
 * isValidClientId("0x2a"); // false
 * ```
 */
export function isValidClientId(clientId: string): boolean {
  return typeof clientId === "string" && CLIENT_ID.test(clientId) && BigInt(clientId) <= MAX_CLIENT_ID;
}
