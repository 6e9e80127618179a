export type { BybitError } from "./codes.ts";
export { BYBIT_ERRORS, bybitErrorOf, POST_ONLY_REJECT_REASON } from "./codes.ts";
export type {
  BybitApiAccount,
  BybitEmulator,
  BybitEmulatorOptions,
  BybitHttpFault,
  BybitSymbolSpec,
} from "./emulator.ts";
export { bybitSpecInstrument, DEFAULT_BYBIT_SYMBOLS, signBybit, startBybitEmulator } from "./emulator.ts";
export type { BybitStreamHooks, BybitWsTarget } from "./ws-server.ts";
export { BybitStreamServer } from "./ws-server.ts";
