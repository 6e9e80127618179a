import { describe, expect, it } from "vitest";
import { FEE_TIERS } from "./fee-tiers.ts";
import { lotDecimals, VENUE_PRESETS, venueSymbolRules } from "./venue-presets.ts";

describe("venue presets", () => {
  it("name an existing fee tier and the venue's funding interval", () => {
    expect(VENUE_PRESETS.binance).toMatchObject({ feeTier: "binance-vip0", fundingIntervalHours: 8 });
    expect(VENUE_PRESETS.bybit).toMatchObject({ feeTier: "bybit-vip0", fundingIntervalHours: 8 });
    expect(VENUE_PRESETS.hyperliquid).toMatchObject({ feeTier: "hl-0", fundingIntervalHours: 1 });
    for (const preset of Object.values(VENUE_PRESETS)) expect(FEE_TIERS[preset.feeTier]).toBeDefined();
  });

  it("know the grid of the built-in symbols, per venue, and nothing else", () => {
    expect(venueSymbolRules("binance", "ETHUSDT")).toEqual({ tick: "0.01", lot: "0.001" });
    expect(venueSymbolRules("bybit", "ETHUSDT")).toEqual({ tick: "0.01", lot: "0.01" });
    expect(venueSymbolRules("binance", "NOPEUSDT")).toBeUndefined();
    expect(venueSymbolRules("binance", "toString")).toBeUndefined();
  });

  it("turn power-of-ten lots into size decimals", () => {
    expect(lotDecimals("0.001")).toBe(3);
    expect(lotDecimals("0.1")).toBe(1);
    expect(lotDecimals("1")).toBe(0);
    expect(lotDecimals("0.005")).toBeUndefined();
    expect(lotDecimals("10")).toBeUndefined();
  });
});
