import { BotmmError } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { DEFAULT_RISK_CONFIG, type RiskConfigInput, resolveRiskConfig, riskConfigSchema } from "./config.ts";
import { RiskConfigError } from "./errors.ts";

function fieldOf(input: unknown): string {
  try {
    resolveRiskConfig(input as RiskConfigInput);
  } catch (error) {
    expect(error).toBeInstanceOf(RiskConfigError);
    expect(error).toBeInstanceOf(BotmmError);
    expect((error as RiskConfigError).code).toBe("INVALID_RISK_CONFIG");
    return (error as RiskConfigError).field;
  }
  throw new Error("expected a RiskConfigError");
}

describe("DEFAULT_RISK_CONFIG", () => {
  it("is valid, complete, frozen and enables every rule", () => {
    expect(riskConfigSchema.safeParse(DEFAULT_RISK_CONFIG).success).toBe(true);
    expect(Object.isFrozen(DEFAULT_RISK_CONFIG)).toBe(true);
    expect(Object.isFrozen(DEFAULT_RISK_CONFIG.requestBudget)).toBe(true);
    for (const section of Object.values(DEFAULT_RISK_CONFIG)) expect(section.enabled).toBe(true);
  });

  it("carries Hyperliquid's published request limits", () => {
    expect(DEFAULT_RISK_CONFIG.requestBudget).toMatchObject({
      initialRequests: 10_000,
      requestsPerUsdTraded: 1,
      cancelExtraRequests: 100_000,
      ipWeightLimit: 1_200,
      ipWindowMs: 60_000,
      throttledIntervalMs: 10_000,
    });
  });
});

describe("resolveRiskConfig", () => {
  it("returns the defaults for no input", () => {
    expect(resolveRiskConfig()).toEqual(DEFAULT_RISK_CONFIG);
  });

  it("merges field by field and freezes the result", () => {
    const config = resolveRiskConfig({
      maxPosition: { limitUsd: 5_000, perCoinLimitUsd: { ETH: 1_500 } },
      staleData: { enabled: false },
    });
    expect(config.maxPosition).toEqual({ enabled: true, limitUsd: 5_000, perCoinLimitUsd: { ETH: 1_500 } });
    expect(config.staleData).toEqual({ enabled: false, timeoutMs: 5_000 });
    expect(config.dailyLoss).toEqual(DEFAULT_RISK_CONFIG.dailyLoss);
    expect(Object.isFrozen(config.maxPosition.perCoinLimitUsd)).toBe(true);
  });

  it.each([
    [{ maxPosition: { limitUsd: -1 } }, "maxPosition.limitUsd"],
    [{ maxPosition: { limitUsd: 0 } }, "maxPosition.limitUsd"],
    [{ maxPosition: { perCoinLimitUsd: { BTC: -5 } } }, "maxPosition.perCoinLimitUsd.BTC"],
    [{ maxAccountPosition: { limitUsd: Number.NaN } }, "maxAccountPosition.limitUsd"],
    [{ maxOrderNotional: { limitUsd: Number.POSITIVE_INFINITY } }, "maxOrderNotional.limitUsd"],
    [{ dailyLoss: { limitUsd: "300" } }, "dailyLoss.limitUsd"],
    [{ dailyLoss: { dayStartOffsetMs: 86_400_000 } }, "dailyLoss.dayStartOffsetMs"],
    [{ dailyLoss: { dayStartOffsetMs: -1 } }, "dailyLoss.dayStartOffsetMs"],
    [{ maxDrawdown: { limitFraction: 1.5 } }, "maxDrawdown.limitFraction"],
    [{ maxDrawdown: { limitFraction: 0 } }, "maxDrawdown.limitFraction"],
    [{ volatility: { action: "panic" } }, "volatility.action"],
    [{ volatility: { cooldownMs: -1 } }, "volatility.cooldownMs"],
    [{ volatility: { thresholdSigmaPerSqrtHour: Number.NaN } }, "volatility.thresholdSigmaPerSqrtHour"],
    [{ staleData: { timeoutMs: 0 } }, "staleData.timeoutMs"],
    [{ staleData: { enabled: "yes" } }, "staleData.enabled"],
    [{ errorBurst: { maxErrors: 2.5 } }, "errorBurst.maxErrors"],
    [{ errorBurst: { maxErrors: 0 } }, "errorBurst.maxErrors"],
    [{ errorBurst: { windowMs: -60_000 } }, "errorBurst.windowMs"],
    [{ requestBudget: { initialRequests: -1 } }, "requestBudget.initialRequests"],
    [{ requestBudget: { ipReserveWeight: 1_200 } }, "requestBudget.ipReserveWeight"],
    [{ requestBudget: { ipWindowMs: Number.NaN } }, "requestBudget.ipWindowMs"],
    [{ maxPosition: { limitUsd: 1, limitUSD: 2 } }, "maxPosition.limitUSD"],
    [{ maxPositon: {} }, "maxPositon"],
    [{ staleData: 5 }, "staleData"],
    [null, "(root)"],
    [[], "(root)"],
  ])("rejects %j naming %s", (input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it("says what was expected and what it got, and lists every issue", () => {
    try {
      resolveRiskConfig({ maxPosition: { limitUsd: -5 }, dailyLoss: { limitUsd: Number.NaN } });
      expect.unreachable();
    } catch (error) {
      const e = error as RiskConfigError;
      expect(e.message).toBe(
        "risk config: maxPosition.limitUsd: expected a finite number of USD > 0, got -5 (and 1 more)",
      );
      expect(e.issues.map((issue) => issue.field)).toEqual(["maxPosition.limitUsd", "dailyLoss.limitUsd"]);
      expect(e.issues[1]!.message).toContain("got NaN");
    }
  });

  it("describes received values of every kind", () => {
    const messageOf = (input: unknown) => {
      try {
        resolveRiskConfig(input as RiskConfigInput);
      } catch (error) {
        return (error as RiskConfigError).issues[0]!.message;
      }
      return "";
    };
    expect(messageOf({ dailyLoss: { limitUsd: "300" } })).toContain('got "300"');
    expect(messageOf({ dailyLoss: { limitUsd: [1] } })).toContain("got an array");
    expect(messageOf({ dailyLoss: { limitUsd: {} } })).toContain("got an object");
    expect(messageOf({ dailyLoss: { limitUsd: null } })).toContain("got null");
    expect(messageOf({ maxPosition: { perCoinLimitUsd: { "": 5 } } })).toBe(
      'invalid key: expected a coin name, got ""',
    );
    expect(messageOf({ maxPosition: { perCoinLimitUsd: 5 } })).toBe(
      "expected an object of coin → USD limit, got 5",
    );
  });

  it("builds a message even from an empty issue list", () => {
    expect(new RiskConfigError([]).field).toBe("(root)");
  });
});
