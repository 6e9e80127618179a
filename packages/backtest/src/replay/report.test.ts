import { describe, expect, it } from "vitest";
import { toCandleColumns } from "../candle-columns.ts";
import { runCandleBacktest } from "../engine.ts";
import { computeMetrics } from "../metrics.ts";
import { buildReport, fillsCsv } from "../report.ts";
import { randomWalkCandles, testOptions } from "../test-support.ts";
import { runReplayBacktest } from "./engine.ts";
import {
  buildReplayReport,
  formatReplaySummary,
  renderReplayHtmlReport,
  SYNTHETIC_REPLAY_BANNER,
} from "./report.ts";
import { generateMarket, replayOptions, T0 } from "./test-support.ts";

const context = {
  source: "synthetic",
  synthetic: true,
  capitalUsd: 10_000,
  fundingDescription: "constant 0.01%/h",
  runtimeMs: 5,
};

describe("replay report", async () => {
  const options = replayOptions(
    { funding: { type: "constant", ratePerHour: 0.0001 }, queueModel: { type: "probabilistic", power: 2 } },
    { baseSpreadBps: 0.3, volMultiplier: 0, feeAware: false },
  );
  const run = await runReplayBacktest(
    generateMarket({ durationMs: 2 * 3_600_000, seed: 11, startMs: T0 }),
    options,
  );
  const report = buildReplayReport(run, options, context);

  it("has the candle report's top-level fields plus queue and the data description", () => {
    const candles = toCandleColumns(randomWalkCandles(100, 1));
    const candleRun = runCandleBacktest(candles, testOptions());
    const candleReport = buildReport(candleRun, computeMetrics(candleRun, candles), candles, testOptions(), {
      ...context,
      symbol: "ETH",
      interval: "1m",
      riskBarsByRule: null,
      warnings: [],
      gapCount: 0,
      missingBars: 0,
    });
    const shared = [
      "data",
      "assumptions",
      "pnl",
      "fills",
      "volumeUsd",
      "maxAbsInventoryUsd",
      "maxDrawdownUsd",
      "sharpe",
      "daily",
      "runtimeMs",
    ];
    for (const key of shared) {
      expect(report).toHaveProperty(key);
      expect(candleReport).toHaveProperty(key);
    }
    expect(Object.keys(report.pnl)).toEqual(Object.keys(candleReport.pnl));
    expect(report.queue.model).toEqual({ type: "probabilistic", power: 2 });
    expect(report.data.events.books).toBe(14_400);
    expect(report.fills.buy + report.fills.sell).toBe(run.fills.length);
    expect(report.pnl.total).toBeCloseTo(
      report.pnl.spread + report.pnl.inventory - report.pnl.fees + report.pnl.funding,
      9,
    );
    expect(Math.abs(report.pnl.total - report.ledgerTotal)).toBeLessThan(0.005);
    expect(report.markouts.horizonsMs).toEqual([1_000, 10_000, 60_000]);
    expect(report.queue.timeToFillMs.count).toBeGreaterThan(0);
    expect(report.queue.timeToFillMs.p90!).toBeGreaterThanOrEqual(report.queue.timeToFillMs.median!);
    expect(report.banner).toBe(SYNTHETIC_REPLAY_BANNER);
    expect(JSON.parse(JSON.stringify(report)).queue).toEqual(report.queue);
  });

  it("prints the assumptions: queue model, latency, fill inference and fees", () => {
    const summary = formatReplaySummary(report);
    expect(summary).toContain("probabilistic (power law, f(x) = x^2)");
    expect(summary).toContain("200 ms");
    expect(summary).toContain("a trade at the order's price fills it after the quantity ahead");
    expect(summary).toContain("maker 0.0150% (a cost)");
    expect(summary).toContain("time to fill median");
    expect(summary.startsWith(`!!! ${SYNTHETIC_REPLAY_BANNER}`)).toBe(true);
  });

  it("renders a self-contained HTML report and the candle engine's fills CSV", () => {
    const html = renderReplayHtmlReport(report, run);
    expect(html).toContain("<svg");
    expect(html).toContain("Equity and its split");
    expect(html).not.toContain("<script");
    expect(fillsCsv(run).split("\n")).toHaveLength(run.fills.length + 2);
  });
});
