import { hyperliquidPerpInstrument, type Instrument } from "@botmm/core";

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

/**
 * The Hyperliquid perp instrument a backtest of `coin` simulates. Unknown coins need `szDecimals`; without it
 * a value is derived from the price (one more than its integer digits, within 0..5) and a warning says so.
 */
export function backtestInstrument(
  coin: string,
  referencePrice: number,
  szDecimals: number | undefined,
): { instrument: Instrument; warning: string | null } {
  const known = HYPERLIQUID_SZ_DECIMALS[coin];
  let decimals = szDecimals ?? known;
  let warning: string | null = null;
  if (decimals === undefined) {
    decimals = Math.max(0, Math.min(5, Math.floor(Math.log10(referencePrice)) + 1));
    warning = `szDecimals of ${coin} unknown: assumed ${decimals} from its price (pass --sz-decimals to set it)`;
  }
  return {
    instrument: hyperliquidPerpInstrument({ coin, assetId: 0, szDecimals: decimals, maxLeverage: 20 }),
    warning,
  };
}
