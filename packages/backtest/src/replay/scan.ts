// Number parsing for the readers' hot loops: straight from the line's characters, no substring, no array.

/** 10^k for k = 0..22: every one is an exact double, so a mantissa below 2^53 divided by it rounds once. */
const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

/**
 * The number written in `text` from `start` to `end` (exclusive), exactly as `Number(text.slice(start, end))`
 * reads it, without making the substring for a plain decimal (`-?digits(.digits)?` of at most 15 digits: the
 * digits form an integer below 2^53 and one division by an exact power of ten rounds it correctly). Anything
 * else (an exponent, more digits, spaces, an empty range) goes through `Number` itself.
 *
 * @example
 * ```ts
 * parseDecimal('{"px":"42727.5"}', 7, 14); // 42727.5
 * parseDecimal("0.30000000000000004", 0, 19); // 0.30000000000000004 (by Number)
 * ```
 */
export function parseDecimal(text: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && text.charCodeAt(i) === 45) {
    negative = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      mantissa = mantissa * 10 + (code - 48);
      digits++;
    } else if (code === 46 && fraction < 0) fraction = i;
    else return Number(text.slice(start, end));
  }
  if (digits === 0 || digits > 15 || fraction === end - 1 || fraction === start + (negative ? 1 : 0)) {
    return Number(text.slice(start, end));
  }
  const decimals = fraction < 0 ? 0 : end - fraction - 1;
  const value = decimals === 0 ? mantissa : mantissa / POW10[decimals]!;
  return negative ? -value : value;
}
