/** Small helpers that turn the engine's numbers into Hyperliquid wire strings. */

/** The zero address; the background (synthetic) liquidity trades under it. */
export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000" as const;

/** A lowercase 0x-prefixed hex string. */
export type Hex = `0x${string}`;

/**
 * Formats a float as a wire decimal with at most `decimals` decimals and no trailing zeros ("-0" becomes "0").
 *
 * @example
 * ```ts
 * decimalString(1.50, 4); // "1.5"
 * decimalString(-0.000001, 2); // "0"
 * ```
 */
export function decimalString(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return "0";
  let text = value.toFixed(Math.max(0, Math.min(20, decimals)));
  if (text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  if (text === "-0") return "0";
  return text;
}

/**
 * Formats an integer count of units of 10^-decimals (a price in ticks or a size in lots) as a wire decimal.
 *
 * @example
 * ```ts
 * unitsToWire(123450, 2); // "1234.5"
 * unitsToWire(5, 3); // "0.005"
 * ```
 */
export function unitsToWire(units: number, decimals: number): string {
  const negative = units < 0;
  const digits = Math.round(Math.abs(units)).toString();
  if (decimals === 0) return (negative && digits !== "0" ? "-" : "") + digits;
  const padded = digits.padStart(decimals + 1, "0");
  const integer = padded.slice(0, padded.length - decimals);
  const fraction = padded.slice(padded.length - decimals).replace(/0+$/, "");
  const body = fraction.length > 0 ? `${integer}.${fraction}` : integer;
  return negative && body !== "0" ? `-${body}` : body;
}

/**
 * Parses a wire decimal into an integer count of units of 10^-decimals, or `null` when it has more decimals
 * than that (or is not a plain non-negative decimal).
 *
 * @example
 * ```ts
 * wireToUnits("1234.5", 2); // 123450
 * wireToUnits("0.001", 2); // null
 * ```
 */
export function wireToUnits(text: string, decimals: number): number | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return null;
  const integer = match[1] ?? "0";
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (fraction.length > decimals) return null;
  const value = Number(integer + fraction.padEnd(decimals, "0"));
  return Number.isSafeInteger(value) ? value : null;
}

/**
 * A deterministic pseudo transaction hash built from a counter (the emulator has no chain).
 *
 * @example
 * ```ts
 * counterHash(255); // "0x00…00ff" (64 hex digits)
 * ```
 */
export function counterHash(counter: number): Hex {
  return `0x${counter.toString(16).padStart(64, "0")}`;
}
