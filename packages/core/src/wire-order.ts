import { RoundingError } from "./errors.ts";
import type { Instrument } from "./instrument.ts";
import { meetsMinNotional, roundPrice, roundSize } from "./rounding.ts";
import type { Side } from "./types.ts";
import type { RejectionKind } from "./venue.ts";

/** A price and size ready for the wire, or why the order was refused before anything was sent. */
export type PreparedWireOrder = { ok: true; price: string; size: string } | { ok: false; reason: string };

/**
 * Rounds an order exactly (bids down, asks up, sizes down) and checks the instrument's minimum notional on the
 * rounded values, before anything is sent. A refusal for size starts with the venue's own words
 * (`belowMinimum`), so callers matching the venue's wording see the same text whether the venue or the adapter
 * refused.
 *
 * @param belowMinimum the venue's words for an order below its minimum value, given that minimum.
 * @example
 * ```ts
 * const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });
 * prepareWireOrder(btc, "buy", 43210.87, 0.001234, (min) => `below $${min}`); // { ok: true, price: "43210", size: "0.00123" }
 * prepareWireOrder(btc, "buy", 43210, 0.0002, (min) => `below $${min}`);
 * // { ok: false, reason: "below $10 (refused locally, nothing sent: 43210 × 0.0002 after rounding)" }
 * ```
 */
export function prepareWireOrder(
  instrument: Instrument,
  side: Side,
  price: number,
  size: number,
  belowMinimum: (minNotionalUsd: number) => string,
): PreparedWireOrder {
  let wirePrice: string;
  let wireSize: string;
  try {
    wirePrice = roundPrice(instrument, price, side);
    wireSize = roundSize(instrument, size, "down");
  } catch (error) {
    if (error instanceof RoundingError)
      return { ok: false, reason: `refused locally, nothing sent: ${error.message}` };
    throw error;
  }
  if (!meetsMinNotional(instrument, wirePrice, wireSize)) {
    return {
      ok: false,
      reason: `${belowMinimum(instrument.minNotionalUsd)} (refused locally, nothing sent: ${wirePrice} × ${wireSize} after rounding)`,
    };
  }
  return { ok: true, price: wirePrice, size: wireSize };
}

/**
 * The numeric code a venue put under `field` in the JSON of an error message (as ccxt quotes it:
 * `binanceusdm {"code":-2011,"msg":"…"}`), or null when there is none.
 *
 * @example
 * ```ts
 * errorCodeIn('binanceusdm {"code":-2011,"msg":"Unknown order sent."}', "code"); // -2011
 * errorCodeIn('bybit {"retCode":110001,"retMsg":"…"}', "retCode"); // 110001
 * errorCodeIn("socket hang up", "code"); // null
 * ```
 */
export function errorCodeIn(message: string, field: string): number | null {
  const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`"${escaped}"\\s*:\\s*(-?\\d+)`).exec(message);
  return match ? Number(match[1]) : null;
}

/**
 * The kind of a venue's refusal from its error code, looked up in the venue's own table; without a known code,
 * from the name of the error class the transport threw (ccxt's `RateLimitExceeded` / `DDoSProtection` for
 * HTTP 429/418/403 bans, `InsufficientFunds`).
 *
 * @example
 * ```ts
 * const kinds = new Map<number, RejectionKind>([[-5022, "post-only"]]);
 * rejectionKindByCode(kinds, -5022); // "post-only"
 * rejectionKindByCode(kinds, null, "RateLimitExceeded"); // "rate-limit"
 * rejectionKindByCode(kinds, 42); // "other"
 * ```
 */
export function rejectionKindByCode(
  kinds: ReadonlyMap<number, RejectionKind>,
  code: number | null,
  errorName = "",
): RejectionKind {
  const known = code === null ? undefined : kinds.get(code);
  if (known !== undefined) return known;
  if (/RateLimitExceeded|DDoSProtection/.test(errorName)) return "rate-limit";
  if (/InsufficientFunds/.test(errorName)) return "margin";
  return "other";
}
