import { describe, expect, it } from "vitest";
import { toCandleColumns } from "./candle-columns.ts";
import { runCandleBacktest } from "./engine.ts";
import { aggregateMarkouts, computeMetrics, MARKOUT_BARS, MIN_DAILY_POINTS_FOR_RATIOS } from "./metrics.ts";
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
  return { metrics, report, run, columns };
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

describe("computeMetrics' series", () => {
  it("gives the mark-outs aggregateMarkouts gives on the closes, to the bit", () => {
    const { metrics, run, columns } = reportOf(10);
    expect(run.fills.length).toBeGreaterThan(20);
    const expected = aggregateMarkouts(run.fills, MARKOUT_BARS, (fill, bars) =>
      fill.barIndex + bars < columns.length ? columns.close[fill.barIndex + bars]! : Number.NaN,
    );
    expect(metrics.markouts).toEqual({ bars: [...MARKOUT_BARS], ...expected });
    expect(metrics.markouts.allBps.every((value) => value !== null)).toBe(true);
  });

  it("splits fills, volume and PnL by UTC day", () => {
    const { metrics, run, columns } = reportOf(10);
    expect(metrics.daily.map((day) => day.date)).toEqual(
      Array.from({ length: 10 }, (_, d) => new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 10)),
    );
    for (const [d, day] of metrics.daily.entries()) {
      const inDay = run.fills.filter(
        (fill) => Math.floor(columns.openTime[fill.barIndex]! / 86_400_000) === 19_723 + d,
      );
      expect(day.fills).toBe(inDay.length);
      expect(day.volumeUsd).toBeCloseTo(
        inDay.reduce((sum, fill) => sum + fill.price * fill.size, 0),
        9,
      );
      const endEquity = run.equityUsd[(d + 1) * 24 - 1]!;
      const startEquity = d === 0 ? 0 : run.equityUsd[d * 24 - 1]!;
      expect(day.pnl).toBeCloseTo(endEquity - startEquity, 9);
    }
    expect(metrics.fills.buy + metrics.fills.sell).toBe(run.fills.length);
    expect(metrics.fills.maker + metrics.fills.taker).toBe(run.fills.length);
  });
});
