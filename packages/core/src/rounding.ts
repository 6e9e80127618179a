import Big from "big.js";
import { RoundingError } from "./errors.ts";
import type { Instrument, PriceRule, SizeRule } from "./instrument.ts";
import type { Side } from "./types.ts";

/**
 * Which way to round a price. A bid (`buy`) never rounds up and an ask (`sell`) never rounds down, so rounding
 * can only make a quote less aggressive, never cross the price the strategy chose.
 */
export type PriceRounding = Side | "down" | "up" | "nearest";

/** Which way to round a size. Orders round down by default: never trade more than was intended. */
export type SizeRounding = "down" | "up" | "nearest";

const ROUND_DOWN = 0;
const ROUND_HALF_UP = 1;
const ROUND_UP = 3;

function roundingMode(rounding: PriceRounding | SizeRounding): Big.RoundingMode {
  switch (rounding) {
    case "buy":
    case "down":
      return ROUND_DOWN;
    case "sell":
    case "up":
      return ROUND_UP;
    case "nearest":
      return ROUND_HALF_UP;
  }
}

/**
 * A float64 carries ~15.95 significant digits; anything past the 15th is arithmetic noise (0.1 + 0.2 =
 * 0.30000000000000004). Dropping it first stops an ask from rounding up a whole tick because of that noise.
 */
function exactFromFloat(value: number, field: string): Big {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RoundingError(
      field === "price" ? "INVALID_PRICE" : "INVALID_SIZE",
      `${field} must be a finite number > 0, got ${value}`,
    );
  }
  return new Big(value.toPrecision(15));
}

function roundPriceExact(rule: PriceRule, price: Big, mode: Big.RoundingMode): Big {
  if (rule.type === "tick") {
    const tick = new Big(rule.tickSize);
    return price.div(tick).round(0, mode).times(tick);
  }
  // Big's `e` is the exponent of the leading digit: 12345.6 has e = 4, so 5 significant figures leave 0 decimals.
  const decimalsBySignificantFigures = rule.maxSignificantFigures - 1 - price.e;
  const decimals = Math.max(0, Math.min(rule.maxDecimals, decimalsBySignificantFigures));
  return price.round(decimals, mode);
}

function roundSizeExact(rule: SizeRule, size: Big, mode: Big.RoundingMode): Big {
  if (rule.type === "step") {
    const step = new Big(rule.stepSize);
    return size.div(step).round(0, mode).times(step);
  }
  return size.round(rule.decimals, mode);
}

/**
 * Rounds a price exactly to the instrument's price rule and returns the venue's wire string (no trailing
 * zeros). Bids round down, asks round up; `nearest` rounds half up. Integer prices are always valid on
 * Hyperliquid, so a price with more integer digits than significant figures rounds to an integer.
 *
 * @throws RoundingError `INVALID_PRICE` for NaN, infinite or non-positive input; `PRICE_ROUNDS_TO_ZERO` when
 *   a bid is below the smallest representable price.
 * @example
 * ```ts
 * const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });
 * roundPrice(btc, 99999.5, "buy"); // "99999"
 * roundPrice(btc, 99999.5, "sell"); // "100000"
 * roundPrice(btc, 43210.87, "sell"); // "43211"
 * ```
 */
export function roundPrice(instrument: Instrument, price: number, rounding: PriceRounding): string {
  const rounded = roundPriceExact(
    instrument.priceRule,
    exactFromFloat(price, "price"),
    roundingMode(rounding),
  );
  if (rounded.lte(0)) {
    throw new RoundingError(
      "PRICE_ROUNDS_TO_ZERO",
      `price ${price} rounds to 0 under ${describePriceRule(instrument)}; it is below the smallest valid price`,
    );
  }
  return rounded.toFixed();
}

