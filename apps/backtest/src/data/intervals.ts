import { CandleSourceError } from "./errors.ts";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * Candle intervals with a fixed length, in ms. Both venues serve all of them except `6h` (Binance only).
 * Calendar months (`1M`) are not supported: their length varies, so gaps could not be counted.
 */
export const CANDLE_INTERVAL_MS = {
  "1m": MINUTE_MS,
  "3m": 3 * MINUTE_MS,
  "5m": 5 * MINUTE_MS,
  "15m": 15 * MINUTE_MS,
  "30m": 30 * MINUTE_MS,
  "1h": HOUR_MS,
  "2h": 2 * HOUR_MS,
  "4h": 4 * HOUR_MS,
  "6h": 6 * HOUR_MS,
  "8h": 8 * HOUR_MS,
  "12h": 12 * HOUR_MS,
  "1d": DAY_MS,
  "3d": 3 * DAY_MS,
  "1w": 7 * DAY_MS,
} as const;

/** A supported interval name (`1m`, `5m`, `1h`, …). */
export type CandleInterval = keyof typeof CANDLE_INTERVAL_MS;

/** Intervals Hyperliquid's `candleSnapshot` serves (all of {@link CANDLE_INTERVAL_MS} but `6h`). */
export const HYPERLIQUID_INTERVALS: ReadonlySet<CandleInterval> = new Set(
  (Object.keys(CANDLE_INTERVAL_MS) as CandleInterval[]).filter((interval) => interval !== "6h"),
);

/**
 * True when `value` names a supported interval.
 *
 * @example
 * ```ts
 * isCandleInterval("15m"); // true
 * isCandleInterval("1M"); // false: months vary in length
 * ```
 */
export function isCandleInterval(value: string): value is CandleInterval {
  return Object.hasOwn(CANDLE_INTERVAL_MS, value);
}

/**
 * The length of an interval in ms; throws `UNSUPPORTED_INTERVAL` listing the supported names otherwise.
 *
 * @example
 * ```ts
 * intervalToMs("5m"); // 300000
 * ```
 */
export function intervalToMs(interval: string): number {
  if (!isCandleInterval(interval)) {
    throw new CandleSourceError(
      "UNSUPPORTED_INTERVAL",
      `interval ${JSON.stringify(interval)} is not supported; use one of ${Object.keys(CANDLE_INTERVAL_MS).join(", ")}`,
    );
  }
  return CANDLE_INTERVAL_MS[interval];
}

/**
 * The interval name for a length in ms, or null when none has that length (used for CSV input).
 *
 * @example
 * ```ts
 * intervalFromMs(3_600_000); // "1h"
 * ```
 */
export function intervalFromMs(intervalMs: number): CandleInterval | null {
  for (const [name, ms] of Object.entries(CANDLE_INTERVAL_MS))
    if (ms === intervalMs) return name as CandleInterval;
  return null;
}

/** "3d 11h 20m"-style duration, for messages. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / MINUTE_MS);
  for (const [unit, minutes] of [
    ["d", DAY_MS / MINUTE_MS],
    ["h", HOUR_MS / MINUTE_MS],
    ["m", 1],
  ] as const) {
    const count = Math.floor(rest / minutes);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * minutes;
  }
  return parts.length === 0 ? "0m" : parts.join(" ");
}

/** ISO 8601 UTC time without milliseconds, for messages: `2025-05-20T00:00Z`. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}
