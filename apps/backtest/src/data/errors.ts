import { BotmmError } from "@botmm/core";

/** Stable codes of {@link CandleSourceError}. */
export type CandleSourceErrorCode =
  /** An option of `loadCandles` (or a downloader) is missing or out of range. */
  | "INVALID_OPTIONS"
  /** The interval is not one the chosen source serves. */
  | "UNSUPPORTED_INTERVAL"
  /** The venue could not be reached, timed out, or asked us to slow down (worth retrying). */
  | "NETWORK"
  /** The venue answered with an error (unknown symbol, bad request, …); retrying will not help. */
  | "EXCHANGE"
  /** The venue answered with something that is not the documented candle format. */
  | "BAD_RESPONSE"
  /** The source has no candles in the requested range. */
  | "NO_DATA"
  /** A CSV file could not be read or decompressed. */
  | "CSV_READ";

/**
 * A candle source failed: a download, a file, or the options that chose them. `source` names it
 * (`binance`, `hyperliquid`, `csv`, …); `retryable` is true for network trouble that may pass.
 *
 * @example
 * ```ts
 * try {
 *   await loadCandles({ source: "binance", symbol: "BTCUSDT", interval: "1m" });
 * } catch (error) {
 *   if (error instanceof CandleSourceError && error.code === "NETWORK") console.error("offline?", error.message);
 * }
 * ```
 */
export class CandleSourceError extends BotmmError {
  declare readonly code: CandleSourceErrorCode;
  readonly source: string;
  readonly retryable: boolean;

  constructor(
    code: CandleSourceErrorCode,
    message: string,
    details: { source?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.source = details.source ?? "";
    this.retryable = details.retryable ?? false;
  }
}
