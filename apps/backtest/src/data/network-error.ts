/** Error codes of a machine that cannot resolve names or reach any network. */
const OFFLINE_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "ENETDOWN", "EHOSTUNREACH"]);
const KNOWN_CODES = [
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTUNREACH",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
] as const;

/** The system error code somewhere in an error's `cause` chain or messages (`ENOTFOUND`, …), or null. */
export function networkErrorCode(error: unknown): string | null {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && current !== undefined && !seen.has(current)) {
    seen.add(current);
    if (typeof current === "object") {
      const code = (current as { code?: unknown }).code;
      if (typeof code === "string" && (KNOWN_CODES as readonly string[]).includes(code)) return code;
      const message = (current as { message?: unknown }).message;
      if (typeof message === "string") {
        const found = KNOWN_CODES.find((known) => message.includes(known));
        if (found !== undefined) return found;
        if (/timed? ?out|TimeoutError/i.test(message)) return "ETIMEDOUT";
      }
      if ((current as { name?: unknown }).name === "TimeoutError") return "ETIMEDOUT";
      current = (current as { cause?: unknown }).cause;
    } else break;
  }
  return null;
}

/**
 * Why a request to `url` failed, in words that name the host: `cannot reach api.hyperliquid.xyz
 * (https://api.hyperliquid.xyz/info): the name does not resolve (ENOTFOUND) — this machine looks offline`.
 *
 * @example
 * ```ts
 * describeUnreachable("http://127.0.0.1:8081/info", error); // "cannot reach 127.0.0.1:8081 (…): connection refused (ECONNREFUSED) — nothing listens there"
 * ```
 */
export function describeUnreachable(url: string, error: unknown): string {
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // Not a URL: name it as given.
  }
  const code = networkErrorCode(error);
  const where = `cannot reach ${host} (${url})`;
  if (code === null) return `${where}: ${error instanceof Error ? error.message : String(error)}`;
  if (OFFLINE_CODES.has(code)) {
    const what =
      code === "ENOTFOUND" || code === "EAI_AGAIN" ? "the name does not resolve" : "no route to it";
    return `${where}: ${what} (${code}) — this machine looks offline`;
  }
  if (code === "ECONNREFUSED") return `${where}: connection refused (${code}) — nothing listens there`;
  if (code === "ECONNRESET") return `${where}: the connection was reset (${code})`;
  if (code === "ETIMEDOUT" || code === "UND_ERR_CONNECT_TIMEOUT")
    return `${where}: no answer in time (${code}) — offline, or the host is slow`;
  return `${where}: TLS certificate problem (${code})`;
}
