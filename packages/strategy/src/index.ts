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
export type { QuoteSet } from "./quote-set.ts";
export { clearQuoteSet, createQuoteSet } from "./quote-set.ts";
export { ToxicityGuard } from "./toxicity.ts";
