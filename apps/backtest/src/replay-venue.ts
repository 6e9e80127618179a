import { recordingHeaderSchema } from "@botmm/backtest";
import { DEFAULT_STRATEGY_CONFIG } from "@botmm/strategy";
import { FEE_TIERS, type FeeTierName } from "./fee-tiers.ts";
import type { BacktestCliOptions } from "./options.ts";
import { firstLine } from "./recordings/lines.ts";
import { listRecordingFiles } from "./recordings/recording.ts";
import type { ReplayFormat } from "./recordings/source.ts";

/** What a replay assumes of a recording's venue when the options do not say: its base fees and its tick. */
export interface ReplayVenuePreset {
  feeTier: FeeTierName;
  /** The venue quotes on one decimal tick per market (read from the book), not Hyperliquid's 5-significant-figure grid. */
  decimalTick: boolean;
}

/**
 * Presets by the `venue` a botmm-md recording's header names (the adapter's `Venue.name`, which `record`
 * writes). A venue not listed here replays as Hyperliquid did before.
 */
export const REPLAY_VENUE_PRESETS: Readonly<Record<string, ReplayVenuePreset>> = {
  hyperliquid: { feeTier: "hl-0", decimalTick: false },
  "binance-usdm": { feeTier: "binance-vip0", decimalTick: true },
  "bybit-linear": { feeTier: "bybit-vip0", decimalTick: true },
};

/**
 * The venue named in the header of a botmm-md recording's first file of `coin` (`recording` and
 * `recording-file` formats), or null for other formats or an unreadable header (the reader reports that).
 *
 * @example
 * ```ts
 * await recordingVenue("rec", "recording", "BTC"); // "binance-usdm"
 * ```
 */
export async function recordingVenue(
  path: string,
  format: ReplayFormat,
  coin: string,
): Promise<string | null> {
  let file: string | undefined;
  if (format === "recording-file") file = path;
  else if (format === "recording") file = (await listRecordingFiles(path, coin).catch(() => []))[0];
  if (file === undefined) return null;
  try {
    const header = recordingHeaderSchema.safeParse(JSON.parse(await firstLine(file)));
    return header.success ? header.data.venue : null;
  } catch {
    return null;
  }
}

/**
 * The strategy with the recording venue's base fees when the options left Hyperliquid's default fees (no
 * `--fee-tier`, `--maker-fee` or `--taker-fee` changing them), and the warnings that say what was assumed.
 *
 * @example
 * ```ts
 * venueFees(options, "binance-usdm").strategy.makerFee; // 0.0002 (Binance USDⓈ-M VIP 0)
 * ```
 */
export function venueFees(
  options: Pick<BacktestCliOptions, "strategy" | "feeTier">,
  venue: string | null,
): { strategy: BacktestCliOptions["strategy"]; warnings: string[] } {
  const preset = venue === null ? undefined : REPLAY_VENUE_PRESETS[venue];
  if (preset === undefined) return { strategy: options.strategy, warnings: [] };
  const family = (tier: string) => tier.split("-")[0];
  if (options.feeTier !== undefined) {
    return {
      strategy: options.strategy,
      warnings:
        family(options.feeTier) === family(preset.feeTier)
          ? []
          : [
              `--fee-tier ${options.feeTier} is not a tier of the recording's venue ${venue} (its base tier: ${preset.feeTier})`,
            ],
    };
  }
  const defaults =
    options.strategy.makerFee === DEFAULT_STRATEGY_CONFIG.makerFee &&
    options.strategy.takerFee === DEFAULT_STRATEGY_CONFIG.takerFee;
  const tier = FEE_TIERS[preset.feeTier];
  if (
    !defaults ||
    (tier.makerFee === options.strategy.makerFee && tier.takerFee === options.strategy.takerFee)
  )
    return { strategy: options.strategy, warnings: [] };
  return {
    strategy: { ...options.strategy, makerFee: tier.makerFee, takerFee: tier.takerFee },
    warnings: [
      `fees of the recording's venue ${venue}: ${tier.description} (--fee-tier ${preset.feeTier}); --fee-tier or --maker-fee/--taker-fee set others`,
    ],
  };
}
