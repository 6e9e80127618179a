import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { recordingHeaderLine } from "@botmm/backtest";
import { DEFAULT_STRATEGY_CONFIG, parseStrategyConfig } from "@botmm/strategy";
import { describe, expect, it } from "vitest";
import { recordingVenue, venueFees } from "./replay-venue.ts";

describe("replay venue presets", () => {
  it("reads the venue from the header of the coin's first recording file", async () => {
    const root = mkdtempSync(join(tmpdir(), "botmm-replay-venue-"));
    mkdirSync(join(root, "BTC", "20240101"), { recursive: true });
    const file = join(root, "BTC", "20240101", "12.jsonl.gz");
    writeFileSync(
      file,
      gzipSync(`${recordingHeaderLine("BTC", "binance-usdm", Date.UTC(2024, 0, 1, 12))}\n`),
    );
    expect(await recordingVenue(root, "recording", "BTC")).toBe("binance-usdm");
    expect(await recordingVenue(file, "recording-file", "BTC")).toBe("binance-usdm");
    expect(await recordingVenue(root, "recording", "ETH")).toBeNull();
    expect(await recordingVenue(file, "tardis", "BTC")).toBeNull();
  });

  it("takes the venue's base fees only when the options left the default ones", () => {
    const strategy = parseStrategyConfig({});
    expect(strategy.makerFee).toBe(DEFAULT_STRATEGY_CONFIG.makerFee);
    const binance = venueFees({ strategy, feeTier: undefined }, "binance-usdm");
    expect([binance.strategy.makerFee, binance.strategy.takerFee]).toEqual([0.0002, 0.0005]);
    expect(binance.warnings[0]).toContain("Binance USDⓈ-M futures VIP 0 (--fee-tier binance-vip0)");
    const bybit = venueFees({ strategy, feeTier: undefined }, "bybit-linear");
    expect([bybit.strategy.makerFee, bybit.strategy.takerFee]).toEqual([0.0002, 0.00055]);

    expect(venueFees({ strategy, feeTier: undefined }, "hyperliquid")).toEqual({ strategy, warnings: [] });
    expect(venueFees({ strategy, feeTier: undefined }, "some-new-venue")).toEqual({ strategy, warnings: [] });
    expect(venueFees({ strategy, feeTier: undefined }, null)).toEqual({ strategy, warnings: [] });

    const own = parseStrategyConfig({ makerFee: 0.0001, takerFee: 0.0004 });
    expect(venueFees({ strategy: own, feeTier: undefined }, "binance-usdm")).toEqual({
      strategy: own,
      warnings: [],
    });
    const tiered = venueFees({ strategy, feeTier: "hl-2" }, "binance-usdm");
    expect(tiered.strategy).toBe(strategy);
    expect(tiered.warnings).toEqual([
      "--fee-tier hl-2 is not a tier of the recording's venue binance-usdm (its base tier: binance-vip0)",
    ]);
    expect(venueFees({ strategy, feeTier: "binance-vip0" }, "binance-usdm").warnings).toEqual([]);
  });
});
