import { z } from "zod";

/**
 * How a venue constrains prices.
 * - `significant-figures`: Hyperliquid perps: at most `maxSignificantFigures` significant figures and at most
 *   `maxDecimals` decimals; integer prices are always valid.
 * - `tick`: a fixed tick size (Binance, Bybit), given as a decimal string so it stays exact.
 */
export type PriceRule =
  | { type: "significant-figures"; maxSignificantFigures: number; maxDecimals: number }
  | { type: "tick"; tickSize: string };

/**
 * How a venue constrains sizes.
 * - `decimals`: a size may have at most `decimals` decimals (Hyperliquid's `szDecimals`).
 * - `step`: a size must be a multiple of `stepSize` (a decimal string).
 */
export type SizeRule = { type: "decimals"; decimals: number } | { type: "step"; stepSize: string };

/** A tradable contract and the rules its orders must obey. */
export interface Instrument {
  /** Venue name, e.g. `hyperliquid`. */
  venue: string;
  /** The venue's symbol, e.g. `BTC` on Hyperliquid. */
  coin: string;
  /** The venue's numeric asset id where it has one (Hyperliquid's index in `meta.universe`). */
  assetId: number;
  priceRule: PriceRule;
  sizeRule: SizeRule;
  /** Smallest order notional in quote currency (USD), e.g. 10 on Hyperliquid. */
  minNotionalUsd: number;
  maxLeverage: number;
}

const decimalString = z.string().regex(/^\d+(\.\d+)?$/, "a positive decimal string such as 0.01");

/** zod schema for {@link Instrument}: parse instruments read from config or a venue with it. */
export const instrumentSchema = z.object({
  venue: z.string().min(1),
  coin: z.string().min(1),
  assetId: z.number().int().nonnegative(),
  priceRule: z.discriminatedUnion("type", [
    z.object({
      type: z.literal("significant-figures"),
      maxSignificantFigures: z.number().int().positive(),
      maxDecimals: z.number().int().nonnegative(),
    }),
    z.object({ type: z.literal("tick"), tickSize: decimalString }),
  ]),
  sizeRule: z.discriminatedUnion("type", [
    z.object({ type: z.literal("decimals"), decimals: z.number().int().nonnegative() }),
    z.object({ type: z.literal("step"), stepSize: decimalString }),
  ]),
  minNotionalUsd: z.number().nonnegative(),
  maxLeverage: z.number().positive(),
});

/** Hyperliquid perps allow at most 6 − szDecimals price decimals (8 − szDecimals on spot). */
const HYPERLIQUID_PERP_MAX_PRICE_DECIMALS = 6;

/**
 * Builds the {@link Instrument} for a Hyperliquid perp from its `meta.universe` entry.
 *
 * @example
 * ```ts
 * const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });
 * btc.priceRule; // { type: "significant-figures", maxSignificantFigures: 5, maxDecimals: 1 }
 * ```
 */
export function hyperliquidPerpInstrument(input: {
  coin: string;
  assetId: number;
  szDecimals: number;
  maxLeverage: number;
}): Instrument {
  return instrumentSchema.parse({
    venue: "hyperliquid",
    coin: input.coin,
    assetId: input.assetId,
    priceRule: {
      type: "significant-figures",
      maxSignificantFigures: 5,
      maxDecimals: Math.max(0, HYPERLIQUID_PERP_MAX_PRICE_DECIMALS - input.szDecimals),
    },
    sizeRule: { type: "decimals", decimals: input.szDecimals },
    minNotionalUsd: 10,
    maxLeverage: input.maxLeverage,
  }) as Instrument;
}

/**
 * The smallest size step of an instrument as a float, for hot loops that snap sizes down (`1e-5` for
 * 5 size decimals). Exact rounding of sizes that leave the process goes through `roundSize`.
 *
 * @example
 * ```ts
 * lotStepOf({ ...btc, sizeRule: { type: "decimals", decimals: 5 } }); // 0.00001
 * lotStepOf({ ...eth, sizeRule: { type: "step", stepSize: "0.001" } }); // 0.001
 * ```
 */
export function lotStepOf(instrument: Pick<Instrument, "sizeRule">): number {
  const rule = instrument.sizeRule;
  return rule.type === "decimals" ? 10 ** -rule.decimals : Number(rule.stepSize);
}
