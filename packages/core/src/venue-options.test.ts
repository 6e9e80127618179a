import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Clock } from "./clock.ts";
import { ManualClock } from "./clock.ts";
import { keyedVenueOptionFields, parseVenueOptions, resolveVenueNetwork } from "./venue-options.ts";

const schema = z.object({ ...keyedVenueOptionFields, bookLevels: z.number().int().min(1).default(20) });
const fail = (message: string) => new Error(message);
const hosts = {
  mainnet: { rest: "https://api.example.com", ws: "wss://stream.example.com" },
  testnet: { rest: "https://t.example.com", ws: "wss://t-stream.example.com" },
};

describe("parseVenueOptions", () => {
  it("applies the shared defaults", () => {
    const clock = new ManualClock(0);
    const { options } = parseVenueOptions(
      schema,
      { clock, network: "testnet", apiKey: "k", secret: "s" },
      "Example",
      fail,
    );
    expect(options).toMatchObject({
      clientIdPrefix: "botmm",
      requestTimeoutMs: 5_000,
      recvWindowMs: 5_000,
      reconnectDelayMs: 250,
      bookLevels: 20,
    });
  });

  it("names every bad field and the venue, never the secret", () => {
    const input = {
      clock: new ManualClock(0),
      network: "moon",
      apiKey: "k",
      secret: "hunter2",
      bookLevels: 0,
    };
    let message = "";
    try {
      parseVenueOptions(schema, input as never, "Example", fail);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^invalid Example venue options: network: .*; bookLevels: /);
    expect(message).not.toContain("hunter2");
  });

  it("refuses a missing clock first", () => {
    expect(() =>
      parseVenueOptions(
        schema,
        { clock: {} as Clock, network: "testnet", apiKey: "k", secret: "s" },
        "X",
        fail,
      ),
    ).toThrow("clock must be a Clock (an object with now())");
  });
});

describe("resolveVenueNetwork", () => {
  it("uses the named hosts, or the custom base with a ws root on the same host", () => {
    expect(resolveVenueNetwork("mainnet", hosts)).toEqual(hosts.mainnet);
    expect(resolveVenueNetwork("testnet", hosts)).toEqual(hosts.testnet);
    expect(resolveVenueNetwork({ baseUrl: "https://127.0.0.1:4000/" }, hosts, "/ws")).toEqual({
      rest: "https://127.0.0.1:4000/",
      ws: "wss://127.0.0.1:4000/ws",
    });
    expect(resolveVenueNetwork({ baseUrl: "http://a:1", wsUrl: "ws://b:2" }, hosts, "/ws").ws).toBe(
      "ws://b:2",
    );
  });
});
