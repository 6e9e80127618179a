export type {
  BinanceApiAccount,
  BinanceEmulator,
  BinanceEmulatorOptions,
  BinanceHttpFault,
  BinanceSymbolSpec,
  BinanceWsFault,
} from "./emulator.ts";
export {
  binanceSpecInstrument,
  DEFAULT_BINANCE_SYMBOLS,
  signQuery,
  startBinanceEmulator,
} from "./emulator.ts";
export type { BinanceError, EmulatedOrder, EmulatedPosition, EngineSymbol, NewOrder } from "./engine.ts";
export { BINANCE_ERRORS, formatQty, MatchingEngine } from "./engine.ts";
export type {
  AccountTrade,
  AggTradeEvent,
  DepthUpdateEvent,
  StreamEventSink,
  TradeEvent,
  UserStreamEvent,
} from "./stream-events.ts";
export { aggregatedDepth, StreamEvents } from "./stream-events.ts";
export type { BinanceWsTarget } from "./ws-server.ts";
export { BinanceStreamServer, LISTEN_KEY_VALIDITY_MS } from "./ws-server.ts";
