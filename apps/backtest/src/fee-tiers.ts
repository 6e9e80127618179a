// Named fee presets for --fee-tier: fractions of notional, signed as a cost (negative maker = a rebate).
//
// Hyperliquid perps, by 14-day weighted volume (../shared/reference/hyperliquid.md for tiers 0–4; tiers 5–6
// from the public schedule, https://hyperliquid.gitbook.io/hyperliquid-docs/trading/fees: >$2B 0.026% taker /
// 0.000% maker, >$7B 0.024% / 0.000%). The maker-rebate tiers are a separate programme keyed on the share of
// the exchange's maker volume (>0.5%, >1.5%, >3%: −0.001%, −0.002%, −0.003%, same page); the taker rate then
// still depends on the volume tier, and the presets assume tier 0's 0.045% (the conservative choice).
// Binance USDⓈ-M VIP 0: 0.02% / 0.05%; Bybit derivatives VIP 0 (non-VIP): 0.02% / 0.055%.

/** One preset: maker and taker fee as fractions, and where the numbers come from. */
export interface FeeTier {
  makerFee: number;
  takerFee: number;
  description: string;
}

/** Every preset, by the name --fee-tier takes. */
export const FEE_TIERS = {
  "hl-0": {
    makerFee: 0.00015,
    takerFee: 0.00045,
    description: "Hyperliquid perps tier 0 (≤ $5M 14-day volume)",
  },
  "hl-1": { makerFee: 0.00012, takerFee: 0.0004, description: "Hyperliquid perps tier 1 (> $5M)" },
  "hl-2": { makerFee: 0.00008, takerFee: 0.00035, description: "Hyperliquid perps tier 2 (> $25M)" },
  "hl-3": { makerFee: 0.00004, takerFee: 0.0003, description: "Hyperliquid perps tier 3 (> $100M)" },
  "hl-4": { makerFee: 0, takerFee: 0.00028, description: "Hyperliquid perps tier 4 (> $500M)" },
  "hl-5": { makerFee: 0, takerFee: 0.00026, description: "Hyperliquid perps tier 5 (> $2B)" },
  "hl-6": { makerFee: 0, takerFee: 0.00024, description: "Hyperliquid perps tier 6 (> $7B)" },
  "hl-rebate-1": {
    makerFee: -0.00001,
    takerFee: 0.00045,
    description: "Hyperliquid maker rebate tier 1 (> 0.5% of maker volume), taker at tier 0",
  },
  "hl-rebate-2": {
    makerFee: -0.00002,
    takerFee: 0.00045,
    description: "Hyperliquid maker rebate tier 2 (> 1.5% of maker volume), taker at tier 0",
  },
  "hl-rebate-3": {
    makerFee: -0.00003,
    takerFee: 0.00045,
    description: "Hyperliquid maker rebate tier 3 (> 3% of maker volume), taker at tier 0",
  },
  "binance-vip0": { makerFee: 0.0002, takerFee: 0.0005, description: "Binance USDⓈ-M futures VIP 0" },
  "bybit-vip0": { makerFee: 0.0002, takerFee: 0.00055, description: "Bybit derivatives VIP 0" },
} as const satisfies Record<string, FeeTier>;

export type FeeTierName = keyof typeof FEE_TIERS;

/** The preset names, in table order. */
export const FEE_TIER_NAMES = Object.keys(FEE_TIERS) as [FeeTierName, ...FeeTierName[]];
