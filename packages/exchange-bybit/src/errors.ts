import { BotmmError } from "@botmm/core";

/** Codes of {@link BybitVenueError}. */
export type BybitVenueErrorCode = "INVALID_OPTION" | "REQUEST_FAILED" | "UNKNOWN_COIN" | "CLOSED";

/**
 * What the Bybit adapter throws (batch methods never throw per order; they answer per order). Messages name
 * the request and Bybit's `retCode`/`retMsg`, never the API key or secret.
 *
 * @example
 * ```ts
 * throw new BybitVenueError("UNKNOWN_COIN", 'coin "DOGEUSDT" is not listed; known: BTCUSDT, ETHUSDT');
 * ```
 */
export class BybitVenueError extends BotmmError {
  declare readonly code: BybitVenueErrorCode;

  constructor(code: BybitVenueErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
