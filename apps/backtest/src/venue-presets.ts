// What `--venue hyperliquid|binance|bybit` presets: the venue's base fee tier, its price/size grid for the
// symbols built in, and its funding interval. Flags given explicitly (--fee-tier, --maker-fee, --tick,
// --sz-decimals, --funding, --funding-rate) win over the preset.
//
// Tick and lot sizes: Binance USDⓈ-M `GET /fapi/v1/exchangeInfo` (PRICE_FILTER tickSize, LOT_SIZE stepSize) and
// Bybit `GET /v5/market/instruments-info?category=linear` (priceFilter.tickSize, lotSizeFilter.qtyStep) as
// listed in 2025; venues change them now and then, so --tick / --sz-decimals override.

import type { FeeTierName } from "./fee-tiers.ts";

/** The venues `--venue` knows. */
export const BACKTEST_VENUES = ["hyperliquid", "binance", "bybit"] as const;
export type BacktestVenue = (typeof BACKTEST_VENUES)[number];

/** One venue's preset. */
export interface VenuePreset {
  label: string;
  /** The --fee-tier a run on this venue uses unless fees are given. */
  feeTier: FeeTierName;
  /** Hours between funding settlements (Hyperliquid pays hourly). */
  fundingIntervalHours: number;
}

/** The presets, by venue. */
export const VENUE_PRESETS: Readonly<Record<BacktestVenue, VenuePreset>> = {
  hyperliquid: { label: "Hyperliquid", feeTier: "hl-0", fundingIntervalHours: 1 },
  binance: { label: "Binance USDⓈ-M", feeTier: "binance-vip0", fundingIntervalHours: 8 },
  bybit: { label: "Bybit linear", feeTier: "bybit-vip0", fundingIntervalHours: 8 },
};

/** A venue symbol's price tick and size step, as decimal strings. */
export interface SymbolRules {
  tick: string;
  lot: string;
}

const SYMBOL_RULES: Readonly<Record<"binance" | "bybit", Readonly<Record<string, SymbolRules>>>> = {
  binance: {
    BTCUSDT: { tick: "0.10", lot: "0.001" },
    ETHUSDT: { tick: "0.01", lot: "0.001" },
    SOLUSDT: { tick: "0.01", lot: "1" },
  },
  bybit: {
    BTCUSDT: { tick: "0.10", lot: "0.001" },
    ETHUSDT: { tick: "0.01", lot: "0.01" },
    SOLUSDT: { tick: "0.010", lot: "0.1" },
  },
};

/**
 * The built-in tick and lot of a Binance or Bybit linear symbol (`BTCUSDT`), or undefined when the backtester
 * does not know it (pass --tick and --sz-decimals then).
 *
 * @example
 * ```ts
 * venueSymbolRules("binance", "BTCUSDT"); // { tick: "0.10", lot: "0.001" }
 * venueSymbolRules("bybit", "NOPEUSDT"); // undefined
 * ```
 */
export function venueSymbolRules(venue: "binance" | "bybit", symbol: string): SymbolRules | undefined {
  const table = SYMBOL_RULES[venue];
  return Object.hasOwn(table, symbol) ? table[symbol] : undefined;
}

/** The symbols with built-in rules on a venue, for error messages. */
export function venueSymbolsKnown(venue: "binance" | "bybit"): string[] {
  return Object.keys(SYMBOL_RULES[venue]);
}

/**
 * The number of decimals of a size step that is a power of ten (`0.001` → 3, `1` → 0), or undefined for a
 * step like `0.005` that a decimals rule cannot express.
 *
 * @example
 * ```ts
 * lotDecimals("0.001"); // 3
 * lotDecimals("5"); // undefined
 * ```
 */
export function lotDecimals(lot: string): number | undefined {
  const match = /^(?:1|0\.(0*)1)$/.exec(lot);
  if (match === null) return undefined;
  return match[1] === undefined ? 0 : match[1].length + 1;
}
