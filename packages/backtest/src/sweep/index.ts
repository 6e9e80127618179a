export type { SweepAxis, SweepConfig, SweepRange, SweepValue } from "./grid.ts";
export { drawRandomConfigs, expandGrid, SweepSpecError } from "./grid.ts";
export type { ObjectiveFields, SweepObjective } from "./objective.ts";
export { objectiveValue, rankByObjective, SWEEP_OBJECTIVES } from "./objective.ts";
export type { BacktestOverfitting, DeflatedSharpe, Moments } from "./overfitting.ts";
export {
  deflatedSharpeRatio,
  moments,
  normalCdf,
  normalQuantile,
  periodSharpe,
  probabilityOfBacktestOverfitting,
} from "./overfitting.ts";
export type { WalkForwardPlan, WalkForwardWindow } from "./windows.ts";
export { lowerBound, planWalkForwardWindows } from "./windows.ts";
