import { ManualClock } from "@botmm/core";
import type { RiskConfig, RiskConfigInput } from "./config.ts";
import { RiskEngine } from "./engine.ts";

/** 2025-01-01 10:00:00 UTC: a start time well inside a UTC day. */
export const T0 = Date.UTC(2025, 0, 1, 10, 0, 0);

const SECTIONS: readonly (keyof RiskConfig)[] = [
  "maxPosition",
  "maxAccountPosition",
  "maxOrderNotional",
  "dailyLoss",
  "maxDrawdown",
  "volatility",
  "staleData",
  "errorBurst",
  "requestBudget",
];

/** A config with every rule disabled except the sections given (enabled, with their overrides). */
export function only(overrides: RiskConfigInput): RiskConfigInput {
  const config: Record<string, unknown> = {};
  for (const section of SECTIONS) {
    const given = overrides[section];
    config[section] = given === undefined ? { enabled: false } : { enabled: true, ...given };
  }
  return config as RiskConfigInput;
}

/** A manual clock at `start` and an engine with only the given rules enabled. */
export function setup(overrides: RiskConfigInput, start = T0): { clock: ManualClock; risk: RiskEngine } {
  const clock = new ManualClock(start);
  return { clock, risk: new RiskEngine({ clock, config: only(overrides) }) };
}
