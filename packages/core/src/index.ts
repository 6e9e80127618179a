export type { ParseCandleCsvOptions, ParsedCandleCsv } from "./candle-csv.ts";
export { parseCandleCsv, parseCandleCsvRows } from "./candle-csv.ts";
export type {
  CandleDataErrorCode,
  CandleGap,
  CandleValidationResult,
  ValidateCandlesOptions,
} from "./candle-validation.ts";
export { CandleDataError, DEFAULT_MAX_GAP_FRACTION, validateCandles } from "./candle-validation.ts";
export { ClientIdMap } from "./client-ids.ts";
export type { Clock } from "./clock.ts";
export { ManualClock, systemClock } from "./clock.ts";
export { BotmmError, RoundingError } from "./errors.ts";
export type { Instrument, PriceRule, SizeRule } from "./instrument.ts";
export { hyperliquidPerpInstrument, instrumentSchema, lotStepOf } from "./instrument.ts";
export { floorToLot } from "./lot.ts";
export { PriceGrid, priceStepAt, snapToStep } from "./price-step.ts";
export type { Random } from "./random.ts";
export { createRandom } from "./random.ts";
export type { PriceRounding, SizeRounding } from "./rounding.ts";
export {
  isValidPrice,
  isValidSize,
  meetsMinNotional,
  roundPrice,
  roundSize,
  toWireDecimal,
} from "./rounding.ts";
export type {
  BookTop,
  CancelRequest,
  Candle,
  FeeSchedule,
  Fill,
  FundingPayment,
  L2Book,
  Level,
  Liquidity,
  ModifyRequest,
  Order,
  OrderRequest,
  OrderStatus,
  Position,
  Quote,
  Side,
  TimeInForce,
  Trade,
} from "./types.ts";
export { HYPERLIQUID_TIER0_FEES } from "./types.ts";
export type {
  CancelResult,
  ConnectionState,
  OrderResult,
  OrderUpdate,
  RejectionKind,
  SubscriptionRequest,
  Unsubscribe,
  Venue,
  VenueEvent,
} from "./venue.ts";
export type { KeyedVenueOptions, VenueNetwork } from "./venue-options.ts";
export { keyedVenueOptionFields, parseVenueOptions, resolveVenueNetwork } from "./venue-options.ts";
export type {
  BookRowsLike,
  StreamLoopSpec,
  StreamOutput,
  StreamTarget,
  VenueStreamsContext,
} from "./venue-streams.ts";
export { bookTopFromRows, l2BookFromRows, VenueStreams } from "./venue-streams.ts";
export type { PreparedWireOrder } from "./wire-order.ts";
export { errorCodeIn, prepareWireOrder, rejectionKindByCode } from "./wire-order.ts";
