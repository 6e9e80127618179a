// Ordering the screened coins: one number per coin, best first, ties and missing values in a fixed order.

/** What ranks the coins of a screen. */
export const SCREEN_SCORES = ["edge", "pnl", "paying-hours"] as const;
export type ScreenScore = (typeof SCREEN_SCORES)[number];

/** What each score reads. */
export const SCREEN_SCORE_DESCRIPTIONS: Record<ScreenScore, string> = {
  edge: "edge bps = estimated spread (mean of Corwin–Schultz and Abdi–Ranaldo) − round-trip maker fee",
  pnl: "PnL per day of the default-settings candle backtest",
  "paying-hours": "share of clock hours whose estimated spread exceeds the round-trip maker fee",
};

/** The fields a score reads; a screen row has them all. */
export interface ScreenScoreFields {
  coin: string;
  edgeBps: number | null;
  backtestPnlUsdPerDay: number | null;
  payingHoursShare: number | null;
}

/**
 * The value `score` ranks a row by (higher is better), or null when the row lacks it.
 *
 * @example
 * ```ts
 * screenScore({ coin: "X", edgeBps: 2, backtestPnlUsdPerDay: -1, payingHoursShare: 0.4 }, "edge"); // 2
 * ```
 */
export function screenScore(row: ScreenScoreFields, score: ScreenScore): number | null {
  const value =
    score === "edge" ? row.edgeBps : score === "pnl" ? row.backtestPnlUsdPerDay : row.payingHoursShare;
  return value === null || !Number.isFinite(value) ? null : value;
}

/**
 * The rows best first by `score`; rows without a value last; ties by the other two scores, then by coin name,
 * so the order never depends on the input's.
 *
 * @example
 * ```ts
 * rankScreen(rows, "edge")[0]!.coin; // the coin with the widest spread over fees
 * ```
 */
export function rankScreen<T extends ScreenScoreFields>(rows: readonly T[], score: ScreenScore): T[] {
  const order: ScreenScore[] = [score, ...SCREEN_SCORES.filter((other) => other !== score)];
  return [...rows].sort((a, b) => {
    for (const key of order) {
      const x = screenScore(a, key);
      const y = screenScore(b, key);
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      return y - x;
    }
    return a.coin < b.coin ? -1 : a.coin > b.coin ? 1 : 0;
  });
}
