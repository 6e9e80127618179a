export type { AccountOptions, EmulatorOptions, HttpFault } from "./emulator.ts";
export { Emulator, start } from "./emulator.ts";
export type {
  AccountState,
  CoinSpec,
  CoinState,
  EngineEvent,
  EngineOptions,
  FeeRates,
  OrderRecord,
  OrderStatusWire,
  OrderUpdateWire,
  OrderWire,
  PositionState,
  TradeWire,
  UserFillWire,
} from "./engine.ts";
export { coinSpec, MatchingEngine, TIER0_FEES } from "./engine.ts";
export { EmulatorError } from "./errors.ts";
export { handleExchange } from "./exchange.ts";
export { answerInfo } from "./info.ts";
export {
  consumeAddressBudget,
  exchangeRequestWeight,
  IpWeightLimiter,
  infoRequestWeight,
  NonceTracker,
} from "./limits.ts";
export type { PriceSource } from "./market.ts";
export { MarketDriver } from "./market.ts";
export type { WatchParentOptions } from "./parent-watch.ts";
export { watchParent } from "./parent-watch.ts";
export type { WireSignature } from "./signing.ts";
export { l1ActionHash, recoverApproveAgentSigner, recoverL1Signer } from "./signing.ts";
export type { TestAccount } from "./testAccount.ts";
export { testAccount } from "./testAccount.ts";
