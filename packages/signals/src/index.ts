export {
  biasShiftPrice,
  DEFAULT_DIRECTIONAL_BIAS_WEIGHTS,
  DirectionalBias,
  type DirectionalBiasOptions,
  type DirectionalBiasWeights,
} from "./directional-bias.ts";
export { Ema } from "./ema.ts";
export { SignalsInputError, type SignalsInputErrorCode } from "./errors.ts";
export { KalmanLevelFilter, type KalmanLevelFilterOptions } from "./kalman-level.ts";
export { KalmanTrendFilter, type KalmanTrendFilterOptions, type TrendCovariance } from "./kalman-trend.ts";
export { Qqe, type QqeOptions, type QqeTrend, type QqeWarmUp, qqeWarmUp } from "./qqe.ts";
export { WilderRsi } from "./rsi.ts";
