import type { BarPath, FillModel } from "./fill-model.ts";

/**
 * Every simulation default, in one place, each chosen to err on the conservative side.
 */
export const DEFAULT_SIMULATION = {
  /** Trade-through by one tick: touching a price is not being filled (queues are deep). */
  fillModel: { type: "cross", throughTicks: 1 } as FillModel,
  /** Visit the extreme nearer the open first (NautilusTrader's adaptive path). */
  barPath: "nearest" as BarPath,
  /** Own fills take at most 10% of a bar's traded volume. */
  maxVolumeShare: 0.1,
  /** Order entry / modify / cancel latency. Hyperliquid round trips from a nearby host are ~100–300 ms. */
  latencyMs: 200,
  /** A forced taker exit pays this beyond the open it executes at, plus the taker fee. */
  takerSlippageBps: 1,
  /**
   * Funding per hour when no series is given: Hyperliquid's baseline (the interest component,
   * 0.01% per 8 h = 0.00125% per hour), positive = longs pay.
   */
  fundingRatePerHour: 0.0000125,
  seed: 1,
} as const;
