/** @deprecated Import them from `@botmm/sim-exchange`, the simulated-execution core; these re-exports will go. */
export type {
  OrderQueueOptions,
  QueuedOrder,
  QueueFill,
  QueueFillSource,
  QueueLevel,
  QueueOrderInput,
  QueueTrade,
} from "@botmm/sim-exchange";
/** @deprecated Import it from `@botmm/sim-exchange`, the simulated-execution core; this re-export will go. */
export { OrderQueue } from "@botmm/sim-exchange";
export { PnlLedger } from "@botmm/strategy";
export type { CandleColumns } from "./candle-columns.ts";
export { toCandleColumns } from "./candle-columns.ts";
export type { RunSeries } from "./candle-run-recorder.ts";
export { createRunSeries } from "./candle-run-recorder.ts";
export { DEFAULT_SIMULATION } from "./defaults.ts";
export type { BacktestOptions, BacktestRun, FillRecord, RiskGate, RiskGateState } from "./engine.ts";
export { runCandleBacktest } from "./engine.ts";
export type { BarPath, FillModel } from "./fill-model.ts";
export { defaultFillModel, describeFillModel, fillModelSchema, subbarFillModel } from "./fill-model.ts";
export type { FundingSchedule } from "./funding.ts";
export { FundingCursor, fundingSeries } from "./funding.ts";
export type { ChartableRun } from "./html-report.ts";
export { renderHtmlReport, renderReportPage, reportCharts } from "./html-report.ts";
export type { BacktestMetrics, DailyPnl, Markouts } from "./metrics.ts";
export { aggregateMarkouts, computeMetrics, MARKOUT_BARS, MIN_DAILY_POINTS_FOR_RATIOS } from "./metrics.ts";
export type { PnlNoise, PnlNoiseOptions } from "./pnl-noise.ts";
export { pnlSamplingNoise } from "./pnl-noise.ts";
export * from "./replay/index.ts";
export type {
  BacktestReport,
  HaltedFields,
  PerformanceFields,
  PnlSplit,
  ReportContext,
  SharedAssumptions,
} from "./report.ts";
export {
  buildReport,
  fillsCsv,
  formatSummary,
  HALTED_SHARE_WARNING,
  haltedFields,
  haltLines,
  haltWarning,
  performanceFields,
  pnlSplit,
  ratiosLine,
  SYNTHETIC_BANNER,
} from "./report.ts";
export * from "./screen/index.ts";
export type { SubbarHooks } from "./subbar-engine.ts";
export {
  DEFAULT_REQUOTE_INTERVAL_MS,
  SubbarBacktest,
  subbarMarkoutBps,
  subbarPathPrices,
  subbarSteps,
} from "./subbar-engine.ts";
export type { SubbarParams } from "./subbar-path.ts";
export {
  BarRandom,
  barPath,
  DEFAULT_SUBBAR_PARAMS,
  DEFAULT_SUBBAR_PARAMS_SOURCE,
  stepVolumeShares,
  subbarParamsSchema,
} from "./subbar-path.ts";
export type { ChartMarkers, ChartSeries, ChartSpec } from "./svg-chart.ts";
export { downsampleMinMax, renderChart } from "./svg-chart.ts";
export * from "./sweep/index.ts";
