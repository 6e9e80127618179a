import ccxt from "ccxt";
import { describe, expect, it } from "vitest";
import { failedOutcome, logSafely, redactedError, settleCcxtCall } from "./outcome.ts";

const options = {
  describe: (error: unknown) => redactedError(error, ["s3cret"]),
  codeOf: (reason: string) => {
    const match = /"code":(-?\d+)/.exec(reason);
    return match ? Number(match[1]) : null;
  },
  unknownCodes: new Set([10016]),
};

describe("settleCcxtCall", () => {
  it("answers ok with the value", async () => {
    expect(await settleCcxtCall(async () => 42, options)).toEqual({ kind: "ok", value: 42 });
  });

  it.each([
    ["a 429 (RateLimitExceeded)", new ccxt.RateLimitExceeded('x {"code":-1003}'), "rejected", -1003],
    ["a 418 ban (DDoSProtection)", new ccxt.DDoSProtection("banned"), "rejected", null],
    ["a timeout (NetworkError)", new ccxt.RequestTimeout("timed out"), "unknown", undefined],
    ["a 5xx (ExchangeNotAvailable)", new ccxt.ExchangeNotAvailable("503"), "unknown", undefined],
    ["the venue's refusal (ExchangeError)", new ccxt.InvalidOrder('x {"code":-5022}'), "rejected", -5022],
    ["a code that leaves it unknown", new ccxt.ExchangeError('x {"code":10016}'), "unknown", undefined],
    ["anything else", new TypeError("boom"), "unknown", undefined],
  ])("%s → %s", async (_what, error, kind, code) => {
    const outcome = await settleCcxtCall(() => Promise.reject(error), options);
    expect(outcome.kind).toBe(kind);
    if (outcome.kind === "rejected") {
      expect(outcome.code).toBe(code);
      expect(outcome.errorName).toBe(error.constructor.name);
    }
  });

  it("words the reason without the secrets", () => {
    const outcome = failedOutcome(new ccxt.AuthenticationError("key s3cret refused"), options);
    expect(outcome).toMatchObject({
      kind: "rejected",
      reason: "AuthenticationError: key [redacted] refused",
    });
  });
});

describe("redactedError", () => {
  it("removes every secret, then applies the venue's patterns", () => {
    const error = new Error("GET /x?apiKey=k3y&signature=abc123 with k3y");
    expect(redactedError(error, ["k3y", ""], [[/signature=[0-9a-f]+/g, "signature=[redacted]"]])).toBe(
      "Error: GET /x?apiKey=[redacted]&signature=[redacted] with [redacted]",
    );
    expect(redactedError("plain k3y", ["k3y"])).toBe("plain [redacted]");
  });
});

describe("logSafely", () => {
  it("passes the fields, level and message, and swallows a sink that throws", () => {
    const seen: unknown[] = [];
    logSafely((entry) => seen.push(entry), "warn", "down", { stream: "orders" });
    expect(seen).toEqual([{ stream: "orders", level: "warn", message: "down" }]);
    expect(() =>
      logSafely(
        () => {
          throw new Error("sink broke");
        },
        "info",
        "x",
      ),
    ).not.toThrow();
    expect(() => logSafely(undefined, "info", "x")).not.toThrow();
  });
});
