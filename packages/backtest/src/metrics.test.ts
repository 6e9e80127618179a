import { describe, expect, it } from "vitest";
import { toCandleColumns } from "./candle-columns.ts";
import { runCandleBacktest } from "./engine.ts";
import { computeMetrics, MIN_DAILY_POINTS_FOR_RATIOS } from "./metrics.ts";
import { buildReport, formatSummary } from "./report.ts";
import { randomWalkCandles, testOptions } from "./test-support.ts";

const HOUR_MS = 3_600_000;

/** A report of `days` days of hourly bars (a seeded random walk). */
function reportOf(days: number) {
  const candles = randomWalkCandles(days * 24, 11, 3000, 0.004).map((candle, i) => ({
    ...candle,
    openTime: Date.UTC(2024, 0, 1) + i * HOUR_MS,
  }));
  const columns = toCandleColumns(candles);
  const options = testOptions(
    { intervalMs: HOUR_MS },
    { volatilityWarmupBars: 5, volatilityHalfLifeBars: 5 },
  );
  const run = runCandleBacktest(columns, options);
  const metrics = computeMetrics(run, columns);
  const report = buildReport(run, metrics, columns, options, {
    symbol: "ETH",
    interval: "1h",
    source: "test",
    synthetic: false,
    capitalUsd: 1_000,
    fundingDescription: "none",
    riskBarsByRule: null,
    warnings: [],
    gapCount: 0,
    missingBars: 0,
    runtimeMs: 0,
  });
  return { metrics, report };
}

describe("Sharpe and Sortino", () => {
  it(`are withheld below ${MIN_DAILY_POINTS_FOR_RATIOS} daily points, with the reason, in the JSON and the summary`, () => {
    const { metrics, report } = reportOf(2);
    expect(metrics.daily).toHaveLength(2);
    expect(metrics.sharpe).toBeNull();
    expect(metrics.sortino).toBeNull();
    expect(report.ratiosUnavailable).toBe("only 2 daily points: Sharpe and Sortino need at least 30");
    expect(formatSummary(report)).toContain(
      "sharpe n/a (2 days)  sortino n/a (2 days)  (daily, ×√365; needs ≥ 30 days)",
    );
  });

  it("are computed from enough daily points", () => {
    const { metrics, report } = reportOf(40);
    expect(metrics.daily).toHaveLength(40);
    expect(typeof metrics.sharpe).toBe("number");
    expect(typeof metrics.sortino).toBe("number");
    expect(report.ratiosUnavailable).toBeNull();
    expect(formatSummary(report)).toContain(
      `sharpe ${metrics.sharpe!.toFixed(2)}  sortino ${metrics.sortino!.toFixed(2)}  (daily, ×√365)`,
    );
  });
});
