/** @deprecated Import it from `@botmm/core`; this re-export will go. */
export { floorToLot } from "@botmm/core";
export type { SimBookLevel, SimBookOptions, SimBookSlot, SimTaker } from "./book.ts";
export { SimBook } from "./book.ts";
export type { CountedFault, EmulatorRequestHandler } from "./emulator-http.ts";
export {
  closeEmulatorServer,
  createEmulatorServer,
  FaultQueue,
  LostAnswers,
  listenEmulator,
  sendJson,
  signatureMatches,
} from "./emulator-http.ts";
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
export { formatSimQty, houseClientId, SIM_HOUSE, SimExchange } from "./exchange.ts";
export type { SimMarketDriverOptions, SimMarketStep } from "./market-driver.ts";
export { SimMarketDriver } from "./market-driver.ts";
export type { SimFillOptions, SimPosition, SimPositionChange } from "./position.ts";
export { applyFillToPosition } from "./position.ts";
export { postOnlyCrosses } from "./post-only.ts";
export type {
  LevelView,
  OrderQueueOptions,
  QueuedOrder,
  QueueFill,
  QueueFillSource,
  QueueLevel,
  QueueLevels,
  QueueModel,
  QueueOrderInput,
  QueueTrade,
} from "./queue.ts";
export { OrderQueue } from "./queue.ts";
