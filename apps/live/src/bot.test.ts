import { parseStrategyConfig } from "@botmm/strategy";
import { describe, expect, it } from "vitest";
import { needsTrades } from "./bot.ts";

describe("needsTrades", () => {
  it("opens the trade stream only for the trade-flow shift and the online calibration", () => {
    expect(needsTrades(parseStrategyConfig())).toBe(false);
    expect(needsTrades(parseStrategyConfig({ fairPrice: "microprice", toxicityPull: true }))).toBe(false);
    expect(needsTrades(parseStrategyConfig({ calibration: "online" }))).toBe(true);
    expect(needsTrades(parseStrategyConfig({ tradeFlowShiftBps: 0.5 }))).toBe(true);
  });
});
