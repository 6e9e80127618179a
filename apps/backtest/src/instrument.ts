import { BotmmError, hyperliquidPerpInstrument, type Instrument } from "@botmm/core";

/**
 * szDecimals of common Hyperliquid perps as its `meta` listed them in 2025 (BTC, ETH, SOL and XRP are also in
 * our reference notes); pass --sz-decimals if the venue has changed one.
 * The backtest rounds quotes to the real Hyperliquid grid of the coin it simulates.
 */
const HYPERLIQUID_SZ_DECIMALS: Readonly<Record<string, number>> = {
  BTC: 5,
  ETH: 4,
  SOL: 2,
  XRP: 0,
  HYPE: 2,
  DOGE: 0,
  BNB: 3,
  AVAX: 2,
  LINK: 1,
  ADA: 0,
  SUI: 1,
  kPEPE: 0,
};

/** The coins whose grid is built in. */
export const BUILT_IN_COINS: readonly string[] = Object.keys(HYPERLIQUID_SZ_DECIMALS);

/**
 * Hyperliquid's szDecimals of a built-in coin, or undefined for a coin the backtester does not know.
 *
 * @example
 * ```ts
 * knownSzDecimals("BTC"); // 5
 * knownSzDecimals("NOPE"); // undefined
 * ```
 */
export function knownSzDecimals(coin: string): number | undefined {
  return Object.hasOwn(HYPERLIQUID_SZ_DECIMALS, coin) ? HYPERLIQUID_SZ_DECIMALS[coin] : undefined;
}

/**
 * The perp instrument a backtest of `coin` simulates: Hyperliquid's grid for the coin (its szDecimals; prices
 * to 5 significant figures and at most 6 − szDecimals decimals), or a fixed `tick` for the price when given.
 * A coin that is not built in needs `szDecimals`: guessing it would round every quote to a grid the venue
 * does not have.
 *
 * @example
 * ```ts
 * backtestInstrument("BTC", undefined, undefined).sizeRule; // { type: "decimals", decimals: 5 }
 * backtestInstrument("NOPE", 2, "0.01").priceRule; // { type: "tick", tickSize: "0.01" }
 * ```
 */
export function backtestInstrument(
  coin: string,
  szDecimals: number | undefined,
  tick: string | undefined,
): Instrument {
  const decimals = szDecimals ?? knownSzDecimals(coin);
  if (decimals === undefined) {
    throw new BotmmError(
      "UNKNOWN_COIN",
      `--symbol: the backtester does not know how ${coin} trades; pass --sz-decimals N (optionally --tick PRICE)`,
    );
  }
  const instrument = hyperliquidPerpInstrument({ coin, assetId: 0, szDecimals: decimals, maxLeverage: 20 });
  return tick === undefined ? instrument : { ...instrument, priceRule: { type: "tick", tickSize: tick } };
}
