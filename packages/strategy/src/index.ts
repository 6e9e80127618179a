export { BarBuilder } from "./bar-builder.ts";
export type { CoinKernelOptions, HaltAccounting, PnlSplit, RiskInputs } from "./coin-kernel.ts";
export { CoinKernel } from "./coin-kernel.ts";
export type { StrategyConfig, StrategyConfigInput } from "./config.ts";
export {
  DEFAULT_STRATEGY_CONFIG,
  parseStrategyConfig,
  StrategyConfigError,
  strategyConfigSchema,
} from "./config.ts";
export type { QuoteDecision, QuoteInput, QuoteStatus, RiskMode } from "./market-maker.ts";
export { MarketMaker } from "./market-maker.ts";
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
export type { ToxicityGuardOptions } from "./toxicity.ts";
export { ToxicityGuard } from "./toxicity.ts";
