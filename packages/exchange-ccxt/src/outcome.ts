import ccxt from "ccxt";

/**
 * How one ccxt request ended, as the adapters answer it: `ok` with its value; `rejected`, nothing executed
 * (the venue refused, 429/418 or a local refusal), with the venue's error code when its words carry one; or
 * `unknown`, the request may or may not have executed (timeout, dropped connection, 5xx): reconcile by client
 * id before sending it again.
 */
export type CcxtOutcome<T> =
  | { kind: "ok"; value: T }
  | { kind: "rejected"; reason: string; code: number | null; errorName: string }
  | { kind: "unknown"; reason: string };

/** How {@link settleCcxtCall} reads a failed request. */
export interface CcxtSettleOptions {
  /** The error's words with every secret removed (they become the outcome's `reason`). */
  describe(error: unknown): string;
  /** The venue's error code in those words (Binance `code`, Bybit `retCode`), or null. */
  codeOf(reason: string): number | null;
  /** Venue codes that say the outcome is unknown although ccxt raised an `ExchangeError` (Bybit's timeouts). */
  unknownCodes?: ReadonlySet<number>;
}

/**
 * Runs one ccxt request and classifies how it ended; never throws. 429/418 (`DDoSProtection`,
 * `RateLimitExceeded`) are refusals; other network errors and 5xx leave the outcome unknown; the venue's own
 * refusals (`ExchangeError`) are rejections unless their code is one of `unknownCodes`; anything else is
 * unknown.
 *
 * @example
 * ```ts
 * const outcome = await settleCcxtCall(() => exchange.cancelOrder(id, symbol), {
 *   describe: (error) => String(error),
 *   codeOf: (reason) => Number(/"code":(-?\d+)/.exec(reason)?.[1] ?? Number.NaN) || null,
 * });
 * if (outcome.kind === "unknown") await reconcile();
 * ```
 */
export async function settleCcxtCall<T>(
  call: () => Promise<T>,
  options: CcxtSettleOptions,
): Promise<CcxtOutcome<T>> {
  try {
    return { kind: "ok", value: await call() };
  } catch (error) {
    return failedOutcome(error, options);
  }
}

/**
 * The outcome of a ccxt request that threw `error` (see {@link settleCcxtCall}).
 *
 * @example
 * ```ts
 * failedOutcome(new ccxt.RequestTimeout("timed out"), { describe: String, codeOf: () => null }).kind; // "unknown"
 * ```
 */
export function failedOutcome(
  error: unknown,
  options: CcxtSettleOptions,
): Exclude<CcxtOutcome<never>, { kind: "ok" }> {
  const reason = options.describe(error);
  const errorName = error instanceof Error ? error.constructor.name : "";
  const code = options.codeOf(reason);
  if (error instanceof ccxt.DDoSProtection || error instanceof ccxt.RateLimitExceeded)
    return { kind: "rejected", reason, code, errorName };
  if (error instanceof ccxt.NetworkError) return { kind: "unknown", reason };
  if (code !== null && options.unknownCodes?.has(code)) return { kind: "unknown", reason };
  if (error instanceof ccxt.ExchangeError) return { kind: "rejected", reason, code, errorName };
  return { kind: "unknown", reason };
}

/**
 * An error's words (`ClassName: message`) with every secret replaced by `[redacted]`, then each pattern
 * applied (signatures, listen keys: whatever the venue puts in URLs or headers).
 *
 * @example
 * ```ts
 * redactedError(new Error("bad key abc"), ["abc"], [[/signature=[0-9a-f]+/g, "signature=[redacted]"]]);
 * // "Error: bad key [redacted]"
 * ```
 */
export function redactedError(
  error: unknown,
  secrets: readonly string[],
  patterns: readonly (readonly [RegExp, string])[] = [],
): string {
  let text = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
  for (const secret of secrets) if (secret !== "") text = text.split(secret).join("[redacted]");
  for (const [pattern, replacement] of patterns) text = text.replace(pattern, replacement);
  return text;
}

/**
 * Calls a caller's log sink with `{ ...fields, level, message }`; a sink that throws is ignored (a failing
 * logger must not break trading).
 *
 * @example
 * ```ts
 * logSafely(options.onLog, "warn", "stream down", { stream: "book:BTCUSDT" });
 * ```
 */
export function logSafely<L extends string>(
  onLog: ((entry: { level: L; message: string; [key: string]: unknown }) => void) | undefined,
  level: L,
  message: string,
  fields: Record<string, unknown> = {},
): void {
  if (!onLog) return;
  try {
    onLog({ ...fields, level, message });
  } catch {
    // A failing logger must not break trading.
  }
}
