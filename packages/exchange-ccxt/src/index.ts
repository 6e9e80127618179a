export type { CcxtOutcome, CcxtSettleOptions } from "./outcome.ts";
export { failedOutcome, logSafely, redactedError, settleCcxtCall } from "./outcome.ts";
export type { CcxtReconciledOrder, TrackedOrdersVenue } from "./recover.ts";
export { settleTrackedOrders } from "./recover.ts";
export type { CcxtSocketHooks, SocketHooked } from "./socket-client.ts";
export { withSocketHooks } from "./socket-client.ts";
export type { CcxtAdapterStreamContext, CcxtStreamClient, CcxtStreamsContext } from "./streams.ts";
export { CcxtStreams, ccxtStreamErrorKind, socketCarries } from "./streams.ts";
