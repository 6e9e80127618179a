/** What a sweep ranks configurations by. */
export const SWEEP_OBJECTIVES = ["total", "sharpe", "return-over-drawdown"] as const;
export type SweepObjective = (typeof SWEEP_OBJECTIVES)[number];

/** The fields of a run's report an objective reads. */
export interface ObjectiveFields {
  pnl: { total: number };
  sharpe: number | null;
  returnOverDrawdown: number | null;
}

/**
 * The objective's value of a run: total PnL (USD), the annualised daily Sharpe, or total PnL over the maximum
 * drawdown; null when the run has none (Sharpe needs 30 daily points; no drawdown, no ratio).
 *
 * @example
 * ```ts
 * objectiveValue({ pnl: { total: 12 }, sharpe: null, returnOverDrawdown: 3 }, "return-over-drawdown"); // 3
 * ```
 */
export function objectiveValue(fields: ObjectiveFields, objective: SweepObjective): number | null {
  const value =
    objective === "total"
      ? fields.pnl.total
      : objective === "sharpe"
        ? fields.sharpe
        : fields.returnOverDrawdown;
  return value === null || Number.isNaN(value) ? null : value;
}

/**
 * The positions of `rows` from best to worst by the objective: higher first, runs without a value last, ties
 * broken by the configuration's index — so the ranking depends only on the results, never on which worker
 * finished first.
 *
 * @example
 * ```ts
 * rankByObjective([{ index: 0, …total 1 }, { index: 1, …total 5 }], "total"); // [1, 0]
 * ```
 */
export function rankByObjective<R extends ObjectiveFields & { index: number }>(
  rows: readonly R[],
  objective: SweepObjective,
): number[] {
  const values = rows.map((row) => objectiveValue(row, objective));
  return rows
    .map((_, position) => position)
    .sort((a, b) => {
      const va = values[a]!;
      const vb = values[b]!;
      if (va === null || vb === null) {
        if (va !== vb) return va === null ? 1 : -1;
      } else if (va !== vb) return vb - va;
      return rows[a]!.index - rows[b]!.index;
    });
}
