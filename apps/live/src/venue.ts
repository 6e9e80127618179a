import type { Fill, Venue } from "@botmm/core";
import {
  HYPERLIQUID_MAINNET,
  HYPERLIQUID_TESTNET,
  type HyperliquidNetwork,
  HyperliquidVenueError,
} from "@botmm/exchange-hl";
import type { RequestBudget } from "@botmm/risk";

/**
 * The `Venue` the live bot drives, plus the optional extras of a real exchange adapter
 * (`HyperliquidVenue` of `@botmm/exchange-hl` has them all; the paper venue has some). Each extra is
 * optional so the bot degrades gracefully: no dead-man's switch → a loud warning, no `cancelAllOwnOrders`
 * → cancels by client id.
 */
export interface LiveVenue extends Venue {
  setLeverage?(coin: string, leverage: number): Promise<unknown>;
  cancelAllOwnOrders?(coin?: string): Promise<unknown>;
  armDeadManSwitch?(): Promise<unknown>;
  disarmDeadManSwitch?(): Promise<unknown>;
  accountValue?(): Promise<number>;
  /**
   * Records every request the adapter sends (and traded volume) in `budget`, the risk engine's, so the bot
   * paces, slows down and halts on one request budget that sees everything (`HyperliquidVenue`).
   */
  useRequestBudget?(budget: RequestBudget): Promise<void>;
  /** Own fills since `timeMs` (Hyperliquid `userFillsByTime`): fills missed while the bot was down. */
  fillsSince?(timeMs: number): Promise<Fill[]>;
  close?(): Promise<void>;
}

/** What a failed connection's cause means and what to check, by Node's error code. */
const NETWORK_CAUSES: Record<string, string> = {
  ENOTFOUND: "the host name does not resolve: check the URL, your internet connection and DNS",
  EAI_AGAIN: "the host name could not be resolved (DNS unreachable): check your internet connection and DNS",
  ECONNREFUSED:
    "nothing listens there: check the URL and port, and that the server (e.g. the emulator) is running",
  ECONNRESET: "the connection was reset: a proxy or firewall may be in the way; try again",
  ETIMEDOUT: "the connection timed out: check your internet connection, proxy and firewall",
  EHOSTUNREACH: "the host is unreachable: check your network connection",
  ENETUNREACH: "the network is unreachable: check your network connection (offline?)",
  UND_ERR_CONNECT_TIMEOUT: "the connection timed out: check your internet connection, proxy and firewall",
  UND_ERR_SOCKET: "the connection broke: a proxy or firewall may be in the way; try again",
  CERT_HAS_EXPIRED: "its TLS certificate has expired (or the system clock is wrong)",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its TLS certificate cannot be verified: a TLS-intercepting proxy?",
  SELF_SIGNED_CERT_IN_CHAIN: "its TLS certificate chain is self-signed: a TLS-intercepting proxy?",
};

/**
 * A start-up error of the venue, rewritten to name the URL that failed and what to check (a bare
 * `fetch failed` names neither). Errors that are not about the venue (a bad key) are returned unchanged. Credentials in the URL are never printed; the cause chain is searched for
 * Node's network error code (`ENOTFOUND`, `ECONNREFUSED`, …) or a timeout.
 *
 * @example
 * ```ts
 * describeVenueError(error, "https://api.hyperliquid-testnet.xyz");
 * // "cannot reach https://api.hyperliquid-testnet.xyz (getaddrinfo ENOTFOUND api.hyperliquid-testnet.xyz):
 * //  the host name does not resolve: check the URL, your internet connection and DNS"
 * ```
 */
export function describeVenueError(error: unknown, apiUrl: string): string {
  const where = safeUrl(apiUrl);
  const message = error instanceof Error ? error.message : String(error);
  let cause: unknown = error;
  let innermost = message;
  for (let depth = 0; depth < 8 && cause instanceof Error; depth++) {
    innermost = cause.message;
    const code = (cause as Error & { code?: unknown }).code;
    if (typeof code === "string" && code in NETWORK_CAUSES) {
      return `cannot reach ${where} (${cause.message}): ${NETWORK_CAUSES[code]}`;
    }
    if (cause.name === "TimeoutError" || cause.name === "AbortError") {
      return `no answer from ${where} in time (${cause.message}): check your connection, or raise --request-timeout-ms`;
    }
    cause = cause.cause ?? (cause instanceof AggregateError ? cause.errors[0] : undefined);
  }
  if (innermost === "bad port") {
    return `cannot reach ${where}: fetch refuses this port (a reserved one such as 9, 25 or 6000); use another port`;
  }
  if (/fetch failed|network|socket|ECONN|ENOTFOUND|EAI_AGAIN/i.test(message)) {
    return `cannot reach ${where} (${innermost}): check the URL, your internet connection, proxy and firewall`;
  }
  // The venue's own errors (an HTTP status, a malformed answer) get its URL; others (a bad key) stay as they are.
  return error instanceof HyperliquidVenueError && !message.includes(where)
    ? `${message} (venue ${where})`
    : message;
}

/**
 * The HTTP API URL of a Hyperliquid network setting, for messages.
 *
 * @example
 * ```ts
 * venueApiUrl("testnet"); // "https://api.hyperliquid-testnet.xyz"
 * ```
 */
export function venueApiUrl(network: HyperliquidNetwork): string {
  if (network === "mainnet") return HYPERLIQUID_MAINNET.apiUrl;
  if (network === "testnet") return HYPERLIQUID_TESTNET.apiUrl;
  return network.apiUrl;
}

function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(an invalid URL)";
  }
}
