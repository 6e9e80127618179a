import { BotmmError } from "@botmm/core";

/** Codes of {@link BinanceVenueError}. */
export type BinanceVenueErrorCode = "INVALID_OPTION" | "REQUEST_FAILED" | "UNKNOWN_COIN" | "CLOSED";

/**
 * What the Binance adapter throws (batch methods never throw per order; they answer per order). Messages name
 * the request and the venue's `code`/`msg`, never the API key or secret.
 *
 * @example
 * ```ts
 * throw new BinanceVenueError("UNKNOWN_COIN", 'coin "DOGEUSDT" is not listed; known: BTCUSDT, ETHUSDT');
 * ```
 */
export class BinanceVenueError extends BotmmError {
  declare readonly code: BinanceVenueErrorCode;

  constructor(code: BinanceVenueErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
