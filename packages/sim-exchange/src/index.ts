export type {
  SimEndReason,
  SimEvent,
  SimExchangeOptions,
  SimFill,
  SimMarketEvent,
  SimNewOrder,
  SimOrder,
  SimOrderRef,
  SimOrderStatus,
  SimReject,
  SimRejectReason,
  SimSide,
  SimSymbol,
  SimTimeInForce,
} from "./exchange.ts";
export { formatSimQty, SIM_HOUSE, SimExchange } from "./exchange.ts";
