export type { BybitBudgetConfig, BybitBudgetUse, BybitEndpointClass } from "./budget.ts";
export { BybitRequestBudget } from "./budget.ts";
export type {
  BybitExecutionJson,
  BybitOrderJson,
  CcxtBybitMarketLike,
  PreparedBybitOrder,
} from "./convert.ts";
export {
  BYBIT_OUTCOME_UNKNOWN_CODES,
  BYBIT_POST_ONLY_REJECT_REASON,
  bybitOrderStatus,
  bybitRejectionKind,
  bybitRetCode,
  fillFromBybit,
  fromBybitLinkId,
  instrumentFromBybitMarket,
  orderFromBybit,
  prepareBybitOrder,
  toBybitLinkId,
  toBybitTif,
} from "./convert.ts";
export type { BybitVenueErrorCode } from "./errors.ts";
export { BybitVenueError } from "./errors.ts";
export type { BybitNetwork, BybitVenueOptions, ResolvedBybitOptions } from "./options.ts";
export { bybitUrls, resolveBybitOptions } from "./options.ts";
export type { BybitReconciledOrder } from "./venue.ts";
export { BybitLinearVenue } from "./venue.ts";
