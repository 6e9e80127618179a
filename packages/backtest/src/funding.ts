import { BotmmError } from "@botmm/core";

/**
 * Funding rates per hour (Hyperliquid pays hourly). A positive rate means longs pay shorts.
 * `series` holds rates at hour timestamps (ms); a bar at an hour boundary uses the latest rate at or before it.
 */
export type FundingSchedule =
  | { type: "constant"; ratePerHour: number }
  | { type: "series"; timesMs: Float64Array; rates: Float64Array };

/**
 * Builds a funding series from `time_ms,funding_rate` rows (already parsed), checking order.
 *
 * @throws BotmmError `INVALID_FUNDING` naming the row.
 * @example
 * ```ts
 * const funding = fundingSeries([{ timeMs: 0, rate: 0.0000125 }, { timeMs: 3_600_000, rate: 0.00001 }]);
 * ```
 */
export function fundingSeries(rows: readonly { timeMs: number; rate: number }[]): FundingSchedule {
  const timesMs = new Float64Array(rows.length);
  const rates = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (!Number.isFinite(row.timeMs) || !Number.isFinite(row.rate)) {
      throw new BotmmError(
        "INVALID_FUNDING",
        `funding row ${i + 1}: time_ms and funding_rate must be finite numbers`,
      );
    }
    if (i > 0 && row.timeMs <= timesMs[i - 1]!) {
      throw new BotmmError(
        "INVALID_FUNDING",
        `funding row ${i + 1}: time_ms ${row.timeMs} is not after the previous row's ${timesMs[i - 1]}`,
      );
    }
    timesMs[i] = row.timeMs;
    rates[i] = row.rate;
  }
  return { type: "series", timesMs, rates };
}

/**
 * Looks up the rate in force at `timeMs`, walking a cursor forward (calls must come in time order).
 * Returns NaN before a series' first row or more than `maxAgeMs` after the row in force, so a caller can
 * count the hours it had no rate for instead of silently using one.
 *
 * @example
 * ```ts
 * const cursor = new FundingCursor(fundingSeries([{ timeMs: 0, rate: 0.00001 }]));
 * cursor.rateAt(3_600_000); // 0.00001
 * cursor.rateAt(10 * 3_600_000); // NaN: the last rate is more than 8 h old
 * ```
 */
export class FundingCursor {
  readonly #schedule: FundingSchedule;
  #index = -1;

  readonly #maxAgeMs: number;

  constructor(schedule: FundingSchedule, maxAgeMs = 8 * 3_600_000) {
    this.#schedule = schedule;
    this.#maxAgeMs = maxAgeMs;
  }

  /** The rate in force at `timeMs` (per hour), or NaN when there is none. */
  rateAt(timeMs: number): number {
    const schedule = this.#schedule;
    if (schedule.type === "constant") return schedule.ratePerHour;
    const times = schedule.timesMs;
    while (this.#index + 1 < times.length && times[this.#index + 1]! <= timeMs) this.#index++;
    if (this.#index < 0 || timeMs - times[this.#index]! > this.#maxAgeMs) return Number.NaN;
    return schedule.rates[this.#index]!;
  }
}
