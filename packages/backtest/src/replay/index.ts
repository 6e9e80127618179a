/** @deprecated Import it from `@botmm/sim-exchange`, the simulated-execution core; this re-export will go. */
export { postOnlyCrosses } from "@botmm/sim-exchange";
export type { BinanceDecoderOptions, BinanceReadCounts, ReadProblem } from "./binance.ts";
export { BinanceCollectorDecoder, collectorTimeMs } from "./binance.ts";
export type { BookProblem, DepthSnapshot } from "./books.ts";
export {
  ArrayLevelView,
  bookProblem,
  bookViewProblem,
  DepthBook,
  levelsProblem,
  priceDecimals,
  snapshotBookEvent,
} from "./books.ts";
export { aggregateToCandles } from "./candles.ts";
export type {
  DataGap,
  FillSource,
  QueueStats,
  ReplayBudgetStats,
  ReplayCalibration,
  ReplayEventCounts,
  ReplayFillRecord,
  ReplayRun,
  TimeMarkouts,
} from "./engine.ts";
export { MARKOUT_HORIZONS_MS, runReplayBacktest } from "./engine.ts";
export {
  bookLineSchema,
  eventLineSchema,
  formatRecordingLine,
  gapLineSchema,
  MAX_RECORDED_LEVELS,
  parseRecordingLine,
  RECORDING_FORMAT,
  RECORDING_VERSION,
  RecordingError,
  recordedTradeSchema,
  recordingHeaderSchema,
  recordingPathParts,
  tradesLineSchema,
} from "./format.ts";
export { HftbacktestCaptureDecoder, parseArchiveL2Line, parseHftbacktestLine } from "./hyperliquid.ts";
export type { HyperliquidCsvTradeCounts } from "./hyperliquid-csv.ts";
export {
  HyperliquidCsvBookDecoder,
  HyperliquidCsvTradeDecoder,
  hyperliquidCsvKind,
} from "./hyperliquid-csv.ts";
export type {
  QueueModel,
  ReplayOptions,
  ReplayRequestBudget,
  ReplaySimulation,
  ReplaySimulationInput,
} from "./options.ts";
export {
  DEFAULT_REPLAY,
  describeQueueModel,
  parseReplaySimulation,
  ReplayConfigError,
  replaySimulationSchema,
} from "./options.ts";
export { mergeByTime, RecordingFileDecoder, recordingFileStartMs } from "./reader.ts";
export type { MarkoutsBps, ReplayReport, ReplayReportContext } from "./report.ts";
export {
  BOOK_ONLY_FILLS,
  buildReplayReport,
  computeReplayMetrics,
  formatReplaySummary,
  markoutsBpsOf,
  renderReplayHtmlReport,
  SYNTHETIC_REPLAY_BANNER,
} from "./report.ts";
export type { TardisDataset, TardisDecoderOptions, TardisReadCounts } from "./tardis.ts";
export { TardisCsvDecoder, tardisDataset } from "./tardis.ts";
export type {
  BookEvent,
  BookView,
  GapEvent,
  LevelView,
  MarketEvent,
  RecordedLevel,
  RecordedTrade,
  RecordingHeader,
  TradesEvent,
} from "./types.ts";
export { eventTime } from "./types.ts";
export type { RecordingPlacement } from "./writer.ts";
export { placeRecordingEvent, recordingHeaderLine } from "./writer.ts";
