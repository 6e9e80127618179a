// Number formatting shared by the terminal summaries and the HTML report (not exported from the package).

/** `−$1,234.56` / `$0.50`: two decimals, thousands separators, a real minus sign. */
export const usd = (value: number): string => {
  const sign = value < 0 ? "−" : "";
  return `${sign}$${Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
};

/** A number with `digits` decimals, or `n/a`. */
export const fixed = (value: number | null, digits = 2): string =>
  value === null ? "n/a" : value.toFixed(digits);

/** A signed basis-point figure (`+1.25 bps`), or `n/a`. */
export const bps = (value: number | null): string =>
  value === null ? "n/a" : `${value >= 0 ? "+" : ""}${value.toFixed(2)} bps`;

/** An English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 102nd, 111th. */
export const ordinal = (n: number): string => {
  const lastTwo = Math.abs(n) % 100;
  const last = Math.abs(n) % 10;
  const suffix =
    lastTwo >= 11 && lastTwo <= 13 ? "th" : last === 1 ? "st" : last === 2 ? "nd" : last === 3 ? "rd" : "th";
  return `${n}${suffix}`;
};

/**
 * An annualised ratio from daily points: the number (`n/a` when it has no value), or `n/a (N days)` when it
 * was withheld because the run had only `withheldDays` daily points.
 */
export const dailyRatio = (value: number | null, withheldDays: number | null): string =>
  withheldDays !== null
    ? `n/a (${withheldDays} day${withheldDays === 1 ? "" : "s"})`
    : value === null
      ? "n/a"
      : value.toFixed(2);
