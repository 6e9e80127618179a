import { z } from "zod";
import {
  DEFAULT_SUBBAR_PARAMS,
  DEFAULT_SUBBAR_PARAMS_SOURCE,
  type SubbarParams,
  subbarParamsSchema,
} from "./subbar-path.ts";

/**
 * How a resting limit order is filled by a bar's price path.
 * - `touch`: fills when the path reaches the price (optimistic: in a real queue, touching is not filling).
 * - `cross` (default): the path must trade through the price by at least `throughTicks` price steps.
 * - `probabilistic`: once touched, fills with probability
 *   `touchProbability + (1 − touchProbability) · min(1, penetrationBps / fullFillPenetrationBps)`, drawn from
 *   the run's seeded RNG, where the penetration is how far the rest of the bar's path goes past the price.
 * - `subbar`: each bar is walked as a seeded path through its open, extremes and close at the requote cadence;
 *   the strategy requotes on the path so far and orders fill where the path trades through them (see
 *   {@link SubbarParams}). `source` says where the parameters came from (a fitted file, or the default set).
 */
export type FillModel =
  | { type: "touch" }
  | { type: "cross"; throughTicks: number }
  | { type: "probabilistic"; touchProbability: number; fullFillPenetrationBps: number }
  | { type: "subbar"; params: SubbarParams; source: string };

/** zod schema for {@link FillModel}. */
export const fillModelSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("touch") }),
  z.object({ type: z.literal("cross"), throughTicks: z.number().int().min(1).default(1) }),
  z.object({
    type: z.literal("probabilistic"),
    touchProbability: z.number().min(0).max(1).default(0.3),
    fullFillPenetrationBps: z.number().positive().default(5),
  }),
  z.object({
    type: z.literal("subbar"),
    params: subbarParamsSchema.default({ ...DEFAULT_SUBBAR_PARAMS }),
    source: z.string().default(DEFAULT_SUBBAR_PARAMS_SOURCE),
  }),
]);

/**
 * The sub-bar fill model with the shipped parameters ({@link DEFAULT_SUBBAR_PARAMS}) or a fitted set.
 *
 * @example
 * ```ts
 * const model = subbarFillModel(); // { type: "subbar", params: DEFAULT_SUBBAR_PARAMS, source: "default set fitted on …" }
 * const fitted = subbarFillModel(JSON.parse(text).params, "fill-model.json");
 * ```
 */
export function subbarFillModel(
  params: Partial<SubbarParams> = {},
  source = DEFAULT_SUBBAR_PARAMS_SOURCE,
): FillModel {
  return { type: "subbar", params: subbarParamsSchema.parse(params), source };
}

/**
 * The order in which a bar visits its extremes. `ohlc`: open → high → low → close. `nearest`: open → the
 * extreme nearer the open → the other → close (NautilusTrader's adaptive path). Each leg takes a third of
 * the bar.
 */
export type BarPath = "ohlc" | "nearest";

/**
 * The default fill model: trade-through by one tick.
 *
 * @example
 * ```ts
 * const model = defaultFillModel(); // { type: "cross", throughTicks: 1 }
 * ```
 */
export function defaultFillModel(): FillModel {
  return { type: "cross", throughTicks: 1 };
}

/**
 * One line describing a fill model and its parameters, for reports.
 *
 * @example
 * ```ts
 * describeFillModel({ type: "cross", throughTicks: 1 }); // "cross (price must trade through the quote by ≥ 1 tick)"
 * ```
 */
export function describeFillModel(model: FillModel): string {
  switch (model.type) {
    case "touch":
      return "touch (fills when the bar reaches the quote — optimistic)";
    case "cross":
      return `cross (price must trade through the quote by ≥ ${model.throughTicks} tick${model.throughTicks === 1 ? "" : "s"})`;
    case "probabilistic":
      return `probabilistic (p = ${model.touchProbability} + ${1 - model.touchProbability}·min(1, penetration / ${model.fullFillPenetrationBps} bps), seeded)`;
    case "subbar": {
      const p = model.params;
      return `subbar (a seeded path through each bar's open, extremes and close, walked at the requote cadence; the strategy requotes on the path so far; fills where the market (the path ± ${p.spreadTicks}/2 ticks) trades through a quote by ${p.throughBps} bps, ≤ ${p.queueShare} of the step's volume; roughness ${p.roughness}, persistence ${p.persistence}, jumps ${p.jumpShare} × ${p.jumpSize} with follow-through ${p.jumpFollowThrough} (> 0: the price keeps moving the jump's way, adverse selection; < 0: it reverts), trade-size dispersion ${p.tradeSizeDispersion}, wick share ${p.wickShare} (the extremes are reached by a one-step spike from that share of the way back to the bar's body); parameters: ${model.source})`;
    }
  }
}
