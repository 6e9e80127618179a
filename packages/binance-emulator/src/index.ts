export type {
  BinanceApiAccount,
  BinanceEmulator,
  BinanceEmulatorOptions,
  BinanceHttpFault,
  BinanceSymbolSpec,
} from "./emulator.ts";
export {
  binanceSpecInstrument,
  DEFAULT_BINANCE_SYMBOLS,
  signQuery,
  startBinanceEmulator,
} from "./emulator.ts";
export type { BinanceError, EmulatedOrder, EmulatedPosition, EngineSymbol, NewOrder } from "./engine.ts";
export { BINANCE_ERRORS, formatQty, MatchingEngine } from "./engine.ts";