/**
 * Rounds a size exactly to the instrument's size rule (down by default) and returns the wire string.
 *
 * @throws RoundingError `INVALID_SIZE` for NaN, infinite or non-positive input; `SIZE_ROUNDS_TO_ZERO` when the
 *   size is below one lot.
 * @example
 * ```ts
 * const sol = hyperliquidPerpInstrument({ coin: "SOL", assetId: 5, szDecimals: 2, maxLeverage: 20 });
 * roundSize(sol, 1.239); // "1.23"
 * roundSize(sol, 1.231, "up"); // "1.24"
 * ```
 */
export function roundSize(instrument: Instrument, size: number, rounding: SizeRounding = "down"): string {
  const rounded = roundSizeExact(instrument.sizeRule, exactFromFloat(size, "size"), roundingMode(rounding));
  if (rounded.lte(0)) {
    throw new RoundingError(
      "SIZE_ROUNDS_TO_ZERO",
      `size ${size} rounds to 0 under ${describeSizeRule(instrument)}; it is below one lot`,
    );
  }
  return rounded.toFixed();
}

/**
 * Says whether a wire price string obeys the instrument's price rule exactly (what a venue checks).
 *
 * @example
 * ```ts
 * isValidPrice(btc, "43210"); // true
 * isValidPrice(btc, "43210.5"); // false: 6 significant figures
 * isValidPrice(btc, "123456"); // true: integers are always valid
 * ```
 */
export function isValidPrice(instrument: Instrument, price: string): boolean {
  const exact = parseDecimal(price);
  if (exact === null || exact.lte(0)) return false;
  return roundPriceExact(instrument.priceRule, exact, ROUND_DOWN).eq(exact);
}

/**
 * Says whether a wire size string obeys the instrument's size rule exactly.
 *
 * @example
 * ```ts
 * isValidSize(sol, "1.23"); // true
 * isValidSize(sol, "1.234"); // false
 * ```
 */
export function isValidSize(instrument: Instrument, size: string): boolean {
  const exact = parseDecimal(size);
  if (exact === null || exact.lte(0)) return false;
  return roundSizeExact(instrument.sizeRule, exact, ROUND_DOWN).eq(exact);
}

/**
 * Normalises a decimal to the wire form venues sign: plain notation, no trailing zeros ("50000.0" → "50000").
 *
 * @throws RoundingError `INVALID_DECIMAL` when the input is not a finite decimal.
 * @example
 * ```ts
 * toWireDecimal("50000.0"); // "50000"
 * toWireDecimal(0.0001); // "0.0001"
 * ```
 */
export function toWireDecimal(value: string | number): string {
  const exact =
    typeof value === "number" ? (Number.isFinite(value) ? new Big(value) : null) : parseDecimal(value);
  if (exact === null) {
    throw new RoundingError("INVALID_DECIMAL", `expected a finite decimal, got ${String(value)}`);
  }
  return exact.toFixed();
}

/**
 * Exact notional (price × size) of wire strings, compared with the instrument's minimum order value.
 *
 * @example
 * ```ts
 * meetsMinNotional(btc, "43210", "0.0002"); // false: $8.64 < $10
 * meetsMinNotional(btc, "43210", "0.00024"); // true: $10.37
 * ```
 */
export function meetsMinNotional(instrument: Instrument, price: string, size: string): boolean {
  const p = parseDecimal(price);
  const s = parseDecimal(size);
  if (p === null || s === null) return false;
  return p.times(s).gte(instrument.minNotionalUsd);
}

function parseDecimal(text: string): Big | null {
  if (!/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return null;
  return new Big(text);
}

function describePriceRule(instrument: Instrument): string {
  const rule = instrument.priceRule;
  return rule.type === "tick"
    ? `${instrument.coin}'s tick ${rule.tickSize}`
    : `${instrument.coin}'s rule of ${rule.maxSignificantFigures} significant figures and ${rule.maxDecimals} decimals`;
}

function describeSizeRule(instrument: Instrument): string {
  const rule = instrument.sizeRule;
  return rule.type === "step"
    ? `${instrument.coin}'s lot ${rule.stepSize}`
    : `${instrument.coin}'s ${rule.decimals} size decimals`;
}
