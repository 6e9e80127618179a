import { BotmmError } from "@botmm/core";

/**
 * Stable codes of {@link HyperliquidVenueError}:
 * - `INVALID_OPTION`: a {@link HyperliquidVenueOptions} field is wrong (the message names it).
 * - `INVALID_CLIENT_ID` / `INVALID_PREFIX`: a client id is not the decimal digits of a positive integer that
 *   fits 64 bits, or a prefix is not 16 hex digits.
 * - `UNKNOWN_COIN`: the coin is not in the venue's `meta` (refresh instruments or check the symbol).
 * - `REQUEST_FAILED`: an info or exchange request failed (transport error, timeout, HTTP status); retry later.
 * - `LEVERAGE_REFUSED`: the venue refused `updateLeverage`.
 * - `DEAD_MAN_SWITCH_REFUSED`: the venue refused `scheduleCancel` (e.g. before $1M of traded volume).
 * - `DEAD_MAN_SWITCH_DISABLED`: `deadManSwitchMs` is `null`.
 * - `CLOSED`: the venue was closed with {@link HyperliquidVenue.close}.
 */
export type HyperliquidVenueErrorCode =
  | "INVALID_OPTION"
  | "INVALID_CLIENT_ID"
  | "INVALID_PREFIX"
  | "UNKNOWN_COIN"
  | "REQUEST_FAILED"
  | "LEVERAGE_REFUSED"
  | "DEAD_MAN_SWITCH_REFUSED"
  | "DEAD_MAN_SWITCH_DISABLED"
  | "CLOSED";

/**
 * What the Hyperliquid adapter throws on purpose. The message names the field or request at fault and, where
 * the venue answered, quotes the venue's own words.
 *
 * @example
 * ```ts
 * try {
 *   await venue.armDeadManSwitch();
 * } catch (error) {
 *   if (error instanceof HyperliquidVenueError && error.code === "DEAD_MAN_SWITCH_REFUSED") {
 *     console.warn(error.message); // "…Cannot set scheduled cancel time until enough volume traded…"
 *   }
 * }
 * ```
 */
export class HyperliquidVenueError extends BotmmError {
  declare readonly code: HyperliquidVenueErrorCode;

  constructor(code: HyperliquidVenueErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * Stable codes of {@link WalletError}: `KEY_MISSING` (no key in the named env var or file), `KEY_INVALID`
 * (not a 32-byte hex private key), `KEY_FILE_UNREADABLE`, `NO_SOURCE` (neither `keyFile` nor `env` given).
 */
export type WalletErrorCode = "KEY_MISSING" | "KEY_INVALID" | "KEY_FILE_UNREADABLE" | "NO_SOURCE";

/**
 * A private key could not be loaded. The message names the source (env var or file) but never contains the
 * key or any part of it, and the error carries no `cause` that could.
 *
 * @example
 * ```ts
 * try {
 *   loadWallet({ env: {} });
 * } catch (error) {
 *   if (error instanceof WalletError) console.error(error.code); // "KEY_MISSING"
 * }
 * ```
 */
export class WalletError extends BotmmError {
  declare readonly code: WalletErrorCode;

  constructor(code: WalletErrorCode, message: string) {
    super(code, message);
  }
}
