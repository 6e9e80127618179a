import { describe, expect, it } from "vitest";
import { describeUnreachable, networkErrorCode } from "./network-error.ts";

/** The shape Node's fetch gives a failed request: TypeError("fetch failed") caused by the system error. */
const fetchFailed = (code: string, message: string) =>
  new TypeError("fetch failed", { cause: Object.assign(new Error(message), { code }) });

describe("describeUnreachable", () => {
  it("names the host and says the machine looks offline when the name does not resolve", () => {
    const error = new Error("Unknown HTTP request error: fetch failed", {
      cause: fetchFailed("ENOTFOUND", "getaddrinfo ENOTFOUND api.hyperliquid.xyz"),
    });
    expect(describeUnreachable("https://api.hyperliquid.xyz/info", error)).toBe(
      "cannot reach api.hyperliquid.xyz (https://api.hyperliquid.xyz/info): the name does not resolve (ENOTFOUND) — this machine looks offline",
    );
  });

  it("reads the code from a message when the error carries no cause (ccxt)", () => {
    const error = new Error(
      "binanceusdm GET https://fapi.binance.com/fapi/v1/klines fetch failed: getaddrinfo EAI_AGAIN fapi.binance.com",
    );
    expect(networkErrorCode(error)).toBe("EAI_AGAIN");
    expect(describeUnreachable("https://fapi.binance.com/fapi/v1/klines", error)).toMatch(
      /^cannot reach fapi\.binance\.com .*looks offline$/,
    );
  });

  it("tells a refused connection and a timeout apart from being offline", () => {
    expect(
      describeUnreachable("http://127.0.0.1:8081/info", fetchFailed("ECONNREFUSED", "connect ECONNREFUSED")),
    ).toBe(
      "cannot reach 127.0.0.1:8081 (http://127.0.0.1:8081/info): connection refused (ECONNREFUSED) — nothing listens there",
    );
    const timeout = Object.assign(new Error("The operation was aborted due to timeout"), {
      name: "TimeoutError",
    });
    expect(describeUnreachable("http://127.0.0.1:8081/info", timeout)).toMatch(/no answer in time/);
  });

  it("keeps the message of an error it does not recognise, still naming the host", () => {
    expect(describeUnreachable("http://127.0.0.1:1/x", new Error("something else"))).toBe(
      "cannot reach 127.0.0.1:1 (http://127.0.0.1:1/x): something else",
    );
  });
});
