export type {
  RequestBudgetOptions,
  RequestBudgetSnapshot,
  RequestBudgetStatus,
  RequestKind,
} from "./budget.ts";
export { hyperliquidExchangeWeight, hyperliquidInfoWeight, RequestBudget } from "./budget.ts";
export type {
  DailyLossConfig,
  ErrorBurstConfig,
  MaxAccountPositionConfig,
  MaxDrawdownConfig,
  MaxOrderNotionalConfig,
  MaxPositionConfig,
  RequestBudgetConfig,
  RiskConfig,
  RiskConfigInput,
  StaleDataConfig,
  VolatilityConfig,
} from "./config.ts";
export { DEFAULT_RISK_CONFIG, resolveRiskConfig, riskConfigSchema } from "./config.ts";
export type {
  OrderCheck,
  OrderIntent,
  RiskAction,
  RiskDecision,
  RiskEffect,
  RiskReason,
  RiskRuleId,
} from "./decision.ts";
export { ALLOW_DECISION, ORDER_ALLOWED } from "./decision.ts";
export type { RiskEngineOptions } from "./engine.ts";
export { RiskEngine } from "./engine.ts";
export type { RiskIssue } from "./errors.ts";
export { RiskConfigError, RiskInputError, RiskSnapshotError } from "./errors.ts";
export type { CoinRiskSnapshot, RiskSnapshot } from "./snapshot.ts";
export { parseRiskSnapshot, riskSnapshotSchema } from "./snapshot.ts";
