export { BinanceRequestBudget } from "./budget.ts";
export type { BinanceOrderJson, CcxtMarketLike, PreparedOrder } from "./convert.ts";
export {
  binanceErrorCode,
  fromWireClientId,
  instrumentFromMarket,
  orderFromBinance,
  orderStatusOf,
  prepareOrder,
  rejectionKindOf,
  toBinanceTif,
  toWireClientId,
} from "./convert.ts";
export type { BinanceVenueErrorCode } from "./errors.ts";
export { BinanceVenueError } from "./errors.ts";
export type {
  BinanceBudgetConfig,
  BinanceLogEntry,
  BinanceNetwork,
  BinanceVenueOptions,
  ResolvedBinanceOptions,
} from "./options.ts";
export { binanceUsdmUrls, resolveBinanceOptions } from "./options.ts";
export type { BinanceStreamContext } from "./streams.ts";
export { BinanceStreams } from "./streams.ts";
export type { BinanceReconciledOrder } from "./venue.ts";
export { BinanceUsdmVenue } from "./venue.ts";
export { BinanceUsdmClient } from "./ws-client.ts";
export type {
  BinanceOrderUpdateJson,
  BinanceUserTradeJson,
  CcxtBookLike,
} from "./ws-convert.ts";
export {
  bookFromCcxt,
  fillFromOrderUpdate,
  fillFromUserTrade,
  fillKey,
  orderUpdateFromBinance,
  topFromCcxt,
  tradeFromBinance,
} from "./ws-convert.ts";
