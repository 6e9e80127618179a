export { BarBuilder } from "./bar-builder.ts";
export { bookImbalance, microprice, TradeFlow } from "./book-signals.ts";
export type { OnlineCalibratorOptions, SigmaSource } from "./calibrator.ts";
export { OnlineCalibrator } from "./calibrator.ts";
export type { BookLevel, CoinKernelOptions, HaltAccounting, PnlSplit, RiskInputs } from "./coin-kernel.ts";
export { CoinKernel } from "./coin-kernel.ts";
export type { StrategyConfig, StrategyConfigInput, StrategySettingHelp } from "./config.ts";
export {
  DEFAULT_STRATEGY_CONFIG,
  parseStrategyConfig,
  StrategyConfigError,
  strategyConfigSchema,
  strategySettingHelp,
} from "./config.ts";
export { exitDefenceScale } from "./exit-relief.ts";
export type { ImbalanceSkipOptions } from "./imbalance-skip.ts";
export { ImbalanceSkip } from "./imbalance-skip.ts";
export type { MidRange, QuoteDecision, QuoteInput, QuoteStatus, RiskMode } from "./market-maker.ts";
export { MarketMaker } from "./market-maker.ts";
export type { MarkoutListener } from "./markouts.ts";
export { horizonLabel, MARKOUT_HORIZONS_MS, MarkoutTracker } from "./markouts.ts";
export type {
  ModifyPacer,
  OrderActionSink,
  OrderManagerOptions,
  ReconcileCounts,
  SlotState,
  WorkingOrder,
} from "./order-manager.ts";
export { OrderManager } from "./order-manager.ts";
export { PnlLedger } from "./pnl-ledger.ts";
export type { QuoteSet } from "./quote-set.ts";
export { clearQuoteSet, createQuoteSet } from "./quote-set.ts";
export type { SweepPullOptions } from "./sweep-pull.ts";
export { SweepPull } from "./sweep-pull.ts";
export type { TimedToxicityGuardOptions } from "./timed-toxicity.ts";
export { TimedToxicityGuard } from "./timed-toxicity.ts";
export type { ToxicityGuardOptions } from "./toxicity.ts";
export { ToxicityGuard } from "./toxicity.ts";
