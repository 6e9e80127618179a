import { describe, expect, it } from "vitest";
import {
  DEFAULT_STRATEGY_CONFIG,
  parseStrategyConfig,
  type StrategyConfig,
  strategyConfigSchema,
  strategySettingHelp,
} from "./config.ts";

describe("strategySettingHelp", () => {
  it("describes every setting of the schema, with a value placeholder for every non-boolean", () => {
    for (const key of Object.keys(strategyConfigSchema.shape) as (keyof StrategyConfig)[]) {
      const help = strategySettingHelp(key);
      expect(help.description.length, key).toBeGreaterThan(10);
      if (typeof DEFAULT_STRATEGY_CONFIG[key] === "boolean") expect(help.value, key).toBeUndefined();
      else expect(help.value, key).toMatch(/\S/);
    }
  });

  it("reads metadata set before or after the default", () => {
    expect(strategySettingHelp("baseSpreadBps")).toEqual({
      value: "BPS",
      description: "half-spread floor of the basic model, in bps of the mid",
    });
    expect(strategySettingHelp("fairPrice").value).toBe("MODE");
    expect(strategySettingHelp("feeAware")).toEqual({
      description: "never quote a half spread below the maker fee + --fee-margin-bps",
    });
  });

  it("leaves parsing unchanged: the metadata carries no default or check", () => {
    expect(parseStrategyConfig({})).toEqual(parseStrategyConfig(DEFAULT_STRATEGY_CONFIG));
    expect(() => parseStrategyConfig({ baseSpreadBps: 0 })).toThrow(/baseSpreadBps must be > 0/);
  });

  it("refuses an imbalance skip exit level beyond its threshold, naming both", () => {
    expect(() => parseStrategyConfig({ imbalanceSkipThreshold: 0.5, imbalanceSkipExit: 0.6 })).toThrow(
      /imbalanceSkipExit: imbalanceSkipExit must be ≤ imbalanceSkipThreshold \(0\.5\), got 0\.6/,
    );
    expect(
      parseStrategyConfig({ imbalanceSkipThreshold: 0.8, imbalanceSkipExit: 0.5 }).imbalanceSkipExit,
    ).toBe(0.5);
    // The skip switched off with an exit level left in place is no error.
    expect(parseStrategyConfig({ imbalanceSkipExit: 0.5 }).imbalanceSkipThreshold).toBe(0);
    expect(() => parseStrategyConfig({ imbalanceSkipHoldMs: -1 })).toThrow(/imbalanceSkipHoldMs must be ≥ 0/);
  });
});
