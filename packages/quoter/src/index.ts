export {
  type AsBaseInput,
  type AsFiniteHorizonInput,
  type AsFiniteHorizonQuote,
  type AsInfiniteHorizonInput,
  type AsInfiniteHorizonQuote,
  asFiniteHorizonQuote,
  asInfiniteHorizonQuote,
  asNaturalOmega,
  asOptimalSpread,
  asReservationPrice,
} from "./avellaneda-stoikov.ts";
export {
  type BasicQuote,
  type BasicQuoteInput,
  type BasicQuoteParams,
  basicQuote,
  DEFAULT_BASIC_QUOTE_PARAMS,
} from "./basic.ts";
export {
  type CandleVolatilityEstimator,
  EwmaCandleVolatility,
  type EwmaCandleVolatilityOptions,
  garmanKlassVariance,
  garmanKlassVolatility,
  type Ohlc,
  parkinsonVariance,
  parkinsonVolatility,
  RollingCandleVolatility,
  type RollingCandleVolatilityOptions,
} from "./candle-volatility.ts";
export { type QuoterErrorCode, QuoterInputError } from "./errors.ts";
export { type EwmaDecay, EwmaVolatility } from "./ewma.ts";
export {
  canPayRoundTrip,
  type FeeFloorInput,
  minHalfSpreadBps,
  minHalfSpreadPrice,
  type RoundTripInput,
  spreadBps,
  type WidenedQuotes,
  type WidenToFeeFloorInput,
  widenToFeeFloor,
} from "./fees.ts";
export {
  type FillIntensityEstimate,
  FillIntensityEstimator,
  type FillIntensityOptions,
} from "./fill-intensity.ts";
export {
  type GlftCoefficientInput,
  type GlftCoefficients,
  type GlftQuote,
  type GlftQuoteInput,
  glftCoefficients,
  glftQuote,
} from "./glft.ts";
export { SampledMidVolatility, type SampledMidVolatilityOptions } from "./mid-volatility.ts";
export { BPS_PER_UNIT, scaleVolatility, toPriceVolatility } from "./units.ts";
