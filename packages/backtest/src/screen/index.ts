export type { CoinScreen, CoinScreenOptions, FundingRates, HourOfDayScreen } from "./coin-screen.ts";
export { screenCoin } from "./coin-screen.ts";
export type { HeatmapRow, HourHeatmapSpec } from "./heatmap.ts";
export { renderHourHeatmap } from "./heatmap.ts";
export type { BookTop, QuotedSpreadSummary, WeightedQuantiles } from "./quoted-spread.ts";
export { QuotedSpreadAccumulator, weightedQuantiles } from "./quoted-spread.ts";
export type { ScreenScore, ScreenScoreFields } from "./rank.ts";
export { rankScreen, SCREEN_SCORE_DESCRIPTIONS, SCREEN_SCORES, screenScore } from "./rank.ts";
export type { SpreadEstimate } from "./spread-estimators.ts";
export {
  abdiRanaldoPairSquared,
  combinedSpreadBps,
  corwinSchultzPair,
  SpreadAccumulator,
} from "./spread-estimators.ts";
export type { SyntheticSpreadMarket } from "./synthetic-market.ts";
export { syntheticSpreadCandles } from "./synthetic-market.ts";
