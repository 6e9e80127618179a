// Number formatting shared by the terminal summaries (not exported from the package).

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
