export { aggregateToCandles } from "./candles.ts";
export type {
  DataGap,
  FillSource,
  QueueStats,
  ReplayBudgetStats,
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
export {
  parseArchiveL2Line,
  parseHftbacktestLine,
  readHftbacktestCapture,
  readHyperliquidArchive,
} from "./hyperliquid.ts";
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
export type { ReadRecordingOptions } from "./reader.ts";
export { listRecordingFiles, readLines, readRecording, readRecordingFile } from "./reader.ts";
export type { ReplayReport, ReplayReportContext } from "./report.ts";
export {
  BOOK_ONLY_FILLS,
  buildReplayReport,
  computeReplayMetrics,
  formatReplaySummary,
  renderReplayHtmlReport,
  SYNTHETIC_REPLAY_BANNER,
} from "./report.ts";
export type {
  BookEvent,
  GapEvent,
  MarketEvent,
  RecordedLevel,
  RecordedTrade,
  RecordingHeader,
  TradesEvent,
} from "./types.ts";
export { eventTime } from "./types.ts";
export type { RecordingWriterOptions } from "./writer.ts";
export { RecordingWriter } from "./writer.ts";
