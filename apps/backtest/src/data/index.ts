export type { BinanceUsdmFetcherOptions } from "./binance.ts";
export { BINANCE_USDM_PAGE_LIMIT, createBinanceUsdmFetcher } from "./binance.ts";
export type { BybitLinearFetcherOptions } from "./bybit.ts";
export { BYBIT_INTERVALS, BYBIT_LINEAR_PAGE_LIMIT, createBybitLinearFetcher } from "./bybit.ts";
export type { CachedPartition, CacheSeries, CacheSource, Partition } from "./cache.ts";
export {
  CACHE_FORMAT_VERSION,
  defaultCacheDir,
  partitionOf,
  partitionPath,
  partitionsOverlapping,
} from "./cache.ts";
export { loadCsvFile, loadCsvFileRows } from "./csv-file.ts";
export type {
  CachedDownloadOptions,
  CachedDownloadResult,
  CachedRange,
  CandlePageFetcher,
  DownloadProgress,
} from "./download.ts";
export { downloadWithCache, readCachedRange } from "./download.ts";
export type { CandleSourceErrorCode } from "./errors.ts";
export { CandleSourceError } from "./errors.ts";
export type {
  FundingHistoryOptions,
  FundingHistoryResult,
  FundingSettlement,
  FundingVenue,
} from "./funding.ts";
export { fundingIntervalHours, hourlyFundingRows, loadFundingHistory } from "./funding.ts";
export type { HyperliquidFetcherOptions } from "./hyperliquid.ts";
export { createHyperliquidFetcher, HYPERLIQUID_HISTORY_LIMIT_BARS } from "./hyperliquid.ts";
export type { CandleInterval } from "./intervals.ts";
export {
  CANDLE_INTERVAL_MS,
  HYPERLIQUID_INTERVALS,
  intervalFromMs,
  intervalToMs,
  isCandleInterval,
} from "./intervals.ts";
export type {
  CandleSourceName,
  LoadCandlesOptions,
  LoadCandlesResult,
  ResolvedCandleSource,
  TimeInput,
} from "./load-candles.ts";
export { inferIntervalMs, loadCandles } from "./load-candles.ts";
export type { SymbolMapping } from "./symbols.ts";
export { mapSymbol } from "./symbols.ts";
export type { SyntheticCandleOptions } from "./synthetic.ts";
export { generateSyntheticCandles, syntheticStartPrice } from "./synthetic.ts";
