export { clientIdToCloid, cloidToClientId, isValidClientId, normalizeClientIdPrefix } from "./cloid.ts";
export type { PreparedOrder, WireFill, WireLevel, WireOpenOrder, WireOrder, WireTif } from "./convert.ts";
export {
  bookFromWire,
  bookTopFromWire,
  fillFromWire,
  fromWireTif,
  openOrderFromWire,
  orderStatusFromWire,
  orderStatusToResult,
  orderUpdateFromWire,
  prepareOrder,
  rejectionKind,
  toWireTif,
  tradesFromWire,
} from "./convert.ts";
export type { HyperliquidVenueErrorCode, WalletErrorCode } from "./errors.ts";
export { HyperliquidVenueError, WalletError } from "./errors.ts";
export type { HyperliquidLogEntry, HyperliquidNetwork, HyperliquidVenueOptions } from "./options.ts";
export { resolveOptions } from "./options.ts";
export type { HyperliquidRequestStats, ReconciledOrder } from "./venue.ts";
export { HYPERLIQUID_MAINNET, HYPERLIQUID_TESTNET, HyperliquidVenue } from "./venue.ts";
export type { WalletSource } from "./wallet.ts";
export { DEFAULT_KEY_ENV_NAME, loadWallet } from "./wallet.ts";
